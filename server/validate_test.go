package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/parser"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
	"github.com/kedja/kedja/schema"
)

// A document that crashes graphql-go's validator is refused, and the crash
// is logged, never swallowed.
func TestValidatorPanicIsRefusedAndLogged(t *testing.T) {
	sch, err := graphql.NewSchema(graphql.SchemaConfig{Query: graphql.NewObject(graphql.ObjectConfig{
		Name: "Query", Fields: graphql.Fields{"ok": {Type: graphql.Boolean}}})})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	doc, err := parser.Parse(parser.ParseParams{Source: "{ ok }"})
	if err != nil {
		t.Fatal(err)
	}
	// A rule that crashes, as graphql-go's own have on input the parser let
	// through.
	crashing := func(*graphql.ValidationContext) *graphql.ValidationRuleInstance { panic("nil pointer") }
	errs := validate(slog.New(slog.NewTextHandler(&logs, nil)), &sch, doc, append(graphql.SpecifiedRules, crashing))
	if len(errs) != 1 || errs[0].Message != "the query could not be validated" {
		t.Errorf("errors %+v, want one refusal", errs)
	}
	if !strings.Contains(logs.String(), "graphql validator panicked") {
		t.Errorf("log %q does not record the panic (errors %+v)", logs.String(), errs)
	}
}

// kedjaSchema is kedja's schema without services: enough to parse, validate
// and analyse documents.
func kedjaSchema(t testing.TB) *graphql.Schema {
	t.Helper()
	sch, err := schema.New(resolvers.New(registry.Services{}, nil, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return &sch
}

func mustParse(t testing.TB, q string) *ast.Document {
	t.Helper()
	doc, err := parseDocument(q)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// standardIntrospection is the query graphql-js 16's getIntrospectionQuery()
// makes by default: what client generators and IDEs send.
var standardIntrospection = func() string {
	b, err := os.ReadFile("testdata/introspection.graphql")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// nestedTypes asks each type's fields' types' fields, levels deep.
func nestedTypes(levels int) string {
	return "{ __schema { types { " + strings.Repeat("fields { type { ", levels) + "name" + strings.Repeat(" } }", levels) + " } } }"
}

// Introspection is costed and depth-limited like any other query: its
// lists are as long as the schema makes them, and the lists that lead back
// to a type may not nest three deep (graphql-js's MaxIntrospectionDepthRule).
func TestIntrospectionIsCostedAndDepthLimited(t *testing.T) {
	sch := kedjaSchema(t)
	lists := introspectionLists(sch)
	fields := 0
	for _, typ := range sch.TypeMap() {
		if o, ok := typ.(*graphql.Object); ok {
			fields += len(o.Fields())
		}
	}
	// Every type's fields' names: about as many as the schema has fields.
	allFields := lists["__Schema.types"] * lists["__Type.fields"]
	if allFields < fields || allFields > fields+lists["__Schema.types"] {
		t.Errorf("types x fields per type = %d; the schema has %d fields", allFields, fields)
	}
	// Ten full introspections in one request: each is allowed, ten cost too
	// much.
	var bomb strings.Builder
	bomb.WriteString("{ ")
	for i := range 10 {
		fmt.Fprintf(&bomb, "a%d: __schema { types { ...FullType } } ", i)
	}
	bomb.WriteString("}")
	bomb.WriteString(standardIntrospection[strings.Index(standardIntrospection, "fragment FullType"):])
	tests := []struct {
		name, query string
		wantCode    string
		wantIntro   []string
	}{
		{"StandardIntrospection", standardIntrospection, "", []string{"__schema"}},
		{"OneType", `{ __type(name: "Organisation") { name fields { name type { name } } } }`, "", []string{"__type"}},
		{"TypenameIsNotIntrospection", `{ __typename checks { __typename id } }`, "", nil},
		{"TwoListsDeep", nestedTypes(2), "", []string{"__schema"}},
		{"CircularThreeDeep", nestedTypes(3), "INTROSPECTION_DEPTH_LIMIT", []string{"__schema"}},
		// graphql-cop's "Introspection-based Circular Query".
		{"CircularFourDeep", nestedTypes(4), "INTROSPECTION_DEPTH_LIMIT", []string{"__schema"}},
		{"CircularThroughInputFields", `{ __type(name: "LinkInput") { inputFields { type { inputFields { type { inputFields { name } } } } } } }`, "INTROSPECTION_DEPTH_LIMIT", []string{"__type"}},
		{"CircularThroughFragments", `{ __schema { types { ...a } } } fragment a on __Type { fields { type { ...b } } } fragment b on __Type { interfaces { possibleTypes { name } } }`, "INTROSPECTION_DEPTH_LIMIT", []string{"__schema"}},
		{"CircularBehindAnInlineFragment", `{ ... on Query { __schema { types { fields { type { fields { type { inputFields { name } } } } } } } } }`, "INTROSPECTION_DEPTH_LIMIT", []string{"__schema"}},
		{"TenFullIntrospections", bomb.String(), "COST_LIMIT", []string{"__schema"}},
		{"OfTypeChainsDoNotCountAsDepth", `{ __schema { types { fields { args { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } } }`, "", []string{"__schema"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := mustParse(t, tt.query)
			if errs := validate(slog.Default(), sch, doc, validationRules); len(errs) > 0 {
				t.Fatalf("invalid: %v", errs)
			}
			sh, err := analyze(sch, lists, doc, "", nil, DefaultLimits)
			code := ""
			if err != nil {
				code = err.(*limitError).code
			}
			if code != tt.wantCode || !slices.Equal(sh.introspection(), tt.wantIntro) {
				t.Errorf("refused %q (%v), introspection %v; want %q, %v (cost %d, depth %d)", code, err, sh.introspection(), tt.wantCode, tt.wantIntro, sh.cost, sh.depth)
			}
			if tt.name == "StandardIntrospection" {
				t.Logf("the standard introspection query costs %d of %d, nests %d deep", sh.cost, DefaultLimits.Cost, sh.depth)
			}
		})
	}
}

// What graphql-go's validator is slow in is counted before it runs.
func TestDocumentLimitsComeBeforeValidation(t *testing.T) {
	vars := func(n int) string { return numbered("query(", "$v%d: Int ", n, ") { __typename }") }
	directives := func(n int) string { return numbered("{ __typename ", "@d%d ", n, "}") }
	fields := func(n int) string { return "{ " + strings.Repeat("__typename ", n) + "}" }
	lim := DefaultLimits
	tests := []struct {
		name, query, want string
	}{
		{"VariablesAtTheLimit", vars(lim.Variables), ""},
		{"VariablesOverTheLimit", vars(lim.Variables + 1), "VARIABLE_LIMIT"},
		{"DirectivesAtTheLimit", directives(lim.Directives), ""},
		{"DirectivesOverTheLimit", directives(lim.Directives + 1), "DIRECTIVE_LIMIT"},
		{"DirectivesInFragmentsCount", "{ ...f } fragment f on Query @a @b { " + strings.Repeat("__typename @c ", lim.Directives-1) + "}", "DIRECTIVE_LIMIT"},
		// graphql-cop's "Directive Overloading".
		{"RepeatedDirective", "query { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }", "DIRECTIVE_LIMIT"},
		{"RepeatedInclude", "query($x: Boolean!) { __typename @include(if: $x) @include(if: $x) }", "DIRECTIVE_LIMIT"},
		{"FieldsAtTheLimit", "{ " + sameKeys("checks { "+strings.Repeat("id ", lim.SameField-1)+"}", lim.SameField, lim.Fields) + " }", ""},
		{"SameFieldAtTheLimit", fields(lim.SameField), ""},
		{"SameFieldOverTheLimit", fields(lim.SameField + 1), "FIELD_LIMIT"},
		{"SameFieldThroughFragments", "{ a: checks { id } ...f ...g } fragment f on Query { a: checks { id } ...g } fragment g on Query { " + strings.Repeat("a: checks { id } ", lim.SameField-1) + "}", "FIELD_LIMIT"},
		{"FragmentSpreadTwiceCountsOnce", "{ ...g ...g } fragment g on Query { " + strings.Repeat("a: checks { id } ", lim.SameField) + "}", ""},
		// graphql-cop's "Field Duplication".
		{"FiveHundredCopiesOfAField", fields(500), "FIELD_LIMIT"},
		{"FieldsInFragmentsCount", "{ ...f } fragment f on Query { checks { " + strings.Repeat("id ", lim.Fields) + "} }", "FIELD_LIMIT"},
		{"ValuesAtTheLimit", `{ checks(ids: [` + strings.Repeat(`"x", `, lim.Values-2) + `]) { id } }`, ""},
		{"ValuesOverTheLimit", `{ checks(ids: [` + strings.Repeat(`"x", `, lim.Values-1) + `]) { id } }`, "VALUE_LIMIT"},
		{"ValuesInInputObjectsAndDirectivesCount", `query($v: Boolean = true) { a: checks(ids: [{x: [1, 2]}]) @include(if: $v) { id } }` + strings.Repeat(" ", 0), ""},
		{"TypeDefinition", "type Query { x: Int } { __typename }", "GRAPHQL_VALIDATION_FAILED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			le := checkDocument(mustParse(t, tt.query), lim)
			got := ""
			if le != nil {
				got = le.code
			}
			if got != tt.want {
				t.Errorf("got %q (%v), want %q", got, le, tt.want)
			}
		})
	}
}

// The cache of validated documents holds a bounded number of bytes of query
// text, however many distinct large queries arrive.
func TestDocCacheIsBoundedInBytes(t *testing.T) {
	sch := kedjaSchema(t)
	c := newDocCache(slog.Default())
	pad := strings.Repeat("x", DefaultLimits.QueryBytes-100)
	for i := range 100 {
		q := fmt.Sprintf("{ __typename } # %d %s", i, pad)
		if _, errs := c.parse(context.Background(), sch, q, DefaultLimits); len(errs) > 0 {
			t.Fatal(errs)
		}
		if c.bytes > docCacheBytes || len(c.m) > docCacheSize {
			t.Fatalf("after %d queries of %d bytes the cache holds %d bytes in %d documents", i+1, len(q), c.bytes, len(c.m))
		}
	}
	// Small queries stay cached.
	q := "{ __typename }"
	c.parse(context.Background(), sch, q, DefaultLimits)
	if _, ok := c.m[q]; !ok {
		t.Error("a small query was not cached")
	}
}

// Validation runs within the request's deadline, in one of a bounded number
// of slots: a request whose deadline ends while it waits is answered
// TIMEOUT and starts nothing, so abandoned validations cannot pile up.
func TestValidationRunsWithinTheDeadline(t *testing.T) {
	sch := kedjaSchema(t)
	c := newDocCache(slog.Default())
	for range cap(c.slots) {
		c.slots <- struct{}{} // every slot busy
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	_, errs := c.parse(ctx, sch, "{ checks { id } }", DefaultLimits)
	if len(errs) != 1 || errs[0].Extensions["code"] != "TIMEOUT" {
		t.Errorf("with every slot busy: %+v, want TIMEOUT", errs)
	}
	if len(c.slots) != cap(c.slots) || len(c.m) != 0 {
		t.Errorf("slots in use %d of %d, cached %d; the refused request took a slot or was cached", len(c.slots), cap(c.slots), len(c.m))
	}
	for range cap(c.slots) {
		<-c.slots
	}
	if _, errs := c.parse(context.Background(), sch, "{ checks { id } }", DefaultLimits); len(errs) > 0 {
		t.Errorf("with the slots free: %+v", errs)
	}
}

// A resolver that panics, or fails without a code of kedja's, gets an
// "internal error" (graphql-go would show the panic's text, here a
// database error), logged with its cause; the end of the deadline is a
// TIMEOUT, not Go's "context deadline exceeded".
func TestUnhandledErrorsAreMasked(t *testing.T) {
	sch, err := graphql.NewSchema(graphql.SchemaConfig{Query: graphql.NewObject(graphql.ObjectConfig{
		Name: "Query", Fields: graphql.Fields{
			"panics": {Type: graphql.Int, Resolve: func(graphql.ResolveParams) (any, error) {
				panic(errors.New("pq: relation api_tokens does not exist"))
			}},
			"panicsWithText": {Type: graphql.Int, Resolve: func(graphql.ResolveParams) (any, error) {
				var m map[string]int
				m["x"] = 1 // assignment to entry in nil map
				return 0, nil
			}},
			"nullInNonNull": {Type: graphql.NewNonNull(graphql.Int), Resolve: func(graphql.ResolveParams) (any, error) { return nil, nil }},
		}})})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s := &Server{log: slog.New(slog.NewTextHandler(&logs, nil))}
	for _, field := range []string{"panics", "panicsWithText", "nullInNonNull"} {
		t.Run(field, func(t *testing.T) {
			res := graphql.Do(graphql.Params{Schema: sch, RequestString: "{ " + field + " }", Context: context.Background()})
			if len(res.Errors) != 1 {
				t.Fatalf("errors %+v", res.Errors)
			}
			raw := res.Errors[0].Message
			codes := s.public(context.Background(), res.Errors)
			e := res.Errors[0]
			if e.Message != "internal error" || e.Extensions["code"] != "INTERNAL" || !slices.Equal(codes, []string{"INTERNAL"}) {
				t.Errorf("shown %q %v (codes %v), want internal error", e.Message, e.Extensions, codes)
			}
			if !strings.Contains(logs.String(), raw) {
				t.Errorf("the cause %q is not logged: %s", raw, logs.String())
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := graphql.Do(graphql.Params{Schema: sch, RequestString: "{ panics }", Context: ctx})
	codes := s.public(ctx, res.Errors)
	if len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != "TIMEOUT" || strings.Contains(res.Errors[0].Message, "context") {
		t.Errorf("cancelled: %+v (codes %v), want TIMEOUT", res.Errors, codes)
	}
}

// Errors are located in the query's own lines and columns, though the
// document is parsed without its source.
func TestErrorsAreLocated(t *testing.T) {
	sch := kedjaSchema(t)
	q := "{\n  checks {\r\n    id\n    nope @include(if: $x)\n  }\n}"
	_, errs := newDocCache(slog.Default()).parse(context.Background(), sch, q, DefaultLimits)
	var got []string
	for _, e := range errs {
		got = append(got, fmt.Sprint(e.Message, e.Locations))
	}
	want := []string{`Cannot query field "nope" on type "Check".[{4 5}]`, `Variable "$x" is not defined.[{4 23} {1 1}]`}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestLimitErrorsSaysHowManyMore(t *testing.T) {
	errs := make([]gqlerrors.FormattedError, 12)
	for i := range errs {
		errs[i].Message = fmt.Sprint("error ", i)
	}
	got := limitErrors(errs, 5)
	if len(got) != 5 || got[3].Message != "error 3" || got[4].Extensions["code"] != "TOO_MANY_ERRORS" ||
		got[4].Message != "8 more errors not shown; at most 5 are reported" {
		t.Errorf("got %+v", got)
	}
	if got := limitErrors(errs[:5], 5); len(got) != 5 || got[4].Message != "error 4" {
		t.Errorf("five errors: %+v", got)
	}
}

// Numbered is numbered, for the tests of package server_test.
var Numbered = numbered

// numbered is head, then item formatted with 0, 1, ... n-1, then tail.
func numbered(head, item string, n int, tail string) string {
	var b strings.Builder
	b.WriteString(head)
	for i := range n {
		fmt.Fprintf(&b, item, i)
	}
	return b.String() + tail
}

// sameKeys repeats a selection of size fields under as few response keys as
// the limits allow, up to max fields in all.
func sameKeys(sel string, size, max int) string {
	var b strings.Builder
	for i := 0; (i+1)*size <= max; i++ {
		fmt.Fprintf(&b, "k%d: %s ", i/DefaultLimits.SameField, sel)
	}
	return b.String()
}

// sameKeyConflicts asks for as many fields as the limits allow, each
// response key as often as they allow, every two conflicting.
func sameKeyConflicts(lim Limits) string {
	var b strings.Builder
	for i := range lim.Fields / lim.SameField / 2 {
		for j := range lim.SameField {
			fmt.Fprintf(&b, `k%d: __type(name: "t%d") { name } `, i, j)
		}
	}
	return b.String()
}

// BenchmarkValidateAtTheLimits times the slowest documents found for
// graphql-go's validator that the limits still let through: the limits are
// what keep validation short, since it cannot be interrupted.
func BenchmarkValidateAtTheLimits(b *testing.B) {
	sch := kedjaSchema(b)
	lim := DefaultLimits
	list := strings.Repeat(`1, `, lim.Values-5)
	for _, bb := range []struct{ name, query string }{
		{"UnknownArgumentsOfUndefinedVariables", numbered("{ __typename(", "a%d: $x ", lim.Values/2, ") }")},
		{"BadListValues", `mutation { runChecks(checks: [` + list + `]) { id } }`},
		{"UnusedVariables", numbered("query(", "$v%d: Int ", lim.Variables, ") { __typename }")},
		{"UnknownDirectives", numbered("{ __typename ", "@d%d ", lim.Directives, "}")},
		{"DuplicateFields", "{ " + sameKeys("checks { id }", 2, lim.Fields) + "}"},
		{"DuplicateNestedFields", "{ " + sameKeys("organisations { nodes { id } }", 3, lim.Fields) + "}"},
		{"UnknownFields", numbered("{ ", "nope%d ", lim.Fields, "}")},
		{"AliasedConflicts", "{ " + strings.Repeat("a: checks { id } a: countries { code } ", lim.SameField/2) + "}"},
		{"ConflictingArguments", "{ " + sameKeyConflicts(lim) + " }"},
		{"StandardIntrospection", standardIntrospection},
	} {
		doc := mustParse(b, bb.query)
		if le := checkDocument(doc, lim); le != nil || len(bb.query) > lim.QueryBytes {
			b.Fatalf("%s: not within the limits: %v", bb.name, le)
		}
		b.Run(bb.name, func(b *testing.B) {
			for b.Loop() {
				validate(slog.Default(), sch, doc, validationRules)
			}
		})
	}
}
