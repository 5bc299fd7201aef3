package main

import (
	"context"
	"fmt"

	"github.com/kedja/kedja/demo"
	"github.com/kedja/kedja/store"
)

var seedCommands = []command{
	{name: "demo", summary: "load the public 1177 case of 2019 as demo data (idempotent)", run: runSeedDemo},
}

func runSeedDemo(ctx context.Context, k *cli, args []string) error {
	f, cfg := commonFlags("seed demo", "Load the public 1177 case of 2019 as demo data (idempotent).")
	f.example("kedja seed demo", "kedja seed demo --database-url 'postgres://postgres@127.0.0.1:5432/kedja?sslmode=disable'")
	migrateFlag(f, cfg)
	if err := f.parse(k, args); err != nil {
		return err
	}
	return withStore(ctx, cfg, func(s *store.Store) error {
		if _, err := migrateFirst(ctx, cfg, s); err != nil {
			return err
		}
		loaded, err := demo.Seed(ctx, s, cfg.location)
		if err != nil {
			return err
		}
		if loaded {
			fmt.Fprintln(k.out, "demo data loaded")
		} else {
			fmt.Fprintln(k.out, "demo data already present; nothing changed")
		}
		return nil
	})
}
