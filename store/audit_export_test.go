package store

import (
	"context"
	"database/sql"
	"slices"
)

// RechainAudit rewrites every audit row's link and hash the way someone
// holding the database but not the audit key would after editing rows: as
// keyed (version 2) rows under key, their own guess, or, with key nil, as
// unkeyed version 1 rows. The caller has disabled the append-only trigger.
func RechainAudit(ctx context.Context, db *sql.DB, key []byte) error {
	rows, err := readAudit(ctx, db)
	if err != nil {
		return err
	}
	prev := genesis
	for _, r := range rows {
		r.PrevHash = prev
		if key == nil {
			r.Version, r.Hash = 1, legacyHash(prev, r)
		} else {
			r.Version, r.Hash = 2, rowMAC(key, prev, r)
		}
		if _, err := db.ExecContext(ctx, `UPDATE audit_log SET prev_hash = $2, hash = $3, chain_version = $4 WHERE id = $1`,
			r.ID, r.PrevHash, r.Hash, r.Version); err != nil {
			return err
		}
		prev = r.Hash
	}
	return nil
}

// AppendLegacyAudit appends n unkeyed (version 1) rows, as kedja wrote
// before migration 0018: numbered by the sequence, hashed with SHA-256.
func AppendLegacyAudit(ctx context.Context, db *sql.DB, n int) error {
	rows, err := readAudit(ctx, db)
	if err != nil {
		return err
	}
	prev := genesis
	if len(rows) > 0 {
		prev = rows[len(rows)-1].Hash
	}
	for i := 0; i < n; i++ {
		r := auditRow{Principal: "old", Role: "admin", Operation: "query organisations", Outcome: "ok", Client: "192.0.2.1", Version: 1}
		if err := db.QueryRowContext(ctx, `SELECT nextval('audit_log_id'), date_trunc('milliseconds', now())`).Scan(&r.ID, &r.At); err != nil {
			return err
		}
		r.PrevHash, r.Hash = prev, legacyHash(prev, r)
		if _, err := db.ExecContext(ctx, `INSERT INTO audit_log (`+auditCols+`)
			VALUES ($1, $2, $3, $4, $5, $6, '{}', NULL, $7, $8, $9, $10, 1)`,
			r.ID, r.At, r.Principal, r.Role, r.Operation, r.QueryHash, r.Client, r.Outcome, r.PrevHash, r.Hash); err != nil {
			return err
		}
		prev = r.Hash
	}
	return nil
}

func readAudit(ctx context.Context, db *sql.DB) ([]auditRow, error) {
	cur, err := db.QueryContext(ctx, `SELECT id, at, principal, role, operation, query_hash, affected, case_ref, client, outcome
		FROM audit_log ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer cur.Close()
	var out []auditRow
	for cur.Next() {
		var r auditRow
		if err := cur.Scan(&r.ID, &r.At, &r.Principal, &r.Role, &r.Operation, &r.QueryHash, &r.Affected, &r.CaseRef, &r.Client, &r.Outcome); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, cur.Err()
}

// RechainLegacyPrefix recomputes the unkeyed (version 1) rows' hashes after
// they were edited, leaving the keyed rows after them as they are.
func RechainLegacyPrefix(ctx context.Context, db *sql.DB) error {
	rows, err := readAudit(ctx, db)
	if err != nil {
		return err
	}
	var legacy []int64
	cur, err := db.QueryContext(ctx, `SELECT id FROM audit_log WHERE chain_version = 1 ORDER BY id`)
	if err != nil {
		return err
	}
	for cur.Next() {
		var id int64
		if err := cur.Scan(&id); err != nil {
			return err
		}
		legacy = append(legacy, id)
	}
	cur.Close()
	prev := genesis
	for _, r := range rows {
		if !slices.Contains(legacy, r.ID) {
			break
		}
		r.PrevHash, r.Hash = prev, legacyHash(prev, r)
		if _, err := db.ExecContext(ctx, `UPDATE audit_log SET prev_hash = $2, hash = $3 WHERE id = $1`, r.ID, r.PrevHash, r.Hash); err != nil {
			return err
		}
		prev = r.Hash
	}
	return nil
}

// AuditQueued is how many rows wait in the audit writer's queue.
func AuditQueued(s *Store) int {
	w := s.writer.Load()
	if w == nil {
		return 0
	}
	return len(w.queue)
}
