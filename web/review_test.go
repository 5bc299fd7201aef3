package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store/storetest"
)

// storageFinding is the demo's worst open finding about the recording
// storage server, and the server's id.
func storageFinding(t *testing.T, s *site) (finding, nas int64) {
	t.Helper()
	if err := s.store.DB().QueryRow(`SELECT f.id, f.subject_id FROM findings f JOIN systems sy ON sy.id = f.subject_id
		WHERE f.subject_kind = 'system' AND sy.name LIKE 'Recording storage server%' AND f.status = 'open'
		ORDER BY array_position(ARRAY['critical', 'high', 'medium', 'low', 'info'], f.severity), f.id LIMIT 1`).Scan(&finding, &nas); err != nil {
		t.Fatal(err)
	}
	return finding, nas
}

// TestReviewPagesPerRole: the finding, responsibility and audit pages and
// the acceptance form open for the roles their query's or mutation's rule
// names, and answer 404 to the others, as an object that does not exist.
func TestReviewPagesPerRole(t *testing.T) {
	s := newSite(t)
	finding, nas := storageFinding(t, s)
	clients := map[string]*client{}
	for _, role := range registry.AccessRoles {
		clients[role] = s.client(t)
		clients[role].signIn(role)
	}
	const (
		admin, editor, auditor, dsr = registry.RoleAdmin, registry.RoleEditor, registry.RoleAuditor, registry.RoleDSR
	)
	cases := []struct {
		name    string
		path    string
		allowed []string
		want    string // on the page when allowed
	}{
		{"Finding", fmt.Sprintf("/findings/%d", finding), []string{admin, editor, auditor}, `id="history"`},
		{"FindingsGrouped", "/findings?group=severity", []string{admin, editor, auditor}, `class="group"`},
		{"ResponsibilityOfASystem", fmt.Sprintf("/responsibility?system=%d&at=2019-02-01T02:00", nas), []string{admin, editor, auditor}, "Medhelp AB"},
		{"AuditLog", "/audit", []string{admin, auditor}, "Audit log"},
		{"AuditLogVerified", "/audit?verify=1", []string{admin, auditor}, "The log is intact"},
	}
	for _, tt := range cases {
		for _, role := range registry.AccessRoles {
			t.Run(tt.name+"/"+role, func(t *testing.T) {
				resp, body := clients[role].do("GET", tt.path, nil)
				want := http.StatusNotFound
				if slices.Contains(tt.allowed, role) {
					want = http.StatusOK
				}
				if resp.StatusCode != want {
					t.Fatalf("status %d, want %d", resp.StatusCode, want)
				}
				if want == http.StatusOK && !strings.Contains(body, tt.want) {
					t.Errorf("the page lacks %q", tt.want)
				}
				if want == http.StatusNotFound && strings.Contains(body, "Medhelp") {
					t.Error("a refused page tells what it holds")
				}
			})
		}
	}
	t.Run("AcceptFormOnlyForWriters", func(t *testing.T) {
		for _, role := range []string{admin, editor, auditor} {
			_, body := clients[role].do("GET", fmt.Sprintf("/findings/%d", finding), nil)
			if has, want := strings.Contains(body, "/accept"), role != auditor; has != want {
				t.Errorf("%s: the acceptance form shown %v, want %v", role, has, want)
			}
		}
	})
	for _, role := range []string{auditor, dsr} {
		t.Run("AcceptRefused/"+role, func(t *testing.T) {
			c := clients[role]
			_, page := c.do("GET", "/dsr", nil)
			if role == auditor {
				_, page = c.do("GET", "/", nil)
			}
			resp, _ := c.do("POST", fmt.Sprintf("/findings/%d/accept", finding), url.Values{"csrf": {formToken(t, page)},
				"justification": {"not mine to accept"}, "until": {time.Now().AddDate(0, 1, 0).Format("2006-01-02")}})
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("status %d, want 404", resp.StatusCode)
			}
			assertNotAccepted(t, s, finding)
		})
	}
}

// assertNotAccepted fails unless the finding is still open with no
// acceptance recorded in it or its history.
func assertNotAccepted(t *testing.T, s *site, finding int64) {
	t.Helper()
	var status string
	var events int
	if err := s.store.DB().QueryRow(`SELECT status, (SELECT count(*) FROM finding_events WHERE finding_id = $1 AND event = 'accepted')
		FROM findings WHERE id = $1`, finding).Scan(&status, &events); err != nil {
		t.Fatal(err)
	}
	if status != "open" || events != 0 {
		t.Errorf("the finding is %s with %d acceptances, want open with none", status, events)
	}
}

// TestAcceptFinding: an editor accepts a finding through the form; bad input
// is shown beside its field and saves nothing; a form without its token is
// refused; the acceptance lands in the finding's history and the audit log.
func TestAcceptFinding(t *testing.T) {
	s := newSite(t)
	finding, _ := storageFinding(t, s)
	ed := s.client(t)
	ed.signIn(registry.RoleEditor)
	path := fmt.Sprintf("/findings/%d", finding)
	_, page := ed.do("GET", path, nil)
	csrf := formToken(t, page)
	later := time.Now().AddDate(0, 3, 0).Format("2006-01-02")
	refused := []struct {
		name   string
		form   url.Values
		status int
		field  string // the id of the error shown beside the field
	}{
		{"MissingJustification", url.Values{"csrf": {csrf}, "until": {later}}, http.StatusUnprocessableEntity, "a-why-error"},
		{"BlankJustification", url.Values{"csrf": {csrf}, "justification": {"   "}, "until": {later}}, http.StatusUnprocessableEntity, "a-why-error"},
		{"MissingEndDate", url.Values{"csrf": {csrf}, "justification": {"compensating control"}}, http.StatusUnprocessableEntity, "a-until-error"},
		{"EndDatePassed", url.Values{"csrf": {csrf}, "justification": {"compensating control"}, "until": {"2020-01-01"}}, http.StatusUnprocessableEntity, "a-until-error"},
		{"NoFormToken", url.Values{"justification": {"compensating control"}, "until": {later}}, http.StatusForbidden, ""},
		{"WrongFormToken", url.Values{"csrf": {"x" + csrf}, "justification": {"compensating control"}, "until": {later}}, http.StatusForbidden, ""},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := ed.do("POST", path+"/accept", tt.form)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, tt.status, body)
			}
			if tt.field != "" {
				if !strings.Contains(body, `id="`+tt.field+`"`) || !strings.Contains(body, `aria-describedby="`+tt.field+`"`) {
					t.Errorf("no error beside the field (%s)", tt.field)
				}
				// What was typed is kept for the next try.
				if j := tt.form.Get("justification"); strings.TrimSpace(j) != "" && !strings.Contains(body, j) {
					t.Errorf("the justification typed is lost")
				}
			}
			assertNotAccepted(t, s, finding)
		})
	}
	t.Run("UnknownFinding", func(t *testing.T) {
		resp, _ := ed.do("POST", "/findings/999999/accept", url.Values{"csrf": {csrf}, "justification": {"x"}, "until": {later}})
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("status %d, want 404", resp.StatusCode)
		}
	})
	resp, body := ed.do("POST", path+"/accept", url.Values{"csrf": {csrf}, "justification": {"server replaced; compensating control until the move"}, "until": {later}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path+"#history" {
		t.Fatalf("accept: %d to %q\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	_, page = ed.do("GET", path, nil)
	for _, want := range []string{"server replaced; compensating control until the move", "until " + later, "test editor", "accepted"} {
		if !strings.Contains(page, want) {
			t.Errorf("the finding's page lacks %q after the acceptance", want)
		}
	}
	var status, until string
	var audited int
	if err := s.store.DB().QueryRow(`SELECT status, CAST(accepted_until AS text),
		(SELECT count(*) FROM audit_log WHERE operation = 'acceptFinding' AND outcome = 'ok' AND principal = 'test editor'
		   AND $2 = ANY(affected))
		FROM findings WHERE id = $1`, finding, fmt.Sprintf("finding:%d", finding)).Scan(&status, &until, &audited); err != nil {
		t.Fatal(err)
	}
	if status != "accepted" || until != later || audited != 1 {
		t.Errorf("finding %s until %s, %d audit rows; want accepted until %s, 1 row", status, until, audited, later)
	}
	var invalid, csrfRefused int
	if err := s.store.DB().QueryRow(`SELECT count(*) FILTER (WHERE outcome = 'INVALID_INPUT'), count(*) FILTER (WHERE outcome = 'CSRF')
		FROM audit_log WHERE operation = 'acceptFinding'`).Scan(&invalid, &csrfRefused); err != nil {
		t.Fatal(err)
	}
	if invalid != 4 || csrfRefused != 2 {
		t.Errorf("audit: %d refused as invalid, %d for their form token; want 4 and 2", invalid, csrfRefused)
	}
}

// TestFindingsGrouped: the findings list groups by each key, and each group
// links to the list narrowed to it.
func TestFindingsGrouped(t *testing.T) {
	s := newSite(t)
	c := s.client(t)
	c.signIn(registry.RoleAuditor)
	// The worst severity among the open findings, and how many have it.
	var open, worst int
	var sev string
	if err := s.store.DB().QueryRow(`SELECT (SELECT count(*) FROM findings WHERE status = 'open'), severity, count(*) FROM findings WHERE status = 'open'
		GROUP BY severity ORDER BY array_position(ARRAY['critical', 'high', 'medium', 'low', 'info'], severity) LIMIT 1`).Scan(&open, &sev, &worst); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		group string
		want  []string
	}{
		{"severity", []string{`<h2 id="g-0">` + sev + " <small>(" + fmt.Sprint(worst) + ")</small>", "severity=" + sev}},
		{"check", []string{"check="}},
		{"controller", []string{"Region Stockholm", "controller="}},
		{"party", []string{"Voice Integrate Nordic AB", "party="}},
		{"status", []string{">open <small>(" + fmt.Sprint(open) + ")</small>", "status=open"}},
	}
	for _, tt := range cases {
		t.Run(tt.group, func(t *testing.T) {
			resp, body := c.do("GET", "/findings?group="+tt.group, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if n := strings.Count(body, `<section class="group"`); n < 1 {
				t.Errorf("%d groups", n)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("the grouped page lacks %q", w)
				}
			}
		})
	}
	t.Run("UnknownGrouping", func(t *testing.T) {
		if resp, _ := c.do("GET", "/findings?group=colour", nil); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("status %d, want 400", resp.StatusCode)
		}
	})
}

// TestResponsibilityPage: who was responsible for the storage server on the
// night of 1 February 2019, through the responsibility service; a party
// works alike; bad or missing subjects are refused.
func TestResponsibilityPage(t *testing.T) {
	s := newSite(t)
	_, nas := storageFinding(t, s)
	var medicall int64
	if err := s.store.DB().QueryRow(`SELECT id FROM organisations WHERE legal_name = 'Medicall Co., Ltd.'`).Scan(&medicall); err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	c.signIn(registry.RoleAuditor)
	cases := []struct {
		name   string
		path   string
		status int
		want   []string
	}{
		{"StorageServer", fmt.Sprintf("/responsibility?system=%d&at=2019-02-01T02:00", nas), http.StatusOK,
			[]string{"Region Stockholm", "Region Värmland", "Medhelp AB", "Voice Integrate Nordic AB", "2019-02-01T02:00"}},
		{"ThaiSubcontractor", fmt.Sprintf("/responsibility?party=%d&at=2019-02-01T02:00", medicall), http.StatusOK,
			[]string{"Medhelp AB", "third country", "no transfer mechanism"}},
		{"NoSubject", "/responsibility?at=2019-02-01T02:00", http.StatusBadRequest, []string{"give exactly one of party or system"}},
		{"BothSubjects", fmt.Sprintf("/responsibility?party=%d&system=%d", medicall, nas), http.StatusBadRequest, nil},
		{"UnknownSystem", "/responsibility?system=999999", http.StatusNotFound, nil},
		{"BadInstant", fmt.Sprintf("/responsibility?system=%d&at=yesterday", nas), http.StatusBadRequest, nil},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := c.do("GET", tt.path, nil)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, tt.status, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("the page lacks %q", w)
				}
			}
		})
	}
	var audited int
	if err := s.store.DB().QueryRow(`SELECT count(*) FROM audit_log WHERE operation = 'page responsibility' AND outcome = 'ok'
		AND $1 = ANY(affected)`, fmt.Sprintf("system:%d", nas)).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if audited != 1 {
		t.Errorf("%d audit rows for the storage server's responsibility page, want 1", audited)
	}
}

// TestAuditLogPage: the audit log page filters by principal, operation,
// case reference and time range, pages, verifies the chain, and is
// audited itself.
func TestAuditLogPage(t *testing.T) {
	s := newSite(t)
	h := s.client(t)
	h.signIn(registry.RoleDSR)
	_, page := h.do("GET", "/dsr", nil)
	region := regexp1(t, page, `<option value="(\d+)">Region Värmland</option>`)
	for _, ref := range []string{"IMY-2026-41", "IMY-2026-42"} {
		if resp, _ := h.do("POST", "/dsr", url.Values{"csrf": {formToken(t, page)}, "region": {region}, "at": {"2017-03-11T23:30"}, "caseRef": {ref}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("trace %s: %d", ref, resp.StatusCode)
		}
	}
	a := s.client(t)
	a.signIn(registry.RoleAuditor)
	// An hour ahead, as the registry's zone words it.
	future := time.Now().Add(time.Hour).In(stockholm(t)).Format("2006-01-02T15:04")
	cases := []struct {
		name       string
		query      string
		want, not  []string
		rowsAtMost int // 0: any number
	}{
		{"ByCaseReference", "case=IMY-2026-41", []string{"IMY-2026-41", "traceCall"}, []string{"IMY-2026-42", "signin"}, 2},
		{"ByPrincipal", "principal=test+dsr", []string{"test dsr", "traceCall"}, []string{"test auditor"}, 0},
		{"ByOperation", "operation=traceCall", []string{"IMY-2026-41", "IMY-2026-42"}, []string{"page dsr"}, 2},
		{"BeforeAnything", "until=2020-01-01T00:00", []string{"No rows match."}, []string{"traceCall"}, 0},
		{"FromNowOn", "since=" + future, []string{"No rows match."}, []string{"traceCall"}, 0},
		{"TimeRangeAroundNow", "operation=traceCall&since=2020-01-01T00:00&until=" + future, []string{"IMY-2026-41"}, nil, 2},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := a.do("GET", "/audit?"+tt.query, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d\n%s", resp.StatusCode, body)
			}
			table := body
			if i := strings.Index(body, "<tbody>"); i >= 0 {
				table = body[i:]
			}
			for _, w := range tt.want {
				if !strings.Contains(table, w) {
					t.Errorf("the log lacks %q", w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(table, w) {
					t.Errorf("the filtered log shows %q", w)
				}
			}
			if n := strings.Count(table, "<tr>"); tt.rowsAtMost > 0 && n > tt.rowsAtMost {
				t.Errorf("%d rows, want at most %d", n, tt.rowsAtMost)
			}
		})
	}
	t.Run("BadInstant", func(t *testing.T) {
		if resp, _ := a.do("GET", "/audit?since=soon", nil); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("status %d, want 400", resp.StatusCode)
		}
	})
	t.Run("Pages", func(t *testing.T) {
		// More rows than a page: the auditor's own page views.
		for range 55 {
			a.do("GET", "/audit?principal=nobody", nil)
		}
		_, body := a.do("GET", "/audit?principal=test+auditor", nil)
		next := regexp1(t, body, `<a href="(/audit\?[^"]*after=\d+[^"]*)">`)
		resp, body2 := a.do("GET", html.UnescapeString(next), nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body2, "<td>test auditor") {
			t.Fatalf("the next page: %d", resp.StatusCode)
		}
		first := regexp1(t, body, `<tbody>\s*<tr><td>([^<]+)</td>`)
		if second := regexp1(t, body2, `<tbody>\s*<tr><td>([^<]+)</td>`); second > first {
			t.Errorf("the next page starts at %s, after the first's newest %s", second, first)
		}
	})
	t.Run("Verified", func(t *testing.T) {
		_, body := a.do("GET", "/audit?verify=1", nil)
		if !strings.Contains(body, `id="verified"`) || !strings.Contains(body, "The log is intact") {
			t.Errorf("no verification status:\n%s", body)
		}
	})
	var audited int
	if err := s.store.DB().QueryRow(`SELECT count(*) FROM audit_log WHERE operation = 'page audit' AND principal = 'test auditor'
		AND case_ref = 'IMY-2026-41'`).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if audited != 1 {
		t.Errorf("%d audit rows for the view filtered by the case, want 1", audited)
	}
	// Whoever holds the database's owner credentials can alter a row; the
	// page's verification, with the key kept outside the database, says so
	// and names the row.
	t.Run("TamperedLogIsNotIntact", func(t *testing.T) {
		var id int64
		tx, err := storetest.Owner(t, s.store.DB()).Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.Exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`); err != nil {
			t.Fatal(err)
		}
		if err := tx.QueryRow(`UPDATE audit_log SET outcome = 'FORBIDDEN' WHERE id = (SELECT min(id) + 2 FROM audit_log) RETURNING id`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		_, body := a.do("GET", "/audit?verify=1", nil)
		if !strings.Contains(body, "The log is not intact") || !strings.Contains(body, fmt.Sprintf("row %d: its fields do not match", id)) {
			t.Errorf("the altered row %d is not reported:\n%s", id, body)
		}
	})
}

func stockholm(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
