package registry_test

import (
	"os/exec"
	"strings"
	"testing"
)

// The import graph flows one way: transport (server, schema, resolvers,
// access, jobs) -> services (declared in registry) -> storage (store) ->
// domain (registry). A transport package that reached the store, or the
// domain that reached a driver, would let a rule or a query be written a
// second time outside its home; this test fails such a change. (That the
// domain imports only the standard library is TestImportsOnlyTheStandardLibrary's.)
func TestImportGraphFlowsOneWay(t *testing.T) {
	const mod = "github.com/kedja/kedja/"
	storage := []string{mod + "store", "github.com/lib/pq", "github.com/jmoiron/sqlx", "database/sql"}
	tests := []struct {
		pkg       string
		forbidden []string // packages it must not depend on, directly or not
	}{
		{"graph", append([]string{mod + "resolvers", mod + "schema", mod + "server", mod + "access", mod + "jobs"}, storage...)},
		{"access", append([]string{mod + "resolvers", mod + "schema", mod + "server"}, storage...)},
		{"resolvers", append([]string{mod + "schema", mod + "server"}, storage...)},
		{"schema", append([]string{mod + "server"}, storage...)},
		{"server", storage},
		{"web", append([]string{mod + "server", mod + "schema"}, storage...)},
		{"jobs", storage},
		{"store", []string{mod + "access", mod + "resolvers", mod + "schema", mod + "server", mod + "graph", mod + "jobs", mod + "web"}},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", mod+tt.pkg).CombinedOutput()
			if err != nil {
				t.Fatalf("go list -deps %s: %v\n%s", tt.pkg, err, out)
			}
			deps := map[string]bool{}
			for _, d := range strings.Fields(string(out)) {
				deps[d] = true
			}
			for _, f := range tt.forbidden {
				if deps[f] {
					t.Errorf("%s depends on %s", tt.pkg, f)
				}
			}
		})
	}
}
