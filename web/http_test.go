package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSessionOverHTTP: the sign-in form and every POST need their form
// token; the session cookie is HttpOnly, Secure and SameSite=Strict; the
// token never reaches a URL or the log; signing out ends the session for
// good.
func TestSessionOverHTTP(t *testing.T) {
	s := newSite(t)
	c := s.client(t)
	_, page := c.do("GET", "/signin", nil)
	signinToken := formToken(t, page)

	t.Run("SignInWithoutFormCookie", func(t *testing.T) {
		bare := s.client(t)
		resp, _ := bare.do("POST", "/signin", url.Values{"csrf": {signinToken}, "token": {s.tokens["admin"]}})
		if resp.StatusCode != http.StatusForbidden || bare.cookies["kedja_session"] != "" {
			t.Errorf("status %d, session %q", resp.StatusCode, bare.cookies["kedja_session"])
		}
	})
	t.Run("BadToken", func(t *testing.T) {
		resp, body := c.do("POST", "/signin", url.Values{"csrf": {signinToken}, "token": {"kedja_wrong"}})
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "unknown, expired or revoked") {
			t.Errorf("status %d\n%s", resp.StatusCode, body)
		}
		signinToken = formToken(t, body) // a refused form gets a fresh token
	})
	resp, _ := c.do("POST", "/signin", url.Values{"csrf": {signinToken}, "token": {s.tokens["admin"]}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("sign in: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var sess *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "kedja_session" {
			sess = ck
		}
	}
	if sess == nil || !sess.HttpOnly || !sess.Secure || sess.SameSite != http.SameSiteStrictMode || sess.Path != "/" {
		t.Fatalf("session cookie %+v, want HttpOnly, Secure, SameSite=Strict on /", sess)
	}
	resp, page = c.do("GET", "/dsr", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /dsr: %d", resp.StatusCode)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "style-src 'self'", "default-src 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q allows unsafe sources", csp)
	}
	csrf := formToken(t, page)
	region := regexp1(t, page, `<option value="(\d+)">Region Stockholm</option>`)

	posts := []struct {
		name   string
		path   string
		form   url.Values
		status int
	}{
		{"TraceWithoutFormToken", "/dsr", url.Values{"region": {region}, "at": {"2019-02-01T02:00"}, "caseRef": {"C-1"}}, http.StatusForbidden},
		{"TraceWithWrongFormToken", "/dsr", url.Values{"csrf": {"x" + csrf}, "region": {region}, "at": {"2019-02-01T02:00"}, "caseRef": {"C-1"}}, http.StatusForbidden},
		{"SignOutWithoutFormToken", "/signout", url.Values{}, http.StatusForbidden},
		{"TraceWithFormToken", "/dsr", url.Values{"csrf": {csrf}, "region": {region}, "at": {"2019-02-01T02:00"}, "caseRef": {"C-1"}}, http.StatusSeeOther},
		{"TraceMissingCaseRef", "/dsr", url.Values{"csrf": {csrf}, "region": {region}, "at": {"2019-02-01T02:00"}}, http.StatusUnprocessableEntity},
	}
	for _, tt := range posts {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := c.do("POST", tt.path, tt.form)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, tt.status, body)
			}
		})
	}
	var refused, traced int
	if err := s.store.DB().QueryRow(`SELECT count(*) FILTER (WHERE outcome = 'CSRF'), count(*) FILTER (WHERE operation = 'traceCall' AND outcome = 'ok' AND case_ref = 'C-1')
		FROM audit_log WHERE principal = 'test admin'`).Scan(&refused, &traced); err != nil {
		t.Fatal(err)
	}
	if refused != 3 || traced != 1 {
		t.Errorf("audit: %d refused for their form token, %d traces, want 3 and 1", refused, traced)
	}
	if logs := s.logs.String(); strings.Contains(logs, s.tokens["admin"]) || strings.Contains(logs, sess.Value) {
		t.Error("a token or session id reached the log")
	}

	t.Run("PageViewsAreAudited", func(t *testing.T) {
		ed := s.client(t)
		ed.signIn("editor")
		if resp, _ := ed.do("GET", "/dsr", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("an editor opens the access requests: %d, want 404", resp.StatusCode)
		}
		if resp, _ := ed.do("GET", "/findings", nil); resp.StatusCode != http.StatusOK {
			t.Errorf("an editor opens the findings: %d", resp.StatusCode)
		}
		rows, err := s.store.DB().Query(`SELECT principal, operation, outcome FROM audit_log
			WHERE operation IN ('signin', 'page dsr', 'page findings') ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var p, op, out string
			if err := rows.Scan(&p, &op, &out); err != nil {
				t.Fatal(err)
			}
			got = append(got, p+" "+op+" "+out)
		}
		want := "anonymous signin CSRF|anonymous signin UNAUTHENTICATED|test admin signin ok|test admin page dsr ok|test editor signin ok|test editor page dsr NOT_FOUND|test editor page findings ok"
		if strings.Join(got, "|") != want {
			t.Errorf("audit:\n got %s\nwant %s", strings.Join(got, "|"), want)
		}
	})
	t.Run("SignOut", func(t *testing.T) {
		resp, _ := c.do("POST", "/signout", url.Values{"csrf": {csrf}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin" {
			t.Fatalf("sign out: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		// The old cookie, replayed, opens nothing.
		c.cookies["kedja_session"] = sess.Value
		resp, _ = c.do("GET", "/findings", nil)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/signin" {
			t.Errorf("after sign-out: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

func regexp1(t *testing.T, page, pattern string) string {
	t.Helper()
	m := regexpMust(pattern).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("%s not on the page", pattern)
	}
	return m[1]
}

// TestFindingsFilters: the findings page narrows by each filter, the party
// concerned included (a system's findings concern its operator).
func TestFindingsFilters(t *testing.T) {
	s := newSite(t)
	c := s.client(t)
	c.signIn("auditor")
	var voice, region, inera int64
	if err := s.store.DB().QueryRow(`SELECT (SELECT id FROM organisations WHERE legal_name = 'Voice Integrate Nordic AB'),
		(SELECT id FROM organisations WHERE legal_name = 'Region Värmland'), (SELECT id FROM organisations WHERE legal_name = 'Inera AB')`).Scan(&voice, &region, &inera); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		query         string
		want, wantNot string
	}{
		{"PartyConcernedBySystem", fmt.Sprintf("party=%d", voice), "Recording storage server (NAS) keeps calls", "Princess keeps calls"},
		{"Severity", "severity=medium", `sev-medium">medium`, `sev-high">high`},
		{"Check", "check=backup", "no backup is recorded", "without an agreement"},
		{"Controller", fmt.Sprintf("controller=%d", region), "Recording storage server (NAS)", "No findings match."},
		{"NothingMatches", "severity=critical", "No findings match.", "/findings/"},
		{"BadID", "party=x", "Bad request", "/findings/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, body := c.do("GET", "/findings?"+tt.query, nil)
			main := body[strings.Index(body, "<main"):]
			if !strings.Contains(main, tt.want) || strings.Contains(main[strings.Index(main, "</form>")+1:], tt.wantNot) {
				t.Errorf("want %q and not %q in\n%s", tt.want, tt.wantNot, main)
			}
		})
	}
}
