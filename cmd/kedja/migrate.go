package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"

	"github.com/kedja/kedja/migrations"
	"github.com/kedja/kedja/store"
)

func runMigrate(ctx context.Context, k *cli, args []string) error {
	f, cfg := commonFlags("migrate", "Apply the database migrations, then grant the service role "+migrations.ServiceRole+
		" its privileges (idempotent; safe to run from several instances at once). Run it as the tables' owner.")
	createDB := f.Bool("create-database", false, "create the database the URL names if it does not exist")
	migrateFlag(f, cfg)
	f.example("kedja migrate --create-database --migrate-url 'postgres://postgres@127.0.0.1:5432/kedja?sslmode=disable'",
		"KEDJA_MIGRATE_URL=postgres://kedja_owner@db.internal/kedja kedja migrate")
	if err := f.parse(k, args); err != nil {
		return err
	}
	url := cfg.ownerURL()
	if url == "" {
		return errors.New("no database: pass the tables' owner's URL with --migrate-url (or set KEDJA_MIGRATE_URL)")
	}
	if err := cfg.loadZone(); err != nil {
		return err
	}
	if *createDB {
		created, err := store.CreateDatabase(ctx, url)
		if err != nil {
			return err
		}
		if created {
			fmt.Fprintln(k.out, "created the database")
		}
	}
	applied, err := migrateAsOwner(ctx, url)
	if err != nil {
		return err
	}
	fmt.Fprintf(k.out, "applied %d migration(s) %v\n", len(applied), applied)
	return nil
}

// migrateFlag adds --migrate-url: the connection string of the tables'
// owner, which migrating needs and the running service must not hold.
func migrateFlag(f *flags, cfg *config) {
	f.StringVar(&cfg.migrateURL, "migrate-url", "URL", os.Getenv("KEDJA_MIGRATE_URL"),
		"the tables' owner's PostgreSQL connection string, to migrate with")
	f.env("migrate-url", "KEDJA_MIGRATE_URL")
	f.lookup("migrate-url").secret = true
}

// ownerURL is the owner's URL, or, without one, the URL the command was
// given: a database migrated by whoever connects with it owns its tables.
func (cfg *config) ownerURL() string {
	if cfg.migrateURL != "" {
		return cfg.migrateURL
	}
	return cfg.databaseURL
}

// migrateAsOwner applies the migrations through a connection of their own,
// closed before it returns, so the owner's credentials are used and let go.
func migrateAsOwner(ctx context.Context, url string) ([]string, error) {
	db, err := sql.Open("postgres", url)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return migrations.Apply(ctx, db)
}

// migrateFirst brings the database up to date before a command that needs
// it. Given the owner's URL it migrates through that, then lets it go.
// Without it the database must already be current, unless the command's own
// URL is the owner's (a one-role setup, which kedja serve warns about).
func migrateFirst(ctx context.Context, cfg *config, s *store.Store) ([]string, error) {
	if cfg.migrateURL != "" {
		return migrateAsOwner(ctx, cfg.migrateURL)
	}
	pending, err := migrations.Pending(ctx, s.DB())
	if err != nil || len(pending) == 0 {
		return nil, err
	}
	applied, err := migrations.Apply(ctx, s.DB())
	if err != nil {
		return applied, fmt.Errorf("%d migration(s) pending, and migrating needs the tables' owner: "+
			"run kedja migrate as the owner or give --migrate-url (KEDJA_MIGRATE_URL): %w", len(pending), err)
	}
	return applied, nil
}
