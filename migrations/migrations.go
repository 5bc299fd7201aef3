// Package migrations holds the registry's SQL schema and applies it in order,
// once, under a lock so that two instances starting together do not race,
// then grants the service's database role what it may do.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.sql
var files embed.FS

// lockKey is the advisory lock every migrating instance takes; the value is
// arbitrary but must never change.
const lockKey = 0x6b65646a61 // "kedja"

// ServiceRole is the database role the running service connects as. Apply,
// run as the tables' owner, creates it if it is missing and grants it what
// 0019_service_role.sql says: the registry to read and write, the
// append-only tables (the audit log among them) only to read and append to.
const ServiceRole = "kedja_service"

// Migration is one SQL file, named NNNN_description.sql.
type Migration struct {
	Version string
	SQL     string
}

// All returns the embedded migrations in the order they apply.
func All() ([]Migration, error) {
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]Migration, 0, len(names))
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: strings.TrimSuffix(n, ".sql"), SQL: string(b)})
	}
	return out, nil
}

// Apply brings the database up to date and returns the versions it applied.
// Each migration runs in its own transaction holding a transaction-level
// advisory lock, so a concurrent instance waits, then sees it applied and
// skips it. Running Apply again applies nothing. Apply then grants
// ServiceRole its privileges again (Grant), so that every table, including
// those the migrations just added, is covered. db must connect as the
// tables' owner.
func Apply(ctx context.Context, db *sql.DB) ([]string, error) {
	all, err := All()
	if err != nil {
		return nil, fmt.Errorf("migrations: read: %w", err)
	}
	if err := createVersionTable(ctx, db); err != nil {
		return nil, fmt.Errorf("migrations: version table: %w", err)
	}
	var applied []string
	for _, m := range all {
		done, err := applyOne(ctx, db, m)
		if err != nil {
			return applied, fmt.Errorf("migrations: %s: %w", m.Version, err)
		}
		if done {
			applied = append(applied, m.Version)
		}
	}
	if err := Grant(ctx, db, ServiceRole); err != nil {
		return applied, err
	}
	return applied, nil
}

// Grant creates role if it is missing and (re)applies its privileges to
// every table, sequence and function of the schema, under the migrations'
// lock; kedja_grant_service (0019_service_role.sql) says what they are.
func Grant(ctx context.Context, db *sql.DB, role string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrations: grant: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey); err != nil {
		return fmt.Errorf("migrations: grant: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `SELECT kedja_grant_service($1)`, role); err != nil {
		return fmt.Errorf("migrations: grant %s its privileges: %w", role, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrations: grant: %w", err)
	}
	return nil
}

// Pending returns the versions not yet applied. It only reads, so the
// service role may call it to find out whether the owner has to migrate.
func Pending(ctx context.Context, db *sql.DB) ([]string, error) {
	all, err := All()
	if err != nil {
		return nil, fmt.Errorf("migrations: read: %w", err)
	}
	done := map[string]bool{}
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("migrations: pending: %w", err)
	}
	if exists {
		rows, err := db.QueryContext(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return nil, fmt.Errorf("migrations: pending: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				return nil, err
			}
			done[v] = true
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("migrations: pending: %w", err)
		}
	}
	var pending []string
	for _, m := range all {
		if !done[m.Version] {
			pending = append(pending, m.Version)
		}
	}
	return pending, nil
}

func applyOne(ctx context.Context, db *sql.DB, m Migration) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey); err != nil {
		return false, err
	}
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, m.Version).Scan(&exists); err != nil {
		return false, err
	}
	if exists {
		return false, nil
	}
	// Without parameters lib/pq sends the file as one simple query, so a
	// migration may hold many statements.
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, m.Version); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// createVersionTable creates the version table under the lock: two instances
// running CREATE TABLE IF NOT EXISTS at once can otherwise both try to create
// it, and one fails on the catalogue's unique index.
func createVersionTable(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return err
	}
	return tx.Commit()
}
