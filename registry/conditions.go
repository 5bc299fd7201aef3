package registry

import (
	"context"
	"strings"
	"time"
)

// Conditions written into an agreement (issue 13): what a link's agreement
// forbids the chain below it. The agreement_condition check holds the dated
// facts below the link against each condition in force.

// ConditionKinds is the closed set of conditions kedja can check:
//   - no_supplier_access_to_health_data: no staff of the receiving party or
//     of anyone below it may reach systems holding health data;
//   - no_privileged_access_abroad: no administrator access to the systems
//     below the link from outside the EEA;
//   - data_stays_in: the systems below the link are located only in the
//     allowed countries (AllowedCountries; EEA for the EEA's members);
//   - no_subprocessors_without_approval: every party engaged below the
//     receiving party needs the approval of the party that set the
//     condition.
var ConditionKinds = []string{"no_supplier_access_to_health_data", "no_privileged_access_abroad", "data_stays_in",
	"no_subprocessors_without_approval"}

// AllCountriesOfEEA stands, in AllowedCountries, for every country of the
// EEA at the instant judged.
const AllCountriesOfEEA = "EEA"

// AgreementCondition is a condition of a link's agreement in force during a
// period.
type AgreementCondition struct {
	ID               int64    `db:"id"`
	LinkID           int64    `db:"link_id"`
	Kind             string   `db:"kind"`
	AllowedCountries []string `db:"allowed_countries"`
	Clause           *string  `db:"clause"`
	Note             *string  `db:"note"`
	Period
}

// Validate checks a condition before it is stored; country codes are
// upper-cased.
func (c *AgreementCondition) Validate() error {
	if c.LinkID == 0 {
		return Invalid("linkId", "is required")
	}
	if err := oneOf("kind", c.Kind, ConditionKinds); err != nil {
		return err
	}
	if c.AllowedCountries == nil {
		c.AllowedCountries = []string{}
	}
	if len(c.AllowedCountries) > MaxListLen {
		return Invalid("allowedCountries", "at most %d countries", MaxListLen)
	}
	if c.Kind != "data_stays_in" && len(c.AllowedCountries) > 0 {
		return Invalid("allowedCountries", "only a data_stays_in condition names countries")
	}
	if c.Kind == "data_stays_in" && len(c.AllowedCountries) == 0 {
		return Invalid("allowedCountries", "name the countries the data must stay in (EEA for the EEA)")
	}
	for i, code := range c.AllowedCountries {
		code = strings.ToUpper(strings.TrimSpace(code))
		c.AllowedCountries[i] = code
		if code == AllCountriesOfEEA {
			continue
		}
		if err := country("allowedCountries", code); err != nil {
			return err
		}
	}
	if err := optText("clause", &c.Clause, MaxRef); err != nil {
		return err
	}
	if err := optText("note", &c.Note, MaxNote); err != nil {
		return err
	}
	return c.Period.Validate()
}

// ConditionService keeps the conditions of links' agreements.
type ConditionService interface {
	// ConditionsByLink: each link's conditions (at nil: all, current and
	// past; else those in force then).
	ConditionsByLink(ctx context.Context, links []int64, at *time.Time) (map[int64][]AgreementCondition, error)
	// SetAgreementCondition records a condition of a link's agreement from
	// c.From; NOT_FOUND (linkId, allowedCountries), CONFLICT for the same
	// kind on the link in an overlapping period.
	SetAgreementCondition(ctx context.Context, actor string, c *AgreementCondition) (AgreementCondition, error)
	EndAgreementCondition(ctx context.Context, actor string, id int64, at time.Time) (AgreementCondition, error)
}
