package schema

// SDL prints a schema as GraphQL schema definition language, deterministically.

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/resolvers"
)

// Printed is kedja's schema as SDL: what schema.graphql holds. The schema's
// shape does not depend on the store, the clock or the time zone (they are
// used only when a field resolves), so it is built over resolvers without
// them and needs no database.
func Printed() (string, error) {
	s, err := New(&resolvers.Resolvers{Location: time.UTC})
	if err != nil {
		return "", err
	}
	return SDL(s), nil
}

// builtin are the types every GraphQL schema has; the SDL leaves them out,
// as the spec's own printers do.
var builtin = map[string]bool{"String": true, "Int": true, "Float": true, "Boolean": true, "ID": true}

// SDL writes s as schema definition language: the schema's root types, then
// every type, and within each its fields, arguments, input fields and enum
// values, all sorted by name, so the same schema always prints the same
// text (graphql-go keeps them in maps, whose order changes on every start).
// Descriptions are block strings; deprecations are @deprecated directives.
// GraphQL's own types (__Schema, String, ...) and directives are left out.
func SDL(s graphql.Schema) string {
	var b strings.Builder
	b.WriteString("schema {\n")
	for _, root := range []struct {
		op string
		t  *graphql.Object
	}{{"query", s.QueryType()}, {"mutation", s.MutationType()}, {"subscription", s.SubscriptionType()}} {
		if root.t != nil {
			fmt.Fprintf(&b, "  %s: %s\n", root.op, root.t.Name())
		}
	}
	b.WriteString("}\n")

	types := s.TypeMap()
	names := make([]string, 0, len(types))
	for name := range types {
		if !strings.HasPrefix(name, "__") && !builtin[name] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		b.WriteString("\n")
		switch t := types[name].(type) {
		case *graphql.Scalar:
			description(&b, "", t.Description())
			fmt.Fprintf(&b, "scalar %s\n", name)
		case *graphql.Enum:
			description(&b, "", t.Description())
			fmt.Fprintf(&b, "enum %s {\n", name)
			values := append([]*graphql.EnumValueDefinition(nil), t.Values()...)
			sort.Slice(values, func(i, j int) bool { return values[i].Name < values[j].Name })
			for _, v := range values {
				description(&b, "  ", v.Description)
				fmt.Fprintf(&b, "  %s%s\n", v.Name, deprecated(v.DeprecationReason))
			}
			b.WriteString("}\n")
		case *graphql.InputObject:
			description(&b, "", t.Description())
			fmt.Fprintf(&b, "input %s {\n", name)
			fields := t.Fields()
			for _, fname := range sortedKeys(fields) {
				f := fields[fname]
				description(&b, "  ", f.Description())
				fmt.Fprintf(&b, "  %s: %s%s\n", fname, f.Type, defaultValue(f.DefaultValue))
			}
			b.WriteString("}\n")
		case *graphql.Object:
			description(&b, "", t.Description())
			fmt.Fprintf(&b, "type %s%s {\n", name, implements(t.Interfaces()))
			fieldLines(&b, t.Fields())
			b.WriteString("}\n")
		case *graphql.Interface:
			description(&b, "", t.Description())
			fmt.Fprintf(&b, "interface %s {\n", name)
			fieldLines(&b, t.Fields())
			b.WriteString("}\n")
		case *graphql.Union:
			description(&b, "", t.Description())
			members := make([]string, 0, len(t.Types()))
			for _, m := range t.Types() {
				members = append(members, m.Name())
			}
			sort.Strings(members)
			fmt.Fprintf(&b, "union %s = %s\n", name, strings.Join(members, " | "))
		default:
			// A kind the printer does not know would silently drop out of
			// the committed file, and with it out of the comparison.
			panic(fmt.Sprintf("schema: SDL cannot print %s (%T)", name, t))
		}
	}
	return b.String()
}

// arguments prints a field's arguments sorted by name: one per line, each
// under its description.
func arguments(args []*graphql.Argument) string {
	if len(args) == 0 {
		return ""
	}
	sorted := append([]*graphql.Argument(nil), args...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name() < sorted[j].Name() })
	var b strings.Builder
	b.WriteString("(\n")
	for _, a := range sorted {
		description(&b, "    ", a.Description())
		fmt.Fprintf(&b, "    %s: %s%s\n", a.Name(), a.Type, defaultValue(a.DefaultValue))
	}
	b.WriteString("  )")
	return b.String()
}

func implements(ifaces []*graphql.Interface) string {
	if len(ifaces) == 0 {
		return ""
	}
	names := make([]string, len(ifaces))
	for i, t := range ifaces {
		names[i] = t.Name()
	}
	sort.Strings(names)
	return " implements " + strings.Join(names, " & ")
}

// description writes desc as a block string at indent; nothing if empty.
// One line stays on one line; a text that ends in a quote or backslash, or
// has several lines, opens and closes on lines of their own so that the
// closing quotes cannot merge with it.
func description(b *strings.Builder, indent, desc string) {
	if desc == "" {
		return
	}
	text := strings.ReplaceAll(desc, `"""`, `\"""`)
	if !strings.Contains(text, "\n") && !strings.HasSuffix(text, `"`) && !strings.HasSuffix(text, `\`) {
		fmt.Fprintf(b, "%s\"\"\"%s\"\"\"\n", indent, text)
		return
	}
	fmt.Fprintf(b, "%s\"\"\"\n", indent)
	for _, line := range strings.Split(text, "\n") {
		if line == "" {
			b.WriteString("\n")
			continue
		}
		fmt.Fprintf(b, "%s%s\n", indent, line)
	}
	fmt.Fprintf(b, "%s\"\"\"\n", indent)
}

func deprecated(reason string) string {
	switch reason {
	case "":
		return ""
	case graphql.DefaultDeprecationReason:
		return " @deprecated"
	}
	return fmt.Sprintf(" @deprecated(reason: %s)", quote(reason))
}

// defaultValue prints a default as a GraphQL literal. kedja's defaults are
// strings, numbers and booleans, whose JSON is also their GraphQL literal.
func defaultValue(v any) string {
	if v == nil {
		return ""
	}
	return " = " + literal(v)
}

func quote(s string) string { return literal(s) }

// literal is v as JSON, without HTML escapes (a < stays a <).
func literal(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("schema: SDL cannot print %#v: %v", v, err))
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// fieldLines prints an object's or an interface's fields, sorted by name.
func fieldLines(b *strings.Builder, fields graphql.FieldDefinitionMap) {
	for _, fname := range sortedKeys(fields) {
		f := fields[fname]
		description(b, "  ", f.Description)
		fmt.Fprintf(b, "  %s%s: %s%s\n", fname, arguments(f.Args), f.Type, deprecated(f.DeprecationReason))
	}
}
