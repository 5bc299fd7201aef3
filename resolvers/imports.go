package resolvers

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/listfile"
	"github.com/kedja/kedja/registry"
)

// ImportSvc is the import service, for the generic resolvers.
var ImportSvc Service[registry.ImportService] = func(s registry.Services) registry.ImportService { return s.Imports }

// Import resolves import(id).
func (r *Resolvers) Import() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		id, err := idArg(p, "id")
		if err != nil {
			return nil, err
		}
		return r.Services.Imports.Import(p.Context, id)
	})
}

// Imports resolves imports(supplierId, status, first, after), newest first.
func (r *Resolvers) Imports() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		pg, err := page(p)
		if err != nil {
			return nil, err
		}
		var f registry.ImportFilter
		if _, ok := p.Args["supplierId"]; ok {
			id, err := idArg(p, "supplierId")
			if err != nil {
				return nil, err
			}
			f.SupplierID = &id
		}
		if s, ok := p.Args["status"].(string); ok {
			f.Status = &s
		}
		rows, more, err := r.Services.Imports.ListImports(p.Context, f, pg)
		return connection(rows, more, func(i *registry.Import) int64 { return i.ID }), err
	})
}

// ImportSubprocessorList resolves importSubprocessorList: the file (text,
// or base64 for XLSX) is parsed, matched and stored as a dry run; with
// dryRun false it is then approved at once, which succeeds only when no
// match is doubtful.
func (r *Resolvers) ImportSubprocessorList() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		supplier, err := idArg(p, "supplierId")
		if err != nil {
			return nil, err
		}
		var controllerLink *int64
		if _, ok := p.Args["controllerLinkId"]; ok {
			id, err := idArg(p, "controllerLinkId")
			if err != nil {
				return nil, err
			}
			controllerLink = &id
		}
		date, _ := p.Args["effectiveDate"].(string)
		effective, err := registry.ParseDate("effectiveDate", date)
		if err != nil {
			return nil, err
		}
		name, _ := p.Args["fileName"].(string)
		format, _ := p.Args["format"].(string)
		text, _ := p.Args["content"].(string)
		if format == "" {
			format = listfile.FormatOf(name)
		}
		content := []byte(text)
		if format == "xlsx" {
			if content, err = base64.StdEncoding.DecodeString(strings.TrimSpace(text)); err != nil {
				return nil, registry.Invalid("content", "an XLSX file is sent as base64")
			}
		}
		req, err := listfile.Request(supplier, controllerLink, effective, name, format, content)
		if err != nil {
			return nil, rowsError(err)
		}
		imp, err := r.Services.Imports.DryRunImport(p.Context, actor(p.Context), req)
		if err != nil {
			return nil, rowsError(err)
		}
		access.Note(p.Context, "import:"+strconv.FormatInt(imp.ID, 10), "")
		if dry, ok := p.Args["dryRun"].(bool); ok && !dry {
			imp, err = r.Services.Imports.ApproveImport(p.Context, actor(p.Context), imp.ID, nil)
			if err != nil {
				return nil, rowsError(err)
			}
		}
		return imp, nil
	})
}

// rowsError makes a list's bad rows one INVALID_INPUT error on content,
// each row by line and column.
func rowsError(err error) error {
	var rows *registry.ImportRowsError
	if errors.As(err, &rows) {
		return registry.Invalid("content", "%s", rows.Error())
	}
	return err
}

// ApproveImport resolves approveImport(id, decisions).
func (r *Resolvers) ApproveImport() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		id, err := idArg(p, "id")
		if err != nil {
			return nil, err
		}
		var decisions []registry.MatchDecision
		list, _ := p.Args["decisions"].([]any)
		for i, v := range list {
			m, _ := v.(map[string]any)
			line, _ := m["line"].(int)
			d := registry.MatchDecision{Line: line}
			if raw, ok := m["partyId"]; ok && raw != nil {
				if d.PartyID, err = parseID("decisions["+strconv.Itoa(i)+"].partyId", raw); err != nil {
					return nil, err
				}
			}
			decisions = append(decisions, d)
		}
		imp, err := r.Services.Imports.ApproveImport(p.Context, actor(p.Context), id, decisions)
		if err == nil {
			access.Note(p.Context, "import:"+strconv.FormatInt(id, 10), "")
		}
		return imp, rowsError(err)
	})
}

// RejectImport resolves rejectImport(id, reason).
func (r *Resolvers) RejectImport() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		id, err := idArg(p, "id")
		if err != nil {
			return nil, err
		}
		reason, _ := p.Args["reason"].(string)
		imp, err := r.Services.Imports.RejectImport(p.Context, actor(p.Context), id, reason)
		if err == nil {
			access.Note(p.Context, "import:"+strconv.FormatInt(id, 10), "")
		}
		return imp, err
	})
}

// ImportRows resolves an import's rows(first): the list as read, its
// first rows only unless asked for more.
func (r *Resolvers) ImportRows() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		rows := p.Source.(registry.Import).Rows
		n := 100
		if v, ok := p.Args["first"].(int); ok {
			if v < 0 {
				return nil, registry.Invalid("first", "must not be negative")
			}
			n = v
		}
		if n < len(rows) {
			rows = rows[:n]
		}
		return rows, nil
	})
}
