package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/kedja/kedja/store"
)

func runAudit(ctx context.Context, args []string, out io.Writer) error {
	if len(args) < 1 || args[0] != "verify" {
		return errors.New("usage: kedja audit verify [--database-url URL]")
	}
	fs, cfg := commonFlags("audit verify", "Check every row of the audit log against its hash chain; exit 1 if any was altered, inserted or deleted.")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	return withStore(ctx, cfg, func(s *store.Store) error {
		rows, problems, err := s.VerifyAudit(ctx)
		if err != nil {
			return err
		}
		for _, p := range problems {
			fmt.Fprintf(out, "row %d: %s\n", p.ID, p.Reason)
		}
		if len(problems) > 0 {
			return fmt.Errorf("audit log: %d problem(s) in %d rows", len(problems), rows)
		}
		fmt.Fprintf(out, "audit log intact: %d rows\n", rows)
		return nil
	})
}
