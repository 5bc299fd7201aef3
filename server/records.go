package server

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/records"
	"github.com/kedja/kedja/registry"
)

// recordFile serves /records/{party}.{csv,xlsx}?at=INSTANT[&kind=processor]:
// the Art. 30 record generated from the chain (the record query's answer)
// as a download, under the rule of that query and audited with the party
// it concerns. at is required: a record is always as of an instant.
func (s *Server) recordFile(w http.ResponseWriter, r *http.Request) {
	rule := "Query.record"
	kind := r.URL.Query().Get("kind")
	if kind == "processor" {
		rule = "Query.processorRecord"
	}
	p, ok := s.authorize(w, r, access.RootRules[rule])
	if !ok {
		return
	}
	op := "record download"
	file := r.PathValue("file")
	notes := &access.AuditNotes{}
	dot := strings.LastIndexByte(file, '.')
	if dot < 0 || (kind != "" && kind != "controller" && kind != "processor") {
		s.audit(r, p, op, "", "NOT_FOUND", notes)
		http.NotFound(w, r)
		return
	}
	format := file[dot+1:]
	id, err := strconv.ParseInt(file[:dot], 10, 64)
	if err != nil || (format != "csv" && format != "xlsx") {
		s.audit(r, p, op, "", "NOT_FOUND", notes)
		http.NotFound(w, r)
		return
	}
	notes.Affected = []string{"organisation:" + strconv.FormatInt(id, 10)}
	at, err := registry.ParseInstant("at", r.URL.Query().Get("at"), s.res.Location)
	if err != nil {
		s.audit(r, p, op, "", "INVALID_INPUT", notes)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var rec registry.Record
	if kind == "processor" {
		rec, err = s.res.Services.Basis.ProcessorRecord(r.Context(), id, at)
	} else {
		rec, err = s.res.Services.Basis.ControllerRecord(r.Context(), id, at)
	}
	if err != nil {
		s.lookupFailed(w, r, p, op, notes, "record download", err)
		return
	}
	var buf bytes.Buffer
	if err := records.Write(&buf, rec, format); err != nil {
		s.log.Error("record download: write", "err", err)
		s.audit(r, p, op, "", "INTERNAL", notes)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	// Committed before the file leaves, as for reports: a record names
	// who holds health data.
	if !s.auditNow(r, p, op, "", "ok", notes) {
		s.unrecorded(w)
		return
	}
	w.Header().Set("Content-Type", records.ContentType(format))
	w.Header().Set("Content-Disposition", `attachment; filename="`+records.FileName(rec, format)+`"`)
	w.Write(buf.Bytes())
}
