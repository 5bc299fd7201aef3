package resolvers

import (
	"context"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
)

// filterOf returns the filter argument as an input, empty when not given.
func (r *Resolvers) filterOf(p graphql.ResolveParams) *input {
	m, _ := p.Args["filter"].(map[string]any)
	return newInput(m, "filter", nil, r.Location)
}

func idArg(p graphql.ResolveParams, name string) (int64, error) {
	return parseID(name, p.Args[name])
}

// one resolves a root field that fetches one object by its id argument.
func one[S, V any](r *Resolvers, svc Service[S], get func(s S, ctx context.Context, field string, id int64) (V, error)) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		id, err := idArg(p, "id")
		if err != nil {
			return nil, err
		}
		return get(svc(r.Services), p.Context, "id", id)
	})
}

// Organisation resolves organisation(id).
func (r *Resolvers) Organisation() graphql.FieldResolveFn {
	return one(r, OrganisationSvc, registry.OrganisationService.Organisation)
}

// System resolves system(id).
func (r *Resolvers) System() graphql.FieldResolveFn {
	return one(r, SystemSvc, registry.SystemService.System)
}

// Link resolves link(id).
func (r *Resolvers) Link() graphql.FieldResolveFn {
	return one(r, LinkSvc, registry.LinkService.Link)
}

// Attestation resolves attestation(id).
func (r *Resolvers) Attestation() graphql.FieldResolveFn {
	return one(r, AttestationSvc, registry.AttestationService.Attestation)
}

// Organisations resolves organisations(filter, first, after).
func (r *Resolvers) Organisations() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		pg, err := page(p)
		if err != nil {
			return nil, err
		}
		var f registry.OrganisationFilter
		in := r.filterOf(p)
		in.optStr("nameContains", &f.NameContains)
		in.optStr("kind", &f.Kind)
		in.optStr("country", &f.Country)
		in.optID("parentId", &f.ParentID)
		in.boolean("includeEnded", &f.IncludeEnded)
		if err := in.finish(); err != nil {
			return nil, err
		}
		rows, more, err := r.Services.Organisations.ListOrganisations(p.Context, f, pg)
		return connection(rows, more, func(o *registry.Organisation) int64 { return o.ID }), err
	})
}

// Systems resolves systems(filter, first, after).
func (r *Resolvers) Systems() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		pg, err := page(p)
		if err != nil {
			return nil, err
		}
		var f registry.SystemFilter
		in := r.filterOf(p)
		in.optStr("nameContains", &f.NameContains)
		in.optStr("kind", &f.Kind)
		in.optID("operatorId", &f.OperatorID)
		in.optID("vendorId", &f.VendorID)
		in.boolean("includeEnded", &f.IncludeEnded)
		if err := in.finish(); err != nil {
			return nil, err
		}
		rows, more, err := r.Services.Systems.ListSystems(p.Context, f, pg)
		return connection(rows, more, func(v *registry.System) int64 { return v.ID }), err
	})
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

// Attestations resolves attestations(filter, first, after).
func (r *Resolvers) Attestations() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		pg, err := page(p)
		if err != nil {
			return nil, err
		}
		var f registry.AttestationFilter
		in := r.filterOf(p)
		in.optStr("kind", &f.Kind)
		in.optID("orgId", &f.OrgID)
		in.optID("systemId", &f.SystemID)
		in.optDate("validOn", &f.ValidOn)
		in.boolean("includeWithdrawn", &f.IncludeWithdrawn)
		if err := in.finish(); err != nil {
			return nil, err
		}
		rows, more, err := r.Services.Attestations.ListAttestations(p.Context, f, pg)
		return connection(rows, more, func(v *registry.Attestation) int64 { return v.ID }), err
	})
}

// Country resolves country(code).
func (r *Resolvers) Country() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		code, _ := p.Args["code"].(string)
		cs, err := r.Services.Countries.Countries(p.Context, []string{code})
		if err != nil {
			return nil, err
		}
		c, ok := cs[code]
		if !ok {
			return nil, registry.NotFound("code", "no country %q", clip(code))
		}
		return c, nil
	})
}

// Countries resolves countries(eeaAt).
func (r *Resolvers) Countries() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		at, err := r.at(p, "eeaAt")
		if err != nil {
			return nil, err
		}
		return r.Services.Countries.ListCountries(p.Context, at)
	})
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
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
