// Package storetest gives each test a fresh PostgreSQL database of its own,
// migrated by its owner and used as the service role, and drops it when the
// test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
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

var dropStale sync.Once

// hostTag names this machine in test database names, so that a run only ever
// drops the leftovers of processes on its own machine.
func hostTag() string {
	h, _ := os.Hostname()
	sum := sha256.Sum256([]byte(h))
	return hex.EncodeToString(sum[:3])
}

// dropStaleDatabases drops the test databases that processes of this machine
// left behind when they died before their cleanup ran (a crash, kill -9, a
// timeout): those whose process is gone. Databases of tests still running,
// here or on another machine, are left alone.
func dropStaleDatabases(tb testing.TB, admin *sql.DB) {
	// Names from before the process was part of the name (kedja_test_HEX)
	// count as stale once nobody is connected to them.
	rows, err := admin.Query(`SELECT datname, EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)
		FROM pg_database d WHERE datname LIKE 'kedja\_test\_%'`)
	if err != nil {
		tb.Fatalf("list test databases: %v", err)
	}
	var stale []string
	for rows.Next() {
		var name string
		var inUse bool
		if err := rows.Scan(&name, &inUse); err != nil {
			tb.Fatal(err)
		}
		parts := strings.Split(name, "_") // kedja test HOST PID RANDOM
		if len(parts) == 3 && !inUse {
			stale = append(stale, name)
			continue
		}
		if len(parts) != 5 || parts[2] != hostTag() {
			continue
		}
		pid, err := strconv.Atoi(parts[3])
		if err != nil || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			stale = append(stale, name)
		}
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	rows.Close()
	for _, name := range stale {
		if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + pq.QuoteIdentifier(name) + ` WITH (FORCE)`); err != nil {
			tb.Logf("drop stale test database %s: %v", name, err)
		}
	}
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
	dropStale.Do(func() { dropStaleDatabases(tb, admin) })
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	name := fmt.Sprintf("kedja_test_%s_%d_%s", hostTag(), os.Getpid(), hex.EncodeToString(b))
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

// ServicePasswordEnv names the variable that holds the service role's
// password, for a test server that does not trust local connections. Unset,
// the role logs in without one (trust authentication, as scripts/with-postgres
// and a development server give).
const ServicePasswordEnv = "KEDJA_PG_SERVICE_PASSWORD"

var setPassword sync.Once

// Database creates a database migrated by its owner and returns its URL as
// the service role (migrations.ServiceRole), which is how kedja runs: a test
// through it proves that kedja works with the service's privileges alone.
// OwnerURL gives the owner's URL of the same database.
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
	if pw := os.Getenv(ServicePasswordEnv); pw != "" {
		// The role is the cluster's: give it its password once, after a
		// migration has created it.
		setPassword.Do(func() {
			if _, err := db.Exec(`ALTER ROLE ` + pq.QuoteIdentifier(migrations.ServiceRole) + ` PASSWORD ` + pq.QuoteLiteral(pw)); err != nil {
				tb.Fatalf("set the service role's password: %v", err)
			}
		})
	}
	return ServiceURL(tb, u)
}

// ServiceURL is dbURL with the service role as its user.
func ServiceURL(tb testing.TB, dbURL string) string {
	tb.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	if pw := os.Getenv(ServicePasswordEnv); pw != "" {
		u.User = url.UserPassword(migrations.ServiceRole, pw)
	} else {
		u.User = url.User(migrations.ServiceRole)
	}
	return u.String()
}

// OwnerURL is dbURL (a test database's, as any role) with the test server's
// user, who owns the test databases: for tests that migrate or tamper.
func OwnerURL(tb testing.TB, dbURL string) string {
	tb.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	server, err := url.Parse(ServerURL())
	if err != nil {
		tb.Fatal(err)
	}
	u.User = server.User
	return u.String()
}

// Owner connects to the database db is connected to as its owner, for a
// test that must do what the service role may not (tamper with the audit
// log, rename a table to break the service). It closes when the test ends.
func Owner(tb testing.TB, db *sql.DB) *sql.DB {
	tb.Helper()
	var name string
	if err := db.QueryRow(`SELECT current_database()`).Scan(&name); err != nil {
		tb.Fatal(err)
	}
	u, err := url.Parse(ServerURL())
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	owner, err := sql.Open("postgres", u.String())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { owner.Close() })
	return owner
}

// AuditKey is the audit key of the stores Store opens: a test's own, never
// a deployment's.
var AuditKey = []byte("kedja storetest audit key, for tests only")

// Store opens a store, as the service role, on a fresh migrated database,
// keyed with AuditKey.
func Store(tb testing.TB) *store.Store {
	tb.Helper()
	return StoreOn(tb, Database(tb))
}

// StoreOn opens a store on the database url names (Database's), keyed with
// AuditKey and closed when the test ends: for a test that opens several
// stores on one database, or prepares the database before the store
// connects.
func StoreOn(tb testing.TB, url string) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), url, "Europe/Stockholm", time.Minute)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	if err := s.SetAuditKey(AuditKey); err != nil {
		tb.Fatal(err)
	}
	return s
}
