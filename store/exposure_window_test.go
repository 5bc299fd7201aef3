package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store/storetest"
)

// An incident whose start is unknown gets, for each system, the start its
// dated profiles give: when the system had been reachable from the internet
// without a break up to the discovery. Unknown is not read as yes.
func TestExposureWindowFromTheProfiles(t *testing.T) {
	s := storetest.Store(t)
	d := func(v string) *time.Time { t := day(v); return &t }
	exposed, closed := registry.Fact(true), registry.Fact(false)
	tests := []struct {
		name         string
		kind         string
		from         *time.Time
		profiles     map[string]*bool // start date -> internet exposed (nil: not established)
		wantFrom     string           // "" for none
		fromProfiles bool
	}{
		{"ItsOwnStartIsKept", "confidentiality", d("2017-05-01"),
			map[string]*bool{"2016-01-01": exposed}, "2017-05-01", false},
		{"ProfilesSinceTheUpgrade", "confidentiality", nil,
			map[string]*bool{"2014-01-01": closed, "2016-01-01": exposed, "2017-06-01": exposed}, "2016-01-01", true},
		{"ABreakInTheRunEndsIt", "confidentiality", nil,
			map[string]*bool{"2016-01-01": exposed, "2017-01-01": closed, "2018-01-01": exposed}, "2018-01-01", true},
		{"UnknownIsNotReadAsYes", "confidentiality", nil,
			map[string]*bool{"2016-01-01": exposed, "2018-01-01": nil}, "", false},
		{"NotExposedAtDiscovery", "confidentiality", nil,
			map[string]*bool{"2016-01-01": closed}, "", false},
		{"AnAvailabilityBreachIsNotAboutExposure", "availability", nil,
			map[string]*bool{"2016-01-01": exposed}, "", false},
	}
	done := errors.New("done")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.InTx(context.Background(), "test", func(ctx context.Context) error {
				op, err := s.CreateOrganisation(ctx, "test", &registry.Organisation{LegalName: "Host AB", Country: "SE", Kind: "company"})
				if err != nil {
					t.Fatal(err)
				}
				sys, err := s.CreateSystem(ctx, "test", &registry.System{Name: "Server", Kind: "storage", OperatorID: op.ID})
				if err != nil {
					t.Fatal(err)
				}
				for _, from := range []string{"2014-01-01", "2016-01-01", "2017-01-01", "2017-06-01", "2018-01-01"} {
					fact, ok := tt.profiles[from]
					if !ok {
						continue
					}
					if _, err := s.SetSystemProfile(ctx, "test", &registry.SystemProfile{SystemID: sys.ID,
						Period: registry.Period{From: day(from)}, InternetExposed: fact}); err != nil {
						t.Fatal(err)
					}
				}
				inc, err := s.CreateIncident(ctx, "test", &registry.Incident{Title: "Open server", Kind: tt.kind, Status: "contained",
					ExposureFrom: tt.from, DiscoveredAt: day("2019-02-13"), ContainedAt: d("2019-02-18"), SystemIDs: []int64{sys.ID}})
				if err != nil {
					t.Fatal(err)
				}
				ws, err := s.ExposureWindows(ctx, []int64{inc.ID})
				if err != nil {
					t.Fatal(err)
				}
				if len(ws[inc.ID]) != 1 {
					t.Fatalf("windows %+v, want one", ws[inc.ID])
				}
				w := ws[inc.ID][0]
				got := ""
				if w.From != nil {
					got = w.From.UTC().Format("2006-01-02")
				}
				if got != tt.wantFrom || w.FromProfiles != tt.fromProfiles || w.Until == nil || !w.Until.Equal(day("2019-02-18")) {
					t.Errorf("window from %q (from profiles %v) until %v; want from %q (from profiles %v) until 2019-02-18",
						got, w.FromProfiles, w.Until, tt.wantFrom, tt.fromProfiles)
				}
				return done
			})
			if !errors.Is(err, done) {
				t.Fatal(err)
			}
		})
	}
}
