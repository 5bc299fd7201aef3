package server

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the server's measurements in the Prometheus format: requests
// by operation, outcome and role with their latency and SQL cost, every
// HTTP route's answers, and refusals by code. The store's, the renderer's
// and the checks' figures are registered beside them by kedja serve.
//
// Labels are bounded: an operation is its kind and root fields (the
// schema's names), never a client's operation name, which could make a
// series per request.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	statements *prometheus.HistogramVec
	sqlTime    *prometheus.HistogramVec
	routes     *prometheus.CounterVec
	routeTime  *prometheus.HistogramVec
	refusals   *prometheus.CounterVec
}

// NewMetrics registers the server's metrics, and Go's and the process's
// own, in a new registry.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kedja_graphql_requests_total",
			Help: "GraphQL requests executed, by operation (kind and root fields), outcome code (ok or the first error's) and role.",
		}, []string{"operation", "code", "role"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kedja_graphql_request_duration_seconds",
			Help:    "Time from a GraphQL request's arrival to its answer, by operation and role.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 15},
		}, []string{"operation", "role"}),
		statements: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kedja_graphql_request_sql_statements",
			Help:    "SQL statements one GraphQL request ran, by operation.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128},
		}, []string{"operation"}),
		sqlTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kedja_graphql_request_sql_seconds",
			Help:    "Time one GraphQL request spent in SQL statements, by operation.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1, 5},
		}, []string{"operation"}),
		routes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kedja_http_requests_total",
			Help: "HTTP requests answered, by route (the pattern that served it) and status.",
		}, []string{"route", "status"}),
		routeTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kedja_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kedja_refusals_total",
			Help: "Requests refused before execution, by code (UNAUTHENTICATED, RATE_LIMITED, LOCKED_OUT, UNAVAILABLE, ...).",
		}, []string{"code"}),
	}
	reg.MustRegister(m.requests, m.duration, m.statements, m.sqlTime, m.routes, m.routeTime, m.refusals,
		prometheus.NewGoCollector(), prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}))
	return m
}

// SetVersion publishes the build's version as kedja_build_info.
func (m *Metrics) SetVersion(version string) {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "kedja_build_info",
		Help: "Always 1: the version kedja was built as, and the Go it was built with."}, []string{"version", "goversion"})
	g.WithLabelValues(version, runtime.Version()).Set(1)
	m.reg.MustRegister(g)
}

// Register adds collectors (the store's, the renderer's, ...) to the
// registry the metrics are served from.
func (m *Metrics) Register(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := m.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Handler serves the metrics, for a listener of their own: kedja serve
// keeps them off the API's address, since they describe the service's load
// and errors to whoever can reach them.
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	return mux
}

// StatementCounter starts counting the SQL statements run with the context
// it returns; done reports how many ran and how long they took. The store
// provides it (store.WithStatementCount), so that the server need not
// import the store.
type StatementCounter func(ctx context.Context) (context.Context, func() (int64, time.Duration))

func (m *Metrics) graphql(op, code, role string, took time.Duration, statements int64, sql time.Duration) {
	if m == nil {
		return
	}
	if role == "" {
		role = "anonymous"
	}
	m.requests.WithLabelValues(op, code, role).Inc()
	m.duration.WithLabelValues(op, role).Observe(took.Seconds())
	m.statements.WithLabelValues(op).Observe(float64(statements))
	m.sqlTime.WithLabelValues(op).Observe(sql.Seconds())
}

func (m *Metrics) route(route string, status int, took time.Duration) {
	if m == nil {
		return
	}
	if route == "" {
		route = "unmatched"
	}
	m.routes.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.routeTime.WithLabelValues(route).Observe(took.Seconds())
}

func (m *Metrics) refused(code string) {
	if m == nil {
		return
	}
	m.refusals.WithLabelValues(code).Inc()
}
