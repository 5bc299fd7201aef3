// Package rendertest gives tests a kedja-render worker built from this
// checkout, once per test binary, and pools that account for every worker.
package rendertest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/kedja/kedja/graph/render"
)

var (
	once sync.Once
	path string
	dir  string
	err  error
)

// Worker returns the path of a kedja-render built from this checkout, or
// $KEDJA_RENDER_WORKER when set (make test builds it once for every package).
func Worker(tb testing.TB) string {
	tb.Helper()
	once.Do(func() {
		if p := os.Getenv("KEDJA_RENDER_WORKER"); p != "" {
			path = p
			return
		}
		if dir, err = os.MkdirTemp("", "kedja-render-test"); err != nil {
			return
		}
		path = filepath.Join(dir, render.WorkerName)
		out, e := exec.Command("go", "build", "-o", path, "github.com/kedja/kedja/cmd/kedja-render").CombinedOutput()
		if e != nil {
			err = fmt.Errorf("build kedja-render: %v\n%s", e, out)
		}
	})
	if err != nil {
		tb.Fatal(err)
	}
	return path
}

// Pool returns a pool of that worker, closed when the test ends; the test
// fails if a worker process is then left alive or unreaped.
func Pool(tb testing.TB, opt render.Options) *render.Pool {
	tb.Helper()
	opt.Worker = Worker(tb)
	p := render.New(opt)
	if err := p.Err(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		p.Close()
		if s := p.Stats(); s.Live != 0 || s.Started != s.Reaped {
			tb.Errorf("render workers unaccounted for after close: %+v", s)
		}
	})
	return p
}

// Main runs the tests, then removes the worker built for them.
func Main(m *testing.M) int {
	code := m.Run()
	if dir != "" {
		os.RemoveAll(dir)
	}
	return code
}
