package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/kedja/kedja/demo"
	"github.com/kedja/kedja/store"
)

func runBench(ctx context.Context, k *cli, args []string) error {
	f, cfg := commonFlags("bench", "Time chain and traceCall for random controllers and instants of a generated registry.")
	first := f.Int64("first", "ID", 0, "first controller id (kedja gen prints it)")
	last := f.Int64("last", "ID", 0, "last controller id (kedja gen prints it)")
	n := f.Int("n", "N", 1000, "operations of each kind")
	seed := f.Uint64("seed", "N", 1, "random seed")
	f.require("first", "last")
	f.example("kedja bench --first 22 --last 221", "kedja bench --first 22 --last 221 -n 1000 --seed 2")
	if err := f.parse(k, args); err != nil {
		return err
	}
	if *first <= 0 || *last < *first || *n < 1 {
		return errors.New("give --first and --last as kedja gen printed them, and -n of at least 1")
	}
	// The operations run with the collector settings kedja serve runs
	// with (GOGC and GOMEMLIMIT still override them): a trace allocates
	// its whole answer, and at Go's defaults the collector's work shows in
	// the figures as it would not in the service's. The line says which.
	fmt.Fprintln(k.out, tuneGC(os.Getenv))
	return withStore(ctx, cfg, func(s *store.Store) error {
		results, err := demo.Bench(ctx, s, *first, *last, *n, *seed, k.errOut)
		if err != nil {
			return err
		}
		for _, r := range results {
			fmt.Fprintln(k.out, r)
		}
		return nil
	})
}
