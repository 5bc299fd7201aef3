package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/kedja/kedja/registry"
)

type responsibilityView struct {
	Party, System int64
	Subject       string
	SubjectPath   string
	At, AtQuery   string
	Instant       time.Time
	Zone          string
	Controllers   []named
	Paths         []responsibilityPath
	Missing       []gapRow
}

type responsibilityPath struct {
	Controller named
	Steps      []responsibilityStep
	Move       *moveRow
}

type responsibilityStep struct {
	registry.ResponsibilityLink
	From, To registry.PartyFacts
}

type moveRow struct {
	registry.DataMove
	From, To string
}

type gapRow struct {
	registry.Gap
	From, To string
}

// responsibility answers who was responsible for a party or a system at an
// instant, as Query.responsibility does (the same service): the
// controllers, each path down from them, and what each link lacked.
func (h *Handler) responsibility(q *request) error {
	qs := q.r.URL.Query()
	party, err := optionalID("party", qs.Get("party"))
	if err != nil {
		return err
	}
	system, err := optionalID("system", qs.Get("system"))
	if err != nil {
		return err
	}
	if (party == nil) == (system == nil) {
		return registry.Invalid("party", "give exactly one of party or system")
	}
	at, atText, err := h.instant(q)
	if err != nil {
		return err
	}
	v := responsibilityView{At: atText, AtQuery: url.QueryEscape(at.Format(time.RFC3339)), Instant: at, Zone: h.cfg.Resolvers.Location.String()}
	var org, sys int64
	if party != nil {
		org, v.Party = *party, *party
		q.notes.Affected = []string{"organisation:" + strconv.FormatInt(org, 10)}
		o, err := h.svc.Organisations.Organisation(q.ctx(), "party", org)
		if err != nil {
			return err
		}
		v.Subject, v.SubjectPath = o.LegalName, "/parties/"+strconv.FormatInt(org, 10)
	} else {
		sys, v.System = *system, *system
		q.notes.Affected = []string{"system:" + strconv.FormatInt(sys, 10)}
		s, err := h.svc.Systems.System(q.ctx(), "system", sys)
		if err != nil {
			return err
		}
		v.Subject, v.SubjectPath = s.Name, "/systems/"+strconv.FormatInt(sys, 10)
	}
	res, err := h.svc.Chains.Responsibility(q.ctx(), org, sys, at, registry.MaxChainDepth)
	if err != nil {
		return err
	}
	name := func(id int64) named { return named{ID: id, Name: res.Parties[id].LegalName} }
	for _, id := range res.Controllers {
		v.Controllers = append(v.Controllers, name(id))
	}
	links := map[int64]registry.Link{}
	var systems []int64
	for _, p := range res.Paths {
		if p.Move != nil {
			systems = append(systems, p.Move.FromSystemID, p.Move.ToSystemID)
		}
		for _, l := range p.Links {
			links[l.Link.ID] = l.Link
		}
	}
	_, sysNames, err := h.names(q, nil, systems)
	if err != nil {
		return err
	}
	for _, p := range res.Paths {
		var out responsibilityPath
		for i, l := range p.Links {
			if i == 0 {
				out.Controller = name(l.Link.FromID)
			}
			out.Steps = append(out.Steps, responsibilityStep{ResponsibilityLink: l, From: res.Parties[l.Link.FromID], To: res.Parties[l.Link.ToID]})
		}
		if m := p.Move; m != nil {
			out.Move = &moveRow{DataMove: *m, From: sysNames[m.FromSystemID], To: sysNames[m.ToSystemID]}
		}
		v.Paths = append(v.Paths, out)
	}
	for _, g := range res.Missing {
		l := links[g.LinkID]
		v.Missing = append(v.Missing, gapRow{Gap: g, From: res.Parties[l.FromID].LegalName, To: res.Parties[l.ToID].LegalName})
	}
	h.render(q, http.StatusOK, "responsibility", v)
	return nil
}
