package web

import (
	"bytes"
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/registry"
)

// The findings list shows this many rows a page; grouped, more, so that a
// group is seldom cut between pages.
const (
	findingsPageSize = 50
	groupedPageSize  = 500
)

// findingGroupings are what the findings list can be grouped by.
var findingGroupings = []string{"severity", "check", "controller", "party", "status"}

// findingStatuses are the statuses in the order a reader works through them.
var findingStatuses = []string{"open", "accepted", "resolved"}

type findingsView struct {
	Severity, Check, Status, Group string
	Controller, Party              int64
	Severities                     []string
	Groupings                      []string
	Checks                         []checkCount
	Controllers, Parties           []named
	Rows                           []findingRow
	Groups                         []findingGroup
	Next                           string
}

// findingGroup is the findings of one page that share a severity, check,
// controller, party concerned or status.
type findingGroup struct {
	Label string
	// Filter is the list narrowed to the group, all of it ("" when no
	// filter narrows to it).
	Filter string
	Rows   []findingRow
	order  int
}

// findings lists findings, filtered by severity, check, status, the
// controller whose chain they affect and the party they are about, and
// optionally grouped by one of these.
func (h *Handler) findings(q *request) error {
	qs := q.r.URL.Query()
	v := findingsView{Severity: qs.Get("severity"), Check: qs.Get("check"), Status: qs.Get("status"), Group: qs.Get("group"),
		Severities: registry.Severities, Groupings: findingGroupings}
	if v.Status == "" {
		v.Status = "open"
	}
	if v.Group != "" && !slices.Contains(findingGroupings, v.Group) {
		return registry.Invalid("group", "group by one of %s", strings.Join(findingGroupings, ", "))
	}
	f := registry.FindingFilter{}
	if v.Severity != "" {
		f.Severity = &v.Severity
	}
	if v.Check != "" {
		f.Check = &v.Check
	}
	if v.Status != "all" {
		f.Status = &v.Status
	}
	ctrl, err := optionalID("controller", qs.Get("controller"))
	if err != nil {
		return err
	}
	if ctrl != nil {
		f.ControllerID, v.Controller = ctrl, *ctrl
	}
	party, err := optionalID("party", qs.Get("party"))
	if err != nil {
		return err
	}
	if party != nil {
		f.PartyID, v.Party = party, *party
	}
	after, err := optionalID("after", qs.Get("after"))
	if err != nil {
		return err
	}
	pg := registry.Page{First: findingsPageSize}
	if v.Group != "" {
		pg.First = groupedPageSize
	}
	if after != nil {
		pg.After = *after
	}
	rows, more, err := h.svc.Findings.ListFindings(q.ctx(), f, pg)
	if err != nil {
		return err
	}
	sum, err := h.svc.Findings.FindingSummary(q.ctx(), nil)
	if err != nil {
		return err
	}
	titles := h.checkTitles()
	for _, c := range sum.ByCheck {
		v.Checks = append(v.Checks, checkCount{c.Key, c.Count, titles[c.Key]})
	}
	if v.Rows, err = h.findingRows(q, rows, sum, &v); err != nil {
		return err
	}
	if v.Group != "" {
		if v.Groups, err = h.groupFindings(q, v.Group, v.Rows, titles); err != nil {
			return err
		}
	}
	if more && len(rows) > 0 {
		next := q.r.URL.Query()
		next.Set("after", strconv.FormatInt(rows[len(rows)-1].ID, 10))
		v.Next = "/findings?" + next.Encode()
	}
	h.render(q, http.StatusOK, "findings", v)
	return nil
}

// groupFindings sorts a page's rows into groups by key. A finding that
// affects several controllers' chains is shown under each of them.
func (h *Handler) groupFindings(q *request, by string, rows []findingRow, titles map[string]string) ([]findingGroup, error) {
	groups := map[string]*findingGroup{}
	filter := q.r.URL.Query()
	filter.Del("group")
	filter.Del("after")
	add := func(key, label string, order int, r findingRow) {
		g := groups[key]
		if g == nil {
			g = &findingGroup{Label: label, order: order}
			// The findings without a controller have no filter of their own.
			if key != "" {
				f := url.Values{}
				for k, vs := range filter {
					f[k] = vs
				}
				f.Set(by, key)
				g.Filter = "/findings?" + f.Encode()
			}
			groups[key] = g
		}
		g.Rows = append(g.Rows, r)
	}
	var parties map[int64]int64
	var partyNames map[int64]string
	if by == "party" {
		var err error
		if parties, partyNames, err = h.partiesConcerned(q, rows); err != nil {
			return nil, err
		}
	}
	for _, r := range rows {
		switch by {
		case "severity":
			add(r.Severity, word(q.lang, "sev."+r.Severity), slices.Index(registry.Severities, r.Severity), r)
		case "status":
			add(r.Status, word(q.lang, "status."+r.Status), slices.Index(findingStatuses, r.Status), r)
		case "check":
			add(r.Check, cmp.Or(titles[r.Check], r.Check), 0, r)
		case "controller":
			if len(r.Controllers) == 0 {
				add("", word(q.lang, "noController"), 1, r)
			}
			for _, c := range r.Controllers {
				add(strconv.FormatInt(c.ID, 10), c.Name, 0, r)
			}
		case "party":
			id := parties[r.ID]
			add(strconv.FormatInt(id, 10), partyNames[id], 0, r)
		}
	}
	out := make([]findingGroup, 0, len(groups))
	for _, g := range groups {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].order != out[j].order {
			return out[i].order < out[j].order
		}
		return out[i].Label < out[j].Label
	})
	return out, nil
}

// partiesConcerned names, for each finding, the party it concerns as the
// summary counts it: the party itself, a system's operator, a link's
// receiving party. One statement per kind of subject, one for the names.
func (h *Handler) partiesConcerned(q *request, rows []findingRow) (map[int64]int64, map[int64]string, error) {
	var systems, links []int64
	for _, r := range rows {
		switch r.SubjectKind {
		case "system":
			systems = append(systems, r.SubjectID)
		case "link":
			links = append(links, r.SubjectID)
		}
	}
	var sys map[int64]registry.System
	var lnk map[int64]registry.Link
	var err error
	if len(systems) > 0 {
		if sys, err = h.svc.Systems.Systems(q.ctx(), systems); err != nil {
			return nil, nil, err
		}
	}
	if len(links) > 0 {
		if lnk, err = h.svc.Links.Links(q.ctx(), links); err != nil {
			return nil, nil, err
		}
	}
	of := map[int64]int64{}
	var ids []int64
	for _, r := range rows {
		switch r.SubjectKind {
		case "party":
			of[r.ID] = r.SubjectID
		case "system":
			of[r.ID] = sys[r.SubjectID].OperatorID
		case "link":
			of[r.ID] = lnk[r.SubjectID].ToID
		}
		ids = append(ids, of[r.ID])
	}
	names, _, err := h.names(q, ids, nil)
	return of, names, err
}

type findingView struct {
	findingRow
	Title        string
	Evidence     string
	Events       []registry.FindingEvent
	ByController []controllerSince
	// The acceptance form as sent, what was wrong with it by field, and
	// the earliest end date it takes.
	Justification, Until string
	Errors               map[string]string
	Today                string
	MaxNote              int
}

// controllerSince is a controller whose chain the finding affects: since
// when, and the path of links from the controller down to the subject.
type controllerSince struct {
	named
	Since *time.Time
	Path  []pathStep
}

type pathStep struct {
	registry.Link
	From, To string
}

// finding shows one finding: what the check saw, since when, for which
// controllers and along which path, its history, and for those who may,
// the form that accepts it.
func (h *Handler) finding(q *request) error {
	id, err := idOf(q.r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.showFinding(q, id, http.StatusOK, findingView{})
}

func (h *Handler) showFinding(q *request, id int64, status int, v findingView) error {
	q.notes.Affected = []string{"finding:" + strconv.FormatInt(id, 10)}
	f, err := h.svc.Checks.Finding(q.ctx(), "id", id)
	if err != nil {
		return err
	}
	rows, err := h.findingRows(q, []registry.Finding{f}, registry.FindingSummary{}, nil)
	if err != nil {
		return err
	}
	events, err := h.svc.Findings.FindingEvents(q.ctx(), []int64{id}, nil)
	if err != nil {
		return err
	}
	v.findingRow, v.Title, v.Events = rows[0], h.checkTitles()[f.Check], events[id]
	v.Today, v.MaxNote = h.now().In(h.cfg.Resolvers.Location).Format(registry.DateLayout), registry.MaxNote
	var pretty bytes.Buffer
	if json.Indent(&pretty, f.Evidence, "", "  ") == nil {
		v.Evidence = pretty.String()
	}
	paths, err := h.findingPaths(q, f.Controllers)
	if err != nil {
		return err
	}
	for i, c := range f.Controllers {
		v.ByController = append(v.ByController, controllerSince{named: rows[0].Controllers[i], Since: c.Since, Path: paths[i]})
	}
	h.render(q, status, "finding", v)
	return nil
}

// findingPaths spells out each controller's path as links between named
// parties: one statement for all the links, one for all the names.
func (h *Handler) findingPaths(q *request, cs []registry.FindingController) ([][]pathStep, error) {
	var ids []int64
	for _, c := range cs {
		ids = append(ids, c.Path...)
	}
	out := make([][]pathStep, len(cs))
	if len(ids) == 0 {
		return out, nil
	}
	links, err := h.svc.Links.Links(q.ctx(), ids)
	if err != nil {
		return nil, err
	}
	var orgs []int64
	for _, l := range links {
		orgs = append(orgs, l.FromID, l.ToID)
	}
	names, _, err := h.names(q, orgs, nil)
	if err != nil {
		return nil, err
	}
	for i, c := range cs {
		for _, id := range c.Path {
			l := links[id]
			out[i] = append(out[i], pathStep{Link: l, From: names[l.FromID], To: names[l.ToID]})
		}
	}
	return out, nil
}

// acceptErrors words the acceptance's refusals by field, in the page's
// language; the service decides what is wrong, this only says it.
var acceptErrors = map[string]string{"justification": "giveJustification", "until": "untilPast", "id": "findingResolved"}

// acceptFinding accepts a finding as the acceptFinding mutation does (the
// same service, rule and audit): with a justification, until an end date.
// Bad input is shown beside the field that caused it, and nothing is
// stored.
func (h *Handler) acceptFinding(q *request) error {
	id, err := idOf(q.r.PathValue("id"))
	if err != nil {
		return err
	}
	q.notes.Affected = []string{"finding:" + strconv.FormatInt(id, 10)}
	form := q.r.PostForm
	v := findingView{Justification: form.Get("justification"), Until: form.Get("until"), Errors: map[string]string{}}
	until, err := registry.ParseDate("until", v.Until)
	if err != nil {
		v.Errors["until"] = "giveUntil"
	} else {
		_, err = h.svc.Checks.AcceptFinding(q.ctx(), q.p.Name, id, v.Justification, until)
		if err == nil {
			http.Redirect(q.w, q.r, "/findings/"+strconv.FormatInt(id, 10)+"#history", http.StatusSeeOther)
			return nil
		}
		e, ok := err.(*registry.Error)
		if !ok || (e.Code != registry.EInvalid && e.Code != registry.EConflict) {
			return err
		}
		v.Errors[e.Field] = cmp.Or(acceptErrors[e.Field], e.Message)
	}
	h.audit(q, "INVALID_INPUT")
	return h.showFinding(q, id, http.StatusUnprocessableEntity, v)
}
