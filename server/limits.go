package server

import (
	"fmt"
	"slices"
	"strings"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
)

// Limits bound what one request may ask for. graphql-go validates by the
// spec only, so depth, aliases, root fields and cost are measured here, on
// the parsed document, before anything runs. Its validator is super-linear
// in the size of a document (4,000 unused variables took 25 s, 2,000 copies
// of a field 1.3 s, 5,000 unknown directives 6 s, a list of 3,600 bad items
// 0.4 s) and cannot be interrupted: the size of the text is bounded before
// it is parsed, and what is written in it before it is validated.
type Limits struct {
	Depth      int // nesting of fields; an introspection ofType is one value and does not count
	Aliases    int
	RootFields int
	Cost       int // estimated fields resolved: each list multiplies its children
	QueryBytes int // length of the query text, before it is parsed
	Fields     int // fields written in the document, before it is validated
	SameField  int // fields one selection set has under one response key, its fragments' included
	Values     int // arguments and values written in the document (list items, input fields)
	Variables  int // variables declared in the document, and variables sent with it
	Directives int // directives written in the document
	Errors     int // errors in one answer; the last of them says how many more there were
}

// DefaultLimits fit every query in the README and the standard introspection
// query (for the roles that may introspect) with room to spare, and stop the
// usual abuse: a depth bomb, a thousand aliases, a wide nest of lists, a
// field written 500 times, thousands of variables, directives or values.
// BenchmarkValidateAtTheLimits times the slowest documents they let through.
var DefaultLimits = Limits{Depth: 12, Aliases: 30, RootFields: 10, Cost: 500_000,
	QueryBytes: 32 << 10, Fields: 200, SameField: 10, Values: 500, Variables: 50, Directives: 20, Errors: 5}

// maxIntrospectionLists is how deep the introspection lists that can lead
// back to a type (fields, interfaces, possibleTypes, inputFields) may nest:
// graphql-js's MaxIntrospectionDepthRule refuses three, which no client's
// introspection query needs and every circular introspection query has.
const maxIntrospectionLists = 3

// Assumed list sizes for the cost: a page asks for its own (first, default
// 50); any other list is taken to hold 10.
const (
	defaultPage = 50
	defaultList = 10
)

// limitError is a refusal with its own code.
type limitError struct{ code, msg string }

func (e *limitError) Error() string { return e.msg }

// shape is what the analysis found.
type shape struct {
	kind                 string   // query or mutation
	roots                []string // root field names
	depth, aliases, cost int
	// introspectionLists is the deepest nesting of the introspection lists
	// that lead back to a type.
	introspectionLists int
}

// operationLabel names an operation for the audit log: its name, or its
// kind and root fields.
func (s shape) label(name string) string {
	if name != "" {
		return name
	}
	return s.kind + " " + strings.Join(s.roots, ",")
}

// series names the operation for metrics: its kind and root fields, the
// schema's names only (a client's operation name is unbounded).
func (s shape) series() string {
	return strings.TrimSpace(s.kind + " " + strings.Join(s.roots, ","))
}

// introspection lists the root introspection fields the operation asks
// (__schema, __type; __typename is not introspection of the schema).
func (s shape) introspection() []string {
	var out []string
	for _, r := range s.roots {
		if strings.HasPrefix(r, "__") && r != "__typename" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// listSizes holds the length assumed for each list field of the
// introspection types ("__Type.fields"): its average over this schema, so
// that asking every type for its fields costs about the schema's number of
// fields, and each nesting multiplies by what it would really fetch.
type listSizes map[string]int

func introspectionLists(schema *graphql.Schema) listSizes {
	var types, fields, args, inputFields, enumValues, interfaces, possible int
	for _, t := range schema.TypeMap() {
		types++
		switch t := t.(type) {
		case *graphql.Object:
			fields += len(t.Fields())
			interfaces += len(t.Interfaces())
			for _, f := range t.Fields() {
				args += len(f.Args)
			}
		case *graphql.Interface:
			fields += len(t.Fields())
			possible += len(schema.PossibleTypes(t))
		case *graphql.Union:
			possible += len(schema.PossibleTypes(t))
		case *graphql.InputObject:
			inputFields += len(t.Fields())
		case *graphql.Enum:
			enumValues += len(t.Values())
		}
	}
	directiveArgs := 0
	for _, d := range schema.Directives() {
		directiveArgs += len(d.Args)
	}
	avg := func(n, of int) int { return max(1, (n+of-1)/max(1, of)) }
	return listSizes{
		"__Schema.types": types, "__Schema.directives": max(1, len(schema.Directives())),
		"__Type.fields": avg(fields, types), "__Type.interfaces": avg(interfaces, types),
		"__Type.possibleTypes": avg(possible, types), "__Type.inputFields": avg(inputFields, types),
		"__Type.enumValues": avg(enumValues, types), "__Field.args": avg(args, fields),
		"__Directive.args": avg(directiveArgs, len(schema.Directives())),
	}
}

func analyze(schema *graphql.Schema, lists listSizes, doc *ast.Document, opName string, vars map[string]any, lim Limits) (shape, error) {
	var op *ast.OperationDefinition
	frags := map[string]*ast.FragmentDefinition{}
	for _, d := range doc.Definitions {
		switch d := d.(type) {
		case *ast.OperationDefinition:
			if opName == "" || (d.Name != nil && d.Name.Value == opName) {
				if op != nil && opName == "" {
					return shape{}, &limitError{"BAD_REQUEST", "the document has several operations; name one in operationName"}
				}
				op = d
			}
		case *ast.FragmentDefinition:
			frags[d.Name.Value] = d
		}
	}
	if op == nil {
		return shape{}, &limitError{"BAD_REQUEST", "no operation " + opName + " in the document"}
	}
	sh := shape{kind: op.Operation}
	root := schema.QueryType()
	if op.Operation == ast.OperationTypeMutation {
		root = schema.MutationType()
	}
	a := analyzer{frags: frags, vars: vars, lists: lists, sh: &sh}
	sh.cost = a.visit(op.SelectionSet, root, place{depth: 1, mult: 1, root: true})
	switch {
	case sh.depth > lim.Depth:
		return sh, &limitError{"DEPTH_LIMIT", fmt.Sprintf("the query nests %d deep; at most %d", sh.depth, lim.Depth)}
	case sh.aliases > lim.Aliases:
		return sh, &limitError{"ALIAS_LIMIT", fmt.Sprintf("the query has %d aliases; at most %d", sh.aliases, lim.Aliases)}
	case len(sh.roots) > lim.RootFields:
		return sh, &limitError{"ROOT_FIELD_LIMIT", fmt.Sprintf("the query asks %d root fields; at most %d", len(sh.roots), lim.RootFields)}
	case sh.introspectionLists >= maxIntrospectionLists:
		return sh, &limitError{"INTROSPECTION_DEPTH_LIMIT", fmt.Sprintf("the introspection nests fields, interfaces, possibleTypes or inputFields %d deep; at most %d",
			sh.introspectionLists, maxIntrospectionLists-1)}
	case sh.cost > lim.Cost:
		return sh, &limitError{"COST_LIMIT", fmt.Sprintf("the query may resolve about %d fields; at most %d (ask for smaller pages)", sh.cost, lim.Cost)}
	}
	return sh, nil
}

type analyzer struct {
	frags map[string]*ast.FragmentDefinition
	vars  map[string]any
	lists listSizes
	sh    *shape
	// seen guards against fragment cycles, which validation also refuses.
	seen map[string]bool
}

// place is where a selection set stands: its depth, how many times its
// parent is resolved, how deep in introspection lists it is, and whether it
// is the operation's own.
type place struct {
	depth, mult, lists int
	root               bool
}

// visit returns the estimated cost of a selection set of parent at p.
func (a *analyzer) visit(set *ast.SelectionSet, parent graphql.Type, p place) int {
	if set == nil {
		return 0
	}
	if p.depth > a.sh.depth {
		a.sh.depth = p.depth
	}
	obj, _ := parent.(*graphql.Object)
	cost := 0
	for _, sel := range set.Selections {
		switch sel := sel.(type) {
		case *ast.Field:
			name := sel.Name.Value
			if sel.Alias != nil && sel.Alias.Value != name {
				a.sh.aliases++
			}
			if p.root {
				a.sh.roots = append(a.sh.roots, name)
			}
			cost = sat(cost + p.mult)
			var def *graphql.FieldDefinition
			switch {
			case p.root && name == "__schema":
				def = graphql.SchemaMetaFieldDef
			case p.root && name == "__type":
				def = graphql.TypeMetaFieldDef
			case obj != nil:
				def = obj.Fields()[name]
			}
			if def == nil {
				continue
			}
			t, isList := unwrap(def.Type)
			child := place{depth: p.depth + 1, mult: p.mult, lists: p.lists}
			switch {
			case obj != nil && strings.HasPrefix(obj.Name(), "__"):
				// Introspection: its lists are as long as the schema makes
				// them, and the ones that lead back to a type can go round
				// in circles.
				if isList {
					child.mult = sat(p.mult * max(1, a.lists[obj.Name()+"."+name]))
				}
				switch name {
				case "ofType":
					child.depth = p.depth
				case "fields", "interfaces", "possibleTypes", "inputFields":
					child.lists++
					a.sh.introspectionLists = max(a.sh.introspectionLists, child.lists)
				}
			case a.hasArg(sel, "first") || strings.HasSuffix(t.Name(), "Connection"):
				child.mult = sat(p.mult * a.intArg(sel, "first", defaultPage))
			case isList && name != "nodes":
				child.mult = sat(p.mult * defaultList)
			}
			cost = sat(cost + a.visit(sel.SelectionSet, t, child))
		case *ast.InlineFragment:
			// The schema has no unions or interfaces: a type condition
			// can only name the parent's own type.
			cost = sat(cost + a.visit(sel.SelectionSet, parent, p))
		case *ast.FragmentSpread:
			f := a.frags[sel.Name.Value]
			if f == nil || a.seen[f.Name.Value] {
				continue
			}
			if a.seen == nil {
				a.seen = map[string]bool{}
			}
			a.seen[f.Name.Value] = true
			cost = sat(cost + a.visit(f.SelectionSet, parent, p))
			delete(a.seen, f.Name.Value)
		}
	}
	return cost
}

func (a *analyzer) hasArg(f *ast.Field, name string) bool {
	for _, arg := range f.Arguments {
		if arg.Name.Value == name {
			return true
		}
	}
	return false
}

// intArg reads an integer argument given literally or as a variable.
func (a *analyzer) intArg(f *ast.Field, name string, def int) int {
	for _, arg := range f.Arguments {
		if arg.Name.Value != name {
			continue
		}
		switch v := arg.Value.(type) {
		case *ast.IntValue:
			var n int
			if _, err := fmt.Sscan(v.Value, &n); err == nil && n > 0 {
				return n
			}
		case *ast.Variable:
			if n, ok := a.vars[v.Name.Value].(float64); ok && n > 0 {
				return int(n)
			}
		}
	}
	return def
}

// unwrap strips non-null and list wrappers, saying whether a list was among
// them.
func unwrap(t graphql.Type) (graphql.Type, bool) {
	list := false
	for {
		switch w := t.(type) {
		case *graphql.NonNull:
			t = w.OfType
		case *graphql.List:
			list = true
			t = w.OfType
		default:
			return t, list
		}
	}
}

// sat adds without overflowing: a bomb's cost saturates instead of wrapping.
func sat(n int) int {
	if n < 0 || n > 1<<40 {
		return 1 << 40
	}
	return n
}
