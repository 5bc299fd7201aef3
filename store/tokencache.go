package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

// The token cache (issue 18): the tokens this process has authenticated,
// kept for a few seconds so that a request costs no token lookup, with
// revocations honoured at once at every instance. Migration 0034 says how:
// a change to api_tokens bumps an epoch and notifies kedja_tokens; each
// instance listens, drops its cache and records the epoch it dropped it
// for; RevokeToken waits for every instance whose lease may still run to
// have seen its epoch. An instance serves from its cache only while its
// lease (renewed every Lease/3) runs, so one cut off from the database, or
// stuck, stops using its cache before a revocation stops waiting for it.

// TokenCacheOptions size the token cache.
type TokenCacheOptions struct {
	// TTL is how long a token read from the database is served from the
	// cache before it is read again (default 10s). Its expiry is honoured
	// exactly whatever the TTL: a cached token is refused from the instant
	// it expires.
	TTL time.Duration
	// Lease is how long the cache may be used after the instance last
	// reached the database (default 3s): the longest a revocation waits
	// for an instance that does not answer.
	Lease time.Duration
	Log   *slog.Logger
	// Now is the clock expiry and freshness are judged by (nil: time.Now);
	// tests set it.
	Now func() time.Time
}

// tokenChannel is the channel changes to api_tokens are notified on.
const tokenChannel = "kedja_tokens"

type tokenCache struct {
	s        *Store
	opts     TokenCacheOptions
	listener *pq.Listener
	id       int64 // this instance's row in token_caches
	stop     context.CancelFunc
	done     chan struct{}

	mu      sync.RWMutex
	entries map[[sha256.Size]byte]cachedToken
	// gen counts the times the cache was dropped: a token read from the
	// database while it changed is not put in (it may predate a revocation).
	gen uint64
	// until is when the lease runs out (monotonic clock).
	until time.Time
	seen  int64 // the epoch the cache was last dropped for
	// listening is false while the listener is disconnected: changes may
	// go unheard, and the lease is not renewed.
	listening bool

	hits, misses atomic.Int64
}

type cachedToken struct {
	t     registry.Token
	fresh time.Time // served from the cache until then
}

// StartTokenCache starts caching the tokens Authenticate finds, until
// CloseTokenCache. It listens for changes on a connection of its own,
// besides the pool.
func (s *Store) StartTokenCache(ctx context.Context, opts TokenCacheOptions) error {
	if opts.TTL <= 0 {
		opts.TTL = 10 * time.Second
	}
	if opts.Lease <= 0 {
		opts.Lease = 3 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &tokenCache{s: s, opts: opts, entries: map[[sha256.Size]byte]cachedToken{}, done: make(chan struct{}), listening: true}
	c.listener = pq.NewListener(s.dsn, 100*time.Millisecond, opts.Lease/2, func(ev pq.ListenerEventType, err error) {
		if ev == pq.ListenerEventDisconnected || ev == pq.ListenerEventConnectionAttemptFailed {
			// Changes may go unheard from now on: stop using the cache
			// until the listener is back and the cache dropped.
			c.mu.Lock()
			c.listening = false
			c.mu.Unlock()
			c.drop(true)
			if err != nil {
				opts.Log.Warn("token cache: listener disconnected; tokens are read from the database meanwhile", "err", err)
			}
		}
	})
	if err := c.listener.Listen(tokenChannel); err != nil {
		c.listener.Close()
		return fmt.Errorf("store: token cache: listen: %w", classify(err))
	}
	// Registered only once listening: every change after the epoch read
	// here is heard.
	s.db.ExecContext(ctx, `DELETE FROM token_caches WHERE heard_at < now() - interval '1 hour'`) //nolint:errcheck // tidying only
	start := time.Now()
	if err := s.db.QueryRowContext(ctx, `INSERT INTO token_caches (seen, lease) SELECT n, make_interval(secs => $1) FROM token_epoch
		RETURNING id, seen`, opts.Lease.Seconds()).Scan(&c.id, &c.seen); err != nil {
		c.listener.Close()
		return fmt.Errorf("store: token cache: register: %w", err)
	}
	c.until = start.Add(opts.Lease)
	if !s.tokens.CompareAndSwap(nil, c) {
		c.listener.Close()
		return errors.New("store: a token cache is already running")
	}
	loop, stop := context.WithCancel(context.Background())
	c.stop = stop
	go c.run(loop)
	return nil
}

// CloseTokenCache stops the cache; Authenticate then reads every token
// from the database again.
func (s *Store) CloseTokenCache(ctx context.Context) error {
	c := s.tokens.Swap(nil)
	if c == nil {
		return nil
	}
	c.stop()
	<-c.done
	err := c.listener.Close()
	// No revocation need wait for this instance any more.
	if _, e := s.db.ExecContext(ctx, `DELETE FROM token_caches WHERE id = $1`, c.id); e != nil && err == nil {
		err = e
	}
	return err
}

// TokenCacheStats says how many authentications the cache answered and
// how many it sent to the database.
func (s *Store) TokenCacheStats() (hits, misses int64) {
	if c := s.tokens.Load(); c != nil {
		return c.hits.Load(), c.misses.Load()
	}
	return 0, 0
}

// run drops the cache when told of a change, says so, and renews the lease.
func (c *tokenCache) run(ctx context.Context) {
	defer close(c.done)
	tick := time.NewTicker(c.opts.Lease / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case n := <-c.listener.NotificationChannel():
			c.drop(false)
			if n == nil {
				// Reconnected: changes meanwhile went unheard, and the cache
				// was dropped; the epoch is read again now that they are
				// heard again.
				c.mu.Lock()
				c.listening = true
				c.mu.Unlock()
				c.resync(ctx)
				continue
			}
			if e, err := strconv.ParseInt(n.Extra, 10, 64); err == nil {
				c.mu.Lock()
				c.seen = max(c.seen, e)
				c.mu.Unlock()
			}
			c.renew(ctx)
		case <-tick.C:
			c.renew(ctx)
		}
	}
}

// resync takes the epoch as it is now as seen (the cache has been dropped
// since the listener came back) and renews the lease.
func (c *tokenCache) resync(ctx context.Context) {
	var e int64
	if err := c.s.db.QueryRowContext(ctx, `SELECT n FROM token_epoch`).Scan(&e); err != nil {
		c.opts.Log.Warn("token cache: read the epoch", "err", err)
		return
	}
	c.mu.Lock()
	c.seen = max(c.seen, e)
	c.mu.Unlock()
	c.renew(ctx)
}

// renew records the epoch this instance has dropped its cache for and
// extends its lease. The lease is counted from before the statement, and
// the database stamps heard_at after: the instance stops using its cache
// no later than a revocation stops waiting for it.
func (c *tokenCache) renew(ctx context.Context) {
	start := time.Now()
	c.mu.RLock()
	seen := c.seen
	c.mu.RUnlock()
	ctx, cancel := context.WithTimeout(ctx, c.opts.Lease)
	defer cancel()
	res, err := c.s.db.ExecContext(ctx, `UPDATE token_caches SET seen = greatest(seen, $2), heard_at = now() WHERE id = $1`, c.id, seen)
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err == nil && n == 0 {
		// Removed as stale by another instance: register afresh.
		c.drop(true)
		err = c.s.db.QueryRowContext(ctx, `INSERT INTO token_caches (seen, lease) VALUES ($1, make_interval(secs => $2)) RETURNING id`,
			seen, c.opts.Lease.Seconds()).Scan(&c.id)
	}
	if err != nil {
		c.opts.Log.Warn("token cache: renew the lease; tokens are read from the database until it is", "err", err)
		return
	}
	c.mu.Lock()
	if c.listening {
		c.until = start.Add(c.opts.Lease)
	}
	c.mu.Unlock()
}

// drop empties the cache; with lease, it also ends the lease.
func (c *tokenCache) drop(lease bool) {
	c.mu.Lock()
	clear(c.entries)
	c.gen++
	if lease {
		c.until = time.Time{}
	}
	c.mu.Unlock()
}

// lookup answers from the cache: found says whether it could, and then ok
// whether the token is live. gen is the cache's generation, for put.
func (c *tokenCache) lookup(sum [sha256.Size]byte) (t registry.Token, ok, found bool, gen uint64) {
	now := c.opts.Now()
	c.mu.RLock()
	e, hit := c.entries[sum]
	leased := time.Now().Before(c.until)
	gen = c.gen
	c.mu.RUnlock()
	if !hit || !leased || !now.Before(e.fresh) {
		c.misses.Add(1)
		return registry.Token{}, false, false, gen
	}
	c.hits.Add(1)
	if e.t.ExpiresAt != nil && !now.Before(*e.t.ExpiresAt) {
		return registry.Token{}, false, true, gen
	}
	return e.t, true, true, gen
}

// put caches t, unless the cache was dropped since gen: then t may have
// been read before a change.
func (c *tokenCache) put(sum [sha256.Size]byte, t registry.Token, gen uint64) {
	fresh := c.opts.Now().Add(c.opts.TTL)
	c.mu.Lock()
	if c.gen == gen && time.Now().Before(c.until) {
		c.entries[sum] = cachedToken{t: t, fresh: fresh}
	}
	c.mu.Unlock()
}

// maxTokenCacheWait bounds how long a revocation waits for the token
// caches; an instance whose listener is stuck while its lease is renewed
// would otherwise hold it forever.
const maxTokenCacheWait = 15 * time.Second

// awaitTokenCaches returns once every instance whose lease may still run
// has dropped its cache for epoch e. It holds no connection while it waits.
func (s *Store) awaitTokenCaches(ctx context.Context, e int64) error {
	ctx, cancel := context.WithTimeout(ctx, maxTokenCacheWait)
	defer cancel()
	wait := time.Millisecond
	behind := -1
	for {
		err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM token_caches
			WHERE seen < $1 AND heard_at + lease > now()`, e).Scan(&behind)
		if err != nil && ctx.Err() == nil {
			return fmt.Errorf("store: wait for the token caches: %w", err)
		}
		if err == nil && behind == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("store: the token is revoked, but %d token caches have not yet dropped it: %w", behind, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, 20*time.Millisecond)
	}
}
