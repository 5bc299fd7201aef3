package main

import (
	"context"
	"fmt"

	"github.com/kedja/kedja/migrations"
	"github.com/kedja/kedja/store"
)

func runMigrate(ctx context.Context, k *cli, args []string) error {
	fs, cfg := commonFlags("migrate", "Apply the database migrations (idempotent; safe to run from several instances at once).")
	createDB := fs.Bool("create-database", false, "create the database the URL names if it does not exist")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *createDB {
		created, err := store.CreateDatabase(ctx, cfg.databaseURL)
		if err != nil {
			return err
		}
		if created {
			fmt.Fprintln(k.out, "created the database")
		}
	}
	return withStore(ctx, cfg, func(s *store.Store) error {
		applied, err := migrations.Apply(ctx, s.DB())
		if err != nil {
			return err
		}
		fmt.Fprintf(k.out, "applied %d migration(s) %v\n", len(applied), applied)
		return nil
	})
}
