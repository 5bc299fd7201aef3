package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

func auditEntry(i int) registry.AuditEntry {
	return registry.AuditEntry{Principal: "test editor", Role: "editor", Operation: fmt.Sprintf("query q%d", i),
		Client: "192.0.2.7", Outcome: "ok", Affected: []string{"organisation:1", "a,b"}}
}

// auditRows counts the audit log's rows.
func auditRows(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func noCheckpoints() iter.Seq2[registry.AuditCheckpoint, error] { return nil }

func checkpoints(cps ...registry.AuditCheckpoint) iter.Seq2[registry.AuditCheckpoint, error] {
	return func(yield func(registry.AuditCheckpoint, error) bool) {
		for _, c := range cps {
			if !yield(c, nil) {
				return
			}
		}
	}
}

// A request's write and its audit row commit together: the row names what
// the write changed, as the registry's change record shows it (or, for a
// stored trace, as the store notes it); a write that fails leaves neither.
func TestWriteCommitsItsAuditRow(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	region, err := s.CreateOrganisation(ctx, "test", &registry.Organisation{LegalName: "Region AB", Country: "SE", Kind: "company"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		write       func(ctx context.Context) (affected string, err error)
		wantRow     bool
		wantCaseRef string
	}{
		{"Create", func(ctx context.Context) (string, error) {
			o, err := s.CreateOrganisation(ctx, "test", &registry.Organisation{LegalName: "Audited AB", Country: "SE", Kind: "company"})
			return fmt.Sprintf("organisation:%d", o.ID), err
		}, true, ""},
		{"Update", func(ctx context.Context) (string, error) {
			o, err := s.UpdateOrganisation(ctx, "test", region.ID, func(o *registry.Organisation) error { o.LegalName = "Region 2 AB"; return nil })
			return fmt.Sprintf("organisation:%d", o.ID), err
		}, true, ""},
		{"Trace", func(ctx context.Context) (string, error) {
			tr, err := s.TraceCall(ctx, "test", region.ID, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), "DSR-1", registry.TraceOptions{})
			return "trace:" + tr.ID, err
		}, true, "DSR-1"},
		{"InvalidWriteLeavesNoRow", func(ctx context.Context) (string, error) {
			_, err := s.CreateOrganisation(ctx, "test", &registry.Organisation{LegalName: "", Country: "SE", Kind: "company"})
			return "", err
		}, false, ""},
		{"ConflictLeavesNoRow", func(ctx context.Context) (string, error) {
			_, err := s.CreateOrganisation(ctx, "test", &registry.Organisation{LegalName: "X", Country: "ZZ", Kind: "company"})
			return "", err
		}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pa := &registry.PendingAudit{Principal: "test editor", Role: "editor", Client: "192.0.2.7", Operation: "mutation " + tt.name, QueryHash: "q"}
			before := auditRows(t, s.DB())
			affected, err := tt.write(registry.WithPendingAudit(ctx, pa))
			if (err == nil) != tt.wantRow {
				t.Fatalf("write: %v", err)
			}
			rows, _, lerr := s.ListAudit(ctx, registry.AuditFilter{Operation: &pa.Operation}, registry.Page{First: 10})
			if lerr != nil {
				t.Fatal(lerr)
			}
			if !tt.wantRow {
				if len(rows) != 0 || auditRows(t, s.DB()) != before {
					t.Errorf("a failed write left audit rows: %+v", rows)
				}
				if pa.Covers(nil) {
					t.Error("the pending entry counts a failed write as recorded")
				}
				return
			}
			if len(rows) != 1 {
				t.Fatalf("%d audit rows for the write, want 1", len(rows))
			}
			r := rows[0]
			if r.Principal != pa.Principal || r.Role != "editor" || r.Client != "192.0.2.7" || r.Outcome != "ok" || !slices.Contains(r.Affected, affected) {
				t.Errorf("row %+v; want the request's principal, ok and %s affected", r, affected)
			}
			if got := ""; r.CaseRef != nil {
				got = *r.CaseRef
				if got != tt.wantCaseRef {
					t.Errorf("case %q, want %q", got, tt.wantCaseRef)
				}
			} else if tt.wantCaseRef != "" {
				t.Errorf("no case, want %q", tt.wantCaseRef)
			}
			if !pa.Covers([]string{affected}) || pa.Covers([]string{"organisation:999999"}) {
				t.Errorf("Covers: the pending entry does not know what its rows named")
			}
		})
	}
	// Outside a request (the CLI, the schedule) a write appends nothing.
	before := auditRows(t, s.DB())
	if _, err := s.CreateOrganisation(ctx, "cli", &registry.Organisation{LegalName: "CLI AB", Country: "SE", Kind: "company"}); err != nil {
		t.Fatal(err)
	}
	if n := auditRows(t, s.DB()); n != before {
		t.Errorf("a write outside a request appended %d rows", n-before)
	}
	if rep, err := s.VerifyAudit(ctx, noCheckpoints()); err != nil || len(rep.Problems) != 0 {
		t.Errorf("verify: %+v, %v", rep, err)
	}
}

// Many requests' rows, queued from many goroutines while writes append
// their own, make one unbroken chain, numbered without gaps.
func TestGroupCommitChainsConcurrentAppends(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	if err := s.StartAuditWriter(store.AuditWriterOptions{Queue: 64, Batch: 50}); err != nil {
		t.Fatal(err)
	}
	const clients, each = 16, 40
	var wg sync.WaitGroup
	errs := make(chan error, clients*each+clients)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				var err error
				switch {
				case i%10 == 0:
					err = s.Audit(ctx, auditEntry(i)) // committed on return
				default:
					err = s.AuditLater(ctx, auditEntry(i))
				}
				if err != nil {
					errs <- err
				}
			}
			pa := &registry.PendingAudit{Principal: "w", Role: "editor", Operation: "mutation createOrganisation"}
			if _, err := s.CreateOrganisation(registry.WithPendingAudit(ctx, pa), "w",
				&registry.Organisation{LegalName: fmt.Sprintf("Writer %d AB", c), Country: "SE", Kind: "company"}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := s.CloseAuditWriter(ctx); err != nil {
		t.Fatal(err)
	}
	var n, lo, hi int64
	if err := s.DB().QueryRow(`SELECT count(*), min(id), max(id) FROM audit_log`).Scan(&n, &lo, &hi); err != nil {
		t.Fatal(err)
	}
	if want := int64(clients*each + clients); n != want || hi-lo+1 != n {
		t.Errorf("%d rows numbered %d to %d; want %d without gaps", n, lo, hi, want)
	}
	rep, err := s.VerifyAudit(ctx, noCheckpoints())
	if err != nil || len(rep.Problems) != 0 || rep.Rows != n {
		t.Errorf("verify: %d rows, problems %v, err %v", rep.Rows, rep.Problems, err)
	}
	// After Close, appends are made at once.
	if err := s.AuditLater(ctx, auditEntry(0)); err != nil || auditRows(t, s.DB()) != int(n)+1 {
		t.Errorf("append after close: %v", err)
	}
}

// A full queue makes callers wait for room rather than drop rows: with the
// writer stuck behind a held chain lock, the queue fills, the next caller
// waits, and once the lock is released every row is written.
func TestAuditQueueFullWaitsAndDropsNothing(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	t.Cleanup(func() { s.CloseAuditWriter(ctx) })
	// One row in the writer's hands, waiting for the lock; two in the queue.
	holder := stuckWriter(t, s, store.AuditWriterOptions{Queue: 2, Batch: 1}, 3)
	fourth := make(chan error, 1)
	go func() { fourth <- s.AuditLater(ctx, auditEntry(3)) }()
	// The queue holds two and the writer one: the fourth cannot be queued
	// until the writer moves, and the writer cannot move.
	waitFor(t, "the queue to fill", func() bool { return store.AuditQueued(s) == 2 })
	select {
	case err := <-fourth:
		t.Fatalf("the fourth append returned (%v) with the queue full", err)
	default:
	}
	if _, err := holder.ExecContext(ctx, `SELECT pg_advisory_unlock(hashtext('kedja audit'))`); err != nil {
		t.Fatal(err)
	}
	if err := <-fourth; err != nil {
		t.Fatal(err)
	}
	if err := s.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	if n := auditRows(t, s.DB()); n != 4 {
		t.Errorf("%d rows, want all 4", n)
	}
}

// Closing the writer while the database cannot take the rows gives up on
// them once its context ends, and says how many: never silently.
func TestAuditWriterCloseReportsRowsItCouldNotWrite(t *testing.T) {
	s := storetest.Store(t)
	stuckWriter(t, s, store.AuditWriterOptions{Queue: 10, Batch: 1}, 3)
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.CloseAuditWriter(gone)
	if err == nil || !strings.Contains(err.Error(), "3 audit rows were not written") {
		t.Errorf("close: %v; want it to say 3 rows were not written", err)
	}
}

// stuckWriter starts s's audit writer with opts, holds the chain lock on a
// connection of its own (returned; closed at the test's end), queues n rows
// and returns once the writer waits for the lock with the first of them.
func stuckWriter(t *testing.T, s *store.Store, opts store.AuditWriterOptions, n int) *sql.Conn {
	t.Helper()
	ctx := context.Background()
	if err := s.StartAuditWriter(opts); err != nil {
		t.Fatal(err)
	}
	holder, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { holder.Close() })
	if _, err := holder.ExecContext(ctx, `SELECT pg_advisory_lock(hashtext('kedja audit'))`); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if err := s.AuditLater(ctx, auditEntry(i)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the writer to wait for the chain lock", func() bool {
		var waiting bool
		s.DB().QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted)`).Scan(&waiting)
		return waiting
	})
	return holder
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Whoever holds the database's credentials (here its owner, with the
// append-only triggers disabled) can change audit_log at will; verify, with
// the key and the checkpoints kept outside the database, catches each way.
func TestVerifyCatchesTampering(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	// The service role may do none of this: the database's owner can.
	db := storetest.Owner(t, s.DB())
	exec := func(t *testing.T, q string) {
		t.Helper()
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	tests := []struct {
		name   string
		tamper func(t *testing.T)
		want   string // in a problem's reason
	}{
		{"Alter", func(t *testing.T) {
			exec(t, `UPDATE audit_log SET outcome = 'FORBIDDEN' WHERE id = (SELECT min(id) + 2 FROM audit_log)`)
		}, "altered"},
		{"AlterAffected", func(t *testing.T) {
			exec(t, `UPDATE audit_log SET affected = '{a,b,organisation:1}' WHERE id = (SELECT min(id) + 2 FROM audit_log)`)
		}, "altered"},
		{"Insert", func(t *testing.T) {
			// A copy of a row, as the newest: its MAC is for another id.
			exec(t, `INSERT INTO audit_log SELECT max(id) + 1, at, principal, role, operation, query_hash, affected, case_ref,
				client, outcome, prev_hash, hash, chain_version FROM audit_log GROUP BY at, principal, role, operation, query_hash,
				affected, case_ref, client, outcome, prev_hash, hash, chain_version ORDER BY max(id) DESC LIMIT 1`)
		}, "does not follow"},
		{"DeleteInTheMiddle", func(t *testing.T) {
			exec(t, `DELETE FROM audit_log WHERE id = (SELECT min(id) + 3 FROM audit_log)`)
		}, "missing: deleted"},
		{"DeleteTheNewest", func(t *testing.T) {
			// The newest three, back past the checkpoint. (Rows newer than
			// the newest checkpoint can go unnoticed: checkpoints come
			// often for that reason.)
			exec(t, `DELETE FROM audit_log WHERE id > (SELECT max(id) - 3 FROM audit_log)`)
		}, "which is gone"},
		{"Truncate", func(t *testing.T) {
			exec(t, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_truncate`)
			exec(t, `TRUNCATE audit_log`)
			exec(t, `ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_truncate`)
		}, "which is gone"},
		{"RechainedWithoutTheKey", func(t *testing.T) {
			exec(t, `UPDATE audit_log SET outcome = 'FORBIDDEN' WHERE id = (SELECT min(id) + 2 FROM audit_log)`)
			if err := store.RechainAudit(ctx, db, []byte("the forger's guess at the audit key")); err != nil {
				t.Fatal(err)
			}
		}, "forged without the key"},
		{"RechainedAsUnkeyed", func(t *testing.T) {
			// Every row passed off as from before keying, with SHA-256
			// recomputed: the chain holds, the checkpoints do not.
			exec(t, `UPDATE audit_log SET outcome = 'FORBIDDEN' WHERE id = (SELECT min(id) + 2 FROM audit_log)`)
			if err := store.RechainAudit(ctx, db, nil); err != nil {
				t.Fatal(err)
			}
		}, "the log was rewritten"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A fresh log of eight rows, a checkpoint after six.
			exec(t, `ALTER TABLE audit_log DISABLE TRIGGER USER`)
			exec(t, `TRUNCATE audit_log`)
			exec(t, `ALTER TABLE audit_log ENABLE TRIGGER USER`)
			for i := 0; i < 6; i++ {
				if err := s.Audit(ctx, auditEntry(i)); err != nil {
					t.Fatal(err)
				}
			}
			cp, err := s.AuditCheckpoint(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for i := 6; i < 8; i++ {
				if err := s.Audit(ctx, auditEntry(i)); err != nil {
					t.Fatal(err)
				}
			}
			rep, err := s.VerifyAudit(ctx, checkpoints(cp))
			if err != nil || len(rep.Problems) != 0 || rep.Rows != 8 || rep.Checkpoints != 1 {
				t.Fatalf("before the tamper: %+v, %v", rep, err)
			}
			exec(t, `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`)
			tt.tamper(t)
			exec(t, `ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`)
			rep, err = s.VerifyAudit(ctx, checkpoints(cp))
			if err != nil {
				t.Fatal(err)
			}
			var reasons []string
			for _, p := range rep.Problems {
				reasons = append(reasons, fmt.Sprintf("row %d: %s", p.ID, p.Reason))
			}
			if !strings.Contains(strings.Join(reasons, "\n"), tt.want) {
				t.Errorf("verify after %s found %q; want a problem saying %q", tt.name, reasons, tt.want)
			}
		})
	}
}

// A checkpoint is only as good as its signature: one made or changed
// without the key is reported, and so is one for a log that never reached
// it.
func TestVerifyChecksTheCheckpoints(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if err := s.Audit(ctx, auditEntry(i)); err != nil {
			t.Fatal(err)
		}
	}
	good, err := s.AuditCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cp   func() registry.AuditCheckpoint
		want string // "" for no problem
	}{
		{"Good", func() registry.AuditCheckpoint { return good }, ""},
		{"MovedForward", func() registry.AuditCheckpoint { c := good; c.ID += 5; return c }, "not signed with this key"},
		{"Unsigned", func() registry.AuditCheckpoint { c := good; c.MAC = nil; return c }, "not signed with this key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := s.VerifyAudit(ctx, checkpoints(tt.cp()))
			if err != nil {
				t.Fatal(err)
			}
			var got string
			if len(rep.Problems) > 0 {
				got = rep.Problems[0].Reason
			}
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("problems %+v; want %q", rep.Problems, tt.want)
			}
		})
	}
}

// Rows written before the chain was keyed still verify, by their own
// (SHA-256) chain; the first keyed row after them seals them, so changing
// one and recomputing the unkeyed hashes breaks the link to it.
func TestLegacyRowsVerifyAndAreSealed(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	db := storetest.Owner(t, s.DB())
	if err := store.AppendLegacyAudit(ctx, db, 4); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := s.Audit(ctx, auditEntry(i)); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := s.VerifyAudit(ctx, noCheckpoints())
	if err != nil || len(rep.Problems) != 0 || rep.Rows != 7 || rep.Unkeyed != 4 {
		t.Fatalf("legacy then keyed rows: %+v, %v", rep, err)
	}
	if _, err := db.Exec(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit_log SET outcome = 'FORBIDDEN' WHERE id = (SELECT min(id) FROM audit_log)`); err != nil {
		t.Fatal(err)
	}
	// Re-chain only the unkeyed rows, as the forger would: the keyed rows'
	// MACs cannot be recomputed.
	if err := store.RechainLegacyPrefix(ctx, db); err != nil {
		t.Fatal(err)
	}
	rep, err = s.VerifyAudit(ctx, noCheckpoints())
	if err != nil || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Reason, "does not follow") {
		t.Errorf("after re-chaining the unkeyed rows: %+v, %v; want the first keyed row's broken link", rep.Problems, err)
	}
}
