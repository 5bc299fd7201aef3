package schema

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

var (
	orgKindEnum = enum("OrgKind", "What kind of party an organisation is.", registry.OrgKinds, map[string]string{
		"region":      "A Swedish region: its residents' calls are the data the chains start from; it alone may carry a county code and letter.",
		"public_body": "A public authority or other body governed by public law, other than a region.",
		"company": "A company; under a partial adequacy decision for commercial organisations (Canada) " +
			"only a company meets the condition.",
		"other": "Any other kind of organisation.",
	})
)

// organisationType builds Organisation.
func (t *types) organisationType(r *resolvers.Resolvers) {
	orgID := func(s any) int64 { return s.(registry.Organisation).ID }

	t.org = graphql.NewObject(graphql.ObjectConfig{Name: "Organisation",
		Description: "A party: region, public body or company. Its role is not its own but that of each link it is on.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return merge(graphql.Fields{
				"id":           field(nn(graphql.ID), "The organisation's id in the registry.", func(o registry.Organisation) any { return id(o.ID) }),
				"legalName":    field(nn(graphql.String), "Registered legal name.", func(o registry.Organisation) any { return o.LegalName }),
				"orgNumber":    field(graphql.String, "Official organisation number (in Sweden: organisationsnummer); null if none is recorded.", func(o registry.Organisation) any { return optStr(o.OrgNumber) }),
				"country":      t.countryOf("Its country of establishment.", func(s any) string { return s.(registry.Organisation).Country }),
				"kind":         field(nn(orgKindEnum), "What kind of party it is.", func(o registry.Organisation) any { return o.Kind }),
				"countyCode":   field(graphql.String, "Swedish regions: official county code (01).", func(o registry.Organisation) any { return optStr(o.CountyCode) }),
				"countyLetter": field(graphql.String, "Swedish regions: county letter (AB).", func(o registry.Organisation) any { return optStr(o.CountyLetter) }),
				"timeZone":     field(nn(graphql.String), "IANA time zone in which routing windows are read when a chain or trace starts from this organisation and a link names no zone of its own.", func(o registry.Organisation) any { return o.TimeZone }),
				"endedAt":      field(t.instant, "When it ceased to exist.", func(o registry.Organisation) any { return optTime(o.EndedAt) }),
				"parent":       {Type: t.org, Description: "The organisation it belongs to (its group parent); null if none.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(o registry.Organisation) *int64 { return o.ParentID })},
				"children":     {Type: list(t.org), Args: t.instantArg("As of this instant; without it, all, current and past."), Description: "Organisations whose parent it is, by legal name.", Resolve: resolvers.Related(r, resolvers.Children, orgID)},
				"linksOut": {Type: list(t.link), Args: t.instantArg("Links valid at this instant; without it, every link, current and past."),
					Description: "Links on which this organisation hands data to another party.",
					Resolve:     resolvers.Related(r, resolvers.LinksFrom, orgID)},
				"linksIn": {Type: list(t.link), Args: t.instantArg("Links valid at this instant; without it, every link, current and past."),
					Description: "Links on which this organisation receives data.",
					Resolve:     resolvers.Related(r, resolvers.LinksTo, orgID)},
				"providers": {Type: list(t.link), Args: t.instantArg("Default: now."),
					Description: "Links, valid at the instant, to the parties this organisation hands its data to (for a region: its care providers).",
					Resolve:     r.Providers(false)},
				"subcontractors": {Type: list(t.link), Args: t.instantArg("Default: now."),
					Description: "Processor and sub-processor links valid at the instant: the parties processing data for this organisation.",
					Resolve:     r.Providers(true)},
				"systemsOperated": {Type: list(t.system), Args: t.instantArg("As of this instant; without it, all, current and past."), Description: "Systems it operates (not ended at the instant).",
					Resolve: resolvers.Related(r, resolvers.Operated, orgID)},
				"systemUses": {Type: list(t.use), Args: t.instantArg("Uses valid at this instant; without it, every use."),
					Description: "The systems it used, on which links, when.", Resolve: resolvers.Related(r, resolvers.UsesByParty, orgID)},
				"attestations": {Type: list(t.att), Args: t.instantArg("Only those valid at this instant; without it, all."),
					Description: "Security evidence about this organisation itself, oldest issue first (evidence about its systems is on each system).",
					Resolve:     resolvers.Related(r, resolvers.AttestationsOfOrg, orgID)},
				"openFindings": {Type: list(t.compliance), Description: "Open findings about it, worst first.",
					Resolve: resolvers.OpenFindings(r, "party", func(o registry.Organisation) int64 { return o.ID })},
				"locationPolicies": {Type: list(t.policy), Args: t.instantArg("The policy in force at this instant; without it, all."),
					Description: "Its rules, as a controller, for where its data may be.",
					Resolve:     resolvers.Related(r, resolvers.Policies, orgID)},
				"history": t.history("organisations", orgID),
			}, merge(t.orgBasisFields(r), t.orgHygieneFields(r)))
		})})
}

// organisationFields adds Organisation, its inputs and filter, and the root
// fields that read and write organisations.
func (t *types) organisationFields(r *resolvers.Resolvers, query, mutation graphql.Fields) {
	t.organisationType(r)
	str, id, boolean := graphql.String, graphql.ID, graphql.Boolean

	orgInputs := newEntityInputs("Organisation",
		"A new organisation; legalName, country and kind are required.",
		"Changes to an organisation: only the fields given change; clear sets optional ones to null.", []inputField{
			{name: "legalName", typ: str, required: true, desc: "Registered legal name, up to 300 characters."},
			{name: "orgNumber", typ: str, desc: "Official organisation number (in Sweden: organisationsnummer), up to 50 characters.",
				clear: "orgNumber: no organisation number is recorded."},
			{name: "country", typ: str, required: true, desc: "ISO 3166-1 alpha-2 code of the country of establishment."},
			{name: "kind", typ: orgKindEnum, required: true, desc: "What kind of party it is; only a REGION may have a county code and letter."},
			{name: "parentId", typ: id, desc: "Parent organisation (group); refused if it would make the organisation its own ancestor.",
				clear: "parentId: the organisation belongs to no group."},
			{name: "countyCode", typ: str, desc: "Swedish regions: 01..25. The official two-digit county code.",
				clear: "countyCode: no county code (required before a region becomes another kind)."},
			{name: "countyLetter", typ: str, desc: "Swedish regions: AB, C, ... The county letter (one or two capitals).",
				clear: "countyLetter: no county letter (required before a region becomes another kind)."},
			{name: "timeZone", typ: str, desc: "IANA zone, default Europe/Stockholm. Routing windows are read in it when a chain or trace starts from this organisation."},
		})
	orgFilter := inputObject("OrganisationFilter", "Narrows a list of organisations; each field given must match.", graphql.InputObjectConfigFieldMap{
		"nameContains": in(str, "Case-insensitive part of the legal name."),
		"kind":         in(orgKindEnum, "Only organisations of this kind."),
		"country":      in(str, "Only organisations established in this country (ISO 3166-1 alpha-2)."),
		"parentId":     in(id, "Only the direct children of this organisation."),
		"includeEnded": in(boolean, "Also organisations that ceased to exist (endedAt now or earlier); default false."),
	})
	add(query, graphql.Fields{
		"organisation": {Type: t.org, Args: byID("organisation"), Resolve: r.Organisation(),
			Description: "An organisation by its id; a NOT_FOUND error if there is none."},
		"organisations": {Type: nn(t.connection(t.org)), Args: paged(orgFilter), Resolve: r.Organisations(),
			Description: "Organisations in id order, a page at a time; unless filter.includeEnded, only those that have not ceased to exist."},
	})
	add(mutation, graphql.Fields{
		"createOrganisation": {Type: nn(t.org), Args: createArgs(orgInputs.create, "organisation"),
			Description: "Records a new organisation.",
			Resolve:     resolvers.Create(r, resolvers.OrganisationSvc, resolvers.DecodeOrganisation, registry.OrganisationService.CreateOrganisation)},
		"updateOrganisation": {Type: nn(t.org), Args: updateArgs(orgInputs, "organisation"),
			Description: "Changes an organisation: the fields given replace the recorded ones, those in clear become null.",
			Resolve:     resolvers.Update(r, resolvers.OrganisationSvc, resolvers.DecodeOrganisation, registry.OrganisationService.UpdateOrganisation, orgInputs.clearable)},
		"endOrganisation": {Type: nn(t.org), Args: t.endArgs("organisation", "When it ceased to exist; not later than an end already recorded."),
			Description: "Records that an organisation ceased to exist; its links and systems are not ended with it.",
			Resolve:     resolvers.End(r, resolvers.OrganisationSvc, registry.OrganisationService.EndOrganisation)},
	})
}
