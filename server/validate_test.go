package server

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/parser"
)

// A document that crashes graphql-go's validator is refused, and the crash
// is logged, never swallowed.
func TestValidatorPanicIsRefusedAndLogged(t *testing.T) {
	schema, err := graphql.NewSchema(graphql.SchemaConfig{Query: graphql.NewObject(graphql.ObjectConfig{
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
	errs := validate(slog.New(slog.NewTextHandler(&logs, nil)), &schema, doc, append(graphql.SpecifiedRules, crashing))
	if len(errs) != 1 || errs[0].Message != "the query could not be validated" {
		t.Errorf("errors %+v, want one refusal", errs)
	}
	if !strings.Contains(logs.String(), "graphql validator panicked") {
		t.Errorf("log %q does not record the panic (errors %+v)", logs.String(), errs)
	}
}
