package demo_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/kedja/kedja/demo"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store/storetest"
)

func TestGenerateMakesTheShapeAsked(t *testing.T) {
	s := storetest.Store(t)
	size := demo.Scaled(0.002) // the 40-organisation minimum
	first, last, err := demo.Generate(context.Background(), s.DB(), size, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var orgs, systems, links, uses, open int
	db := s.DB()
	for q, dst := range map[string]*int{
		`SELECT count(*) FROM organisations WHERE legal_name LIKE 'Synthetic%'`:       &orgs,
		`SELECT count(*) FROM systems`:                                                &systems,
		`SELECT count(*) FROM links`:                                                  &links,
		`SELECT count(*) FROM system_uses`:                                            &uses,
		`SELECT count(*) FROM links WHERE valid @> CAST('2020-06-01' AS timestamptz)`: &open,
	} {
		if err := db.QueryRow(q).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	// Tiers of 1%, 9% and 30% (at least 1, 3 and 9) hand data on.
	parents := 1 + 3 + 12
	if orgs != size.Organisations || systems != orgs*size.SystemsPerOrg {
		t.Errorf("got %d organisations and %d systems, want %d and %d", orgs, systems, size.Organisations, size.Organisations*size.SystemsPerOrg)
	}
	if want := parents * size.FanOut * size.Periods; links != want || uses != want {
		t.Errorf("got %d links and %d uses, want %d of each", links, uses, want)
	}
	if open != parents*size.FanOut {
		t.Errorf("links valid at one instant: %d, want %d (fan-out %d each)", open, parents*size.FanOut, size.FanOut)
	}
	if last < first {
		t.Fatalf("controllers %d..%d", first, last)
	}
	results, err := demo.Bench(context.Background(), s, first, last, 5, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.MeanSize == 0 {
			t.Errorf("%s reached nothing on a generated registry", r.Name)
		}
	}
}

// BenchmarkTrace times traceCall and chain on a small generated registry;
// kedja gen + kedja bench measure the full-size one (see the README).
func BenchmarkTrace(b *testing.B) {
	s := storetest.Store(b)
	ctx := context.Background()
	first, last, err := demo.Generate(ctx, s.DB(), demo.Scaled(0.02), io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	at := time.Date(2017, 3, 11, 1, 0, 0, 0, time.UTC)
	b.Run("chain", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, _, err := s.Walk(ctx, first+int64(i)%(last-first+1), at, registry.WalkOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("traceCall", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := s.TraceCall(ctx, "bench", first+int64(i)%(last-first+1), at, "BENCH", registry.TraceOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
