package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/kedja/kedja/registry"
)

type linkView struct {
	registry.Link
	From, To      named
	Authorising   *named
	At, AtQuery   string
	InForce       bool
	RoleFindings  []registry.RoleFinding
	Uses          []linkUseRow
	Findings      []findingRow
	Placements    []placement
	History       []historyRow
	RoutingShareP string
}

type linkUseRow struct {
	registry.SystemUse
	System, Party string
}

// link shows a link's facts as of an instant: its parties and role, the
// agreement, authorisation and transfer mechanism it rests on, its routing,
// what authorities found its role to be, the systems used on it, its open
// findings, where it sits in every controller's chain and who changed it.
func (h *Handler) link(q *request) error {
	id, err := idOf(q.r.PathValue("id"))
	if err != nil {
		return err
	}
	q.notes.Affected = []string{"link:" + strconv.FormatInt(id, 10)}
	at, atText, err := h.instant(q)
	if err != nil {
		return err
	}
	l, err := h.svc.Links.Link(q.ctx(), "id", id)
	if err != nil {
		return err
	}
	ctx, ids := q.ctx(), []int64{id}
	found, err := h.svc.Links.RoleFindingsByLink(ctx, ids, &at)
	if err != nil {
		return err
	}
	uses, err := h.svc.Links.UsesByLink(ctx, ids, &at)
	if err != nil {
		return err
	}
	findings, err := h.svc.Findings.OpenFindingsOf(ctx, "link", ids, nil)
	if err != nil {
		return err
	}
	orgs := []int64{l.FromID, l.ToID}
	if l.AuthorisingControllerID != nil {
		orgs = append(orgs, *l.AuthorisingControllerID)
	}
	var systems []int64
	for _, u := range uses[id] {
		orgs = append(orgs, u.PartyID)
		systems = append(systems, u.SystemID)
	}
	orgNames, sysNames, err := h.names(q, orgs, systems)
	if err != nil {
		return err
	}
	v := linkView{Link: l, From: named{ID: l.FromID, Name: orgNames[l.FromID]}, To: named{ID: l.ToID, Name: orgNames[l.ToID]},
		At: atText, AtQuery: url.QueryEscape(at.Format(time.RFC3339)), InForce: l.Period.Contains(at), RoleFindings: found[id]}
	if c := l.AuthorisingControllerID; c != nil {
		v.Authorising = &named{ID: *c, Name: orgNames[*c]}
	}
	if l.RoutingShare != nil {
		v.RoutingShareP = strconv.FormatFloat(*l.RoutingShare*100, 'f', -1, 64) + " %"
	}
	for _, u := range uses[id] {
		v.Uses = append(v.Uses, linkUseRow{u, sysNames[u.SystemID], orgNames[u.PartyID]})
	}
	if v.Findings, err = h.findingRows(q, findings[id], registry.FindingSummary{}, nil); err != nil {
		return err
	}
	if v.Placements, err = h.placements(q, l.ToID, 0, id, at); err != nil {
		return err
	}
	if v.History, err = h.history(q, "links", id); err != nil {
		return err
	}
	h.render(q, http.StatusOK, "link", v)
	return nil
}
