package resolvers

import (
	"context"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
)

// one resolves a root field that fetches one object by its id argument.
func one[S, V any](r *Resolvers, svc Service[S], get func(s S, ctx context.Context, field string, id int64) (V, error)) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		id, err := idArg(p, "id")
		if err != nil {
			return nil, err
		}
		return get(svc(r.Services), p.Context, "id", id)
	})
}

// ByID resolves a field holding the id of another object, through a batch
// loader; a nil id resolves to null.
func ByID[S, V any](r *Resolvers, pick func(*loaders) *loader[int64, V], id func(S) *int64) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		ref := id(p.Source.(S))
		if ref == nil {
			return nil, nil
		}
		th := pick(loadersOf(p.Context)).load(p.Context, *ref)
		return func() (any, error) {
			v, ok, err := th()
			if err != nil || !ok {
				return nil, err
			}
			return v, nil
		}, nil
	})
}

// Related resolves a one-to-many relation through a batch loader, as of the
// field's optional "at" argument (every row, current and past, without it).
func Related[S, T any](r *Resolvers, pick func(*loaders) *loader[relKey, []T], id func(S) int64) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		at, err := r.at(p, "at")
		if err != nil {
			return nil, err
		}
		l := pick(loadersOf(p.Context))
		if l.look != nil {
			l.look(p)
		}
		th := l.load(p.Context, atKey(id(p.Source.(S)), at))
		return func() (any, error) {
			v, _, err := th()
			if v == nil {
				v = []T{}
			}
			return v, err
		}, nil
	})
}

// History resolves an object's recorded changes.
func History[S any](r *Resolvers, table string, id func(S) int64) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		th := loadersOf(p.Context).history.load(p.Context, registry.IDKey(table, id(p.Source.(S))))
		return func() (any, error) {
			v, _, err := th()
			if v == nil {
				v = []registry.Change{}
			}
			return v, err
		}, nil
	})
}

// listByIDs resolves a list of ids through a batch loader, in order,
// leaving out ids with no row.
func listByIDs[S, V any](r *Resolvers, pick func(*loaders) *loader[int64, V], ids func(S) []int64) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		l := pick(loadersOf(p.Context))
		list := ids(p.Source.(S))
		ths := make([]func() (V, bool, error), len(list))
		for i, id := range list {
			ths[i] = l.load(p.Context, id)
		}
		return func() (any, error) {
			out := make([]V, 0, len(ths))
			for _, th := range ths {
				v, ok, err := th()
				if err != nil {
					return nil, err
				}
				if ok {
					out = append(out, v)
				}
			}
			return out, nil
		}, nil
	})
}

// OrgsByIDs, SystemsByIDs and LinksByIDs resolve lists of ids.
func OrgsByIDs[S any](r *Resolvers, ids func(S) []int64) graphql.FieldResolveFn {
	return listByIDs(r, Orgs, ids)
}

// SystemsByIDs resolves a list of system ids.
func SystemsByIDs[S any](r *Resolvers, ids func(S) []int64) graphql.FieldResolveFn {
	return listByIDs(r, Systems, ids)
}

// LinksByIDs resolves a list of link ids.
func LinksByIDs[S any](r *Resolvers, ids func(S) []int64) graphql.FieldResolveFn {
	return listByIDs(r, Links, ids)
}
