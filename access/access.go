// Package access is who may do what, and the record of what was done.
package access

import (
	"context"
	"slices"
	"sync"
)

// Principal is who is asking: the token's name, role and id, and the
// client address the request came from.
type Principal struct {
	Name    string
	Role    string
	Client  string
	TokenID int64 // 0 for none (anonymous, a signed link)
}

// May says whether p's role is among roles.
func (p Principal) May(roles []string) bool {
	return slices.Contains(roles, p.Role)
}

type ctxKey int

const (
	principalKey ctxKey = iota
	notesKey
)

// WithPrincipal prepares ctx for one request by p: the role every field
// checks, and fresh audit notes for what the request does.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	ctx = context.WithValue(ctx, principalKey, p)
	return context.WithValue(ctx, notesKey, &AuditNotes{})
}

// PrincipalOf returns the principal of a request.
func PrincipalOf(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey).(Principal)
	return p, ok
}

// AuditNotes collect, during a request, what the audit log should say of it:
// the objects it changed or made, and the case it served. Resolvers of one
// request may run concurrently, hence the lock.
type AuditNotes struct {
	mu       sync.Mutex
	Affected []string
	CaseRef  string
}

// NotesOf returns the request's audit notes (nil outside a request).
func NotesOf(ctx context.Context) *AuditNotes {
	n, _ := ctx.Value(notesKey).(*AuditNotes)
	return n
}

// Note records in the request's audit notes an object affected (as
// kind:id) and the case served; either may be empty. Outside a request it
// does nothing, so that the same code serves the CLI.
func Note(ctx context.Context, affected string, caseRef string) {
	n := NotesOf(ctx)
	if n == nil {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if affected != "" {
		n.Affected = append(n.Affected, affected)
	}
	if caseRef != "" {
		n.CaseRef = caseRef
	}
}
