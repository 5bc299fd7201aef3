package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

// The check runner: it evaluates the catalogue (checks.go) over the whole
// registry and keeps the findings, on one connection whose session-level
// advisory locks say which runs and slots are alive.

var _ registry.CheckService = (*Store)(nil)

// SetRunHook has every check run call hook in its transaction once its
// check locks are held, before the work; nil removes it. Tests use it to
// hold a run, to make runs overlap or outlast their interval.
func (s *Store) SetRunHook(hook func(context.Context, registry.RunResult)) { s.runHook = hook }

// recordTimeout bounds writing a run's fate after its own context has ended
// (a scheduler stopping, a request gone): the row should still say what
// happened, but shutdown must not hang on a database that does not answer.
const recordTimeout = 10 * time.Second

// RunChecks evaluates checks over the whole registry in one transaction and
// updates the findings: new ones open, ones seen again are refreshed, ones no
// longer true are resolved, resolved ones that return reopen, and accepted
// ones whose acceptance has lapsed count as open again.
//
// Every call that gets as far as the database leaves a row in check_runs.
// The row is claimed with status 'running' and committed before the work
// starts, so that a runner killed mid-run leaves a trace: while it runs, its
// connection holds a session-level advisory lock on the row's lock_key, and
// a 'running' row whose lock nobody holds is marked abandoned by the next
// run (MarkAbandonedRuns). A scheduled slot's lock key is its (checks,
// slot), so two instances firing the same slot contend for it and no other:
// the loser records claimed_elsewhere, as does an instance that comes after
// the slot was claimed (the unique index on claimed rows).
func (s *Store) RunChecks(ctx context.Context, opts registry.RunOptions) (registry.RunResult, error) {
	checks, err := selectChecks(opts.Checks)
	if err != nil {
		return registry.RunResult{}, err
	}
	if err := opts.Periods.Validate(); err != nil {
		return registry.RunResult{}, err
	}
	res := registry.RunResult{Started: time.Now(), EvaluatedAt: opts.At, Slot: opts.Slot, Checks: make([]string, len(checks))}
	if res.EvaluatedAt.IsZero() {
		res.EvaluatedAt = res.Started
	}
	for i, c := range checks {
		res.Checks[i] = c.ID
	}
	window := opts.AttestationWindow
	if window <= 0 {
		window = registry.DefaultAttestationWindow
	}
	if opts.Actor == "" {
		opts.Actor = "kedja " + opts.Trigger
	}
	// Runs of this instance over the same checks wait for each other here,
	// before taking a connection: a run waiting its turn holds none. The
	// database's check locks (below) still order runs of other instances.
	leave, err := s.runGate.enter(ctx, res.Checks)
	if err != nil {
		return s.fail(ctx, res, opts, err)
	}
	defer leave()
	if _, err := s.MarkAbandonedRuns(ctx); err != nil {
		return s.fail(ctx, res, opts, err)
	}
	// The run's fate is recorded once its connection is back in the pool,
	// so that a run never holds two.
	status, err := s.runOn(ctx, checks, window, opts, &res)
	switch {
	case err != nil:
		return s.fail(ctx, res, opts, err)
	case status != registry.RunRan:
		return s.record(ctx, res, opts, status)
	}
	res.Status = registry.RunRan
	return res, nil
}

// runOn claims the run's row and runs it on one connection of its own,
// released (with its lock) when it returns. It says RunRan, or
// RunClaimedElsewhere for a slot another instance has, or an error.
func (s *Store) runOn(ctx context.Context, checks []check, window int, opts registry.RunOptions, res *registry.RunResult) (string, error) {
	// The lock lives in a session, not a transaction, because it must
	// outlast the claim's own commit; so the run keeps one connection.
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return "", err
	}
	var key int64
	locked := false
	defer func() { release(conn, key, locked) }()
	if opts.Slot != nil {
		key = SlotKey(res.Checks, *opts.Slot)
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&locked); err != nil {
			return "", err
		}
		if !locked {
			return registry.RunClaimedElsewhere, nil
		}
	} else {
		// An on-demand run competes with nobody for its row; its key only
		// has to be its own, for the sweep to tell whether it is alive.
		// Nobody else takes it, so this never waits.
		key = rand.Int64()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
			return "", err
		}
		locked = true
	}
	err = conn.QueryRowContext(ctx, `INSERT INTO check_runs (checks, slot, trigger, actor, status, lock_key, evaluated_at, started_at)
		VALUES ($1, $2, $3, $4, 'running', $5, $6, $7)
		ON CONFLICT (checks, slot) WHERE lock_key IS NOT NULL DO NOTHING RETURNING id`,
		pq.Array(res.Checks), opts.Slot, opts.Trigger, opts.Actor, key, res.EvaluatedAt, res.Started).Scan(&res.RunID)
	if errors.Is(err, sql.ErrNoRows) {
		// Claimed before we came, by an instance that ran it, failed it or
		// died running it.
		return registry.RunClaimedElsewhere, nil
	}
	if err != nil {
		return "", err
	}
	err = safely(func() error {
		// The store's write transaction, on the run's own connection.
		return s.writeOn(ctx, conn, opts.Actor, func(tx *sqlx.Tx, _ time.Time) error {
			// A run over a large registry may take longer than a request
			// may; it has its own context for that.
			if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
				return err
			}
			// Runs over the same checks must not interleave their updates of
			// the same findings (duplicate events, deadlocks), whatever their
			// slots or triggers; runs over other checks need not wait. Each
			// check has its own lock, taken in key order so that two runs
			// over overlapping sets cannot deadlock. Only a run of another
			// instance can hold one here (runGate orders this instance's).
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(k) FROM unnest(CAST($1 AS bigint[])) AS k ORDER BY k`,
				pq.Array(checkKeys(res.Checks))); err != nil {
				return err
			}
			if s.runHook != nil {
				s.runHook(ctx, *res)
			}
			return s.evaluate(ctx, tx, checks, res.Checks, window, opts, res)
		})
	})
	if err != nil {
		return "", err
	}
	return registry.RunRan, nil
}

// runGate lets one run at a time of this instance evaluate each check: the
// in-process side of the check locks, so that a run waiting for another
// waits without a connection. Its zero value is ready.
type runGate struct {
	mu     sync.Mutex
	checks map[string]chan struct{} // check id -> a token, held by the run evaluating it
	// waiting, set only by tests (SetRunWaitHook), is called when a run
	// has to wait for another, with the check it waits for.
	waiting func(check string)
}

// SetRunWaitHook has a run that must wait for another run of this instance
// over the same checks call hook, with the check it waits for, before it
// waits; nil removes it. Tests use it to look at a waiting run.
func (s *Store) SetRunWaitHook(hook func(check string)) {
	s.runGate.mu.Lock()
	s.runGate.waiting = hook
	s.runGate.mu.Unlock()
}

// enter waits until no other run of this instance holds any of ids, taking
// them in order (as the database's check locks are) so that runs over
// overlapping sets cannot deadlock, or until ctx ends. leave gives them back.
func (g *runGate) enter(ctx context.Context, ids []string) (leave func(), err error) {
	g.mu.Lock()
	if g.checks == nil {
		g.checks = map[string]chan struct{}{}
	}
	sorted := slices.Sorted(slices.Values(ids))
	tokens := make([]chan struct{}, len(sorted))
	for i, id := range sorted {
		if g.checks[id] == nil {
			g.checks[id] = make(chan struct{}, 1)
		}
		tokens[i] = g.checks[id]
	}
	waiting := g.waiting
	g.mu.Unlock()
	held := 0
	leave = func() {
		for _, t := range tokens[:held] {
			<-t
		}
	}
	for i, t := range tokens {
		select {
		case t <- struct{}{}:
			held++
			continue
		default:
		}
		if waiting != nil {
			waiting(sorted[i])
		}
		select {
		case t <- struct{}{}:
			held++
		case <-ctx.Done():
			leave()
			return nil, ctx.Err()
		}
	}
	return leave, nil
}

// MarkAbandoned marks as abandoned the runs whose row says 'running' but
// whose runner's lock nobody holds: the runner's connection, and so most
// likely its process, died mid-run. It returns how many it marked.
func (s *Store) MarkAbandonedRuns(ctx context.Context) (int64, error) {
	// pg_locks shows a bigint advisory key as its high and low halves in
	// classid and objid, with objsubid 1. A runner that finishes between
	// this statement's snapshot and its look at pg_locks has already
	// committed its row's new status; the UPDATE re-checks the row it
	// finds changed and leaves it alone.
	out, err := s.db.ExecContext(ctx, `
		UPDATE check_runs r SET status = 'abandoned'
		WHERE r.status = 'running'
		  AND NOT EXISTS (
		      SELECT 1 FROM pg_locks l
		      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
		        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		        AND l.classid = CAST((r.lock_key >> 32) & 4294967295 AS oid)
		        AND l.objid = CAST(r.lock_key & 4294967295 AS oid))`)
	if err != nil {
		return 0, fmt.Errorf("store: mark abandoned runs: %w", err)
	}
	return out.RowsAffected()
}

// RecordSkippedSlot records that a scheduled slot was not run on this
// instance because its previous run of the same checks had not finished.
func (s *Store) RecordSkippedSlot(ctx context.Context, ids []string, slot time.Time, actor string) (registry.RunResult, error) {
	checks, err := selectChecks(ids)
	if err != nil {
		return registry.RunResult{}, err
	}
	res := registry.RunResult{Started: time.Now(), Slot: &slot, Checks: make([]string, len(checks))}
	for i, c := range checks {
		res.Checks[i] = c.ID
	}
	return s.record(ctx, res, registry.RunOptions{Trigger: "schedule", Actor: actor, Slot: &slot}, registry.RunSkippedStillRunning)
}

// record writes the row of a slot this instance did not run.
func (s *Store) record(ctx context.Context, res registry.RunResult, opts registry.RunOptions, status string) (registry.RunResult, error) {
	res.Status = status
	res.EvaluatedAt = time.Time{}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if err := s.db.QueryRowContext(rctx, `INSERT INTO check_runs (checks, slot, trigger, actor, status, started_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		pq.Array(res.Checks), opts.Slot, opts.Trigger, opts.Actor, status, res.Started).Scan(&res.RunID); err != nil {
		return res, fmt.Errorf("store: record a slot %s: %w", status, err)
	}
	return res, nil
}

// fail records a failed run: its claimed row if it has one, else a row of
// its own, so that a run failing before its claim is not invisible either.
// The row says what kind of failure in words safe to show; the error's text
// may carry SQL or data and goes only to the error column and the caller.
func (s *Store) fail(ctx context.Context, res registry.RunResult, opts registry.RunOptions, cause error) (registry.RunResult, error) {
	res.Status, res.Failure, res.Ended = registry.RunFailed, failureOf(ctx, cause), time.Now()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	var err error
	if res.RunID != 0 {
		// A sweep may have taken a runner whose connection broke for dead;
		// the runner knows better.
		_, err = s.db.ExecContext(rctx, `UPDATE check_runs SET status = 'failed', failure = $2, error = $3, ended_at = $4
			WHERE id = $1 AND status IN ('running', 'abandoned')`, res.RunID, res.Failure, cause.Error(), res.Ended)
	} else {
		// Without a lock key the row is no claim: another instance may
		// still run the slot.
		err = s.db.QueryRowContext(rctx, `INSERT INTO check_runs
			(checks, slot, trigger, actor, status, failure, error, evaluated_at, started_at, ended_at)
			VALUES ($1, $2, $3, $4, 'failed', $5, $6, $7, $8, $9) RETURNING id`,
			pq.Array(res.Checks), opts.Slot, opts.Trigger, opts.Actor, res.Failure, cause.Error(), res.EvaluatedAt,
			res.Started, res.Ended).Scan(&res.RunID)
	}
	if err != nil {
		return res, fmt.Errorf("store: run checks: %w (recording the failure: %v)", cause, err)
	}
	return res, fmt.Errorf("store: run checks: %w", cause)
}

// failureOf classifies a run's error for callers who may not see its text.
func failureOf(ctx context.Context, err error) string {
	var pqErr *pq.Error
	switch {
	case errors.Is(ctx.Err(), context.Canceled) || errors.Is(err, context.Canceled):
		return registry.FailureStopped
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		return registry.FailureTimeout
	case errors.As(err, &pqErr) && (pqErr.Code == "57014" || pqErr.Code == "55P03"): // query_canceled, lock_not_available
		return registry.FailureTimeout
	}
	return registry.FailureError
}

// safely turns a panic in fn into an error, so that a run that panics is
// recorded as failed rather than left 'running' and later taken for dead.
func safely(fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return fn()
}

// release gives the run's connection back with its lock released. A
// connection whose unlock fails is closed instead: back in the pool it would
// keep the lock, and the run's row would never be taken for abandoned.
func release(conn *sqlx.Conn, key int64, locked bool) {
	if locked {
		ctx, cancel := context.WithTimeout(context.Background(), recordTimeout)
		var ok bool
		err := conn.QueryRowContext(ctx, `SELECT pg_advisory_unlock($1)`, key).Scan(&ok)
		cancel()
		if err != nil || !ok {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}
	_ = conn.Close()
}

// Lock keys are hashes of names, so that instances agree on them without
// asking anyone; they must never change, or instances of two versions
// would run the same slot twice.
func lockKey(parts ...string) int64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return int64(h.Sum64())
}

// SlotKey is the advisory lock key of one slot of one group of checks:
// groups never contend, and every instance firing the slot contends for the
// same key. Exported for those who look for a slot's runner in pg_locks.
func SlotKey(ids []string, slot time.Time) int64 {
	return lockKey("kedja check slot", strings.Join(ids, ","), slot.UTC().Format(time.RFC3339Nano))
}

// checkKeys are the evaluation locks of the checks, sorted.
func checkKeys(ids []string) []int64 {
	keys := make([]int64, len(ids))
	for i, id := range ids {
		keys[i] = lockKey("kedja check", id)
	}
	slices.Sort(keys)
	return keys
}

// controllersSQL lists every controller at the instant $1: a party that
// hands data on and receives none, or one that is a controller on a link.
const controllersSQL = `
SELECT COALESCE(array_agg(id ORDER BY id), '{}') FROM (
    SELECT l.from_id AS id FROM links l
    WHERE l.valid @> CAST($1 AS timestamptz)
      AND NOT EXISTS (SELECT 1 FROM links x WHERE x.to_id = l.from_id AND x.valid @> CAST($1 AS timestamptz))
    UNION
    SELECT l.to_id FROM links l
    WHERE l.valid @> CAST($1 AS timestamptz) AND l.role IN ('joint_controller', 'independent_controller')
) c`

// reachSQL walks down from every controller ($1) at $2, all at once, with
// the walk the chain uses (kedja_walk), without routing: a check looks at
// every link valid then. A link back to a party already reached says
// nothing new about who holds the data (the chain lists it as a cycle).
// since is when the whole path had begun: the latest start of its links.
// law and law_country are the sending party's own law and country where it
// has one (party_law, checks_law.go); lawReach fills in the rest.
const reachSQL = `
INSERT INTO reach
SELECT w.root_id, w.link_id, w.from_id, w.to_id, w.depth, w.link_path,
       (SELECT max(lower(l.valid)) FROM links l WHERE l.id = ANY(w.link_path)),
       pl.law, pl.country_code
FROM kedja_walk(CAST($1 AS bigint[]), CAST($2 AS timestamptz), CAST($3 AS int), false, false) w
LEFT JOIN party_law pl ON pl.id = w.from_id
WHERE NOT w.is_cycle`

// walkReach fills the temporary table reach (dropped at commit) with every
// link reached from every controller at the instant at, with the controller
// and the path of links from it: what the checks look at. The controllers
// are read first and passed as a parameter: a sub-select as kedja_walk's
// argument keeps it from being inlined, and run as a function its query is
// planned without knowing its arguments (several times slower).
func walkReach(ctx context.Context, tx *sqlx.Tx, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE reach (controller_id bigint, link_id bigint, from_id bigint, to_id bigint,
		depth int, links bigint[], since timestamptz, law text, law_country char(2)) ON COMMIT DROP`); err != nil {
		return err
	}
	if err := partyLaw(ctx, tx, at); err != nil {
		return err
	}
	var controllers pq.Int64Array
	if err := tx.QueryRowContext(ctx, controllersSQL, at).Scan(&controllers); err != nil {
		return fmt.Errorf("controllers: %w", err)
	}
	if _, err := tx.ExecContext(ctx, reachSQL, controllers, at, registry.MaxChainDepth); err != nil {
		return fmt.Errorf("reach: %w", err)
	}
	return lawReach(ctx, tx, at)
}

// compute runs checks over the registry as of at in tx and leaves what they
// found in two temporary tables, dropped at the end of tx:
//
//   - found: one row per fact (check and subject), with the gravest
//     severity any controller's chain gives it, the message, evidence and
//     legal reference of its gravest, shortest path, and since, the
//     earliest start of its condition that the dated facts give;
//   - found_controllers: each controller whose chain the fact affects, with
//     its shortest path of those of the gravest severity and its since.
//
// It writes nothing else: RunChecks keeps findings from them,
// EvaluateChecks reads them and rolls back.
func compute(ctx context.Context, tx *sqlx.Tx, checks []check, at time.Time, window int, periods registry.CheckPeriods,
	progress func(int, int, string)) error {
	if err := setPeriods(ctx, tx, periods); err != nil {
		return err
	}
	// No JIT compilation for the run: its statements are estimated dear
	// (functions, temporary tables) but take milliseconds, and compiling
	// them took longer (internet_access at 1M links: 1,031 ms with it,
	// 36 ms without). The setting is for this transaction only.
	if _, err := tx.ExecContext(ctx, `SET LOCAL jit = off`); err != nil {
		return err
	}
	for _, q := range []string{
		`CREATE TEMP TABLE reach_systems (controller_id bigint, link_id bigint, links bigint[], system_id bigint, party_id bigint,
			name text, kind text, since timestamptz, law text, law_country char(2)) ON COMMIT DROP`,
		// A check that does not fill since leaves it NULL: not known from
		// the facts (candidateCols does not name it).
		`CREATE TEMP TABLE candidates (check_id text, subject_kind text, subject_id bigint, controller_id bigint, severity text,
			path bigint[], legal_ref text, message text, evidence jsonb, since timestamptz DEFAULT NULL) ON COMMIT DROP`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	if err := walkReach(ctx, tx, at); err != nil {
		return err
	}
	// The links reached, copied once: the checks join them by id, and
	// against links itself the planner hashed the 30,000 reached and read
	// all 1,000,000 links once per check (0.3 s each at 1M links).
	for _, q := range []string{
		`CREATE TEMP TABLE reach_links ON COMMIT DROP AS
		SELECT l.* FROM links l WHERE l.id = ANY (CAST((SELECT array_agg(DISTINCT link_id) FROM reach) AS bigint[]))`,
		`ALTER TABLE reach_links ADD PRIMARY KEY (id)`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("reach links: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO reach_systems
		SELECT r.controller_id, r.link_id, r.links, u.system_id, u.party_id, sy.name, sy.kind, GREATEST(r.since, lower(u.valid)),
		       r.law, r.law_country
		FROM reach r
		JOIN system_uses u ON u.link_id = r.link_id AND u.valid @> CAST($1 AS timestamptz)
		JOIN systems sy ON sy.id = u.system_id`, at); err != nil {
		return fmt.Errorf("reach systems: %w", err)
	}
	for _, q := range []string{`CREATE INDEX ON reach_systems (controller_id, system_id)`, `ANALYZE reach`, `ANALYZE reach_systems`,
		`ANALYZE reach_links`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	filled := map[string]bool{}
	for i, c := range checks {
		if c.uses != "" && !filled[c.uses] {
			if _, err := tx.ExecContext(ctx, runTables[c.uses], at); err != nil {
				return fmt.Errorf("%s: %w", c.uses, err)
			}
			if _, err := tx.ExecContext(ctx, `ANALYZE `+c.uses); err != nil {
				return fmt.Errorf("%s: %w", c.uses, err)
			}
			filled[c.uses] = true
		}
		// A check names the parameters it needs; lib/pq refuses unused ones.
		var args []any
		if strings.Contains(c.sql, "$1") {
			args = append(args, at)
		}
		if strings.Contains(c.sql, "$2") {
			args = append(args, window)
		}
		if _, err := tx.ExecContext(ctx, c.sql, args...); err != nil {
			return fmt.Errorf("check %s: %w", c.ID, err)
		}
		if progress != nil {
			progress(i+1, len(checks), c.ID)
		}
	}
	// One finding per fact. Several paths from one controller to a subject
	// make one entry for that controller: the gravest, then the shortest
	// path; its since is the earliest of them all.
	for _, q := range []string{
		`CREATE TEMP TABLE found_controllers ON COMMIT DROP AS
		SELECT DISTINCT ON (check_id, subject_kind, subject_id, controller_id)
		       check_id, subject_kind, subject_id, controller_id, severity, path, legal_ref, message, evidence,
		       min(since) OVER (PARTITION BY check_id, subject_kind, subject_id, controller_id) AS since
		FROM candidates
		ORDER BY check_id, subject_kind, subject_id, controller_id, kedja_severity_rank(severity), cardinality(path)`,
		`CREATE TEMP TABLE found ON COMMIT DROP AS
		SELECT DISTINCT ON (check_id, subject_kind, subject_id)
		       check_id, subject_kind, subject_id, severity, legal_ref, message, evidence,
		       min(since) OVER (PARTITION BY check_id, subject_kind, subject_id) AS since
		FROM found_controllers
		ORDER BY check_id, subject_kind, subject_id, kedja_severity_rank(severity), cardinality(path), controller_id`,
		// Without fresh statistics the planner compares every finding with
		// every candidate one by one (80 s instead of 6 at 1M links). Only
		// the keys they are joined on are analysed: statistics of the
		// messages, evidence and paths cost most of the time and no plan
		// reads them.
		`CREATE UNIQUE INDEX ON found (check_id, subject_kind, subject_id)`,
		`ANALYZE found (check_id, subject_kind, subject_id)`,
		`ANALYZE found_controllers (check_id, subject_kind, subject_id, controller_id)`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("merge candidates: %w", err)
		}
	}
	return nil
}

// evaluate keeps what compute found as findings, writing only what changed:
// a finding found again as it was, with the same controllers and paths, is
// not written at all (no new row version, no event), so that a run over a
// large registry that changed little costs its evaluation and not a rewrite
// of every finding. When a finding was last seen follows from check_seen
// (migrations/0035_check_seen.sql), which the run sets once per check.
// Each phase is one statement over the whole set.
func (s *Store) evaluate(ctx context.Context, tx *sqlx.Tx, checks []check, ids []string, window int, opts registry.RunOptions, res *registry.RunResult) error {
	if err := compute(ctx, tx, checks, res.EvaluatedAt, window, opts.Periods, opts.Progress); err != nil {
		return err
	}
	seen := time.Now()

	// Accepted findings whose acceptance has run out count as open again.
	if _, err := tx.ExecContext(ctx, `
		WITH lapsed AS (
		    UPDATE findings SET status = 'open'
		    WHERE status = 'accepted' AND kedja_finding_status(status, accepted_until, CAST($1 AS date)) = 'open' AND check_id = ANY($2)
		    RETURNING id)
		INSERT INTO finding_events (finding_id, event, run_id, actor, note)
		SELECT id, 'acceptance_lapsed', $3, $4, 'the acceptance ran out' FROM lapsed`,
		seen, pq.Array(ids), res.RunID, opts.Actor); err != nil {
		return fmt.Errorf("lapse acceptances: %w", err)
	}
	// Reopen what returns and update what is found again with another
	// severity, message, evidence, legal reference or since; leave the rest
	// alone. A finding keeps the earliest since it knows while it stays open;
	// one that returns begins again. Then open what is new. Two statements,
	// each planned for the table as it then is: in one, the update's join
	// would be planned for the findings before the insert added any (as on
	// a first run) and scan every added row once per finding.
	if err := tx.QueryRowContext(ctx, `
		WITH prior AS MATERIALIZED (
		    SELECT f.id, f.status, b.severity, b.legal_ref, b.message, b.evidence,
		           CASE WHEN f.status = 'resolved' THEN b.since ELSE LEAST(f.since, b.since) END AS since
		    FROM found b JOIN findings f USING (check_id, subject_kind, subject_id)
		    WHERE f.status = 'resolved' OR f.resolved_at IS NOT NULL
		       OR (f.severity, f.legal_ref, f.message, f.evidence, f.since)
		          IS DISTINCT FROM (b.severity, b.legal_ref, b.message, b.evidence, LEAST(f.since, b.since))
		), changed AS (
		    UPDATE findings f SET
		        severity = p.severity, legal_ref = p.legal_ref, message = p.message, evidence = p.evidence, since = p.since,
		        status = CASE WHEN f.status = 'resolved' THEN 'open' ELSE f.status END,
		        resolved_at = NULL, last_seen = $1
		    FROM prior p
		    WHERE f.id = p.id
		    RETURNING f.id, p.status = 'resolved' AS reopened
		), events AS (
		    INSERT INTO finding_events (finding_id, event, run_id, actor)
		    SELECT id, 'reopened', $2, $3 FROM changed WHERE reopened
		    RETURNING 1
		)
		SELECT count(*) FROM events`,
		seen, res.RunID, opts.Actor).Scan(&res.Reopened); err != nil {
		return fmt.Errorf("update findings: %w", err)
	}
	// What is new is picked out before it is inserted: a statement that
	// inserts into the table it also looks into for what exists re-reads,
	// on every row, each row it has inserted so far (invisible to it, but
	// still read), and where the table was empty when planned it is
	// scanned whole per row. A first run at 1M links took 10 minutes so,
	// 4 s without.
	if _, err := tx.ExecContext(ctx, `
		CREATE TEMP TABLE found_new ON COMMIT DROP AS
		SELECT b.* FROM found b
		WHERE NOT EXISTS (SELECT 1 FROM findings f
		                  WHERE f.check_id = b.check_id AND f.subject_kind = b.subject_kind AND f.subject_id = b.subject_id)`); err != nil {
		return fmt.Errorf("open findings: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `
		WITH added AS (
		    INSERT INTO findings (check_id, subject_kind, subject_id, severity, status, legal_ref,
		                          message, evidence, since, first_seen, last_seen)
		    SELECT b.check_id, b.subject_kind, b.subject_id, b.severity, 'open', b.legal_ref, b.message, b.evidence, b.since, $1, $1
		    FROM found_new b
		    RETURNING id
		), events AS (
		    INSERT INTO finding_events (finding_id, event, run_id, actor)
		    SELECT id, 'opened', $2, $3 FROM added
		    RETURNING 1
		)
		SELECT (SELECT count(*) FROM found), (SELECT count(*) FROM events)`,
		seen, res.RunID, opts.Actor).Scan(&res.Found, &res.Opened); err != nil {
		return fmt.Errorf("open findings: %w", err)
	}
	// The controllers of what was found are those whose chains it affects
	// now: the new ones are added, those no longer affected removed, and
	// those whose path or since changed updated; a finding seen before says
	// in its history whom it newly affects and whom no longer. One statement
	// for each write of finding_controllers, each planned for the table as
	// it then is (see above); the additions and removals are collected in
	// controller_changes for the history.
	for _, q := range []string{
		`CREATE TEMP TABLE cur ON COMMIT DROP AS
		SELECT f.id AS finding_id, c.controller_id, c.path, c.since
		FROM found_controllers c JOIN findings f USING (check_id, subject_kind, subject_id)`,
		`CREATE UNIQUE INDEX ON cur (finding_id, controller_id)`,
		`ANALYZE cur (finding_id, controller_id)`,
		`CREATE TEMP TABLE controller_changes (finding_id bigint, controller_id bigint, what text) ON COMMIT DROP`,
		`WITH gone AS (
		    DELETE FROM finding_controllers fc
		    USING found b JOIN findings f USING (check_id, subject_kind, subject_id)
		    WHERE fc.finding_id = f.id
		      AND NOT EXISTS (SELECT 1 FROM cur WHERE cur.finding_id = fc.finding_id AND cur.controller_id = fc.controller_id)
		    RETURNING fc.finding_id, fc.controller_id)
		INSERT INTO controller_changes SELECT finding_id, controller_id, 'no longer affects' FROM gone`,
		`UPDATE finding_controllers fc SET path = cur.path, since = cur.since, last_seen = $1
		FROM cur
		WHERE fc.finding_id = cur.finding_id AND fc.controller_id = cur.controller_id
		  AND (fc.path, fc.since) IS DISTINCT FROM (cur.path, cur.since)`,
		// New controllers picked out first, as new findings are (above).
		`CREATE TEMP TABLE cur_new ON COMMIT DROP AS
		SELECT cur.* FROM cur
		WHERE NOT EXISTS (SELECT 1 FROM finding_controllers fc
		                  WHERE fc.finding_id = cur.finding_id AND fc.controller_id = cur.controller_id)`,
		`WITH added AS (
		    INSERT INTO finding_controllers (finding_id, controller_id, path, since, first_seen, last_seen)
		    SELECT n.finding_id, n.controller_id, n.path, n.since, $1, $1 FROM cur_new n
		    RETURNING finding_id, controller_id)
		INSERT INTO controller_changes SELECT finding_id, controller_id, 'now also affects' FROM added`,
		`INSERT INTO finding_events (finding_id, event, run_id, actor, note)
		SELECT x.finding_id, 'changed', $2, $3, string_agg(x.what || ' ' || o.legal_name, '; ' ORDER BY x.what DESC, o.legal_name)
		FROM controller_changes x
		JOIN organisations o ON o.id = x.controller_id
		JOIN findings f ON f.id = x.finding_id
		WHERE f.first_seen <> $1
		GROUP BY x.finding_id`,
	} {
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, seen)
		}
		if strings.Contains(q, "$2") {
			args = append(args, res.RunID, opts.Actor)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("finding controllers: %w", err)
		}
	}
	// What these checks no longer find is resolved; its controllers stay
	// those it affected when last seen, which was the last run over its
	// check (as check_seen says until this run sets it).
	if err := tx.QueryRowContext(ctx, `
		WITH gone AS (
		    UPDATE findings f SET status = 'resolved', resolved_at = $1,
		        last_seen = COALESCE((SELECT s.last_seen FROM check_seen s WHERE s.check_id = f.check_id), f.last_seen)
		    WHERE f.check_id = ANY($2) AND f.status <> 'resolved'
		      AND NOT EXISTS (SELECT 1 FROM found c
		                      WHERE c.check_id = f.check_id AND c.subject_kind = f.subject_kind AND c.subject_id = f.subject_id)
		    RETURNING f.id
		), events AS (
		    INSERT INTO finding_events (finding_id, event, run_id, actor)
		    SELECT id, 'resolved', $3, $4 FROM gone RETURNING 1
		)
		SELECT count(*) FROM events`, seen, pq.Array(ids), res.RunID, opts.Actor).Scan(&res.Resolved); err != nil {
		return fmt.Errorf("resolve findings: %w", err)
	}
	// This run saw every finding of its checks that is not resolved.
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO check_seen (check_id, last_seen, run_id) SELECT unnest(CAST($1 AS text[])), $2, $3
		ON CONFLICT (check_id) DO UPDATE SET last_seen = EXCLUDED.last_seen, run_id = EXCLUDED.run_id`,
		pq.Array(ids), seen, res.RunID); err != nil {
		return fmt.Errorf("check seen: %w", err)
	}
	res.Ended = time.Now()
	// In the run's transaction, so that the row says ran exactly when the
	// findings are kept.
	_, err := tx.ExecContext(ctx, `UPDATE check_runs SET status = 'ran', ended_at = $2, found = $3, opened = $4, reopened = $5,
		resolved = $6 WHERE id = $1`, res.RunID, res.Ended, res.Found, res.Opened, res.Reopened, res.Resolved)
	return err
}

// EvaluateChecks answers what the checks would find over the registry as of
// at, without keeping anything: the same evaluation as a run, in a
// transaction that is rolled back, so no finding, event or run is written
// and nothing live changes. The findings come without ids, status or
// history, the gravest first.
func (s *Store) EvaluateChecks(ctx context.Context, at time.Time, ids []string, periods registry.CheckPeriods) ([]registry.Finding, error) {
	checks, err := selectChecks(ids)
	if err != nil {
		return nil, err
	}
	if err := periods.Validate(); err != nil {
		return nil, err
	}
	// Read only it cannot be: the evaluation writes its temporary tables.
	// Repeatable read, so that every check sees one state of the registry.
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return nil, fmt.Errorf("store: evaluate checks: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // the point: nothing is kept
	return s.evaluateIn(ctx, tx, checks, at, periods)
}

// evaluateIn is EvaluateChecks inside a transaction the caller holds and
// rolls back (to a savepoint, or whole): an import's dry run evaluates the
// registry before and after applying it in one transaction.
func (s *Store) evaluateIn(ctx context.Context, tx *sqlx.Tx, checks []check, at time.Time, periods registry.CheckPeriods) ([]registry.Finding, error) {
	if err := compute(ctx, tx, checks, at, registry.DefaultAttestationWindow, periods, nil); err != nil {
		return nil, fmt.Errorf("store: evaluate checks: %w", err)
	}
	// The controllers of each finding are looked up per finding: an index
	// keeps that linear when an import's dry run finds 100,000 of them.
	if _, err := tx.ExecContext(ctx, `CREATE INDEX ON found_controllers (check_id, subject_kind, subject_id)`); err != nil {
		return nil, fmt.Errorf("store: evaluate checks: %w", err)
	}
	var out []registry.Finding
	err := s.selectx(ctx, tx, &out, `SELECT 0 AS id, b.check_id, b.subject_kind, b.subject_id, b.severity, '' AS status,
		       b.legal_ref, b.message, b.evidence, b.since, CAST($1 AS timestamptz) AS first_seen, CAST($1 AS timestamptz) AS last_seen,
		       CAST(NULL AS timestamptz) AS resolved_at, CAST(NULL AS text) AS accepted_by, CAST(NULL AS date) AS accepted_until,
		       CAST(NULL AS text) AS justification,
		       (SELECT jsonb_agg(jsonb_build_object('controllerId', c.controller_id, 'path', c.path, 'since', c.since)
		                         ORDER BY cardinality(c.path), c.controller_id)
		        FROM found_controllers c
		        WHERE (c.check_id, c.subject_kind, c.subject_id) = (b.check_id, b.subject_kind, b.subject_id)) AS controllers
		FROM found b
		ORDER BY kedja_severity_rank(b.severity), b.check_id, b.subject_kind, b.subject_id`, at)
	if err != nil {
		return nil, fmt.Errorf("store: evaluate checks: %w", err)
	}
	return out, nil
}

// setPeriods sets, for tx alone, the recency periods a caller asked for:
// the settings kedja_restore_test_days() and kedja_scan_days() read, so
// that the one rule of each period stays in SQL. A period left at zero
// keeps the database's setting, or the rule's default.
func setPeriods(ctx context.Context, tx *sqlx.Tx, p registry.CheckPeriods) error {
	for name, days := range map[string]int{"kedja.restore_test_days": p.RestoreTestDays, "kedja.scan_days": p.ScanDays} {
		if days <= 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `SELECT set_config($1, $2, true)`, name, strconv.Itoa(days)); err != nil {
			return fmt.Errorf("set %s: %w", name, err)
		}
	}
	return nil
}

// selectChecks resolves check ids to the catalogue, in catalogue order.
func selectChecks(ids []string) ([]check, error) {
	if len(ids) == 0 {
		return catalogue, nil
	}
	for _, id := range ids {
		if !slices.Contains(CheckIDs(), id) {
			return nil, registry.Invalid("checks", "%q is not a check; the checks are %s", id, strings.Join(CheckIDs(), ", "))
		}
	}
	var out []check
	for _, c := range catalogue {
		if slices.Contains(ids, c.ID) {
			out = append(out, c)
		}
	}
	return out, nil
}
