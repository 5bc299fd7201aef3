package store_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// The registry's lists are plain slices that store reads and writes through
// rows of its own, as it does a link's routing windows (JSON). Each reads
// back as written, by every read (by id, by ids, a page, a relation) and
// after an update. No list, nil or empty, is stored as an empty array, not
// NULL, and reads back empty, not nil; routing windows keep nil (NULL) and
// empty apart, as they always have.
func TestListsReadBackAsWritten(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	newOrg := func(name string) registry.Organisation {
		t.Helper()
		o, err := s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: name, Country: "SE", Kind: "company"})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	a, b := newOrg("A AB"), newOrg("B AB")
	covered, err := s.CreateSystem(ctx, "t", &registry.System{Name: "Covered", Kind: "storage", OperatorID: b.ID})
	if err != nil {
		t.Fatal(err)
	}
	// Characters PostgreSQL's array text quotes or escapes, in an order
	// that is not sorted.
	some := []string{"phone numbers", `call "recordings"`, `a\b`, "{braces}, commas", "NULL"}
	weekend := registry.Windows{{Days: []string{"sat", "sun"}, Start: "00:00", End: "24:00"}, {Days: []string{"fri"}, Start: "21:00", End: "07:00"}}
	tests := []struct {
		name       string
		categories []string
		ids        []int64
		windows    registry.Windows // stored as JSON, NULL for nil
		want       []string
		wantIDs    []int64
	}{
		{"Nil", nil, nil, nil, []string{}, []int64{}},
		{"Empty", []string{}, []int64{}, registry.Windows{}, []string{}, []int64{}},
		{"Some", some, []int64{covered.ID}, weekend, some, []int64{covered.ID}},
	}
	day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sys, err := s.CreateSystem(ctx, "t", &registry.System{Name: "S " + tt.name, Kind: "storage", OperatorID: a.ID,
				DataCategories: clone(tt.categories)})
			if err != nil {
				t.Fatal(err)
			}
			// Links between a and b must not overlap: each case has a year.
			from := day.AddDate(i, 0, 0)
			to := from.AddDate(1, 0, 0)
			link, err := s.CreateLink(ctx, "t", &registry.Link{FromID: a.ID, ToID: b.ID, Role: "processor", Purpose: "p",
				DataCategories: clone(tt.categories), RoutingWindows: clone(tt.windows), Period: registry.Period{From: from, To: &to}})
			if err != nil {
				t.Fatal(err)
			}
			att, err := s.CreateAttestation(ctx, "t", &registry.Attestation{SystemID: &sys.ID, Kind: "pentest", Issuer: "I",
				IssuedOn: day, CoveredSystemIDs: clone(tt.ids)})
			if err != nil {
				t.Fatal(err)
			}
			sameList(t, "created system", sys.DataCategories, tt.want)
			sameList(t, "created link", link.DataCategories, tt.want)
			sameList(t, "created link's windows", link.RoutingWindows, tt.windows)
			sameList(t, "created attestation", att.CoveredSystemIDs, tt.wantIDs)

			for what, got := range readSystems(t, ctx, s, sys) {
				sameList(t, what, got.DataCategories, tt.want)
			}
			for what, got := range readLinks(t, ctx, s, link) {
				sameList(t, what, got.DataCategories, tt.want)
			}
			for what, got := range readAttestations(t, ctx, s, att) {
				sameList(t, what, got.CoveredSystemIDs, tt.wantIDs)
			}
			for _, c := range []struct {
				table, column string
				id            int64
				want          int
			}{
				{"systems", "data_categories", sys.ID, len(tt.want)},
				{"links", "data_categories", link.ID, len(tt.want)},
				{"attestations", "covered_system_ids", att.ID, len(tt.wantIDs)},
			} {
				var null bool
				var n int
				if err := s.DB().QueryRowContext(ctx, `SELECT `+c.column+` IS NULL, coalesce(cardinality(`+c.column+`), -1)
					FROM `+c.table+` WHERE id = $1`, c.id).Scan(&null, &n); err != nil {
					t.Fatal(err)
				}
				if null || n != c.want {
					t.Errorf("%s.%s: NULL %v, %d elements; want an array of %d", c.table, c.column, null, n, c.want)
				}
			}
		})
	}

	// Updates bind through the rows too: from some to none and back.
	sys, err := s.CreateSystem(ctx, "t", &registry.System{Name: "Updated", Kind: "storage", OperatorID: a.ID, DataCategories: some})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		set  []string
		want []string
	}{
		{"ToNil", nil, []string{}},
		{"ToSome", some[1:3], some[1:3]},
		{"ToEmpty", []string{}, []string{}},
	} {
		t.Run("Update"+tt.name, func(t *testing.T) {
			got, err := s.UpdateSystem(ctx, "t", sys.ID, func(v *registry.System) error {
				v.DataCategories = clone(tt.set)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			sameList(t, "updated system", got.DataCategories, tt.want)
			got, err = s.System(ctx, "id", sys.ID)
			if err != nil {
				t.Fatal(err)
			}
			sameList(t, "system read after update", got.DataCategories, tt.want)
		})
	}
}

func clone[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append([]T{}, s...)
}

// sameList fails unless got equals want, nil and empty told apart.
func sameList[T any](t *testing.T, what string, got, want []T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) || (got == nil) != (want == nil) {
		t.Errorf("%s: got %#v, want %#v", what, got, want)
	}
}

// sameValue fails unless got and want have the same JSON: times compare as
// instants in their zone's offset, and nil lists differ from empty ones.
func sameValue(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Errorf("%s:\n got %s\nwant %s (as created)", what, g, w)
	}
}

// readSystems reads v back by every read store has for it.
func readSystems(t *testing.T, ctx context.Context, s *store.Store, v registry.System) map[string]registry.System {
	t.Helper()
	out := map[string]registry.System{}
	one, err := s.System(ctx, "id", v.ID)
	if err != nil {
		t.Fatal(err)
	}
	out["System"] = one
	byID, err := s.Systems(ctx, []int64{v.ID})
	if err != nil {
		t.Fatal(err)
	}
	out["Systems"] = byID[v.ID]
	name := v.Name
	list, _, err := s.ListSystems(ctx, registry.SystemFilter{NameContains: &name}, registry.Page{First: 10})
	if err != nil || len(list) != 1 {
		t.Fatalf("ListSystems: %d rows, %v", len(list), err)
	}
	out["ListSystems"] = list[0]
	rel, err := s.SystemsByOperator(ctx, []int64{v.OperatorID}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rel[v.OperatorID] {
		if r.ID == v.ID {
			out["SystemsByOperator"] = r
		}
	}
	if len(out) != 4 {
		t.Fatalf("system %d not found by every read: %v", v.ID, out)
	}
	for what, got := range out {
		sameValue(t, what, got, v)
	}
	return out
}

// readLinks reads v back by every read store has for it.
func readLinks(t *testing.T, ctx context.Context, s *store.Store, v registry.Link) map[string]registry.Link {
	t.Helper()
	out := map[string]registry.Link{}
	one, err := s.Link(ctx, "id", v.ID)
	if err != nil {
		t.Fatal(err)
	}
	out["Link"] = one
	byID, err := s.Links(ctx, []int64{v.ID})
	if err != nil {
		t.Fatal(err)
	}
	out["Links"] = byID[v.ID]
	list, _, err := s.ListLinks(ctx, registry.LinkFilter{At: &v.From}, registry.Page{First: 10})
	if err != nil || len(list) != 1 {
		t.Fatalf("ListLinks: %d rows, %v", len(list), err)
	}
	out["ListLinks"] = list[0]
	rel, err := s.LinksFrom(ctx, []int64{v.FromID}, &v.From)
	if err != nil || len(rel[v.FromID]) != 1 {
		t.Fatalf("LinksFrom: %d rows, %v", len(rel[v.FromID]), err)
	}
	out["LinksFrom"] = rel[v.FromID][0]
	for what, got := range out {
		sameValue(t, what, got, v)
	}
	return out
}

// readAttestations reads v back by every read store has for it.
func readAttestations(t *testing.T, ctx context.Context, s *store.Store, v registry.Attestation) map[string]registry.Attestation {
	t.Helper()
	out := map[string]registry.Attestation{}
	one, err := s.Attestation(ctx, "id", v.ID)
	if err != nil {
		t.Fatal(err)
	}
	out["Attestation"] = one
	byID, err := s.Attestations(ctx, []int64{v.ID})
	if err != nil {
		t.Fatal(err)
	}
	out["Attestations"] = byID[v.ID]
	list, _, err := s.ListAttestations(ctx, registry.AttestationFilter{SystemID: v.SystemID}, registry.Page{First: 10})
	if err != nil || len(list) != 1 {
		t.Fatalf("ListAttestations: %d rows, %v", len(list), err)
	}
	out["ListAttestations"] = list[0]
	rel, err := s.AttestationsBySystem(ctx, []int64{*v.SystemID}, nil)
	if err != nil || len(rel[*v.SystemID]) != 1 {
		t.Fatalf("AttestationsBySystem: %d rows, %v", len(rel[*v.SystemID]), err)
	}
	out["AttestationsBySystem"] = rel[*v.SystemID][0]
	for what, got := range out {
		sameValue(t, what, got, v)
	}
	return out
}
