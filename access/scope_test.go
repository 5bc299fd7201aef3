package access

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
)

// fakeTraces holds traces made by tokens 1 and 2, and one unowned (0).
type fakeTraces struct{ last registry.TracePage }

func (f *fakeTraces) TraceCall(_ context.Context, _ string, _ int64, _ time.Time, _ string, o registry.TraceOptions) (registry.Trace, error) {
	return registry.Trace{ID: "new", MadeBy: o.MadeBy}, nil
}

func (f *fakeTraces) Trace(_ context.Context, id string) (registry.Trace, error) {
	owner := map[string]int64{"t1": 1, "t2": 2, "t0": 0}
	o, ok := owner[id]
	if !ok {
		return registry.Trace{}, registry.NotFound("id", "no trace with that id")
	}
	return registry.Trace{ID: id, MadeBy: o}, nil
}

// TracesMadeBy lists one trace for any token asked about, so a test sees
// whether the call got through.
func (f *fakeTraces) TracesMadeBy(_ context.Context, tokenID int64, _ registry.TracePage) (registry.TracesPage, error) {
	return registry.TracesPage{Traces: []registry.Trace{{ID: "of", MadeBy: tokenID}}}, nil
}

func (f *fakeTraces) TracesByCase(_ context.Context, _ string, p registry.TracePage) (registry.TracesPage, error) {
	f.last = p
	return registry.TracesPage{}, nil
}

func TestTracesScope(t *testing.T) {
	tests := []struct {
		name     string
		p        *Principal
		readable map[string]bool
		listedBy *int64
	}{
		{"Admin", &Principal{Role: registry.RoleAdmin, TokenID: 9}, map[string]bool{"t0": true, "t1": true, "t2": true}, nil},
		{"Auditor", &Principal{Role: registry.RoleAuditor, TokenID: 8}, map[string]bool{"t0": true, "t1": true, "t2": true}, nil},
		{"DSROne", &Principal{Role: registry.RoleDSR, TokenID: 1}, map[string]bool{"t1": true}, ptr(int64(1))},
		{"DSRTwo", &Principal{Role: registry.RoleDSR, TokenID: 2}, map[string]bool{"t2": true}, ptr(int64(2))},
		{"NoPrincipal", nil, map[string]bool{}, ptr(int64(-1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.p != nil {
				ctx = WithPrincipal(ctx, *tt.p)
			}
			f := &fakeTraces{}
			svc := Traces(ctx, f)
			for _, id := range []string{"t0", "t1", "t2", "missing"} {
				_, err := svc.Trace(ctx, id)
				if tt.readable[id] != (err == nil) {
					t.Errorf("trace %s: %v", id, err)
				}
				// Another's trace answers exactly like a missing one.
				if err != nil {
					_, missing := f.Trace(ctx, "missing")
					if err.Error() != missing.Error() || registry.ErrorCode(err) != registry.ENotFound {
						t.Errorf("trace %s: %v; want %v", id, err, missing)
					}
				}
			}
			// A token's own list is open to it; token 2's only to roles
			// reading all.
			for _, of := range []int64{1, 2} {
				got, _ := svc.TracesMadeBy(ctx, of, registry.TracePage{First: 10})
				want := tt.readable[fmt.Sprintf("t%d", of)]
				if (len(got.Traces) == 1) != want {
					t.Errorf("traces made by %d: %v; want listed %v", of, got.Traces, want)
				}
			}
			svc.TracesByCase(ctx, "C-1", registry.TracePage{First: 10})
			if (f.last.MadeBy == nil) != (tt.listedBy == nil) || (f.last.MadeBy != nil && *f.last.MadeBy != *tt.listedBy) {
				t.Errorf("listed by %v; want %v", f.last.MadeBy, tt.listedBy)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestSignedLinks(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := NewLinkSigner(nil, LinkTTL)
	s.Now = func() time.Time { return now }
	link := s.Sign("/traces/aaaa.html", 7)
	path, query, _ := strings.Cut(link, "?")
	q, _ := url.ParseQuery(query)
	with := func(k, v string) url.Values {
		c := url.Values{}
		for key, vs := range q {
			c[key] = vs
		}
		c.Set(k, v)
		return c
	}
	tests := []struct {
		name  string
		path  string
		q     url.Values
		after time.Duration
		ok    bool
	}{
		{"AsSigned", path, q, 0, true},
		{"JustBeforeExpiry", path, q, LinkTTL - time.Second, true},
		{"Expired", path, q, LinkTTL, false},
		{"OtherTrace", "/traces/bbbb.html", q, 0, false},
		{"OtherFormat", "/traces/aaaa.json", q, 0, false},
		{"LaterExpiry", path, with("exp", "9999999999"), 0, false},
		{"OtherToken", path, with("by", "8"), 0, false},
		{"AlteredSignature", path, with("sig", strings.Repeat("A", 43)), 0, false},
		{"NoSignature", path, with("sig", ""), 0, false},
		{"NoQuery", path, url.Values{}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.Now = func() time.Time { return now.Add(tt.after) }
			by, ok := s.Verify(tt.path, tt.q)
			if ok != tt.ok || (ok && by != 7) {
				t.Errorf("Verify: %d, %v; want ok %v", by, ok, tt.ok)
			}
		})
	}
	// A link signed by another process's key does not verify here.
	other := NewLinkSigner(nil, LinkTTL)
	other.Now = s.Now
	_, query2, _ := strings.Cut(other.Sign(path, 7), "?")
	q2, _ := url.ParseQuery(query2)
	if _, ok := s.Verify(path, q2); ok {
		t.Error("a link signed with another key verifies")
	}
}
