package registry

import (
	"strconv"
	"time"
)

// Page asks for up to First rows after the cursor id After (0: from the
// start).
type Page struct {
	First int
	After int64
}

// OrganisationFilter narrows a list of organisations; nil fields do not filter.
type OrganisationFilter struct {
	NameContains *string
	Kind         *string
	Country      *string
	ParentID     *int64
	IncludeEnded bool
}

// SystemFilter narrows a list of systems; nil fields do not filter.
type SystemFilter struct {
	NameContains *string
	Kind         *string
	OperatorID   *int64
	VendorID     *int64
	IncludeEnded bool
}

// LinkFilter narrows a list of links; nil fields do not filter.
type LinkFilter struct {
	FromID *int64
	ToID   *int64
	Role   *string
	At     *time.Time
}

// SystemUseFilter narrows a list of system uses; nil fields do not filter.
type SystemUseFilter struct {
	LinkID, SystemID, PartyID *int64
	At                        *time.Time
}

// AttestationFilter narrows a list of attestations; nil fields do not filter.
type AttestationFilter struct {
	Kind             *string
	OrgID            *int64
	SystemID         *int64
	ValidOn          *time.Time // valid (issued, not expired, not withdrawn) on this date
	IncludeWithdrawn bool
	// ExpiringBy: only those whose validity ends between today and this
	// date (inclusive).
	ExpiringBy *time.Time
}

// FindingFilter narrows a list of findings; nil fields do not filter.
type FindingFilter struct {
	Severity     *string
	Check        *string
	Status       *string
	SubjectKind  *string
	SubjectID    *int64
	ControllerID *int64
	Since        *time.Time // first seen at or after
	// PartyID: only those concerning this party, as FindingSummary counts
	// them (the party itself, a system it operates, a link into it).
	PartyID *int64
}

// AuditFilter narrows the audit log; nil fields do not filter.
type AuditFilter struct {
	Principal *string
	Operation *string
	CaseRef   *string
	Since     *time.Time
	Until     *time.Time // before this instant
}

// HistoryKey names one registry row: its table and its id (or code).
type HistoryKey struct {
	Table string
	Key   string
}

// WalkOptions bound and shape a walk down a chain.
type WalkOptions struct {
	// FollowRouting prunes links whose routing windows exclude the instant:
	// a call at that instant never took them.
	FollowRouting bool
	// FoundRoles reads, for each step, the role an authority last found
	// (Step.FoundRole); a trace records it, a chain does not show it.
	FoundRoles bool
	MaxDepth   int // zero: MaxChainDepth
	MaxSteps   int // zero: 10,000
}

// TraceOptions bound a trace.
type TraceOptions struct {
	MaxDepth int   // zero: MaxChainDepth
	MaxSteps int   // zero: 10,000
	MadeBy   int64 // the id of the token making the trace, which it is kept for
	// MakerRole is the role of whoever makes it: the report names it as
	// its compiler (Trace.CompiledBy).
	MakerRole string
	// WallClock says the call's instant was written without an offset
	// (registry.ParseCallInstant): its UTC clock reading is the time on the
	// calling region's clocks, which the trace places in the region's zone
	// (AtWall), the registry's only when the region has none.
	WallClock bool
}

// TraceCursor is where a page of a case's traces ended: the last trace's
// creation time and id, in the order the traces are listed.
type TraceCursor struct {
	CreatedAt time.Time
	ID        string
}

// TracePage asks for up to First traces after the cursor After (nil: from
// the newest).
type TracePage struct {
	First int
	After *TraceCursor
	// MadeBy, when set, lists only the traces that token made.
	MadeBy *int64
}

// TracesPage is one page of a case's traces.
type TracesPage struct {
	Traces []Trace
	// More is whether more traces follow; End is the cursor of the last
	// trace on the page (nil for an empty page), read from its row.
	More bool
	End  *TraceCursor
}

// IDKey is the history key of a row with a numeric id.
func IDKey(table string, id int64) HistoryKey { return HistoryKey{table, strconv.FormatInt(id, 10)} }
