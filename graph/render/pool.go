package render

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/kedja/kedja/registry"
)

// Options configure a Pool. Zero values take the defaults in brackets.
type Options struct {
	Worker     string        // the kedja-render binary [found by FindWorker]
	Workers    int           // worker processes at most [number of CPUs]
	Timeout    time.Duration // one render, from when a worker takes it [10 s]
	Memory     int64         // memory a render may add to a worker, bytes; -1 for no cap [1 GiB]
	MaxDOT     int           // DOT accepted, bytes [4 MiB]
	MaxNodes   int           // nodes a picture may have [5,000]
	MaxPixels  int           // pixels of a PNG [40 million]
	CacheDir   string        // where compiled Graphviz is kept [the user's cache folder]
	CacheBytes int           // rendered pictures kept in memory; -1 for none [64 MiB]
	Log        *slog.Logger  // [discarded]
	// OnEvent, when set, is called at each worker event, synchronously, from
	// the goroutine that saw it: for tests and metrics.
	OnEvent func(Event)
}

// DefaultTimeout is how long a render may take before its worker is killed.
const DefaultTimeout = 10 * time.Second

// Worker events.
const (
	EventStarted   = "started"   // a worker process is ready
	EventRendering = "rendering" // a worker began laying out a request
	EventKilled    = "killed"    // a worker was killed (deadline, caller gone, pool closed)
	EventExited    = "exited"    // a worker process ended and was reaped
)

// Event is something that happened to a worker process.
type Event struct {
	Kind   string
	PID    int
	Key    string // the picture, for EventRendering
	Reason string // why, for EventKilled and EventExited
}

// Stats counts what the pool did. Every worker started is either live or
// reaped: Started == Live + Reaped.
type Stats struct {
	Live, Idle, Busy, Started, Reaped     int // Busy includes workers starting
	Rendered, Failed, TimedOut, Cancelled int
	Cached                                int // answers served from the picture cache
}

// Pool renders pictures in worker processes. It is safe for concurrent use;
// renders run in parallel, one per worker.
type Pool struct {
	opt      Options
	log      *slog.Logger
	worker   string
	findErr  error
	cacheDir string
	slots    chan struct{}

	mu     sync.Mutex
	idle   []*proc
	live   map[int]*proc
	stats  Stats
	closed bool
	cache  pictureCache
}

// New returns a pool; worker processes start when pictures are asked for.
// A pool without a worker binary answers every render RENDER_UNAVAILABLE and
// says why in Err.
func New(opt Options) *Pool {
	if opt.Workers <= 0 {
		opt.Workers = runtime.NumCPU()
	}
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	if opt.Memory == 0 {
		opt.Memory = 1 << 30
	}
	if opt.MaxDOT <= 0 {
		opt.MaxDOT = 4 << 20
	}
	if opt.MaxNodes <= 0 {
		opt.MaxNodes = 5000
	}
	if opt.MaxPixels <= 0 {
		opt.MaxPixels = 40_000_000
	}
	if opt.CacheBytes == 0 {
		opt.CacheBytes = 64 << 20
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Pool{opt: opt, log: log, slots: make(chan struct{}, opt.Workers), live: map[int]*proc{},
		cache: pictureCache{max: opt.CacheBytes}}
	p.worker, p.findErr = FindWorker(opt.Worker)
	if p.findErr == nil {
		p.cacheDir, p.findErr = compiledCacheDir(opt.CacheDir, p.worker)
	}
	return p
}

// Err says why the pool cannot render, or nil when it can.
func (p *Pool) Err() error { return p.findErr }

// Worker is the path of the worker binary the pool starts.
func (p *Pool) Worker() string { return p.worker }

// Stats returns the pool's counters.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	s.Live, s.Idle = len(p.live), len(p.idle)
	s.Busy = s.Live - s.Idle
	return s
}

// LivePIDs lists the worker processes not yet reaped.
func (p *Pool) LivePIDs() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	pids := make([]int, 0, len(p.live))
	for pid := range p.live {
		pids = append(pids, pid)
	}
	return pids
}

func (p *Pool) emit(e Event) {
	if p.opt.OnEvent != nil {
		p.opt.OnEvent(e)
	}
}

func (p *Pool) count(f func(*Stats)) {
	p.mu.Lock()
	f(&p.stats)
	p.mu.Unlock()
}

// Render draws dot as svg or png; dot comes back as it is. Failures are
// registry errors with the codes above, their detail logged; a caller that
// goes away (ctx done) gets ctx's error and the worker is killed, since
// Graphviz cannot be interrupted any other way.
func (p *Pool) Render(ctx context.Context, dot, format string) ([]byte, error) {
	if format == "dot" {
		return []byte(dot), nil
	}
	if format != "svg" && format != "png" {
		return nil, registry.Invalid("format", "no format %q; svg, png or dot", format)
	}
	if len(dot) > p.opt.MaxDOT {
		return nil, &registry.Error{Code: ECodeTooLarge,
			Message: fmt.Sprintf("the picture's description is %d bytes, more than the %d a picture may have", len(dot), p.opt.MaxDOT)}
	}
	key := Key(dot, format)
	if b, ok := p.cache.get(key); ok {
		p.count(func(s *Stats) { s.Cached++ })
		return b, nil
	}
	if p.findErr != nil {
		return nil, &registry.Error{Code: ECodeUnavailable, Message: "pictures cannot be drawn here: " + p.findErr.Error()}
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-p.slots }()
	w, err := p.take(ctx)
	if err != nil {
		return nil, err
	}
	if format == "png" && !w.png {
		p.put(w)
		return nil, &registry.Error{Code: ECodeUnavailable,
			Message: "PNG pictures need rsvg-convert (Debian package librsvg2-bin) beside kedja; SVG is available"}
	}
	b, err := p.renderOn(ctx, w, request{Format: format, DOT: []byte(dot), MaxNodes: p.opt.MaxNodes, MaxPixels: p.opt.MaxPixels}, key)
	if err == nil {
		p.cache.put(key, b)
	}
	return b, err
}

type result struct {
	a   answer
	err error
}

func (p *Pool) renderOn(ctx context.Context, w *proc, req request, key string) ([]byte, error) {
	done := make(chan result, 1)
	go func() {
		w.budget.reset(int64(len(req.DOT)) + maxAnswer)
		if err := w.enc.Encode(&req); err != nil {
			done <- result{err: fmt.Errorf("send request: %w", err)}
			return
		}
		for {
			var a answer
			if err := w.dec.Decode(&a); err != nil {
				done <- result{err: fmt.Errorf("read answer: %w", err)}
				return
			}
			if !a.Started {
				done <- result{a: a}
				return
			}
			p.emit(Event{Kind: EventRendering, PID: w.pid, Key: key})
		}
	}()
	timer := time.NewTimer(p.opt.Timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		if r.err != nil {
			// The worker died or broke the protocol: its exit says why.
			p.kill(w, "broken answer")
			<-w.exited
			p.count(func(s *Stats) { s.Failed++ })
			p.log.Error("render worker failed", "pid", w.pid, "picture", key, "err", r.err, "exit", w.exitReason())
			return nil, &registry.Error{Code: ECodeFailed, Message: "the picture could not be drawn (its render worker failed); try again"}
		}
		p.retireOrPut(w)
		if r.a.Code != "" {
			return nil, p.workerError(w, key, r.a)
		}
		p.count(func(s *Stats) { s.Rendered++ })
		return r.a.Data, nil
	case <-timer.C:
		p.kill(w, "deadline")
		<-done
		<-w.exited
		p.count(func(s *Stats) { s.TimedOut++ })
		p.log.Warn("render worker killed at its deadline", "pid", w.pid, "picture", key, "timeout", p.opt.Timeout.String())
		return nil, &registry.Error{Code: ECodeTimeout, Message: fmt.Sprintf(
			"the picture took longer than %s to draw and was stopped; try again, or ask for fewer nodes", p.opt.Timeout)}
	case <-ctx.Done():
		p.kill(w, "caller gone")
		<-done
		<-w.exited
		p.count(func(s *Stats) { s.Cancelled++ })
		return nil, ctx.Err()
	}
}

// workerError turns an error the worker answered and survived into what the
// caller sees: limits and availability as they are, anything else (DOT that
// kedja built and Graphviz refused) logged and reported as a failed render.
func (p *Pool) workerError(w *proc, key string, a answer) error {
	switch c := registry.Code(a.Code); c {
	case ECodeTooLarge, ECodeUnavailable:
		return &registry.Error{Code: c, Message: a.Err}
	}
	p.count(func(s *Stats) { s.Failed++ })
	p.log.Error("render failed", "pid", w.pid, "picture", key, "err", a.Err)
	return &registry.Error{Code: ECodeFailed, Message: "the picture could not be drawn; try again"}
}

// Close kills every worker and waits until each is reaped.
func (p *Pool) Close() error {
	p.mu.Lock()
	p.closed = true
	procs := make([]*proc, 0, len(p.live))
	for _, w := range p.live {
		procs = append(procs, w)
	}
	p.idle = nil
	p.mu.Unlock()
	for _, w := range procs {
		p.kill(w, "pool closed")
		<-w.exited
	}
	return nil
}

// take returns an idle worker, or starts one.
func (p *Pool) take(ctx context.Context) (*proc, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, &registry.Error{Code: ECodeUnavailable, Message: "kedja is shutting down; pictures are not drawn"}
	}
	for len(p.idle) > 0 {
		w := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		select {
		case <-w.exited: // died while idle; the reaper counted it
		default:
			p.mu.Unlock()
			return w, nil
		}
	}
	p.mu.Unlock()
	return p.start(ctx)
}

// retireOrPut returns a worker to the idle list, unless it has grown past
// half its memory cap (WebAssembly memory never shrinks) or the pool is
// closed, in which case it is told to exit.
func (p *Pool) retireOrPut(w *proc) {
	if rss := residentBytes(w.pid); p.opt.Memory > 0 && rss > p.opt.Memory/2 {
		p.log.Info("render worker retired", "pid", w.pid, "rss", rss)
		w.in.Close()
		return
	}
	p.put(w)
}

func (p *Pool) put(w *proc) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		w.in.Close()
		return
	}
	p.idle = append(p.idle, w)
}

// kill ends a worker and everything it started (rsvg-convert): they share a
// process group.
func (p *Pool) kill(w *proc, reason string) {
	p.mu.Lock()
	for i, x := range p.idle {
		if x == w {
			p.idle = append(p.idle[:i], p.idle[i+1:]...)
			break
		}
	}
	p.mu.Unlock()
	select {
	case <-w.exited:
		// Already reaped: its pid may belong to another process by now.
		return
	default:
	}
	syscall.Kill(-w.pid, syscall.SIGKILL)
	p.emit(Event{Kind: EventKilled, PID: w.pid, Reason: reason})
}

// maxAnswer bounds what the server reads from a worker for one picture, so a
// worker gone wrong cannot fill the server's memory.
const maxAnswer = 256 << 20

// startTimeout bounds a worker's start: Graphviz is compiled on a cold cache
// (under a second here), loaded from it otherwise.
const startTimeout = 30 * time.Second

// proc is one worker process.
type proc struct {
	pid     int
	png     bool
	cmd     *exec.Cmd
	in      io.WriteCloser
	enc     *gob.Encoder
	dec     *gob.Decoder
	budget  *budgetReader
	exited  chan struct{} // closed once the process is reaped
	waitErr error
}

func (w *proc) exitReason() string {
	if w.waitErr == nil {
		return "exit status 0"
	}
	return w.waitErr.Error()
}

func (p *Pool) start(ctx context.Context) (*proc, error) {
	ar, aw, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("render: answer pipe: %w", err)
	}
	cmd := exec.Command(p.worker, "-memory", strconv.FormatInt(max(p.opt.Memory, 0), 10))
	cmd.Env = workerEnv(p.cacheDir)
	cmd.ExtraFiles = []*os.File{aw}
	// Its own process group, so that a kill reaches rsvg-convert too; and
	// killed with the server, should the server die first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	in, err := cmd.StdinPipe()
	if err != nil {
		ar.Close()
		aw.Close()
		return nil, fmt.Errorf("render: stdin: %w", err)
	}
	logw := &lineLogger{log: p.log}
	cmd.Stdout, cmd.Stderr = logw, logw
	if err := cmd.Start(); err != nil {
		ar.Close()
		aw.Close()
		p.log.Error("render worker did not start", "worker", p.worker, "err", err)
		return nil, &registry.Error{Code: ECodeUnavailable, Message: "the render worker could not be started; try again"}
	}
	aw.Close()
	budget := &budgetReader{r: ar, left: maxAnswer}
	w := &proc{pid: cmd.Process.Pid, cmd: cmd, in: in, enc: gob.NewEncoder(in), dec: gob.NewDecoder(budget),
		budget: budget, exited: make(chan struct{})}
	logw.setPID(w.pid)
	p.mu.Lock()
	p.live[w.pid] = w
	p.stats.Started++
	p.mu.Unlock()
	go func() {
		w.waitErr = cmd.Wait()
		ar.Close()
		p.mu.Lock()
		delete(p.live, w.pid)
		p.stats.Reaped++
		p.mu.Unlock()
		close(w.exited)
		p.emit(Event{Kind: EventExited, PID: w.pid, Reason: w.exitReason()})
	}()

	hi := make(chan error, 1)
	var h hello
	go func() { hi <- w.dec.Decode(&h) }()
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case err = <-hi:
	case <-timer.C:
		err = errors.New("no hello within " + startTimeout.String())
	case <-ctx.Done():
		p.kill(w, "caller gone")
		<-hi
		return nil, ctx.Err()
	}
	if err != nil {
		p.kill(w, "start failed")
		<-hi
		<-w.exited
		p.log.Error("render worker failed to start", "pid", w.pid, "err", err, "exit", w.exitReason())
		return nil, &registry.Error{Code: ECodeFailed, Message: "the render worker could not be started; try again"}
	}
	w.png = h.PNG
	p.log.Info("render worker started", "pid", w.pid, "versions", h.Version, "png", h.PNG)
	p.emit(Event{Kind: EventStarted, PID: w.pid})
	return w, nil
}

// workerEnv is all a worker gets of the server's environment: enough to find
// rsvg-convert and fonts, never a database URL or a token.
func workerEnv(cacheDir string) []string {
	env := []string{"TMPDIR=" + cacheDir}
	for _, k := range []string{"PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "XDG_CACHE_HOME", "FONTCONFIG_PATH", "FONTCONFIG_FILE"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// residentBytes is a process's resident memory, 0 when unknown.
func residentBytes(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// budgetReader fails once more than left bytes have been read since the last
// reset.
type budgetReader struct {
	mu   sync.Mutex
	r    io.Reader
	left int64
}

func (b *budgetReader) reset(n int64) {
	b.mu.Lock()
	b.left = n
	b.mu.Unlock()
}

func (b *budgetReader) Read(p []byte) (int, error) {
	b.mu.Lock()
	left := b.left
	b.mu.Unlock()
	if left <= 0 {
		return 0, errors.New("render worker answered more than a picture may be")
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	n, err := b.r.Read(p)
	b.mu.Lock()
	b.left -= int64(n)
	b.mu.Unlock()
	return n, err
}

// lineLogger logs what a worker prints, line by line, up to a bound so that
// a worker gone wrong cannot flood the log.
type lineLogger struct {
	log   *slog.Logger
	pid   int
	mu    sync.Mutex
	buf   []byte
	lines int
}

const maxLoggedLines = 50

func (l *lineLogger) setPID(pid int) {
	l.mu.Lock()
	l.pid = pid
	l.mu.Unlock()
}

func (l *lineLogger) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, b...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			if len(l.buf) > 4096 {
				l.emit(string(l.buf[:4096]))
				l.buf = l.buf[:0]
			}
			return len(b), nil
		}
		l.emit(string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
}

func (l *lineLogger) emit(line string) {
	l.lines++
	switch {
	case l.lines <= maxLoggedLines:
		if len(line) > 1000 {
			line = line[:1000] + "…"
		}
		l.log.Warn("render worker said", "pid", l.pid, "line", line)
	case l.lines == maxLoggedLines+1:
		l.log.Warn("render worker said more; not logged", "pid", l.pid)
	}
}
