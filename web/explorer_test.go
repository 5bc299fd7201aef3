package web_test

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

// graphql posts a GraphQL request to the explorer's endpoint with c's
// cookies and csrf in the header (none when empty).
func (c *client) graphql(csrf, query string, vars map[string]any) (int, map[string]any) {
	c.t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequest("POST", c.site.url+"/explorer/graphql", strings.NewReader(string(b)))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if csrf != "" {
		req.Header.Set("X-Kedja-CSRF", csrf)
	}
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		c.t.Fatalf("not JSON (%d): %s", resp.StatusCode, body)
	}
	return resp.StatusCode, out
}

// errorCode is the first error's code in a GraphQL answer, "" for none.
func errorCode(out map[string]any) string {
	errs, _ := out["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	ext, _ := errs[0].(map[string]any)["extensions"].(map[string]any)
	code, _ := ext["code"].(string)
	return code
}

// explorerCSRF signs c in as role and returns the token the explorer page
// hands its script.
func explorerCSRF(t *testing.T, c *client, role string) string {
	t.Helper()
	c.signIn(role)
	resp, page := c.do("GET", "/explorer", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s opens the explorer: %d", role, resp.StatusCode)
	}
	return regexp1(t, page, `data-csrf="([^"]+)"`)
}

// TestExplorerPages: the explorer and the SDL are for the roles that may
// introspect the API; others get 404, the anonymous are sent to sign in;
// the SDL is the committed file; the explorer's page may fetch from kedja
// and nothing else.
func TestExplorerPages(t *testing.T) {
	s := newSite(t)
	sdl, err := os.ReadFile("../schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{"", "admin", "editor", "auditor", "dsr"} {
		t.Run("role="+role, func(t *testing.T) {
			c := s.client(t)
			if role != "" {
				c.signIn(role)
			}
			want := map[string]int{"": http.StatusSeeOther, "dsr": http.StatusNotFound}[role]
			if want == 0 {
				want = http.StatusOK
			}
			resp, page := c.do("GET", "/explorer", nil)
			if resp.StatusCode != want {
				t.Fatalf("GET /explorer: %d, want %d", resp.StatusCode, want)
			}
			if want == http.StatusSeeOther && resp.Header.Get("Location") != "/signin" {
				t.Errorf("sent to %q, want /signin", resp.Header.Get("Location"))
			}
			if want == http.StatusOK {
				csp := resp.Header.Get("Content-Security-Policy")
				if !strings.Contains(csp, "connect-src 'self'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
					t.Errorf("CSP %q", csp)
				}
				if !strings.Contains(page, `<script src="/static/explorer.js" defer>`) || !strings.Contains(page, `href="/explorer" aria-current="page"`) {
					t.Errorf("the page lacks its script or its menu entry:\n%s", page)
				}
			}
			resp, body := c.do("GET", "/schema.graphql", nil)
			if resp.StatusCode != want {
				t.Fatalf("GET /schema.graphql: %d, want %d", resp.StatusCode, want)
			}
			if want == http.StatusOK {
				if body != string(sdl) {
					t.Error("the SDL served is not the committed schema.graphql")
				}
				if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") {
					t.Errorf("Content-Disposition %q", cd)
				}
			}
		})
	}
	// A page other than the explorer may not fetch.
	c := s.client(t)
	c.signIn("admin")
	if resp, _ := c.do("GET", "/findings", nil); strings.Contains(resp.Header.Get("Content-Security-Policy"), "connect-src") {
		t.Errorf("the findings page may fetch: %q", resp.Header.Get("Content-Security-Policy"))
	}
}

// TestExplorerGraphQL: the explorer's endpoint needs the session and its
// token in the header, and past them answers as /graphql does: the same
// rules per role, the same limits, the same audit.
func TestExplorerGraphQL(t *testing.T) {
	s := newSite(t)
	var medhelp int64
	if err := s.store.DB().QueryRow(`SELECT id FROM organisations WHERE legal_name = 'Medhelp AB'`).Scan(&medhelp); err != nil {
		t.Fatal(err)
	}
	const orgs = `query { organisations(first: 2) { nodes { legalName } } }`
	const mutation = `mutation { createOrganisation(input: {legalName: "X", country: "SE", kind: COMPANY}) { id } }`
	timeline := fmt.Sprintf(`{ chain(controller: %d, at: "2019-02-01T02:00:00+01:00") { timeline { truncated changes { at linksStarted linksEnded } } } }`, medhelp)
	clients := map[string]*client{}
	csrf := map[string]string{}
	for _, role := range []string{"admin", "editor", "auditor"} {
		clients[role] = s.client(t)
		csrf[role] = explorerCSRF(t, clients[role], role)
	}
	dsr := s.client(t)
	dsr.signIn("dsr")
	_, dsrPage := dsr.do("GET", "/dsr", nil)
	tests := []struct {
		name   string
		c      *client
		csrf   string
		query  string
		status int
		code   string
	}{
		{"Anonymous", s.client(t), "x", orgs, http.StatusUnauthorized, "UNAUTHENTICATED"},
		{"NoHeader", clients["admin"], "", orgs, http.StatusForbidden, "CSRF"},
		{"WrongHeader", clients["admin"], csrf["editor"], orgs, http.StatusForbidden, "CSRF"},
		{"DSRRole", dsr, formToken(t, dsrPage), orgs, http.StatusNotFound, "NOT_FOUND"},
		{"AdminReads", clients["admin"], csrf["admin"], orgs, http.StatusOK, ""},
		{"AuditorReads", clients["auditor"], csrf["auditor"], orgs, http.StatusOK, ""},
		{"AuditorMayNotWrite", clients["auditor"], csrf["auditor"], mutation, http.StatusOK, "FORBIDDEN"},
		{"EditorTimeline", clients["editor"], csrf["editor"], timeline, http.StatusOK, ""},
		{"DepthLimit", clients["admin"], csrf["admin"], "{ organisations { nodes { " + strings.Repeat("parent { ", 15) + "id" + strings.Repeat(" }", 18), http.StatusBadRequest, "DEPTH_LIMIT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, out := tt.c.graphql(tt.csrf, tt.query, nil)
			if status != tt.status || errorCode(out) != tt.code {
				t.Fatalf("status %d code %q, want %d %q: %v", status, errorCode(out), tt.status, tt.code, out)
			}
		})
	}
	t.Run("TheExplorersOwnQuery", func(t *testing.T) {
		_, page := clients["editor"].do("GET", "/explorer", nil)
		query := html.UnescapeString(regexp1(t, page, `(?s)<textarea id="ex-query"[^>]*>(.*?)</textarea>`))
		var vars map[string]any
		if err := json.Unmarshal([]byte(html.UnescapeString(regexp1(t, page, `(?s)<textarea id="ex-vars"[^>]*>(.*?)</textarea>`))), &vars); err != nil {
			t.Fatal(err)
		}
		status, out := clients["editor"].graphql(csrf["editor"], query, vars)
		if status != http.StatusOK || errorCode(out) != "" {
			t.Fatalf("the query the explorer opens with: %d %v", status, out)
		}
	})
	t.Run("TimelineAnswer", func(t *testing.T) {
		_, out := clients["auditor"].graphql(csrf["auditor"], timeline, nil)
		b, _ := json.Marshal(out["data"])
		// Medhelp's links to Medicall and to Voice Integrate start in the
		// demo; the first change starts links and ends none.
		if !strings.Contains(string(b), `"truncated":false`) || !strings.Contains(string(b), `"linksStarted":`) {
			t.Errorf("timeline: %s", b)
		}
	})
	t.Run("Audited", func(t *testing.T) {
		rows, err := s.store.DB().Query(`SELECT principal, operation, outcome FROM audit_log
			WHERE operation IN ('explorer graphql', 'query', 'mutation') OR (principal = 'test auditor' AND operation LIKE 'mutation%') ORDER BY id`)
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
		for _, want := range []string{"anonymous explorer graphql UNAUTHENTICATED", "test admin explorer graphql CSRF", "test dsr explorer graphql NOT_FOUND",
			// The API's own row, as for a token.
			"test auditor mutation createOrganisation FORBIDDEN"} {
			if !strings.Contains(strings.Join(got, "|"), want) {
				t.Errorf("audit lacks %q:\n%s", want, strings.Join(got, "|"))
			}
		}
	})
}
