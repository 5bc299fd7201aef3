package server

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/registry"
)

// notificationDraft serves /incidents/{id}/notifications/{controller}.html:
// a printable, bilingual draft of a controller's notification to the
// supervisory authority, with the content of Art. 33(3) filled in from the
// registry (the incident, its impact for this controller, the evidence).
// ?at= judges the duties at an instant (default now). Under the rule of the
// incident query, and audited like the trace report.
func (s *Server) notificationDraft(w http.ResponseWriter, r *http.Request) {
	p, ok := s.authorize(w, r, access.RootRules["Query.incident"])
	if !ok {
		return
	}
	idText, file := r.PathValue("id"), r.PathValue("file")
	ctrlText, ok := strings.CutSuffix(file, ".html")
	notes := &access.AuditNotes{Affected: []string{"incident:" + idText}}
	op := "notification draft"
	id, err1 := strconv.ParseInt(idText, 10, 64)
	ctrl, err2 := strconv.ParseInt(ctrlText, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		s.audit(r, p, op, "", "NOT_FOUND", notes)
		http.NotFound(w, r)
		return
	}
	at := time.Now()
	if q := r.URL.Query().Get("at"); q != "" {
		t, err := registry.ParseInstant("at", q, s.res.Location)
		if err != nil {
			s.audit(r, p, op, "", "INVALID_INPUT", notes)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		at = t
	}
	imp, err := s.res.Services.Incidents.Impact(r.Context(), id, at)
	if err != nil {
		s.lookupFailed(w, r, p, op, notes, "notification draft: impact", err)
		return
	}
	var c *registry.ImpactController
	for i := range imp.Controllers {
		if imp.Controllers[i].Party.ID == ctrl {
			c = &imp.Controllers[i]
		}
	}
	if c == nil {
		// Not a controller of this incident: nothing to draft.
		s.audit(r, p, op, "", "NOT_FOUND", notes)
		http.NotFound(w, r)
		return
	}
	s.printable(w, r, p, op, notes, draftPage, draftView{Impact: imp, C: *c, pageClock: pageClock{s.res.Location}})
}

type draftView struct {
	registry.Impact
	C registry.ImpactController
	pageClock
}

// Opt words an optional instant; what says what nil means.
func (v draftView) Opt(t *time.Time, what string) string {
	if t == nil {
		return what
	}
	return v.When(*t)
}

// Late says whether the controller's first notification came after its
// deadline.
func (v draftView) Late() bool {
	return v.C.Duty.Status == "notified_late" || v.C.Duty.Status == "overdue"
}

var kindWords = map[string]string{
	"confidentiality": "konfidentialitetsincident (obehörigt röjande eller åtkomst) / confidentiality breach (unauthorised disclosure or access)",
	"integrity":       "riktighetsincident (obehörig ändring) / integrity breach (unauthorised alteration)",
	"availability":    "tillgänglighetsincident (förlust av åtkomst) / availability breach (loss of access)",
}

var statusWords = map[string]string{
	"notified":      "anmäld i tid / notified in time",
	"notified_late": "anmäld efter 72 timmar / notified after 72 hours",
	"not_aware":     "ingen kännedom registrerad / no awareness recorded",
	"overdue":       "försenad: ingen anmälan registrerad / overdue: no notification recorded",
	"not_notified":  "ingen anmälan registrerad / no notification recorded",
	"due":           "ska anmälas / due",
}

func num(n *int64) string {
	if n == nil {
		return "okänt / unknown"
	}
	s := strconv.FormatInt(*n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune(' ')
		}
		b.WriteRune(r)
	}
	return "cirka / about " + b.String()
}

var draftPage = template.Must(template.New("draft").Funcs(template.FuncMap{
	"role":   func(r string) string { return roleWords[r] },
	"kind":   func(k string) string { return kindWords[k] },
	"status": func(s string) string { return statusWords[s] },
	"num":    num,
	"join":   strings.Join,
	"deref": func(s *string) string {
		if s == nil {
			return "inte registrerat / not recorded"
		}
		return *s
	},
}).Parse(`<!doctype html>
<html lang="sv"><head><meta charset="utf-8">
<title>Anmälan av personuppgiftsincident / Personal data breach notification: {{.C.Party.LegalName}}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}
h1{font-size:1.45rem}h2{font-size:1.1rem;margin-top:1.8rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eee;width:30%}.note{background:#fff6d5;padding:.6rem .8rem;border-left:4px solid #d9a400}small{color:#555}
@media print{body{margin:0}}
</style></head><body>
<h1>Anmälan av personuppgiftsincident <small>/ Personal data breach notification</small></h1>
<p class="note">Utkast sammanställt ur registret; granska och komplettera innan det skickas. / A draft compiled from the registry;
check and complete it before it is sent. (Art. 33 GDPR)</p>
<table>
<tr><th>Personuppgiftsansvarig / Controller</th><td><strong>{{.C.Party.LegalName}}</strong> ({{.C.Party.Country}})</td></tr>
<tr><th>Kännedom / Aware since</th><td>{{.Opt .C.Duty.AwareAt "inte registrerat / not recorded"}}</td></tr>
<tr><th>Frist 72 timmar / 72-hour deadline (Art. 33.1)</th><td>{{.Opt .C.Duty.Deadline "räknas från kännedom / runs from awareness"}}<br><small>{{status .C.Duty.Status}}</small></td></tr>
<tr><th>Incident</th><td>{{.Incident.Title}} (kedja #{{.Incident.ID}})</td></tr>
</table>

<h2>a) Incidentens art / Nature of the breach (Art. 33.3 a)</h2>
<table>
<tr><th>Typ / Kind</th><td>{{kind .Incident.Kind}}</td></tr>
<tr><th>Beskrivning / Description</th><td>{{deref .Incident.Description}}</td></tr>
<tr><th>Exponering / Exposure</th><td>{{.Opt .Incident.ExposureFrom "okänd start / start unknown"}} – {{.Opt .Incident.ContainedAt "pågår / ongoing"}}</td></tr>
<tr><th>Upptäckt / Discovered</th><td>{{.When .Incident.DiscoveredAt}}</td></tr>
<tr><th>Kategorier av uppgifter / Data categories</th><td>{{join .Incident.DataCategories ", "}}</td></tr>
<tr><th>Antal registrerade / Data subjects</th><td>{{num .Incident.SubjectsApprox}}</td></tr>
<tr><th>Antal poster / Records</th><td>{{num .Incident.RecordsApprox}}</td></tr>
<tr><th>Era samtal på systemen / Your calls on the systems</th><td>inspelade / recorded {{.Opt .C.CallsFrom "utan känd början / from no known start"}} – {{.Opt .C.CallsUntil "utan känt slut / to no known end"}}{{if .C.ViaMove}}<br><small>delvis flyttade dit från ett annat system / partly moved there from another system</small>{{end}}</td></tr>
<tr><th>Via / Through</th><td>{{range .C.Via}}{{.Party.LegalName}} ({{role .Role}})<br>{{else}}direkt / directly{{end}}</td></tr>
{{with .Evidence}}{{if .Downloads}}<tr><th>Loggade nedladdningar / Logged downloads</th><td>{{.Downloads}} nedladdningar / downloads, {{.UniqueCalls}} unika samtal / unique calls,
{{.Duplicates}} dubbletter / duplicates, {{.UniqueSources}} adresser / addresses; {{$.Opt .First ""}} – {{$.Opt .Last ""}}<br>
<small>{{range .ByDay}}{{.Key}}: {{.Downloads}} ({{.Sources}} adresser / addresses) · {{end}}<br>
{{range .ByCallYear}}{{if .Key}}{{.Key}}{{else}}okänt år / unknown year{{end}}: {{.Downloads}} · {{end}}</small></td></tr>{{end}}{{end}}
</table>

<h2>b) Kontaktpunkt / Contact point (Art. 33.3 b)</h2>
<p>Dataskyddsombud eller annan kontaktpunkt: fylls i av den personuppgiftsansvarige (finns inte i registret). / Data protection officer or
other contact point: to be filled in by the controller (not in the registry).</p>

<h2>c) Sannolika konsekvenser / Likely consequences (Art. 33.3 c)</h2>
<p>{{if eq .Incident.Kind "confidentiality"}}Obehöriga kan ha tagit del av uppgifterna ovan. / Unauthorised persons may have had access to the data above.{{else}}Se beskrivningen. / See the description.{{end}}
{{with .C.Involvement}}<br>Bedömning enligt art. 34 / Art. 34 assessment: {{.Art34}}{{with .Art34Note}}: {{.}}{{end}}{{end}}</p>

<h2>d) Åtgärder / Measures (Art. 33.3 d)</h2>
<p>{{deref .Incident.Containment}}<br>{{deref .Incident.Measures}}</p>

{{if .Late}}<h2>Skäl till förseningen / Reasons for the delay (Art. 33.1)</h2>
<p class="note">Anmälan görs efter 72 timmar: ange skälen. / The notification comes after 72 hours: give the reasons.
{{range .C.Notifications}}{{with .DelayReasons}}<br>{{.}}{{end}}{{end}}</p>{{end}}

<h2>Registrerade anmälningar / Notifications recorded</h2>
<ul>{{range .C.Notifications}}<li>{{$.When .SentAt}}: {{deref .ToAuthority}}{{with .Reference}} ({{.}}){{end}}</li>{{else}}<li>inga / none</li>{{end}}</ul>
<p><small>kedja, {{.When .At}}</small></p>
</body></html>
`))
