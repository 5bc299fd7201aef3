package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// moveWorld builds, for one case, controllers each handing calls to a
// provider that records them in a system of its own, and the moves of
// stored data between those systems.
type moveWorld struct {
	ctx     context.Context
	t       *testing.T
	s       *store.Store
	systems map[string]int64
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func dayPtr(s string) *time.Time { t := day(s); return &t }

func (w moveWorld) org(name string) int64 {
	w.t.Helper()
	o, err := w.s.CreateOrganisation(w.ctx, "test", &registry.Organisation{LegalName: name, Country: "SE", Kind: "company"})
	if err != nil {
		w.t.Fatal(err)
	}
	return o.ID
}

// chain records controller -> provider from..to and the provider's system,
// used on that link for the whole period.
func (w moveWorld) chain(controller, provider, system, from, to string) {
	w.t.Helper()
	ctx := w.ctx
	c, p := w.org(controller), w.org(provider)
	ref := "DPA"
	period := registry.Period{From: day(from)}
	if to != "" {
		period.To = dayPtr(to)
	}
	l, err := w.s.CreateLink(ctx, "test", &registry.Link{FromID: c, ToID: p, Role: "processor", Purpose: "calls", Period: period, AgreementRef: &ref})
	if err != nil {
		w.t.Fatal(err)
	}
	sys, err := w.s.CreateSystem(ctx, "test", &registry.System{Name: system, Kind: "recording", OperatorID: p})
	if err != nil {
		w.t.Fatal(err)
	}
	w.systems[system] = sys.ID
	if _, err := w.s.CreateSystemUse(ctx, "test", &registry.SystemUse{LinkID: l.ID, SystemID: sys.ID, PartyID: p, Period: period}); err != nil {
		w.t.Fatal(err)
	}
}

// retention records a retention period for a system from a date.
func (w moveWorld) retention(system, from string, days int32) {
	w.t.Helper()
	if _, err := w.s.SetSystemProfile(w.ctx, "test", &registry.SystemProfile{SystemID: w.systems[system],
		Period: registry.Period{From: day(from)}, RetentionDays: &days}); err != nil {
		w.t.Fatal(err)
	}
}

// move records that the data recorded in from before until (all of it
// when until is empty) moved into to on a date.
func (w moveWorld) move(from, to, on, until string) {
	w.t.Helper()
	m := &registry.DataMove{FromSystemID: w.systems[from], ToSystemID: w.systems[to], MovedAt: day(on)}
	if until != "" {
		m.RecordedUntil = dayPtr(until)
	}
	if _, err := w.s.RecordDataMove(w.ctx, "test", m); err != nil {
		w.t.Fatal(err)
	}
}

// Responsibility for a system follows recorded moves of stored data: the
// controllers whose calls were recorded elsewhere and moved into it are
// responsible parties of it while it still holds them (the 1177 storage
// server held recordings moved from the call system in 2016).
func TestResponsibilityFollowsMovesOfStoredData(t *testing.T) {
	s := storetest.Store(t)
	tests := []struct {
		name  string
		build func(w moveWorld)
		at    string
		want  []string // controller -> ... (used | moved on date)
	}{
		{"UsedAtTheInstant",
			func(w moveWorld) { w.chain("A", "PA", "Store", "2015-01-01", "") },
			"2019-02-01", []string{"A -> PA (used)"}},
		{"MovedInBeforeTheInstant",
			func(w moveWorld) {
				w.chain("A", "PA", "Old", "2012-01-01", "2016-01-01")
				w.chain("B", "PB", "Store", "2016-01-01", "")
				w.move("Old", "Store", "2016-01-01", "")
			},
			"2019-02-01", []string{"A -> PA (moved 2016-01-01)", "B -> PB (used)"}},
		{"MovedInAfterTheInstantIsNotYetHeld",
			func(w moveWorld) {
				w.chain("A", "PA", "Old", "2012-01-01", "2016-01-01")
				w.chain("B", "PB", "Store", "2016-01-01", "")
				w.move("Old", "Store", "2020-01-01", "")
			},
			"2019-02-01", []string{"B -> PB (used)"}},
		{"RetentionRanOutSinceTheRecordings",
			func(w moveWorld) {
				w.chain("A", "PA", "Old", "2012-01-01", "2016-01-01")
				w.chain("B", "PB", "Store", "2016-01-01", "")
				w.move("Old", "Store", "2016-01-01", "")
				w.retention("Store", "2016-01-01", 365)
			},
			"2019-02-01", []string{"B -> PB (used)"}},
		{"RetentionNotYetRunOut",
			func(w moveWorld) {
				w.chain("A", "PA", "Old", "2012-01-01", "2016-01-01")
				w.chain("B", "PB", "Store", "2016-01-01", "")
				w.move("Old", "Store", "2016-01-01", "")
				w.retention("Store", "2016-01-01", 365*5)
			},
			"2019-02-01", []string{"A -> PA (moved 2016-01-01)", "B -> PB (used)"}},
		{"RecordingsMadeAfterTheUseEndedCarryNoOne",
			func(w moveWorld) {
				w.chain("A", "PA", "Old", "2012-01-01", "2014-01-01")
				w.chain("B", "PB", "Store", "2016-01-01", "")
				// Only recordings up to 2012-01-01 moved: before A's link began.
				w.move("Old", "Store", "2016-01-01", "2012-01-01")
			},
			"2019-02-01", []string{"B -> PB (used)"}},
		{"TwoHops",
			func(w moveWorld) {
				w.chain("A", "PA", "First", "2010-01-01", "2013-01-01")
				w.chain("B", "PB", "Middle", "2013-01-01", "2016-01-01")
				w.chain("C", "PC", "Store", "2016-01-01", "")
				w.move("First", "Middle", "2013-01-01", "")
				w.move("Middle", "Store", "2016-01-01", "")
			},
			"2019-02-01", []string{"A -> PA (moved 2016-01-01)", "B -> PB (moved 2016-01-01)", "C -> PC (used)"}},
		{"AMoveBackAndForthEnds",
			func(w moveWorld) {
				w.chain("A", "PA", "One", "2010-01-01", "2013-01-01")
				w.chain("B", "PB", "Store", "2013-01-01", "")
				w.move("One", "Store", "2013-01-01", "")
				w.move("Store", "One", "2014-01-01", "")
				w.move("One", "Store", "2015-01-01", "")
			},
			"2019-02-01", []string{"A -> PA (moved 2013-01-01)", "B -> PB (used)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Each case in a transaction rolled back, on the one database.
			errDone := fmt.Errorf("done")
			err := s.InTx(context.Background(), "test", func(ctx context.Context) error {
				w := moveWorld{ctx: ctx, t: t, s: s, systems: map[string]int64{}}
				tt.build(w)
				res, err := s.Responsibility(ctx, 0, w.systems["Store"], day(tt.at), 0)
				if err != nil {
					t.Fatal(err)
				}
				names := map[int64]string{}
				for id, p := range res.Parties {
					names[id] = p.LegalName
				}
				var got []string
				for _, p := range res.Paths {
					path := names[p.Links[0].Link.FromID]
					for _, l := range p.Links {
						path += " -> " + names[l.Link.ToID]
					}
					if p.Move != nil {
						path += " (moved " + p.Move.MovedAt.Format("2006-01-02") + ")"
					} else {
						path += " (used)"
					}
					got = append(got, path)
				}
				slices.Sort(got)
				if !slices.Equal(got, tt.want) {
					t.Errorf("paths:\n got %q\nwant %q", got, tt.want)
				}
				return errDone
			})
			if err != errDone {
				t.Fatal(err)
			}
		})
	}
}
