package resolvers

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/graph"
	"github.com/kedja/kedja/registry"
)

// PictureOf resolves a dot or svg field of a chain, responsibility, trace or
// incident impact:
// the same picture the /graph endpoints serve.
func (r *Resolvers) PictureOf(format string) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		src := PictureSource{Services: r.Services, Location: r.Location, Now: r.Now}
		var pic graph.Picture
		var err error
		switch v := p.Source.(type) {
		case ChainResult:
			pic, err = src.Chain(p.Context, v.ControllerID, v.At)
		case ResponsibilityResult:
			pic, err = src.Responsibility(p.Context, v.OrgID, v.SystemID, v.At)
		case registry.Trace:
			pic, err = src.Trace(p.Context, v.ID)
		case registry.Impact:
			// Drawn from what the impact already holds: no statement more.
			pic = graph.Impact(v, r.Location, src.drawnAt())
		}
		if err != nil {
			return nil, err
		}
		// The request's context: a caller that goes away or runs out of
		// time stops the render (its worker is killed).
		b, err := r.Render(p.Context, pic.DOT(), format)
		return string(b), err
	})
}
