package registry

import (
	"strings"
	"time"
)

// DateLayout is how legal dates are written.
const DateLayout = "2006-01-02"

// ParseInstant reads an instant given as RFC 3339 ("2019-02-01T02:00:00+01:00"),
// as a local time without offset ("2019-02-01T02:00"), or as a date
// ("2019-02-01", meaning its midnight). Times without an offset are read in
// loc, because that is how people name them: the registry's zone, except
// for a call's instant, which a trace reads in the calling region's zone
// (ParseCallInstant).
func ParseInstant(field, s string, loc *time.Location) (time.Time, error) {
	t, wall, err := ParseCallInstant(field, s)
	if err == nil && wall {
		t = AtWall(t, loc)
	}
	return t, err
}

// ParseCallInstant reads an instant as ParseInstant does, but leaves one
// written without an offset unplaced: wall is then true, and t's UTC clock
// reading is the wall-clock time as written, for AtWall to place in a zone
// that is not known yet (the calling region's, which only the trace reads).
// Reading it in UTC, which has no gaps, keeps 02:30 as 02:30 even on a
// night when some other zone skips that hour.
func ParseCallInstant(field, s string) (t time.Time, wall bool, err error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, false, nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", DateLayout} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, true, nil
		}
	}
	return time.Time{}, false, Invalid(field, "%q is not an instant; use RFC 3339 (2019-02-01T02:00:00+01:00) or a date (2019-02-01)", clip(s))
}

// AtWall is the instant at which clocks in loc read wall's UTC clock
// reading (a wall-clock time from ParseCallInstant). A reading that loc
// skips (the spring-forward hour) is moved on by the gap, and one it
// repeats (the autumn hour) is its first occurrence, as time.Date does.
func AtWall(wall time.Time, loc *time.Location) time.Time {
	w := wall.UTC()
	return time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc)
}

// ZoneOr is the IANA time zone name, or fallback when name is empty,
// "Local" (the machine's zone, which says nothing about a region), or not
// a zone this kedja knows. Traces and reports are read in the calling
// region's zone, the registry's (fallback) only when the region has none.
func ZoneOr(name string, fallback *time.Location) *time.Location {
	if name == "" || name == "Local" {
		return fallback
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return fallback
	}
	return l
}

// ParseDate reads a legal date, YYYY-MM-DD.
func ParseDate(field, s string) (time.Time, error) {
	t, err := time.Parse(DateLayout, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, Invalid(field, "%q is not a date; use YYYY-MM-DD", clip(s))
	}
	return t, nil
}

// clip keeps error messages short when the input is long.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
