package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

// expiringWithin is how far ahead home looks for attestations running out:
// a renewal takes about a quarter.
const expiringWithin = 90 * 24 * time.Hour

type named struct {
	ID    int64
	Name  string
	Count int
}

type homeView struct {
	Total      int
	BySeverity []registry.Count
	ByCheck    []checkCount
	Expiring   []attestationRow
	Changes    []changeRow
}

type checkCount struct {
	Key   string
	Count int
	Title string
}

type attestationRow struct {
	registry.Attestation
	Subject     string
	SubjectPath string
	Status      string
}

type changeRow struct {
	registry.Change
	Path string
}

// home: open findings by severity and check, attestations running out, and
// the newest changes to the registry.
func (h *Handler) home(q *request) error {
	if !q.p.May(access.PageRules["home"]) {
		// An access-request handler has no home of findings; its start is
		// the form.
		http.Redirect(q.w, q.r, startPage(q.p), http.StatusSeeOther)
		return nil
	}
	sum, err := h.svc.Findings.FindingSummary(q.ctx(), nil)
	if err != nil {
		return err
	}
	v := homeView{Total: sum.Total, BySeverity: sum.BySeverity}
	titles := h.checkTitles()
	for _, c := range sum.ByCheck {
		v.ByCheck = append(v.ByCheck, checkCount{c.Key, c.Count, titles[c.Key]})
	}
	by := h.now().AddDate(0, 0, int(expiringWithin.Hours()/24))
	atts, _, err := h.svc.Attestations.ListAttestations(q.ctx(), registry.AttestationFilter{ExpiringBy: &by}, registry.Page{First: 50})
	if err != nil {
		return err
	}
	if v.Expiring, err = h.attestationRows(q, atts, nil); err != nil {
		return err
	}
	sort.Slice(v.Expiring, func(i, j int) bool { return v.Expiring[i].ValidUntil.Before(*v.Expiring[j].ValidUntil) })
	changes, err := h.svc.History.RecentChanges(q.ctx(), 15)
	if err != nil {
		return err
	}
	for _, c := range changes {
		row := changeRow{Change: c}
		switch c.Table {
		case "organisations":
			row.Path = "/parties/" + c.RowKey
		case "systems":
			row.Path = "/systems/" + c.RowKey
		}
		v.Changes = append(v.Changes, row)
	}
	h.render(q, http.StatusOK, "home", v)
	return nil
}

func (h *Handler) now() time.Time { return h.cfg.Resolvers.Now() }

func (h *Handler) checkTitles() map[string]string {
	out := map[string]string{}
	for _, c := range h.svc.Checks.Checks() {
		out[c.ID] = c.Title
	}
	return out
}

// attestationRows names the subjects of attestations, two statements for
// any number; with at, each row carries its status then.
func (h *Handler) attestationRows(q *request, atts []registry.Attestation, at *time.Time) ([]attestationRow, error) {
	var orgs, systems, ids []int64
	for _, a := range atts {
		ids = append(ids, a.ID)
		if a.OrgID != nil {
			orgs = append(orgs, *a.OrgID)
		}
		if a.SystemID != nil {
			systems = append(systems, *a.SystemID)
		}
	}
	orgNames, sysNames, err := h.names(q, orgs, systems)
	if err != nil {
		return nil, err
	}
	var status map[int64]string
	if at != nil && len(ids) > 0 {
		if status, err = h.svc.Attestations.AttestationStatuses(q.ctx(), ids, *at); err != nil {
			return nil, err
		}
	}
	out := make([]attestationRow, len(atts))
	for i, a := range atts {
		out[i] = attestationRow{Attestation: a, Status: status[a.ID]}
		if a.OrgID != nil {
			out[i].Subject, out[i].SubjectPath = orgNames[*a.OrgID], "/parties/"+strconv.FormatInt(*a.OrgID, 10)
		} else if a.SystemID != nil {
			out[i].Subject, out[i].SubjectPath = sysNames[*a.SystemID], "/systems/"+strconv.FormatInt(*a.SystemID, 10)
		}
	}
	return out, nil
}

// names loads the names of organisations and systems, one statement each.
func (h *Handler) names(q *request, orgs, systems []int64) (map[int64]string, map[int64]string, error) {
	o := map[int64]string{}
	s := map[int64]string{}
	if len(orgs) > 0 {
		m, err := h.svc.Organisations.Organisations(q.ctx(), orgs)
		if err != nil {
			return nil, nil, err
		}
		for id, v := range m {
			o[id] = v.LegalName
		}
	}
	if len(systems) > 0 {
		m, err := h.svc.Systems.Systems(q.ctx(), systems)
		if err != nil {
			return nil, nil, err
		}
		for id, v := range m {
			s[id] = v.Name
		}
	}
	return o, s, nil
}

// instant reads ?at= (any form the API takes, or the browser's
// date-and-time field), defaulting to now.
func (h *Handler) instant(q *request) (time.Time, string, error) {
	v := q.r.URL.Query().Get("at")
	if v == "" {
		now := h.now()
		return now, now.In(h.cfg.Resolvers.Location).Format("2006-01-02T15:04"), nil
	}
	t, err := registry.ParseInstant("at", v, h.cfg.Resolvers.Location)
	return t, t.In(h.cfg.Resolvers.Location).Format("2006-01-02T15:04"), err
}

func idOf(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

func optionalID(field, s string) (*int64, error) {
	if s == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return nil, registry.Invalid(field, "%q is not an id", s)
	}
	return &id, nil
}

type findingRow struct {
	registry.Finding
	Subject     string
	SubjectPath string
	Controllers []named
}

// findingRows names the findings' subjects and controllers, and the
// filter's choices, in one statement per kind of name.
func (h *Handler) findingRows(q *request, rows []registry.Finding, sum registry.FindingSummary, v *findingsView) ([]findingRow, error) {
	var orgs, systems, links []int64
	for _, c := range sum.ByController {
		orgs = append(orgs, c.ID)
	}
	for _, c := range sum.ByParty {
		orgs = append(orgs, c.ID)
	}
	for _, f := range rows {
		switch f.SubjectKind {
		case "party":
			orgs = append(orgs, f.SubjectID)
		case "system":
			systems = append(systems, f.SubjectID)
		case "link":
			links = append(links, f.SubjectID)
		}
		for _, c := range f.Controllers {
			orgs = append(orgs, c.ControllerID)
		}
	}
	var linkRows map[int64]registry.Link
	if len(links) > 0 {
		var err error
		if linkRows, err = h.svc.Links.Links(q.ctx(), links); err != nil {
			return nil, err
		}
		for _, l := range linkRows {
			orgs = append(orgs, l.FromID, l.ToID)
		}
	}
	orgNames, sysNames, err := h.names(q, orgs, systems)
	if err != nil {
		return nil, err
	}
	if v != nil {
		for _, c := range sum.ByController {
			v.Controllers = append(v.Controllers, named{c.ID, orgNames[c.ID], c.Count})
		}
		for _, c := range sum.ByParty {
			v.Parties = append(v.Parties, named{c.ID, orgNames[c.ID], c.Count})
		}
	}
	out := make([]findingRow, len(rows))
	for i, f := range rows {
		r := findingRow{Finding: f}
		id := strconv.FormatInt(f.SubjectID, 10)
		switch f.SubjectKind {
		case "party":
			r.Subject, r.SubjectPath = orgNames[f.SubjectID], "/parties/"+id
		case "system":
			r.Subject, r.SubjectPath = sysNames[f.SubjectID], "/systems/"+id
		case "link":
			l := linkRows[f.SubjectID]
			r.Subject, r.SubjectPath = orgNames[l.FromID]+" → "+orgNames[l.ToID], "/parties/"+strconv.FormatInt(l.ToID, 10)
		}
		for _, c := range f.Controllers {
			r.Controllers = append(r.Controllers, named{ID: c.ControllerID, Name: orgNames[c.ControllerID]})
		}
		out[i] = r
	}
	return out, nil
}

type chainView struct {
	Query      string
	Found      []registry.Organisation
	Controller *registry.Organisation
	At         string
	AtQuery    string
	Depth      int
	MaxDepth   int
	Steps      []stepRow
	Truncated  bool
	Picture    string
	Timeline   timelineView
}

type stepRow struct {
	registry.Step
	From, To registry.PartyFacts
	Systems  []string
	Notice   *registry.NoticeStatus // web/records.go
}

// chain explores a controller's chain at an instant, to a depth: a search
// for the controller, then the picture and a table of the same steps. The
// whole view is in the URL, so it can be shared and reopened.
func (h *Handler) chain(q *request) error {
	qs := q.r.URL.Query()
	at, atText, err := h.instant(q)
	if err != nil {
		return err
	}
	v := chainView{Query: strings.TrimSpace(qs.Get("q")), At: atText, MaxDepth: registry.MaxChainDepth, Depth: registry.MaxChainDepth}
	if d := qs.Get("depth"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 || n > registry.MaxChainDepth {
			return registry.Invalid("depth", "must be between 1 and %d", registry.MaxChainDepth)
		}
		v.Depth = n
	}
	if v.Query != "" {
		name := v.Query
		if v.Found, _, err = h.svc.Organisations.ListOrganisations(q.ctx(), registry.OrganisationFilter{NameContains: &name}, registry.Page{First: 20}); err != nil {
			return err
		}
	}
	ctrl, err := optionalID("controller", qs.Get("controller"))
	if err != nil {
		return err
	}
	if ctrl == nil {
		h.render(q, http.StatusOK, "chain", v)
		return nil
	}
	q.notes.Affected = []string{"organisation:" + strconv.FormatInt(*ctrl, 10)}
	org, err := h.svc.Organisations.Organisation(q.ctx(), "controller", *ctrl)
	if err != nil {
		return err
	}
	v.Controller = &org
	steps, truncated, err := h.svc.Chains.Walk(q.ctx(), *ctrl, at, registry.WalkOptions{MaxDepth: v.Depth})
	if err != nil {
		return err
	}
	v.Truncated = truncated
	ids := []int64{*ctrl}
	links := make([]int64, 0, len(steps))
	for _, s := range steps {
		ids = append(ids, s.ToID)
		links = append(links, s.LinkID)
	}
	parties, err := h.svc.Chains.Parties(q.ctx(), ids, at)
	if err != nil {
		return err
	}
	uses, err := h.svc.Chains.UsesAt(q.ctx(), links, at)
	if err != nil {
		return err
	}
	byLink := map[int64][]string{}
	for _, u := range uses {
		byLink[u.LinkID] = append(byLink[u.LinkID], u.Name)
	}
	notices, err := h.stepNotices(q, *ctrl, steps, at)
	if err != nil {
		return err
	}
	for _, s := range steps {
		row := stepRow{Step: s, From: parties[s.FromID], To: parties[s.ToID], Systems: byLink[s.LinkID]}
		if n, ok := notices[s.LinkID]; ok {
			row.Notice = &n
		}
		v.Steps = append(v.Steps, row)
	}
	if v.Timeline, err = h.chainTimeline(q, *ctrl, v.Depth, at); err != nil {
		return err
	}
	v.AtQuery = url.QueryEscape(at.Format(time.RFC3339))
	v.Picture = "/chain/" + strconv.FormatInt(*ctrl, 10) + ".svg?at=" + v.AtQuery
	h.render(q, http.StatusOK, "chain", v)
	return nil
}

// chainPicture draws the chain picture (the graph package's, through the
// same source as the API's picture route) for the page to show.
func (h *Handler) chainPicture(q *request) error {
	name, ok := strings.CutSuffix(q.r.PathValue("file"), ".svg")
	if !ok {
		return errNotFound
	}
	id, err := idOf(name)
	if err != nil {
		return err
	}
	at, _, err := h.instant(q)
	if err != nil {
		return err
	}
	res := h.cfg.Resolvers
	src := resolvers.PictureSource{Services: h.svc, Location: res.Location, Limit: h.cfg.PictureLimit, Now: res.Now}
	pic, err := src.Chain(q.ctx(), id, at)
	if err != nil {
		return err
	}
	b, err := res.Render(q.ctx(), pic.DOT(), "svg")
	if err != nil {
		return err
	}
	// An SVG could carry scripts; this one is shown through <img>, which
	// runs none, and served under a policy that allows none either.
	q.w.Header().Set("Content-Type", "image/svg+xml")
	q.w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'")
	q.w.Write(b)
	return nil
}

type partyView struct {
	registry.Organisation
	At, AtQuery  string
	Out, In      []linkRow
	Systems      []registry.System
	Attestations []attestationRow
	Findings     []findingRow
	Placements   []placement
	History      []historyRow
}

type linkRow struct {
	registry.Link
	Other     string
	OtherPath string
}

// party shows an organisation's facts as of an instant: the links into and
// out of it, its systems, attestations and open findings.
func (h *Handler) party(q *request) error {
	id, err := idOf(q.r.PathValue("id"))
	if err != nil {
		return err
	}
	q.notes.Affected = []string{"organisation:" + strconv.FormatInt(id, 10)}
	at, atText, err := h.instant(q)
	if err != nil {
		return err
	}
	org, err := h.svc.Organisations.Organisation(q.ctx(), "id", id)
	if err != nil {
		return err
	}
	ctx, ids := q.ctx(), []int64{id}
	out, err := h.svc.Links.LinksFrom(ctx, ids, &at)
	if err != nil {
		return err
	}
	in, err := h.svc.Links.LinksTo(ctx, ids, &at)
	if err != nil {
		return err
	}
	systems, err := h.svc.Systems.SystemsByOperator(ctx, ids, &at)
	if err != nil {
		return err
	}
	atts, err := h.svc.Attestations.AttestationsByOrg(ctx, ids, nil)
	if err != nil {
		return err
	}
	findings, err := h.svc.Findings.OpenFindingsOf(ctx, "party", ids, nil)
	if err != nil {
		return err
	}
	var others []int64
	for _, l := range out[id] {
		others = append(others, l.ToID)
	}
	for _, l := range in[id] {
		others = append(others, l.FromID)
	}
	names, _, err := h.names(q, others, nil)
	if err != nil {
		return err
	}
	v := partyView{Organisation: org, At: atText, AtQuery: url.QueryEscape(at.Format(time.RFC3339)), Systems: systems[id]}
	for _, l := range out[id] {
		v.Out = append(v.Out, linkRow{l, names[l.ToID], "/parties/" + strconv.FormatInt(l.ToID, 10)})
	}
	for _, l := range in[id] {
		v.In = append(v.In, linkRow{l, names[l.FromID], "/parties/" + strconv.FormatInt(l.FromID, 10)})
	}
	if v.Attestations, err = h.attestationRows(q, atts[id], &at); err != nil {
		return err
	}
	if v.Findings, err = h.findingRows(q, findings[id], registry.FindingSummary{}, nil); err != nil {
		return err
	}
	if v.Placements, err = h.placements(q, id, 0, 0, at); err != nil {
		return err
	}
	if v.History, err = h.history(q, "organisations", id); err != nil {
		return err
	}
	h.render(q, http.StatusOK, "party", v)
	return nil
}

type systemView struct {
	registry.System
	Operator     string
	At, AtQuery  string
	Profile      *registry.SystemProfile
	Locations    []registry.SystemLocation
	Uses         []useRow
	Attestations []attestationRow
	Findings     []findingRow
	Placements   []placement
	History      []historyRow
}

type useRow struct {
	registry.SystemUse
	Party string
}

// system shows a system's facts as of an instant: its profile, where it
// stores and is reached from, who used it, attestations and open findings.
func (h *Handler) system(q *request) error {
	id, err := idOf(q.r.PathValue("id"))
	if err != nil {
		return err
	}
	q.notes.Affected = []string{"system:" + strconv.FormatInt(id, 10)}
	at, atText, err := h.instant(q)
	if err != nil {
		return err
	}
	sys, err := h.svc.Systems.System(q.ctx(), "id", id)
	if err != nil {
		return err
	}
	ctx, ids := q.ctx(), []int64{id}
	profiles, err := h.svc.Systems.ProfilesBySystem(ctx, ids, &at)
	if err != nil {
		return err
	}
	locs, err := h.svc.Systems.LocationsBySystem(ctx, ids, &at)
	if err != nil {
		return err
	}
	uses, err := h.svc.Links.UsesBySystem(ctx, ids, &at)
	if err != nil {
		return err
	}
	atts, err := h.svc.Attestations.AttestationsBySystem(ctx, ids, nil)
	if err != nil {
		return err
	}
	findings, err := h.svc.Findings.OpenFindingsOf(ctx, "system", ids, nil)
	if err != nil {
		return err
	}
	parties := []int64{sys.OperatorID}
	for _, u := range uses[id] {
		parties = append(parties, u.PartyID)
	}
	names, _, err := h.names(q, parties, nil)
	if err != nil {
		return err
	}
	v := systemView{System: sys, Operator: names[sys.OperatorID], At: atText, AtQuery: url.QueryEscape(at.Format(time.RFC3339)), Locations: locs[id]}
	if ps := profiles[id]; len(ps) > 0 {
		v.Profile = &ps[len(ps)-1]
	}
	for _, u := range uses[id] {
		v.Uses = append(v.Uses, useRow{u, names[u.PartyID]})
	}
	if v.Attestations, err = h.attestationRows(q, atts[id], &at); err != nil {
		return err
	}
	if v.Findings, err = h.findingRows(q, findings[id], registry.FindingSummary{}, nil); err != nil {
		return err
	}
	if v.Placements, err = h.placements(q, 0, id, 0, at); err != nil {
		return err
	}
	if v.History, err = h.history(q, "systems", id); err != nil {
		return err
	}
	h.render(q, http.StatusOK, "system", v)
	return nil
}

type dsrView struct {
	Regions []registry.Organisation
	// The form as sent, and what was wrong with it, by field.
	Region  int64
	At      string
	CaseRef string
	Errors  map[string]string
	Mine    []registry.Trace
	Search  string
	Found   []registry.Trace
}

// dsr is the access-request handler's page: the form that traces a call,
// the handler's own earlier cases, and a search by case reference.
func (h *Handler) dsr(q *request) error {
	v := dsrView{Search: strings.TrimSpace(q.r.URL.Query().Get("case"))}
	return h.showDSR(q, http.StatusOK, v)
}

func (h *Handler) showDSR(q *request, status int, v dsrView) error {
	if q.p.May(access.PageRules["dsr.regions"]) {
		kind := "region"
		regions, _, err := h.svc.Organisations.ListOrganisations(q.ctx(), registry.OrganisationFilter{Kind: &kind}, registry.Page{First: 100})
		if err != nil {
			return err
		}
		v.Regions = regions
		sort.Slice(v.Regions, func(i, j int) bool { return v.Regions[i].LegalName < v.Regions[j].LegalName })
	}
	mine, err := access.Traces(q.ctx(), h.svc.Traces).TracesMadeBy(q.ctx(), q.p.TokenID, registry.TracePage{First: 20})
	if err != nil {
		return err
	}
	v.Mine = mine.Traces
	if v.Search != "" {
		q.notes.CaseRef = v.Search
		found, err := access.Traces(q.ctx(), h.svc.Traces).TracesByCase(q.ctx(), v.Search, registry.TracePage{First: 20})
		if err != nil {
			return err
		}
		v.Found = found.Traces
	}
	h.render(q, status, "dsr", v)
	return nil
}

// TraceWhen words one of a trace's instants on the calling region's clocks
// (the registry's only when the region has none), with the zone's
// abbreviation: a London caller's 19:30 call reads 19:30 BST.
func (v view) TraceWhen(t registry.Trace, at time.Time) string {
	return at.In(t.Zone(v.h.cfg.Resolvers.Location)).Format("2006-01-02 15:04 MST")
}

// traceCall runs the trace as the traceCall mutation does (the same
// service, depth and audit), then opens its report. Bad input is shown
// beside the field that caused it, and nothing is stored.
func (h *Handler) traceCall(q *request) error {
	f := q.r.PostForm
	v := dsrView{At: f.Get("at"), CaseRef: f.Get("caseRef"), Errors: map[string]string{}}
	region, err := strconv.ParseInt(f.Get("region"), 10, 64)
	if err != nil || region <= 0 {
		v.Errors["region"] = "chooseRegion"
	}
	v.Region = region
	// The form's time (datetime-local, no offset) is on the region's
	// clocks: the trace places it in the region's zone.
	at, wall, err := registry.ParseCallInstant("at", v.At)
	if err != nil || v.At == "" {
		v.Errors["at"] = "giveInstant"
	}
	if len(v.Errors) == 0 {
		t, err := access.Traces(q.ctx(), h.svc.Traces).TraceCall(q.ctx(), q.p.Name, region, at, v.CaseRef,
			registry.TraceOptions{MaxDepth: registry.MaxChainDepth, WallClock: wall})
		if err == nil {
			q.notes.Affected, q.notes.CaseRef = []string{"trace:" + t.ID}, t.CaseRef
			http.Redirect(q.w, q.r, "/dsr/"+t.ID, http.StatusSeeOther)
			return nil
		}
		e, ok := err.(*registry.Error)
		if !ok || (e.Code != registry.EInvalid && e.Code != registry.ENotFound) {
			return err
		}
		v.Errors[e.Field] = e.Message
	}
	h.audit(q, "INVALID_INPUT")
	return h.showDSR(q, http.StatusUnprocessableEntity, v)
}

// report serves a stored trace as the printable report the API serves,
// written by the same template. The report carries its styles inline; the
// policy allows exactly those (by hash) and nothing else.
func (h *Handler) report(q *request) error {
	id := q.r.PathValue("id")
	q.notes.Affected = []string{"trace:" + id}
	t, err := access.Traces(q.ctx(), h.svc.Traces).Trace(q.ctx(), id)
	if err != nil {
		return err
	}
	q.notes.CaseRef = t.CaseRef
	var buf bytes.Buffer
	if err := h.cfg.Report(&buf, t); err != nil {
		return err
	}
	q.w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src "+styleHashes(buf.Bytes())+"; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	q.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	q.w.Write(buf.Bytes())
	return nil
}

// styleHashes is the CSP source list of the page's <style> elements.
func styleHashes(page []byte) string {
	var out []string
	rest := page
	for {
		i := bytes.Index(rest, []byte("<style>"))
		if i < 0 {
			break
		}
		rest = rest[i+len("<style>"):]
		j := bytes.Index(rest, []byte("</style>"))
		if j < 0 {
			break
		}
		sum := sha256.Sum256(rest[:j])
		out = append(out, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
		rest = rest[j:]
	}
	if len(out) == 0 {
		return "'none'"
	}
	return strings.Join(slices.Compact(out), " ")
}
