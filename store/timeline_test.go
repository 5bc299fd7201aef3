package store_test

import (
	"context"
	"fmt"
	"testing"

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
