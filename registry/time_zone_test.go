package registry

import (
	"testing"
	"time"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestCallInstantOnTheRegionsClock: a call's time written without an
// offset is read on the calling region's clocks, summer and winter; one
// with an offset is that instant wherever it is read.
func TestCallInstantOnTheRegionsClock(t *testing.T) {
	london, stockholm := mustZone(t, "Europe/London"), mustZone(t, "Europe/Stockholm")
	for _, c := range []struct {
		name     string
		in       string
		zone     *time.Location
		wantWall bool
		wantUTC  string
		wantShow string // on the zone's clocks, as a report prints it
	}{
		{"London summer (BST)", "2021-07-01T19:30", london, true, "2021-07-01T18:30:00Z", "2021-07-01 19:30 BST"},
		{"London winter (GMT)", "2021-01-15T19:30", london, true, "2021-01-15T19:30:00Z", "2021-01-15 19:30 GMT"},
		{"Stockholm summer (CEST)", "2021-07-01T19:30", stockholm, true, "2021-07-01T17:30:00Z", "2021-07-01 19:30 CEST"},
		{"Stockholm winter (CET)", "2021-01-15T19:30:00", stockholm, true, "2021-01-15T18:30:00Z", "2021-01-15 19:30 CET"},
		{"a date is its midnight there", "2021-07-01", london, true, "2021-06-30T23:00:00Z", "2021-07-01 00:00 BST"},
		{"an offset is kept", "2021-07-01T19:30:00+02:00", london, false, "2021-07-01T17:30:00Z", "2021-07-01 18:30 BST"},
		{"Z is kept", "2021-07-01T19:30Z", stockholm, false, "2021-07-01T19:30:00Z", "2021-07-01 21:30 CEST"},
		// 28 March 2021: London skips 01:00-02:00, Stockholm 02:00-03:00.
		// Read in UTC first, 02:30 stays a valid London time.
		{"Stockholm's skipped hour is London's summer time", "2021-03-28T02:30", london, true, "2021-03-28T01:30:00Z", "2021-03-28 02:30 BST"},
		{"London's skipped hour moves on by the gap", "2021-03-28T01:30", london, true, "2021-03-28T01:30:00Z", "2021-03-28 02:30 BST"},
	} {
		t.Run(c.name, func(t *testing.T) {
			at, wall, err := ParseCallInstant("at", c.in)
			if err != nil {
				t.Fatal(err)
			}
			if wall != c.wantWall {
				t.Errorf("wall %v, want %v", wall, c.wantWall)
			}
			if wall {
				at = AtWall(at, c.zone)
			}
			if got := at.UTC().Format(time.RFC3339); got != c.wantUTC {
				t.Errorf("instant %s, want %s", got, c.wantUTC)
			}
			if got := at.In(c.zone).Format("2006-01-02 15:04 MST"); got != c.wantShow {
				t.Errorf("shown as %s, want %s", got, c.wantShow)
			}
			// ParseInstant is the same reading in a zone known beforehand.
			if p, err := ParseInstant("at", c.in, c.zone); err != nil || !p.Equal(at) {
				t.Errorf("ParseInstant gives %v, %v; want %v", p, err, at)
			}
		})
	}
	if _, _, err := ParseCallInstant("at", "19:30 yesterday"); ErrorCode(err) != EInvalid {
		t.Errorf("a bad instant gives %v, want INVALID_INPUT", err)
	}
}

// TestTraceZone: a trace is read in its region's zone, the registry's only
// when the region had none, or one this kedja does not know.
func TestTraceZone(t *testing.T) {
	registry := mustZone(t, "Europe/Stockholm")
	for _, c := range []struct{ name, zone, want string }{
		{"London region", "Europe/London", "Europe/London"},
		{"Stockholm region", "Europe/Stockholm", "Europe/Stockholm"},
		{"no zone recorded (older documents)", "", "Europe/Stockholm"},
		{"an unknown zone", "Mars/Olympus_Mons", "Europe/Stockholm"},
		{"the machine's zone names no region", "Local", "Europe/Stockholm"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr := Trace{Region: PartyFacts{TimeZone: c.zone}}
			if got := tr.Zone(registry).String(); got != c.want {
				t.Errorf("zone %s, want %s", got, c.want)
			}
		})
	}
}

// TestTraceIn: every instant of a trace is placed in the zone, the same
// instants; legal dates stay as they are; the trace given is not changed.
func TestTraceIn(t *testing.T) {
	london := mustZone(t, "Europe/London")
	call := time.Date(2021, 7, 1, 18, 30, 0, 0, time.UTC)
	later := call.Add(30 * 24 * time.Hour)
	found := time.Date(2021, 6, 7, 0, 0, 0, 0, time.UTC)
	tr := Trace{CallAt: call, CreatedAt: later,
		Holders:       []Holder{{HeldFrom: call, HeldUntil: &later, FoundOn: &found}},
		Systems:       []HeldSystem{{HeldFrom: call, HeldUntil: &later}},
		Exposures:     []TraceExposure{{From: call}},
		KnownExposure: []KnownExposure{{From: call, Until: &later}}}
	got := tr.In(london)
	for _, c := range []struct {
		name string
		at   time.Time
		want string
	}{
		{"callAt", got.CallAt, "2021-07-01T19:30:00+01:00"},
		{"createdAt", got.CreatedAt, "2021-07-31T19:30:00+01:00"},
		{"holder heldFrom", got.Holders[0].HeldFrom, "2021-07-01T19:30:00+01:00"},
		{"holder heldUntil", *got.Holders[0].HeldUntil, "2021-07-31T19:30:00+01:00"},
		{"holder foundOn, a legal date", *got.Holders[0].FoundOn, "2021-06-07T00:00:00Z"},
		{"system heldFrom", got.Systems[0].HeldFrom, "2021-07-01T19:30:00+01:00"},
		{"system heldUntil", *got.Systems[0].HeldUntil, "2021-07-31T19:30:00+01:00"},
		{"exposure from", got.Exposures[0].From, "2021-07-01T19:30:00+01:00"},
		{"known exposure until", *got.KnownExposure[0].Until, "2021-07-31T19:30:00+01:00"},
		{"recipient heldFrom", got.Recipients()[0].HeldFrom, "2021-07-01T19:30:00+01:00"},
		{"the original is untouched", tr.Systems[0].HeldFrom, "2021-07-01T18:30:00Z"},
		{"the original's pointers are untouched", *tr.Holders[0].HeldUntil, "2021-07-31T18:30:00Z"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if s := c.at.Format(time.RFC3339); s != c.want {
				t.Errorf("%s, want %s", s, c.want)
			}
		})
	}
}
