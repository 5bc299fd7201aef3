package registry

import (
	"context"
	"sync"
	"time"
)

// PendingAudit is what the audit log will say of one request while it runs:
// who asks, from where, and for what. The transport puts it in the request's
// context (WithPendingAudit); every write transaction the request opens
// appends a row made from it just before its COMMIT, so that no write is
// committed without its audit row.
type PendingAudit struct {
	Principal string
	Role      string
	Client    string
	Operation string
	QueryHash string

	mu      sync.Mutex
	notes   []string // objects the open transaction wrote that the change record does not show
	caseRef string
	rows    int
	written map[string]bool
}

type pendingAuditKey struct{}

// WithPendingAudit returns ctx carrying a.
func WithPendingAudit(ctx context.Context, a *PendingAudit) context.Context {
	return context.WithValue(ctx, pendingAuditKey{}, a)
}

// PendingAuditOf returns the request's pending audit entry, or nil outside
// an audited request (the CLI, the schedule).
func PendingAuditOf(ctx context.Context) *PendingAudit {
	a, _ := ctx.Value(pendingAuditKey{}).(*PendingAudit)
	return a
}

// NoteWrite records, for the row of the transaction now open, an object it
// wrote (as kind:id) that the registry's change record does not show (a
// stored trace), and the case it served; either may be empty. It does
// nothing on a nil a. A request's write transactions run one after another
// (GraphQL runs mutations serially), so the notes belong to the open one.
func (a *PendingAudit) NoteWrite(affected, caseRef string) {
	if a == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if affected != "" {
		a.notes = append(a.notes, affected)
	}
	if caseRef != "" {
		a.caseRef = caseRef
	}
}

// TakeNotes returns and forgets what NoteWrite recorded since the last call:
// the store takes them into a transaction's row, or drops them with a
// transaction that failed.
func (a *PendingAudit) TakeNotes() (affected []string, caseRef string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	affected, caseRef = a.notes, a.caseRef
	a.notes, a.caseRef = nil, ""
	return affected, caseRef
}

// Committed records that a transaction committed with its audit row, which
// named affected.
func (a *PendingAudit) Committed(affected []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.rows++
	if a.written == nil {
		a.written = map[string]bool{}
	}
	for _, x := range affected {
		a.written[x] = true
	}
}

// Covers says whether the rows committed with the request's writes already
// name every object in affected: then a request that succeeded needs no row
// of its own.
func (a *PendingAudit) Covers(affected []string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.rows == 0 {
		return false
	}
	for _, x := range affected {
		if !a.written[x] {
			return false
		}
	}
	return true
}

// AuditCheckpoint is the head of the audit log's chain at an instant,
// signed with the audit key: kept outside the database, it shows whether
// rows up to ID were later deleted or the table emptied.
type AuditCheckpoint struct {
	ID   int64     // the newest row then (0: the log was empty)
	Hash []byte    // its hash
	At   time.Time // when the checkpoint was taken
	MAC  []byte    // HMAC-SHA256 of the above with the audit key
}

// AuditReport is what a verification of the audit log found.
type AuditReport struct {
	Rows        int64 // rows read
	Unkeyed     int64 // of them, rows of the chain from before it was keyed
	Checkpoints int   // checkpoints compared
	// Newest is the newest checkpoint compared (nil without any): rows after
	// it are protected by the keyed chain only.
	Newest *AuditCheckpoint
	// Problems lists the first problems found; Unlisted counts the others.
	Problems []AuditProblem
	Unlisted int64
}
