package resolvers

import (
	"time"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
)

// filterOf returns the filter argument as an input, empty when not given.
func (r *Resolvers) filterOf(p graphql.ResolveParams) *input {
	m, _ := p.Args["filter"].(map[string]any)
	return newInput(m, "filter", nil, r.Location)
}

func idArg(p graphql.ResolveParams, name string) (int64, error) {
	return parseID(name, p.Args[name])
}

// at reads the optional instant argument name; nil when not given.
func (r *Resolvers) at(p graphql.ResolveParams, name string) (*time.Time, error) {
	v, ok := p.Args[name].(string)
	if !ok {
		return nil, nil
	}
	t, err := registry.ParseInstant(name, v, r.Location)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// atOrNow reads the instant argument name, defaulting to now.
func (r *Resolvers) atOrNow(p graphql.ResolveParams, name string) (time.Time, error) {
	t, err := r.at(p, name)
	if err != nil || t != nil {
		return deref(t), err
	}
	return r.Now(), nil
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// requiredAt reads a required instant argument.
func (r *Resolvers) requiredAt(p graphql.ResolveParams, name string) (time.Time, error) {
	t, err := r.at(p, name)
	if err != nil {
		return time.Time{}, err
	}
	if t == nil {
		return time.Time{}, registry.Invalid(name, "is required")
	}
	return *t, nil
}

// callAt reads a call's required instant: one written without an offset
// comes back with wall set, its UTC clock reading the time on the calling
// region's clocks, which the trace places in the region's zone
// (registry.ParseCallInstant, TraceOptions.WallClock).
func callAt(p graphql.ResolveParams, name string) (at time.Time, wall bool, err error) {
	v, ok := p.Args[name].(string)
	if !ok {
		return time.Time{}, false, registry.Invalid(name, "is required")
	}
	return registry.ParseCallInstant(name, v)
}
