package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/store"
)

var auditCommands = []command{
	{name: "verify", summary: "check the audit log against its keyed hash chain and the checkpoints", run: runAuditVerify},
	{name: "checkpoint", summary: "write a signed checkpoint of the audit log's head now", run: runAuditCheckpoint},
}

// auditFlags are the audit key file and the checkpoint file, which serve
// and the audit commands share.
type auditFlags struct {
	keyFile, checkpoints *string
}

func addAuditFlags(f *flags) auditFlags {
	a := auditFlags{
		keyFile: f.String("audit-key-file", "FILE", os.Getenv("KEDJA_AUDIT_KEY_FILE"),
			"file holding the audit key (at least 32 bytes), kept outside the database"),
		checkpoints: f.String("audit-checkpoints", "FILE", os.Getenv("KEDJA_AUDIT_CHECKPOINTS"),
			"file of signed checkpoints of the audit log's head, appended to"),
	}
	f.env("audit-key-file", "KEDJA_AUDIT_KEY_FILE")
	f.env("audit-checkpoints", "KEDJA_AUDIT_CHECKPOINTS")
	return a
}

// useKey reads the audit key file and gives the key to s.
func (a auditFlags) useKey(s *store.Store) error {
	if *a.keyFile == "" {
		return errors.New("no audit key: set KEDJA_AUDIT_KEY_FILE or pass --audit-key-file (a file of at least 32 random bytes, e.g. head -c 32 /dev/urandom | base64 > audit.key)")
	}
	key, err := os.ReadFile(*a.keyFile)
	if err != nil {
		return fmt.Errorf("audit key: %w", err)
	}
	if err := s.SetAuditKey(bytes.TrimSpace(key)); err != nil {
		return fmt.Errorf("audit key %s: %w", *a.keyFile, err)
	}
	return nil
}

func runAuditVerify(ctx context.Context, k *cli, args []string) error {
	f, cfg := commonFlags("audit verify", "Check every row of the audit log against its keyed hash chain, and the log against the signed checkpoints; exit 1 if a row was altered, inserted or deleted, or rows the checkpoints saw are gone.")
	a := addAuditFlags(f)
	f.example("kedja audit verify --audit-key-file /etc/kedja/audit.key --audit-checkpoints /var/lib/kedja/audit.checkpoints")
	if err := f.parse(k, args); err != nil {
		return err
	}
	return withStore(ctx, cfg, func(s *store.Store) error {
		if err := a.useKey(s); err != nil {
			return err
		}
		var cps = access.ReadCheckpoints(*a.checkpoints)
		if *a.checkpoints == "" {
			cps = nil
		}
		rep, err := s.VerifyAudit(ctx, cps)
		if err != nil {
			return err
		}
		for _, p := range rep.Problems {
			fmt.Fprintf(k.out, "row %d: %s\n", p.ID, p.Reason)
		}
		if rep.Unlisted > 0 {
			fmt.Fprintf(k.out, "and %d more problems\n", rep.Unlisted)
		}
		if rep.Unkeyed > 0 {
			fmt.Fprintf(k.out, "%d rows are from before the chain was keyed: sealed by the first keyed row after them\n", rep.Unkeyed)
		}
		switch {
		case *a.checkpoints == "":
			fmt.Fprintln(k.out, "no checkpoints given (--audit-checkpoints): deleting the newest rows or emptying the log would not show")
		case rep.Newest == nil:
			fmt.Fprintln(k.out, "the checkpoint file has no checkpoint signed with this key")
		default:
			fmt.Fprintf(k.out, "%d checkpoints compared; the newest, of %s, saw row %d\n", rep.Checkpoints,
				rep.Newest.At.UTC().Format(time.RFC3339), rep.Newest.ID)
		}
		if n := int64(len(rep.Problems)) + rep.Unlisted; n > 0 {
			return fmt.Errorf("audit log: %d problem(s) in %d rows", n, rep.Rows)
		}
		fmt.Fprintf(k.out, "audit log intact: %d rows\n", rep.Rows)
		return nil
	})
}

func runAuditCheckpoint(ctx context.Context, k *cli, args []string) error {
	f, cfg := commonFlags("audit checkpoint", "Sign the audit log's head (its newest row's id and hash) with the audit key and append it to the checkpoint file; kedja serve writes one every --audit-checkpoint-every and at shutdown.")
	a := addAuditFlags(f)
	f.example("kedja audit checkpoint --audit-key-file /etc/kedja/audit.key --audit-checkpoints /var/lib/kedja/audit.checkpoints")
	if err := f.parse(k, args); err != nil {
		return err
	}
	if *a.checkpoints == "" {
		return errors.New("no checkpoint file: set KEDJA_AUDIT_CHECKPOINTS or pass --audit-checkpoints")
	}
	return withStore(ctx, cfg, func(s *store.Store) error {
		if err := a.useKey(s); err != nil {
			return err
		}
		cp, err := (&access.Checkpointer{Head: s, Path: *a.checkpoints, Logger: k.log}).Write(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(k.out, "checkpoint: row %d, hash %s, at %s\n", cp.ID, hex.EncodeToString(cp.Hash), cp.At.Format(time.RFC3339))
		return nil
	})
}
