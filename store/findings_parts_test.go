package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/kedja/kedja/demo"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store/storetest"
)

// OpenFindingsWith reads the findings OpenFindingsOf reads, in the same
// order, each exactly as OpenFindingsOf reads it but for the parts left
// out, which stay zero: a read without controllers has none (the
// statement does not build them), one without lastSeen has a zero one.
func TestOpenFindingsWithReadsOnlyItsParts(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, s, stockholm); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RunChecks(ctx, registry.RunOptions{Trigger: "api", Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	without := func(f registry.Finding, parts registry.FindingParts) registry.Finding {
		if parts&registry.FindingControllers == 0 {
			f.Controllers, f.ControllerID, f.Path = nil, 0, nil
		}
		if parts&registry.FindingLastSeen == 0 {
			f.LastSeen = time.Time{}
		}
		return f
	}
	partsCases := []struct {
		name  string
		parts registry.FindingParts
	}{
		{"bare", 0},
		{"controllers", registry.FindingControllers},
		{"last seen", registry.FindingLastSeen},
		{"all", registry.AllFindingParts},
	}
	for _, kind := range []string{"party", "system", "link"} {
		var ids []int64
		if err := s.DB().QueryRowContext(ctx, `SELECT array_agg(DISTINCT subject_id) FROM findings WHERE subject_kind = $1`, kind).
			Scan((*pq.Int64Array)(&ids)); err != nil {
			t.Fatal(err)
		}
		full, err := s.OpenFindingsOf(ctx, kind, ids, nil)
		if err != nil {
			t.Fatal(err)
		}
		withControllers, withLastSeen := false, false
		for _, fs := range full {
			for _, f := range fs {
				withControllers = withControllers || (len(f.Controllers) > 0 && f.ControllerID != 0)
				withLastSeen = withLastSeen || !f.LastSeen.IsZero()
			}
		}
		if kind == "party" && (!withControllers || !withLastSeen) {
			t.Fatalf("the demo's open party findings: controllers %v, last seen %v; the comparison needs both", withControllers, withLastSeen)
		}
		for _, c := range partsCases {
			t.Run(kind+"/"+c.name, func(t *testing.T) {
				got, err := s.OpenFindingsWith(ctx, kind, c.parts, ids, nil)
				if err != nil {
					t.Fatal(err)
				}
				want := map[int64][]registry.Finding{}
				for id, fs := range full {
					for _, f := range fs {
						want[id] = append(want[id], without(f, c.parts))
					}
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("parts %b:\n got %+v\nwant %+v", c.parts, got, want)
				}
			})
		}
	}
	t.Run("unknown kind", func(t *testing.T) {
		_, err := s.OpenFindingsWith(ctx, "planet", 0, []int64{1}, nil)
		if e := registry.AsError(err); e == nil || e.Field != "subjectKind" {
			t.Errorf("got %v, want INVALID_INPUT on subjectKind", err)
		}
	})
}

// The relations of links and uses at an instant keep the rows whose period
// holds it (every row without one), as "$2 IS NULL OR valid @> $2" says,
// at each start and end of a period and just before it.
func TestRelationsAtAnInstantKeepThePeriodsHoldingIt(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, s, stockholm); err != nil {
		t.Fatal(err)
	}
	var instants []time.Time
	rows, err := s.DB().QueryContext(ctx, `SELECT DISTINCT v.t FROM (
		SELECT lower(valid) AS t FROM links UNION SELECT upper(valid) FROM links
		UNION SELECT lower(valid) FROM system_uses UNION SELECT upper(valid) FROM system_uses) b,
		LATERAL (VALUES (b.t), (b.t - interval '1 microsecond')) AS v(t) WHERE v.t IS NOT NULL ORDER BY v.t`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var t0 time.Time
		if err := rows.Scan(&t0); err != nil {
			t.Fatal(err)
		}
		instants = append(instants, t0)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(instants) < 6 {
		t.Fatalf("%d instants to ask at; the demo has more periods", len(instants))
	}
	var keys []int64
	for id := int64(1); id < 500; id++ {
		keys = append(keys, id)
	}
	linkIDs := func(m map[int64][]registry.Link) map[int64][]int64 {
		out := map[int64][]int64{}
		for k, ls := range m {
			for _, l := range ls {
				out[k] = append(out[k], l.ID)
			}
		}
		return out
	}
	useIDs := func(m map[int64][]registry.SystemUse) map[int64][]int64 {
		out := map[int64][]int64{}
		for k, us := range m {
			for _, u := range us {
				out[k] = append(out[k], u.ID)
			}
		}
		return out
	}
	tests := []struct {
		name, table, key string
		load             func(at *time.Time) (map[int64][]int64, error)
	}{
		{"links from", "links", "from_id", func(at *time.Time) (map[int64][]int64, error) {
			m, err := s.LinksFrom(ctx, keys, at)
			return linkIDs(m), err
		}},
		{"links from with parties", "links", "from_id", func(at *time.Time) (map[int64][]int64, error) {
			m, _, err := s.LinksFromWithParties(ctx, keys, at)
			return linkIDs(m), err
		}},
		{"links to", "links", "to_id", func(at *time.Time) (map[int64][]int64, error) {
			m, err := s.LinksTo(ctx, keys, at)
			return linkIDs(m), err
		}},
		{"uses by link", "system_uses", "link_id", func(at *time.Time) (map[int64][]int64, error) {
			m, err := s.UsesByLink(ctx, keys, at)
			return useIDs(m), err
		}},
		{"uses by party", "system_uses", "party_id", func(at *time.Time) (map[int64][]int64, error) {
			m, err := s.UsesByParty(ctx, keys, at)
			return useIDs(m), err
		}},
		{"uses by party with systems", "system_uses", "party_id", func(at *time.Time) (map[int64][]int64, error) {
			m, _, err := s.UsesByPartyWithSystems(ctx, keys, at)
			return useIDs(m), err
		}},
		{"uses by system", "system_uses", "system_id", func(at *time.Time) (map[int64][]int64, error) {
			m, err := s.UsesBySystem(ctx, keys, at)
			return useIDs(m), err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := func(at *time.Time) map[int64][]int64 {
				out := map[int64][]int64{}
				rows, err := s.DB().QueryContext(ctx, `SELECT `+tt.key+`, id FROM `+tt.table+` WHERE `+tt.key+` = ANY($1)
					AND ($2::timestamptz IS NULL OR valid @> $2::timestamptz) ORDER BY lower(valid), id`, pq.Array(keys), at)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				for rows.Next() {
					var k, id int64
					if err := rows.Scan(&k, &id); err != nil {
						t.Fatal(err)
					}
					out[k] = append(out[k], id)
				}
				return out
			}
			ask := []*time.Time{nil}
			for i := range instants {
				ask = append(ask, &instants[i])
			}
			seen := 0
			for _, at := range ask {
				got, err := tt.load(at)
				if err != nil {
					t.Fatal(err)
				}
				w := want(at)
				if !reflect.DeepEqual(got, w) {
					t.Fatalf("at %v: got %v, want %v", at, got, w)
				}
				seen += len(w)
			}
			if seen == 0 {
				t.Error("no row at any instant: nothing was compared")
			}
		})
	}
}
