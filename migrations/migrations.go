// Package migrations holds the registry's SQL schema and applies it in order,
// once, under a lock so that two instances starting together do not race.
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
// skips it. Running Apply again applies nothing.
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
	return applied, nil
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
