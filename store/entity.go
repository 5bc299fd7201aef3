package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

// validator is implemented by every registry type the store writes.
type validator interface{ Validate() error }

// entity describes how one registry type is read and written, so that the
// transaction, validation and error handling are written once.
type entity[T any] struct {
	table string // table name
	what  string // what the API calls it, for messages
	cols  string // select list
	ins   string // named INSERT ... RETURNING id
	upd   string // named UPDATE ... WHERE id = :id
	// check runs cross-row rules inside the write's transaction.
	check func(ctx context.Context, s *Store, tx *sqlx.Tx, v *T) error
}

func (e entity[T]) selectByID() string {
	return `SELECT ` + e.cols + ` FROM ` + e.table + ` WHERE id = $1`
}

// create validates v, inserts it and returns it as stored.
func create[T any, PT interface {
	*T
	validator
}](ctx context.Context, s *Store, actor string, e entity[T], v PT) (T, error) {
	var out T
	err := s.write(ctx, actor, func(tx *sqlx.Tx) error {
		if err := v.Validate(); err != nil {
			return err
		}
		if e.check != nil {
			if err := e.check(ctx, s, tx, (*T)(v)); err != nil {
				return err
			}
		}
		id, err := s.insert(ctx, tx, e.ins, v)
		if err != nil {
			return err
		}
		return s.get(ctx, tx, "id", e.what, &out, e.selectByID(), id)
	})
	return out, err
}

// modify locks the row, lets apply change it, validates and stores it, in a
// transaction of its own.
func modify[T any, PT interface {
	*T
	validator
}](ctx context.Context, s *Store, actor string, e entity[T], id int64, apply func(PT) error) (T, error) {
	var out T
	err := s.write(ctx, actor, func(tx *sqlx.Tx) error {
		var err error
		out, err = modifyTx[T, PT](ctx, s, tx, e, id, apply)
		return err
	})
	return out, err
}

// modifyTx is modify inside a transaction the caller holds.
func modifyTx[T any, PT interface {
	*T
	validator
}](ctx context.Context, s *Store, tx *sqlx.Tx, e entity[T], id int64, apply func(PT) error) (T, error) {
	var cur, out T
	if err := s.get(ctx, tx, "id", e.what, &cur, e.selectByID()+` FOR UPDATE`, id); err != nil {
		return out, err
	}
	v := PT(&cur)
	if err := apply(v); err != nil {
		return out, err
	}
	if err := v.Validate(); err != nil {
		return out, err
	}
	if e.check != nil {
		if err := e.check(ctx, s, tx, &cur); err != nil {
			return out, err
		}
	}
	if err := s.update(ctx, tx, e.upd, v); err != nil {
		return out, err
	}
	err := s.get(ctx, tx, "id", e.what, &out, e.selectByID(), id)
	return out, err
}

// byIDs loads rows by id in one statement.
func byIDs[T any](ctx context.Context, s *Store, e entity[T], ids []int64, key func(*T) int64) (map[int64]T, error) {
	rows, err := selectRows[T](ctx, s, s.q(ctx), `SELECT `+e.cols+` FROM `+e.table+` WHERE id = ANY($1)`, pq.Array(ids))
	if err != nil {
		return nil, err
	}
	out := make(map[int64]T, len(rows))
	for i := range rows {
		out[key(&rows[i])] = rows[i]
	}
	return out, nil
}

// relation is a one-to-many relation loaded for many parents at once: its
// query takes the parent ids as $1 and an optional instant as $2 (NULL: every
// row, current and past) and returns rows ordered for display.
type relation[T any] struct {
	query string
	// every, if set, is the statement run without an instant: query
	// without its condition on $2 (atRelation).
	every string
	key   func(*T) int64
}

// loadRelation loads rel for every parent in keys in one statement.
func loadRelation[T any](ctx context.Context, s *Store, rel relation[T], keys []int64, at *time.Time) (map[int64][]T, error) {
	query, args := rel.query, []any{pq.Array(keys), nullTime(at)}
	if at == nil && rel.every != "" {
		query, args = rel.every, args[:1]
	}
	rows, err := selectRows[T](ctx, s, s.q(ctx), query, args...)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]T, len(keys))
	for i := range rows {
		k := rel.key(&rows[i])
		out[k] = append(out[k], rows[i])
	}
	return out, nil
}

// page runs a keyset-paginated list query whose last two parameters are the
// cursor and the limit; it returns whether more rows follow.
func page[T any](ctx context.Context, s *Store, p registry.Page, query string, args ...any) ([]T, bool, error) {
	var rows []T
	args = append(args, p.After, p.First+1)
	if err := s.selectx(ctx, s.q(ctx), &rows, query, args...); err != nil {
		return nil, false, err
	}
	if len(rows) > p.First {
		return rows[:p.First], true, nil
	}
	return rows, false, nil
}

// mustExist checks ids held in an array column, which cannot carry
// foreign keys: each must name a row of table, else NOT_FOUND on field
// naming the first missing one ("no <what> with id N").
func mustExist(ctx context.Context, s *Store, tx *sqlx.Tx, table, field, what string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var missing []int64
	if err := s.selectx(ctx, tx, &missing, `SELECT id FROM unnest(CAST($1 AS bigint[])) AS c(id)
		WHERE NOT EXISTS (SELECT 1 FROM `+table+` t WHERE t.id = c.id) ORDER BY id LIMIT 1`, pq.Array(ids)); err != nil {
		return err
	}
	if len(missing) > 0 {
		return registry.NotFound(field, "no %s with id %d", what, missing[0])
	}
	return nil
}
