package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"time"

	"github.com/kedja/kedja/registry"
)

// sessionPrefix marks a session id, so that one pasted where a token is
// expected (or the reverse) is recognised as the wrong kind at once.
const sessionPrefix = "kedjas_"

func randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

const sessionCols = `s.token_id, t.name, t.role, s.csrf, s.created_at, s.expires_at`

// CreateSession makes a session from the live token whose secret is given.
// The token is looked up again here, in the insert, so that a session is
// only ever made from a token that is live as it is written. Sessions ended
// long ago are cleared on the way: nothing else needs them.
func (s *Store) CreateSession(ctx context.Context, tokenSecret string, idle, max time.Duration) (registry.Session, string, error) {
	if idle <= 0 || max <= 0 {
		return registry.Session{}, "", registry.Invalid("idle", "session lifetimes must be positive")
	}
	id, err := randomString(32)
	if err != nil {
		return registry.Session{}, "", err
	}
	id = sessionPrefix + id
	csrf, err := randomString(32)
	if err != nil {
		return registry.Session{}, "", err
	}
	var out registry.Session
	err = s.db.GetContext(ctx, &out, `WITH gone AS (DELETE FROM web_sessions WHERE expires_at < now() - interval '1 day'),
		s AS (INSERT INTO web_sessions (hash, token_id, csrf, idle, expires_at)
			SELECT $1, t.id, $2, make_interval(secs => $3), now() + make_interval(secs => $4)
			FROM api_tokens t WHERE t.hash = $5 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())
			RETURNING *)
		SELECT `+sessionCols+` FROM s JOIN api_tokens t ON t.id = s.token_id`,
		hashToken(id), csrf, idle.Seconds(), max.Seconds(), hashToken(tokenSecret))
	if errors.Is(err, sql.ErrNoRows) {
		return registry.Session{}, "", registry.NotFound("token", "the token is unknown, expired or revoked")
	}
	if err != nil {
		return registry.Session{}, "", err
	}
	return out, id, nil
}

// Session returns the live session whose id is given and marks its use, in
// one statement: live means used within its idle time, before its absolute
// end, and its token neither revoked nor expired. The use is written at
// most once a minute, so that most page views write nothing here.
func (s *Store) Session(ctx context.Context, id string) (registry.Session, bool, error) {
	if len(id) != len(sessionPrefix)+43 || id[:len(sessionPrefix)] != sessionPrefix {
		return registry.Session{}, false, nil
	}
	var out registry.Session
	err := s.db.GetContext(ctx, &out, `WITH live AS (
			SELECT `+sessionCols+`, s.last_seen FROM web_sessions s JOIN api_tokens t ON t.id = s.token_id
			WHERE s.hash = $1 AND s.last_seen + s.idle > now() AND s.expires_at > now()
				AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())),
		touched AS (UPDATE web_sessions SET last_seen = now()
			WHERE hash = $1 AND last_seen < now() - interval '1 minute' AND EXISTS (SELECT FROM live))
		SELECT token_id, name, role, csrf, created_at, expires_at FROM live`, hashToken(id))
	if errors.Is(err, sql.ErrNoRows) {
		return registry.Session{}, false, nil
	}
	return out, err == nil, err
}

// EndSession deletes a session: signing out leaves nothing to reuse.
func (s *Store) EndSession(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM web_sessions WHERE hash = $1`, hashToken(id))
	return err
}
