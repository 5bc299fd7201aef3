package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/kedja/kedja/registry"
)

// Health-secrecy rules (migrations/0011_legal_basis.sql) and retention
// minimums (0017), the legal reference data beside EEA membership and
// adequacy: dated rows with their history (kedja_record_change), never
// deleted, ended instead.

func init() {
	conflicts["health_secrecy_rules_no_overlap"] = [2]string{"validFrom", "the country already has a health-secrecy rule in an overlapping period"}
	conflicts["retention_minimums_no_overlap"] = [2]string{"validFrom", "the country already has a retention minimum for this kind of system in an overlapping period"}
}

var healthSecrecyRules = entity[registry.HealthSecrecyRule]{
	table: "health_secrecy_rules", what: "health-secrecy rule",
	cols: `id, country_code, reference, note, lower(valid) AS valid_from, upper(valid) AS valid_to`,
	ins: `INSERT INTO health_secrecy_rules (country_code, reference, note, valid)
		VALUES (:country_code, :reference, :note, daterange(CAST(:valid_from AS date), CAST(:valid_to AS date))) RETURNING id`,
	upd: `UPDATE health_secrecy_rules SET reference = :reference, note = :note,
		valid = daterange(CAST(:valid_from AS date), CAST(:valid_to AS date)) WHERE id = :id`,
}

var retentionMinimums = entity[registry.RetentionMinimum]{
	table: "retention_minimums", what: "retention minimum",
	cols: `id, country_code, system_kind, min_days, legal_ref, lower(valid) AS valid_from, upper(valid) AS valid_to`,
	ins: `INSERT INTO retention_minimums (country_code, system_kind, min_days, legal_ref, valid)
		VALUES (:country_code, :system_kind, :min_days, :legal_ref, daterange(CAST(:valid_from AS date), CAST(:valid_to AS date))) RETURNING id`,
	upd: `UPDATE retention_minimums SET min_days = :min_days, legal_ref = :legal_ref,
		valid = daterange(CAST(:valid_from AS date), CAST(:valid_to AS date)) WHERE id = :id`,
}

// HealthSecrecyRules lists the health-secrecy rules, those in force on at's
// date if at is set.
func (s *Store) HealthSecrecyRules(ctx context.Context, at *time.Time) ([]registry.HealthSecrecyRule, error) {
	var rows []registry.HealthSecrecyRule
	err := s.selectx(ctx, s.q(ctx), &rows, `SELECT `+healthSecrecyRules.cols+` FROM health_secrecy_rules
		WHERE $1::timestamptz IS NULL OR valid @> CAST($1 AS date) ORDER BY country_code, lower(valid), id`, nullTime(at))
	return rows, err
}

// RetentionMinimums lists the retention minimums, those in force on at's
// date if at is set.
func (s *Store) RetentionMinimums(ctx context.Context, at *time.Time) ([]registry.RetentionMinimum, error) {
	var rows []registry.RetentionMinimum
	err := s.selectx(ctx, s.q(ctx), &rows, `SELECT `+retentionMinimums.cols+` FROM retention_minimums
		WHERE $1::timestamptz IS NULL OR valid @> CAST($1 AS date) ORDER BY country_code, system_kind, lower(valid), id`, nullTime(at))
	return rows, err
}

// AddHealthSecrecyRule records a health-secrecy rule.
func (s *Store) AddHealthSecrecyRule(ctx context.Context, actor string, r *registry.HealthSecrecyRule) (registry.HealthSecrecyRule, error) {
	return create(ctx, s, actor, healthSecrecyRules, r)
}

// EndHealthSecrecyRule ends a health-secrecy rule on a date (exclusive).
func (s *Store) EndHealthSecrecyRule(ctx context.Context, actor string, id int64, on time.Time) (registry.HealthSecrecyRule, error) {
	return modify(ctx, s, actor, healthSecrecyRules, id, func(r *registry.HealthSecrecyRule) error {
		return endDates(r.From, &r.To, on)
	})
}

// AddRetentionMinimum records a retention minimum.
func (s *Store) AddRetentionMinimum(ctx context.Context, actor string, m *registry.RetentionMinimum) (registry.RetentionMinimum, error) {
	return create(ctx, s, actor, retentionMinimums, m)
}

// EndRetentionMinimum ends a retention minimum on a date (exclusive).
func (s *Store) EndRetentionMinimum(ctx context.Context, actor string, id int64, on time.Time) (registry.RetentionMinimum, error) {
	return modify(ctx, s, actor, retentionMinimums, id, func(m *registry.RetentionMinimum) error {
		return endDates(m.From, &m.To, on)
	})
}

// Laws (migrations/0030_laws.sql): each law's adequacy decisions and the
// parties' explicit jurisdictions, dated rows kept as the others.

func init() {
	conflicts["party_jurisdictions_no_overlap"] = [2]string{"validFrom", "the party already has a jurisdiction in an overlapping period"}
}

var partyJurisdictions = entity[registry.PartyJurisdiction]{
	table: "party_jurisdictions", what: "party jurisdiction",
	cols: `id, org_id, law, note, lower(valid) AS valid_from, upper(valid) AS valid_to`,
	ins: `INSERT INTO party_jurisdictions (org_id, law, note, valid)
		VALUES (:org_id, :law, :note, daterange(CAST(:valid_from AS date), CAST(:valid_to AS date))) RETURNING id`,
	upd: `UPDATE party_jurisdictions SET note = :note,
		valid = daterange(CAST(:valid_from AS date), CAST(:valid_to AS date)) WHERE id = :id`,
}

// LawAdequacyDecisions lists one law's adequacy decisions, those in force
// on at's date if at is set.
func (s *Store) LawAdequacyDecisions(ctx context.Context, law string, at *time.Time) ([]registry.AdequacyDecision, error) {
	if !slices.Contains(registry.Laws, law) {
		return nil, registry.Invalid("law", "%q is not one of %s", law, strings.Join(registry.Laws, ", "))
	}
	var rows []registry.AdequacyDecision
	err := s.selectx(ctx, s.q(ctx), &rows, `SELECT `+adequacyDecisions.cols+` FROM adequacy_decisions
		WHERE law = $1 AND ($2::timestamptz IS NULL OR valid @> CAST($2 AS date)) ORDER BY country_code, lower(valid), id`, law, nullTime(at))
	return rows, err
}

// PartyJurisdictions lists a party's explicit jurisdictions, oldest first.
func (s *Store) PartyJurisdictions(ctx context.Context, org int64) ([]registry.PartyJurisdiction, error) {
	var rows []registry.PartyJurisdiction
	err := s.selectx(ctx, s.q(ctx), &rows, `SELECT `+partyJurisdictions.cols+` FROM party_jurisdictions
		WHERE org_id = $1 ORDER BY lower(valid), id`, org)
	return rows, err
}

// AddPartyJurisdiction records a party's explicit jurisdiction.
func (s *Store) AddPartyJurisdiction(ctx context.Context, actor string, j *registry.PartyJurisdiction) (registry.PartyJurisdiction, error) {
	return create(ctx, s, actor, partyJurisdictions, j)
}

// EndPartyJurisdiction ends a party's jurisdiction on a date (exclusive).
func (s *Store) EndPartyJurisdiction(ctx context.Context, actor string, id int64, on time.Time) (registry.PartyJurisdiction, error) {
	return modify(ctx, s, actor, partyJurisdictions, id, func(j *registry.PartyJurisdiction) error {
		return endDates(j.From, &j.To, on)
	})
}
