package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store/storetest"
)

// incident_notification's since for the Art. 33(1) duties that are met or
// missed by a date: overdue since the 72 hours ran out, notified late
// without reasons since the late notification went; a late notification
// with its reasons, and a deadline still ahead, raise nothing. The demo's
// 2019 exposure, judged on 22 February 2019 at noon, with each
// controller's awareness and notification set as the case says.
func TestIncidentNotificationSinceForDeadlines(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	inc := demoIncident(t, s)
	when := func(v string) time.Time {
		t.Helper()
		ts, err := time.ParseInLocation("2006-01-02T15:04", v, stockholm)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	reasons := "the processor's report reached us late"
	tests := []struct {
		name       string
		party      string
		aware      string
		sent       string  // "" for none
		delay      *string // reasons given for a late notification
		wantStatus string  // "" for no finding
		wantSev    string
		wantSince  string
	}{
		{"OverdueSinceTheDeadline", "Region Stockholm", "2019-02-18T20:00", "", nil, "overdue", "critical", "2019-02-21T20:00"},
		{"LateWithoutReasonsSinceItWent", "Region Sörmland", "2019-02-18T18:00", "2019-02-22T09:00", nil, "notified_late", "medium", "2019-02-22T09:00"},
		{"LateWithReasonsClears", "Region Kalmar län", "2019-02-18T18:00", "2019-02-22T09:00", &reasons, "", "", ""},
		{"DeadlineAheadClears", "Medhelp AB", "2019-02-20T10:00", "", nil, "", "", ""},
	}
	ids := map[string]int64{}
	for _, tt := range tests {
		var id int64
		if err := s.DB().QueryRow(`SELECT id FROM organisations WHERE legal_name = $1`, tt.party).Scan(&id); err != nil {
			t.Fatalf("%s: %v", tt.party, err)
		}
		ids[tt.party] = id
		aware := when(tt.aware)
		if _, err := s.SetIncidentParty(ctx, "test", &registry.IncidentParty{IncidentID: inc.ID, PartyID: id, AwareAt: &aware}); err != nil {
			t.Fatal(err)
		}
		if tt.sent != "" {
			if _, err := s.RecordNotification(ctx, "test", &registry.Notification{IncidentID: inc.ID, Article: "art33_1", FromID: id,
				ToAuthority: ptr("IMY"), SentAt: when(tt.sent), DelayReasons: tt.delay}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := s.RunChecks(ctx, registry.RunOptions{Checks: []string{"incident_notification"},
		At: when("2019-02-22T12:00"), Trigger: "cli"}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var status, severity string
			var since *time.Time
			err := s.DB().QueryRow(`SELECT evidence->>'status', severity, since FROM findings
				WHERE check_id = 'incident_notification' AND status = 'open' AND subject_kind = 'party' AND subject_id = $1`,
				ids[tt.party]).Scan(&status, &severity, &since)
			if errors.Is(err, sql.ErrNoRows) {
				if tt.wantStatus != "" {
					t.Fatalf("no finding, want %s", tt.wantStatus)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantStatus == "" {
				t.Fatalf("a finding %s (%s) since %v, want none", status, severity, since)
			}
			if status != tt.wantStatus || severity != tt.wantSev {
				t.Errorf("%s %s, want %s %s", status, severity, tt.wantStatus, tt.wantSev)
			}
			if want := when(tt.wantSince); since == nil || !since.Equal(want) {
				t.Errorf("since %v, want %v", since, want)
			}
		})
	}
}
