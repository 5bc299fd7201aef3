package schema

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

// tokenFields adds the lock-outs of token guessing to the query root, and
// liftLockout to the mutation root.
func (t *types) tokenFields(r *resolvers.Resolvers, query, mutation graphql.Fields) {
	lockout := graphql.NewObject(graphql.ObjectConfig{Name: "Lockout",
		Description: "A client address or a token prefix refused after too many attempts with unknown secrets, until an admin lifts it.",
		Fields: graphql.Fields{
			"id":       field(nn(graphql.ID), "The lock-out's number.", func(l registry.Lockout) any { return id(l.ID) }),
			"kind":     field(nn(graphql.String), "address (a client address, an IPv6 one by its /64) or prefix (a token's first characters, as token lists show them).", func(l registry.Lockout) any { return l.Kind }),
			"key":      field(nn(graphql.String), "The address or prefix.", func(l registry.Lockout) any { return l.Key }),
			"failures": field(nn(graphql.Int), "Failed attempts counted when it was locked out.", func(l registry.Lockout) any { return l.Failures }),
			"lockedAt": field(nn(t.instant), "When it was locked out.", func(l registry.Lockout) any { return l.LockedAt }),
			"liftedAt": field(t.instant, "When an admin lifted it; null while in force.", func(l registry.Lockout) any { return optTime(l.LiftedAt) }),
			"liftedBy": field(graphql.String, "Who lifted it; null while in force.", func(l registry.Lockout) any { return optStr(l.LiftedBy) }),
		}})
	query["lockouts"] = &graphql.Field{Type: list(lockout), Resolve: r.Lockouts(),
		Description: "The lock-outs in force, oldest first."}
	mutation["liftLockout"] = &graphql.Field{Type: list(lockout), Resolve: r.LiftLockout(),
		Description: "Lifts the lock-outs in force of a client address or a token prefix and returns them; every instance lets the " +
			"address or prefix try again within seconds, its failures forgotten. A NOT_FOUND error (field target) if none is in force.",
		Args: graphql.FieldConfigArgument{
			"target": {Type: nn(graphql.String), Description: "The address or prefix, as lockouts lists it."},
		}}
}
