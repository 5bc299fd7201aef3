package server

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"

	"golang.org/x/time/rate"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/store"
)

// authenticate reads the bearer token. It answers 401 itself when there is
// none or it is not a live token.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (access.Principal, bool) {
	client := clientIP(r)
	anonymous := access.Principal{Name: "anonymous", Client: client}
	secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || secret == "" {
		s.refuse(w, r, anonymous, http.StatusUnauthorized, "UNAUTHENTICATED", "send a token: Authorization: Bearer kedja_...")
		return anonymous, false
	}
	// Failed attempts count against the client's address, so guessing
	// tokens is slow; an address out of attempts is refused before the
	// database is asked.
	failures := s.limiter("failed:" + client)
	if failures.Tokens() < 1 {
		s.refuse(w, r, anonymous, http.StatusTooManyRequests, "RATE_LIMITED", "too many failed attempts; slow down")
		return anonymous, false
	}
	t, ok, err := s.store.Authenticate(r.Context(), strings.TrimSpace(secret))
	if err != nil {
		s.log.Error("authenticate", "err", err)
		s.refuse(w, r, anonymous, http.StatusInternalServerError, "INTERNAL", "internal error")
		return anonymous, false
	}
	if !ok {
		failures.Allow()
		s.refuse(w, r, anonymous, http.StatusUnauthorized, "UNAUTHENTICATED", "the token is unknown, expired or revoked")
		return anonymous, false
	}
	p := access.Principal{Name: t.Name, Role: t.Role, Client: client}
	if !s.limiter("token:" + t.Prefix).Allow() {
		s.refuse(w, r, p, http.StatusTooManyRequests, "RATE_LIMITED", "too many requests for this token; slow down")
		return p, false
	}
	return p, true
}

// authorize authenticates the request and lets it on only for roles; it
// answers 401 or 403 itself otherwise.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, roles []string) (access.Principal, bool) {
	p, ok := s.authenticate(w, r)
	if !ok {
		return p, false
	}
	if !slices.Contains(roles, p.Role) {
		s.refuse(w, r, p, http.StatusForbidden, "FORBIDDEN", "not allowed for this role")
		return p, false
	}
	return p, true
}

// refuse answers a request turned away before execution, and records it.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, p access.Principal, status int, code, msg string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="kedja"`)
	}
	reject(w, status, code, msg)
	s.audit(r, p, r.Method+" "+r.URL.Path, "", code, nil)
}

// limiters hold one token bucket per token and per client address.
type limiters struct {
	mu sync.Mutex
	m  map[string]*rate.Limiter
}

func (s *Server) limiter(key string) *rate.Limiter {
	s.limits.mu.Lock()
	defer s.limits.mu.Unlock()
	if s.limits.m == nil || len(s.limits.m) > 10_000 {
		// Bounded memory: a flood of addresses resets the buckets rather
		// than filling the heap.
		s.limits.m = map[string]*rate.Limiter{}
	}
	l, ok := s.limits.m[key]
	if !ok {
		l = rate.NewLimiter(rate.Limit(s.cfg.RatePerSecond), s.cfg.RateBurst)
		s.limits.m[key] = l
	}
	return l
}

// audit records a request in the audit log. The query is kept as a hash:
// queries can carry case references and names, and the log must hold no
// health data. A failure to record is logged loudly; the answer has gone.
func (s *Server) audit(r *http.Request, p access.Principal, op, query, outcome string, notes *access.AuditNotes) {
	e := store.AuditEntry{Principal: p.Name, Role: p.Role, Operation: op, Client: clientIP(r), Outcome: outcome}
	if query != "" {
		h := sha256.Sum256([]byte(query))
		e.QueryHash = hex.EncodeToString(h[:])
	}
	if notes != nil {
		e.Affected = notes.Affected
		if notes.CaseRef != "" {
			e.CaseRef = &notes.CaseRef
		}
	}
	if e.Role == "" {
		e.Role = "none"
	}
	if err := s.store.Audit(r.Context(), e); err != nil {
		s.log.Error("AUDIT LOG WRITE FAILED", "principal", p.Name, "operation", op, "err", err)
	}
}

// outcome sums up a GraphQL answer's errors by their codes.
func outcome(codes []string) string {
	if len(codes) == 0 {
		return "ok"
	}
	seen := map[string]bool{}
	var out []string
	for _, c := range codes {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}
