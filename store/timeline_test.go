package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store/storetest"
)

// TestTimeline: the instants at which a controller's chain changed are the
// bounds of what was in it then, counted by kind: a link that started before
// the link above it enters the chain with it, a cycle's closing link is a
// change, and what happens below a link no longer in force, or outside the
// chain, is none.
func TestTimeline(t *testing.T) {
	ctx := context.Background()
	s := storetest.Store(t)
	ids := map[string]int64{}
	for _, n := range []string{"C", "P", "S", "S2", "X", "Y"} {
		o, err := s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: n, Country: "SE", Kind: "company", TimeZone: "Europe/Stockholm"})
		if err != nil {
			t.Fatal(err)
		}
		ids[n] = o.ID
	}
	link := func(from, to, start, end string) registry.Link {
		t.Helper()
		l := registry.Link{FromID: ids[from], ToID: ids[to], Role: "processor", Purpose: "calls", HealthData: true,
			Period: registry.Period{From: at(start)}}
		if end != "" {
			e := at(end)
			l.To = &e
		}
		out, err := s.CreateLink(ctx, "t", &l)
		if err != nil {
			t.Fatalf("%s -> %s: %v", from, to, err)
		}
		return out
	}
	link("C", "P", "2015-01-01T00:00", "2020-01-01T00:00")
	ps := link("P", "S", "2010-01-01T00:00", "")
	link("P", "S2", "2021-01-01T00:00", "") // below a link no longer in force
	link("S", "C", "2016-06-01T00:00", "")  // closes a cycle
	link("X", "Y", "2016-03-01T00:00", "")  // outside the chain
	sys, err := s.CreateSystem(ctx, "t", &registry.System{Name: "store", Kind: "storage", OperatorID: ids["S"]})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateSystemUse(ctx, "t", &registry.SystemUse{LinkID: ps.ID, SystemID: sys.ID, PartyID: ids["S"],
		Period: registry.Period{From: at("2017-01-01T00:00")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddSystemLocation(ctx, "t", &registry.SystemLocation{SystemID: sys.ID, Country: "SE", Purpose: "storage",
		Period: registry.Period{From: at("2012-01-01T00:00")}}); err != nil {
		t.Fatal(err)
	}
	yes, auth := true, "password"
	if _, err := s.SetSystemProfile(ctx, "t", &registry.SystemProfile{SystemID: sys.ID, Period: registry.Period{From: at("2018-01-01T00:00")},
		InternetExposed: &yes, Authentication: &auth, TransportEncryption: &yes, EncryptionAtRest: &yes}); err != nil {
		t.Fatal(err)
	}
	change := func(when string, c registry.ChainChange) registry.ChainChange {
		c.At = at(when)
		return c
	}
	want := []registry.ChainChange{
		change("2015-01-01T00:00", registry.ChainChange{LinksStarted: 2}),
		change("2016-06-01T00:00", registry.ChainChange{LinksStarted: 1}),
		change("2017-01-01T00:00", registry.ChainChange{UsesStarted: 1, LocationsStarted: 1}),
		change("2018-01-01T00:00", registry.ChainChange{ProfilesStarted: 1}),
		change("2020-01-01T00:00", registry.ChainChange{LinksEnded: 3, UsesEnded: 1, LocationsEnded: 1, ProfilesEnded: 1}),
	}
	for _, tc := range []struct {
		name  string
		opts  registry.TimelineOptions
		want  []registry.ChainChange
		trunc bool
	}{
		{"whole chain", registry.TimelineOptions{}, want, false},
		{"depth 1", registry.TimelineOptions{MaxDepth: 1}, []registry.ChainChange{
			change("2015-01-01T00:00", registry.ChainChange{LinksStarted: 1}),
			change("2020-01-01T00:00", registry.ChainChange{LinksEnded: 1}),
		}, false},
		{"bounded paths", registry.TimelineOptions{MaxPaths: 1}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Timeline(ctx, ids["C"], tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got.Truncated != tc.trunc {
				t.Errorf("truncated: got %v, want %v", got.Truncated, tc.trunc)
			}
			if tc.want == nil {
				return
			}
			if g, w := fmt.Sprintf("%+v", utc(got.Changes)), fmt.Sprintf("%+v", utc(tc.want)); g != w {
				t.Errorf("changes:\n got %s\nwant %s", g, w)
			}
		})
	}
}

// utc puts the instants in one zone, so that changes print alike.
func utc(cs []registry.ChainChange) []registry.ChainChange {
	out := make([]registry.ChainChange, len(cs))
	for i, c := range cs {
		c.At = c.At.UTC()
		out[i] = c
	}
	return out
}

// TestTimelineWindow: a timeline in a window lists exactly the changes of
// the whole timeline that fall in it, with the same counts: periods that
// start or end outside it keep their true bounds (the window's ends are no
// changes), a period starting or ending at its open lower end is not in it,
// one starting at its closed upper end is, and a path whose links each overlap
// the window but never all at once is no chain in it either.
func TestTimelineWindow(t *testing.T) {
	ctx := context.Background()
	s := storetest.Store(t)
	ids := map[string]int64{}
	for _, n := range []string{"C", "A", "B", "D", "E", "F", "G", "H", "J", "K", "L"} {
		o, err := s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: n, Country: "SE", Kind: "company", TimeZone: "Europe/Stockholm"})
		if err != nil {
			t.Fatal(err)
		}
		ids[n] = o.ID
	}
	link := func(from, to, start, end string) registry.Link {
		t.Helper()
		l := registry.Link{FromID: ids[from], ToID: ids[to], Role: "processor", Purpose: "calls", HealthData: true,
			Period: registry.Period{From: at(start)}}
		if end != "" {
			e := at(end)
			l.To = &e
		}
		out, err := s.CreateLink(ctx, "t", &l)
		if err != nil {
			t.Fatalf("%s -> %s: %v", from, to, err)
		}
		return out
	}
	link("C", "A", "2010-01-01T00:00", "2017-06-01T00:00") // starts before the window, ends in it
	ab := link("A", "B", "2014-01-01T00:00", "")           // starts before, open; in the chain from 2014 to 2017-06
	link("C", "D", "2012-01-01T00:00", "2015-01-01T00:00") // wholly before
	link("C", "E", "2019-01-01T00:00", "")                 // wholly after
	link("C", "F", "2010-01-01T00:00", "2016-06-01T00:00") // F -> G overlaps the window too, but never with C -> F
	link("F", "G", "2016-09-01T00:00", "2020-01-01T00:00")
	link("G", "H", "2010-01-01T00:00", "")
	link("C", "J", "2011-01-01T00:00", "2016-01-01T00:00") // ends at the window's lower end
	link("C", "K", "2018-01-01T00:00", "2018-03-01T00:00") // starts at its upper end
	link("C", "L", "2016-01-01T00:00", "")                 // starts at its lower end: in the window before it
	sys, err := s.CreateSystem(ctx, "t", &registry.System{Name: "store", Kind: "storage", OperatorID: ids["B"]})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateSystemUse(ctx, "t", &registry.SystemUse{LinkID: ab.ID, SystemID: sys.ID, PartyID: ids["B"],
		Period: registry.Period{From: at("2015-01-01T00:00")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddSystemLocation(ctx, "t", &registry.SystemLocation{SystemID: sys.ID, Country: "SE", Purpose: "storage",
		Period: registry.Period{From: at("2016-03-01T00:00")}}); err != nil {
		t.Fatal(err)
	}
	whole, err := s.Timeline(ctx, ids["C"], registry.TimelineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ptr := func(s string) *time.Time {
		if s == "" {
			return nil
		}
		v := at(s)
		return &v
	}
	for _, tc := range []struct {
		name     string
		from, to string
		want     int // changes in the window, so that an empty answer cannot pass for a right one
	}{
		{"two years around 2017", "2016-01-01T00:00", "2018-01-01T00:00", 4},
		{"open below", "", "2016-01-01T00:00", 6},
		{"open above", "2017-06-01T00:00", "", 3},
		{"open both ends", "", "", 12},
		{"no change in it", "2020-06-01T00:00", "2020-12-01T00:00", 0},
		{"one instant's ends", "2016-05-31T00:00", "2016-06-01T00:00", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to := ptr(tc.from), ptr(tc.to)
			got, err := s.Timeline(ctx, ids["C"], registry.TimelineOptions{From: from, To: to})
			if err != nil {
				t.Fatal(err)
			}
			var want []registry.ChainChange
			for _, c := range whole.Changes {
				if (from == nil || c.At.After(*from)) && (to == nil || !c.At.After(*to)) {
					want = append(want, c)
				}
			}
			if g, w := fmt.Sprintf("%+v", utc(got.Changes)), fmt.Sprintf("%+v", utc(want)); g != w {
				t.Errorf("changes:\n got %s\nwant %s", g, w)
			}
			if len(got.Changes) != tc.want {
				t.Errorf("%d changes in the window, want %d: %+v", len(got.Changes), tc.want, utc(got.Changes))
			}
			if got.Truncated {
				t.Error("truncated")
			}
		})
	}
	t.Run("window ending before it starts", func(t *testing.T) {
		_, err := s.Timeline(ctx, ids["C"], registry.TimelineOptions{From: ptr("2018-01-01T00:00"), To: ptr("2016-01-01T00:00")})
		var ve *registry.Error
		if !errors.As(err, &ve) || ve.Field != "to" {
			t.Errorf("got %v, want an error naming to", err)
		}
	})
}
