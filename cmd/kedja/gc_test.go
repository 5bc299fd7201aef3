package main

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestTuneGCLeavesWhatTheEnvironmentSets(t *testing.T) {
	// The runtime reads GOGC and GOMEMLIMIT at start; a case that "sets"
	// one stands in for that by putting the value in force beforehand.
	const envPercent, envLimit = 150, 300 << 20
	cases := []struct {
		name        string
		env         map[string]string
		wantPercent int
		wantLimit   int64
		percentFrom string
		limitFrom   string
	}{
		{"NeitherSet", nil, serveGCPercent, serveMemoryLimit, "kedja", "kedja"},
		{"GOGCSet", map[string]string{"GOGC": "150"}, envPercent, serveMemoryLimit, "environment", "kedja"},
		{"GOMEMLIMITSet", map[string]string{"GOMEMLIMIT": "300MiB"}, serveGCPercent, envLimit, "kedja", "environment"},
		{"BothSet", map[string]string{"GOGC": "150", "GOMEMLIMIT": "300MiB"}, envPercent, envLimit, "environment", "environment"},
	}
	percent, limit := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
	debug.SetGCPercent(percent)
	t.Cleanup(func() { debug.SetGCPercent(percent); debug.SetMemoryLimit(limit) })
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			debug.SetGCPercent(envPercent)
			debug.SetMemoryLimit(envLimit)
			got := tuneGC(func(k string) string { return c.env[k] })
			if got.Percent != c.wantPercent || got.MemoryLimit != c.wantLimit || got.PercentFrom != c.percentFrom || got.LimitFrom != c.limitFrom {
				t.Errorf("tuneGC = %+v, want percent %d (%s), limit %d (%s)", got, c.wantPercent, c.percentFrom, c.wantLimit, c.limitFrom)
			}
			if p := debug.SetGCPercent(-1); p != c.wantPercent {
				t.Errorf("the collector runs at GOGC=%d, want %d", p, c.wantPercent)
			}
			debug.SetGCPercent(c.wantPercent)
			if l := debug.SetMemoryLimit(-1); l != c.wantLimit {
				t.Errorf("the memory limit is %d, want %d", l, c.wantLimit)
			}
		})
	}
}

// kedja bench prints the collector settings its figures were taken with.
func TestGCSettingsLine(t *testing.T) {
	cases := []struct {
		name string
		s    gcSettings
		want string
	}{
		{"ServesDefaults", gcSettings{Percent: 400, MemoryLimit: 96 << 20, PercentFrom: "kedja", LimitFrom: "kedja"},
			"garbage collector: GOGC 400 (kedja), memory limit 96 MiB (kedja)"},
		{"OffFromTheEnvironment", gcSettings{Percent: -1, MemoryLimit: math.MaxInt64, PercentFrom: "environment", LimitFrom: "environment"},
			"garbage collector: GOGC off (environment), memory limit off (environment)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.s.String(); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}
