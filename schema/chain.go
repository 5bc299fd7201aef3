package schema

import (
	"fmt"
	"time"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

var (
	routeEnum = enum("Route", "What a link's routing says of a call at an instant: ALL (nothing restricts it), IN_WINDOW, "+
		"OUT_OF_WINDOW, SHARE (only a share of calls, no window), UNSTRUCTURED (described in words only).",
		[]string{"all", "in_window", "out_of_window", "share", "unstructured"}, map[string]string{
			"all":           "Nothing restricts the link: no windows, no share below 1 and no routing note; every call takes it.",
			"in_window":     "The instant falls in one of the link's weekly routing windows: the call took the link.",
			"out_of_window": "The link has weekly routing windows and the instant falls in none of them: the call did not take it.",
			"share":         "The link takes only a share of calls (below 1) and no window decides which: the call possibly took it.",
			"unstructured":  "Only a routing note in words says which calls take the link; it is assumed the call did.",
		})
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
)

// chainFields adds the chain, responsibility and trace queries to the query
// root, and traceCall, which stores the trace it makes, to the mutation root.
func (t *types) chainFields(r *resolvers.Resolvers, fields, mutations graphql.Fields) {
	nn := graphql.NewNonNull
	list := func(o graphql.Type) graphql.Output { return nn(graphql.NewList(nn(o))) }
	inst := t.instant

	step := graphql.NewObject(graphql.ObjectConfig{Name: "ChainStep",
		Description: "A link reached from the controller, with the path that leads to it.",
		Fields: graphql.Fields{
			"link":  {Type: nn(t.link), Description: "The link reached.", Resolve: resolvers.ByID(r, resolvers.Links, func(s resolvers.ChainStep) *int64 { return &s.LinkID })},
			"from":  {Type: nn(t.org), Description: "The party handing data on over the link.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(s resolvers.ChainStep) *int64 { return &s.FromID })},
			"to":    {Type: nn(t.org), Description: "The party receiving it.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(s resolvers.ChainStep) *int64 { return &s.ToID })},
			"role":  field(nn(roleEnum), "The receiving party's role on the link.", func(s resolvers.ChainStep) any { return s.Role }),
			"depth": field(nn(graphql.Int), "1 for the controller's own links.", func(s resolvers.ChainStep) any { return s.Depth }),
			"path": {Type: list(t.org), Description: "The parties from the controller to the receiving party.",
				Resolve: resolvers.OrgsByIDs(r, func(s resolvers.ChainStep) []int64 { return s.Path })},
			"cycle": field(nn(graphql.Boolean), "The link leads back to a party already on the path; the walk stops here.",
				func(s resolvers.ChainStep) any { return s.Cycle }),
			"route":         field(nn(routeEnum), "What the link's routing says of a call at the chain's instant.", func(s resolvers.ChainStep) any { return s.Route }),
			"countryCode":   field(nn(graphql.String), "The receiving party's country.", func(s resolvers.ChainStep) any { return s.ToCountry }),
			"transferClass": field(nn(transferClass), "The receiving party's country's standing at the instant.", func(s resolvers.ChainStep) any { return s.TransferClass }),
			"systemUses": {Type: list(t.use), Description: "Systems used on the link at the chain's instant.",
				Resolve: r.UsesOfStep(func(s any) time.Time { return s.(resolvers.ChainStep).At }, func(s any) int64 { return s.(resolvers.ChainStep).LinkID })},
		}})
	party := graphql.NewObject(graphql.ObjectConfig{Name: "ChainParty", Description: "A party of a chain.",
		Fields: graphql.Fields{
			"organisation":  {Type: nn(t.org), Description: "The party.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(p resolvers.ChainParty) *int64 { return &p.ID })},
			"depth":         field(nn(graphql.Int), "The shallowest depth it is reached at.", func(p resolvers.ChainParty) any { return p.Depth }),
			"roles":         field(list(roleEnum), "Its roles on the links that reach it.", func(p resolvers.ChainParty) any { return p.Roles }),
			"countryCode":   field(nn(graphql.String), "ISO 3166-1 alpha-2 code of its country of establishment.", func(p resolvers.ChainParty) any { return p.Country }),
			"transferClass": field(nn(transferClass), "Its country's standing for transfers at the chain's instant.", func(p resolvers.ChainParty) any { return p.TransferClass }),
		}})
	chainSystem := graphql.NewObject(graphql.ObjectConfig{Name: "ChainSystem", Description: "A system used on a link of a chain at its instant.",
		Fields: graphql.Fields{
			"system":           {Type: nn(t.system), Description: "The system.", Resolve: resolvers.ByID(r, resolvers.Systems, func(u registry.UseFacts) *int64 { return &u.SystemID })},
			"party":            {Type: nn(t.org), Description: "Who used it.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(u registry.UseFacts) *int64 { return &u.PartyID })},
			"link":             {Type: nn(t.link), Description: "The link whose work it did.", Resolve: resolvers.ByID(r, resolvers.Links, func(u registry.UseFacts) *int64 { return &u.LinkID })},
			"storageCountries": field(list(graphql.String), "Where it stored data at the instant.", func(u registry.UseFacts) any { return []string(u.Storage) }),
			"retentionDays": field(graphql.Int, "From its profile at the instant; null if none recorded.", func(u registry.UseFacts) any {
				if u.RetentionDays == nil {
					return nil
				}
				return int(*u.RetentionDays)
			}),
		}})
	chain := graphql.NewObject(graphql.ObjectConfig{Name: "Chain",
		Description: "Everything reachable from a controller at an instant, at any depth.",
		Fields: graphql.Fields{
			"controller": {Type: nn(t.org), Description: "The organisation the chain starts from.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(c resolvers.ChainResult) *int64 { return &c.ControllerID })},
			"at":         field(nn(inst), "The instant the registry is read at.", func(c resolvers.ChainResult) any { return c.At }),
			"steps":      field(list(step), "Every link reached, shallowest first.", func(c resolvers.ChainResult) any { return c.StepList(false) }),
			"parties":    field(list(party), "Every party reached, once, shallowest first.", func(c resolvers.ChainResult) any { return c.Parties() }),
			"cycles":     field(list(step), "Links that lead back to a party already on their path.", func(c resolvers.ChainResult) any { return c.StepList(true) }),
			"systems":    {Type: list(chainSystem), Description: "Every system used on the chain's links at the instant.", Resolve: r.ChainSystems()},
			"truncated":  field(nn(graphql.Boolean), "More links exist than a chain lists (10,000).", func(c resolvers.ChainResult) any { return c.Truncated }),
			"dot": {Type: nn(graphql.String), Resolve: r.PictureOf("dot"), Description: "This as a Graphviz DOT picture: " +
				"the controller's whole chain at the instant (maxDepth does not apply), up to 300 parties and systems drawn, the rest summarised."},
			"svg": {Type: nn(graphql.String), Resolve: r.PictureOf("svg"), Description: "This as an SVG picture, drawn as dot describes; " +
				"a RENDER_UNAVAILABLE error where this kedja draws no pictures."},
		}})

	gap := graphql.NewObject(graphql.ObjectConfig{Name: "Gap", Description: "Something a link lacks that the law asks for.",
		Fields: graphql.Fields{
			"code": field(nn(graphql.String), "NO_AGREEMENT (Art. 28(3)), NO_AUTHORISATION (Art. 28(2)), or for a transfer that needs a safeguard (Art. 44-46): "+
				"NO_TRANSFER_MECHANISM, ADEQUACY_NOT_APPLICABLE (the link claims an adequacy decision that does not cover the recipient) "+
				"or NO_TRANSFER_IMPACT_ASSESSMENT (SCCs or BCRs without one).", func(g resolvers.Gap) any { return g.Code }),
			"article": field(nn(graphql.String), "The GDPR article that asks for it, such as GDPR Art. 28(3).", func(g resolvers.Gap) any { return g.Article }),
			"message": field(nn(graphql.String), "What is missing, in English, naming the party concerned.", func(g resolvers.Gap) any { return g.Message }),
			"link":    {Type: nn(t.link), Description: "The link that lacks it.", Resolve: resolvers.ByID(r, resolvers.Links, func(g resolvers.Gap) *int64 { return &g.LinkID })},
		}})
	respLink := graphql.NewObject(graphql.ObjectConfig{Name: "ResponsibilityLink",
		Description: "One link on a path down to the subject, with the receiving party's standing and what the link lacks.",
		Fields: graphql.Fields{
			"link":          field(nn(t.link), "The link.", func(l resolvers.ResponsibilityLink) any { return l.Link }),
			"transferClass": field(nn(transferClass), "The receiving party's country's standing.", func(l resolvers.ResponsibilityLink) any { return l.TransferClass }),
			"transfer": field(graphql.String, "The transfer verdict for the receiving party: null when no safeguard is needed "+
				"(EEA, adequacy, or a partial adequacy decision whose condition it meets); no_mechanism, adequacy_not_applicable "+
				"or no_tia when one is missing; safeguarded (SCCs or BCRs with a transfer impact assessment) or derogation.",
				func(l resolvers.ResponsibilityLink) any { return nonEmpty(l.Transfer) }),
			"missing": field(list(gap), "What this link lacks; empty when nothing.", func(l resolvers.ResponsibilityLink) any { return l.Missing }),
		}})
	respPath := graphql.NewObject(graphql.ObjectConfig{Name: "ResponsibilityPath",
		Description: "One path of links valid at the instant, from the top of a chain (a party that received no data then, or where a loop closes) down to the subject.",
		Fields: graphql.Fields{
			"links": field(list(respLink), "From the controller at the top down to the subject.", func(p []resolvers.ResponsibilityLink) any { return p }),
		}})
	resp := graphql.NewObject(graphql.ObjectConfig{Name: "Responsibility",
		Description: "Who was responsible for a party or system at an instant.",
		Fields: graphql.Fields{
			"at":          field(nn(inst), "The instant the registry is read at.", func(r resolvers.ResponsibilityResult) any { return r.At }),
			"paths":       field(list(respPath), "Every path from a controller down to the subject.", func(r resolvers.ResponsibilityResult) any { return r.Paths }),
			"controllers": {Type: list(t.org), Description: "Every controller whose data the subject held: the tops of the paths and every party that is a controller on a link of them.", Resolve: resolvers.OrgsByIDs(r, func(s resolvers.ResponsibilityResult) []int64 { return s.Controllers })},
			"missing":     field(list(gap), "Everything missing on any path.", func(r resolvers.ResponsibilityResult) any { return r.Missing }),
			"dot":         {Type: nn(graphql.String), Description: "This as a Graphviz DOT picture.", Resolve: r.PictureOf("dot")},
			"svg":         {Type: nn(graphql.String), Description: "This as an SVG picture.", Resolve: r.PictureOf("svg")},
		}})

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
			"heldFrom":  field(nn(inst), "When it received the call: the call's instant.", func(h registry.Holder) any { return h.HeldFrom }),
			"heldUntil": field(inst, "When the last system it used let go of the call; null if unknown.", func(h registry.Holder) any { return optTime(h.HeldUntil) }),
		}})
	heldSystem := graphql.NewObject(graphql.ObjectConfig{Name: "TraceSystem", Description: "A system that held the call.",
		Fields: graphql.Fields{
			"system":    {Type: t.system, Description: "The system. Read from the registry as it is now, so only for roles that may read the registry (admin, auditor), not dsr.", Resolve: resolvers.ByID(r, resolvers.Systems, func(s registry.HeldSystem) *int64 { return &s.SystemID })},
			"name":      field(nn(graphql.String), "Its name when the trace was made.", func(s registry.HeldSystem) any { return s.Name }),
			"kind":      field(nn(systemKindEnum), "Its kind; the storing kinds keep the call after it ends.", func(s registry.HeldSystem) any { return s.Kind }),
			"party":     field(nn(traceParty), "Who used or operated it.", func(s registry.HeldSystem) any { return s.Party }),
			"certainty": field(nn(certaintyEnum), "Whether it certainly or only possibly held the call.", func(s registry.HeldSystem) any { return s.Certainty }),
			"heldFrom":  field(nn(inst), "When it began to hold the call: the call's instant, or the move's for a system the recording was moved into.", func(s registry.HeldSystem) any { return s.HeldFrom }),
			"heldUntil": field(inst, "Null if unknown.", func(s registry.HeldSystem) any { return optTime(s.HeldUntil) }),
			"until":     field(nn(holdEndEnum), "What ended the hold.", func(s registry.HeldSystem) any { return s.Until }),
			"movedIn":   field(nn(graphql.Boolean), "It received the call by a move of stored data.", func(s registry.HeldSystem) any { return s.MoveID != 0 }),
			"storage":   field(list(traceCountry), "Where it stored the call.", func(s registry.HeldSystem) any { return s.Storage }),
		}})
	reason := graphql.NewObject(graphql.ObjectConfig{Name: "TraceReason", Description: "A reason the trace may be incomplete.",
		Fields: graphql.Fields{
			"code":    field(nn(graphql.String), "NO_RETENTION, NO_STORAGE_LOCATION, NO_SYSTEMS, ROUTING_SHARE, ROUTING_UNSTRUCTURED, CYCLE, TRUNCATED or DEPTH_LIMIT.", func(r registry.TraceReason) any { return r.Code }),
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
	trace := graphql.NewObject(graphql.ObjectConfig{Name: "CallTrace",
		Description: "Who held one call, as computed and stored for a case.",
		Fields: graphql.Fields{
			"id":        field(nn(graphql.ID), "The trace's id: 32 random hexadecimal characters, also in its report's address.", func(t registry.Trace) any { return t.ID }),
			"caseRef":   field(nn(graphql.String), "The access request's case reference it was made for.", func(t registry.Trace) any { return t.CaseRef }),
			"region":    field(nn(traceParty), "The region the call was made to.", func(t registry.Trace) any { return t.Region }),
			"callAt":    field(nn(inst), "When the call was made.", func(t registry.Trace) any { return t.CallAt }),
			"createdAt": field(nn(inst), "When the trace was made.", func(t registry.Trace) any { return t.CreatedAt }),
			"createdBy": field(nn(graphql.String), "The name of the token that made it.", func(t registry.Trace) any { return t.CreatedBy }),
			"complete":  field(nn(graphql.Boolean), "True only when no reason below applies.", func(t registry.Trace) any { return t.Complete }),
			"reasons":   field(list(reason), "Why the answer may be incomplete, in Swedish and English; empty when complete.", func(t registry.Trace) any { return t.Reasons }),
			"holders":   field(list(holder), "Every party that received the call, nearest the region first.", func(t registry.Trace) any { return t.Holders }),
			"systems":   field(list(heldSystem), "Every system that held the call, in the order they began to hold it.", func(t registry.Trace) any { return t.Systems }),
			"excluded":  field(list(excluded), "Links from the parties reached that the call did not take, and why.", func(t registry.Trace) any { return t.Excluded }),
			"reportUrl": field(nn(graphql.String), "The printable access-request answer (add .json for JSON).",
				func(t registry.Trace) any { return "/traces/" + t.ID + ".html" }),
			"pictureUrl": field(nn(graphql.String), "The trace as a picture (.png and .dot too).",
				func(t registry.Trace) any { return "/graph/trace/" + t.ID + ".svg" }),
			"dot": {Type: nn(graphql.String), Description: "This as a Graphviz DOT picture.", Resolve: r.PictureOf("dot")},
			"svg": {Type: nn(graphql.String), Description: "This as an SVG picture.", Resolve: r.PictureOf("svg")},
		}})

	fields["chain"] = &graphql.Field{Type: nn(chain), Description: "Every party, link and system reachable from a controller at an instant.",
		Args: graphql.FieldConfigArgument{
			"controller": {Type: nn(graphql.ID), Description: "The organisation to start from, usually a controller such as a region."},
			"at":         {Type: nn(inst), Description: "The instant to read the registry at: links, uses and standings valid then."},
			"maxDepth":   {Type: graphql.Int, Description: fmt.Sprintf("How many links deep to walk, 1-%d (default %d).", registry.MaxChainDepth, registry.MaxChainDepth)},
		}, Resolve: r.Chain()}
	fields["responsibility"] = &graphql.Field{Type: nn(resp),
		Description: "Upward from an organisation or a system to every controller whose data it held at an instant.",
		Args: graphql.FieldConfigArgument{
			"organisation": {Type: graphql.ID, Description: "The organisation to look up from: the links by which it received data. Give this or system."},
			"system":       {Type: graphql.ID, Description: "The system to look up from: the links it was used on. Give this or organisation."},
			"at":           {Type: nn(inst), Description: "The instant to read the registry at."},
		}, Resolve: r.Responsibility()}
	// A mutation: it stores the trace it makes, and a GET, a prefetch or a
	// retried query must never create records.
	mutations["traceCall"] = &graphql.Field{Type: nn(trace),
		Description: "Works out who held one call made to a region at an instant (GDPR Art. 15) and stores the answer with the case reference, " +
			"for the case file and the printable report.",
		Args: graphql.FieldConfigArgument{
			"region":  {Type: nn(graphql.ID), Description: "The id of the region (organisation) the call was made to."},
			"at":      {Type: nn(inst), Description: "When the call was made; a local time (2017-03-11T02:00) is read in the registry's time zone."},
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
