package schema

import (
	"strconv"
	"time"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

// field is a plain field read from the source value with get.
func field[S any](t graphql.Output, desc string, get func(S) any) *graphql.Field {
	return &graphql.Field{Type: t, Description: desc, Resolve: func(p graphql.ResolveParams) (any, error) {
		// Optional relations (a standing's adequacy decision) arrive as
		// pointers; a failed assertion would show a Go panic to the caller.
		if ptr, ok := p.Source.(*S); ok {
			if ptr == nil {
				return nil, nil
			}
			return get(*ptr), nil
		}
		return get(p.Source.(S)), nil
	}}
}

func id(n int64) any { return strconv.FormatInt(n, 10) }

func optID(n *int64) *int64 { return n }

func optStr(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// nonEmpty is s, or null when s is empty.
func nonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func optTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

func atArgOf(t graphql.Input, desc string) graphql.FieldConfigArgument {
	return graphql.FieldConfigArgument{"at": &graphql.ArgumentConfig{Type: t, Description: desc}}
}

// zeroNull is t, or null when t is the zero time.
func zeroNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func optBool(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

func optInt(n *int32) any {
	if n == nil {
		return nil
	}
	return int(*n)
}

// nn is a non-null type; list, a non-null list of non-null elements.
func nn(t graphql.Type) *graphql.NonNull { return graphql.NewNonNull(t) }

func list(o graphql.Type) graphql.Output { return nn(graphql.NewList(nn(o))) }

// types holds the schema's object types, built once, and the resolvers
// their fields are wired to.
type types struct {
	r                                                               *resolvers.Resolvers
	instant                                                         *graphql.Scalar
	org, system, profile, location, link, finding, use, move, att   *graphql.Object
	country, standing, eea, adequacy, change, routing, window, info *graphql.Object
	compliance, policy, incident                                    *graphql.Object
	basis                                                           *basisTypes
	accessPath, sysRelation                                         *graphql.Object
	hygiene                                                         *hygieneTypes
	condition                                                       *graphql.Object // schema/conditions.go
	notices                                                         *noticeTypes    // schema/notices.go
}

// periodFields adds validFrom and validTo, read with from, to fs.
func (t *types) periodFields(fs graphql.Fields, from func(any) registry.Period) graphql.Fields {
	fs["validFrom"] = &graphql.Field{Type: graphql.NewNonNull(t.instant), Description: "Start of the period (inclusive).",
		Resolve: func(p graphql.ResolveParams) (any, error) { return from(p.Source).From, nil }}
	fs["validTo"] = &graphql.Field{Type: t.instant, Description: "End of the period (exclusive); null while it lasts.",
		Resolve: func(p graphql.ResolveParams) (any, error) { return optTime(from(p.Source).To), nil }}
	return fs
}

// newTypes starts the schema's types with those every part uses: Instant,
// Change (a record's history) and PageInfo. Each part adds its own.
func newTypes(r *resolvers.Resolvers) *types {
	t := &types{r: r, instant: newInstant(r.Location)}
	t.change = graphql.NewObject(graphql.ObjectConfig{Name: "Change", Description: "One recorded change of a registry record.",
		Fields: graphql.Fields{
			"op":        field(nn(graphql.String), "insert or update.", func(c registry.Change) any { return c.Op }),
			"actor":     field(nn(graphql.String), "Who made the change.", func(c registry.Change) any { return c.Actor }),
			"changedAt": field(nn(t.instant), "When.", func(c registry.Change) any { return c.ChangedAt }),
			"record":    field(nn(graphql.String), "The record as it became, as JSON.", func(c registry.Change) any { return string(c.RowData) }),
		}})
	t.info = graphql.NewObject(graphql.ObjectConfig{Name: "PageInfo",
		Description: "Where a page of a list stands: whether more records follow, and the cursor to ask for them.", Fields: graphql.Fields{
			"hasNextPage": field(nn(graphql.Boolean), "Whether more records follow this page.", func(c resolvers.Connection) any { return c.HasNextPage }),
			"endCursor":   field(graphql.String, "Pass as after to get the next page.", func(c resolvers.Connection) any { return optStr(c.EndCursor) }),
		}})
	return t
}

// instantArg is the optional at argument of a field.
func (t *types) instantArg(desc string) graphql.FieldConfigArgument { return atArgOf(t.instant, desc) }

// history is a record's history field: every recorded change of the row of
// table the key names.
func (t *types) history(table string, key func(any) int64) *graphql.Field {
	return &graphql.Field{Type: graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(t.change))),
		Description: "Every recorded change of this record, oldest first: when, by whom, and the record as it became.",
		Resolve:     resolvers.History(t.r, table, key)}
}

// connection is the page type of a list of node.
func (t *types) connection(node *graphql.Object) *graphql.Object {
	return graphql.NewObject(graphql.ObjectConfig{Name: node.Name() + "Connection",
		Description: "One page of a list of " + node.Name() + " records; pass pageInfo.endCursor as after for the next.", Fields: graphql.Fields{
			"nodes":    field(graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(node))), "The records on this page, in the list's order.", func(c resolvers.Connection) any { return c.Nodes }),
			"pageInfo": field(graphql.NewNonNull(t.info), "Whether more records follow, and the cursor to ask for them.", func(c resolvers.Connection) any { return c }),
		}})
}
