package registry

import "time"

// Access roles: whom a token speaks for. What each may do is package access's
// rule table (access/rules.go); the list is here, once.
const (
	RoleAdmin   = "admin"   // everything, legal reference data included
	RoleEditor  = "editor"  // procurement: reads and writes registry data, runs checks
	RoleAuditor = "auditor" // regulator: reads everything, the audit log included; writes nothing
	RoleDSR     = "dsr"     // access-request handler: traces and their reports only
)

// AccessRoles lists the access roles.
var AccessRoles = []string{RoleAdmin, RoleEditor, RoleAuditor, RoleDSR}

// RoleTitles names each role as a person reading a report (a citizen who
// asked for access, say) would understand it, in Swedish and English:
// a report names who compiled it by role, never by a token's name.
var RoleTitles = map[string][2]string{
	RoleAdmin:   {"administratör av registret", "the registry's administrator"},
	RoleEditor:  {"registerredaktör", "a registry editor"},
	RoleAuditor: {"granskare", "an auditor"},
	RoleDSR:     {"handläggare av begäran om tillgång", "an access-request handler"},
}

// TokenPrefix starts every kedja token, so a leaked one is recognisable
// (and findable by secret scanners).
const TokenPrefix = "kedja_"

// Token is an API token as stored: never the token itself, only its hash.
type Token struct {
	ID         int64      `db:"id"`
	Name       string     `db:"name"`
	Role       string     `db:"role"`
	Prefix     string     `db:"prefix"`
	CreatedAt  time.Time  `db:"created_at"`
	CreatedBy  string     `db:"created_by"`
	ExpiresAt  *time.Time `db:"expires_at"`
	LastUsedAt *time.Time `db:"last_used_at"`
	RevokedAt  *time.Time `db:"revoked_at"`
}

// Lock-out kinds: what a lock-out stops authentication attempts from.
const (
	LockAddress = "address" // a client address (an IPv6 one by its /64)
	LockPrefix  = "prefix"  // a token prefix: attempts at one token's secret
)

// Lockout stops authentication attempts from an address or against a
// token prefix after too many failures, until an admin lifts it.
type Lockout struct {
	ID       int64      `db:"id"`
	Kind     string     `db:"kind"`
	Key      string     `db:"key"`
	Failures int        `db:"failures"`
	LockedAt time.Time  `db:"locked_at"`
	LiftedAt *time.Time `db:"lifted_at"`
	LiftedBy *string    `db:"lifted_by"`
}

// AuditEntry is one request as the audit log recorded it.
type AuditEntry struct {
	ID        int64
	At        time.Time
	Principal string
	Role      string
	Operation string
	QueryHash string
	Affected  []string // what the request touched, as kind:id
	CaseRef   *string
	Client    string
	Outcome   string
	PrevHash  []byte
	Hash      []byte
}

// AuditProblem is a row that breaks the audit log's chain.
type AuditProblem struct {
	ID     int64
	Reason string
}
