package store_test

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
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
		InternetExposed: registry.Fact(false), Authentication: ptr("mfa"), TransportEncryption: registry.Fact(true), EncryptionAtRest: registry.Fact(true), RetentionDays: &retention}); err != nil {
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
			// and what is known against the system (exposure).
			{`INSERT INTO access_paths (system_id, audience, origin, authentication, valid)
			  VALUES ($1, 'public', 'internet', 'none', tstzrange('2010-01-01', NULL))`, f.system},
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
	during, err := s.TraceCall(ctx, "test", f.root, callAt, "DSR-snapshot", registry.TraceOptions{})
	store.SetTraceRead(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"walk", "uses", "moves", "parties", "countries", "incidents", "exposure"}; !slices.Equal(reads, want) {
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
	if len(during.KnownExposure) != 0 {
		t.Errorf("a trace read while the registry changed names the exposure added: %+v", during.KnownExposure)
	}

	n := s.Statements()
	after, err := s.TraceCall(ctx, "test", f.root, callAt, "DSR-snapshot", registry.TraceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cost := s.Statements() - n; cost != 10 {
		t.Errorf("a trace cost %d statements, want 10 (its zone, 7 reads, 2 to store it: its author with the instant, the row)", cost)
	}
	want := [4]string{"Root AB (renamed)", "Provider AB (renamed)", "DPA-2", "Recorder (renamed)"}
	if got := traceState(after); got != want {
		t.Errorf("a trace after the change says %q, want %q", got, want)
	}
	if k := after.KnownExposure; len(k) != 1 || k[0].Fact != registry.ExposureInternetNoAuth || k[0].Severity != "critical" {
		t.Errorf("a trace after the change has known exposure %+v, want the system open to the internet, critical", k)
	}
}

// sameJSON reports whether got, encoded, is the JSON document want.
func sameJSON(t *testing.T, what string, got any, want []byte) {
	t.Helper()
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s reads back as\n%s\nwant\n%s", what, b, want)
	}
}

// insertTraceDocument stores a trace document the way SaveTrace's SQL
// does, bypassing it, as an older (or newer) kedja would have.
func insertTraceDocument(t *testing.T, s *store.Store, id string, region int64, caseRef string, doc []byte) {
	t.Helper()
	if _, err := s.DB().Exec(`INSERT INTO call_traces (id, region_id, call_at, case_ref, created_at, created_by, result)
		VALUES ($1, $2, '2014-05-06T03:00:00+02:00', $3, '2026-11-25T17:11:40.58545+01:00', 'test admin', $4)`,
		id, region, caseRef, doc); err != nil {
		t.Fatal(err)
	}
}

// A trace stored before documents carried a version (testdata/trace_v1.json
// is what TraceCall stored then: registry.Trace's JSON, with no version) is
// version 1, and reads back exactly as it was stored.
func TestPreVersionTraceReadsBackAsStored(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	raw, err := os.ReadFile("testdata/trace_v1.json")
	if err != nil {
		t.Fatal(err)
	}
	var head map[string]any
	if err := json.Unmarshal(raw, &head); err != nil {
		t.Fatal(err)
	}
	if _, ok := head["version"]; ok {
		t.Fatal("testdata/trace_v1.json must be a document from before versions: it has a version field")
	}
	// The ids inside are the registry's of the time; only the row's region
	// has to exist.
	f := newTraceFixture(t, s)
	const id = "91f30097da7904fbc12dc5a5ce5a890a"
	insertTraceDocument(t, s, id, f.root, "DSR-2014-V1", raw)

	got, err := s.Trace(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "trace(id)", got, raw)
	// A few facts by name, so that a failure says what was lost.
	if len(got.Holders) != 3 || got.Holders[2].Certainty != registry.Possible || got.Holders[2].SCCModule == nil ||
		*got.Holders[2].SCCModule != 3 || got.Holders[0].HeldUntil == nil || got.Holders[1].HeldUntil != nil {
		t.Errorf("holders: %+v", got.Holders)
	}
	if len(got.Systems) != 3 || got.Systems[0].Storage != nil || got.Systems[2].MoveID != 1 || got.Systems[1].Until != "moved" {
		t.Errorf("systems: %+v", got.Systems)
	}
	if want := time.Date(2026, 11, 25, 16, 11, 40, 585450000, time.UTC); !got.CreatedAt.Equal(want) || got.CreatedBy != "test admin" {
		t.Errorf("created %v by %q, want %v by test admin", got.CreatedAt, got.CreatedBy, want)
	}

	list, err := s.TracesByCase(ctx, "DSR-2014-V1", registry.TracePage{First: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Traces) != 1 || list.More {
		t.Fatalf("traces for the case: %d (more: %v), want 1", len(list.Traces), list.More)
	}
	sameJSON(t, "traces(caseRef)", list.Traces[0], raw)
}

// A new trace is stored with its version; it reads back as it was answered.
// A document of a version this kedja does not know is an internal error, not
// a guess.
func TestTraceIsStoredAsVersionedDocument(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	f := newTraceFixture(t, s)
	// Two decisions on the link's role; the trace keeps the latest made by
	// now, and none that is still to come.
	for _, rf := range []registry.RoleFinding{
		{LinkID: f.link, Role: "independent_controller", Authority: "IMY", DecidedOn: time.Date(2021, 6, 7, 0, 0, 0, 0, time.UTC)},
		{LinkID: f.link, Role: "recipient", Authority: "Kammarrätten", DecidedOn: time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)},
		{LinkID: f.link, Role: "processor", Authority: "A court of the future", DecidedOn: time.Now().AddDate(1, 0, 0)},
	} {
		if _, err := s.RecordRoleFinding(ctx, "test", &rf); err != nil {
			t.Fatal(err)
		}
	}
	tr, err := s.TraceCall(ctx, "test", f.root, time.Date(2020, 3, 1, 12, 0, 0, 0, time.UTC), "DSR-v4", registry.TraceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var version int
	var doc []byte
	if err := s.DB().QueryRow(`SELECT CAST(result->>'version' AS int), CAST(result AS jsonb) - 'version' FROM call_traces WHERE id = $1`, tr.ID).
		Scan(&version, &doc); err != nil {
		t.Fatal(err)
	}
	// The document is kept as kedja wrote it (json, migrations/0042):
	// its version first, as Go marshals traceDocument, and no white space;
	// jsonb would have put the shortest key first and printed ": ".
	var text string
	if err := s.DB().QueryRow(`SELECT CAST(result AS text) FROM call_traces WHERE id = $1`, tr.ID).Scan(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text, `{"version":6,`) || strings.Contains(text, `": `) {
		t.Errorf("stored document is not the text kedja wrote: %.60s…", text)
	}
	// Version 3: holders record their transfer verdict; version 4, the role
	// an authority found and the incidents that exposed it (none here);
	// version 5, the systems' known exposure; version 6, the region's law
	// and the access provision it cites (a Swedish region in 2020: the GDPR).
	if version != 6 || tr.Version != 6 {
		t.Errorf("stored as version %d (trace says %d), want 6", version, tr.Version)
	}
	if tr.Law != registry.LawEU || tr.AccessCitation != "GDPR Art. 15(1)(c), (d)" {
		t.Errorf("law %q citing %q, want eu citing GDPR Art. 15(1)(c), (d)", tr.Law, tr.AccessCitation)
	}
	for _, h := range tr.Holders {
		if h.Transfer == "" {
			t.Errorf("holder %s has no transfer verdict", h.Party.LegalName)
		}
		if h.FoundRole != "recipient" || h.FoundBy != "Kammarrätten" || h.FoundOn == nil || h.FoundOn.Format("2006-01-02") != "2024-05-02" {
			t.Errorf("holder %s: found role %q by %q on %v, want recipient by Kammarrätten on 2024-05-02", h.Party.LegalName, h.FoundRole, h.FoundBy, h.FoundOn)
		}
	}
	sameJSON(t, "the stored document, without its version,", tr, doc)
	back, err := s.Trace(ctx, tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(tr)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, "trace(id)", back, b)

	raw, err := os.ReadFile("testdata/trace_v1.json")
	if err != nil {
		t.Fatal(err)
	}
	// A document that would decode as version 1 but for its number.
	var doc99 map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc99); err != nil {
		t.Fatal(err)
	}
	doc99["version"] = json.RawMessage(`99`)
	future, err := json.Marshal(doc99)
	if err != nil {
		t.Fatal(err)
	}
	insertTraceDocument(t, s, "ffffffffffffffffffffffffffffffff", f.root, "DSR-future", future)
	insertTraceDocument(t, s, "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", f.root, "DSR-future", raw)
	// A version 3 document, from before exposures were recorded, reads
	// back as stored, without any.
	doc99["version"] = json.RawMessage(`3`)
	v3, err := json.Marshal(doc99)
	if err != nil {
		t.Fatal(err)
	}
	insertTraceDocument(t, s, "dddddddddddddddddddddddddddddddd", f.root, "DSR-v3-doc", v3)
	if got, err := s.Trace(ctx, "dddddddddddddddddddddddddddddddd"); err != nil || got.Exposures != nil {
		t.Errorf("a version 3 document: %v, exposures %v", err, got.Exposures)
	} else {
		sameJSON(t, "a version 3 document", got, raw)
	}
	if _, err := s.Trace(ctx, "ffffffffffffffffffffffffffffffff"); err == nil || registry.ErrorCode(err) != registry.EInternal {
		t.Errorf("a version 99 document: got %v, want an internal error", err)
	}
	if _, err := s.TracesByCase(ctx, "DSR-future", registry.TracePage{First: 50}); err == nil || registry.ErrorCode(err) != registry.EInternal {
		t.Errorf("a case with a version 99 document: got %v, want an internal error", err)
	}
}

// A stored trace's created_at is the instant of the transaction that stored
// it, read with the statement that names its author (writeAt), or inside a
// caller's transaction (InTx) that transaction's: the column, the document
// and the answer all give it.
func TestTraceIsStampedWithItsWrite(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	f := newTraceFixture(t, s)
	call := time.Date(2020, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		trace func(t *testing.T) (tr registry.Trace, txNow time.Time)
	}{
		{"OwnTransaction", func(t *testing.T) (registry.Trace, time.Time) {
			tr, err := s.TraceCall(ctx, "test", f.root, call, "DSR-stamp", registry.TraceOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return tr, time.Time{}
		}},
		{"InCallersTransaction", func(t *testing.T) (registry.Trace, time.Time) {
			var tr registry.Trace
			var txNow time.Time
			err := s.InTx(ctx, "test", func(ctx context.Context) error {
				var err error
				if txNow, err = store.TxNow(ctx, s); err != nil {
					return err
				}
				tr, err = s.TraceCall(ctx, "test", f.root, call, "DSR-stamp", registry.TraceOptions{})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return tr, txNow
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after time.Time
			if err := s.DB().QueryRow(`SELECT now()`).Scan(&before); err != nil {
				t.Fatal(err)
			}
			tr, txNow := tc.trace(t)
			if err := s.DB().QueryRow(`SELECT now()`).Scan(&after); err != nil {
				t.Fatal(err)
			}
			var column time.Time
			var docAt string
			if err := s.DB().QueryRow(`SELECT created_at, result->>'createdAt' FROM call_traces WHERE id = $1`, tr.ID).Scan(&column, &docAt); err != nil {
				t.Fatal(err)
			}
			doc, err := time.Parse(time.RFC3339Nano, docAt)
			if err != nil {
				t.Fatalf("document's createdAt %q: %v", docAt, err)
			}
			if !column.Equal(tr.CreatedAt) || !doc.Equal(tr.CreatedAt) {
				t.Errorf("created_at %v, document %v, answer %v: want one instant", column, doc, tr.CreatedAt)
			}
			if tr.CreatedAt.Before(before) || tr.CreatedAt.After(after) {
				t.Errorf("created_at %v is not between %v and %v", tr.CreatedAt, before, after)
			}
			if !txNow.IsZero() && !tr.CreatedAt.Equal(txNow) {
				t.Errorf("inside InTx, created_at %v, want the caller's transaction's %v", tr.CreatedAt, txNow)
			}
		})
	}
}
