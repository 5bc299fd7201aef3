package resolvers

import (
	"context"
	"sync"
	"time"
)

// loader batches lookups made while one level of a GraphQL answer is being
// resolved: graphql-go calls every resolver of a level (each of which calls
// load) before it calls the first returned thunk, which then fetches all
// pending keys at once. That turns N parents into one SQL statement without
// timers, so the number of statements per request is deterministic.
type loader[K comparable, V any] struct {
	fetch func(ctx context.Context, keys []K) (map[K]V, error)

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
