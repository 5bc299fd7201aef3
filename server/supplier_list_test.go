package server_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kedja/kedja/registry"
)

// Issue 17's whole path, as procurement staff and a controller walk it over
// the API: a care provider, under its region's general authorisation with
// 15 days' notice, publishes a list of sub-processors with an added Thai
// subcontractor, effective in a month. The dry run shows the new
// third-country transfer before anything is applied; approving it creates
// the change notice and the region's objection window; the region's
// objection shows on its chain and in the checks; and the region's Art. 30
// record, downloaded as XLSX, names every recipient its chain reaches on
// the list's date, the new one included.
func TestSupplierListFromDryRunToRecord(t *testing.T) {
	h := newHarness(t, false)
	id, org := h.created, h.organisation
	region, provider, store := org("Region Lista", "REGION"), org("Vårdsvar AB", "COMPANY"), org("Lagring Norden AB", "COMPANY")
	toProvider := id(`mutation($f: ID!, $t: ID!) { l: createLink(input: {fromId: $f, toId: $t, role: PROCESSOR, purpose: "Answers the region's calls",
		healthData: true, agreementRef: "DPA-1", authorisation: GENERAL, authorisingControllerId: $f, validFrom: "2020-01-01"}) { id } }`,
		map[string]any{"f": region, "t": provider})
	id(`mutation($f: ID!, $t: ID!) { l: createLink(input: {fromId: $f, toId: $t, role: SUB_PROCESSOR, purpose: "Stores the recordings",
		healthData: true, agreementRef: "SUB-1", validFrom: "2020-01-01"}) { id } }`, map[string]any{"f": provider, "t": store})
	id(`mutation($l: ID!) { p: setNoticePeriod(input: {linkId: $l, days: 15, clause: "9.2", validFrom: "2020-01-01"}) { id } }`,
		map[string]any{"l": toProvider})
	effective := time.Now().AddDate(0, 1, 0).Format("2006-01-02")
	after := time.Now().AddDate(0, 1, 2).Format("2006-01-02") + "T12:00"
	list := strings.Join(registry.ImportColumns, ",") + "\n" +
		"Lagring Norden AB,,SE,Storage of recordings,SE,call recordings,yes,,sub_processor,Vårdsvar AB\n" +
		"Thai Cloud Co. Ltd.,,TH,Hosting of recordings,TH,call recordings,yes,,sub_processor,Vårdsvar AB\n"

	// The dry run: the transfer to Thailand, before anything is applied.
	links := h.count(`SELECT count(*) FROM links`)
	var dry struct{ ImportSubprocessorList importAnswer }
	h.as("editor").data(`mutation($s: ID!, $c: String!, $e: Date!) { importSubprocessorList(supplierId: $s, effectiveDate: $e,
		fileName: "vardsvar-subprocessors.csv", content: $c) { `+importFields+` } }`,
		map[string]any{"s": provider, "c": list, "e": effective}, &dry)
	shown := false
	for _, c := range dry.ImportSubprocessorList.Diff.Changes {
		for _, tr := range c.Triggers {
			shown = shown || c.PartyName == "Thai Cloud Co. Ltd." && tr.Check == "third_country" && !tr.Cleared
		}
	}
	if !shown || h.count(`SELECT count(*) FROM links`) != links {
		t.Fatalf("dry run: third-country transfer shown %v (%+v), links %d -> %d", shown, dry.ImportSubprocessorList.Diff.Changes,
			links, h.count(`SELECT count(*) FROM links`))
	}

	// Approved: the notice and the region's window.
	var approved struct{ ApproveImport importAnswer }
	h.as("editor").data(`mutation($id: ID!) { approveImport(id: $id) { `+importFields+` } }`,
		map[string]any{"id": dry.ImportSubprocessorList.ID}, &approved)
	if len(approved.ApproveImport.NewLinkIds) != 1 {
		t.Fatalf("approval made links %v; want the Thai one", approved.ApproveImport.NewLinkIds)
	}
	var notices struct {
		Link struct {
			ChangeNotices []struct {
				ID, Kind string
				Windows  []struct {
					Controller struct{ LegalName string }
					Deadline   *string
				}
			}
		}
	}
	h.as("auditor").data(`query($l: ID!) { link(id: $l) { changeNotices { id kind windows { controller { legalName } deadline } } } }`,
		map[string]any{"l": approved.ApproveImport.NewLinkIds[0]}, &notices)
	if n := notices.Link.ChangeNotices; len(n) != 1 || n[0].Kind != "NEW" || len(n[0].Windows) != 1 ||
		n[0].Windows[0].Controller.LegalName != "Region Lista" || n[0].Windows[0].Deadline == nil {
		t.Fatalf("the approval's notice: %+v; want one NEW notice with Region Lista's window and its deadline", n)
	}
	notice := notices.Link.ChangeNotices[0].ID

	// The region objects: its chain and the checks show it.
	h.as("editor").data(`mutation($n: ID!, $c: ID!, $at: Instant!) { respondToNotice(input: {noticeId: $n, controllerId: $c, response: OBJECTION,
		reason: "No recordings in Thailand", respondedAt: $at}) { id } }`,
		map[string]any{"n": notice, "c": region, "at": time.Now().Add(time.Minute).Format(time.RFC3339)}, &struct{}{})
	var chain struct {
		Chain struct {
			Steps []struct {
				To           struct{ LegalName string }
				ChangeNotice *struct{ State string }
			}
		}
	}
	h.as("auditor").data(`query($c: ID!, $at: Instant!) { chain(controller: $c, at: $at) { steps { to { legalName } changeNotice { state } } } }`,
		map[string]any{"c": region, "at": after}, &chain)
	objected := false
	for _, s := range chain.Chain.Steps {
		objected = objected || s.To.LegalName == "Thai Cloud Co. Ltd." && s.ChangeNotice != nil && s.ChangeNotice.State == "OBJECTED"
	}
	if !objected {
		t.Errorf("the region's chain does not show its objection on the Thai step: %+v", chain.Chain.Steps)
	}
	var checks struct {
		EvaluateChecks struct {
			Findings []struct{ Check, Message string }
		}
	}
	h.as("auditor").data(`query($at: Instant!) { evaluateChecks(at: $at, checks: ["notice_objection"]) { findings { check message } } }`,
		map[string]any{"at": after}, &checks)
	raised := false
	for _, f := range checks.EvaluateChecks.Findings {
		raised = raised || f.Check == "notice_objection" && strings.Contains(f.Message, "Thai Cloud")
	}
	if !raised {
		t.Errorf("notice_objection raised nothing for the objected Thai sub-processor: %+v", checks.EvaluateChecks.Findings)
	}

	// The region's record, as XLSX, names every recipient its chain reaches.
	resp := h.as("auditor").get("/records/" + region + ".xlsx?at=" + after)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("record download: %d", resp.StatusCode)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Record")
	if err != nil {
		t.Fatal(err)
	}
	text := ""
	for _, r := range rows {
		text += strings.Join(r, "|") + "\n"
	}
	for _, want := range []string{"Vårdsvar AB", "Lagring Norden AB", "Thai Cloud Co. Ltd."} {
		if !strings.Contains(text, want) {
			t.Errorf("the XLSX record does not name %s:\n%s", want, text)
		}
	}
}
