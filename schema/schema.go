package schema

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/resolvers"
)

func in(t graphql.Input, desc string) *graphql.InputObjectFieldConfig {
	return &graphql.InputObjectFieldConfig{Type: t, Description: desc}
}

func inputObject(name, desc string, fields graphql.InputObjectConfigFieldMap) *graphql.InputObject {
	return graphql.NewInputObject(graphql.InputObjectConfig{Name: name, Description: desc, Fields: fields})
}

// New builds the schema over r.
func New(r *resolvers.Resolvers) (graphql.Schema, error) {
	t := newTypes(r)
	nn := graphql.NewNonNull
	str, id, boolean := graphql.String, graphql.ID, graphql.Boolean
	strs := graphql.NewList(nn(graphql.String))
	ids := graphql.NewList(nn(graphql.ID))
	inst := t.instant

	// Inputs serve both create and update: on create, Validate names each
	// missing required field; on update, only the fields given change.
	orgInput := inputObject("OrganisationInput", "An organisation; legalName, country and kind are required on create.", graphql.InputObjectConfigFieldMap{
		"legalName": in(str, ""), "orgNumber": in(str, ""), "country": in(str, "ISO 3166-1 alpha-2 code of the country of establishment."),
		"kind": in(orgKindEnum, ""), "parentId": in(id, "Parent organisation (group)."),
		"countyCode": in(str, "Swedish regions: 01..25."), "countyLetter": in(str, "Swedish regions: AB, C, ..."),
		"timeZone": in(str, "IANA zone, default Europe/Stockholm."),
	})
	systemInput := inputObject("SystemInput", "A system; name, kind and operatorId are required on create.", graphql.InputObjectConfigFieldMap{
		"name": in(str, ""), "kind": in(systemKindEnum, ""), "operatorId": in(id, ""), "vendorId": in(id, ""),
		"dataCategories": in(strs, ""), "description": in(str, ""),
	})
	profileInput := inputObject("SystemProfileInput", "A system's security facts from validFrom on.", graphql.InputObjectConfigFieldMap{
		"systemId": in(nn(id), ""), "validFrom": in(nn(inst), ""), "validTo": in(inst, ""),
		"internetExposed": in(nn(boolean), ""), "authentication": in(nn(authenticationEnum), ""),
		"transportEncryption": in(nn(boolean), ""), "encryptionAtRest": in(nn(boolean), ""),
		"retentionDays": in(graphql.Int, "Days stored recordings are kept; omit if none is recorded."), "note": in(str, ""),
	})
	locationInput := inputObject("SystemLocationInput", "", graphql.InputObjectConfigFieldMap{
		"systemId": in(nn(id), ""), "country": in(nn(str), ""), "purpose": in(nn(locationPurpose), ""),
		"validFrom": in(nn(inst), ""), "validTo": in(inst, ""),
	})
	windowInput := inputObject("RoutingWindowInput", "", graphql.InputObjectConfigFieldMap{
		"days": in(nn(graphql.NewList(nn(weekdayEnum))), ""), "start": in(nn(str), "HH:MM"), "end": in(nn(str), "HH:MM; 24:00 for end of day."),
	})
	linkInput := inputObject("LinkInput", "A link; fromId, toId, role, purpose and validFrom are required on create.", graphql.InputObjectConfigFieldMap{
		"fromId": in(id, ""), "toId": in(id, ""), "role": in(roleEnum, ""), "purpose": in(str, ""),
		"dataCategories": in(strs, ""), "healthData": in(boolean, ""), "validFrom": in(inst, ""), "validTo": in(inst, ""),
		"agreementRef": in(str, ""), "agreementDate": in(dateScalar, ""), "authorisation": in(authorisationEnum, ""),
		"authorisationDate": in(dateScalar, ""), "authorisingControllerId": in(id, ""),
		"transferMechanism": in(transferEnum, ""), "sccModule": in(graphql.Int, ""), "tiaDate": in(dateScalar, ""),
		"routingNote": in(str, ""), "routingTimeZone": in(str, ""), "routingWindows": in(graphql.NewList(nn(windowInput)), ""),
		"routingShare": in(graphql.Float, "Share of calls, above 0 and at most 1."),
	})
	findingInput := inputObject("RoleFindingInput", "", graphql.InputObjectConfigFieldMap{
		"linkId": in(nn(id), ""), "role": in(nn(foundRoleEnum), ""), "authority": in(nn(str), ""),
		"decidedOn": in(nn(dateScalar), ""), "reference": in(str, ""), "note": in(str, ""),
	})
	useInput := inputObject("SystemUseInput", "", graphql.InputObjectConfigFieldMap{
		"linkId": in(nn(id), ""), "systemId": in(nn(id), ""), "partyId": in(nn(id), "One of the link's two parties."),
		"purpose": in(str, ""), "validFrom": in(nn(inst), ""), "validTo": in(inst, ""),
	})
	moveInput := inputObject("DataMoveInput", "", graphql.InputObjectConfigFieldMap{
		"fromSystemId": in(nn(id), ""), "toSystemId": in(nn(id), ""), "movedAt": in(nn(inst), ""),
		"recordedFrom": in(inst, ""), "recordedUntil": in(inst, ""), "note": in(str, ""),
	})
	attInput := inputObject("AttestationInput", "Evidence about exactly one of orgId or systemId.", graphql.InputObjectConfigFieldMap{
		"orgId": in(id, ""), "systemId": in(id, ""), "kind": in(attestationKind, ""), "issuer": in(str, ""),
		"issuedOn": in(dateScalar, ""), "validUntil": in(dateScalar, "Inclusive."), "scope": in(str, ""),
		"evidenceRef": in(str, ""), "coveredSystemIds": in(ids, "Systems the scope covers."),
	})
	eeaInput := inputObject("EEAMembershipInput", "", graphql.InputObjectConfigFieldMap{
		"country": in(nn(str), ""), "validFrom": in(nn(dateScalar), ""), "validTo": in(dateScalar, "Exclusive."),
	})
	adequacyInput := inputObject("AdequacyDecisionInput", "", graphql.InputObjectConfigFieldMap{
		"country": in(nn(str), ""), "scope": in(nn(adequacyScope), ""), "conditionCode": in(conditionCode, "Required for a partial decision."),
		"condition": in(str, ""), "decisionRef": in(str, ""), "decidedOn": in(nn(dateScalar), ""),
		"validFrom": in(dateScalar, "Default: decidedOn."), "validTo": in(dateScalar, "Exclusive."),
	})

	byID := graphql.FieldConfigArgument{"id": {Type: nn(id)}}
	paged := func(filter *graphql.InputObject) graphql.FieldConfigArgument {
		return graphql.FieldConfigArgument{
			"filter": {Type: filter},
			"first":  {Type: graphql.Int, Description: "Page size, 1-500 (default 50)."},
			"after":  {Type: str, Description: "endCursor of the previous page."},
		}
	}
	orgFilter := inputObject("OrganisationFilter", "", graphql.InputObjectConfigFieldMap{
		"nameContains": in(str, "Case-insensitive part of the legal name."), "kind": in(orgKindEnum, ""),
		"country": in(str, ""), "parentId": in(id, ""), "includeEnded": in(boolean, ""),
	})
	systemFilter := inputObject("SystemFilter", "", graphql.InputObjectConfigFieldMap{
		"nameContains": in(str, ""), "kind": in(systemKindEnum, ""), "operatorId": in(id, ""), "vendorId": in(id, ""),
		"includeEnded": in(boolean, ""),
	})
	linkFilter := inputObject("LinkFilter", "", graphql.InputObjectConfigFieldMap{
		"fromId": in(id, ""), "toId": in(id, ""), "role": in(roleEnum, ""), "at": in(inst, "Only links valid at this instant."),
	})
	attFilter := inputObject("AttestationFilter", "", graphql.InputObjectConfigFieldMap{
		"kind": in(attestationKind, ""), "orgId": in(id, ""), "systemId": in(id, ""),
		"validOn": in(dateScalar, "Only those valid on this date."), "includeWithdrawn": in(boolean, ""),
	})

	queryFields := graphql.Fields{
		"organisation":  {Type: t.org, Args: byID, Resolve: r.Organisation()},
		"organisations": {Type: nn(t.connection(t.org)), Args: paged(orgFilter), Resolve: r.Organisations()},
		"system":        {Type: t.system, Args: byID, Resolve: r.System()},
		"systems":       {Type: nn(t.connection(t.system)), Args: paged(systemFilter), Resolve: r.Systems()},
		"link":          {Type: t.link, Args: byID, Resolve: r.Link()},
		"links":         {Type: nn(t.connection(t.link)), Args: paged(linkFilter), Resolve: r.Links()},
		"attestation":   {Type: t.att, Args: byID, Resolve: r.Attestation()},
		"attestations":  {Type: nn(t.connection(t.att)), Args: paged(attFilter), Resolve: r.Attestations()},
		"country":       {Type: t.country, Args: graphql.FieldConfigArgument{"code": {Type: nn(str)}}, Resolve: r.Country()},
		"systemUse":     {Type: t.use, Args: byID, Resolve: r.SystemUse()},
		"systemUses": {Type: nn(t.connection(t.use)), Args: paged(inputObject("SystemUseFilter", "", graphql.InputObjectConfigFieldMap{
			"linkId": in(id, ""), "systemId": in(id, ""), "partyId": in(id, ""), "at": in(inst, "Only uses valid at this instant."),
		})), Resolve: r.SystemUses()},
		"dataMove": {Type: t.move, Args: byID, Resolve: r.DataMove()},
		"dataMoves": {Type: nn(t.connection(t.move)), Args: graphql.FieldConfigArgument{
			"systemId": {Type: id, Description: "Moves into or out of this system."},
			"first":    {Type: graphql.Int}, "after": {Type: str},
		}, Resolve: r.DataMoves()},
		"countries": {Type: nn(graphql.NewList(nn(t.country))),
			Args:    graphql.FieldConfigArgument{"eeaAt": {Type: inst, Description: "Only countries in the EEA at this instant."}},
			Resolve: r.Countries()},
	}
	mutationFields := graphql.Fields{}
	t.chainFields(r, queryFields, mutationFields)
	t.findingFields(r, queryFields, mutationFields)
	query := graphql.NewObject(graphql.ObjectConfig{Name: "Query", Fields: queryFields})

	s := r.Store
	createArgs := func(input *graphql.InputObject) graphql.FieldConfigArgument {
		return graphql.FieldConfigArgument{"input": {Type: nn(input)}}
	}
	updateArgs := func(input *graphql.InputObject) graphql.FieldConfigArgument {
		return graphql.FieldConfigArgument{
			"id":    {Type: nn(id)},
			"input": {Type: nn(input)},
			"clear": {Type: strs, Description: "Optional fields to set to null, by name."},
		}
	}
	endArgs := graphql.FieldConfigArgument{"id": {Type: nn(id)}, "at": {Type: inst, Description: "Default: now."}}
	endOnArgs := graphql.FieldConfigArgument{"id": {Type: nn(id)}, "on": {Type: nn(dateScalar), Description: "First day no longer covered."}}

	core := graphql.Fields{
		"createOrganisation": {Type: nn(t.org), Args: createArgs(orgInput), Resolve: resolvers.Create(r, resolvers.DecodeOrganisation, s.CreateOrganisation)},
		"updateOrganisation": {Type: nn(t.org), Args: updateArgs(orgInput), Resolve: resolvers.Update(r, resolvers.DecodeOrganisation, s.UpdateOrganisation)},
		"endOrganisation":    {Type: nn(t.org), Args: endArgs, Resolve: resolvers.End(r, s.EndOrganisation)},
		"createSystem":       {Type: nn(t.system), Args: createArgs(systemInput), Resolve: resolvers.Create(r, resolvers.DecodeSystem, s.CreateSystem)},
		"updateSystem":       {Type: nn(t.system), Args: updateArgs(systemInput), Resolve: resolvers.Update(r, resolvers.DecodeSystem, s.UpdateSystem)},
		"endSystem":          {Type: nn(t.system), Args: endArgs, Resolve: resolvers.End(r, s.EndSystem)},
		"setSystemProfile": {Type: nn(t.profile), Args: createArgs(profileInput),
			Description: "Records a system's security facts from validFrom; the profile in force until then ends there.",
			Resolve:     resolvers.Create(r, resolvers.DecodeSystemProfile, s.SetSystemProfile)},
		"addSystemLocation":   {Type: nn(t.location), Args: createArgs(locationInput), Resolve: resolvers.Create(r, resolvers.DecodeSystemLocation, s.AddSystemLocation)},
		"endSystemLocation":   {Type: nn(t.location), Args: endArgs, Resolve: resolvers.End(r, s.EndSystemLocation)},
		"createLink":          {Type: nn(t.link), Args: createArgs(linkInput), Resolve: resolvers.Create(r, resolvers.DecodeLink, s.CreateLink)},
		"updateLink":          {Type: nn(t.link), Args: updateArgs(linkInput), Resolve: resolvers.Update(r, resolvers.DecodeLink, s.UpdateLink)},
		"endLink":             {Type: nn(t.link), Args: endArgs, Description: "Ends a link and the system uses still running on it.", Resolve: resolvers.End(r, s.EndLink)},
		"recordRoleFinding":   {Type: nn(t.finding), Args: createArgs(findingInput), Resolve: resolvers.Create(r, resolvers.DecodeRoleFinding, s.RecordRoleFinding)},
		"createSystemUse":     {Type: nn(t.use), Args: createArgs(useInput), Resolve: resolvers.Create(r, resolvers.DecodeSystemUse, s.CreateSystemUse)},
		"endSystemUse":        {Type: nn(t.use), Args: endArgs, Resolve: resolvers.End(r, s.EndSystemUse)},
		"recordDataMove":      {Type: nn(t.move), Args: createArgs(moveInput), Resolve: resolvers.Create(r, resolvers.DecodeDataMove, s.RecordDataMove)},
		"createAttestation":   {Type: nn(t.att), Args: createArgs(attInput), Resolve: resolvers.Create(r, resolvers.DecodeAttestation, s.CreateAttestation)},
		"updateAttestation":   {Type: nn(t.att), Args: updateArgs(attInput), Resolve: resolvers.Update(r, resolvers.DecodeAttestation, s.UpdateAttestation)},
		"withdrawAttestation": {Type: nn(t.att), Args: endArgs, Resolve: resolvers.End(r, s.WithdrawAttestation)},
		"renameCountry": {Type: nn(t.country), Args: graphql.FieldConfigArgument{"code": {Type: nn(str)}, "name": {Type: nn(str)}},
			Resolve: r.RenameCountry()},
		"addEEAMembership":    {Type: nn(t.eea), Args: createArgs(eeaInput), Resolve: resolvers.Create(r, resolvers.DecodeEEAMembership, s.AddEEAMembership)},
		"endEEAMembership":    {Type: nn(t.eea), Args: endOnArgs, Resolve: resolvers.EndOnDate(r, s.EndEEAMembership)},
		"addAdequacyDecision": {Type: nn(t.adequacy), Args: createArgs(adequacyInput), Resolve: resolvers.Create(r, resolvers.DecodeAdequacyDecision, s.AddAdequacyDecision)},
		"endAdequacyDecision": {Type: nn(t.adequacy), Args: endOnArgs, Resolve: resolvers.EndOnDate(r, s.EndAdequacyDecision)},
	}
	for name, f := range core {
		mutationFields[name] = f
	}
	mutation := graphql.NewObject(graphql.ObjectConfig{Name: "Mutation", Fields: mutationFields})

	sch, err := graphql.NewSchema(graphql.SchemaConfig{Query: query, Mutation: mutation})
	if err != nil {
		return sch, err
	}
	return sch, guard(sch)
}
