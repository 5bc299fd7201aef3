package store_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/demo"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// TestExplicitScanMatchesSqlx: the rows the loaders read without sqlx are
// the rows sqlx read, field for field, over the demo registry and its
// findings (NULLs and values, arrays, routing windows, controllers).
func TestExplicitScanMatchesSqlx(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, s, stockholm); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RunChecks(ctx, registry.RunOptions{At: at("2019-02-01T12:00"), Trigger: "api", Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	type check func(t *testing.T) (n int, detail bool)
	both := func(t *testing.T, explicit, viaSqlx any, hasScanner bool) {
		t.Helper()
		if !hasScanner {
			t.Fatal("the type has no explicit scanner")
		}
		if !reflect.DeepEqual(explicit, viaSqlx) {
			t.Errorf("explicit scan differs from sqlx:\n got %+v\nwant %+v", explicit, viaSqlx)
		}
	}
	tests := map[string]check{
		"organisations": func(t *testing.T) (int, bool) {
			e, x, ok, err := store.ScanBothWays[registry.Organisation](ctx, s, `SELECT `+store.OrganisationCols+` FROM organisations ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			both(t, e, x, ok)
			detail := false
			for _, o := range e {
				detail = detail || o.OrgNumber != nil || o.ParentID != nil || o.CountyCode != nil
			}
			return len(e), detail
		},
		"systems": func(t *testing.T) (int, bool) {
			e, x, ok, err := store.ScanBothWays[registry.System](ctx, s, `SELECT `+store.SystemCols+` FROM systems ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			both(t, e, x, ok)
			detail := false
			for _, v := range e {
				detail = detail || len(v.DataCategories) > 0
			}
			return len(e), detail
		},
		"links": func(t *testing.T) (int, bool) {
			e, x, ok, err := store.ScanBothWays[registry.Link](ctx, s, `SELECT `+store.LinkCols+` FROM links WHERE from_id = ANY($1) OR TRUE ORDER BY id`, "{1}")
			if err != nil {
				t.Fatal(err)
			}
			both(t, e, x, ok)
			detail := false
			for _, v := range e {
				detail = detail || (len(v.RoutingWindows) > 0 && v.To != nil)
			}
			return len(e), detail
		},
		"system uses": func(t *testing.T) (int, bool) {
			e, x, ok, err := store.ScanBothWays[registry.SystemUse](ctx, s, `SELECT `+store.SystemUseCols+` FROM system_uses ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			both(t, e, x, ok)
			detail := false
			for _, v := range e {
				detail = detail || v.Purpose != nil
			}
			return len(e), detail
		},
		"findings": func(t *testing.T) (int, bool) {
			e, x, ok, err := store.ScanBothWays[registry.Finding](ctx, s, `SELECT `+store.FindingCols+` FROM findings ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			both(t, e, x, ok)
			detail := false
			for _, v := range e {
				detail = detail || (len(v.Controllers) > 0 && v.Path != nil && len(v.Evidence) > 0)
			}
			return len(e), detail
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			n, detail := tt(t)
			if n == 0 || !detail {
				t.Errorf("%d rows, the optional values filled in some: %v; the comparison needs both", n, detail)
			}
		})
	}
	t.Run("a column with no field is refused as sqlx refuses it", func(t *testing.T) {
		_, _, _, err := store.ScanBothWays[registry.Organisation](ctx, s, `SELECT id, legal_name, 1 AS nothing FROM organisations`)
		if err == nil {
			t.Error("a column with no field was read")
		}
	})
}

// The joined relations read the same rows as the plain ones, and the rows
// they refer to as reading those by id does.
func TestJoinedRelationsMatchPlainOnes(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, s, stockholm); err != nil {
		t.Fatal(err)
	}
	var parties []int64
	for id := int64(1); id < 200; id++ {
		parties = append(parties, id)
	}
	when := at("2019-02-01T12:00")
	for _, tt := range []struct {
		name string
		at   *time.Time
	}{{"every row", nil}, {"at an instant", &when}} {
		t.Run(tt.name, func(t *testing.T) {
			links, err := s.LinksFrom(ctx, parties, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			jl, refs, err := s.LinksFromWithParties(ctx, parties, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			if len(links) == 0 || !reflect.DeepEqual(jl, links) {
				t.Errorf("links: joined %v, plain %v", jl, links)
			}
			var to []int64
			for _, ls := range links {
				for _, l := range ls {
					to = append(to, l.ToID)
				}
			}
			want, err := s.Organisations(ctx, to)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(refs, want) {
				t.Errorf("parties: joined %v, by id %v", refs, want)
			}

			uses, err := s.UsesByParty(ctx, parties, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			ju, systems, err := s.UsesByPartyWithSystems(ctx, parties, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			if len(uses) == 0 || !reflect.DeepEqual(ju, uses) {
				t.Errorf("uses: joined %v, plain %v", ju, uses)
			}
			var sys []int64
			for _, us := range uses {
				for _, u := range us {
					sys = append(sys, u.SystemID)
				}
			}
			wantSys, err := s.Systems(ctx, sys)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(systems, wantSys) {
				t.Errorf("systems: joined %v, by id %v", systems, wantSys)
			}
		})
	}
}

// A read through an explicit scanner that fails says so, naming its
// statement, on the pool and in a read snapshot alike: queryScan once kept
// the error in a variable of its own case and went on to read no rows.
func TestExplicitScanReturnsItsError(t *testing.T) {
	s := storetest.Store(t)
	query := `SELECT ` + store.OrganisationCols + ` FROM organisations WHERE id = 1 / (SELECT count(*) - count(*) FROM organisations)`
	cases := []struct {
		name string
		read func(ctx context.Context) error
	}{
		{"Pool", func(ctx context.Context) error {
			_, _, _, err := store.ScanBothWays[registry.Organisation](ctx, s, query)
			return err
		}},
		{"Snapshot", func(ctx context.Context) error {
			return store.InSnapshot(ctx, s, func(ctx context.Context) error {
				_, _, _, err := store.ScanBothWays[registry.Organisation](ctx, s, query)
				return err
			})
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.read(context.Background())
			if err == nil || !strings.Contains(err.Error(), "division by zero") || !strings.HasPrefix(err.Error(), "store: SELECT") {
				t.Errorf("got %v, want the division by zero, named by its statement", err)
			}
		})
	}
}
