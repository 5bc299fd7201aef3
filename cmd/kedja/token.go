package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
)

var tokenCommands = []command{
	{name: "create", summary: "create an API token, shown once", run: runTokenCreate},
	{name: "list", summary: "list API tokens (never their secrets)", run: runTokenList},
	{name: "revoke", summary: "revoke a token, by id or prefix", run: runTokenRevoke},
}

func runTokenCreate(ctx context.Context, k *cli, args []string) error {
	f, cfg := commonFlags("token create", "Create an API token and print it on standard output. It is shown once; kedja keeps only its hash.")
	role := f.String("role", "ROLE", "", strings.Join(registry.AccessRoles, ", "))
	name := f.String("name", "NAME", "", "who or what uses it")
	expires := f.Duration("expires", "DURATION", 0, "lifetime, e.g. 720h (default: until revoked)")
	f.require("role", "name")
	f.example(`kedja token create --role editor --name "registry team"`,
		`kedja token create --role auditor --name "IMY inspection" --expires 720h`)
	migrateFlag(f, cfg)
	if err := f.parse(k, args); err != nil {
		return err
	}
	return withStore(ctx, cfg, func(s *store.Store) error {
		if _, err := migrateFirst(ctx, cfg, s); err != nil {
			return err
		}
		var until *time.Time
		if *expires > 0 {
			t := time.Now().Add(*expires)
			until = &t
		}
		t, secret, err := s.CreateToken(ctx, "kedja token create", *name, *role, until)
		if err != nil {
			return err
		}
		fmt.Fprintf(k.errOut, "token %d (%s, role %s); shown this once:\n", t.ID, t.Name, t.Role)
		fmt.Fprintln(k.out, secret)
		return nil
	})
}

func runTokenList(ctx context.Context, k *cli, args []string) error {
	f, cfg := commonFlags("token list", "List API tokens (never their secrets): id, prefix, role, name, state and last use.")
	f.example("kedja token list")
	if err := f.parse(k, args); err != nil {
		return err
	}
	return withStore(ctx, cfg, func(s *store.Store) error {
		ts, err := s.ListTokens(ctx)
		if err != nil {
			return err
		}
		for _, t := range ts {
			state := "live"
			switch {
			case t.RevokedAt != nil:
				state = "revoked " + t.RevokedAt.Format(time.RFC3339)
			case t.ExpiresAt != nil && t.ExpiresAt.Before(time.Now()):
				state = "expired " + t.ExpiresAt.Format(time.RFC3339)
			}
			used := "never used"
			if t.LastUsedAt != nil {
				used = "last used " + t.LastUsedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(k.out, "%d\t%s...\t%s\t%s\t%s\t%s\n", t.ID, t.Prefix, t.Role, t.Name, state, used)
		}
		return nil
	})
}

func runTokenRevoke(ctx context.Context, k *cli, args []string) error {
	f, cfg := commonFlags("token revoke", "Revoke a token, by id or by the prefix token list shows.")
	f.args = "ID|PREFIX"
	f.example("kedja token revoke 7", "kedja token revoke kedja_Xy3vQ1...")
	if err := f.parse(k, args); err != nil {
		return err
	}
	if f.fs.NArg() != 1 {
		return errors.New("usage: " + f.usageLine())
	}
	return withStore(ctx, cfg, func(s *store.Store) error {
		t, err := s.RevokeToken(ctx, strings.TrimSuffix(f.fs.Arg(0), "..."))
		if err != nil {
			return err
		}
		fmt.Fprintf(k.out, "revoked token %d (%s)\n", t.ID, t.Name)
		return nil
	})
}
