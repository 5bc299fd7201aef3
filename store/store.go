// Package store keeps the registry in PostgreSQL: every read and write of
// registry data goes through it, each write in one transaction that records
// who made it.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

// Store is the registry's PostgreSQL storage.
type Store struct {
	db *sqlx.DB
	// stats counts the statements run through db (store/conn.go).
	stats *DBStats
	stmts sync.Map // query text -> *sqlx.Stmt
	// traceRead, set only by tests, is called after each read a trace
	// makes with its name, so a test can change the registry between two
	// of them and show that the trace still sees one state.
	traceRead func(read string)
	// runHook, set only by tests (SetRunHook), is called in every check
	// run's transaction once its check locks are held, before the work.
	runHook func(context.Context, registry.RunResult)
	// runGate orders this instance's check runs before they take a
	// connection (store/checkrun.go).
	runGate runGate
	// auditKey keys the audit chain (SetAuditKey); writer is the group
	// commit of audit rows while one runs (StartAuditWriter).
	auditKey []byte
	writer   atomic.Pointer[auditWriter]
	// dsn is what Open connected with: the token cache's listener opens a
	// connection of its own with it (StartTokenCache); tokens is that
	// cache while it runs.
	dsn    string
	tokens atomic.Pointer[tokenCache]
}

// maxConnections bounds the database connections one process holds:
// requests beyond it wait for one (go_sql_wait_count_total counts them).
const maxConnections = 20

// Open connects to PostgreSQL and checks the connection. timeZone is the
// registry's legal time zone: sessions run in it, so that the date of an
// instant (is an attestation valid "on" it? which adequacy decision was in
// force?) is the calendar date people there would name.
//
// A positive statementTimeout bounds every statement of every session, so a
// request cut off by its own timeout does not leave work running in the
// database.
func Open(ctx context.Context, dbURL, timeZone string, statementTimeout time.Duration) (*Store, error) {
	dsn, err := withParams(dbURL, map[string]string{"timezone": timeZone,
		"statement_timeout": strconv.FormatInt(statementTimeout.Milliseconds(), 10)})
	if err != nil {
		return nil, err
	}
	st := &Store{stats: &DBStats{}, dsn: dsn}
	c, err := newConnector(dsn, st.stats)
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	db := sqlx.NewDb(sql.OpenDB(c), "postgres")
	db.SetMaxOpenConns(maxConnections)
	// As many kept idle as may be open: with fewer, every burst past the
	// idle count closed its extra connections on release and opened new
	// ones at the next (40 in 13 s under 16 clients of the nested query of
	// issue 18), each a new backend with cold caches and statements to
	// prepare again. A connection idle for minutes is still closed.
	db.SetMaxIdleConns(maxConnections)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	st.db = db
	return st, nil
}

// withParams adds session parameters to a connection string, URL or
// key=value form, unless it names them already.
func withParams(dsn string, params map[string]string) (string, error) {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("store: database URL: %w", err)
		}
		q := u.Query()
		for _, k := range keys {
			if q.Get(k) == "" && params[k] != "" {
				q.Set(k, params[k])
			}
		}
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	for _, k := range keys {
		if !strings.Contains(dsn, k+"=") && params[k] != "" {
			dsn += " " + k + "='" + strings.ReplaceAll(params[k], "'", `\'`) + "'"
		}
	}
	return dsn, nil
}

// Close closes the connection pool.
func (s *Store) Close() error { return s.db.Close() }

// DB returns the underlying pool, for migrations and health checks.
func (s *Store) DB() *sql.DB { return s.db.DB }

// Stats counts the statements run and the dead pooled connections dropped.
func (s *Store) Stats() *DBStats { return s.stats }

// Statements returns how many SQL statements the store has sent (counted
// by its connections, store/conn.go), so tests can prove that a request
// costs a bounded number of them.
func (s *Store) Statements() int64 { return s.stats.Statements() }

// queryer is what reads need: the pool or a transaction.
type queryer interface {
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// selectx reads rows into dest, a pointer to a slice; registry types with
// list fields are read through their rows (asRow).
func (s *Store) selectx(ctx context.Context, q queryer, dest any, query string, args ...any) error {
	target, scanned := asRow(dest)
	if err := s.selectIn(ctx, q, target, query, args...); err != nil {
		return wrap(query, err)
	}
	scanned()
	return nil
}

// wrap names the statement a database error came from, so that a logged
// internal error says where it happened; callers still see only "internal
// error", and errors.Is/As see through it (codes, cancellation).
func wrap(query string, err error) error {
	if err == nil || registry.AsError(err) != nil {
		return err
	}
	return fmt.Errorf("store: %s: %w", statementName(query), err)
}

// statementName is the start of a statement, its white space folded.
func statementName(query string) string {
	q := strings.Join(strings.Fields(query), " ")
	if len(q) > 80 {
		q = q[:80] + "…"
	}
	return q
}

func (s *Store) selectIn(ctx context.Context, q queryer, dest any, query string, args ...any) error {
	stmt, err := s.preparedFor(ctx, q, query)
	if err != nil {
		return err
	}
	if stmt != nil {
		return stmt.SelectContext(ctx, dest, args...)
	}
	return q.SelectContext(ctx, dest, query, args...)
}

// preparedFor returns query prepared for q when q is the pool or a read
// snapshot (the pool's statement, bound to the snapshot's connection: it is
// prepared there once and stays prepared after the transaction); nil in a
// write transaction, whose statements are run as they are.
func (s *Store) preparedFor(ctx context.Context, q queryer, query string) (*sqlx.Stmt, error) {
	switch q := q.(type) {
	case *sqlx.DB:
		return s.prepared(ctx, query)
	case snapshotTx:
		return s.preparedOn(ctx, q.Tx, query)
	}
	return nil, nil
}

// preparedOn returns the pool's prepared statement for query bound to tx's
// connection.
func (s *Store) preparedOn(ctx context.Context, tx *sqlx.Tx, query string) (*sqlx.Stmt, error) {
	stmt, err := s.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	return tx.StmtxContext(ctx, stmt), nil
}

// execPrepared runs a statement whose text is fixed (a constant of this
// package, never built from input) as a prepared statement in tx: lib/pq
// sends a statement with parameters in two round trips (parse, then bind
// and execute) and a prepared one in one. For the statements every write or
// every trace runs; a write's other statements are not kept prepared, since
// some are built per call.
func (s *Store) execPrepared(ctx context.Context, tx *sqlx.Tx, query string, args ...any) (int64, error) {
	stmt, err := s.preparedOn(ctx, tx, query)
	if err != nil {
		return 0, wrap(query, err)
	}
	res, err := stmt.ExecContext(ctx, args...)
	if err != nil {
		return 0, wrap(query, err)
	}
	return res.RowsAffected()
}

// scanPrepared runs query, a fixed statement text, prepared in tx and scans
// its one row into dest.
func (s *Store) scanPrepared(ctx context.Context, tx *sqlx.Tx, query string, args []any, dest ...any) error {
	stmt, err := s.preparedOn(ctx, tx, query)
	if err != nil {
		return wrap(query, err)
	}
	return stmt.QueryRowContext(ctx, args...).Scan(dest...)
}

// prepared returns a prepared statement for query, preparing it once. Reads
// outside write transactions go through it (read snapshots included):
// planning the recursive walks costs as much as running them, and PostgreSQL
// keeps a prepared statement's plan (it switches to a generic plan once that
// is no worse).
func (s *Store) prepared(ctx context.Context, query string) (*sqlx.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sqlx.Stmt), nil
	}
	st, err := s.db.PreparexContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sqlx.Stmt), nil
	}
	return st, nil
}

// get reads one row, through its row type if it has one (asRow); no row is
// registry.NotFound naming field. Outside write transactions it runs
// prepared, as selectIn does.
func (s *Store) get(ctx context.Context, q queryer, field, what string, dest any, query string, args ...any) error {
	target, scanned := asRow(dest)
	stmt, err := s.preparedFor(ctx, q, query)
	if err == nil {
		if stmt != nil {
			err = stmt.GetContext(ctx, target, args...)
		} else {
			err = q.GetContext(ctx, target, query, args...)
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return registry.NotFound(field, "no %s with that id", what)
	}
	if err != nil {
		return wrap(query, err)
	}
	scanned()
	return nil
}

func (s *Store) exec(ctx context.Context, q queryer, query string, args ...any) (int64, error) {
	res, err := q.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, wrap(query, err)
	}
	return res.RowsAffected()
}

// insert runs a named INSERT ... RETURNING id for arg, bound through its
// row type if it has one (asRow).
func (s *Store) insert(ctx context.Context, tx *sqlx.Tx, query string, arg any) (int64, error) {
	arg, _ = asRow(arg)
	rows, err := tx.NamedQuery(query, arg)
	if err != nil {
		return 0, wrap(query, err)
	}
	defer rows.Close()
	var id int64
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return 0, err
		}
		return 0, errors.New("store: insert returned no id")
	}
	if err := rows.Scan(&id); err != nil {
		return 0, err
	}
	return id, rows.Close()
}

// update runs a named UPDATE for arg, bound through its row type if it has
// one (asRow).
func (s *Store) update(ctx context.Context, tx *sqlx.Tx, query string, arg any) error {
	arg, _ = asRow(arg)
	q, args, err := tx.BindNamed(query, arg)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, q, args...)
	return err
}

type txKey struct{}

// InTx runs fn with a context whose store writes all join one transaction,
// committed when fn returns nil: several writes that belong together (the
// demo data, say) land together or not at all.
func (s *Store) InTx(ctx context.Context, actor string, fn func(ctx context.Context) error) error {
	return s.write(ctx, actor, func(tx *sqlx.Tx) error {
		return fn(context.WithValue(ctx, txKey{}, tx))
	})
}

// q returns the transaction ctx carries (a write's, else a read snapshot's),
// or the pool.
func (s *Store) q(ctx context.Context) queryer {
	if tx, ok := ctx.Value(txKey{}).(*sqlx.Tx); ok {
		return tx
	}
	if tx, ok := ctx.Value(snapshotKey{}).(snapshotTx); ok {
		return tx
	}
	return s.db
}

type snapshotKey struct{}

// snapshotTx is a read-only transaction that several reads share, so that
// selectx can tell it from a write's and keep using prepared statements.
type snapshotTx struct{ *sqlx.Tx }

// snapshot runs fn with a context whose reads all see one state of the
// registry: a READ ONLY REPEATABLE READ transaction, whose snapshot is taken
// at its first statement. Reads that belong together (a trace's walk, its
// systems, moves, parties and countries) then cannot mix a change committed
// between two of them with the state before it. Read only, it takes no row
// locks, never blocks a writer and never fails to serialize. Inside InTx, or
// another snapshot, fn joins that transaction, which already decides what
// is seen.
func (s *Store) snapshot(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := s.q(ctx).(*sqlx.DB); !ok {
		return fn(ctx)
	}
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("store: begin snapshot: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(context.WithValue(ctx, snapshotKey{}, snapshotTx{tx})); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: end snapshot: %w", err)
	}
	return nil
}

// write runs fn in one transaction that records actor as the author of every
// change, and turns constraint violations into errors a caller can act on.
// Nothing of a failed write is kept. Inside InTx it joins that transaction.
func (s *Store) write(ctx context.Context, actor string, fn func(tx *sqlx.Tx) error) error {
	return s.writeAt(ctx, actor, func(tx *sqlx.Tx, _ time.Time) error { return fn(tx) })
}

// writeAt is write for a fn that records the transaction's instant (now())
// as well: writeOn reads it in the statement that records the actor, where
// a SELECT now() of its own would cost a round trip (a stored trace's
// created_at). Inside InTx it is read from the caller's transaction.
func (s *Store) writeAt(ctx context.Context, actor string, fn func(tx *sqlx.Tx, now time.Time) error) error {
	if tx, ok := ctx.Value(txKey{}).(*sqlx.Tx); ok {
		var now time.Time
		if err := s.get(ctx, tx, "", "", &now, `SELECT now()`); err != nil {
			return translate(err)
		}
		return translate(fn(tx, now))
	}
	return translate(s.writeOn(ctx, s.db, actor, fn))
}

// beginner is what a transaction begins on: the pool, or one connection a
// caller keeps (a check run's, which holds a session lock on it).
type beginner interface {
	BeginTxx(ctx context.Context, opts *sql.TxOptions) (*sqlx.Tx, error)
}

// writeOn is write's transaction, begun on b: it records actor as the author
// of every change and keeps nothing of a failed fn. It leaves errors as they
// are; write translates them for API callers, and a check run records them.
func (s *Store) writeOn(ctx context.Context, b beginner, actor string, fn func(tx *sqlx.Tx, now time.Time) error) error {
	if strings.TrimSpace(actor) == "" {
		return errors.New("store: write without an actor")
	}
	tx, err := b.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	// In a request, the write's audit row commits with it (auditWrite):
	// it names what changed from the change record's rows after since.
	pa := registry.PendingAuditOf(ctx)
	var since int64
	var now time.Time
	var set string
	if pa == nil {
		if err := s.scanPrepared(ctx, tx, `SELECT set_config('kedja.actor', $1, true), now()`, []any{actor}, &set, &now); err != nil {
			return fmt.Errorf("store: set actor: %w", err)
		}
	} else {
		defer pa.TakeNotes() // a failed write's notes go with it
		if err := s.scanPrepared(ctx, tx, `SELECT set_config('kedja.actor', $1, true), now(), (SELECT COALESCE(max(id), 0) FROM changes)`,
			[]any{actor}, &set, &now, &since); err != nil {
			return fmt.Errorf("store: set actor: %w", err)
		}
	}
	if err := fn(tx, now); err != nil {
		return err
	}
	if pa == nil {
		return tx.Commit()
	}
	affected, err := s.auditWrite(ctx, tx, pa, since)
	if err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	pa.Committed(affected)
	return nil
}

// fieldOfColumn names, in the API's words, the field a database column holds.
var fieldOfColumn = map[string]string{
	"country_code":              "country",
	"parent_id":                 "parentId",
	"operator_id":               "operatorId",
	"vendor_id":                 "vendorId",
	"system_id":                 "systemId",
	"from_id":                   "fromId",
	"to_id":                     "toId",
	"link_id":                   "linkId",
	"party_id":                  "partyId",
	"org_id":                    "orgId",
	"from_system_id":            "fromSystemId",
	"to_system_id":              "toSystemId",
	"authorising_controller_id": "authorisingControllerId",
	"controller_id":             "controllerId",
	"gateway_id":                "gatewayId",
}

// conflicts explains each uniqueness and overlap constraint.
var conflicts = map[string][2]string{
	"links_no_overlap":                 {"validFrom", "a link between these parties with this role already exists in an overlapping period"},
	"system_profiles_no_overlap":       {"validFrom", "the system already has a profile in an overlapping period"},
	"system_locations_no_overlap":      {"validFrom", "the system already has this location for this purpose in an overlapping period"},
	"system_uses_no_overlap":           {"validFrom", "this party already uses this system on this link in an overlapping period"},
	"eea_memberships_no_overlap":       {"validFrom", "the country already has an EEA membership in an overlapping period"},
	"adequacy_decisions_no_overlap":    {"validFrom", "the country already has an adequacy decision in an overlapping period"},
	"location_policies_no_overlap":     {"validFrom", "the controller already has a location policy in an overlapping period"},
	"access_paths_no_overlap":          {"validFrom", "the system already has this access path (audience, origin, gateway, privilege) in an overlapping period"},
	"system_relations_no_overlap":      {"validFrom", "these systems already have this relation in an overlapping period"},
	"incident_systems_no_overlap":      {"exposureFrom", "another incident of this kind concerns one of these systems in an overlapping window"},
	"organisations_org_number_unique":  {"orgNumber", "an organisation with this number is already registered in this country"},
	"organisations_county_code_unique": {"countyCode", "a region with this county code is already registered"},
}

// translate maps database errors to caller-visible ones where the caller can
// fix them; everything else stays internal (logged, never shown).
func translate(err error) error {
	if registry.AsError(err) != nil {
		return err
	}
	var pe *pq.Error
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "23P01", "23505":
		if c, ok := conflicts[pe.Constraint]; ok {
			return registry.Conflict(c[0], "%s", c[1])
		}
		return registry.Conflict("", "conflicts with an existing record")
	case "23503":
		col := strings.TrimSuffix(strings.TrimPrefix(pe.Constraint, pe.Table+"_"), "_fkey")
		field, ok := fieldOfColumn[col]
		if !ok {
			return err
		}
		if col == "country_code" {
			return registry.Invalid(field, "unknown country code")
		}
		return registry.NotFound(field, "no such %s", strings.TrimSuffix(strings.TrimSuffix(col, "_id"), "_system"))
	case "23514":
		return registry.Invalid("", "breaks the rule %s", pe.Constraint)
	case "22001":
		return registry.Invalid("", "a value is too long")
	case "P0002":
		return registry.Conflict("", "records are never deleted; end them instead")
	}
	return err
}

// nullTime passes an optional instant to SQL.
func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// Lock takes a transaction-level advisory lock named name inside InTx, so
// that concurrent runs of the same one-off job wait for each other.
func (s *Store) Lock(ctx context.Context, name string) error {
	if _, ok := ctx.Value(txKey{}).(*sqlx.Tx); !ok {
		return errors.New("store: Lock outside InTx")
	}
	_, err := s.exec(ctx, s.q(ctx), `SELECT pg_advisory_xact_lock(hashtext($1))`, name)
	return err
}
