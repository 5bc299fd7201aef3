package jobs

import "time"

// Fire runs what the cron entry of spec would run for slot, and returns
// when it is done: tests give slots instead of waiting for the clock.
func (s *Scheduler) Fire(spec string, slot time.Time) { s.fire(s.groups[spec], slot) }
