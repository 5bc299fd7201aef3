package resolvers

import (
	"time"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
)

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

// CountryByCode resolves a field holding a country code.
func (r *Resolvers) CountryByCode(code func(any) string) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		th := loadersOf(p.Context).countries.load(p.Context, code(p.Source))
		return func() (any, error) {
			v, ok, err := th()
			if err != nil || !ok {
				return nil, err
			}
			return v, nil
		}, nil
	})
}

// Standing is a country's standing for transfers at an instant.
type Standing struct {
	Country  registry.Country
	At       time.Time
	EEA      bool
	Adequacy *registry.AdequacyDecision
}

// Class names the standing: EEA, ADEQUACY (full), PARTIAL_ADEQUACY or
// THIRD_COUNTRY.
func (s Standing) Class() string {
	switch {
	case s.EEA:
		return "eea"
	case s.Adequacy != nil && s.Adequacy.Scope == "full":
		return "adequacy"
	case s.Adequacy != nil:
		return "partial_adequacy"
	}
	return "third_country"
}

// CountryStanding resolves a country's standing at the field's instant.
func (r *Resolvers) CountryStanding() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		at, err := r.atOrNow(p, "at")
		if err != nil {
			return nil, err
		}
		c := p.Source.(registry.Country)
		l := loadersOf(p.Context)
		key := countryKey{c.Code, at.UTC()}
		eea := l.eea.load(p.Context, key)
		adq := l.adequacy.load(p.Context, key)
		return func() (any, error) {
			ms, _, err := eea()
			if err != nil {
				return nil, err
			}
			ds, _, err := adq()
			if err != nil {
				return nil, err
			}
			s := Standing{Country: c, At: at, EEA: len(ms) > 0}
			if len(ds) > 0 {
				s.Adequacy = &ds[0]
			}
			return s, nil
		}, nil
	})
}

// CountryHistory resolves every dated row of a country's standing (EEA
// memberships or adequacy decisions), oldest first.
func CountryHistory[T any](r *Resolvers, pick func(*loaders) *loader[countryKey, []T]) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		th := pick(loadersOf(p.Context)).load(p.Context, countryKey{Code: p.Source.(registry.Country).Code})
		return func() (any, error) {
			v, _, err := th()
			if v == nil {
				v = []T{}
			}
			return v, err
		}, nil
	})
}

// RenameCountry resolves renameCountry(code, name).
func (r *Resolvers) RenameCountry() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		code, _ := p.Args["code"].(string)
		name, _ := p.Args["name"].(string)
		out, err := r.Services.Countries.RenameCountry(p.Context, actor(p.Context), code, name)
		noteChanged(p.Context, out, err)
		return out, err
	})
}

// DecodeEEAMembership maps an EEAMembershipInput.
func DecodeEEAMembership(in *input, m *registry.EEAMembership) {
	in.str("country", &m.Country)
	in.date("validFrom", &m.From)
	in.optDate("validTo", &m.To)
}

// DecodeAdequacyDecision maps an AdequacyDecisionInput.
func DecodeAdequacyDecision(in *input, d *registry.AdequacyDecision) {
	in.str("country", &d.Country)
	in.str("law", &d.Law) // absent: the EU's (Validate)
	in.str("scope", &d.Scope)
	in.optStr("conditionCode", &d.ConditionCode)
	in.optStr("condition", &d.Condition)
	in.optStr("decisionRef", &d.DecisionRef)
	in.date("decidedOn", &d.DecidedOn)
	in.date("validFrom", &d.From)
	in.optDate("validTo", &d.To)
}
