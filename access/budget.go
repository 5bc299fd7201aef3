package access

import (
	"container/list"
	"time"
)

// bucket is a token bucket. Unlike rate.Limiter it can be checked and spent
// in one step under the caller's lock, and given back exactly.
type bucket struct {
	tokens float64
	at     time.Time
}

// take spends one token if there is one, refilling first.
func (b *bucket) take(now time.Time, budget Budget) bool {
	if b.at.IsZero() {
		b.tokens, b.at = float64(budget.Burst), now
	}
	if now.After(b.at) {
		b.tokens = min(float64(budget.Burst), b.tokens+now.Sub(b.at).Seconds()*budget.PerSecond)
		b.at = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// refund gives back one token taken.
func (b *bucket) refund(budget Budget) {
	b.tokens = min(float64(budget.Burst), b.tokens+1)
}

// entry is what is remembered of one address, prefix or token.
type entry = entryOf[string]

// entryOf is an entry under a key of type K.
type entryOf[K comparable] struct {
	key         K
	budget      bucket
	failures    int
	lastFailure time.Time
	notBefore   time.Time // back-off: no attempt before
	elem        *list.Element
}

// lru remembers at most capacity entries, forgetting the one used least
// recently. Unlike resetting the whole map when it fills, this cannot be
// used to reset a budget being spent: an entry is forgotten only after
// capacity other keys were used since its own last use, so a flood of new
// addresses costs the flooder as much as the budgets it would regain, and
// the entries of the addresses still guessing stay.
type lru = lruOf[string]

// lruOf is an lru under keys of type K: tokens are counted by their id,
// with no string made per request.
type lruOf[K comparable] struct {
	capacity int
	m        map[K]*entryOf[K]
	order    *list.List // front: most recently used
}

func newLRU(capacity int) *lru { return newLRUOf[string](capacity) }

func newLRUOf[K comparable](capacity int) *lruOf[K] {
	return &lruOf[K]{capacity: capacity, m: map[K]*entryOf[K]{}, order: list.New()}
}

// get returns key's entry, made fresh if it is not remembered.
func (l *lruOf[K]) get(key K) *entryOf[K] {
	if e, ok := l.m[key]; ok {
		l.order.MoveToFront(e.elem)
		return e
	}
	if len(l.m) >= l.capacity {
		oldest := l.order.Back()
		l.order.Remove(oldest)
		delete(l.m, oldest.Value.(*entryOf[K]).key)
	}
	e := &entryOf[K]{key: key}
	e.elem = l.order.PushFront(e)
	l.m[key] = e
	return e
}

// drop forgets key.
func (l *lruOf[K]) drop(key K) {
	if e, ok := l.m[key]; ok {
		l.order.Remove(e.elem)
		delete(l.m, key)
	}
}

func (l *lruOf[K]) len() int { return len(l.m) }
