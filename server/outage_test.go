package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kedja/kedja/graph/render"
	"github.com/kedja/kedja/server"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// outcome is one answer under load: its status, code and whether it said
// when to try again.
type outcome struct {
	status     int
	code       string
	retryAfter string
}

func (h *harness) ask(query string) outcome {
	req, _ := http.NewRequest(http.MethodPost, h.url+"/graphql", strings.NewReader(`{"query":`+jsonString(query)+`}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+h.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return outcome{status: -1, code: err.Error()}
	}
	defer resp.Body.Close()
	var body struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &body)
	o := outcome{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	if len(body.Errors) > 0 {
		o.code, _ = body.Errors[0].Extensions["code"].(string)
	}
	return o
}

func jsonString(s string) string { b, _ := json.Marshal(s); return string(b) }

func (h *harness) status(path string) int {
	resp, err := http.Get(h.url + path)
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A database outage under load (every connection closed by the server, as
// a restart does, and new ones refused for a while) is answered only with
// 503 UNAVAILABLE and Retry-After, never 500; /healthz stays up, /readyz
// says not ready; and once the database is back kedja serves again without
// a restart.
func TestDatabaseOutageUnderLoad(t *testing.T) {
	dbURL := storetest.Database(t)
	proxy := storetest.NewProxy(t, dbURL)
	s, err := store.Open(context.Background(), proxy.URL(t, dbURL), "Europe/Stockholm", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.SetAuditKey(storetest.AuditKey); err != nil {
		t.Fatal(err)
	}
	h := newHarnessOn(t, s, true, server.DefaultConfig, render.Options{})
	owner := storetest.Owner(t, s.DB())
	const query = `{ organisations(filter: {nameContains: "Region"}) { nodes { legalName } } }`
	if o := h.ask(query); o.status != http.StatusOK {
		t.Fatalf("before the outage: %+v", o)
	}
	report := h.trace(h.orgID("Region Stockholm"), "2019-02-01T02:00", "DSR-OUTAGE").TraceCall.ReportURL

	answers := make(chan outcome, 1024)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				answers <- h.ask(query)
			}
		}()
	}
	var seen []outcome
	// next takes answers until one satisfies want.
	next := func(what string, want func(outcome) bool) {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			select {
			case o := <-answers:
				seen = append(seen, o)
				if want(o) {
					return
				}
			case <-deadline:
				t.Fatalf("no answer %s within 30 s; %d answers seen", what, len(seen))
			}
		}
	}
	next("before the outage", func(o outcome) bool { return o.status == http.StatusOK })

	// The outage: new connections refused, existing ones closed by the
	// server (its FATAL of a shutdown, then the close).
	proxy.Cut()
	if _, err := owner.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		next("of 503 during the outage", func(o outcome) bool { return o.status == http.StatusServiceUnavailable })
	}
	if got := h.status("/healthz"); got != http.StatusOK {
		t.Errorf("/healthz during the outage: %d; want 200 (the process is alive)", got)
	}
	if got := h.status("/readyz"); got != http.StatusServiceUnavailable {
		t.Errorf("/readyz during the outage: %d; want 503", got)
	}
	if resp := h.get(report); resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("a report during the outage: %d, Retry-After %q; want 503 and a delay", resp.StatusCode, resp.Header.Get("Retry-After"))
	} else {
		resp.Body.Close()
	}

	proxy.Restore()
	for range 20 {
		next("of 200 after the database came back", func(o outcome) bool { return o.status == http.StatusOK })
	}
	close(stop)
	wg.Wait()
	close(answers)
	for o := range answers {
		seen = append(seen, o)
	}
	if got := h.status("/readyz"); got != http.StatusOK {
		t.Errorf("/readyz after the outage: %d; want 200", got)
	}

	counts := map[int]int{}
	for _, o := range seen {
		counts[o.status]++
		switch o.status {
		case http.StatusOK:
		case http.StatusServiceUnavailable:
			if o.code != "UNAVAILABLE" || o.retryAfter == "" {
				t.Errorf("a 503 with code %q and Retry-After %q; want UNAVAILABLE and a delay", o.code, o.retryAfter)
			}
		default:
			t.Errorf("answer %d %q during the outage; want only 200 or 503", o.status, o.code)
		}
	}
	t.Logf("answers: %v", counts)
}
