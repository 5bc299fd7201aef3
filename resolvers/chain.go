package resolvers

import (
	"slices"
	"time"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
)

// ChainResult is everything reachable from a controller at an instant.
type ChainResult struct {
	ControllerID int64
	At           time.Time
	Steps        []registry.Step
	Truncated    bool
}

// ChainParty is a party in a chain, at the shallowest depth it is reached.
type ChainParty struct {
	ID            int64
	Depth         int
	Roles         []string
	Country       string
	TransferClass string
}

// Parties lists the distinct parties of the chain, shallowest first.
func (c ChainResult) Parties() []ChainParty {
	byID := map[int64]*ChainParty{}
	var order []int64
	for _, s := range c.Steps {
		p, ok := byID[s.ToID]
		if !ok {
			p = &ChainParty{ID: s.ToID, Depth: s.Depth, Country: s.ToCountry, TransferClass: s.TransferClass}
			byID[s.ToID] = p
			order = append(order, s.ToID)
		}
		if !slices.Contains(p.Roles, s.Role) {
			p.Roles = append(p.Roles, s.Role)
		}
	}
	out := make([]ChainParty, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	return out
}

const maxChainDepth = registry.MaxChainDepth

func (r *Resolvers) depthArg(p graphql.ResolveParams) (int, error) {
	d, ok := p.Args["maxDepth"].(int)
	if !ok {
		return maxChainDepth, nil
	}
	if d < 1 || d > maxChainDepth {
		return 0, registry.Invalid("maxDepth", "must be between 1 and %d", maxChainDepth)
	}
	return d, nil
}

// Chain resolves chain(controller, at, maxDepth).
func (r *Resolvers) Chain() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		id, err := idArg(p, "controller")
		if err != nil {
			return nil, err
		}
		at, err := r.requiredAt(p, "at")
		if err != nil {
			return nil, err
		}
		depth, err := r.depthArg(p)
		if err != nil {
			return nil, err
		}
		if _, err := r.Services.Organisations.Organisation(p.Context, "controller", id); err != nil {
			return nil, err
		}
		steps, truncated, err := r.Services.Chains.Walk(p.Context, id, at, registry.WalkOptions{MaxDepth: depth})
		return ChainResult{ControllerID: id, At: at, Steps: steps, Truncated: truncated}, err
	})
}

// Gap is something a link lacks that the law asks for.
type Gap = registry.Gap

// ResponsibilityResult answers who was responsible for a party or system at
// an instant.
type ResponsibilityResult = registry.Responsibility

// ResponsibilityLink is one link on a path down to the subject.
type ResponsibilityLink = registry.ResponsibilityLink

// ResponsibilityPath is one path down to the subject, as a ResponsibilityPath
// resolves.
type ResponsibilityPath = registry.ResponsibilityPath

// Responsibility resolves responsibility(organisation | system, at).
func (r *Resolvers) Responsibility() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		var org, sys int64
		var err error
		if v, ok := p.Args["organisation"]; ok && v != nil {
			if org, err = parseID("organisation", v); err != nil {
				return nil, err
			}
		}
		if v, ok := p.Args["system"]; ok && v != nil {
			if sys, err = parseID("system", v); err != nil {
				return nil, err
			}
		}
		if (org == 0) == (sys == 0) {
			return nil, registry.Invalid("organisation", "give exactly one of organisation or system")
		}
		at, err := r.requiredAt(p, "at")
		if err != nil {
			return nil, err
		}
		if org != 0 {
			_, err = r.Services.Organisations.Organisation(p.Context, "organisation", org)
		} else {
			_, err = r.Services.Systems.System(p.Context, "system", sys)
		}
		if err != nil {
			return nil, err
		}
		return r.Services.Chains.Responsibility(p.Context, org, sys, at, maxChainDepth)
	})
}

// UsesOfStep resolves the systems used on a chain step's link at the
// chain's instant, batched with every other step's.
func (r *Resolvers) UsesOfStep(at func(any) time.Time, link func(any) int64) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		t := at(p.Source)
		th := loadersOf(p.Context).usesByLink.load(p.Context, atKey(link(p.Source), &t))
		return func() (any, error) {
			v, _, err := th()
			if v == nil {
				v = []registry.SystemUse{}
			}
			return v, err
		}, nil
	})
}

// ChainStep is a step of a chain with the chain's instant, which its nested
// fields are read at.
type ChainStep struct {
	registry.Step
	At time.Time
}

// StepList returns the chain's steps, or only its cycles.
func (c ChainResult) StepList(cyclesOnly bool) []ChainStep {
	out := []ChainStep{}
	for _, s := range c.Steps {
		if !cyclesOnly || s.Cycle {
			out = append(out, ChainStep{Step: s, At: c.At})
		}
	}
	return out
}

// ChainSystems resolves the systems used on a chain's links at its instant,
// in one statement for the whole chain.
func (r *Resolvers) ChainSystems() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		c := p.Source.(ChainResult)
		var ids []int64
		for _, s := range c.Steps {
			if !s.Cycle {
				ids = append(ids, s.LinkID)
			}
		}
		if len(ids) == 0 {
			return []registry.UseFacts{}, nil
		}
		return r.Services.Chains.UsesAt(p.Context, ids, c.At)
	})
}
