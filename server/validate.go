package server

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/kinds"
	"github.com/graphql-go/graphql/language/location"
	"github.com/graphql-go/graphql/language/parser"
	"github.com/graphql-go/graphql/language/source"
	"github.com/graphql-go/graphql/language/visitor"
)

// docCache keeps parsed and validated documents by query text: parsing and
// validation are most of the cost of a small request, and clients send the
// same queries again and again. It is bounded by entries and by the bytes of
// query text it holds: a parsed document takes about 35 times its text.
type docCache struct {
	mu    sync.Mutex
	m     map[string]*ast.Document
	bytes int // query text held
	log   *slog.Logger
	// slots bounds the validations running at once. A request that gives up
	// waiting for its validation leaves it running, holding its slot, so
	// abandoned validations can never outnumber the slots.
	slots chan struct{}
}

const (
	docCacheSize  = 512
	docCacheBytes = 512 << 10 // of query text: about 18 MB of documents
)

func newDocCache(log *slog.Logger) *docCache {
	return &docCache{m: map[string]*ast.Document{}, log: log, slots: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

// parse returns the validated document of query, refusing before it is
// parsed a query longer than lim allows and, before it is validated, one
// that writes more than lim allows of what checkDocument counts.
// Validation runs within ctx: when ctx ends first, the answer is TIMEOUT.
func (c *docCache) parse(ctx context.Context, schema *graphql.Schema, query string, lim Limits) (*ast.Document, []gqlerrors.FormattedError) {
	c.mu.Lock()
	doc, ok := c.m[query]
	c.mu.Unlock()
	if ok {
		return doc, nil
	}
	if len(query) > lim.QueryBytes {
		return nil, refusal("QUERY_TOO_LARGE", fmt.Sprintf("the query is %d bytes; at most %d", len(query), lim.QueryBytes))
	}
	// graphql-go's parser and validator recurse without bounds: a deep
	// enough nest of braces, or a fragment that spreads itself, overflows
	// the stack and kills the process. Both are refused before they get
	// there.
	if braceDepth(query) > maxBraceDepth {
		return nil, refusal("DEPTH_LIMIT", "the query nests too deep")
	}
	doc, err := parseDocument(query)
	if err != nil {
		return nil, gqlerrors.FormatErrors(err)
	}
	if le := checkDocument(doc, lim); le != nil {
		return nil, refusal(le.code, le.msg)
	}
	if name := fragmentCycle(doc); name != "" {
		return nil, []gqlerrors.FormattedError{{Message: "fragment " + name + " spreads itself"}}
	}
	if errs := c.validate(ctx, schema, doc); len(errs) > 0 {
		errs = limitErrors(errs, lim.Errors)
		locate(errs, query)
		return nil, errs
	}
	c.mu.Lock()
	if len(c.m) >= docCacheSize || c.bytes+len(query) > docCacheBytes {
		// Dropping everything is crude but bounded; a hot set refills at once.
		c.m, c.bytes = map[string]*ast.Document{}, 0
	}
	c.m[query] = doc
	c.bytes += len(query)
	c.mu.Unlock()
	return doc, nil
}

// parseDocument parses query without keeping its source in the document
// (see locate); a syntax error is still located, from the parser's own copy.
func parseDocument(query string) (*ast.Document, error) {
	return parser.Parse(parser.ParseParams{Source: source.NewSource(&source.Source{Body: []byte(query), Name: "request"}),
		Options: parser.ParseOptions{NoSource: true}})
}

// validate runs graphql-go's validation in a slot, within ctx.
func (c *docCache) validate(ctx context.Context, schema *graphql.Schema, doc *ast.Document) []gqlerrors.FormattedError {
	timeout := refusal("TIMEOUT", "the query could not be checked in time")
	if ctx.Err() != nil {
		return timeout
	}
	select {
	case c.slots <- struct{}{}:
	case <-ctx.Done():
		return timeout
	}
	done := make(chan []gqlerrors.FormattedError, 1)
	go func() {
		defer func() { <-c.slots }()
		done <- validate(c.log, schema, doc, validationRules)
	}()
	select {
	case errs := <-done:
		return errs
	case <-ctx.Done():
		return timeout
	}
}

// locate gives errors their lines and columns in query. Documents are
// parsed without their source because graphql-go locates an error by
// compiling a regular expression and scanning the whole text to that point:
// a document with thousands of errors took seconds. Without the source it
// scans nothing and says line 1 with the offset plus one as the column, and
// only the errors shown are located here for real.
func locate(errs []gqlerrors.FormattedError, query string) {
	for _, e := range errs {
		for i, l := range e.Locations {
			off := l.Column - 1
			if l.Line != 1 || off < 0 || off > len(query) {
				continue
			}
			line, start := 1, 0
			for j := 0; j < off; j++ {
				switch query[j] {
				case '\n':
					line, start = line+1, j+1
				case '\r':
					if j+1 < len(query) && query[j+1] == '\n' {
						j++
					}
					line, start = line+1, j+1
				}
			}
			e.Locations[i] = location.SourceLocation{Line: line, Column: off - start + 1}
		}
	}
}

// validationRules are graphql-go's, except two that compare every unknown
// field or type name with every name the schema has, to suggest one ("Did
// you mean ...?"): 300 unknown fields took 150 ms, and the suggestions tell
// the schema to roles that may not introspect. Their replacements say the
// same without suggesting.
var validationRules = func() []graphql.ValidationRuleFn {
	rules := slices.Clone(graphql.SpecifiedRules)
	for i, r := range rules {
		switch reflect.ValueOf(r).Pointer() {
		case reflect.ValueOf(graphql.FieldsOnCorrectTypeRule).Pointer():
			rules[i] = fieldsOnCorrectTypeRule
		case reflect.ValueOf(graphql.KnownTypeNamesRule).Pointer():
			rules[i] = knownTypeNamesRule
		}
	}
	return rules
}()

// fieldsOnCorrectTypeRule refuses a field its parent type does not have.
func fieldsOnCorrectTypeRule(c *graphql.ValidationContext) *graphql.ValidationRuleInstance {
	return oneKindRule(c, kinds.Field, func(node ast.Node) string {
		parent := c.ParentType()
		if parent == nil || reflect.ValueOf(parent).IsNil() || c.FieldDef() != nil {
			return ""
		}
		return fmt.Sprintf("Cannot query field %q on type %q.", node.(*ast.Field).Name.Value, parent.Name())
	})
}

// knownTypeNamesRule refuses a type name (of a variable, or a fragment's
// condition) the schema does not have.
func knownTypeNamesRule(c *graphql.ValidationContext) *graphql.ValidationRuleInstance {
	return oneKindRule(c, kinds.Named, func(node ast.Node) string {
		name := node.(*ast.Named).Name.Value
		if c.Schema().Type(name) != nil {
			return ""
		}
		return fmt.Sprintf("Unknown type %q.", name)
	})
}

// oneKindRule reports, for every node of kind, the error check finds.
func oneKindRule(c *graphql.ValidationContext, kind string, check func(ast.Node) string) *graphql.ValidationRuleInstance {
	return &graphql.ValidationRuleInstance{VisitorOpts: &visitor.VisitorOptions{
		KindFuncMap: map[string]visitor.NamedVisitFuncs{kind: {Kind: func(p visitor.VisitFuncParams) (string, any) {
			if node, ok := p.Node.(ast.Node); ok {
				if msg := check(node); msg != "" {
					c.ReportError(gqlerrors.NewError(msg, []ast.Node{node}, "", nil, []int{}, nil))
				}
			}
			return visitor.ActionNoChange, nil
		}}},
	}}
}

func refusal(code, msg string) []gqlerrors.FormattedError {
	return []gqlerrors.FormattedError{{Message: msg, Locations: []location.SourceLocation{}, Extensions: map[string]any{"code": code}}}
}

// checkDocument counts what graphql-go's validator is slow in, before it
// runs: variables, directives, fields and values written anywhere in the
// document.
// It also refuses what the spec does not let a request hold (type
// definitions; a directive twice on one node), which graphql-go's rules do
// not check.
func checkDocument(doc *ast.Document, lim Limits) *limitError {
	n := docCounts{frags: map[string]*ast.FragmentDefinition{}}
	for _, d := range doc.Definitions {
		if f, ok := d.(*ast.FragmentDefinition); ok && f.Name != nil {
			n.frags[f.Name.Value] = f
		}
	}
	for _, d := range doc.Definitions {
		switch d := d.(type) {
		case *ast.OperationDefinition:
			n.variables += len(d.VariableDefinitions)
			for _, v := range d.VariableDefinitions {
				n.value(v.DefaultValue)
			}
			n.directives(d.Directives)
			n.selections(d.SelectionSet)
		case *ast.FragmentDefinition:
			n.directives(d.Directives)
			n.selections(d.SelectionSet)
		default:
			return &limitError{"GRAPHQL_VALIDATION_FAILED", "a request holds operations and fragments only, not type definitions"}
		}
	}
	switch {
	case n.repeated != "":
		return &limitError{"DIRECTIVE_LIMIT", fmt.Sprintf("the directive @%s is repeated on one field; each may be used once there", n.repeated)}
	case n.directiveCount > lim.Directives:
		return &limitError{"DIRECTIVE_LIMIT", fmt.Sprintf("the document has %d directives; at most %d", n.directiveCount, lim.Directives)}
	case n.variables > lim.Variables:
		return &limitError{"VARIABLE_LIMIT", fmt.Sprintf("the document declares %d variables; at most %d", n.variables, lim.Variables)}
	case n.fields > lim.Fields:
		return &limitError{"FIELD_LIMIT", fmt.Sprintf("the document selects %d fields; at most %d (a field written again is counted again)", n.fields, lim.Fields)}
	case n.sameKey > lim.SameField:
		return &limitError{"FIELD_LIMIT", fmt.Sprintf("one selection asks for %q %d times; at most %d", n.sameKeyName, n.sameKey, lim.SameField)}
	case n.values > lim.Values:
		return &limitError{"VALUE_LIMIT", fmt.Sprintf("the document writes %d arguments and values; at most %d (send long lists as variables)", n.values, lim.Values)}
	}
	return nil
}

type docCounts struct {
	frags                                     map[string]*ast.FragmentDefinition
	variables, directiveCount, fields, values int
	repeated                                  string // a directive used twice on one node
	// sameKey is the most fields one selection set gives one response key,
	// through its fragments too: graphql-go compares them pairwise.
	sameKey     int
	sameKeyName string
}

func (n *docCounts) arguments(args []*ast.Argument) {
	for _, a := range args {
		n.values++
		n.value(a.Value)
	}
}

// responseKeys counts the fields of set by the key they answer under,
// through inline fragments and each fragment spread once, as graphql-go
// merges them.
func (n *docCounts) responseKeys(set *ast.SelectionSet, keys map[string]int, spread map[string]bool) {
	if set == nil {
		return
	}
	for _, sel := range set.Selections {
		switch sel := sel.(type) {
		case *ast.Field:
			key := sel.Name.Value
			if sel.Alias != nil {
				key = sel.Alias.Value
			}
			keys[key]++
		case *ast.InlineFragment:
			n.responseKeys(sel.SelectionSet, keys, spread)
		case *ast.FragmentSpread:
			if f := n.frags[sel.Name.Value]; f != nil && !spread[sel.Name.Value] {
				spread[sel.Name.Value] = true
				n.responseKeys(f.SelectionSet, keys, spread)
			}
		}
	}
}

// value counts a value written in the document: each item of a list and
// each field of an input object.
func (n *docCounts) value(v ast.Value) {
	switch v := v.(type) {
	case nil:
	case *ast.ListValue:
		n.values++
		for _, item := range v.Values {
			n.value(item)
		}
	case *ast.ObjectValue:
		n.values++
		for _, f := range v.Fields {
			n.value(f.Value)
		}
	default:
		n.values++
	}
}

func (n *docCounts) directives(ds []*ast.Directive) {
	n.directiveCount += len(ds)
	for _, d := range ds {
		n.arguments(d.Arguments)
	}
	if len(ds) < 2 {
		return
	}
	seen := map[string]bool{}
	for _, d := range ds {
		if d.Name != nil && seen[d.Name.Value] {
			n.repeated = d.Name.Value
		} else if d.Name != nil {
			seen[d.Name.Value] = true
		}
	}
}

func (n *docCounts) selections(set *ast.SelectionSet) {
	if set == nil {
		return
	}
	keys := map[string]int{}
	n.responseKeys(set, keys, map[string]bool{})
	for k, c := range keys {
		if c > n.sameKey {
			n.sameKey, n.sameKeyName = c, k
		}
	}
	for _, sel := range set.Selections {
		switch sel := sel.(type) {
		case *ast.Field:
			n.fields++
			n.arguments(sel.Arguments)
			n.directives(sel.Directives)
			n.selections(sel.SelectionSet)
		case *ast.InlineFragment:
			n.directives(sel.Directives)
			n.selections(sel.SelectionSet)
		case *ast.FragmentSpread:
			n.directives(sel.Directives)
		}
	}
}

// maxBraceDepth bounds nesting before parsing, well above any depth limit.
const maxBraceDepth = 64

// braceDepth is the deepest nesting of braces, brackets and parentheses in
// a query, outside strings.
func braceDepth(q string) int {
	depth, deepest := 0, 0
	for i := 0; i < len(q); i++ {
		switch q[i] {
		case '"':
			// Skip the string (block strings too): its braces are text.
			block := strings.HasPrefix(q[i:], `"""`)
			if block {
				end := strings.Index(q[i+3:], `"""`)
				if end < 0 {
					return deepest
				}
				i += end + 5
				continue
			}
			for i++; i < len(q) && q[i] != '"'; i++ {
				if q[i] == '\\' {
					i++
				}
			}
		case '#':
			for i < len(q) && q[i] != '\n' {
				i++
			}
		case '{', '[', '(':
			depth++
			deepest = max(deepest, depth)
		case '}', ']', ')':
			depth--
		}
	}
	return deepest
}

// fragmentCycle returns the name of a fragment that spreads itself,
// directly or through others, or "".
func fragmentCycle(doc *ast.Document) string {
	spreads := map[string][]string{}
	for _, d := range doc.Definitions {
		if f, ok := d.(*ast.FragmentDefinition); ok {
			spreads[f.Name.Value] = spreadsIn(f.SelectionSet, nil)
		}
	}
	const (
		unseen = iota
		visiting
		done
	)
	state := map[string]int{}
	var cyc string
	var visit func(string) bool
	visit = func(n string) bool {
		switch state[n] {
		case visiting:
			cyc = n
			return true
		case done:
			return false
		}
		state[n] = visiting
		for _, m := range spreads[n] {
			if visit(m) {
				return true
			}
		}
		state[n] = done
		return false
	}
	for n := range spreads {
		if visit(n) {
			return cyc
		}
	}
	return ""
}

func spreadsIn(set *ast.SelectionSet, out []string) []string {
	if set == nil {
		return out
	}
	for _, sel := range set.Selections {
		switch sel := sel.(type) {
		case *ast.FragmentSpread:
			out = append(out, sel.Name.Value)
		case *ast.Field:
			out = spreadsIn(sel.SelectionSet, out)
		case *ast.InlineFragment:
			out = spreadsIn(sel.SelectionSet, out)
		}
	}
	return out
}

// validate runs graphql-go's validation. Its validator has crashed on
// malformed input the parser let through (a variable without a type, found
// by the fuzzer): such a document is refused, and a crash inside is turned
// into a refusal rather than a dropped connection, and logged with its stack
// so that the next such input can be refused before validation too.
func validate(log *slog.Logger, schema *graphql.Schema, doc *ast.Document, rules []graphql.ValidationRuleFn) (errs []gqlerrors.FormattedError) {
	for _, d := range doc.Definitions {
		if op, ok := d.(*ast.OperationDefinition); ok {
			for _, v := range op.VariableDefinitions {
				if v.Type == nil || v.Variable == nil || v.Variable.Name == nil {
					return []gqlerrors.FormattedError{{Message: "a variable is declared without a type"}}
				}
			}
		}
	}
	defer func() {
		if r := recover(); r != nil {
			log.Error("graphql validator panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			errs = []gqlerrors.FormattedError{{Message: "the query could not be validated"}}
		}
	}()
	if v := graphql.ValidateDocument(schema, doc, rules); !v.IsValid {
		return v.Errors
	}
	return nil
}
