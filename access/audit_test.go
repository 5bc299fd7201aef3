package access

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
)

// memoryLog is an audit log in memory: what was queued and what committed.
type memoryLog struct {
	mu             sync.Mutex
	queued, direct []registry.AuditEntry
}

func (m *memoryLog) Audit(_ context.Context, e registry.AuditEntry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.direct = append(m.direct, e)
	return nil
}

func (m *memoryLog) AuditLater(_ context.Context, e registry.AuditEntry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.queued = append(m.queued, e)
	return nil
}

// A flood of anonymous refusals costs a row per address, reason and minute,
// and a summary row with the count of the rest once the minute has ended;
// refusals of a principal with a role are each recorded.
func TestRefusalsAreSampled(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 12, 2, 6, 0, 10, 0, time.UTC)
	anon := func(client string) Principal { return Principal{Name: "anonymous", Client: client} }
	type refusal struct {
		p    Principal
		code string
		at   time.Duration // after start
	}
	many := func(p Principal, code string, n int, at time.Duration) []refusal {
		out := make([]refusal, n)
		for i := range out {
			out[i] = refusal{p, code, at}
		}
		return out
	}
	tests := []struct {
		name      string
		refusals  []refusal
		flushAt   time.Duration
		all       bool
		wantRows  int      // refusals recorded one by one
		wantSums  []string // summaries: client outcome count
		wantAfter []string // summaries only after a final flush of everything
	}{
		{"OneAddressFlood", many(anon("192.0.2.1"), "UNAUTHENTICATED", 1000, 0), time.Minute, false,
			1, []string{"192.0.2.1 UNAUTHENTICATED count:999"}, nil},
		{"EachAddressAndReasonOnce", append(many(anon("192.0.2.1"), "UNAUTHENTICATED", 3, 0),
			append(many(anon("192.0.2.2"), "UNAUTHENTICATED", 1, 0), many(anon("192.0.2.1"), "RATE_LIMITED", 2, 0)...)...),
			time.Minute, false, 3, []string{"192.0.2.1 RATE_LIMITED count:1", "192.0.2.1 UNAUTHENTICATED count:2"}, nil},
		{"EachMinuteAgain", append(many(anon("192.0.2.1"), "UNAUTHENTICATED", 2, 0), many(anon("192.0.2.1"), "UNAUTHENTICATED", 2, time.Minute)...),
			2 * time.Minute, false, 2, []string{"192.0.2.1 UNAUTHENTICATED count:1", "192.0.2.1 UNAUTHENTICATED count:1"}, nil},
		{"CurrentMinuteWaitsForItsEnd", many(anon("192.0.2.1"), "UNAUTHENTICATED", 5, 0), 30 * time.Second, false,
			1, nil, []string{"192.0.2.1 UNAUTHENTICATED count:4"}},
		{"ShutdownFlushesTheCurrentMinute", many(anon("192.0.2.1"), "UNAUTHENTICATED", 5, 0), 30 * time.Second, true,
			1, []string{"192.0.2.1 UNAUTHENTICATED count:4"}, nil},
		{"PrincipalsAreEachRecorded", many(Principal{Name: "ci", Role: "editor", Client: "192.0.2.1"}, "FORBIDDEN", 4, 0), time.Minute, false,
			4, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := &memoryLog{}
			now := start
			a := &Auditor{Log: log, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }}
			var recorded int
			for _, r := range tt.refusals {
				now = start.Add(r.at)
				if a.Refused(ctx, r.p, "POST /graphql", r.code) {
					recorded++
				}
			}
			if recorded != tt.wantRows {
				t.Errorf("Refused said %d refusals were recorded one by one; want %d", recorded, tt.wantRows)
			}
			a.FlushRefusals(ctx, start.Add(tt.flushAt), tt.all)
			var rows int
			var sums []string
			for _, e := range log.queued {
				if e.Operation == "refusals" {
					sums = append(sums, e.Client+" "+e.Outcome+" "+e.Affected[0])
				} else {
					rows++
				}
			}
			slices.Sort(sums)
			if rows != tt.wantRows || !slices.Equal(sums, tt.wantSums) {
				t.Errorf("recorded %d refusals and summaries %q; want %d and %q", rows, sums, tt.wantRows, tt.wantSums)
			}
			log.queued = nil
			a.FlushRefusals(ctx, start.Add(time.Hour), true)
			sums = nil
			for _, e := range log.queued {
				sums = append(sums, e.Client+" "+e.Outcome+" "+e.Affected[0])
			}
			if !slices.Equal(sums, tt.wantAfter) {
				t.Errorf("the final flush recorded %q; want %q", sums, tt.wantAfter)
			}
			if len(log.direct) != 0 {
				t.Errorf("refusals were committed one by one: %d", len(log.direct))
			}
		})
	}
}

// A flood from more addresses than are counted one by one is counted
// under "*", never dropped.
func TestRefusalsFromTooManyAddressesAreCountedTogether(t *testing.T) {
	ctx := context.Background()
	log := &memoryLog{}
	now := time.Date(2026, 12, 2, 6, 0, 0, 0, time.UTC)
	a := &Auditor{Log: log, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now }}
	const extra = 50
	for i := 0; i < maxRefusalKeys+extra; i++ {
		a.Refused(ctx, Principal{Name: "anonymous", Client: "10." + strconv.Itoa(i>>16) + "." + strconv.Itoa(i>>8&255) + "." + strconv.Itoa(i&255)}, "GET /", "UNAUTHENTICATED")
	}
	a.FlushRefusals(ctx, now.Add(time.Minute), false)
	var rows, summed int
	for _, e := range log.queued {
		if e.Operation == "refusals" {
			if e.Client != "*" || e.Affected[0] != "count:"+strconv.Itoa(extra-1) {
				t.Errorf("summary %+v; want the %d beyond the first under *", e, extra-1)
			}
			summed++
		} else {
			rows++
		}
	}
	if rows != maxRefusalKeys+1 || summed != 1 {
		t.Errorf("%d rows and %d summaries; want %d and 1", rows, summed, maxRefusalKeys+1)
	}
}

// Answers holding health data are those about a trace or a case.
func TestHealthData(t *testing.T) {
	tests := []struct {
		name  string
		notes *AuditNotes
		want  bool
	}{
		{"None", nil, false},
		{"Organisation", &AuditNotes{Affected: []string{"organisation:1"}}, false},
		{"Trace", &AuditNotes{Affected: []string{"organisation:1", "trace:abc"}}, true},
		{"Case", &AuditNotes{CaseRef: "DSR-1"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.notes.HealthData(); got != tt.want {
				t.Errorf("HealthData() = %v, want %v", got, tt.want)
			}
		})
	}
}

type fixedHead struct {
	mu sync.Mutex
	cp registry.AuditCheckpoint
}

func (f *fixedHead) AuditCheckpoint(context.Context) (registry.AuditCheckpoint, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cp, nil
}

// Checkpoints written to the file read back as they were, in order; a
// damaged line is an error that names it.
func TestCheckpointFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.checkpoints")
	head := &fixedHead{}
	c := &Checkpointer{Head: head, Path: path, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	var want []registry.AuditCheckpoint
	for i := int64(1); i <= 3; i++ {
		head.cp = registry.AuditCheckpoint{ID: i * 10, Hash: []byte{byte(i), 2, 3}, At: time.Date(2026, 12, 2, 6, int(i), 0, 0, time.UTC), MAC: []byte{9, byte(i)}}
		got, err := c.Write(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, got)
	}
	var read []registry.AuditCheckpoint
	for cp, err := range ReadCheckpoints(path) {
		if err != nil {
			t.Fatal(err)
		}
		read = append(read, cp)
	}
	if len(read) != len(want) {
		t.Fatalf("read %d checkpoints, want %d", len(read), len(want))
	}
	for i := range want {
		if read[i].ID != want[i].ID || !read[i].At.Equal(want[i].At) || string(read[i].Hash) != string(want[i].Hash) || string(read[i].MAC) != string(want[i].MAC) {
			t.Errorf("checkpoint %d read as %+v, want %+v", i, read[i], want[i])
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("checkpoint file mode %v (%v); want 0600", fi.Mode().Perm(), err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("{\"id\": 40, \"hash\": \"zz\"}\n")
	f.Close()
	var lastErr error
	for _, err := range ReadCheckpoints(path) {
		lastErr = err
	}
	if lastErr == nil || !strings.Contains(lastErr.Error(), "line 4") {
		t.Errorf("a damaged line: %v; want an error naming line 4", lastErr)
	}
}
