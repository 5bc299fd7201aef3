package server_test

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/parser"
)

// element is one part of a schema as both the SDL file and introspection
// can tell it: a type, a field, an argument, an input field or an enum value.
type element struct {
	Kind        string // the type's kind, or the member's type (String!, [Link!]!)
	Description string
	Deprecation string // the reason, if deprecated
}

// The schema a caller sees over HTTP is the one committed in
// schema.graphql: the same root types, types, fields, arguments, input
// fields and enum values, with the same types and descriptions. TestSDL in
// package schema compares the file with the schema as built; this compares
// it with what a running server answers, through its own transport,
// authentication and limits.
func TestServedSchemaMatchesSDL(t *testing.T) {
	h := newHarness(t, false)
	var out struct {
		Schema introspected `json:"__schema"`
	}
	h.data(introspectionQuery, nil, &out)
	served := out.Schema.elements()

	src, err := os.ReadFile("../schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	committed, err := sdlElements(string(src))
	if err != nil {
		t.Fatalf("schema.graphql: %v", err)
	}

	var diffs []string
	for _, path := range sortedPaths(committed, served) {
		c, inFile := committed[path]
		s, isServed := served[path]
		switch {
		case !isServed:
			diffs = append(diffs, fmt.Sprintf("%s: in schema.graphql, not served", path))
		case !inFile:
			diffs = append(diffs, fmt.Sprintf("%s: served, not in schema.graphql", path))
		case c != s:
			diffs = append(diffs, fmt.Sprintf("%s: schema.graphql has %+v, served %+v", path, c, s))
		}
	}
	if len(diffs) > 0 {
		t.Errorf("the served schema differs from schema.graphql in %d places:\n  %s\n"+
			"Regenerate the file with: go test ./schema -run TestSDL -update", len(diffs), strings.Join(diffs, "\n  "))
	}
	if len(served) < 500 {
		t.Errorf("introspection found only %d schema elements; the query or its decoding lost some", len(served))
	}
}

// introspectionQuery asks for every element, with type references four
// wrappers deep ([Link!]! is three), within the server's depth limit.
const introspectionQuery = `query {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types {
      kind name description
      fields(includeDeprecated: true) {
        name description isDeprecated deprecationReason
        type { ...ref }
        args { name description type { ...ref } }
      }
      inputFields { name description type { ...ref } }
      enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
    }
  }
}
fragment ref on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`

type typeRef struct {
	Kind   string
	Name   *string
	OfType *typeRef
}

func (r *typeRef) String() string {
	switch {
	case r == nil:
		return "?"
	case r.Kind == "NON_NULL":
		return r.OfType.String() + "!"
	case r.Kind == "LIST":
		return "[" + r.OfType.String() + "]"
	case r.Name == nil:
		return "?"
	}
	return *r.Name
}

type introspected struct {
	QueryType, MutationType, SubscriptionType *struct{ Name string }
	Types                                     []struct {
		Kind, Name  string
		Description *string
		Fields      []struct {
			Name              string
			Description       *string
			IsDeprecated      bool
			DeprecationReason *string
			Type              typeRef
			Args              []struct {
				Name        string
				Description *string
				Type        typeRef
			}
		}
		InputFields []struct {
			Name        string
			Description *string
			Type        typeRef
		}
		EnumValues []struct {
			Name              string
			Description       *string
			IsDeprecated      bool
			DeprecationReason *string
		}
	}
}

// builtinScalars are in every schema; schema.graphql leaves them out.
var builtinScalars = map[string]bool{"String": true, "Int": true, "Float": true, "Boolean": true, "ID": true}

func (s introspected) elements() map[string]element {
	out := map[string]element{}
	for op, root := range map[string]*struct{ Name string }{"query": s.QueryType, "mutation": s.MutationType, "subscription": s.SubscriptionType} {
		if root != nil {
			out["schema."+op] = element{Kind: root.Name}
		}
	}
	for _, t := range s.Types {
		if strings.HasPrefix(t.Name, "__") || builtinScalars[t.Name] {
			continue
		}
		out[t.Name] = element{Kind: t.Kind, Description: str(t.Description)}
		for _, f := range t.Fields {
			out[t.Name+"."+f.Name] = element{Kind: f.Type.String(), Description: str(f.Description), Deprecation: reason(f.IsDeprecated, f.DeprecationReason)}
			for _, a := range f.Args {
				out[t.Name+"."+f.Name+"("+a.Name+")"] = element{Kind: a.Type.String(), Description: str(a.Description)}
			}
		}
		for _, f := range t.InputFields {
			out[t.Name+"."+f.Name] = element{Kind: f.Type.String(), Description: str(f.Description)}
		}
		for _, v := range t.EnumValues {
			out[t.Name+"."+v.Name] = element{Kind: "value", Description: str(v.Description), Deprecation: reason(v.IsDeprecated, v.DeprecationReason)}
		}
	}
	return out
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func reason(deprecated bool, why *string) string {
	if !deprecated {
		return ""
	}
	return str(why)
}

// sdlElements reads the elements of an SDL document with graphql-go's own
// parser, which also proves the file is valid SDL.
func sdlElements(src string) (map[string]element, error) {
	doc, err := parser.Parse(parser.ParseParams{Source: src})
	if err != nil {
		return nil, err
	}
	out := map[string]element{}
	desc := func(s *ast.StringValue) string {
		if s == nil {
			return ""
		}
		return s.Value
	}
	for _, d := range doc.Definitions {
		switch d := d.(type) {
		case *ast.SchemaDefinition:
			for _, op := range d.OperationTypes {
				out["schema."+op.Operation] = element{Kind: op.Type.Name.Value}
			}
		case *ast.ScalarDefinition:
			out[d.Name.Value] = element{Kind: "SCALAR", Description: desc(d.Description)}
		case *ast.EnumDefinition:
			out[d.Name.Value] = element{Kind: "ENUM", Description: desc(d.Description)}
			for _, v := range d.Values {
				out[d.Name.Value+"."+v.Name.Value] = element{Kind: "value", Description: desc(v.Description), Deprecation: deprecation(v.Directives)}
			}
		case *ast.InputObjectDefinition:
			out[d.Name.Value] = element{Kind: "INPUT_OBJECT", Description: desc(d.Description)}
			for _, f := range d.Fields {
				out[d.Name.Value+"."+f.Name.Value] = element{Kind: typeString(f.Type), Description: desc(f.Description)}
			}
		case *ast.ObjectDefinition:
			out[d.Name.Value] = element{Kind: "OBJECT", Description: desc(d.Description)}
			for _, f := range d.Fields {
				path := d.Name.Value + "." + f.Name.Value
				out[path] = element{Kind: typeString(f.Type), Description: desc(f.Description), Deprecation: deprecation(f.Directives)}
				for _, a := range f.Arguments {
					out[path+"("+a.Name.Value+")"] = element{Kind: typeString(a.Type), Description: desc(a.Description)}
				}
			}
		default:
			return nil, fmt.Errorf("a %T, which this test does not read", d)
		}
	}
	return out, nil
}

func typeString(t ast.Type) string {
	switch t := t.(type) {
	case *ast.NonNull:
		return typeString(t.Type) + "!"
	case *ast.List:
		return "[" + typeString(t.Type) + "]"
	case *ast.Named:
		return t.Name.Value
	}
	return "?"
}

// deprecation is the reason an @deprecated directive gives, or the spec's
// default when it gives none.
func deprecation(ds []*ast.Directive) string {
	for _, d := range ds {
		if d.Name.Value != "deprecated" {
			continue
		}
		for _, a := range d.Arguments {
			if s, ok := a.Value.(*ast.StringValue); ok && a.Name.Value == "reason" {
				return s.Value
			}
		}
		return "No longer supported"
	}
	return ""
}

func sortedPaths(maps ...map[string]element) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range maps {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}
