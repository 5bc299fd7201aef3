package demo_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kedja/kedja/demo"
	"github.com/kedja/kedja/store/storetest"
)

// Seeding twice, or twice at once, loads the demo data exactly once.
func TestSeedIsIdempotentUnderConcurrency(t *testing.T) {
	s := storetest.Store(t)
	loc, _ := time.LoadLocation("Europe/Stockholm")
	var wg sync.WaitGroup
	loaded := make([]bool, 3)
	errs := make([]error, 3)
	for i := range loaded {
		wg.Add(1)
		go func() {
			defer wg.Done()
			loaded[i], errs[i] = demo.Seed(context.Background(), s, loc)
		}()
	}
	wg.Wait()
	n := 0
	for i := range loaded {
		if errs[i] != nil {
			t.Fatalf("seed %d: %v", i, errs[i])
		}
		if loaded[i] {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d seeds loaded the data, want exactly 1", n)
	}
	var medhelp, links int
	db := s.DB()
	if err := db.QueryRow(`SELECT count(*) FROM organisations WHERE legal_name = $1`, demo.Marker).Scan(&medhelp); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM links`).Scan(&links); err != nil {
		t.Fatal(err)
	}
	if medhelp != 1 || links != 10 {
		t.Errorf("got %d Medhelp and %d links, want 1 and 10 (3 regions x 2, Medhelp x 2, Medicall x 1, Kalmar x 1 as an assumption)", medhelp, links)
	}
	again, err := demo.Seed(context.Background(), s, loc)
	if err != nil || again {
		t.Errorf("seeding a seeded registry: loaded %v, err %v; want false, nil", again, err)
	}
}
