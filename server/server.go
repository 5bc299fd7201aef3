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
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/ast"
	"github.com/graphql-go/graphql/language/parser"
	"github.com/graphql-go/graphql/language/source"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/graph"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

// Config holds the server's limits.
type Config struct {
	MaxBodyBytes  int64         // largest request body accepted
	Timeout       time.Duration // longest a GraphQL request may run
	Limits        Limits
	RatePerSecond float64 // requests per second per token
	RateBurst     int
	// Guard limits attempts with unknown secrets and requests without a
	// token (its Token budget is RatePerSecond and RateBurst).
	Guard        access.Guard
	PictureLimit int // nodes a picture draws before summarising
	// AnonymousDelay holds back the answer to a request without a token
	// past its address's budget (see holdBack); 0 answers at once.
	AnonymousDelay time.Duration
	// AuditOff records nothing in the audit log. It exists only so that a
	// benchmark can measure what auditing costs (BenchmarkAuditCost); kedja
	// serve never sets it.
	AuditOff bool
}

// DefaultConfig is what kedja serves with unless told otherwise.
var DefaultConfig = Config{MaxBodyBytes: 1 << 20, Timeout: 15 * time.Second, Limits: DefaultLimits,
	RatePerSecond: 20, RateBurst: 40, Guard: access.DefaultGuard, PictureLimit: graph.DefaultLimit,
	AnonymousDelay: time.Second}

// Server answers HTTP requests.
type Server struct {
	cfg    Config
	schema graphql.Schema
	res    *resolvers.Resolvers
	log    *slog.Logger
	docs   docCache
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
	s := &Server{cfg: cfg, schema: schema, res: res, log: log, docs: docCache{m: map[string]*ast.Document{}, log: log},
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
	mux.HandleFunc("GET /traces/{file}", s.report)
	mux.HandleFunc("GET /incidents/{id}/notifications/{file}", s.notificationDraft)
	mux.HandleFunc("GET /graph/{kind}/{rest...}", s.picture)
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

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.res.Services.Ping(ctx); err != nil {
		s.log.Error("health check: database", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
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
	p, ok := s.authenticate(w, r)
	if !ok {
		return
	}
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
	doc, errs := s.docs.parse(&s.schema, req.Query)
	if len(errs) > 0 {
		errs = withCode(errs, "GRAPHQL_VALIDATION_FAILED")
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": errs})
		s.audit(r, p, "invalid", req.Query, errs[0].Extensions["code"].(string), nil)
		return
	}
	sh, err := analyze(&s.schema, doc, req.OperationName, req.Variables, s.cfg.Limits)
	if err != nil {
		le := err.(*limitError)
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []map[string]any{{
			"message": le.msg, "extensions": map[string]any{"code": le.code}}}})
		s.audit(r, p, sh.label(req.OperationName), req.Query, le.code, nil)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.Timeout)
	defer cancel()
	ctx = s.res.WithPrincipal(ctx, p)
	op := sh.label(req.OperationName)
	// The request's writes commit their audit rows with them.
	p.Client = clientIP(r)
	var pending *registry.PendingAudit
	if !s.cfg.AuditOff {
		pending = access.Pending(p, op, req.Query)
		ctx = registry.WithPendingAudit(ctx, pending)
	}
	res := graphql.Execute(graphql.ExecuteParams{
		Schema: s.schema, AST: doc, OperationName: req.OperationName, Args: req.Variables, Context: ctx,
	})
	var codes []string
	for i, e := range res.Errors {
		code, _ := e.Extensions["code"].(string)
		if code == "" {
			// Errors graphql-go makes itself (a bad variable, a null in a
			// non-null field) carry no code of ours.
			code = "GRAPHQL_ERROR"
			if res.Errors[i].Extensions == nil {
				res.Errors[i].Extensions = map[string]any{}
			}
			res.Errors[i].Extensions["code"] = code
		}
		codes = append(codes, code)
	}
	if ctx.Err() == context.DeadlineExceeded {
		codes = append(codes, "TIMEOUT")
	}
	if !s.auditAnswer(r, p, op, req.Query, outcome(codes), access.NotesOf(ctx), pending) {
		reject(w, http.StatusInternalServerError, "INTERNAL", "internal error")
		return
	}
	writeJSON(w, http.StatusOK, res)
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

// docCache keeps parsed and validated documents by query text: parsing and
// validation are most of the cost of a small request, and clients send the
// same queries again and again.
type docCache struct {
	mu  sync.Mutex
	m   map[string]*ast.Document
	log *slog.Logger
}

const docCacheSize = 512

func (c *docCache) parse(schema *graphql.Schema, query string) (*ast.Document, []gqlerrors.FormattedError) {
	c.mu.Lock()
	doc, ok := c.m[query]
	c.mu.Unlock()
	if ok {
		return doc, nil
	}
	// graphql-go's parser and validator recurse without bounds: a deep
	// enough nest of braces, or a fragment that spreads itself, overflows
	// the stack and kills the process. Both are refused before they get
	// there.
	if braceDepth(query) > maxBraceDepth {
		return nil, []gqlerrors.FormattedError{{Message: "the query nests too deep",
			Extensions: map[string]any{"code": "DEPTH_LIMIT"}}}
	}
	doc, err := parser.Parse(parser.ParseParams{Source: source.NewSource(&source.Source{Body: []byte(query), Name: "request"})})
	if err != nil {
		return nil, gqlerrors.FormatErrors(err)
	}
	if name := fragmentCycle(doc); name != "" {
		return nil, []gqlerrors.FormattedError{{Message: "fragment " + name + " spreads itself"}}
	}
	if errs := validate(c.log, schema, doc, graphql.SpecifiedRules); len(errs) > 0 {
		return nil, errs
	}
	c.mu.Lock()
	if len(c.m) >= docCacheSize {
		// Dropping everything is crude but bounded; a hot set refills at once.
		c.m = map[string]*ast.Document{}
	}
	c.m[query] = doc
	c.mu.Unlock()
	return doc, nil
}

// maxBraceDepth bounds nesting before parsing, well above any depth limit.
const maxBraceDepth = 64

// braceDepth is the deepest nesting of braces, brackets and parentheses in
// a query, outside strings.
func braceDepth(q string) int {
	depth, deepest := 0, 0
	for i := 0; i < len(q); i++ {
		switch q[i] {
		case '"':
			// Skip the string (block strings too): its braces are text.
			block := strings.HasPrefix(q[i:], `"""`)
			if block {
				end := strings.Index(q[i+3:], `"""`)
				if end < 0 {
					return deepest
				}
				i += end + 5
				continue
			}
			for i++; i < len(q) && q[i] != '"'; i++ {
				if q[i] == '\\' {
					i++
				}
			}
		case '#':
			for i < len(q) && q[i] != '\n' {
				i++
			}
		case '{', '[', '(':
			depth++
			deepest = max(deepest, depth)
		case '}', ']', ')':
			depth--
		}
	}
	return deepest
}

// fragmentCycle returns the name of a fragment that spreads itself,
// directly or through others, or "".
func fragmentCycle(doc *ast.Document) string {
	spreads := map[string][]string{}
	for _, d := range doc.Definitions {
		if f, ok := d.(*ast.FragmentDefinition); ok {
			spreads[f.Name.Value] = spreadsIn(f.SelectionSet, nil)
		}
	}
	const (
		unseen = iota
		visiting
		done
	)
	state := map[string]int{}
	var cyc string
	var visit func(string) bool
	visit = func(n string) bool {
		switch state[n] {
		case visiting:
			cyc = n
			return true
		case done:
			return false
		}
		state[n] = visiting
		for _, m := range spreads[n] {
			if visit(m) {
				return true
			}
		}
		state[n] = done
		return false
	}
	for n := range spreads {
		if visit(n) {
			return cyc
		}
	}
	return ""
}

func spreadsIn(set *ast.SelectionSet, out []string) []string {
	if set == nil {
		return out
	}
	for _, sel := range set.Selections {
		switch sel := sel.(type) {
		case *ast.FragmentSpread:
			out = append(out, sel.Name.Value)
		case *ast.Field:
			out = spreadsIn(sel.SelectionSet, out)
		case *ast.InlineFragment:
			out = spreadsIn(sel.SelectionSet, out)
		}
	}
	return out
}

// validate runs graphql-go's validation. Its validator has crashed on
// malformed input the parser let through (a variable without a type, found
// by the fuzzer): such a document is refused, and a crash inside is turned
// into a refusal rather than a dropped connection, and logged with its stack
// so that the next such input can be refused before validation too.
func validate(log *slog.Logger, schema *graphql.Schema, doc *ast.Document, rules []graphql.ValidationRuleFn) (errs []gqlerrors.FormattedError) {
	for _, d := range doc.Definitions {
		if op, ok := d.(*ast.OperationDefinition); ok {
			for _, v := range op.VariableDefinitions {
				if v.Type == nil || v.Variable == nil || v.Variable.Name == nil {
					return []gqlerrors.FormattedError{{Message: "a variable is declared without a type"}}
				}
			}
		}
	}
	defer func() {
		if r := recover(); r != nil {
			log.Error("graphql validator panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			errs = []gqlerrors.FormattedError{{Message: "the query could not be validated"}}
		}
	}()
	if v := graphql.ValidateDocument(schema, doc, rules); !v.IsValid {
		return v.Errors
	}
	return nil
}
