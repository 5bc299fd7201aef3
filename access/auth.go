package access

import (
	"context"
	"errors"
	"strings"
	"sync"

	"golang.org/x/time/rate"

	"github.com/kedja/kedja/registry"
)

// Tokens looks up the live token whose secret is given, marking its use;
// ok is false for an unknown, expired or revoked one. The store implements
// it (and keeps the SQL); tests may fake it.
type Tokens interface {
	Authenticate(ctx context.Context, secret string) (t registry.Token, ok bool, err error)
}

// Why a request was not authenticated. Any other error from Authenticate is
// the token lookup's own failure.
var (
	ErrNoToken         = errors.New("access: no token")
	ErrUnknownToken    = errors.New("access: the token is unknown, expired or revoked")
	ErrTooManyFailures = errors.New("access: too many failed attempts from this client")
	ErrTooManyRequests = errors.New("access: too many requests for this token")
)

// Authenticator tells who is asking from a bearer token, and limits how
// fast: per token, and per client address for failed attempts.
type Authenticator struct {
	tokens Tokens
	limit  rate.Limit
	burst  int

	mu       sync.Mutex
	limiters map[string]*rate.Limiter
}

// NewAuthenticator authenticates through tokens, allowing perSecond
// requests a second with bursts of burst, per token and per client
// address's failed attempts alike.
func NewAuthenticator(tokens Tokens, perSecond float64, burst int) *Authenticator {
	return &Authenticator{tokens: tokens, limit: rate.Limit(perSecond), burst: burst}
}

// Authenticate returns the principal whose token secret is, asking from
// client. On failure the principal is still the one to record in the audit
// log: anonymous, or the token's own when only its rate was exceeded.
func (a *Authenticator) Authenticate(ctx context.Context, secret, client string) (Principal, error) {
	anonymous := Principal{Name: "anonymous", Client: client}
	if secret == "" {
		return anonymous, ErrNoToken
	}
	// Failed attempts count against the client's address, so guessing
	// tokens is slow; an address out of attempts is refused before the
	// database is asked.
	failures := a.limiter("failed:" + client)
	if failures.Tokens() < 1 {
		return anonymous, ErrTooManyFailures
	}
	t, ok, err := a.tokens.Authenticate(ctx, strings.TrimSpace(secret))
	if err != nil {
		return anonymous, err
	}
	if !ok {
		failures.Allow()
		return anonymous, ErrUnknownToken
	}
	p := Principal{Name: t.Name, Role: t.Role, Client: client}
	if !a.limiter("token:" + t.Prefix).Allow() {
		return p, ErrTooManyRequests
	}
	return p, nil
}

// limiter returns the token bucket for key, one per token and per client
// address.
func (a *Authenticator) limiter(key string) *rate.Limiter {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.limiters == nil || len(a.limiters) > 10_000 {
		// Bounded memory: a flood of addresses resets the buckets rather
		// than filling the heap.
		a.limiters = map[string]*rate.Limiter{}
	}
	l, ok := a.limiters[key]
	if !ok {
		l = rate.NewLimiter(a.limit, a.burst)
		a.limiters[key] = l
	}
	return l
}
