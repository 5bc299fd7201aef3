package store_test

import (
	"context"
	"crypto/sha256"
	"fmt"
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

// TestWebPageReads: the reads the web pages added: attestations expiring
// by a date, the newest changes, and an actor's own traces.
func TestWebPageReads(t *testing.T) {
	ctx := context.Background()
	s := storetest.Store(t)
	a, err := s.CreateOrganisation(ctx, "anna", &registry.Organisation{LegalName: "A AB", Country: "SE", Kind: "company"})
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().Truncate(24 * time.Hour)
	ids := map[string]int64{}
	for _, tt := range []struct {
		name  string
		until time.Time
	}{{"Soon", today.AddDate(0, 0, 30)}, {"Later", today.AddDate(0, 0, 200)}, {"Past", today.AddDate(0, 0, -3)}} {
		until := tt.until
		att, err := s.CreateAttestation(ctx, "anna", &registry.Attestation{OrgID: &a.ID, Kind: "iso27001", Issuer: tt.name,
			IssuedOn: today.AddDate(-1, 0, 0), ValidUntil: &until})
		if err != nil {
			t.Fatal(err)
		}
		ids[tt.name] = att.ID
	}
	by := today.AddDate(0, 0, 90)
	got, _, err := s.ListAttestations(ctx, registry.AttestationFilter{ExpiringBy: &by}, registry.Page{First: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != ids["Soon"] {
		t.Errorf("expiring within 90 days: %+v, want only the one due in 30", got)
	}
	changes, err := s.RecentChanges(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 || changes[0].ID <= changes[1].ID || changes[0].Table != "attestations" || changes[0].RowKey != fmt.Sprint(ids["Past"]) {
		t.Errorf("recent changes: %+v", changes)
	}
	var region int64 // the regions come with the reference data
	if err := s.DB().QueryRow(`SELECT min(id) FROM organisations WHERE kind = 'region'`).Scan(&region); err != nil {
		t.Fatal(err)
	}
	// Traces belong to the token that made them.
	tokenOf := map[string]int64{}
	for _, who := range []string{"anna", "bo"} {
		tok, _, err := s.CreateToken(ctx, "admin", who, registry.RoleDSR, nil)
		if err != nil {
			t.Fatal(err)
		}
		tokenOf[who] = tok.ID
	}
	for _, who := range []string{"anna", "bo", "anna"} {
		if _, err := s.TraceCall(ctx, who, region, today, "C-"+who, registry.TraceOptions{MadeBy: tokenOf[who]}); err != nil {
			t.Fatal(err)
		}
	}
	mine, err := s.TracesMadeBy(ctx, tokenOf["anna"], registry.TracePage{First: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(mine.Traces) != 2 || mine.Traces[0].CreatedBy != "anna" || mine.Traces[0].MadeBy != tokenOf["anna"] || mine.Traces[0].CreatedAt.Before(mine.Traces[1].CreatedAt) {
		t.Errorf("anna's traces: %+v", mine.Traces)
	}
}
