package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
)

// BenchResult is what one kind of operation measured.
type BenchResult struct {
	Name                     string
	N                        int
	P50, P95, P99, Max, Mean time.Duration
	StatementsPerOp          float64
	MeanSize                 float64 // steps walked, or holders traced
}

func (b BenchResult) String() string {
	return fmt.Sprintf("%-9s n=%d  p50 %-8v p95 %-8v p99 %-8v max %-8v  %.1f statements/op  %.0f %s/op",
		b.Name, b.N, b.P50.Round(10*time.Microsecond), b.P95.Round(10*time.Microsecond), b.P99.Round(10*time.Microsecond),
		b.Max.Round(10*time.Microsecond), b.StatementsPerOp, b.MeanSize, map[string]string{"chain": "steps", "traceCall": "holders"}[b.Name])
}

// Bench runs n chains and n traces for random controllers in [first, last]
// at random instants between 2005 and 2026, one after another, and reports
// their latency percentiles. The seed makes runs comparable.
func Bench(ctx context.Context, s *store.Store, first, last int64, n int, seed uint64, progress io.Writer) ([]BenchResult, error) {
	rng := rand.New(rand.NewPCG(seed, seed))
	from := time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC)
	span := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Sub(from)
	pick := func() (int64, time.Time) {
		return first + rng.Int64N(last-first+1), from.Add(time.Duration(rng.Int64N(int64(span))))
	}
	run := func(name string, op func(root int64, at time.Time) (int, error)) (BenchResult, error) {
		times := make([]time.Duration, 0, n)
		stmts := s.Statements()
		size := 0
		for i := 0; i < n; i++ {
			root, at := pick()
			t0 := time.Now()
			k, err := op(root, at)
			if err != nil {
				return BenchResult{}, err
			}
			times = append(times, time.Since(t0))
			size += k
			if progress != nil && (i+1)%100 == 0 {
				fmt.Fprintf(progress, "\r%-9s %d/%d", name, i+1, n)
			}
		}
		if progress != nil {
			fmt.Fprint(progress, "\r")
		}
		slices.Sort(times)
		var sum time.Duration
		for _, t := range times {
			sum += t
		}
		q := func(p float64) time.Duration { return times[min(int(p*float64(len(times))), len(times)-1)] }
		return BenchResult{Name: name, N: n, P50: q(0.50), P95: q(0.95), P99: q(0.99), Max: times[len(times)-1],
			Mean: sum / time.Duration(n), StatementsPerOp: float64(s.Statements()-stmts) / float64(n),
			MeanSize: float64(size) / float64(n)}, nil
	}
	chain, err := run("chain", func(root int64, at time.Time) (int, error) {
		steps, _, err := s.Walk(ctx, root, at, registry.WalkOptions{})
		return len(steps), err
	})
	if err != nil {
		return nil, err
	}
	trace, err := run("traceCall", func(root int64, at time.Time) (int, error) {
		t, err := s.TraceCall(ctx, "kedja bench", root, at, "BENCH", registry.TraceOptions{})
		return len(t.Holders), err
	})
	if err != nil {
		return nil, err
	}
	return []BenchResult{chain, trace}, nil
}
