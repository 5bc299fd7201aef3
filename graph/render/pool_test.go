package render_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kedja/kedja/graph/render"
	"github.com/kedja/kedja/graph/render/rendertest"
	"github.com/kedja/kedja/registry"
)

func TestMain(m *testing.M) { os.Exit(rendertest.Main(m)) }

const small = `digraph G { a -> b -> c; a -> c; }`

// slow is a dense cyclic graph whose layout takes minutes (dot's crossing
// minimisation on 800 edges among 200 nodes): a runaway render.
func slow() string {
	var b strings.Builder
	b.WriteString("digraph slow {\n")
	for i := range 200 {
		for j := 1; j <= 4; j++ {
			fmt.Fprintf(&b, "n%d -> n%d;\n", i, (i*7+j*13)%200)
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// chainOf is a path of n nodes: quick to lay out.
func chainOf(n int) string {
	var b strings.Builder
	b.WriteString("digraph chain {\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "n%d -> n%d;\n", i-1, i)
	}
	b.WriteString("}\n")
	return b.String()
}

// gone reports whether a process no longer exists (reaped, not a zombie).
func gone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// onRendering returns an event hook that sends the pid of each worker that
// starts laying out a picture.
func onRendering() (func(render.Event), chan int) {
	pids := make(chan int, 100)
	return func(e render.Event) {
		if e.Kind == render.EventRendering {
			pids <- e.PID
		}
	}, pids
}

func TestRender(t *testing.T) {
	pool := rendertest.Pool(t, render.Options{Workers: 1, MaxNodes: 50, MaxDOT: 4096, MaxPixels: 20_000, CacheBytes: -1})
	tests := []struct {
		name, dot, format string
		wantPrefix        string
		wantCode          registry.Code
	}{
		{"SVG", small, "svg", "<?xml", ""},
		{"PNG", small, "png", "\x89PNG", ""},
		{"DOTAsItIs", small, "dot", "digraph", ""},
		{"UnknownFormat", small, "pdf", "", registry.EInvalid},
		{"TooManyBytes", strings.Repeat(" ", 5000) + small, "svg", "", render.ECodeTooLarge},
		{"TooManyNodes", chainOf(51), "svg", "", render.ECodeTooLarge},
		{"NodesAtTheLimit", chainOf(50), "svg", "<?xml", ""},
		{"DoesNotParse", "digraph {", "svg", "", render.ECodeFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := pool.Render(context.Background(), tt.dot, tt.format)
			if got := codeOf(err); got != tt.wantCode {
				t.Fatalf("error %v (code %q), want code %q", err, got, tt.wantCode)
			}
			if !bytes.HasPrefix(b, []byte(tt.wantPrefix)) {
				t.Errorf("answer starts %q, want %q", b[:min(len(b), 10)], tt.wantPrefix)
			}
		})
	}
	// Refusals by the worker (too many nodes, DOT that does not parse) do
	// not cost it its life.
	if s := pool.Stats(); s.Started != 1 || s.Live != 1 {
		t.Errorf("stats %+v: want the one worker to have survived every refusal", s)
	}
}

func codeOf(err error) registry.Code {
	if err == nil {
		return ""
	}
	return registry.ErrorCode(err)
}

// A PNG is scaled down to the pixels it may have.
func TestPNGIsBounded(t *testing.T) {
	pool := rendertest.Pool(t, render.Options{Workers: 1, MaxPixels: 20_000})
	b, err := pool.Render(context.Background(), chainOf(40), "png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if sz := img.Bounds().Size(); sz.X*sz.Y > 20_000 || sz.X*sz.Y < 10_000 {
		t.Errorf("png is %v = %d pixels, want close to and at most 20,000", sz, sz.X*sz.Y)
	}
}

// A worker killed by a signal while it lays out a picture costs that
// picture: a RENDER_FAILED answer, a log line, and a new worker for the next.
func TestWorkerKilledMidRender(t *testing.T) {
	hook, rendering := onRendering()
	pool := rendertest.Pool(t, render.Options{Workers: 1, OnEvent: hook})
	victim := make(chan int, 1)
	go func() {
		pid := <-rendering
		syscall.Kill(pid, syscall.SIGSEGV)
		victim <- pid
	}()
	_, err := pool.Render(context.Background(), slow(), "svg")
	if codeOf(err) != render.ECodeFailed {
		t.Fatalf("got %v, want RENDER_FAILED", err)
	}
	if pid := <-victim; !gone(pid) {
		t.Errorf("killed worker %d is still there", pid)
	}
	if _, err := pool.Render(context.Background(), small, "svg"); err != nil {
		t.Fatalf("the next render: %v", err)
	}
	if s := pool.Stats(); s.Started != 2 || s.Reaped != 1 || s.Live != 1 || s.Failed != 1 || s.Rendered != 1 {
		t.Errorf("stats %+v: want 2 started, 1 reaped, 1 live, 1 failed, 1 rendered", s)
	}
}

// A render past its deadline is stopped by killing its worker.
func TestRunawayRenderIsKilledAtItsDeadline(t *testing.T) {
	var mu sync.Mutex
	var killed []render.Event
	pool := rendertest.Pool(t, render.Options{Workers: 1, Timeout: 300 * time.Millisecond, OnEvent: func(e render.Event) {
		if e.Kind == render.EventKilled {
			mu.Lock()
			killed = append(killed, e)
			mu.Unlock()
		}
	}})
	_, err := pool.Render(context.Background(), slow(), "svg")
	if codeOf(err) != render.ECodeTimeout {
		t.Fatalf("got %v, want RENDER_TIMEOUT", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(killed) != 1 || killed[0].Reason != "deadline" || !gone(killed[0].PID) {
		t.Errorf("killed %+v: want one worker killed at its deadline and reaped", killed)
	}
	if s := pool.Stats(); s.TimedOut != 1 || s.Live != 0 || s.Reaped != 1 {
		t.Errorf("stats %+v", s)
	}
}

// A caller that goes away stops its render: Graphviz cannot be interrupted,
// so its worker is killed.
func TestCallerGoneStopsTheRender(t *testing.T) {
	hook, rendering := onRendering()
	pool := rendertest.Pool(t, render.Options{Workers: 1, OnEvent: hook})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-rendering
		cancel()
	}()
	_, err := pool.Render(ctx, slow(), "svg")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if s := pool.Stats(); s.Cancelled != 1 || s.Live != 0 {
		t.Errorf("stats %+v: want the worker killed", s)
	}
}

// Twenty pictures at once over two workers, one of them hostile: the hostile
// one times out, the nineteen others are drawn, and every worker is
// accounted for.
func TestTwentyRendersOneHostile(t *testing.T) {
	pool := rendertest.Pool(t, render.Options{Workers: 2, Timeout: 3 * time.Second, CacheBytes: -1})
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dot := chainOf(3 + i)
			if i == 7 {
				dot = slow()
			}
			_, errs[i] = pool.Render(context.Background(), dot, "svg")
		}()
	}
	wg.Wait()
	for i, err := range errs {
		want := registry.Code("")
		if i == 7 {
			want = render.ECodeTimeout
		}
		if codeOf(err) != want {
			t.Errorf("render %d: %v, want code %q", i, err, want)
		}
	}
	s := pool.Stats()
	if s.Rendered != 19 || s.TimedOut != 1 || s.Started != s.Live+s.Reaped || s.Reaped != 1 {
		t.Errorf("stats %+v: want 19 rendered, 1 timed out, the killed worker reaped", s)
	}
	for _, pid := range pool.LivePIDs() {
		if gone(pid) {
			t.Errorf("worker %d counted live but gone", pid)
		}
	}
}

// A render that needs more memory than the cap ends its worker, not the
// server.
func TestMemoryCap(t *testing.T) {
	// Laid out without a cap, this picture takes 128 MB resident and 131 MB
	// more address space. The deadline is far off so that the cap, not the
	// clock, stops it: on a loaded machine reaching the cap took over the
	// default 10 s, and the render was stopped as late instead.
	pool := rendertest.Pool(t, render.Options{Workers: 1, Memory: 16 << 20, MaxNodes: 20_000, Timeout: 5 * time.Minute})
	_, err := pool.Render(context.Background(), chainOf(10_000), "svg")
	if codeOf(err) != render.ECodeFailed {
		t.Fatalf("got %v, want RENDER_FAILED", err)
	}
	if s := pool.Stats(); s.Failed != 1 || s.Live != 0 {
		t.Errorf("stats %+v: want the worker gone", s)
	}
}

// Workers see none of the server's secrets, and compile Graphviz into a
// folder named for the versions they run.
func TestWorkerEnvironment(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://kedja:secret@db/kedja")
	dir := t.TempDir()
	var pid int
	pool := rendertest.Pool(t, render.Options{Workers: 1, CacheDir: dir, OnEvent: func(e render.Event) {
		if e.Kind == render.EventStarted {
			pid = e.PID
		}
	}})
	if _, err := pool.Render(context.Background(), small, "svg"); err != nil {
		t.Fatal(err)
	}
	env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(env, []byte("secret")) || bytes.Contains(env, []byte("DATABASE_URL")) {
		t.Errorf("the worker's environment has the database URL: %q", env)
	}
	caches, _ := filepath.Glob(filepath.Join(dir, "graphviz-*", "go-graphviz", "wazero-*"))
	if len(caches) != 1 || strings.Contains(caches[0], "wazero-dev") {
		t.Errorf("compiled caches %v: want one, under a folder keyed by versions, named by wazero's version", caches)
	}
}

// A compilation cache poisoned by another wazero version (as go-graphviz's
// shared $TMPDIR/go-graphviz was, crashing every render) is never read: each
// worker binary has its own.
func TestPoisonedSharedCacheIsNotRead(t *testing.T) {
	tmp := t.TempDir()
	for _, v := range []string{"wazero-dev-amd64-linux", "wazero-v1.12.0-amd64-linux", "wazero-dev-arm64-linux", "wazero-v1.12.0-arm64-linux"} {
		d := filepath.Join(tmp, "go-graphviz", v)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		// Every name a compiled module could have is not knowable here;
		// fill the folder so that any listing finds junk.
		for i := range 4 {
			os.WriteFile(filepath.Join(d, fmt.Sprintf("%064x", i)), bytes.Repeat([]byte{0xcc}, 4096), 0o600)
		}
	}
	t.Setenv("TMPDIR", tmp)
	pool := rendertest.Pool(t, render.Options{Workers: 1, CacheDir: t.TempDir()})
	if _, err := pool.Render(context.Background(), small, "svg"); err != nil {
		t.Fatal(err)
	}
}

// A closed pool kills its workers and draws nothing more.
func TestClose(t *testing.T) {
	pool := rendertest.Pool(t, render.Options{Workers: 2, CacheBytes: -1})
	for i := range 4 {
		if _, err := pool.Render(context.Background(), chainOf(2+i), "svg"); err != nil {
			t.Fatal(err)
		}
	}
	pids := pool.LivePIDs()
	pool.Close()
	for _, pid := range pids {
		if !gone(pid) {
			t.Errorf("worker %d outlived Close", pid)
		}
	}
	if _, err := pool.Render(context.Background(), chainOf(9), "svg"); codeOf(err) != render.ECodeUnavailable {
		t.Errorf("after Close: %v, want RENDER_UNAVAILABLE", err)
	}
}

func TestFindWorker(t *testing.T) {
	worker := rendertest.Worker(t)
	notExec := filepath.Join(t.TempDir(), "kedja-render")
	os.WriteFile(notExec, []byte("#!/bin/sh\n"), 0o644)
	tests := []struct {
		name, path, env string
		want            string
		wantErr         bool
	}{
		{"Given", worker, "", worker, false},
		{"FromEnvironment", "", worker, worker, false},
		{"GivenMissing", "/nonexistent/kedja-render", "", "", true},
		{"NotExecutable", notExec, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("KEDJA_RENDER_WORKER", tt.env)
			got, err := render.FindWorker(tt.path)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("FindWorker(%q) = %q, %v; want %q, error %v", tt.path, got, err, tt.want, tt.wantErr)
			}
		})
	}
	// Without a worker anywhere, a pool says why, and renders answer so.
	t.Setenv("KEDJA_RENDER_WORKER", "")
	t.Setenv("PATH", t.TempDir())
	pool := render.New(render.Options{})
	if pool.Err() == nil {
		t.Fatalf("found a worker at %q with none given, on the PATH or beside the test binary", pool.Worker())
	}
	if _, err := pool.Render(context.Background(), small, "svg"); codeOf(err) != render.ECodeUnavailable {
		t.Errorf("without a worker: %v, want RENDER_UNAVAILABLE", err)
	}
}

// BenchmarkParallel draws a batch of as many pictures as the machine has
// CPUs (chains of 2,000 nodes, about 0.2 s each), one at a time through one
// worker and all at once through one worker per CPU: the time per batch.
func BenchmarkParallel(b *testing.B) {
	cpus := runtime.NumCPU()
	for _, workers := range slices.Compact([]int{1, cpus}) {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			pool := rendertest.Pool(b, render.Options{Workers: workers, CacheBytes: -1})
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() { pool.Render(context.Background(), chainOf(2), "svg") })
			}
			wg.Wait()
			b.ResetTimer()
			for b.Loop() {
				for range cpus {
					wg.Go(func() {
						if _, err := pool.Render(context.Background(), chainOf(2000), "svg"); err != nil {
							b.Error(err)
						}
					})
				}
				wg.Wait()
			}
		})
	}
}
