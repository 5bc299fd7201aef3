package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store/storetest"
)

// A version 5 trace keeps the known exposure it was made with, and reads it
// back as stored; a version 4 document, made before known exposure was
// recorded, still reads back as version 4 with none, not as "nothing known".
func TestKnownExposureIsStoredAndOlderTracesStillRead(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	f := newTraceFixture(t, s)
	if _, err := s.AddAccessPath(ctx, "test", &registry.AccessPath{SystemID: f.system, Audience: "vendor_support", Origin: "internet",
		Authentication: ptr("password"), Period: registry.Period{From: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)}}); err != nil {
		t.Fatal(err)
	}
	tr, err := s.TraceCall(ctx, "test", f.root, time.Date(2020, 3, 1, 12, 0, 0, 0, time.UTC), "DSR-K", registry.TraceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Held from the call for its 30 days of retention; the path is in force
	// all along.
	k := tr.KnownExposure
	if len(k) != 1 || k[0].Fact != registry.ExposureInternetPassword || k[0].Severity != "high" || k[0].Audience != "vendor_support" ||
		!k[0].From.Equal(tr.CallAt) || k[0].Until == nil || !k[0].Until.Equal(tr.CallAt.AddDate(0, 0, 30)) {
		t.Fatalf("known exposure %+v, want the password-only path, high, for the 30 days of the hold", k)
	}
	back, err := s.Trace(ctx, tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(back)
	want, _ := json.Marshal(tr)
	if string(b) != string(want) || back.Version != 6 {
		t.Errorf("version %d reads back as\n%s\nwant\n%s", back.Version, b, want)
	}

	// The same answer as version 4 stored it: no knownExposure.
	var doc map[string]any
	if err := json.Unmarshal(want, &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "knownExposure")
	doc["version"] = 4
	raw, _ := json.Marshal(doc)
	const id = "a1f30097da7904fbc12dc5a5ce5a890a"
	insertTraceDocument(t, s, id, f.root, "DSR-K4", raw)
	old, err := s.Trace(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if old.Version != 4 || old.KnownExposure != nil || len(old.Systems) != 1 {
		t.Errorf("version 4 document: version %d, known exposure %+v, %d systems", old.Version, old.KnownExposure, len(old.Systems))
	}
}

// A way in through a gateway that gives access to the held system is named
// with the gateway it passes, as the internet_access check names it.
func TestKnownExposureNamesTheGatewayPassed(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	f := newTraceFixture(t, s)
	since := registry.Period{From: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)}
	gw, err := s.CreateSystem(ctx, "test", &registry.System{Name: "Remote gateway", Kind: "other", OperatorID: f.provider})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddAccessPath(ctx, "test", &registry.AccessPath{SystemID: gw.ID, Audience: "customer_users", Origin: "internet",
		Authentication: ptr("none"), Period: since}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddSystemRelation(ctx, "test", &registry.SystemRelation{FromSystemID: gw.ID, ToSystemID: f.system,
		Kind: "gives_access_to", Period: since}); err != nil {
		t.Fatal(err)
	}
	tr, err := s.TraceCall(ctx, "test", f.root, time.Date(2020, 3, 1, 12, 0, 0, 0, time.UTC), "DSR-G", registry.TraceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if k := tr.KnownExposure; len(k) != 1 || k[0].Fact != registry.ExposureInternetNoAuth || k[0].Severity != "critical" ||
		k[0].Through != "Remote gateway" || k[0].SystemName != "Recorder" {
		t.Errorf("known exposure %+v, want the recorder reached without authentication through Remote gateway", k)
	}
}
