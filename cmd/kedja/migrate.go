package main

import (
	"context"
	"fmt"

	"github.com/kedja/kedja/migrations"
	"github.com/kedja/kedja/store"
)

func runMigrate(ctx context.Context, k *cli, args []string) error {
	f, cfg := commonFlags("migrate", "Apply the database migrations (idempotent; safe to run from several instances at once).")
	createDB := f.Bool("create-database", false, "create the database the URL names if it does not exist")
	f.example("kedja migrate --create-database --database-url 'postgres://postgres@127.0.0.1:5432/kedja?sslmode=disable'",
		"DATABASE_URL=postgres://kedja@db.internal/kedja kedja migrate")
	if err := f.parse(k, args); err != nil {
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
