package schema

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

// roleDocs describe the roles a link can claim; FoundRole adds none.
var roleDocs = map[string]string{
	"processor": "Processes the data on the sending party's behalf and on its instructions (GDPR Art. 28); " +
		"an agreement must bind it (Art. 28(3)).",
	"sub_processor": "Engaged by a processor to process the data further down the chain; needs the controller's " +
		"prior written authorisation (Art. 28(2)) and an agreement (Art. 28(3)).",
	"joint_controller":       "Decides the purposes and means of the processing together with the sending party (GDPR Art. 26).",
	"independent_controller": "A controller in its own right for the data it receives: it decides its own purposes and means.",
	"recipient":              "Receives the data (GDPR Art. 4(9)) in a role the link claims as neither processor nor controller.",
}

var (
	roleEnum      = enum("Role", "The receiving party's role on a link.", registry.Roles, roleDocs)
	foundRoleEnum = enum("FoundRole", "The role an authority found a party to have on a link (NONE: neither controller nor processor).",
		registry.FoundRoles, withDoc(roleDocs, "none", "Neither controller nor processor for the data on the link "+
			"(what IMY found of Inera AB for the 1177 recordings)."))
	authorisationEnum = enum("Authorisation", "The controller's authorisation for sub-processing (GDPR Art. 28(2)).", registry.Authorisations, map[string]string{
		"none":     "No authorisation is recorded; on a sub-processor link that is a gap (NO_AUTHORISATION).",
		"specific": "Prior specific written authorisation of this sub-processor.",
		"general": "Prior general written authorisation: the processor notifies changes of sub-processors " +
			"and the controller may object (Art. 28(2)).",
	})
	transferEnum = enum("TransferMechanism", "How a transfer to a third country is made lawful (GDPR Art. 45-49).", registry.TransferMechanisms, map[string]string{
		"none":     "No mechanism is recorded; a gap when the receiving party needs a safeguard (NO_TRANSFER_MECHANISM).",
		"adequacy": "An adequacy decision (Art. 45); a gap (ADEQUACY_NOT_APPLICABLE) when no decision in force covers the receiving party.",
		"scc": "Standard contractual clauses (Decision 2021/914, Art. 46(2)(c)); the link names the module and " +
			"should record a transfer impact assessment.",
		"bcr":        "Binding corporate rules (Art. 46(2)(b), 47); should come with a transfer impact assessment.",
		"derogation": "A derogation for a specific situation (Art. 49), such as explicit consent.",
	})
	transferToolEnum = enum("TransferTool", "The standard clauses a transfer under SCCs relies on. Whether they count is judged by the exporter's "+
		"law at the instant (kedja_tool_verdict): lapsed clauses give the verdict outdated_clauses, clauses that law does not "+
		"recognise then tool_not_valid.", registry.TransferTools, map[string]string{
		"eu_scc_2001": "EU SCC set I, controller to controller (Decision 2001/497/EC): under EU law until 27 December 2022; under UK law until 20 March 2024.",
		"eu_scc_2004": "EU SCC set II, controller to controller (Decision 2004/915/EC): under EU law until 27 December 2022; under UK law until 20 March 2024.",
		"eu_scc_2010": "EU SCC controller to processor (Decision 2010/87/EU): under EU law until 27 December 2022; under UK law until 20 March 2024.",
		"eu_scc_2021": "EU SCC modules 1-4 (Implementing Decision (EU) 2021/914), from 27 June 2021; alone, not a tool under UK or Swiss law.",
		"uk_idta":     "The UK International Data Transfer Agreement, from 21 March 2022 (UK law).",
		"uk_addendum": "The UK International Data Transfer Addendum to the EU 2021 SCCs, from 21 March 2022 (UK law).",
		"ch_scc_2021": "The EU 2021 SCCs with the FDPIC's adaptations for Swiss law, recognised 27 August 2021 (Swiss law).",
	})
	weekdayEnum = enum("Weekday", "A day of the week.", registry.Weekdays, map[string]string{
		"mon": "Monday.", "tue": "Tuesday.", "wed": "Wednesday.", "thu": "Thursday.", "fri": "Friday.", "sat": "Saturday.", "sun": "Sunday.",
	})
)

// linkType builds Link, its routing, RoleFinding, SystemUse and DataMove.
func (t *types) linkType(r *resolvers.Resolvers) {
	t.window = graphql.NewObject(graphql.ObjectConfig{Name: "RoutingWindow",
		Description: "A weekly window: on each day, from start to end (HH:MM); an end at or before the start runs past midnight.",
		Fields: graphql.Fields{
			"days":  field(list(weekdayEnum), "The days on which the window starts.", func(w registry.Window) any { return w.Days }),
			"start": field(nn(graphql.String), "Time of day it opens, HH:MM (inclusive).", func(w registry.Window) any { return w.Start }),
			"end":   field(nn(graphql.String), "Time of day it closes, HH:MM (exclusive); 24:00 is the end of the day.", func(w registry.Window) any { return w.End }),
		}})
	t.routing = graphql.NewObject(graphql.ObjectConfig{Name: "Routing", Description: "Which calls take a link.",
		Fields: graphql.Fields{
			"note":     field(graphql.String, "As written in the agreement; null if nothing is written. With no windows and no share below 1, a note makes the route UNSTRUCTURED.", func(l registry.Link) any { return optStr(l.RoutingNote) }),
			"timeZone": field(graphql.String, "Windows are read in this zone; default the controller's: the zone of the organisation a chain or trace starts from.", func(l registry.Link) any { return optStr(l.RoutingTimeZone) }),
			"windows":  field(list(t.window), "Weekly windows of the calls that take the link, read in timeZone; empty when none are recorded.", func(l registry.Link) any { return []registry.Window(l.RoutingWindows) }),
			"share": field(graphql.Float, "Share of calls (0-1) when no window decides; null if not recorded. A share of 1 restricts nothing.", func(l registry.Link) any {
				if l.RoutingShare == nil {
					return nil
				}
				return *l.RoutingShare
			}),
		}})
	linkID := func(s any) int64 { return s.(registry.Link).ID }

	t.link = graphql.NewObject(graphql.ObjectConfig{Name: "Link",
		Description: "Data flowing from one party to another; the receiving party holds a role on it for its period.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.periodFields(merge(graphql.Fields{
				"id":   field(nn(graphql.ID), "The link's id in the registry.", func(l registry.Link) any { return id(l.ID) }),
				"from": {Type: nn(t.org), Description: "The party handing data on.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(l registry.Link) *int64 { return &l.FromID })},
				"to":   {Type: nn(t.org), Description: "The party receiving it.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(l registry.Link) *int64 { return &l.ToID })},
				"role": field(nn(roleEnum), "The receiving party's role, as claimed in the agreement.", func(l registry.Link) any { return l.Role }),
				"roleFindings": {Type: list(t.finding), Description: "What authorities and courts found the role to be.",
					Resolve: resolvers.Related(r, resolvers.RoleFindings, linkID)},
				"purpose":               field(nn(graphql.String), "Why the data flows, as the agreement states it.", func(l registry.Link) any { return l.Purpose }),
				"dataCategories":        field(list(graphql.String), "Categories of data that flow, as recorded.", func(l registry.Link) any { return []string(l.DataCategories) }),
				"healthData":            field(nn(graphql.Boolean), "Whether the data include health data (GDPR Art. 9).", func(l registry.Link) any { return l.HealthData }),
				"agreementRef":          field(graphql.String, "Reference to the agreement binding the receiving party (GDPR Art. 28(3)); null: none recorded, a gap for a processor or sub-processor.", func(l registry.Link) any { return optStr(l.AgreementRef) }),
				"agreementDate":         field(dateScalar, "Date the agreement was signed; null if not recorded.", func(l registry.Link) any { return optTime(l.AgreementDate) }),
				"authorisation":         field(nn(authorisationEnum), "The controller's authorisation for sub-processing on this link (GDPR Art. 28(2)); NONE on a sub-processor link is a gap.", func(l registry.Link) any { return l.Authorisation }),
				"authorisationDate":     field(dateScalar, "Date the controller gave the authorisation; null if not recorded.", func(l registry.Link) any { return optTime(l.AuthorisationDate) }),
				"authorisingController": {Type: t.org, Description: "The controller that gave the authorisation; null when there is none.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(l registry.Link) *int64 { return l.AuthorisingControllerID })},
				"transferMechanism":     field(nn(transferEnum), "How a transfer to the receiving party is made lawful where one is needed (GDPR Art. 44-49).", func(l registry.Link) any { return l.TransferMechanism }),
				"sccModule": field(graphql.Int, "SCC module 1-4 (Decision 2021/914).", func(l registry.Link) any {
					if l.SCCModule == nil {
						return nil
					}
					return int(*l.SCCModule)
				}),
				"transferTool": field(transferToolEnum, "The standard clauses relied on (with transferMechanism SCC); null: not recorded, judged as SCCs "+
					"of the time.", func(l registry.Link) any { return optStr(l.TransferTool) }),
				"tiaDate": field(dateScalar, "Date of the transfer impact assessment.", func(l registry.Link) any { return optTime(l.TIADate) }),
				"routing": field(nn(t.routing), "Which calls take the link: a note in words, weekly windows and/or a share of calls.", func(l registry.Link) any { return l }),
				"systemUses": {Type: list(t.use), Args: t.instantArg("Uses at this instant; without it, all."),
					Description: "Systems used to do this link's work.", Resolve: resolvers.Related(r, resolvers.UsesByLink, linkID)},
				"openFindings": {Type: list(t.compliance), Description: "Open findings about it, worst first.",
					Resolve: resolvers.OpenFindings(r, "link", func(l registry.Link) int64 { return l.ID })},
				"history": t.history("links", linkID),
			}, merge(merge(merge(t.linkBasisFields(r), t.linkHygieneFields(r)), t.linkConditionFields(r)), t.linkNoticeFields(r))), func(s any) registry.Period { return s.(registry.Link).Period })
		})})

	t.finding = graphql.NewObject(graphql.ObjectConfig{Name: "RoleFinding", Description: "What an authority found a link's role to be.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"id":        field(nn(graphql.ID), "The finding's id in the registry.", func(f registry.RoleFinding) any { return id(f.ID) }),
				"link":      {Type: nn(t.link), Description: "The link the finding is about.", Resolve: resolvers.ByID(r, resolvers.Links, func(f registry.RoleFinding) *int64 { return &f.LinkID })},
				"role":      field(nn(foundRoleEnum), "The role the authority found the receiving party to have.", func(f registry.RoleFinding) any { return f.Role }),
				"authority": field(nn(graphql.String), "The authority or court that found it, such as IMY.", func(f registry.RoleFinding) any { return f.Authority }),
				"decidedOn": field(nn(dateScalar), "Date of the decision or judgment.", func(f registry.RoleFinding) any { return f.DecidedOn }),
				"reference": field(graphql.String, "The decision's reference or case number; null if none is recorded.", func(f registry.RoleFinding) any { return optStr(f.Reference) }),
				"note":      field(graphql.String, "Anything else about the finding; null if nothing is recorded.", func(f registry.RoleFinding) any { return optStr(f.Note) }),
			}
		})})

	t.use = graphql.NewObject(graphql.ObjectConfig{Name: "SystemUse", Description: "A party using a system to do a link's work.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.periodFields(graphql.Fields{
				"id":      field(nn(graphql.ID), "The system use's id in the registry.", func(u registry.SystemUse) any { return id(u.ID) }),
				"link":    {Type: nn(t.link), Description: "The link whose work the system did.", Resolve: resolvers.ByID(r, resolvers.Links, func(u registry.SystemUse) *int64 { return &u.LinkID })},
				"system":  {Type: nn(t.system), Description: "The system used.", Resolve: resolvers.ByID(r, resolvers.Systems, func(u registry.SystemUse) *int64 { return &u.SystemID })},
				"party":   {Type: nn(t.org), Description: "Which of the link's two parties used it.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(u registry.SystemUse) *int64 { return &u.PartyID })},
				"purpose": field(graphql.String, "What the system was used for on the link; null if not recorded.", func(u registry.SystemUse) any { return optStr(u.Purpose) }),
			}, func(s any) registry.Period { return s.(registry.SystemUse).Period })
		})})

	t.move = graphql.NewObject(graphql.ObjectConfig{Name: "DataMove", Description: "Stored data moved from one system into another.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"id":            field(nn(graphql.ID), "The move's id in the registry.", func(m registry.DataMove) any { return id(m.ID) }),
				"fromSystem":    {Type: nn(t.system), Description: "The system the data moved out of.", Resolve: resolvers.ByID(r, resolvers.Systems, func(m registry.DataMove) *int64 { return &m.FromSystemID })},
				"toSystem":      {Type: nn(t.system), Description: "The system the data moved into.", Resolve: resolvers.ByID(r, resolvers.Systems, func(m registry.DataMove) *int64 { return &m.ToSystemID })},
				"movedAt":       field(nn(t.instant), "When the data moved.", func(m registry.DataMove) any { return m.MovedAt }),
				"recordedFrom":  field(t.instant, "Data recorded from (null: all earlier data).", func(m registry.DataMove) any { return optTime(m.RecordedFrom) }),
				"recordedUntil": field(t.instant, "Data recorded until, exclusive (null: up to the move).", func(m registry.DataMove) any { return optTime(m.RecordedUntil) }),
				"note":          field(graphql.String, "Anything else about the move; null if nothing is recorded.", func(m registry.DataMove) any { return optStr(m.Note) }),
			}
		})})
}

// linkFields adds Link, its role findings, system uses and data moves,
// their inputs, and the root fields that read and write them.
func (t *types) linkFields(r *resolvers.Resolvers, query, mutation graphql.Fields) {
	t.linkType(r)
	str, id, boolean := graphql.String, graphql.ID, graphql.Boolean
	strs := graphql.NewList(nn(graphql.String))
	inst := t.instant

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
			{name: "transferTool", typ: transferToolEnum, desc: "The standard clauses relied on; only with transferMechanism SCC. " +
				"Omit when not known: the transfer is then judged as under the clauses of the time.",
				clear: "transferTool: the clauses relied on are not recorded."},
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
	linkFilter := inputObject("LinkFilter", "Narrows a list of links; each field given must match.", graphql.InputObjectConfigFieldMap{
		"fromId": in(id, "Only links from this party."), "toId": in(id, "Only links to this party."),
		"role": in(roleEnum, "Only links with this claimed role."), "at": in(inst, "Only links valid at this instant."),
	})
	add(query, graphql.Fields{
		"link": {Type: t.link, Args: byID("link"), Resolve: r.Link(),
			Description: "A link by its id; a NOT_FOUND error if there is none."},
		"links": {Type: nn(t.connection(t.link)), Args: paged(linkFilter), Resolve: r.Links(),
			Description: "Links in id order, a page at a time: current and past ones, unless filter.at picks an instant."},
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
	})
	add(mutation, graphql.Fields{
		"createLink": {Type: nn(t.link), Args: createArgs(linkInputs.create, "link"),
			Description: "Records a new link; the same link with the same role in an overlapping period is refused (CONFLICT).",
			Resolve:     resolvers.Create(r, resolvers.LinkSvc, resolvers.DecodeLink, registry.LinkService.CreateLink)},
		"updateLink": {Type: nn(t.link), Args: updateArgs(linkInputs, "link"),
			Description: "Changes a link: the fields given replace the recorded ones, those in clear become null. " +
				"Its parties cannot change, and its period cannot shrink away from the system uses on it.",
			Resolve: resolvers.Update(r, resolvers.LinkSvc, resolvers.DecodeLink, registry.LinkService.UpdateLink, linkInputs.clearable)},
		"endLink": {Type: nn(t.link), Args: t.endArgs("link", periodEnd),
			Description: "Ends a link and the system uses still running on it.", Resolve: resolvers.End(r, resolvers.LinkSvc, registry.LinkService.EndLink)},
		"recordRoleFinding": {Type: nn(t.finding), Args: createArgs(findingInput, "role finding"),
			Description: "Records what an authority or court found the receiving party's role on a link to be.",
			Resolve:     resolvers.Create(r, resolvers.LinkSvc, resolvers.DecodeRoleFinding, registry.LinkService.RecordRoleFinding)},
		"createSystemUse": {Type: nn(t.use), Args: createArgs(useInput, "system use"),
			Description: "Records that one of a link's parties used a system to do the link's work, within the link's period.",
			Resolve:     resolvers.Create(r, resolvers.LinkSvc, resolvers.DecodeSystemUse, registry.LinkService.CreateSystemUse)},
		"endSystemUse": {Type: nn(t.use), Args: t.endArgs("system use", periodEnd),
			Description: "Ends a system use.",
			Resolve:     resolvers.End(r, resolvers.LinkSvc, registry.LinkService.EndSystemUse)},
		"recordDataMove": {Type: nn(t.move), Args: createArgs(moveInput, "data move"),
			Description: "Records that stored data moved from one system into another; a trace follows the call into the target.",
			Resolve:     resolvers.Create(r, resolvers.LinkSvc, resolvers.DecodeDataMove, registry.LinkService.RecordDataMove)},
	})
}
