package server

import (
	"bytes"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/registry"
)

// report serves a stored trace as the answer to an access request:
// /traces/{id}.json for systems, /traces/{id}.html to print. It answers a
// link signed by reportUrl (a browser has no bearer header), valid for that
// file until it expires; otherwise a bearer token whose role may read the
// trace (access.Traces: a dsr user only its own token's, another's answering
// 404 like a missing one). The id is random (128 bits), so one report's
// address says nothing about another's.
func (s *Server) report(w http.ResponseWriter, r *http.Request) {
	p, ok := s.reportPrincipal(w, r)
	if !ok {
		return
	}
	name := r.PathValue("file")
	id, format, ok := strings.Cut(name, ".")
	op := "report " + format
	// Every attempt is audited, a guessed id included, and before the
	// answer leaves: a report is health data.
	notes := &access.AuditNotes{Affected: []string{"trace:" + id}}
	if !ok || (format != "json" && format != "html") {
		s.audit(r, p, "report", "", "NOT_FOUND", nil)
		http.NotFound(w, r)
		return
	}
	ctx := access.WithPrincipal(r.Context(), p)
	t, err := access.Traces(ctx, s.res.Services.Traces).Trace(ctx, id)
	if err != nil {
		s.lookupFailed(w, r, p, op, notes, "report: load trace", err)
		return
	}
	notes.CaseRef = t.CaseRef
	if format == "json" {
		if !s.auditNow(r, p, op, "", "ok", notes) {
			s.unrecorded(w)
			return
		}
		// On the region's clocks, as the page and the API give them.
		writeJSON(w, http.StatusOK, t.In(t.Zone(s.res.Location)))
		return
	}
	s.printable(w, r, p, op, notes, reportPage, newReportView(t, s.res.Location))
}

// reportPrincipal is who reads a report: the token a valid signed link was
// made for (the link stands for it, with its role), or the bearer token's.
// A link that does not verify (expired, altered, or made for another
// file) lets nobody in; without a bearer header it is refused as such, so
// that a browser's user learns to ask for a fresh link.
func (s *Server) reportPrincipal(w http.ResponseWriter, r *http.Request) (access.Principal, bool) {
	q := r.URL.Query()
	if q.Has("sig") && s.res.ReportLinks != nil {
		if by, ok := s.res.ReportLinks.Verify(r.URL.Path, q); ok {
			t, found, err := s.tokenByID(r, by)
			if err != nil && registry.ErrorCode(err) == registry.EUnavailable {
				s.log.Warn("report: link's token", "err", err)
				w.Header().Set("Retry-After", strconv.Itoa(s.cfg.RetryAfter))
				s.refuse(w, r, access.Principal{Name: "anonymous"}, http.StatusServiceUnavailable, string(registry.EUnavailable), registry.Unavailable().Message)
				return access.Principal{}, false
			}
			if err != nil {
				s.log.Error("report: link's token", "err", err)
				s.refuse(w, r, access.Principal{Name: "anonymous"}, http.StatusInternalServerError, "INTERNAL", "internal error")
				return access.Principal{}, false
			}
			if found {
				return access.Principal{Name: t.Name + " (signed link)", Role: t.Role, TokenID: t.ID, Client: clientIP(r)}, true
			}
		}
		if r.Header.Get("Authorization") == "" {
			s.refuse(w, r, access.Principal{Name: "anonymous"}, http.StatusForbidden, "LINK_INVALID",
				"the link has expired or is not valid for this report; open the trace again for a fresh link")
			return access.Principal{}, false
		}
	}
	// The same rule as the trace query.
	return s.authorize(w, r, access.RootRules["Query.trace"])
}

// tokenByID finds the live token a signed link was made for: a link dies
// with its token's revocation or expiry, and reads with the role it has.
func (s *Server) tokenByID(r *http.Request, id int64) (registry.Token, bool, error) {
	ts, err := s.res.Services.Tokens.ListTokens(r.Context())
	if err != nil {
		return registry.Token{}, false, err
	}
	now := time.Now()
	for _, t := range ts {
		if t.ID == id && t.RevokedAt == nil && (t.ExpiresAt == nil || t.ExpiresAt.After(now)) {
			return t, slices.Contains(access.RootRules["Query.trace"], t.Role), nil
		}
	}
	return registry.Token{}, false, nil
}

// printable answers with a printable page, audited before it leaves: ok, or
// INTERNAL with the cause logged and never shown. The page has inline
// styles and nothing else: no scripts, no fetches.
func (s *Server) printable(w http.ResponseWriter, r *http.Request, p access.Principal, op string, notes *access.AuditNotes,
	page *template.Template, view any) {
	var buf bytes.Buffer
	if err := page.Execute(&buf, view); err != nil {
		s.log.Error(op+": render", "err", err)
		s.audit(r, p, op, "", "INTERNAL", notes)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	// Committed before the page leaves: reports and drafts are health data.
	if !s.auditNow(r, p, op, "", "ok", notes) {
		s.unrecorded(w)
		return
	}
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

// pageClock words instants on printable pages, in one zone: the registry's,
// or a report's region's (newReportView), with the zone's abbreviation.
type pageClock struct{ loc *time.Location }

func (c pageClock) When(t time.Time) string { return t.In(c.loc).Format("2006-01-02 15:04 MST") }

type reportView struct {
	registry.Trace
	pageClock
}

// newReportView words a trace's instants in the calling region's zone
// (the registry's, fallback, only when the region has none): the report
// answers a caller who named the time on the region's clocks.
func newReportView(t registry.Trace, fallback *time.Location) reportView {
	return reportView{Trace: t, pageClock: pageClock{t.Zone(fallback)}}
}

// Zone names the zone the report's times are in, for its reader.
func (v reportView) Zone() string { return v.loc.String() }

// Day is a legal date, such as the day an authority decided.
func (v reportView) Day(t *time.Time) string { return t.Format("2006-01-02") }

func (v reportView) Until(t *time.Time) string {
	if t == nil {
		return "okänt / unknown"
	}
	return v.When(*t)
}

var loggedWords = map[string]string{
	"logged":     "Samtalet finns bland de loggade nedladdningarna. / The call is among the logged downloads.",
	"not_logged": "Samtalet finns inte bland de loggade nedladdningarna. / The call is not among the logged downloads.",
	"unknown":    "Loggen kan inte avgöra om samtalet laddades ned. / The log cannot tell whether the call was downloaded.",
	"no_log":     "Ingen åtkomstlogg finns registrerad. / No access log is recorded.",
}

// exposureWords word a known exposure's fact; the severity is the checks'.
var exposureWords = map[string]string{
	registry.ExposureInternetNoAuth:      "Nåbart från internet utan inloggning / Reachable from the internet without authentication",
	registry.ExposureInternetPassword:    "Nåbart från internet med enbart lösenord / Reachable from the internet with a password alone",
	registry.ExposureInternetAuthUnknown: "Nåbart från internet; inloggningen är inte fastställd / Reachable from the internet; its authentication is not established",
	registry.ExposureKnownExploited:      "Känd utnyttjad sårbarhet, inte åtgärdad / Known exploited vulnerability, not patched",
	registry.ExposureEndOfSupport:        "Programvara utan support / Software past its end of support",
	registry.ExposureNotEstablished:      "Säkerhetsuppgifter inte fastställda (okänt, inte säkert) / Security facts not established (unknown, not safe)",
}

var severityWords = map[string]string{
	"critical": "kritisk / critical", "high": "hög / high", "medium": "medel / medium", "low": "låg / low", "info": "info",
}

var audienceWords = map[string]string{
	"own_staff":      "egen personal / own staff",
	"customer_users": "kunders användare / customers' users",
	"vendor_support": "leverantörens support / vendor support",
	"public":         "allmänheten / the public",
}

// unknownWords word the facts kedja_profile_unknowns names.
var unknownWords = map[string]string{
	"internet exposure":          "exponering mot internet / internet exposure",
	"authentication":             "inloggning / authentication",
	"transport encryption":       "kryptering vid överföring / transport encryption",
	"encryption at rest":         "kryptering av lagrade data / encryption at rest",
	"access path authentication": "inloggning på en åtkomstväg / an access path's authentication",
}

// exposureDetail words what a known exposure names: who came in and
// through what, the component and vulnerability, or what is unknown.
func exposureDetail(e registry.KnownExposure) string {
	var parts []string
	if e.Audience != "" {
		parts = append(parts, audienceWords[e.Audience])
	}
	if e.Through != "" {
		parts = append(parts, "via "+e.Through)
	}
	if e.Component != "" {
		parts = append(parts, e.Component)
	}
	if e.CVE != "" {
		parts = append(parts, e.CVE)
	}
	if e.NoProfile {
		parts = append(parts, "ingen säkerhetsprofil registrerad / no security profile recorded")
	} else {
		for _, u := range e.Unknown {
			w, ok := unknownWords[u]
			if !ok {
				w = u
			}
			parts = append(parts, w)
		}
	}
	return strings.Join(parts, "; ")
}

var roleWords = map[string]string{
	"processor":              "personuppgiftsbiträde / processor",
	"sub_processor":          "underbiträde / sub-processor",
	"joint_controller":       "gemensamt personuppgiftsansvarig / joint controller",
	"independent_controller": "personuppgiftsansvarig / controller",
	"recipient":              "mottagare / recipient",
	"none":                   "varken personuppgiftsansvarig eller biträde / neither controller nor processor",
}

var classWords = map[string]string{
	"eea":              "EES / EEA",
	"domestic":         "inom lagens eget område / within the law's own territory",
	"adequacy":         "beslut om adekvat skyddsnivå / adequacy decision",
	"partial_adequacy": "delvis adekvat skyddsnivå / partial adequacy",
	"third_country":    "tredjeland utan adekvat skyddsnivå / third country without adequacy",
}

// safeguard says in words what made a transfer lawful, or that nothing did.
func safeguard(h registry.Holder) string {
	mechanism := map[string]string{
		"adequacy":   "beslut om adekvat skyddsnivå / adequacy decision",
		"bcr":        "bindande företagsbestämmelser / binding corporate rules",
		"derogation": "undantag, art. 49 / derogation, Art. 49",
	}
	if h.TransferMechanism == "scc" {
		m := ""
		if h.SCCModule != nil {
			m = " " + strconv.Itoa(int(*h.SCCModule))
		}
		mechanism["scc"] = "standardavtalsklausuler, modul" + m + " / standard contractual clauses, module" + m
	}
	// The verdict the trace recorded (kedja_transfer_verdict): the report
	// words it, and restates no rule.
	switch h.Transfer {
	case registry.TransferNotNeeded:
		if h.Party.TransferClass == "eea" {
			return "inom EES / within the EEA"
		}
		if h.Party.TransferClass == "domestic" {
			return "ingen överföring / no transfer"
		}
		return "beslut om adekvat skyddsnivå / adequacy decision"
	case registry.TransferNoMechanism:
		return "ingen skyddsåtgärd registrerad / no safeguard recorded"
	case registry.TransferAdequacyNotApplicable:
		return "åberopat beslut om adekvat skyddsnivå gäller inte mottagaren / the adequacy decision claimed does not cover the recipient"
	case registry.TransferNoTIA:
		return mechanism[h.TransferMechanism] + ", utan konsekvensbedömning av överföringen / without a transfer impact assessment"
	case registry.TransferOutdatedClauses:
		return mechanism[h.TransferMechanism] + ", i en generation som lagen inte längre godtar / in a generation the law no longer recognises"
	case registry.TransferToolNotValid:
		return mechanism[h.TransferMechanism] + ", ett verktyg som exportörens lag inte godtar / a tool the exporter's law does not recognise"
	case registry.TransferSafeguarded, registry.TransferDerogation:
		return mechanism[h.TransferMechanism]
	}
	// Traces stored before verdicts were recorded (document versions 1
	// and 2) are worded as they were then: the mechanism as the link
	// recorded it, else the country's standing.
	if m, ok := mechanism[h.TransferMechanism]; ok {
		return m
	}
	switch h.Party.TransferClass {
	case "eea":
		return "inom EES / within the EEA"
	case "adequacy":
		return "beslut om adekvat skyddsnivå / adequacy decision"
	}
	return "ingen skyddsåtgärd registrerad / no safeguard recorded"
}

var reportPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"role": func(r string) string { return roleWords[r] },
	// A nil title (a role the registry does not know) names no one.
	"roleTitle": func(r string) []string {
		if t, ok := registry.RoleTitles[r]; ok {
			return t[:]
		}
		return nil
	},
	"class":     func(c string) string { return classWords[c] },
	"safeguard": safeguard,
	"third":     func(c string) bool { return c == "third_country" || c == "partial_adequacy" },
	"logged":    func(l string) string { return loggedWords[l] },
	"exposure":  func(f string) string { return exposureWords[f] },
	"severity":  func(s string) string { return severityWords[s] },
	"detail":    exposureDetail,
}).Parse(`<!doctype html>
<html lang="sv"><head><meta charset="utf-8">
<title>Vem hanterade samtalet? Who held the call? {{.CaseRef}}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eee}.third{color:#a00;font-weight:600}.note{background:#fff6d5;padding:.6rem .8rem;border-left:4px solid #d9a400}
.ok{background:#e8f5e9;padding:.6rem .8rem;border-left:4px solid #2e7d32}small{color:#555}
@media print{body{margin:0}}
</style></head><body>
<h1>Vem hanterade samtalet? <small>/ Who held the call?</small></h1>
<p>Ärende / Case: <strong>{{.CaseRef}}</strong><br>
Samtal till / Call to: <strong>{{.Region.LegalName}}</strong>, {{.When .CallAt}}<br>
<small>Tider i regionens tidszon / Times in the region's time zone: {{.Zone}}</small><br>
Sammanställt / Compiled: {{.When .CreatedAt}}{{with .CompiledBy}}{{with roleTitle .}} av {{index . 0}} / by {{index . 1}}{{end}}{{end}}</p>
{{/* The provision is the one the trace recorded under the region's law on the day of the call (document version 6);
an older trace recorded none, and its report names none rather than guess. */}}<p><small>{{with .AccessCitation}}Rätt till tillgång enligt / Right of access under: <strong>{{.}}</strong><br>{{end}}
Svaret redovisar de mottagare som faktiskt tagit del av uppgifterna, var de finns, skyddsåtgärder vid överföring till tredjeland
och hur länge uppgifterna lagras. / The answer gives the actual recipients, where they are, the safeguards for transfers to third
countries, and how long the data are stored.</small></p>
{{if .Complete}}<p class="ok">Svaret är fullständigt enligt registret. / The answer is complete as far as the registry knows.</p>
{{else}}<div class="note"><p><strong>Svaret kan vara ofullständigt: / The answer may be incomplete:</strong></p><ul>
{{range .Reasons}}<li>{{.Sv}}<br><small>{{.En}}</small></li>{{end}}</ul></div>{{end}}

<h2>Mottagare / Recipients</h2>
<table><tr><th>Organisation</th><th>Roll / Role</th><th>Land / Country</th><th>Skyddsåtgärd / Safeguard</th><th>Från / From</th><th>Till / Until</th></tr>
{{if ge .Version 4}}{{range .Recipients}}<tr><td>{{.Party.LegalName}}{{if eq .Certainty "possible"}}<br><small>möjligen / possibly</small>{{end}}</td>
<td>{{range $i, $h := .Holders}}{{if $i}}<hr>{{end}}{{if $h.FoundRole}}{{role $h.FoundRole}}<br><small>enligt / as found by {{$h.FoundBy}}{{with $h.FoundOn}}, {{$.Day .}}{{end}};
angiven / claimed: {{role $h.Role}}</small>{{else}}{{role $h.Role}}{{end}}<br><small>via {{$h.FromParty.LegalName}}</small>{{end}}</td>
<td{{if third .Party.TransferClass}} class="third"{{end}}>{{.Party.CountryName}}<br><small>{{class .Party.TransferClass}}</small></td>
<td>{{range $i, $h := .Holders}}{{if $i}}<hr>{{end}}{{safeguard $h}}{{with $h.AgreementRef}}<br><small>avtal / agreement: {{.}}</small>{{end}}{{end}}</td>
<td>{{$.When .HeldFrom}}</td><td>{{$.Until .HeldUntil}}</td></tr>
{{end}}{{else}}{{/* Documents before version 4: one row per link, as they were sent. */}}{{range .Holders}}<tr><td>{{.Party.LegalName}}{{if eq .Certainty "possible"}}<br><small>möjligen / possibly</small>{{end}}</td>
<td>{{role .Role}}<br><small>via {{.FromParty.LegalName}}</small></td>
<td{{if third .Party.TransferClass}} class="third"{{end}}>{{.Party.CountryName}}<br><small>{{class .Party.TransferClass}}</small></td>
<td>{{safeguard .}}{{with .AgreementRef}}<br><small>avtal / agreement: {{.}}</small>{{end}}</td>
<td>{{$.When .HeldFrom}}</td><td>{{$.Until .HeldUntil}}</td></tr>
{{end}}{{end}}</table>

<h2>System / Systems</h2>
<table><tr><th>System</th><th>Används av / Used by</th><th>Lagring / Storage</th><th>Från / From</th><th>Till / Until</th></tr>
{{range .Systems}}<tr><td>{{.Name}}{{if eq .Certainty "possible"}}<br><small>möjligen / possibly</small>{{end}}</td><td>{{.Party.LegalName}}</td>
<td>{{range .Storage}}<span{{if third .TransferClass}} class="third"{{end}}>{{.Name}}</span> {{end}}</td>
<td>{{$.When .HeldFrom}}{{if .MoveID}}<br><small>flyttad hit / moved here</small>{{end}}</td><td>{{$.Until .HeldUntil}}</td></tr>
{{end}}</table>

{{if .KnownExposure}}<h2>Kända säkerhetsbrister medan systemen hade samtalet / Known exposure while the systems held the call</h2>
<p><small>Det registret visste om systemen under den tid de hade samtalet, bedömt med samma regler som granskningarna. Det som inte är
fastställt anges som okänt, aldrig som säkert. / What the registry knew of the systems while they held the call, judged by the rules the
checks use. What is not established is stated as unknown, never as safe.</small></p>
<table><tr><th>System</th><th>Brist / Exposure</th><th>Allvar / Severity</th><th>Från / From</th><th>Till / Until</th></tr>
{{range .KnownExposure}}<tr><td>{{.SystemName}}</td><td>{{exposure .Fact}}{{with detail .}}<br><small>{{.}}</small>{{end}}</td>
<td>{{if .Severity}}{{severity .Severity}}{{else}}okänt / unknown{{end}}</td><td>{{$.When .From}}</td><td>{{$.Until .Until}}</td></tr>
{{end}}</table>{{end}}

{{if .Exposures}}<h2>Säkerhetsincidenter / Security incidents</h2>
<div class="note"><p>Samtalet låg på ett system under en incident där uppgifterna var exponerade. / The call lay on a system during an incident in which the data were exposed.</p><ul>
{{range .Exposures}}<li><strong>{{.SystemName}}</strong>: {{.Title}}<br>{{$.When .From}} – {{$.Until .Until}}<br>
<small>{{logged .Logged}}</small></li>{{end}}</ul></div>{{end}}

{{if .Excluded}}<h2>Inte berörda / Not involved</h2><ul>
{{range .Excluded}}<li>{{.ToParty.LegalName}} (via {{.FromParty.LegalName}}): {{.Reason}}</li>{{end}}</ul>{{end}}
<p><small>kedja trace {{.ID}}</small></p>
</body></html>
`))

// lookupFailed answers a file route (report, record, notification draft)
// whose object could not be read, and audits it: 404 for one that does not
// exist (or is not the caller's to see), 503 with Retry-After while the
// database cannot be reached, 500 (logged as what) otherwise.
func (s *Server) lookupFailed(w http.ResponseWriter, r *http.Request, p access.Principal, op string, notes *access.AuditNotes, what string, err error) {
	switch registry.ErrorCode(err) {
	case registry.ENotFound:
		s.audit(r, p, op, "", "NOT_FOUND", notes)
		http.NotFound(w, r)
	case registry.EUnavailable:
		s.log.Warn(what, "err", err)
		s.audit(r, p, op, "", string(registry.EUnavailable), notes)
		w.Header().Set("Retry-After", strconv.Itoa(s.cfg.RetryAfter))
		http.Error(w, registry.Unavailable().Message, http.StatusServiceUnavailable)
	default:
		s.log.Error(what, "err", err)
		s.audit(r, p, op, "", "INTERNAL", notes)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// unrecorded answers a file route whose audit row could not be written:
// the answer is withheld, and, as for /graphql, that is nearly always the
// database gone away, so the caller is told to try again shortly.
func (s *Server) unrecorded(w http.ResponseWriter) {
	w.Header().Set("Retry-After", strconv.Itoa(s.cfg.RetryAfter))
	http.Error(w, registry.Unavailable().Message, http.StatusServiceUnavailable)
}
