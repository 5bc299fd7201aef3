package server

import (
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/registry"
)

// authenticate reads the bearer token and asks access who it is. It answers
// 401, 403 (locked out), 429, 503 (database unavailable) or 500 itself when the request may not go on.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (access.Principal, bool) {
	secret, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		secret = ""
	}
	p, err := s.auth.Authenticate(r.Context(), secret, clientIP(r))
	switch {
	case err == nil:
		return p, true
	case errors.Is(err, access.ErrNoToken):
		s.refuse(w, r, p, http.StatusUnauthorized, "UNAUTHENTICATED", "send a token: Authorization: Bearer kedja_...")
	case errors.Is(err, access.ErrTooManyAnonymous):
		s.holdBack(r)
		w.Header().Set("Retry-After", "1")
		s.refuse(w, r, p, http.StatusTooManyRequests, "RATE_LIMITED", "too many requests without a token; slow down")
	case errors.Is(err, access.ErrTooManyFailures):
		s.refuse(w, r, p, http.StatusTooManyRequests, "RATE_LIMITED", "too many failed attempts; slow down")
	case errors.Is(err, access.ErrLockedOut):
		s.refuse(w, r, p, http.StatusForbidden, "LOCKED_OUT", "locked out after too many failed attempts; an admin can lift it")
	case errors.Is(err, access.ErrUnknownToken):
		s.refuse(w, r, p, http.StatusUnauthorized, "UNAUTHENTICATED", "the token is unknown, expired or revoked")
	case errors.Is(err, access.ErrTooManyRequests):
		s.refuse(w, r, p, http.StatusTooManyRequests, "RATE_LIMITED", "too many requests for this token; slow down")
	case registry.ErrorCode(err) == registry.EUnavailable:
		s.log.Warn("authenticate: database unavailable", "err", err)
		w.Header().Set("Retry-After", strconv.Itoa(s.cfg.RetryAfter))
		s.refuse(w, r, p, http.StatusServiceUnavailable, string(registry.EUnavailable), registry.Unavailable().Message)
	default:
		s.log.Error("authenticate", "err", err)
		s.refuse(w, r, p, http.StatusInternalServerError, "INTERNAL", "internal error")
	}
	return p, false
}

// maxHeldBack bounds the requests held back at once: past it a flood of
// connections is answered at once rather than hold a goroutine and a
// connection each without bound.
const maxHeldBack = 1024

// holdBack waits Config.AnonymousDelay (or until the client gives up)
// before a request without a token past its budget is refused. Each
// connection of a flood, which sends its next request when the last is
// answered, then costs the server one cheap refusal a delay instead of as
// many as the server can answer: 100 connections took some 6,000 refusals
// a second, and half the CPU, from the clients with a token
// (BenchmarkAnonymousFlood).
func (s *Server) holdBack(r *http.Request) {
	if s.cfg.AnonymousDelay <= 0 {
		return
	}
	select {
	case s.held <- struct{}{}:
		defer func() { <-s.held }()
	default:
		return
	}
	// The server notices a client that gives up only once the body is
	// read; the rest of a small one would be read and discarded after the
	// answer anyway, for the connection to be used again.
	io.Copy(io.Discard, io.LimitReader(r.Body, 64<<10))
	t := time.NewTimer(s.cfg.AnonymousDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	}
}

// authorize authenticates the request and lets it on only for roles; it
// answers 401 or 403 itself otherwise.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, roles []string) (access.Principal, bool) {
	p, ok := s.authenticate(w, r)
	if !ok {
		return p, false
	}
	if !p.May(roles) {
		s.refuse(w, r, p, http.StatusForbidden, "FORBIDDEN", "not allowed for this role")
		return p, false
	}
	return p, true
}

// refuse answers a request turned away before execution, and records it.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, p access.Principal, status int, code, msg string) {
	s.cfg.Metrics.refused(code)
	if !s.cfg.AuditOff {
		// Anonymous refusals are counted and sampled (access.Auditor.Refused):
		// a flood of them must not fill the log.
		p.Client = clientIP(r)
		if !s.audits.Refused(r.Context(), p, r.Method+" "+r.URL.Path, code) {
			// Only counted: so is its request log line (logged), or a
			// flood would write a line per request.
			quiet(w)
		}
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="kedja"`)
	}
	reject(w, status, code, msg)
}

// audit records a request in the audit log (see access.Entry), from the
// address the request came from: committed before it returns if the
// request touched health data (notes.HealthData), else queued for the group
// commit. It returns false if the record failed and the answer must not
// leave.
func (s *Server) audit(r *http.Request, p access.Principal, op, query, outcome string, notes *access.AuditNotes) bool {
	if notes.HealthData() {
		return s.auditNow(r, p, op, query, outcome, notes)
	}
	if !s.cfg.AuditOff {
		p.Client = clientIP(r)
		s.audits.Record(r.Context(), p, op, query, outcome, notes)
	}
	return true
}

// auditNow records a request and returns once the record is committed, or
// false if it could not be: then the answer must not leave.
func (s *Server) auditNow(r *http.Request, p access.Principal, op, query, outcome string, notes *access.AuditNotes) bool {
	if s.cfg.AuditOff {
		return true
	}
	p.Client = clientIP(r)
	return s.audits.RecordNow(r.Context(), p, op, query, outcome, notes) == nil
}

// auditAnswer records a GraphQL request before its answer leaves. Each of
// its writes committed an audit row with it (registry.PendingAudit); the
// request needs a row of its own unless it succeeded and those rows already
// name everything it touched.
func (s *Server) auditAnswer(r *http.Request, p access.Principal, op, query, outcome string, notes *access.AuditNotes,
	pending *registry.PendingAudit) bool {
	if pending != nil && outcome == "ok" && pending.Covers(notes.AffectedList()) {
		return true
	}
	return s.audit(r, p, op, query, outcome, notes)
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
