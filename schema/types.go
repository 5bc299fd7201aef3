package schema

import (
	"strconv"
	"time"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

// field is a plain field read from the source value with get.
func field[S any](t graphql.Output, desc string, get func(S) any) *graphql.Field {
	return &graphql.Field{Type: t, Description: desc, Resolve: func(p graphql.ResolveParams) (any, error) {
		// Optional relations (a standing's adequacy decision) arrive as
		// pointers; a failed assertion would show a Go panic to the caller.
		if ptr, ok := p.Source.(*S); ok {
			if ptr == nil {
				return nil, nil
			}
			return get(*ptr), nil
		}
		return get(p.Source.(S)), nil
	}}
}

func id(n int64) any { return strconv.FormatInt(n, 10) }

func optID(n *int64) *int64 { return n }

func optStr(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

// nonEmpty is s, or null when s is empty.
func nonEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func optTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

func atArgOf(t graphql.Input, desc string) graphql.FieldConfigArgument {
	return graphql.FieldConfigArgument{"at": &graphql.ArgumentConfig{Type: t, Description: desc}}
}

// types holds the schema's object types, built once.
type types struct {
	instant                                                         *graphql.Scalar
	org, system, profile, location, link, finding, use, move, att   *graphql.Object
	country, standing, eea, adequacy, change, routing, window, info *graphql.Object
	compliance, policy                                              *graphql.Object
}

// periodFields adds validFrom and validTo, read with from, to fs.
func (t *types) periodFields(fs graphql.Fields, from func(any) registry.Period) graphql.Fields {
	fs["validFrom"] = &graphql.Field{Type: graphql.NewNonNull(t.instant), Description: "Start of the period (inclusive).",
		Resolve: func(p graphql.ResolveParams) (any, error) { return from(p.Source).From, nil }}
	fs["validTo"] = &graphql.Field{Type: t.instant, Description: "End of the period (exclusive); null while it lasts.",
		Resolve: func(p graphql.ResolveParams) (any, error) { return optTime(from(p.Source).To), nil }}
	return fs
}

func newTypes(r *resolvers.Resolvers) *types {
	t := &types{instant: newInstant(r.Location)}
	instantArg := func(desc string) graphql.FieldConfigArgument { return atArgOf(t.instant, desc) }
	history := func(table string, key func(any) int64) *graphql.Field {
		return &graphql.Field{Type: graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(t.change))),
			Description: "Every recorded change of this record, oldest first: when, by whom, and the record as it became.",
			Resolve:     resolvers.History(r, table, key)}
	}
	list := func(o graphql.Type) graphql.Output { return graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(o))) }
	nn := graphql.NewNonNull

	t.change = graphql.NewObject(graphql.ObjectConfig{Name: "Change", Description: "One recorded change of a registry record.",
		Fields: graphql.Fields{
			"op":        field(nn(graphql.String), "insert or update.", func(c registry.Change) any { return c.Op }),
			"actor":     field(nn(graphql.String), "Who made the change.", func(c registry.Change) any { return c.Actor }),
			"changedAt": field(nn(t.instant), "When.", func(c registry.Change) any { return c.ChangedAt }),
			"record":    field(nn(graphql.String), "The record as it became, as JSON.", func(c registry.Change) any { return string(c.RowData) }),
		}})

	t.adequacy = graphql.NewObject(graphql.ObjectConfig{Name: "AdequacyDecision", Description: "An adequacy decision (GDPR Art. 45).",
		Fields: graphql.Fields{
			"id":            field(nn(graphql.ID), "The decision's id in the registry.", func(d registry.AdequacyDecision) any { return id(d.ID) }),
			"countryCode":   field(nn(graphql.String), "ISO 3166-1 alpha-2 code of the country it is about.", func(d registry.AdequacyDecision) any { return d.Country }),
			"scope":         field(nn(adequacyScope), "Whether it covers every recipient in the country (FULL) or only those that meet its condition (PARTIAL).", func(d registry.AdequacyDecision) any { return d.Scope }),
			"conditionCode": field(conditionCode, "Which recipients a partial decision covers.", func(d registry.AdequacyDecision) any { return optStr(d.ConditionCode) }),
			"condition":     field(graphql.String, "The condition in words.", func(d registry.AdequacyDecision) any { return optStr(d.Condition) }),
			"decisionRef":   field(graphql.String, "The decision's reference, such as Decision 2023/1795; null if none is recorded.", func(d registry.AdequacyDecision) any { return optStr(d.DecisionRef) }),
			"decidedOn":     field(nn(dateScalar), "Date the decision was adopted.", func(d registry.AdequacyDecision) any { return d.DecidedOn }),
			"validFrom":     field(nn(dateScalar), "First day it applies (inclusive).", func(d registry.AdequacyDecision) any { return d.From }),
			"validTo":       field(dateScalar, "Exclusive; null while in force.", func(d registry.AdequacyDecision) any { return optTime(d.To) }),
		}})
	t.eea = graphql.NewObject(graphql.ObjectConfig{Name: "EEAMembership", Description: "A period of EEA membership.",
		Fields: graphql.Fields{
			"id":          field(nn(graphql.ID), "The membership's id in the registry.", func(m registry.EEAMembership) any { return id(m.ID) }),
			"countryCode": field(nn(graphql.String), "ISO 3166-1 alpha-2 code of the member country.", func(m registry.EEAMembership) any { return m.Country }),
			"validFrom":   field(nn(dateScalar), "First day of membership (inclusive).", func(m registry.EEAMembership) any { return m.From }),
			"validTo":     field(dateScalar, "Exclusive; null while a member.", func(m registry.EEAMembership) any { return optTime(m.To) }),
		}})
	t.standing = graphql.NewObject(graphql.ObjectConfig{Name: "CountryStanding", Description: "A country's standing for transfers at an instant.",
		Fields: graphql.Fields{
			"class":    field(nn(transferClass), "EEA, ADEQUACY, PARTIAL_ADEQUACY or THIRD_COUNTRY.", func(s resolvers.Standing) any { return s.Class() }),
			"eea":      field(nn(graphql.Boolean), "Whether the country was in the EEA on the instant's date.", func(s resolvers.Standing) any { return s.EEA }),
			"adequacy": field(t.adequacy, "The adequacy decision in force, if any.", func(s resolvers.Standing) any { return s.Adequacy }),
		}})
	t.country = graphql.NewObject(graphql.ObjectConfig{Name: "Country", Description: "An ISO 3166-1 country.",
		Fields: graphql.Fields{
			"code": field(nn(graphql.String), "ISO 3166-1 alpha-2.", func(c registry.Country) any { return c.Code }),
			"name": field(nn(graphql.String), "Its name in English, as the registry shows it (renameCountry changes it).", func(c registry.Country) any { return c.Name }),
			"standing": {Type: nn(t.standing), Args: instantArg("Default: now."), Description: "EEA membership and adequacy at an instant.",
				Resolve: r.CountryStanding()},
			"eeaMemberships":    {Type: list(t.eea), Description: "Every recorded period of EEA membership, past and present, oldest first.", Resolve: resolvers.CountryHistory(r, resolvers.EEAMemberships)},
			"adequacyDecisions": {Type: list(t.adequacy), Description: "Every recorded adequacy decision for it, past and present, oldest first.", Resolve: resolvers.CountryHistory(r, resolvers.AdequacyDecisions)},
		}})
	countryOf := func(desc string, code func(any) string) *graphql.Field {
		return &graphql.Field{Type: nn(t.country), Description: desc, Resolve: r.CountryByCode(code)}
	}

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

	orgID := func(s any) int64 { return s.(registry.Organisation).ID }
	sysID := func(s any) int64 { return s.(registry.System).ID }
	linkID := func(s any) int64 { return s.(registry.Link).ID }

	t.org = graphql.NewObject(graphql.ObjectConfig{Name: "Organisation",
		Description: "A party: region, public body or company. Its role is not its own but that of each link it is on.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"id":           field(nn(graphql.ID), "The organisation's id in the registry.", func(o registry.Organisation) any { return id(o.ID) }),
				"legalName":    field(nn(graphql.String), "Registered legal name.", func(o registry.Organisation) any { return o.LegalName }),
				"orgNumber":    field(graphql.String, "Official organisation number (in Sweden: organisationsnummer); null if none is recorded.", func(o registry.Organisation) any { return optStr(o.OrgNumber) }),
				"country":      countryOf("Its country of establishment.", func(s any) string { return s.(registry.Organisation).Country }),
				"kind":         field(nn(orgKindEnum), "What kind of party it is.", func(o registry.Organisation) any { return o.Kind }),
				"countyCode":   field(graphql.String, "Swedish regions: official county code (01).", func(o registry.Organisation) any { return optStr(o.CountyCode) }),
				"countyLetter": field(graphql.String, "Swedish regions: county letter (AB).", func(o registry.Organisation) any { return optStr(o.CountyLetter) }),
				"timeZone":     field(nn(graphql.String), "IANA time zone in which routing windows are read when a chain or trace starts from this organisation and a link names no zone of its own.", func(o registry.Organisation) any { return o.TimeZone }),
				"endedAt":      field(t.instant, "When it ceased to exist.", func(o registry.Organisation) any { return optTime(o.EndedAt) }),
				"parent":       {Type: t.org, Description: "The organisation it belongs to (its group parent); null if none.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(o registry.Organisation) *int64 { return o.ParentID })},
				"children":     {Type: list(t.org), Args: instantArg("As of this instant; without it, all, current and past."), Description: "Organisations whose parent it is, by legal name.", Resolve: resolvers.Related(r, resolvers.Children, orgID)},
				"linksOut": {Type: list(t.link), Args: instantArg("Links valid at this instant; without it, every link, current and past."),
					Description: "Links on which this organisation hands data to another party.",
					Resolve:     resolvers.Related(r, resolvers.LinksFrom, orgID)},
				"linksIn": {Type: list(t.link), Args: instantArg("Links valid at this instant; without it, every link, current and past."),
					Description: "Links on which this organisation receives data.",
					Resolve:     resolvers.Related(r, resolvers.LinksTo, orgID)},
				"providers": {Type: list(t.link), Args: instantArg("Default: now."),
					Description: "Links, valid at the instant, to the parties this organisation hands its data to (for a region: its care providers).",
					Resolve:     r.Providers(false)},
				"subcontractors": {Type: list(t.link), Args: instantArg("Default: now."),
					Description: "Processor and sub-processor links valid at the instant: the parties processing data for this organisation.",
					Resolve:     r.Providers(true)},
				"systemsOperated": {Type: list(t.system), Args: instantArg("As of this instant; without it, all, current and past."), Description: "Systems it operates (not ended at the instant).",
					Resolve: resolvers.Related(r, resolvers.Operated, orgID)},
				"systemUses": {Type: list(t.use), Args: instantArg("Uses valid at this instant; without it, every use."),
					Description: "The systems it used, on which links, when.", Resolve: resolvers.Related(r, resolvers.UsesByParty, orgID)},
				"attestations": {Type: list(t.att), Args: instantArg("Only those valid at this instant; without it, all."),
					Description: "Security evidence about this organisation itself, oldest issue first (evidence about its systems is on each system).",
					Resolve:     resolvers.Related(r, resolvers.AttestationsOfOrg, orgID)},
				"openFindings": {Type: list(t.compliance), Description: "Open findings about it, worst first.",
					Resolve: resolvers.OpenFindings(r, "party", func(o registry.Organisation) int64 { return o.ID })},
				"locationPolicies": {Type: list(t.policy), Args: instantArg("The policy in force at this instant; without it, all."),
					Description: "Its rules, as a controller, for where its data may be.",
					Resolve:     resolvers.Related(r, resolvers.Policies, orgID)},
				"history": history("organisations", orgID),
			}
		})})

	t.system = graphql.NewObject(graphql.ObjectConfig{Name: "System", Description: "A system that handles calls.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"id":             field(nn(graphql.ID), "The system's id in the registry.", func(s registry.System) any { return id(s.ID) }),
				"name":           field(nn(graphql.String), "The system's name.", func(s registry.System) any { return s.Name }),
				"kind":           field(nn(systemKindEnum), "What it does with calls; a trace counts the storing kinds as keeping a call after it ends.", func(s registry.System) any { return s.Kind }),
				"dataCategories": field(list(graphql.String), "Categories of data it handles, as recorded.", func(s registry.System) any { return []string(s.DataCategories) }),
				"description":    field(graphql.String, "What the system is, in words; null if nothing is recorded.", func(s registry.System) any { return optStr(s.Description) }),
				"endedAt":        field(t.instant, "When it was taken out of service.", func(s registry.System) any { return optTime(s.EndedAt) }),
				"operator":       {Type: nn(t.org), Description: "The organisation that runs it.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(s registry.System) *int64 { return &s.OperatorID })},
				"vendor":         {Type: t.org, Description: "The organisation that makes or sells it; null if none is recorded.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(s registry.System) *int64 { return optID(s.VendorID) })},
				"profiles": {Type: list(t.profile), Args: instantArg("The profile in force at this instant; without it, all."),
					Description: "Security facts (exposure, authentication, encryption, retention) by period.",
					Resolve:     resolvers.Related(r, resolvers.Profiles, sysID)},
				"locations": {Type: list(t.location), Description: "Where it stores data and where it is accessed from, by purpose and country.", Args: instantArg("Locations at this instant; without it, all."),
					Resolve: resolvers.Related(r, resolvers.Locations, sysID)},
				"uses": {Type: list(t.use), Args: instantArg("Uses at this instant; without it, all."),
					Description: "Who used it, on which links.", Resolve: resolvers.Related(r, resolvers.UsesBySystem, sysID)},
				"attestations": {Type: list(t.att), Description: "Security evidence about this system itself, oldest issue first (its operator's attestations are on the operator).", Args: instantArg("Only those valid at this instant; without it, all."),
					Resolve: resolvers.Related(r, resolvers.AttestationsOfSys, sysID)},
				"movesIn":  {Type: list(t.move), Args: instantArg("Moves up to this instant."), Description: "Moves of stored data into this system, oldest first.", Resolve: resolvers.Related(r, resolvers.MovesTo, sysID)},
				"movesOut": {Type: list(t.move), Args: instantArg("Moves up to this instant."), Description: "Moves of stored data out of this system, oldest first.", Resolve: resolvers.Related(r, resolvers.MovesFrom, sysID)},
				"openFindings": {Type: list(t.compliance), Description: "Open findings about it, worst first.",
					Resolve: resolvers.OpenFindings(r, "system", func(s registry.System) int64 { return s.ID })},
				"history": history("systems", sysID),
			}
		})})

	t.profile = graphql.NewObject(graphql.ObjectConfig{Name: "SystemProfile", Description: "A system's security facts during a period.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.periodFields(graphql.Fields{
				"id":                  field(nn(graphql.ID), "The profile's id in the registry.", func(p registry.SystemProfile) any { return id(p.ID) }),
				"system":              {Type: nn(t.system), Description: "The system the facts are about.", Resolve: resolvers.ByID(r, resolvers.Systems, func(p registry.SystemProfile) *int64 { return &p.SystemID })},
				"internetExposed":     field(nn(graphql.Boolean), "Whether the system was reachable from the internet.", func(p registry.SystemProfile) any { return p.InternetExposed }),
				"authentication":      field(nn(authenticationEnum), "How its users proved who they were.", func(p registry.SystemProfile) any { return p.Authentication }),
				"transportEncryption": field(nn(graphql.Boolean), "Whether data travelled to and from it encrypted (TLS or similar).", func(p registry.SystemProfile) any { return p.TransportEncryption }),
				"encryptionAtRest":    field(nn(graphql.Boolean), "Whether the data it stored was encrypted.", func(p registry.SystemProfile) any { return p.EncryptionAtRest }),
				"retentionDays": field(graphql.Int, "How long stored recordings are kept; null: none recorded.", func(p registry.SystemProfile) any {
					if p.RetentionDays == nil {
						return nil
					}
					return int(*p.RetentionDays)
				}),
				"note":    field(graphql.String, "Anything else about these facts and their source; null if nothing is recorded.", func(p registry.SystemProfile) any { return optStr(p.Note) }),
				"history": history("system_profiles", func(s any) int64 { return s.(registry.SystemProfile).ID }),
			}, func(s any) registry.Period { return s.(registry.SystemProfile).Period })
		})})

	t.location = graphql.NewObject(graphql.ObjectConfig{Name: "SystemLocation", Description: "Where a system stores data or is accessed from.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.periodFields(graphql.Fields{
				"id":      field(nn(graphql.ID), "The location's id in the registry.", func(l registry.SystemLocation) any { return id(l.ID) }),
				"system":  {Type: nn(t.system), Description: "The system.", Resolve: resolvers.ByID(r, resolvers.Systems, func(l registry.SystemLocation) *int64 { return &l.SystemID })},
				"country": countryOf("The country where it stores data, or from which it is accessed.", func(s any) string { return s.(registry.SystemLocation).Country }),
				"purpose": field(nn(locationPurpose), "Whether the system stores data in the country or is accessed from it.", func(l registry.SystemLocation) any { return l.Purpose }),
			}, func(s any) registry.Period { return s.(registry.SystemLocation).Period })
		})})

	t.link = graphql.NewObject(graphql.ObjectConfig{Name: "Link",
		Description: "Data flowing from one party to another; the receiving party holds a role on it for its period.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.periodFields(graphql.Fields{
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
				"tiaDate": field(dateScalar, "Date of the transfer impact assessment.", func(l registry.Link) any { return optTime(l.TIADate) }),
				"routing": field(nn(t.routing), "Which calls take the link: a note in words, weekly windows and/or a share of calls.", func(l registry.Link) any { return l }),
				"systemUses": {Type: list(t.use), Args: instantArg("Uses at this instant; without it, all."),
					Description: "Systems used to do this link's work.", Resolve: resolvers.Related(r, resolvers.UsesByLink, linkID)},
				"openFindings": {Type: list(t.compliance), Description: "Open findings about it, worst first.",
					Resolve: resolvers.OpenFindings(r, "link", func(l registry.Link) int64 { return l.ID })},
				"history": history("links", linkID),
			}, func(s any) registry.Period { return s.(registry.Link).Period })
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

	t.att = graphql.NewObject(graphql.ObjectConfig{Name: "Attestation", Description: "Security evidence about an organisation or a system.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"id":           field(nn(graphql.ID), "The attestation's id in the registry.", func(a registry.Attestation) any { return id(a.ID) }),
				"organisation": {Type: t.org, Description: "The organisation it is about; null when it is about a system.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(a registry.Attestation) *int64 { return a.OrgID })},
				"system":       {Type: t.system, Description: "The system it is about; null when it is about an organisation.", Resolve: resolvers.ByID(r, resolvers.Systems, func(a registry.Attestation) *int64 { return a.SystemID })},
				"kind":         field(nn(attestationKind), "What kind of evidence it is.", func(a registry.Attestation) any { return a.Kind }),
				"issuer":       field(nn(graphql.String), "Who issued it, such as the certification body.", func(a registry.Attestation) any { return a.Issuer }),
				"issuedOn":     field(nn(dateScalar), "Date it was issued; it counts from this date.", func(a registry.Attestation) any { return a.IssuedOn }),
				"validUntil":   field(dateScalar, "Inclusive: the last day it is valid; null if it states no end.", func(a registry.Attestation) any { return optTime(a.ValidUntil) }),
				"scope":        field(graphql.String, "What it covers, as it states; null if not recorded.", func(a registry.Attestation) any { return optStr(a.Scope) }),
				"evidenceRef":  field(graphql.String, "Where the evidence is kept: a document reference or address; null if not recorded.", func(a registry.Attestation) any { return optStr(a.EvidenceRef) }),
				"withdrawnAt":  field(t.instant, "When it was withdrawn, from which instant on it no longer counts; null if never.", func(a registry.Attestation) any { return optTime(a.WithdrawnAt) }),
				"coveredSystems": {Type: list(t.system), Description: "Systems its scope covers. Empty: it names none, and the attestation check counts it for every system the organisation operates.",
					Resolve: resolvers.SystemsByIDs(r, func(a registry.Attestation) []int64 { return a.CoveredSystemIDs })},
				"status":  {Type: nn(attestationStatus), Args: instantArg("Default: now."), Description: "Whether it counts at the instant: VALID, EXPIRED (after validUntil), NOT_YET_VALID (before issuedOn) or WITHDRAWN.", Resolve: r.AttestationStatus()},
				"history": history("attestations", func(s any) int64 { return s.(registry.Attestation).ID }),
			}
		})})

	t.info = graphql.NewObject(graphql.ObjectConfig{Name: "PageInfo",
		Description: "Where a page of a list stands: whether more records follow, and the cursor to ask for them.", Fields: graphql.Fields{
			"hasNextPage": field(nn(graphql.Boolean), "Whether more records follow this page.", func(c resolvers.Connection) any { return c.HasNextPage }),
			"endCursor":   field(graphql.String, "Pass as after to get the next page.", func(c resolvers.Connection) any { return optStr(c.EndCursor) }),
		}})
	return t
}

// connection is the page type of a list of node.
func (t *types) connection(node *graphql.Object) *graphql.Object {
	return graphql.NewObject(graphql.ObjectConfig{Name: node.Name() + "Connection",
		Description: "One page of a list of " + node.Name() + " records; pass pageInfo.endCursor as after for the next.", Fields: graphql.Fields{
			"nodes":    field(graphql.NewNonNull(graphql.NewList(graphql.NewNonNull(node))), "The records on this page, in the list's order.", func(c resolvers.Connection) any { return c.Nodes }),
			"pageInfo": field(graphql.NewNonNull(t.info), "Whether more records follow, and the cursor to ask for them.", func(c resolvers.Connection) any { return c }),
		}})
}
