package store

import (
	"context"

	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

// History loads the recorded changes of many rows in one statement, oldest
// first.
func (s *Store) History(ctx context.Context, keys []registry.HistoryKey) (map[registry.HistoryKey][]registry.Change, error) {
	tables := make([]string, len(keys))
	ids := make([]string, len(keys))
	for i, k := range keys {
		tables[i], ids[i] = k.Table, k.Key
	}
	var rows []registry.Change
	if err := s.selectx(ctx, s.q(ctx), &rows, `SELECT c.id, c.table_name, c.row_key, c.op, c.actor, c.changed_at, c.row_data
		FROM unnest(CAST($1 AS text[]), CAST($2 AS text[])) AS k(t, r)
		JOIN changes c ON c.table_name = k.t AND c.row_key = k.r
		ORDER BY c.id`, pq.Array(tables), pq.Array(ids)); err != nil {
		return nil, err
	}
	out := make(map[registry.HistoryKey][]registry.Change, len(keys))
	for _, c := range rows {
		k := registry.HistoryKey{Table: c.Table, Key: c.RowKey}
		out[k] = append(out[k], c)
	}
	return out, nil
}

// RecentChanges lists the newest n changes, newest first.
func (s *Store) RecentChanges(ctx context.Context, n int) ([]registry.Change, error) {
	var rows []registry.Change
	err := s.selectx(ctx, s.q(ctx), &rows, `SELECT id, table_name, row_key, op, actor, changed_at, row_data
		FROM changes ORDER BY id DESC LIMIT $1`, n)
	return rows, err
}
