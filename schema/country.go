package schema

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

var (
	adequacyScope = enum("AdequacyScope", "Whether an adequacy decision covers every recipient in the country or only some.", registry.AdequacyScopes, map[string]string{
		"full":    "Covers every recipient in the country.",
		"partial": "Covers only the recipients that meet its condition (conditionCode).",
	})
	conditionCode = enum("AdequacyCondition", "Which recipients a partial adequacy decision covers.", registry.ConditionCodes, map[string]string{
		"commercial_organisation": "Commercial organisations only (Canada): met by an organisation of kind COMPANY.",
		"dpf_certification": "Organisations certified under the EU-US Data Privacy Framework (Decision 2023/1795): " +
			"met by an organisation with a DPF_CERTIFICATION attestation valid at the instant.",
		"other": "A condition described only in words; kedja cannot check it and never counts it as met.",
	})
	transferClass = enum("TransferClass", "A country's standing for transfers at an instant, under the law that judges the transfer: "+
		"EU law unless said otherwise; along a chain, the law of the party that sends the data (issue 14).",
		[]string{"eea", "domestic", "adequacy", "partial_adequacy", "third_country"}, map[string]string{
			"eea":      "Under EU law: in the EEA on the instant's date; no transfer safeguard is needed.",
			"domestic": "Under a law other than the EU's: within that law's own territory (Great Britain under the UK GDPR, Switzerland under the FADP); no transfer at all.",
			"adequacy": "Outside the law's own territory, with a full adequacy decision of that law in force (GDPR Art. 45, UK GDPR Art. 45, " +
				"FADP Art. 16(1)): no safeguard is needed.",
			"partial_adequacy": "Outside the law's own territory, with a partial adequacy decision of that law in force: only recipients that meet its condition need no safeguard.",
			"third_country":    "Outside the law's own territory, with no adequacy decision of that law in force: a transfer needs a safeguard (GDPR Art. 46) or a derogation (Art. 49).",
		})
)

// countryType builds Country, its standing and its dated rows.
func (t *types) countryType(r *resolvers.Resolvers) {
	t.adequacy = graphql.NewObject(graphql.ObjectConfig{Name: "AdequacyDecision", Description: "An adequacy decision (GDPR Art. 45).",
		Fields: graphql.Fields{
			"id":            field(nn(graphql.ID), "The decision's id in the registry.", func(d registry.AdequacyDecision) any { return id(d.ID) }),
			"countryCode":   field(nn(graphql.String), "ISO 3166-1 alpha-2 code of the country it is about.", func(d registry.AdequacyDecision) any { return d.Country }),
			"scope":         field(nn(adequacyScope), "Whether it covers every recipient in the country (FULL) or only those that meet its condition (PARTIAL).", func(d registry.AdequacyDecision) any { return d.Scope }),
			"conditionCode": field(conditionCode, "Which recipients a partial decision covers.", func(d registry.AdequacyDecision) any { return optStr(d.ConditionCode) }),
			"condition":     field(graphql.String, "The condition in words.", func(d registry.AdequacyDecision) any { return optStr(d.Condition) }),
			"decisionRef":   field(graphql.String, "The decision's reference, such as Decision 2023/1795; null if none is recorded.", func(d registry.AdequacyDecision) any { return optStr(d.DecisionRef) }),
			"decidedOn":     field(nn(dateScalar), "Date the decision was adopted.", func(d registry.AdequacyDecision) any { return d.DecidedOn }),
			"validFrom":     field(nn(dateScalar), "First day it applies (inclusive).", func(d registry.AdequacyDecision) any { return d.From }),
			"validTo":       field(dateScalar, "Exclusive; null while in force.", func(d registry.AdequacyDecision) any { return optTime(d.To) }),
			"law":           field(nn(lawEnum), "Whose decision it is: the EU's, the UK's adequacy regulations or Switzerland's list.", func(d registry.AdequacyDecision) any { return d.Law }),
		}})
	t.eea = graphql.NewObject(graphql.ObjectConfig{Name: "EEAMembership", Description: "A period of EEA membership.",
		Fields: graphql.Fields{
			"id":          field(nn(graphql.ID), "The membership's id in the registry.", func(m registry.EEAMembership) any { return id(m.ID) }),
			"countryCode": field(nn(graphql.String), "ISO 3166-1 alpha-2 code of the member country.", func(m registry.EEAMembership) any { return m.Country }),
			"validFrom":   field(nn(dateScalar), "First day of membership (inclusive).", func(m registry.EEAMembership) any { return m.From }),
			"validTo":     field(dateScalar, "Exclusive; null while a member.", func(m registry.EEAMembership) any { return optTime(m.To) }),
		}})
	t.standing = graphql.NewObject(graphql.ObjectConfig{Name: "CountryStanding", Description: "A country's standing for transfers at an instant.",
		Fields: graphql.Fields{
			"class":    field(nn(transferClass), "EEA, ADEQUACY, PARTIAL_ADEQUACY or THIRD_COUNTRY.", func(s resolvers.Standing) any { return s.Class() }),
			"eea":      field(nn(graphql.Boolean), "Whether the country was in the EEA on the instant's date.", func(s resolvers.Standing) any { return s.EEA }),
			"adequacy": field(t.adequacy, "The adequacy decision in force, if any.", func(s resolvers.Standing) any { return s.Adequacy }),
		}})
	t.country = graphql.NewObject(graphql.ObjectConfig{Name: "Country", Description: "An ISO 3166-1 country.",
		Fields: graphql.Fields{
			"code": field(nn(graphql.String), "ISO 3166-1 alpha-2.", func(c registry.Country) any { return c.Code }),
			"name": field(nn(graphql.String), "Its name in English, as the registry shows it (renameCountry changes it).", func(c registry.Country) any { return c.Name }),
			"standing": {Type: nn(t.standing), Args: t.instantArg("Default: now."), Description: "EEA membership and adequacy at an instant.",
				Resolve: r.CountryStanding()},
			"eeaMemberships":    {Type: list(t.eea), Description: "Every recorded period of EEA membership, past and present, oldest first.", Resolve: resolvers.CountryHistory(r, resolvers.EEAMemberships)},
			"adequacyDecisions": {Type: list(t.adequacy), Description: "Every recorded adequacy decision for it, past and present, oldest first.", Resolve: resolvers.CountryHistory(r, resolvers.AdequacyDecisions)},
		}})
}

// countryOf is a field holding a country code, resolved to the country.
func (t *types) countryOf(desc string, code func(any) string) *graphql.Field {
	return &graphql.Field{Type: nn(t.country), Description: desc, Resolve: t.r.CountryByCode(code)}
}

// countryFields adds Country, its inputs and the root fields that read and
// write countries, EEA memberships and adequacy decisions.
func (t *types) countryFields(r *resolvers.Resolvers, query, mutation graphql.Fields) {
	t.countryType(r)
	str, inst := graphql.String, t.instant

	eeaInput := inputObject("EEAMembershipInput", "A period in which a country belongs to the EEA, in legal dates.", graphql.InputObjectConfigFieldMap{
		"country":   in(nn(str), "ISO 3166-1 alpha-2 code of the country."),
		"validFrom": in(nn(dateScalar), "First day of membership (inclusive)."),
		"validTo":   in(dateScalar, "Exclusive: the first day no longer a member; omit while a member."),
	})
	adequacyInput := inputObject("AdequacyDecisionInput", "An adequacy decision of the European Commission (GDPR Art. 45) for a country.", graphql.InputObjectConfigFieldMap{
		"country":       in(nn(str), "ISO 3166-1 alpha-2 code of the country."),
		"law":           in(lawEnum, "Whose decision it is; default EU. Checks, chains and traces judge a transfer by the decisions of the exporter's law."),
		"scope":         in(nn(adequacyScope), "Whether it covers every recipient in the country or only those that meet its condition."),
		"conditionCode": in(conditionCode, "Required for a partial decision."),
		"condition":     in(str, "The condition of a partial decision in words (up to 4,000 characters)."),
		"decisionRef":   in(str, "The decision's reference, such as Decision 2023/1795 (up to 300 characters)."),
		"decidedOn":     in(nn(dateScalar), "Date the decision was adopted."),
		"validFrom":     in(dateScalar, "Default: decidedOn. The first day it applies (inclusive)."),
		"validTo":       in(dateScalar, "Exclusive: the first day it no longer applies; omit while in force."),
	})
	add(query, graphql.Fields{
		"country": {Type: t.country, Resolve: r.Country(),
			Args:        graphql.FieldConfigArgument{"code": {Type: nn(str), Description: "ISO 3166-1 alpha-2 code in capitals, such as SE or TH."}},
			Description: "A country by its code; a NOT_FOUND error if there is none."},
		"countries": {Type: nn(graphql.NewList(nn(t.country))),
			Args:        graphql.FieldConfigArgument{"eeaAt": {Type: inst, Description: "Only countries in the EEA at this instant."}},
			Description: "Every ISO 3166-1 country the registry knows, by code; with eeaAt, only the EEA members on that instant's date.",
			Resolve:     r.Countries()},
	})
	add(mutation, graphql.Fields{
		"renameCountry": {Type: nn(t.country), Args: graphql.FieldConfigArgument{
			"code": {Type: nn(str), Description: "ISO 3166-1 alpha-2 code in capitals, such as SE."},
			"name": {Type: nn(str), Description: "The new display name, 1 to 200 bytes."}},
			Description: "Changes a country's display name; its code and standing stay.",
			Resolve:     r.RenameCountry()},
		"addEEAMembership": {Type: nn(t.eea), Args: createArgs(eeaInput, "membership"),
			Description: "Records a period of EEA membership; standings, checks and new traces for its dates use it.",
			Resolve:     resolvers.Create(r, resolvers.CountrySvc, resolvers.DecodeEEAMembership, registry.CountryService.AddEEAMembership)},
		"endEEAMembership": {Type: nn(t.eea), Args: endOnArgs("membership"),
			Description: "Ends an EEA membership on a date (the first day the country is no longer a member).",
			Resolve:     resolvers.EndOnDate(r, resolvers.CountrySvc, registry.CountryService.EndEEAMembership)},
		"addAdequacyDecision": {Type: nn(t.adequacy), Args: createArgs(adequacyInput, "decision"),
			Description: "Records an adequacy decision (GDPR Art. 45); standings, checks and new traces for its dates use it.",
			Resolve:     resolvers.Create(r, resolvers.CountrySvc, resolvers.DecodeAdequacyDecision, registry.CountryService.AddAdequacyDecision)},
		"endAdequacyDecision": {Type: nn(t.adequacy), Args: endOnArgs("decision"),
			Description: "Ends an adequacy decision on a date (the first day it no longer applies).",
			Resolve:     resolvers.EndOnDate(r, resolvers.CountrySvc, registry.CountryService.EndAdequacyDecision)},
	})
}
