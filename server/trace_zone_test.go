package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
)

// TestTraceInTheRegionsZone: end to end, against a server whose registry
// zone is Europe/Stockholm, a call's local time is read on the clocks of
// the region called, and the GraphQL trace, the printable report and its
// JSON give every time on those clocks, summer and winter; the registry's
// zone only when the region's is not one PostgreSQL or kedja knows.
func TestTraceInTheRegionsZone(t *testing.T) {
	h := newHarness(t, false)
	ctx := context.Background()
	region := func(name, zone string) string {
		var out struct{ O struct{ ID string } }
		h.data(`mutation($n: String!, $z: String!) { o: createOrganisation(input: {legalName: $n, country: "SE", kind: REGION, timeZone: $z}) { id } }`,
			map[string]any{"n": name, "z": zone}, &out)
		provider, err := h.store.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Provider of " + name, Country: "SE", Kind: "company"})
		if err != nil {
			t.Fatal(err)
		}
		id, _ := strconv.ParseInt(out.O.ID, 10, 64)
		if _, err := h.store.CreateLink(ctx, "t", &registry.Link{FromID: id, ToID: provider.ID, Role: "processor", Purpose: "calls",
			Period: registry.Period{From: time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)}}); err != nil {
			t.Fatal(err)
		}
		return out.O.ID
	}
	london := region("Region London", "Europe/London")
	stockholm := region("Region Stockholm", "Europe/Stockholm")
	unknown := region("Region Unknown Zone", "Europe/London")
	// Zones are checked when written: one nobody knows reaches a trace
	// only from outside kedja, as here.
	tx, err := h.owner().Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`SELECT set_config('kedja.actor', 'test', true)`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE organisations SET time_zone = 'Mars/Olympus_Mons' WHERE id = $1`, unknown); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		name, region, at string
		wantCallAt       string // in the GraphQL answer and the JSON report
		wantZone         string
		wantPrinted      string // in the printable report
	}{
		{"London summer", london, "2021-07-01T19:30", "2021-07-01T19:30:00+01:00", "Europe/London", "2021-07-01 19:30 BST"},
		{"London winter", london, "2021-01-15T19:30", "2021-01-15T19:30:00Z", "Europe/London", "2021-01-15 19:30 GMT"},
		{"London, an offset given", london, "2021-07-01T20:30:00+02:00", "2021-07-01T19:30:00+01:00", "Europe/London", "2021-07-01 19:30 BST"},
		{"Stockholm summer, unchanged", stockholm, "2021-07-01T19:30", "2021-07-01T19:30:00+02:00", "Europe/Stockholm", "2021-07-01 19:30 CEST"},
		{"Stockholm winter, unchanged", stockholm, "2021-01-15T19:30", "2021-01-15T19:30:00+01:00", "Europe/Stockholm", "2021-01-15 19:30 CET"},
		{"an unknown zone: the registry's", unknown, "2021-07-01T19:30", "2021-07-01T19:30:00+02:00", "Europe/Stockholm", "2021-07-01 19:30 CEST"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := h.with(t)
			var got struct {
				TraceCall struct {
					ID, CallAt, TimeZone, ReportURL string
					Holders                         []struct{ HeldFrom string }
				}
			}
			h.data(`mutation($r: ID!, $at: Instant!) { traceCall(region: $r, at: $at, caseRef: "DSR-ZONE") {
				id callAt timeZone reportUrl holders { heldFrom } } }`, map[string]any{"r": c.region, "at": c.at}, &got)
			tr := got.TraceCall
			if tr.CallAt != c.wantCallAt || tr.TimeZone != c.wantZone {
				t.Errorf("traceCall: callAt %s in %s, want %s in %s", tr.CallAt, tr.TimeZone, c.wantCallAt, c.wantZone)
			}
			if len(tr.Holders) != 1 || tr.Holders[0].HeldFrom != c.wantCallAt {
				t.Errorf("holders %+v, want one holding from %s", tr.Holders, c.wantCallAt)
			}
			// Read back as stored.
			var again struct {
				Trace struct{ CallAt, TimeZone string }
			}
			h.data(`query($id: ID!) { trace(id: $id) { callAt timeZone } }`, map[string]any{"id": tr.ID}, &again)
			if again.Trace.CallAt != c.wantCallAt || again.Trace.TimeZone != c.wantZone {
				t.Errorf("trace: callAt %s in %s, want %s in %s", again.Trace.CallAt, again.Trace.TimeZone, c.wantCallAt, c.wantZone)
			}

			resp := h.get(tr.ReportURL)
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("report: %d", resp.StatusCode)
			}
			if !strings.Contains(string(page), "Region") || !strings.Contains(string(page), ", "+c.wantPrinted+"<br>") {
				t.Errorf("the report does not give the call as %q:\n%s", c.wantPrinted, page)
			}
			if !strings.Contains(string(page), "time zone: "+c.wantZone) {
				t.Errorf("the report does not name the zone %s", c.wantZone)
			}
			resp = h.get("/traces/" + tr.ID + ".json")
			var doc struct{ CallAt string }
			err := json.NewDecoder(resp.Body).Decode(&doc)
			resp.Body.Close()
			if err != nil || doc.CallAt != c.wantCallAt {
				t.Errorf("JSON report: callAt %q (%v), want %s", doc.CallAt, err, c.wantCallAt)
			}
		})
	}
}
