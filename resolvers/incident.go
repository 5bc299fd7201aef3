package resolvers

import (
	"strconv"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/registry"
)

// IncidentSvc is the incident service, for the generic resolvers.
var IncidentSvc Service[registry.IncidentService] = func(s registry.Services) registry.IncidentService { return s.Incidents }

// DecodeIncident maps an IncidentCreateInput or IncidentUpdateInput (which
// has no systemIds: an incident's systems are fixed when it is recorded).
func DecodeIncident(in *input, i *registry.Incident) {
	in.str("title", &i.Title)
	in.str("kind", &i.Kind)
	in.str("status", &i.Status)
	in.optStr("description", &i.Description)
	in.optInstant("exposureFrom", &i.ExposureFrom)
	in.optInstant("containedAt", &i.ContainedAt)
	in.instant("discoveredAt", &i.DiscoveredAt)
	in.strs("dataCategories", &i.DataCategories)
	optInt64(in, "subjectsApprox", &i.SubjectsApprox)
	optInt64(in, "recordsApprox", &i.RecordsApprox)
	in.optStr("containment", &i.Containment)
	in.optStr("measures", &i.Measures)
	in.ids("systemIds", &i.SystemIDs)
}

// optInt64 reads an optional non-negative Int into an int64.
func optInt64(in *input, k string, dst **int64) {
	var n *int32
	if *dst != nil {
		v := int32(**dst)
		n = &v
	}
	in.optInt32(k, &n)
	if n == nil {
		*dst = nil
		return
	}
	v := int64(*n)
	*dst = &v
}

// IncidentClearable are the fields updateIncident's clear may name.
var IncidentClearable = []string{"description", "exposureFrom", "containedAt", "subjectsApprox", "recordsApprox", "containment", "measures"}

// DecodeIncidentParty maps an IncidentPartyInput.
func DecodeIncidentParty(in *input, p *registry.IncidentParty) {
	in.id("incidentId", &p.IncidentID)
	in.id("partyId", &p.PartyID)
	in.optInstant("awareAt", &p.AwareAt)
	in.str("art34", &p.Art34)
	in.optStr("art34Note", &p.Art34Note)
	in.optStr("note", &p.Note)
}

// DecodeNotification maps a NotificationInput.
func DecodeNotification(in *input, n *registry.Notification) {
	in.id("incidentId", &n.IncidentID)
	in.str("article", &n.Article)
	in.id("fromId", &n.FromID)
	in.optID("toId", &n.ToID)
	in.optStr("toAuthority", &n.ToAuthority)
	in.instant("sentAt", &n.SentAt)
	in.optStr("reference", &n.Reference)
	in.optStr("delayReasons", &n.DelayReasons)
}

// Incident resolves incident(id).
func (r *Resolvers) Incident() graphql.FieldResolveFn {
	return one(r, IncidentSvc, registry.IncidentService.Incident)
}

// Incidents resolves incidents(first, after).
func (r *Resolvers) Incidents() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		pg, err := page(p)
		if err != nil {
			return nil, err
		}
		rows, more, err := r.Services.Incidents.ListIncidents(p.Context, pg)
		return connection(rows, more, func(i *registry.Incident) int64 { return i.ID }), err
	})
}

// ImportAccessLog resolves importAccessLog(incidentId, name, csv): the
// rows are read in the registry's time zone and imported whole, or not at
// all.
func (r *Resolvers) ImportAccessLog() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		id, err := idArg(p, "incidentId")
		if err != nil {
			return nil, err
		}
		name, _ := p.Args["name"].(string)
		text, _ := p.Args["csv"].(string)
		rows, err := registry.ParseAccessLog("csv", text, r.Location)
		if err != nil {
			return nil, err
		}
		l, err := r.Services.Incidents.ImportAccessLog(p.Context, actor(p.Context), id, name, rows)
		if err == nil {
			access.Note(p.Context, "incident_log:"+strconv.FormatInt(l.ID, 10), "")
		}
		return l, err
	})
}

// IncidentImpact resolves an incident's impact(at): one walk per incident
// asked for, in a fixed number of statements.
func (r *Resolvers) IncidentImpact() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		at, err := r.atOrNow(p, "at")
		if err != nil {
			return nil, err
		}
		return r.Services.Incidents.Impact(p.Context, p.Source.(registry.Incident).ID, at)
	})
}

// IncidentRelated resolves an incident's parties, notifications or
// evidence through the request's batch loaders.
func IncidentRelated[V any](r *Resolvers, pick func(*loaders) *loader[int64, V], empty V) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		th := pick(loadersOf(p.Context)).load(p.Context, p.Source.(registry.Incident).ID)
		return func() (any, error) {
			v, ok, err := th()
			if !ok {
				return empty, err
			}
			return v, err
		}, nil
	})
}

// Loaders of incidents' relations, for IncidentRelated.
var (
	IncidentPartiesOf = func(l *loaders) *loader[int64, []registry.IncidentParty] { return l.incidentParties }
	WindowsOf         = func(l *loaders) *loader[int64, []registry.ExposureWindow] { return l.windows }
	NotificationsOf   = func(l *loaders) *loader[int64, []registry.Notification] { return l.notifications }
	EvidenceOf        = func(l *loaders) *loader[int64, registry.LogSummary] { return l.evidence }
)

// IncidentOf resolves an incident by id.
func IncidentOf(r *Resolvers, p graphql.ResolveParams, id int64) (any, error) {
	i, err := r.Services.Incidents.Incident(p.Context, "id", id)
	if err != nil {
		return nil, r.public(p, err)
	}
	return i, nil
}
