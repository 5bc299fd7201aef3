package resolvers

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
)

// Organisation resolves organisation(id).
func (r *Resolvers) Organisation() graphql.FieldResolveFn {
	return one(r, OrganisationSvc, registry.OrganisationService.Organisation)
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

// Providers resolves the links by which an organisation hands data on at an
// instant (its providers; for a provider, its subcontractors). With
// processorsOnly, only processor and sub-processor links count.
func (r *Resolvers) Providers(processorsOnly bool) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		at, err := r.atOrNow(p, "at")
		if err != nil {
			return nil, err
		}
		links := loadersOf(p.Context).linksFrom
		links.look(p)
		th := links.load(p.Context, atKey(p.Source.(registry.Organisation).ID, &at))
		return func() (any, error) {
			all, _, err := th()
			out := []registry.Link{}
			for _, l := range all {
				if !processorsOnly || l.Role == "processor" || l.Role == "sub_processor" {
					out = append(out, l)
				}
			}
			return out, err
		}, nil
	})
}

// DecodeOrganisation maps an OrganisationCreateInput or OrganisationUpdateInput.
func DecodeOrganisation(in *input, o *registry.Organisation) {
	in.str("legalName", &o.LegalName)
	in.optStr("orgNumber", &o.OrgNumber)
	in.str("country", &o.Country)
	in.str("kind", &o.Kind)
	in.optID("parentId", &o.ParentID)
	in.optStr("countyCode", &o.CountyCode)
	in.optStr("countyLetter", &o.CountyLetter)
	in.str("timeZone", &o.TimeZone)
}
