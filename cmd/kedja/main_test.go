package main

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

var binary string

// auditKeyFile holds the audit key every kedja serve and kedja audit of
// these tests uses: a test's own, made at start.
var auditKeyFile string

// TestMain builds the real binary once: these tests run kedja as a user
// would, as a process of its own.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kedja-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "kedja")
	auditKeyFile = filepath.Join(dir, "audit.key")
	if err := os.WriteFile(auditKeyFile, []byte(rand.Text()+rand.Text()+"\n"), 0o600); err != nil {
		panic(err)
	}
	// kedja-render beside kedja, where serve and render look for it first.
	for _, b := range [][]string{{"-race", "-o", binary, "."}, {"-o", filepath.Join(dir, "kedja-render"), "../kedja-render"}} {
		build := exec.Command("go", append([]string{"build"}, b...)...)
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build", b[len(b)-1], err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// kedja runs the binary to completion.
func kedja(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestCommandsExplainThemselves(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"Help", []string{"--help"}, "kedja serve"},
		{"ServeHelp", []string{"serve", "--help"}, "-seed-demo"},
		{"MigrateHelp", []string{"migrate", "--help"}, "-create-database"},
		{"SeedHelp", []string{"seed", "demo", "--help"}, "1177"},
		{"HelpServe", []string{"help", "serve"}, "kedja serve: Migrate"},
		{"HelpTokenGroup", []string{"help", "token"}, "kedja token revoke"},
		{"TokenGroupHelp", []string{"token", "--help"}, "kedja token create"},
		{"Version", []string{"version"}, "kedja "},
		{"Schema", []string{"schema"}, "type Query {"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := kedja(t, quick, tt.args...)
			if err != nil || !strings.Contains(out, tt.want) {
				t.Errorf("kedja %v: err %v, output %q; want success mentioning %q", tt.args, err, out, tt.want)
			}
		})
	}
}

// kedja schema prints exactly the committed schema.graphql on its standard
// output, so that "kedja schema > schema.graphql" regenerates the file.
func TestSchemaCommandPrintsTheCommittedSDL(t *testing.T) {
	cmd := exec.Command(binary, "schema")
	cmd.Env = append(os.Environ(), append([]string{"DATABASE_URL="}, quick...)...) // it needs none
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kedja schema: %v", err)
	}
	want, err := os.ReadFile("../../schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != string(want) {
		t.Errorf("kedja schema (%d bytes) differs from schema.graphql (%d bytes); regenerate it with: go test ./schema -run TestSDL -update",
			len(out), len(want))
	}
}

func TestCommandErrors(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"NoDatabase", []string{"DATABASE_URL=", "KEDJA_MIGRATE_URL="}, []string{"migrate"}, "--migrate-url"},
		{"NoServiceDatabase", []string{"DATABASE_URL="}, []string{"token", "list"}, "set DATABASE_URL"},
		{"UnknownCommand", nil, []string{"frobnicate"}, "unknown command"},
		{"SchemaTakesNoArguments", nil, []string{"schema", "graphql"}, "takes no arguments"},
		{"SeedWhat", nil, []string{"seed"}, "usage: kedja seed demo"},
		{"UnknownTokenCommand", nil, []string{"token", "frobnicate"}, `unknown token command "frobnicate"`},
		{"HelpUnknownCommand", nil, []string{"help", "frobnicate"}, `unknown command "frobnicate"`},
		{"HelpTooDeep", nil, []string{"help", "serve", "now"}, "serve has no subcommands"},
		{"UnknownRenderCommand", nil, []string{"render", "map"}, `unknown render command "map"`},
		{"RequiredFlag", nil, []string{"token", "create", "--name", "ci"}, "--role is required"},
		{"RequiredOutput", nil, []string{"render", "chain", "--controller", "1"}, "-o is required"},
		{"OneOfTwo", nil, []string{"render", "responsibility", "--organisation", "1", "--system", "2", "-o", "x.svg"}, "give exactly one of --organisation or --system"},
		{"FlagOfAnotherKind", nil, []string{"render", "trace", "--id", "x", "--controller", "1", "-o", "x.svg"}, "not defined: -controller"},
		{"BadOutput", nil, []string{"render", "chain", "--controller", "1", "-o", "x.txt"}, "give a file ending in .svg, .png or .dot"},
		{"BadTimeZone", []string{"DATABASE_URL=postgres://x/y"}, []string{"migrate", "--time-zone", "Nowhere/Else"}, "not a time zone"},
		{"UnknownCheckInSchedule", nil, []string{"serve", "--check-schedule", "vibes=@hourly"}, `"vibes" is not a check`},
		{"BadCronSpec", nil, []string{"serve", "--check-schedule", "exposure=every tuesday"}, "exposure:"},
		{"ZonedCronSpec", nil, []string{"serve", "--check-schedule", "all=TZ= 0 * * * *"}, "UTC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := kedja(t, tt.env, tt.args...)
			if err == nil || !strings.Contains(out, tt.want) {
				t.Errorf("kedja %v: err %v, output %q; want failure mentioning %q", tt.args, err, out, tt.want)
			}
		})
	}
}

// quick is the environment of a command that exits at once: without the
// race detector's second of sleep at exit, which would make each help case
// take a second.
var quick = []string{"GORACE=atexit_sleep_ms=0"}

// The help each command prints for itself, asked either way: "kedja help
// CMD" and "kedja CMD --help" print the same text, which begins with that
// command's own description (not kedja's usage) and has its usage line and
// examples.
func TestHelpForEachCommand(t *testing.T) {
	tests := []struct {
		name string
		cmd  string // as typed after kedja
		want string // a phrase of its description
	}{
		{"Serve", "serve", "serve GraphQL at POST /graphql"},
		{"Migrate", "migrate", "Apply the database migrations"},
		{"SeedDemo", "seed demo", "1177"},
		{"Check", "check", "compliance checks"},
		{"IncidentImportLog", "incident import-log", "access or download log"},
		{"TokenCreate", "token create", "Create an API token"},
		{"TokenList", "token list", "List API tokens"},
		{"TokenRevoke", "token revoke", "Revoke a token"},
		{"TokenLockouts", "token lockouts", "locked out after too many failed attempts"},
		{"TokenUnlock", "token unlock", "Lift the lock-out"},
		{"AuditVerify", "audit verify", "hash chain"},
		{"AuditCheckpoint", "audit checkpoint", "checkpoint file"},
		{"RenderChain", "render chain", "controller's chain"},
		{"RenderTrace", "render trace", "call trace"},
		{"RenderResponsibility", "render responsibility", "who answers"},
		{"Records", "records", "record of processing"},
		{"Import", "import", "sub-processor list"},
		{"Export", "export", "import format"},
		{"Gen", "gen", "synthetic"},
		{"Bench", "bench", "Time chain and traceCall"},
		{"Schema", "schema", "Print the GraphQL schema as SDL"},
		{"Version", "version", "Print the version"},
		{"Completion", "completion", "shell completion script"},
		{"Help", "help", "its flags and examples"},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.cmd] = true
		t.Run(tt.name, func(t *testing.T) {
			words := strings.Fields(tt.cmd)
			viaHelp, err := kedja(t, quick, append([]string{"help"}, words...)...)
			if err != nil {
				t.Fatalf("kedja help %s: %v\n%s", tt.cmd, err, viaHelp)
			}
			viaFlag, err := kedja(t, quick, append(words, "--help")...)
			if err != nil {
				t.Fatalf("kedja %s --help: %v\n%s", tt.cmd, err, viaFlag)
			}
			if viaHelp != viaFlag {
				t.Errorf("kedja help %s and kedja %s --help differ:\n%s\n---\n%s", tt.cmd, tt.cmd, viaHelp, viaFlag)
			}
			first, _, _ := strings.Cut(viaHelp, "\n")
			if !strings.HasPrefix(first, "kedja "+tt.cmd+": ") || !strings.Contains(first, tt.want) {
				t.Errorf("kedja help %s begins %q; want its description, with %q", tt.cmd, first, tt.want)
			}
			for _, want := range []string{"\nUsage:\n  kedja " + tt.cmd, "\nExamples:\n  kedja " + tt.cmd} {
				if !strings.Contains(viaHelp, want) {
					t.Errorf("kedja help %s lacks %q:\n%s", tt.cmd, want, viaHelp)
				}
			}
		})
	}
	// Every command of the table has a case above.
	for _, c := range commands {
		names := []string{c.name}
		if c.subs != nil {
			names = nil
			for _, s := range c.subs {
				names = append(names, c.name+" "+s.name)
			}
		}
		for _, name := range names {
			if !covered[name] {
				t.Errorf("no help case for kedja %s", name)
			}
		}
	}
}

// kedja's own usage lists every command of the table, and each group's lists
// its subcommands.
func TestUsageListsTheCommands(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"NoArguments", nil, []string{"kedja serve ", "kedja token create|list|revoke|lockouts|unlock\n", "kedja render chain|trace|responsibility\n", "kedja help ", "KEDJA_RENDER_WORKER"}},
		{"HelpFlag", []string{"--help"}, []string{"kedja serve ", "kedja seed demo ", "kedja audit verify|checkpoint\n", "KEDJA_TIME_ZONE", "KEDJA_AUDIT_KEY_FILE"}},
		{"Help", []string{"help"}, []string{"kedja migrate ", "kedja check ", "kedja gen ", "kedja bench ", "kedja version "}},
		{"HelpToken", []string{"help", "token"}, []string{"kedja token create ", "kedja token list ", "kedja token revoke "}},
		{"TokenHelp", []string{"token", "--help"}, []string{"kedja token create ", "kedja token list ", "kedja token revoke "}},
		{"RenderHelp", []string{"render", "-h"}, []string{"kedja render chain ", "kedja render trace ", "kedja render responsibility "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := kedja(t, quick, tt.args...)
			if err != nil {
				t.Fatalf("kedja %v: %v\n%s", tt.args, err, out)
			}
			for _, want := range tt.want {
				if !strings.Contains(out, want) {
					t.Errorf("kedja %v lacks %q:\n%s", tt.args, want, out)
				}
			}
		})
	}
	out, _ := kedja(t, quick, "--help")
	for _, c := range commands {
		if !strings.Contains(out, "\n  kedja "+c.name+" ") && !strings.Contains(out, "\n  kedja "+c.name+"\n") {
			t.Errorf("kedja --help does not list %s:\n%s", c.name, out)
		}
	}
}

// flagRows reads the Flags section of a command's help: each flag as it is
// written ("--role", "-o") to its whole description, lines joined.
func flagRows(t *testing.T, help string) map[string]string {
	t.Helper()
	_, section, ok := strings.Cut(help, "\nFlags:\n")
	if !ok {
		t.Fatalf("no Flags section:\n%s", help)
	}
	section, _, _ = strings.Cut(section, "\n\n")
	section = strings.TrimRight(section, "\n")
	rows := map[string]string{}
	var last string
	for _, line := range strings.Split(section, "\n") {
		switch {
		case strings.HasPrefix(line, "  -"):
			fields := strings.Fields(line)
			last = fields[0]
			rows[last] = strings.Join(fields[1:], " ")
		case strings.HasPrefix(line, "   ") && last != "":
			rows[last] += " " + strings.TrimSpace(line)
		default:
			t.Fatalf("unexpected line in Flags: %q\n%s", line, help)
		}
	}
	return rows
}

// A command's help writes its flags with two dashes (one for a one-letter
// flag, as in -o), marks the required ones "(required)" and names them in
// its usage line, and lists only the flags the command takes: each render
// subcommand its own, plus those of every picture and every command.
func TestHelpFlags(t *testing.T) {
	common := []string{"--database-url", "--time-zone"}
	// The commands that may migrate first also take the owner's URL.
	migrating := append([]string{"--migrate-url"}, common...)
	picture := append([]string{"--limit", "--render-worker", "--render-workers", "--render-timeout", "--render-memory"}, common...)
	tests := []struct {
		name     string
		cmd      string
		usage    string   // the usage line
		required []string // marked "(required)"
		optional []string // listed, not marked
		absent   []string // not listed
	}{
		{"Serve", "serve", "kedja serve [flags]", nil,
			append([]string{"--addr", "--seed-demo", "--timeout", "--tls-cert", "--tls-key", "--check-schedule", "--audit-key-file", "--audit-checkpoints",
				"--audit-checkpoint-every", "--render-worker", "--render-workers", "--render-timeout", "--render-memory", "--link-key", "--wait-for-database", "--metrics-addr", "--graphql-go-executor"}, migrating...),
			[]string{"--controller", "--limit", "-o"}},
		{"AuditVerify", "audit verify", "kedja audit verify [flags]", nil, append([]string{"--audit-key-file", "--audit-checkpoints"}, common...), nil},
		{"AuditCheckpoint", "audit checkpoint", "kedja audit checkpoint [flags]", nil, append([]string{"--audit-key-file", "--audit-checkpoints"}, common...), nil},
		{"Migrate", "migrate", "kedja migrate [flags]", nil, append([]string{"--create-database"}, migrating...), []string{"--addr"}},
		{"Check", "check", "kedja check [flags]", nil, append([]string{"--at", "--checks", "--attestation-window", "--restore-test-days", "--scan-days"}, migrating...), nil},
		{"TokenCreate", "token create", "kedja token create --role ROLE --name NAME [flags]",
			[]string{"--role", "--name"}, append([]string{"--expires"}, migrating...), nil},
		{"TokenRevoke", "token revoke", "kedja token revoke [flags] ID|PREFIX", nil, common, []string{"--role", "--migrate-url"}},
		{"Gen", "gen", "kedja gen [flags]", nil, append([]string{"--scale", "--create-database"}, migrating...), nil},
		{"Bench", "bench", "kedja bench --first ID --last ID [flags]",
			[]string{"--first", "--last"}, append([]string{"-n", "--seed"}, common...), nil},
		{"RenderChain", "render chain", "kedja render chain --controller ID -o FILE.svg|png|dot [flags]",
			[]string{"--controller", "-o"}, append([]string{"--at"}, picture...), []string{"--id", "--organisation", "--system", "--addr"}},
		{"RenderTrace", "render trace", "kedja render trace --id ID -o FILE.svg|png|dot [flags]",
			[]string{"--id", "-o"}, picture, []string{"--controller", "--organisation", "--system", "--at"}},
		{"RenderResponsibility", "render responsibility", "kedja render responsibility --organisation ID|--system ID -o FILE.svg|png|dot [flags]",
			[]string{"-o"}, append([]string{"--at"}, picture...), []string{"--controller", "--id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := kedja(t, quick, append(strings.Fields(tt.cmd), "--help")...)
			if err != nil {
				t.Fatalf("kedja %s --help: %v\n%s", tt.cmd, err, out)
			}
			if !strings.Contains(out, "\nUsage:\n  "+tt.usage+"\n") {
				t.Errorf("kedja %s --help: want the usage line %q:\n%s", tt.cmd, tt.usage, out)
			}
			rows := flagRows(t, out)
			for name := range rows {
				if len(strings.TrimLeft(name, "-")) > 1 && !strings.HasPrefix(name, "--") {
					t.Errorf("kedja %s --help writes %s with one dash", tt.cmd, name)
				}
			}
			for _, name := range tt.required {
				if row, ok := rows[name]; !ok || !strings.HasSuffix(row, "(required)") {
					t.Errorf("kedja %s --help: %s is %q; want it marked (required)", tt.cmd, name, row)
				}
			}
			for _, name := range tt.optional {
				if row, ok := rows[name]; !ok || strings.Contains(row, "(required)") {
					t.Errorf("kedja %s --help: %s is %q (listed: %v); want it listed, not required", tt.cmd, name, row, ok)
				}
			}
			for _, name := range tt.absent {
				if _, ok := rows[name]; ok {
					t.Errorf("kedja %s --help lists %s, which it does not take", tt.cmd, name)
				}
			}
			if want := len(tt.required) + len(tt.optional); tt.name != "RenderResponsibility" && len(rows) != want {
				t.Errorf("kedja %s --help lists %d flags, want %d: %v", tt.cmd, len(rows), want, rows)
			}
		})
	}
	// Of --organisation and --system exactly one is required.
	out, _ := kedja(t, quick, "render", "responsibility", "--help")
	rows := flagRows(t, out)
	for flag, other := range map[string]string{"--organisation": "--system", "--system": "--organisation"} {
		if want := "(required unless " + other + " is given)"; !strings.HasSuffix(rows[flag], want) {
			t.Errorf("render responsibility --help: %s is %q; want it to end %q", flag, rows[flag], want)
		}
	}
}

// instance is a running "kedja serve".
type instance struct {
	cmd    *exec.Cmd
	addr   string
	done   chan error
	stderr *syncBuffer // the log; whole once done has delivered
	// checkpoints is the file it appends audit checkpoints to.
	checkpoints string
	// metrics is the address of its /metrics, if it serves them.
	metrics string
}

func startServer(t *testing.T, dbURL string, args ...string) *instance {
	t.Helper()
	s, err := launch(t, dbURL, args...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// launch starts kedja serve and waits until it listens; it may run in a
// goroutine of its own, so it reports failure as an error.
func launch(t *testing.T, dbURL string, args ...string) (*instance, error) {
	return launchWith(t, filepath.Join(t.TempDir(), "audit.checkpoints"), dbURL, args...)
}

// launchWith is launch, appending audit checkpoints to the file checkpoints.
func launchWith(t *testing.T, checkpoints, dbURL string, args ...string) (*instance, error) {
	return launchLogging(t, checkpoints, dbURL, &syncBuffer{}, args...)
}

// launchLogging is launchWith, logging into stderr, which the caller can
// read while it waits.
func launchLogging(t *testing.T, checkpoints, dbURL string, stderr *syncBuffer, args ...string) (*instance, error) {
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "KEDJA_AUDIT_KEY_FILE="+auditKeyFile, "KEDJA_AUDIT_CHECKPOINTS="+checkpoints)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &instance{cmd: cmd, done: make(chan error, 1), stderr: stderr, checkpoints: checkpoints}
	found := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if _, after, ok := strings.Cut(lines.Text(), "kedja metrics at http://"); ok {
				s.metrics = strings.TrimSuffix(after, "/metrics")
			}
			if _, after, ok := strings.Cut(lines.Text(), "serving GraphQL at "); ok {
				after = strings.TrimPrefix(strings.TrimPrefix(after, "https://"), "http://")
				found <- strings.TrimSuffix(after, "/graphql")
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-s.done
	})
	select {
	case s.addr = <-found:
		return s, nil
	case err := <-s.done:
		s.done <- err
		return nil, fmt.Errorf("kedja serve exited: %v\n%s", err, stderr.String())
	case <-time.After(60 * time.Second):
		return nil, fmt.Errorf("kedja serve did not start\n%s", stderr.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
	// written, if made, is signalled after each write, for a reader
	// waiting for a line.
	written chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.written != nil {
		select {
		case s.written <- struct{}{}:
		default:
		}
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// token makes an API token with the CLI, as an administrator would.
func token(t *testing.T, db, role string) string {
	t.Helper()
	cmd := exec.Command(binary, "token", "create", "--role", role, "--name", "e2e "+role)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+db)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func postJSON(t *testing.T, addr, tok, query string, vars map[string]any) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if out["errors"] != nil {
		t.Fatalf("errors: %v", out["errors"])
	}
	return out
}

const chainQuery = `query($at: Instant) {
  organisations(filter: {nameContains: "Region Stockholm"}) { nodes {
    providers(at: $at) { to { legalName
      subcontractors(at: $at) { to { legalName country { code } } systemUses(at: $at) { system { name } } } } } } } }`

// The README's quick start, as a process: serve with the demo data, answer
// the acceptance query over HTTP, and on SIGTERM finish the request in
// flight before exiting cleanly.
func TestServeAnswersAndShutsDownGracefully(t *testing.T) {
	db := storetest.Database(t)
	tok := token(t, db, "admin")
	srv := startServer(t, db, "--seed-demo")

	resp, err := http.Get("http://" + srv.addr + "/healthz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("health: %v %v", resp, err)
	}
	resp.Body.Close()

	got := postJSON(t, srv.addr, tok, chainQuery, map[string]any{"at": "2019-02-01T02:00+01:00"})
	b, _ := json.Marshal(got)
	for _, want := range []string{"Medhelp AB", `"country":{"code":"TH"},"legalName":"Medicall Co., Ltd."`, "Voice Integrate Nordic AB", "Princess", "Biz 2.0"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("answer lacks %q: %s", want, b)
		}
	}

	// A request in flight: SIGTERM arrives while its handler is reading
	// half a body. "Expect: 100-continue" makes the server say when the
	// handler starts reading, so no sleep stands in for that.
	body, _ := json.Marshal(map[string]any{"query": chainQuery, "variables": map[string]any{"at": "2019-02-01T02:00+01:00"}})
	conn, err := net.Dial("tcp", srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"+
		"Content-Length: %d\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n", srv.addr, tok, len(body))
	reader := bufio.NewReader(conn)
	if cont, err := http.ReadResponse(reader, nil); err != nil || cont.StatusCode != http.StatusContinue {
		t.Fatalf("want 100 Continue once the handler reads the body: %v %v", cont, err)
	}
	half := len(body) / 2
	if _, err := conn.Write(body[:half]); err != nil {
		t.Fatal(err)
	}
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Shutdown has begun once the listener refuses new connections.
	for deadline := time.Now().Add(20 * time.Second); ; {
		c, err := net.Dial("tcp", srv.addr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("kedja serve still accepts connections after SIGTERM")
		}
		runtime.Gosched()
	}
	if _, err := conn.Write(body[half:]); err != nil {
		t.Fatalf("the server dropped the request in flight: %v", err)
	}
	answer, err := http.ReadResponse(reader, nil)
	if err != nil {
		t.Fatalf("no answer to the request in flight: %v", err)
	}
	ab, _ := io.ReadAll(answer.Body)
	if answer.StatusCode != http.StatusOK || !strings.Contains(string(ab), "Medicall") {
		t.Errorf("request in flight: got %d %s", answer.StatusCode, ab)
	}
	select {
	case err := <-srv.done:
		if err != nil {
			t.Errorf("kedja serve exited with %v after SIGTERM, want 0", err)
		}
		srv.done <- err // for the cleanup
	case <-time.After(20 * time.Second):
		t.Fatal("kedja serve did not exit after SIGTERM")
	}
	// At shutdown the queued audit rows were written and the head
	// checkpointed: the log verifies against it, the request in flight
	// included.
	out, err := kedja(t, []string{"DATABASE_URL=" + db, "KEDJA_AUDIT_KEY_FILE=" + auditKeyFile, "KEDJA_AUDIT_CHECKPOINTS=" + srv.checkpoints},
		"audit", "verify")
	saw, rows := regexp.MustCompile(`saw row (\d+)`).FindStringSubmatch(out), regexp.MustCompile(`intact: (\d+) rows`).FindStringSubmatch(out)
	if err != nil || saw == nil || rows == nil || saw[1] != rows[1] {
		t.Errorf("kedja audit verify after shutdown: %v; want the log intact up to the shutdown checkpoint's row\n%s", err, out)
	}
}

// Two instances starting on one fresh database at once both come up: the
// migrations (as the owner) and the demo seed (as the service role)
// serialise on their locks.
func TestTwoInstancesStartTogether(t *testing.T) {
	owner := storetest.EmptyDatabase(t)
	db := storetest.ServiceURL(t, owner)
	type started struct {
		s   *instance
		err error
	}
	a := make(chan started)
	go func() {
		s, err := launch(t, db, "--seed-demo", "--migrate-url", owner)
		a <- started{s, err}
	}()
	b := startServer(t, db, "--seed-demo", "--migrate-url", owner)
	first := <-a
	if first.err != nil {
		t.Fatal(first.err)
	}
	tok := token(t, db, "auditor")
	for _, s := range []*instance{first.s, b} {
		got := postJSON(t, s.addr, tok, `{ organisations(filter: {nameContains: "Medhelp"}) { nodes { id } } }`, nil)
		nodes := got["data"].(map[string]any)["organisations"].(map[string]any)["nodes"].([]any)
		if len(nodes) != 1 {
			t.Errorf("instance %s sees %d Medhelp organisations, want 1", s.addr, len(nodes))
		}
	}
}

// Migrating needs the tables' owner; everything else runs as the service
// role. A command that would migrate first takes the owner's URL from
// --migrate-url (or KEDJA_MIGRATE_URL), and without it says what is missing
// instead of failing on a permission error alone.
func TestMigratingNeedsTheOwner(t *testing.T) {
	tests := []struct {
		name    string
		env     func(owner, service string) []string
		args    []string
		wantErr bool
		want    string
	}{
		{"ServiceCannotMigrate", func(owner, service string) []string { return []string{"DATABASE_URL=" + service} },
			[]string{"token", "create", "--role", "admin", "--name", "ci"}, true, "--migrate-url"},
		{"MigrateURLFirst", func(owner, service string) []string {
			return []string{"DATABASE_URL=" + service, "KEDJA_MIGRATE_URL=" + owner}
		}, []string{"token", "create", "--role", "admin", "--name", "ci"}, false, "shown this once"},
		{"MigrateWithTheOwnersURLAlone", func(owner, service string) []string { return []string{"DATABASE_URL=", "KEDJA_MIGRATE_URL=" + owner} },
			[]string{"migrate"}, false, "applied"},
		{"MigrateAsTheService", func(owner, service string) []string { return []string{"DATABASE_URL=" + service, "KEDJA_MIGRATE_URL="} },
			[]string{"migrate"}, true, "permission denied"},
		{"SeedOnAnEmptyDatabase", func(owner, service string) []string { return []string{"DATABASE_URL=" + service} },
			[]string{"seed", "demo"}, true, "--migrate-url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			owner := storetest.EmptyDatabase(t)
			out, err := kedja(t, tt.env(owner, storetest.ServiceURL(t, owner)), tt.args...)
			if (err != nil) != tt.wantErr || !strings.Contains(out, tt.want) {
				t.Errorf("kedja %v: %v\n%s\nwant error %v and %q", tt.args, err, out, tt.wantErr, tt.want)
			}
		})
	}
}

// kedja serve warns when its credentials could rewrite the audit log (a
// one-role setup), and not when it runs as the service role.
func TestServeWarnsAboutOwnerCredentials(t *testing.T) {
	db := storetest.Database(t)
	tests := []struct {
		name     string
		url      string
		wantWarn bool
	}{
		{"ServiceRole", db, false},
		{"Owner", storetest.OwnerURL(t, db), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, tt.url, "--check-schedule", "off")
			// The log is whole once the process has exited.
			if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			err := <-srv.done
			srv.done <- err // for the cleanup
			if got := strings.Contains(srv.stderr.String(), "can change or remove audit log rows"); got != tt.wantWarn {
				t.Errorf("warned %v, want %v; log:\n%s", got, tt.wantWarn, srv.stderr.String())
			}
		})
	}
}

func TestCheckCommand(t *testing.T) {
	db := storetest.Database(t)
	env := []string{"DATABASE_URL=" + db}
	if out, err := kedja(t, env, "seed", "demo"); err != nil {
		t.Fatalf("seed: %v %s", err, out)
	}
	out, err := kedja(t, env, "check", "--at", "2019-02-01T12:00")
	n := len(store.CheckIDs())
	if err != nil || !strings.Contains(out, "opened") || !strings.Contains(out, fmt.Sprintf("%d/%d", n, n)) {
		t.Errorf("kedja check: %v\n%s", err, out)
	}
	out, err = kedja(t, env, "check", "--checks", "exposure,vibes")
	if err == nil || !strings.Contains(out, `"vibes" is not a check`) {
		t.Errorf("kedja check with an unknown check: %v\n%s", err, out)
	}
}

// kedja incident import-log attaches a log whole, or reports its malformed
// rows by line and imports nothing.
func TestIncidentImportLogCommand(t *testing.T) {
	db := storetest.Database(t)
	env := []string{"DATABASE_URL=" + db}
	if out, err := kedja(t, env, "seed", "demo"); err != nil {
		t.Fatalf("seed: %v %s", err, out)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	good := filepath.Join(dir, "good.csv")
	if err := os.WriteFile(bad, []byte("time,source,call,call_date\n2019-02-19T10:00,192.0.2.9,x.mp3,2019-01-01\n2019-02-19T10:01,192.0.2.9,,2019-01-01\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, []byte("time,source,call,call_date\n2019-02-19T10:00,192.0.2.9,rec-2019-0001.mp3,2019-01-01\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := kedja(t, env, "incident", "import-log", "--incident", "1", "--file", bad)
	if err == nil || !strings.Contains(out, "line 3") || !strings.Contains(out, "nothing imported") {
		t.Errorf("a malformed log: %v\n%s", err, out)
	}
	out, err = kedja(t, env, "incident", "import-log", "--incident", "1", "--file", good)
	if err != nil || !strings.Contains(out, "imported 1 rows") || !strings.Contains(out, "56 downloads, 46 unique calls, 10 duplicates") {
		t.Errorf("a good log: %v\n%s", err, out)
	}
}

// Given a certificate, serve speaks HTTPS.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600)

	srv := startServer(t, storetest.Database(t), "--tls-cert", certFile, "--tls-key", keyFile, "--check-schedule", "off")
	pool := x509.NewCertPool()
	cert, _ := x509.ParseCertificate(der)
	pool.AddCert(cert)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get("https://" + srv.addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Errorf("https health: %d, TLS %v", resp.StatusCode, resp.TLS != nil)
	}
	// Go's TLS server turns plain HTTP away with a 400.
	if plain, err := http.Get("http://" + srv.addr + "/healthz"); err == nil {
		plain.Body.Close()
		if plain.StatusCode == http.StatusOK {
			t.Error("plain HTTP was served too")
		}
	}
}

// kedja serve started while its database cannot be reached waits for it,
// saying so at each attempt, and serves once it answers; with
// --wait-for-database 0 it gives up at once.
func TestServeWaitsForTheDatabase(t *testing.T) {
	tests := []struct {
		name     string
		wait     string
		wantWait bool // whether it waits (else it exits)
	}{
		{"waits and serves once the database answers", "60s", true},
		{"gives up at once with no wait", "0s", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbURL := storetest.Database(t)
			proxy := storetest.NewProxy(t, dbURL)
			proxy.Cut()
			started := make(chan *instance, 1)
			failed := make(chan error, 1)
			log := &syncBuffer{written: make(chan struct{}, 1)}
			go func() {
				s, err := launchLogging(t, filepath.Join(t.TempDir(), "audit.checkpoints"), proxy.URL(t, dbURL), log,
					"--wait-for-database", tt.wait)
				if err != nil {
					failed <- err
					return
				}
				started <- s
			}()
			if !tt.wantWait {
				select {
				case err := <-failed:
					if !strings.Contains(err.Error(), "unavailable") {
						t.Errorf("it exited, but not saying the database is unavailable: %v", err)
					}
				case s := <-started:
					t.Fatalf("it served at %s without a database", s.addr)
				}
				return
			}
			// Two attempts logged: it is trying again, with back-off.
			deadline := time.After(30 * time.Second)
			for strings.Count(log.String(), "database not reachable yet") < 2 {
				select {
				case <-log.written:
				case err := <-failed:
					t.Fatalf("it did not wait: %v", err)
				case <-deadline:
					t.Fatalf("no second attempt logged within 30 s:\n%s", log.String())
				}
			}
			proxy.Restore()
			var s *instance
			select {
			case s = <-started:
			case err := <-failed:
				t.Fatal(err)
			}
			resp, err := http.Get("http://" + s.addr + "/readyz")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("/readyz once the database answers: %d", resp.StatusCode)
			}
		})
	}
}

// With --metrics-addr, kedja serve answers GET /metrics on that address
// only, in a format the Prometheus client's linter passes, with the
// requests, SQL, check runs, findings and pool it promises.
func TestServeMetrics(t *testing.T) {
	db := storetest.Database(t)
	srv := startServer(t, db, "--seed-demo", "--metrics-addr", "127.0.0.1:0", "--check-schedule", "off")
	if srv.metrics == "" {
		t.Fatal("kedja serve did not say where its metrics are")
	}
	tok := token(t, db, "admin")
	postJSON(t, srv.addr, tok, chainQuery, map[string]any{"at": "2019-02-01T02:00+01:00"})
	postJSON(t, srv.addr, tok, `mutation { runChecks { status } }`, nil)

	if resp, err := http.Get("http://" + srv.addr + "/metrics"); err != nil {
		t.Fatal(err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), "kedja_graphql_requests_total") {
			t.Errorf("/metrics is served on the API's address too")
		}
	}
	resp, err := http.Get("http://" + srv.metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d %v", resp.StatusCode, err)
	}
	problems, err := promlint.New(bytes.NewReader(body)).Lint()
	if err != nil {
		t.Fatalf("the metrics do not parse: %v", err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	tests := []struct {
		name string
		line string // a series that must be there, with a value above 0
	}{
		{"graphql requests", `kedja_graphql_requests_total{code="ok",operation="query organisations",role="admin"}`},
		{"graphql latency", `kedja_graphql_request_duration_seconds_count{operation="query organisations",role="admin"}`},
		{"sql per request", `kedja_graphql_request_sql_statements_count{operation="query organisations"}`},
		{"sql statements", `kedja_sql_statements_total`},
		{"http routes", `kedja_http_requests_total{route="/graphql",status="200"}`},
		{"check runs", `kedja_check_runs_total{status="ran"}`},
		{"check duration", `kedja_check_run_duration_seconds_count`},
		{"open findings", `kedja_findings_open{severity="high"}`},
		{"audit appends", `kedja_audit_rows_appended_total`},
		{"database pool", `go_sql_open_connections{db_name="kedja"}`},
		{"build", `kedja_build_info{goversion=`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, l := range strings.Split(string(body), "\n") {
				if !strings.HasPrefix(l, tt.line) {
					continue
				}
				f := strings.Fields(l)
				if v, err := strconv.ParseFloat(f[len(f)-1], 64); err != nil || v <= 0 {
					t.Errorf("%s has value %s; want above 0", tt.line, f[len(f)-1])
				}
				return
			}
			t.Errorf("no series %s in /metrics:\n%s", tt.line, body)
		})
	}
	// What serve is bounded by: the pool, and (unless this test's own
	// environment sets them, which serve then keeps) the collector's
	// settings of cmd/kedja/gc.go.
	exact := []struct {
		name, series, want string
		env                string // set in the environment, the series shows it instead
	}{
		{"connections bound", `go_sql_max_open_connections{db_name="kedja"}`, "20", ""},
		{"gogc", "go_gc_gogc_percent", strconv.Itoa(serveGCPercent), "GOGC"},
		{"memory limit", "go_gc_gomemlimit_bytes", strconv.FormatFloat(serveMemoryLimit, 'g', -1, 64), "GOMEMLIMIT"},
	}
	for _, tt := range exact {
		t.Run(tt.name, func(t *testing.T) {
			if tt.env != "" && os.Getenv(tt.env) != "" {
				t.Skipf("%s is set in this test's environment, and serve keeps it", tt.env)
			}
			for _, l := range strings.Split(string(body), "\n") {
				f := strings.Fields(l)
				if len(f) != 2 || f[0] != tt.series {
					continue
				}
				got, err1 := strconv.ParseFloat(f[1], 64)
				want, err2 := strconv.ParseFloat(tt.want, 64)
				if err1 != nil || err2 != nil || got != want {
					t.Errorf("%s = %s, want %s", tt.series, f[1], tt.want)
				}
				return
			}
			t.Errorf("no series %s in /metrics", tt.series)
		})
	}
}

// The bash completion (and zsh's, which runs it through bashcompinit)
// completes commands, subcommands and each command's flags as its --help
// lists them.
func TestCompletion(t *testing.T) {
	script, err := kedja(t, nil, "completion", "bash")
	if err != nil {
		t.Fatalf("kedja completion bash: %v\n%s", err, script)
	}
	tests := []struct {
		name  string
		words []string // the command line, the last word being completed
		want  string   // COMPREPLY joined by spaces
	}{
		{"a command", []string{"kedja", "tok"}, "token"},
		{"a subcommand", []string{"kedja", "token", "cr"}, "create"},
		{"a command's flag", []string{"kedja", "serve", "--wait"}, "--wait-for-database"},
		{"a subcommand's flag after another flag", []string{"kedja", "token", "create", "--role", "admin", "--na"}, "--name"},
		{"nothing for an unknown command", []string{"kedja", "nosuch", "--"}, ""},
		{"several", []string{"kedja", "render", ""}, "chain trace responsibility"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			quoted := make([]string, len(tt.words))
			for i, w := range tt.words {
				quoted[i] = "'" + w + "'"
			}
			prog := script + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" + strconv.Itoa(len(tt.words)-1) +
				"\n_kedja\necho \"${COMPREPLY[*]}\"\n"
			out, err := exec.Command("bash", "-c", prog).CombinedOutput()
			if err != nil {
				t.Fatalf("bash: %v\n%s", err, out)
			}
			if got := strings.TrimSpace(string(out)); got != tt.want {
				t.Errorf("completed %q; want %q", got, tt.want)
			}
		})
	}
	zsh, err := kedja(t, nil, "completion", "zsh")
	if err != nil || !strings.HasPrefix(zsh, "#compdef kedja\n") || !strings.Contains(zsh, "bashcompinit") || !strings.HasSuffix(zsh, script) {
		t.Errorf("kedja completion zsh is not bash's function behind bashcompinit (%v):\n%s", err, zsh)
	}
	if out, err := kedja(t, nil, "completion", "fish"); err == nil {
		t.Errorf("kedja completion fish succeeded: %s", out)
	}
}
