package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/kedja/kedja/demo"
	"github.com/kedja/kedja/migrations"
	"github.com/kedja/kedja/store"
)

func runSeed(ctx context.Context, args []string, out io.Writer) error {
	if len(args) < 1 || args[0] != "demo" {
		return errors.New(`usage: kedja seed demo [--database-url URL]`)
	}
	fs, cfg := commonFlags("seed demo", "Load the public 1177 case of 2019 as demo data (idempotent).")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	return withStore(ctx, cfg, func(s *store.Store) error {
		if _, err := migrations.Apply(ctx, s.DB()); err != nil {
			return err
		}
		loaded, err := demo.Seed(ctx, s, cfg.location)
		if err != nil {
			return err
		}
		if loaded {
			fmt.Fprintln(out, "demo data loaded")
		} else {
			fmt.Fprintln(out, "demo data already present; nothing changed")
		}
		return nil
	})
}
