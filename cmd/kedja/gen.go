package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/kedja/kedja/demo"
	"github.com/kedja/kedja/store"
)

func runGen(ctx context.Context, k *cli, args []string) error {
	f, cfg := commonFlags("gen", "Fill the registry with a synthetic one for benchmarks: about 20,000 organisations, 100,000 systems and 1,000,000 links at --scale 1.")
	scale := f.Float64("scale", "FACTOR", 1, "size relative to the full synthetic registry, above 0 and at most 10")
	createDB := f.Bool("create-database", false, "create the database the URL names if it does not exist")
	f.example("kedja gen --create-database --database-url 'postgres://postgres@127.0.0.1:5432/kedja_bench?sslmode=disable'",
		"kedja gen --scale 0.1")
	migrateFlag(f, cfg)
	if err := f.parse(k, args); err != nil {
		return err
	}
	if *scale <= 0 || *scale > 10 {
		return errors.New("--scale: give a number above 0 and at most 10")
	}
	if *createDB {
		if _, err := store.CreateDatabase(ctx, cfg.ownerURL()); err != nil {
			return err
		}
	}
	return withStore(ctx, cfg, func(s *store.Store) error {
		if _, err := migrateFirst(ctx, cfg, s); err != nil {
			return err
		}
		first, last, err := demo.Generate(ctx, s.DB(), demo.Scaled(*scale), k.errOut)
		if err != nil {
			return err
		}
		fmt.Fprintf(k.out, "generated; controllers are organisations %d to %d (kedja bench --first %d --last %d)\n", first, last, first, last)
		return nil
	})
}
