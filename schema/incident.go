package schema

import (
	"fmt"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

var (
	incidentKindEnum = enum("IncidentKind", "What a breach did to the data (GDPR Art. 4(12)).", registry.IncidentKinds, map[string]string{
		"confidentiality": "Data was, or could have been, disclosed to or accessed by someone not entitled to it.",
		"integrity":       "Data was altered without authority.",
		"availability":    "Data was lost or could not be reached.",
	})
	incidentStatusEnum = enum("IncidentStatus", "Where an incident stands.", registry.IncidentStatuses, map[string]string{
		"open":      "Not yet contained.",
		"contained": "Contained (containedAt is recorded); the follow-up goes on.",
		"closed":    "Contained and dealt with.",
	})
	art34Enum = enum("Art34Assessment", "A controller's assessment of telling the data subjects (GDPR Art. 34).", registry.Art34Assessments, map[string]string{
		"undecided":    "Not yet assessed, or not recorded.",
		"required":     "A high risk to the data subjects: they are to be told without undue delay.",
		"not_required": "Not required (Art. 34(3)); the note says why.",
	})
	articleEnum = enum("NotificationArticle", "Which duty a notification meets.", registry.NotificationArticles, map[string]string{
		"art33_1": "Art. 33(1): a controller to the supervisory authority, within 72 hours of becoming aware.",
		"art33_2": "Art. 33(2): a processor (or sub-processor) to the party that engaged it, without undue delay.",
		"art34":   "Art. 34: a controller to the data subjects.",
	})
	dutyStatusEnum = enum("DutyStatus", "Where a notification duty stands at an instant (kedja_notification_status).", registry.DutyStatuses, map[string]string{
		"notified":      "Notified by the deadline (Art. 33(1)), or at all where the law sets no deadline (Art. 33(2)).",
		"notified_late": "Notified after the 72 hours.",
		"not_aware":     "No awareness is recorded for the party that owes it: it may not have been told.",
		"overdue":       "The 72 hours have run out and no notification is recorded.",
		"not_notified":  "Aware, and no notification is recorded (Art. 33(2): without undue delay).",
		"due":           "Aware, the deadline still ahead, no notification recorded yet.",
	})
)

// incidentFields adds incidents: the records, their parties, notifications
// and evidence, and their impact worked out from the registry.
func (t *types) incidentFields(r *resolvers.Resolvers, query, mutation graphql.Fields) {
	inst, str, id := t.instant, graphql.String, graphql.ID
	party := graphql.NewObject(graphql.ObjectConfig{Name: "ImpactParty", Description: "A party of an incident's impact, as it stood when the incident was discovered.",
		Fields: graphql.Fields{
			"id":            field(nn(graphql.ID), "The organisation's id in the registry.", func(p registry.PartyFacts) any { return id2(p.ID) }),
			"legalName":     field(nn(str), "Its legal name.", func(p registry.PartyFacts) any { return p.LegalName }),
			"countryCode":   field(nn(str), "ISO 3166-1 alpha-2 code of its country of establishment.", func(p registry.PartyFacts) any { return p.Country }),
			"transferClass": field(nn(transferClass), "Its country's standing for transfers at the discovery.", func(p registry.PartyFacts) any { return p.TransferClass }),
			"organisation":  {Type: t.org, Description: "The organisation as the registry holds it now.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(p registry.PartyFacts) *int64 { return &p.ID })},
		}})
	via := graphql.NewObject(graphql.ObjectConfig{Name: "ImpactVia", Description: "A party between a controller and an incident's systems.",
		Fields: graphql.Fields{
			"party": field(nn(party), "The party.", func(v registry.ImpactParty) any { return v.Party }),
			"role":  field(nn(roleEnum), "Its role on the link that reached it from above.", func(v registry.ImpactParty) any { return v.Role }),
		}})
	notification := graphql.NewObject(graphql.ObjectConfig{Name: "Notification", Description: "A notification made about an incident: who, to whom, when.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"id":           field(nn(graphql.ID), "The notification's id.", func(n registry.Notification) any { return id2(n.ID) }),
				"article":      field(nn(articleEnum), "The duty it meets.", func(n registry.Notification) any { return n.Article }),
				"from":         {Type: nn(t.org), Description: "Who notified.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(n registry.Notification) *int64 { return &n.FromID })},
				"to":           {Type: t.org, Description: "For ART33_2: the party notified.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(n registry.Notification) *int64 { return n.ToID })},
				"toAuthority":  field(str, "For ART33_1: the supervisory authority notified.", func(n registry.Notification) any { return optStr(n.ToAuthority) }),
				"sentAt":       field(nn(inst), "When it was sent.", func(n registry.Notification) any { return n.SentAt }),
				"reference":    field(str, "Its reference (the authority's case number, say).", func(n registry.Notification) any { return optStr(n.Reference) }),
				"delayReasons": field(str, "The reasons for a delay (Art. 33(1): a notification after 72 hours gives them).", func(n registry.Notification) any { return optStr(n.DelayReasons) }),
				"history":      t.history("incident_notifications", func(s any) int64 { return s.(registry.Notification).ID }),
			}
		})})
	involved := graphql.NewObject(graphql.ObjectConfig{Name: "IncidentParty", Description: "A party involved in an incident: when it became aware, and its Art. 34 assessment.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"party":     {Type: nn(t.org), Description: "The party.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(p registry.IncidentParty) *int64 { return &p.PartyID })},
				"awareAt":   field(inst, "When it became aware of the incident; null if not recorded. Art. 33(1)'s 72 hours run from it.", func(p registry.IncidentParty) any { return optTime(p.AwareAt) }),
				"art34":     field(nn(art34Enum), "Its assessment of telling the data subjects.", func(p registry.IncidentParty) any { return p.Art34 }),
				"art34Note": field(str, "Why.", func(p registry.IncidentParty) any { return optStr(p.Art34Note) }),
				"note":      field(str, "Anything else, such as the source of the times.", func(p registry.IncidentParty) any { return optStr(p.Note) }),
				"history":   t.history("incident_parties", func(s any) int64 { return s.(registry.IncidentParty).ID }),
			}
		})})
	count := graphql.NewObject(graphql.ObjectConfig{Name: "LogCount", Description: "Downloads in one group of an access log.",
		Fields: graphql.Fields{
			"key":         field(nn(str), "The day of access (YYYY-MM-DD, registry time zone), the year of the call, or the region's county code; empty for rows that cannot tell.", func(c registry.LogCount) any { return c.Key }),
			"downloads":   field(nn(graphql.Int), "Rows (downloads or accesses).", func(c registry.LogCount) any { return c.Downloads }),
			"sources":     field(nn(graphql.Int), "Distinct source addresses.", func(c registry.LogCount) any { return c.Sources }),
			"uniqueCalls": field(nn(graphql.Int), "Distinct calls (files).", func(c registry.LogCount) any { return c.UniqueCalls }),
		}})
	summary := graphql.NewObject(graphql.ObjectConfig{Name: "LogSummary", Description: "What an incident's imported access logs show.",
		Fields: graphql.Fields{
			"logs":          field(nn(graphql.Int), "Logs imported.", func(s registry.LogSummary) any { return s.Logs }),
			"downloads":     field(nn(graphql.Int), "Rows: downloads or accesses.", func(s registry.LogSummary) any { return s.Downloads }),
			"uniqueCalls":   field(nn(graphql.Int), "Distinct calls (files) among them.", func(s registry.LogSummary) any { return s.UniqueCalls }),
			"duplicates":    field(nn(graphql.Int), "Downloads of a call already downloaded: downloads - uniqueCalls.", func(s registry.LogSummary) any { return s.Duplicates }),
			"uniqueSources": field(nn(graphql.Int), "Distinct source addresses.", func(s registry.LogSummary) any { return s.UniqueSources }),
			"first":         field(inst, "The first access; null without logs.", func(s registry.LogSummary) any { return optTime(s.First) }),
			"last":          field(inst, "The last access; null without logs.", func(s registry.LogSummary) any { return optTime(s.Last) }),
			"byDay":         field(list(count), "Per day of access, in the registry's time zone.", func(s registry.LogSummary) any { return s.ByDay }),
			"byCallYear":    field(list(count), "Per year of the call downloaded.", func(s registry.LogSummary) any { return s.ByCallYear }),
			"byRegion":      field(list(count), "Per region (county code), where the log tells.", func(s registry.LogSummary) any { return s.ByRegion }),
		}})
	duty := graphql.NewObject(graphql.ObjectConfig{Name: "NotificationDuty", Description: "A notification an incident calls for, and where it stands.",
		Fields: graphql.Fields{
			"article":    field(nn(articleEnum), "ART33_1 (controller to the authority) or ART33_2 (processor to the party that engaged it).", func(d registry.Duty) any { return d.Article }),
			"from":       {Type: nn(t.org), Description: "Who owes it.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(d registry.Duty) *int64 { return &d.FromID })},
			"to":         {Type: t.org, Description: "For ART33_2: to whom; null for the authority.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(d registry.Duty) *int64 { return d.ToID })},
			"controller": {Type: nn(t.org), Description: "The controller concerned.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(d registry.Duty) *int64 { return &d.ControllerID })},
			"awareAt":    field(inst, "When the party that owes it became aware; null if not recorded.", func(d registry.Duty) any { return optTime(d.AwareAt) }),
			"deadline":   field(inst, "ART33_1: 72 hours from awareness; null without awareness, or for ART33_2 (without undue delay).", func(d registry.Duty) any { return optTime(d.Deadline) }),
			"firstSent":  field(inst, "The first notification recorded for it; null if none.", func(d registry.Duty) any { return optTime(d.FirstSent) }),
			"status":     field(nn(dutyStatusEnum), "Where it stands at the impact's instant.", func(d registry.Duty) any { return d.Status }),
		}})
	controller := graphql.NewObject(graphql.ObjectConfig{Name: "ImpactController", Description: "A controller whose data an incident's systems held during its exposure window.",
		Fields: graphql.Fields{
			"controller": field(nn(party), "The controller.", func(c registry.ImpactController) any { return c.Party }),
			"via":        field(list(via), "The parties between it and the systems, with their roles: the processors it reaches them through.", func(c registry.ImpactController) any { return c.Via }),
			"systems": {Type: list(t.system), Description: "The incident's systems that held its data.",
				Resolve: resolvers.SystemsByIDs(r, func(c registry.ImpactController) []int64 { return c.Systems })},
			"callsFrom":     field(inst, "The first call held: the start of the calls recorded on its paths; null if unbounded.", func(c registry.ImpactController) any { return optTime(c.CallsFrom) }),
			"callsUntil":    field(inst, "The end of the last call held; null if unbounded.", func(c registry.ImpactController) any { return optTime(c.CallsUntil) }),
			"viaMove":       field(nn(graphql.Boolean), "Some of its data reached a system by a recorded move of stored data.", func(c registry.ImpactController) any { return c.ViaMove }),
			"awareAt":       field(inst, "When it became aware; null if not recorded.", func(c registry.ImpactController) any { return optTime(c.Duty.AwareAt) }),
			"deadline":      field(inst, "Its Art. 33(1) deadline: 72 hours from its awareness; null without it.", func(c registry.ImpactController) any { return optTime(c.Duty.Deadline) }),
			"status":        field(nn(dutyStatusEnum), "Where its Art. 33(1) notification stands.", func(c registry.ImpactController) any { return c.Duty.Status }),
			"art34":         field(nn(art34Enum), "Its Art. 34 assessment.", func(c registry.ImpactController) any { return art34Of(c) }),
			"notifications": field(list(notification), "The notifications it made (to the authority, to the data subjects).", func(c registry.ImpactController) any { return c.Notifications }),
			"draftUrl": field(nn(str), "Its printable, bilingual notification draft (Art. 33(3)), for roles that may read incidents.", func(c registry.ImpactController) any {
				return fmt.Sprintf("/incidents/%d/notifications/%d.html", c.IncidentID, c.Party.ID)
			}),
		}})
	impact := graphql.NewObject(graphql.ObjectConfig{Name: "IncidentImpact", Description: "What an incident means, worked out from the registry as it stands: every controller whose data its systems held during the exposure window (following system uses, data moves and retention, at any depth), the processors between, and each notification duty.",
		Fields: graphql.Fields{
			"at":          field(nn(inst), "The instant the duties are judged at.", func(i registry.Impact) any { return i.At }),
			"controllers": field(list(controller), "The controllers to notify, by legal name.", func(i registry.Impact) any { return i.Controllers }),
			"duties":      field(list(duty), "Every notification duty, Art. 33(2) ones along the chain included.", func(i registry.Impact) any { return i.Duties }),
			"evidence":    field(nn(summary), "What the imported access logs show.", func(i registry.Impact) any { return i.Evidence }),
			"dot": {Type: nn(graphql.String), Resolve: r.PictureOf("dot"), Description: "This as a Graphviz DOT picture: every path from a controller " +
				"down to the exposed systems, each controller with its Art. 33(1) deadline and status, parties with unmet duties outlined in red."},
			"svg": {Type: nn(graphql.String), Resolve: r.PictureOf("svg"), Description: "This as an SVG picture, drawn as dot describes; " +
				"RENDER_UNAVAILABLE where no render worker is configured."},
		}})
	window := graphql.NewObject(graphql.ObjectConfig{Name: "ExposureWindow",
		Description: "An incident's exposure window for one of its systems, fixed when the incident was recorded or last changed.",
		Fields: graphql.Fields{
			"system": {Type: nn(t.system), Description: "The system.", Resolve: resolvers.ByID(r, resolvers.Systems, func(w registry.ExposureWindow) *int64 { return &w.SystemID })},
			"from": field(inst, "From when (inclusive): the incident's exposureFrom, or where that is unknown and the incident is a breach of "+
				"confidentiality, the start of the unbroken run of the system's profiles saying it was reachable from the internet up to the "+
				"discovery; null when neither is known, and the window is then open towards the past.", func(w registry.ExposureWindow) any { return optTime(w.From) }),
			"until":        field(inst, "Until when (exclusive): the containment; null while open.", func(w registry.ExposureWindow) any { return optTime(w.Until) }),
			"fromProfiles": field(nn(graphql.Boolean), "Whether from was read from the system's profiles, the incident's own start being unknown.", func(w registry.ExposureWindow) any { return w.FromProfiles }),
		}})
	t.incident = graphql.NewObject(graphql.ObjectConfig{Name: "Incident", Description: "A personal data breach (GDPR Art. 4(12)): what happened to which systems, when, and what was done.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"id":             field(nn(graphql.ID), "The incident's id.", func(i registry.Incident) any { return id2(i.ID) }),
				"title":          field(nn(str), "A short name.", func(i registry.Incident) any { return i.Title }),
				"kind":           field(nn(incidentKindEnum), "What it did to the data.", func(i registry.Incident) any { return i.Kind }),
				"status":         field(nn(incidentStatusEnum), "Where it stands.", func(i registry.Incident) any { return i.Status }),
				"description":    field(str, "What happened (Art. 33(3)(a)).", func(i registry.Incident) any { return optStr(i.Description) }),
				"exposureFrom":   field(inst, "From when the condition existed (inclusive); null when unknown, and the window is then open towards the past.", func(i registry.Incident) any { return optTime(i.ExposureFrom) }),
				"containedAt":    field(inst, "When it was contained (exclusive end of the window); null while open.", func(i registry.Incident) any { return optTime(i.ContainedAt) }),
				"discoveredAt":   field(nn(inst), "When it was first discovered, by anyone.", func(i registry.Incident) any { return i.DiscoveredAt }),
				"dataCategories": field(list(str), "Categories of data concerned.", func(i registry.Incident) any { return i.DataCategories }),
				"subjectsApprox": field(graphql.Int, "Approximate number of data subjects; null is unknown.", func(i registry.Incident) any { return optInt64(i.SubjectsApprox) }),
				"recordsApprox":  field(graphql.Int, "Approximate number of records; null is unknown.", func(i registry.Incident) any { return optInt64(i.RecordsApprox) }),
				"containment":    field(str, "How it was contained.", func(i registry.Incident) any { return optStr(i.Containment) }),
				"measures":       field(str, "Measures taken or proposed (Art. 33(3)(d)).", func(i registry.Incident) any { return optStr(i.Measures) }),
				"systems": {Type: list(t.system), Description: "The systems involved.",
					Resolve: resolvers.SystemsByIDs(r, func(i registry.Incident) []int64 { return i.SystemIDs })},
				"windows": {Type: list(window), Description: "Its window for each of its systems: the impact and the traces use these.",
					Resolve: resolvers.IncidentRelated(r, resolvers.WindowsOf, []registry.ExposureWindow{})},
				"parties":       {Type: list(involved), Description: "The parties recorded as involved, with their awareness.", Resolve: resolvers.IncidentRelated(r, resolvers.IncidentPartiesOf, []registry.IncidentParty{})},
				"notifications": {Type: list(notification), Description: "Every notification recorded, in the order sent.", Resolve: resolvers.IncidentRelated(r, resolvers.NotificationsOf, []registry.Notification{})},
				"evidence":      {Type: nn(summary), Description: "What the imported access logs show.", Resolve: resolvers.IncidentRelated(r, resolvers.EvidenceOf, registry.LogSummary{ByDay: []registry.LogCount{}, ByCallYear: []registry.LogCount{}, ByRegion: []registry.LogCount{}})},
				"impact": {Type: nn(impact), Args: t.instantArg("Default: now. The instant the notification duties are judged at."), Resolve: r.IncidentImpact(),
					Description: "Who must be notified, through whom, by when, and what is recorded: worked out from the registry (one walk per incident)."},
				"history": t.history("incidents", func(s any) int64 { return s.(registry.Incident).ID }),
			}
		})})
	accessLog := graphql.NewObject(graphql.ObjectConfig{Name: "AccessLog", Description: "An access or download log imported as evidence.",
		Fields: graphql.Fields{
			"id":         field(nn(graphql.ID), "The log's id.", func(l registry.AccessLog) any { return id2(l.ID) }),
			"name":       field(nn(str), "Its name, such as its file name.", func(l registry.AccessLog) any { return l.Name }),
			"importedAt": field(nn(inst), "When it was imported.", func(l registry.AccessLog) any { return l.ImportedAt }),
			"rows":       field(nn(graphql.Int), "Rows imported.", func(l registry.AccessLog) any { return l.Rows }),
			"incident": {Type: nn(t.incident), Description: "The incident it is evidence of.", Resolve: func(p graphql.ResolveParams) (any, error) {
				return resolvers.IncidentOf(r, p, p.Source.(registry.AccessLog).IncidentID)
			}},
		}})

	inputs := newEntityInputs("Incident", "A new incident; title, kind, discoveredAt and systemIds are required.",
		"Changes to an incident: only the fields given change; clear sets optional ones to null. Its systems cannot change.", []inputField{
			{name: "title", typ: str, required: true, desc: "A short name, up to 300 characters."},
			{name: "kind", typ: incidentKindEnum, required: true, desc: "What it did to the data."},
			{name: "status", typ: incidentStatusEnum, desc: "Default OPEN; CONTAINED and CLOSED need containedAt."},
			{name: "description", typ: str, desc: "What happened (up to 8,000 characters).", clear: "description: none recorded."},
			{name: "exposureFrom", typ: inst, desc: "From when the condition existed; omit when unknown.", clear: "exposureFrom: the start is unknown."},
			{name: "containedAt", typ: inst, desc: "When it was contained; after exposureFrom.", clear: "containedAt: not contained."},
			{name: "discoveredAt", typ: inst, required: true, desc: "When it was first discovered; not before exposureFrom."},
			{name: "dataCategories", typ: graphql.NewList(nn(str)), desc: "Categories of data concerned.", clear: "dataCategories: the list becomes empty."},
			{name: "subjectsApprox", typ: graphql.Int, desc: "Approximate number of data subjects; omit when unknown.", clear: "subjectsApprox: unknown."},
			{name: "recordsApprox", typ: graphql.Int, desc: "Approximate number of records; omit when unknown.", clear: "recordsApprox: unknown."},
			{name: "containment", typ: str, desc: "How it was contained (up to 8,000 characters).", clear: "containment: none recorded."},
			{name: "measures", typ: str, desc: "Measures taken or proposed (up to 8,000 characters).", clear: "measures: none recorded."},
			{name: "systemIds", typ: graphql.NewList(nn(id)), required: true, fixed: true, desc: "The systems involved; another incident of the same kind may not claim one for an overlapping window (CONFLICT)."},
		})
	partyInput := inputObject("IncidentPartyInput", "A party's involvement in an incident; replaces what was recorded of it.", graphql.InputObjectConfigFieldMap{
		"incidentId": in(nn(id), "The incident."),
		"partyId":    in(nn(id), "The organisation."),
		"awareAt":    in(inst, "When it became aware; not before the discovery. Omit if not known."),
		"art34":      in(nn(art34Enum), "Its Art. 34 assessment (UNDECIDED if none)."),
		"art34Note":  in(str, "Why (up to 4,000 characters)."),
		"note":       in(str, "Anything else, such as the source of the times (up to 4,000 characters)."),
	})
	notificationInput := inputObject("NotificationInput", "A notification made about an incident.", graphql.InputObjectConfigFieldMap{
		"incidentId":   in(nn(id), "The incident."),
		"article":      in(nn(articleEnum), "The duty it meets."),
		"fromId":       in(nn(id), "Who notified."),
		"toId":         in(id, "For ART33_2: the party notified."),
		"toAuthority":  in(str, "For ART33_1: the supervisory authority notified."),
		"sentAt":       in(nn(inst), "When it was sent; not before the discovery."),
		"reference":    in(str, "Its reference (up to 300 characters)."),
		"delayReasons": in(str, "Reasons for a delay (up to 4,000 characters)."),
	})
	add(query, graphql.Fields{
		"incident": {Type: t.incident, Args: byID("incident"), Resolve: r.Incident(),
			Description: "An incident by its id; a NOT_FOUND error if there is none."},
		"incidents": {Type: nn(t.connection(t.incident)), Args: graphql.FieldConfigArgument{
			"first": {Type: graphql.Int, Description: "Page size, 1-500 (default 50)."},
			"after": {Type: graphql.String, Description: "endCursor of the previous page."},
		}, Resolve: r.Incidents(), Description: "Incidents in id order, a page at a time."},
	})
	add(mutation, graphql.Fields{
		"createIncident": {Type: nn(t.incident), Args: createArgs(inputs.create, "incident"), Description: "Records an incident and the systems it concerns.",
			Resolve: resolvers.Create(r, resolvers.IncidentSvc, resolvers.DecodeIncident, registry.IncidentService.CreateIncident)},
		"updateIncident": {Type: nn(t.incident), Args: updateArgs(inputs, "incident"), Description: "Changes an incident: the fields given replace the recorded ones, those in clear become null.",
			Resolve: resolvers.Update(r, resolvers.IncidentSvc, resolvers.DecodeIncident, registry.IncidentService.UpdateIncident, inputs.clearable)},
		"setIncidentParty": {Type: nn(involved), Args: createArgs(partyInput, "involvement"), Description: "Records a party's involvement in an incident: its awareness and Art. 34 assessment.",
			Resolve: resolvers.Create(r, resolvers.IncidentSvc, resolvers.DecodeIncidentParty, registry.IncidentService.SetIncidentParty)},
		"recordNotification": {Type: nn(notification), Args: createArgs(notificationInput, "notification"), Description: "Records a notification made about an incident.",
			Resolve: resolvers.Create(r, resolvers.IncidentSvc, resolvers.DecodeNotification, registry.IncidentService.RecordNotification)},
		"importAccessLog": {Type: nn(accessLog), Args: graphql.FieldConfigArgument{
			"incidentId": {Type: nn(id), Description: "The incident it is evidence of."},
			"name":       {Type: nn(str), Description: "The log's name, such as its file name."},
			"csv": {Type: nn(str), Description: "The log as CSV text, at most 2 MiB: a header time,source,call,call_date[,region], then one row per access; " +
				"instants without an offset are read in the registry's time zone, lines starting with # are comments. Every malformed row is reported by line and nothing is imported then."},
		}, Resolve: r.ImportAccessLog(), Description: "Imports an access or download log as evidence of an incident, whole or not at all."},
	})
}

func id2(n int64) any { return id(n) }

func optInt64(n *int64) any {
	if n == nil {
		return nil
	}
	return int(*n)
}

func art34Of(c registry.ImpactController) string {
	if c.Involvement == nil {
		return "undecided"
	}
	return c.Involvement.Art34
}
