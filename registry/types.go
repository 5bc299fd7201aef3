package registry

import (
	"encoding/json"
	"time"
)

// Enumerations, in the spelling the database stores. The GraphQL schema builds
// its enums from these lists, so a value added here is added everywhere.
var (
	OrgKinds           = []string{"region", "public_body", "company", "other"}
	SystemKinds        = []string{"telephony", "recording", "storage", "records", "backup", "other"}
	Authentications    = []string{"none", "password", "mfa", "certificate", "smart_card"}
	LocationPurposes   = []string{"storage", "access"}
	Roles              = []string{"processor", "sub_processor", "joint_controller", "independent_controller", "recipient"}
	FoundRoles         = append(append([]string{}, Roles...), "none")
	Authorisations     = []string{"none", "specific", "general"}
	TransferMechanisms = []string{"none", "adequacy", "scc", "bcr", "derogation"}
	// TransferTools are the standard clauses a transfer under SCCs can rely
	// on; which law recognises which, and when, is the transfer_tools table
	// (migrations/0036_transfer_tools.sql).
	TransferTools    = []string{"eu_scc_2001", "eu_scc_2004", "eu_scc_2010", "eu_scc_2021", "uk_idta", "uk_addendum", "ch_scc_2021"}
	AttestationKinds = []string{"iso27001", "iso27701", "soc2_type2", "csa_star", "bsi_c5", "hds", "health_self_assessment", "cyber_essentials", "pentest", "dpf_certification", "other"}
	AdequacyScopes   = []string{"full", "partial"}
	ConditionCodes   = []string{"commercial_organisation", "dpf_certification", "other"}
	Weekdays         = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
)

// Period is a validity period [From, To); a nil To means still valid.
type Period struct {
	From time.Time  `db:"valid_from"`
	To   *time.Time `db:"valid_to"`
}

// Contains reports whether t falls in [From, To).
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.From) && (p.To == nil || t.Before(*p.To))
}

// Organisation is a party: a region, a public body or a company.
type Organisation struct {
	ID           int64      `db:"id"`
	LegalName    string     `db:"legal_name"`
	OrgNumber    *string    `db:"org_number"`
	Country      string     `db:"country_code"`
	Kind         string     `db:"kind"`
	ParentID     *int64     `db:"parent_id"`
	CountyCode   *string    `db:"county_code"`
	CountyLetter *string    `db:"county_letter"`
	TimeZone     string     `db:"time_zone"`
	EndedAt      *time.Time `db:"ended_at"`
}

// System is software or hardware that handles calls.
type System struct {
	ID             int64      `db:"id"`
	Name           string     `db:"name"`
	Kind           string     `db:"kind"`
	OperatorID     int64      `db:"operator_id"`
	VendorID       *int64     `db:"vendor_id"`
	DataCategories []string   `db:"data_categories"`
	Description    *string    `db:"description"`
	EndedAt        *time.Time `db:"ended_at"`
}

// SystemProfile is a system's security facts during a period. Each fact is
// yes, no or unknown: nil is unknown (not established), never "no".
type SystemProfile struct {
	ID       int64 `db:"id"`
	SystemID int64 `db:"system_id"`
	Period
	InternetExposed     *bool   `db:"internet_exposed"`
	Authentication      *string `db:"authentication"`
	TransportEncryption *bool   `db:"transport_encryption"`
	EncryptionAtRest    *bool   `db:"encryption_at_rest"`
	RetentionDays       *int32  `db:"retention_days"`
	// Backup and restore (GDPR Art. 32(1)(b)-(c)): whether a backup exists,
	// the day a restore was last tested (a legal date), and the recovery
	// time objective in hours.
	BackupExists      *bool      `db:"backup_exists"`
	LastRestoreTest   *time.Time `db:"last_restore_test"`
	RecoveryTimeHours *int32     `db:"recovery_time_hours"`
	Note              *string    `db:"note"`
}

// SystemLocation is a country where a system stores data or is accessed from.
type SystemLocation struct {
	ID       int64  `db:"id"`
	SystemID int64  `db:"system_id"`
	Country  string `db:"country_code"`
	Purpose  string `db:"purpose"`
	Period
}

// Window is a weekly routing window read in a time zone: on each of Days,
// from Start to End ("HH:MM"). An End at or before Start runs past midnight
// into the next day, so {fri, 21:00, 07:00} covers Friday night.
type Window struct {
	Days  []string `json:"days"`
	Start string   `json:"start"`
	End   string   `json:"end"`
}

// Windows are a link's routing windows, in the order recorded. Their JSON
// is what the database keeps and its rule functions read.
type Windows []Window

// Link is a flow of data from one party to another, with the receiving party's
// role on it for a period.
type Link struct {
	ID             int64    `db:"id"`
	FromID         int64    `db:"from_id"`
	ToID           int64    `db:"to_id"`
	Role           string   `db:"role"`
	Purpose        string   `db:"purpose"`
	DataCategories []string `db:"data_categories"`
	HealthData     bool     `db:"health_data"`
	Period
	AgreementRef            *string    `db:"agreement_ref"`
	AgreementDate           *time.Time `db:"agreement_date"`
	Authorisation           string     `db:"authorisation"`
	AuthorisationDate       *time.Time `db:"authorisation_date"`
	AuthorisingControllerID *int64     `db:"authorising_controller_id"`
	TransferMechanism       string     `db:"transfer_mechanism"`
	SCCModule               *int16     `db:"scc_module"`
	TransferTool            *string    `db:"transfer_tool"` // the clauses relied on; nil: not recorded
	TIADate                 *time.Time `db:"tia_date"`
	RoutingNote             *string    `db:"routing_note"`
	RoutingTimeZone         *string    `db:"routing_time_zone"`
	RoutingWindows          Windows    `db:"routing_windows"`
	RoutingShare            *float64   `db:"routing_share"`
}

// RoleFinding is what an authority found a link's role to be.
type RoleFinding struct {
	ID        int64     `db:"id"`
	LinkID    int64     `db:"link_id"`
	Role      string    `db:"role"`
	Authority string    `db:"authority"`
	DecidedOn time.Time `db:"decided_on"`
	Reference *string   `db:"reference"`
	Note      *string   `db:"note"`
}

// SystemUse records that a party used a system to do a link's work.
type SystemUse struct {
	ID       int64   `db:"id"`
	LinkID   int64   `db:"link_id"`
	SystemID int64   `db:"system_id"`
	PartyID  int64   `db:"party_id"`
	Purpose  *string `db:"purpose"`
	Period
}

// DataMove records stored data moved from one system into another.
type DataMove struct {
	ID            int64      `db:"id"`
	FromSystemID  int64      `db:"from_system_id"`
	ToSystemID    int64      `db:"to_system_id"`
	MovedAt       time.Time  `db:"moved_at"`
	RecordedFrom  *time.Time `db:"recorded_from"`
	RecordedUntil *time.Time `db:"recorded_until"`
	Note          *string    `db:"note"`
}

// Attestation is security evidence about an organisation or a system.
type Attestation struct {
	ID               int64      `db:"id"`
	OrgID            *int64     `db:"org_id"`
	SystemID         *int64     `db:"system_id"`
	Kind             string     `db:"kind"`
	Issuer           string     `db:"issuer"`
	IssuedOn         time.Time  `db:"issued_on"`
	ValidUntil       *time.Time `db:"valid_until"`
	Scope            *string    `db:"scope"`
	EvidenceRef      *string    `db:"evidence_ref"`
	CoveredSystemIDs []int64    `db:"covered_system_ids"`
	WithdrawnAt      *time.Time `db:"withdrawn_at"`
	// SelfAssessed says the party assessed itself: weaker evidence than a
	// certificate or an independent auditor's report.
	SelfAssessed bool `db:"self_assessed"`
}

// Country is an ISO 3166-1 country.
type Country struct {
	Code string `db:"code"`
	Name string `db:"name"`
}

// EEAMembership is a period in which a country belonged to the EEA. Dates are
// legal dates; To is exclusive.
type EEAMembership struct {
	ID      int64      `db:"id"`
	Country string     `db:"country_code"`
	From    time.Time  `db:"valid_from"`
	To      *time.Time `db:"valid_to"`
}

// AdequacyDecision is an adequacy decision (GDPR Art. 45) for a country.
type AdequacyDecision struct {
	ID            int64      `db:"id"`
	Country       string     `db:"country_code"`
	Scope         string     `db:"scope"`
	ConditionCode *string    `db:"condition_code"`
	Condition     *string    `db:"condition"`
	DecisionRef   *string    `db:"decision_ref"`
	DecidedOn     time.Time  `db:"decided_on"`
	From          time.Time  `db:"valid_from"`
	To            *time.Time `db:"valid_to"`
	// Law is whose decision it is (Laws): the EU's (the default), the UK's
	// adequacy regulations or Switzerland's list.
	Law string `db:"law"`
}

// Change is one recorded insert or update of a registry row.
type Change struct {
	ID        int64           `db:"id"`
	Table     string          `db:"table_name"`
	RowKey    string          `db:"row_key"`
	Op        string          `db:"op"`
	Actor     string          `db:"actor"`
	ChangedAt time.Time       `db:"changed_at"`
	RowData   json.RawMessage `db:"row_data"`
}

// LocationPolicies are the rules a controller may set for where its data may
// be: in one country, in the EEA, or in the EEA and adequacy countries.
var LocationPolicies = []string{"country", "eea", "eea_adequacy"}

// LocationPolicy is a controller's rule for where its data may be, from a
// date.
type LocationPolicy struct {
	ID           int64   `db:"id"`
	ControllerID int64   `db:"controller_id"`
	Policy       string  `db:"policy"`
	Country      *string `db:"country_code"`
	Reference    *string `db:"reference"`
	Period
}

// Finding is something a check found: one fact about a subject (party,
// system or link), identified by its check and subject, with every
// controller whose chain it affects.
type Finding struct {
	ID          int64               `db:"id"`
	Check       string              `db:"check_id"`
	SubjectKind string              `db:"subject_kind"`
	SubjectID   int64               `db:"subject_id"`
	Controllers []FindingController `db:"controllers"` // shortest path first
	// ControllerID and Path are the first of Controllers (zero and nil if
	// there are none), for callers that knew one controller per finding.
	ControllerID int64   `db:"-"`
	Path         []int64 `db:"-"`
	Severity     string  `db:"severity"`
	Status       string  `db:"status"` // as effective now: an acceptance that ran out reads as open
	LegalRef     string  `db:"legal_ref"`
	Message      string  `db:"message"`
	// Evidence is what the check saw, as JSON.
	Evidence json.RawMessage `db:"evidence"`
	// Since is when the condition began according to the dated facts (the
	// earliest over its controllers while it stays open); nil when the
	// facts do not say.
	Since         *time.Time `db:"since"`
	FirstSeen     time.Time  `db:"first_seen"`
	LastSeen      time.Time  `db:"last_seen"`
	ResolvedAt    *time.Time `db:"resolved_at"`
	AcceptedBy    *string    `db:"accepted_by"`
	AcceptedUntil *time.Time `db:"accepted_until"`
	Justification *string    `db:"justification"`
}

// FindingController is a controller whose chain a finding affects.
type FindingController struct {
	ControllerID int64   `json:"controllerId"`
	Path         []int64 `json:"path"` // link ids from the controller to the subject
	// Since is when the condition began in this controller's chain,
	// according to the dated facts; nil when they do not say.
	Since *time.Time `json:"since"`
	// FirstSeen and LastSeen: when a run first and last found it affecting
	// this controller; zero in an evaluation.
	FirstSeen time.Time `json:"firstSeen"`
	LastSeen  time.Time `json:"lastSeen"`
}

// FindingSummary counts open findings: in all, by severity, by check, by
// party concerned (the subject party, a system's operator, a link's
// receiving party) and by controller whose chain they affect.
type FindingSummary struct {
	Total        int
	BySeverity   []Count
	ByCheck      []Count
	ByParty      []Count
	ByController []Count
}

// Count is how many findings share a key: a severity, a check id, or a
// party's id (ID).
type Count struct {
	Key   string
	ID    int64
	Count int
}

// FindingEvent is one step of a finding's history.
type FindingEvent struct {
	ID        int64     `db:"id"`
	FindingID int64     `db:"finding_id"`
	Event     string    `db:"event"`
	At        time.Time `db:"at"`
	RunID     *int64    `db:"run_id"`
	Actor     string    `db:"actor"`
	Note      *string   `db:"note"`
}

// CheckRun is one run of checks, or one instance's record of a scheduled
// slot it did not run.
type CheckRun struct {
	ID          int64      `db:"id"`
	Checks      []string   `db:"checks"`
	Slot        *time.Time `db:"slot"`
	Trigger     string     `db:"trigger"`
	Actor       string     `db:"actor"`
	Status      string     `db:"status"`
	EvaluatedAt *time.Time `db:"evaluated_at"`
	StartedAt   time.Time  `db:"started_at"`
	EndedAt     *time.Time `db:"ended_at"`
	Found       *int32     `db:"found"`
	Opened      *int32     `db:"opened"`
	Reopened    *int32     `db:"reopened"`
	Resolved    *int32     `db:"resolved"`
	Failure     *string    `db:"failure"`
	// Error is the failure's internal text, for operators; never shown to
	// API callers.
	Error *string `db:"error"`
}

// A check run's status: what became of a run, or of a scheduled slot on
// one instance.
const (
	RunRunning             = "running"
	RunRan                 = "ran"
	RunFailed              = "failed"
	RunAbandoned           = "abandoned"
	RunSkippedStillRunning = "skipped_still_running"
	RunClaimedElsewhere    = "claimed_elsewhere"
)

// CheckRunStatuses are the statuses a check run may have.
var CheckRunStatuses = []string{RunRunning, RunRan, RunFailed, RunAbandoned, RunSkippedStillRunning, RunClaimedElsewhere}

// Why a check run failed, in words safe to show.
const (
	FailureStopped = "stopped"
	FailureTimeout = "timeout"
	FailureError   = "error"
)

// CheckRunFailures are the kinds of failure a check run records.
var CheckRunFailures = []string{FailureStopped, FailureTimeout, FailureError}

// Severities, worst first.
var Severities = []string{"critical", "high", "medium", "low", "info"}

// FindingStatuses are a finding's states.
var FindingStatuses = []string{"open", "resolved", "accepted"}
