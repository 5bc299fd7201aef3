package server_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"
)

// countNow counts audit rows as they are, without waiting for the rows
// still queued: what was committed before the answer arrived.
func (h *harness) countNow(where string, args ...any) int {
	h.t.Helper()
	var n int
	if err := h.store.DB().QueryRow(`SELECT count(*) FROM audit_log WHERE `+where, args...).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

// The writes' rows, and the rows of answers that hold health data (a trace,
// a case's traces, a report, a notification draft), are committed before
// the answer leaves: each is in the log the moment the caller has its
// answer.
func TestAuditRowIsCommittedBeforeTheAnswer(t *testing.T) {
	h := newHarness(t, true)
	region := h.orgID("Region Värmland")
	trace := h.as("dsr").trace(region, "2017-03-11T02:00", "DSR-BEFORE")
	id := trace.TraceCall.ID
	var inc struct {
		Incidents struct{ Nodes []struct{ ID string } }
	}
	h.as("auditor").data(`{ incidents { nodes { id } } }`, nil, &inc)
	draft := fmt.Sprintf("/incidents/%s/notifications/%s.html?at=2019-02-22T12:00", inc.Incidents.Nodes[0].ID, h.orgID("Region Kalmar län"))

	tests := []struct {
		name  string
		role  string
		do    func(h *harness) int // the answer's status
		where string               // the row it must have committed
		args  []any
	}{
		{"CreateOrganisation", "editor", func(h *harness) int {
			return h.post(`mutation { createOrganisation(input: {legalName: "Before AB", country: "SE", kind: COMPANY}) { id } }`, nil).Status
		}, `operation = 'mutation createOrganisation' AND outcome = 'ok' AND affected[1] LIKE 'organisation:%'`, nil},
		{"TraceCall", "dsr", func(h *harness) int {
			h.trace(region, "2017-03-11T02:00", "DSR-BEFORE-2")
			return http.StatusOK
		}, `case_ref = 'DSR-BEFORE-2' AND affected[1] LIKE 'trace:%'`, nil},
		{"TraceByID", "dsr", func(h *harness) int {
			return h.post(`query($id: ID!) { trace(id: $id) { id } }`, map[string]any{"id": id}).Status
		}, `operation LIKE 'query trace%' AND affected = ARRAY[$1]`, []any{"trace:" + id}},
		{"TracesOfACase", "dsr", func(h *harness) int {
			return h.post(`{ traces(caseRef: "DSR-BEFORE") { nodes { id } } }`, nil).Status
		}, `operation LIKE 'query traces%' AND case_ref = 'DSR-BEFORE'`, nil},
		{"ReportJSON", "dsr", func(h *harness) int { return status(h.get("/traces/" + id + ".json")) },
			`operation = 'report json' AND outcome = 'ok' AND affected = ARRAY[$1]`, []any{"trace:" + id}},
		{"ReportHTML", "dsr", func(h *harness) int { return status(h.get("/traces/" + id + ".html")) },
			`operation = 'report html' AND outcome = 'ok' AND affected = ARRAY[$1]`, []any{"trace:" + id}},
		{"NotificationDraft", "auditor", func(h *harness) int { return status(h.get(draft)) },
			`operation = 'notification draft' AND outcome = 'ok'`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := h.with(t).as(tt.role)
			before := h.countNow(tt.where, tt.args...)
			if got := tt.do(h); got != http.StatusOK {
				t.Fatalf("status %d", got)
			}
			if after := h.countNow(tt.where, tt.args...); after != before+1 {
				t.Errorf("%d rows committed when the answer came, want 1", after-before)
			}
		})
	}
	// A mutation that succeeded needs no second row: its write's says it all.
	if n := h.count(`SELECT count(*) FROM audit_log WHERE operation = 'mutation createOrganisation'`); n != 1 {
		t.Errorf("%d rows for one createOrganisation, want 1", n)
	}
}

func status(resp *http.Response) int {
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// A flood of requests without a token stores one row per address and
// reason (the rest are counted, for a summary row each minute), not a row
// each; requests with a token are each recorded.
func TestAnonymousFloodIsSampled(t *testing.T) {
	h := newHarness(t, false)
	codes := map[string]bool{}
	const flood = 200
	for i := 0; i < flood; i++ {
		codes[h.as("").post(`{ checks { id } }`, nil).code()] = true
	}
	for i := 0; i < 5; i++ {
		h.as("dsr").post(`{ checks { id } }`, nil)
	}
	if n := h.count(`SELECT count(*) FROM audit_log WHERE principal = 'anonymous' AND operation <> 'refusals'`); n != len(codes) {
		t.Errorf("%d audit rows for %d anonymous refusals (codes %v); want one per code", n, flood, codes)
	}
	if n := h.count(`SELECT count(*) FROM audit_log WHERE role = 'dsr' AND outcome = 'FORBIDDEN'`); n != 5 {
		t.Errorf("%d audit rows for 5 refused requests with a token, want 5", n)
	}
}
