package storetest

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/lib/pq"
)

// A test process that died (here: one that has exited) leaves its databases
// behind; the next run drops them, and only them.
func TestStaleDatabasesAreDropped(t *testing.T) {
	admin, err := sql.Open("postgres", ServerURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		db       string
		wantGone bool
	}{
		{"DeadProcessOfThisMachine", fmt.Sprintf("kedja_test_%s_%d_0000dead", hostTag(), dead.Process.Pid), true},
		{"LegacyNameNobodyUses", "kedja_test_0000000dead0", true},
		{"LiveProcess", fmt.Sprintf("kedja_test_%s_%d_00000001", hostTag(), os.Getppid()), false},
		{"AnotherMachine", fmt.Sprintf("kedja_test_ffffff_%d_00000002", dead.Process.Pid), false},
	}
	for _, tt := range tests {
		if _, err := admin.Exec(`CREATE DATABASE ` + pq.QuoteIdentifier(tt.db)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Exec(`DROP DATABASE IF EXISTS ` + pq.QuoteIdentifier(tt.db)) })
	}
	dropStaleDatabases(t, admin)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var exists bool
			if err := admin.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, tt.db).Scan(&exists); err != nil {
				t.Fatal(err)
			}
			if exists == tt.wantGone {
				t.Errorf("%s exists: %v, want %v", tt.db, exists, !tt.wantGone)
			}
		})
	}
}
