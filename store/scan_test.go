package store_test

import (
	"context"
	"reflect"
	"testing"

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
