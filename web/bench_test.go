package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/kedja/kedja/registry"
)

// BenchmarkPages measures each page answered whole (session lookup, the
// services' SQL, rendering) at demo size, beside two baselines of the same
// run: /healthz (one round trip and a ping) and the API's own report route,
// which the access-request page's report reuses.
func BenchmarkPages(b *testing.B) {
	s := newSite(b)
	c := s.client(b)
	c.signIn(registry.RoleAdmin)
	var medhelp, nas, finding int64
	if err := s.store.DB().QueryRow(`SELECT (SELECT id FROM organisations WHERE legal_name = 'Medhelp AB'),
		(SELECT id FROM systems WHERE name LIKE 'Recording storage server%'),
		(SELECT min(id) FROM findings WHERE status = 'open')`).Scan(&medhelp, &nas, &finding); err != nil {
		b.Fatal(err)
	}
	_, page := c.do("GET", "/dsr", nil)
	resp, _ := c.do("POST", "/dsr", url.Values{"csrf": {formToken(b, page)}, "region": {regionIDOf(b, s, "Region Stockholm")},
		"at": {"2019-02-01T02:00"}, "caseRef": {"BENCH-1"}})
	trace := resp.Header.Get("Location")[len("/dsr/"):]
	paths := []struct{ name, path string }{
		{"Home", "/"},
		{"Findings", "/findings"},
		{"Finding", fmt.Sprintf("/findings/%d", finding)},
		{"ChainSearch", "/chain?q=Medhelp"},
		{"Chain", fmt.Sprintf("/chain?controller=%d&at=2019-02-01T02:00", medhelp)},
		{"Party", fmt.Sprintf("/parties/%d?at=2019-02-01T02:00", medhelp)},
		{"System", fmt.Sprintf("/systems/%d?at=2019-02-01T02:00", nas)},
		{"AccessRequests", "/dsr"},
		{"Report", "/dsr/" + trace},
	}
	b.Run("Baseline/healthz", func(b *testing.B) {
		for b.Loop() {
			if r, _ := c.do("GET", "/healthz", nil); r.StatusCode != http.StatusOK {
				b.Fatal(r.Status)
			}
		}
	})
	b.Run("Baseline/APIReport", func(b *testing.B) {
		for b.Loop() {
			req, _ := http.NewRequest("GET", s.url+"/traces/"+trace+".html", nil)
			req.Header.Set("Authorization", "Bearer "+s.tokens[registry.RoleAdmin])
			r, err := http.DefaultClient.Do(req)
			if err != nil || r.StatusCode != http.StatusOK {
				b.Fatal(err, r)
			}
			r.Body.Close()
		}
	})
	for _, p := range paths {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				if r, body := c.do("GET", p.path, nil); r.StatusCode != http.StatusOK {
					b.Fatalf("%s: %s\n%s", p.path, r.Status, body)
				}
			}
		})
	}
}

func regionIDOf(tb testing.TB, s *site, name string) string {
	tb.Helper()
	var id int64
	if err := s.store.DB().QueryRow(`SELECT id FROM organisations WHERE legal_name = $1`, name).Scan(&id); err != nil {
		tb.Fatal(err)
	}
	return fmt.Sprint(id)
}
