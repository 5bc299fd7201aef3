package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"

	"github.com/lib/pq"
)

// CreateDatabase creates the database a postgres:// URL names, if it does not
// exist, by connecting to the same server's "postgres" database. It returns
// whether it created it.
func CreateDatabase(ctx context.Context, dbURL string) (bool, error) {
	u, err := url.Parse(dbURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return false, fmt.Errorf("store: --create-database needs a postgres:// URL")
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		return false, fmt.Errorf("store: the URL names no database")
	}
	admin := *u
	admin.Path = "/postgres"
	db, err := sql.Open("postgres", admin.String())
	if err != nil {
		return false, err
	}
	defer db.Close()
	var exists bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return false, fmt.Errorf("store: connect to %s: %w", admin.Host, err)
	}
	if exists {
		return false, nil
	}
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name)); err != nil {
		// A concurrent creator may have won the race; that is success too.
		if pe, ok := err.(*pq.Error); ok && pe.Code == "42P04" {
			return false, nil
		}
		return false, fmt.Errorf("store: create database %s: %w", name, err)
	}
	return true, nil
}

// CanRewriteAudit tells whether the store's database role may change or
// remove audit log rows, or act as the owner of the audit log (and so
// disable its guards): what the service role may not. kedja serve warns
// when it runs with such credentials.
func (s *Store) CanRewriteAudit(ctx context.Context) (bool, error) {
	var can bool
	err := s.db.QueryRowContext(ctx, `SELECT has_table_privilege(c.oid, 'UPDATE') OR has_table_privilege(c.oid, 'DELETE')
		OR has_table_privilege(c.oid, 'TRUNCATE') OR pg_has_role(c.relowner, 'MEMBER')
		FROM pg_class c WHERE c.oid = 'audit_log'::regclass`).Scan(&can)
	if err != nil {
		return false, fmt.Errorf("store: audit log privileges: %w", err)
	}
	return can, nil
}
