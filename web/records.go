package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/records"
	"github.com/kedja/kedja/registry"
)

// The records page (issue 17): a controller's or processor's record of
// processing (GDPR Art. 30) generated from the chain at an instant,
// printable, with its CSV and XLSX downloads; and the chain table's
// change-notice column.

type recordsView struct {
	Query     string
	Found     []registry.Organisation
	Kind      string // controller or processor
	Party     *registry.Organisation
	At        string
	AtQuery   string
	Record    *registry.Record
	Downloads []recordDownload
}

type recordDownload struct{ Format, URL string }

// recordKind reads ?kind=, controller unless processor.
func recordKind(q *request) (string, error) {
	switch k := q.r.URL.Query().Get("kind"); k {
	case "", "controller":
		return "controller", nil
	case "processor":
		return "processor", nil
	default:
		return "", registry.Invalid("kind", "must be controller or processor")
	}
}

// record loads the record the URL asks for: ?controller= (or ?processor=
// with kind=processor) at ?at=.
func (h *Handler) record(q *request, kind string, party int64, at time.Time) (registry.Record, error) {
	q.notes.Affected = []string{"organisation:" + strconv.FormatInt(party, 10)}
	if kind == "processor" {
		return h.svc.Basis.ProcessorRecord(q.ctx(), party, at)
	}
	return h.svc.Basis.ControllerRecord(q.ctx(), party, at)
}

// records shows a generated record of processing: a search for the party,
// then the record at the instant in the URL, ready to print.
func (h *Handler) records(q *request) error {
	qs := q.r.URL.Query()
	at, atText, err := h.instant(q)
	if err != nil {
		return err
	}
	kind, err := recordKind(q)
	if err != nil {
		return err
	}
	v := recordsView{Query: strings.TrimSpace(qs.Get("q")), Kind: kind, At: atText}
	if v.Query != "" {
		name := v.Query
		if v.Found, _, err = h.svc.Organisations.ListOrganisations(q.ctx(), registry.OrganisationFilter{NameContains: &name}, registry.Page{First: 20}); err != nil {
			return err
		}
	}
	party, err := optionalID(kind, qs.Get(kind))
	if err != nil {
		return err
	}
	if party == nil {
		h.render(q, http.StatusOK, "records", v)
		return nil
	}
	rec, err := h.record(q, kind, *party, at)
	if err != nil {
		return err
	}
	org, err := h.svc.Organisations.Organisation(q.ctx(), kind, *party)
	if err != nil {
		return err
	}
	v.Party, v.Record = &org, &rec
	v.AtQuery = url.QueryEscape(at.Format(time.RFC3339))
	for _, f := range records.Formats {
		v.Downloads = append(v.Downloads, recordDownload{strings.ToUpper(f),
			"/records/export/" + strconv.FormatInt(*party, 10) + "." + f + "?kind=" + kind + "&at=" + v.AtQuery})
	}
	h.render(q, http.StatusOK, "records", v)
	return nil
}

// recordExport downloads the record as CSV or XLSX, through the session:
// what /records/{party}.csv|xlsx serves to a bearer token.
func (h *Handler) recordExport(q *request) error {
	file := q.r.PathValue("file")
	dot := strings.LastIndexByte(file, '.')
	if dot < 0 {
		return errNotFound
	}
	format := file[dot+1:]
	if format != "csv" && format != "xlsx" {
		return errNotFound
	}
	party, err := idOf(file[:dot])
	if err != nil {
		return err
	}
	kind, err := recordKind(q)
	if err != nil {
		return err
	}
	if q.r.URL.Query().Get("at") == "" {
		return registry.Invalid("at", "a record is as of an instant: give at")
	}
	at, _, err := h.instant(q)
	if err != nil {
		return err
	}
	rec, err := h.record(q, kind, party, at)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := records.Write(&buf, rec, format); err != nil {
		return err
	}
	q.w.Header().Set("Content-Type", records.ContentType(format))
	q.w.Header().Set("Content-Disposition", `attachment; filename="`+records.FileName(rec, format)+`"`)
	q.w.Write(buf.Bytes())
	return nil
}

// stepNotices says where the chain's controller stands on each step's
// link under its general authorisation (the API's ChainStep.changeNotice),
// for the chain table.
func (h *Handler) stepNotices(q *request, controller int64, steps []registry.Step, at time.Time) (map[int64]registry.NoticeStatus, error) {
	pl := make([]registry.Placement, 0, len(steps))
	for _, s := range steps {
		if !s.Cycle {
			pl = append(pl, registry.Placement{LinkID: s.LinkID, ControllerID: controller, Depth: s.Depth})
		}
	}
	st, err := h.svc.Basis.NoticeStatuses(q.ctx(), controller, pl, at)
	if err != nil {
		return nil, err
	}
	for id, s := range st {
		if s.Kind != "general" {
			delete(st, id)
		}
	}
	return st, nil
}

// NoticeState is the step's change-notice state key, "" where none applies.
func (s stepRow) NoticeState() string {
	if s.Notice == nil || s.Notice.State == nil {
		return ""
	}
	return *s.Notice.State
}
