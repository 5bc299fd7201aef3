package store

import (
	"database/sql"
	"database/sql/driver"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/kedja/kedja/registry"
)

// Every list column of a registry type maps, in the row asRow gives for it
// and for a slice of it, to a type that scans and binds itself (lib/pq's
// arrays, JSON for routing windows): sqlx takes the row's field over the registry type's embedded one
// of the same name. Binding so does not lean on lib/pq turning any slice
// parameter into an array, and scanning could not do without it.
func TestRowsMapListColumnsToArrayTypes(t *testing.T) {
	cases := map[string]struct {
		one, many any // a *T, a *[]T (nil: read only as slices)
	}{
		"System":             {&registry.System{}, &[]registry.System{}},
		"Link":               {&registry.Link{}, &[]registry.Link{}},
		"Attestation":        {&registry.Attestation{}, &[]registry.Attestation{}},
		"Finding":            {&registry.Finding{}, &[]registry.Finding{}},
		"CheckRun":           {&registry.CheckRun{}, &[]registry.CheckRun{}},
		"Step":               {nil, &[]registry.Step{}},
		"UseFacts":           {nil, &[]registry.UseFacts{}},
		"MoveFacts":          {nil, &[]registry.MoveFacts{}},
		"ProcessingRecord":   {&registry.ProcessingRecord{}, &[]registry.ProcessingRecord{}},
		"Incident":           {&registry.Incident{}, &[]registry.Incident{}},
		"Duty":               {nil, &[]registry.Duty{}},
		"SystemTenancy":      {&registry.SystemTenancy{}, &[]registry.SystemTenancy{}},
		"AgreementCondition": {&registry.AgreementCondition{}, &[]registry.AgreementCondition{}},
		"RiskAssessment":     {&registry.RiskAssessment{}, &[]registry.RiskAssessment{}},
		"ExposurePoint":      {nil, &[]registry.ExposurePoint{}},
	}
	lists := listColumns(t)
	// A registry type is read through its row, with the structs it embeds.
	covered := map[string][]string{}
	for name, c := range cases {
		for _, n := range structNames(reflect.TypeOf(c.many).Elem().Elem()) {
			covered[n] = append(covered[n], name)
		}
	}
	for name, cols := range lists {
		if len(covered[name]) == 0 {
			t.Errorf("registry.%s has list columns %v: give it a row in rows.go, a case in asRow and one here", name, cols)
		}
	}
	mapper := sqlx.NewDb(nil, "postgres").Mapper
	scanner := reflect.TypeFor[sql.Scanner]()
	valuer := reflect.TypeFor[driver.Valuer]()
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var cols []string
			for _, n := range structNames(reflect.TypeOf(c.many).Elem().Elem()) {
				cols = append(cols, lists[n]...)
			}
			if len(cols) == 0 {
				t.Fatalf("registry.%s has no list columns: drop its row", name)
			}
			targets := map[string]any{}
			if c.one != nil {
				targets["one"], _ = asRow(c.one)
			}
			targets["many"], _ = asRow(c.many)
			for kind, target := range targets {
				typ := reflect.TypeOf(target).Elem()
				if typ.Kind() == reflect.Slice {
					typ = typ.Elem()
				}
				row := reflect.New(typ).Elem()
				for _, col := range cols {
					f := mapper.FieldByName(row, col)
					if !f.IsValid() {
						t.Errorf("%s: %s has no field for column %s", kind, typ, col)
						continue
					}
					if !f.Addr().Type().Implements(scanner) || !f.Type().Implements(valuer) {
						t.Errorf("%s: %s maps column %s to a %s, which does not scan and bind itself", kind, typ, col, f.Type())
					}
				}
			}
		})
	}
}

// structNames names a struct type and the structs it embeds, at any depth.
func structNames(t reflect.Type) []string {
	out := []string{t.Name()}
	for i := range t.NumField() {
		if f := t.Field(i); f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, structNames(f.Type)...)
		}
	}
	return out
}

// listColumns finds, in the registry's source, the structs with fields of a
// slice type (a slice, or a registry type that is one) that a db tag maps to
// a column, and those columns.
func listColumns(t *testing.T) map[string][]string {
	t.Helper()
	names, err := filepath.Glob("../registry/*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	fset := token.NewFileSet()
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	isList := func(e ast.Expr) bool {
		arr, ok := e.(*ast.ArrayType)
		if !ok || arr.Len != nil {
			return false
		}
		id, ok := arr.Elt.(*ast.Ident)
		return !ok || id.Name != "byte"
	}
	types := func(visit func(*ast.TypeSpec)) {
		for _, f := range files {
			ast.Inspect(f, func(n ast.Node) bool {
				if ts, ok := n.(*ast.TypeSpec); ok {
					visit(ts)
					return false
				}
				return true
			})
		}
	}
	listTypes := map[string]bool{} // such as Windows
	types(func(ts *ast.TypeSpec) {
		if isList(ts.Type) {
			listTypes[ts.Name.Name] = true
		}
	})
	out := map[string][]string{}
	types(func(ts *ast.TypeSpec) {
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			return
		}
		for _, field := range st.Fields.List {
			id, named := field.Type.(*ast.Ident)
			if field.Tag == nil || !(isList(field.Type) || named && listTypes[id.Name]) {
				continue
			}
			tag, err := strconv.Unquote(field.Tag.Value)
			if err != nil {
				t.Fatal(err)
			}
			if col, ok := reflect.StructTag(tag).Lookup("db"); ok && col != "-" {
				out[ts.Name.Name] = append(out[ts.Name.Name], col)
			}
		}
	})
	for _, cols := range out {
		sort.Strings(cols)
	}
	if len(out) == 0 {
		t.Fatal("found no list columns in ../registry: has the package moved?")
	}
	return out
}
