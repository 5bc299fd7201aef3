package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kedja/kedja/demo"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
	"github.com/kedja/kedja/schema"
	"github.com/kedja/kedja/server"
	"github.com/kedja/kedja/store/storetest"
)

// partsRecorder is the store's FindingService, noting the parts each read
// of open findings asked for (OpenFindingsOf reads them all).
type partsRecorder struct {
	registry.FindingService
	mu    sync.Mutex
	reads []registry.FindingParts
}

func (r *partsRecorder) note(p registry.FindingParts) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reads = append(r.reads, p)
}

// take returns the parts read since it was last called.
func (r *partsRecorder) take() []registry.FindingParts {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.reads
	r.reads = nil
	return out
}

func (r *partsRecorder) OpenFindingsOf(ctx context.Context, kind string, ids []int64, at *time.Time) (map[int64][]registry.Finding, error) {
	r.note(registry.AllFindingParts)
	return r.FindingService.OpenFindingsOf(ctx, kind, ids, at)
}

func (r *partsRecorder) OpenFindingsWith(ctx context.Context, kind string, parts registry.FindingParts, ids []int64, at *time.Time) (map[int64][]registry.Finding, error) {
	r.note(parts)
	return r.FindingService.OpenFindingsWith(ctx, kind, parts, ids, at)
}

// newPartsHarness is a server on the demo registry, its checks run, whose
// reads of open findings rec notes; party is a party with open findings
// that have controllers, and links to it.
func newPartsHarness(t *testing.T) (h *harness, rec *partsRecorder, party string) {
	t.Helper()
	s := storetest.Store(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, s, stockholm); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RunChecks(ctx, registry.RunOptions{Trigger: "api", Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := s.DB().QueryRowContext(ctx, `SELECT f.subject_id FROM findings f
		WHERE f.subject_kind = 'party' AND f.status = 'open'
		  AND EXISTS (SELECT 1 FROM finding_controllers c WHERE c.finding_id = f.id)
		  AND EXISTS (SELECT 1 FROM links l WHERE l.to_id = f.subject_id)
		ORDER BY f.subject_id LIMIT 1`).Scan(&id); err != nil {
		t.Fatalf("a party with open findings that have controllers: %v", err)
	}
	svc := s.Services()
	rec = &partsRecorder{FindingService: svc.Findings}
	svc.Findings = rec
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	res := resolvers.New(svc, log, stockholm)
	sch, err := schema.New(res)
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.DefaultConfig
	cfg.RatePerSecond, cfg.RateBurst = 1000, 1000
	api := server.New(cfg, sch, res, log)
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(func() {
		srv.Close()
		api.Close(context.Background())
	})
	_, secret, err := s.CreateToken(ctx, "test", "test admin", "admin", nil)
	if err != nil {
		t.Fatal(err)
	}
	h = &harness{t: t, url: srv.URL, store: s, logs: &syncBuffer{}, token: secret, tokens: map[string]string{"admin": secret}}
	return h, rec, strconv.FormatInt(id, 10)
}

// alone is what finding(id) answers with selection: every finding read
// whole, one at a time.
func alone(h *harness, id any, selection string) map[string]any {
	h.t.Helper()
	var got struct{ Finding map[string]any }
	h.data(`query($id: ID!) { finding(id: $id) { id `+selection+` } }`, map[string]any{"id": id}, &got)
	return got.Finding
}

// sameAsAlone checks each finding of list against finding(id) with the
// same selection.
func sameAsAlone(t *testing.T, h *harness, list []map[string]any, selection string) {
	t.Helper()
	if len(list) == 0 {
		t.Fatal("no open findings to compare")
	}
	for _, f := range list {
		if want := alone(h, f["id"], selection); !reflect.DeepEqual(f, want) {
			a, _ := json.Marshal(f)
			b, _ := json.Marshal(want)
			t.Errorf("finding %v: in openFindings %s, alone %s", f["id"], a, b)
		}
	}
}

const controllersSelection = `controllers { controller { id } path { id } since firstSeen lastSeen }`

// openFindings reads controllers and lastSeen only when the request
// selects them (or the deprecated controller and path, the first of
// controllers), and answers what finding(id) answers for the same fields.
func TestOpenFindingsReadOnlyTheSelectedParts(t *testing.T) {
	h, rec, party := newPartsHarness(t)
	tests := []struct {
		name, selection, fragment string
		want                      registry.FindingParts
	}{
		{"neither", `check severity status message firstSeen since`, ``, 0},
		{"lastSeen", `check lastSeen`, ``, registry.FindingLastSeen},
		{"controllers", `check ` + controllersSelection, ``, registry.FindingControllers},
		{"deprecated controller", `controller { id }`, ``, registry.FindingControllers},
		{"deprecated path", `path { id }`, ``, registry.FindingControllers},
		{"both", `lastSeen ` + controllersSelection, ``, registry.AllFindingParts},
		{"controllers through a fragment", `...F`, `fragment F on Finding { ` + controllersSelection + ` }`, registry.FindingControllers},
		{"lastSeen through an inline fragment", `... on Finding { lastSeen }`, ``, registry.FindingLastSeen},
		{"lastSeen of the controllers only", `controllers { lastSeen }`, ``, registry.FindingControllers},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := h.with(t)
			rec.take()
			var got struct {
				Organisation struct{ OpenFindings []map[string]any }
			}
			h.data(`query($id: ID!) { organisation(id: $id) { openFindings { id `+tt.selection+` } } } `+tt.fragment,
				map[string]any{"id": party}, &got)
			if reads := rec.take(); !slices.Equal(reads, []registry.FindingParts{tt.want}) {
				t.Errorf("reads of open findings with parts %v; want one with %v", reads, tt.want)
			}
			sel := tt.selection
			if tt.fragment != "" {
				sel = controllersSelection
			}
			sameAsAlone(t, h, got.Organisation.OpenFindings, sel)
		})
	}
}

// Two fields of one request that show different parts of the same
// findings each get what they show: in one batch, one read of the richer
// form serves both; a later level that shows more than an earlier one
// showed of the same subject reads again, rather than take the poorer
// findings the loader already holds.
func TestOpenFindingsSelectedTwoWaysInOneRequest(t *testing.T) {
	h, rec, party := newPartsHarness(t)
	const full = `lastSeen ` + controllersSelection
	t.Run("one level", func(t *testing.T) {
		h := h.with(t)
		rec.take()
		var got struct {
			Organisation struct{ Bare, Full []map[string]any }
		}
		h.data(`query($id: ID!) { organisation(id: $id) { bare: openFindings { id check } full: openFindings { id `+full+` } } }`,
			map[string]any{"id": party}, &got)
		if reads := rec.take(); !slices.Equal(reads, []registry.FindingParts{registry.AllFindingParts}) {
			t.Errorf("reads of open findings with parts %v; want one with all", reads)
		}
		sameAsAlone(t, h, got.Organisation.Bare, `check`)
		sameAsAlone(t, h, got.Organisation.Full, full)
	})
	t.Run("two levels", func(t *testing.T) {
		h := h.with(t)
		rec.take()
		var got struct {
			Organisation struct {
				OpenFindings []map[string]any
				LinksIn      []struct {
					From struct {
						LinksOut []struct {
							To struct {
								ID           string
								OpenFindings []map[string]any
							}
						}
					}
				}
			}
		}
		h.data(`query($id: ID!) { organisation(id: $id) { openFindings { id check }
			linksIn { from { linksOut { to { id openFindings { id `+full+` } } } } } } }`,
			map[string]any{"id": party}, &got)
		if reads := rec.take(); !slices.Equal(reads, []registry.FindingParts{0, registry.AllFindingParts}) {
			t.Errorf("reads of open findings with parts %v; want one bare, then one with all", reads)
		}
		sameAsAlone(t, h, got.Organisation.OpenFindings, `check`)
		again := 0
		for _, in := range got.Organisation.LinksIn {
			for _, out := range in.From.LinksOut {
				if out.To.ID == party {
					again++
					sameAsAlone(t, h, out.To.OpenFindings, full)
				}
			}
		}
		if again == 0 {
			t.Fatal("the party is not among its senders' receivers: nothing to compare")
		}
	})
}
