package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/graph/render"
	"github.com/kedja/kedja/graph/render/rendertest"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
	"github.com/kedja/kedja/schema"
	"github.com/kedja/kedja/server"
	"github.com/kedja/kedja/store"
)

// BenchmarkChainSynthetic measures the chain explorer for random
// controllers at random instants of the synthetic registry (kedja gen,
// 1,008,000 links; see the README's benchmark section): the page (the walk,
// its parties and systems, the timeline of the changes two years each side
// of the instant) and its picture, each answered whole over HTTP, as a
// signed-in admin.
// It needs that registry, which takes minutes to generate, so it runs only
// when KEDJA_BENCH_DATABASE_URL names it; KEDJA_BENCH_CONTROLLERS is the
// range of controller ids kedja gen printed (default 22-221).
func BenchmarkChainSynthetic(b *testing.B) {
	dbURL := os.Getenv("KEDJA_BENCH_DATABASE_URL")
	if dbURL == "" {
		b.Skip("set KEDJA_BENCH_DATABASE_URL to a registry kedja gen filled (README, Benchmark)")
	}
	first, last := int64(22), int64(221)
	if r := os.Getenv("KEDJA_BENCH_CONTROLLERS"); r != "" {
		lo, hi, _ := strings.Cut(r, "-")
		var err1, err2 error
		first, err1 = strconv.ParseInt(lo, 10, 64)
		last, err2 = strconv.ParseInt(hi, 10, 64)
		if err1 != nil || err2 != nil || last < first {
			b.Fatalf("KEDJA_BENCH_CONTROLLERS=%q: want FIRST-LAST", r)
		}
	}
	ctx := context.Background()
	s, err := store.Open(ctx, dbURL, "Europe/Stockholm", time.Minute)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	loc, _ := time.LoadLocation("Europe/Stockholm")
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	res := resolvers.New(s.Services(), log, loc)
	res.Pictures = rendertest.Pool(b, render.Options{Log: log})
	sch, err := schema.New(res)
	if err != nil {
		b.Fatal(err)
	}
	cfg := server.DefaultConfig
	cfg.RatePerSecond, cfg.RateBurst = 1000, 1000
	srv := httptest.NewServer(server.New(cfg, sch, res, log).Handler())
	b.Cleanup(srv.Close)
	tok, secret, err := s.CreateToken(ctx, "bench", "bench admin", registry.RoleAdmin, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.RevokeToken(context.Background(), strconv.FormatInt(tok.ID, 10)) }) //nolint:errcheck // the bench database's own
	st := &site{url: srv.URL, store: s, logs: logs, tokens: map[string]string{registry.RoleAdmin: secret}}
	c := st.client(b)
	c.signIn(registry.RoleAdmin)

	// As kedja bench picks them: a controller and an instant between 2005
	// and 2026, the same sequence in every run.
	rng := rand.New(rand.NewPCG(1, 1))
	from := time.Date(2005, 1, 1, 0, 0, 0, 0, time.UTC)
	span := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Sub(from)
	pick := func() (int64, string) {
		at := from.Add(time.Duration(rng.Int64N(int64(span)))).In(loc).Format("2006-01-02T15:04")
		return first + rng.Int64N(last-first+1), at
	}
	get := func(b *testing.B, path string) {
		if r, body := c.do("GET", path, nil); r.StatusCode != http.StatusOK {
			b.Fatalf("%s: %s\n%.500s", path, r.Status, body)
		}
	}
	for _, tt := range []struct {
		name string
		get  func(b *testing.B, ctrl int64, at string)
	}{
		{"Page", func(b *testing.B, ctrl int64, at string) {
			get(b, fmt.Sprintf("/chain?controller=%d&at=%s", ctrl, url.QueryEscape(at)))
		}},
		{"Picture", func(b *testing.B, ctrl int64, at string) {
			get(b, fmt.Sprintf("/chain/%d.svg?at=%s", ctrl, url.QueryEscape(at)))
		}},
		// What a browser waits for: the page, then the picture it shows.
		{"PageAndPicture", func(b *testing.B, ctrl int64, at string) {
			get(b, fmt.Sprintf("/chain?controller=%d&at=%s", ctrl, url.QueryEscape(at)))
			get(b, fmt.Sprintf("/chain/%d.svg?at=%s", ctrl, url.QueryEscape(at)))
		}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			var times []time.Duration
			for b.Loop() {
				ctrl, at := pick()
				t0 := time.Now()
				tt.get(b, ctrl, at)
				times = append(times, time.Since(t0))
			}
			slices.Sort(times)
			pct := func(p float64) float64 {
				return float64(times[min(int(p*float64(len(times))), len(times)-1)]) / float64(time.Millisecond)
			}
			b.ReportMetric(pct(0.5), "p50-ms")
			b.ReportMetric(pct(0.95), "p95-ms")
			b.ReportMetric(pct(1), "max-ms")
		})
	}
}
