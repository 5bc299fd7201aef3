package registry

import (
	"testing"
	"time"
)

func TestSetKnownExposure(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2019, 2, d, 0, 0, 0, 0, time.UTC) }
	ptr := func(t time.Time) *time.Time { return &t }
	s := func(v string) *string { return &v }
	internet, unknown := s(ExposureInternetNoAuth), s(ExposureNotEstablished)
	tests := []struct {
		name   string
		held   *time.Time // the system's hold ends then (nil: unknown)
		points []ExposurePoint
		want   []KnownExposure // Fact, From, Until only
	}{
		{"NothingKnownSaysNothing", ptr(day(20)), []ExposurePoint{{At: day(1)}}, nil},
		{"OneFactForTheWholeHold", ptr(day(20)),
			[]ExposurePoint{{At: day(1)}, {At: day(1), Fact: internet, Severity: s("critical")}},
			[]KnownExposure{{Fact: ExposureInternetNoAuth, From: day(1), Until: ptr(day(20))}}},
		{"EndsWhereTheNextPointDoesNotSayIt", nil,
			[]ExposurePoint{{At: day(1), Fact: internet}, {At: day(18), Fact: unknown, NoProfile: true}},
			[]KnownExposure{{Fact: ExposureInternetNoAuth, From: day(1), Until: ptr(day(18))}, {Fact: ExposureNotEstablished, From: day(18)}}},
		{"ConsecutivePeriodsOfOneFactAreOne", ptr(day(20)),
			[]ExposurePoint{{At: day(1), Fact: internet}, {At: day(5), Fact: internet}, {At: day(9)}},
			[]KnownExposure{{Fact: ExposureInternetNoAuth, From: day(1), Until: ptr(day(9))}}},
		{"AFactThatReturnsIsTwoPeriods", ptr(day(20)),
			[]ExposurePoint{{At: day(1), Fact: internet}, {At: day(5)}, {At: day(9), Fact: internet}},
			[]KnownExposure{{Fact: ExposureInternetNoAuth, From: day(1), Until: ptr(day(5))}, {Fact: ExposureInternetNoAuth, From: day(9), Until: ptr(day(20))}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := Trace{Systems: []HeldSystem{{SystemID: 7, Name: "NAS", HeldFrom: day(1), HeldUntil: tt.held}}}
			tr.SetKnownExposure(tt.points)
			if len(tr.KnownExposure) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", tr.KnownExposure, tt.want)
			}
			for i, w := range tt.want {
				g := tr.KnownExposure[i]
				if g.Fact != w.Fact || !g.From.Equal(w.From) || (g.Until == nil) != (w.Until == nil) ||
					(g.Until != nil && !g.Until.Equal(*w.Until)) || g.SystemName != "NAS" {
					t.Errorf("%d: got %s %v-%v on %s, want %s %v-%v", i, g.Fact, g.From, g.Until, g.SystemName, w.Fact, w.From, w.Until)
				}
			}
		})
	}
	t.Run("ASystemHeldTwiceStatesItOnce", func(t *testing.T) {
		tr := Trace{Systems: []HeldSystem{{SystemID: 7, Name: "P", HeldFrom: day(1)}, {SystemID: 7, Name: "P", HeldFrom: day(1)},
			{SystemID: 8, Name: "B", HeldFrom: day(1)}}}
		tr.SetKnownExposure([]ExposurePoint{{Index: 0, At: day(1), Fact: unknown}, {Index: 1, At: day(1), Fact: unknown},
			{Index: 2, At: day(1), Fact: unknown}})
		if len(tr.KnownExposure) != 2 || tr.KnownExposure[0].SystemName != "P" || tr.KnownExposure[1].SystemName != "B" {
			t.Errorf("got %+v, want P once and B once", tr.KnownExposure)
		}
	})
}
