package schema

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

var (
	certaintyEnum = enum("Certainty", "How sure a trace is that a holder held the call.", []string{registry.Certain, registry.Possible}, map[string]string{
		registry.Certain:  "No link on the way to it takes only a share of calls, so the call reached it (a link routed only by a note in words is assumed to have taken it).",
		registry.Possible: "Some link on the way takes only a share of calls (SHARE), so the call possibly reached it.",
	})
	holdEndEnum = enum("HoldEnd", "What ended a system's hold on a call: CALL_END (it does not store calls), RETENTION, "+
		"MOVED (the data moved on), ENDED (the system was taken out of service) or UNKNOWN.",
		[]string{"call_end", "retention", "moved", "ended", "unknown"}, map[string]string{
			"call_end":  "It does not store calls (telephony or other), so it held the call only while the call lasted.",
			"retention": "Its retention period, counted in days from the call, ran out.",
			"moved":     "The stored data was moved out of it into another system.",
			"ended":     "The system was taken out of service.",
			"unknown":   "Nothing recorded ends the hold: no retention period, no later move, still in service.",
		})
	exposureFactEnum = enum("KnownExposureFact", "What the registry knew against a system while it held a call, judged by the rules "+
		"the checks use.", registry.ExposureFacts, map[string]string{
		registry.ExposureInternetNoAuth: "A way in from the internet with no authentication reached it (an access path, " +
			"or its profile saying it was internet-exposed; directly or through gateways and environments): kedja_internet_access, as the " +
			"internet_access and exposure checks judge it.",
		registry.ExposureInternetPassword:    "A way in from the internet with a password alone reached it.",
		registry.ExposureInternetAuthUnknown: "A way in from the internet reached it whose authentication nobody had established: unknown, not safe.",
		registry.ExposureKnownExploited:      "A component ran with a vulnerability listed as known exploited and not patched (kedja_software_gap).",
		registry.ExposureEndOfSupport:        "A component ran past its end of support (kedja_software_gap).",
		registry.ExposureNotEstablished: "Security facts about it were not established: no profile, an unknown fact in it, or an access " +
			"path of unknown authentication (the not_established check). Unknown, never read as safe.",
	})
)

// traceFields adds the trace and traces queries to the query root, and
// traceCall, which stores the trace it makes, to the mutation root.
func (t *types) traceFields(r *resolvers.Resolvers, fields, mutations graphql.Fields) {
	inst := t.instant

	traceParty := graphql.NewObject(graphql.ObjectConfig{Name: "TraceParty", Description: "A party as the trace recorded it.",
		Fields: graphql.Fields{
			"id":            field(nn(graphql.ID), "The organisation's id in the registry.", func(p registry.PartyFacts) any { return id(p.ID) }),
			"legalName":     field(nn(graphql.String), "Its legal name when the trace was made.", func(p registry.PartyFacts) any { return p.LegalName }),
			"countryCode":   field(nn(graphql.String), "ISO 3166-1 alpha-2 code of its country of establishment.", func(p registry.PartyFacts) any { return p.Country }),
			"countryName":   field(nn(graphql.String), "That country's name.", func(p registry.PartyFacts) any { return p.CountryName }),
			"transferClass": field(nn(transferClass), "At the time of the call.", func(p registry.PartyFacts) any { return p.TransferClass }),
			"organisation":  {Type: t.org, Description: "The organisation as the registry holds it now; only for roles that may read the registry (admin, auditor), not dsr.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(p registry.PartyFacts) *int64 { return &p.ID })},
		}})
	traceCountry := graphql.NewObject(graphql.ObjectConfig{Name: "TraceCountry",
		Description: "A country where a system stored the call, as the trace recorded it.",
		Fields: graphql.Fields{
			"code":          field(nn(graphql.String), "ISO 3166-1 alpha-2 code.", func(c registry.CountryFacts) any { return c.Code }),
			"name":          field(nn(graphql.String), "The country's name.", func(c registry.CountryFacts) any { return c.Name }),
			"transferClass": field(nn(transferClass), "Its standing for transfers at the time of the call.", func(c registry.CountryFacts) any { return c.TransferClass }),
		}})
	holder := graphql.NewObject(graphql.ObjectConfig{Name: "TraceHolder", Description: "A party that received the call.",
		Fields: graphql.Fields{
			"party":             field(nn(traceParty), "The party that received the call.", func(h registry.Holder) any { return h.Party }),
			"fromParty":         field(nn(traceParty), "The party that handed the call on to it.", func(h registry.Holder) any { return h.FromParty }),
			"link":              {Type: t.link, Description: "The link the call came over. Read from the registry as it is now, so only for roles that may read the registry (admin, auditor), not dsr.", Resolve: resolvers.ByID(r, resolvers.Links, func(h registry.Holder) *int64 { return &h.LinkID })},
			"role":              field(nn(roleEnum), "The receiving party's role on that link, as claimed.", func(h registry.Holder) any { return h.Role }),
			"depth":             field(nn(graphql.Int), "How many links from the region: 1 for the region's own links.", func(h registry.Holder) any { return h.Depth }),
			"certainty":         field(nn(certaintyEnum), "Whether the call certainly or only possibly reached it.", func(h registry.Holder) any { return h.Certainty }),
			"route":             field(nn(routeEnum), "What the link's routing said of the call: ALL, IN_WINDOW, SHARE or UNSTRUCTURED.", func(h registry.Holder) any { return h.Route }),
			"agreementRef":      field(graphql.String, "Reference to the agreement on the link; null if none was recorded.", func(h registry.Holder) any { return optStr(h.AgreementRef) }),
			"transferMechanism": field(nn(transferEnum), "The link's transfer mechanism (GDPR Art. 44-49).", func(h registry.Holder) any { return h.TransferMechanism }),
			"transfer": field(graphql.String, "The transfer verdict for this party at the call: not_needed (the EEA, adequacy, or a partial "+
				"adequacy decision whose condition it meets), no_mechanism, adequacy_not_applicable, no_tia, safeguarded or derogation; "+
				"null in traces stored before verdicts were recorded.",
				func(h registry.Holder) any { return nonEmpty(h.Transfer) }),
			"foundRole": field(foundRoleEnum, "The role an authority or court found the party to have on this link, by the latest such decision "+
				"recorded when the trace was made (see foundBy, foundOn); null when none had been recorded, and in traces stored before "+
				"decisions were recorded (document versions 1 to 3).", func(h registry.Holder) any { return nonEmpty(h.FoundRole) }),
			"foundBy":   field(graphql.String, "The authority or court that decided foundRole; null with it.", func(h registry.Holder) any { return nonEmpty(h.FoundBy) }),
			"foundOn":   field(dateScalar, "When foundRole was decided; null with it.", func(h registry.Holder) any { return optTime(h.FoundOn) }),
			"heldFrom":  field(nn(inst), "When it received the call: the call's instant.", func(h registry.Holder) any { return onOwnClock(h.HeldFrom) }),
			"heldUntil": field(inst, "When the last system it used let go of the call; null if unknown.", func(h registry.Holder) any { return optOwnClock(h.HeldUntil) }),
		}})
	recipient := graphql.NewObject(graphql.ObjectConfig{Name: "TraceRecipient",
		Description: "A party that received the call, once however many links it was reached over: the recipient's identity is what " +
			"GDPR Art. 15(1)(c) asks for (CJEU C-154/21).",
		Fields: graphql.Fields{
			"party":     field(nn(traceParty), "The party.", func(r registry.Recipient) any { return r.Party }),
			"certainty": field(nn(certaintyEnum), "CERTAIN when any link reached it certainly, else POSSIBLE.", func(r registry.Recipient) any { return r.Certainty }),
			"heldFrom":  field(nn(inst), "When it received the call: the call's instant.", func(r registry.Recipient) any { return onOwnClock(r.HeldFrom) }),
			"heldUntil": field(inst, "When the last system it used let go of the call; null if unknown.", func(r registry.Recipient) any { return optOwnClock(r.HeldUntil) }),
			"via":       field(list(holder), "Every link it received the call over, nearest the region first, with its role on each.", func(r registry.Recipient) any { return r.Holders }),
		}})
	heldSystem := graphql.NewObject(graphql.ObjectConfig{Name: "TraceSystem", Description: "A system that held the call.",
		Fields: graphql.Fields{
			"system":    {Type: t.system, Description: "The system. Read from the registry as it is now, so only for roles that may read the registry (admin, auditor), not dsr.", Resolve: resolvers.ByID(r, resolvers.Systems, func(s registry.HeldSystem) *int64 { return &s.SystemID })},
			"name":      field(nn(graphql.String), "Its name when the trace was made.", func(s registry.HeldSystem) any { return s.Name }),
			"kind":      field(nn(systemKindEnum), "Its kind; the storing kinds keep the call after it ends.", func(s registry.HeldSystem) any { return s.Kind }),
			"party":     field(nn(traceParty), "Who used or operated it.", func(s registry.HeldSystem) any { return s.Party }),
			"certainty": field(nn(certaintyEnum), "Whether it certainly or only possibly held the call.", func(s registry.HeldSystem) any { return s.Certainty }),
			"heldFrom":  field(nn(inst), "When it began to hold the call: the call's instant, or the move's for a system the recording was moved into.", func(s registry.HeldSystem) any { return onOwnClock(s.HeldFrom) }),
			"heldUntil": field(inst, "Null if unknown.", func(s registry.HeldSystem) any { return optOwnClock(s.HeldUntil) }),
			"until":     field(nn(holdEndEnum), "What ended the hold.", func(s registry.HeldSystem) any { return s.Until }),
			"movedIn":   field(nn(graphql.Boolean), "It received the call by a move of stored data.", func(s registry.HeldSystem) any { return s.MoveID != 0 }),
			"storage":   field(list(traceCountry), "Where it stored the call.", func(s registry.HeldSystem) any { return s.Storage }),
		}})
	reason := graphql.NewObject(graphql.ObjectConfig{Name: "TraceReason", Description: "A reason the trace may be incomplete.",
		Fields: graphql.Fields{
			"code":    field(nn(graphql.String), "NO_RECIPIENTS (no link from the region took the call: nothing was found, which is not a complete answer), NO_RETENTION, NO_STORAGE_LOCATION, NO_SYSTEMS, ROUTING_SHARE, ROUTING_UNSTRUCTURED, CYCLE, TRUNCATED or DEPTH_LIMIT.", func(r registry.TraceReason) any { return r.Code }),
			"subject": field(nn(graphql.String), "The party or system it concerns; empty when it concerns the whole trace (TRUNCATED).", func(r registry.TraceReason) any { return r.Subject }),
			"en":      field(nn(graphql.String), "In English.", func(r registry.TraceReason) any { return r.En }),
			"sv":      field(nn(graphql.String), "På svenska.", func(r registry.TraceReason) any { return r.Sv }),
		}})
	excluded := graphql.NewObject(graphql.ObjectConfig{Name: "TraceExcluded", Description: "A link the call did not take.",
		Fields: graphql.Fields{
			"link":      {Type: t.link, Description: "The link. Read from the registry as it is now, so only for roles that may read the registry (admin, auditor), not dsr.", Resolve: resolvers.ByID(r, resolvers.Links, func(e registry.Excluded) *int64 { return &e.LinkID })},
			"fromParty": field(nn(traceParty), "The party the link leads from.", func(e registry.Excluded) any { return e.FromParty }),
			"toParty":   field(nn(traceParty), "The party the link leads to, which did not receive the call.", func(e registry.Excluded) any { return e.ToParty }),
			"reason":    field(nn(graphql.String), "Why the call did not take it, in English: the link's routing windows do not include the call's time (shown in the region's time zone).", func(e registry.Excluded) any { return e.Reason }),
		}})
	exposure := graphql.NewObject(graphql.ObjectConfig{Name: "TraceExposure",
		Description: "An incident whose exposure window a system held the call in, as the trace recorded it.",
		Fields: graphql.Fields{
			"incidentId": field(nn(graphql.ID), "The incident's id.", func(e registry.TraceExposure) any { return id(e.IncidentID) }),
			"title":      field(nn(graphql.String), "The incident's title when the trace was made.", func(e registry.TraceExposure) any { return e.Title }),
			"kind":       field(nn(incidentKindEnum), "What it did to the data.", func(e registry.TraceExposure) any { return e.Kind }),
			"systemName": field(nn(graphql.String), "The system that held the call, exposed.", func(e registry.TraceExposure) any { return e.SystemName }),
			"from":       field(nn(inst), "From when the call lay exposed on it: the later of its hold's start and the window's.", func(e registry.TraceExposure) any { return onOwnClock(e.From) }),
			"until":      field(inst, "Until when: the earlier of its hold's end and the containment; null if neither is known.", func(e registry.TraceExposure) any { return optOwnClock(e.Until) }),
			"logged": field(nn(graphql.String), "Whether the incident's access logs show the call: logged (a row names a call at that minute), not_logged, "+
				"unknown (rows give only that day, or no call date), no_log (no log imported).", func(e registry.TraceExposure) any { return e.Logged }),
		}})
	knownExposure := graphql.NewObject(graphql.ObjectConfig{Name: "TraceKnownExposure",
		Description: "A fact the registry recorded against a system while it held the call, for the part of the hold it held in: " +
			"what a regulator asks of the systems a call lay on. A system with nothing known against it has none; an unknown fact " +
			"is stated as not established, never left out as if safe.",
		Fields: graphql.Fields{
			"systemId":   field(nn(graphql.ID), "The system's id in the registry.", func(e registry.KnownExposure) any { return id(e.SystemID) }),
			"systemName": field(nn(graphql.String), "The system's name when the trace was made.", func(e registry.KnownExposure) any { return e.SystemName }),
			"fact":       field(nn(exposureFactEnum), "What was known against it.", func(e registry.KnownExposure) any { return e.Fact }),
			"severity": field(severityEnum, "How serious the checks' rule judges the fact (kedja_internet_access_severity, "+
				"kedja_software_severity); null for a fact not established, which is unknown, not rated.", func(e registry.KnownExposure) any { return nonEmpty(e.Severity) }),
			"audience": field(audienceEnum, "Who came in on the access path from the internet; null when the system's profile said it "+
				"was internet-exposed, and for other facts.", func(e registry.KnownExposure) any { return nonEmpty(e.Audience) }),
			"through": field(graphql.String, "The systems the way in passed before reaching it (gateway, environments), in order, "+
				"joined by ' -> '; null for direct access and other facts.", func(e registry.KnownExposure) any { return nonEmpty(e.Through) }),
			"component": field(graphql.String, "The product and version of a software fact; null for other facts.", func(e registry.KnownExposure) any { return nonEmpty(e.Component) }),
			"cve":       field(graphql.String, "The known-exploited vulnerability (CVE id); null for other facts.", func(e registry.KnownExposure) any { return nonEmpty(e.CVE) }),
			"unknown": field(list(graphql.String), "For NOT_ESTABLISHED, the security facts nobody had established (internet exposure, "+
				"authentication, transport encryption, encryption at rest, access path authentication); empty otherwise.",
				func(e registry.KnownExposure) any {
					if e.Unknown == nil {
						return []string{}
					}
					return e.Unknown
				}),
			"noProfile": field(nn(graphql.Boolean), "For NOT_ESTABLISHED, true when no security profile was recorded at all.", func(e registry.KnownExposure) any { return e.NoProfile }),
			"from":      field(nn(inst), "From when the fact held during the hold: the later of the hold's start and the fact's.", func(e registry.KnownExposure) any { return onOwnClock(e.From) }),
			"until":     field(inst, "Until when: the earlier of the hold's end and the fact's; null if neither is known.", func(e registry.KnownExposure) any { return optOwnClock(e.Until) }),
		}})
	trace := graphql.NewObject(graphql.ObjectConfig{Name: "CallTrace",
		Description: "Who held one call, as computed and stored for a case.",
		Fields: graphql.Fields{
			"id":        field(nn(graphql.ID), "The trace's id: 32 random hexadecimal characters, also in its report's address.", func(t registry.Trace) any { return t.ID }),
			"caseRef":   field(nn(graphql.String), "The access request's case reference it was made for.", func(t registry.Trace) any { return t.CaseRef }),
			"region":    field(nn(traceParty), "The region the call was made to.", func(t registry.Trace) any { return t.Region }),
			"callAt":    field(nn(inst), "When the call was made, on the region's clocks (timeZone).", func(t registry.Trace) any { return onOwnClock(t.CallAt) }),
			"createdAt": field(nn(inst), "When the trace was made.", func(t registry.Trace) any { return onOwnClock(t.CreatedAt) }),
			"createdBy": field(nn(graphql.String), "The name of the token that made it.", func(t registry.Trace) any { return t.CreatedBy }),
			"complete":  field(nn(graphql.Boolean), "True only when no reason below applies.", func(t registry.Trace) any { return t.Complete }),
			"reasons":   field(list(reason), "Why the answer may be incomplete, in Swedish and English; empty when complete.", func(t registry.Trace) any { return t.Reasons }),
			"timeZone": field(nn(graphql.String), "The IANA time zone the trace's instants are given in: that of the region the "+
				"call was made to, as the trace recorded it, or the registry's when the region had none (or one this kedja does not "+
				"know). A local time given to traceCall was read in it, and the day of the call (which adequacy decision, EEA "+
				"membership or attestation was in force) is the day on its calendar.",
				func(t registry.Trace) any { return r.TraceZone(t) }),
			"holders": field(list(holder), "Every link over which a party received the call, nearest the region first: a party reached over "+
				"two links is listed twice (recipients lists each party once).", func(t registry.Trace) any { return t.Holders }),
			"recipients": field(list(recipient), "Every party that received the call, once each, in the order they were first reached.",
				func(t registry.Trace) any { return t.Recipients() }),
			"documentVersion": field(nn(graphql.Int), "The version of the stored document: 1 to 3 before the roles authorities found were "+
				"recorded, 4 since, 5 since systems' known exposure was, 6 since the region's law and access provision were; a trace "+
				"reads back exactly as its version stored it.", func(t registry.Trace) any { return t.Version }),
			"law": field(lawEnum, "The law the answer was given under: the region's own at the call (an explicit jurisdiction, else its "+
				"country's), EU law where it had none. Null in traces stored before it was recorded (document versions 1 to 5).",
				func(t registry.Trace) any { return nonEmpty(t.Law) }),
			"accessCitation": field(graphql.String, "The provision of that law that gave the caller the right of access on the day of "+
				"the call, which the report cites: GDPR Art. 15(1)(c), (d); before 25 May 2018 the state's act implementing Directive "+
				"95/46/EC (PUL 26 § in Sweden); the UK GDPR; the FADP (Art. 25 from 1 September 2023, the FADP of 1992 Art. 8 before). "+
				"Null in traces stored before it was recorded (document versions 1 to 5), whose report names no provision.",
				func(t registry.Trace) any { return nonEmpty(t.AccessCitation) }),
			"systems":  field(list(heldSystem), "Every system that held the call, in the order they began to hold it.", func(t registry.Trace) any { return t.Systems }),
			"excluded": field(list(excluded), "Links from the parties reached that the call did not take, and why.", func(t registry.Trace) any { return t.Excluded }),
			"exposures": field(list(exposure), "Incidents whose exposure window a system held the call in; empty in traces stored before they were recorded (document versions 1 to 3).", func(t registry.Trace) any {
				if t.Exposures == nil {
					return []registry.TraceExposure{}
				}
				return t.Exposures
			}),
			"knownExposure": field(list(knownExposure), "What the registry knew against each system while it held the call: internet "+
				"access without MFA, known-exploited or unsupported software, security facts not established, each for the part of the "+
				"hold it held in; empty in traces stored before it was recorded (document versions 1 to 4).", func(t registry.Trace) any {
				if t.KnownExposure == nil {
					return []registry.KnownExposure{}
				}
				return t.KnownExposure
			}),
			"reportUrl": {Type: nn(graphql.String), Resolve: r.ReportURL(),
				Description: "The printable access-request answer, as a link a browser opens without a token for 15 minutes " +
					"(signed for this trace; ask again for a fresh one). /traces/{id}.json and .html also answer a bearer token " +
					"whose role may read the trace."},
			"pictureUrl": field(nn(graphql.String), "The trace as a picture (.png and .dot too).",
				func(t registry.Trace) any { return "/graph/trace/" + t.ID + ".svg" }),
			"dot": {Type: nn(graphql.String), Description: "This as a Graphviz DOT picture.", Resolve: r.PictureOf("dot")},
			"svg": {Type: nn(graphql.String), Description: "This as an SVG picture.", Resolve: r.PictureOf("svg")},
		}})

	// A mutation: it stores the trace it makes, and a GET, a prefetch or a
	// retried query must never create records.
	mutations["traceCall"] = &graphql.Field{Type: nn(trace),
		Description: "Works out who held one call made to a region at an instant (GDPR Art. 15) and stores the answer with the case reference, " +
			"for the case file and the printable report.",
		Args: graphql.FieldConfigArgument{
			"region":  {Type: nn(graphql.ID), Description: "The id of the region (organisation) the call was made to."},
			"at":      {Type: nn(inst), Description: "When the call was made; a local time (2017-03-11T02:00) is read in the region's time zone (its timeZone), the registry's only when the region has none."},
			"caseRef": {Type: nn(graphql.String), Description: "The access request's case reference, 1 to 200 characters; traces(caseRef) finds the trace by it."},
		}, Resolve: r.TraceCall()}
	fields["trace"] = &graphql.Field{Type: trace, Resolve: r.Trace(),
		Description: "A stored trace exactly as it was made, whatever changed in the registry since; a NOT_FOUND error if there is none.",
		Args:        graphql.FieldConfigArgument{"id": {Type: nn(graphql.ID), Description: "The trace's id, as traceCall returned it."}}}
	fields["traces"] = &graphql.Field{Type: nn(t.connection(trace)),
		Description: "The traces made for a case, newest first (those made at the same instant by id), a page at a time.",
		Args: graphql.FieldConfigArgument{
			"caseRef": {Type: nn(graphql.String),
				Description: "The access request's case reference, as stored by traceCall (which trims surrounding spaces)."},
			"first": {Type: graphql.Int, Description: "Page size, 1-500 (default 50)."},
			"after": {Type: graphql.String, Description: "endCursor of the previous page."},
		},
		Resolve: r.Traces()}
}
