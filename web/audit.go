package web

import (
	"iter"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/registry"
)

const auditPageSize = 50

type auditView struct {
	// The filter as given.
	Principal, Operation, CaseRef, Since, Until string
	Zone                                        string
	Rows                                        []registry.AuditEntry
	Next                                        string
	// Verified is set when the reader asked for a verification; Report is
	// what it found, or Failed says it could not run (the log says why).
	Verified, Failed bool
	Report           registry.AuditReport
	Checkpoints      bool
	VerifyURL        string
}

// auditLog lists the audit log as Query.auditLog does (the same service and
// rule), newest first, filtered by principal, operation, case reference and
// time; and, when asked, verifies the whole chain as kedja audit verify
// does. Verification reads every row, so it runs on request rather than on
// each page of the list.
func (h *Handler) auditLog(q *request) error {
	qs := q.r.URL.Query()
	v := auditView{Principal: strings.TrimSpace(qs.Get("principal")), Operation: strings.TrimSpace(qs.Get("operation")),
		CaseRef: strings.TrimSpace(qs.Get("case")), Zone: h.cfg.Resolvers.Location.String(),
		Checkpoints: h.cfg.AuditCheckpoints != ""}
	var f registry.AuditFilter
	if v.Principal != "" {
		f.Principal = &v.Principal
	}
	if v.Operation != "" {
		f.Operation = &v.Operation
	}
	if v.CaseRef != "" {
		f.CaseRef = &v.CaseRef
		q.notes.CaseRef = v.CaseRef
	}
	for _, b := range []struct {
		field string
		text  *string
		into  **time.Time
	}{{"since", &v.Since, &f.Since}, {"until", &v.Until, &f.Until}} {
		s := strings.TrimSpace(qs.Get(b.field))
		if s == "" {
			continue
		}
		t, err := registry.ParseInstant(b.field, s, h.cfg.Resolvers.Location)
		if err != nil {
			return err
		}
		*b.text, *b.into = t.In(h.cfg.Resolvers.Location).Format("2006-01-02T15:04"), &t
	}
	after, err := optionalID("after", qs.Get("after"))
	if err != nil {
		return err
	}
	pg := registry.Page{First: auditPageSize}
	if after != nil {
		pg.After = *after
	}
	rows, more, err := h.svc.Audit.ListAudit(q.ctx(), f, pg)
	if err != nil {
		return err
	}
	v.Rows = rows
	if more && len(rows) > 0 {
		next := q.r.URL.Query()
		next.Set("after", strconv.FormatInt(rows[len(rows)-1].ID, 10))
		v.Next = "/audit?" + next.Encode()
	}
	verify := q.r.URL.Query()
	verify.Set("verify", "1")
	verify.Del("after")
	v.VerifyURL = "/audit?" + verify.Encode()
	if qs.Get("verify") != "" {
		v.Verified = true
		var cps iter.Seq2[registry.AuditCheckpoint, error]
		if h.cfg.AuditCheckpoints != "" {
			cps = access.ReadCheckpoints(h.cfg.AuditCheckpoints)
		}
		if v.Report, err = h.svc.Audit.VerifyAudit(q.ctx(), cps); err != nil {
			h.cfg.Log.Error("web: verify audit", "err", err)
			v.Failed = true
		}
	}
	h.render(q, http.StatusOK, "audit", v)
	return nil
}

// Intact says the verification found no problem.
func (v auditView) Intact() bool { return len(v.Report.Problems) == 0 && v.Report.Unlisted == 0 }
