package main

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// environment is every variable kedja reads, for kedja --help.
var environment = [][2]string{
	{"DATABASE_URL", "PostgreSQL connection string, as the service role kedja_service (required)"},
	{"KEDJA_MIGRATE_URL", "the tables' owner's connection string, for kedja migrate and --migrate-url"},
	{"KEDJA_ADDR", "listen address (default 127.0.0.1:8080)"},
	{"KEDJA_TIME_ZONE", "zone for instants given without offset (default Europe/Stockholm)"},
	{"KEDJA_CHECK_SCHEDULE", `when serve runs the checks (default "all=0 * * * *", UTC; "off")`},
	{"KEDJA_TLS_CERT", "serve HTTPS with this certificate (PEM)"},
	{"KEDJA_TLS_KEY", "and this key (PEM)"},
	{"KEDJA_LINK_KEY_FILE", "key of serve's signed report links (default: random per process)"},
	{"KEDJA_RENDER_WORKER", "the kedja-render binary (default: beside kedja, then on the PATH)"},
	{"KEDJA_AUDIT_KEY_FILE", "file holding the audit log's key (required by serve and audit)"},
	{"KEDJA_AUDIT_CHECKPOINTS", "file the audit log's signed checkpoints are appended to"},
	{"KEDJA_WAIT_FOR_DATABASE", "how long serve waits for its database at start (default 1m)"},
	{"KEDJA_METRICS_ADDR", "serve Prometheus metrics at /metrics on this address (default off)"},
}

// printUsage prints kedja's own usage: every command of the table.
func printUsage(w io.Writer) {
	fmt.Fprint(w, "kedja: a registry of who processes a health line's call data.\n\nUsage:\n")
	var rows [][2]string
	for _, c := range commands {
		name := "kedja " + c.name
		if c.subs != nil {
			name += " " + subNames(c)
		}
		rows = append(rows, [2]string{name, c.summary})
	}
	columns(w, rows)
	fmt.Fprint(w, "\nRun \"kedja help COMMAND\" or \"kedja COMMAND --help\" for a command's flags and examples.\n")
	fmt.Fprint(w, "\nEnvironment:\n")
	columns(w, environment)
}

// printGroupUsage prints the subcommands of a group such as kedja token.
func printGroupUsage(w io.Writer, name string, c command) {
	fmt.Fprintf(w, "%s: %s.\n\nUsage:\n", name, c.summary)
	var rows [][2]string
	for _, s := range c.subs {
		rows = append(rows, [2]string{name + " " + s.name, s.summary})
	}
	columns(w, rows)
	fmt.Fprintf(w, "\nRun \"kedja help %s COMMAND\" for a command's flags and examples.\n", strings.TrimPrefix(name, "kedja "))
}

// runHelp prints the usage of the command its arguments name, as that
// command's --help does, or kedja's own without arguments.
func runHelp(ctx context.Context, k *cli, args []string) error {
	f := newFlags("help", "Print what a command does, its usage, its flags and examples; without a command, the list of commands.")
	f.args = "[COMMAND [SUBCOMMAND]]"
	f.example("kedja help serve", "kedja help render chain")
	if err := f.parse(k, args); err != nil {
		return err
	}
	args = f.fs.Args()
	if len(args) == 0 {
		printUsage(k.out)
		return nil
	}
	// Only names of commands: anything else could reach a command as an
	// argument and run it.
	table, prefix := commands, "kedja"
	for i, name := range args {
		c, ok := lookup(table, name)
		if !ok {
			return unknownCommand(prefix, name)
		}
		if c.subs == nil {
			if i != len(args)-1 {
				return fmt.Errorf("%s %s has no subcommands; run kedja help %s", prefix, name, strings.TrimPrefix(prefix+" "+name, "kedja "))
			}
			return c.run(ctx, k, []string{"--help"})
		}
		if i == len(args)-1 {
			printGroupUsage(k.out, prefix+" "+name, c)
			return nil
		}
		table, prefix = c.subs, prefix+" "+name
	}
	return nil
}

// columns prints rows of two columns, the second aligned and wrapped to
// fit 80 characters; a first column too wide to leave room puts its second
// on the lines below it.
func columns(w io.Writer, rows [][2]string) {
	const most, line = 28, 80
	width := 0
	for _, r := range rows {
		if n := len(r[0]); n <= most && n > width {
			width = n
		}
	}
	indent := strings.Repeat(" ", 2+width+2)
	for _, r := range rows {
		if len(r[0]) > most {
			fmt.Fprintf(w, "  %s\n%s", r[0], indent)
		} else {
			fmt.Fprintf(w, "  %-*s  ", width, r[0])
		}
		n := len(indent)
		for i, word := range words(r[1]) {
			if i > 0 && n+1+len(word) > line {
				fmt.Fprintf(w, "\n%s", indent)
				n = len(indent)
			} else if i > 0 {
				fmt.Fprint(w, " ")
				n++
			}
			fmt.Fprint(w, word)
			n += len(word)
		}
		fmt.Fprintln(w)
	}
}

// words splits text at spaces, but not inside quotes: a quoted default
// such as "all=0 * * * *" stays on one line.
func words(text string) []string {
	var out []string
	for _, f := range strings.Fields(text) {
		if n := len(out); n > 0 && strings.Count(out[n-1], `"`)%2 == 1 {
			out[n-1] += " " + f
			continue
		}
		out = append(out, f)
	}
	return out
}
