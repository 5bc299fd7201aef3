package store

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

// The audit log is one chain of rows, each holding the hash of the row
// before it. Version 1 rows (written before migration 0018) hash with plain
// SHA-256, which anyone with the database can recompute; version 2 rows are
// HMAC-SHA256 with a key the database never sees, numbered one after
// another. Every append takes one advisory lock, reads the head, and inserts
// after it, inside the transaction that commits the rows: a write's own
// transaction (writeOn), or a group commit of many requests' rows
// (auditWriter).

// auditRow is an audit entry as audit_log holds it.
type auditRow struct {
	ID        int64          `db:"id"`
	At        time.Time      `db:"at"`
	Principal string         `db:"principal"`
	Role      string         `db:"role"`
	Operation string         `db:"operation"`
	QueryHash string         `db:"query_hash"`
	Affected  pq.StringArray `db:"affected"`
	CaseRef   *string        `db:"case_ref"`
	Client    string         `db:"client"`
	Outcome   string         `db:"outcome"`
	PrevHash  []byte         `db:"prev_hash"`
	Hash      []byte         `db:"hash"`
	Version   int16          `db:"chain_version"`
}

func (r auditRow) entry() registry.AuditEntry {
	return registry.AuditEntry{ID: r.ID, At: r.At, Principal: r.Principal, Role: r.Role, Operation: r.Operation,
		QueryHash: r.QueryHash, Affected: r.Affected, CaseRef: r.CaseRef, Client: r.Client, Outcome: r.Outcome,
		PrevHash: r.PrevHash, Hash: r.Hash}
}

// newAuditRow is the row to append for e, stamped now; the chain fields
// are filled in by appendChain.
func newAuditRow(e registry.AuditEntry) auditRow {
	r := auditRow{At: time.Now().UTC().Truncate(time.Microsecond), Principal: e.Principal, Role: e.Role,
		Operation: e.Operation, QueryHash: e.QueryHash, Affected: e.Affected, CaseRef: e.CaseRef, Client: e.Client, Outcome: e.Outcome}
	if r.Affected == nil {
		r.Affected = pq.StringArray{}
	}
	return r
}

const auditCols = `id, at, principal, role, operation, query_hash, affected, case_ref, client, outcome, prev_hash, hash, chain_version`

// chainLock serialises appends, so that the chain has no forks. It is
// taken as late as possible and held until COMMIT.
const chainLock = `pg_advisory_xact_lock(hashtext('kedja audit'))`

var genesis = make([]byte, sha256.Size)

// minAuditKey is the shortest audit key accepted: as long as the MAC.
const minAuditKey = 32

// errNoAuditKey is returned by appends on a store that was given no key.
var errNoAuditKey = errors.New("store: no audit key (KEDJA_AUDIT_KEY_FILE): the audit log cannot be appended to")

// SetAuditKey gives the store the key that keys the audit chain and signs
// its checkpoints. The key is kept outside the database, so that whoever
// holds the database's credentials cannot re-chain rows they changed.
func (s *Store) SetAuditKey(key []byte) error {
	if len(key) < minAuditKey {
		return fmt.Errorf("store: the audit key has %d bytes; it needs at least %d", len(key), minAuditKey)
	}
	s.auditKey = bytes.Clone(key)
	return nil
}

// legacyHash is a version 1 row's hash: SHA-256 of the previous row's hash
// and the row's own fields, each on a line of its own.
func legacyHash(prev []byte, e auditRow) []byte {
	caseRef := ""
	if e.CaseRef != nil {
		caseRef = *e.CaseRef
	}
	h := sha256.New()
	h.Write(prev)
	fmt.Fprintf(h, "\n%d\n%s\n%q\n%q\n%q\n%q\n%q\n%q\n%q\n%q", e.ID, e.At.UTC().Format(time.RFC3339Nano), e.Principal, e.Role,
		e.Operation, e.QueryHash, strings.Join(e.Affected, ","), caseRef, e.Client, e.Outcome)
	return h.Sum(nil)
}

// rowMAC is a version 2 row's hash: HMAC-SHA256, with the audit key, of the
// previous row's hash and the row's fields, each quoted so that no two rows
// encode alike (a list is not a joined string, no case is not an empty one).
func rowMAC(key, prev []byte, e auditRow) []byte {
	caseRef := "-"
	if e.CaseRef != nil {
		caseRef = strconv.Quote(*e.CaseRef)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("kedja audit row v2\n"))
	m.Write(prev)
	fmt.Fprintf(m, "\n%d\n%s\n%q\n%q\n%q\n%q\n%q\n%s\n%q\n%q", e.ID, e.At.UTC().Format(time.RFC3339Nano), e.Principal, e.Role,
		e.Operation, e.QueryHash, []string(e.Affected), caseRef, e.Client, e.Outcome)
	return m.Sum(nil)
}

// checkpointMAC signs a checkpoint with the audit key.
func checkpointMAC(key []byte, c registry.AuditCheckpoint) []byte {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "kedja audit checkpoint v1\n%d\n%x\n%s", c.ID, c.Hash, c.At.UTC().Format(time.RFC3339Nano))
	return m.Sum(nil)
}

// appendChain numbers, links and keys rows after the chain's head and
// inserts them, in one statement, inside tx, which must hold chainLock
// taken in an earlier statement (so that this one's snapshot sees the rows
// of whoever held it before).
func (s *Store) appendChain(ctx context.Context, tx *sqlx.Tx, rows []auditRow) error {
	if s.auditKey == nil {
		return errNoAuditKey
	}
	var headID int64
	prev := genesis
	err := tx.QueryRowContext(ctx, `SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&headID, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: audit head: %w", err)
	}
	n := len(rows)
	ids, ats := make(pq.Int64Array, n), make(pq.StringArray, n)
	principals, roles, ops, queries := make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n)
	affected, caseRefs := make(pq.StringArray, n), make([]sql.NullString, n)
	clients, outcomes := make(pq.StringArray, n), make(pq.StringArray, n)
	prevs, hashes := make(pq.ByteaArray, n), make(pq.ByteaArray, n)
	for i := range rows {
		r := &rows[i]
		r.ID, r.Version, r.PrevHash = headID+int64(i)+1, 2, prev
		r.Hash = rowMAC(s.auditKey, prev, *r)
		prev = r.Hash
		a, err := json.Marshal([]string(r.Affected))
		if err != nil {
			return err
		}
		ids[i], ats[i], principals[i], roles[i], ops[i], queries[i] = r.ID, r.At.Format(time.RFC3339Nano), r.Principal, r.Role, r.Operation, r.QueryHash
		affected[i], clients[i], outcomes[i], prevs[i], hashes[i] = string(a), r.Client, r.Outcome, r.PrevHash, r.Hash
		if r.CaseRef != nil {
			caseRefs[i] = sql.NullString{String: *r.CaseRef, Valid: true}
		}
	}
	// One statement for the whole batch, whatever its size: arrays of
	// columns, unnested.
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log (`+auditCols+`)
		SELECT u.id, u.at, u.principal, u.role, u.operation, u.query_hash,
		       ARRAY(SELECT a.x FROM jsonb_array_elements_text(u.affected) WITH ORDINALITY AS a(x, n) ORDER BY a.n),
		       u.case_ref, u.client, u.outcome, u.prev_hash, u.hash, 2
		FROM unnest(CAST($1 AS bigint[]), CAST($2 AS timestamptz[]), CAST($3 AS text[]), CAST($4 AS text[]),
		            CAST($5 AS text[]), CAST($6 AS text[]), CAST($7 AS jsonb[]), CAST($8 AS text[]), CAST($9 AS text[]),
		            CAST($10 AS text[]), CAST($11 AS bytea[]), CAST($12 AS bytea[]))
		     AS u(id, at, principal, role, operation, query_hash, affected, case_ref, client, outcome, prev_hash, hash)`,
		ids, ats, principals, roles, ops, queries, affected, pq.Array(caseRefs), clients, outcomes, prevs, hashes)
	if err != nil {
		return fmt.Errorf("store: append audit rows: %w", err)
	}
	return nil
}

// appendRows appends rows in a transaction of their own.
func (s *Store) appendRows(ctx context.Context, rows []auditRow) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: append audit rows: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.ExecContext(ctx, `SELECT `+chainLock); err != nil {
		return fmt.Errorf("store: audit chain lock: %w", err)
	}
	if err := s.appendChain(ctx, tx, rows); err != nil {
		return err
	}
	return tx.Commit()
}

// kindOfTable names the objects of a registry table as the audit log's
// affected lists do (kind:id): the singular, for most a plural's stem.
var kindOfTable = map[string]string{
	"countries":         "country",
	"location_policies": "location_policy",
	"disclosure_bases":  "disclosure_basis",
	"incident_parties":  "incident_party",
}

// maxAffected bounds a write's list of affected objects; a write that
// changes more (ending a system ends all its uses) says how many more.
const maxAffected = 1000

// auditWrite appends, inside a write's transaction and just before its
// COMMIT, the row that records it: what it changed, as the registry's own
// change record shows (every changes row this transaction made after since),
// with what the store noted besides (a stored trace). It takes the chain
// lock in the same statement that reads the changes: from here to COMMIT is
// all the lock is held.
func (s *Store) auditWrite(ctx context.Context, tx *sqlx.Tx, pa *registry.PendingAudit, since int64) ([]string, error) {
	notes, caseRef := pa.TakeNotes()
	var changed pq.StringArray
	err := tx.QueryRowContext(ctx, `SELECT ARRAY(SELECT table_name || ':' || row_key FROM changes
		WHERE id > $1 AND xmin = CAST(pg_current_xact_id() AS xid) ORDER BY id)
		FROM (SELECT `+chainLock+`) AS chain_lock`, since).Scan(&changed)
	if err != nil {
		return nil, fmt.Errorf("store: audit a write: %w", err)
	}
	affected := pq.StringArray{}
	seen := map[string]bool{}
	for i, c := range changed {
		table, key, _ := strings.Cut(c, ":")
		kind, known := kindOfTable[table]
		if !known {
			kind = strings.TrimSuffix(table, "s")
		}
		changed[i] = kind + ":" + key
	}
	for _, c := range append(changed, notes...) {
		if !seen[c] {
			seen[c] = true
			affected = append(affected, c)
		}
	}
	if len(affected) > maxAffected {
		affected = append(affected[:maxAffected], fmt.Sprintf("more:%d", len(affected)-maxAffected))
	}
	row := newAuditRow(registry.AuditEntry{Principal: pa.Principal, Role: pa.Role, Client: pa.Client, Operation: pa.Operation,
		QueryHash: pa.QueryHash, Affected: affected, Outcome: "ok"})
	if caseRef != "" {
		row.CaseRef = &caseRef
	}
	if err := s.appendChain(ctx, tx, []auditRow{row}); err != nil {
		return nil, err
	}
	return affected, nil
}

// Audit appends e and returns once it is committed: through the group
// commit when a writer runs (StartAuditWriter), else in a transaction of its
// own. The row is written even when ctx has ended (a timeout is worth
// recording too).
func (s *Store) Audit(ctx context.Context, e registry.AuditEntry) error {
	row := newAuditRow(e)
	if w := s.writer.Load(); w != nil {
		if queued, err := w.enqueue(ctx, &row, true); queued || err != nil {
			return err
		}
	}
	return s.appendRows(context.WithoutCancel(ctx), []auditRow{row})
}

// AuditLater queues e for the group commit and returns; it waits only while
// the queue is full, whatever ctx says, since nothing may be dropped.
// Without a writer running it appends at once, as Audit does.
func (s *Store) AuditLater(ctx context.Context, e registry.AuditEntry) error {
	row := newAuditRow(e)
	if w := s.writer.Load(); w != nil {
		if queued, err := w.enqueue(context.WithoutCancel(ctx), &row, false); queued || err != nil {
			return err
		}
	}
	return s.appendRows(context.WithoutCancel(ctx), []auditRow{row})
}

// ListAudit lists audit entries, newest first.
func (s *Store) ListAudit(ctx context.Context, f registry.AuditFilter, p registry.Page) ([]registry.AuditEntry, bool, error) {
	if p.After == 0 {
		p.After = 1<<63 - 1
	}
	rows, more, err := page[auditRow](ctx, s, p, `SELECT `+auditCols+` FROM audit_log
		WHERE ($1::text IS NULL OR principal = $1) AND ($2::text IS NULL OR operation = $2)
		  AND ($3::text IS NULL OR case_ref = $3) AND ($4::timestamptz IS NULL OR at >= $4)
		  AND ($5::timestamptz IS NULL OR at < $5)
		  AND id < $6 ORDER BY id DESC LIMIT $7`, f.Principal, f.Operation, f.CaseRef, nullTime(f.Since), nullTime(f.Until))
	if err != nil {
		return nil, false, err
	}
	out := make([]registry.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = r.entry()
	}
	return out, more, nil
}

// AuditCheckpoint signs the chain's head as it is now (id 0 and the
// genesis hash for an empty log).
func (s *Store) AuditCheckpoint(ctx context.Context) (registry.AuditCheckpoint, error) {
	if s.auditKey == nil {
		return registry.AuditCheckpoint{}, errNoAuditKey
	}
	c := registry.AuditCheckpoint{Hash: genesis}
	err := s.db.QueryRowContext(ctx, `SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&c.ID, &c.Hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("store: audit checkpoint: %w", err)
	}
	c.At = time.Now().UTC().Truncate(time.Microsecond)
	c.MAC = checkpointMAC(s.auditKey, c)
	return c, nil
}

// maxListedProblems bounds the problems a verification lists: a log
// rewritten wholesale would otherwise list every row.
const maxListedProblems = 1000

// verification collects what VerifyAudit finds.
type verification struct{ registry.AuditReport }

func (v *verification) problem(id int64, format string, args ...any) {
	if len(v.Problems) >= maxListedProblems {
		v.Unlisted++
		return
	}
	v.Problems = append(v.Problems, registry.AuditProblem{ID: id, Reason: fmt.Sprintf(format, args...)})
}

// VerifyAudit walks the whole audit log in id order, a row at a time, and
// reports every row whose hash does not match its fields (altered, or
// re-chained without the key), whose link does not match the row before it
// (a row inserted or deleted), or that is missing from the numbering. Then
// it compares the checkpoints, a batch at a time: each must be signed with
// the key, and the row it saw must still be there with the same hash, which
// catches deleting the newest rows and emptying the table.
func (s *Store) VerifyAudit(ctx context.Context, checkpoints iter.Seq2[registry.AuditCheckpoint, error]) (registry.AuditReport, error) {
	var v verification
	if s.auditKey == nil {
		return v.AuditReport, errNoAuditKey
	}
	if err := s.verifyChain(ctx, &v); err != nil {
		return v.AuditReport, err
	}
	if checkpoints == nil {
		return v.AuditReport, nil
	}
	var batch []registry.AuditCheckpoint
	for c, err := range checkpoints {
		if err != nil {
			return v.AuditReport, err
		}
		v.Checkpoints++
		if !hmac.Equal(c.MAC, checkpointMAC(s.auditKey, c)) {
			v.problem(c.ID, "the checkpoint of %s is not signed with this key: forged, damaged, or another key's", c.At.UTC().Format(time.RFC3339))
			continue
		}
		if v.Newest == nil || c.ID > v.Newest.ID {
			newest := c
			v.Newest = &newest
		}
		if batch = append(batch, c); len(batch) == 500 {
			if err := s.verifyCheckpoints(ctx, &v, batch); err != nil {
				return v.AuditReport, err
			}
			batch = batch[:0]
		}
	}
	return v.AuditReport, s.verifyCheckpoints(ctx, &v, batch)
}

// verifyChain streams the log and checks every row against the one before.
func (s *Store) verifyChain(ctx context.Context, v *verification) error {
	cur, err := s.db.QueryxContext(ctx, `SELECT `+auditCols+` FROM audit_log ORDER BY id`)
	if err != nil {
		return fmt.Errorf("store: verify audit: %w", err)
	}
	defer cur.Close()
	prev, prevID, keyed := genesis, int64(0), false
	for cur.Next() {
		var e auditRow
		if err := cur.StructScan(&e); err != nil {
			return fmt.Errorf("store: verify audit: %w", err)
		}
		v.Rows++
		switch e.Version {
		case 1:
			v.Unkeyed++
			if keyed {
				v.problem(e.ID, "an unkeyed row after keyed ones: written or re-chained without the key")
			} else if !bytes.Equal(e.Hash, legacyHash(e.PrevHash, e)) {
				v.problem(e.ID, "its fields do not match its hash: the row was altered")
			}
			if !bytes.Equal(e.PrevHash, prev) {
				v.problem(e.ID, "does not follow the row before it: a row was inserted or deleted")
			}
		default:
			keyed = true
			switch {
			case prevID != 0 && e.ID != prevID+1 && e.ID > prevID:
				v.problem(e.ID, "rows %d to %d before it are missing: deleted", prevID+1, e.ID-1)
			case !bytes.Equal(e.PrevHash, prev):
				v.problem(e.ID, "does not follow the row before it: a row was inserted or deleted")
			}
			if e.Version != 2 || !hmac.Equal(e.Hash, rowMAC(s.auditKey, e.PrevHash, e)) {
				v.problem(e.ID, "its fields do not match its MAC: the row was altered or forged without the key")
			}
		}
		prev, prevID = e.Hash, e.ID
	}
	if err := cur.Err(); err != nil {
		return fmt.Errorf("store: verify audit: %w", err)
	}
	return nil
}

// verifyCheckpoints looks up, in one statement, the rows a batch of
// checkpoints saw, and reports those gone or changed.
func (s *Store) verifyCheckpoints(ctx context.Context, v *verification, batch []registry.AuditCheckpoint) error {
	if len(batch) == 0 {
		return nil
	}
	ids := make(pq.Int64Array, len(batch))
	for i, c := range batch {
		ids[i] = c.ID
	}
	var rows []struct {
		ID   int64  `db:"id"`
		Hash []byte `db:"hash"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, hash FROM audit_log WHERE id = ANY($1)`, ids); err != nil {
		return fmt.Errorf("store: verify audit checkpoints: %w", err)
	}
	have := make(map[int64][]byte, len(rows))
	for _, r := range rows {
		have[r.ID] = r.Hash
	}
	for _, c := range batch {
		if c.ID == 0 {
			continue
		}
		when := c.At.UTC().Format(time.RFC3339)
		hash, ok := have[c.ID]
		switch {
		case !ok:
			v.problem(c.ID, "the checkpoint of %s saw row %d, which is gone: rows were deleted or the log emptied", when, c.ID)
		case !bytes.Equal(hash, c.Hash):
			v.problem(c.ID, "row %d differs from the checkpoint of %s: the log was rewritten", c.ID, when)
		}
	}
	return nil
}
