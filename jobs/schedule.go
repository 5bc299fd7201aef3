package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedule maps check ids to cron specs.
type Schedule map[string]string

// DefaultSpec runs every check at the top of every hour, UTC.
const DefaultSpec = "0 * * * *"

// parser accepts five fields, an optional leading seconds field, and
// descriptors (@hourly, @every 10m).
var parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSchedule reads "all=SPEC" and/or "CHECK=SPEC" entries separated by
// semicolons ("all=0 * * * *; exposure=*/10 * * * *"), or "off". Every check
// not named gets the "all" spec, or DefaultSpec. Each spec is validated now,
// so a typo fails at start with the check's name, not at 3 a.m.
func ParseSchedule(text string) (Schedule, error) {
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
		if id != "all" && !slices.Contains(CheckIDs(), id) {
			return nil, fmt.Errorf("check schedule: %q is not a check; the checks are %s", id, strings.Join(CheckIDs(), ", "))
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
	for _, id := range CheckIDs() {
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
// run together, in one run.
type Scheduler struct {
	runner *Runner
	log    *slog.Logger
	cron   *cron.Cron
	ctx    context.Context
	cancel context.CancelFunc
	// OnRun, if set, is told of every scheduled attempt (tests use it).
	OnRun func(RunResult, error)
	mu    sync.Mutex
}

// NewScheduler prepares a scheduler; Start starts it.
func NewScheduler(runner *Runner, schedule Schedule, log *slog.Logger) (*Scheduler, error) {
	logger := cronLogger{log}
	c := cron.New(cron.WithParser(parser), cron.WithLocation(time.UTC), cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{runner: runner, log: log, cron: c, ctx: ctx, cancel: cancel}
	bySpec := map[string][]string{}
	for id, spec := range schedule {
		bySpec[spec] = append(bySpec[spec], id)
	}
	specs := make([]string, 0, len(bySpec))
	for spec := range bySpec {
		specs = append(specs, spec)
	}
	sort.Strings(specs)
	for _, spec := range specs {
		ids := bySpec[spec]
		sort.Strings(ids)
		var entry cron.EntryID
		entry, err := c.AddFunc(spec, func() { s.fire(entry, ids) })
		if err != nil {
			cancel()
			return nil, fmt.Errorf("check schedule %q: %w", spec, err)
		}
	}
	return s, nil
}

func (s *Scheduler) fire(entry cron.EntryID, ids []string) {
	// Prev is this activation's scheduled time: the same on every instance
	// with the same spec, so it names the slot they compete for.
	slot := s.cron.Entry(entry).Prev.UTC()
	res, err := s.runner.Run(s.ctx, RunOptions{Checks: ids, Trigger: "schedule", Actor: "kedja schedule", Slot: &slot})
	switch {
	case err != nil:
		s.log.Error("scheduled checks failed", "checks", ids, "slot", slot, "err", err)
	case res.Skipped:
		s.log.Info("scheduled checks run elsewhere", "checks", ids, "slot", slot)
	default:
		s.log.Info("scheduled checks", "checks", ids, "slot", slot, "found", res.Found, "opened", res.Opened,
			"resolved", res.Resolved, "ms", res.Ended.Sub(res.Started).Milliseconds())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.OnRun != nil {
		s.OnRun(res, err)
	}
}

// Start starts the schedule.
func (s *Scheduler) Start() { s.cron.Start() }

// Stop stops scheduling, cancels running checks (their transaction rolls
// back and the run is recorded as failed) and waits for them, or for ctx.
func (s *Scheduler) Stop(ctx context.Context) {
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
