package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// FuzzGraphQLRequest throws arbitrary bodies at the GraphQL endpoint, with a
// valid token: whatever arrives, the server answers JSON with a status it
// means, and never a 500 or a panic. CI runs it briefly (make fuzz).
func FuzzGraphQLRequest(f *testing.F) {
	for _, seed := range []string{
		`{"query":"{ checks { id } }"}`,
		`{"query":"query($id: ID!) { organisation(id: $id) { legalName } }","variables":{"id":"1"}}`,
		`{"query":"mutation { createOrganisation(input: {legalName: \"x\", country: \"SE\", kind: COMPANY}) { id } }"}`,
		`{"query":"{ organisation(id: \"1\") { parent { parent { parent { id } } } } }"}`,
		`{"query":"{ a: checks { id } b: checks { id } }","operationName":"x"}`,
		`[{"query":"{ checks { id } }"}]`,
		`{"query":"{ chain(controller: \"1\", at: \"2019-13-45\") { at } }"}`,
		`{"query":"fragment f on Query { ...f } { ...f }"}`,
		`{"query":"mutation { traceCall(region: \"1\", at: \"2020-01-01\", caseRef: \"\u0000\") { id } }"}`,
		`{"query": 5}`, `null`, ``, `{`,
		`{"query":"query($A0:){A}"}`, // crashed graphql-go's validator

	} {
		f.Add(seed)
	}
	h := newHarness(f, false)
	f.Fuzz(func(t *testing.T, body string) {
		req, _ := http.NewRequest(http.MethodPost, h.url+"/graphql", bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+h.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		switch resp.StatusCode {
		case 200, 400, 413, 429:
		default:
			t.Fatalf("status %d for %q: %s", resp.StatusCode, body, b)
		}
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("answer is not a JSON object for %q: %s", body, b)
		}
		if errs, ok := v["errors"].([]any); ok {
			for _, e := range errs {
				if m, _ := e.(map[string]any)["message"].(string); bytes.Contains([]byte(m), []byte("pq:")) {
					t.Fatalf("a database error reached the caller: %s", m)
				}
			}
		}
	})
}
