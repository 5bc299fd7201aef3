package resolvers

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
)

// HealthSecrecyRules resolves healthSecrecyRules(at): every rule, or those
// in force at at.
func (r *Resolvers) HealthSecrecyRules() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		at, err := r.at(p, "at")
		if err != nil {
			return nil, err
		}
		return r.Services.Countries.HealthSecrecyRules(p.Context, at)
	})
}

// RetentionMinimums resolves retentionMinimums(at): every minimum, or those
// in force at at.
func (r *Resolvers) RetentionMinimums() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		at, err := r.at(p, "at")
		if err != nil {
			return nil, err
		}
		return r.Services.Countries.RetentionMinimums(p.Context, at)
	})
}

// DecodeHealthSecrecyRule maps a HealthSecrecyRuleInput.
func DecodeHealthSecrecyRule(in *input, h *registry.HealthSecrecyRule) {
	in.str("country", &h.Country)
	in.str("reference", &h.Reference)
	in.optStr("note", &h.Note)
	in.date("validFrom", &h.From)
	in.optDate("validTo", &h.To)
}

// DecodeRetentionMinimum maps a RetentionMinimumInput.
func DecodeRetentionMinimum(in *input, m *registry.RetentionMinimum) {
	in.str("country", &m.Country)
	in.str("systemKind", &m.SystemKind)
	var days *int32
	in.optInt32("minDays", &days)
	if days != nil {
		m.MinDays = *days
	}
	in.str("legalRef", &m.LegalRef)
	in.date("validFrom", &m.From)
	in.optDate("validTo", &m.To)
}

// LawAdequacyDecisions resolves lawAdequacyDecisions(law, at): one law's
// adequacy decisions, or those in force at at.
func (r *Resolvers) LawAdequacyDecisions() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		at, err := r.at(p, "at")
		if err != nil {
			return nil, err
		}
		law, _ := p.Args["law"].(string)
		if law == "" {
			law = registry.LawEU
		}
		return r.Services.Countries.LawAdequacyDecisions(p.Context, law, at)
	})
}

// PartyJurisdictions resolves partyJurisdictions(organisation): a party's
// explicit jurisdictions.
func (r *Resolvers) PartyJurisdictions() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		org, err := idArg(p, "organisation")
		if err != nil {
			return nil, err
		}
		return r.Services.Countries.PartyJurisdictions(p.Context, org)
	})
}

// DecodePartyJurisdiction maps a PartyJurisdictionInput.
func DecodePartyJurisdiction(in *input, j *registry.PartyJurisdiction) {
	in.id("orgId", &j.OrgID)
	in.str("law", &j.Law)
	in.optStr("note", &j.Note)
	in.date("validFrom", &j.From)
	in.optDate("validTo", &j.To)
}
