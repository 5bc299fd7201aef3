package migrations_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"testing"

	"github.com/lib/pq"

	"github.com/kedja/kedja/migrations"
	"github.com/kedja/kedja/store/storetest"
)

// Every table of the schema, whichever migration added it, is covered by
// the service role's grants: it may read it; it may not truncate it or hang
// triggers or keys on it; and where a kedja_forbid_change trigger makes the
// table append-only (found here from the catalogue, not from the function
// that grants), it may only read and append.
func TestServiceRoleCoversEveryTable(t *testing.T) {
	owner := open(t, storetest.OwnerURL(t, storetest.Database(t)))
	rows, err := owner.Query(`
		SELECT c.relname,
		       EXISTS (SELECT FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgfoid = 'kedja_forbid_change()'::regprocedure),
		       has_table_privilege($1, c.oid, 'SELECT'), has_table_privilege($1, c.oid, 'INSERT'),
		       has_table_privilege($1, c.oid, 'UPDATE'), has_table_privilege($1, c.oid, 'DELETE'),
		       has_table_privilege($1, c.oid, 'TRUNCATE'), has_table_privilege($1, c.oid, 'REFERENCES'),
		       has_table_privilege($1, c.oid, 'TRIGGER'),
		       has_table_privilege('public', c.oid, 'UPDATE') OR has_table_privilege('public', c.oid, 'DELETE')
		           OR has_table_privilege('public', c.oid, 'TRUNCATE'),
		       pg_has_role($1, c.relowner, 'MEMBER')
		FROM pg_class c
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
		ORDER BY c.relname`, migrations.ServiceRole)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	appendOnly := map[string]bool{}
	tables := 0
	for rows.Next() {
		var name string
		var guarded, sel, ins, upd, del, trunc, refs, trig, public, owns bool
		if err := rows.Scan(&name, &guarded, &sel, &ins, &upd, &del, &trunc, &refs, &trig, &public, &owns); err != nil {
			t.Fatal(err)
		}
		tables++
		appendOnly[name] = guarded
		t.Run(name, func(t *testing.T) {
			if !sel {
				t.Errorf("the service role cannot read %s", name)
			}
			if trunc || refs || trig || owns {
				t.Errorf("%s: TRUNCATE %v, REFERENCES %v, TRIGGER %v, owner %v; want none", name, trunc, refs, trig, owns)
			}
			if guarded && (upd || del || !ins) {
				t.Errorf("append-only %s: INSERT %v, UPDATE %v, DELETE %v; want INSERT only", name, ins, upd, del)
			}
			if guarded && public {
				t.Errorf("PUBLIC may change append-only %s", name)
			}
		})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if tables < 30 {
		t.Errorf("saw %d tables; the schema has more", tables)
	}
	for _, name := range []string{"audit_log", "call_traces", "changes", "finding_events", "incident_log_rows"} {
		if !appendOnly[name] {
			t.Errorf("%s is not guarded by kedja_forbid_change, so not append-only for the service", name)
		}
	}
	var createSchema, createDB, superuser, createRole bool
	if err := owner.QueryRow(`SELECT has_schema_privilege($1, current_schema(), 'CREATE'),
		has_database_privilege($1, current_database(), 'CREATE'), rolsuper, rolcreaterole
		FROM pg_roles WHERE rolname = $1`, migrations.ServiceRole).Scan(&createSchema, &createDB, &superuser, &createRole); err != nil {
		t.Fatal(err)
	}
	if createSchema || createDB || superuser || createRole {
		t.Errorf("the service role may create in the schema %v, in the database %v, is superuser %v, creates roles %v; want none",
			createSchema, createDB, superuser, createRole)
	}
	var badSequences []string
	if err := owner.QueryRow(`SELECT coalesce(array_agg(c.relname), '{}') FROM pg_class c
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'S'
		  AND (NOT has_sequence_privilege($1, c.oid, 'USAGE') OR has_sequence_privilege($1, c.oid, 'UPDATE'))`,
		migrations.ServiceRole).Scan(pq.Array(&badSequences)); err != nil {
		t.Fatal(err)
	}
	if len(badSequences) > 0 {
		t.Errorf("sequences the service role cannot use, or can set: %v", badSequences)
	}
}

// A table added after 0019 (as later migrations add them) is covered by the
// next migrate, because Apply grants again after every run.
func TestApplyCoversTablesAddedLater(t *testing.T) {
	owner := open(t, storetest.OwnerURL(t, storetest.Database(t)))
	ctx := context.Background()
	for _, stmt := range []string{
		`CREATE TABLE later_registry (id int)`,
		`CREATE TABLE later_log (id int)`,
		`CREATE TRIGGER later_log_append_only BEFORE UPDATE OR DELETE ON later_log FOR EACH ROW EXECUTE FUNCTION kedja_forbid_change()`,
	} {
		if _, err := owner.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := migrations.Apply(ctx, owner); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		table, privilege string
		want             bool
	}{
		{"later_registry", "UPDATE", true},
		{"later_registry", "TRUNCATE", false},
		{"later_log", "INSERT", true},
		{"later_log", "UPDATE", false},
		{"later_log", "DELETE", false},
	}
	for _, tt := range tests {
		t.Run(tt.table+"/"+tt.privilege, func(t *testing.T) {
			var got bool
			if err := owner.QueryRow(`SELECT has_table_privilege($1, $2, $3)`, migrations.ServiceRole, tt.table, tt.privilege).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("%s on %s: %v, want %v", tt.privilege, tt.table, got, tt.want)
			}
		})
	}
}

// Roles belong to the cluster while each test has a database of its own:
// many databases creating the same missing role at once all succeed, and
// the role exists once. A fresh role name makes the race real.
func TestGrantCreatesTheRoleOnceUnderRace(t *testing.T) {
	admin := open(t, storetest.ServerURL())
	b := make([]byte, 4)
	rand.Read(b)
	role := "kedja_service_test_" + hex.EncodeToString(b)
	// Registered before the databases, so it runs after they are dropped
	// (a role with privileges in a database cannot be dropped).
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP ROLE IF EXISTS ` + pq.QuoteIdentifier(role)); err != nil {
			t.Errorf("drop %s: %v", role, err)
		}
	})
	const databases = 4
	dbs := make([]string, databases)
	for i := range dbs {
		dbs[i] = storetest.OwnerURL(t, storetest.Database(t))
	}
	errs := make([]error, databases)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range dbs {
		db := open(t, dbs[i])
		if err := db.Ping(); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = migrations.Grant(context.Background(), db, role)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("database %d: %v", i, err)
		}
	}
	var n int
	var login bool
	if err := admin.QueryRow(`SELECT count(*), bool_and(rolcanlogin) FROM pg_roles WHERE rolname = $1`, role).Scan(&n, &login); err != nil {
		t.Fatal(err)
	}
	if n != 1 || !login {
		t.Errorf("%d roles named %s (login %v), want one that may log in", n, role, login)
	}
}

// A role that could act as the owner would pass every privilege check, so
// granting to it is refused rather than reported as a restricted service.
func TestGrantRefusesAPowerfulRole(t *testing.T) {
	owner := open(t, storetest.OwnerURL(t, storetest.Database(t)))
	var me string
	if err := owner.QueryRow(`SELECT current_user`).Scan(&me); err != nil {
		t.Fatal(err)
	}
	err := migrations.Grant(context.Background(), owner, me)
	if err == nil || !strings.Contains(err.Error(), "superuser or may act as the owner") {
		t.Errorf("granting to the owner %s: got %v, want a refusal", me, err)
	}
}
