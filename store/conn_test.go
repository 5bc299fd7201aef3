package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/lib/pq"

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
			var pids []int64
			if err := owner.QueryRow(`SELECT array_agg(pid) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(pq.Array(&pids)); err != nil || len(pids) < 3 {
				t.Fatalf("backends %v: %v", pids, err)
			}
			if _, err := owner.Exec(`SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) pid`, pq.Array(pids)); err != nil {
				t.Fatal(err)
			}
			// pg_terminate_backend only signals. Once the backends have
			// exited, their FATAL and close have reached the proxy; the
			// proxy passes the close on to kedja's sockets as it sees it.
			deadline := time.Now().Add(30 * time.Second)
			for {
				var left int
				if err := owner.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1)`, pq.Array(pids)).Scan(&left); err != nil {
					t.Fatal(err)
				}
				if left == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%d terminated backends still there after 30 s", left)
				}
				time.Sleep(10 * time.Millisecond) // polling the server's own view, not guessing a delay
			}
			p.Drain()
		}},
		{"network cuts them", func(t *testing.T, s *store.Store, p *storetest.Proxy) {
			p.Cut()
			p.Drain()
			p.Restore()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, p, _ := openThrough(t)
			fillPool(t, s, 3)
			tt.kill(t, s, p)
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
