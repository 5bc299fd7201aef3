package resolvers

import (
	"strconv"
	"strings"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/access"
)

// Lockouts resolves lockouts: those in force, oldest first.
func (r *Resolvers) Lockouts() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		return r.Services.Tokens.Lockouts(p.Context)
	})
}

// LiftLockout resolves liftLockout(target). Authenticators everywhere see
// the lift when the address or prefix next tries (access.Guard.Recheck).
func (r *Resolvers) LiftLockout() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		target, _ := p.Args["target"].(string)
		ls, err := r.Services.Tokens.LiftLockout(p.Context, actor(p.Context), strings.TrimSuffix(strings.TrimSpace(target), "..."))
		for _, l := range ls {
			access.Note(p.Context, "lockout:"+strconv.FormatInt(l.ID, 10), "")
		}
		return ls, err
	})
}
