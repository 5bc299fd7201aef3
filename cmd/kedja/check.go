package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
)

func runCheck(ctx context.Context, k *cli, args []string) error {
	f, cfg := commonFlags("check", "Run the compliance checks over the whole registry now and update the findings.")
	atFlag := f.String("at", "INSTANT", "", "evaluate the registry as of this instant (default now)")
	only := f.String("checks", "IDS", "", "comma-separated check ids (default all): "+strings.Join(store.CheckIDs(), ", "))
	window := f.Int("attestation-window", "DAYS", registry.DefaultAttestationWindow, "days before expiry an attestation is reported as expiring")
	restoreDays := f.Int("restore-test-days", "DAYS", 0, fmt.Sprintf("how recent a restore test must be (default: the setting kedja.restore_test_days, else %d)", registry.DefaultRestoreTestDays))
	scanDays := f.Int("scan-days", "DAYS", 0, fmt.Sprintf("how recent a vulnerability scan must be (default: the setting kedja.scan_days, else %d)", registry.DefaultScanDays))
	f.example("kedja check", "kedja check --at 2019-02-01T12:00 --checks third_country,exposure")
	migrateFlag(f, cfg)
	if err := f.parse(k, args); err != nil {
		return err
	}
	return withStore(ctx, cfg, func(s *store.Store) error {
		if _, err := migrateFirst(ctx, cfg, s); err != nil {
			return err
		}
		var at time.Time
		if *atFlag != "" {
			t, err := registry.ParseInstant("--at", *atFlag, cfg.location)
			if err != nil {
				return err
			}
			at = t
		}
		var ids []string
		for _, id := range strings.Split(*only, ",") {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
		res, err := s.RunChecks(ctx, registry.RunOptions{At: at, Checks: ids, Trigger: "cli", Actor: "kedja check",
			AttestationWindow: *window, Periods: registry.CheckPeriods{RestoreTestDays: *restoreDays, ScanDays: *scanDays},
			Progress: func(done, total int, check string) {
				fmt.Fprintf(k.errOut, "\r%-28s %d/%d", check, done, total)
				if done == total {
					fmt.Fprintln(k.errOut)
				}
			}})
		if err != nil {
			return err
		}
		fmt.Fprintf(k.out, "run %d: %d findings (%d opened, %d reopened, %d resolved) in %v\n", res.RunID, res.Found,
			res.Opened, res.Reopened, res.Resolved, res.Ended.Sub(res.Started).Round(time.Millisecond))
		return nil
	})
}
