package access

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kedja/kedja/registry"
)

// AuditLog appends entries to the keyed, hash-chained audit log. The store
// implements it (and keeps the SQL and the chain).
type AuditLog interface {
	// Audit returns once e is committed.
	Audit(ctx context.Context, e registry.AuditEntry) error
	// AuditLater queues e for a group commit.
	AuditLater(ctx context.Context, e registry.AuditEntry) error
}

// Entry is what the audit log records of one request by p: operation op,
// query (kept as a hash only: queries can carry case references and names,
// and the log must hold no health data), its outcome, and what notes say it
// touched (nil for none).
func Entry(p Principal, op, query, outcome string, notes *AuditNotes) registry.AuditEntry {
	e := registry.AuditEntry{Principal: p.Name, Role: p.Role, Operation: op, Client: p.Client, Outcome: outcome}
	e.QueryHash = QueryHash(query)
	if notes != nil {
		notes.mu.Lock()
		e.Affected = append([]string(nil), notes.Affected...)
		if notes.CaseRef != "" {
			ref := notes.CaseRef
			e.CaseRef = &ref
		}
		notes.mu.Unlock()
	}
	if e.Role == "" {
		e.Role = "none"
	}
	return e
}

// QueryHash is how the audit log names a query: its SHA-256, or "" for none.
func QueryHash(query string) string {
	if query == "" {
		return ""
	}
	h := sha256.Sum256([]byte(query))
	return hex.EncodeToString(h[:])
}

// Pending is the audit entry a request's writes commit with (see
// registry.PendingAudit): p's, for operation op and query.
func Pending(p Principal, op, query string) *registry.PendingAudit {
	e := Entry(p, op, query, "", nil)
	return &registry.PendingAudit{Principal: e.Principal, Role: e.Role, Client: e.Client, Operation: e.Operation, QueryHash: e.QueryHash}
}

// Auditor records requests in the audit log: answers holding health data
// committed before they leave (RecordNow), other requests queued for a
// group commit (Record), and refusals of anonymous requests sampled
// (Refused).
type Auditor struct {
	Log    AuditLog
	Logger *slog.Logger
	// Now is the clock refusals are counted by (nil: time.Now).
	Now func() time.Time

	mu       sync.Mutex
	window   time.Time             // the minute refusals are being counted in
	refusals map[refusalKey]int    // in it: refusals not stored one by one
	ended    []registry.AuditEntry // summaries of windows that ended, not yet recorded
}

// Record queues the entry for one request (see Entry). It returns at once
// unless the queue is full. A failure is logged loudly rather than
// returned: the caller has nothing better to do.
func (a *Auditor) Record(ctx context.Context, p Principal, op, query, outcome string, notes *AuditNotes) {
	a.record(ctx, Entry(p, op, query, outcome, notes))
}

func (a *Auditor) record(ctx context.Context, e registry.AuditEntry) {
	if err := a.Log.AuditLater(ctx, e); err != nil {
		a.Logger.Error("AUDIT LOG WRITE FAILED", "principal", e.Principal, "operation", e.Operation, "err", err)
	}
}

// RecordNow appends the entry for one request and returns once it is
// committed: for answers that hold health data, which must not leave
// unrecorded. On an error the caller must not send the answer.
func (a *Auditor) RecordNow(ctx context.Context, p Principal, op, query, outcome string, notes *AuditNotes) error {
	err := a.Log.Audit(ctx, Entry(p, op, query, outcome, notes))
	if err != nil {
		a.Logger.Error("AUDIT LOG WRITE FAILED; answer withheld", "principal", p.Name, "operation", op, "err", err)
	}
	return err
}

// refusalKey is what refusals are counted by: the address, and why.
type refusalKey struct{ client, code string }

// maxRefusalKeys bounds the addresses counted one by one in a minute; the
// refusals of any more are counted together under the address "*".
const maxRefusalKeys = 10_000

// Refused records a request turned away before it could run. A principal
// with a role is recorded like any request. Anonymous refusals (no token, an
// unknown one, too many failures) cost a flood nothing to send, so they are
// sampled: per address, reason and minute the first is recorded, and the
// rest only counted, into a summary row (operation "refusals", affected
// "count:N" and "from:" the minute) when the minute has ended. Counts are
// never dropped: FlushRefusals writes them, Close the last. It says whether
// this refusal was recorded as a row of its own, so that the request log can
// sample the flood as the audit log does.
func (a *Auditor) Refused(ctx context.Context, p Principal, op, code string) (recorded bool) {
	if p.Role != "" {
		a.Record(ctx, p, op, "", code, nil)
		return true
	}
	now := a.now()
	a.mu.Lock()
	a.roll(now)
	k := refusalKey{p.Client, code}
	n, seen := a.refusals[k]
	if !seen && len(a.refusals) >= maxRefusalKeys {
		k.client = "*"
		n, seen = a.refusals[k]
	}
	if seen {
		a.refusals[k] = n + 1
	} else {
		a.refusals[k] = 0
	}
	ended := a.takeEnded()
	a.mu.Unlock()
	for _, e := range ended {
		a.record(ctx, e)
	}
	if !seen {
		a.Record(ctx, p, op, "", code, nil)
	}
	return !seen
}

// FlushRefusals records the summaries of the minutes that ended by now;
// with all, the current minute's too (at shutdown).
func (a *Auditor) FlushRefusals(ctx context.Context, now time.Time, all bool) {
	a.mu.Lock()
	a.roll(now)
	if all {
		a.summarise(now)
		a.refusals = nil
	}
	ended := a.takeEnded()
	a.mu.Unlock()
	for _, e := range ended {
		a.record(ctx, e)
	}
}

// Run flushes the refusal summaries every minute until ctx ends.
func (a *Auditor) Run(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			a.FlushRefusals(ctx, a.now(), false)
		}
	}
}

func (a *Auditor) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// roll starts counting in now's minute, once the window's has ended. It
// holds a.mu.
func (a *Auditor) roll(now time.Time) {
	minute := now.UTC().Truncate(time.Minute)
	if minute.Equal(a.window) && a.refusals != nil {
		return
	}
	a.summarise(now)
	a.window, a.refusals = minute, map[refusalKey]int{}
}

// summarise turns the window's counts into summary entries, stamped now. It
// holds a.mu.
func (a *Auditor) summarise(now time.Time) {
	for k, n := range a.refusals {
		if n == 0 {
			continue
		}
		a.ended = append(a.ended, registry.AuditEntry{Principal: "anonymous", Role: "none", Client: k.client,
			Operation: "refusals", Outcome: k.code,
			Affected: []string{"count:" + strconv.Itoa(n), "from:" + a.window.Format(time.RFC3339)}})
	}
	a.refusals = map[refusalKey]int{}
}

// takeEnded returns the summaries waiting to be recorded. It holds a.mu.
func (a *Auditor) takeEnded() []registry.AuditEntry {
	out := a.ended
	a.ended = nil
	return out
}

// HealthData says whether a request read or wrote health data, which the
// audit log must have before the answer leaves: a trace, or a case's list
// of traces.
func (n *AuditNotes) HealthData() bool {
	if n == nil {
		return false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.CaseRef != "" {
		return true
	}
	for _, x := range n.Affected {
		if strings.HasPrefix(x, "trace:") {
			return true
		}
	}
	return false
}

// AffectedList returns a copy of what the notes say was affected.
func (n *AuditNotes) AffectedList() []string {
	if n == nil {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.Affected...)
}
