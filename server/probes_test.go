package server_test

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/server"
)

// probeRequest is one HTTP request of a probe.
type probeRequest struct {
	method, path, contentType, body string
}

// graphqlPost is a GraphQL request as scanners send it: POST, JSON.
func graphqlPost(query string) probeRequest {
	b, _ := json.Marshal(map[string]string{"query": query})
	return probeRequest{http.MethodPost, "/graphql", "application/json", string(b)}
}

// probeAnswer is what the server said to a probe.
type probeAnswer struct {
	status int
	body   []byte
	resp   response
	top    map[string]json.RawMessage // the answer's top-level members, if it is a JSON object
}

var probeClient = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (h *harness) probe(r probeRequest) probeAnswer {
	h.t.Helper()
	req, err := http.NewRequest(r.method, h.url+r.path, strings.NewReader(r.body))
	if err != nil {
		h.t.Fatal(err)
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	req.Header.Set("Accept", "text/html,application/json")
	if h.token != "" {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	// Redirects are answers too (the pages send a browser without a
	// session to sign in): a probe sees them, not the page they lead to.
	resp, err := probeClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	a := probeAnswer{status: resp.StatusCode}
	a.body, _ = io.ReadAll(resp.Body)
	_ = json.Unmarshal(a.body, &a.resp)
	_ = json.Unmarshal(a.body, &a.top)
	a.resp.Status = resp.StatusCode
	return a
}

// refusedAs says whether a is the refusal status with code, and carries no
// data.
func (a probeAnswer) refusedAs(status int, code string) bool {
	data := strings.TrimSpace(string(a.top["data"]))
	return a.status == status && a.resp.code() == code && (data == "" || data == "null")
}

// leaks lists what an answer must never hold, whoever asks: the schema's
// names suggested, debugging or tracing output, stack traces, an IDE.
func (a probeAnswer) leaks() []string {
	var found []string
	for _, s := range []string{"Did you mean", "stacktrace", "exception", "tracing", "runtime error", "goroutine ",
		"graphiql.min.css", "GraphQL Playground", "GraphiQL", "graphql-playground"} {
		if bytes.Contains(bytes.ToLower(a.body), bytes.ToLower([]byte(s))) {
			found = append(found, s)
		}
	}
	if _, ok := a.top["extensions"]; ok {
		found = append(found, "top-level extensions")
	}
	for _, e := range a.resp.Errors {
		for k := range e.Extensions {
			if k != "code" && k != "field" {
				found = append(found, "error extension "+k)
			}
		}
	}
	return found
}

// roles are the callers every probe is tried as: anonymous, then a token of
// each role.
var probeRoles = append([]string{""}, registry.AccessRoles...)

// mayIntrospect says whether role may introspect: the roles whose tools
// build clients.
func mayIntrospect(role string) bool {
	return slices.Contains([]string{"admin", "editor", "auditor"}, role)
}

// The 13 probes of graphql-cop (the usual GraphQL scanner), sent as it sends
// them, without a token and with a token of each role. Each is refused:
// anonymous callers get 401 (or 429) before anything else; with a token,
// each probe's own refusal is given in its case. Introspection is the one
// probe answered, and only to the roles that build clients: costed and
// depth-limited like any query (the circular probe is refused to them).
// No answer to any of them suggests field names, carries tracing or debug
// extensions, a stack trace or an IDE.
func TestStandardProbesAreRefused(t *testing.T) {
	h := newHarness(t, false)
	aliases := server.Numbered("query { ", "alias%d:__typename \n", 101, " }")
	batch := "[" + strings.Repeat(`{"query":"query { __typename }"},`, 9) + `{"query":"query { __typename }"}]`
	get := func(q string) probeRequest {
		return probeRequest{http.MethodGet, "/graphql?" + url.Values{"query": {q}}.Encode(), "", ""}
	}
	type want struct {
		status int
		code   string
	}
	// same is the refusal of a probe whatever the role.
	same := func(status int, code string) func(string) want {
		return func(string) want { return want{status, code} }
	}
	tests := []struct {
		name     string
		requests []probeRequest
		// want is the refusal each role gets; a 200 with no code is an
		// answer, checked by check.
		want  func(role string) want
		check func(t *testing.T, role string, a probeAnswer)
	}{
		{"AliasOverloading", []probeRequest{graphqlPost(aliases)}, same(400, "ALIAS_LIMIT"), nil},
		{"BatchQueries", []probeRequest{{http.MethodPost, "/graphql", "application/json", batch}}, same(400, "BATCH_NOT_SUPPORTED"), nil},
		{"GetBasedQuery", []probeRequest{get("{__typename}")}, same(405, "METHOD_NOT_ALLOWED"), nil},
		{"PostUrlencodedQuery", []probeRequest{{http.MethodPost, "/graphql?" + url.Values{"query": {"query {__typename}"}}.Encode(),
			"application/x-www-form-urlencoded", url.Values{"query": {"query {__typename}"}}.Encode()}}, same(415, "UNSUPPORTED_MEDIA_TYPE"), nil},
		{"GetBasedMutation", []probeRequest{get("mutation {__typename}")}, same(405, "METHOD_NOT_ALLOWED"), nil},
		// Refused means answered without any tracing or debug extension.
		{"TracingMode", []probeRequest{graphqlPost("query { __typename }")}, same(200, ""), func(t *testing.T, _ string, a probeAnswer) {
			if string(a.top["data"]) != `{"__typename":"Query"}` {
				t.Errorf("data %s", a.top["data"])
			}
		}},
		{"FieldDuplication", []probeRequest{graphqlPost("query { " + strings.Repeat("__typename \n", 500) + "} ")}, same(400, "FIELD_LIMIT"), nil},
		{"FieldSuggestions", []probeRequest{graphqlPost("query { __schema { directive } }")}, same(400, "GRAPHQL_VALIDATION_FAILED"), nil},
		// Not graphql-cop's: a typo outside introspection, for every role.
		{"FieldSuggestionsOnATypo", []probeRequest{graphqlPost("{ organisatio { id } traces(caseRef: \"x\") { caseRf } }")}, same(400, "GRAPHQL_VALIDATION_FAILED"), nil},
		// Refused means no IDE page at any of the paths scanners try; the
		// checks on every answer look for one.
		{"GraphiQL", []probeRequest{{http.MethodGet, "/graphiql", "", ""}, {http.MethodGet, "/playground", "", ""},
			{http.MethodGet, "/console", "", ""}, {http.MethodGet, "/graphql", "", ""}}, nil, func(t *testing.T, role string, a probeAnswer) {
			if a.status == 200 {
				t.Errorf("answered 200: %.200s", a.body)
			}
		}},
		{"Introspection", []probeRequest{graphqlPost("query { __schema { types { name fields { name } } } }")}, func(role string) want {
			if mayIntrospect(role) {
				return want{200, ""}
			}
			return want{403, "FORBIDDEN"}
		}, func(t *testing.T, role string, a probeAnswer) {
			if mayIntrospect(role) && !bytes.Contains(a.top["data"], []byte(`"name":"Organisation"`)) {
				t.Errorf("the schema was not answered: %.200s", a.body)
			}
		}},
		{"DirectiveOverloading", []probeRequest{graphqlPost("query { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }")}, same(400, "DIRECTIVE_LIMIT"), func(t *testing.T, _ string, a probeAnswer) {
			if len(a.resp.Errors) != 1 {
				t.Errorf("%d errors, want 1", len(a.resp.Errors))
			}
		}},
		{"CircularIntrospection", []probeRequest{graphqlPost("query { __schema { types { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } }")},
			func(role string) want {
				if mayIntrospect(role) {
					return want{400, "INTROSPECTION_DEPTH_LIMIT"}
				}
				return want{403, "FORBIDDEN"}
			}, nil},
		{"UnhandledErrors", []probeRequest{graphqlPost("qwerty cop { abc }")}, same(400, "GRAPHQL_VALIDATION_FAILED"), nil},
	}
	for _, tt := range tests {
		for _, role := range probeRoles {
			t.Run(tt.name+"/"+cmp.Or(role, "anonymous"), func(t *testing.T) {
				hh := h.as(role).with(t)
				for _, req := range tt.requests {
					a := hh.probe(req)
					if leaks := a.leaks(); len(leaks) > 0 {
						t.Errorf("%s %s: the answer holds %v: %.300s", req.method, req.path, leaks, a.body)
					}
					switch {
					case role == "" && strings.HasPrefix(req.path, "/graphql"):
						if !a.refusedAs(401, "UNAUTHENTICATED") && !a.refusedAs(429, "RATE_LIMITED") {
							t.Errorf("anonymous: %d %s, want 401 UNAUTHENTICATED", a.status, a.body)
						}
						continue
					case tt.want == nil:
					default:
						w := tt.want(role)
						if w.status == 200 {
							if a.status != 200 || len(a.resp.Errors) > 0 {
								t.Errorf("got %d %s, want an answer", a.status, a.body)
							}
						} else if !a.refusedAs(w.status, w.code) {
							t.Errorf("got %d %.300s, want %d %s and no data", a.status, a.body, w.status, w.code)
						}
					}
					if tt.check != nil {
						tt.check(t, role, a)
					}
				}
			})
		}
	}
}

// The bombs found against the running service are refused, each measured
// (logged, not asserted: timings belong in benchmarks). Introspection bombs
// go four at once, as they did.
func TestBombsAreRefused(t *testing.T) {
	h := newHarness(t, false)
	vars := func(n int) string { return server.Numbered("query(", "$v%d: Int ", n, ") { __typename }") }
	manyVars := map[string]any{}
	for i := range 51 {
		manyVars[fmt.Sprint("v", i)] = i
	}
	directives := func(n int) string { return server.Numbered("{ __typename ", "@unknown%d ", n, "}") }
	full, err := os.ReadFile("testdata/introspection.graphql")
	if err != nil {
		t.Fatal(err)
	}
	// Ten full introspections under aliases: each allowed, together too
	// costly.
	var tenFull strings.Builder
	tenFull.WriteString("{ ")
	for i := range 10 {
		fmt.Fprintf(&tenFull, "a%d: __schema { types { ...FullType } } ", i)
	}
	tenFull.WriteString("} ")
	tenFull.Write(full[bytes.Index(full, []byte("fragment FullType")):])
	circular := "{ __schema { types { " + strings.Repeat("fields { type { ", 4) + "name" + strings.Repeat(" } }", 4) + " } } }"

	tests := []struct {
		name, query string
		vars        map[string]any
		roles       []string
		parallel    int
		status      int
		code        string
	}{
		{"FourThousandUnusedVariables", vars(4000), nil, []string{"dsr", "admin"}, 1, 400, "QUERY_TOO_LARGE"},
		{"FiftyThousandVariables", vars(50000), nil, []string{"dsr", "admin"}, 1, 400, "QUERY_TOO_LARGE"},
		{"FiftyOneVariablesDeclared", vars(51), nil, []string{"dsr"}, 1, 400, "VARIABLE_LIMIT"},
		{"FiftyOneVariablesSent", "{ __typename }", manyVars, []string{"dsr"}, 1, 400, "VARIABLE_LIMIT"},
		{"TwentyOneUnknownDirectives", directives(21), nil, []string{"dsr"}, 1, 400, "DIRECTIVE_LIMIT"},
		{"CircularIntrospection", circular, nil, []string{"admin", "auditor"}, 4, 400, "INTROSPECTION_DEPTH_LIMIT"},
		{"TenFullIntrospections", tenFull.String(), nil, []string{"admin", "editor"}, 4, 400, "COST_LIMIT"},
		{"IntrospectionByDSR", circular, nil, []string{"dsr"}, 4, 403, "FORBIDDEN"},
	}
	for _, tt := range tests {
		for _, role := range tt.roles {
			t.Run(tt.name+"/"+role, func(t *testing.T) {
				hh := h.as(role).with(t)
				body, _ := json.Marshal(map[string]any{"query": tt.query, "variables": tt.vars})
				answers := make([]probeAnswer, tt.parallel)
				took := make([]time.Duration, tt.parallel)
				var wg sync.WaitGroup
				for i := range tt.parallel {
					wg.Go(func() {
						start := time.Now()
						answers[i] = hh.probe(probeRequest{http.MethodPost, "/graphql", "application/json", string(body)})
						took[i] = time.Since(start)
					})
				}
				wg.Wait()
				for i, a := range answers {
					if !a.refusedAs(tt.status, tt.code) {
						t.Errorf("got %d %.300s, want %d %s", a.status, a.body, tt.status, tt.code)
					}
					t.Logf("%d bytes refused %s in %v", len(body), a.resp.code(), took[i].Round(time.Millisecond))
				}
			})
		}
	}
}

// However many mistakes a request makes, its answer holds at most five
// errors, the last saying how many more there were: before validation
// (ten unknown directives) and during execution (ten fields a role may not
// read).
func TestAtMostFiveErrors(t *testing.T) {
	h := newHarness(t, false)
	directives := server.Numbered("{ __typename ", "@unknown%d ", 10, "}")
	forbidden := server.Numbered("{ ", `o%[1]d: organisation(id: "%[1]d") { id } `, 10, "}")
	tests := []struct {
		name, role, query string
		status            int
		first             string
	}{
		{"UnknownDirectives", "editor", directives, 400, "GRAPHQL_VALIDATION_FAILED"},
		{"ForbiddenFields", "dsr", forbidden, 200, "FORBIDDEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.as(tt.role).with(t).post(tt.query, nil)
			if r.Status != tt.status || len(r.Errors) != 5 || r.code() != tt.first {
				t.Fatalf("got %d with %d errors %+v; want %d, five errors, the first %s", r.Status, len(r.Errors), r.Errors, tt.status, tt.first)
			}
			last := r.Errors[4]
			if last.Extensions["code"] != "TOO_MANY_ERRORS" || last.Message != "6 more errors not shown; at most 5 are reported" {
				t.Errorf("last error %+v", last)
			}
		})
	}
}

// Integrators' tools introspect with graphql-js's standard query, answered
// in full; a dsr user is refused it.
func TestStandardIntrospectionForIntegrators(t *testing.T) {
	h := newHarness(t, false)
	q, err := os.ReadFile("testdata/introspection.graphql")
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range registry.AccessRoles {
		t.Run(role, func(t *testing.T) {
			r := h.as(role).with(t).post(string(q), nil)
			if !mayIntrospect(role) {
				if r.Status != 403 || r.code() != "FORBIDDEN" {
					t.Errorf("got %d %+v, want 403 FORBIDDEN", r.Status, r.Errors)
				}
				return
			}
			var out struct {
				Schema struct{ Types []struct{ Name string } } `json:"__schema"`
			}
			if err := json.Unmarshal(r.Data, &out); err != nil || len(r.Errors) > 0 || len(out.Schema.Types) < 100 {
				t.Errorf("got %d types, errors %+v (%v)", len(out.Schema.Types), r.Errors, err)
			}
		})
	}
}

// An answer larger than the configured bound is replaced by a refusal.
func TestResponseSizeIsBounded(t *testing.T) {
	cfg := server.DefaultConfig
	cfg.RatePerSecond, cfg.RateBurst = 1000, 1000
	cfg.MaxResponseBytes = 2000
	h := newHarnessWith(t, false, cfg)
	if r := h.post(`{ countries { code name } }`, nil); r.Status != 200 || r.code() != "RESPONSE_TOO_LARGE" || len(r.Data) > 0 && string(r.Data) != "null" {
		t.Errorf("got %d %+v (%d bytes of data)", r.Status, r.Errors, len(r.Data))
	}
	if r := h.post(`{ __typename }`, nil); r.code() != "" {
		t.Errorf("a small answer: %+v", r.Errors)
	}
}
