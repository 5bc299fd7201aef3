// Package server is kedja's HTTP face: the GraphQL endpoint, the health
// check, and the limits and headers every response gets.
package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/graph"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

// Config holds the server's limits.
type Config struct {
	MaxBodyBytes int64         // largest request body accepted
	Timeout      time.Duration // longest a GraphQL request may run, validation included
	// MaxResponseBytes bounds a GraphQL answer; the cost limit bounds the
	// work and memory behind it.
	MaxResponseBytes int
	Limits           Limits
	RatePerSecond    float64 // requests per second per token
	RateBurst        int
	// Guard limits attempts with unknown secrets and requests without a
	// token (its Token budget is RatePerSecond and RateBurst).
	Guard        access.Guard
	PictureLimit int // nodes a picture draws before summarising
	// AnonymousDelay holds back the answer to a request without a token
	// past its address's budget (see holdBack); 0 answers at once.
	AnonymousDelay time.Duration
	// Readiness are what /readyz checks besides the database (migrations
	// applied, the check scheduler running, ...); kedja serve sets them.
	Readiness []Probe
	// RetryAfter is what a 503 for an unreachable database tells clients
	// to wait, in seconds.
	RetryAfter int
	// Metrics, if set, measures requests (NewMetrics); CountStatements
	// then counts each GraphQL request's SQL statements.
	Metrics         *Metrics
	CountStatements StatementCounter
	// GraphQLGoExecutor answers queries with graphql-go's executor, as
	// mutations are, instead of kedja's (executor.go): for tests that hold the
	// two to the same answers, and as a way back should kedja's ever be
	// found to answer wrong.
	GraphQLGoExecutor bool
	// AuditOff records nothing in the audit log. It exists only so that a
	// benchmark can measure what auditing costs (BenchmarkAuditCost); kedja
	// serve never sets it.
	AuditOff bool
	// AuditCheckpoints is the file of signed checkpoints that the audit
	// page's verification compares the log with ("" for none).
	AuditCheckpoints string
}

// DefaultConfig is what kedja serves with unless told otherwise.
var DefaultConfig = Config{MaxBodyBytes: 1 << 20, Timeout: 15 * time.Second, MaxResponseBytes: 8 << 20, Limits: DefaultLimits,
	RatePerSecond: 20, RateBurst: 40, Guard: access.DefaultGuard, PictureLimit: graph.DefaultLimit,
	AnonymousDelay: time.Second, RetryAfter: 5}

// Probe is one part of readiness: a name and a check that fails while the
// part is not ready.
type Probe struct {
	Name  string
	Check func(ctx context.Context) error
}

// Server answers HTTP requests.
type Server struct {
	cfg    Config
	schema graphql.Schema
	res    *resolvers.Resolvers
	log    *slog.Logger
	docs   *docCache
	lists  listSizes // of the introspection types, for the cost
	auth   *access.Authenticator
	audits *access.Auditor
	// stopAudits ends the auditor's minute ticker (Close).
	stopAudits context.CancelFunc
	// held has a slot for each request being held back (holdBack).
	held chan struct{}
}

// New returns a server for schema, whose fields res resolves; the server
// calls the same services as res for authentication, audit, reports and
// pictures.
func New(cfg Config, schema graphql.Schema, res *resolvers.Resolvers, log *slog.Logger) *Server {
	svc := res.Services
	guard := cfg.Guard
	guard.Token = access.Budget{PerSecond: cfg.RatePerSecond, Burst: cfg.RateBurst}
	s := &Server{cfg: cfg, schema: schema, res: res, log: log, docs: newDocCache(log), lists: introspectionLists(&schema),
		auth: access.NewAuthenticator(svc.Tokens, guard, log), audits: &access.Auditor{Log: svc.Audit, Logger: log},
		held: make(chan struct{}, maxHeldBack)}
	ctx, cancel := context.WithCancel(context.Background())
	s.stopAudits = cancel
	go s.audits.Run(ctx)
	return s
}

// Close records what the server still only counts (the refusal summaries
// of the current minute); call it once the HTTP server has shut down and
// before the audit writer is closed.
func (s *Server) Close(ctx context.Context) {
	s.stopAudits()
	s.audits.FlushRefusals(ctx, time.Now(), true)
}

// Handler routes requests.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/graphql", s.graphql)
	mux.HandleFunc("/healthz", s.health)
	mux.HandleFunc("/readyz", s.ready)
	mux.HandleFunc("GET /traces/{file}", s.report)
	mux.HandleFunc("GET /incidents/{id}/notifications/{file}", s.notificationDraft)
	mux.HandleFunc("GET /graph/{kind}/{rest...}", s.picture)
	mux.HandleFunc("GET /records/{file}", s.recordFile) // server/records.go
	mux.Handle("/", s.pages())
	return s.logged(secure(mux))
}

// secure sets headers that keep browsers from sniffing, framing or caching
// answers about where health data lives.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	quiet  bool // not logged: a refusal only counted (see quiet)
}

// quiet keeps the request w answers out of the request log.
func quiet(w http.ResponseWriter) {
	if sw, ok := w.(*statusWriter); ok {
		sw.quiet = true
	}
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (s *Server) logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		// The mux has set the pattern that served the request.
		s.cfg.Metrics.route(r.Pattern, sw.status, time.Since(start))
		if sw.quiet {
			return
		}
		s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"ms", time.Since(start).Milliseconds(), "remote", clientIP(r))
	})
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// health answers whether the process is alive and serving: nothing else,
// so that an orchestrator does not restart kedja for a database outage it
// rides out by itself (/readyz says whether it can serve).
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// ready answers whether kedja can serve requests now: the database
// answers, and each of Config.Readiness passes. 503 names what is not
// ready; the detail of why is logged, not shown.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	probes := append([]Probe{{Name: "database", Check: s.res.Services.Ping}}, s.cfg.Readiness...)
	status, parts := http.StatusOK, map[string]string{}
	for _, p := range probes {
		if err := p.Check(ctx); err != nil {
			s.log.Warn("not ready", "part", p.Name, "err", err)
			parts[p.Name] = "not ready"
			status = http.StatusServiceUnavailable
			continue
		}
		parts[p.Name] = "ok"
	}
	if status != http.StatusOK {
		w.Header().Set("Retry-After", strconv.Itoa(s.cfg.RetryAfter))
		writeJSON(w, status, map[string]any{"status": "not ready", "parts": parts})
		return
	}
	writeJSON(w, status, map[string]any{"status": "ok", "parts": parts})
}

// unavailable answers a request that could not be served because the
// database could not be reached: 503 and when to try again.
func (s *Server) unavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", strconv.Itoa(s.cfg.RetryAfter))
	reject(w, http.StatusServiceUnavailable, string(registry.EUnavailable), registry.Unavailable().Message)
}

type request struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
}

// reject answers a request refused before execution, with a code callers
// can act on.
func reject(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{
		"message": msg, "extensions": map[string]any{"code": code},
	}}})
}

func (s *Server) graphql(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	p, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	s.serveGraphQLFrom(w, r, p, start)
}

// serveGraphQL runs one GraphQL request of p's, who is already
// authenticated: by a token at /graphql, by a session (and its CSRF header)
// at the explorer's endpoint, which is given this function so that both
// answer with the same limits, rules and audit.
func (s *Server) serveGraphQL(w http.ResponseWriter, r *http.Request, p access.Principal) {
	s.serveGraphQLFrom(w, r, p, time.Now())
}

// serveGraphQLFrom is serveGraphQL for a request that arrived at start
// (the metrics' latency counts authentication too).
func (s *Server) serveGraphQLFrom(w http.ResponseWriter, r *http.Request, p access.Principal, start time.Time) {
	// Only POST with a JSON body: a GET or a form post could be sent by any
	// web page a logged-in user visits (CSRF), and a GET lands in logs.
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		s.refuse(w, r, p, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "use POST with a JSON body")
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		s.refuse(w, r, p, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "send Content-Type: application/json")
		return
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.refuse(w, r, p, http.StatusRequestEntityTooLarge, "BODY_TOO_LARGE", "the request body is larger than the limit")
			return
		}
		s.refuse(w, r, p, http.StatusBadRequest, "BAD_REQUEST", "could not read the request body")
		return
	}
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '[' {
		s.refuse(w, r, p, http.StatusBadRequest, "BATCH_NOT_SUPPORTED", "send one operation per request")
		return
	}
	var req request
	if err := json.Unmarshal(b, &req); err != nil {
		s.refuse(w, r, p, http.StatusBadRequest, "BAD_REQUEST", "the body is not a JSON object with a query")
		return
	}
	if strings.TrimSpace(req.Query) == "" {
		s.refuse(w, r, p, http.StatusBadRequest, "BAD_REQUEST", "query is required")
		return
	}
	lim := s.cfg.Limits
	if len(req.Variables) > lim.Variables {
		s.refuse(w, r, p, http.StatusBadRequest, "VARIABLE_LIMIT", fmt.Sprintf("the request sends %d variables; at most %d", len(req.Variables), lim.Variables))
		return
	}
	// The deadline covers validation too: graphql-go's validator is
	// super-linear, and the limits checked before it are what keep it short.
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
	defer cancel()
	doc, errs := s.docs.parse(ctx, &s.schema, req.Query, lim)
	if len(errs) > 0 {
		errs = withoutSuggestions(withCode(errs, "GRAPHQL_VALIDATION_FAILED"))
		status := http.StatusBadRequest
		if errs[0].Extensions["code"] == "TIMEOUT" {
			status = http.StatusServiceUnavailable
		}
		writeJSON(w, status, map[string]any{"errors": limitErrors(errs, lim.Errors)})
		s.audit(r, p, "invalid", req.Query, errs[0].Extensions["code"].(string), nil)
		return
	}
	sh, err := analyze(&s.schema, s.lists, doc, req.OperationName, req.Variables, lim)
	// Introspection is for the roles that build clients; the others learn
	// nothing of the schema, not even what a limit thinks of their query.
	for _, field := range sh.introspection() {
		if !p.May(access.RootRules["Query."+field]) {
			writeJSON(w, http.StatusForbidden, map[string]any{"errors": []map[string]any{{
				"message": "introspection is not allowed for this role", "extensions": map[string]any{"code": "FORBIDDEN"}}}})
			s.audit(r, p, sh.label(req.OperationName), req.Query, "FORBIDDEN", nil)
			return
		}
	}
	if err != nil {
		le := err.(*limitError)
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []map[string]any{{
			"message": le.msg, "extensions": map[string]any{"code": le.code}}}})
		s.audit(r, p, sh.label(req.OperationName), req.Query, le.code, nil)
		return
	}
	ctx = s.res.WithPrincipal(ctx, p)
	op := sh.label(req.OperationName)
	// The request's writes commit their audit rows with them.
	p.Client = clientIP(r)
	var pending *registry.PendingAudit
	if !s.cfg.AuditOff {
		pending = access.Pending(p, op, req.Query)
		ctx = registry.WithPendingAudit(ctx, pending)
	}
	counted := func() (int64, time.Duration) { return 0, 0 }
	if s.cfg.CountStatements != nil {
		ctx, counted = s.cfg.CountStatements(ctx)
	}
	var (
		res     *graphql.Result
		done    bool
		execErr error
	)
	if !s.cfg.GraphQLGoExecutor {
		res, done, execErr = executeQuery(ctx, &s.schema, doc, req.OperationName, req.Variables)
	}
	switch {
	case execErr != nil:
		s.log.Error("graphql: execute", "err", execErr)
		res = &graphql.Result{}
	case !done:
		res = graphql.Execute(graphql.ExecuteParams{
			Schema: s.schema, AST: doc, OperationName: req.OperationName, Args: req.Variables, Context: ctx,
		})
	}
	codes := s.public(ctx, res.Errors)
	defer func() {
		n, d := counted()
		code := "ok"
		if len(codes) > 0 {
			code = codes[0]
		}
		s.cfg.Metrics.graphql(sh.series(), code, p.Role, time.Since(start), n, d)
	}()
	res.Errors = limitErrors(res.Errors, lim.Errors)
	locate(res.Errors, req.Query)
	// No extensions: graphql-go adds none unless told to, and kedja tells
	// it nothing to add (no tracing, no debug).
	res.Extensions = nil
	buf := answerBuffers.Get().(*[]byte)
	body, err := encodeResult((*buf)[:0], res)
	if execErr != nil {
		err = execErr
	}
	defer func() {
		// Kept for the next answer unless it grew large; the written answer
		// is done with.
		if cap(body) <= maxPooledAnswer {
			*buf = body[:0]
			answerBuffers.Put(buf)
		}
	}()
	status := http.StatusOK
	switch {
	case err != nil:
		if execErr == nil {
			s.log.Error("graphql: encode the answer", "err", err)
		}
		codes = append(codes, "INTERNAL")
		status, body = http.StatusInternalServerError, nil
	case len(body) > s.cfg.MaxResponseBytes:
		codes = append(codes, "RESPONSE_TOO_LARGE")
		body = nil
	case slices.Contains(codes, string(registry.EUnavailable)):
		// The answer says what could not be read; the status and
		// Retry-After say that trying again shortly is the remedy.
		status = http.StatusServiceUnavailable
	}
	// Recorded before the answer leaves: an answer holding health data
	// whose row the log could not take is withheld.
	if !s.auditAnswer(r, p, op, req.Query, outcome(codes), access.NotesOf(ctx), pending) {
		// Nearly always the database gone away: the answer is withheld,
		// and the same request may be recorded and answered shortly.
		s.unavailable(w)
		return
	}
	switch {
	case status == http.StatusInternalServerError:
		reject(w, status, "INTERNAL", "internal error")
	case body == nil:
		reject(w, http.StatusOK, "RESPONSE_TOO_LARGE", fmt.Sprintf("the answer is larger than %d bytes; ask for smaller pages", s.cfg.MaxResponseBytes))
	default:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", strconv.Itoa(s.cfg.RetryAfter))
		}
		w.WriteHeader(status)
		body = append(body, '\n')
		_, _ = w.Write(body)
	}
}

// public makes an execution's errors fit to show and returns their codes.
// Errors graphql-go makes itself carry no code of ours: the end of the
// deadline becomes TIMEOUT; one raised while resolving a field (a panic, a
// null where the schema promises a value) is a fault of kedja's, logged and
// shown as "internal error" (its text can be a Go runtime message); the
// others are about the request's own variables and stay as they are.
func (s *Server) public(ctx context.Context, errs []gqlerrors.FormattedError) []string {
	var codes []string
	for i := range errs {
		e := &errs[i]
		code, _ := e.Extensions["code"].(string)
		switch {
		case code != "":
		case errors.Is(e.OriginalError(), context.DeadlineExceeded) || errors.Is(e.OriginalError(), context.Canceled):
			code, e.Message = "TIMEOUT", "the request was cancelled or took too long"
		case len(e.Path) > 0:
			s.log.Error("graphql: unhandled error", "path", e.Path, "err", e.Message)
			code, e.Message = "INTERNAL", "internal error"
		default:
			code = "GRAPHQL_ERROR"
		}
		if e.Extensions == nil {
			e.Extensions = map[string]any{}
		}
		e.Extensions["code"] = code
		codes = append(codes, code)
	}
	if ctx.Err() == context.DeadlineExceeded && !slices.Contains(codes, "TIMEOUT") {
		codes = append(codes, "TIMEOUT")
	}
	return codes
}

// limitErrors keeps at most max errors, the last of them saying how many
// more there were: a document with a thousand mistakes gets no longer an
// answer than one with five.
func limitErrors(errs []gqlerrors.FormattedError, max int) []gqlerrors.FormattedError {
	if max < 1 || len(errs) <= max {
		return errs
	}
	return append(slices.Clone(errs[:max-1]), gqlerrors.FormattedError{
		Message:    fmt.Sprintf("%d more errors not shown; at most %d are reported", len(errs)-max+1, max),
		Extensions: map[string]any{"code": "TOO_MANY_ERRORS"}})
}

// withoutSuggestions drops graphql-go's "Did you mean ...?" from validation
// messages: the names it suggests are the schema's, which a role that may
// not introspect is not to learn by guessing. The roles that may introspect
// lose nothing they cannot ask for, and no role's answers flag kedja as
// leaking its schema to the scanners that look for this phrase.
func withoutSuggestions(errs []gqlerrors.FormattedError) []gqlerrors.FormattedError {
	for i := range errs {
		if k := strings.Index(errs[i].Message, " Did you mean "); k >= 0 {
			errs[i].Message = errs[i].Message[:k]
		}
	}
	return errs
}

func withCode(errs []gqlerrors.FormattedError, code string) []gqlerrors.FormattedError {
	for i := range errs {
		if errs[i].Extensions == nil {
			errs[i].Extensions = map[string]any{}
		}
		if _, has := errs[i].Extensions["code"]; !has {
			errs[i].Extensions["code"] = code
		}
	}
	return errs
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
