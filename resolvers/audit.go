package resolvers

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
)

// AuditLog resolves auditLog(filter, first, after), newest first.
func (r *Resolvers) AuditLog() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		pg, err := page(p)
		if err != nil {
			return nil, err
		}
		var f registry.AuditFilter
		in := r.filterOf(p)
		in.optStr("principal", &f.Principal)
		in.optStr("operation", &f.Operation)
		in.optStr("caseRef", &f.CaseRef)
		in.optInstant("since", &f.Since)
		if err := in.finish(); err != nil {
			return nil, err
		}
		rows, more, err := r.Services.Audit.ListAudit(p.Context, f, pg)
		return connection(rows, more, func(e *registry.AuditEntry) int64 { return e.ID }), err
	})
}
