package schema

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

var (
	audienceEnum = describedEnum("AccessAudience", "Who comes in on an access path.", registry.Audiences, map[string]string{
		"own_staff":      "The operator's own staff.",
		"customer_users": "Users at the operator's customers (a care provider's nurses using a supplier's system, say).",
		"vendor_support": "The vendor's or a supplier's support staff.",
		"public":         "Anyone: members of the public, or nobody in particular.",
	})
	originEnum = describedEnum("AccessOrigin", "Where an access path comes from.", registry.AccessOrigins, map[string]string{
		"internet":       "The open internet.",
		"health_network": "A closed health network, such as Sjunet in Sweden.",
		"vpn":            "A VPN (where the VPN itself is reached from the internet, record that as a gateway with its own path).",
		"internal":       "The operator's internal network.",
	})
	relationKindEnum = describedEnum("SystemRelationKind", "How one system relates to another.", registry.SystemRelationKinds, map[string]string{
		"hosted_in":       "The from system is hosted in the to system (an environment, a data centre, a cloud tenancy); whoever reaches the environment reaches it.",
		"runs_on":         "The from system runs on the to system (a server, a platform); whoever reaches the platform reaches it.",
		"identity_domain": "The two systems share an identity domain: the same accounts log in to both.",
		"gives_access_to": "The from system (a gateway, a remote-access service, a jump host) gives access to the to system; whoever reaches the gateway reaches it.",
	})
)

// postureFields adds AccessPath and SystemRelation, and the mutations that
// add and end them; a system's paths and relations are read on the system.
func (t *types) postureFields(r *resolvers.Resolvers, query, mutation graphql.Fields) {
	inst, idT := t.instant, graphql.ID
	t.accessPath = graphql.NewObject(graphql.ObjectConfig{Name: "AccessPath",
		Description: "One way a system is reached, during a period: by whom, from where, through which gateway, with what authentication. " +
			"\"MFA for staff, not for customers\" is two paths.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.periodFields(graphql.Fields{
				"id":       field(nn(graphql.ID), "The access path's id in the registry.", func(a registry.AccessPath) any { return id(a.ID) }),
				"system":   {Type: nn(t.system), Description: "The system reached.", Resolve: resolvers.ByID(r, resolvers.Systems, func(a registry.AccessPath) *int64 { return &a.SystemID })},
				"audience": field(nn(audienceEnum), "Who comes in on it.", func(a registry.AccessPath) any { return a.Audience }),
				"origin":   field(nn(originEnum), "Where they come from.", func(a registry.AccessPath) any { return a.Origin }),
				"gateway": {Type: t.system, Description: "The gateway system the path passes through; null for direct access. Whoever comes through it also reaches what it gives access to.",
					Resolve: resolvers.ByID(r, resolvers.Systems, func(a registry.AccessPath) *int64 { return a.GatewayID })},
				"authentication": field(authenticationEnum, "How they prove who they are; null: not established.", func(a registry.AccessPath) any { return optStr(a.Authentication) }),
				"privileged":     field(nn(graphql.Boolean), "Whether they come in with administrator rights.", func(a registry.AccessPath) any { return a.Privileged }),
				"headCount":      field(graphql.Int, "How many people use the path; null: not recorded.", func(a registry.AccessPath) any { return optInt(a.HeadCount) }),
				"staffCleared": field(graphql.Boolean, "Whether the people on the path are security-cleared (säkerhetsprövade under "+
					"säkerhetsskyddslagen (2018:585), where the controller's system is security-sensitive); null: not established.",
					func(a registry.AccessPath) any { return optBool(a.StaffCleared) }),
				"note":    field(graphql.String, "Anything else about the path and its source (mark assumptions as such); null if nothing is recorded.", func(a registry.AccessPath) any { return optStr(a.Note) }),
				"history": t.history("access_paths", func(s any) int64 { return s.(registry.AccessPath).ID }),
			}, func(s any) registry.Period { return s.(registry.AccessPath).Period })
		})})
	t.sysRelation = graphql.NewObject(graphql.ObjectConfig{Name: "SystemRelation",
		Description: "A relation between two systems during a period: the from system is hosted in, runs on, shares an identity domain with, or gives access to the to system.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.periodFields(graphql.Fields{
				"id":   field(nn(graphql.ID), "The relation's id in the registry.", func(v registry.SystemRelation) any { return id(v.ID) }),
				"from": {Type: nn(t.system), Description: "The from system.", Resolve: resolvers.ByID(r, resolvers.Systems, func(v registry.SystemRelation) *int64 { return &v.FromSystemID })},
				"to":   {Type: nn(t.system), Description: "The to system.", Resolve: resolvers.ByID(r, resolvers.Systems, func(v registry.SystemRelation) *int64 { return &v.ToSystemID })},
				"kind": field(nn(relationKindEnum), "How the from system relates to the to system.", func(v registry.SystemRelation) any { return v.Kind }),
				"note": field(graphql.String, "Anything else about the relation and its source; null if nothing is recorded.", func(v registry.SystemRelation) any { return optStr(v.Note) }),
				"history": t.history("system_relations", func(s any) int64 {
					return s.(registry.SystemRelation).ID
				}),
			}, func(s any) registry.Period { return s.(registry.SystemRelation).Period })
		})})

	pathInput := inputObject("AccessPathInput", "One way a system is reached, from validFrom on.", graphql.InputObjectConfigFieldMap{
		"systemId":       in(nn(idT), "The system reached."),
		"audience":       in(nn(audienceEnum), "Who comes in on it."),
		"origin":         in(nn(originEnum), "Where they come from."),
		"gatewayId":      in(idT, "The gateway system the path passes through; omit for direct access."),
		"authentication": in(authenticationEnum, "How they prove who they are; leave out if not established."),
		"privileged":     in(graphql.Boolean, "Whether they come in with administrator rights; default false."),
		"headCount":      in(graphql.Int, "How many people use the path; omit if not known. A positive number."),
		"staffCleared":   in(graphql.Boolean, "Whether the people on the path are security-cleared (säkerhetsskyddslagen (2018:585)); leave out if not established."),
		"note":           in(graphql.String, "Anything else about the path and its source, assumptions marked as such (up to 4,000 characters)."),
		"validFrom":      in(nn(inst), "First instant the path exists (inclusive)."),
		"validTo":        in(inst, "First instant it no longer exists (exclusive); omit while it lasts."),
	})
	relationInput := inputObject("SystemRelationInput", "A relation between two systems, from validFrom on.", graphql.InputObjectConfigFieldMap{
		"fromSystemId": in(nn(idT), "The from system: the one hosted, running, or giving access."),
		"toSystemId":   in(nn(idT), "The to system: the environment, the platform, the system access is given to, or the one sharing the identity domain."),
		"kind":         in(nn(relationKindEnum), "How the from system relates to the to system."),
		"note":         in(graphql.String, "Anything else about the relation and its source (up to 4,000 characters)."),
		"validFrom":    in(nn(inst), "First instant the relation holds (inclusive)."),
		"validTo":      in(inst, "First instant it no longer holds (exclusive); omit while it lasts."),
	})
	add(mutation, graphql.Fields{
		"addAccessPath": {Type: nn(t.accessPath), Args: createArgs(pathInput, "access path"),
			Description: "Records a way into a system for a period.",
			Resolve:     resolvers.Create(r, resolvers.PostureSvc, resolvers.DecodeAccessPath, registry.PostureService.AddAccessPath)},
		"endAccessPath": {Type: nn(t.accessPath), Args: t.endArgs("access path", periodEnd),
			Description: "Ends an access path.",
			Resolve:     resolvers.End(r, resolvers.PostureSvc, registry.PostureService.EndAccessPath)},
		"addSystemRelation": {Type: nn(t.sysRelation), Args: createArgs(relationInput, "relation"),
			Description: "Records a relation between two systems for a period.",
			Resolve:     resolvers.Create(r, resolvers.PostureSvc, resolvers.DecodeSystemRelation, registry.PostureService.AddSystemRelation)},
		"endSystemRelation": {Type: nn(t.sysRelation), Args: t.endArgs("system relation", periodEnd),
			Description: "Ends a relation between systems.",
			Resolve:     resolvers.End(r, resolvers.PostureSvc, registry.PostureService.EndSystemRelation)},
	})
}
