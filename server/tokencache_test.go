package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/graph/render"
	"github.com/kedja/kedja/server"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// Two kedja servers share one database, each with its token cache (as kedja
// serve runs it). A token both have served from their caches, revoked as
// kedja token revoke does (a store of its own, caching nothing), is refused
// by each of them on the very next request; round after round, since a
// revocation that only raced its notification would lose some rounds.
func TestRevokedTokenRefusedAtOnceByEveryInstance(t *testing.T) {
	ctx := context.Background()
	url := storetest.Database(t)
	open := func() *store.Store { return storetest.StoreOn(t, url) }
	cfg := server.DefaultConfig
	cfg.RatePerSecond, cfg.RateBurst = 1000, 1000
	// Each revoked secret tried is a failure of this address: the guard's
	// budgets are not what is tested here.
	lots := access.Budget{PerSecond: 1000, Burst: 1000}
	cfg.Guard.Failures, cfg.Guard.Prefix, cfg.Guard.Anonymous = lots, lots, lots
	cfg.Guard.BackoffAfter, cfg.Guard.LockAfter = 1000, 10_000
	var instances []*harness
	for range 2 {
		s := open()
		if err := s.StartTokenCache(ctx, store.TokenCacheOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.CloseTokenCache(context.Background()) })
		instances = append(instances, newHarnessOn(t, s, false, cfg, render.Options{}))
	}
	cli := open()
	tests := []struct {
		name string
		role string
	}{{"Admin", "admin"}, {"Editor", "editor"}, {"Auditor", "auditor"}, {"DSR", "dsr"}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for round := range 5 {
				tok, secret, err := cli.CreateToken(ctx, "test", "revoked "+tt.name, tt.role, nil)
				if err != nil {
					t.Fatal(err)
				}
				for i, h := range instances {
					h := h.with(t)
					h.token = secret
					for range 3 { // the later ones from the cache
						if r := h.post(`{ __typename }`, nil); r.Status != http.StatusOK || len(r.Errors) > 0 {
							t.Fatalf("round %d, instance %d, before revoking: %d %+v", round, i, r.Status, r.Errors)
						}
					}
				}
				if _, err := cli.RevokeToken(ctx, tok.Prefix); err != nil {
					t.Fatal(err)
				}
				for i, h := range instances {
					h := h.with(t)
					h.token = secret
					r := h.post(`{ __typename }`, nil)
					if r.Status != http.StatusUnauthorized || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
						t.Fatalf("round %d, instance %d, right after the revocation: %d %+v", round, i, r.Status, r.Errors)
					}
				}
			}
		})
	}
	for i, h := range instances {
		if hits, _ := h.store.TokenCacheStats(); hits == 0 {
			t.Errorf("instance %d answered nothing from its cache: the test showed nothing of it", i)
		}
	}
}
