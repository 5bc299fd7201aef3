package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

// RuleCalls evaluates the checks ids as EvaluateChecks does, as of at, and
// says how often each of funcs was called in its transaction. The store's
// sessions must count calls (track_functions = all, which only a superuser
// may set: the test sets it on its database). For the tests of how often a
// check run asks a rule.
func (s *Store) RuleCalls(ctx context.Context, at time.Time, ids []string, funcs ...string) (map[string]int64, error) {
	checks, err := selectChecks(ids)
	if err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // nothing is kept
	var tracking string
	if err := tx.QueryRowContext(ctx, `SELECT current_setting('track_functions')`).Scan(&tracking); err != nil {
		return nil, err
	}
	if tracking != "all" {
		return nil, fmt.Errorf("track_functions is %q in this session, not all: no call would be counted", tracking)
	}
	before, err := functionCalls(ctx, tx, funcs)
	if err != nil {
		return nil, err
	}
	if _, err := s.evaluateIn(ctx, tx, checks, at, registry.CheckPeriods{}); err != nil {
		return nil, err
	}
	after, err := functionCalls(ctx, tx, funcs)
	if err != nil {
		return nil, err
	}
	for f := range after {
		after[f] -= before[f]
	}
	return after, nil
}

// functionCalls reads the session's counts of calls to funcs. They may
// include calls of its earlier transactions not yet reported (PostgreSQL
// 15 keeps them pending for up to a second), so only a difference of two
// readings in one transaction counts its own.
func functionCalls(ctx context.Context, tx *sqlx.Tx, funcs []string) (map[string]int64, error) {
	out := map[string]int64{}
	rows, err := tx.QueryContext(ctx, `SELECT funcname, calls FROM pg_stat_xact_user_functions WHERE funcname = ANY($1)`, pq.Array(funcs))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var calls int64
		if err := rows.Scan(&name, &calls); err != nil {
			return nil, err
		}
		out[name] += calls
	}
	return out, rows.Err()
}
