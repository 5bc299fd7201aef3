package main

import (
	"fmt"
	"log/slog"
	"math"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
)

// The collector's settings kedja serve starts with, unless GOGC or
// GOMEMLIMIT say otherwise.
//
// Why not Go's defaults: kedja's live heap is small (tens of MB: the
// schema, the caches, the requests in flight) while each GraphQL request
// allocates about half a megabyte it drops at once. At GOGC=100 the
// collector therefore ran every few dozen requests, and under the nested
// procurement query of issue 18 marking and sweeping took about a quarter
// of the server's CPU. At 400 it runs a quarter as often; the memory limit
// keeps the heap this lets grow from growing past it when many requests are
// in flight at once (the collector then runs as often as it must to stay
// under it: a soft limit, which costs CPU near it, never a failed request).
const (
	serveGCPercent = 400
	// Bytes of Go memory (heap, stacks, runtime), not of the picture
	// workers. Under 200 clients of the nested query the process peaked at
	// 114 MB resident with 96 MiB and at 143 MB with 128 MiB (issue 18 asks
	// under 150), at 822 and 853 req/s.
	serveMemoryLimit = 96 << 20
)

// gcSettings is what the collector runs with; "environment" marks a value
// the operator set through GOGC or GOMEMLIMIT, which the runtime has read
// already and kedja leaves as it is.
type gcSettings struct {
	Percent     int
	MemoryLimit int64
	PercentFrom string // "kedja" or "environment"
	LimitFrom   string
}

// tuneGC sets kedja serve's collector settings where the environment sets
// none, and returns what is in force.
func tuneGC(getenv func(string) string) gcSettings {
	s := gcSettings{PercentFrom: "environment", LimitFrom: "environment"}
	if getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
		s.PercentFrom = "kedja"
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serveMemoryLimit)
		s.LimitFrom = "kedja"
	}
	// Read back from the runtime, which also holds what it parsed from the
	// environment (GOGC=off reads as -1).
	in := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(in)
	s.Percent, s.MemoryLimit = int(in[0].Value.Uint64()), int64(in[1].Value.Uint64())
	return s
}

// shown is the settings as serve logs them and bench prints them.
func (s gcSettings) shown() (gogc, limit string) {
	limit = "off" // GOMEMLIMIT=off is the largest limit there is
	if s.MemoryLimit != math.MaxInt64 {
		limit = fmt.Sprintf("%d MiB", s.MemoryLimit>>20)
	}
	gogc = "off"
	if s.Percent >= 0 {
		gogc = strconv.Itoa(s.Percent)
	}
	return gogc, limit
}

func (s gcSettings) log(log *slog.Logger) {
	gogc, limit := s.shown()
	log.Info("garbage collector", "gogc", gogc, "gogc_from", s.PercentFrom, "memory_limit", limit, "memory_limit_from", s.LimitFrom)
}

// String is the settings in a line of kedja bench's output.
func (s gcSettings) String() string {
	gogc, limit := s.shown()
	return fmt.Sprintf("garbage collector: GOGC %s (%s), memory limit %s (%s)", gogc, s.PercentFrom, limit, s.LimitFrom)
}
