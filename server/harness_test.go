package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/demo"
	"github.com/kedja/kedja/graph/render"
	"github.com/kedja/kedja/graph/render/rendertest"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
	"github.com/kedja/kedja/schema"
	"github.com/kedja/kedja/server"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(rendertest.Main(m)) }

// harness is a kedja server on a fresh database, reached over HTTP.
type harness struct {
	t      testing.TB
	url    string
	store  *store.Store
	logs   *syncBuffer
	token  string            // sent as the bearer token; "" sends none
	tokens map[string]string // by role
	// pictures is the server's render pool.
	pictures *render.Pool
	// linkSkew moves the clock of the server's report links (nanoseconds).
	linkSkew *atomic.Int64
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var stockholm = mustZone("Europe/Stockholm")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// newHarness starts a server; withDemo loads the 1177 demo data first.
func newHarness(t testing.TB, withDemo bool) *harness {
	t.Helper()
	return newHarnessWith(t, withDemo, harnessConfig())
}

// harnessConfig is the configuration of newHarness's servers.
func harnessConfig() server.Config {
	cfg := server.DefaultConfig
	cfg.RatePerSecond, cfg.RateBurst = 1000, 1000 // tests fire fast; TestRateLimit sets its own
	// So do their refusals: tests of the guard (tokens_test.go) set their own.
	lots := access.Budget{PerSecond: 1000, Burst: 1000}
	cfg.Guard.Failures, cfg.Guard.Prefix, cfg.Guard.Anonymous = lots, lots, lots
	cfg.Guard.BackoffAfter, cfg.Guard.LockAfter = 1000, 10_000
	return cfg
}

// newHarnessWith starts a server with cfg.
func newHarnessWith(t testing.TB, withDemo bool, cfg server.Config) *harness {
	t.Helper()
	return newHarnessPictures(t, withDemo, cfg, render.Options{})
}

// newHarnessPictures starts a server with cfg whose pictures are drawn by a
// pool with options pics.
func newHarnessPictures(t testing.TB, withDemo bool, cfg server.Config, pics render.Options) *harness {
	t.Helper()
	return newHarnessOn(t, storetest.Store(t), withDemo, cfg, pics)
}

// newHarnessOn starts a server with cfg on store s.
func newHarnessOn(t testing.TB, s *store.Store, withDemo bool, cfg server.Config, pics render.Options) *harness {
	t.Helper()
	if withDemo {
		if _, err := demo.Seed(context.Background(), s, stockholm); err != nil {
			t.Fatalf("seed demo: %v", err)
		}
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	res := resolvers.New(s.Services(), log, stockholm)
	pics.Log = log
	res.Pictures = rendertest.Pool(t, pics)
	skew := &atomic.Int64{}
	res.ReportLinks.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	sch, err := schema.New(res)
	if err != nil {
		t.Fatal(err)
	}
	// The audit rows go through the group commit, as in service; count
	// flushes it before it looks.
	if err := s.StartAuditWriter(store.AuditWriterOptions{Log: log}); err != nil {
		t.Fatal(err)
	}
	api := server.New(cfg, sch, res, log)
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(func() {
		srv.Close()
		api.Close(context.Background())
		if err := s.CloseAuditWriter(context.Background()); err != nil {
			t.Errorf("close the audit writer: %v", err)
		}
	})
	h := &harness{t: t, url: srv.URL, store: s, logs: logs, tokens: map[string]string{}, pictures: res.Pictures, linkSkew: skew}
	for _, role := range registry.AccessRoles {
		_, secret, err := s.CreateToken(context.Background(), "test", "test "+role, role, nil)
		if err != nil {
			t.Fatal(err)
		}
		h.tokens[role] = secret
	}
	h.token = h.tokens["admin"]
	return h
}

// owner connects to the harness's database as its owner: the server runs as
// the service role, which may not do what a test that tampers must.
func (h *harness) owner() *sql.DB {
	return storetest.Owner(h.t, h.store.DB())
}

// as returns the harness sending role's token ("" for none).
func (h *harness) as(role string) *harness {
	c := *h
	c.token = h.tokens[role]
	return &c
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

type response struct {
	Status int
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

// with returns the harness reporting to t, for use in subtests.
func (h *harness) with(t *testing.T) *harness {
	c := *h
	c.t = t
	return &c
}

// post sends a GraphQL request and decodes the answer.
func (h *harness) post(query string, vars map[string]any) response {
	h.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		h.t.Fatal(err)
	}
	return h.raw(http.MethodPost, "application/json", bytes.NewReader(body))
}

func (h *harness) raw(method, contentType string, body io.Reader) response {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url+"/graphql", body)
	if err != nil {
		h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if h.token != "" {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var r response
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &r); err != nil {
		h.t.Fatalf("answer is not JSON (%d): %s", resp.StatusCode, b)
	}
	r.Status = resp.StatusCode
	return r
}

// party records an organisation in the store directly and returns its id.
func (h *harness) party(name, country, kind string) int64 {
	h.t.Helper()
	o, err := h.store.CreateOrganisation(context.Background(), "t", &registry.Organisation{LegalName: name, Country: country, Kind: kind})
	if err != nil {
		h.t.Fatal(err)
	}
	return o.ID
}

// data sends a request that must succeed and decodes its data into v.
func (h *harness) data(query string, vars map[string]any, v any) {
	h.t.Helper()
	r := h.post(query, vars)
	if len(r.Errors) > 0 {
		h.t.Fatalf("errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		h.t.Fatalf("decode %s: %v", r.Data, err)
	}
}

// orgID finds an organisation's id by its exact legal name.
func (h *harness) orgID(name string) string {
	h.t.Helper()
	var out struct {
		Organisations struct {
			Nodes []struct{ ID, LegalName string }
		}
	}
	h.data(`query($n: String) { organisations(filter: {nameContains: $n}) { nodes { id legalName } } }`,
		map[string]any{"n": name}, &out)
	for _, o := range out.Organisations.Nodes {
		if o.LegalName == name {
			return o.ID
		}
	}
	h.t.Fatalf("no organisation %q", name)
	return ""
}

// linkID finds the one link between two organisations.
func (h *harness) linkID(from, to string) string {
	h.t.Helper()
	var links struct {
		Links struct{ Nodes []struct{ ID string } }
	}
	h.data(`query($f: ID, $t: ID) { links(filter: {fromId: $f, toId: $t}) { nodes { id } } }`,
		map[string]any{"f": from, "t": to}, &links)
	if len(links.Links.Nodes) != 1 {
		h.t.Fatalf("want one link %s -> %s, got %v", from, to, links)
	}
	return links.Links.Nodes[0].ID
}

// count runs a counting SQL query directly, to see what a request wrote,
// once the audit rows queued so far are committed.
func (h *harness) count(query string) int {
	h.t.Helper()
	h.flushAudit()
	var n int
	if err := h.store.DB().QueryRow(query).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

// flushAudit returns once the audit rows of the requests answered so far
// are committed.
func (h *harness) flushAudit() {
	h.t.Helper()
	if err := h.store.FlushAudit(context.Background()); err != nil {
		h.t.Fatal(err)
	}
}

func (r response) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

func (r response) field() string {
	if len(r.Errors) == 0 {
		return ""
	}
	f, _ := r.Errors[0].Extensions["field"].(string)
	return f
}

// get sends a GET with the harness's token; the caller closes the body.
func (h *harness) get(path string) *http.Response {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.url+path, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	if h.token != "" {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	return resp
}

// created sends a mutation whose one aliased root field returns an object
// with an id, and returns that id.
func (h *harness) created(query string, vars map[string]any) string {
	h.t.Helper()
	var out map[string]struct{ ID string }
	h.data(query, vars, &out)
	for _, v := range out {
		return v.ID
	}
	h.t.Fatalf("no id from %s", query)
	return ""
}

// organisation creates a Swedish organisation of kind (an OrgKind) and
// returns its id.
func (h *harness) organisation(name, kind string) string {
	h.t.Helper()
	return h.created(`mutation($n: String!, $k: OrgKind!) { o: createOrganisation(input: {legalName: $n, country: "SE", kind: $k}) { id } }`,
		map[string]any{"n": name, "k": kind})
}
