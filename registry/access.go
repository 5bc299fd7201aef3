package registry

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
