package resolvers

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
)

// ChainTimeline resolves Chain.timeline(maxDepth): the instants at which the
// chain's controller's chain changed, at any time, in one statement.
func (r *Resolvers) ChainTimeline() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		c := p.Source.(ChainResult)
		depth, err := r.depthArg(p)
		if err != nil {
			return nil, err
		}
		return r.Services.Chains.Timeline(p.Context, c.ControllerID, registry.TimelineOptions{MaxDepth: depth})
	})
}
