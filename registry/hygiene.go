package registry

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Software and vulnerability hygiene, tenancy, identifiers in file names,
// processors acting beyond their instructions, and risk assessments of a
// supplier change (issue 13). Facts that may be unknown are *bool (nil:
// not established); each is dated, and the rules that judge them are SQL
// functions of migrations/0021_software_tenancy.sql.

// Default recency periods of a check run, in days. A restore test once a
// year is what backup guidance commonly asks (ISO 27001 A.8.13 reviews,
// MSB's guidance); a vulnerability scan every quarter is the interval PCI
// DSS 11.3 sets and health buyers borrow.
const (
	DefaultRestoreTestDays = 365
	DefaultScanDays        = 90
	// MaxPeriodDays bounds a recency period: ten years says "ever".
	MaxPeriodDays = 3660
)

// CheckPeriods are how recent evidence must be for a check run, in days;
// zero: the database setting (kedja.restore_test_days, kedja.scan_days)
// or else the default.
type CheckPeriods struct {
	RestoreTestDays int
	ScanDays        int
}

// Validate checks the periods a caller asked for.
func (p CheckPeriods) Validate() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"restoreTestDays", p.RestoreTestDays}, {"scanDays", p.ScanDays}} {
		if f.v < 0 || f.v > MaxPeriodDays {
			return Invalid(f.name, "must be a number of days from 1 to %d (0 or omitted: the default)", MaxPeriodDays)
		}
	}
	return nil
}

// AssessmentKinds: a risk assessment (Art. 32(2)) or a data protection
// impact assessment (Art. 35).
var AssessmentKinds = []string{"risk_assessment", "dpia"}

// cveID is MITRE's form: CVE, the year, and four or more digits.
var cveID = regexp.MustCompile(`^CVE-([0-9]{4})-[0-9]{4,19}$`)

// SoftwareComponent is a product and version running on a system during a
// period, with the day its support ends (nil: not known or not announced).
type SoftwareComponent struct {
	ID           int64      `db:"id"`
	SystemID     int64      `db:"system_id"`
	Product      string     `db:"product"`
	Version      *string    `db:"version"`
	EndOfSupport *time.Time `db:"end_of_support"`
	Note         *string    `db:"note"`
	Period
}

// VulnerabilityScan is evidence that a system was scanned for
// vulnerabilities on a day, and what the scan covered.
type VulnerabilityScan struct {
	ID        int64     `db:"id"`
	SystemID  int64     `db:"system_id"`
	ScannedOn time.Time `db:"scanned_on"`
	Scope     string    `db:"scope"`
	Reference *string   `db:"reference"`
	Note      *string   `db:"note"`
}

// ExploitedVulnerability is a vulnerability of a component listed as
// known to be exploited (such as CISA's KEV catalogue) on a day, and the
// day it was patched on that system (nil: not patched).
type ExploitedVulnerability struct {
	ID          int64      `db:"id"`
	ComponentID int64      `db:"component_id"`
	CVE         string     `db:"cve_id"`
	ListedOn    time.Time  `db:"listed_on"`
	PatchedOn   *time.Time `db:"patched_on"`
	Note        *string    `db:"note"`
}

// SystemTenancy says, during a period, whether a system is shared with
// the operator's other customers (nil: not established), which other
// controllers are known to share it, and whether their data are
// segmented from one another (nil: not established).
type SystemTenancy struct {
	ID                   int64   `db:"id"`
	SystemID             int64   `db:"system_id"`
	SharedWithOthers     *bool   `db:"shared_with_others"`
	SharingControllerIDs []int64 `db:"sharing_controller_ids"`
	Segmented            *bool   `db:"segmented"`
	Note                 *string `db:"note"`
	Period
}

// NameIdentifiers says, during a period, whether a system's file names or
// metadata carry callers' phone numbers or personal identity numbers
// (nil: not established).
type NameIdentifiers struct {
	ID                      int64   `db:"id"`
	SystemID                int64   `db:"system_id"`
	PhoneNumbers            *bool   `db:"phone_numbers"`
	PersonalIdentityNumbers *bool   `db:"personal_identity_numbers"`
	Note                    *string `db:"note"`
	Period
}

// InstructionConduct says, during a period, whether the receiving party of
// a link stores or records data beyond the controller's instructions (nil:
// not established): a processor that does is a controller of that
// processing (Art. 28(10)).
type InstructionConduct struct {
	ID                 int64   `db:"id"`
	LinkID             int64   `db:"link_id"`
	BeyondInstructions *bool   `db:"beyond_instructions"`
	What               *string `db:"what"`
	Authority          *string `db:"authority"`
	Reference          *string `db:"reference"`
	Note               *string `db:"note"`
	Period
}

// RiskAssessment is a controller's risk assessment or DPIA made on a day,
// and the links and parties it covers.
type RiskAssessment struct {
	ID              int64     `db:"id"`
	ControllerID    int64     `db:"controller_id"`
	Kind            string    `db:"kind"`
	AssessedOn      time.Time `db:"assessed_on"`
	CoveredLinkIDs  []int64   `db:"covered_link_ids"`
	CoveredPartyIDs []int64   `db:"covered_party_ids"`
	Reference       *string   `db:"reference"`
	Note            *string   `db:"note"`
}

// Validate checks a software component before it is stored.
func (c *SoftwareComponent) Validate() error {
	if c.SystemID == 0 {
		return Invalid("systemId", "is required")
	}
	if err := text("product", &c.Product, MaxName, true); err != nil {
		return err
	}
	if err := optText("version", &c.Version, 100); err != nil {
		return err
	}
	if err := optText("note", &c.Note, MaxNote); err != nil {
		return err
	}
	return c.Period.Validate()
}

// Validate checks scan evidence before it is stored.
func (v *VulnerabilityScan) Validate() error {
	if v.SystemID == 0 {
		return Invalid("systemId", "is required")
	}
	if v.ScannedOn.IsZero() {
		return Invalid("scannedOn", "is required")
	}
	if err := text("scope", &v.Scope, MaxRef, true); err != nil {
		return err
	}
	if err := optText("reference", &v.Reference, MaxRef); err != nil {
		return err
	}
	return optText("note", &v.Note, MaxNote)
}

// Validate checks a known-exploited vulnerability before it is stored; the
// CVE id is upper-cased.
func (v *ExploitedVulnerability) Validate() error {
	if v.ComponentID == 0 {
		return Invalid("componentId", "is required")
	}
	v.CVE = strings.ToUpper(strings.TrimSpace(v.CVE))
	m := cveID.FindStringSubmatch(v.CVE)
	if m == nil {
		return Invalid("cveId", "%q is not a CVE id such as CVE-2021-44228", v.CVE)
	}
	if y, _ := strconv.Atoi(m[1]); y < 1999 {
		return Invalid("cveId", "CVE ids begin in 1999")
	}
	if v.ListedOn.IsZero() {
		return Invalid("listedOn", "is required")
	}
	if err := optText("note", &v.Note, MaxNote); err != nil {
		return err
	}
	return nil
}

// Validate checks a tenancy record before it is stored.
func (t *SystemTenancy) Validate() error {
	if t.SystemID == 0 {
		return Invalid("systemId", "is required")
	}
	if t.SharingControllerIDs == nil {
		t.SharingControllerIDs = []int64{}
	}
	if len(t.SharingControllerIDs) > MaxListLen {
		return Invalid("sharingControllerIds", "at most %d controllers", MaxListLen)
	}
	if len(t.SharingControllerIDs) > 0 && t.SharedWithOthers != nil && !*t.SharedWithOthers {
		return Invalid("sharedWithOtherCustomers", "is false, yet sharingControllerIds names controllers sharing the system")
	}
	if err := optText("note", &t.Note, MaxNote); err != nil {
		return err
	}
	return t.Period.Validate()
}

// Validate checks what is known of identifiers in file names before it is
// stored.
func (n *NameIdentifiers) Validate() error {
	if n.SystemID == 0 {
		return Invalid("systemId", "is required")
	}
	if err := optText("note", &n.Note, MaxNote); err != nil {
		return err
	}
	return n.Period.Validate()
}

// Validate checks a link's conduct before it is stored.
func (c *InstructionConduct) Validate() error {
	if c.LinkID == 0 {
		return Invalid("linkId", "is required")
	}
	if err := optText("what", &c.What, MaxPurpose); err != nil {
		return err
	}
	if c.BeyondInstructions != nil && *c.BeyondInstructions && c.What == nil {
		return Invalid("what", "say what the party stores or records beyond its instructions")
	}
	if err := optText("authority", &c.Authority, MaxName); err != nil {
		return err
	}
	if err := optText("reference", &c.Reference, MaxRef); err != nil {
		return err
	}
	if err := optText("note", &c.Note, MaxNote); err != nil {
		return err
	}
	return c.Period.Validate()
}

// Validate checks a risk assessment before it is stored.
func (a *RiskAssessment) Validate() error {
	if a.ControllerID == 0 {
		return Invalid("controllerId", "is required")
	}
	if err := oneOf("kind", a.Kind, AssessmentKinds); err != nil {
		return err
	}
	if a.AssessedOn.IsZero() {
		return Invalid("assessedOn", "is required")
	}
	if a.CoveredLinkIDs == nil {
		a.CoveredLinkIDs = []int64{}
	}
	if a.CoveredPartyIDs == nil {
		a.CoveredPartyIDs = []int64{}
	}
	if len(a.CoveredLinkIDs) > MaxListLen {
		return Invalid("coveredLinkIds", "at most %d links", MaxListLen)
	}
	if len(a.CoveredPartyIDs) > MaxListLen {
		return Invalid("coveredPartyIds", "at most %d parties", MaxListLen)
	}
	if len(a.CoveredLinkIDs)+len(a.CoveredPartyIDs) == 0 {
		return Invalid("coveredLinkIds", "name the links or parties the assessment covers")
	}
	if err := optText("reference", &a.Reference, MaxRef); err != nil {
		return err
	}
	return optText("note", &a.Note, MaxNote)
}

// HygieneService keeps software components, scans and known-exploited
// vulnerabilities, tenancy, identifiers in file names, links' conduct
// beyond instructions, and risk assessments. The relation readers take an
// optional instant (nil: every row, current and past); scans and
// assessments are dated events, listed in full.
type HygieneService interface {
	ComponentsBySystem(ctx context.Context, systems []int64, at *time.Time) (map[int64][]SoftwareComponent, error)
	ScansBySystem(ctx context.Context, systems []int64, at *time.Time) (map[int64][]VulnerabilityScan, error)
	VulnerabilitiesByComponent(ctx context.Context, components []int64, at *time.Time) (map[int64][]ExploitedVulnerability, error)
	TenanciesBySystem(ctx context.Context, systems []int64, at *time.Time) (map[int64][]SystemTenancy, error)
	NameIdentifiersBySystem(ctx context.Context, systems []int64, at *time.Time) (map[int64][]NameIdentifiers, error)
	ConductByLink(ctx context.Context, links []int64, at *time.Time) (map[int64][]InstructionConduct, error)
	AssessmentsByController(ctx context.Context, controllers []int64, at *time.Time) (map[int64][]RiskAssessment, error)

	// AddSoftwareComponent records a component on a system; NOT_FOUND
	// (systemId), CONFLICT for the same product and version twice in an
	// overlapping period.
	AddSoftwareComponent(ctx context.Context, actor string, c *SoftwareComponent) (SoftwareComponent, error)
	EndSoftwareComponent(ctx context.Context, actor string, id int64, at time.Time) (SoftwareComponent, error)
	// RecordVulnerabilityScan records scan evidence; NOT_FOUND (systemId),
	// CONFLICT for the same scope twice on one day.
	RecordVulnerabilityScan(ctx context.Context, actor string, v *VulnerabilityScan) (VulnerabilityScan, error)
	// RecordExploitedVulnerability records a known-exploited vulnerability
	// of a component; NOT_FOUND (componentId), CONFLICT for the same CVE
	// twice on one component.
	RecordExploitedVulnerability(ctx context.Context, actor string, v *ExploitedVulnerability) (ExploitedVulnerability, error)
	// PatchVulnerability records the day the vulnerability was patched;
	// INVALID_INPUT (on) if a patch day is already recorded.
	PatchVulnerability(ctx context.Context, actor string, id int64, on time.Time) (ExploitedVulnerability, error)
	// SetSystemTenancy records a system's tenancy from t.From; an
	// open-ended earlier one ends there. NOT_FOUND (sharingControllerIds)
	// for a controller that does not exist.
	SetSystemTenancy(ctx context.Context, actor string, t *SystemTenancy) (SystemTenancy, error)
	EndSystemTenancy(ctx context.Context, actor string, id int64, at time.Time) (SystemTenancy, error)
	// SetNameIdentifiers records what a system's file names carry from
	// n.From; an open-ended earlier record ends there.
	SetNameIdentifiers(ctx context.Context, actor string, n *NameIdentifiers) (NameIdentifiers, error)
	EndNameIdentifiers(ctx context.Context, actor string, id int64, at time.Time) (NameIdentifiers, error)
	// SetInstructionConduct records a link's conduct from c.From; an
	// open-ended earlier record of the link ends there.
	SetInstructionConduct(ctx context.Context, actor string, c *InstructionConduct) (InstructionConduct, error)
	EndInstructionConduct(ctx context.Context, actor string, id int64, at time.Time) (InstructionConduct, error)
	// RecordRiskAssessment records a controller's assessment; NOT_FOUND
	// (coveredLinkIds, coveredPartyIds) for a link or party that does not
	// exist.
	RecordRiskAssessment(ctx context.Context, actor string, a *RiskAssessment) (RiskAssessment, error)
}
