package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/resolvers"
	"github.com/kedja/kedja/schema"
	"github.com/kedja/kedja/server"
)

// clientFrom is an HTTP client whose connections come from ip, a loopback
// address of its own (127.0.0.0/8 is all loopback), so that a test can
// speak from several client addresses.
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 64}}
}

type reply struct {
	status int
	code   string
	body   string
}

// send makes one request with token ("" for none) and reads the answer's
// status and error code.
func send(t testing.TB, c *http.Client, method, u, token, body string) reply {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, body: string(b)}
	var e response
	if json.Unmarshal(b, &e) == nil {
		r.code = e.code()
	}
	return r
}

const (
	checksQuery = `{"query": "{ checks { id } }"}`
	tracesQuery = `{"query": "{ traces(caseRef: \"DSR-1\") { nodes { id } } }"}`
)

// guardHarness starts a demo-less server whose guard is g (its token rate
// generous).
func guardHarness(t *testing.T, g access.Guard) *harness {
	cfg := server.DefaultConfig
	cfg.RatePerSecond, cfg.RateBurst = 1000, 1000
	cfg.Guard = g
	return newHarnessWith(t, false, cfg)
}

// restart starts another server over h's database, as a restarted kedja.
func (h *harness) restart(t *testing.T, cfg server.Config) *harness {
	log := slog.New(slog.NewTextHandler(h.logs, nil))
	res := resolvers.New(h.store.Services(), log, stockholm)
	sch, err := schema.New(res)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(cfg, sch, res, log).Handler())
	t.Cleanup(srv.Close)
	c := *h
	c.url = srv.URL
	return &c
}

// Attempts with a wrong secret for a real token's prefix, all at once:
// from one address they pass no more than its budget, from ten addresses
// together no more than the prefix's, and the token's owner, known good,
// is not held back by either.
func TestTokenGuessingIsBudgeted(t *testing.T) {
	slow := func(burst int) access.Budget { return access.Budget{PerSecond: 0.001, Burst: burst} }
	tests := []struct {
		name      string
		addresses int
		attempts  int
		maxPassed int // answered 401 (looked up) rather than 429
	}{
		{"FiftyFromOneAddress", 1, 50, 10},
		{"TenAddressesOnePrefix", 10, 200, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := guardHarness(t, access.Guard{Failures: slow(10), Prefix: slow(5), Anonymous: slow(10),
				BackoffAfter: 1000, LockAfter: 10_000})
			owner := h.tokens["dsr"]
			if r := send(t, http.DefaultClient, http.MethodPost, h.url+"/graphql", owner, tracesQuery); r.status != http.StatusOK || r.code != "" {
				t.Fatalf("the owner's first request: %+v", r)
			}
			clients := make([]*http.Client, tt.addresses)
			for i := range clients {
				clients[i] = clientFrom(fmt.Sprintf("127.0.0.%d", 10+i))
			}
			var mu sync.Mutex
			byStatus := map[int]int{}
			var wg sync.WaitGroup
			for i := range tt.attempts {
				wg.Add(1)
				go func() {
					defer wg.Done()
					guess := fmt.Sprintf("%s%040d", owner[:12], i)
					r := send(t, clients[i%tt.addresses], http.MethodPost, h.url+"/graphql", guess, checksQuery)
					mu.Lock()
					byStatus[r.status]++
					mu.Unlock()
				}()
			}
			wg.Wait()
			if byStatus[http.StatusUnauthorized] > tt.maxPassed || byStatus[http.StatusUnauthorized]+byStatus[http.StatusTooManyRequests] != tt.attempts {
				t.Errorf("answers by status: %v; want at most %d looked up (401), the rest 429", byStatus, tt.maxPassed)
			}
			if r := send(t, clients[0], http.MethodPost, h.url+"/graphql", owner, tracesQuery); r.status != http.StatusOK || r.code != "" {
				t.Errorf("the owner after the guessing: %+v", r)
			}
		})
	}
}

func TestLockoutThenAdminUnlock(t *testing.T) {
	lots := access.Budget{PerSecond: 1000, Burst: 1000}
	g := access.Guard{Failures: lots, Prefix: lots, Anonymous: lots, BackoffAfter: 1000, LockAfter: 5, Recheck: 0}
	h := guardHarness(t, g)
	guesser := clientFrom("127.0.0.5")
	// The guessed token has not been used: nothing tells its owner from
	// the guesser.
	_, victim, err := h.store.CreateToken(context.Background(), "test", "victim", "editor", nil)
	if err != nil {
		t.Fatal(err)
	}
	target := victim[:12]
	guess := func(c *http.Client, prefix string, i int) reply {
		return send(t, c, http.MethodPost, h.url+"/graphql", fmt.Sprintf("%s%040d", prefix, i), checksQuery)
	}
	for i := range g.LockAfter {
		if r := guess(guesser, target, i); r.status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %+v", i, r)
		}
	}
	steps := []struct {
		name   string
		client *http.Client
		prefix string
		status int
		code   string
	}{
		{"SameAddress", guesser, target, http.StatusForbidden, "LOCKED_OUT"},
		{"SameAddressOtherPrefix", guesser, "kedja_Other1", http.StatusForbidden, "LOCKED_OUT"},
		{"OtherAddressSamePrefix", clientFrom("127.0.0.6"), target, http.StatusForbidden, "LOCKED_OUT"},
		{"OtherAddressOtherPrefix", clientFrom("127.0.0.6"), "kedja_Other1", http.StatusUnauthorized, "UNAUTHENTICATED"},
	}
	for _, s := range steps {
		if r := guess(s.client, s.prefix, 99); r.status != s.status || r.code != s.code {
			t.Errorf("%s: %d %s; want %d %s", s.name, r.status, r.code, s.status, s.code)
		}
	}

	// A restart does not lift it.
	cfg := server.DefaultConfig
	cfg.Guard = g
	h = h.restart(t, cfg)
	if r := guess(guesser, "kedja_Other2", 1); r.status != http.StatusForbidden || r.code != "LOCKED_OUT" {
		t.Errorf("after a restart: %+v", r)
	}

	var locked struct{ Lockouts []struct{ Kind, Key string } }
	h.data(`{ lockouts { kind key failures lockedAt } }`, nil, &locked)
	if len(locked.Lockouts) != 2 || locked.Lockouts[0].Key != "127.0.0.5" || locked.Lockouts[1].Key != target {
		t.Fatalf("lockouts: %+v", locked.Lockouts)
	}
	lift := `mutation($t: String!) { liftLockout(target: $t) { kind key liftedBy } }`
	for _, role := range []string{"editor", "auditor", "dsr"} {
		if r := h.as(role).post(lift, map[string]any{"t": "127.0.0.5"}); r.code() != "FORBIDDEN" {
			t.Errorf("%s lifts a lock-out: %+v", role, r)
		}
	}
	var lifted struct {
		LiftLockout []struct{ Kind, Key, LiftedBy string }
	}
	h.data(lift, map[string]any{"t": "127.0.0.5"}, &lifted)
	if len(lifted.LiftLockout) != 1 || lifted.LiftLockout[0].Kind != "address" || lifted.LiftLockout[0].LiftedBy != "test admin" {
		t.Errorf("lifted: %+v", lifted)
	}
	if r := h.post(lift, map[string]any{"t": "127.0.0.5"}); r.code() != "NOT_FOUND" || r.field() != "target" {
		t.Errorf("lifting it again: %+v", r)
	}
	if n := h.count(`SELECT count(*) FROM audit_log WHERE operation = 'mutation liftLockout' AND outcome = 'ok' AND principal = 'test admin'`); n != 1 {
		t.Errorf("audited lifts: %d, want 1", n)
	}
	// The address tries again, its failures forgotten; the prefix stays
	// locked until lifted too (as kedja token unlock does).
	if r := guess(guesser, "kedja_Other3", 1); r.status != http.StatusUnauthorized {
		t.Errorf("the address after the lift: %+v", r)
	}
	if r := guess(guesser, target, 1); r.code != "LOCKED_OUT" {
		t.Errorf("the prefix before its lift: %+v", r)
	}
	if r := send(t, guesser, http.MethodPost, h.url+"/graphql", victim, checksQuery); r.code != "LOCKED_OUT" {
		t.Errorf("the token itself before its prefix's lift, never seen good: %+v", r)
	}
	if _, err := h.store.LiftLockout(context.Background(), "kedja token unlock", target); err != nil {
		t.Fatal(err)
	}
	if r := send(t, guesser, http.MethodPost, h.url+"/graphql", victim, checksQuery); r.status != http.StatusOK || r.code != "" {
		t.Errorf("the token after its prefix's lift: %+v", r)
	}
}

func TestAnonymousRequestsAreBudgeted(t *testing.T) {
	h := guardHarness(t, access.Guard{Anonymous: access.Budget{PerSecond: 0.001, Burst: 5}})
	flood := clientFrom("127.0.0.7")
	tests := []struct {
		name   string
		client *http.Client
		path   string
		status int
		code   string
	}{
		{"First", flood, "/graphql", 401, "UNAUTHENTICATED"},
		{"Second", flood, "/graphql", 401, "UNAUTHENTICATED"},
		{"Third", flood, "/traces/00000000000000000000000000000000.html", 401, "UNAUTHENTICATED"},
		{"Fourth", flood, "/graph/chain/1.svg", 401, "UNAUTHENTICATED"},
		{"Fifth", flood, "/graphql", 401, "UNAUTHENTICATED"},
		{"PastTheBudget", flood, "/graphql", 429, "RATE_LIMITED"},
		{"ReportPastTheBudget", flood, "/traces/00000000000000000000000000000000.html", 429, "RATE_LIMITED"},
		{"AnotherAddress", clientFrom("127.0.0.8"), "/graphql", 401, "UNAUTHENTICATED"},
	}
	for _, tt := range tests {
		method := http.MethodGet
		body := ""
		if tt.path == "/graphql" {
			method, body = http.MethodPost, checksQuery
		}
		if r := send(t, tt.client, method, h.url+tt.path, "", body); r.status != tt.status || r.code != tt.code {
			t.Errorf("%s: %d %s; want %d %s", tt.name, r.status, r.code, tt.status, tt.code)
		}
	}
	// A token is not held back by the anonymous flood from its address.
	if r := send(t, flood, http.MethodPost, h.url+"/graphql", h.tokens["editor"], checksQuery); r.status != 200 {
		t.Errorf("a token from the flooding address: %+v", r)
	}
}

// The lookup reads; a token's last use is written once, then not again
// within the minute, however many requests it makes.
func TestLastUseWrittenAtMostOnceAMinute(t *testing.T) {
	h := newHarness(t, false)
	lastUsed := `SELECT count(*) FROM api_tokens WHERE name = 'test editor' AND last_used_at IS NOT NULL`
	if n := h.count(lastUsed); n != 0 {
		t.Fatalf("used before any request: %d", n)
	}
	if r := h.as("editor").post(`{ checks { id } }`, nil); r.code() != "" {
		t.Fatal(r.Errors)
	}
	if n := h.count(lastUsed); n != 1 {
		t.Fatalf("not marked by the first request")
	}
	if _, err := h.store.DB().Exec(`UPDATE api_tokens SET last_used_at = NULL WHERE name = 'test editor'`); err != nil {
		t.Fatal(err)
	}
	for range 30 {
		h.as("editor").post(`{ checks { id } }`, nil)
	}
	if n := h.count(lastUsed); n != 0 {
		t.Errorf("written again within the minute")
	}
}

type traceCase struct {
	name, who string
	what      string // byID, byCase, reportBearer, reportJSON, picture
	ok        bool
}

// A second dsr user cannot list or open the first one's traces, by id, by
// case reference, by report or picture address; it is answered as for a
// trace that does not exist. Auditors and admins read all.
func TestDSRReadsOnlyItsOwnTraces(t *testing.T) {
	h := newHarness(t, true)
	_, second, err := h.store.CreateToken(context.Background(), "test", "second dsr", "dsr", nil)
	if err != nil {
		t.Fatal(err)
	}
	h.tokens["dsr2"] = second
	var made struct{ TraceCall struct{ ID string } }
	h.as("dsr").data(`mutation($r: ID!) { traceCall(region: $r, at: "2017-03-11T02:00", caseRef: "DSR-OWN-1") { id } }`,
		map[string]any{"r": h.orgID("Region Värmland")}, &made)
	id := made.TraceCall.ID
	const missing = "00000000000000000000000000000000"

	// What a missing trace looks like, to each way of asking.
	answer := func(who, what, id string) (bool, string) {
		c := h.as(who)
		switch what {
		case "byID":
			r := c.post(`query($id: ID!) { trace(id: $id) { id caseRef } }`, map[string]any{"id": id})
			var d struct{ Trace *struct{ ID string } }
			json.Unmarshal(r.Data, &d)
			return d.Trace != nil && len(r.Errors) == 0, fmt.Sprint(r.Status, r.Errors)
		case "byCase":
			ref := "DSR-OWN-1"
			if id == missing {
				ref = "DSR-NOBODY"
			}
			r := c.post(`query($c: String!) { traces(caseRef: $c) { nodes { id } pageInfo { hasNextPage } } }`, map[string]any{"c": ref})
			var d struct {
				Traces struct {
					Nodes    []struct{ ID string }
					PageInfo struct{ HasNextPage bool }
				}
			}
			json.Unmarshal(r.Data, &d)
			return len(d.Traces.Nodes) == 1, fmt.Sprint(r.Status, r.Errors, d.Traces.Nodes, d.Traces.PageInfo)
		}
		path := map[string]string{"reportBearer": "/traces/" + id + ".html", "reportJSON": "/traces/" + id + ".json",
			"picture": "/graph/trace/" + id + ".dot"}[what]
		resp := c.get(path)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode == 200, fmt.Sprint(resp.StatusCode, resp.Header.Get("Content-Type"), string(b))
	}
	var tests []traceCase
	for _, what := range []string{"byID", "byCase", "reportBearer", "reportJSON", "picture"} {
		tests = append(tests,
			traceCase{"Maker/" + what, "dsr", what, true},
			traceCase{"SecondDSR/" + what, "dsr2", what, false},
			traceCase{"Auditor/" + what, "auditor", what, true},
			traceCase{"Admin/" + what, "admin", what, true})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, got := answer(tt.who, tt.what, id)
			if ok != tt.ok {
				t.Fatalf("read %v (%s); want %v", ok, got, tt.ok)
			}
			if !tt.ok {
				// Exactly as a trace that does not exist.
				_, none := answer(tt.who, tt.what, missing)
				if got != none {
					t.Errorf("another's trace answers\n%s\nwhere a missing one answers\n%s", got, none)
				}
			}
		})
	}
}

// The report link a trace gives opens without a header until it expires,
// for that file only.
func TestSignedReportLinks(t *testing.T) {
	h := newHarness(t, true)
	region := h.orgID("Region Värmland")
	link := func(caseRef string) (id, u string) {
		var made struct {
			TraceCall struct{ ID, ReportURL string }
		}
		h.as("dsr").data(`mutation($r: ID!, $c: String!) { traceCall(region: $r, at: "2017-03-11T02:00", caseRef: $c) { id reportUrl } }`,
			map[string]any{"r": region, "c": caseRef}, &made)
		return made.TraceCall.ID, made.TraceCall.ReportURL
	}
	idA, linkA := link("DSR-LINK-A")
	idB, _ := link("DSR-LINK-B")
	pathA, query, ok := strings.Cut(linkA, "?")
	if !ok || pathA != "/traces/"+idA+".html" {
		t.Fatalf("reportUrl %q", linkA)
	}
	q, _ := url.ParseQuery(query)
	altered := url.Values{"exp": q["exp"], "by": q["by"], "sig": {strings.Repeat("A", len(q.Get("sig")))}}
	tests := []struct {
		name   string
		path   string
		skew   time.Duration
		token  string
		status int
		want   string // in the body
	}{
		{"NoHeader", linkA, 0, "", 200, "DSR-LINK-A"},
		{"JustBeforeExpiry", linkA, 14 * time.Minute, "", 200, "DSR-LINK-A"},
		{"Expired", linkA, 15 * time.Minute, "", 403, "LINK_INVALID"},
		{"Tampered", pathA + "?" + altered.Encode(), 0, "", 403, "LINK_INVALID"},
		{"MovedToAnotherTrace", "/traces/" + idB + ".html?" + query, 0, "", 403, "LINK_INVALID"},
		{"MovedToJSON", "/traces/" + idA + ".json?" + query, 0, "", 403, "LINK_INVALID"},
		{"NoLinkNoHeader", pathA, 0, "", 401, "UNAUTHENTICATED"},
		// Without a valid link the bearer token's role and scope decide.
		{"ExpiredWithMakersToken", linkA, time.Hour, "dsr", 200, "DSR-LINK-A"},
		{"ExpiredWithAnotherDSR", linkA, time.Hour, "dsr2", 404, ""},
	}
	_, second, err := h.store.CreateToken(context.Background(), "test", "second dsr", "dsr", nil)
	if err != nil {
		t.Fatal(err)
	}
	h.tokens["dsr2"] = second
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.linkSkew.Store(int64(tt.skew))
			defer h.linkSkew.Store(0)
			r := send(t, http.DefaultClient, http.MethodGet, h.url+tt.path, h.tokens[tt.token], "")
			if r.status != tt.status || !strings.Contains(r.body, tt.want) {
				t.Errorf("%d %.200s; want %d with %q", r.status, r.body, tt.status, tt.want)
			}
		})
	}
	// Every read is audited, the link's ones as the token it was made for.
	if n := h.count(`SELECT count(*) FROM audit_log WHERE operation = 'report html' AND outcome = 'ok' AND principal = 'test dsr (signed link)'`); n != 2 {
		t.Errorf("reads by link audited: %d, want 2", n)
	}
	// A link dies with its token.
	if _, err := h.store.RevokeToken(context.Background(), h.tokens["dsr"][:12]); err != nil {
		t.Fatal(err)
	}
	if r := send(t, http.DefaultClient, http.MethodGet, h.url+linkA, "", ""); r.status != 403 {
		t.Errorf("after its token's revocation: %d", r.status)
	}
}
