package server_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/server"
)

// A flood of anonymous requests is sampled in the request log as it is in
// the audit log: per address, reason and minute the first refusal is
// logged, the rest only counted. Requests with a token are each logged.
func TestAnonymousRefusalsAreLoggedBySample(t *testing.T) {
	cfg := server.DefaultConfig
	cfg.RatePerSecond, cfg.RateBurst = 1000, 1000
	cfg.Guard.Anonymous = access.Budget{PerSecond: 0.001, Burst: 3}
	cfg.AnonymousDelay = 0 // what is held back is not what is tested
	h := newHarnessWith(t, false, cfg)
	// Sampled per minute: a test that spans a minute's end may see each
	// refusal logged once in each minute.
	from := time.Now().UTC().Truncate(time.Minute)
	flooder, other := clientFrom("127.0.0.11"), clientFrom("127.0.0.12")
	for range 10 {
		send(t, flooder, http.MethodPost, h.url+"/graphql", "", checksQuery)
	}
	send(t, other, http.MethodPost, h.url+"/graphql", "", checksQuery)
	for range 2 {
		if r := send(t, flooder, http.MethodPost, h.url+"/graphql", h.tokens["editor"], checksQuery); r.status != http.StatusOK {
			t.Fatalf("with a token: %+v", r)
		}
	}
	tests := []struct {
		name, remote string
		status       int
		want         int
		perMinute    bool // sampled: want in each minute the test spans
	}{
		{"FirstOfTheBudget", "127.0.0.11", http.StatusUnauthorized, 1, true},
		{"FirstPastTheBudget", "127.0.0.11", http.StatusTooManyRequests, 1, true},
		{"AnotherAddress", "127.0.0.12", http.StatusUnauthorized, 1, true},
		{"EachWithAToken", "127.0.0.11", http.StatusOK, 2, false},
	}
	logs := h.logs.String()
	minutes := int(time.Now().UTC().Truncate(time.Minute).Sub(from)/time.Minute) + 1
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := fmt.Sprintf("status=%d ", tt.status)
			var n int
			for l := range strings.Lines(logs) {
				if strings.Contains(l, "msg=request ") && strings.Contains(l, line) && strings.Contains(l, "remote="+tt.remote) {
					n++
				}
			}
			if n != tt.want && !(tt.perMinute && n >= tt.want && n <= tt.want*minutes) {
				t.Errorf("%d request lines with %sfrom %s; want %d\n%s", n, line, tt.remote, tt.want, logs)
			}
		})
	}
}

// A request without a token past its address's budget is held back before
// its 429, so that a flooding connection sends one request a delay rather
// than as many as the server can refuse.
func TestAnonymousRefusalsAreHeldBack(t *testing.T) {
	tests := []struct {
		name    string
		delay   time.Duration
		past    bool // past the address's budget
		wantErr error
		status  int
	}{
		{"PastTheBudgetHeld", time.Hour, true, context.DeadlineExceeded, 0},
		{"WithinTheBudgetAnsweredAtOnce", time.Hour, false, nil, http.StatusUnauthorized},
		{"DelayOff", 0, true, nil, http.StatusTooManyRequests},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := server.DefaultConfig
			cfg.Guard.Anonymous = access.Budget{PerSecond: 0.001, Burst: 1}
			cfg.AnonymousDelay = tt.delay
			h := newHarnessWith(t, false, cfg)
			client := clientFrom("127.0.0.13")
			if tt.past {
				send(t, client, http.MethodPost, h.url+"/graphql", "", checksQuery)
			}
			// Long enough for any answer not held back on a loaded machine.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.url+"/graphql", strings.NewReader(checksQuery))
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err %v; want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status %d; want %d", resp.StatusCode, tt.status)
			}
			if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") != "1" {
				t.Errorf("Retry-After %q; want 1", resp.Header.Get("Retry-After"))
			}
		})
	}
}
