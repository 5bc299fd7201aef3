// Command kedja runs the registry of who processes a health line's call data:
// the GraphQL service, its migrations and its demo data.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // routing windows need zones even where the OS has none

	_ "github.com/lib/pq"

	"github.com/kedja/kedja/demo"
	"github.com/kedja/kedja/graph"
	"github.com/kedja/kedja/graph/render"
	"github.com/kedja/kedja/jobs"
	"github.com/kedja/kedja/migrations"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
	"github.com/kedja/kedja/schema"
	"github.com/kedja/kedja/server"
	"github.com/kedja/kedja/store"
)

const usage = `kedja: a registry of who processes a health line's call data.

Usage:
  kedja serve [flags]     migrate, then serve GraphQL at POST /graphql
  kedja migrate [flags]   apply database migrations
  kedja seed demo [flags] load the public 1177 case of 2019 as demo data
  kedja check [flags]     run the compliance checks now
  kedja token create --role ROLE --name NAME [--expires 720h]
  kedja token list | kedja token revoke ID|PREFIX
                          API tokens (roles: admin, editor, auditor, dsr)
  kedja audit verify      check the audit log's hash chain
  kedja render chain|trace|responsibility [flags] -o FILE.svg|png|dot
                          draw a chain, a trace or a responsibility
  kedja gen [flags]       fill the registry with a synthetic one (about 1M links)
  kedja bench [flags]     time chain and traceCall on a generated registry
  kedja version           print the version

Run "kedja COMMAND --help" for a command's flags.

Environment:
  DATABASE_URL     PostgreSQL connection string (required)
  KEDJA_ADDR       listen address (default 127.0.0.1:8080)
  KEDJA_TIME_ZONE  zone for instants given without offset (default Europe/Stockholm)
  KEDJA_CHECK_SCHEDULE  when serve runs the checks (default "all=0 * * * *", UTC; "off")
`

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(context.Background(), os.Args[1:], os.Stdout, log); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "kedja:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer, log *slog.Logger) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprint(out, usage)
		return nil
	}
	switch args[0] {
	case "version":
		fmt.Fprintln(out, "kedja", version())
		return nil
	case "migrate":
		fs, cfg := commonFlags("migrate", "Apply the database migrations (idempotent; safe to run from several instances at once).")
		createDB := fs.Bool("create-database", false, "create the database the URL names if it does not exist")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *createDB {
			created, err := store.CreateDatabase(ctx, cfg.databaseURL)
			if err != nil {
				return err
			}
			if created {
				fmt.Fprintln(out, "created the database")
			}
		}
		return withStore(ctx, cfg, func(s *store.Store) error {
			applied, err := migrations.Apply(ctx, s.DB())
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "applied %d migration(s) %v\n", len(applied), applied)
			return nil
		})
	case "seed":
		if len(args) < 2 || args[1] != "demo" {
			return errors.New(`usage: kedja seed demo [--database-url URL]`)
		}
		fs, cfg := commonFlags("seed demo", "Load the public 1177 case of 2019 as demo data (idempotent).")
		if err := fs.Parse(args[2:]); err != nil {
			return err
		}
		return withStore(ctx, cfg, func(s *store.Store) error {
			if _, err := migrations.Apply(ctx, s.DB()); err != nil {
				return err
			}
			loaded, err := demo.Seed(ctx, s, cfg.location)
			if err != nil {
				return err
			}
			if loaded {
				fmt.Fprintln(out, "demo data loaded")
			} else {
				fmt.Fprintln(out, "demo data already present; nothing changed")
			}
			return nil
		})
	case "token":
		return tokenCommand(ctx, args[1:], out)
	case "render":
		return renderCommand(ctx, args[1:], out)
	case "audit":
		if len(args) < 2 || args[1] != "verify" {
			return errors.New("usage: kedja audit verify [--database-url URL]")
		}
		fs, cfg := commonFlags("audit verify", "Check every row of the audit log against its hash chain; exit 1 if any was altered, inserted or deleted.")
		if err := fs.Parse(args[2:]); err != nil {
			return err
		}
		return withStore(ctx, cfg, func(s *store.Store) error {
			rows, problems, err := s.VerifyAudit(ctx)
			if err != nil {
				return err
			}
			for _, p := range problems {
				fmt.Fprintf(out, "row %d: %s\n", p.ID, p.Reason)
			}
			if len(problems) > 0 {
				return fmt.Errorf("audit log: %d problem(s) in %d rows", len(problems), rows)
			}
			fmt.Fprintf(out, "audit log intact: %d rows\n", rows)
			return nil
		})
	case "check":
		fs, cfg := commonFlags("check", "Run the compliance checks over the whole registry now and update the findings. Checks: "+strings.Join(jobs.CheckIDs(), ", ")+".")
		atFlag := fs.String("at", "", "evaluate the registry as of this instant (default now)")
		only := fs.String("checks", "", "comma-separated check ids (default all)")
		window := fs.Int("attestation-window", jobs.DefaultAttestationWindow, "days before expiry an attestation is reported as expiring")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return withStore(ctx, cfg, func(s *store.Store) error {
			if _, err := migrations.Apply(ctx, s.DB()); err != nil {
				return err
			}
			var at time.Time
			if *atFlag != "" {
				t, err := registry.ParseInstant("--at", *atFlag, cfg.location)
				if err != nil {
					return err
				}
				at = t
			}
			var ids []string
			for _, id := range strings.Split(*only, ",") {
				if id = strings.TrimSpace(id); id != "" {
					ids = append(ids, id)
				}
			}
			runner := &jobs.Runner{DB: s.DB(), AttestationWindow: *window}
			res, err := runner.Run(ctx, jobs.RunOptions{At: at, Checks: ids, Trigger: "cli", Actor: "kedja check",
				Progress: func(done, total int, check string) {
					fmt.Fprintf(os.Stderr, "\r%-28s %d/%d", check, done, total)
					if done == total {
						fmt.Fprintln(os.Stderr)
					}
				}})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "run %d: %d findings (%d opened, %d reopened, %d resolved) in %v\n", res.RunID, res.Found,
				res.Opened, res.Reopened, res.Resolved, res.Ended.Sub(res.Started).Round(time.Millisecond))
			return nil
		})
	case "gen":
		fs, cfg := commonFlags("gen", "Fill the registry with a synthetic one for benchmarks: about 20,000 organisations, 100,000 systems and 1,000,000 links at --scale 1.")
		scale := fs.Float64("scale", 1, "size relative to the full synthetic registry")
		createDB := fs.Bool("create-database", false, "create the database the URL names if it does not exist")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *scale <= 0 || *scale > 10 {
			return errors.New("--scale: give a number above 0 and at most 10")
		}
		if *createDB {
			if _, err := store.CreateDatabase(ctx, cfg.databaseURL); err != nil {
				return err
			}
		}
		return withStore(ctx, cfg, func(s *store.Store) error {
			if _, err := migrations.Apply(ctx, s.DB()); err != nil {
				return err
			}
			first, last, err := demo.Generate(ctx, s.DB(), demo.Scaled(*scale), os.Stderr)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "generated; controllers are organisations %d to %d (kedja bench --first %d --last %d)\n", first, last, first, last)
			return nil
		})
	case "bench":
		fs, cfg := commonFlags("bench", "Time chain and traceCall for random controllers and instants of a generated registry.")
		n := fs.Int("n", 1000, "operations of each kind")
		first := fs.Int64("first", 0, "first controller id (kedja gen prints it)")
		last := fs.Int64("last", 0, "last controller id")
		seed := fs.Uint64("seed", 1, "random seed")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *first <= 0 || *last < *first || *n < 1 {
			return errors.New("give --first and --last as kedja gen printed them, and --n of at least 1")
		}
		return withStore(ctx, cfg, func(s *store.Store) error {
			results, err := demo.Bench(ctx, s, *first, *last, *n, *seed, os.Stderr)
			if err != nil {
				return err
			}
			for _, r := range results {
				fmt.Fprintln(out, r)
			}
			return nil
		})
	case "serve":
		fs, cfg := commonFlags("serve", "Migrate the database, then serve GraphQL at POST /graphql and health at GET /healthz.")
		addr := fs.String("addr", envOr("KEDJA_ADDR", "127.0.0.1:8080"), "listen address")
		seed := fs.Bool("seed-demo", false, "load the demo data before serving")
		timeout := fs.Duration("timeout", server.DefaultConfig.Timeout, "longest a GraphQL request may run")
		tlsCert := fs.String("tls-cert", os.Getenv("KEDJA_TLS_CERT"), "serve HTTPS with this certificate (PEM)")
		tlsKey := fs.String("tls-key", os.Getenv("KEDJA_TLS_KEY"), "and this key (PEM)")
		checkSchedule := fs.String("check-schedule", os.Getenv("KEDJA_CHECK_SCHEDULE"),
			`when to run the checks, in UTC: "all=SPEC; CHECK=SPEC" or "off" (env KEDJA_CHECK_SCHEDULE; default all=`+jobs.DefaultSpec+`)`)
		pictures := renderFlags(fs, runtime.NumCPU())
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		schedule, err := jobs.ParseSchedule(*checkSchedule)
		if err != nil {
			return err
		}
		cfg.statementTimeout = *timeout
		if (*tlsCert == "") != (*tlsKey == "") {
			return errors.New("give both --tls-cert and --tls-key, or neither")
		}
		return withStore(ctx, cfg, func(s *store.Store) error {
			return serve(ctx, s, cfg, serveOptions{addr: *addr, seed: *seed, timeout: *timeout, schedule: schedule,
				tlsCert: *tlsCert, tlsKey: *tlsKey, pictures: pictures.options()}, out, log)
		})
	}
	return fmt.Errorf("unknown command %q; run kedja --help", args[0])
}

type config struct {
	// statementTimeout bounds each SQL statement; serve sets it from its
	// request timeout, batch commands leave it off.
	statementTimeout time.Duration
	databaseURL      string
	timeZone         string
	location         *time.Location
}

func commonFlags(name, desc string) (*flag.FlagSet, *config) {
	cfg := &config{}
	fs := flag.NewFlagSet("kedja "+name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "kedja %s: %s\n\nFlags:\n", name, desc)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.databaseURL, "database-url", os.Getenv("DATABASE_URL"), "PostgreSQL connection string (env DATABASE_URL)")
	fs.StringVar(&cfg.timeZone, "time-zone", envOr("KEDJA_TIME_ZONE", "Europe/Stockholm"), "zone for instants given without an offset")
	return fs, cfg
}

func withStore(ctx context.Context, cfg *config, fn func(*store.Store) error) error {
	if cfg.databaseURL == "" {
		return errors.New("no database: set DATABASE_URL or pass --database-url")
	}
	loc, err := time.LoadLocation(cfg.timeZone)
	if err != nil {
		return fmt.Errorf("--time-zone: %q is not a time zone", cfg.timeZone)
	}
	cfg.location = loc
	s, err := store.Open(ctx, cfg.databaseURL, cfg.timeZone, cfg.statementTimeout)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s)
}

type serveOptions struct {
	addr            string
	seed            bool
	timeout         time.Duration
	schedule        jobs.Schedule
	tlsCert, tlsKey string
	pictures        render.Options
}

func serve(ctx context.Context, s *store.Store, cfg *config, o serveOptions, out io.Writer, log *slog.Logger) error {
	addr, seed, timeout, schedule := o.addr, o.seed, o.timeout, o.schedule
	applied, err := migrations.Apply(ctx, s.DB())
	if err != nil {
		return err
	}
	log.Info("migrations", "applied", applied)
	if seed {
		loaded, err := demo.Seed(ctx, s, cfg.location)
		if err != nil {
			return err
		}
		log.Info("demo data", "loaded", loaded)
	}
	res := resolvers.New(s, log, cfg.location)
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
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	httpSrv := &http.Server{
		Handler:           server.New(srvCfg, sch, res, s, log).Handler(),
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

	scheduler, err := jobs.NewScheduler(res.Checks, schedule, log)
	if err != nil {
		return err
	}
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
	select {
	case err := <-errc:
		return err
	case got := <-sig:
		log.Info("shutting down", "signal", got.String())
	}
	// Shutdown stops accepting and waits for requests in flight to finish.
	shutCtx, cancel := context.WithTimeout(context.Background(), timeout+5*time.Second)
	defer cancel()
	if err := httpSrv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	scheduler.Stop(shutCtx)
	log.Info("stopped")
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return s.Value[:12]
			}
		}
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
	}
	return "dev"
}

func tokenCommand(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: kedja token create|list|revoke")
	}
	switch args[0] {
	case "create":
		fs, cfg := commonFlags("token create", "Create an API token. It is shown once; kedja keeps only its hash.")
		role := fs.String("role", "", "admin, editor, auditor or dsr")
		name := fs.String("name", "", "who or what uses it")
		expires := fs.Duration("expires", 0, "lifetime, e.g. 720h (default: until revoked)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return withStore(ctx, cfg, func(s *store.Store) error {
			if _, err := migrations.Apply(ctx, s.DB()); err != nil {
				return err
			}
			var until *time.Time
			if *expires > 0 {
				t := time.Now().Add(*expires)
				until = &t
			}
			t, secret, err := s.CreateToken(ctx, "kedja token create", *name, *role, until)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "token %d (%s, role %s); shown this once:\n", t.ID, t.Name, t.Role)
			fmt.Fprintln(out, secret)
			return nil
		})
	case "list":
		fs, cfg := commonFlags("token list", "List API tokens (never their secrets).")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return withStore(ctx, cfg, func(s *store.Store) error {
			ts, err := s.ListTokens(ctx)
			if err != nil {
				return err
			}
			for _, t := range ts {
				state := "live"
				switch {
				case t.RevokedAt != nil:
					state = "revoked " + t.RevokedAt.Format(time.RFC3339)
				case t.ExpiresAt != nil && t.ExpiresAt.Before(time.Now()):
					state = "expired " + t.ExpiresAt.Format(time.RFC3339)
				}
				used := "never used"
				if t.LastUsedAt != nil {
					used = "last used " + t.LastUsedAt.Format(time.RFC3339)
				}
				fmt.Fprintf(out, "%d\t%s...\t%s\t%s\t%s\t%s\n", t.ID, t.Prefix, t.Role, t.Name, state, used)
			}
			return nil
		})
	case "revoke":
		fs, cfg := commonFlags("token revoke", "Revoke a token, by id or by the prefix token list shows.")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return errors.New("usage: kedja token revoke ID|PREFIX")
		}
		return withStore(ctx, cfg, func(s *store.Store) error {
			t, err := s.RevokeToken(ctx, strings.TrimSuffix(fs.Arg(0), "..."))
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "revoked token %d (%s)\n", t.ID, t.Name)
			return nil
		})
	}
	return fmt.Errorf("unknown token command %q", args[0])
}

func renderCommand(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 || (args[0] != "chain" && args[0] != "trace" && args[0] != "responsibility") {
		return errors.New("usage: kedja render chain|trace|responsibility [flags] -o FILE.svg|png|dot")
	}
	what := args[0]
	fs, cfg := commonFlags("render "+what, "Draw a "+what+" as SVG, PNG or DOT (by the output's extension).")
	controller := fs.Int64("controller", 0, "chain: the controller's organisation id")
	org := fs.Int64("organisation", 0, "responsibility: an organisation id")
	system := fs.Int64("system", 0, "responsibility: a system id")
	traceID := fs.String("id", "", "trace: the trace id")
	atFlag := fs.String("at", "", "chain, responsibility: the instant (default now)")
	output := fs.String("o", "", "output file: .svg, .png or .dot")
	limit := fs.Int("limit", graph.DefaultLimit, "most nodes drawn before summarising")
	pictures := renderFlags(fs, 1)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	format := strings.TrimPrefix(filepath.Ext(*output), ".")
	if _, ok := render.Formats[format]; !ok {
		return errors.New("-o: give a file ending in .svg, .png or .dot")
	}
	return withStore(ctx, cfg, func(s *store.Store) error {
		at := time.Now()
		if *atFlag != "" {
			t, err := registry.ParseInstant("--at", *atFlag, cfg.location)
			if err != nil {
				return err
			}
			at = t
		}
		src := graph.Source{Store: s, Location: cfg.location, Limit: *limit}
		var pic graph.Picture
		var err error
		switch what {
		case "chain":
			if *controller == 0 {
				return errors.New("--controller is required")
			}
			pic, err = src.Chain(ctx, *controller, at)
		case "trace":
			pic, err = src.Trace(ctx, *traceID)
		default:
			if (*org == 0) == (*system == 0) {
				return errors.New("give exactly one of --organisation or --system")
			}
			pic, err = src.Responsibility(ctx, *org, *system, at)
		}
		if err != nil {
			return err
		}
		pool := render.New(pictures.options())
		defer pool.Close()
		b, err := pool.Render(ctx, pic.DOT(), format)
		if err != nil {
			return err
		}
		if err := os.WriteFile(*output, b, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(out, "wrote %s (%d bytes)\n", *output, len(b))
		return nil
	})
}

// pictureFlags are the render pool's settings.
type pictureFlags struct {
	worker   *string
	workers  *int
	timeout  *time.Duration
	memoryMB *int64
}

func renderFlags(fs *flag.FlagSet, workers int) pictureFlags {
	return pictureFlags{
		worker: fs.String("render-worker", os.Getenv("KEDJA_RENDER_WORKER"),
			"the kedja-render binary (env KEDJA_RENDER_WORKER; default: beside kedja, then on the PATH)"),
		workers:  fs.Int("render-workers", workers, "render worker processes, each drawing one picture at a time"),
		timeout:  fs.Duration("render-timeout", render.DefaultTimeout, "longest one picture may take to draw before its worker is killed"),
		memoryMB: fs.Int64("render-memory", 1024, "MiB a render may add to its worker before the worker is stopped"),
	}
}

func (f pictureFlags) options() render.Options {
	return render.Options{Worker: *f.worker, Workers: *f.workers, Timeout: *f.timeout, Memory: *f.memoryMB << 20}
}
