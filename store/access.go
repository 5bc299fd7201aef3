package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

const tokenCols = `id, name, role, prefix, created_at, created_by, expires_at, last_used_at, revoked_at`

func hashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// CreateToken makes a new token and returns it with its secret, which is
// shown this once and stored only as a hash.
func (s *Store) CreateToken(ctx context.Context, actor, name, role string, expires *time.Time) (registry.Token, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return registry.Token{}, "", registry.Invalid("name", "give the token a name (1 to 200 characters)")
	}
	if !slicesContains(registry.AccessRoles, role) {
		return registry.Token{}, "", registry.Invalid("role", "%q is not a role; the roles are %s", role, strings.Join(registry.AccessRoles, ", "))
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return registry.Token{}, "", err
	}
	secret := registry.TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	var t registry.Token
	s.statements.Add(1)
	err := s.db.GetContext(ctx, &t, `INSERT INTO api_tokens (name, role, prefix, hash, created_by, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+tokenCols, name, role, secret[:len(registry.TokenPrefix)+6], hashToken(secret), actor, nullTime(expires))
	return t, secret, err
}

// Authenticate returns the live token whose secret this is; ok is false
// for an unknown, expired or revoked token. It only reads: the token's last
// use is marked by MarkTokenUsed, which the caller calls at most once a
// minute per token. The token is found by its prefix and its hash compared
// in constant time here, so that how long the answer takes says nothing of
// how much of a guessed secret was right.
func (s *Store) Authenticate(ctx context.Context, secret string) (t registry.Token, ok bool, err error) {
	n := len(registry.TokenPrefix) + 6
	if !strings.HasPrefix(secret, registry.TokenPrefix) || len(secret) > 100 || len(secret) < n {
		return registry.Token{}, false, nil
	}
	var rows []struct {
		registry.Token
		Hash []byte `db:"hash"`
	}
	if err := s.selectx(ctx, s.db, &rows, `SELECT `+tokenCols+`, hash FROM api_tokens
		WHERE prefix = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`, secret[:n]); err != nil {
		return registry.Token{}, false, err
	}
	want := hashToken(secret)
	for _, r := range rows {
		if subtle.ConstantTimeCompare(r.Hash, want) == 1 {
			t, ok = r.Token, true
		}
	}
	return t, ok, nil
}

// MarkTokenUsed records that the token with id was used now.
func (s *Store) MarkTokenUsed(ctx context.Context, id int64) error {
	s.statements.Add(1)
	_, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = now() WHERE id = $1`, id)
	return err
}

const lockoutCols = `id, kind, key, failures, locked_at, lifted_at, lifted_by`

// LockOut records a lock-out of an address or a prefix after failures; one
// already in force stands as it is.
func (s *Store) LockOut(ctx context.Context, kind, key string, failures int) error {
	s.statements.Add(1)
	_, err := s.db.ExecContext(ctx, `INSERT INTO auth_lockouts (kind, key, failures) VALUES ($1, $2, $3)
		ON CONFLICT (kind, key) WHERE lifted_at IS NULL DO NOTHING`, kind, key, failures)
	return err
}

// Lockouts lists the lock-outs in force, oldest first.
func (s *Store) Lockouts(ctx context.Context) ([]registry.Lockout, error) {
	var out []registry.Lockout
	err := s.selectx(ctx, s.db, &out, `SELECT `+lockoutCols+` FROM auth_lockouts WHERE lifted_at IS NULL ORDER BY id`)
	return out, err
}

// LiftLockout lifts the lock-outs in force of an address or a prefix (key),
// recording who lifted them, and returns them; NOT_FOUND if there is none.
func (s *Store) LiftLockout(ctx context.Context, actor, key string) ([]registry.Lockout, error) {
	if strings.TrimSpace(actor) == "" {
		return nil, errors.New("store: lift a lock-out without an actor")
	}
	var out []registry.Lockout
	s.statements.Add(1)
	err := s.db.SelectContext(ctx, &out, `UPDATE auth_lockouts SET lifted_at = now(), lifted_by = $2
		WHERE key = $1 AND lifted_at IS NULL RETURNING `+lockoutCols, strings.TrimSpace(key), actor)
	if err == nil && len(out) == 0 {
		return nil, registry.NotFound("target", "no lock-out in force for %q", key)
	}
	return out, err
}

// RevokeToken revokes a token by id or by the prefix shown in lists.
func (s *Store) RevokeToken(ctx context.Context, idOrPrefix string) (registry.Token, error) {
	var t registry.Token
	s.statements.Add(1)
	err := s.db.GetContext(ctx, &t, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, now())
		WHERE CAST(id AS text) = $1 OR prefix = $1 RETURNING `+tokenCols, idOrPrefix)
	if errors.Is(err, sql.ErrNoRows) {
		return t, registry.NotFound("token", "no token %q", idOrPrefix)
	}
	return t, err
}

// ListTokens lists every token, newest first.
func (s *Store) ListTokens(ctx context.Context) ([]registry.Token, error) {
	var ts []registry.Token
	err := s.selectx(ctx, s.db, &ts, `SELECT `+tokenCols+` FROM api_tokens ORDER BY id DESC`)
	return ts, err
}

func slicesContains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

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
}

func (r auditRow) entry() registry.AuditEntry {
	return registry.AuditEntry{ID: r.ID, At: r.At, Principal: r.Principal, Role: r.Role, Operation: r.Operation,
		QueryHash: r.QueryHash, Affected: r.Affected, CaseRef: r.CaseRef, Client: r.Client, Outcome: r.Outcome,
		PrevHash: r.PrevHash, Hash: r.Hash}
}

func newAuditRow(e registry.AuditEntry) auditRow {
	return auditRow{ID: e.ID, At: e.At, Principal: e.Principal, Role: e.Role, Operation: e.Operation,
		QueryHash: e.QueryHash, Affected: e.Affected, CaseRef: e.CaseRef, Client: e.Client, Outcome: e.Outcome,
		PrevHash: e.PrevHash, Hash: e.Hash}
}

const auditCols = `id, at, principal, role, operation, query_hash, affected, case_ref, client, outcome, prev_hash, hash`

var genesis = make([]byte, sha256.Size)

// chainHash is a row's hash: SHA-256 of the previous row's hash and the
// row's own fields, each on a line of its own.
func chainHash(prev []byte, e auditRow) []byte {
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

// Audit appends e to the audit log, chained to the row before it. Appends
// are serialised by a lock so that the chain has no forks.
func (s *Store) Audit(ctx context.Context, entry registry.AuditEntry) error {
	e := newAuditRow(entry)
	// An audit row must be written even when the request's own context has
	// ended (a timeout is worth recording too).
	ctx = context.WithoutCancel(ctx)
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('kedja audit'))`); err != nil {
		return err
	}
	prev := genesis
	var last []byte
	err = tx.GetContext(ctx, &last, `SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1`)
	switch {
	case err == nil:
		prev = last
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	if err := tx.GetContext(ctx, &e.ID, `SELECT nextval('audit_log_id')`); err != nil {
		return err
	}
	e.At = time.Now().UTC().Truncate(time.Microsecond)
	if e.Affected == nil {
		e.Affected = pq.StringArray{}
	}
	e.PrevHash, e.Hash = prev, chainHash(prev, e)
	if _, err := tx.NamedExecContext(ctx, `INSERT INTO audit_log (`+auditCols+`) VALUES (:id, :at, :principal, :role,
		:operation, :query_hash, :affected, :case_ref, :client, :outcome, :prev_hash, :hash)`, e); err != nil {
		return err
	}
	s.statements.Add(5)
	return tx.Commit()
}

// ListAudit lists audit entries, newest first.
func (s *Store) ListAudit(ctx context.Context, f registry.AuditFilter, p registry.Page) ([]registry.AuditEntry, bool, error) {
	if p.After == 0 {
		p.After = 1<<63 - 1
	}
	rows, more, err := page[auditRow](ctx, s, p, `SELECT `+auditCols+` FROM audit_log
		WHERE ($1::text IS NULL OR principal = $1) AND ($2::text IS NULL OR operation = $2)
		  AND ($3::text IS NULL OR case_ref = $3) AND ($4::timestamptz IS NULL OR at >= $4)
		  AND id < $5 ORDER BY id DESC LIMIT $6`, f.Principal, f.Operation, f.CaseRef, nullTime(f.Since))
	if err != nil {
		return nil, false, err
	}
	out := make([]registry.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = r.entry()
	}
	return out, more, nil
}

// VerifyAudit walks the whole audit log and reports every row whose hash
// does not match its fields (altered) or whose link does not match the row
// before it (a row inserted or deleted before it).
func (s *Store) VerifyAudit(ctx context.Context) (rows int, problems []registry.AuditProblem, err error) {
	cur, err := s.db.QueryxContext(ctx, `SELECT `+auditCols+` FROM audit_log ORDER BY id`)
	if err != nil {
		return 0, nil, err
	}
	defer cur.Close()
	prev := genesis
	for cur.Next() {
		var e auditRow
		if err := cur.StructScan(&e); err != nil {
			return rows, problems, err
		}
		rows++
		if !bytes.Equal(e.PrevHash, prev) {
			problems = append(problems, registry.AuditProblem{ID: e.ID, Reason: "does not follow the row before it: a row was inserted or deleted"})
		}
		if !bytes.Equal(e.Hash, chainHash(e.PrevHash, e)) {
			problems = append(problems, registry.AuditProblem{ID: e.ID, Reason: "its fields do not match its hash: the row was altered"})
		}
		prev = e.Hash
	}
	return rows, problems, cur.Err()
}

// nullID is an id for SQL, NULL for 0 (none).
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
