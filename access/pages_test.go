package access

import (
	"slices"
	"testing"

	"github.com/kedja/kedja/registry"
)

// TestPageRules: every page has a rule naming known roles, and no page is
// open to a role the query behind it refuses.
func TestPageRules(t *testing.T) {
	behind := map[string]string{"home": "Query.findingSummary", "findings": "Query.findings", "finding": "Query.finding",
		"chain": "Query.chain", "party": "Query.organisation", "system": "Query.system", "dsr": "Query.traces",
		"dsr.run": "Mutation.traceCall", "report": "Query.trace", "dsr.regions": "Mutation.traceCall",
		"records": "Query.record",
		"imports": "Query.imports", "import": "Query.import", "imports.run": "Mutation.importSubprocessorList",
		"imports.approve": "Mutation.approveImport", "imports.reject": "Mutation.rejectImport"}
	behind["finding.accept"], behind["responsibility"], behind["audit"] = "Mutation.acceptFinding", "Query.responsibility", "Query.auditLog"
	// The link page, the edit forms, and where a thing sits in the chains.
	for page, q := range map[string]string{"link": "Query.link", "link.edit": "Mutation.updateLink",
		"party.edit": "Mutation.updateOrganisation", "system.edit": "Mutation.updateSystem", "placements": "Query.responsibility"} {
		behind[page] = q
	}
	// The API explorer and the SDL show the schema, as introspection does.
	behind["explorer"] = "Query.__schema"
	for page, roles := range PageRules {
		if len(roles) == 0 {
			t.Errorf("%s: no role may open it", page)
		}
		for _, r := range roles {
			if !slices.Contains(registry.AccessRoles, r) {
				t.Errorf("%s: unknown role %q", page, r)
			}
			if q, ok := behind[page]; !ok || !slices.Contains(RootRules[q], r) {
				t.Errorf("%s: open to %s, which %s refuses", page, r, q)
			}
		}
	}
}
