package access

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"

	"github.com/kedja/kedja/registry"
)

// AuditLog appends an entry to the hash-chained audit log. The store
// implements it (and keeps the SQL and the chain).
type AuditLog interface {
	Audit(ctx context.Context, e registry.AuditEntry) error
}

// Entry is what the audit log records of one request by p: operation op,
// query (kept as a hash only: queries can carry case references and names,
// and the log must hold no health data), its outcome, and what notes say it
// touched (nil for none).
func Entry(p Principal, op, query, outcome string, notes *AuditNotes) registry.AuditEntry {
	e := registry.AuditEntry{Principal: p.Name, Role: p.Role, Operation: op, Client: p.Client, Outcome: outcome}
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
	return e
}

// Auditor records requests in the audit log.
type Auditor struct {
	Log    AuditLog
	Logger *slog.Logger
}

// Record appends the entry for one request (see Entry). A failure to record
// is logged loudly rather than returned: by then the answer has gone.
func (a *Auditor) Record(ctx context.Context, p Principal, op, query, outcome string, notes *AuditNotes) {
	if err := a.Log.Audit(ctx, Entry(p, op, query, outcome, notes)); err != nil {
		a.Logger.Error("AUDIT LOG WRITE FAILED", "principal", p.Name, "operation", op, "err", err)
	}
}
