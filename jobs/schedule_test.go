package jobs_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"github.com/kedja/kedja/jobs"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// The scheduler's tests fire slots themselves (Scheduler.Fire, the job cron
// would run) and hold runs at a hook inside their transaction, so they wait
// for events, never for the clock. waitLimit only bounds a wait that would
// otherwise hang: reaching it is a failure.
const waitLimit = time.Minute

// expiring is a context whose deadline passes when the test closes done.
type expiring struct {
	context.Context
	done chan struct{}
}

func (c expiring) Done() <-chan struct{} { return c.done }

func (c expiring) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// slotAt is the nth hourly slot of a fixed day.
func slotAt(n int) time.Time {
	return time.Date(2030, 1, 7, 9, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour)
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// instance is one kedja instance on a test database: its own connection
// pool, runner and scheduler. Each result it reports arrives on results.
type instance struct {
	db      *sql.DB
	runner  *store.Store
	sched   *jobs.Scheduler
	results chan registry.RunResult
}

func newInstance(t *testing.T, url, schedule string) *instance {
	t.Helper()
	st, err := store.Open(context.Background(), url, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	parsed, err := jobs.ParseSchedule(schedule, store.CheckIDs())
	if err != nil {
		t.Fatal(err)
	}
	in := &instance{db: st.DB(), runner: st, results: make(chan registry.RunResult, 100)}
	if in.sched, err = jobs.NewScheduler(in.runner, parsed, quiet); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.sched.Stop(context.Background()) })
	in.sched.OnRun = func(r registry.RunResult, _ error) { in.results <- r }
	return in
}

// fire fires a slot in the background; the channel closes when it is done.
func (in *instance) fire(spec string, slot time.Time) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		in.sched.Fire(spec, slot)
	}()
	return done
}

// gate holds runs in their transaction, their check locks held, until it
// is released: a run that outlasts its interval, or runs that must overlap.
type gate struct {
	entered chan registry.RunResult
	release chan struct{}
}

func hold(r *store.Store) *gate {
	g := &gate{entered: make(chan registry.RunResult, 100), release: make(chan struct{})}
	r.SetRunHook(func(ctx context.Context, res registry.RunResult) {
		g.entered <- res
		select {
		case <-g.release:
		case <-ctx.Done():
		}
	})
	return g
}

func wait[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitLimit):
		t.Fatalf("gave up waiting for %s", what)
		panic("unreachable")
	}
}

// fates lists what check_runs says of each slot, one line per row, sorted:
// "SPEC #N status" (N counts slotAt), "SPEC #N failed/REASON", or "api ..."
// for runs without a slot. Specs are read back from schedule.
func fates(t *testing.T, db *sql.DB, schedule string) []string {
	t.Helper()
	parsed, err := jobs.ParseSchedule(schedule, store.CheckIDs())
	if err != nil {
		t.Fatal(err)
	}
	specOf := map[string]string{} // checks, comma-separated in catalogue order -> spec
	for _, spec := range parsed {
		var ids []string
		for _, id := range store.CheckIDs() {
			if parsed[id] == spec {
				ids = append(ids, id)
			}
		}
		specOf[strings.Join(ids, ",")] = spec
	}
	rows, err := db.Query(`SELECT array_to_string(checks, ','), slot, status, COALESCE('/' || failure, '') FROM check_runs`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var checks, status, failure string
		var slot *time.Time
		if err := rows.Scan(&checks, &slot, &status, &failure); err != nil {
			t.Fatal(err)
		}
		where := "api"
		if slot != nil {
			where = fmt.Sprintf("%s #%d", specOf[checks], int(slot.Sub(slotAt(0))/time.Hour))
		}
		out = append(out, where+" "+status+failure)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func checkFates(t *testing.T, db *sql.DB, schedule string, want []string) {
	t.Helper()
	want = slices.Clone(want)
	slices.Sort(want)
	if got := fates(t, db, schedule); !slices.Equal(got, want) {
		t.Errorf("check_runs:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// Groups whose slots coincide on one instance all run: the README's own
// example fires both of its groups at the top of every hour, and two
// spellings of one schedule are two groups. Each group's run is held until
// every group's run has begun, so they truly overlap.
func TestGroupsFiringTogetherAllRun(t *testing.T) {
	tests := []struct {
		name     string
		schedule string
		specs    []string
	}{
		{"ReadmeExample", "all=0 * * * *; exposure=*/10 * * * *", []string{"0 * * * *", "*/10 * * * *"}},
		{"OneScheduleSpelledTwice", "all=0 * * * *; exposure=@hourly", []string{"0 * * * *", "@hourly"}},
		{"ThreeGroups", "all=0 * * * *; exposure=@hourly; retention=0 */1 * * *", []string{"0 * * * *", "@hourly", "0 */1 * * *"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := storetest.Database(t)
			in := newInstance(t, url, tt.schedule)
			var want []string
			for n := range 3 {
				g := hold(in.runner)
				var done []<-chan struct{}
				for _, spec := range tt.specs {
					done = append(done, in.fire(spec, slotAt(n)))
					want = append(want, fmt.Sprintf("%s #%d ran", spec, n))
				}
				for range tt.specs {
					select {
					case <-g.entered:
					case r := <-in.results:
						t.Fatalf("slot %d: a group's run ended %s before every group's run had begun", n, r.Status)
					case <-time.After(waitLimit):
						t.Fatalf("slot %d: the groups' runs did not all begin; one is blocked by another", n)
					}
				}
				close(g.release)
				for _, d := range done {
					wait(t, d, "the slot's runs to end")
					wait(t, in.results, "a result")
				}
			}
			checkFates(t, in.db, tt.schedule, want)
		})
	}
}

// A run that outlasts its interval: the slots that come while it runs are
// recorded as skipped on this instance, and the next slot after it runs.
func TestRunOutlastingItsIntervalRecordsSkippedSlots(t *testing.T) {
	const schedule, spec = "all=0 * * * *", "0 * * * *"
	tests := []struct {
		name    string
		covered int // slots that come while slot 0 runs
	}{
		{"OneSlot", 1},
		{"ThreeSlots", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := newInstance(t, storetest.Database(t), schedule)
			g := hold(in.runner)
			long := in.fire(spec, slotAt(0))
			wait(t, g.entered, "slot 0's run to begin")
			want := []string{spec + " #0 ran"}
			for n := 1; n <= tt.covered; n++ {
				wait(t, in.fire(spec, slotAt(n)), fmt.Sprintf("slot %d", n))
				if r := wait(t, in.results, "a result"); r.Status != "skipped_still_running" || !r.Slot.Equal(slotAt(n)) {
					t.Errorf("slot %d: %s at %v, want skipped_still_running", n, r.Status, r.Slot)
				}
				want = append(want, fmt.Sprintf("%s #%d skipped_still_running", spec, n))
			}
			close(g.release)
			wait(t, long, "slot 0's run to end")
			next := tt.covered + 1
			wait(t, in.fire(spec, slotAt(next)), "the next slot")
			want = append(want, fmt.Sprintf("%s #%d ran", spec, next))
			checkFates(t, in.db, schedule, want)
		})
	}
}

// Two instances on one database run each (group, slot) once; the other
// records that the slot was claimed elsewhere.
func TestTwoInstancesRunEachSlotOnce(t *testing.T) {
	const schedule, spec = "all=0 * * * *; exposure=@hourly", "0 * * * *"
	tests := []struct {
		name string
		// play fires slots on a and b and returns the fates it wants.
		play func(t *testing.T, a, b *instance) []string
	}{
		{"SecondFiresWhileFirstRuns", func(t *testing.T, a, b *instance) []string {
			g := hold(a.runner)
			first := a.fire(spec, slotAt(0))
			wait(t, g.entered, "a's run to begin")
			// b does not wait for a: it records the slot and moves on.
			wait(t, b.fire(spec, slotAt(0)), "b's slot")
			checkFates(t, a.db, schedule, []string{spec + " #0 running", spec + " #0 claimed_elsewhere"})
			close(g.release)
			wait(t, first, "a's run")
			return []string{spec + " #0 ran", spec + " #0 claimed_elsewhere"}
		}},
		{"SecondFiresAfterFirstRan", func(t *testing.T, a, b *instance) []string {
			wait(t, a.fire(spec, slotAt(0)), "a's slot")
			wait(t, b.fire(spec, slotAt(0)), "b's slot")
			return []string{spec + " #0 ran", spec + " #0 claimed_elsewhere"}
		}},
		{"BothFireTogether", func(t *testing.T, a, b *instance) []string {
			var want []string
			for n := range 8 {
				// Both groups on both instances at once; one slot after
				// another, as cron fires them.
				var done []<-chan struct{}
				for _, s := range []string{spec, "@hourly"} {
					done = append(done, a.fire(s, slotAt(n)), b.fire(s, slotAt(n)))
					want = append(want, fmt.Sprintf("%s #%d ran", s, n), fmt.Sprintf("%s #%d claimed_elsewhere", s, n))
				}
				for _, d := range done {
					wait(t, d, "the slot on both instances")
				}
			}
			return want
		}},
		{"OneRunsWhatTheOtherSkips", func(t *testing.T, a, b *instance) []string {
			g := hold(a.runner)
			long := a.fire(spec, slotAt(0))
			wait(t, g.entered, "a's run of slot 0 to begin")
			wait(t, a.fire(spec, slotAt(1)), "a's slot 1")
			// b runs slot 1 once a's run of the same checks lets go of them.
			other := b.fire(spec, slotAt(1))
			close(g.release)
			wait(t, long, "a's run of slot 0")
			wait(t, other, "b's run of slot 1")
			return []string{spec + " #0 ran", spec + " #1 skipped_still_running", spec + " #1 ran"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := storetest.Database(t)
			a, b := newInstance(t, url, schedule), newInstance(t, url, schedule)
			checkFates(t, a.db, schedule, tt.play(t, a, b))
		})
	}
}

// A run that fails records failed with a reason safe to show, on its own
// slot, and leaves its group free for the next slot.
func TestFailedRunsAreRecorded(t *testing.T) {
	const schedule, spec = "all=0 * * * *", "0 * * * *"
	tests := []struct {
		name string
		play func(t *testing.T, in *instance)
		want []string
	}{
		{"StoppedMidRun", func(t *testing.T, in *instance) {
			g := hold(in.runner)
			done := in.fire(spec, slotAt(0))
			wait(t, g.entered, "the run to begin")
			in.sched.Stop(context.Background())
			wait(t, done, "the stopped run")
		}, []string{spec + " #0 failed/stopped"}},
		{"DatabaseError", func(t *testing.T, in *instance) {
			// Only the owner may rename a table; the scheduler runs as the service.
			owner := storetest.Owner(t, in.db)
			if _, err := owner.Exec(`ALTER TABLE findings RENAME TO findings_elsewhere`); err != nil {
				t.Fatal(err)
			}
			wait(t, in.fire(spec, slotAt(0)), "the slot")
			if _, err := owner.Exec(`ALTER TABLE findings_elsewhere RENAME TO findings`); err != nil {
				t.Fatal(err)
			}
			wait(t, in.fire(spec, slotAt(1)), "the next slot")
		}, []string{spec + " #0 failed/error", spec + " #1 ran"}},
		{"Panic", func(t *testing.T, in *instance) {
			var once atomic.Bool
			in.runner.SetRunHook(func(context.Context, registry.RunResult) {
				if once.CompareAndSwap(false, true) {
					panic("a check's bug")
				}
			})
			wait(t, in.fire(spec, slotAt(0)), "the slot")
			wait(t, in.fire(spec, slotAt(1)), "the next slot")
		}, []string{spec + " #0 failed/error", spec + " #1 ran"}},
		{"OnDemandPastItsDeadline", func(t *testing.T, in *instance) {
			g := hold(in.runner)
			ctx := expiring{Context: context.Background(), done: make(chan struct{})}
			failed := make(chan error, 1)
			go func() {
				_, err := in.runner.RunChecks(ctx, registry.RunOptions{Trigger: "api", Actor: "t"})
				failed <- err
			}()
			wait(t, g.entered, "the run to begin")
			close(ctx.done)
			if err := wait(t, failed, "the run to end"); err == nil {
				t.Error("a run past its deadline succeeded")
			}
		}, []string{"api failed/timeout"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := newInstance(t, storetest.Database(t), schedule)
			tt.play(t, in)
			checkFates(t, in.db, schedule, tt.want)
			var leaked int
			if err := in.db.QueryRow(`SELECT count(*) FROM check_runs WHERE status = 'failed' AND error IS NULL`).Scan(&leaked); err != nil {
				t.Fatal(err)
			}
			if leaked != 0 {
				t.Errorf("%d failed runs keep no error for operators", leaked)
			}
		})
	}
}

// killedRunnerEnv carries the test database to the runner process
// TestAbandonedRunsAreMarked kills.
const killedRunnerEnv = "KEDJA_TEST_KILLED_RUNNER_DB"

// TestKilledRunnerProcess is not a test of its own: it is the runner process
// that TestAbandonedRunsAreMarked starts and kills in the middle of a run.
func TestKilledRunnerProcess(t *testing.T) {
	url := os.Getenv(killedRunnerEnv)
	if url == "" {
		t.Skip("the process TestAbandonedRunsAreMarked kills")
	}
	in := newInstance(t, url, "all=0 * * * *")
	in.runner.SetRunHook(func(_ context.Context, r registry.RunResult) {
		fmt.Printf("holding run %d\n", r.RunID)
		// Until killed; if the parent dies first, stdin closes and this
		// process ends without a word to the database either.
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(3)
	})
	in.sched.Fire("0 * * * *", slotAt(0))
}

// killRunner starts a runner process on url, lets it claim slot 0 and begin
// its run, and kills it: what an OOM kill or a crashed host leaves behind.
func killRunner(t *testing.T, url string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledRunnerProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), killedRunnerEnv+"="+url)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "holding run") {
				lines <- sc.Text()
			}
		}
		close(lines)
	}()
	select {
	case _, ok := <-lines:
		if !ok {
			cmd.Wait()
			t.Fatalf("the runner process ended before holding its run: %s", stderr.String())
		}
	case <-time.After(waitLimit):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the runner process did not begin its run")
	}
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The backend holding the slot's lock is the runner's connection.
	key := store.SlotKey(store.CheckIDs(), slotAt(0))
	var pid int
	if err := db.QueryRow(`SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
		AND classid = CAST((CAST($1 AS bigint) >> 32) & 4294967295 AS oid) AND objid = CAST(CAST($1 AS bigint) & 4294967295 AS oid)`, key).Scan(&pid); err != nil {
		t.Fatalf("the runner's slot lock: %v", err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	// The backend ends when it sees its client gone; make that now, and
	// wait for it, rather than guess how long it takes.
	if _, err := db.Exec(`SELECT pg_terminate_backend($1, 60000)`, pid); err != nil {
		t.Fatal(err)
	}
}

// A runner killed mid-run leaves its slot's row 'running'; the next run, a
// scheduler starting, or another instance firing the slot marks it
// abandoned, and the slot is not run twice. A runner still alive is left
// alone.
func TestAbandonedRunsAreMarked(t *testing.T) {
	const schedule, spec = "all=0 * * * *", "0 * * * *"
	tests := []struct {
		name   string
		killed bool // the slot 0 runner is killed; else it is alive and held
		then   func(t *testing.T, other *instance)
		want   []string
	}{
		{"NextRunMarksIt", true, func(t *testing.T, other *instance) {
			wait(t, other.fire(spec, slotAt(1)), "slot 1")
		}, []string{spec + " #0 abandoned", spec + " #1 ran"}},
		{"SchedulerStartMarksIt", true, func(t *testing.T, other *instance) {
			other.sched.Start()
			other.sched.Stop(context.Background())
		}, []string{spec + " #0 abandoned"}},
		{"AnotherInstanceFiringTheSlotMarksItAndDoesNotRerunIt", true, func(t *testing.T, other *instance) {
			wait(t, other.fire(spec, slotAt(0)), "slot 0 again")
		}, []string{spec + " #0 abandoned", spec + " #0 claimed_elsewhere"}},
		{"LiveRunnerIsLeftAlone", false, func(t *testing.T, other *instance) {
			other.sched.Start()
			other.sched.Stop(context.Background())
			if n, err := other.runner.MarkAbandonedRuns(context.Background()); n != 0 || err != nil {
				t.Errorf("marked %d runs abandoned (%v), want none", n, err)
			}
		}, []string{spec + " #0 running"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := storetest.Database(t)
			var release func()
			if tt.killed {
				killRunner(t, url)
			} else {
				runner := newInstance(t, url, schedule)
				g := hold(runner.runner)
				done := runner.fire(spec, slotAt(0))
				wait(t, g.entered, "the live run to begin")
				release = func() { close(g.release); wait(t, done, "the live run") }
			}
			other := newInstance(t, url, schedule)
			checkFates(t, other.db, schedule, []string{spec + " #0 running"})
			tt.then(t, other)
			checkFates(t, other.db, schedule, tt.want)
			if release != nil {
				release()
				checkFates(t, other.db, schedule, []string{spec + " #0 ran"})
			}
		})
	}
}

// End to end through cron: two instances on one database, each with two
// groups firing every second, run each (group, slot) once. The test waits
// for the instances to report slots, not for the clock; slots cron fires
// while the instances stop are left out.
func TestTwoSchedulersRunEachSlotOnce(t *testing.T) {
	const schedule = "all=* * * * * *; exposure=*/1 * * * * *"
	url := storetest.Database(t)
	type key struct {
		checks string
		slot   time.Time
	}
	var mu sync.Mutex
	seen := []map[key]string{{}, {}}
	complete := make(chan struct{})
	var once sync.Once
	var instances []*instance
	// A run that Stop cuts short fails (the database cancels its statement);
	// only errors before stopping are failures.
	var stopping atomic.Bool
	for i := range 2 {
		in := newInstance(t, url, schedule)
		in.sched.OnRun = func(r registry.RunResult, err error) {
			if err != nil && !stopping.Load() {
				t.Errorf("instance %d: %v", i, err)
			}
			mu.Lock()
			defer mu.Unlock()
			seen[i][key{strings.Join(r.Checks, ","), *r.Slot}] = r.Status
			// Three slots of each group reported by both instances.
			both := map[string]int{}
			for k := range seen[0] {
				if _, ok := seen[1][k]; ok {
					both[k.checks]++
				}
			}
			if len(both) == 2 && slices.Min(slices.Collect(maps.Values(both))) >= 3 {
				once.Do(func() { close(complete) })
			}
		}
		instances = append(instances, in)
	}
	for _, in := range instances {
		in.sched.Start()
	}
	wait(t, complete, "both instances to report three slots of each group")
	mu.Lock()
	var slots []key
	for k := range seen[0] {
		if _, ok := seen[1][k]; ok {
			slots = append(slots, k)
		}
	}
	mu.Unlock()
	stopping.Store(true)
	for _, in := range instances {
		in.sched.Stop(context.Background())
	}

	ran := map[string]int{}
	for _, k := range slots {
		var statuses []string
		rows, err := instances[0].db.Query(`SELECT status FROM check_runs WHERE array_to_string(checks, ',') = $1 AND slot = $2 ORDER BY status`, k.checks, k.slot)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			rows.Scan(&s)
			statuses = append(statuses, s)
		}
		rows.Close()
		// One row from each instance. Normally one ran and the other found
		// it claimed; on a slow machine a run may outlast its second, and
		// then the instance still running it skips the next slot, which the
		// other runs, or both skip it.
		switch strings.Join(statuses, " ") {
		case "claimed_elsewhere ran", "ran skipped_still_running":
			ran[k.checks]++
		case "skipped_still_running skipped_still_running":
		default:
			t.Errorf("%s at %s: %v, want one instance to run it and the other to record why not", k.checks, k.slot.Format(time.TimeOnly), statuses)
		}
	}
	if len(ran) != 2 {
		t.Errorf("slots run per group: %v, want both groups run", ran)
	}
}

func TestParseSchedule(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
		want    map[string]string
	}{
		{"Default", "", "", map[string]string{"exposure": jobs.DefaultSpec}},
		{"AllAndOne", "all=*/30 * * * *; exposure=@every 5m", "", map[string]string{"exposure": "@every 5m", "retention": "*/30 * * * *"}},
		{"WithSeconds", "exposure=*/10 * * * * *", "", map[string]string{"exposure": "*/10 * * * * *"}},
		{"Off", "off", "", map[string]string{}},
		{"UnknownCheck", "vibes=@hourly", `"vibes" is not a check`, nil},
		{"BadSpec", "exposure=every tuesday", "exposure:", nil},
		{"TimeZoneRefused", "exposure=TZ=Europe/Stockholm 0 * * * *", "UTC", nil},
		{"EmptyTimeZoneRefused", "all=TZ= 0 * * * *", "UTC", nil},
		{"NotAnAssignment", "hourly", "not CHECK=SPEC", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := jobs.ParseSchedule(tt.in, store.CheckIDs())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for id, spec := range tt.want {
				if got[id] != spec {
					t.Errorf("%s: got %q, want %q", id, got[id], spec)
				}
			}
			if tt.in == "off" && len(got) != 0 {
				t.Errorf("off scheduled %v", got)
			}
		})
	}
}
