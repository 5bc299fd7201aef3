package server

import (
	"fmt"
	"strings"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"
)

// Limits bound what one request may ask for. graphql-go validates by the
// spec only, so depth, aliases, root fields and cost are measured here, on
// the parsed document, before anything runs.
type Limits struct {
	Depth      int // nesting of fields
	Aliases    int
	RootFields int
	Cost       int // estimated fields resolved: each list multiplies its children
}

// DefaultLimits fit every query in the README with room to spare and stop
// the usual abuse: a depth bomb, a thousand aliases, a wide nest of lists.
var DefaultLimits = Limits{Depth: 12, Aliases: 30, RootFields: 10, Cost: 500_000}

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
}

// operationLabel names an operation for the audit log: its name, or its
// kind and root fields.
func (s shape) label(name string) string {
	if name != "" {
		return name
	}
	return s.kind + " " + strings.Join(s.roots, ",")
}

func analyze(schema *graphql.Schema, doc *ast.Document, opName string, vars map[string]any, lim Limits) (shape, error) {
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
	a := analyzer{frags: frags, vars: vars, sh: &sh}
	sh.cost = a.visit(op.SelectionSet, root, 1, 1, true)
	switch {
	case sh.depth > lim.Depth:
		return sh, &limitError{"DEPTH_LIMIT", fmt.Sprintf("the query nests %d deep; at most %d", sh.depth, lim.Depth)}
	case sh.aliases > lim.Aliases:
		return sh, &limitError{"ALIAS_LIMIT", fmt.Sprintf("the query has %d aliases; at most %d", sh.aliases, lim.Aliases)}
	case len(sh.roots) > lim.RootFields:
		return sh, &limitError{"ROOT_FIELD_LIMIT", fmt.Sprintf("the query asks %d root fields; at most %d", len(sh.roots), lim.RootFields)}
	case sh.cost > lim.Cost:
		return sh, &limitError{"COST_LIMIT", fmt.Sprintf("the query may resolve about %d fields; at most %d (ask for smaller pages)", sh.cost, lim.Cost)}
	}
	return sh, nil
}

type analyzer struct {
	frags map[string]*ast.FragmentDefinition
	vars  map[string]any
	sh    *shape
	// seen guards against fragment cycles, which validation also refuses.
	seen map[string]bool
}

// visit returns the estimated cost of a selection set whose parent is
// resolved mult times, at depth.
func (a *analyzer) visit(set *ast.SelectionSet, parent graphql.Type, depth, mult int, root bool) int {
	if set == nil {
		return 0
	}
	if depth > a.sh.depth {
		a.sh.depth = depth
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
			if root {
				a.sh.roots = append(a.sh.roots, name)
			}
			cost = sat(cost + mult)
			if obj == nil || strings.HasPrefix(name, "__") {
				continue
			}
			def, ok := obj.Fields()[name]
			if !ok {
				continue
			}
			t, isList := unwrap(def.Type)
			childMult := mult
			switch {
			case a.hasArg(sel, "first") || strings.HasSuffix(t.Name(), "Connection"):
				childMult = sat(mult * a.intArg(sel, "first", defaultPage))
			case isList && name != "nodes":
				childMult = sat(mult * defaultList)
			}
			cost = sat(cost + a.visit(sel.SelectionSet, t, depth+1, childMult, false))
		case *ast.InlineFragment:
			// The schema has no unions or interfaces: a type condition
			// can only name the parent's own type.
			cost = sat(cost + a.visit(sel.SelectionSet, parent, depth, mult, root))
		case *ast.FragmentSpread:
			f := a.frags[sel.Name.Value]
			if f == nil || a.seen[f.Name.Value] {
				continue
			}
			if a.seen == nil {
				a.seen = map[string]bool{}
			}
			a.seen[f.Name.Value] = true
			cost = sat(cost + a.visit(f.SelectionSet, parent, depth, mult, root))
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
