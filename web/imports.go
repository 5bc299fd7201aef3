package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/listfile"
	"github.com/kedja/kedja/registry"
)

// maxUpload bounds an uploaded list (the multipart body whole).
const maxUpload = 32 << 20

// limitUpload bounds the body of a list's upload before the page reads its
// form (the form token included).
func limitUpload(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
		next.ServeHTTP(w, r)
	})
}

// importsView is the imports page: the upload form and the stored imports.
type importsView struct {
	Suppliers []registry.Organisation
	Supplier  int64
	Effective string
	Errors    map[string]string
	BadRows   []registry.RowError
	Imports   []importLine
}

type importLine struct {
	registry.Import
	SupplierName string
}

func (h *Handler) imports(q *request) error {
	return h.showImports(q, http.StatusOK, importsView{Effective: h.cfg.Resolvers.Now().In(h.cfg.Resolvers.Location).Format(registry.DateLayout)})
}

func (h *Handler) showImports(q *request, status int, v importsView) error {
	if v.Errors == nil {
		v.Errors = map[string]string{}
	}
	if q.p.May(access.PageRules["imports.run"]) {
		kind := "company"
		list, _, err := h.svc.Organisations.ListOrganisations(q.ctx(), registry.OrganisationFilter{Kind: &kind}, registry.Page{First: 500})
		if err != nil {
			return err
		}
		v.Suppliers = list
	}
	list, _, err := h.svc.Imports.ListImports(q.ctx(), registry.ImportFilter{}, registry.Page{First: 50})
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(list))
	for _, i := range list {
		ids = append(ids, i.SupplierID)
	}
	names, err := h.svc.Organisations.Organisations(q.ctx(), ids)
	if err != nil {
		return err
	}
	for _, i := range list {
		v.Imports = append(v.Imports, importLine{Import: i, SupplierName: names[i.SupplierID].LegalName})
	}
	h.render(q, status, "imports", v)
	return nil
}

// upload reads a list from a multipart form, stores its dry run and shows
// it; bad rows are shown by line and column on the form.
func (h *Handler) upload(q *request) error {
	v := importsView{Effective: q.r.PostFormValue("effectiveDate"), Errors: map[string]string{}}
	supplier, err := strconv.ParseInt(q.r.PostFormValue("supplier"), 10, 64)
	if err != nil || supplier <= 0 {
		v.Errors["supplier"] = "chooseSupplier"
	}
	v.Supplier = supplier
	effective, err := registry.ParseDate("effectiveDate", v.Effective)
	if err != nil {
		v.Errors["effectiveDate"] = "giveDate"
	}
	var name string
	var content []byte
	file, hdr, err := q.r.FormFile("file")
	switch {
	case err != nil:
		v.Errors["file"] = "chooseFile"
	default:
		defer file.Close()
		name = hdr.Filename
		if content, err = io.ReadAll(file); err != nil {
			return err
		}
	}
	if len(v.Errors) == 0 {
		req, err := listfile.Request(supplier, nil, effective, name, "", content)
		if err == nil {
			var imp registry.Import
			imp, err = h.svc.Imports.DryRunImport(q.ctx(), q.p.Name, req)
			if err == nil {
				q.notes.Affected = []string{"import:" + strconv.FormatInt(imp.ID, 10)}
				http.Redirect(q.w, q.r, "/imports/"+strconv.FormatInt(imp.ID, 10), http.StatusSeeOther)
				return nil
			}
		}
		var rows *registry.ImportRowsError
		var e *registry.Error
		switch {
		case errors.As(err, &rows):
			v.BadRows = rows.Rows
			v.Errors["file"] = "badRows"
		case errors.As(err, &e) && (e.Code == registry.EInvalid || e.Code == registry.ENotFound):
			field := map[string]string{"supplierId": "supplier", "effectiveDate": "effectiveDate"}[e.Field]
			if field == "" {
				field = "file"
			}
			v.Errors[field] = e.Message
		default:
			return err
		}
	}
	h.audit(q, "INVALID_INPUT")
	return h.showImports(q, http.StatusUnprocessableEntity, v)
}

// importView is one import's page: its dry run, its doubtful rows to
// decide, and the forms that approve or reject it.
type importView struct {
	registry.Import
	SupplierName string
	Error        string
	Reason       string
}

func (h *Handler) importPage(q *request) error {
	return h.showImport(q, http.StatusOK, importView{})
}

func (h *Handler) showImport(q *request, status int, v importView) error {
	id, err := strconv.ParseInt(q.r.PathValue("id"), 10, 64)
	if err != nil {
		return errNotFound
	}
	imp, err := h.svc.Imports.Import(q.ctx(), id)
	if err != nil {
		return err
	}
	sup, err := h.svc.Organisations.Organisation(q.ctx(), "id", imp.SupplierID)
	if err != nil {
		return err
	}
	v.Import, v.SupplierName = imp, sup.LegalName
	q.notes.Affected = append(q.notes.Affected, "import:"+strconv.FormatInt(id, 10))
	h.render(q, status, "import", v)
	return nil
}

// decide approves or rejects an import (which: approve, reject).
func (h *Handler) decide(which string) func(q *request) error {
	return func(q *request) error {
		id, err := strconv.ParseInt(q.r.PathValue("id"), 10, 64)
		if err != nil {
			return errNotFound
		}
		if which == "approve" {
			var decisions []registry.MatchDecision
			for key, vals := range q.r.PostForm {
				line, ok := strings.CutPrefix(key, "line-")
				if !ok || len(vals) == 0 {
					continue
				}
				l, err1 := strconv.Atoi(line)
				p, err2 := strconv.ParseInt(vals[0], 10, 64)
				if err1 != nil || err2 != nil {
					return registry.Invalid("decisions", "not a decision")
				}
				decisions = append(decisions, registry.MatchDecision{Line: l, PartyID: p})
			}
			_, err = h.svc.Imports.ApproveImport(q.ctx(), q.p.Name, id, decisions)
		} else {
			_, err = h.svc.Imports.RejectImport(q.ctx(), q.p.Name, id, q.r.PostFormValue("reason"))
		}
		if err == nil {
			q.notes.Affected = []string{"import:" + strconv.FormatInt(id, 10)}
			http.Redirect(q.w, q.r, "/imports/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
			return nil
		}
		var rows *registry.ImportRowsError
		e := registry.AsError(err)
		msg := ""
		switch {
		case errors.As(err, &rows):
			msg = rows.Error()
		case e != nil && e.Code != registry.ENotFound:
			msg = e.Message
		default:
			return err
		}
		h.audit(q, string(registry.ErrorCode(err)))
		return h.showImport(q, http.StatusUnprocessableEntity, importView{Error: msg, Reason: q.r.PostFormValue("reason")})
	}
}
