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
)

// chainFields adds the chain and responsibility queries, and the types
// they return, to the query root.
func (t *types) chainFields(r *resolvers.Resolvers, fields, mutations graphql.Fields) {
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
			"changeNotice": t.stepNoticeField(r), // schema/notices.go
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
			"timeline":   t.timelineField(),
			"dot": {Type: nn(graphql.String), Resolve: r.PictureOf("dot"), Description: "This as a Graphviz DOT picture: " +
				"the controller's whole chain at the instant (maxDepth does not apply), up to 300 parties and systems drawn, the rest summarised."},
			"svg": {Type: nn(graphql.String), Resolve: r.PictureOf("svg"), Description: "This as an SVG picture, drawn as dot describes; " +
				"a RENDER_UNAVAILABLE error where this kedja draws no pictures."},
		}})

	gap := graphql.NewObject(graphql.ObjectConfig{Name: "Gap", Description: "Something a link lacks that the law asks for.",
		Fields: graphql.Fields{
			"code": field(nn(graphql.String), "NO_AGREEMENT (Art. 28(3)), NO_AUTHORISATION (Art. 28(2)), or for a transfer that needs a safeguard (Art. 44-46): "+
				"NO_TRANSFER_MECHANISM, ADEQUACY_NOT_APPLICABLE (the link claims an adequacy decision that does not cover the recipient), "+
				"NO_TRANSFER_IMPACT_ASSESSMENT (SCCs or BCRs without one), OUTDATED_CLAUSES (standard clauses the exporter's law no longer "+
				"recognises, such as the EU's 2010 clauses after 27 December 2022) or TRANSFER_TOOL_NOT_VALID (clauses that law does not "+
				"recognise then, such as the EU 2021 clauses without the UK Addendum).", func(g resolvers.Gap) any { return g.Code }),
			"article": field(nn(graphql.String), "The provision that asks for it, of the law the link is judged by at the instant (its sender's, else the nearest "+
				"party's above it with a law of its own): GDPR Art. 28(3), UK GDPR Art. 28(2), PUL 30-31 § before 25 May 2018 in Sweden, "+
				"FADP Art. 9; for a transfer, such as UK GDPR Art. 44-49.", func(g resolvers.Gap) any { return g.Article }),
			"message": field(nn(graphql.String), "What is missing, in English, naming the party concerned.", func(g resolvers.Gap) any { return g.Message }),
			"link":    {Type: nn(t.link), Description: "The link that lacks it.", Resolve: resolvers.ByID(r, resolvers.Links, func(g resolvers.Gap) *int64 { return &g.LinkID })},
		}})
	respLink := graphql.NewObject(graphql.ObjectConfig{Name: "ResponsibilityLink",
		Description: "One link on a path down to the subject, with the receiving party's standing and what the link lacks.",
		Fields: graphql.Fields{
			"link":          field(nn(t.link), "The link.", func(l resolvers.ResponsibilityLink) any { return l.Link }),
			"transferClass": field(nn(transferClass), "The receiving party's country's standing under the law the link is judged by (as the chain's steps give it): DOMESTIC for a UK processor of a UK controller.", func(l resolvers.ResponsibilityLink) any { return l.TransferClass }),
			"transfer": field(graphql.String, "The transfer verdict for the receiving party: null when no safeguard is needed "+
				"(EEA, adequacy, or a partial adequacy decision whose condition it meets); no_mechanism, adequacy_not_applicable, "+
				"no_tia, outdated_clauses or tool_not_valid when one is missing; safeguarded (SCCs or BCRs with a transfer impact assessment) or derogation.",
				func(l resolvers.ResponsibilityLink) any { return nonEmpty(l.Transfer) }),
			"missing": field(list(gap), "What this link lacks; empty when nothing.", func(l resolvers.ResponsibilityLink) any { return l.Missing }),
		}})
	respPath := graphql.NewObject(graphql.ObjectConfig{Name: "ResponsibilityPath",
		Description: "One path of links from the top of a chain (a party that received no data then, or where a loop closes) down to the subject: " +
			"links valid at the instant, or, for data a subject system holds because it was moved into it, links valid when that data was recorded (see viaMove).",
		Fields: graphql.Fields{
			"links": field(list(respLink), "From the controller at the top down to the subject.", func(p resolvers.ResponsibilityPath) any { return p.Links }),
			"viaMove": field(t.move, "The recorded move of stored data by which the subject system came to hold this path's data: recordings made over "+
				"the path, in the system the move came from, before they were moved (hop by hop) into the subject and still held at the instant "+
				"(its retention then, if recorded, had not run out). Null when the subject received the data over the path at the instant itself.",
				func(p resolvers.ResponsibilityPath) any {
					if p.Move == nil {
						return nil
					}
					return *p.Move
				}),
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
}
