package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

// Software components, vulnerability scans and known-exploited
// vulnerabilities, tenancy, identifiers in file names, links' conduct
// beyond instructions and risk assessments (migrations/0021).

func init() {
	for k, v := range map[string][2]string{
		"software_components_no_overlap":   {"validFrom", "the system already runs this product and version in an overlapping period"},
		"vulnerability_scans_unique":       {"scannedOn", "a scan of this scope on this day is already recorded for the system"},
		"exploited_vulnerabilities_unique": {"cveId", "this vulnerability is already recorded for the component"},
		"system_tenancies_no_overlap":      {"validFrom", "the system already has a tenancy record in an overlapping period"},
		"name_identifiers_no_overlap":      {"validFrom", "the system already has a record of identifiers in file names in an overlapping period"},
		"instruction_conduct_no_overlap":   {"validFrom", "the link already has a record of its conduct in an overlapping period"},
	} {
		conflicts[k] = v
	}
	fieldOfColumn["component_id"] = "componentId"
}

var components = entity[registry.SoftwareComponent]{
	table: "software_components", what: "software component",
	cols: `id, system_id, product, version, end_of_support, note, ` + periodCols,
	ins: `INSERT INTO software_components (system_id, product, version, end_of_support, note, valid)
		VALUES (:system_id, :product, :version, :end_of_support, :note, tstzrange(:valid_from, :valid_to, '[)')) RETURNING id`,
	upd: `UPDATE software_components SET valid = tstzrange(:valid_from, :valid_to, '[)') WHERE id = :id`,
}

var scans = entity[registry.VulnerabilityScan]{
	table: "vulnerability_scans", what: "vulnerability scan",
	cols: `id, system_id, scanned_on, scope, reference, note`,
	ins: `INSERT INTO vulnerability_scans (system_id, scanned_on, scope, reference, note)
		VALUES (:system_id, :scanned_on, :scope, :reference, :note) RETURNING id`,
}

var exploited = entity[registry.ExploitedVulnerability]{
	table: "exploited_vulnerabilities", what: "exploited vulnerability",
	cols: `id, component_id, cve_id, listed_on, patched_on, note`,
	ins: `INSERT INTO exploited_vulnerabilities (component_id, cve_id, listed_on, patched_on, note)
		VALUES (:component_id, :cve_id, :listed_on, :patched_on, :note) RETURNING id`,
	upd: `UPDATE exploited_vulnerabilities SET patched_on = :patched_on WHERE id = :id`,
}

var tenancies = entity[registry.SystemTenancy]{
	table: "system_tenancies", what: "system tenancy",
	cols: `id, system_id, shared_with_others, sharing_controller_ids, segmented, note, ` + periodCols,
	ins: `INSERT INTO system_tenancies (system_id, shared_with_others, sharing_controller_ids, segmented, note, valid)
		VALUES (:system_id, :shared_with_others, :sharing_controller_ids, :segmented, :note, tstzrange(:valid_from, :valid_to, '[)')) RETURNING id`,
	upd: `UPDATE system_tenancies SET valid = tstzrange(:valid_from, :valid_to, '[)') WHERE id = :id`,
	check: func(ctx context.Context, s *Store, tx *sqlx.Tx, t *registry.SystemTenancy) error {
		// An array cannot carry foreign keys: the named controllers are
		// checked here.
		if err := mustExist(ctx, s, tx, "organisations", "sharingControllerIds", "organisation", t.SharingControllerIDs); err != nil {
			return err
		}
		_, err := s.exec(ctx, tx, replaceOpen("system_tenancies", "system_id"), t.SystemID, t.From, t.ID)
		return err
	},
}

var nameIdentifiers = entity[registry.NameIdentifiers]{
	table: "name_identifiers", what: "identifiers in file names",
	cols: `id, system_id, phone_numbers, personal_identity_numbers, note, ` + periodCols,
	ins: `INSERT INTO name_identifiers (system_id, phone_numbers, personal_identity_numbers, note, valid)
		VALUES (:system_id, :phone_numbers, :personal_identity_numbers, :note, tstzrange(:valid_from, :valid_to, '[)')) RETURNING id`,
	upd: `UPDATE name_identifiers SET valid = tstzrange(:valid_from, :valid_to, '[)') WHERE id = :id`,
	check: func(ctx context.Context, s *Store, tx *sqlx.Tx, n *registry.NameIdentifiers) error {
		_, err := s.exec(ctx, tx, replaceOpen("name_identifiers", "system_id"), n.SystemID, n.From, n.ID)
		return err
	},
}

var conduct = entity[registry.InstructionConduct]{
	table: "instruction_conduct", what: "instruction conduct",
	cols: `id, link_id, beyond_instructions, what, authority, reference, note, ` + periodCols,
	ins: `INSERT INTO instruction_conduct (link_id, beyond_instructions, what, authority, reference, note, valid)
		VALUES (:link_id, :beyond_instructions, :what, :authority, :reference, :note, tstzrange(:valid_from, :valid_to, '[)')) RETURNING id`,
	upd: `UPDATE instruction_conduct SET valid = tstzrange(:valid_from, :valid_to, '[)') WHERE id = :id`,
	check: func(ctx context.Context, s *Store, tx *sqlx.Tx, c *registry.InstructionConduct) error {
		_, err := s.exec(ctx, tx, replaceOpen("instruction_conduct", "link_id"), c.LinkID, c.From, c.ID)
		return err
	},
}

var assessments = entity[registry.RiskAssessment]{
	table: "risk_assessments", what: "risk assessment",
	cols: `id, controller_id, kind, assessed_on, covered_link_ids, covered_party_ids, reference, note`,
	ins: `INSERT INTO risk_assessments (controller_id, kind, assessed_on, covered_link_ids, covered_party_ids, reference, note)
		VALUES (:controller_id, :kind, :assessed_on, :covered_link_ids, :covered_party_ids, :reference, :note) RETURNING id`,
	check: func(ctx context.Context, s *Store, tx *sqlx.Tx, a *registry.RiskAssessment) error {
		if err := mustExist(ctx, s, tx, "links", "coveredLinkIds", "link", a.CoveredLinkIDs); err != nil {
			return err
		}
		return mustExist(ctx, s, tx, "organisations", "coveredPartyIds", "organisation", a.CoveredPartyIDs)
	},
}

type tenancyRow struct {
	registry.SystemTenancy
	SharingControllerIDs pq.Int64Array `db:"sharing_controller_ids"`
}

func (r *tenancyRow) toDomain() registry.SystemTenancy {
	v := r.SystemTenancy
	v.SharingControllerIDs = r.SharingControllerIDs
	return v
}

func (r *tenancyRow) fromDomain(v registry.SystemTenancy) {
	r.SystemTenancy, r.SharingControllerIDs = v, v.SharingControllerIDs
}

type assessmentRow struct {
	registry.RiskAssessment
	CoveredLinkIDs  pq.Int64Array `db:"covered_link_ids"`
	CoveredPartyIDs pq.Int64Array `db:"covered_party_ids"`
}

func (r *assessmentRow) toDomain() registry.RiskAssessment {
	v := r.RiskAssessment
	v.CoveredLinkIDs, v.CoveredPartyIDs = r.CoveredLinkIDs, r.CoveredPartyIDs
	return v
}

func (r *assessmentRow) fromDomain(v registry.RiskAssessment) {
	r.RiskAssessment, r.CoveredLinkIDs, r.CoveredPartyIDs = v, v.CoveredLinkIDs, v.CoveredPartyIDs
}

// AddSoftwareComponent records a component running on a system.
func (s *Store) AddSoftwareComponent(ctx context.Context, actor string, c *registry.SoftwareComponent) (registry.SoftwareComponent, error) {
	return create(ctx, s, actor, components, c)
}

// EndSoftwareComponent records that a component stopped running at at
// (removed or upgraded).
func (s *Store) EndSoftwareComponent(ctx context.Context, actor string, id int64, at time.Time) (registry.SoftwareComponent, error) {
	return modify(ctx, s, actor, components, id, func(c *registry.SoftwareComponent) error { return endPeriod(&c.Period, at) })
}

// RecordVulnerabilityScan records evidence of a scan.
func (s *Store) RecordVulnerabilityScan(ctx context.Context, actor string, v *registry.VulnerabilityScan) (registry.VulnerabilityScan, error) {
	return create(ctx, s, actor, scans, v)
}

// RecordExploitedVulnerability records a known-exploited vulnerability of
// a component.
func (s *Store) RecordExploitedVulnerability(ctx context.Context, actor string, v *registry.ExploitedVulnerability) (registry.ExploitedVulnerability, error) {
	return create(ctx, s, actor, exploited, v)
}

// PatchVulnerability records the day a vulnerability was patched; a patch
// day once recorded is not moved (its history says what was claimed).
func (s *Store) PatchVulnerability(ctx context.Context, actor string, id int64, on time.Time) (registry.ExploitedVulnerability, error) {
	return modify(ctx, s, actor, exploited, id, func(v *registry.ExploitedVulnerability) error {
		if v.PatchedOn != nil {
			return registry.Invalid("on", "the vulnerability is already recorded as patched on %s", v.PatchedOn.Format(time.DateOnly))
		}
		v.PatchedOn = &on
		return nil
	})
}

// SetSystemTenancy records a system's tenancy from t.From on.
func (s *Store) SetSystemTenancy(ctx context.Context, actor string, t *registry.SystemTenancy) (registry.SystemTenancy, error) {
	return create(ctx, s, actor, tenancies, t)
}

// EndSystemTenancy ends a tenancy record at at.
func (s *Store) EndSystemTenancy(ctx context.Context, actor string, id int64, at time.Time) (registry.SystemTenancy, error) {
	return modify(ctx, s, actor, tenancies, id, func(t *registry.SystemTenancy) error { return endPeriod(&t.Period, at) })
}

// SetNameIdentifiers records what a system's file names carry from n.From on.
func (s *Store) SetNameIdentifiers(ctx context.Context, actor string, n *registry.NameIdentifiers) (registry.NameIdentifiers, error) {
	return create(ctx, s, actor, nameIdentifiers, n)
}

// EndNameIdentifiers ends such a record at at.
func (s *Store) EndNameIdentifiers(ctx context.Context, actor string, id int64, at time.Time) (registry.NameIdentifiers, error) {
	return modify(ctx, s, actor, nameIdentifiers, id, func(n *registry.NameIdentifiers) error { return endPeriod(&n.Period, at) })
}

// SetInstructionConduct records a link's conduct from c.From on.
func (s *Store) SetInstructionConduct(ctx context.Context, actor string, c *registry.InstructionConduct) (registry.InstructionConduct, error) {
	return create(ctx, s, actor, conduct, c)
}

// EndInstructionConduct ends such a record at at.
func (s *Store) EndInstructionConduct(ctx context.Context, actor string, id int64, at time.Time) (registry.InstructionConduct, error) {
	return modify(ctx, s, actor, conduct, id, func(c *registry.InstructionConduct) error { return endPeriod(&c.Period, at) })
}

// RecordRiskAssessment records a controller's risk assessment or DPIA.
func (s *Store) RecordRiskAssessment(ctx context.Context, actor string, a *registry.RiskAssessment) (registry.RiskAssessment, error) {
	return create(ctx, s, actor, assessments, a)
}

// Relations: each owner's rows, oldest first; with an instant, those in
// force then (a scan or an assessment: made on or before its date).
var (
	componentsBySystem = relation[registry.SoftwareComponent]{
		query: `SELECT ` + components.cols + ` FROM software_components WHERE system_id = ANY($1)
			AND (CAST($2 AS timestamptz) IS NULL OR valid @> CAST($2 AS timestamptz)) ORDER BY product, lower(valid), id`,
		key: func(c *registry.SoftwareComponent) int64 { return c.SystemID },
	}
	scansBySystem = relation[registry.VulnerabilityScan]{
		query: `SELECT ` + scans.cols + ` FROM vulnerability_scans WHERE system_id = ANY($1)
			AND (CAST($2 AS timestamptz) IS NULL OR scanned_on <= CAST(CAST($2 AS timestamptz) AS date)) ORDER BY scanned_on, id`,
		key: func(v *registry.VulnerabilityScan) int64 { return v.SystemID },
	}
	vulnsByComponent = relation[registry.ExploitedVulnerability]{
		query: `SELECT ` + exploited.cols + ` FROM exploited_vulnerabilities WHERE component_id = ANY($1)
			AND (CAST($2 AS timestamptz) IS NULL OR listed_on <= CAST(CAST($2 AS timestamptz) AS date)) ORDER BY listed_on, cve_id`,
		key: func(v *registry.ExploitedVulnerability) int64 { return v.ComponentID },
	}
	tenanciesBySystem = relation[registry.SystemTenancy]{
		query: `SELECT ` + tenancies.cols + ` FROM system_tenancies WHERE system_id = ANY($1)
			AND (CAST($2 AS timestamptz) IS NULL OR valid @> CAST($2 AS timestamptz)) ORDER BY lower(valid), id`,
		key: func(t *registry.SystemTenancy) int64 { return t.SystemID },
	}
	identifiersBySystem = relation[registry.NameIdentifiers]{
		query: `SELECT ` + nameIdentifiers.cols + ` FROM name_identifiers WHERE system_id = ANY($1)
			AND (CAST($2 AS timestamptz) IS NULL OR valid @> CAST($2 AS timestamptz)) ORDER BY lower(valid), id`,
		key: func(n *registry.NameIdentifiers) int64 { return n.SystemID },
	}
	conductByLink = relation[registry.InstructionConduct]{
		query: `SELECT ` + conduct.cols + ` FROM instruction_conduct WHERE link_id = ANY($1)
			AND (CAST($2 AS timestamptz) IS NULL OR valid @> CAST($2 AS timestamptz)) ORDER BY lower(valid), id`,
		key: func(c *registry.InstructionConduct) int64 { return c.LinkID },
	}
	assessmentsByController = relation[registry.RiskAssessment]{
		query: `SELECT ` + assessments.cols + ` FROM risk_assessments WHERE controller_id = ANY($1)
			AND (CAST($2 AS timestamptz) IS NULL OR assessed_on <= CAST(CAST($2 AS timestamptz) AS date)) ORDER BY assessed_on, id`,
		key: func(a *registry.RiskAssessment) int64 { return a.ControllerID },
	}
)

// ComponentsBySystem loads the systems' software components.
func (s *Store) ComponentsBySystem(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.SoftwareComponent, error) {
	return loadRelation(ctx, s, componentsBySystem, ids, at)
}

// ScansBySystem loads the systems' vulnerability scans.
func (s *Store) ScansBySystem(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.VulnerabilityScan, error) {
	return loadRelation(ctx, s, scansBySystem, ids, at)
}

// VulnerabilitiesByComponent loads the components' known-exploited vulnerabilities.
func (s *Store) VulnerabilitiesByComponent(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.ExploitedVulnerability, error) {
	return loadRelation(ctx, s, vulnsByComponent, ids, at)
}

// TenanciesBySystem loads the systems' tenancy records.
func (s *Store) TenanciesBySystem(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.SystemTenancy, error) {
	return loadRelation(ctx, s, tenanciesBySystem, ids, at)
}

// NameIdentifiersBySystem loads what the systems' file names carry.
func (s *Store) NameIdentifiersBySystem(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.NameIdentifiers, error) {
	return loadRelation(ctx, s, identifiersBySystem, ids, at)
}

// ConductByLink loads the links' conduct records.
func (s *Store) ConductByLink(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.InstructionConduct, error) {
	return loadRelation(ctx, s, conductByLink, ids, at)
}

// AssessmentsByController loads the controllers' risk assessments.
func (s *Store) AssessmentsByController(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.RiskAssessment, error) {
	return loadRelation(ctx, s, assessmentsByController, ids, at)
}
