package access

import (
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kedja/kedja/registry"
)

// Tokens is what authentication needs of the token store: the lookup (a
// read; ok is false for an unknown, expired or revoked token), the mark of
// a token's use, and the lock-outs kept across restarts. The store
// implements it (and keeps the SQL); tests may fake it.
type Tokens interface {
	Authenticate(ctx context.Context, secret string) (t registry.Token, ok bool, err error)
	MarkTokenUsed(ctx context.Context, id int64) error
	LockOut(ctx context.Context, kind, key string, failures int) error
	Lockouts(ctx context.Context) ([]registry.Lockout, error)
}

// Why a request was not authenticated. Any other error from Authenticate is
// the token lookup's own failure.
var (
	ErrNoToken          = errors.New("access: no token")
	ErrUnknownToken     = errors.New("access: the token is unknown, expired or revoked")
	ErrTooManyFailures  = errors.New("access: too many failed attempts from this client or at this token")
	ErrLockedOut        = errors.New("access: locked out after too many failed attempts")
	ErrTooManyRequests  = errors.New("access: too many requests for this token")
	ErrTooManyAnonymous = errors.New("access: too many requests without a token from this client")
)

// Budget is a token bucket: Burst at once, refilled at PerSecond.
type Budget struct {
	PerSecond float64
	Burst     int
}

// Guard says how fast each kind of request may come, and when failed
// attempts slow down and then lock out.
type Guard struct {
	Token     Budget // requests per token
	Failures  Budget // attempts with an unknown secret, per client address
	Prefix    Budget // attempts with an unknown secret, per token prefix from all addresses together
	Anonymous Budget // requests without a token, per client address
	// After BackoffAfter failures (of an address or a prefix) each further
	// attempt waits BackoffBase, doubled per failure up to BackoffMax.
	BackoffAfter            int
	BackoffBase, BackoffMax time.Duration
	LockAfter               int           // failures that lock an address or prefix out
	FailureWindow           time.Duration // failures older than this are forgotten
	Recheck                 time.Duration // how stale the lock-outs in memory may be, when a locked key is tried
	Capacity                int           // addresses, prefixes and tokens remembered per table
	LastUsedEvery           time.Duration // how often a token's last use is written
}

// DefaultGuard is what kedja serves with. A legitimate client that mistypes
// its token has ten tries at once; a guesser gets one every ten seconds from
// an address, one every thirty seconds at a prefix, waits from the sixth
// failure on, and is locked out at the twentieth (after some 80 minutes of
// back-off) until an admin lifts it.
var DefaultGuard = Guard{
	Token:        Budget{PerSecond: 20, Burst: 40},
	Failures:     Budget{PerSecond: 0.1, Burst: 10},
	Prefix:       Budget{PerSecond: 1.0 / 30, Burst: 5},
	Anonymous:    Budget{PerSecond: 1, Burst: 10},
	BackoffAfter: 5, BackoffBase: time.Second, BackoffMax: 15 * time.Minute,
	LockAfter: 20, FailureWindow: 24 * time.Hour,
	Recheck: 5 * time.Second, Capacity: 65_536, LastUsedEvery: time.Minute,
}

// withDefaults fills what g leaves zero from DefaultGuard, so that a
// configuration that forgets a budget does not refuse everything.
func (g Guard) withDefaults() Guard {
	d := DefaultGuard
	for _, b := range []struct{ v, def *Budget }{{&g.Token, &d.Token}, {&g.Failures, &d.Failures}, {&g.Prefix, &d.Prefix}, {&g.Anonymous, &d.Anonymous}} {
		if b.v.Burst <= 0 {
			*b.v = *b.def
		}
	}
	if g.BackoffAfter <= 0 {
		g.BackoffAfter = d.BackoffAfter
	}
	if g.BackoffBase <= 0 {
		g.BackoffBase = d.BackoffBase
	}
	if g.BackoffMax <= 0 {
		g.BackoffMax = d.BackoffMax
	}
	if g.LockAfter <= 0 {
		g.LockAfter = d.LockAfter
	}
	if g.FailureWindow <= 0 {
		g.FailureWindow = d.FailureWindow
	}
	if g.Recheck < 0 {
		g.Recheck = d.Recheck
	}
	if g.Capacity <= 0 {
		g.Capacity = d.Capacity
	}
	if g.LastUsedEvery <= 0 {
		g.LastUsedEvery = d.LastUsedEvery
	}
	return g
}

// Authenticator tells who is asking from a bearer token, and stops
// guessing: attempts with an unknown secret spend budgets of the client
// address and of the token prefix tried, taken before the lookup (so that
// concurrent attempts cannot all pass a check made before any of them
// failed) and given back when the secret turns out good; repeated failures
// back off exponentially and then lock out until an admin lifts it.
type Authenticator struct {
	tokens Tokens
	g      Guard
	log    *slog.Logger
	// Now is the clock; tests replace it.
	Now func() time.Time

	mu       sync.Mutex
	anon     *lru          // requests without a token, by address
	addrs    *lru          // failed attempts, by address
	prefixes *lru          // failed attempts, by prefix
	perToken *lruOf[int64] // requests, by token id
	// good holds the hashes of secrets that authenticated, with their
	// token's id: such a secret skips the failure budgets and lock-outs,
	// so that a guesser cannot lock its owner out (a guesser who had it
	// would not need to guess). Its size is bounded by the live tokens.
	good map[[sha256.Size]byte]int64
	// looking holds the lookups under way of secrets not (yet) known good,
	// closed when each ends: concurrent attempts with one secret wait for
	// the first and spend no budget of their own, so a client's burst with
	// a good token at start-up is not taken for guessing (a guesser gains
	// nothing: every new secret still spends).
	looking map[[sha256.Size]byte]*lookup
	// waiting, set only by tests, is called when an attempt starts to wait
	// for another's lookup of the same secret.
	waiting func()
	// marked is when each token's last use was last written.
	marked map[int64]time.Time
	// locked holds the lock-outs in force (kind/key), read from the store
	// at the first attempt and again, at most every Recheck, when a locked
	// key is tried, which is how a lift by the CLI, the API or another
	// instance takes effect.
	locked     map[string]time.Time // kind/key: since when this instance knows
	loadedAt   time.Time
	loaded     atomic.Bool // read without a.mu on every request
	refreshing bool
}

// NewAuthenticator authenticates through tokens under guard g (zero fields
// take DefaultGuard's), logging what it cannot record to log.
func NewAuthenticator(tokens Tokens, g Guard, log *slog.Logger) *Authenticator {
	g = g.withDefaults()
	if log == nil {
		log = slog.Default()
	}
	return &Authenticator{tokens: tokens, g: g, log: log, Now: time.Now,
		anon: newLRU(g.Capacity), addrs: newLRU(g.Capacity), prefixes: newLRU(g.Capacity), perToken: newLRUOf[int64](g.Capacity),
		good: map[[sha256.Size]byte]int64{}, looking: map[[sha256.Size]byte]*lookup{}, marked: map[int64]time.Time{}, locked: map[string]time.Time{}}
}

// lookup is one lookup under way of a secret not known good; unknown is set
// before done closes.
type lookup struct {
	done    chan struct{}
	unknown bool
}

// Authenticate returns the principal whose token secret is, asking from
// client. On failure the principal is still the one to record in the audit
// log: anonymous, or the token's own when only its rate was exceeded.
func (a *Authenticator) Authenticate(ctx context.Context, secret, client string) (_ Principal, failure error) {
	anonymous := Principal{Name: "anonymous", Client: client}
	addr := AddressKey(client)
	secret = strings.TrimSpace(secret)
	now := a.Now()
	if secret == "" {
		// Refused here, before the request is read, looked up or written.
		a.mu.Lock()
		ok := a.anon.get(addr).budget.take(now, a.g.Anonymous)
		a.mu.Unlock()
		if !ok {
			return anonymous, ErrTooManyAnonymous
		}
		return anonymous, ErrNoToken
	}
	if err := a.load(ctx, now, false); err != nil {
		return anonymous, err
	}
	prefix := PrefixKey(secret)
	sum := sha256.Sum256([]byte(secret))

	a.mu.Lock()
	_, known := a.good[sum]
	if known {
		// A secret that authenticated before (the common case: a client
		// sending its token again) skips the guessing bookkeeping: one
		// lock here and one after the lookup.
		a.mu.Unlock()
		return a.authenticated(ctx, secret, client, sum, addr, prefix, now)
	}
	stale := a.isLocked(addr, prefix) && now.Sub(a.loadedAt) >= a.g.Recheck && !a.refreshing
	if stale {
		a.refreshing = true
	}
	a.mu.Unlock()
	if stale {
		err := a.load(ctx, now, true)
		a.mu.Lock()
		a.refreshing = false
		a.mu.Unlock()
		if err != nil {
			return anonymous, err
		}
	}

	a.mu.Lock()
	if first, ok := a.looking[sum]; !known && ok {
		a.mu.Unlock()
		if a.waiting != nil {
			a.waiting()
		}
		select {
		case <-first.done:
		case <-ctx.Done():
			return anonymous, ctx.Err()
		}
		if first.unknown {
			// The same secret just failed, and was counted once.
			return anonymous, ErrUnknownToken
		}
		a.mu.Lock()
		// Known good now, or the first lookup itself failed: then this
		// attempt goes on as any other.
		_, known = a.good[sum]
	}
	var ae, pe *entry
	if !known {
		if a.isLocked(addr, prefix) {
			a.mu.Unlock()
			return anonymous, ErrLockedOut
		}
		ae, pe = a.addrs.get(addr), a.prefixes.get(prefix)
		switch {
		case now.Before(ae.notBefore) || now.Before(pe.notBefore):
			a.mu.Unlock()
			return anonymous, ErrTooManyFailures
		case !ae.budget.take(now, a.g.Failures):
			a.mu.Unlock()
			return anonymous, ErrTooManyFailures
		case !pe.budget.take(now, a.g.Prefix):
			ae.budget.refund(a.g.Failures)
			a.mu.Unlock()
			return anonymous, ErrTooManyFailures
		}
		this := &lookup{done: make(chan struct{})}
		a.looking[sum] = this
		defer func() {
			a.mu.Lock()
			if a.looking[sum] == this {
				delete(a.looking, sum)
			}
			a.mu.Unlock()
			close(this.done)
		}()
		defer func() { this.unknown = errors.Is(failure, ErrUnknownToken) }()
	}
	a.mu.Unlock()

	t, ok, err := a.tokens.Authenticate(ctx, secret)
	if (err != nil || ok) && ae != nil {
		// Nothing was learnt of the secret's worth (a failed lookup), or
		// it is good: the attempt costs no budget.
		a.mu.Lock()
		ae.budget.refund(a.g.Failures)
		pe.budget.refund(a.g.Prefix)
		a.mu.Unlock()
	}
	return a.result(ctx, t, ok, err, client, sum, addr, prefix, now)
}

// authenticated looks up a secret known good, which spent no budget.
func (a *Authenticator) authenticated(ctx context.Context, secret, client string, sum [sha256.Size]byte, addr, prefix string, now time.Time) (Principal, error) {
	t, ok, err := a.tokens.Authenticate(ctx, secret)
	return a.result(ctx, t, ok, err, client, sum, addr, prefix, now)
}

// result turns the lookup of a secret into the principal, counting a
// failure, the token's rate and its use.
func (a *Authenticator) result(ctx context.Context, t registry.Token, ok bool, err error, client string, sum [sha256.Size]byte,
	addr, prefix string, now time.Time) (Principal, error) {
	anonymous := Principal{Name: "anonymous", Client: client}
	if err != nil {
		return anonymous, err
	}
	if !ok {
		a.fail(ctx, sum, addr, prefix, now)
		return anonymous, ErrUnknownToken
	}
	p := Principal{Name: t.Name, Role: t.Role, Client: client, TokenID: t.ID}
	a.mu.Lock()
	a.good[sum] = t.ID
	allowed := a.perToken.get(t.ID).budget.take(now, a.g.Token)
	mark := now.Sub(a.marked[t.ID]) >= a.g.LastUsedEvery
	if mark {
		a.marked[t.ID] = now
	}
	a.mu.Unlock()
	if mark {
		// At most once a minute per token (and per instance): the lookup
		// itself only reads.
		if err := a.tokens.MarkTokenUsed(ctx, t.ID); err != nil {
			a.log.Error("mark token use", "token", t.ID, "err", err)
		}
	}
	if !allowed {
		return p, ErrTooManyRequests
	}
	return p, nil
}

// fail counts a failed attempt against the address and the prefix: back-off
// past BackoffAfter, a lock-out (kept in the store) at LockAfter.
func (a *Authenticator) fail(ctx context.Context, sum [sha256.Size]byte, addr, prefix string, now time.Time) {
	var lock []registry.Lockout
	a.mu.Lock()
	delete(a.good, sum)
	for _, k := range []struct{ kind, key string }{{registry.LockAddress, addr}, {registry.LockPrefix, prefix}} {
		tbl := a.addrs
		if k.kind == registry.LockPrefix {
			tbl = a.prefixes
		}
		e := tbl.get(k.key)
		if now.Sub(e.lastFailure) > a.g.FailureWindow {
			e.failures = 0
		}
		e.failures++
		e.lastFailure = now
		if n := e.failures - a.g.BackoffAfter; n > 0 {
			wait := a.g.BackoffMax
			if n <= 30 && a.g.BackoffBase<<(n-1) < a.g.BackoffMax {
				wait = a.g.BackoffBase << (n - 1)
			}
			e.notBefore = now.Add(wait)
		}
		if _, done := a.locked[k.kind+"/"+k.key]; e.failures >= a.g.LockAfter && !done {
			a.locked[k.kind+"/"+k.key] = pending
			lock = append(lock, registry.Lockout{Kind: k.kind, Key: k.key, Failures: e.failures})
		}
	}
	a.mu.Unlock()
	for _, l := range lock {
		// Kept even if the request's context ends: a restart must not
		// lift it.
		err := a.tokens.LockOut(context.WithoutCancel(ctx), l.Kind, l.Key, l.Failures)
		a.mu.Lock()
		if a.locked[l.Kind+"/"+l.Key] == pending {
			a.locked[l.Kind+"/"+l.Key] = a.Now()
		}
		a.mu.Unlock()
		if err != nil {
			a.log.Error("record lock-out", "kind", l.Kind, "key", l.Key, "err", err)
		} else {
			a.log.Warn("locked out after failed token attempts", "kind", l.Kind, "key", l.Key, "failures", l.Failures)
		}
	}
}

// pending marks a lock-out whose row is being written: a read of the
// lock-outs begun meanwhile may not see it, and must not forget it.
var pending = time.Unix(1<<40, 0)

// isLocked says whether addr or prefix is locked out; a.mu is held.
func (a *Authenticator) isLocked(addr, prefix string) bool {
	_, byAddr := a.locked[registry.LockAddress+"/"+addr]
	_, byPrefix := a.locked[registry.LockPrefix+"/"+prefix]
	return byAddr || byPrefix
}

// load reads the lock-outs in force from the store: the first time, or
// again when force is set. A key no longer locked out starts afresh, its
// failures forgotten, so that a lifted lock-out is not set again by the
// next mistake.
func (a *Authenticator) load(ctx context.Context, now time.Time, force bool) error {
	if a.loaded.Load() && !force {
		return nil
	}
	start := a.Now()
	ls, err := a.tokens.Lockouts(ctx)
	if err != nil {
		return err
	}
	fresh := make(map[string]time.Time, len(ls))
	for _, l := range ls {
		fresh[l.Kind+"/"+l.Key] = now
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, since := range a.locked {
		if _, ok := fresh[k]; ok {
			continue
		}
		if !since.Before(start) {
			// Locked here while the read ran (or still being written):
			// the read may not have seen its row.
			fresh[k] = since
			continue
		}
		kind, key, _ := strings.Cut(k, "/")
		tbl := a.addrs
		if kind == registry.LockPrefix {
			tbl = a.prefixes
		}
		tbl.drop(key)
	}
	a.locked, a.loadedAt = fresh, now
	a.loaded.Store(true)
	return nil
}

// AddressKey is the key a client address is counted under: an IPv4 address
// as it is, an IPv6 one by its /64, which one subscriber usually holds
// whole (counting single IPv6 addresses would give a guesser billions of
// budgets).
func AddressKey(client string) string {
	ip := net.ParseIP(client)
	if ip == nil || ip.To4() != nil {
		return client
	}
	return (&net.IPNet{IP: ip.Mask(net.CIDRMask(64, 128)), Mask: net.CIDRMask(64, 128)}).String()
}

// PrefixKey is the key attempts at a secret are counted under: its first
// characters, as api_tokens.prefix keeps them and token lists show them.
// A secret that is not shaped like a token counts under "malformed".
func PrefixKey(secret string) string {
	n := len(registry.TokenPrefix) + 6
	if len(secret) < n || !strings.HasPrefix(secret, registry.TokenPrefix) {
		return "malformed"
	}
	for _, c := range secret[len(registry.TokenPrefix):n] {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return "malformed"
		}
	}
	return secret[:n]
}
