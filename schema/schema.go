package schema

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
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

	// Each entity that can be changed has a create input, whose required
	// fields are non-null, and an update input, every field optional and
	// without those that cannot change; its update's clear names the
	// optional fields to set to null from an enum of them.
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
	systemInputs := newEntityInputs("System",
		"A new system; name, kind and operatorId are required.",
		"Changes to a system: only the fields given change; clear sets optional ones to null.", []inputField{
			{name: "name", typ: str, required: true, desc: "The system's name, up to 300 characters."},
			{name: "kind", typ: systemKindEnum, required: true, desc: "What the system does with calls."},
			{name: "operatorId", typ: id, required: true, desc: "The organisation that runs it."},
			{name: "vendorId", typ: id, desc: "The organisation that makes or sells it, if recorded.",
				clear: "vendorId: no vendor is recorded."},
			{name: "dataCategories", typ: strs, desc: "Categories of data it handles, such as call recordings (at most 50, each up to 100 characters).",
				clear: "dataCategories: the list becomes empty."},
			{name: "description", typ: str, desc: "What the system is, in words (up to 4,000 characters).",
				clear: "description: no description is recorded."},
		})
	profileInput := inputObject("SystemProfileInput", "A system's security facts from validFrom on.", graphql.InputObjectConfigFieldMap{
		"systemId":            in(nn(id), "The system the facts are about."),
		"validFrom":           in(nn(inst), "First instant the facts hold (inclusive); an open-ended profile of the system that started earlier ends here."),
		"validTo":             in(inst, "First instant they no longer hold (exclusive); omit while they last."),
		"internetExposed":     in(nn(boolean), "Whether the system is reachable from the internet."),
		"authentication":      in(nn(authenticationEnum), "How its users prove who they are."),
		"transportEncryption": in(nn(boolean), "Whether data travels to and from it encrypted (TLS or similar)."),
		"encryptionAtRest":    in(nn(boolean), "Whether the data it stores is encrypted."),
		"retentionDays":       in(graphql.Int, "Days stored recordings are kept; omit if none is recorded. A positive number."),
		"note":                in(str, "Anything else about these facts and their source (up to 4,000 characters)."),
	})
	locationInput := inputObject("SystemLocationInput", "A country where a system stores data or is accessed from, for a period.", graphql.InputObjectConfigFieldMap{
		"systemId":  in(nn(id), "The system."),
		"country":   in(nn(str), "ISO 3166-1 alpha-2 code of the country."),
		"purpose":   in(nn(locationPurpose), "Whether the system stores data there or is accessed from there."),
		"validFrom": in(nn(inst), "First instant the location holds (inclusive)."),
		"validTo":   in(inst, "First instant it no longer holds (exclusive); omit while it lasts."),
	})
	windowInput := inputObject("RoutingWindowInput",
		"A weekly routing window: on each of days, from start to end; an end at or before the start runs past midnight into the next day.",
		graphql.InputObjectConfigFieldMap{
			"days":  in(nn(graphql.NewList(nn(weekdayEnum))), "The days on which the window starts; at least one."),
			"start": in(nn(str), "HH:MM, 00:00 to 23:59: the time of day the window opens (inclusive)."),
			"end":   in(nn(str), "HH:MM; 24:00 for end of day. The time of day the window closes (exclusive); not equal to start."),
		})
	linkInputs := newEntityInputs("Link",
		"A new link; fromId, toId, role, purpose and validFrom are required.",
		"Changes to a link: only the fields given change; clear sets optional ones to null. Its parties cannot change: "+
			"end the link and create another.", []inputField{
			{name: "fromId", typ: id, required: true, fixed: true, desc: "The party handing data on; it cannot change afterwards."},
			{name: "toId", typ: id, required: true, fixed: true, desc: "The party receiving it, not the same as fromId; it cannot change afterwards."},
			{name: "role", typ: roleEnum, required: true, desc: "The receiving party's role on this link, as the agreement claims it."},
			{name: "purpose", typ: str, required: true, desc: "Why the data flows, as the agreement states it (up to 1,000 characters)."},
			{name: "dataCategories", typ: strs, desc: "Categories of data that flow, such as call recordings (at most 50, each up to 100 characters).",
				clear: "dataCategories: the list becomes empty."},
			{name: "healthData", typ: boolean, desc: "Whether the data include health data (GDPR Art. 9); default false."},
			{name: "validFrom", typ: inst, required: true, desc: "First instant the data flows (inclusive)."},
			{name: "validTo", typ: inst, desc: "First instant it no longer flows (exclusive); omit while it lasts.",
				clear: "validTo: the link has no end; it lasts."},
			{name: "agreementRef", typ: str, desc: "Reference to the agreement that binds the receiving party (GDPR Art. 28(3)), up to 300 characters.",
				clear: "agreementRef: no agreement is recorded."},
			{name: "agreementDate", typ: dateScalar, desc: "Date the agreement was signed.",
				clear: "agreementDate: the agreement's date is not recorded."},
			{name: "authorisation", typ: authorisationEnum, desc: "The controller's authorisation for sub-processing (GDPR Art. 28(2)); default NONE."},
			{name: "authorisationDate", typ: dateScalar, desc: "Date the controller gave the authorisation.",
				clear: "authorisationDate: the authorisation's date is not recorded."},
			{name: "authorisingControllerId", typ: id, desc: "The controller that gave the authorisation; required unless authorisation is NONE.",
				clear: "authorisingControllerId: no authorising controller (only with authorisation NONE)."},
			{name: "transferMechanism", typ: transferEnum, desc: "How a transfer to the receiving party's country is made lawful; default NONE."},
			{name: "sccModule", typ: graphql.Int, desc: "SCC module 1-4 (Decision 2021/914); required exactly when transferMechanism is SCC.",
				clear: "sccModule: no SCC module (required when transferMechanism is no longer SCC)."},
			{name: "tiaDate", typ: dateScalar, desc: "Date of the transfer impact assessment made for SCCs or BCRs.",
				clear: "tiaDate: no transfer impact assessment is recorded."},
			{name: "routingNote", typ: str, desc: "Which calls take the link, as the agreement words it (up to 2,000 characters).",
				clear: "routingNote: no routing note."},
			{name: "routingTimeZone", typ: str, desc: "IANA zone the routing windows are read in; omit to read them in the zone of the controller " +
				"a chain or trace starts from.",
				clear: "routingTimeZone: the windows are read in the zone of the controller a chain or trace starts from."},
			{name: "routingWindows", typ: graphql.NewList(nn(windowInput)), desc: "Weekly windows of the calls that take the link (at most 50); " +
				"a call outside all of them did not take it.",
				clear: "routingWindows: no weekly window restricts which calls take the link."},
			{name: "routingShare", typ: graphql.Float, desc: "Share of calls, above 0 and at most 1.",
				clear: "routingShare: no share restricts which calls take the link."},
		})
	findingInput := inputObject("RoleFindingInput", "What an authority or court found the receiving party's role on a link to be.", graphql.InputObjectConfigFieldMap{
		"linkId":    in(nn(id), "The link the finding is about."),
		"role":      in(nn(foundRoleEnum), "The role the authority found."),
		"authority": in(nn(str), "The authority or court that found it, such as IMY (up to 300 characters)."),
		"decidedOn": in(nn(dateScalar), "Date of the decision or judgment."),
		"reference": in(str, "The decision's reference or case number (up to 300 characters)."),
		"note":      in(str, "Anything else about the finding (up to 4,000 characters)."),
	})
	useInput := inputObject("SystemUseInput", "A party using a system to do a link's work, within the link's period.", graphql.InputObjectConfigFieldMap{
		"linkId": in(nn(id), "The link whose work the system does."), "systemId": in(nn(id), "The system used."),
		"partyId":   in(nn(id), "One of the link's two parties."),
		"purpose":   in(str, "What the system is used for on this link (up to 1,000 characters)."),
		"validFrom": in(nn(inst), "First instant of use (inclusive); not before the link's validFrom."),
		"validTo":   in(inst, "First instant it is no longer used (exclusive); omit while it lasts, and not after the link ends."),
	})
	moveInput := inputObject("DataMoveInput", "Stored data moved from one system into another at an instant.", graphql.InputObjectConfigFieldMap{
		"fromSystemId":  in(nn(id), "The system the data moved out of."),
		"toSystemId":    in(nn(id), "The system the data moved into; not the same system."),
		"movedAt":       in(nn(inst), "When the data moved."),
		"recordedFrom":  in(inst, "Only data recorded from this instant (inclusive) moved; before movedAt. Omit if all earlier data moved."),
		"recordedUntil": in(inst, "Only data recorded before this instant (exclusive) moved; after recordedFrom. Omit if data up to the move moved."),
		"note":          in(str, "Anything else about the move (up to 4,000 characters)."),
	})
	attInputs := newEntityInputs("Attestation",
		"New evidence about exactly one of orgId or systemId; kind, issuer and issuedOn are required.",
		"Changes to an attestation: only the fields given change; clear sets optional ones to null. Its subject cannot change.", []inputField{
			{name: "orgId", typ: id, fixed: true, desc: "The organisation it is about; give this or systemId. It cannot change afterwards."},
			{name: "systemId", typ: id, fixed: true, desc: "The system it is about; give this or orgId. It cannot change afterwards."},
			{name: "kind", typ: attestationKind, required: true, desc: "What kind of evidence it is."},
			{name: "issuer", typ: str, required: true, desc: "Who issued it, such as the certification body (up to 300 characters)."},
			{name: "issuedOn", typ: dateScalar, required: true, desc: "Date it was issued; it counts from this date."},
			{name: "validUntil", typ: dateScalar, desc: "Inclusive: the last day it is valid, not before issuedOn; omit if it states no end.",
				clear: "validUntil: it states no end."},
			{name: "scope", typ: str, desc: "What it covers, as it states (up to 4,000 characters).",
				clear: "scope: what it covers is not recorded."},
			{name: "evidenceRef", typ: str, desc: "Where the evidence is kept: a document reference or address (up to 1,000 characters).",
				clear: "evidenceRef: where the evidence is kept is not recorded."},
			{name: "coveredSystemIds", typ: ids, desc: "Systems the scope covers.",
				clear: "coveredSystemIds: the list becomes empty; it names no systems, and the attestation check counts it for every system the organisation operates."},
		})
	eeaInput := inputObject("EEAMembershipInput", "A period in which a country belongs to the EEA, in legal dates.", graphql.InputObjectConfigFieldMap{
		"country":   in(nn(str), "ISO 3166-1 alpha-2 code of the country."),
		"validFrom": in(nn(dateScalar), "First day of membership (inclusive)."),
		"validTo":   in(dateScalar, "Exclusive: the first day no longer a member; omit while a member."),
	})
	adequacyInput := inputObject("AdequacyDecisionInput", "An adequacy decision of the European Commission (GDPR Art. 45) for a country.", graphql.InputObjectConfigFieldMap{
		"country":       in(nn(str), "ISO 3166-1 alpha-2 code of the country."),
		"scope":         in(nn(adequacyScope), "Whether it covers every recipient in the country or only those that meet its condition."),
		"conditionCode": in(conditionCode, "Required for a partial decision."),
		"condition":     in(str, "The condition of a partial decision in words (up to 4,000 characters)."),
		"decisionRef":   in(str, "The decision's reference, such as Decision 2023/1795 (up to 300 characters)."),
		"decidedOn":     in(nn(dateScalar), "Date the decision was adopted."),
		"validFrom":     in(dateScalar, "Default: decidedOn. The first day it applies (inclusive)."),
		"validTo":       in(dateScalar, "Exclusive: the first day it no longer applies; omit while in force."),
	})

	byID := func(what string) graphql.FieldConfigArgument {
		return graphql.FieldConfigArgument{"id": {Type: nn(id), Description: "The " + what + "'s id."}}
	}
	paged := func(filter *graphql.InputObject) graphql.FieldConfigArgument {
		return graphql.FieldConfigArgument{
			"filter": {Type: filter, Description: "Only those that match every field given; without it, all."},
			"first":  {Type: graphql.Int, Description: "Page size, 1-500 (default 50)."},
			"after":  {Type: str, Description: "endCursor of the previous page."},
		}
	}
	orgFilter := inputObject("OrganisationFilter", "Narrows a list of organisations; each field given must match.", graphql.InputObjectConfigFieldMap{
		"nameContains": in(str, "Case-insensitive part of the legal name."),
		"kind":         in(orgKindEnum, "Only organisations of this kind."),
		"country":      in(str, "Only organisations established in this country (ISO 3166-1 alpha-2)."),
		"parentId":     in(id, "Only the direct children of this organisation."),
		"includeEnded": in(boolean, "Also organisations that ceased to exist (endedAt now or earlier); default false."),
	})
	systemFilter := inputObject("SystemFilter", "Narrows a list of systems; each field given must match.", graphql.InputObjectConfigFieldMap{
		"nameContains": in(str, "Case-insensitive part of the name."),
		"kind":         in(systemKindEnum, "Only systems of this kind."),
		"operatorId":   in(id, "Only systems this organisation operates."),
		"vendorId":     in(id, "Only systems of this vendor."),
		"includeEnded": in(boolean, "Also systems taken out of service (endedAt now or earlier); default false."),
	})
	linkFilter := inputObject("LinkFilter", "Narrows a list of links; each field given must match.", graphql.InputObjectConfigFieldMap{
		"fromId": in(id, "Only links from this party."), "toId": in(id, "Only links to this party."),
		"role": in(roleEnum, "Only links with this claimed role."), "at": in(inst, "Only links valid at this instant."),
	})
	attFilter := inputObject("AttestationFilter", "Narrows a list of attestations; each field given must match.", graphql.InputObjectConfigFieldMap{
		"kind":             in(attestationKind, "Only attestations of this kind."),
		"orgId":            in(id, "Only attestations about this organisation itself (not about its systems)."),
		"systemId":         in(id, "Only attestations about this system itself (not those that name it among covered systems)."),
		"validOn":          in(dateScalar, "Only those valid on this date."),
		"includeWithdrawn": in(boolean, "Also attestations already withdrawn; default false (one whose withdrawal is still to come counts until then)."),
	})

	queryFields := graphql.Fields{
		"organisation": {Type: t.org, Args: byID("organisation"), Resolve: r.Organisation(),
			Description: "An organisation by its id; a NOT_FOUND error if there is none."},
		"organisations": {Type: nn(t.connection(t.org)), Args: paged(orgFilter), Resolve: r.Organisations(),
			Description: "Organisations in id order, a page at a time; unless filter.includeEnded, only those that have not ceased to exist."},
		"system": {Type: t.system, Args: byID("system"), Resolve: r.System(),
			Description: "A system by its id; a NOT_FOUND error if there is none."},
		"systems": {Type: nn(t.connection(t.system)), Args: paged(systemFilter), Resolve: r.Systems(),
			Description: "Systems in id order, a page at a time; unless filter.includeEnded, only those still in service."},
		"link": {Type: t.link, Args: byID("link"), Resolve: r.Link(),
			Description: "A link by its id; a NOT_FOUND error if there is none."},
		"links": {Type: nn(t.connection(t.link)), Args: paged(linkFilter), Resolve: r.Links(),
			Description: "Links in id order, a page at a time: current and past ones, unless filter.at picks an instant."},
		"attestation": {Type: t.att, Args: byID("attestation"), Resolve: r.Attestation(),
			Description: "An attestation by its id; a NOT_FOUND error if there is none."},
		"attestations": {Type: nn(t.connection(t.att)), Args: paged(attFilter), Resolve: r.Attestations(),
			Description: "Attestations in id order, a page at a time; unless filter.includeWithdrawn, only those not withdrawn by now."},
		"country": {Type: t.country, Resolve: r.Country(),
			Args:        graphql.FieldConfigArgument{"code": {Type: nn(str), Description: "ISO 3166-1 alpha-2 code in capitals, such as SE or TH."}},
			Description: "A country by its code; a NOT_FOUND error if there is none."},
		"systemUse": {Type: t.use, Args: byID("system use"), Resolve: r.SystemUse(),
			Description: "A system use by its id; a NOT_FOUND error if there is none."},
		"systemUses": {Type: nn(t.connection(t.use)), Args: paged(inputObject("SystemUseFilter", "Narrows a list of system uses; each field given must match.", graphql.InputObjectConfigFieldMap{
			"linkId": in(id, "Only uses on this link."), "systemId": in(id, "Only uses of this system."),
			"partyId": in(id, "Only uses by this party."), "at": in(inst, "Only uses valid at this instant."),
		})), Resolve: r.SystemUses(),
			Description: "System uses in id order, a page at a time: current and past ones, unless filter.at picks an instant."},
		"dataMove": {Type: t.move, Args: byID("data move"), Resolve: r.DataMove(),
			Description: "A move of stored data by its id; a NOT_FOUND error if there is none."},
		"dataMoves": {Type: nn(t.connection(t.move)), Args: graphql.FieldConfigArgument{
			"systemId": {Type: id, Description: "Moves into or out of this system."},
			"first":    {Type: graphql.Int, Description: "Page size, 1-500 (default 50)."},
			"after":    {Type: str, Description: "endCursor of the previous page."},
		}, Resolve: r.DataMoves(), Description: "Moves of stored data between systems in id order, a page at a time."},
		"countries": {Type: nn(graphql.NewList(nn(t.country))),
			Args:        graphql.FieldConfigArgument{"eeaAt": {Type: inst, Description: "Only countries in the EEA at this instant."}},
			Description: "Every ISO 3166-1 country the registry knows, by code; with eeaAt, only the EEA members on that instant's date.",
			Resolve:     r.Countries()},
	}
	mutationFields := graphql.Fields{}
	t.chainFields(r, queryFields, mutationFields)
	t.findingFields(r, queryFields, mutationFields)
	query := graphql.NewObject(graphql.ObjectConfig{Name: "Query", Fields: queryFields,
		Description: "What can be read: the registry's records by id and as lists, chains, responsibility, call traces, " +
			"findings and the audit log. A token's role (admin, editor, auditor, dsr) decides which fields it may use."})

	createArgs := func(input *graphql.InputObject, what string) graphql.FieldConfigArgument {
		return graphql.FieldConfigArgument{"input": {Type: nn(input), Description: "The new " + what + "; validated as a whole."}}
	}
	updateArgs := func(inputs entityInputs, what string) graphql.FieldConfigArgument {
		return graphql.FieldConfigArgument{
			"id":    {Type: nn(id), Description: "The " + what + "'s id."},
			"input": {Type: nn(inputs.update), Description: "The fields to change; fields left out keep their value."},
			"clear": {Type: graphql.NewList(nn(inputs.clear)), Description: "Optional fields to set to null; a field cannot be given in input and cleared at once. " +
				"(graphql-go cannot tell an explicit null in input from a missing field.)"},
		}
	}
	endArgs := func(what, at string) graphql.FieldConfigArgument {
		return graphql.FieldConfigArgument{
			"id": {Type: nn(id), Description: "The " + what + "'s id."},
			"at": {Type: inst, Description: "Default: now. " + at},
		}
	}
	periodEnd := "The end of its period (exclusive): after its start, and not later than an end already recorded."
	endOnArgs := func(what string) graphql.FieldConfigArgument {
		return graphql.FieldConfigArgument{
			"id": {Type: nn(id), Description: "The " + what + "'s id."},
			"on": {Type: nn(dateScalar), Description: "First day no longer covered."},
		}
	}

	core := graphql.Fields{
		"createOrganisation": {Type: nn(t.org), Args: createArgs(orgInputs.create, "organisation"),
			Description: "Records a new organisation.",
			Resolve:     resolvers.Create(r, resolvers.OrganisationSvc, resolvers.DecodeOrganisation, registry.OrganisationService.CreateOrganisation)},
		"updateOrganisation": {Type: nn(t.org), Args: updateArgs(orgInputs, "organisation"),
			Description: "Changes an organisation: the fields given replace the recorded ones, those in clear become null.",
			Resolve:     resolvers.Update(r, resolvers.OrganisationSvc, resolvers.DecodeOrganisation, registry.OrganisationService.UpdateOrganisation, orgInputs.clearable)},
		"endOrganisation": {Type: nn(t.org), Args: endArgs("organisation", "When it ceased to exist; not later than an end already recorded."),
			Description: "Records that an organisation ceased to exist; its links and systems are not ended with it.",
			Resolve:     resolvers.End(r, resolvers.OrganisationSvc, registry.OrganisationService.EndOrganisation)},
		"createSystem": {Type: nn(t.system), Args: createArgs(systemInputs.create, "system"),
			Description: "Records a new system.",
			Resolve:     resolvers.Create(r, resolvers.SystemSvc, resolvers.DecodeSystem, registry.SystemService.CreateSystem)},
		"updateSystem": {Type: nn(t.system), Args: updateArgs(systemInputs, "system"),
			Description: "Changes a system: the fields given replace the recorded ones, those in clear become null.",
			Resolve:     resolvers.Update(r, resolvers.SystemSvc, resolvers.DecodeSystem, registry.SystemService.UpdateSystem, systemInputs.clearable)},
		"endSystem": {Type: nn(t.system), Args: endArgs("system", "When it was taken out of service; not later than an end already recorded."),
			Description: "Records that a system was taken out of service, and ends its uses still running then; a trace counts a stored call as held until then at the latest.",
			Resolve:     resolvers.End(r, resolvers.SystemSvc, registry.SystemService.EndSystem)},
		"setSystemProfile": {Type: nn(t.profile), Args: createArgs(profileInput, "profile"),
			Description: "Records a system's security facts from validFrom; the profile in force until then ends there.",
			Resolve:     resolvers.Create(r, resolvers.SystemSvc, resolvers.DecodeSystemProfile, registry.SystemService.SetSystemProfile)},
		"addSystemLocation": {Type: nn(t.location), Args: createArgs(locationInput, "location"),
			Description: "Records a country where a system stores data or is accessed from, for a period.",
			Resolve:     resolvers.Create(r, resolvers.SystemSvc, resolvers.DecodeSystemLocation, registry.SystemService.AddSystemLocation)},
		"endSystemLocation": {Type: nn(t.location), Args: endArgs("system location", periodEnd),
			Description: "Ends a system location.",
			Resolve:     resolvers.End(r, resolvers.SystemSvc, registry.SystemService.EndSystemLocation)},
		"createLink": {Type: nn(t.link), Args: createArgs(linkInputs.create, "link"),
			Description: "Records a new link; the same link with the same role in an overlapping period is refused (CONFLICT).",
			Resolve:     resolvers.Create(r, resolvers.LinkSvc, resolvers.DecodeLink, registry.LinkService.CreateLink)},
		"updateLink": {Type: nn(t.link), Args: updateArgs(linkInputs, "link"),
			Description: "Changes a link: the fields given replace the recorded ones, those in clear become null. " +
				"Its parties cannot change, and its period cannot shrink away from the system uses on it.",
			Resolve: resolvers.Update(r, resolvers.LinkSvc, resolvers.DecodeLink, registry.LinkService.UpdateLink, linkInputs.clearable)},
		"endLink": {Type: nn(t.link), Args: endArgs("link", periodEnd),
			Description: "Ends a link and the system uses still running on it.", Resolve: resolvers.End(r, resolvers.LinkSvc, registry.LinkService.EndLink)},
		"recordRoleFinding": {Type: nn(t.finding), Args: createArgs(findingInput, "role finding"),
			Description: "Records what an authority or court found the receiving party's role on a link to be.",
			Resolve:     resolvers.Create(r, resolvers.LinkSvc, resolvers.DecodeRoleFinding, registry.LinkService.RecordRoleFinding)},
		"createSystemUse": {Type: nn(t.use), Args: createArgs(useInput, "system use"),
			Description: "Records that one of a link's parties used a system to do the link's work, within the link's period.",
			Resolve:     resolvers.Create(r, resolvers.LinkSvc, resolvers.DecodeSystemUse, registry.LinkService.CreateSystemUse)},
		"endSystemUse": {Type: nn(t.use), Args: endArgs("system use", periodEnd),
			Description: "Ends a system use.",
			Resolve:     resolvers.End(r, resolvers.LinkSvc, registry.LinkService.EndSystemUse)},
		"recordDataMove": {Type: nn(t.move), Args: createArgs(moveInput, "data move"),
			Description: "Records that stored data moved from one system into another; a trace follows the call into the target.",
			Resolve:     resolvers.Create(r, resolvers.LinkSvc, resolvers.DecodeDataMove, registry.LinkService.RecordDataMove)},
		"createAttestation": {Type: nn(t.att), Args: createArgs(attInputs.create, "attestation"),
			Description: "Records security evidence about an organisation or a system.",
			Resolve:     resolvers.Create(r, resolvers.AttestationSvc, resolvers.DecodeAttestation, registry.AttestationService.CreateAttestation)},
		"updateAttestation": {Type: nn(t.att), Args: updateArgs(attInputs, "attestation"),
			Description: "Changes an attestation: the fields given replace the recorded ones, those in clear become null. Its subject cannot change.",
			Resolve:     resolvers.Update(r, resolvers.AttestationSvc, resolvers.DecodeAttestation, registry.AttestationService.UpdateAttestation, attInputs.clearable)},
		"withdrawAttestation": {Type: nn(t.att), Args: endArgs("attestation", "When it stopped counting; not later than a withdrawal already recorded."),
			Description: "Records that an attestation was withdrawn: from then on its status is WITHDRAWN.",
			Resolve:     resolvers.End(r, resolvers.AttestationSvc, registry.AttestationService.WithdrawAttestation)},
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
	}
	for name, f := range core {
		mutationFields[name] = f
	}
	mutation := graphql.NewObject(graphql.ObjectConfig{Name: "Mutation", Fields: mutationFields,
		Description: "What can be written. Each mutation is one transaction: bad input is refused whole. Nothing is deleted: " +
			"ending something sets the end of its period, and every change to a registry record is kept, with its author, in its history."})

	sch, err := graphql.NewSchema(graphql.SchemaConfig{Query: query, Mutation: mutation})
	if err != nil {
		return sch, err
	}
	return sch, guard(sch)
}
