package store

import (
	"context"
	"time"

	"github.com/lib/pq"
)

// SetTraceRead has s call read after each of a trace's reads, with its
// name: walk, uses, moves, parties, countries. Nil removes it.
func SetTraceRead(s *Store, read func(name string)) { s.traceRead = read }

// ReachRow is one row of the table a check run walks into: a link reached
// from a controller, with the path of links from it.
type ReachRow struct {
	ControllerID int64         `db:"controller_id"`
	LinkID       int64         `db:"link_id"`
	FromID       int64         `db:"from_id"`
	ToID         int64         `db:"to_id"`
	Depth        int           `db:"depth"`
	Links        pq.Int64Array `db:"links"`
}

// Reach walks down from every controller at an instant as a check run does
// and returns what it reached.
func Reach(ctx context.Context, s *Store, at time.Time) ([]ReachRow, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // it only read
	if err := walkReach(ctx, tx, at); err != nil {
		return nil, err
	}
	var rows []ReachRow
	err = tx.SelectContext(ctx, &rows, `SELECT controller_id, link_id, from_id, to_id, depth, links FROM reach`)
	return rows, err
}

// TxNow reads now() in the transaction ctx carries (InTx's), or on the pool.
func TxNow(ctx context.Context, s *Store) (time.Time, error) {
	var now time.Time
	err := s.get(ctx, s.q(ctx), "", "", &now, `SELECT now()`)
	return now, err
}
