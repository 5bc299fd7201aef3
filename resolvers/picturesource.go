package resolvers

import (
	"context"
	"fmt"
	"time"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/graph"
	"github.com/kedja/kedja/registry"
)

// PictureSource gathers what a picture shows from the services: a handful
// of batch statements per picture, whatever its size.
type PictureSource struct {
	Services registry.Services
	Location *time.Location
	Limit    int
	// Now is when a picture is drawn; minutes only, so pictures of the same
	// data within a minute are the same bytes (and the same cache entry).
	Now func() time.Time
}

func (s PictureSource) drawnAt() time.Time {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return now().Truncate(time.Minute)
}

// Chain is the picture of a controller's chain at an instant.
func (s PictureSource) Chain(ctx context.Context, controller int64, at time.Time) (graph.Picture, error) {
	steps, truncated, err := s.Services.Chains.Walk(ctx, controller, at, registry.WalkOptions{})
	if err != nil {
		return graph.Picture{}, err
	}
	ids := []int64{controller}
	var links []int64
	for _, st := range steps {
		ids = append(ids, st.ToID)
		if !st.Cycle {
			links = append(links, st.LinkID)
		}
	}
	parties, err := s.Services.Chains.Parties(ctx, ids, at)
	if err != nil {
		return graph.Picture{}, err
	}
	root, ok := parties[controller]
	if !ok {
		return graph.Picture{}, registry.NotFound("controller", "no organisation with that id")
	}
	uses, err := s.Services.Chains.UsesAt(ctx, links, at)
	if err != nil {
		return graph.Picture{}, err
	}
	var systems []int64
	codes := []string{}
	for _, p := range parties {
		codes = append(codes, p.Country)
	}
	for _, u := range uses {
		systems = append(systems, u.SystemID)
		codes = append(codes, u.Storage...)
	}
	countries, err := s.Services.Chains.CountriesAt(ctx, codes, at)
	if err != nil {
		return graph.Picture{}, err
	}
	fp, fs, err := s.Services.Findings.OpenFindingCounts(ctx, ids, systems)
	if err != nil {
		return graph.Picture{}, err
	}
	return graph.Chain(graph.ChainInput{Controller: root, At: at, Steps: steps, Parties: parties, Uses: uses, Countries: countries,
		Findings: graph.FindingCounts{Parties: fp, Systems: fs}, Asked: fmt.Sprintf("chain(controller: %d, at: %s)", controller, at.In(s.Location).Format(time.RFC3339)),
		DrawnAt: s.drawnAt(), Location: s.Location, Limit: s.Limit, Truncated: truncated}), nil
}

// Trace is the picture of a stored trace, which the principal of ctx may
// read (access.Traces).
func (s PictureSource) Trace(ctx context.Context, id string) (graph.Picture, error) {
	t, err := access.Traces(ctx, s.Services.Traces).Trace(ctx, id)
	if err != nil {
		return graph.Picture{}, err
	}
	ids := []int64{t.Region.ID}
	for _, h := range t.Holders {
		ids = append(ids, h.Party.ID)
	}
	var systems []int64
	for _, sy := range t.Systems {
		systems = append(systems, sy.SystemID)
	}
	fp, fs, err := s.Services.Findings.OpenFindingCounts(ctx, ids, systems)
	if err != nil {
		return graph.Picture{}, err
	}
	// Drawn on the calling region's clocks, as the trace is read.
	return graph.Trace(t, graph.FindingCounts{Parties: fp, Systems: fs}, t.Zone(s.Location), s.Limit), nil
}

// linkClasses is a responsibility's parties, each party a link reaches
// with the standing that link gives it (ResponsibilityLink.TransferClass:
// under the law the link is judged by), the first path's where links
// differ: the picture's country clusters then say what the API's links
// say (a UK processor of a UK controller is domestic), not EU law's
// standing of the party's country.
func linkClasses(res registry.Responsibility) map[int64]registry.PartyFacts {
	out := make(map[int64]registry.PartyFacts, len(res.Parties))
	for id, p := range res.Parties {
		out[id] = p
	}
	set := map[int64]bool{}
	for _, p := range res.Paths {
		for _, rl := range p.Links {
			if pf, ok := out[rl.Link.ToID]; ok && !set[rl.Link.ToID] && rl.TransferClass != "" {
				pf.TransferClass = rl.TransferClass
				out[rl.Link.ToID], set[rl.Link.ToID] = pf, true
			}
		}
	}
	return out
}

// Responsibility is the picture of who was responsible for an organisation
// or a system (exactly one of org and system is non-zero) at an instant.
func (s PictureSource) Responsibility(ctx context.Context, org, system int64, at time.Time) (graph.Picture, error) {
	subject, asked := "", ""
	if org != 0 {
		o, err := s.Services.Organisations.Organisation(ctx, "organisation", org)
		if err != nil {
			return graph.Picture{}, err
		}
		subject, asked = o.LegalName, fmt.Sprintf("responsibility(organisation: %d, at: %s)", org, at.In(s.Location).Format(time.RFC3339))
	} else {
		sy, err := s.Services.Systems.System(ctx, "system", system)
		if err != nil {
			return graph.Picture{}, err
		}
		subject, asked = sy.Name, fmt.Sprintf("responsibility(system: %d, at: %s)", system, at.In(s.Location).Format(time.RFC3339))
	}
	res, err := s.Services.Chains.Responsibility(ctx, org, system, at, 0)
	if err != nil {
		return graph.Picture{}, err
	}
	in := graph.ResponsibilityInput{Subject: subject, SystemID: system, At: at, Parties: linkClasses(res), Gaps: map[int64][]string{},
		DrawnAt: s.drawnAt(), Location: s.Location, Asked: asked}
	var partyIDs []int64
	for id := range res.Parties {
		partyIDs = append(partyIDs, id)
	}
	for _, p := range res.Paths {
		var path graph.ResponsibilityPath
		if p.Move != nil {
			path.MovedAt = &p.Move.MovedAt
		}
		for _, rl := range p.Links {
			path.Links = append(path.Links, rl.Link)
			if _, done := in.Gaps[rl.Link.ID]; !done {
				words := []string{}
				for _, g := range rl.Missing {
					words = append(words, gapWords[g.Code])
				}
				in.Gaps[rl.Link.ID] = words
			}
		}
		in.Paths = append(in.Paths, path)
	}
	fp, fs, err := s.Services.Findings.OpenFindingCounts(ctx, partyIDs, []int64{system})
	if err != nil {
		return graph.Picture{}, err
	}
	in.Findings = graph.FindingCounts{Parties: fp, Systems: fs}
	return graph.Responsibility(in), nil
}

// gapWords names each gap in a picture's edge label.
var gapWords = map[string]string{registry.GapNoAgreement: "agreement", registry.GapNoAuthorisation: "authorisation",
	registry.GapNoTransferMechanism: "transfer mechanism", registry.GapAdequacyNotApplicable: "applicable adequacy",
	registry.GapNoTIA: "transfer impact assessment", registry.GapOutdatedClauses: "current clauses",
	registry.GapToolNotValid: "recognised clauses"}
