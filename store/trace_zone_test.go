package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store/storetest"
)

// TestTraceReadsTheRegionsClock: a trace reads a call's local time, and the
// day of the call its SQL takes (kedja_transfer_class: which adequacy
// decision was in force), in the zone of the region called, whatever zone
// the registry runs in (Europe/Stockholm here); the registry's zone only
// when the region's is one PostgreSQL does not know.
func TestTraceReadsTheRegionsClock(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	since := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
	// One Brazilian processor: the EU's adequacy decision for Brazil
	// applies from 26 January 2026, so a call late on the 25th in London
	// (already the 26th in Stockholm) was a third-country transfer.
	br, err := s.CreateOrganisation(ctx, "test", &registry.Organisation{LegalName: "Brasil Ltda", Country: "BR", Kind: "company"})
	if err != nil {
		t.Fatal(err)
	}
	region := func(name, zone string) int64 {
		o, err := s.CreateOrganisation(ctx, "test", &registry.Organisation{LegalName: name, Country: "SE", Kind: "region", TimeZone: zone})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateLink(ctx, "test", &registry.Link{FromID: o.ID, ToID: br.ID, Role: "processor", Purpose: "calls",
			Period: registry.Period{From: since}, TransferMechanism: "scc", SCCModule: ptr(int16(2))}); err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	london := region("Region London", "Europe/London")
	stockholm := region("Region Stockholm", "Europe/Stockholm")
	// Organisation zones are checked by Go when written; one PostgreSQL
	// does not know reaches a trace only from outside kedja, as here.
	odd := region("Region Odd", "Europe/Stockholm")

	wall := func(s string) time.Time {
		w, isWall, err := registry.ParseCallInstant("at", s)
		if err != nil || !isWall {
			t.Fatalf("%s: wall %v, %v", s, isWall, err)
		}
		return w
	}
	for _, c := range []struct {
		name      string
		region    int64
		at        time.Time
		wallClock bool
		wantUTC   string
		wantClass string
	}{
		{"London summer: 19:30 BST is 18:30Z", london, wall("2021-07-01T19:30"), true, "2021-07-01T18:30:00Z", "third_country"},
		{"London winter: 19:30 GMT is 19:30Z", london, wall("2021-01-15T19:30"), true, "2021-01-15T19:30:00Z", "third_country"},
		{"Stockholm summer: 19:30 CEST is 17:30Z", stockholm, wall("2021-07-01T19:30"), true, "2021-07-01T17:30:00Z", "third_country"},
		{"Stockholm winter: 19:30 CET is 18:30Z", stockholm, wall("2021-01-15T19:30"), true, "2021-01-15T18:30:00Z", "third_country"},
		{"an offset given is kept", london, time.Date(2021, 7, 1, 19, 30, 0, 0, time.FixedZone("", 2*3600)), false, "2021-07-01T17:30:00Z", "third_country"},
		{"London's day: 23:30 on 25 January is before Brazil's adequacy", london, wall("2026-01-25T23:30"), true, "2026-01-25T23:30:00Z", "third_country"},
		{"Stockholm's day: the same instant is 26 January there", stockholm, time.Date(2026, 1, 25, 23, 30, 0, 0, time.UTC), false, "2026-01-25T23:30:00Z", "adequacy"},
		{"the registry's zone when PostgreSQL knows none", odd, wall("2026-01-26T00:30"), true, "2026-01-25T23:30:00Z", "adequacy"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.region == odd {
				// The zone is made unknown to PostgreSQL behind kedja's back.
				tx, err := s.DB().Begin()
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback() //nolint:errcheck // a no-op after Commit
				if _, err := tx.Exec(`SELECT set_config('kedja.actor', 'test', true)`); err != nil {
					t.Fatal(err)
				}
				if _, err := tx.Exec(`UPDATE organisations SET time_zone = 'Mars/Olympus_Mons' WHERE id = $1`, odd); err != nil {
					t.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
			}
			tr, err := s.TraceCall(ctx, "test", c.region, c.at, "DSR-zone", registry.TraceOptions{WallClock: c.wallClock})
			if err != nil {
				t.Fatal(err)
			}
			if got := tr.CallAt.UTC().Format(time.RFC3339); got != c.wantUTC {
				t.Errorf("call at %s, want %s", got, c.wantUTC)
			}
			stored, err := s.Trace(ctx, tr.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := stored.CallAt.UTC().Format(time.RFC3339); got != c.wantUTC {
				t.Errorf("stored call at %s, want %s", got, c.wantUTC)
			}
			if len(stored.Holders) != 1 || stored.Holders[0].Party.TransferClass != c.wantClass {
				t.Errorf("holders %+v, want the Brazilian processor as %s", stored.Holders, c.wantClass)
			}
		})
	}
}

// TestTraceZoneEndsWithTheTrace: inside a caller's transaction (InTx) a
// trace puts the registry's zone back when it is done, so the caller's
// later reads take the registry's days, not the last region's.
func TestTraceZoneEndsWithTheTrace(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	london, err := s.CreateOrganisation(ctx, "test", &registry.Organisation{LegalName: "Region London", Country: "SE", Kind: "region", TimeZone: "Europe/London"})
	if err != nil {
		t.Fatal(err)
	}
	// 23:30Z on 25 January 2026 is the 26th in Stockholm, when the
	// adequacy decision for Brazil applies, and still the 25th in London.
	at := time.Date(2026, 1, 25, 23, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		name  string
		trace bool
		want  string
	}{
		{"without a trace, the registry's day", false, "adequacy"},
		{"after a London region's trace, the registry's day again", true, "adequacy"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var class string
			err := s.InTx(ctx, "test", func(ctx context.Context) error {
				if c.trace {
					tr, err := s.TraceCall(ctx, "test", london.ID, at, "DSR-intx", registry.TraceOptions{})
					if err != nil {
						return err
					}
					if tr.Region.TimeZone != "Europe/London" {
						t.Errorf("the trace's region zone is %q", tr.Region.TimeZone)
					}
				}
				cs, err := s.CountriesAt(ctx, []string{"BR"}, at)
				class = cs["BR"].TransferClass
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if class != c.want {
				t.Errorf("Brazil at %s is %s, want %s", at.Format(time.RFC3339), class, c.want)
			}
		})
	}
}
