package store_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"

	"github.com/kedja/kedja/store/storetest"
)

// TestPoolKeepsItsConnectionsBetweenBursts: requests in flight together
// each take a connection; when they end, the pool keeps every one it may
// open instead of closing those past a smaller idle count, which the next
// burst would open again as new backends with cold caches (issue 18).
func TestPoolKeepsItsConnectionsBetweenBursts(t *testing.T) {
	s := storetest.Store(t)
	db := s.DB()
	max := db.Stats().MaxOpenConnections
	if max < 2 {
		t.Fatalf("the pool may open %d connections; a bound of at least 2 was expected", max)
	}
	cases := []struct {
		name   string
		bursts int
		width  int // connections held at once in each burst
	}{
		{"OneBurstAtTheBound", 1, max},
		{"ThreeBurstsAtTheBound", 3, max},
		{"BurstsBelowTheBound", 3, max - 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			before := db.Stats()
			for range c.bursts {
				holdTogether(t, ctx, db, c.width)
			}
			after := db.Stats()
			if closed := after.MaxIdleClosed - before.MaxIdleClosed; closed != 0 {
				t.Errorf("%d connections were closed on release after %d bursts of %d (pool of %d)", closed, c.bursts, c.width, max)
			}
			if after.OpenConnections < c.width {
				t.Errorf("%d connections open after the bursts, want at least %d", after.OpenConnections, c.width)
			}
		})
	}
}

// holdTogether takes n connections at once (each caller waits until all
// hold one, so none is reused within the burst), then returns them.
func holdTogether(t *testing.T, ctx context.Context, db *sql.DB, n int) {
	t.Helper()
	var all, held sync.WaitGroup
	all.Add(n)
	held.Add(n)
	errs := make(chan error, n)
	for range n {
		go func() {
			defer all.Done()
			conn, err := db.Conn(ctx)
			held.Done()
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			held.Wait()
			if err := conn.PingContext(ctx); err != nil {
				errs <- err
			}
		}()
	}
	all.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
