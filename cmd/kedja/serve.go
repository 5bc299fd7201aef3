package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/demo"
	"github.com/kedja/kedja/graph/render"
	"github.com/kedja/kedja/jobs"
	"github.com/kedja/kedja/migrations"
	"github.com/kedja/kedja/resolvers"
	"github.com/kedja/kedja/schema"
	"github.com/kedja/kedja/server"
	"github.com/kedja/kedja/store"
)

func runServe(ctx context.Context, k *cli, args []string) error {
	f, cfg := commonFlags("serve", "Migrate the database if --migrate-url is given, then serve GraphQL at POST /graphql and health at GET /healthz, "+
		"connected as the service role (--database-url).")
	addr := f.String("addr", "ADDR", envOr("KEDJA_ADDR", "127.0.0.1:8080"), "listen address")
	seed := f.Bool("seed-demo", false, "load the demo data before serving")
	timeout := f.Duration("timeout", "DURATION", server.DefaultConfig.Timeout, "longest a GraphQL request may run")
	tlsCert := f.String("tls-cert", "FILE", os.Getenv("KEDJA_TLS_CERT"), "serve HTTPS with this PEM certificate")
	tlsKey := f.String("tls-key", "FILE", os.Getenv("KEDJA_TLS_KEY"), "and this PEM key")
	checkSchedule := f.String("check-schedule", "SPEC", os.Getenv("KEDJA_CHECK_SCHEDULE"),
		`when to run the checks, in UTC: "all=SPEC; CHECK=SPEC" or "off"; without it, "all=`+jobs.DefaultSpec+`"`)
	f.env("addr", "KEDJA_ADDR")
	f.env("tls-cert", "KEDJA_TLS_CERT")
	f.env("tls-key", "KEDJA_TLS_KEY")
	f.env("check-schedule", "KEDJA_CHECK_SCHEDULE")
	linkKey := f.String("link-key", "FILE", os.Getenv("KEDJA_LINK_KEY_FILE"),
		"sign report links with the key in this file (32+ bytes, shared by every instance); without it, a random key per process, so links die on restart")
	f.env("link-key", "KEDJA_LINK_KEY_FILE")
	audit := addAuditFlags(f)
	checkpointEvery := f.Duration("audit-checkpoint-every", "DURATION", time.Minute,
		"how often to write a checkpoint of the audit log's head, when it has moved (and at shutdown)")
	waitDB := f.Duration("wait-for-database", "DURATION", envDuration("KEDJA_WAIT_FOR_DATABASE", time.Minute),
		"how long to keep trying at start while the database cannot be reached (0: fail at once)")
	f.env("wait-for-database", "KEDJA_WAIT_FOR_DATABASE")
	metricsAddr := f.String("metrics-addr", "ADDR", os.Getenv("KEDJA_METRICS_ADDR"),
		"serve Prometheus metrics at GET /metrics on this address of their own (off without it; keep it off the public network)")
	f.env("metrics-addr", "KEDJA_METRICS_ADDR")
	graphqlGo := f.Bool("graphql-go-executor", false,
		"answer queries with graphql-go's executor, as before kedja had its own (slower; a way back should kedja's ever answer wrong)")
	pictures := renderFlags(f, runtime.NumCPU())
	f.example("kedja serve --seed-demo",
		`kedja serve --addr 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem --check-schedule "all=0 3 * * *"`)
	migrateFlag(f, cfg)
	if err := f.parse(k, args); err != nil {
		return err
	}
	schedule, err := jobs.ParseSchedule(*checkSchedule, store.CheckIDs())
	if err != nil {
		return err
	}
	if v := os.Getenv("KEDJA_WAIT_FOR_DATABASE"); v != "" {
		if _, err := time.ParseDuration(v); err != nil {
			return fmt.Errorf("KEDJA_WAIT_FOR_DATABASE: %q is not a duration (such as 2m)", v)
		}
	}
	if *waitDB < 0 {
		return errors.New("--wait-for-database must not be negative")
	}
	cfg.statementTimeout = *timeout
	cfg.waitForDatabase, cfg.log = *waitDB, k.log
	if (*tlsCert == "") != (*tlsKey == "") {
		return errors.New("give both --tls-cert and --tls-key, or neither")
	}
	if *checkpointEvery <= 0 {
		return errors.New("--audit-checkpoint-every must be positive")
	}
	return withStore(ctx, cfg, func(s *store.Store) error {
		if err := audit.useKey(s); err != nil {
			return err
		}
		return serve(ctx, s, cfg, serveOptions{addr: *addr, seed: *seed, timeout: *timeout, schedule: schedule,
			tlsCert: *tlsCert, tlsKey: *tlsKey, pictures: pictures.options(), linkKey: *linkKey,
			checkpoints: *audit.checkpoints, checkpointEvery: *checkpointEvery, metricsAddr: *metricsAddr,
			graphqlGoExecutor: *graphqlGo}, k.out, k.log)
	})
}

type serveOptions struct {
	addr            string
	seed            bool
	timeout         time.Duration
	schedule        jobs.Schedule
	tlsCert, tlsKey string
	pictures        render.Options
	linkKey         string // file of the report links' key; "" for a random one
	// checkpoints is the file signed checkpoints of the audit log's head are
	// appended to ("": the log only), every checkpointEvery.
	checkpoints     string
	checkpointEvery time.Duration
	// metricsAddr is where /metrics is served ("": nowhere).
	metricsAddr string
	// graphqlGoExecutor answers queries with graphql-go's executor.
	graphqlGoExecutor bool
}

func serve(ctx context.Context, s *store.Store, cfg *config, o serveOptions, out io.Writer, log *slog.Logger) error {
	addr, seed, timeout, schedule := o.addr, o.seed, o.timeout, o.schedule
	applied, err := migrateFirst(ctx, cfg, s)
	if err != nil {
		return err
	}
	log.Info("migrations", "applied", applied)
	tuneGC(os.Getenv).log(log)
	if owner, err := s.CanRewriteAudit(ctx); err != nil {
		return err
	} else if owner {
		// Allowed, so that a one-role setup keeps working, but then whoever
		// holds these credentials can rewrite the record of what they did.
		log.Warn("the service's database role can change or remove audit log rows; connect as " + migrations.ServiceRole +
			" and migrate with --migrate-url (see the README's Database roles)")
	}
	if seed {
		loaded, err := demo.Seed(ctx, s, cfg.location)
		if err != nil {
			return err
		}
		log.Info("demo data", "loaded", loaded)
	}
	res := resolvers.New(s.Services(), log, cfg.location)
	if o.linkKey != "" {
		key, err := access.LoadLinkKey(o.linkKey)
		if err != nil {
			return err
		}
		res.ReportLinks = access.NewLinkSigner(key, access.LinkTTL)
	}
	o.pictures.Log = log
	res.Pictures = render.New(o.pictures)
	defer res.Pictures.Close()
	if err := res.Pictures.Err(); err != nil {
		// Everything but SVG and PNG still works: DOT, traces, reports.
		log.Error("pictures disabled", "err", err)
	} else {
		log.Info("pictures", "worker", res.Pictures.Worker(), "workers", o.pictures.Workers)
	}
	sch, err := schema.New(res)
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	srvCfg := server.DefaultConfig
	srvCfg.Timeout = timeout
	srvCfg.GraphQLGoExecutor = o.graphqlGoExecutor
	srvCfg.AuditCheckpoints = o.checkpoints
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	// Requests' audit rows are group-committed; writes commit their own.
	if err := s.StartAuditWriter(store.AuditWriterOptions{Log: log}); err != nil {
		return err
	}
	// Tokens authenticated are kept a few seconds; a revocation reaches
	// every instance's cache before kedja token revoke returns.
	if err := s.StartTokenCache(ctx, store.TokenCacheOptions{Log: log}); err != nil {
		// Safe without it (every request reads its token), only slower:
		// a database not yet migrated to 0034 cannot hold its lease.
		log.Error("token cache off: every request reads its token from the database", "err", err)
	}
	defer s.CloseTokenCache(context.Background()) //nolint:errcheck // its row ends its lease anyway
	checkpoints := &access.Checkpointer{Head: s, Path: o.checkpoints, Logger: log}
	if o.checkpoints == "" {
		log.Warn("audit checkpoints go to the log only: set KEDJA_AUDIT_CHECKPOINTS to keep them in a file for kedja audit verify")
	}
	// One checkpoint at start, before anything is served: the head as this
	// process found it is on record outside the database from the first
	// request on, and verify has a file to read at once.
	if _, err := checkpoints.Write(ctx); err != nil {
		return fmt.Errorf("audit checkpoint at start: %w", err)
	}
	auditCtx, stopCheckpoints := context.WithCancel(context.Background())
	defer stopCheckpoints()
	go checkpoints.Run(auditCtx, o.checkpointEvery)
	var metricsLn net.Listener
	if o.metricsAddr != "" {
		srvCfg.Metrics = server.NewMetrics()
		srvCfg.Metrics.SetVersion(version())
		srvCfg.CountStatements = func(ctx context.Context) (context.Context, func() (int64, time.Duration)) {
			c := &store.StatementCount{}
			return store.WithStatementCount(ctx, c), func() (int64, time.Duration) { return c.N(), c.Time() }
		}
		checks, err := newCheckMetrics(srvCfg.Metrics, res.Services.Checks)
		if err != nil {
			return err
		}
		res.Services.Checks = checks
		if err := registerMetrics(srvCfg.Metrics, s, res.Pictures, res.Services.Findings); err != nil {
			return err
		}
		if metricsLn, err = net.Listen("tcp", o.metricsAddr); err != nil {
			return fmt.Errorf("--metrics-addr: %w", err)
		}
	}
	if metricsLn != nil {
		// Said before the API's address, which tells a caller kedja is up.
		metricsSrv := &http.Server{Handler: srvCfg.Metrics.Handler(), ReadHeaderTimeout: 5 * time.Second}
		defer metricsSrv.Close()
		go func() { _ = metricsSrv.Serve(metricsLn) }()
		fmt.Fprintf(out, "kedja metrics at http://%s/metrics\n", metricsLn.Addr())
		log.Info("metrics", "addr", metricsLn.Addr().String())
	}

	scheduler, err := jobs.NewScheduler(res.Services.Checks, schedule, log)
	if err != nil {
		return err
	}
	srvCfg.Readiness = []server.Probe{
		{Name: "migrations", Check: func(ctx context.Context) error {
			pending, err := migrations.Pending(ctx, s.DB())
			if err == nil && len(pending) > 0 {
				err = fmt.Errorf("%d migrations not applied (kedja migrate): %v", len(pending), pending)
			}
			return err
		}},
		{Name: "check scheduler", Check: func(context.Context) error {
			if !scheduler.Running() {
				return errors.New("the check scheduler is not running")
			}
			return nil
		}},
	}
	api := server.New(srvCfg, sch, res, log)
	httpSrv := &http.Server{
		Handler:           api.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      timeout + 15*time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if o.tlsCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(out, "kedja %s serving GraphQL at %s://%s/graphql\n", version(), scheme, ln.Addr())
	log.Info("serving", "addr", ln.Addr().String(), "version", version())

	scheduler.Start()
	log.Info("check schedule", "schedule", schedule)

	errc := make(chan error, 1)
	go func() {
		if o.tlsCert != "" {
			errc <- httpSrv.ServeTLS(ln, o.tlsCert, o.tlsKey)
			return
		}
		errc <- httpSrv.Serve(ln)
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sig)
	var served error
	select {
	case served = <-errc:
	case got := <-sig:
		log.Info("shutting down", "signal", got.String())
	}
	// Shutdown stops accepting and waits for requests in flight to finish.
	shutCtx, cancel := context.WithTimeout(context.Background(), timeout+5*time.Second)
	defer cancel()
	if served == nil {
		if err := httpSrv.Shutdown(shutCtx); err != nil {
			served = fmt.Errorf("shutdown: %w", err)
		}
	}
	scheduler.Stop(shutCtx)
	// Then the audit log: the refusals still only counted, the rows still
	// queued, and a checkpoint of the head they make.
	stopCheckpoints()
	api.Close(shutCtx)
	if err := s.CloseAuditWriter(shutCtx); err != nil {
		log.Error("AUDIT LOG ROWS LOST AT SHUTDOWN", "err", err)
		served = errors.Join(served, err)
	}
	if _, err := checkpoints.Write(shutCtx); err != nil {
		log.Error("AUDIT CHECKPOINT FAILED", "err", err)
		served = errors.Join(served, err)
	}
	if served != nil {
		return served
	}
	log.Info("stopped")
	return nil
}
