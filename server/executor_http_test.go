package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/kedja/kedja/graph/render"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// TestExecutorsAnswerAlike sends the same requests, over HTTP, to two
// servers on one registry (the demo, checks run): one answering queries
// with kedja's executor, one with graphql-go's. Their answers must be the
// same, byte for byte: every key, value, null, error and path.
func TestExecutorsAnswerAlike(t *testing.T) {
	url := storetest.Database(t)
	open := func() *store.Store { return storetest.StoreOn(t, url) }
	kedja := newHarnessOn(t, open(), true, harnessConfig(), render.Options{})
	cfg := harnessConfig()
	cfg.GraphQLGoExecutor = true
	graphqlGo := newHarnessOn(t, open(), false, cfg, render.Options{})
	if _, err := kedja.store.Services().Checks.RunChecks(context.Background(), registry.RunOptions{Trigger: "cli", Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	region := kedja.orgID("Region Värmland")
	tests := []struct {
		name  string
		role  string
		query string
		vars  map[string]any
	}{
		{name: "NestedProcurement", query: `query($at: Instant) { organisations(first: 10) { nodes { id legalName
			linksOut(at: $at) { id role validFrom validTo healthData to { id legalName kind country { code name }
			  systemUses(at: $at) { id purpose system { id name kind } } openFindings { id check severity status message since } } } } } }`,
			vars: map[string]any{"at": "2019-02-01T02:00+01:00"}},
		{name: "PagesAndCursors", query: `{ organisations(first: 3) { pageInfo { hasNextPage endCursor } nodes { id } } systems(first: 2) { nodes { id name } } }`},
		{name: "AliasesFragmentsDirectives", query: `query($skip: Boolean!) { a: organisation(id: "` + region + `") { ...Party b: legalName @skip(if: $skip) }
			b: organisation(id: "` + region + `") { ... on Organisation { id } kind @include(if: $skip) } __typename }
			fragment Party on Organisation { id legalName children { id } parent { id } }`, vars: map[string]any{"skip": false}},
		{name: "Chain", query: `query($c: ID!, $at: Instant!) { chain(controller: $c, at: $at) { at steps { to { id legalName } transferClass } } }`,
			vars: map[string]any{"c": region, "at": "2019-02-01T02:00+01:00"}},
		{name: "Responsibility", query: `query($p: ID, $at: Instant!) { responsibility(organisation: $p, at: $at) { missing { code link { id } } } }`,
			vars: map[string]any{"p": region, "at": "2019-02-01T02:00+01:00"}},
		{name: "Findings", query: `{ findings(filter: {status: OPEN}, first: 50) { nodes { id check severity status legalRef message since firstSeen lastSeen
			subjectParty { legalName } } } findingSummary { __typename } }`},
		{name: "Countries", query: `{ countries(eeaAt: "2019-01-01T00:00:00Z") { code name } checks { id } }`},
		{name: "NotFoundIsNull", query: `{ organisation(id: "999999") { id } link(id: "999999") { id } }`},
		{name: "ForbiddenField", role: "dsr", query: `{ organisations(first: 1) { nodes { id } } }`},
		{name: "ForbiddenNested", role: "auditor", query: `{ organisations(first: 2) { nodes { id legalName } } lockouts { __typename } }`},
		{name: "BadVariable", query: `query($at: Instant!) { chain(controller: "1", at: $at) { at } }`, vars: map[string]any{"at": "2019-13-45"}},
		{name: "Introspection", query: `{ __type(name: "Link") { name fields { name type { name kind ofType { name } } } } }`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			role := tc.role
			if role == "" {
				role = "admin"
			}
			ks, kb := rawAnswer(t, kedja, role, tc.query, tc.vars)
			gs, gb := rawAnswer(t, graphqlGo, role, tc.query, tc.vars)
			if ks != gs || !bytes.Equal(kb, gb) && !sameAnswer(t, kb, gb) {
				t.Fatalf("kedja's executor: %d %s\ngraphql-go's: %d %s", ks, kb, gs, gb)
			}
			if bytes.Contains(kb, []byte("GRAPHQL_VALIDATION_FAILED")) {
				t.Fatalf("the case's query is not valid: %s", kb)
			}
			t.Logf("%d bytes alike", len(kb))
		})
	}
}

// sameAnswer says whether two answers differ only in the order of their
// errors: graphql-go resolves a level's fields in map order, so its errors
// come in any order (kedja's executor gives them in key order).
func sameAnswer(t *testing.T, a, b []byte) bool {
	t.Helper()
	type answer struct {
		Data   json.RawMessage   `json:"data"`
		Errors []json.RawMessage `json:"errors"`
	}
	var x, y answer
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil || !bytes.Equal(x.Data, y.Data) || len(x.Errors) != len(y.Errors) {
		return false
	}
	seen := map[string]int{}
	for _, e := range x.Errors {
		seen[string(e)]++
	}
	for _, e := range y.Errors {
		if seen[string(e)] == 0 {
			return false
		}
		seen[string(e)]--
	}
	return true
}

// rawAnswer posts a GraphQL request as role and returns the status and the
// body as sent.
func rawAnswer(t *testing.T, h *harness, role, query string, vars map[string]any) (int, []byte) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, h.url+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+h.tokens[role])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}
