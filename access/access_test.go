package access

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/kedja/kedja/registry"
)

type fakeTokens map[string]registry.Token

func (f fakeTokens) Authenticate(_ context.Context, secret string) (registry.Token, bool, error) {
	if secret == "boom" {
		return registry.Token{}, false, errors.New("database down")
	}
	t, ok := f[secret]
	return t, ok, nil
}

func TestAuthenticate(t *testing.T) {
	ctx := context.Background()
	a := NewAuthenticator(fakeTokens{"kedja_good": {Name: "ci", Role: registry.RoleEditor, Prefix: "kedja_good"}}, 1, 2)

	p, err := a.Authenticate(ctx, " kedja_good ", "10.0.0.1")
	if err != nil || p != (Principal{Name: "ci", Role: registry.RoleEditor, Client: "10.0.0.1"}) {
		t.Fatalf("good token: %+v, %v", p, err)
	}
	if _, err := a.Authenticate(ctx, "", "10.0.0.1"); !errors.Is(err, ErrNoToken) {
		t.Errorf("no token: %v", err)
	}
	if p, err := a.Authenticate(ctx, "boom", "10.0.0.1"); err == nil || p.Name != "anonymous" {
		t.Errorf("failed lookup: %+v, %v", p, err)
	}
	// The token's own bucket (burst 2) is spent by a second request; the
	// principal is still the token's, to be recorded as such.
	p, err = a.Authenticate(ctx, "kedja_good", "10.0.0.1")
	if err != nil {
		t.Fatalf("second request: %v", err)
	}
	if p, err := a.Authenticate(ctx, "kedja_good", "10.0.0.1"); !errors.Is(err, ErrTooManyRequests) || p.Name != "ci" {
		t.Errorf("third request: %+v, %v", p, err)
	}
	// Two failed attempts spend the address's bucket; the third attempt,
	// even with a good token, is refused before any lookup.
	for range 2 {
		if _, err := a.Authenticate(ctx, "kedja_guess", "10.0.0.2"); !errors.Is(err, ErrUnknownToken) {
			t.Fatalf("guess: %v", err)
		}
	}
	if p, err := a.Authenticate(ctx, "kedja_good", "10.0.0.2"); !errors.Is(err, ErrTooManyFailures) || p.Name != "anonymous" {
		t.Errorf("after guesses: %+v, %v", p, err)
	}
}

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
