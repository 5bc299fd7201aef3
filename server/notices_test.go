package server_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// A change notice through the API: a region's processor, under the
// region's general authorisation with 30 days' notice, engages a
// sub-processor; the notice opens the region's objection window, which
// the chain shows on the step; the region objects, which the chain and
// the checks show. Editors write, auditors read, the dsr role sees none of
// it, and every write is audited.
func TestChangeNoticesThroughTheAPI(t *testing.T) {
	h := newHarness(t, false)
	id, org := h.created, h.organisation
	region, provider, sub := org("Region Invändning", "REGION"), org("Svarsdrift AB", "COMPANY"), org("Molnlager AB", "COMPANY")
	toProvider := id(`mutation($f: ID!, $t: ID!) { l: createLink(input: {fromId: $f, toId: $t, role: PROCESSOR, purpose: "Answers the region's calls",
		healthData: true, agreementRef: "DPA-9", authorisation: GENERAL, authorisingControllerId: $f, validFrom: "2020-01-01"}) { id } }`,
		map[string]any{"f": region, "t": provider})
	toSub := id(`mutation($f: ID!, $t: ID!) { l: createLink(input: {fromId: $f, toId: $t, role: SUB_PROCESSOR, purpose: "Stores the recordings",
		healthData: true, agreementRef: "SUB-3", validFrom: "2021-03-01"}) { id } }`, map[string]any{"f": provider, "t": sub})
	id(`mutation($l: ID!) { p: setNoticePeriod(input: {linkId: $l, days: 30, clause: "12.3", validFrom: "2020-01-01"}) { id } }`, map[string]any{"l": toProvider})
	notice := id(`mutation($l: ID!) { n: createChangeNotice(input: {linkId: $l, kind: NEW, sentAt: "2021-02-20T09:00", effectiveAt: "2021-03-01"}) { id } }`,
		map[string]any{"l": toSub})

	type step struct {
		To           struct{ LegalName string }
		ChangeNotice *struct {
			State, Deadline string
			Response        *string
			Reason          *string
			Notice          *struct{ ID string }
		}
	}
	chain := func(at string) map[string]step {
		t.Helper()
		var out struct{ Chain struct{ Steps []step } }
		h.as("auditor").data(`query($c: ID!, $at: Instant!) { chain(controller: $c, at: $at) { steps { to { legalName }
			changeNotice { state deadline response reason notice { id } } } } }`, map[string]any{"c": region, "at": at}, &out)
		m := map[string]step{}
		for _, s := range out.Chain.Steps {
			m[s.To.LegalName] = s
		}
		return m
	}
	steps := chain("2021-03-10T12:00")
	if steps["Svarsdrift AB"].ChangeNotice != nil {
		t.Errorf("the region's own processor carries a notice state: %+v", steps["Svarsdrift AB"].ChangeNotice)
	}
	if s := steps["Molnlager AB"].ChangeNotice; s == nil || s.State != "WINDOW_OPEN" || !strings.HasPrefix(s.Deadline, "2021-03-22") ||
		s.Notice == nil || s.Notice.ID != notice {
		t.Fatalf("sub-processor step: %+v, want WINDOW_OPEN until 2021-03-22", s)
	}
	evaluate := func(at string) []string {
		t.Helper()
		var out struct {
			EvaluateChecks struct {
				Findings []struct{ Check, Severity string }
			}
		}
		h.data(`query($at: Instant!) { evaluateChecks(at: $at, checks: ["notice_missing", "notice_window", "notice_objection", "authorisation"]) {
			findings { check severity } } }`, map[string]any{"at": at}, &out)
		var got []string
		for _, f := range out.EvaluateChecks.Findings {
			got = append(got, f.Check+"/"+f.Severity)
		}
		slices.Sort(got)
		return got
	}
	if got := evaluate("2021-03-10T12:00"); fmt.Sprint(got) != "[notice_window/MEDIUM]" {
		t.Errorf("inside the window: %v", got)
	}

	for _, tt := range []struct{ name, query, code, field string }{
		{"ObjectionWithoutReason", `mutation { respondToNotice(input: {noticeId: "` + notice + `", controllerId: "` + region + `",
			response: OBJECTION, respondedAt: "2021-03-05"}) { id } }`, "INVALID_INPUT", "reason"},
		{"ControllerNotOwedTheNotice", `mutation { respondToNotice(input: {noticeId: "` + notice + `", controllerId: "` + provider + `",
			response: NO_OBJECTION, respondedAt: "2021-03-05"}) { id } }`, "INVALID_INPUT", "controllerId"},
		{"NoticeUnderNoGeneralAuthorisation", `mutation { createChangeNotice(input: {linkId: "` + toProvider + `", kind: NEW,
			sentAt: "2021-02-20", effectiveAt: "2021-03-01"}) { id } }`, "INVALID_INPUT", "linkId"},
		{"NoSuchNotice", `mutation { respondToNotice(input: {noticeId: "999999", controllerId: "` + region + `",
			response: NO_OBJECTION, respondedAt: "2021-03-05"}) { id } }`, "NOT_FOUND", "noticeId"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if r := h.with(t).post(tt.query, nil); r.code() != tt.code || r.field() != tt.field {
				t.Errorf("%+v, want %s on %s", r, tt.code, tt.field)
			}
		})
	}

	id(`mutation($n: ID!, $c: ID!) { r: respondToNotice(input: {noticeId: $n, controllerId: $c, response: OBJECTION,
		reason: "Recordings must stay with suppliers we have audited", respondedAt: "2021-03-05T10:00"}) { id } }`,
		map[string]any{"n": notice, "c": region})
	if s := chain("2021-03-10T12:00")["Molnlager AB"].ChangeNotice; s == nil || s.State != "OBJECTED" || s.Reason == nil ||
		!strings.Contains(*s.Reason, "audited") || s.Response == nil || *s.Response != "OBJECTION" {
		t.Fatalf("after the objection: %+v, want OBJECTED with its reason", s)
	}
	if got := evaluate("2021-04-10T12:00"); fmt.Sprint(got) != "[notice_objection/HIGH]" {
		t.Errorf("despite the objection: %v", got)
	}

	var read struct {
		Link struct {
			NoticePeriods []struct{ Days int }
			ChangeNotices []struct {
				Kind      string
				Windows   []struct{ Controller struct{ ID string } }
				Responses []struct{ Response, Reason string }
				History   []struct{ Op string }
			}
		}
	}
	h.as("auditor").data(`query($l: ID!) { link(id: $l) { changeNotices { kind windows { controller { id } } responses { response reason } history { op } } } }`,
		map[string]any{"l": toSub}, &read)
	ns := read.Link.ChangeNotices
	if len(ns) != 1 || ns[0].Kind != "NEW" || len(ns[0].Windows) != 1 || ns[0].Windows[0].Controller.ID != region ||
		len(ns[0].Responses) != 1 || ns[0].Responses[0].Response != "OBJECTION" || len(ns[0].History) != 1 {
		t.Errorf("as auditor: %+v", read)
	}
	for _, tt := range []struct{ name, role, query string }{
		{"DSRReadsNone", "dsr", `query { link(id: "` + toSub + `") { changeNotices { id } } }`},
		{"AuditorRespondsNot", "auditor", `mutation { respondToNotice(input: {noticeId: "` + notice + `", controllerId: "` + region + `",
			response: NO_OBJECTION, respondedAt: "2021-03-06"}) { id } }`},
		{"AuditorSetsNoPeriod", "auditor", `mutation { setNoticePeriod(input: {linkId: "` + toProvider + `", days: 10, validFrom: "2022-01-01"}) { id } }`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if r := h.with(t).as(tt.role).post(tt.query, nil); r.code() != "FORBIDDEN" {
				t.Errorf("as %s: %+v, want FORBIDDEN", tt.role, r)
			}
		})
	}
	for _, kind := range []string{"notice_period", "change_notice", "notice_response"} {
		if n := h.count(fmt.Sprintf(`SELECT count(*) FROM audit_log WHERE outcome = 'ok' AND affected[1] LIKE '%s:%%'`, kind)); n < 1 {
			t.Errorf("no audit entry naming a %s", kind)
		}
	}
}

// Region Stockholm's Art. 30(1) record on the night of 1 February 2019,
// from the 1177 demo: the query and the XLSX and CSV downloads name every
// recipient its chain reaches then, read back with excelize.
func TestRecordsOverHTTP(t *testing.T) {
	h := newHarness(t, true)
	region := h.orgID("Region Stockholm")
	want := []string{"Inera AB", "Medhelp AB", "Medicall Co., Ltd.", "Voice Integrate Nordic AB"}

	var out struct {
		Record struct {
			Kind string
			Rows []struct {
				Section, PartyName, CountryCode, Safeguard string
				TransferClass                              *string
			}
		}
	}
	h.as("auditor").data(`query($c: ID!) { record(controller: $c, at: "2019-02-01T02:00") { kind rows { section partyName countryCode transferClass safeguard } } }`,
		map[string]any{"c": region}, &out)
	var names []string
	for _, r := range out.Record.Rows {
		if !slices.Contains(names, r.PartyName) {
			names = append(names, r.PartyName)
		}
		if r.PartyName == "Medicall Co., Ltd." && (r.TransferClass == nil || *r.TransferClass != "THIRD_COUNTRY" || !strings.Contains(r.Safeguard, "no mechanism")) {
			t.Errorf("Medicall's row: %+v", r)
		}
	}
	slices.Sort(names)
	if out.Record.Kind != "CONTROLLER" || !slices.Equal(names, want) {
		t.Fatalf("record: %s naming %q, want %q", out.Record.Kind, names, want)
	}

	download := func(t *testing.T, role, path string) (*http.Response, []byte) {
		t.Helper()
		resp := h.with(t).as(role).get(path)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}
	t.Run("XLSX", func(t *testing.T) {
		resp, body := download(t, "auditor", "/records/"+region+".xlsx?at=2019-02-01T02:00")
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("status %d, type %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		f, err := excelize.OpenReader(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows("Record")
		if err != nil {
			t.Fatal(err)
		}
		col := -1
		var named []string
		for _, r := range rows {
			if col < 0 {
				col = slices.Index(r, "party")
				continue
			}
			if col < len(r) && !slices.Contains(named, r[col]) {
				named = append(named, r[col])
			}
		}
		slices.Sort(named)
		if !slices.Equal(named, want) {
			t.Fatalf("the workbook names %q, want every recipient %q", named, want)
		}
	})
	t.Run("CSV", func(t *testing.T) {
		resp, body := download(t, "editor", "/records/"+region+".csv?at=2019-02-01T02:00")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		r := csv.NewReader(bytes.NewReader(body))
		r.FieldsPerRecord = -1
		all, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != len(out.Record.Rows)+2 || all[1][1] != "party" {
			t.Fatalf("%d lines, header %q", len(all), all[1])
		}
	})
	for _, tt := range []struct {
		name, role, path string
		status           int
	}{
		{"DSRRefused", "dsr", "/records/" + region + ".xlsx?at=2019-02-01T02:00", http.StatusForbidden},
		{"NoToken", "", "/records/" + region + ".xlsx?at=2019-02-01T02:00", http.StatusUnauthorized},
		{"NoInstant", "auditor", "/records/" + region + ".csv", http.StatusBadRequest},
		{"OtherFormat", "auditor", "/records/" + region + ".pdf?at=2019-02-01", http.StatusNotFound},
		{"NoSuchParty", "auditor", "/records/999999.csv?at=2019-02-01", http.StatusNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if resp, _ := download(t, tt.role, tt.path); resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
	if n := h.count(`SELECT count(*) FROM audit_log WHERE operation = 'record download' AND outcome = 'ok' AND affected[1] = 'organisation:` + region + `'`); n != 2 {
		t.Errorf("%d audited downloads, want 2", n)
	}
}
