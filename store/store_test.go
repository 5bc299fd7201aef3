package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store/storetest"
)

// The database itself keeps the registry's promises, whoever writes to it:
// no hard deletes, no change without an author, no rewriting of history.
// The owner meets the triggers; the service role is refused before them,
// since it was never granted what they forbid.
func TestDatabaseGuardsHistory(t *testing.T) {
	s := storetest.Store(t)
	service, owner := s.DB(), storetest.Owner(t, s.DB())
	tests := []struct {
		name         string
		sql          string
		owner, asSvc string // the errors wanted as the owner and as the service role
	}{
		{"DeleteIsRefused", `DELETE FROM organisations WHERE county_code = '01'`, "never deleted", "permission denied"},
		{"ChangeWithoutAuthorIsRefused", `UPDATE organisations SET legal_name = 'X' WHERE county_code = '01'`, "set kedja.actor", "set kedja.actor"},
		{"HistoryCannotBeRewritten", `UPDATE changes SET actor = 'someone else'`, "append-only", "permission denied"},
		{"HistoryCannotBeDeleted", `DELETE FROM changes`, "append-only", "permission denied"},
		{"AuditLogCannotBeEmptied", `TRUNCATE audit_log`, "append-only", "permission denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, as := range []struct {
				who, want string
				db        *sql.DB
			}{{"owner", tt.owner, owner}, {"service", tt.asSvc, service}} {
				_, err := as.db.Exec(tt.sql)
				if err == nil || !strings.Contains(err.Error(), as.want) {
					t.Errorf("as the %s: got %v, want an error containing %q", as.who, err, as.want)
				}
			}
		})
	}
}

func TestSetSystemProfileEndsThePreviousOne(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	op, err := s.CreateOrganisation(ctx, "test", &registry.Organisation{LegalName: "Host AB", Country: "SE", Kind: "company"})
	if err != nil {
		t.Fatal(err)
	}
	sys, err := s.CreateSystem(ctx, "test", &registry.System{Name: "NAS", Kind: "storage", OperatorID: op.ID})
	if err != nil {
		t.Fatal(err)
	}
	t2016 := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	t2019 := time.Date(2019, 2, 18, 0, 0, 0, 0, time.UTC)
	if _, err := s.SetSystemProfile(ctx, "test", &registry.SystemProfile{SystemID: sys.ID, Period: registry.Period{From: t2016},
		InternetExposed: registry.Fact(true), Authentication: ptr("none"), TransportEncryption: registry.Fact(false), EncryptionAtRest: registry.Fact(false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetSystemProfile(ctx, "test", &registry.SystemProfile{SystemID: sys.ID, Period: registry.Period{From: t2019},
		InternetExposed: registry.Fact(false), Authentication: ptr("mfa"), TransportEncryption: registry.Fact(true), EncryptionAtRest: registry.Fact(true)}); err != nil {
		t.Fatal(err)
	}
	_, err = s.SetSystemProfile(ctx, "test", &registry.SystemProfile{SystemID: sys.ID, Period: registry.Period{From: t2016.AddDate(1, 0, 0)},
		Authentication: ptr("password")})
	if registry.ErrorCode(err) != registry.EConflict {
		t.Errorf("a profile inside a recorded period: got %v, want CONFLICT", err)
	}
	tests := []struct {
		name     string
		at       time.Time
		wantAuth string
	}{
		{"Exposed2017", time.Date(2017, 6, 1, 0, 0, 0, 0, time.UTC), "none"},
		// PostgreSQL keeps microseconds, so the last instant before is 1µs earlier.
		{"LastInstantExposed", t2019.Add(-time.Microsecond), "none"},
		{"ClosedFromFebruary2019", t2019, "mfa"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := tt.at
			got, err := storeProfiles(ctx, s, sys.ID, &at)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Authentication == nil || *got[0].Authentication != tt.wantAuth {
				t.Errorf("at %v: got %+v, want one profile with authentication %s", tt.at, got, tt.wantAuth)
			}
		})
	}
}

// The routing windows are evaluated in SQL; these cases pin their meaning.
func TestInWindows(t *testing.T) {
	s := storetest.Store(t)
	nights := `[{"days": ["mon","tue","wed","thu","fri","sat","sun"], "start": "21:00", "end": "07:00"},
	            {"days": ["sat","sun"], "start": "00:00", "end": "24:00"}]`
	friNight := `[{"days": ["fri"], "start": "21:00", "end": "07:00"}]`
	tests := []struct {
		name    string
		windows string
		at      string
		tz      string
		want    bool
	}{
		{"SaturdayNight", nights, "2017-03-11 02:00+01", "Europe/Stockholm", true},
		{"TuesdayAfternoon", nights, "2017-03-14 14:00+01", "Europe/Stockholm", false},
		{"TuesdayLastMinuteOfNight", nights, "2017-03-14 06:59+01", "Europe/Stockholm", true},
		{"TuesdayNightEndsAtSeven", nights, "2017-03-14 07:00+01", "Europe/Stockholm", false},
		{"SundayNightIntoMonday", nights, "2017-03-13 03:00+01", "Europe/Stockholm", true},
		{"SummerTimeWeekdayMorning", nights, "2017-06-13 06:30+02", "Europe/Stockholm", true},
		{"SummerTimeWeekdayDay", nights, "2017-06-13 07:30+02", "Europe/Stockholm", false},
		{"FridayWindowStarts", friNight, "2017-03-10 21:00+01", "Europe/Stockholm", true},
		{"FridayWindowRunsIntoSaturday", friNight, "2017-03-11 06:00+01", "Europe/Stockholm", true},
		{"SaturdayNightIsNotFridays", friNight, "2017-03-11 22:00+01", "Europe/Stockholm", false},
		{"ThursdayNightIsNotFridays", friNight, "2017-03-10 03:00+01", "Europe/Stockholm", false},
		{"FridayAfternoonInStockholm", friNight, "2017-03-10 16:00+01", "Europe/Stockholm", false},
		{"SameInstantIsFridayNightInBangkok", friNight, "2017-03-10 16:00+01", "Asia/Bangkok", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got bool
			if err := s.DB().QueryRow(`SELECT kedja_in_windows(CAST($1 AS jsonb), CAST($2 AS timestamptz), $3)`,
				tt.windows, tt.at, tt.tz).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("%s in %s: got %v, want %v", tt.at, tt.tz, got, tt.want)
			}
		})
	}
}

// A database error names the statement it came from (for the log), and
// still is what it was underneath.
func TestStoreErrorsNameTheirStatement(t *testing.T) {
	s := storetest.Store(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Parties(ctx, []int64{1}, time.Now())
	if err == nil || !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "store: WITH p AS MATERIALIZED ( SELECT o.id, o.legal_name") {
		t.Errorf("got %v, want a cancellation naming its statement", err)
	}
}

// What an attestation or a link is about cannot change under any caller,
// the API's inputs aside.
func TestSubjectsCannotMove(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	a, err := s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "A AB", Country: "SE", Kind: "company"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "B AB", Country: "SE", Kind: "company"})
	if err != nil {
		t.Fatal(err)
	}
	att, err := s.CreateAttestation(ctx, "t", &registry.Attestation{OrgID: &a.ID, Kind: "iso27001", Issuer: "C", IssuedOn: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	link, err := s.CreateLink(ctx, "t", &registry.Link{FromID: a.ID, ToID: b.ID, Role: "processor", Purpose: "p",
		Period: registry.Period{From: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, field string
		update      func() error
	}{
		{"AttestationToAnotherOrganisation", "orgId", func() error {
			_, err := s.UpdateAttestation(ctx, "t", att.ID, func(x *registry.Attestation) error { x.OrgID = &b.ID; return nil })
			return err
		}},
		{"AttestationToNoOrganisation", "orgId", func() error {
			_, err := s.UpdateAttestation(ctx, "t", att.ID, func(x *registry.Attestation) error { x.OrgID = nil; return nil })
			return err
		}},
		{"LinkToAnotherReceiver", "toId", func() error {
			_, err := s.UpdateLink(ctx, "t", link.ID, func(x *registry.Link) error { x.ToID = a.ID; return nil })
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.update()
			if e := registry.AsError(err); e == nil || e.Code != registry.EInvalid || e.Field != tt.field {
				t.Errorf("got %v, want INVALID_INPUT on %s", err, tt.field)
			}
		})
	}
}
