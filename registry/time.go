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
// loc, the registry's time zone, because that is how people name them.
func ParseInstant(field, s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", DateLayout} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, Invalid(field, "%q is not an instant; use RFC 3339 (2019-02-01T02:00:00+01:00) or a date (2019-02-01)", clip(s))
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
