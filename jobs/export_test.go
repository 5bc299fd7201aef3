package jobs

import (
	"context"
	"time"
)

// Fire runs what the cron entry of spec would run for slot, and returns
// when it is done: tests give slots instead of waiting for the clock.
func (s *Scheduler) Fire(spec string, slot time.Time) { s.fire(s.groups[spec], slot) }

// HoldRuns makes r call hold in every run's transaction once the run's
// check locks are held, before the work.
func HoldRuns(r *Runner, hold func(context.Context, RunResult)) { r.evaluating = hold }

// SlotKey is the advisory lock key of a group's slot.
func SlotKey(checks []string, slot time.Time) int64 { return slotKey(checks, slot) }
