package server_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

func TestTransportRefusals(t *testing.T) {
	h := newHarness(t, false)
	query := `{"query":"{ countries { code } }"}`
	tests := []struct {
		name        string
		method      string
		contentType string
		body        string
		wantStatus  int
		wantCode    string
	}{
		{"GetIsRefused", http.MethodGet, "", "", http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED"},
		{"FormPostIsRefused", http.MethodPost, "application/x-www-form-urlencoded", "query=%7Bcountries%7Bcode%7D%7D", http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
		{"TextPostIsRefused", http.MethodPost, "text/plain", query, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
		{"BatchIsRefused", http.MethodPost, "application/json", "[" + query + "," + query + "]", http.StatusBadRequest, "BATCH_NOT_SUPPORTED"},
		{"OversizedBodyIsRefused", http.MethodPost, "application/json", `{"query":"` + strings.Repeat(" ", 2<<20) + `{ countries { code } }"}`, http.StatusRequestEntityTooLarge, "BODY_TOO_LARGE"},
		{"NotJSON", http.MethodPost, "application/json", "{query", http.StatusBadRequest, "BAD_REQUEST"},
		{"NoQuery", http.MethodPost, "application/json", `{}`, http.StatusBadRequest, "BAD_REQUEST"},
		{"SyntaxError", http.MethodPost, "application/json", `{"query":"{ countries { code }"}`, http.StatusBadRequest, "GRAPHQL_VALIDATION_FAILED"},
		{"UnknownField", http.MethodPost, "application/json", `{"query":"{ passwords }"}`, http.StatusBadRequest, "GRAPHQL_VALIDATION_FAILED"},
		{"JSONWithCharsetIsAccepted", http.MethodPost, "application/json; charset=utf-8", query, http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.with(t).raw(tt.method, tt.contentType, bytes.NewReader([]byte(tt.body)))
			if r.Status != tt.wantStatus || r.code() != tt.wantCode {
				t.Errorf("got %d %q, want %d %q (%+v)", r.Status, r.code(), tt.wantStatus, tt.wantCode, r.Errors)
			}
		})
	}
}

func TestSecurityHeadersAndHealth(t *testing.T) {
	h := newHarness(t, false)
	resp, err := http.Get(h.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("health: got %d, want 200", resp.StatusCode)
	}
	for name, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Cache-Control":          "no-store",
		"X-Frame-Options":        "DENY",
	} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s: got %q, want %q", name, got, want)
		}
	}
}
