package schema

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

var (
	systemKindEnum = enum("SystemKind", "What a system does with calls.", registry.SystemKinds, map[string]string{
		"telephony": "Carries calls while they last (a telephony or routing platform); a trace counts it as holding a call only during the call.",
		"recording": "Records calls; a trace counts it as keeping a call after it ends.",
		"storage":   "Stores recordings; a trace counts it as keeping a call after it ends.",
		"records":   "A patient record system; a trace counts it as keeping a call after it ends.",
		"backup":    "Keeps backup copies; a trace counts it as keeping a call after it ends.",
		"other":     "Any other system; a trace counts it as holding a call only during the call.",
	})
	authenticationEnum = enum("Authentication", "How users of a system prove who they are.", registry.Authentications, map[string]string{
		"none":        "No authentication: whoever reaches the system gets in (the 1177 storage server of 2019).",
		"password":    "A password alone.",
		"mfa":         "Multi-factor authentication.",
		"certificate": "A certificate, such as a client certificate.",
		"smart_card":  "A smart card (such as the health sector's SITHS card).",
	})
	locationPurpose = enum("LocationPurpose", "Whether a system stores data in a country or is accessed from it.", registry.LocationPurposes, map[string]string{
		"storage": "The system stores data in the country.",
		"access":  "The system is accessed from the country; remote access from abroad counts as a transfer (GDPR Art. 44).",
	})
)

// systemType builds System, SystemProfile and SystemLocation.
func (t *types) systemType(r *resolvers.Resolvers) {
	sysID := func(s any) int64 { return s.(registry.System).ID }

	t.system = graphql.NewObject(graphql.ObjectConfig{Name: "System", Description: "A system that handles calls.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return merge(graphql.Fields{
				"id":             field(nn(graphql.ID), "The system's id in the registry.", func(s registry.System) any { return id(s.ID) }),
				"name":           field(nn(graphql.String), "The system's name.", func(s registry.System) any { return s.Name }),
				"kind":           field(nn(systemKindEnum), "What it does with calls; a trace counts the storing kinds as keeping a call after it ends.", func(s registry.System) any { return s.Kind }),
				"dataCategories": field(list(graphql.String), "Categories of data it handles, as recorded.", func(s registry.System) any { return []string(s.DataCategories) }),
				"description":    field(graphql.String, "What the system is, in words; null if nothing is recorded.", func(s registry.System) any { return optStr(s.Description) }),
				"endedAt":        field(t.instant, "When it was taken out of service.", func(s registry.System) any { return optTime(s.EndedAt) }),
				"operator":       {Type: nn(t.org), Description: "The organisation that runs it.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(s registry.System) *int64 { return &s.OperatorID })},
				"vendor":         {Type: t.org, Description: "The organisation that makes or sells it; null if none is recorded.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(s registry.System) *int64 { return optID(s.VendorID) })},
				"profiles": {Type: list(t.profile), Args: t.instantArg("The profile in force at this instant; without it, all."),
					Description: "Security facts (exposure, authentication, encryption, retention) by period.",
					Resolve:     resolvers.Related(r, resolvers.Profiles, sysID)},
				"locations": {Type: list(t.location), Description: "Where it stores data and where it is accessed from, by purpose and country.", Args: t.instantArg("Locations at this instant; without it, all."),
					Resolve: resolvers.Related(r, resolvers.Locations, sysID)},
				"uses": {Type: list(t.use), Args: t.instantArg("Uses at this instant; without it, all."),
					Description: "Who used it, on which links.", Resolve: resolvers.Related(r, resolvers.UsesBySystem, sysID)},
				"attestations": {Type: list(t.att), Description: "Security evidence about this system itself, oldest issue first (its operator's attestations are on the operator).", Args: t.instantArg("Only those valid at this instant; without it, all."),
					Resolve: resolvers.Related(r, resolvers.AttestationsOfSys, sysID)},
				"movesIn":  {Type: list(t.move), Args: t.instantArg("Moves up to this instant."), Description: "Moves of stored data into this system, oldest first.", Resolve: resolvers.Related(r, resolvers.MovesTo, sysID)},
				"movesOut": {Type: list(t.move), Args: t.instantArg("Moves up to this instant."), Description: "Moves of stored data out of this system, oldest first.", Resolve: resolvers.Related(r, resolvers.MovesFrom, sysID)},
				"openFindings": {Type: list(t.compliance), Description: "Open findings about it, worst first.",
					Resolve: resolvers.OpenFindings(r, "system", func(s registry.System) int64 { return s.ID })},
				"accessPaths": {Type: list(t.accessPath), Args: t.instantArg("Access paths at this instant; without it, all."),
					Description: "How the system is reached: by whom, from where, through which gateway, with what authentication.",
					Resolve:     resolvers.Related(r, resolvers.AccessPaths, sysID)},
				"accessPathsThrough": {Type: list(t.accessPath), Args: t.instantArg("Access paths at this instant; without it, all."),
					Description: "Access paths into other systems that pass through this one as their gateway.",
					Resolve:     resolvers.Related(r, resolvers.AccessPathsVia, sysID)},
				"relations": {Type: list(t.sysRelation), Args: t.instantArg("Relations at this instant; without it, all."),
					Description: "Its relations to other systems, this system on the from side: hosted in, runs on, same identity domain as, gives access to.",
					Resolve:     resolvers.Related(r, resolvers.RelationsFrom, sysID)},
				"relationsIn": {Type: list(t.sysRelation), Args: t.instantArg("Relations at this instant; without it, all."),
					Description: "Other systems' relations to this one, this system on the to side: what is hosted in it, runs on it, shares its identity domain, or gives access to it.",
					Resolve:     resolvers.Related(r, resolvers.RelationsTo, sysID)},
				"history": t.history("systems", sysID),
			}, t.systemHygieneFields(r))
		})})

	t.profile = graphql.NewObject(graphql.ObjectConfig{Name: "SystemProfile", Description: "A system's security facts during a period.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.periodFields(graphql.Fields{
				"id":                  field(nn(graphql.ID), "The profile's id in the registry.", func(p registry.SystemProfile) any { return id(p.ID) }),
				"system":              {Type: nn(t.system), Description: "The system the facts are about.", Resolve: resolvers.ByID(r, resolvers.Systems, func(p registry.SystemProfile) *int64 { return &p.SystemID })},
				"internetExposed":     field(graphql.Boolean, "Whether the system was reachable from the internet; null: not established.", func(p registry.SystemProfile) any { return optBool(p.InternetExposed) }),
				"authentication":      field(authenticationEnum, "How its users proved who they were; null: not established. Access paths say it per audience and origin.", func(p registry.SystemProfile) any { return optStr(p.Authentication) }),
				"transportEncryption": field(graphql.Boolean, "Whether data travelled to and from it encrypted (TLS or similar); null: not established.", func(p registry.SystemProfile) any { return optBool(p.TransportEncryption) }),
				"encryptionAtRest":    field(graphql.Boolean, "Whether the data it stored was encrypted; null: not established.", func(p registry.SystemProfile) any { return optBool(p.EncryptionAtRest) }),
				"retentionDays": field(graphql.Int, "How long stored recordings are kept; null: none recorded.", func(p registry.SystemProfile) any {
					if p.RetentionDays == nil {
						return nil
					}
					return int(*p.RetentionDays)
				}),
				"backupExists":      field(graphql.Boolean, "Whether a backup of its data existed (GDPR Art. 32(1)(c)); null: not established.", func(p registry.SystemProfile) any { return optBool(p.BackupExists) }),
				"lastRestoreTest":   field(dateScalar, "The day a restore from backup was last tested (GDPR Art. 32(1)(c)-(d)); null: none recorded.", func(p registry.SystemProfile) any { return optTime(p.LastRestoreTest) }),
				"recoveryTimeHours": field(graphql.Int, "Recovery time objective: hours within which its data are to be restored after an incident (GDPR Art. 32(1)(b)-(c)); null: none recorded.", func(p registry.SystemProfile) any { return optInt(p.RecoveryTimeHours) }),
				"note":              field(graphql.String, "Anything else about these facts and their source; null if nothing is recorded.", func(p registry.SystemProfile) any { return optStr(p.Note) }),
				"history":           t.history("system_profiles", func(s any) int64 { return s.(registry.SystemProfile).ID }),
			}, func(s any) registry.Period { return s.(registry.SystemProfile).Period })
		})})

	t.location = graphql.NewObject(graphql.ObjectConfig{Name: "SystemLocation", Description: "Where a system stores data or is accessed from.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.periodFields(graphql.Fields{
				"id":      field(nn(graphql.ID), "The location's id in the registry.", func(l registry.SystemLocation) any { return id(l.ID) }),
				"system":  {Type: nn(t.system), Description: "The system.", Resolve: resolvers.ByID(r, resolvers.Systems, func(l registry.SystemLocation) *int64 { return &l.SystemID })},
				"country": t.countryOf("The country where it stores data, or from which it is accessed.", func(s any) string { return s.(registry.SystemLocation).Country }),
				"purpose": field(nn(locationPurpose), "Whether the system stores data in the country or is accessed from it.", func(l registry.SystemLocation) any { return l.Purpose }),
			}, func(s any) registry.Period { return s.(registry.SystemLocation).Period })
		})})
}

// systemFields adds System, its profiles and locations, their inputs, and
// the root fields that read and write them.
func (t *types) systemFields(r *resolvers.Resolvers, query, mutation graphql.Fields) {
	t.systemType(r)
	str, id, boolean := graphql.String, graphql.ID, graphql.Boolean
	strs := graphql.NewList(nn(graphql.String))
	inst := t.instant

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
	profileInput := inputObject("SystemProfileInput", "A system's security facts from validFrom on. Each fact left out is recorded as not established (unknown), never as no.", graphql.InputObjectConfigFieldMap{
		"systemId":            in(nn(id), "The system the facts are about."),
		"validFrom":           in(nn(inst), "First instant the facts hold (inclusive); an open-ended profile of the system that started earlier ends here."),
		"validTo":             in(inst, "First instant they no longer hold (exclusive); omit while they last."),
		"internetExposed":     in(boolean, "Whether the system is reachable from the internet; leave out if not established."),
		"authentication":      in(authenticationEnum, "How its users prove who they are; leave out if not established."),
		"transportEncryption": in(boolean, "Whether data travels to and from it encrypted (TLS or similar); leave out if not established."),
		"encryptionAtRest":    in(boolean, "Whether the data it stores is encrypted; leave out if not established."),
		"retentionDays":       in(graphql.Int, "Days stored recordings are kept; omit if none is recorded. A positive number."),
		"backupExists":        in(boolean, "Whether a backup of its data exists; leave out if not established."),
		"lastRestoreTest":     in(dateScalar, "The day a restore from backup was last tested (YYYY-MM-DD); omit if none is recorded. Not with backupExists false."),
		"recoveryTimeHours":   in(graphql.Int, "Recovery time objective in hours; omit if none is recorded. A positive number."),
		"note":                in(str, "Anything else about these facts and their source (up to 4,000 characters)."),
	})
	locationInput := inputObject("SystemLocationInput", "A country where a system stores data or is accessed from, for a period.", graphql.InputObjectConfigFieldMap{
		"systemId":  in(nn(id), "The system."),
		"country":   in(nn(str), "ISO 3166-1 alpha-2 code of the country."),
		"purpose":   in(nn(locationPurpose), "Whether the system stores data there or is accessed from there."),
		"validFrom": in(nn(inst), "First instant the location holds (inclusive)."),
		"validTo":   in(inst, "First instant it no longer holds (exclusive); omit while it lasts."),
	})
	systemFilter := inputObject("SystemFilter", "Narrows a list of systems; each field given must match.", graphql.InputObjectConfigFieldMap{
		"nameContains": in(str, "Case-insensitive part of the name."),
		"kind":         in(systemKindEnum, "Only systems of this kind."),
		"operatorId":   in(id, "Only systems this organisation operates."),
		"vendorId":     in(id, "Only systems of this vendor."),
		"includeEnded": in(boolean, "Also systems taken out of service (endedAt now or earlier); default false."),
	})
	add(query, graphql.Fields{
		"system": {Type: t.system, Args: byID("system"), Resolve: r.System(),
			Description: "A system by its id; a NOT_FOUND error if there is none."},
		"systems": {Type: nn(t.connection(t.system)), Args: paged(systemFilter), Resolve: r.Systems(),
			Description: "Systems in id order, a page at a time; unless filter.includeEnded, only those still in service."},
	})
	add(mutation, graphql.Fields{
		"createSystem": {Type: nn(t.system), Args: createArgs(systemInputs.create, "system"),
			Description: "Records a new system.",
			Resolve:     resolvers.Create(r, resolvers.SystemSvc, resolvers.DecodeSystem, registry.SystemService.CreateSystem)},
		"updateSystem": {Type: nn(t.system), Args: updateArgs(systemInputs, "system"),
			Description: "Changes a system: the fields given replace the recorded ones, those in clear become null.",
			Resolve:     resolvers.Update(r, resolvers.SystemSvc, resolvers.DecodeSystem, registry.SystemService.UpdateSystem, systemInputs.clearable)},
		"endSystem": {Type: nn(t.system), Args: t.endArgs("system", "When it was taken out of service; not later than an end already recorded."),
			Description: "Records that a system was taken out of service, and ends its uses still running then; a trace counts a stored call as held until then at the latest.",
			Resolve:     resolvers.End(r, resolvers.SystemSvc, registry.SystemService.EndSystem)},
		"setSystemProfile": {Type: nn(t.profile), Args: createArgs(profileInput, "profile"),
			Description: "Records a system's security facts from validFrom; the profile in force until then ends there.",
			Resolve:     resolvers.Create(r, resolvers.SystemSvc, resolvers.DecodeSystemProfile, registry.SystemService.SetSystemProfile)},
		"addSystemLocation": {Type: nn(t.location), Args: createArgs(locationInput, "location"),
			Description: "Records a country where a system stores data or is accessed from, for a period.",
			Resolve:     resolvers.Create(r, resolvers.SystemSvc, resolvers.DecodeSystemLocation, registry.SystemService.AddSystemLocation)},
		"endSystemLocation": {Type: nn(t.location), Args: t.endArgs("system location", periodEnd),
			Description: "Ends a system location.",
			Resolve:     resolvers.End(r, resolvers.SystemSvc, registry.SystemService.EndSystemLocation)},
	})
}
