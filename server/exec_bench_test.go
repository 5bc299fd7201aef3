package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kedja/kedja/demo"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
	"github.com/kedja/kedja/schema"
	"github.com/kedja/kedja/server"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// nestedProcurementQuery is the nested query of issue 18: ten
// organisations, the links they hand data on by, the receiving party of
// each, and what that party runs and what is open about it.
const nestedProcurementQuery = `query Procurement($at: Instant) { organisations(first: 10, filter: {nameContains: "Synthetic T"}) { nodes { id legalName
  linksOut(at: $at) { id role validFrom validTo healthData
    to { id legalName kind
      systemUses(at: $at) { id purpose system { id name } }
      openFindings { id check severity status message } } } } } }`

// execBench is a server on a small synthetic registry (checks run, so
// findings are open), called in-process: what is measured is kedja's own
// path (authentication, limits, execution, audit), not a client or TCP.
type execBench struct {
	h     http.Handler
	token string
	store *store.Store
}

func newExecBench(b *testing.B, graphqlGo bool) *execBench {
	b.Helper()
	s := storetest.Store(b)
	ctx := context.Background()
	if _, _, err := demo.Generate(ctx, s.DB(), demo.Scaled(0.005), io.Discard); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Services().Checks.RunChecks(ctx, registry.RunOptions{Trigger: "cli", Actor: "bench"}); err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	res := resolvers.New(s.Services(), log, stockholm)
	sch, err := schema.New(res)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.StartAuditWriter(store.AuditWriterOptions{Log: log}); err != nil {
		b.Fatal(err)
	}
	// As kedja serve: a token that authenticated is answered from memory.
	if err := s.StartTokenCache(ctx, store.TokenCacheOptions{Log: log}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := s.CloseTokenCache(context.Background()); err != nil {
			b.Errorf("close the token cache: %v", err)
		}
	})
	cfg := server.DefaultConfig
	cfg.RatePerSecond, cfg.RateBurst = 1e9, 1<<30 // the limit is not what is measured
	cfg.GraphQLGoExecutor = graphqlGo
	api := server.New(cfg, sch, res, log)
	b.Cleanup(func() {
		api.Close(context.Background())
		if err := s.CloseAuditWriter(context.Background()); err != nil {
			b.Errorf("close the audit writer: %v", err)
		}
	})
	_, secret, err := s.CreateToken(ctx, "bench", "bench admin", "admin", nil)
	if err != nil {
		b.Fatal(err)
	}
	return &execBench{h: api.Handler(), token: secret, store: s}
}

// run serves body b.N times, each answer checked, and reports the process's
// CPU and the SQL statements (authentication, reads and the audit's group
// commit, flushed before counting) per request.
func (e *execBench) run(b *testing.B, body string, want string) {
	b.Helper()
	serve := func() string {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.token)
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"errors"`) {
			b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
		return rec.Body.String()
	}
	got := serve()
	b.Logf("answer %d bytes, %d ids", len(got), strings.Count(got, `"id"`))
	if !strings.Contains(got, want) {
		b.Fatalf("the answer lacks %q: %.500s", want, got)
	}
	if err := e.store.FlushAudit(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	stmts, cpu := e.store.Statements(), processCPU()
	b.ResetTimer()
	for b.Loop() {
		serve()
	}
	b.StopTimer()
	if err := e.store.FlushAudit(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(e.store.Statements()-stmts)/float64(b.N), "stmts/op")
	b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
}

// BenchmarkNestedProcurementQuery and BenchmarkTypename measure what one
// request costs kedja: CPU of this process (server and in-process client),
// allocations and SQL statements. Compare a change with its base in the
// same run, interleaved:
//
//	go test ./server -run '^$' -bench 'NestedProcurement|Typename' -benchmem -count 6
//
// Each runs under kedja's executor and under graphql-go's (the baseline),
// on registries generated alike.
func BenchmarkNestedProcurementQuery(b *testing.B) {
	for _, ex := range executors {
		b.Run("executor="+ex.name, func(b *testing.B) {
			e := newExecBench(b, ex.graphqlGo)
			e.run(b, `{"query":`+quote(nestedProcurementQuery)+`,"variables":{"at":"2026-01-01T00:00:00Z"}}`, `"systemUses":[{`)
		})
	}
}

func BenchmarkTypename(b *testing.B) {
	for _, ex := range executors {
		b.Run("executor="+ex.name, func(b *testing.B) {
			e := newExecBench(b, ex.graphqlGo)
			e.run(b, `{"query":"{ __typename }"}`, `{"data":{"__typename":"Query"}}`)
		})
	}
}

var executors = []struct {
	name      string
	graphqlGo bool
}{{"kedja", false}, {"graphql-go", true}}

func quote(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			sb.WriteByte('\\')
			sb.WriteRune(r)
		case '\n':
			sb.WriteString(`\n`)
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}
