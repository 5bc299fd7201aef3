package render

import (
	"bytes"
	"encoding/gob"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	"github.com/kedja/kedja/registry"
)

// Layout lays DOT out and returns it as SVG, refusing graphs of more than
// maxNodes nodes with a RENDER_TOO_LARGE error. The kedja-render binary
// implements it with go-graphviz; nothing else in kedja imports Graphviz.
type Layout func(dot []byte, maxNodes int) ([]byte, error)

// ServeWorker is the main loop of a render worker: it caps its own memory,
// says hello on file descriptor 3, then answers requests from standard input
// one at a time until the input ends. It returns the process's exit code.
func ServeWorker(layout Layout, version string) int {
	fs := flag.NewFlagSet("kedja-render", flag.ContinueOnError)
	memory := fs.Int64("memory", 0, "address space the worker may use, in bytes (0: no cap)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		return 2
	}
	if fi, err := os.Stdin.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		fmt.Fprintln(os.Stderr, "kedja-render is started by kedja serve and kedja render; it is not run by hand")
		return 2
	}
	if *memory > 0 {
		// A hard cap the kernel enforces: an allocation past it fails and the
		// Go runtime exits, which the pool reports as a failed render. The
		// cap counts from what the worker has mapped once Graphviz is loaded
		// (about 1.6 GB of address space, 25 MB of it resident), so memory
		// means what a render may add. rsvg-convert inherits it. The soft
		// limit makes the collector work harder well before that.
		base, err := addressSpace()
		if err != nil {
			fmt.Fprintln(os.Stderr, "kedja-render: read own size:", err)
			return 1
		}
		lim := &syscall.Rlimit{Cur: uint64(base + *memory), Max: uint64(base + *memory)}
		if err := syscall.Setrlimit(syscall.RLIMIT_AS, lim); err != nil {
			fmt.Fprintln(os.Stderr, "kedja-render: cap memory:", err)
			return 1
		}
		debug.SetMemoryLimit(*memory / 2)
	}
	answers := os.NewFile(3, "answers")
	if answers == nil {
		fmt.Fprintln(os.Stderr, "kedja-render: no answer pipe on file descriptor 3")
		return 2
	}
	// rsvg-convert must not inherit the answer pipe: only this process
	// answers, and the pool must see the pipe close when it dies.
	syscall.CloseOnExec(3)
	rsvg, _ := exec.LookPath("rsvg-convert")
	enc := gob.NewEncoder(answers)
	dec := gob.NewDecoder(os.Stdin)
	if err := enc.Encode(hello{PNG: rsvg != "", Version: version}); err != nil {
		return 1
	}
	for {
		var req request
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				return 0
			}
			fmt.Fprintln(os.Stderr, "kedja-render: read request:", err)
			return 1
		}
		if err := enc.Encode(answer{Started: true}); err != nil {
			return 1
		}
		data, err := draw(layout, rsvg, req)
		a := answer{Data: data}
		if err != nil {
			a = answer{Code: string(registry.ErrorCode(err)), Err: err.Error()}
		}
		if err := enc.Encode(a); err != nil {
			return 1
		}
	}
}

func draw(layout Layout, rsvg string, req request) ([]byte, error) {
	if req.Format != "svg" && req.Format != "png" {
		return nil, registry.Invalid("format", "no format %q", req.Format)
	}
	if req.Format == "png" && rsvg == "" {
		return nil, &registry.Error{Code: ECodeUnavailable,
			Message: "PNG pictures need rsvg-convert (Debian package librsvg2-bin) beside kedja; SVG is available"}
	}
	svg, err := layout(req.DOT, req.MaxNodes)
	if err != nil || req.Format == "svg" {
		return svg, err
	}
	return rasterise(rsvg, svg, req.MaxPixels)
}

// svgSize reads the size Graphviz gives its SVG, in points.
var svgSize = regexp.MustCompile(`<svg[^>]*?\swidth="([0-9.]+)pt"[^>]*?\sheight="([0-9.]+)pt"`)

// rasterise turns SVG into PNG with librsvg, which draws what browsers draw
// (go-graphviz's own rasteriser fills edges as bands and drops glyphs). The
// picture is scaled down to at most maxPixels pixels and 16,000 on a side.
func rasterise(rsvg string, svg []byte, maxPixels int) ([]byte, error) {
	zoom := 1.0
	if m := svgSize.FindSubmatch(svg); m != nil {
		w, _ := strconv.ParseFloat(string(m[1]), 64)
		h, _ := strconv.ParseFloat(string(m[2]), 64)
		w, h = w*96/72, h*96/72 // points to CSS pixels
		if maxPixels > 0 && w*h > float64(maxPixels) {
			zoom = math.Sqrt(float64(maxPixels) / (w * h))
		}
		zoom = math.Min(zoom, math.Min(16000/math.Max(w, 1), 16000/math.Max(h, 1)))
		// librsvg rounds each side up: step down until the rounded size fits.
		for maxPixels > 0 && math.Ceil(w*zoom)*math.Ceil(h*zoom) > float64(maxPixels) {
			zoom *= 0.99
		}
	}
	cmd := exec.Command(rsvg, "--format=png", "--zoom="+strconv.FormatFloat(zoom, 'f', 4, 64))
	cmd.Stdin = bytes.NewReader(svg)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("rsvg-convert: %v: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	return out.Bytes(), nil
}

// addressSpace is the size of this process's address space, in bytes.
func addressSpace() (int64, error) {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0, errors.New("empty /proc/self/statm")
	}
	pages, err := strconv.ParseInt(f[0], 10, 64)
	return pages * int64(os.Getpagesize()), err
}
