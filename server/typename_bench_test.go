package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kedja/kedja/graph/render"
	"github.com/kedja/kedja/graph/render/rendertest"
	"github.com/kedja/kedja/resolvers"
	"github.com/kedja/kedja/schema"
	"github.com/kedja/kedja/server"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// BenchmarkTypenameAuthenticated measures the cheapest authenticated
// request (issue 18): `{ __typename }` with a bearer token, through the
// server's handler in this process (no sockets: what is measured is the
// server's own work), with authentication, authorization and audit on as
// kedja serves them, against real PostgreSQL. Many parallel clients share
// a few tokens, as a client pool does; the token's rate is raised so that
// its budget is not what is measured.
//
// Besides ns/op, B/op and allocs/op it reports the process's CPU per
// request (user and system; steadier than ns/op on a loaded machine) and
// the SQL statements per request, the audit's group commits included.
//
//	go test ./server -run '^$' -bench BenchmarkTypenameAuthenticated -benchtime 20000x -count 3
func BenchmarkTypenameAuthenticated(b *testing.B) {
	s := storetest.Store(b)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	res := resolvers.New(s.Services(), log, stockholm)
	res.Pictures = rendertest.Pool(b, render.Options{})
	sch, err := schema.New(res)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.StartAuditWriter(store.AuditWriterOptions{Log: log}); err != nil {
		b.Fatal(err)
	}
	// As kedja serve runs it.
	if err := s.StartTokenCache(context.Background(), store.TokenCacheOptions{Log: log}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.CloseTokenCache(context.Background()) })
	cfg := server.DefaultConfig
	cfg.RatePerSecond, cfg.RateBurst = 1e9, 1<<30
	api := server.New(cfg, sch, res, log)
	b.Cleanup(func() {
		api.Close(context.Background())
		if err := s.CloseAuditWriter(context.Background()); err != nil {
			b.Errorf("close the audit writer: %v", err)
		}
	})
	h := api.Handler()
	var secrets []string
	for _, name := range []string{"a", "b", "c", "d"} {
		_, secret, err := s.CreateToken(context.Background(), "bench", "bench "+name, "auditor", nil)
		if err != nil {
			b.Fatal(err)
		}
		secrets = append(secrets, secret)
	}
	const body = `{"query":"{ __typename }"}`
	const want = `{"data":{"__typename":"Query"}}` + "\n"
	var next atomic.Int64
	serve := func() error {
		i := next.Add(1)
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.RemoteAddr = "127.0.0.1:40000"
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+secrets[int(i)%len(secrets)])
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK || w.Body.String() != want {
			return &badAnswer{w.Code, w.Body.String()}
		}
		return nil
	}
	// Warm up: the tokens' first lookups, the document cache, the pool.
	for range 200 {
		if err := serve(); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.FlushAudit(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetParallelism(8)
	statements, cpu := s.Statements(), processCPU()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := serve(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	// The rows queued during the run are committed within it: their cost
	// is the request's.
	if err := s.FlushAudit(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
	b.ReportMetric(float64(s.Statements()-statements)/float64(b.N), "sql/op")
}

type badAnswer struct {
	status int
	body   string
}

func (e *badAnswer) Error() string { return "status " + http.StatusText(e.status) + ": " + e.body }
