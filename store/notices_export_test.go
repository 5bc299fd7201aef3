package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
)

// NoticesForNewLinks runs noticesForNewLinks in a write transaction of its
// own, as an import's approval runs it inside its own, for the tests.
func (s *Store) NoticesForNewLinks(ctx context.Context, actor string, links []int64, sent time.Time) ([]int64, error) {
	var ids []int64
	err := s.write(ctx, actor, func(tx *sqlx.Tx) error {
		var err error
		ids, err = s.noticesForNewLinks(ctx, tx, links, sent, actor)
		return err
	})
	return ids, err
}
