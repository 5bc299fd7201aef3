// Command kedja-render is kedja's render worker. kedja serve and kedja render
// start it, send it DOT on standard input and read SVG or PNG back. It is the
// only program of kedja's that links Graphviz (go-graphviz, WebAssembly run by
// wazero), so a fault there costs one picture, never the server.
package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/goccy/go-graphviz"

	"github.com/kedja/kedja/graph/render"
	"github.com/kedja/kedja/registry"
)

func main() {
	// go-graphviz compiled and instantiated Graphviz in its package init,
	// using a compilation cache under $TMPDIR that the pool keys by the
	// versions of this binary's modules.
	gv, err := graphviz.New(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "kedja-render: start graphviz:", err)
		os.Exit(1)
	}
	os.Exit(render.ServeWorker(func(dot []byte, maxNodes int) ([]byte, error) {
		return layout(gv, dot, maxNodes)
	}, versions()))
}

func layout(gv *graphviz.Graphviz, dot []byte, maxNodes int) ([]byte, error) {
	g, err := graphviz.ParseBytes(dot)
	if err != nil {
		return nil, registry.Invalid("dot", "the picture's DOT does not parse: %v", err)
	}
	defer g.Close()
	if maxNodes > 0 {
		n := 0
		for node, err := g.FirstNode(); node != nil && err == nil; node, err = g.NextNode(node) {
			if n++; n > maxNodes {
				return nil, &registry.Error{Code: render.ECodeTooLarge,
					Message: fmt.Sprintf("the picture has more than %d nodes, more than a picture may draw", maxNodes)}
			}
		}
	}
	// The context is not passed on: go-graphviz ignores it, and a cancelled
	// render can break the next ones. The pool's deadline kills this process
	// instead.
	var buf bytes.Buffer
	if err := gv.Render(context.Background(), g, graphviz.SVG, &buf); err != nil {
		return nil, fmt.Errorf("render svg: %w", err)
	}
	return buf.Bytes(), nil
}

// versions names the Graphviz binding and engine this worker runs, for the
// pool's log.
func versions() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.GoVersion
	for _, d := range info.Deps {
		if d.Path == "github.com/goccy/go-graphviz" || d.Path == "github.com/tetratelabs/wazero" {
			v += " " + d.Path + "@" + d.Version
		}
	}
	return v
}
