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
	"strings"
	"time"
	_ "time/tzdata" // routing windows need zones even where the OS has none

	_ "github.com/lib/pq"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
)

// command is a row of the table run dispatches through: a command of its
// own, or a group whose subcommands come next on the command line (token
// create, render chain).
type command struct {
	name    string
	summary string // one line, for the list kedja --help prints
	run     func(ctx context.Context, k *cli, args []string) error
	subs    []command // instead of run
}

// cli is where a command writes: its results, its progress and its log.
type cli struct {
	out, errOut io.Writer
	log         *slog.Logger
}

// commands is every command, in the order kedja --help lists them. It is
// filled in init because help reads it.
var commands []command

func init() {
	commands = []command{
		{name: "serve", summary: "serve GraphQL at POST /graphql (migrating first with --migrate-url)", run: runServe},
		{name: "migrate", summary: "apply the database migrations, as the tables' owner", run: runMigrate},
		{name: "seed", summary: "load the public 1177 case of 2019 as demo data", subs: seedCommands},
		{name: "check", summary: "run the compliance checks now", run: runCheck},
		{name: "incident", summary: "incidents: import an access or download log as evidence", subs: incidentCommands},
		{name: "import", summary: "import a supplier's sub-processor list (CSV, XLSX, YAML): dry run, then --approve", run: runImport},
		{name: "export", summary: "export sub-processors in the import format (CSV, XLSX, YAML)", run: runExport},
		{name: "token", summary: "API tokens (roles: admin, editor, auditor, dsr)", subs: tokenCommands},
		{name: "audit", summary: "verify the keyed audit log; sign checkpoints of its head", subs: auditCommands},
		{name: "render", summary: "draw a chain, a trace or a responsibility", subs: renderCommands},
		{name: "records", summary: "write a record of processing (Art. 30) generated from the chain, as CSV or XLSX", run: runRecords},
		{name: "gen", summary: "fill the registry with a synthetic one (about 1M links)", run: runGen},
		{name: "bench", summary: "time chain and traceCall on a generated registry", run: runBench},
		{name: "schema", summary: "print the GraphQL schema as SDL (what schema.graphql holds)", run: runSchema},
		{name: "version", summary: "print the version", run: runVersion},
		{name: "completion", summary: "print a completion script for bash or zsh", run: runCompletion},
		{name: "help", summary: "a command's flags and examples: kedja help COMMAND", run: runHelp},
	}
}

func main() {
	k := &cli{out: os.Stdout, errOut: os.Stderr, log: slog.New(slog.NewJSONHandler(os.Stderr, nil))}
	if err := run(context.Background(), k, os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "kedja:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, k *cli, args []string) error {
	if len(args) == 0 || isHelpFlag(args[0]) {
		printUsage(k.out)
		return nil
	}
	return dispatch(ctx, k, "kedja", commands, args)
}

// dispatch runs the command of table that args[0] names; prefix is what
// came before it ("kedja", "kedja token").
func dispatch(ctx context.Context, k *cli, prefix string, table []command, args []string) error {
	c, ok := lookup(table, args[0])
	if !ok {
		return unknownCommand(prefix, args[0])
	}
	if c.subs == nil {
		return c.run(ctx, k, args[1:])
	}
	name := prefix + " " + c.name
	switch {
	case len(args) == 1:
		return fmt.Errorf("usage: %s %s", name, subNames(c))
	case isHelpFlag(args[1]):
		printGroupUsage(k.out, name, c)
		return flag.ErrHelp
	}
	return dispatch(ctx, k, name, c.subs, args[1:])
}

func unknownCommand(prefix, name string) error {
	if prefix == "kedja" {
		return fmt.Errorf("unknown command %q; run kedja --help", name)
	}
	return fmt.Errorf("unknown %s command %q; run %s --help", strings.TrimPrefix(prefix, "kedja "), name, prefix)
}

func lookup(table []command, name string) (command, bool) {
	for _, c := range table {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// subNames is a group's subcommands as a usage line writes them: "create|list|revoke".
func subNames(c command) string {
	names := make([]string, len(c.subs))
	for i, s := range c.subs {
		names[i] = s.name
	}
	return strings.Join(names, "|")
}

// isHelpFlag tells whether arg asks for help the way the flag package
// understands it.
func isHelpFlag(arg string) bool {
	switch arg {
	case "-h", "--h", "-help", "--help":
		return true
	}
	return false
}

type config struct {
	// statementTimeout bounds each SQL statement; serve sets it from its
	// request timeout, batch commands leave it off.
	statementTimeout time.Duration
	databaseURL      string
	migrateURL       string // the tables' owner's, for the commands that may migrate
	timeZone         string
	location         *time.Location
	// waitForDatabase is how long to keep trying while the database cannot
	// be reached at start (serve sets it; other commands fail at once),
	// logging each attempt to log.
	waitForDatabase time.Duration
	log             *slog.Logger
}

// commonFlags starts the flags of a command that uses the database, with
// the two every such command takes.
func commonFlags(name, desc string) (*flags, *config) {
	cfg := &config{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	f := newFlags(name, desc)
	f.StringVar(&cfg.databaseURL, "database-url", "URL", os.Getenv("DATABASE_URL"), "PostgreSQL connection string (required unless DATABASE_URL is set)")
	f.StringVar(&cfg.timeZone, "time-zone", "ZONE", envOr("KEDJA_TIME_ZONE", "Europe/Stockholm"), "zone for instants given without an offset")
	f.env("time-zone", "KEDJA_TIME_ZONE")
	f.lookup("database-url").secret = true
	f.lookup("database-url").common = true
	f.lookup("time-zone").common = true
	return f, cfg
}

func withStore(ctx context.Context, cfg *config, fn func(*store.Store) error) error {
	if cfg.databaseURL == "" {
		return errors.New("no database: set DATABASE_URL or pass --database-url")
	}
	if err := cfg.loadZone(); err != nil {
		return err
	}
	s, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	return fn(s)
}

// openStore opens the store, trying again with back-off (250 ms doubling
// to 5 s) for up to cfg.waitForDatabase while the database cannot be
// reached: a service started beside its database waits for it. Any other
// error (a wrong password, a missing database) ends it at once.
func openStore(ctx context.Context, cfg *config) (*store.Store, error) {
	deadline := time.Now().Add(cfg.waitForDatabase)
	delay := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		s, err := store.Open(ctx, cfg.databaseURL, cfg.timeZone, cfg.statementTimeout)
		if err == nil {
			if attempt > 1 {
				cfg.log.Info("database reachable", "attempts", attempt)
			}
			return s, nil
		}
		if registry.ErrorCode(err) != registry.EUnavailable || time.Now().Add(delay).After(deadline) {
			return nil, err
		}
		cfg.log.Warn("database not reachable yet; trying again", "attempt", attempt, "in", delay.String(), "err", err)
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		delay = min(2*delay, 5*time.Second)
	}
}

// loadZone checks --time-zone and sets cfg.location from it.
func (cfg *config) loadZone() error {
	loc, err := time.LoadLocation(cfg.timeZone)
	if err != nil {
		return fmt.Errorf("--time-zone: %q is not a time zone", cfg.timeZone)
	}
	cfg.location = loc
	return nil
}

// envDuration is the duration in environment variable name, or def when it
// is unset or not a duration.
func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
