package schema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

// Roles, and who may do what. Every root field has a rule of its own; every
// other field takes its type's rule. A root field or type without a rule
// makes schema.New fail, so nothing new is reachable by accident.
const (
	admin   = registry.RoleAdmin
	editor  = registry.RoleEditor
	auditor = registry.RoleAuditor
	dsr     = registry.RoleDSR
)

var (
	readers   = []string{admin, editor, auditor}
	writers   = []string{admin, editor}
	adminOnly = []string{admin}
	everyone  = []string{admin, editor, auditor, dsr}
	traceRead = []string{admin, auditor, dsr}
)

// RootRules says which roles may use each root field.
var RootRules = map[string][]string{
	"Query.organisation": readers, "Query.organisations": readers, "Query.system": readers, "Query.systems": readers,
	"Query.link": readers, "Query.links": readers, "Query.attestation": readers, "Query.attestations": readers,
	"Query.country": readers, "Query.countries": readers, "Query.systemUse": readers, "Query.systemUses": readers,
	"Query.dataMove": readers, "Query.dataMoves": readers, "Query.chain": readers, "Query.responsibility": readers,
	"Query.findings": readers, "Query.finding": readers, "Query.checkRuns": readers, "Query.checks": readers,
	"Query.trace": traceRead, "Query.traces": traceRead,
	"Query.auditLog": {admin, auditor},

	"Mutation.createOrganisation": writers, "Mutation.updateOrganisation": writers, "Mutation.endOrganisation": writers,
	"Mutation.createSystem": writers, "Mutation.updateSystem": writers, "Mutation.endSystem": writers,
	"Mutation.setSystemProfile": writers, "Mutation.addSystemLocation": writers, "Mutation.endSystemLocation": writers,
	"Mutation.createLink": writers, "Mutation.updateLink": writers, "Mutation.endLink": writers,
	"Mutation.recordRoleFinding": writers, "Mutation.createSystemUse": writers, "Mutation.endSystemUse": writers,
	"Mutation.recordDataMove": writers, "Mutation.createAttestation": writers, "Mutation.updateAttestation": writers,
	"Mutation.withdrawAttestation": writers, "Mutation.setLocationPolicy": writers, "Mutation.endLocationPolicy": writers,
	"Mutation.runChecks": writers, "Mutation.acceptFinding": writers,
	// traceCall stores the trace it makes: a write, for the access-request
	// handlers whose case it is.
	"Mutation.traceCall": {admin, dsr},
	// Legal reference data changes what every check concludes.
	"Mutation.renameCountry": adminOnly, "Mutation.addEEAMembership": adminOnly, "Mutation.endEEAMembership": adminOnly,
	"Mutation.addAdequacyDecision": adminOnly, "Mutation.endAdequacyDecision": adminOnly,
}

// TypeRules says which roles may read the fields of each type.
var TypeRules = map[string][]string{
	"CallTrace": traceRead, "TraceParty": traceRead, "TraceHolder": traceRead, "TraceSystem": traceRead,
	"TraceReason": traceRead, "TraceExcluded": traceRead, "TraceCountry": traceRead,
	"AuditEntry": {admin, auditor},
	// Pages carry whatever their root field allowed.
	"PageInfo": everyone,

	"Organisation": readers, "System": readers, "SystemProfile": readers, "SystemLocation": readers,
	"Link": readers, "Routing": readers, "RoutingWindow": readers, "RoleFinding": readers, "SystemUse": readers,
	"DataMove": readers, "Attestation": readers, "Country": readers, "CountryStanding": readers,
	"EEAMembership": readers, "AdequacyDecision": readers, "Change": readers, "Chain": readers, "ChainStep": readers,
	"ChainParty": readers, "ChainSystem": readers, "Responsibility": readers, "ResponsibilityPath": readers,
	"ResponsibilityLink": readers, "Gap": readers, "Finding": readers, "FindingEvent": readers, "CheckRun": readers,
	"Check": readers, "LocationPolicy": readers,
}

// guard wraps every field of every object type with its rule.
func guard(s graphql.Schema) error {
	var missing []string
	for name, t := range s.TypeMap() {
		obj, ok := t.(*graphql.Object)
		if !ok || strings.HasPrefix(name, "__") {
			continue
		}
		for fname, f := range obj.Fields() {
			roles, ok := ruleFor(name, fname)
			if !ok {
				missing = append(missing, name+"."+fname)
				continue
			}
			next := f.Resolve
			if next == nil {
				next = graphql.DefaultResolveFn
			}
			f.Resolve = resolvers.Guard(roles, next)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("schema: no access rule for %s", strings.Join(missing, ", "))
	}
	return nil
}

// ruleFor finds the rule for a field: its own for root fields, its type's
// otherwise (a page type takes PageInfo's).
func ruleFor(typeName, field string) ([]string, bool) {
	if typeName == "Query" || typeName == "Mutation" {
		r, ok := RootRules[typeName+"."+field]
		return r, ok
	}
	if strings.HasSuffix(typeName, "Connection") {
		return everyone, true
	}
	r, ok := TypeRules[typeName]
	return r, ok
}
