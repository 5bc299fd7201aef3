package registry

import (
	"context"
	"time"
)

// Legal reference data beside EEA membership and adequacy (issue 13): the
// countries whose health-care secrecy stays home, and how long a country's
// law says a kind of system must keep data at least. Both are dated rows,
// kept by administrators through the API as the law changes, with their
// history in changes; the checks (disclosure_basis, retention_minimum)
// read them.

// HealthSecrecyRule says that a country's health-care secrecy does not
// follow patient data to a controller or recipient outside the EEA during
// a period of legal dates (To exclusive).
type HealthSecrecyRule struct {
	ID        int64      `db:"id"`
	Country   string     `db:"country_code"`
	Reference string     `db:"reference"`
	Note      *string    `db:"note"`
	From      time.Time  `db:"valid_from"`
	To        *time.Time `db:"valid_to"`
}

// RetentionMinimum is how many days a country's law says a system of a
// kind must keep data at least, during a period of legal dates.
type RetentionMinimum struct {
	ID         int64      `db:"id"`
	Country    string     `db:"country_code"`
	SystemKind string     `db:"system_kind"`
	MinDays    int32      `db:"min_days"`
	LegalRef   string     `db:"legal_ref"`
	From       time.Time  `db:"valid_from"`
	To         *time.Time `db:"valid_to"`
}

// MaxRetentionDays bounds a retention minimum: a century.
const MaxRetentionDays = 36500

// Validate checks a health-secrecy rule before it is stored.
func (r *HealthSecrecyRule) Validate() error {
	if err := country("country", r.Country); err != nil {
		return err
	}
	if err := text("reference", &r.Reference, MaxRef, true); err != nil {
		return err
	}
	if err := optText("note", &r.Note, MaxNote); err != nil {
		return err
	}
	return datePeriod(r.From, r.To)
}

// Validate checks a retention minimum before it is stored.
func (m *RetentionMinimum) Validate() error {
	if err := country("country", m.Country); err != nil {
		return err
	}
	if err := oneOf("systemKind", m.SystemKind, SystemKinds); err != nil {
		return err
	}
	if m.MinDays <= 0 || m.MinDays > MaxRetentionDays {
		return Invalid("minDays", "give a number of days from 1 to %d", MaxRetentionDays)
	}
	if err := text("legalRef", &m.LegalRef, MaxRef, true); err != nil {
		return err
	}
	return datePeriod(m.From, m.To)
}

// The laws kedja judges transfers by (issue 14, migrations/0030_laws.sql):
// each party's own law is its country's (EU law in the EEA, the UK GDPR in
// the United Kingdom from 2021, the FADP in Switzerland) unless a
// PartyJurisdiction says otherwise, and each transfer is judged by the
// law of the party that makes it.
const (
	LawEU = "eu"
	LawUK = "uk"
	LawCH = "ch"
)

// Laws lists the laws in the order the API shows them.
var Laws = []string{LawEU, LawUK, LawCH}

// PartyJurisdiction says that a party's own law is Law during a period of
// legal dates (To exclusive), whatever its country's: a Swedish subsidiary
// acting as a UK controller, say.
type PartyJurisdiction struct {
	ID    int64      `db:"id"`
	OrgID int64      `db:"org_id"`
	Law   string     `db:"law"`
	Note  *string    `db:"note"`
	From  time.Time  `db:"valid_from"`
	To    *time.Time `db:"valid_to"`
}

// Validate checks a party jurisdiction before it is stored.
func (j *PartyJurisdiction) Validate() error {
	if j.OrgID <= 0 {
		return Invalid("organisation", "is required")
	}
	if err := oneOf("law", j.Law, Laws); err != nil {
		return err
	}
	if err := optText("note", &j.Note, MaxNote); err != nil {
		return err
	}
	return datePeriod(j.From, j.To)
}

// ReferenceService keeps the health-secrecy rules and retention minimums.
// Adds return INVALID_INPUT naming the field (an unknown country: country),
// CONFLICT (validFrom) for a period overlapping another of the same
// country (and, for minimums, kind); ends return NOT_FOUND for a missing
// id, INVALID_INPUT (on) for an end not after the start and CONFLICT (on)
// for one already ended earlier.
type ReferenceService interface {
	// HealthSecrecyRules and RetentionMinimums list every row, by country
	// and start; with at, only those in force on its date.
	HealthSecrecyRules(ctx context.Context, at *time.Time) ([]HealthSecrecyRule, error)
	RetentionMinimums(ctx context.Context, at *time.Time) ([]RetentionMinimum, error)
	AddHealthSecrecyRule(ctx context.Context, actor string, r *HealthSecrecyRule) (HealthSecrecyRule, error)
	EndHealthSecrecyRule(ctx context.Context, actor string, id int64, on time.Time) (HealthSecrecyRule, error)
	AddRetentionMinimum(ctx context.Context, actor string, m *RetentionMinimum) (RetentionMinimum, error)
	EndRetentionMinimum(ctx context.Context, actor string, id int64, on time.Time) (RetentionMinimum, error)
	// LawAdequacyDecisions lists one law's adequacy decisions (Laws), by
	// country and start; with at, only those in force on its date.
	LawAdequacyDecisions(ctx context.Context, law string, at *time.Time) ([]AdequacyDecision, error)
	// PartyJurisdictions lists the explicit jurisdictions recorded for a
	// party, oldest first. AddPartyJurisdiction returns INVALID_INPUT
	// (organisation) for an unknown party, CONFLICT (validFrom) for a
	// period overlapping another of the party's; EndPartyJurisdiction as
	// the other ends.
	PartyJurisdictions(ctx context.Context, org int64) ([]PartyJurisdiction, error)
	AddPartyJurisdiction(ctx context.Context, actor string, j *PartyJurisdiction) (PartyJurisdiction, error)
	EndPartyJurisdiction(ctx context.Context, actor string, id int64, on time.Time) (PartyJurisdiction, error)
}
