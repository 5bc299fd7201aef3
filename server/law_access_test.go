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

// The answer to an access request cites the calling region's law as in
// force on the day of the call (issue 14), in the trace over GraphQL, in
// the printable report and in its JSON: the GDPR for a Swedish region since
// 25 May 2018, personuppgiftslagen before, the UK GDPR for a London region,
// the revised FADP for a Swiss one from 1 September 2023 and the FADP of
// 1992 before; the directive's article for another EEA state before its
// GDPR date (Norway's: 20 July 2018). A trace stored before the law was
// recorded names no provision.
func TestAccessRequestCitesTheRegionsLaw(t *testing.T) {
	h := newHarness(t, false)
	ctx := context.Background()
	region := func(name, country string) string {
		r, err := h.store.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: name, Country: country, Kind: "region"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := h.store.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Provider of " + name, Country: country, Kind: "company"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.store.CreateLink(ctx, "t", &registry.Link{FromID: r.ID, ToID: p.ID, Role: "processor", Purpose: "calls",
			AgreementRef: new("DPA-1"), Period: registry.Period{From: time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)}}); err != nil {
			t.Fatal(err)
		}
		return strconv.FormatInt(r.ID, 10)
	}
	stockholm := region("Region Stockholm", "SE")
	london := region("London Health Line", "GB")
	zurich := region("Kanton Zürich Gesundheit", "CH")
	oslo := region("Helse Oslo", "NO")

	tests := []struct {
		name, region, at string
		law, citation    string
	}{
		{"Stockholm2024GDPR", stockholm, "2024-03-01T12:00", "EU", "GDPR Art. 15(1)(c), (d)"},
		{"Stockholm2017PUL", stockholm, "2017-03-01T12:00", "EU", "PUL 26 §"},
		{"Stockholm2018DayGDPRApplies", stockholm, "2018-05-25T09:00", "EU", "GDPR Art. 15(1)(c), (d)"},
		{"London2022UKGDPR", london, "2022-03-01T12:00", "UK", "UK GDPR Art. 15(1)(c), (d)"},
		{"Zurich2024RevisedFADP", zurich, "2024-03-01T12:00", "CH", "FADP Art. 25"},
		{"Zurich2020FADP1992", zurich, "2020-03-01T12:00", "CH", "FADP 1992 Art. 8"},
		{"OsloJune2018DirectiveStill", oslo, "2018-06-15T12:00", "EU", "Directive 95/46/EC Art. 12 (national law)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := h.with(t)
			var got struct {
				TraceCall struct {
					ID, ReportURL  string
					Law            *string
					AccessCitation *string
				}
			}
			h.data(`mutation($r: ID!, $at: Instant!) { traceCall(region: $r, at: $at, caseRef: "DSR-LAW") {
				id reportUrl law accessCitation } }`, map[string]any{"r": tt.region, "at": tt.at}, &got)
			tr := got.TraceCall
			if tr.Law == nil || *tr.Law != tt.law || tr.AccessCitation == nil || *tr.AccessCitation != tt.citation {
				t.Errorf("traceCall: law %v citing %v, want %s citing %q", deref(tr.Law), deref(tr.AccessCitation), tt.law, tt.citation)
			}
			var again struct {
				Trace struct{ Law, AccessCitation *string }
			}
			h.data(`query($id: ID!) { trace(id: $id) { law accessCitation } }`, map[string]any{"id": tr.ID}, &again)
			if deref(again.Trace.Law) != tt.law || deref(again.Trace.AccessCitation) != tt.citation {
				t.Errorf("trace: law %q citing %q, want as made", deref(again.Trace.Law), deref(again.Trace.AccessCitation))
			}

			page := body(t, h.get(tr.ReportURL))
			if !strings.Contains(page, "Right of access under: <strong>"+tt.citation+"</strong>") {
				t.Errorf("the report does not cite %q:\n%s", tt.citation, page)
			}
			if !strings.Contains(tt.citation, "GDPR") && strings.Contains(page, "GDPR") {
				t.Errorf("the report of a call under %s still cites the GDPR", tt.citation)
			}
			var doc struct{ Law, AccessCitation string }
			if err := json.Unmarshal([]byte(body(t, h.get("/traces/"+tr.ID+".json"))), &doc); err != nil ||
				!strings.EqualFold(doc.Law, tt.law) || doc.AccessCitation != tt.citation {
				t.Errorf("JSON report: law %q citing %q (%v), want %s citing %q", doc.Law, doc.AccessCitation, err, tt.law, tt.citation)
			}
		})
	}

	// The same answer as a version 5 document stored it, without the law:
	// nothing is guessed, and the report cites no provision.
	t.Run("Version5DocumentNamesNoProvision", func(t *testing.T) {
		h := h.with(t)
		var made struct{ TraceCall struct{ ID string } }
		h.data(`mutation($r: ID!) { traceCall(region: $r, at: "2024-03-01T12:00", caseRef: "DSR-LAW-V5") { id } }`,
			map[string]any{"r": stockholm}, &made)
		const old = "b1f30097da7904fbc12dc5a5ce5a890a"
		if _, err := h.owner().Exec(`INSERT INTO call_traces (id, region_id, call_at, case_ref, created_at, created_by, made_by, result)
			SELECT $1, region_id, call_at, case_ref, created_at, created_by, made_by,
			       CAST((CAST(result AS jsonb) - 'law' - 'accessCitation') || '{"version": 5}' AS json)
			FROM call_traces WHERE id = $2`, old, made.TraceCall.ID); err != nil {
			t.Fatal(err)
		}
		var got struct {
			Trace struct {
				Law, AccessCitation *string
				DocumentVersion     int
			}
		}
		h.data(`query($id: ID!) { trace(id: $id) { law accessCitation documentVersion } }`, map[string]any{"id": old}, &got)
		if got.Trace.DocumentVersion != 5 || got.Trace.Law != nil || got.Trace.AccessCitation != nil {
			t.Errorf("a version 5 trace: version %d, law %v citing %v; want 5 with neither", got.Trace.DocumentVersion,
				deref(got.Trace.Law), deref(got.Trace.AccessCitation))
		}
		page := body(t, h.get("/traces/"+old+".html"))
		if strings.Contains(page, "Right of access under") || strings.Contains(page, "Art. 15") || strings.Contains(page, "Article 15") {
			t.Errorf("the report of a version 5 trace names a provision:\n%s", page)
		}
		if !strings.Contains(page, "The answer gives the actual recipients") {
			t.Errorf("the report of a version 5 trace lost its description of the answer:\n%s", page)
		}
	})
}

// body reads a 200 response's body, failing the test on another status.
func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d (%v)", resp.Request.URL.Path, resp.StatusCode, err)
	}
	return string(b)
}

func deref(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}
