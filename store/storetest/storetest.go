// Package storetest gives each test a fresh PostgreSQL database of its own,
// migrated, and drops it when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/kedja/kedja/migrations"
	"github.com/kedja/kedja/store"
)

// DefaultURL is the server tests use when KEDJA_PG_URL is not set: the one a
// development machine normally runs.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// ServerURL is the URL of a database on the test server, for creating others.
func ServerURL() string {
	if u := os.Getenv("KEDJA_PG_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// EmptyDatabase creates a database with nothing in it and returns its URL.
func EmptyDatabase(tb testing.TB) string {
	tb.Helper()
	admin, err := sql.Open("postgres", ServerURL())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { admin.Close() })
	if err := admin.Ping(); err != nil {
		tb.Fatalf("no PostgreSQL at KEDJA_PG_URL or %s (run the tests with make test): %v", DefaultURL, err)
	}
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	name := "kedja_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE DATABASE ` + pq.QuoteIdentifier(name)); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + pq.QuoteIdentifier(name) + ` WITH (FORCE)`); err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(ServerURL())
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Database creates a migrated database and returns its URL.
func Database(tb testing.TB) string {
	tb.Helper()
	u := EmptyDatabase(tb)
	db, err := sql.Open("postgres", u)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if _, err := migrations.Apply(context.Background(), db); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return u
}

// Store opens a store on a fresh migrated database.
func Store(tb testing.TB) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), Database(tb), "Europe/Stockholm", time.Minute)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}
