package registry

import (
	"context"
	"time"
)

// DefaultAttestationWindow is how many days before expiry an attestation is
// reported as expiring.
const DefaultAttestationWindow = 60

// Check describes one compliance check of the catalogue: what it looks for
// and the rule it rests on. Its SQL lives with the storage that runs it.
type Check struct {
	ID       string
	Title    string
	LegalRef string
	// SeverityRule says how the severity of a finding is chosen, and
	// Clears what resolves it; empty where the catalogue does not say.
	SeverityRule string
	Clears       string
}

// RunOptions say what to run, as of when, and on whose behalf.
type RunOptions struct {
	// At is the instant the registry is evaluated at; zero: now. The
	// findings a run keeps are the live ones: callers facing users (the
	// API) run at now and answer "what would the checks have said then?"
	// with EvaluateChecks, which keeps nothing.
	At      time.Time
	Checks  []string // empty: the whole catalogue
	Trigger string   // schedule, api or cli
	Actor   string
	// Slot is the scheduled activation time; a slot another instance holds
	// or has claimed is recorded as claimed elsewhere and not run.
	Slot *time.Time
	// AttestationWindow is the warning window for expiring attestations, in
	// days; zero or less: DefaultAttestationWindow.
	AttestationWindow int
	// Periods are how recent restore tests and vulnerability scans must
	// be; zero fields take the database setting or the default.
	Periods CheckPeriods
	// Progress, if set, is told after each check.
	Progress func(done, total int, check string)
}

// RunResult is what a run did, or what became of a scheduled slot.
type RunResult struct {
	RunID int64
	// Status is the run's row's status (Run*): ran, failed,
	// claimed_elsewhere or skipped_still_running.
	Status string
	// Failure says why a failed run failed (Failure*).
	Failure                           string
	Checks                            []string // in catalogue order
	Slot                              *time.Time
	Found, Opened, Reopened, Resolved int
	EvaluatedAt, Started, Ended       time.Time
}

// CheckService runs the compliance checks and keeps their findings: the one
// home of the findings' lifecycle (opened, seen again, resolved, reopened,
// accepted, acceptance lapsed) and of the runs' record in check runs.
type CheckService interface {
	// Checks lists the catalogue, in the order the checks run.
	Checks() []Check

	// RunChecks evaluates checks over the whole registry in one transaction
	// and updates the findings. Every call that reaches the database leaves
	// a check run saying what became of it; a scheduled slot (opts.Slot)
	// another instance holds or has claimed is not run and comes back with
	// status RunClaimedElsewhere and no error.
	// Returns INVALID_INPUT if opts names a check not in the catalogue or
	// a period out of range (naming its field);
	// any other error is internal, its run recorded as RunFailed with a
	// Failure* kind.
	RunChecks(ctx context.Context, opts RunOptions) (RunResult, error)

	// EvaluateChecks says what checks (empty: all) would find over the
	// registry as of at, without writing findings, events or runs: the
	// findings come without ids, status or history, the gravest first.
	// Returns INVALID_INPUT if checks names a check not in the catalogue,
	// or naming the field of a period out of range.
	EvaluateChecks(ctx context.Context, at time.Time, checks []string, periods CheckPeriods) ([]Finding, error)

	// RecordSkippedSlot records that a scheduled slot of checks was not run
	// by this instance because its previous run of them had not finished.
	// Returns INVALID_INPUT if checks names a check not in the catalogue.
	RecordSkippedSlot(ctx context.Context, checks []string, slot time.Time, actor string) (RunResult, error)

	// MarkAbandonedRuns marks as abandoned the runs still said to be running
	// whose runner died mid-run, and returns how many it marked. Its errors
	// are internal.
	MarkAbandonedRuns(ctx context.Context) (int64, error)

	// CheckRun loads one run.
	// Returns NOT_FOUND (field id) if there is no such run.
	CheckRun(ctx context.Context, id int64) (CheckRun, error)

	// Finding loads one finding, its status as in effect now.
	// Returns NOT_FOUND naming field if there is no such finding.
	Finding(ctx context.Context, field string, id int64) (Finding, error)

	// AcceptFinding records that a finding is accepted, by actor, with a
	// justification, until a date; after that date it counts as open again.
	// Returns INVALID_INPUT if the justification is empty or too long or the
	// date has passed, NOT_FOUND if there is no such finding, and CONFLICT
	// if the finding is resolved.
	AcceptFinding(ctx context.Context, actor string, id int64, justification string, until time.Time) (Finding, error)
}
