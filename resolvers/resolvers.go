// Package resolvers does what each GraphQL field asks: it reads arguments,
// checks them, and loads or writes registry data through the registry's
// services, batching nested lists so that no list costs a query per row.
package resolvers

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/graph/render"
	"github.com/kedja/kedja/registry"
)

// Resolvers holds what every resolver needs.
type Resolvers struct {
	// Services are the use cases every field calls.
	Services registry.Services
	Log      *slog.Logger
	// Location is the registry's time zone: instants given without an offset
	// are read in it.
	Location *time.Location
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Pictures draws SVG and PNG in render worker processes; without it,
	// pictures answer RENDER_UNAVAILABLE (DOT is always available).
	Pictures *render.Pool
	// Links signs the report links a browser opens without a token.
	ReportLinks *access.LinkSigner
}

// Render draws dot in format through the render pool.
func (r *Resolvers) Render(ctx context.Context, dot, format string) ([]byte, error) {
	if r.Pictures != nil {
		return r.Pictures.Render(ctx, dot, format)
	}
	if format == "dot" {
		return []byte(dot), nil
	}
	return nil, &registry.Error{Code: render.ECodeUnavailable, Message: "this kedja draws no pictures; DOT is available"}
}

// New returns resolvers over the services.
func New(svc registry.Services, log *slog.Logger, loc *time.Location) *Resolvers {
	return &Resolvers{Services: svc, Log: log, Location: loc, Now: time.Now, ReportLinks: access.NewLinkSigner(nil, access.LinkTTL)}
}

// Service picks one service out of the services when a field resolves, so
// that the schema can be built, and its SDL printed, without any.
type Service[S any] func(registry.Services) S

// The services that generic resolvers (Create, Update, End) are given.
var (
	OrganisationSvc Service[registry.OrganisationService] = func(s registry.Services) registry.OrganisationService { return s.Organisations }
	SystemSvc       Service[registry.SystemService]       = func(s registry.Services) registry.SystemService { return s.Systems }
	LinkSvc         Service[registry.LinkService]         = func(s registry.Services) registry.LinkService { return s.Links }
	AttestationSvc  Service[registry.AttestationService]  = func(s registry.Services) registry.AttestationService { return s.Attestations }
	CountrySvc      Service[registry.CountryService]      = func(s registry.Services) registry.CountryService { return s.Countries }
	PolicySvc       Service[registry.PolicyService]       = func(s registry.Services) registry.PolicyService { return s.Policies }
	checkSvc        Service[registry.CheckService]        = func(s registry.Services) registry.CheckService { return s.Checks }
)

type ctxKey int

const (
	actorKey ctxKey = iota
	loadersKey
)

// withRequest prepares ctx for one GraphQL request: who is asking (recorded as
// the author of every change) and a fresh set of batch loaders.
func (r *Resolvers) withRequest(ctx context.Context, actor string) context.Context {
	ctx = context.WithValue(ctx, actorKey, actor)
	return context.WithValue(ctx, loadersKey, &lazyLoaders{r: r})
}

// lazyLoaders makes a request's loaders when a field first needs one: a
// request that reads nothing through them ({ __typename }, a mutation, a
// trace) does not pay for the few hundred allocations of the whole set.
type lazyLoaders struct {
	once sync.Once
	r    *Resolvers
	l    *loaders
}

func actor(ctx context.Context) string {
	a, _ := ctx.Value(actorKey).(string)
	return a
}

func loadersOf(ctx context.Context) *loaders {
	l, _ := ctx.Value(loadersKey).(*lazyLoaders)
	if l == nil {
		panic("resolvers: request context lacks loaders; use WithRequest")
	}
	l.once.Do(func() { l.l = newLoaders(l.r.Services) })
	return l.l
}

// apiError is an error as a GraphQL caller sees it: a message and a code in
// extensions (and the input field, where there is one).
type apiError struct {
	message string
	ext     map[string]any
}

func (e *apiError) Error() string              { return e.message }
func (e *apiError) Extensions() map[string]any { return e.ext }
func newAPIError(code registry.Code, field, msg string) *apiError {
	ext := map[string]any{"code": string(code)}
	if field != "" {
		ext["field"] = field
	}
	return &apiError{message: msg, ext: ext}
}

// public turns err into what the caller may see. Internal errors are logged
// with the field being resolved and replaced by a generic message, because
// their text can carry SQL, table names or data.
func (r *Resolvers) public(p graphql.ResolveParams, err error) error {
	if err == nil {
		return nil
	}
	if e := registry.AsError(err); e != nil {
		return newAPIError(e.Code, e.Field, e.Error())
	}
	if p.Context.Err() != nil {
		return newAPIError("TIMEOUT", "", "the request was cancelled or took too long")
	}
	r.Log.Error("resolver failed", "field", p.Info.FieldName, "path", p.Info.Path.AsArray(), "err", err)
	return newAPIError(registry.EInternal, "", "internal error")
}

// resolve wraps a resolver so its errors, and those of the thunk it may
// return, are made public safely.
func (r *Resolvers) resolve(fn func(p graphql.ResolveParams) (any, error)) graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) {
		v, err := fn(p)
		if err != nil {
			return nil, r.public(p, err)
		}
		if th, ok := v.(func() (any, error)); ok {
			return func() (any, error) {
				v, err := th()
				return v, r.public(p, err)
			}, nil
		}
		return v, nil
	}
}

// WithPrincipal prepares ctx for one request by principal: the role every
// field checks and the request's audit notes (access.WithPrincipal), the
// author of every change, and fresh batch loaders.
func (r *Resolvers) WithPrincipal(ctx context.Context, p access.Principal) context.Context {
	return r.withRequest(access.WithPrincipal(ctx, p), p.Name)
}

// Guard lets a field resolve only for the given roles (access.Rule's). A
// refusal says FORBIDDEN and nothing else: it comes before any lookup, so it
// cannot tell whether the object asked for exists. It lives here rather than
// in access because the refusal is a GraphQL error of this package's kind.
func Guard(roles []string, next graphql.FieldResolveFn) graphql.FieldResolveFn {
	allowed := map[string]bool{}
	for _, r := range roles {
		allowed[r] = true
	}
	return func(p graphql.ResolveParams) (any, error) {
		pr, ok := access.PrincipalOf(p.Context)
		if !ok || !allowed[pr.Role] {
			return nil, newAPIError("FORBIDDEN", "", "not allowed for this role")
		}
		return next(p)
	}
}
