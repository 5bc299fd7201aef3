package schema_test

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/parser"

	"github.com/kedja/kedja/resolvers"
	"github.com/kedja/kedja/schema"
)

var update = flag.Bool("update", false, "rewrite ../schema.graphql from the schema schema.New builds")

// committed is the SDL file at the repository root.
const committed = "../schema.graphql"

// build makes the schema as schema.Printed does, over resolvers without a
// store; server's TestServedSchemaMatchesSDL checks the one a real server,
// on a real database, answers with.
func build(t *testing.T) graphql.Schema {
	t.Helper()
	s, err := schema.New(&resolvers.Resolvers{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The committed schema.graphql is exactly what the schema prints, so that a
// change to the API shows in review as a change to that file.
func TestSDL(t *testing.T) {
	got, err := schema.Printed()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(committed, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(committed)
	if err != nil {
		t.Fatalf("%v; create it with: go test ./schema -run TestSDL -update", err)
	}
	if got != string(want) {
		t.Errorf("schema.graphql differs from the schema (- committed, + built):\n%s\n"+
			"If the change is meant, regenerate it with: go test ./schema -run TestSDL -update (or kedja schema > schema.graphql)",
			lineDiff(string(want), got, 60))
	}
}

// Printing twice gives the same text: graphql-go's maps are iterated in a
// new order each time, so this fails if anything is printed unsorted.
func TestSDLIsDeterministic(t *testing.T) {
	first := schema.SDL(build(t))
	for i := 0; i < 5; i++ {
		if again := schema.SDL(build(t)); again != first {
			t.Fatalf("two prints of the schema differ:\n%s", lineDiff(first, again, 20))
		}
	}
}

func TestSDLForms(t *testing.T) {
	status := graphql.NewEnum(graphql.EnumConfig{Name: "Status", Description: "A status.", Values: graphql.EnumValueConfigMap{
		"OPEN": {Value: "open", Description: "Open."},
		"OLD":  {Value: "old", Description: "Old.", DeprecationReason: "Use OPEN."},
	}})
	in := graphql.NewInputObject(graphql.InputObjectConfig{Name: "Filter", Description: `Says "hi"`, Fields: graphql.InputObjectConfigFieldMap{
		"b": {Type: graphql.Int, Description: "Two\nlines.", DefaultValue: 5},
		"a": {Type: graphql.NewNonNull(status), Description: "A."},
	}})
	q := graphql.NewObject(graphql.ObjectConfig{Name: "Query", Description: "Root.", Fields: graphql.Fields{
		"z": {Type: graphql.String, Description: "Z.", DeprecationReason: graphql.DefaultDeprecationReason},
		"y": {Type: graphql.NewList(graphql.NewNonNull(status)), Description: "Y.", Args: graphql.FieldConfigArgument{
			"f": {Type: in, Description: "F."}, "e": {Type: graphql.String, Description: `E """x""".`, DefaultValue: "a<b"},
		}},
	}})
	s, err := graphql.NewSchema(graphql.SchemaConfig{Query: q})
	if err != nil {
		t.Fatal(err)
	}
	want := `schema {
  query: Query
}

"""
Says "hi"
"""
input Filter {
  """A."""
  a: Status!
  """
  Two
  lines.
  """
  b: Int = 5
}

"""Root."""
type Query {
  """Y."""
  y(
    """E \"""x\"""."""
    e: String = "a<b"
    """F."""
    f: Filter
  ): [Status!]
  """Z."""
  z: String @deprecated
}

"""A status."""
enum Status {
  """Old."""
  OLD @deprecated(reason: "Use OPEN.")
  """Open."""
  OPEN
}
`
	got := schema.SDL(s)
	if got != want {
		t.Errorf("SDL (- want, + got):\n%s", lineDiff(want, got, 60))
	}
	// The block strings read back as the descriptions they print, quotes,
	// escapes and line breaks included.
	doc, err := parser.Parse(parser.ParseParams{Source: got})
	if err != nil {
		t.Fatalf("the SDL does not parse: %v", err)
	}
	read := map[string]string{}
	for _, d := range doc.Definitions {
		switch d := d.(type) {
		case *ast.InputObjectDefinition:
			read[d.Name.Value] = d.Description.Value
			for _, f := range d.Fields {
				read[d.Name.Value+"."+f.Name.Value] = f.Description.Value
			}
		case *ast.ObjectDefinition:
			for _, f := range d.Fields {
				for _, a := range f.Arguments {
					read[d.Name.Value+"."+f.Name.Value+"("+a.Name.Value+")"] = a.Description.Value
				}
			}
		}
	}
	for path, desc := range map[string]string{"Filter": `Says "hi"`, "Filter.b": "Two\nlines.", "Query.y(e)": `E """x""".`} {
		if read[path] != desc {
			t.Errorf("%s reads back as %q; want %q", path, read[path], desc)
		}
	}
}

// lineDiff shows how b differs from a, line by line (longest common
// subsequence), at most limit changed lines.
func lineDiff(a, b string, limit int) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	// lcs[i][j] is the length of the longest common subsequence of x[i:], y[j:].
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	shown := 0
	emit := func(sign string, line int, text string) {
		if shown < limit {
			fmt.Fprintf(&out, "%s%5d  %s\n", sign, line, text)
		}
		shown++
	}
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			emit("-", i+1, x[i])
			i++
		default:
			emit("+", j+1, y[j])
			j++
		}
	}
	if shown > limit {
		fmt.Fprintf(&out, "... and %d more changed lines\n", shown-limit)
	}
	return out.String()
}

// Every type, field, argument, input field and enum value the schema
// declares has a description: regulators, procurement staff and
// access-request handlers read the API through GraphQL tools, and the
// descriptions are all they see of what a value means.
func TestEverythingIsDescribed(t *testing.T) {
	if missing := undescribed(build(t)); len(missing) > 0 {
		t.Errorf("%d schema elements have no description:\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
}

// undescribed lists, by path (Type.field(arg), Enum.VALUE), every element
// of s without a description, leaving out GraphQL's own types and scalars.
func undescribed(s graphql.Schema) []string {
	var missing []string
	check := func(path, desc string) {
		if strings.TrimSpace(desc) == "" {
			missing = append(missing, path)
		}
	}
	for name, t := range s.TypeMap() {
		if strings.HasPrefix(name, "__") {
			continue
		}
		switch t := t.(type) {
		case *graphql.Scalar:
			if !builtinScalars[name] {
				check(name, t.Description())
			}
		case *graphql.Enum:
			check(name, t.Description())
			for _, v := range t.Values() {
				check(name+"."+v.Name, v.Description)
			}
		case *graphql.InputObject:
			check(name, t.Description())
			for fname, f := range t.Fields() {
				check(name+"."+fname, f.Description())
			}
		case *graphql.Object:
			check(name, t.Description())
			for fname, f := range t.Fields() {
				check(name+"."+fname, f.Description)
				for _, a := range f.Args {
					check(name+"."+fname+"("+a.Name()+")", a.Description())
				}
			}
		default:
			missing = append(missing, fmt.Sprintf("%s (a %T, which this test does not know)", name, t))
		}
	}
	sort.Strings(missing)
	return missing
}

var builtinScalars = map[string]bool{"String": true, "Int": true, "Float": true, "Boolean": true, "ID": true}
