package store_test

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store/storetest"
)

// TestSessions: a session is made only from a live token, lives while it is
// used within its idle time and before its absolute end, ends with its
// token, and is gone after signing out.
func TestSessions(t *testing.T) {
	ctx := context.Background()
	s := storetest.Store(t)
	_, secret, err := s.CreateToken(ctx, "test", "anna", registry.RoleDSR, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateSession(ctx, "kedja_unknown", time.Hour, time.Hour); registry.ErrorCode(err) != registry.ENotFound {
		t.Fatalf("unknown token: %v, want NOT_FOUND", err)
	}
	tests := []struct {
		name  string
		spoil string // SQL run on the session (its hash is $1) or token before the lookup; "" for none
		live  bool
	}{
		{"Fresh", "", true},
		{"IdleTooLong", `UPDATE web_sessions SET last_seen = now() - interval '31 minutes' WHERE hash = $1`, false},
		{"PastAbsoluteEnd", `UPDATE web_sessions SET created_at = now() - interval '13 hours', expires_at = now() - interval '1 second' WHERE hash = $1`, false},
		{"TokenRevoked", `UPDATE api_tokens SET revoked_at = now() WHERE id = (SELECT token_id FROM web_sessions WHERE hash = $1)`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "TokenRevoked" {
				// Its own token, so the other cases keep theirs.
				_, secret, err = s.CreateToken(ctx, "test", "bo", registry.RoleEditor, nil)
				if err != nil {
					t.Fatal(err)
				}
			}
			sess, id, err := s.CreateSession(ctx, secret, 30*time.Minute, 12*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if sess.CSRF == "" || id == "" || sess.ExpiresAt.Sub(sess.CreatedAt) != 12*time.Hour {
				t.Fatalf("session %+v, id %q", sess, id)
			}
			if tt.spoil != "" {
				if _, err := s.DB().Exec(tt.spoil, storeHash(id)); err != nil {
					t.Fatal(err)
				}
			}
			got, ok, err := s.Session(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.live {
				t.Fatalf("live %v, want %v", ok, tt.live)
			}
			if ok && (got.Role != sess.Role || got.CSRF != sess.CSRF || got.TokenID == 0) {
				t.Errorf("looked up %+v, made %+v", got, sess)
			}
		})
	}
	t.Run("SignOut", func(t *testing.T) {
		_, secret, err := s.CreateToken(ctx, "test", "cilla", registry.RoleAuditor, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, id, err := s.CreateSession(ctx, secret, time.Hour, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.EndSession(ctx, id); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := s.Session(ctx, id); ok || err != nil {
			t.Errorf("after sign-out: live %v, err %v", ok, err)
		}
		var n int
		if err := s.DB().QueryRow(`SELECT count(*) FROM web_sessions WHERE hash = $1`, storeHash(id)).Scan(&n); err != nil || n != 0 {
			t.Errorf("rows left: %d, %v", n, err)
		}
	})
	t.Run("NotAToken", func(t *testing.T) {
		// A token's secret is not a session id, nor the reverse.
		if _, ok, err := s.Session(ctx, secret); ok || err != nil {
			t.Errorf("token as session: %v, %v", ok, err)
		}
	})
}

// storeHash is how the store keeps a session id.
func storeHash(id string) []byte {
	h := sha256.Sum256([]byte(id))
	return h[:]
}
