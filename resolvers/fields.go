package resolvers

import (
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
)

// at reads the optional instant argument name; nil when not given.
func (r *Resolvers) at(p graphql.ResolveParams, name string) (*time.Time, error) {
	v, ok := p.Args[name].(string)
	if !ok {
		return nil, nil
	}
	t, err := registry.ParseInstant(name, v, r.Location)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// atOrNow reads the instant argument name, defaulting to now.
func (r *Resolvers) atOrNow(p graphql.ResolveParams, name string) (time.Time, error) {
	t, err := r.at(p, name)
	if err != nil || t != nil {
		return deref(t), err
	}
	return r.Now(), nil
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// ByID resolves a field holding the id of another object, through a batch
// loader; a nil id resolves to null.
func ByID[S, V any](r *Resolvers, pick func(*loaders) *loader[int64, V], id func(S) *int64) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		ref := id(p.Source.(S))
		if ref == nil {
			return nil, nil
		}
		th := pick(loadersOf(p.Context)).load(p.Context, *ref)
		return func() (any, error) {
			v, ok, err := th()
			if err != nil || !ok {
				return nil, err
			}
			return v, nil
		}, nil
	})
}

// Related resolves a one-to-many relation through a batch loader, as of the
// field's optional "at" argument (every row, current and past, without it).
func Related[S, T any](r *Resolvers, pick func(*loaders) *loader[relKey, []T], id func(S) int64) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		at, err := r.at(p, "at")
		if err != nil {
			return nil, err
		}
		th := pick(loadersOf(p.Context)).load(p.Context, atKey(id(p.Source.(S)), at))
		return func() (any, error) {
			v, _, err := th()
			if v == nil {
				v = []T{}
			}
			return v, err
		}, nil
	})
}

// History resolves an object's recorded changes.
func History[S any](r *Resolvers, table string, id func(S) int64) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		th := loadersOf(p.Context).history.load(p.Context, registry.IDKey(table, id(p.Source.(S))))
		return func() (any, error) {
			v, _, err := th()
			if v == nil {
				v = []registry.Change{}
			}
			return v, err
		}, nil
	})
}

// Loaders used by the schema's relation fields.
func Orgs(l *loaders) *loader[int64, registry.Organisation]                { return l.orgs }
func Systems(l *loaders) *loader[int64, registry.System]                   { return l.systems }
func Links(l *loaders) *loader[int64, registry.Link]                       { return l.links }
func Children(l *loaders) *loader[relKey, []registry.Organisation]         { return l.children }
func Operated(l *loaders) *loader[relKey, []registry.System]               { return l.operated }
func Profiles(l *loaders) *loader[relKey, []registry.SystemProfile]        { return l.profiles }
func Locations(l *loaders) *loader[relKey, []registry.SystemLocation]      { return l.locations }
func LinksFrom(l *loaders) *loader[relKey, []registry.Link]                { return l.linksFrom }
func LinksTo(l *loaders) *loader[relKey, []registry.Link]                  { return l.linksTo }
func RoleFindings(l *loaders) *loader[relKey, []registry.RoleFinding]      { return l.findings }
func UsesByLink(l *loaders) *loader[relKey, []registry.SystemUse]          { return l.usesByLink }
func UsesByParty(l *loaders) *loader[relKey, []registry.SystemUse]         { return l.usesByParty }
func UsesBySystem(l *loaders) *loader[relKey, []registry.SystemUse]        { return l.usesBySys }
func MovesFrom(l *loaders) *loader[relKey, []registry.DataMove]            { return l.movesFrom }
func MovesTo(l *loaders) *loader[relKey, []registry.DataMove]              { return l.movesTo }
func AttestationsOfOrg(l *loaders) *loader[relKey, []registry.Attestation] { return l.attByOrg }
func AttestationsOfSys(l *loaders) *loader[relKey, []registry.Attestation] { return l.attBySys }

// Providers resolves the links by which an organisation hands data on at an
// instant (its providers; for a provider, its subcontractors). With
// processorsOnly, only processor and sub-processor links count.
func (r *Resolvers) Providers(processorsOnly bool) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		at, err := r.atOrNow(p, "at")
		if err != nil {
			return nil, err
		}
		th := loadersOf(p.Context).linksFrom.load(p.Context, atKey(p.Source.(registry.Organisation).ID, &at))
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

// EEAMemberships and AdequacyDecisions pick the country loaders.
func EEAMemberships(l *loaders) *loader[countryKey, []registry.EEAMembership] { return l.eea }
func AdequacyDecisions(l *loaders) *loader[countryKey, []registry.AdequacyDecision] {
	return l.adequacy
}

// Connection is one page of a list.
type Connection struct {
	Nodes       any
	HasNextPage bool
	EndCursor   *string
}

const maxPage = 500

// pageSize reads the first argument of a list field: 1-500, default 50.
func pageSize(p graphql.ResolveParams) (int, error) {
	n, ok := p.Args["first"].(int)
	if !ok {
		return 50, nil
	}
	if n < 1 || n > maxPage {
		return 0, registry.Invalid("first", "must be between 1 and %d", maxPage)
	}
	return n, nil
}

// page reads the first/after arguments of a list field.
func page(p graphql.ResolveParams) (registry.Page, error) {
	var pg registry.Page
	var err error
	if pg.First, err = pageSize(p); err != nil {
		return pg, err
	}
	if c, ok := p.Args["after"].(string); ok && c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		id, perr := strconv.ParseInt(strings.TrimPrefix(string(b), "id:"), 10, 64)
		if err != nil || perr != nil || !strings.HasPrefix(string(b), "id:") || id < 0 {
			return pg, registry.Invalid("after", "not a cursor from this list")
		}
		pg.After = id
	}
	return pg, nil
}

func connection[T any](rows []T, more bool, id func(*T) int64) Connection {
	c := Connection{Nodes: rows, HasNextPage: more}
	if rows == nil {
		c.Nodes = []T{}
	}
	if n := len(rows); n > 0 {
		s := base64.RawURLEncoding.EncodeToString([]byte("id:" + strconv.FormatInt(id(&rows[n-1]), 10)))
		c.EndCursor = &s
	}
	return c
}

// Traces are listed by creation time and id, not by a numeric id: their
// cursor is "trace:" + microseconds since 1970 (PostgreSQL's precision) +
// ":" + the trace's id, base64url-encoded like the others.
const traceCursorPrefix = "trace:"

var traceID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func encodeTraceCursor(c registry.TraceCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(traceCursorPrefix + strconv.FormatInt(c.CreatedAt.UnixMicro(), 10) + ":" + c.ID))
}

// tracePage reads the first/after arguments of traces.
func tracePage(p graphql.ResolveParams) (registry.TracePage, error) {
	var pg registry.TracePage
	var err error
	if pg.First, err = pageSize(p); err != nil {
		return pg, err
	}
	c, ok := p.Args["after"].(string)
	if !ok || c == "" {
		return pg, nil
	}
	bad := registry.Invalid("after", "not a cursor from this list")
	b, err := base64.RawURLEncoding.DecodeString(c)
	rest, found := strings.CutPrefix(string(b), traceCursorPrefix)
	if err != nil || !found {
		return pg, bad
	}
	micros, id, found := strings.Cut(rest, ":")
	us, err := strconv.ParseInt(micros, 10, 64)
	if !found || err != nil || !traceID.MatchString(id) {
		return pg, bad
	}
	pg.After = &registry.TraceCursor{CreatedAt: time.UnixMicro(us), ID: id}
	return pg, nil
}
