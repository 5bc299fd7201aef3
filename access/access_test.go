package access

import (
	"context"
	"slices"
	"testing"

	"github.com/kedja/kedja/registry"
)

func TestEntry(t *testing.T) {
	e := Entry(Principal{Name: "anonymous", Client: "10.0.0.1"}, "POST /graphql", "", "UNAUTHENTICATED", nil)
	if e.Role != "none" || e.QueryHash != "" || e.Affected != nil || e.CaseRef != nil || e.Client != "10.0.0.1" {
		t.Errorf("refusal: %+v", e)
	}
	ctx := WithPrincipal(context.Background(), Principal{Name: "dsr", Role: registry.RoleDSR})
	Note(ctx, "trace:x", "C-1")
	Note(context.Background(), "trace:lost", "") // outside a request: nowhere to note
	e = Entry(Principal{Name: "dsr", Role: registry.RoleDSR}, "traceCall", "{ x }", "ok", NotesOf(ctx))
	// The query is recorded by its hash only: it may name a case.
	if e.QueryHash != "cd140144ab2af6145e3658df027eac1c4b58f4b8504b3db0b1195907f313db5e" {
		t.Errorf("query hash %q", e.QueryHash)
	}
	if !slices.Equal(e.Affected, []string{"trace:x"}) || e.CaseRef == nil || *e.CaseRef != "C-1" {
		t.Errorf("traced: %+v", e)
	}
}

func TestEveryRootRuleNamesKnownRoles(t *testing.T) {
	for field, roles := range RootRules {
		for _, r := range roles {
			if !slices.Contains(registry.AccessRoles, r) {
				t.Errorf("%s: unknown role %q", field, r)
			}
		}
	}
	if roles, ok := Rule("OrganisationConnection", "edges"); !ok || len(roles) != len(registry.AccessRoles) {
		t.Errorf("a page takes PageInfo's rule: %v, %v", roles, ok)
	}
	if _, ok := Rule("Query", "nothing"); ok {
		t.Error("a root field without a rule has one")
	}
}
