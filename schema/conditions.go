package schema

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

var conditionKindEnum = describedEnum("AgreementConditionKind", "A condition written into a link's agreement that kedja can hold the chain against.",
	registry.ConditionKinds, map[string]string{
		"no_supplier_access_to_health_data": "No staff of the receiving party or of anyone below it may reach systems holding health data.",
		"no_privileged_access_abroad":       "No administrator access to the systems below the link from outside the EEA.",
		"data_stays_in":                     "The systems below the link are stored in and accessed from the allowed countries only.",
		"no_subprocessors_without_approval": "No party may be engaged below the receiving party without the approval of the party that set the condition.",
	})

// conditionFields adds AgreementCondition and the mutations that set and
// end one; Link reads them (conditions).
func (t *types) conditionFields(r *resolvers.Resolvers, query, mutation graphql.Fields) {
	str := graphql.String
	t.condition = graphql.NewObject(graphql.ObjectConfig{Name: "AgreementCondition",
		Description: "A condition of a link's agreement in force during a period; the agreement_condition check raises the facts below the link that contradict it.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.periodFields(graphql.Fields{
				"id":   field(nn(graphql.ID), "The condition's id in the registry.", func(x registry.AgreementCondition) any { return id(x.ID) }),
				"link": {Type: nn(t.link), Description: "The link whose agreement sets it.", Resolve: resolvers.ByID(r, resolvers.Links, func(x registry.AgreementCondition) *int64 { return &x.LinkID })},
				"kind": field(nn(conditionKindEnum), "What it forbids.", func(x registry.AgreementCondition) any { return x.Kind }),
				"allowedCountries": field(nn(graphql.NewList(nn(str))), "For DATA_STAYS_IN, the allowed ISO 3166-1 alpha-2 codes (EEA: the EEA's members at the instant judged); empty otherwise.",
					func(x registry.AgreementCondition) any { return x.AllowedCountries }),
				"clause":  field(str, "Where the agreement says it, such as a clause number; null if not recorded.", func(x registry.AgreementCondition) any { return optStr(x.Clause) }),
				"note":    field(str, "What the record rests on; null if nothing is recorded.", func(x registry.AgreementCondition) any { return optStr(x.Note) }),
				"history": t.history("agreement_conditions", func(s any) int64 { return s.(registry.AgreementCondition).ID }),
			}, func(s any) registry.Period { return s.(registry.AgreementCondition).Period })
		})})
	input := inputObject("AgreementConditionInput", "A condition of a link's agreement, from validFrom on.", graphql.InputObjectConfigFieldMap{
		"linkId": in(nn(graphql.ID), "The link whose agreement sets it."),
		"kind":   in(nn(conditionKindEnum), "What it forbids."),
		"allowedCountries": in(graphql.NewList(nn(str)), "DATA_STAYS_IN only, and required there: ISO 3166-1 alpha-2 codes, "+
			"or EEA for the EEA's members (at most 50)."),
		"clause":    in(str, "Where the agreement says it, such as a clause number (up to 300 characters)."),
		"note":      in(str, "What the record rests on, assumptions marked as such (up to 4,000 characters)."),
		"validFrom": in(nn(t.instant), "First instant it applies; an open-ended condition of the same kind on the link that started earlier ends here."),
		"validTo":   in(t.instant, "First instant it no longer applies (exclusive); omit while it lasts."),
	})
	add(mutation, graphql.Fields{
		"setAgreementCondition": {Type: nn(t.condition), Args: createArgs(input, "condition"),
			Description: "Records a condition of a link's agreement from validFrom; the condition of the same kind in force until then ends there.",
			Resolve:     resolvers.Create(r, resolvers.PostureSvc, resolvers.DecodeCondition, registry.PostureService.SetAgreementCondition)},
		"endAgreementCondition": {Type: nn(t.condition), Args: t.endArgs("agreement condition", periodEnd),
			Description: "Ends a condition of a link's agreement.",
			Resolve:     resolvers.End(r, resolvers.PostureSvc, registry.PostureService.EndAgreementCondition)},
	})
}

// linkConditionFields are Link's fields of its agreement's conditions.
func (t *types) linkConditionFields(r *resolvers.Resolvers) graphql.Fields {
	return graphql.Fields{
		"conditions": {Type: list(t.condition), Args: t.instantArg("The conditions in force at this instant; without it, all."),
			Description: "The conditions its agreement sets on the chain below it.",
			Resolve:     resolvers.Related(r, resolvers.Conditions, func(s any) int64 { return s.(registry.Link).ID })},
	}
}
