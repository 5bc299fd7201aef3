package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// openThrough opens a store on a fresh database through a proxy the test
// can cut.
func openThrough(t *testing.T) (*store.Store, *storetest.Proxy, string) {
	t.Helper()
	dbURL := storetest.Database(t)
	p := storetest.NewProxy(t, dbURL)
	s, err := store.Open(context.Background(), p.URL(t, dbURL), "Europe/Stockholm", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, p, dbURL
}

// fillPool leaves n connections idle in s's pool: n transactions open at
// once each hold one, and return it when they end.
func fillPool(t *testing.T, s *store.Store, n int) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < n; i++ {
		tx, err := s.DB().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, `SELECT 1`); err != nil {
			t.Fatal(err)
		}
	}
}

// A pooled connection whose server went away is dropped before use, so the
// first request after a restart does not fail for it: the health check
// tells the truth on its first call.
func TestDeadPooledConnectionsAreDroppedBeforeUse(t *testing.T) {
	tests := []struct {
		name string
		kill func(t *testing.T, s *store.Store, p *storetest.Proxy)
	}{
		{"server terminates them (as a restart does)", func(t *testing.T, s *store.Store, p *storetest.Proxy) {
			owner := storetest.Owner(t, s.DB())
			var n int
			if err := owner.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&n); err != nil || n < 3 {
				t.Fatalf("terminated %d backends: %v", n, err)
			}
		}},
		{"network cuts them", func(t *testing.T, s *store.Store, p *storetest.Proxy) {
			p.Cut()
			p.Restore()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, p, _ := openThrough(t)
			fillPool(t, s, 3)
			tt.kill(t, s, p)
			// pg_terminate_backend returns before the backend has gone;
			// the connections are dead once the server's FATAL or the
			// close has reached them, which a new connection's round
			// trip orders after.
			if err := s.Services().Ping(context.Background()); err != nil {
				t.Fatalf("first ping after the connections died: %v", err)
			}
			if got := s.Stats().DroppedDead(); got < 1 {
				t.Errorf("dropped %d dead connections; want at least 1", got)
			}
			for i := 0; i < 3; i++ {
				if err := s.Services().Ping(context.Background()); err != nil {
					t.Errorf("ping %d: %v", i+2, err)
				}
			}
		})
	}
}

// While the database cannot be reached, errors say UNAVAILABLE (callers
// answer 503 and try again); errors of the query itself stay as they are;
// once the database is back the same store serves again.
func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	s, p, _ := openThrough(t)
	ctx := context.Background()
	fillPool(t, s, 2)
	p.Cut()
	tests := []struct {
		name string
		run  func() error
	}{
		{"ping", func() error { return s.Services().Ping(ctx) }},
		{"a read", func() error { _, err := s.Services().Tokens.ListTokens(ctx); return err }},
		{"a transaction", func() error {
			tx, err := s.DB().BeginTx(ctx, nil)
			if err == nil {
				tx.Rollback()
			}
			return err
		}},
	}
	for _, tt := range tests {
		t.Run("cut/"+tt.name, func(t *testing.T) {
			err := tt.run()
			if registry.ErrorCode(err) != registry.EUnavailable {
				t.Errorf("got %v (code %s); want UNAVAILABLE", err, registry.ErrorCode(err))
			}
		})
	}
	p.Restore()
	for _, tt := range tests {
		t.Run("restored/"+tt.name, func(t *testing.T) {
			if err := tt.run(); err != nil {
				t.Errorf("after the database came back: %v", err)
			}
		})
	}
	t.Run("bad SQL is not unavailable", func(t *testing.T) {
		_, err := s.DB().ExecContext(ctx, `SELEC 1`)
		if err == nil || registry.ErrorCode(err) == registry.EUnavailable {
			t.Errorf("got %v; want a syntax error, not UNAVAILABLE", err)
		}
	})
}
