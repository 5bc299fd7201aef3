package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// traceFixture is a region handing its calls to one provider, which records
// them in one system.
type traceFixture struct {
	root, provider, link, system int64
}

func newTraceFixture(t *testing.T, s *store.Store) traceFixture {
	t.Helper()
	ctx := context.Background()
	since := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
	root, err := s.CreateOrganisation(ctx, "test", &registry.Organisation{LegalName: "Root AB", Country: "SE", Kind: "company"})
	if err != nil {
		t.Fatal(err)
	}
	provider, err := s.CreateOrganisation(ctx, "test", &registry.Organisation{LegalName: "Provider AB", Country: "SE", Kind: "company"})
	if err != nil {
		t.Fatal(err)
	}
	ref := "DPA-1"
	link, err := s.CreateLink(ctx, "test", &registry.Link{FromID: root.ID, ToID: provider.ID, Role: "processor", Purpose: "calls",
		Period: registry.Period{From: since}, AgreementRef: &ref})
	if err != nil {
		t.Fatal(err)
	}
	sys, err := s.CreateSystem(ctx, "test", &registry.System{Name: "Recorder", Kind: "recording", OperatorID: provider.ID})
	if err != nil {
		t.Fatal(err)
	}
	retention := int32(30)
	if _, err := s.SetSystemProfile(ctx, "test", &registry.SystemProfile{SystemID: sys.ID, Period: registry.Period{From: since},
		Authentication: "mfa", TransportEncryption: true, EncryptionAtRest: true, RetentionDays: &retention}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddSystemLocation(ctx, "test", &registry.SystemLocation{SystemID: sys.ID, Country: "SE", Purpose: "storage",
		Period: registry.Period{From: since}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateSystemUse(ctx, "test", &registry.SystemUse{LinkID: link.ID, SystemID: sys.ID, PartyID: provider.ID,
		Period: registry.Period{From: since}}); err != nil {
		t.Fatal(err)
	}
	return traceFixture{root: root.ID, provider: provider.ID, link: link.ID, system: sys.ID}
}

// traceState is what a trace says of the fixture, one fact from each read.
func traceState(tr registry.Trace) [4]string {
	var st [4]string
	st[0] = tr.Region.LegalName // parties
	if len(tr.Holders) == 1 {
		st[1] = tr.Holders[0].Party.LegalName // parties
		if tr.Holders[0].AgreementRef != nil {
			st[2] = *tr.Holders[0].AgreementRef // walk
		}
	}
	if len(tr.Systems) == 1 {
		st[3] = tr.Systems[0].Name // uses
	}
	return st
}

// A change committed while a trace is being read, between its walk and the
// reads after it, must not reach the trace: it answers from the state before
// the change, all of it, and a trace made afterwards from the state after.
func TestTraceReadsOneSnapshot(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	f := newTraceFixture(t, s)
	callAt := time.Date(2020, 3, 1, 12, 0, 0, 0, time.UTC)

	// One transaction changes something each read sees: the link (walk), the
	// parties (parties) and the system (uses).
	change := func() {
		tx, err := s.DB().Begin()
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		for _, q := range [][]any{
			{`SELECT set_config('kedja.actor', 'test', true)`},
			{`UPDATE links SET agreement_ref = 'DPA-2' WHERE id = $1`, f.link},
			{`UPDATE organisations SET legal_name = legal_name || ' (renamed)' WHERE id = ANY(ARRAY[$1, $2]::bigint[])`, f.root, f.provider},
			{`UPDATE systems SET name = 'Recorder (renamed)' WHERE id = $1`, f.system},
		} {
			if _, err := tx.Exec(q[0].(string), q[1:]...); err != nil {
				t.Fatalf("%s: %v", q[0], err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	var reads []string
	store.SetTraceRead(s, func(name string) {
		reads = append(reads, name)
		if name == "walk" {
			change()
		}
	})
	during, err := s.TraceCall(ctx, "test", f.root, callAt, "DSR-snapshot", store.TraceOptions{})
	store.SetTraceRead(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"walk", "uses", "moves", "parties", "countries"}; !slices.Equal(reads, want) {
		t.Fatalf("the trace's reads were %v, want %v", reads, want)
	}
	before := [4]string{"Root AB", "Provider AB", "DPA-1", "Recorder"}
	if got := traceState(during); got != before {
		t.Errorf("a trace read while the registry changed says %q; want the state before the change, %q", got, before)
	}
	stored, err := s.Trace(ctx, during.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := traceState(stored); got != before {
		t.Errorf("stored as %q, want %q", got, before)
	}

	n := s.Statements()
	after, err := s.TraceCall(ctx, "test", f.root, callAt, "DSR-snapshot", store.TraceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cost := s.Statements() - n; cost != 8 {
		t.Errorf("a trace cost %d statements, want 8 (5 reads, 3 to store it)", cost)
	}
	want := [4]string{"Root AB (renamed)", "Provider AB (renamed)", "DPA-2", "Recorder (renamed)"}
	if got := traceState(after); got != want {
		t.Errorf("a trace after the change says %q, want %q", got, want)
	}
}
