package resolvers

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
)

// ChainTimeline resolves Chain.timeline(maxDepth, from, to): the instants
// at which the chain's controller's chain changed, at any time or in the
// window given, in one statement.
func (r *Resolvers) ChainTimeline() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		c := p.Source.(ChainResult)
		depth, err := r.depthArg(p)
		if err != nil {
			return nil, err
		}
		from, err := r.at(p, "from")
		if err != nil {
			return nil, err
		}
		to, err := r.at(p, "to")
		if err != nil {
			return nil, err
		}
		opts := registry.TimelineOptions{MaxDepth: depth, From: from, To: to}
		if err := opts.Validate(); err != nil {
			return nil, err
		}
		return r.Services.Chains.Timeline(p.Context, c.ControllerID, opts)
	})
}
