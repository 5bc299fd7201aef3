package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// walkRegistry is a small registry whose chains hold what a walk must get
// right: a cycle, a party reached on two paths, two controllers sharing a
// processor, a joint controller, routing by windows and by share, links
// that end or start, and a chain longer than registry.MaxChainDepth.
type walkRegistry struct {
	s     *store.Store
	names map[int64]string
	ids   map[string]int64
}

func newWalkRegistry(t *testing.T) walkRegistry {
	t.Helper()
	ctx := context.Background()
	r := walkRegistry{s: storetest.Store(t), names: map[int64]string{}, ids: map[string]int64{}}
	org := func(name, kind, zone string) {
		t.Helper()
		o, err := r.s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: name, Country: "SE", Kind: kind, TimeZone: zone})
		if err != nil {
			t.Fatal(err)
		}
		r.names[o.ID], r.ids[name] = name, o.ID
	}
	link := func(from, to, role, start, end string, change func(*registry.Link)) {
		t.Helper()
		l := registry.Link{FromID: r.ids[from], ToID: r.ids[to], Role: role, Purpose: "calls", HealthData: true,
			Period: registry.Period{From: at(start)}}
		if end != "" {
			e := at(end)
			l.To = &e
		}
		if change != nil {
			change(&l)
		}
		if _, err := r.s.CreateLink(ctx, "t", &l); err != nil {
			t.Fatalf("%s -> %s: %v", from, to, err)
		}
	}
	org("A", "region", "Europe/Stockholm")
	org("B", "region", "Europe/London")
	for _, n := range []string{"P1", "P2", "P3", "S1", "S2", "S3", "S4", "J"} {
		org(n, "company", "Europe/Stockholm")
	}
	const always = "2015-01-01T00:00"
	nights := func(l *registry.Link) {
		l.RoutingWindows = registry.Windows{{Days: []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, Start: "21:00", End: "07:00"}}
	}
	link("A", "P1", "processor", always, "", nil)
	link("P1", "S1", "sub_processor", always, "", nil)
	link("S1", "S2", "sub_processor", always, "", nil)
	link("S2", "P1", "sub_processor", always, "", nil) // back to P1: a cycle
	link("A", "P2", "processor", always, "", nights)
	link("P2", "S3", "sub_processor", always, "", nil) // beyond a window
	link("A", "P3", "processor", always, "", func(l *registry.Link) { l.RoutingShare = ptr(0.3) })
	link("P3", "S1", "sub_processor", always, "", nil) // S1 again, on another path
	link("A", "S2", "processor", always, "2018-01-01T00:00", nil)
	link("S3", "S4", "sub_processor", "2020-01-01T00:00", "", nil)
	link("B", "P1", "processor", always, "", func(l *registry.Link) {
		l.RoutingWindows = registry.Windows{{Days: []string{"fri"}, Start: "00:00", End: "12:00"}}
	})
	link("B", "J", "joint_controller", always, "", nil) // J is a controller too
	link("J", "S3", "processor", always, "", nights)
	// D0 -> D1 -> ... one link longer than a walk goes.
	for i := 0; i <= registry.MaxChainDepth+1; i++ {
		org(fmt.Sprintf("D%d", i), "company", "Europe/Stockholm")
		if i > 0 {
			link(fmt.Sprintf("D%d", i-1), fmt.Sprintf("D%d", i), "processor", always, "", nil)
		}
	}
	return r
}

// reachedRow is what the chain walk and the checks' reach both say of a link
// reached from a controller.
func (r walkRegistry) reachedRow(controller, link, from, to int64, depth int, links []int64) string {
	return fmt.Sprintf("%s: link %d %s->%s depth %d links %v", r.names[controller], link, r.names[from], r.names[to], depth, links)
}

// walkRow is a row of kedja_walk.
type walkRow struct {
	RootID   int64         `db:"root_id"`
	LinkID   int64         `db:"link_id"`
	FromID   int64         `db:"from_id"`
	ToID     int64         `db:"to_id"`
	Role     string        `db:"role"`
	Depth    int           `db:"depth"`
	Path     pq.Int64Array `db:"path"`
	LinkPath pq.Int64Array `db:"link_path"`
	Cycle    bool          `db:"is_cycle"`
	Route    string        `db:"route"`
	Possible bool          `db:"possible"`
}

func (w walkRow) step() registry.Step {
	return registry.Step{LinkID: w.LinkID, FromID: w.FromID, ToID: w.ToID, Role: w.Role, Depth: w.Depth, Path: w.Path,
		LinkPath: w.LinkPath, Cycle: w.Cycle, Route: w.Route, Possible: w.Possible}
}

// walkedRow is what a walk says of one step, routing included.
func (r walkRegistry) walkedRow(st registry.Step) string {
	return fmt.Sprintf("link %d %s->%s %s depth %d path %v links %v cycle %v route %s possible %v", st.LinkID,
		r.names[st.FromID], r.names[st.ToID], st.Role, st.Depth, st.Path, st.LinkPath, st.Cycle, st.Route, st.Possible)
}

// The checks and the chain walk down the same chains: for each controller,
// what a check run reaches is exactly the chain's steps less its cycles.
func TestChecksReachWhatTheChainWalks(t *testing.T) {
	r := newWalkRegistry(t)
	ctx := context.Background()
	tests := []struct {
		name        string
		at          string
		controllers []string
		// routes are some steps' routes, by "root: from->to": windows
		// without a zone of their own are read in the root's zone
		// (Stockholm for A and J, London for B).
		routes map[string]string
	}{
		{"NightInsideTheWindows", "2019-02-01T02:00", []string{"A", "B", "D0", "J"},
			map[string]string{"A: A->P2": "in_window", "A: A->P3": "share", "B: B->P1": "in_window", "B: J->S3": "in_window"}},
		{"FridayInStockholmThursdayInLondon", "2019-02-01T00:30", []string{"A", "B", "D0", "J"},
			map[string]string{"B: B->P1": "out_of_window", "B: J->S3": "in_window"}},
		{"DayOutsideTheWindows", "2019-02-05T14:00", []string{"A", "B", "D0", "J"},
			map[string]string{"A: A->P2": "out_of_window", "A: P2->S3": "all", "J: J->S3": "out_of_window"}},
		{"MorningInStockholmNightInLondon", "2019-02-05T07:30", []string{"A", "B", "D0", "J"},
			map[string]string{"A: A->P2": "out_of_window", "B: J->S3": "in_window", "J: J->S3": "out_of_window"}},
		{"BeforeALinkEnded", "2017-06-01T23:00", []string{"A", "B", "D0", "J"}, nil},
		{"AfterALinkStarted", "2021-03-05T10:00", []string{"A", "B", "D0", "J"}, nil},
		{"BeforeAnything", "2014-06-01T12:00", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			instant := at(tt.at)
			rows, err := store.Reach(ctx, r.s, instant)
			if err != nil {
				t.Fatal(err)
			}
			reach := map[int64][]string{}
			for _, x := range rows {
				reach[x.ControllerID] = append(reach[x.ControllerID], r.reachedRow(x.ControllerID, x.LinkID, x.FromID, x.ToID, x.Depth, x.Links))
			}
			var controllers []string
			for id := range reach {
				controllers = append(controllers, r.names[id])
			}
			slices.Sort(controllers)
			if !slices.Equal(controllers, tt.controllers) {
				t.Fatalf("the checks walked from %v, want %v", controllers, tt.controllers)
			}
			cycles, deepest := 0, 0
			for _, c := range controllers {
				id := r.ids[c]
				steps, truncated, err := r.s.Walk(ctx, id, instant, registry.WalkOptions{})
				if err != nil || truncated {
					t.Fatalf("walk from %s: truncated %v, %v", c, truncated, err)
				}
				var chain []string
				for _, st := range steps {
					if st.Cycle {
						cycles++
						continue
					}
					deepest = max(deepest, st.Depth)
					chain = append(chain, r.reachedRow(id, st.LinkID, st.FromID, st.ToID, st.Depth, st.LinkPath))
				}
				slices.Sort(chain)
				slices.Sort(reach[id])
				if !slices.Equal(chain, reach[id]) {
					t.Errorf("from %s the chain walks\n  %s\nand the checks reach\n  %s", c,
						strings.Join(chain, "\n  "), strings.Join(reach[id], "\n  "))
				}
			}
			// Walking from every controller at once, with routing, gives each
			// the steps, routes and cycles of its own walk: windows without
			// a zone of their own are read in each root's zone.
			var ids []int64
			for _, c := range controllers {
				ids = append(ids, r.ids[c])
			}
			var all []walkRow
			if err := sqlx.NewDb(r.s.DB(), "postgres").SelectContext(ctx, &all, `SELECT root_id, link_id, from_id, to_id, role, depth, path, link_path,
				is_cycle, route, possible FROM kedja_walk($1, $2, $3, true, false)`, pq.Array(ids), instant, registry.MaxChainDepth); err != nil {
				t.Fatal(err)
			}
			together := map[int64][]string{}
			routes := map[string]string{}
			for _, st := range all {
				together[st.RootID] = append(together[st.RootID], r.walkedRow(st.step()))
				routes[r.names[st.RootID]+": "+r.names[st.FromID]+"->"+r.names[st.ToID]] = st.Route
			}
			for step, want := range tt.routes {
				if routes[step] != want {
					t.Errorf("%s: route %q, want %q", step, routes[step], want)
				}
			}
			for _, c := range controllers {
				steps, _, err := r.s.Walk(ctx, r.ids[c], instant, registry.WalkOptions{})
				if err != nil {
					t.Fatal(err)
				}
				var alone []string
				for _, st := range steps {
					alone = append(alone, r.walkedRow(st))
				}
				slices.Sort(alone)
				slices.Sort(together[r.ids[c]])
				if !slices.Equal(alone, together[r.ids[c]]) {
					t.Errorf("from %s alone the walk is\n  %s\nand from every controller at once\n  %s", c,
						strings.Join(alone, "\n  "), strings.Join(together[r.ids[c]], "\n  "))
				}
			}
			// The registry must exercise what the walks could disagree on.
			if len(tt.controllers) > 0 && (cycles == 0 || deepest != registry.MaxChainDepth) {
				t.Errorf("%d cycles and a deepest step of %d: the case proves less than it should", cycles, deepest)
			}
		})
	}
}
