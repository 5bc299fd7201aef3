package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/kedja/kedja/graph/render"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/server"
	"github.com/kedja/kedja/store"
)

// registerMetrics adds what the server does not see itself to its
// metrics: the database's statements and pool, the audit log's appends,
// the pictures drawn, the check runs and the open findings.
func registerMetrics(m *server.Metrics, s *store.Store, pics *render.Pool, findings registry.FindingService) error {
	stats := s.Stats()
	counter := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f)
	}
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	cs := []prometheus.Collector{
		counter("kedja_sql_statements_total", "SQL statements run (queries and commands; BEGIN and COMMIT not counted).",
			func() float64 { return float64(stats.Statements()) }),
		counter("kedja_sql_seconds_total", "Time spent in SQL statements.", func() float64 { return stats.Time().Seconds() }),
		counter("kedja_db_dead_connections_dropped_total", "Pooled connections found closed by the database before use, and dropped.",
			func() float64 { return float64(stats.DroppedDead()) }),
		collectors.NewDBStatsCollector(s.DB(), "kedja"),
		counter("kedja_audit_rows_appended_total", "Audit log rows written by the group commit.", func() float64 {
			_, rows := s.AuditWriterStats()
			return float64(rows)
		}),
		counter("kedja_audit_batches_total", "Group commits of audit log rows.", func() float64 {
			batches, _ := s.AuditWriterStats()
			return float64(batches)
		}),
		counter("kedja_token_cache_hits_total", "Authentications answered from the token cache.", func() float64 {
			hits, _ := s.TokenCacheStats()
			return float64(hits)
		}),
		counter("kedja_token_cache_misses_total", "Authentications the token cache sent to the database.", func() float64 {
			_, misses := s.TokenCacheStats()
			return float64(misses)
		}),
		&findingsCollector{findings: findings, desc: prometheus.NewDesc("kedja_findings_open",
			"Open findings of the compliance checks, by severity.", []string{"severity"}, nil)},
	}
	if pics != nil {
		st := func(f func(render.Stats) int) func() float64 {
			return func() float64 { return float64(f(pics.Stats())) }
		}
		cs = append(cs,
			counter("kedja_renders_total", "Pictures drawn by the render workers.", st(func(s render.Stats) int { return s.Rendered })),
			counter("kedja_render_failures_total", "Pictures that failed to draw (timed out and cancelled included).",
				st(func(s render.Stats) int { return s.Failed + s.TimedOut + s.Cancelled })),
			counter("kedja_render_cache_hits_total", "Pictures served from the picture cache.", st(func(s render.Stats) int { return s.Cached })),
			gauge("kedja_render_workers_busy", "Render workers drawing (or starting) now.", st(func(s render.Stats) int { return s.Busy })),
		)
	}
	return m.Register(cs...)
}

// findingsCollector reads the open findings by severity when scraped: one
// grouped query, the same the overview page shows.
type findingsCollector struct {
	findings registry.FindingService
	desc     *prometheus.Desc
}

func (c *findingsCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *findingsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	sum, err := c.findings.FindingSummary(ctx, nil)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for _, n := range sum.BySeverity {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n.Count), n.Key)
	}
}

// checkMetrics measures every check run, scheduled or asked for through
// the API, by wrapping the check service both call.
type checkMetrics struct {
	registry.CheckService
	runs     *prometheus.CounterVec
	duration prometheus.Histogram
}

func newCheckMetrics(m *server.Metrics, checks registry.CheckService) (*checkMetrics, error) {
	c := &checkMetrics{CheckService: checks,
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kedja_check_runs_total",
			Help: "Check runs by status: ran, failed, claimed_elsewhere, skipped_still_running."}, []string{"status"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "kedja_check_run_duration_seconds",
			Help: "Duration of the check runs that ran.", Buckets: []float64{.1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300}}),
	}
	return c, m.Register(c.runs, c.duration)
}

func (c *checkMetrics) RunChecks(ctx context.Context, opts registry.RunOptions) (registry.RunResult, error) {
	res, err := c.CheckService.RunChecks(ctx, opts)
	status := res.Status
	if status == "" {
		status = registry.RunFailed
	}
	c.runs.WithLabelValues(status).Inc()
	if status == registry.RunRan {
		c.duration.Observe(res.Ended.Sub(res.Started).Seconds())
	}
	return res, err
}
