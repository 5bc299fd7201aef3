package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/kedja/kedja/demo"
	"github.com/kedja/kedja/store"
)

func runBench(ctx context.Context, k *cli, args []string) error {
	fs, cfg := commonFlags("bench", "Time chain and traceCall for random controllers and instants of a generated registry.")
	n := fs.Int("n", 1000, "operations of each kind")
	first := fs.Int64("first", 0, "first controller id (kedja gen prints it)")
	last := fs.Int64("last", 0, "last controller id")
	seed := fs.Uint64("seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *first <= 0 || *last < *first || *n < 1 {
		return errors.New("give --first and --last as kedja gen printed them, and --n of at least 1")
	}
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
