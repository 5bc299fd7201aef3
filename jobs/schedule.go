// Package jobs runs kedja's compliance checks on their schedule: cron specs
// per check, groups of checks that share a spec, and the per-group busy flag
// that records an overlapping slot instead of running it. The checks, their
// findings and the slot claims are a registry.CheckService's.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/kedja/kedja/registry"
)

// Schedule maps check ids to cron specs.
type Schedule map[string]string

// DefaultSpec runs every check at the top of every hour, UTC.
const DefaultSpec = "0 * * * *"

// parser accepts five fields, an optional leading seconds field, and
// descriptors (@hourly, @every 10m).
var parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule reads "all=SPEC" and/or "CHECK=SPEC" entries separated by
// semicolons ("all=0 * * * *; exposure=*/10 * * * *"), or "off", for the
// catalogue's checks (their ids). Every check not named gets the "all" spec,
// or DefaultSpec. Each spec is validated now, so a typo fails at start with
// the check's name, not at 3 a.m.
func ParseSchedule(text string, checks []string) (Schedule, error) {
	s := Schedule{}
	text = strings.TrimSpace(text)
	if text == "off" {
		return s, nil
	}
	all := DefaultSpec
	named := map[string]string{}
	for _, part := range strings.Split(text, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, spec, ok := strings.Cut(part, "=")
		id, spec = strings.TrimSpace(id), strings.TrimSpace(spec)
		if !ok || spec == "" {
			return nil, fmt.Errorf("check schedule: %q is not CHECK=SPEC", part)
		}
		if id != "all" && !slices.Contains(checks, id) {
			return nil, fmt.Errorf("check schedule: %q is not a check; the checks are %s", id, strings.Join(checks, ", "))
		}
		if err := validSpec(spec); err != nil {
			return nil, fmt.Errorf("check schedule: %s: %w", id, err)
		}
		if id == "all" {
			all = spec
		} else {
			named[id] = spec
		}
	}
	for _, id := range checks {
		s[id] = all
		if spec, ok := named[id]; ok {
			s[id] = spec
		}
	}
	return s, nil
}

// validSpec parses a spec. Schedules run in UTC: a time-zone prefix is
// refused (robfig/cron panics on an empty one, and summer time skips or
// doubles local hours).
func validSpec(spec string) (err error) {
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		return fmt.Errorf("%q: schedules run in UTC; drop the time zone", spec)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%q is not a cron spec", spec)
		}
	}()
	if _, err := parser.Parse(spec); err != nil {
		return fmt.Errorf("%q is not a cron spec: %v", spec, err)
	}
	return nil
}

// Scheduler runs the checks on their schedules. Checks that share a spec
// form a group and run together, in one run; groups run independently.
type Scheduler struct {
	checks registry.CheckService
	log    *slog.Logger
	cron   *cron.Cron
	groups map[string]*group // by spec
	ctx    context.Context
	cancel context.CancelFunc
	// OnRun, if set, is told of every scheduled slot's fate (tests use it).
	OnRun func(registry.RunResult, error)
	mu    sync.Mutex
	// running is set between Start and Stop (readiness: Running).
	running atomic.Bool
}

// Running says whether the schedule is running: started, not stopped.
func (s *Scheduler) Running() bool { return s.running.Load() }

// group is the checks of one spec.
type group struct {
	checks []string
	// busy is set while this instance runs the group. robfig's
	// SkipIfStillRunning would drop an overlapping slot without a word; the
	// scheduler records it instead, and a run that outlasts its interval
	// shows as the slots it covered.
	busy atomic.Bool
}

// scheduleActor is who scheduled runs are run for.
const scheduleActor = "kedja schedule"

// NewScheduler prepares a scheduler of checks; Start starts it.
func NewScheduler(checks registry.CheckService, schedule Schedule, log *slog.Logger) (*Scheduler, error) {
	logger := cronLogger{log}
	// Recover only guards the scheduler's own code: a run's panic is caught
	// and recorded by the run.
	c := cron.New(cron.WithParser(parser), cron.WithLocation(time.UTC), cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger)))
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{checks: checks, log: log, cron: c, groups: map[string]*group{}, ctx: ctx, cancel: cancel}
	for id, spec := range schedule {
		if s.groups[spec] == nil {
			s.groups[spec] = &group{}
		}
		s.groups[spec].checks = append(s.groups[spec].checks, id)
	}
	for _, spec := range slices.Sorted(maps.Keys(s.groups)) {
		g := s.groups[spec]
		sort.Strings(g.checks)
		var entry cron.EntryID
		entry, err := c.AddFunc(spec, func() {
			// Prev is this activation's scheduled time: the same on every
			// instance with the same spec, so it names the slot they compete
			// for. Entry answers through cron's loop, after it has set Prev.
			s.fire(g, s.cron.Entry(entry).Prev.UTC())
		})
		if err != nil {
			cancel()
			return nil, fmt.Errorf("check schedule %q: %w", spec, err)
		}
	}
	return s, nil
}

// fire runs a group's slot, or records why this instance does not.
func (s *Scheduler) fire(g *group, slot time.Time) {
	res, err := s.attempt(g, slot)
	switch {
	case err != nil && s.ctx.Err() != nil:
		// Stop cancelled the run: its transaction rolled back and the run
		// is recorded as stopped; that is shutting down, not a failure.
		s.log.Warn("scheduled checks stopped with the scheduler", "checks", g.checks, "slot", slot)
	case err != nil:
		s.log.Error("scheduled checks failed", "checks", g.checks, "slot", slot, "status", res.Status, "err", err)
	case res.Status == registry.RunRan:
		s.log.Info("scheduled checks", "checks", g.checks, "slot", slot, "run", res.RunID, "found", res.Found,
			"opened", res.Opened, "resolved", res.Resolved, "ms", res.Ended.Sub(res.Started).Milliseconds())
	case res.Status == registry.RunSkippedStillRunning:
		s.log.Warn("scheduled checks skipped: the previous run is still going", "checks", g.checks, "slot", slot)
	default:
		s.log.Info("scheduled checks claimed by another instance", "checks", g.checks, "slot", slot)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.OnRun != nil {
		s.OnRun(res, err)
	}
}

func (s *Scheduler) attempt(g *group, slot time.Time) (registry.RunResult, error) {
	if !g.busy.CompareAndSwap(false, true) {
		return s.checks.RecordSkippedSlot(s.ctx, g.checks, slot, scheduleActor)
	}
	defer g.busy.Store(false)
	return s.checks.RunChecks(s.ctx, registry.RunOptions{Checks: g.checks, Trigger: "schedule", Actor: scheduleActor, Slot: &slot})
}

// Start marks the runs that died with an earlier process as abandoned, then
// starts the schedule.
func (s *Scheduler) Start() {
	if n, err := s.checks.MarkAbandonedRuns(s.ctx); err != nil {
		s.log.Error("marking abandoned check runs", "err", err)
	} else if n > 0 {
		s.log.Warn("check runs abandoned by a runner that died", "runs", n)
	}
	s.cron.Start()
	s.running.Store(true)
}

// Stop stops scheduling, cancels running checks (their transaction rolls
// back and the run is recorded as failed, stopped) and waits for them, or
// for ctx.
func (s *Scheduler) Stop(ctx context.Context) {
	s.running.Store(false)
	done := s.cron.Stop()
	s.cancel()
	select {
	case <-done.Done():
	case <-ctx.Done():
	}
}

type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
