// Package render turns DOT into SVG and PNG in worker processes of their own
// (the kedja-render binary), so that Graphviz, which runs as WebAssembly, can
// fault, cannot be cancelled and is not safe for concurrent use, never runs
// inside the process that serves health-data questions. A pool of workers
// renders in parallel, each render under a deadline and each worker under a
// memory cap; a worker that crashes, hangs or outgrows its cap is killed and
// costs one picture.
package render

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/kedja/kedja/registry"
)

// Formats a picture can be had in, with their media types.
var Formats = map[string]string{"svg": "image/svg+xml", "png": "image/png", "dot": "text/vnd.graphviz; charset=utf-8"}

// The codes of render failures, in extensions.code and the audit log. A
// failed or timed-out render is worth retrying (HTTP 503 with Retry-After);
// a picture over the limits is not.
const (
	ECodeFailed      registry.Code = "RENDER_FAILED"
	ECodeTimeout     registry.Code = "RENDER_TIMEOUT"
	ECodeTooLarge    registry.Code = "RENDER_TOO_LARGE"
	ECodeUnavailable registry.Code = "RENDER_UNAVAILABLE"
)

// Retryable reports whether a render error is one a caller may retry.
func Retryable(err error) bool {
	c := registry.ErrorCode(err)
	return c == ECodeFailed || c == ECodeTimeout || c == ECodeUnavailable
}

// Key is the content address of a rendering: the same DOT in the same format
// draws the same bytes, so it names the picture for caches and ETags.
func Key(dot, format string) string {
	h := sha256.Sum256([]byte(format + "\n" + dot))
	return hex.EncodeToString(h[:16])
}

// The worker protocol: gob values, requests on the worker's standard input,
// answers on its file descriptor 3 (standard output and error stay free for
// whatever Graphviz or rsvg-convert print, which the pool logs).

// hello is the worker's first message, once Graphviz is ready.
type hello struct {
	PNG     bool   // rsvg-convert was found: PNG can be drawn
	Version string // the worker's module and engine versions, for the log
}

// request asks for one picture.
type request struct {
	Format    string // svg or png
	DOT       []byte
	MaxNodes  int
	MaxPixels int // PNG: the most pixels the picture may have
}

// answer is either Started (the worker has begun laying out the request) or
// the result: Data, or an error the worker survived (a DOT that does not
// parse, a picture over the limits).
type answer struct {
	Started bool
	Data    []byte
	Code    string // a registry code, "" on success
	Err     string
}
