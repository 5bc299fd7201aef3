package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/kedja/kedja/jobs"
	"github.com/kedja/kedja/store/storetest"
)

// Two instances on one database, both scheduling the same checks every
// second: each slot runs exactly once, and the other instance skips it.
func TestTwoSchedulersRunEachSlotOnce(t *testing.T) {
	s := storetest.Store(t)
	sched, err := jobs.ParseSchedule("all=* * * * * *")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	ran, skipped := map[int64]int{}, 0
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var schedulers []*jobs.Scheduler
	for range 2 {
		sc, err := jobs.NewScheduler(&jobs.Runner{DB: s.DB()}, sched, log)
		if err != nil {
			t.Fatal(err)
		}
		sc.OnRun = func(r jobs.RunResult, err error) {
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Errorf("scheduled run failed: %v", err)
			case r.Skipped:
				skipped++
			default:
				ran[r.RunID]++
			}
		}
		schedulers = append(schedulers, sc)
	}
	for _, sc := range schedulers {
		sc.Start()
	}
	time.Sleep(3500 * time.Millisecond)
	for _, sc := range schedulers {
		sc.Stop(context.Background())
	}

	var runs, slots int
	if err := s.DB().QueryRow(`SELECT count(*), count(DISTINCT slot) FROM check_runs WHERE trigger = 'schedule' AND error IS NULL`).Scan(&runs, &slots); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if runs < 3 || runs != slots {
		t.Errorf("%d scheduled runs over %d slots; want one run per slot, at least 3", runs, slots)
	}
	if len(ran) != runs {
		t.Errorf("instances report %d runs, the database %d", len(ran), runs)
	}
	if skipped < runs-1 {
		t.Errorf("the second instance skipped %d slots of %d; it should skip every slot the first ran", skipped, runs)
	}
}
