package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"strings"
	"time"

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

// Authenticate returns the live token whose secret this is, and marks its
// use (at most once a minute, to spare writes). ok is false for an unknown,
// expired or revoked token.
func (s *Store) Authenticate(ctx context.Context, secret string) (t registry.Token, ok bool, err error) {
	if !strings.HasPrefix(secret, registry.TokenPrefix) || len(secret) > 100 {
		return registry.Token{}, false, nil
	}
	s.statements.Add(1)
	err = s.db.GetContext(ctx, &t, `UPDATE api_tokens SET last_used_at = CASE
			WHEN last_used_at IS NULL OR last_used_at < now() - interval '1 minute' THEN now() ELSE last_used_at END
		WHERE hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
		RETURNING `+tokenCols, hashToken(secret))
	if errors.Is(err, sql.ErrNoRows) {
		return registry.Token{}, false, nil
	}
	return t, err == nil, err
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
