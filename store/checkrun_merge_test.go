package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
)

// rowState is what a run may change of one row of findings or
// finding_controllers, and the row version (xmin) that says whether it
// wrote the row at all.
type rowState struct {
	content, xmin string
}

// findingRows reads every finding and finding controller, keyed
// "finding ID" and "controller FINDING/CONTROLLER".
func findingRows(t *testing.T, s *store.Store) map[string]rowState {
	t.Helper()
	rows, err := s.DB().Query(`
		SELECT 'finding ' || id, concat_ws('|', severity, status, legal_ref, message, evidence, since, resolved_at), CAST(xmin AS text)
		FROM findings
		UNION ALL
		SELECT 'controller ' || finding_id || '/' || controller_id, concat_ws('|', path, since), CAST(xmin AS text)
		FROM finding_controllers`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]rowState{}
	for rows.Next() {
		var k string
		var r rowState
		if err := rows.Scan(&k, &r.content, &r.xmin); err != nil {
			t.Fatal(err)
		}
		out[k] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// A run writes a finding or a controller of one only when its state
// changed: a second run over an unchanged registry writes no row of either
// table and records no event, yet says every finding was seen again; a run
// after a change writes exactly the rows whose state it changed and records
// the change in their history.
func TestRunWritesOnlyChangedFindings(t *testing.T) {
	s := demoStore(t)
	ctx := context.Background()
	var link int64
	if err := s.DB().QueryRow(`SELECT l.id FROM links l JOIN organisations a ON a.id = l.from_id JOIN organisations b ON b.id = l.to_id
		WHERE a.legal_name = 'Medhelp AB' AND b.legal_name = 'Medicall Co., Ltd.'`).Scan(&link); err != nil {
		t.Fatal(err)
	}
	scc := func(on bool) func() {
		return func() {
			if _, err := s.UpdateLink(ctx, "test", link, func(l *registry.Link) error {
				if on {
					l.TransferMechanism, l.SCCModule, l.TIADate = "scc", ptr(int16(3)), ptr(at("2018-05-01T00:00"))
				} else {
					l.TransferMechanism, l.SCCModule, l.TIADate = "none", nil, nil
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	steps := []struct {
		name   string
		change func()
		// events the run must record, by kind, at least one of each; and
		// whether it may write rows at all.
		events []string
		writes bool
	}{
		{"First", nil, []string{"opened"}, true},
		{"Unchanged", nil, nil, false},
		{"UnchangedAgain", nil, nil, false},
		{"SafeguardsRecorded", scc(true), []string{"opened", "resolved"}, true},
		{"SafeguardsUndone", scc(false), []string{"reopened", "resolved"}, true},
		{"UnchangedAfterReopening", nil, nil, false},
	}
	var prev registry.RunResult
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.change != nil {
				st.change()
			}
			before := findingRows(t, s)
			res, err := s.RunChecks(ctx, registry.RunOptions{At: at("2019-02-01T12:00"), Trigger: "api", Actor: "test"})
			if err != nil {
				t.Fatal(err)
			}
			after := findingRows(t, s)
			// Written: a row whose version changed, or a new one. Changed:
			// a row whose state differs, or a new one. They must be the same.
			var written, changed []string
			for k, a := range after {
				b, ok := before[k]
				if !ok || a.xmin != b.xmin {
					written = append(written, k)
				}
				if !ok || a.content != b.content {
					changed = append(changed, k)
				}
			}
			slices.Sort(written)
			slices.Sort(changed)
			if strings.Join(written, ", ") != strings.Join(changed, ", ") {
				t.Errorf("the run wrote %v\nbut changed the state of %v", written, changed)
			}
			if !st.writes && (len(written) > 0 || res.Opened+res.Reopened+res.Resolved > 0) {
				t.Errorf("a run over an unchanged registry wrote %d rows (%v), run %+v", len(written), written, res)
			}
			if st.writes && len(written) == 0 {
				t.Error("the change wrote nothing")
			}
			var events []string
			rows, err := s.DB().Query(`SELECT DISTINCT event FROM finding_events WHERE run_id = $1 ORDER BY 1`, res.RunID)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var e string
				if err := rows.Scan(&e); err != nil {
					t.Fatal(err)
				}
				events = append(events, e)
			}
			rows.Close()
			for _, e := range st.events {
				if !slices.Contains(events, e) {
					t.Errorf("the run recorded events %v, want %s among them", events, e)
				}
			}
			if st.events == nil && len(events) > 0 {
				t.Errorf("a run over an unchanged registry recorded events %v", events)
			}
			// Every finding not resolved was seen by this run, written or
			// not, and each of its controllers with it; a resolved one was
			// last seen by the run before, which found it.
			fs, _, err := s.ListFindings(ctx, registry.FindingFilter{}, registry.Page{First: 1000})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fs {
				lo, hi := res.Started, res.Ended
				if f.Status == "resolved" {
					if f.ResolvedAt == nil || f.ResolvedAt.Before(res.Started) {
						continue // resolved by an earlier run
					}
					lo, hi = prev.Started, prev.Ended
				}
				if f.LastSeen.Before(lo) || f.LastSeen.After(hi) {
					t.Errorf("%s finding %d on %s %d: last seen %s, want within the run %s..%s", f.Status, f.ID, f.SubjectKind,
						f.SubjectID, f.LastSeen.Format(time.RFC3339Nano), lo.Format(time.RFC3339Nano), hi.Format(time.RFC3339Nano))
				}
				for _, c := range f.Controllers {
					if !c.LastSeen.Equal(f.LastSeen) {
						t.Errorf("finding %d: controller %d last seen %s, the finding %s", f.ID, c.ControllerID, c.LastSeen, f.LastSeen)
					}
				}
			}
			prev = res
			t.Logf("run %d: %d found, %d opened, %d reopened, %d resolved, %d rows written",
				res.RunID, res.Found, res.Opened, res.Reopened, res.Resolved, len(written))
		})
	}
}

// A run that must wait for another run of this instance over the same
// checks waits before it takes a connection: while it waits, the store holds
// only the first run's connection, it has claimed no row, and no backend
// waits for a lock with a transaction open. Once the first ends, it runs.
func TestWaitingRunHoldsNoConnection(t *testing.T) {
	s := demoStore(t)
	ctx := context.Background()
	// A bound on each wait, so that a broken run fails the test rather
	// than hangs it.
	within := func() <-chan time.Time { return time.After(time.Minute) }
	entered, release := make(chan registry.RunResult, 2), make(chan struct{})
	s.SetRunHook(func(ctx context.Context, r registry.RunResult) {
		entered <- r
		select {
		case <-release:
		case <-ctx.Done():
		}
	})
	waiting := make(chan string, 1)
	s.SetRunWaitHook(func(check string) { waiting <- check })
	done := make(chan error, 2)
	run := func(checks ...string) {
		_, err := s.RunChecks(ctx, registry.RunOptions{At: at("2019-02-01T12:00"), Checks: checks, Trigger: "api", Actor: "t"})
		done <- err
	}
	go run("exposure")
	select {
	case <-entered:
	case <-within():
		t.Fatal("the first run never began")
	}
	go run("backup", "exposure")
	select {
	case check := <-waiting:
		if check != "exposure" {
			t.Errorf("the second run waits for %s, want exposure", check)
		}
	case <-within():
		t.Fatal("the second run never waited")
	}
	if inUse := s.DB().Stats().InUse; inUse != 1 {
		t.Errorf("%d connections in use while one run works and one waits, want 1", inUse)
	}
	var running, lockWaits int
	if err := s.DB().QueryRow(`SELECT (SELECT count(*) FROM check_runs WHERE status = 'running'),
		(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock')`).Scan(&running, &lockWaits); err != nil {
		t.Fatal(err)
	}
	if running != 1 || lockWaits != 0 {
		t.Errorf("while the second run waits: %d runs claimed, %d backends waiting for a lock; want 1 and 0", running, lockWaits)
	}
	close(release)
	for range 2 {
		select {
		case err := <-done:
			if err != nil {
				t.Error(err)
			}
		case <-within():
			t.Fatal("the runs never ended")
		}
	}
	var ran int
	if err := s.DB().QueryRow(`SELECT count(*) FROM check_runs WHERE status = 'ran'`).Scan(&ran); err != nil || ran != 2 {
		t.Errorf("%d runs ran (%v), want both", ran, err)
	}
}
