package schema

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

var (
	policyEnum = enum("LocationPolicyKind", "COUNTRY (one country only), EEA, or EEA_ADEQUACY (EEA and countries with a full adequacy decision).",
		registry.LocationPolicies, map[string]string{
			"country":      "Data may be only in the one country the policy names (for example SE).",
			"eea":          "Data may be only in the EEA.",
			"eea_adequacy": "Data may be in the EEA or in a country with a full adequacy decision; a partial decision does not count.",
		})
)

// policyFields adds LocationPolicy, and setLocationPolicy and
// endLocationPolicy, to the schema; a controller's policies are read on the
// controller.
func (t *types) policyFields(r *resolvers.Resolvers, query, mutation graphql.Fields) {
	inst := t.instant

	t.policy = graphql.NewObject(graphql.ObjectConfig{Name: "LocationPolicy", Description: "A controller's rule for where its data may be.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.periodFields(graphql.Fields{
				"id":          field(nn(graphql.ID), "The policy's id in the registry.", func(p registry.LocationPolicy) any { return id(p.ID) }),
				"controller":  {Type: nn(t.org), Description: "The controller whose rule it is.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(p registry.LocationPolicy) *int64 { return &p.ControllerID })},
				"policy":      field(nn(policyEnum), "Where its data may be.", func(p registry.LocationPolicy) any { return p.Policy }),
				"countryCode": field(graphql.String, "For COUNTRY.", func(p registry.LocationPolicy) any { return optStr(p.Country) }),
				"reference":   field(graphql.String, "Where the rule comes from (a contract clause).", func(p registry.LocationPolicy) any { return optStr(p.Reference) }),
			}, func(s any) registry.Period { return s.(registry.LocationPolicy).Period })
		})})

	policyInput := inputObject("LocationPolicyInput", "A controller's rule for where its data may be, from validFrom on.", graphql.InputObjectConfigFieldMap{
		"controllerId": in(nn(graphql.ID), "The controller the rule is for."),
		"policy":       in(nn(policyEnum), "Where its data may be."),
		"country":      in(graphql.String, "For COUNTRY. The ISO 3166-1 alpha-2 code of the one country; give it exactly then."),
		"reference":    in(graphql.String, "Where the rule comes from, such as a contract clause (up to 300 characters)."),
		"validFrom":    in(nn(inst), "First instant the rule applies (inclusive); an open-ended policy of the controller that started earlier ends here."),
		"validTo":      in(inst, "First instant it no longer applies (exclusive); omit while it lasts."),
	})
	mutation["setLocationPolicy"] = &graphql.Field{Type: nn(t.policy),
		Args:        graphql.FieldConfigArgument{"input": {Type: nn(policyInput), Description: "The new policy; validated as a whole."}},
		Description: "Sets a controller's location policy from validFrom; the policy in force until then ends there.",
		Resolve:     resolvers.Create(r, resolvers.PolicySvc, resolvers.DecodeLocationPolicy, registry.PolicyService.SetLocationPolicy)}
	mutation["endLocationPolicy"] = &graphql.Field{Type: nn(t.policy), Description: "Ends a controller's location policy.",
		Args: graphql.FieldConfigArgument{
			"id": {Type: nn(graphql.ID), Description: "The policy's id."},
			"at": {Type: inst, Description: "Default: now. The end of its period (exclusive): after its start, and not later than an end already recorded."},
		}, Resolve: resolvers.End(r, resolvers.PolicySvc, registry.PolicyService.EndLocationPolicy)}
}
