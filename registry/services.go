package registry

import (
	"context"
	"iter"
	"time"
)

// The services below are kedja's use cases. They are declared here, with the
// errors each returns, and implemented by the storage package (store.Store
// implements them all); GraphQL, the picture routes, the report pages, the
// CLI and the schedule call them and nothing below them.
//
// Conventions that hold for every method unless its comment says otherwise:
//   - a method whose name is a type (Organisation, Link) loads one by id and
//     returns NOT_FOUND naming field when there is none;
//   - a method whose name is a plural (Organisations, Links) loads many by id
//     in one statement; ids with no row are absent from the map;
//   - List* methods return one page in id order and whether more follow;
//   - a relation (LinksFrom, UsesBySystem, ...) loads the rows related to
//     many parents in one statement, keyed by parent id; with at, only the
//     rows in force then, without it every row, current and past;
//   - writes take the actor recorded as their author, validate the whole
//     value (INVALID_INPUT naming the field), refuse an overlapping duplicate
//     (CONFLICT) and a reference to a missing record (NOT_FOUND), and are
//     one transaction each: nothing is half-written;
//   - any other error is internal: log it, never show it.

// OrganisationService reads and writes organisations: regions, public
// bodies and companies.
type OrganisationService interface {
	Organisation(ctx context.Context, field string, id int64) (Organisation, error)
	Organisations(ctx context.Context, ids []int64) (map[int64]Organisation, error)
	ListOrganisations(ctx context.Context, f OrganisationFilter, p Page) ([]Organisation, bool, error)
	// OrganisationChildren: the organisations whose parent each is.
	OrganisationChildren(ctx context.Context, parents []int64, at *time.Time) (map[int64][]Organisation, error)

	CreateOrganisation(ctx context.Context, actor string, o *Organisation) (Organisation, error)
	// UpdateOrganisation applies apply to the organisation as stored and
	// stores the result; apply's error is returned as it is.
	UpdateOrganisation(ctx context.Context, actor string, id int64, apply func(*Organisation) error) (Organisation, error)
	// EndOrganisation records that it ceased to exist at at; INVALID_INPUT
	// if at is not after its start or later than an end already recorded.
	EndOrganisation(ctx context.Context, actor string, id int64, at time.Time) (Organisation, error)
}

// SystemService reads and writes systems and their dated profiles and
// locations.
type SystemService interface {
	System(ctx context.Context, field string, id int64) (System, error)
	Systems(ctx context.Context, ids []int64) (map[int64]System, error)
	ListSystems(ctx context.Context, f SystemFilter, p Page) ([]System, bool, error)
	SystemsByOperator(ctx context.Context, operators []int64, at *time.Time) (map[int64][]System, error)
	ProfilesBySystem(ctx context.Context, systems []int64, at *time.Time) (map[int64][]SystemProfile, error)
	LocationsBySystem(ctx context.Context, systems []int64, at *time.Time) (map[int64][]SystemLocation, error)

	CreateSystem(ctx context.Context, actor string, v *System) (System, error)
	UpdateSystem(ctx context.Context, actor string, id int64, apply func(*System) error) (System, error)
	// EndSystem takes a system out of service at at and ends its uses still
	// running then.
	EndSystem(ctx context.Context, actor string, id int64, at time.Time) (System, error)
	// SetSystemProfile records security facts from p.ValidFrom; the profile
	// in force until then ends there.
	SetSystemProfile(ctx context.Context, actor string, p *SystemProfile) (SystemProfile, error)
	AddSystemLocation(ctx context.Context, actor string, l *SystemLocation) (SystemLocation, error)
	EndSystemLocation(ctx context.Context, actor string, id int64, at time.Time) (SystemLocation, error)
}

// LinkService reads and writes links (data flowing from one party to
// another), the systems used on them, role findings and moves of stored
// data.
type LinkService interface {
	Link(ctx context.Context, field string, id int64) (Link, error)
	Links(ctx context.Context, ids []int64) (map[int64]Link, error)
	ListLinks(ctx context.Context, f LinkFilter, p Page) ([]Link, bool, error)
	// LinksFrom: the links out of each party; LinksTo: the links into it.
	LinksFrom(ctx context.Context, parties []int64, at *time.Time) (map[int64][]Link, error)
	LinksTo(ctx context.Context, parties []int64, at *time.Time) (map[int64][]Link, error)
	// LinksFromWithParties is LinksFrom with the receiving party of every
	// link (by id, as Organisations reads it), in the same statement: a
	// nested query asking for both pays one round trip, not two.
	LinksFromWithParties(ctx context.Context, parties []int64, at *time.Time) (map[int64][]Link, map[int64]Organisation, error)
	RoleFindingsByLink(ctx context.Context, links []int64, at *time.Time) (map[int64][]RoleFinding, error)

	CreateLink(ctx context.Context, actor string, l *Link) (Link, error)
	// UpdateLink changes a link; INVALID_INPUT if apply moves its parties
	// (end it and create another instead) or shrinks its period away from
	// the system uses on it.
	UpdateLink(ctx context.Context, actor string, id int64, apply func(*Link) error) (Link, error)
	// EndLink ends a link at at, and the system uses still running on it.
	EndLink(ctx context.Context, actor string, id int64, at time.Time) (Link, error)
	RecordRoleFinding(ctx context.Context, actor string, f *RoleFinding) (RoleFinding, error)

	SystemUse(ctx context.Context, field string, id int64) (SystemUse, error)
	SystemUses(ctx context.Context, ids []int64) (map[int64]SystemUse, error)
	ListSystemUses(ctx context.Context, f SystemUseFilter, p Page) ([]SystemUse, bool, error)
	UsesByLink(ctx context.Context, links []int64, at *time.Time) (map[int64][]SystemUse, error)
	UsesByParty(ctx context.Context, parties []int64, at *time.Time) (map[int64][]SystemUse, error)
	// UsesByPartyWithSystems is UsesByParty with the system of every use
	// (by id, as Systems reads it), in the same statement.
	UsesByPartyWithSystems(ctx context.Context, parties []int64, at *time.Time) (map[int64][]SystemUse, map[int64]System, error)
	UsesBySystem(ctx context.Context, systems []int64, at *time.Time) (map[int64][]SystemUse, error)
	// CreateSystemUse records that one of a link's parties used a system
	// for the link's work; INVALID_INPUT if the party is not on the link or
	// the period falls outside the link's.
	CreateSystemUse(ctx context.Context, actor string, u *SystemUse) (SystemUse, error)
	EndSystemUse(ctx context.Context, actor string, id int64, at time.Time) (SystemUse, error)

	DataMove(ctx context.Context, field string, id int64) (DataMove, error)
	// ListDataMoves lists moves into or out of system (nil: all).
	ListDataMoves(ctx context.Context, system *int64, p Page) ([]DataMove, bool, error)
	MovesFromSystem(ctx context.Context, systems []int64, at *time.Time) (map[int64][]DataMove, error)
	MovesToSystem(ctx context.Context, systems []int64, at *time.Time) (map[int64][]DataMove, error)
	RecordDataMove(ctx context.Context, actor string, m *DataMove) (DataMove, error)
}

// AttestationService reads and writes security evidence about
// organisations and systems.
type AttestationService interface {
	Attestation(ctx context.Context, field string, id int64) (Attestation, error)
	Attestations(ctx context.Context, ids []int64) (map[int64]Attestation, error)
	ListAttestations(ctx context.Context, f AttestationFilter, p Page) ([]Attestation, bool, error)
	// AttestationsByOrg and AttestationsBySystem: with at, only those that
	// count then (kedja_attestation_valid).
	AttestationsByOrg(ctx context.Context, orgs []int64, at *time.Time) (map[int64][]Attestation, error)
	AttestationsBySystem(ctx context.Context, systems []int64, at *time.Time) (map[int64][]Attestation, error)
	// AttestationStatuses says of each attestation whether it counts at an
	// instant (AttestationValid, ...), by the one rule the checks use.
	AttestationStatuses(ctx context.Context, ids []int64, at time.Time) (map[int64]string, error)

	CreateAttestation(ctx context.Context, actor string, a *Attestation) (Attestation, error)
	// UpdateAttestation changes an attestation; INVALID_INPUT if apply
	// moves it to another subject.
	UpdateAttestation(ctx context.Context, actor string, id int64, apply func(*Attestation) error) (Attestation, error)
	WithdrawAttestation(ctx context.Context, actor string, id int64, at time.Time) (Attestation, error)
}

// CountryService reads countries and keeps the legal reference data of
// their standing: EEA membership and adequacy decisions, as dated rows.
type CountryService interface {
	// Countries loads countries by code; codes with no country are absent.
	Countries(ctx context.Context, codes []string) (map[string]Country, error)
	// ListCountries lists every country by code; with eeaOn, only the EEA
	// members on that date.
	ListCountries(ctx context.Context, eeaOn *time.Time) ([]Country, error)
	EEAMemberships(ctx context.Context, codes []string, at *time.Time) (map[string][]EEAMembership, error)
	AdequacyDecisions(ctx context.Context, codes []string, at *time.Time) (map[string][]AdequacyDecision, error)

	// RenameCountry changes a display name; NOT_FOUND (field code) for an
	// unknown country, INVALID_INPUT (field name) for an empty or long one.
	RenameCountry(ctx context.Context, actor, code, name string) (Country, error)
	AddEEAMembership(ctx context.Context, actor string, m *EEAMembership) (EEAMembership, error)
	EndEEAMembership(ctx context.Context, actor string, id int64, on time.Time) (EEAMembership, error)
	AddAdequacyDecision(ctx context.Context, actor string, d *AdequacyDecision) (AdequacyDecision, error)
	EndAdequacyDecision(ctx context.Context, actor string, id int64, on time.Time) (AdequacyDecision, error)
	// The other legal reference data: health-secrecy rules and retention
	// minimums (reference.go).
	ReferenceService
}

// PolicyService keeps controllers' location policies.
type PolicyService interface {
	PoliciesByController(ctx context.Context, controllers []int64, at *time.Time) (map[int64][]LocationPolicy, error)
	// SetLocationPolicy records a policy from p.ValidFrom; an open-ended
	// earlier one ends where it starts.
	SetLocationPolicy(ctx context.Context, actor string, p *LocationPolicy) (LocationPolicy, error)
	EndLocationPolicy(ctx context.Context, actor string, id int64, at time.Time) (LocationPolicy, error)
}

// HistoryService reads the recorded changes of registry rows.
type HistoryService interface {
	// History loads the changes of many rows in one statement, oldest first.
	History(ctx context.Context, keys []HistoryKey) (map[HistoryKey][]Change, error)
	// RecentChanges lists the newest n changes to any registry row, newest
	// first.
	RecentChanges(ctx context.Context, n int) ([]Change, error)
}

// ChainService answers who held whose data at an instant, downwards from a
// controller and upwards from a party or system, at any depth, each in a
// fixed number of statements whatever the chain's length.
type ChainService interface {
	// Walk returns every link reachable from root at at, up to
	// opts.MaxDepth, with cycles flagged and not followed; truncated says
	// that more than opts.MaxSteps steps exist.
	Walk(ctx context.Context, root int64, at time.Time, opts WalkOptions) (steps []Step, truncated bool, err error)
	// Responsibility works out who was responsible for an organisation or a
	// system (exactly one of org and system is non-zero) at at: every
	// controller above it, the paths, and what each link lacks by the
	// rules of law.
	Responsibility(ctx context.Context, org, system int64, at time.Time, maxDepth int) (Responsibility, error)
	// Parties loads what a chain shows of parties at an instant: name,
	// country and its standing.
	Parties(ctx context.Context, ids []int64, at time.Time) (map[int64]PartyFacts, error)
	// UsesAt loads the systems used on links at an instant, with their
	// profiles and storage countries then.
	UsesAt(ctx context.Context, links []int64, at time.Time) ([]UseFacts, error)
	// CountriesAt loads countries' names and standings at an instant.
	CountriesAt(ctx context.Context, codes []string, at time.Time) (map[string]CountryFacts, error)
	// Timeline lists the instants at which root's chain changed, at any
	// time, up to opts.MaxDepth: links, system uses, storage and access
	// locations and profiles entering or leaving it.
	Timeline(ctx context.Context, root int64, opts TimelineOptions) (ChainTimeline, error)
}

// TraceService answers a citizen's access request (GDPR Art. 15): who held
// one call, where and how long, kept as it was answered.
type TraceService interface {
	// TraceCall works out who held a call made to region at callAt from one
	// snapshot of the registry, stores the answer under caseRef as a
	// versioned document, and returns it. INVALID_INPUT (field caseRef) for
	// an empty or long case reference, NOT_FOUND (field region) for no
	// such organisation.
	TraceCall(ctx context.Context, actor string, region int64, callAt time.Time, caseRef string, opts TraceOptions) (Trace, error)
	// Trace loads a stored trace exactly as it was stored; NOT_FOUND (field
	// id) if there is none.
	Trace(ctx context.Context, id string) (Trace, error)
	// TracesByCase lists a case's traces, newest first, a page at a time.
	TracesByCase(ctx context.Context, caseRef string, p TracePage) (TracesPage, error)
	// TracesMadeBy lists the traces a token made (see Trace.MadeBy), newest
	// first, a page at a time: an access-request handler's own earlier cases.
	TracesMadeBy(ctx context.Context, tokenID int64, p TracePage) (TracesPage, error)
}

// FindingService reads what the checks found (CheckService runs them and
// keeps the findings' lifecycle).
type FindingService interface {
	ListFindings(ctx context.Context, f FindingFilter, p Page) ([]Finding, bool, error)
	ListCheckRuns(ctx context.Context, p Page) ([]CheckRun, bool, error)
	// FindingEvents: each finding's history, oldest first; with at, up to
	// then.
	FindingEvents(ctx context.Context, findings []int64, at *time.Time) (map[int64][]FindingEvent, error)
	// OpenFindingsOf: the open findings about each subject of a kind
	// (party, system or link), worst first; with at, those first seen by
	// then. INVALID_INPUT (field subjectKind) for another kind.
	OpenFindingsOf(ctx context.Context, kind string, subjects []int64, at *time.Time) (map[int64][]Finding, error)
	// OpenFindingsWith is OpenFindingsOf reading of a finding's costlier
	// parts only those in parts; the others are left zero (Controllers,
	// ControllerID and Path without FindingControllers, LastSeen without
	// FindingLastSeen). For callers that know what they will show.
	OpenFindingsWith(ctx context.Context, kind string, parts FindingParts, subjects []int64, at *time.Time) (map[int64][]Finding, error)
	// OpenFindingCounts counts the open findings about parties and systems.
	OpenFindingCounts(ctx context.Context, parties, systems []int64) (byParty, bySystem map[int64]int, err error)
	// FindingSummary counts the open findings by severity, check, party
	// concerned and controller; with a controller, only those affecting
	// its chain.
	FindingSummary(ctx context.Context, controller *int64) (FindingSummary, error)
}

// FindingParts are the parts of a finding that cost a read more than its
// own row: its controllers (a subquery per finding) and when a run last saw
// it (a lookup per finding of the last run over its check).
type FindingParts uint8

const (
	FindingControllers FindingParts = 1 << iota // Controllers, ControllerID, Path
	FindingLastSeen                             // LastSeen
	AllFindingParts    = FindingControllers | FindingLastSeen
)

// TokenService keeps the API tokens: stored only as hashes, shown once.
type TokenService interface {
	// CreateToken makes a token and returns it with its secret;
	// INVALID_INPUT (name, role) for an empty or long name or an unknown
	// role.
	CreateToken(ctx context.Context, actor, name, role string, expires *time.Time) (Token, string, error)
	// Authenticate returns the live token whose secret this is and marks
	// its use; ok is false for an unknown, expired or revoked one.
	Authenticate(ctx context.Context, secret string) (t Token, ok bool, err error)
	// RevokeToken revokes a token by id or by the prefix shown in lists;
	// NOT_FOUND (field token) if there is none.
	RevokeToken(ctx context.Context, idOrPrefix string) (Token, error)
	ListTokens(ctx context.Context) ([]Token, error)
	// MarkTokenUsed records that the token with id was used now.
	MarkTokenUsed(ctx context.Context, id int64) error
	// LockOut records a lock-out of an address or prefix (kind
	// LockAddress, LockPrefix) after failures; an existing one stands.
	LockOut(ctx context.Context, kind, key string, failures int) error
	// Lockouts lists the lock-outs in force, oldest first.
	Lockouts(ctx context.Context) ([]Lockout, error)
	// LiftLockout lifts the lock-outs in force of an address or prefix
	// (key), recording actor, and returns them; NOT_FOUND (field target)
	// if there is none.
	LiftLockout(ctx context.Context, actor, key string) ([]Lockout, error)
}

// SessionService keeps browsers' sessions, stored only as hashes of their
// ids.
type SessionService interface {
	// CreateSession makes a session from the live token whose secret is
	// given, ending after idle without use and at the latest after max; it
	// returns the session and its id, shown this once. NOT_FOUND (field
	// token) for an unknown, expired or revoked token.
	CreateSession(ctx context.Context, tokenSecret string, idle, max time.Duration) (Session, string, error)
	// Session returns the live session whose id is given and marks its use;
	// ok is false for an unknown or ended one, or one whose token has ended.
	Session(ctx context.Context, id string) (s Session, ok bool, err error)
	// EndSession ends a session (signing out); an unknown id is no error.
	EndSession(ctx context.Context, id string) error
}

// AuditService keeps the keyed, hash-chained audit log of every request.
// A request's writes append their rows in their own transactions (see
// PendingAudit); the rest come through Audit and AuditLater.
type AuditService interface {
	// Audit appends e, chained to the row before it, and returns once it
	// is committed: for answers that must not leave unrecorded. The row is
	// written even when ctx ends first (Audit then returns ctx's error).
	Audit(ctx context.Context, e AuditEntry) error
	// AuditLater queues e for a group commit with other requests' rows:
	// it returns at once, or waits while the queue is full; nothing queued
	// is dropped.
	AuditLater(ctx context.Context, e AuditEntry) error
	// ListAudit lists entries, newest first.
	ListAudit(ctx context.Context, f AuditFilter, p Page) ([]AuditEntry, bool, error)
	// AuditCheckpoint signs the chain's head as it is now.
	AuditCheckpoint(ctx context.Context) (AuditCheckpoint, error)
	// VerifyAudit walks the whole log, a row at a time, and compares it
	// with checkpoints (oldest first); it reports every row that breaks the
	// chain and every checkpoint the log no longer matches.
	VerifyAudit(ctx context.Context, checkpoints iter.Seq2[AuditCheckpoint, error]) (AuditReport, error)
}

// Services are every use case, as the callers (GraphQL, pictures, reports,
// CLI, schedule) are given them.
type Services struct {
	Organisations OrganisationService
	Systems       SystemService
	Links         LinkService
	Attestations  AttestationService
	Countries     CountryService
	Policies      PolicyService
	Basis         BasisService
	Posture       PostureService
	History       HistoryService
	Chains        ChainService
	Traces        TraceService
	Checks        CheckService
	Findings      FindingService
	Tokens        TokenService
	Audit         AuditService
	Sessions      SessionService
	Incidents     IncidentService
	Imports       ImportService
	// Ping says whether the storage answers (health checks).
	Ping func(ctx context.Context) error
}
