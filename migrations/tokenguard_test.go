package migrations_test

import (
	"context"
	"testing"

	"github.com/kedja/kedja/migrations"
	"github.com/kedja/kedja/store/storetest"
)

// Traces made before 0020 recorded their token only by name: each gets the
// token of that name where exactly one has it; the others stay unowned
// (auditors and admins read them), rather than go to the wrong user.
func TestTokenGuardOwnsOldTraces(t *testing.T) {
	ctx := context.Background()
	db := open(t, storetest.EmptyDatabase(t))
	all, err := migrations.All()
	if err != nil {
		t.Fatal(err)
	}
	if err := migrations.CreateVersionTable(ctx, db); err != nil {
		t.Fatal(err)
	}
	at := 0
	for ; all[at].Version < "0020"; at++ {
		if _, err := migrations.ApplyOne(ctx, db, all[at]); err != nil {
			t.Fatalf("%s: %v", all[at].Version, err)
		}
	}
	if _, err := db.Exec(`INSERT INTO api_tokens (name, role, prefix, hash, created_by) VALUES
		('anna', 'dsr', 'kedja_aaaaaa', '\x01', 'test'),
		('twice', 'dsr', 'kedja_bbbbbb', '\x02', 'test'),
		('twice', 'dsr', 'kedja_cccccc', '\x03', 'test');
		INSERT INTO call_traces (id, region_id, call_at, case_ref, created_by, result)
		SELECT v.id, (SELECT min(id) FROM organisations), now(), 'C-1', v.by, '{}'
		FROM (VALUES ('00000000000000000000000000000001', 'anna'), ('00000000000000000000000000000002', 'twice'),
		             ('00000000000000000000000000000003', 'gone')) AS v(id, by)`); err != nil {
		t.Fatal(err)
	}
	for ; at < len(all); at++ {
		if _, err := migrations.ApplyOne(ctx, db, all[at]); err != nil {
			t.Fatalf("%s: %v", all[at].Version, err)
		}
	}
	tests := []struct {
		name, id string
		owner    string // token name, "" for none
	}{
		{"OneTokenOfTheName", "00000000000000000000000000000001", "anna"},
		{"TwoTokensOfTheName", "00000000000000000000000000000002", ""},
		{"NoTokenOfTheName", "00000000000000000000000000000003", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var owner string
			if err := db.QueryRow(`SELECT COALESCE(t.name, '') FROM call_traces c LEFT JOIN api_tokens t ON t.id = c.made_by
				WHERE c.id = $1`, tt.id).Scan(&owner); err != nil {
				t.Fatal(err)
			}
			if owner != tt.owner {
				t.Errorf("owned by %q; want %q", owner, tt.owner)
			}
		})
	}
	// The guard against changes is back.
	if _, err := db.Exec(`UPDATE call_traces SET case_ref = 'C-2'`); err == nil {
		t.Error("call_traces can be changed after the migration")
	}
}
