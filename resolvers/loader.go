package resolvers

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
)

// loader batches lookups made while one level of a GraphQL answer is being
// resolved: graphql-go calls every resolver of a level (each of which calls
// load) before it calls the first returned thunk, which then fetches all
// pending keys at once. That turns N parents into one SQL statement without
// timers, so the number of statements per request is deterministic.
type loader[K comparable, V any] struct {
	fetch func(ctx context.Context, keys []K) (map[K]V, error)

	// look, if set, is shown each field that loads through this loader
	// before it loads (see joinedLoader).
	look func(p graphql.ResolveParams)

	mu      sync.Mutex
	pending []K
	queued  map[K]bool
	results map[K]result[V]
}

// result is what a fetch said of one key; a key with no row has ok false.
type result[V any] struct {
	value V
	ok    bool
	err   error
}

func newLoader[K comparable, V any](fetch func(ctx context.Context, keys []K) (map[K]V, error)) *loader[K, V] {
	// The maps are made on the first load: most of a request's loaders are
	// never used.
	return &loader[K, V]{fetch: fetch}
}

// load queues key and returns a thunk that yields its value; ok is false when
// no row has the key.
func (l *loader[K, V]) load(ctx context.Context, key K) func() (V, bool, error) {
	l.mu.Lock()
	if l.results == nil {
		l.queued, l.results = map[K]bool{}, map[K]result[V]{}
	}
	if _, known := l.results[key]; !known && !l.queued[key] {
		l.queued[key] = true
		l.pending = append(l.pending, key)
	}
	l.mu.Unlock()
	return func() (V, bool, error) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if _, known := l.results[key]; !known {
			l.flush(ctx)
		}
		r := l.results[key]
		return r.value, r.ok, r.err
	}
}

// prime records v as key's value, read along with another loader's rows,
// unless its value is already known: the fields that ask for it then need
// no statement of their own.
func (l *loader[K, V]) prime(key K, v V) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.results == nil {
		l.queued, l.results = map[K]bool{}, map[K]result[V]{}
	}
	if _, known := l.results[key]; !known {
		l.results[key] = result[V]{value: v, ok: true}
	}
}

// flush fetches every pending key; the caller holds mu.
func (l *loader[K, V]) flush(ctx context.Context) {
	keys := l.pending
	l.pending = nil
	clear(l.queued)
	got, err := l.fetch(ctx, keys)
	for _, k := range keys {
		v, ok := got[k]
		l.results[k] = result[V]{value: v, ok: ok, err: err}
	}
}

// relKey asks for the rows related to one parent, as of an instant (zero:
// every row, current and past).
type relKey struct {
	ID int64
	At time.Time
}

func atKey(id int64, at *time.Time) relKey {
	if at == nil {
		return relKey{ID: id}
	}
	return relKey{ID: id, At: at.UTC()}
}

// relationLoader loads a relation for many parents; parents asked about
// different instants are fetched with one statement per instant.
func relationLoader[T any](fetch func(ctx context.Context, parents []int64, at *time.Time) (map[int64][]T, error)) *loader[relKey, []T] {
	return newLoader(func(ctx context.Context, keys []relKey) (map[relKey][]T, error) {
		byAt := map[time.Time][]int64{}
		var order []time.Time
		for _, k := range keys {
			if _, ok := byAt[k.At]; !ok {
				order = append(order, k.At)
			}
			byAt[k.At] = append(byAt[k.At], k.ID)
		}
		out := make(map[relKey][]T, len(keys))
		for _, at := range order {
			var atp *time.Time
			if !at.IsZero() {
				a := at
				atp = &a
			}
			rows, err := fetch(ctx, byAt[at], atp)
			if err != nil {
				return nil, err
			}
			for _, id := range byAt[at] {
				out[relKey{id, at}] = rows[id]
			}
		}
		return out, nil
	})
}

// joinedLoader loads a relation whose rows refer to rows another loader
// (refs) reads by id, such as a link's receiving party or a use's system.
// Once a field of the request that loads through it selects field (the
// reference) in its rows, it reads the relation with the rows referred to
// in the same statement (joined) and primes refs with them, so that the
// next level of the answer issues no statement of its own; otherwise it
// reads the relation alone (plain), as before.
func joinedLoader[T, U any](plain func(ctx context.Context, ids []int64, at *time.Time) (map[int64][]T, error),
	joined func(ctx context.Context, ids []int64, at *time.Time) (map[int64][]T, map[int64]U, error),
	refs func() *loader[int64, U], field string) *loader[relKey, []T] {
	var want atomic.Bool
	l := relationLoader(func(ctx context.Context, ids []int64, at *time.Time) (map[int64][]T, error) {
		if !want.Load() {
			return plain(ctx, ids, at)
		}
		rows, got, err := joined(ctx, ids, at)
		if err != nil {
			return nil, err
		}
		r := refs()
		for id, v := range got {
			r.prime(id, v)
		}
		return rows, nil
	})
	l.look = func(p graphql.ResolveParams) {
		if !want.Load() && selects(p.Info, field) {
			want.Store(true)
		}
	}
	return l
}

// selects says whether the field being resolved selects field in its
// value, directly or through fragments.
func selects(info graphql.ResolveInfo, field string) bool {
	for _, f := range info.FieldASTs {
		if f != nil && selectsIn(f.SelectionSet, info.Fragments, field, 0) {
			return true
		}
	}
	return false
}

func selectsIn(set *ast.SelectionSet, frags map[string]ast.Definition, field string, depth int) bool {
	// Validation refuses fragment cycles; the bound keeps a mistake there
	// from recursing without end.
	if set == nil || depth > 16 {
		return false
	}
	for _, sel := range set.Selections {
		switch sel := sel.(type) {
		case *ast.Field:
			if sel.Name != nil && sel.Name.Value == field {
				return true
			}
		case *ast.InlineFragment:
			if selectsIn(sel.SelectionSet, frags, field, depth+1) {
				return true
			}
		case *ast.FragmentSpread:
			if sel.Name == nil {
				continue
			}
			if d, ok := frags[sel.Name.Value].(*ast.FragmentDefinition); ok && selectsIn(d.SelectionSet, frags, field, depth+1) {
				return true
			}
		}
	}
	return false
}
