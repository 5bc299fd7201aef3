package graph

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/goccy/go-graphviz"
)

// Formats a picture can be had in.
var Formats = map[string]string{"svg": "image/svg+xml", "png": "image/png", "dot": "text/vnd.graphviz; charset=utf-8"}

// go-graphviz runs Graphviz compiled to WebAssembly, one module per process,
// and is not safe for concurrent use, not even through separate instances:
// every call into it holds this lock. DOT text is built outside it.
var (
	gvMu sync.Mutex
	gv   *graphviz.Graphviz
)

// maxDOT bounds what is handed to Graphviz: it ignores cancellation, so the
// only protection from a render that never ends is not to start one.
const maxDOT = 4 << 20

// Render lays out DOT text and renders it as svg or png; dot is returned as
// it is.
func Render(ctx context.Context, dot, format string) ([]byte, error) {
	if format == "dot" {
		return []byte(dot), nil
	}
	f := map[string]graphviz.Format{"svg": graphviz.SVG, "png": graphviz.PNG}[format]
	if f == "" {
		return nil, fmt.Errorf("graph: no format %q", format)
	}
	if len(dot) > maxDOT {
		return nil, fmt.Errorf("graph: %d bytes of DOT is more than a picture may have", len(dot))
	}
	gvMu.Lock()
	defer gvMu.Unlock()
	if gv == nil {
		g, err := graphviz.New(context.Background())
		if err != nil {
			return nil, fmt.Errorf("graph: start graphviz: %w", err)
		}
		gv = g
	}
	g, err := graphviz.ParseBytes([]byte(dot))
	if err != nil {
		return nil, fmt.Errorf("graph: parse: %w", err)
	}
	defer g.Close()
	// RenderFilename writes empty files in this version; render into a
	// buffer. The context is not passed on: a cancelled render can break
	// the next ones.
	var buf bytes.Buffer
	if err := gv.Render(context.Background(), g, f, &buf); err != nil {
		return nil, fmt.Errorf("graph: render %s: %w", format, err)
	}
	return buf.Bytes(), nil
}

// Cache keeps rendered pictures by the hash of their DOT text and format:
// the same data draws the same bytes, so a picture is rendered once.
type Cache struct {
	mu    sync.Mutex
	items map[string][]byte
	order []string
	size  int
	Max   int // bytes kept
}

// Key is the content address of a rendering.
func Key(dot, format string) string {
	h := sha256.Sum256([]byte(format + "\n" + dot))
	return hex.EncodeToString(h[:16])
}

// Render returns the cached rendering of dot in format, rendering it on a
// miss.
func (c *Cache) Render(ctx context.Context, dot, format string) ([]byte, string, error) {
	key := Key(dot, format)
	c.mu.Lock()
	if b, ok := c.items[key]; ok {
		c.mu.Unlock()
		return b, key, nil
	}
	c.mu.Unlock()
	b, err := Render(ctx, dot, format)
	if err != nil {
		return nil, key, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.items == nil {
		c.items = map[string][]byte{}
	}
	if _, ok := c.items[key]; !ok {
		c.items[key] = b
		c.order = append(c.order, key)
		c.size += len(b)
		max := c.Max
		if max <= 0 {
			max = 64 << 20
		}
		for c.size > max && len(c.order) > 1 {
			old := c.order[0]
			c.order = c.order[1:]
			c.size -= len(c.items[old])
			delete(c.items, old)
		}
	}
	return b, key, nil
}
