package store

import (
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
	err := s.db.GetContext(ctx, &t, `INSERT INTO api_tokens (name, role, prefix, hash, created_by, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING `+tokenCols, name, role, secret[:len(registry.TokenPrefix)+6], hashToken(secret), actor, nullTime(expires))
	return t, secret, err
}

// Authenticate returns the live token whose secret this is; ok is false
// for an unknown, expired or revoked token. It only reads: the token's last
// use is marked by MarkTokenUsed, which the caller calls at most once a
// minute per token. While the token cache runs (StartTokenCache) a token
// authenticated in the last seconds is answered from memory, by the SHA-256
// of its secret (a map lookup by a digest says nothing of the secret), with
// its expiry checked on every request. Otherwise the token is found by its
// prefix and its hash compared in constant time here, so that how long the
// answer takes says nothing of how much of a guessed secret was right.
func (s *Store) Authenticate(ctx context.Context, secret string) (t registry.Token, ok bool, err error) {
	n := len(registry.TokenPrefix) + 6
	if !strings.HasPrefix(secret, registry.TokenPrefix) || len(secret) > 100 || len(secret) < n {
		return registry.Token{}, false, nil
	}
	c := s.tokens.Load()
	if c == nil {
		return s.lookupToken(ctx, secret)
	}
	sum := sha256.Sum256([]byte(secret))
	t, ok, found, gen := c.lookup(sum)
	if found {
		return t, ok, nil
	}
	t, ok, err = s.lookupToken(ctx, secret)
	if err == nil && ok {
		c.put(sum, t, gen)
	}
	return t, ok, err
}

// lookupToken reads the live token whose secret this is from the database.
func (s *Store) lookupToken(ctx context.Context, secret string) (t registry.Token, ok bool, err error) {
	n := len(registry.TokenPrefix) + 6
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
	_, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = now() WHERE id = $1`, id)
	return err
}

const lockoutCols = `id, kind, key, failures, locked_at, lifted_at, lifted_by`

// LockOut records a lock-out of an address or a prefix after failures; one
// already in force stands as it is.
func (s *Store) LockOut(ctx context.Context, kind, key string, failures int) error {
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
	err := s.db.SelectContext(ctx, &out, `UPDATE auth_lockouts SET lifted_at = now(), lifted_by = $2
		WHERE key = $1 AND lifted_at IS NULL RETURNING `+lockoutCols, strings.TrimSpace(key), actor)
	if err == nil && len(out) == 0 {
		return nil, registry.NotFound("target", "no lock-out in force for %q", key)
	}
	return out, err
}

// RevokeToken revokes a token by id or by the prefix shown in lists. It
// returns once every kedja instance caching tokens (StartTokenCache) has
// dropped it, so that the token is refused from the very next request on,
// wherever it is sent; if one has not within maxTokenCacheWait, it returns
// the token with an error saying so (the revocation itself stands).
func (s *Store) RevokeToken(ctx context.Context, idOrPrefix string) (registry.Token, error) {
	var t registry.Token
	err := s.db.GetContext(ctx, &t, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, now())
		WHERE CAST(id AS text) = $1 OR prefix = $1 RETURNING `+tokenCols, idOrPrefix)
	if errors.Is(err, sql.ErrNoRows) {
		return t, registry.NotFound("token", "no token %q", idOrPrefix)
	}
	if err != nil {
		return t, err
	}
	// The epoch now is the one the update's trigger (migration 0034) moved
	// to, or a later one: waiting for it waits for this revocation too.
	var epoch int64
	if err := s.db.QueryRowContext(ctx, `SELECT n FROM token_epoch`).Scan(&epoch); err != nil {
		var pe *pq.Error
		if errors.As(err, &pe) && pe.Code == "42P01" {
			// A database before migration 0034: no instance caches tokens.
			return t, nil
		}
		return t, fmt.Errorf("store: revoke token: read the epoch: %w", err)
	}
	return t, s.awaitTokenCaches(ctx, epoch)
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

// nullID is an id for SQL, NULL for 0 (none).
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
