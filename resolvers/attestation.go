package resolvers

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
)

// Attestation resolves attestation(id).
func (r *Resolvers) Attestation() graphql.FieldResolveFn {
	return one(r, AttestationSvc, registry.AttestationService.Attestation)
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

// AttestationStatus says whether an attestation counts at an instant, as
// kedja_attestation_status rules: one statement for all the attestations of
// a level.
func (r *Resolvers) AttestationStatus() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		at, err := r.atOrNow(p, "at")
		if err != nil {
			return nil, err
		}
		a := p.Source.(registry.Attestation)
		th := loadersOf(p.Context).attStatus.load(p.Context, relKey{ID: a.ID, At: at.UTC()})
		return func() (any, error) {
			status, ok, err := th()
			if err != nil || !ok {
				return nil, err
			}
			return status, nil
		}, nil
	})
}

// DecodeAttestation maps an AttestationCreateInput or AttestationUpdateInput.
func DecodeAttestation(in *input, a *registry.Attestation) {
	in.optID("orgId", &a.OrgID)
	in.optID("systemId", &a.SystemID)
	in.str("kind", &a.Kind)
	in.str("issuer", &a.Issuer)
	in.date("issuedOn", &a.IssuedOn)
	in.optDate("validUntil", &a.ValidUntil)
	in.optStr("scope", &a.Scope)
	in.optStr("evidenceRef", &a.EvidenceRef)
	in.ids("coveredSystemIds", &a.CoveredSystemIDs)
	in.boolean("selfAssessed", &a.SelfAssessed)
}
