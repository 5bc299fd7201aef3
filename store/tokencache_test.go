package store_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// openInstances opens n stores on one fresh database, as n kedja
// instances sharing it would, each with its token cache running.
func openInstances(t *testing.T, n int, opts store.TokenCacheOptions) ([]*store.Store, string) {
	t.Helper()
	url := storetest.Database(t)
	var out []*store.Store
	for range n {
		s, err := store.Open(context.Background(), url, "Europe/Stockholm", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.StartTokenCache(context.Background(), opts); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := s.CloseTokenCache(context.Background()); err != nil {
				t.Errorf("close the token cache: %v", err)
			}
			s.Close()
		})
		out = append(out, s)
	}
	return out, url
}

// A token authenticated once is answered from memory: no statement.
func TestTokenCacheAnswersWithoutSQL(t *testing.T) {
	ctx := context.Background()
	insts, _ := openInstances(t, 1, store.TokenCacheOptions{})
	s := insts[0]
	tok, secret, err := s.CreateToken(ctx, "test", "cached", "auditor", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, err := s.Authenticate(ctx, secret); err != nil || !ok || got.ID != tok.ID {
		t.Fatalf("first authentication: %v %v %v", got.ID, ok, err)
	}
	before := s.Statements()
	for range 10 {
		if got, ok, err := s.Authenticate(ctx, secret); err != nil || !ok || got.ID != tok.ID || got.Role != "auditor" {
			t.Fatalf("cached authentication: %+v %v %v", got, ok, err)
		}
	}
	// The lease's renewal may run meanwhile; ten lookups would be ten.
	if n := s.Statements() - before; n > 1 {
		t.Errorf("10 cached authentications ran %d statements", n)
	}
	if hits, _ := s.TokenCacheStats(); hits != 10 {
		t.Errorf("cache hits: %d, want 10", hits)
	}
	// A wrong secret with the same prefix is not the cached token.
	wrong := secret[:len(secret)-1] + "A"
	if secret[len(secret)-1] == 'A' {
		wrong = secret[:len(secret)-1] + "B"
	}
	if _, ok, err := s.Authenticate(ctx, wrong); err != nil || ok {
		t.Errorf("a wrong secret with the cached token's prefix: ok %v, err %v", ok, err)
	}
}

// A revocation through any instance (or the CLI, which caches nothing) is
// refused by every other instance on its very next request, cached or not.
func TestTokenCacheRevocationIsImmediateEverywhere(t *testing.T) {
	ctx := context.Background()
	inst, url := openInstances(t, 2, store.TokenCacheOptions{})
	a, b := inst[0], inst[1]
	cli, err := store.Open(ctx, url, "Europe/Stockholm", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	tests := []struct {
		name    string
		revoker *store.Store
	}{{"ThroughAnotherInstance", a}, {"ThroughTheCLI", cli}, {"ThroughTheSameInstance", b}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Many rounds: a revocation that only raced its notification
			// would lose some of them.
			for i := range 20 {
				tok, secret, err := a.CreateToken(ctx, "test", tt.name, "editor", nil)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range inst {
					for range 2 { // the second from the cache
						if _, ok, err := s.Authenticate(ctx, secret); err != nil || !ok {
							t.Fatalf("round %d: before revoking: ok %v, err %v", i, ok, err)
						}
					}
				}
				if _, err := tt.revoker.RevokeToken(ctx, tok.Prefix); err != nil {
					t.Fatalf("round %d: revoke: %v", i, err)
				}
				for j, s := range inst {
					if _, ok, err := s.Authenticate(ctx, secret); err != nil || ok {
						t.Fatalf("round %d: instance %d right after the revocation: ok %v, err %v", i, j, ok, err)
					}
				}
			}
		})
	}
	if hits, _ := b.TokenCacheStats(); hits == 0 {
		t.Error("the cache answered nothing: the test showed nothing of it")
	}
}

// A cached token is refused from the instant it expires, by the cache's
// own clock, without asking the database.
func TestTokenCacheHonoursExpiryExactly(t *testing.T) {
	ctx := context.Background()
	// The cache's clock: the real one until a case sets it.
	var at atomic.Pointer[time.Time]
	clock := func() time.Time {
		if t := at.Load(); t != nil {
			return *t
		}
		return time.Now()
	}
	insts, _ := openInstances(t, 1, store.TokenCacheOptions{Now: clock, TTL: 2 * time.Hour})
	s := insts[0]
	expires := time.Now().Add(time.Hour).Truncate(time.Microsecond)
	_, secret, err := s.CreateToken(ctx, "test", "expiring", "auditor", &expires)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.Authenticate(ctx, secret); err != nil || !ok {
		t.Fatalf("first authentication: ok %v, err %v", ok, err)
	}
	tests := []struct {
		name string
		at   time.Time
		ok   bool
	}{
		{"JustBefore", expires.Add(-time.Microsecond), true},
		{"AtExpiry", expires, false},
		{"After", expires.Add(time.Microsecond), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at.Store(&tt.at)
			before, _ := s.TokenCacheStats()
			if _, ok, err := s.Authenticate(ctx, secret); err != nil || ok != tt.ok {
				t.Errorf("ok %v, err %v; want ok %v", ok, err, tt.ok)
			}
			if after, _ := s.TokenCacheStats(); after != before+1 {
				t.Errorf("not answered from the cache (hits %d -> %d)", before, after)
			}
		})
	}
}

// A revocation waits for an instance whose lease runs and that has not
// dropped its cache, and not for one whose lease has run out.
func TestRevocationWaitsForLiveCaches(t *testing.T) {
	ctx := context.Background()
	s := storetest.Store(t)
	owner := storetest.Owner(t, s.DB())
	tests := []struct {
		name    string
		row     string // an instance's token_caches row, never answering
		waitErr string // "" for no error
	}{
		{"LeaseRunning", `INSERT INTO token_caches (seen, heard_at, lease) VALUES (0, now(), interval '1 hour')`, "have not yet dropped"},
		{"LeaseRunOut", `INSERT INTO token_caches (seen, heard_at, lease) VALUES (0, now() - interval '10 seconds', interval '3 seconds')`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := owner.Exec(`DELETE FROM token_caches`); err != nil {
				t.Fatal(err)
			}
			if _, err := owner.Exec(tt.row); err != nil {
				t.Fatal(err)
			}
			tok, _, err := s.CreateToken(ctx, "test", tt.name, "auditor", nil)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
			defer cancel()
			_, err = s.RevokeToken(ctx, tok.Prefix)
			switch {
			case tt.waitErr == "" && err != nil:
				t.Errorf("revoke: %v", err)
			case tt.waitErr != "" && (err == nil || !strings.Contains(err.Error(), tt.waitErr)):
				t.Errorf("revoke: %v, want an error containing %q", err, tt.waitErr)
			}
			// Revoked either way.
			if ts, err := s.ListTokens(context.Background()); err != nil || ts[0].ID != tok.ID || ts[0].RevokedAt == nil {
				t.Errorf("the token is not revoked: %v", err)
			}
		})
	}
}
