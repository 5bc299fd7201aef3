package schema

import (
	"fmt"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

// auditFields adds the audit log to the query root.
func (t *types) auditFields(r *resolvers.Resolvers, query, mutation graphql.Fields) {
	inst := t.instant

	audit := graphql.NewObject(graphql.ObjectConfig{Name: "AuditEntry",
		Description: "One request as the audit log recorded it. Queries are kept as hashes; tokens and health data never.",
		Fields: graphql.Fields{
			"id":        field(nn(graphql.ID), "The entry's number; entries are numbered in the order they are recorded.", func(e registry.AuditEntry) any { return id(e.ID) }),
			"at":        field(nn(inst), "When the request was recorded, once answered.", func(e registry.AuditEntry) any { return e.At }),
			"principal": field(nn(graphql.String), "The token's name.", func(e registry.AuditEntry) any { return e.Principal }),
			"role":      field(nn(graphql.String), "The token's role, or none when no valid token was given.", func(e registry.AuditEntry) any { return e.Role }),
			"operation": field(nn(graphql.String), "The operation's name, or its kind and first field.", func(e registry.AuditEntry) any { return e.Operation }),
			"queryHash": field(nn(graphql.String), "SHA-256 of the query text.", func(e registry.AuditEntry) any { return e.QueryHash }),
			"affected":  field(list(graphql.String), "Objects written or traced, as kind:id.", func(e registry.AuditEntry) any { return []string(e.Affected) }),
			"caseRef":   field(graphql.String, "For traces: the access request's case.", func(e registry.AuditEntry) any { return optStr(e.CaseRef) }),
			"client":    field(nn(graphql.String), "The client's address.", func(e registry.AuditEntry) any { return e.Client }),
			"outcome":   field(nn(graphql.String), "ok, or the error codes.", func(e registry.AuditEntry) any { return e.Outcome }),
			"hash":      field(nn(graphql.String), "This row's link in the hash chain (hex).", func(e registry.AuditEntry) any { return fmt.Sprintf("%x", e.Hash) }),
		}})
	auditFilter := inputObject("AuditFilter", "Narrows the audit log; each field given must match exactly.", graphql.InputObjectConfigFieldMap{
		"principal": in(graphql.String, "Only requests made with the token of this name."),
		"operation": in(graphql.String, "Only requests with this operation, as the log records it."),
		"caseRef":   in(graphql.String, "Only requests that served this access request's case reference."),
		"since":     in(inst, "Only requests recorded at or after this instant."),
	})
	query["auditLog"] = &graphql.Field{Type: nn(t.connection(audit)), Description: "The audit log, newest first.",
		Args: graphql.FieldConfigArgument{
			"filter": {Type: auditFilter, Description: "Only entries that match every field given; without it, all."},
			"first":  {Type: graphql.Int, Description: "Page size, 1-500 (default 50)."},
			"after":  {Type: graphql.String, Description: "endCursor of the previous page."},
		},
		Resolve: r.AuditLog()}
}
