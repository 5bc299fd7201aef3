package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

// DefaultAttestationWindow is how many days before expiry an attestation is
// reported as expiring.
const DefaultAttestationWindow = 60

// Runner evaluates checks and keeps their findings.
type Runner struct {
	DB *sql.DB
	// AttestationWindow is the warning window for expiring attestations.
	AttestationWindow int
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// RunOptions say what to run, as of when, and on whose behalf.
type RunOptions struct {
	At      time.Time // the instant the registry is evaluated at; zero: now
	Checks  []string  // empty: the whole catalogue
	Trigger string    // schedule, api or cli
	Actor   string
	// Slot is the scheduled activation time; a slot already claimed by
	// another instance is skipped.
	Slot *time.Time
	// Progress, if set, is told after each check.
	Progress func(done, total int, check string)
}

// RunResult is what a run did.
type RunResult struct {
	RunID                             int64
	Skipped                           bool
	Found, Opened, Reopened, Resolved int
	EvaluatedAt, Started, Ended       time.Time
}

// lockKey serialises runs of checks across instances.
const lockKey = "kedja checks"

// Run evaluates checks over the whole registry in one transaction and
// updates the findings: new ones open, ones seen again are refreshed, ones no
// longer true are resolved, resolved ones that return reopen, and accepted
// ones whose acceptance has lapsed count as open again.
func (r *Runner) Run(ctx context.Context, opts RunOptions) (RunResult, error) {
	checks, err := selectChecks(opts.Checks)
	if err != nil {
		return RunResult{}, err
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	res := RunResult{Started: now(), EvaluatedAt: opts.At}
	if res.EvaluatedAt.IsZero() {
		res.EvaluatedAt = res.Started
	}
	window := r.AttestationWindow
	if window <= 0 {
		window = DefaultAttestationWindow
	}
	ids := make([]string, len(checks))
	for i, c := range checks {
		ids[i] = c.ID
	}
	if opts.Actor == "" {
		opts.Actor = "kedja " + opts.Trigger
	}
	err = r.inTx(ctx, opts.Actor, func(tx *sql.Tx) error {
		if opts.Slot != nil {
			// One instance per scheduled slot: whoever holds the lock runs
			// it; an instance that finds the lock taken or the slot claimed
			// skips it.
			var got bool
			if err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock(hashtext($1))`, lockKey).Scan(&got); err != nil {
				return err
			}
			if !got {
				res.Skipped = true
				return nil
			}
		} else if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, lockKey); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO check_runs (checks, slot, trigger, actor, evaluated_at, started_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (checks, slot) DO NOTHING RETURNING id`,
			pq.Array(ids), opts.Slot, opts.Trigger, opts.Actor, res.EvaluatedAt, res.Started).Scan(&res.RunID)
		if errors.Is(err, sql.ErrNoRows) {
			res.Skipped = true
			return nil
		}
		if err != nil {
			return err
		}
		return r.evaluate(ctx, tx, checks, ids, window, opts, &res, now)
	})
	if err != nil {
		// The run's own row went with the rollback; record the failure in
		// a row of its own so every run leaves a trace.
		ended := now()
		_, _ = r.DB.ExecContext(context.WithoutCancel(ctx), `INSERT INTO check_runs
			(checks, slot, trigger, actor, evaluated_at, started_at, ended_at, error) VALUES ($1, NULL, $2, $3, $4, $5, $6, $7)`,
			pq.Array(ids), opts.Trigger, opts.Actor, res.EvaluatedAt, res.Started, ended, err.Error())
		return res, fmt.Errorf("jobs: run checks: %w", err)
	}
	return res, nil
}

func (r *Runner) evaluate(ctx context.Context, tx *sql.Tx, checks []Check, ids []string, window int, opts RunOptions, res *RunResult, now func() time.Time) error {
	at := res.EvaluatedAt
	for _, q := range []string{
		`CREATE TEMP TABLE reach (controller_id bigint, link_id bigint, from_id bigint, to_id bigint, depth int, links bigint[]) ON COMMIT DROP`,
		`CREATE TEMP TABLE reach_systems (controller_id bigint, link_id bigint, links bigint[], system_id bigint, party_id bigint,
			name text, kind text) ON COMMIT DROP`,
		`CREATE TEMP TABLE candidates (check_id text, subject_kind text, subject_id bigint, controller_id bigint, severity text,
			path bigint[], legal_ref text, message text, evidence jsonb) ON COMMIT DROP`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	// Every controller at the instant: a party that hands data on and
	// receives none, or one that is a controller on a link. Walk down from
	// each, all at once, to every link reached.
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO reach
		WITH RECURSIVE controllers AS (
		    SELECT DISTINCT l.from_id AS id FROM links l
		    WHERE l.valid @> CAST($1 AS timestamptz)
		      AND NOT EXISTS (SELECT 1 FROM links x WHERE x.to_id = l.from_id AND x.valid @> CAST($1 AS timestamptz))
		    UNION
		    SELECT l.to_id FROM links l
		    WHERE l.valid @> CAST($1 AS timestamptz) AND l.role IN ('joint_controller', 'independent_controller')
		), walk AS (
		    SELECT c.id AS controller_id, l.id AS link_id, l.from_id, l.to_id, 1 AS depth,
		           ARRAY[l.id] AS links, ARRAY[c.id, l.to_id] AS parties, false AS is_cycle
		    FROM controllers c JOIN links l ON l.from_id = c.id AND l.valid @> CAST($1 AS timestamptz)
		  UNION ALL
		    SELECT w.controller_id, l.id, l.from_id, l.to_id, w.depth + 1, w.links || l.id, w.parties || l.to_id,
		           l.to_id = ANY(w.parties)
		    FROM walk w JOIN links l ON l.from_id = w.to_id AND l.valid @> CAST($1 AS timestamptz)
		    WHERE NOT w.is_cycle AND w.depth < 50
		)
		SELECT controller_id, link_id, from_id, to_id, depth, links FROM walk WHERE NOT is_cycle`, at); err != nil {
		return fmt.Errorf("reach: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO reach_systems
		SELECT r.controller_id, r.link_id, r.links, u.system_id, u.party_id, sy.name, sy.kind
		FROM reach r
		JOIN system_uses u ON u.link_id = r.link_id AND u.valid @> CAST($1 AS timestamptz)
		JOIN systems sy ON sy.id = u.system_id`, at); err != nil {
		return fmt.Errorf("reach systems: %w", err)
	}
	for _, q := range []string{`CREATE INDEX ON reach_systems (controller_id, system_id)`, `ANALYZE reach`, `ANALYZE reach_systems`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	for i, c := range checks {
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
		if opts.Progress != nil {
			opts.Progress(i+1, len(checks), c.ID)
		}
	}
	// The candidates were written after the temporary tables were analysed;
	// without fresh statistics the planner compares every finding with
	// every candidate one by one (80 s instead of 6 at 1M links).
	if _, err := tx.ExecContext(ctx, `ANALYZE candidates`); err != nil {
		return err
	}
	seen := now()

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
	// Open what is new, refresh what is seen again, reopen what returns.
	// Several paths to one subject make one finding: the worst, then the
	// shortest path.
	if err := tx.QueryRowContext(ctx, `
		WITH best AS (
		    SELECT DISTINCT ON (check_id, subject_kind, subject_id, controller_id) *
		    FROM candidates
		    ORDER BY check_id, subject_kind, subject_id, controller_id,
		             kedja_severity_rank(severity),
		             cardinality(path)
		), prior AS (
		    SELECT f.id, f.status FROM findings f
		    JOIN best b USING (check_id, subject_kind, subject_id, controller_id)
		), up AS (
		    INSERT INTO findings (check_id, subject_kind, subject_id, controller_id, severity, status, path, legal_ref,
		                          message, evidence, first_seen, last_seen)
		    SELECT check_id, subject_kind, subject_id, controller_id, severity, 'open', path, legal_ref, message, evidence, $1, $1
		    FROM best
		    ON CONFLICT (check_id, subject_kind, subject_id, controller_id) DO UPDATE SET
		        severity = EXCLUDED.severity, path = EXCLUDED.path, legal_ref = EXCLUDED.legal_ref,
		        message = EXCLUDED.message, evidence = EXCLUDED.evidence, last_seen = EXCLUDED.last_seen,
		        status = CASE WHEN findings.status = 'resolved' THEN 'open' ELSE findings.status END,
		        resolved_at = NULL
		    RETURNING id
		), events AS (
		    INSERT INTO finding_events (finding_id, event, run_id, actor)
		    SELECT up.id, CASE WHEN prior.id IS NULL THEN 'opened' ELSE 'reopened' END, $2, $3
		    FROM up LEFT JOIN prior ON prior.id = up.id
		    WHERE prior.id IS NULL OR prior.status = 'resolved'
		    RETURNING event
		)
		SELECT (SELECT count(*) FROM best),
		       (SELECT count(*) FROM events WHERE event = 'opened'),
		       (SELECT count(*) FROM events WHERE event = 'reopened')`,
		seen, res.RunID, opts.Actor).Scan(&res.Found, &res.Opened, &res.Reopened); err != nil {
		return fmt.Errorf("upsert findings: %w", err)
	}
	// What these checks no longer find is resolved.
	if err := tx.QueryRowContext(ctx, `
		WITH gone AS (
		    UPDATE findings f SET status = 'resolved', resolved_at = $1
		    WHERE f.check_id = ANY($2) AND f.status <> 'resolved'
		      AND NOT EXISTS (SELECT 1 FROM candidates c
		                      WHERE c.check_id = f.check_id AND c.subject_kind = f.subject_kind
		                        AND c.subject_id = f.subject_id AND c.controller_id = f.controller_id)
		    RETURNING f.id
		), events AS (
		    INSERT INTO finding_events (finding_id, event, run_id, actor)
		    SELECT id, 'resolved', $3, $4 FROM gone RETURNING 1
		)
		SELECT count(*) FROM events`, seen, pq.Array(ids), res.RunID, opts.Actor).Scan(&res.Resolved); err != nil {
		return fmt.Errorf("resolve findings: %w", err)
	}
	res.Ended = now()
	_, err := tx.ExecContext(ctx, `UPDATE check_runs SET ended_at = $2, found = $3, opened = $4, reopened = $5, resolved = $6
		WHERE id = $1`, res.RunID, res.Ended, res.Found, res.Opened, res.Reopened, res.Resolved)
	return err
}

func (r *Runner) inTx(ctx context.Context, actor string, fn func(tx *sql.Tx) error) error {
	tx, err := r.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.ExecContext(ctx, `SELECT set_config('kedja.actor', $1, true)`, actor); err != nil {
		return err
	}
	// A run over a large registry may take longer than a request may;
	// it has its own context for that.
	if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// selectChecks resolves check ids to the catalogue, in catalogue order.
func selectChecks(ids []string) ([]Check, error) {
	if len(ids) == 0 {
		return Catalogue, nil
	}
	for _, id := range ids {
		if !slices.Contains(CheckIDs(), id) {
			return nil, registry.Invalid("checks", "%q is not a check; the checks are %s", id, strings.Join(CheckIDs(), ", "))
		}
	}
	var out []Check
	for _, c := range Catalogue {
		if slices.Contains(ids, c.ID) {
			out = append(out, c)
		}
	}
	return out, nil
}
