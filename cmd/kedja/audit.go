package main

import (
	"context"
	"fmt"

	"github.com/kedja/kedja/store"
)

var auditCommands = []command{
	{name: "verify", summary: "check every row of the audit log against its hash chain", run: runAuditVerify},
}

func runAuditVerify(ctx context.Context, k *cli, args []string) error {
	f, cfg := commonFlags("audit verify", "Check every row of the audit log against its hash chain; exit 1 if any was altered, inserted or deleted.")
	f.example("kedja audit verify")
	if err := f.parse(k, args); err != nil {
		return err
	}
	return withStore(ctx, cfg, func(s *store.Store) error {
		rows, problems, err := s.VerifyAudit(ctx)
		if err != nil {
			return err
		}
		for _, p := range problems {
			fmt.Fprintf(k.out, "row %d: %s\n", p.ID, p.Reason)
		}
		if len(problems) > 0 {
			return fmt.Errorf("audit log: %d problem(s) in %d rows", len(problems), rows)
		}
		fmt.Fprintf(k.out, "audit log intact: %d rows\n", rows)
		return nil
	})
}
