package schema

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

// lawEnum names the laws a transfer is judged by (issue 14).
var lawEnum = enum("Law", "A law that judges transfers of personal data: each party's own is its country's unless a PartyJurisdiction says "+
	"otherwise, and each transfer along a chain is judged by the law of the party that makes it.", registry.Laws, map[string]string{
	"eu": "EU/EEA law: Directive 95/46/EC and the national acts implementing it, then the GDPR (from 25 May 2018; in Iceland, " +
		"Liechtenstein and Norway from 20 July 2018). The default, and the law of every party in the EEA.",
	"uk": "The UK GDPR and the Data Protection Act 2018, from 1 January 2021; the law of parties in the United Kingdom from then.",
	"ch": "The Swiss Federal Act on Data Protection (FADP of 1992, revised from 1 September 2023); the law of parties in Switzerland.",
})

// referenceFields adds the health-secrecy rules and retention minimums, the
// legal reference data beside EEA membership and adequacy, with the root
// fields that read them and the administrator's mutations that keep them.
func (t *types) referenceFields(r *resolvers.Resolvers, query, mutation graphql.Fields) {
	str := graphql.String
	secrecy := graphql.NewObject(graphql.ObjectConfig{Name: "HealthSecrecyRule",
		Description: "A country whose health-care secrecy does not follow patient data abroad: handing health data to a controller or " +
			"recipient outside the EEA has no basis in that law, whatever the transfer tool (the disclosure_basis check reads it; " +
			"Kammarrätten i Stockholm 2024 for Sweden).",
		Fields: graphql.Fields{
			"id":          field(nn(graphql.ID), "The rule's id in the registry.", func(h registry.HealthSecrecyRule) any { return id(h.ID) }),
			"countryCode": field(nn(str), "ISO 3166-1 alpha-2 code of the country whose secrecy it is.", func(h registry.HealthSecrecyRule) any { return h.Country }),
			"reference":   field(nn(str), "The law or judgment it rests on.", func(h registry.HealthSecrecyRule) any { return h.Reference }),
			"note":        field(str, "What it means, in words; null if nothing is recorded.", func(h registry.HealthSecrecyRule) any { return optStr(h.Note) }),
			"validFrom":   field(nn(dateScalar), "First day it applies (inclusive).", func(h registry.HealthSecrecyRule) any { return h.From }),
			"validTo":     field(dateScalar, "Exclusive; null while in force.", func(h registry.HealthSecrecyRule) any { return optTime(h.To) }),
			"history":     t.history("health_secrecy_rules", func(s any) int64 { return s.(registry.HealthSecrecyRule).ID }),
		}})
	minimum := graphql.NewObject(graphql.ObjectConfig{Name: "RetentionMinimum",
		Description: "How long a country's law says a kind of system must keep data at least (Swedish patient records ten years, " +
			"Patientdatalagen 3:17); the retention_minimum check reads it.",
		Fields: graphql.Fields{
			"id":          field(nn(graphql.ID), "The minimum's id in the registry.", func(m registry.RetentionMinimum) any { return id(m.ID) }),
			"countryCode": field(nn(str), "ISO 3166-1 alpha-2 code of the country whose law sets it.", func(m registry.RetentionMinimum) any { return m.Country }),
			"systemKind":  field(nn(systemKindEnum), "The kind of system it applies to.", func(m registry.RetentionMinimum) any { return m.SystemKind }),
			"minDays":     field(nn(graphql.Int), "The least number of days data must be kept.", func(m registry.RetentionMinimum) any { return m.MinDays }),
			"legalRef":    field(nn(str), "The provision that sets it.", func(m registry.RetentionMinimum) any { return m.LegalRef }),
			"validFrom":   field(nn(dateScalar), "First day it applies (inclusive).", func(m registry.RetentionMinimum) any { return m.From }),
			"validTo":     field(dateScalar, "Exclusive; null while in force.", func(m registry.RetentionMinimum) any { return optTime(m.To) }),
			"history":     t.history("retention_minimums", func(s any) int64 { return s.(registry.RetentionMinimum).ID }),
		}})
	secrecyInput := inputObject("HealthSecrecyRuleInput", "A country's health-care secrecy that stays home, in legal dates.", graphql.InputObjectConfigFieldMap{
		"country":   in(nn(str), "ISO 3166-1 alpha-2 code of the country."),
		"reference": in(nn(str), "The law or judgment it rests on, 1 to 300 characters."),
		"note":      in(str, "What it means, in words (up to 4,000 characters)."),
		"validFrom": in(nn(dateScalar), "First day it applies (inclusive)."),
		"validTo":   in(dateScalar, "Exclusive: the first day it no longer applies; omit while in force."),
	})
	minimumInput := inputObject("RetentionMinimumInput", "A country's least retention for a kind of system, in legal dates.", graphql.InputObjectConfigFieldMap{
		"country":    in(nn(str), "ISO 3166-1 alpha-2 code of the country."),
		"systemKind": in(nn(systemKindEnum), "The kind of system it applies to."),
		"minDays":    in(nn(graphql.Int), "The least number of days, 1 to 36,500."),
		"legalRef":   in(nn(str), "The provision that sets it, 1 to 300 characters."),
		"validFrom":  in(nn(dateScalar), "First day it applies (inclusive)."),
		"validTo":    in(dateScalar, "Exclusive: the first day it no longer applies; omit while in force."),
	})
	jurisdiction := graphql.NewObject(graphql.ObjectConfig{Name: "PartyJurisdiction",
		Description: "A party's own law during a period, whatever its country's: the law its transfers are judged by, and the law " +
			"of the parties below it that have none of their own.",
		Fields: graphql.Fields{
			"id":             field(nn(graphql.ID), "The row's id in the registry.", func(j registry.PartyJurisdiction) any { return id(j.ID) }),
			"organisationId": field(nn(graphql.ID), "The party's id.", func(j registry.PartyJurisdiction) any { return id(j.OrgID) }),
			"law":            field(nn(lawEnum), "Its own law in the period.", func(j registry.PartyJurisdiction) any { return j.Law }),
			"note":           field(str, "Why, in words; null if nothing is recorded.", func(j registry.PartyJurisdiction) any { return optStr(j.Note) }),
			"validFrom":      field(nn(dateScalar), "First day it applies (inclusive).", func(j registry.PartyJurisdiction) any { return j.From }),
			"validTo":        field(dateScalar, "Exclusive; null while in force.", func(j registry.PartyJurisdiction) any { return optTime(j.To) }),
			"history":        t.history("party_jurisdictions", func(s any) int64 { return s.(registry.PartyJurisdiction).ID }),
		}})
	jurisdictionInput := inputObject("PartyJurisdictionInput", "A party's own law during a period of legal dates.", graphql.InputObjectConfigFieldMap{
		"orgId":     in(nn(graphql.ID), "The party's id."),
		"law":       in(nn(lawEnum), "Its own law in the period."),
		"note":      in(str, "Why, in words (up to 4,000 characters)."),
		"validFrom": in(nn(dateScalar), "First day it applies (inclusive)."),
		"validTo":   in(dateScalar, "Exclusive: the first day it no longer applies; omit while in force."),
	})
	add(query, graphql.Fields{
		"lawAdequacyDecisions": {Type: list(t.adequacy), Resolve: r.LawAdequacyDecisions(),
			Args: graphql.FieldConfigArgument{
				"law": {Type: lawEnum, Description: "Whose decisions; default EU.", DefaultValue: registry.LawEU},
				"at":  {Type: t.instant, Description: "Only those in force on this instant's date; default: every one, past and present."},
			},
			Description: "One law's adequacy decisions (the UK's adequacy regulations, Switzerland's list, the EU's), by country and start."},
		"partyJurisdictions": {Type: list(jurisdiction), Resolve: r.PartyJurisdictions(),
			Args:        graphql.FieldConfigArgument{"organisation": {Type: nn(graphql.ID), Description: "The party's id."}},
			Description: "The explicit jurisdictions recorded for a party, oldest first; without one its country's law is its own."},
	})
	add(mutation, graphql.Fields{
		"addPartyJurisdiction": {Type: nn(jurisdiction), Args: createArgs(jurisdictionInput, "jurisdiction"),
			Description: "Records a party's own law for a period; checks, chains and new traces judge its transfers by it.",
			Resolve:     resolvers.Create(r, resolvers.CountrySvc, resolvers.DecodePartyJurisdiction, registry.CountryService.AddPartyJurisdiction)},
		"endPartyJurisdiction": {Type: nn(jurisdiction), Args: endOnArgs("jurisdiction"),
			Description: "Ends a party's jurisdiction on a date (the first day it no longer applies).",
			Resolve:     resolvers.EndOnDate(r, resolvers.CountrySvc, registry.CountryService.EndPartyJurisdiction)},
	})
	atArg := graphql.FieldConfigArgument{"at": {Type: t.instant, Description: "Only those in force on this instant's date; default: every one, past and present."}}
	add(query, graphql.Fields{
		"healthSecrecyRules": {Type: list(secrecy), Args: atArg, Resolve: r.HealthSecrecyRules(),
			Description: "The countries whose health-care secrecy stays home, by country and start."},
		"retentionMinimums": {Type: list(minimum), Args: atArg, Resolve: r.RetentionMinimums(),
			Description: "The least retention countries' laws set for kinds of system, by country, kind and start."},
	})
	add(mutation, graphql.Fields{
		"addHealthSecrecyRule": {Type: nn(secrecy), Args: createArgs(secrecyInput, "rule"),
			Description: "Records that a country's health-care secrecy stays home; disclosure_basis judges its dates by it.",
			Resolve:     resolvers.Create(r, resolvers.CountrySvc, resolvers.DecodeHealthSecrecyRule, registry.CountryService.AddHealthSecrecyRule)},
		"endHealthSecrecyRule": {Type: nn(secrecy), Args: endOnArgs("rule"),
			Description: "Ends a health-secrecy rule on a date (the first day it no longer applies).",
			Resolve:     resolvers.EndOnDate(r, resolvers.CountrySvc, registry.CountryService.EndHealthSecrecyRule)},
		"addRetentionMinimum": {Type: nn(minimum), Args: createArgs(minimumInput, "minimum"),
			Description: "Records a country's least retention for a kind of system; retention_minimum judges its dates by it.",
			Resolve:     resolvers.Create(r, resolvers.CountrySvc, resolvers.DecodeRetentionMinimum, registry.CountryService.AddRetentionMinimum)},
		"endRetentionMinimum": {Type: nn(minimum), Args: endOnArgs("minimum"),
			Description: "Ends a retention minimum on a date (the first day it no longer applies).",
			Resolve:     resolvers.EndOnDate(r, resolvers.CountrySvc, registry.CountryService.EndRetentionMinimum)},
	})
}
