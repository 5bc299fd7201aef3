package resolvers

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
)

// Link resolves link(id).
func (r *Resolvers) Link() graphql.FieldResolveFn {
	return one(r, LinkSvc, registry.LinkService.Link)
}

// Links resolves links(filter, first, after).
func (r *Resolvers) Links() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		pg, err := page(p)
		if err != nil {
			return nil, err
		}
		var f registry.LinkFilter
		in := r.filterOf(p)
		in.optID("fromId", &f.FromID)
		in.optID("toId", &f.ToID)
		in.optStr("role", &f.Role)
		in.optInstant("at", &f.At)
		if err := in.finish(); err != nil {
			return nil, err
		}
		rows, more, err := r.Services.Links.ListLinks(p.Context, f, pg)
		return connection(rows, more, func(v *registry.Link) int64 { return v.ID }), err
	})
}

// SystemUse resolves systemUse(id).
func (r *Resolvers) SystemUse() graphql.FieldResolveFn {
	return one(r, LinkSvc, registry.LinkService.SystemUse)
}

// DataMove resolves dataMove(id).
func (r *Resolvers) DataMove() graphql.FieldResolveFn {
	return one(r, LinkSvc, registry.LinkService.DataMove)
}

// SystemUses resolves systemUses(filter, first, after).
func (r *Resolvers) SystemUses() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		pg, err := page(p)
		if err != nil {
			return nil, err
		}
		var f registry.SystemUseFilter
		in := r.filterOf(p)
		in.optID("linkId", &f.LinkID)
		in.optID("systemId", &f.SystemID)
		in.optID("partyId", &f.PartyID)
		in.optInstant("at", &f.At)
		if err := in.finish(); err != nil {
			return nil, err
		}
		rows, more, err := r.Services.Links.ListSystemUses(p.Context, f, pg)
		return connection(rows, more, func(v *registry.SystemUse) int64 { return v.ID }), err
	})
}

// DataMoves resolves dataMoves(systemId, first, after).
func (r *Resolvers) DataMoves() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		pg, err := page(p)
		if err != nil {
			return nil, err
		}
		var sys *int64
		if v, ok := p.Args["systemId"]; ok && v != nil {
			id, err := parseID("systemId", v)
			if err != nil {
				return nil, err
			}
			sys = &id
		}
		rows, more, err := r.Services.Links.ListDataMoves(p.Context, sys, pg)
		return connection(rows, more, func(v *registry.DataMove) int64 { return v.ID }), err
	})
}

// DecodeLink maps a LinkCreateInput or LinkUpdateInput.
func DecodeLink(in *input, l *registry.Link) {
	in.id("fromId", &l.FromID)
	in.id("toId", &l.ToID)
	in.str("role", &l.Role)
	in.str("purpose", &l.Purpose)
	in.strs("dataCategories", &l.DataCategories)
	in.boolean("healthData", &l.HealthData)
	in.instant("validFrom", &l.From)
	in.optInstant("validTo", &l.To)
	in.optStr("agreementRef", &l.AgreementRef)
	in.optDate("agreementDate", &l.AgreementDate)
	in.str("authorisation", &l.Authorisation)
	in.optDate("authorisationDate", &l.AuthorisationDate)
	in.optID("authorisingControllerId", &l.AuthorisingControllerID)
	in.str("transferMechanism", &l.TransferMechanism)
	in.optInt16("sccModule", &l.SCCModule)
	in.optStr("transferTool", &l.TransferTool)
	in.optDate("tiaDate", &l.TIADate)
	in.optStr("routingNote", &l.RoutingNote)
	in.optStr("routingTimeZone", &l.RoutingTimeZone)
	in.windows("routingWindows", &l.RoutingWindows)
	in.optFloat("routingShare", &l.RoutingShare)
}

// DecodeRoleFinding maps a RoleFindingInput.
func DecodeRoleFinding(in *input, f *registry.RoleFinding) {
	in.id("linkId", &f.LinkID)
	in.str("role", &f.Role)
	in.str("authority", &f.Authority)
	in.date("decidedOn", &f.DecidedOn)
	in.optStr("reference", &f.Reference)
	in.optStr("note", &f.Note)
}

// DecodeSystemUse maps a SystemUseInput.
func DecodeSystemUse(in *input, u *registry.SystemUse) {
	in.id("linkId", &u.LinkID)
	in.id("systemId", &u.SystemID)
	in.id("partyId", &u.PartyID)
	in.optStr("purpose", &u.Purpose)
	in.instant("validFrom", &u.From)
	in.optInstant("validTo", &u.To)
}

// DecodeDataMove maps a DataMoveInput.
func DecodeDataMove(in *input, m *registry.DataMove) {
	in.id("fromSystemId", &m.FromSystemID)
	in.id("toSystemId", &m.ToSystemID)
	in.instant("movedAt", &m.MovedAt)
	in.optInstant("recordedFrom", &m.RecordedFrom)
	in.optInstant("recordedUntil", &m.RecordedUntil)
	in.optStr("note", &m.Note)
}
