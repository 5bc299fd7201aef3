package store

import (
	"reflect"
	"sort"
	"testing"

	"github.com/kedja/kedja/registry"
)

// dbColumns lists the db tags of t's fields, embedded structs included.
func dbColumns(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, dbColumns(f.Type)...)
			continue
		}
		if tag := f.Tag.Get("db"); tag != "" && tag != "-" {
			out = append(out, tag)
		}
	}
	return out
}

// A column added to a type but not to its explicit scanner breaks the
// joined loader reads (they cannot fall back to sqlx), as links'
// transfer_tool did when two branches met: every db column needs its entry.
func TestExplicitScannersCoverEveryColumn(t *testing.T) {
	cases := []struct {
		name string
		typ  reflect.Type
		cols []string
	}{
		{"organisation", reflect.TypeFor[registry.Organisation](), keys(organisationScanner.cols)},
		{"system", reflect.TypeFor[registry.System](), keys(systemScanner.cols)},
		{"link", reflect.TypeFor[registry.Link](), keys(linkScanner.cols)},
		{"system use", reflect.TypeFor[registry.SystemUse](), keys(systemUseScanner.cols)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			have := map[string]bool{}
			for _, k := range c.cols {
				have[k] = true
			}
			var missing []string
			for _, col := range dbColumns(c.typ) {
				if !have[col] {
					missing = append(missing, col)
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("%s has db columns without a scanner entry: %v", c.typ, missing)
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
