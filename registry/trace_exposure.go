package registry

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Known exposure (issue 13, trace document version 5): what the registry
// already knew against each system while it held the call. The facts are
// judged in SQL by the rule functions the checks use (kedja_internet_access
// and its severity, kedja_software_gap and kedja_software_severity,
// kedja_profile_unknowns); here they only become dated periods.
const (
	// ExposureInternetNoAuth: a way in from the internet with no
	// authentication reached the system (internet_access, exposure: critical).
	ExposureInternetNoAuth = "internet_without_authentication"
	// ExposureInternetPassword: a way in from the internet with a password
	// alone reached it (high).
	ExposureInternetPassword = "internet_password_only"
	// ExposureInternetAuthUnknown: a way in from the internet reached it
	// whose authentication nobody has established: unknown, not safe.
	ExposureInternetAuthUnknown = "internet_authentication_unknown"
	// ExposureKnownExploited: a component ran with a vulnerability listed as
	// known exploited and not yet patched.
	ExposureKnownExploited = "known_exploited_vulnerability"
	// ExposureEndOfSupport: a component ran past its end of support.
	ExposureEndOfSupport = "end_of_support"
	// ExposureNotEstablished: security facts about it were not established.
	ExposureNotEstablished = "not_established"
)

// ExposureFacts lists the facts a known exposure may state, in the order a
// report lists them.
var ExposureFacts = []string{ExposureInternetNoAuth, ExposureInternetPassword, ExposureInternetAuthUnknown,
	ExposureKnownExploited, ExposureEndOfSupport, ExposureNotEstablished}

// KnownExposure is one fact the registry recorded against a system that
// held the call, for the part of its hold during which the fact held.
type KnownExposure struct {
	SystemID   int64  `json:"systemId"`
	SystemName string `json:"systemName"`
	// Fact is one of ExposureFacts.
	Fact string `json:"fact"`
	// Severity is what the checks' rule gives the fact (critical, high,
	// medium, low); empty for a fact that is not established, which has
	// none: it is unknown, never safe.
	Severity string `json:"severity,omitempty"`
	// Audience is who came in on the access path from the internet
	// (Audiences); empty when the system's profile said it was
	// internet-exposed.
	Audience string `json:"audience,omitempty"`
	// Through names the systems the way in passed before reaching it
	// (gateway, environments), in order; empty for direct access.
	Through string `json:"through,omitempty"`
	// Component is the product and version, and CVE the vulnerability, of
	// a software fact.
	Component string `json:"component,omitempty"`
	CVE       string `json:"cve,omitempty"`
	// Unknown names the security facts not established (as
	// kedja_profile_unknowns names them, and "access path authentication");
	// NoProfile says no security profile was recorded at all.
	Unknown   []string   `json:"unknown,omitempty"`
	NoProfile bool       `json:"noProfile,omitempty"`
	From      time.Time  `json:"from"`
	Until     *time.Time `json:"until,omitempty"`
}

// ExposurePoint is what the store found true of a held system at one
// instant of its hold: the instant the hold began, or one at which one of
// the system's own dated facts began or ended. A point with no fact (Fact
// nil) says nothing was known against the system from then on.
type ExposurePoint struct {
	// Index is the held system's index in Trace.Systems.
	Index     int       `db:"idx"`
	At        time.Time `db:"at"`
	Fact      *string   `db:"fact"`
	Severity  *string   `db:"severity"`
	Audience  *string   `db:"audience"`
	Through   *string   `db:"through"`
	Component *string   `db:"component"`
	CVE       *string   `db:"cve"`
	Unknown   []string  `db:"unknown"`
	NoProfile bool      `db:"no_profile"`
}

// HoldWindow is a held system's hold as the store's exposure read takes
// it: the system, and from and until when it held the call.
type HoldWindow struct {
	Index    int
	SystemID int64
	From     time.Time
	Until    *time.Time
}

// HoldWindows are the holds of a trace's systems, for the store to read
// their known exposure over.
func (t Trace) HoldWindows() []HoldWindow {
	out := make([]HoldWindow, len(t.Systems))
	for i, s := range t.Systems {
		out[i] = HoldWindow{Index: i, SystemID: s.SystemID, From: s.HeldFrom, Until: s.HeldUntil}
	}
	return out
}

// SetKnownExposure turns the points the store found into the trace's known
// exposure: a fact found at a point holds until the system's next point
// (every change of the system's own facts is one), or to the end of its
// hold after the last; consecutive periods of the same fact are one. A
// system with nothing known against it gets nothing.
func (t *Trace) SetKnownExposure(points []ExposurePoint) {
	byIndex := map[int][]ExposurePoint{}
	for _, p := range points {
		if p.Index >= 0 && p.Index < len(t.Systems) {
			byIndex[p.Index] = append(byIndex[p.Index], p)
		}
	}
	seen := map[string]bool{}
	var out []KnownExposure
	for i, sy := range t.Systems {
		ps := byIndex[i]
		var instants []time.Time
		for _, p := range ps {
			if !slices.ContainsFunc(instants, p.At.Equal) {
				instants = append(instants, p.At)
			}
		}
		sort.Slice(instants, func(a, b int) bool { return instants[a].Before(instants[b]) })
		// open holds each fact's period while it runs on, by its key.
		open := map[string]int{}
		for k, at := range instants {
			var until *time.Time
			if k+1 < len(instants) {
				u := instants[k+1]
				until = &u
			} else if sy.HeldUntil != nil {
				u := *sy.HeldUntil
				until = &u
			}
			next := map[string]int{}
			for _, p := range ps {
				if !p.At.Equal(at) || p.Fact == nil {
					continue
				}
				e := KnownExposure{SystemID: sy.SystemID, SystemName: sy.Name, Fact: *p.Fact, Severity: deref(p.Severity),
					Audience: deref(p.Audience), Through: deref(p.Through), Component: deref(p.Component), CVE: deref(p.CVE),
					Unknown: p.Unknown, NoProfile: p.NoProfile, From: at, Until: until}
				key := e.key()
				if _, dup := next[key]; dup {
					continue
				}
				if j, ok := open[key]; ok {
					out[j].Until = until
					next[key] = j
					continue
				}
				next[key] = len(out)
				out = append(out, e)
			}
			open = next
		}
	}
	// A system held twice (for two parties, or moved into) states a fact
	// once per period.
	t.KnownExposure = slices.DeleteFunc(out, func(e KnownExposure) bool {
		k := fmt.Sprint(e.SystemID) + "|" + e.key() + "|" + e.From.String() + "|" + untilKey(e.Until)
		if seen[k] {
			return true
		}
		seen[k] = true
		return false
	})
}

func (e KnownExposure) key() string {
	return strings.Join([]string{e.Fact, e.Severity, e.Audience, e.Through, e.Component, e.CVE,
		strings.Join(e.Unknown, ","), map[bool]string{true: "p"}[e.NoProfile]}, "|")
}

func untilKey(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.String()
}
