package render

import (
	"bufio"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// pictureCache keeps rendered pictures by their key, the oldest leaving
// first once more than max bytes are kept.
type pictureCache struct {
	mu    sync.Mutex
	max   int
	items map[string][]byte
	order []string
	size  int
}

func (c *pictureCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.items[key]
	return b, ok
}

func (c *pictureCache) put(key string, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.max <= 0 || len(b) > c.max {
		return
	}
	if c.items == nil {
		c.items = map[string][]byte{}
	}
	if _, ok := c.items[key]; ok {
		return
	}
	c.items[key] = b
	c.order = append(c.order, key)
	c.size += len(b)
	for c.size > c.max {
		old := c.order[0]
		c.order = c.order[1:]
		c.size -= len(c.items[old])
		delete(c.items, old)
	}
}

// WorkerName is the render worker's binary.
const WorkerName = "kedja-render"

// FindWorker returns the render worker to start: path if given, else
// $KEDJA_RENDER_WORKER, else kedja-render beside the running program, else
// kedja-render on the PATH.
func FindWorker(path string) (string, error) {
	if path == "" {
		path = os.Getenv("KEDJA_RENDER_WORKER")
	}
	if path != "" {
		if err := executable(path); err != nil {
			return "", fmt.Errorf("render worker %s: %w", path, err)
		}
		return path, nil
	}
	if self, err := os.Executable(); err == nil {
		if self, err = filepath.EvalSymlinks(self); err == nil {
			beside := filepath.Join(filepath.Dir(self), WorkerName)
			if executable(beside) == nil {
				return beside, nil
			}
		}
	}
	if p, err := exec.LookPath(WorkerName); err == nil {
		return p, nil
	}
	return "", errors.New("no kedja-render beside kedja or on the PATH (build both: go build -o bin/ ./cmd/..., or give --render-worker)")
}

func executable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() || fi.Mode()&0o111 == 0 {
		return errors.New("not an executable file")
	}
	return nil
}

// compiledCacheDir is the folder a worker keeps compiled Graphviz in (its
// TMPDIR; go-graphviz caches under it). Its name is a hash of everything the
// compiled code depends on: the versions of go-graphviz and wazero in the
// worker binary, the Go toolchain, the architecture and the processor's
// features. wazero's own cache folder is named by its version alone, which
// reads "dev" in some builds, and an artefact compiled by one wazero crashes
// another; here no folder can serve one version's artefact to another.
func compiledCacheDir(root, worker string) (string, error) {
	if root == "" {
		if d, err := os.UserCacheDir(); err == nil {
			root = filepath.Join(d, "kedja")
		} else {
			root = filepath.Join(os.TempDir(), fmt.Sprintf("kedja-cache-%d", os.Getuid()))
		}
	}
	key, err := compiledKey(worker)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, "graphviz-"+key)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("compiled Graphviz cache: %w", err)
	}
	return dir, nil
}

func compiledKey(worker string) (string, error) {
	h := sha256.New()
	fmt.Fprintln(h, runtime.GOOS, runtime.GOARCH, cpuFlags())
	known := 0
	if bi, err := buildinfo.ReadFile(worker); err == nil {
		fmt.Fprintln(h, bi.GoVersion)
		for _, s := range bi.Settings {
			if strings.HasPrefix(s.Key, "GO") { // GOARCH, GOAMD64, GOOS...
				fmt.Fprintln(h, s.Key, s.Value)
			}
		}
		for _, d := range bi.Deps {
			if d.Replace != nil {
				d = d.Replace
			}
			if (d.Path == "github.com/goccy/go-graphviz" || d.Path == "github.com/tetratelabs/wazero") &&
				d.Version != "" && d.Version != "(devel)" {
				fmt.Fprintln(h, d.Path, d.Version, d.Sum)
				known++
			}
		}
	}
	if known < 2 {
		// Versions unknown: the binary itself is the key.
		f, err := os.Open(worker)
		if err != nil {
			return "", err
		}
		defer f.Close()
		if _, err := io.Copy(h, f); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:12]), nil
}

// cpuFlags are the processor's features, which compiled code may rely on.
func cpuFlags() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "flags" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
