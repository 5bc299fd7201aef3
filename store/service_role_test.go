package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store/storetest"
)

// Whoever holds the service's database credentials cannot rewrite or remove
// the audit log or the traces, nor lift the guards that keep them: the
// service role was granted only SELECT and INSERT there, owns nothing and
// may create nothing. Each statement is refused by PostgreSQL's privilege
// checks (42501), not by a trigger that an owner could disable.
func TestServiceRoleCannotTamper(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	// Rows to aim at, so that a statement refused would have had work to do.
	if err := s.Audit(ctx, registry.AuditEntry{Principal: "token:1", Role: "admin", Operation: "query",
		QueryHash: "x", Client: "127.0.0.1", Outcome: "ok"}); err != nil {
		t.Fatal(err)
	}
	var region int64
	if err := s.DB().QueryRow(`SELECT id FROM organisations WHERE kind = 'region' ORDER BY id LIMIT 1`).Scan(&region); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TraceCall(ctx, "test", region, time.Date(2019, 2, 1, 2, 0, 0, 0, time.UTC), "DSR-1", registry.TraceOptions{}); err != nil {
		t.Fatal(err)
	}
	var tampers []struct{ name, sql string }
	for table, column := range map[string]string{"audit_log": "outcome", "call_traces": "case_ref"} {
		trigger := table + "_append_only"
		tampers = append(tampers, []struct{ name, sql string }{
			{table + "/Update", `UPDATE ` + table + ` SET ` + column + ` = 'forged'`},
			{table + "/Delete", `DELETE FROM ` + table},
			{table + "/Truncate", `TRUNCATE ` + table},
			{table + "/DisableTrigger", `ALTER TABLE ` + table + ` DISABLE TRIGGER ` + trigger},
			{table + "/DisableAllTriggers", `ALTER TABLE ` + table + ` DISABLE TRIGGER ALL`},
			{table + "/DropTrigger", `DROP TRIGGER ` + trigger + ` ON ` + table},
			{table + "/DropTable", `DROP TABLE ` + table},
			{table + "/Rename", `ALTER TABLE ` + table + ` RENAME TO ` + table + `_old`},
			{table + "/TakeOwnership", `ALTER TABLE ` + table + ` OWNER TO CURRENT_USER`},
		}...)
	}
	tampers = append(tampers, []struct{ name, sql string }{
		{"History/Update", `UPDATE changes SET actor = 'someone else'`},
		{"History/Truncate", `TRUNCATE changes`},
		{"Registry/Truncate", `TRUNCATE organisations CASCADE`},
		{"Registry/HardDelete", `DELETE FROM organisations`},
		{"Schema/CreateTable", `CREATE TABLE audit_shadow (id int)`},
		{"Schema/ReplaceGuard", `CREATE OR REPLACE FUNCTION kedja_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`},
		{"Schema/DropGuard", `DROP FUNCTION kedja_forbid_change() CASCADE`},
		{"Sequence/Rewind", `SELECT setval('audit_log_id', 1)`},
		{"Grants/GrantItself", `SELECT kedja_grant_service(current_user)`},
		{"Role/BecomeOwner", `SET ROLE postgres`},
		{"Role/Superuser", `ALTER ROLE CURRENT_USER SUPERUSER`},
	}...)
	for _, tt := range tampers {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.DB().ExecContext(ctx, tt.sql)
			var pe *pq.Error
			if !errors.As(err, &pe) || pe.Code != "42501" {
				t.Errorf("%s: got %v, want a permission error (42501)", tt.sql, err)
			}
		})
	}
	// Nothing of the above took effect: the log is whole and the trace there.
	rep, err := s.VerifyAudit(ctx, nil)
	if err != nil || rep.Rows != 1 || len(rep.Problems) != 0 {
		t.Errorf("audit log after the tampers: %d rows, problems %v, err %v; want 1 intact row", rep.Rows, rep.Problems, err)
	}
	var traces int
	if err := s.DB().QueryRow(`SELECT count(*) FROM call_traces`).Scan(&traces); err != nil || traces != 1 {
		t.Errorf("call traces after the tampers: %d, %v; want 1", traces, err)
	}
}

// What the service does every day works with the service role's
// privileges alone (the whole suite runs as it; these name the writes).
func TestServiceRoleWrites(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	var role string
	if err := s.DB().QueryRow(`SELECT current_user`).Scan(&role); err != nil || role != "kedja_service" {
		t.Fatalf("the store connects as %q (%v), want kedja_service", role, err)
	}
	var org registry.Organisation
	tests := []struct {
		name string
		do   func() error
	}{
		{"CreateOrganisation", func() (err error) {
			org, err = s.CreateOrganisation(ctx, "test", &registry.Organisation{LegalName: "Host AB", Country: "SE", Kind: "company"})
			return err
		}},
		{"UpdateOrganisation", func() error {
			_, err := s.UpdateOrganisation(ctx, "test", org.ID, func(o *registry.Organisation) error {
				o.LegalName = "Host Nordic AB"
				return nil
			})
			return err
		}},
		{"CreateToken", func() error {
			_, _, err := s.CreateToken(ctx, "test", "ci", "auditor", nil)
			return err
		}},
		{"AppendAudit", func() error {
			return s.Audit(ctx, registry.AuditEntry{Principal: "token:1", Role: "admin", Operation: "query", QueryHash: "x", Client: "::1", Outcome: "ok"})
		}},
		{"WriteWithItsAuditRow", func() error {
			pa := &registry.PendingAudit{Principal: "token:1", Role: "editor", Operation: "mutation createOrganisation"}
			_, err := s.CreateOrganisation(registry.WithPendingAudit(ctx, pa), "test",
				&registry.Organisation{LegalName: "Audited Host AB", Country: "SE", Kind: "company"})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.do(); err != nil {
				t.Errorf("as the service role: %v", err)
			}
		})
	}
}
