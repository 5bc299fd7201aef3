package storetest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
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
	// Registered first, so it runs after the drops below.
	t.Cleanup(func() { admin.Close() })
	// Names of this run's own, so that runs side by side do not collide.
	b := make([]byte, 4)
	rand.Read(b)
	tag := hex.EncodeToString(b)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		db       string
		wantGone bool
	}{
		{"DeadProcessOfThisMachine", fmt.Sprintf("kedja_test_%s_%d_%s", hostTag(), dead.Process.Pid, tag), true},
		{"LegacyNameNobodyUses", "kedja_test_dead" + tag, true},
		{"LiveProcess", fmt.Sprintf("kedja_test_%s_%d_%s", hostTag(), os.Getppid(), tag), false},
		{"AnotherMachine", fmt.Sprintf("kedja_test_ffffff_%d_%s", dead.Process.Pid, tag), false},
	}
	for _, tt := range tests {
		if _, err := admin.Exec(`CREATE DATABASE ` + pq.QuoteIdentifier(tt.db)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + pq.QuoteIdentifier(tt.db) + ` WITH (FORCE)`); err != nil {
				t.Errorf("drop %s: %v", tt.db, err)
			}
		})
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
