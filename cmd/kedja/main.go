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
	"os"
	"time"
	_ "time/tzdata" // routing windows need zones even where the OS has none

	_ "github.com/lib/pq"

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
		return runMigrate(ctx, args[1:], out)
	case "seed":
		return runSeed(ctx, args[1:], out)
	case "token":
		return tokenCommand(ctx, args[1:], out)
	case "render":
		return renderCommand(ctx, args[1:], out)
	case "audit":
		return runAudit(ctx, args[1:], out)
	case "check":
		return runCheck(ctx, args[1:], out)
	case "gen":
		return runGen(ctx, args[1:], out)
	case "bench":
		return runBench(ctx, args[1:], out)
	case "serve":
		return runServe(ctx, args[1:], out, log)
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

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
