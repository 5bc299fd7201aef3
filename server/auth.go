package server

import (
	"errors"
	"net/http"
	"sort"
	"strings"

	"github.com/kedja/kedja/access"
)

// authenticate reads the bearer token and asks access who it is. It answers
// 401, 403 (locked out), 429 or 500 itself when the request may not go on.
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
		s.refuse(w, r, p, http.StatusTooManyRequests, "RATE_LIMITED", "too many requests without a token; slow down")
	case errors.Is(err, access.ErrTooManyFailures):
		s.refuse(w, r, p, http.StatusTooManyRequests, "RATE_LIMITED", "too many failed attempts; slow down")
	case errors.Is(err, access.ErrLockedOut):
		s.refuse(w, r, p, http.StatusForbidden, "LOCKED_OUT", "locked out after too many failed attempts; an admin can lift it")
	case errors.Is(err, access.ErrUnknownToken):
		s.refuse(w, r, p, http.StatusUnauthorized, "UNAUTHENTICATED", "the token is unknown, expired or revoked")
	case errors.Is(err, access.ErrTooManyRequests):
		s.refuse(w, r, p, http.StatusTooManyRequests, "RATE_LIMITED", "too many requests for this token; slow down")
	default:
		s.log.Error("authenticate", "err", err)
		s.refuse(w, r, p, http.StatusInternalServerError, "INTERNAL", "internal error")
	}
	return p, false
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
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="kedja"`)
	}
	reject(w, status, code, msg)
	s.audit(r, p, r.Method+" "+r.URL.Path, "", code, nil)
}

// audit records a request in the audit log (see access.Entry), from the
// address the request came from.
func (s *Server) audit(r *http.Request, p access.Principal, op, query, outcome string, notes *access.AuditNotes) {
	p.Client = clientIP(r)
	s.audits.Record(r.Context(), p, op, query, outcome, notes)
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
