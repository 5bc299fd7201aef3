// Package schema declares kedja's GraphQL schema: its types, enums, inputs
// and root fields, each wired to the resolver that does its work.
package schema

import (
	"fmt"
	"strings"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"

	"github.com/kedja/kedja/registry"
)

// rawString passes a string literal or variable through unparsed, so the
// resolver can parse it and name the field when it is malformed; graphql-go's
// own scalar errors cannot carry a code.
func rawString(v any) any {
	if s, ok := v.(string); ok {
		return s
	}
	return nil
}

func rawLiteral(v ast.Value) any {
	if s, ok := v.(*ast.StringValue); ok {
		return s.Value
	}
	return nil
}

// newInstant is an instant on output in the registry's time zone, RFC 3339,
// except one given on its own clocks (ownClock: a trace's, in its region's
// zone); on input RFC 3339, a local time or a date (registry.ParseInstant).
func newInstant(loc *time.Location) *graphql.Scalar {
	return graphql.NewScalar(graphql.ScalarConfig{
		Name: "Instant",
		Description: "An instant. Written as RFC 3339 (2019-02-01T02:00:00+01:00); accepted also as a local time " +
			"(2019-02-01T02:00) or a date (2019-02-01, its midnight), read in the registry's time zone.",
		Serialize: func(v any) any {
			switch t := v.(type) {
			case ownClock:
				return time.Time(t).Format(time.RFC3339)
			case time.Time:
				return t.In(loc).Format(time.RFC3339)
			case *time.Time:
				if t != nil {
					return t.In(loc).Format(time.RFC3339)
				}
			}
			return nil
		},
		ParseValue:   rawString,
		ParseLiteral: rawLiteral,
	})
}

// ownClock is an instant the Instant scalar writes with its own offset
// rather than the registry's: a trace's times, which resolvers place on
// the calling region's clocks (Trace.In).
type ownClock time.Time

// onOwnClock and optOwnClock give a trace's instants to the Instant
// scalar as they are placed.
func onOwnClock(t time.Time) any { return ownClock(t) }

func optOwnClock(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ownClock(*t)
}

var dateScalar = graphql.NewScalar(graphql.ScalarConfig{
	Name:        "Date",
	Description: "A legal date, YYYY-MM-DD.",
	Serialize: func(v any) any {
		switch t := v.(type) {
		case time.Time:
			return t.Format(registry.DateLayout)
		case *time.Time:
			if t != nil {
				return t.Format(registry.DateLayout)
			}
		}
		return nil
	},
	ParseValue:   rawString,
	ParseLiteral: rawLiteral,
})

// enum builds a GraphQL enum whose values are the registry's stored spellings
// (processor -> PROCESSOR), each described by docs under that spelling. The
// values come from the registry's lists, so a value added there appears here
// at once, and TestEverythingIsDescribed names it until docs describe it.
func enum(name, desc string, values []string, docs map[string]string) *graphql.Enum {
	vals := graphql.EnumValueConfigMap{}
	for _, v := range values {
		vals[strings.ToUpper(v)] = &graphql.EnumValueConfig{Value: v, Description: docs[v]}
	}
	return graphql.NewEnum(graphql.EnumConfig{Name: name, Description: desc, Values: vals})
}

// describedEnum is enum with a description for every value; a value the
// registry adds without one fails at start rather than reaching the schema
// undocumented.
func describedEnum(name, desc string, values []string, about map[string]string) *graphql.Enum {
	vals := graphql.EnumValueConfigMap{}
	for _, v := range values {
		d, ok := about[v]
		if !ok || d == "" {
			panic(fmt.Sprintf("schema: enum %s: value %s has no description", name, v))
		}
		vals[strings.ToUpper(v)] = &graphql.EnumValueConfig{Value: v, Description: d}
	}
	return graphql.NewEnum(graphql.EnumConfig{Name: name, Description: desc, Values: vals})
}

// withDoc is docs with one more value described.
func withDoc(docs map[string]string, value, doc string) map[string]string {
	out := map[string]string{value: doc}
	for k, v := range docs {
		out[k] = v
	}
	return out
}
