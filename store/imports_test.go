package store_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/demo"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// importChain is a region whose processor (the supplier) has one
// sub-processor in Sweden.
type importChain struct {
	t                    *testing.T
	s                    *store.Store
	region, supplier, se registry.Organisation
	toSupplier, toSE     registry.Link
}

func newImportChain(t *testing.T, s *store.Store) importChain {
	t.Helper()
	ctx := context.Background()
	c := importChain{t: t, s: s}
	var err error
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	c.region, err = s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Region Värmland", Country: "SE", Kind: "region"})
	must(err)
	c.supplier, err = s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Medhelp AB", OrgNumber: ptr("556000-0001"), Country: "SE", Kind: "company"})
	must(err)
	c.se, err = s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Voice Integrate Nordic AB", OrgNumber: ptr("556000-0002"), Country: "SE", Kind: "company"})
	must(err)
	c.toSupplier, err = s.CreateLink(ctx, "t", &registry.Link{FromID: c.region.ID, ToID: c.supplier.ID, Role: "processor", Purpose: "1177 calls",
		HealthData: true, AgreementRef: ptr("DPA-1"), Period: registry.Period{From: at("2015-01-01T00:00")}})
	must(err)
	c.toSE, err = s.CreateLink(ctx, "t", &registry.Link{FromID: c.supplier.ID, ToID: c.se.ID, Role: "sub_processor", Purpose: "telephony",
		DataCategories: []string{"call recordings"}, HealthData: true, Period: registry.Period{From: at("2016-01-01T00:00")}})
	must(err)
	return c
}

const baseList = "legal_name,org_number,country,service,locations,data_categories,health_data,effective_date,role\n" +
	"Voice Integrate Nordic AB,556000-0002,SE,telephony,,call recordings,yes,2016-01-01,sub_processor\n"

const thaiList = baseList + "Medicall Co. Ltd.,,TH,nights and weekends,TH,call recordings; patient records,yes,,sub_processor\n"

// dryRun parses a CSV list and stores it as a pending import.
func (c importChain) dryRun(list, effective string) (registry.Import, error) {
	c.t.Helper()
	rows, bad, err := registry.ParseImportCSV(strings.NewReader(list))
	if err != nil || len(bad) > 0 {
		c.t.Fatalf("parse: %v %v", err, bad)
	}
	d, _ := time.Parse(registry.DateLayout, effective)
	return c.s.DryRunImport(context.Background(), "editor", registry.ImportRequest{SupplierID: c.supplier.ID, ControllerLinkID: &c.toSupplier.ID,
		EffectiveDate: d, SourceName: "list.csv", Format: "csv", Content: []byte(list), Rows: rows})
}

func (c importChain) changes() int64 {
	c.t.Helper()
	var n int64
	if err := c.s.DB().QueryRow(`SELECT count(*) FROM changes`).Scan(&n); err != nil {
		c.t.Fatal(err)
	}
	return n
}

func kinds(d registry.ImportDiff) []string {
	var out []string
	for _, c := range d.Changes {
		out = append(out, c.Kind+":"+c.PartyName)
	}
	return out
}

func TestImportDryRunShowsTheThirdCountryTransferBeforeApproval(t *testing.T) {
	s := storetest.Store(t)
	c := newImportChain(t, s)
	ctx := context.Background()
	before := c.changes()
	imp, err := c.dryRun(thaiList, "2019-02-01")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(kinds(imp.Diff), " "), "new_party:Medicall Co. Ltd. new_link:Medicall Co. Ltd."; got != want {
		t.Fatalf("changes: got %q, want %q", got, want)
	}
	var third bool
	for _, ch := range imp.Diff.Changes {
		for _, tr := range ch.Triggers {
			t.Logf("line %d %s: %s %s %q", ch.Line, ch.Kind, tr.Check, tr.Severity, tr.Message)
			third = third || tr.Check == "third_country" && !tr.Cleared && strings.Contains(tr.Message, "Thailand") &&
				len(tr.Controllers) == 1 && tr.Controllers[0] == c.region.ID
		}
	}
	if !third {
		t.Errorf("no third-country trigger in %+v", imp.Diff.Changes)
	}
	if after := c.changes(); after != before {
		t.Errorf("the dry run wrote %d changes", after-before)
	}
	if imp.Status != "pending" || imp.Author != "editor" || imp.SourceName != "list.csv" || len(imp.SourceSHA256) != 64 {
		t.Errorf("stored import: %+v", imp)
	}
	if _, ok, _ := findOrg(t, s, "Medicall Co. Ltd."); ok {
		t.Error("the dry run created the party")
	}

	approved, err := s.ApproveImport(ctx, "admin", imp.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if approved.Status != "approved" || approved.DecidedBy == nil || *approved.DecidedBy != "admin" || len(approved.NewLinkIDs) != 1 {
		t.Fatalf("approved: %+v", approved)
	}
	l, err := s.Link(ctx, "id", approved.NewLinkIDs[0])
	if err != nil {
		t.Fatal(err)
	}
	if l.FromID != c.supplier.ID || l.Role != "sub_processor" || !l.From.Equal(at("2019-02-01T00:00")) {
		t.Errorf("new link: %+v", l)
	}
	var actor string
	if err := s.DB().QueryRow(`SELECT actor FROM changes WHERE table_name = 'links' AND row_key = $1`, l.ID).Scan(&actor); err != nil || actor != "admin" {
		t.Errorf("history of the new link: %q %v", actor, err)
	}
	if _, err := s.ApproveImport(ctx, "admin", imp.ID, nil); registry.ErrorCode(err) != registry.EConflict {
		t.Errorf("approving twice: got %v, want CONFLICT", err)
	}

	// The same file again changes nothing.
	again, err := c.dryRun(thaiList, "2019-02-01")
	if err != nil {
		t.Fatal(err)
	}
	if !again.Diff.Empty() {
		t.Fatalf("re-import diff: %v", kinds(again.Diff))
	}
	n := c.changes()
	if _, err := s.ApproveImport(ctx, "admin", again.ID, nil); err != nil {
		t.Fatal(err)
	}
	if c.changes() != n {
		t.Error("approving a re-import changed the registry")
	}
}

func findOrg(t *testing.T, s *store.Store, name string) (registry.Organisation, bool, error) {
	t.Helper()
	list, _, err := s.ListOrganisations(context.Background(), registry.OrganisationFilter{NameContains: &name}, registry.Page{First: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 {
		return registry.Organisation{}, false, nil
	}
	return list[0], true, nil
}

func TestImportDiff(t *testing.T) {
	tests := []struct {
		name  string
		setup func(c importChain)
		list  string
		want  string
	}{
		{"unchanged list", nil, baseList, ""},
		{"a sub-processor no longer listed ends", nil,
			"legal_name,country,service\nNew Co AB,SE,backup\n", "new_party:New Co AB new_link:New Co AB ended_link:Voice Integrate Nordic AB"},
		{"matched by organisation number despite another spelling", nil,
			"legal_name,org_number,country,service,data_categories,health_data,effective_date\nVOICE INTEGRATE NORDIC,5560000002,SE,telephony,call recordings,yes,2016-01-01\n", ""},
		{"matched by name without the legal form", nil,
			"legal_name,country,service,data_categories,health_data\nvoice integrate nordic ab.,SE,telephony,call recordings,yes\n", ""},
		{"locations change", nil,
			"legal_name,country,service,locations,data_categories,health_data\nVoice Integrate Nordic AB,SE,telephony,\"SE, FI\",call recordings,yes\n",
			"changed_locations:Voice Integrate Nordic AB"},
		{"country changes", nil,
			"legal_name,org_number,country,service,data_categories,health_data\nVoice Integrate Nordic AB,556000-0002,FI,telephony,call recordings,yes\n",
			"changed_country:Voice Integrate Nordic AB"},
		{"purpose changes", nil,
			"legal_name,country,service,data_categories,health_data\nVoice Integrate Nordic AB,SE,telephony and recording,call recordings,yes\n",
			"changed_link:Voice Integrate Nordic AB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := storetest.Store(t)
			c := newImportChain(t, s)
			imp, err := c.dryRun(tt.list, "2019-02-01")
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(kinds(imp.Diff), " "); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			// Approved, the list leaves nothing more to change.
			if _, err := s.ApproveImport(context.Background(), "t", imp.ID, nil); err != nil {
				t.Fatal(err)
			}
			again, err := c.dryRun(tt.list, "2019-02-01")
			if err != nil {
				t.Fatal(err)
			}
			if !again.Diff.Empty() {
				t.Errorf("after approval the same list still changes %v", kinds(again.Diff))
			}
		})
	}
}

func TestImportDoubtfulMatchWaitsForAPerson(t *testing.T) {
	s := storetest.Store(t)
	c := newImportChain(t, s)
	ctx := context.Background()
	// The name matches a party registered in Sweden; the list says Finland.
	imp, err := c.dryRun("legal_name,country,service\nVoice Integrate Nordic Oy,FI,telephony\n", "2019-02-01")
	if err != nil {
		t.Fatal(err)
	}
	if len(imp.Diff.Doubtful) != 1 || imp.Diff.Doubtful[0].Line != 2 || len(imp.Diff.Doubtful[0].Candidates) != 1 ||
		imp.Diff.Doubtful[0].Candidates[0].PartyID != c.se.ID {
		t.Fatalf("doubtful: %+v", imp.Diff.Doubtful)
	}
	for _, ch := range imp.Diff.Changes {
		if ch.Kind == "ended_link" {
			t.Errorf("a link the doubtful row may name is ended: %+v", ch)
		}
	}
	n := c.changes()
	_, err = s.ApproveImport(ctx, "t", imp.ID, nil)
	var e *registry.Error
	if !errors.As(err, &e) || e.Code != registry.EInvalid || e.Field != "decisions" {
		t.Fatalf("approving undecided: got %v, want INVALID_INPUT on decisions", err)
	}
	if c.changes() != n {
		t.Fatal("a refused approval wrote")
	}
	// The person decides it is a new party.
	ok, err := s.ApproveImport(ctx, "t", imp.ID, []registry.MatchDecision{{Line: 2, PartyID: 0}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ok.NewLinkIDs) != 1 || len(ok.Decisions) != 1 {
		t.Errorf("approved: %+v", ok)
	}
	if org, found, _ := findOrg(t, s, "Voice Integrate Nordic Oy"); !found || org.Country != "FI" {
		t.Errorf("new party: %+v %v", org, found)
	}
}

func TestImportRejectAndBadInput(t *testing.T) {
	s := storetest.Store(t)
	c := newImportChain(t, s)
	ctx := context.Background()
	imp, err := c.dryRun(thaiList, "2019-02-01")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RejectImport(ctx, "t", imp.ID, " "); registry.ErrorCode(err) != registry.EInvalid {
		t.Errorf("reject without reason: %v", err)
	}
	r, err := s.RejectImport(ctx, "dpo", imp.ID, "Thailand is not allowed")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "rejected" || *r.DecidedBy != "dpo" || *r.Reason != "Thailand is not allowed" {
		t.Errorf("rejected: %+v", r)
	}
	if _, err := s.ApproveImport(ctx, "t", imp.ID, nil); registry.ErrorCode(err) != registry.EConflict {
		t.Errorf("approving a rejected import: %v", err)
	}
	if _, found, _ := findOrg(t, s, "Medicall"); found {
		t.Error("a rejected import was applied")
	}
	list, _, err := s.ListImports(ctx, registry.ImportFilter{SupplierID: &c.supplier.ID}, registry.Page{First: 10})
	if err != nil || len(list) != 1 || list[0].ID != imp.ID {
		t.Errorf("list: %v %v", list, err)
	}

	// A row naming another supplier, and a row listing a party twice, are
	// bad rows by line and column; nothing is stored.
	for name, list := range map[string]string{
		"supplier": "legal_name,country,service,supplier\nX AB,SE,y,Other Company AB\n",
		"twice":    "legal_name,country,service\nVoice Integrate Nordic AB,SE,a\nVoice Integrate Nordic,SE,b\n",
	} {
		_, err := c.dryRun(list, "2019-02-01")
		var rows *registry.ImportRowsError
		if !errors.As(err, &rows) || len(rows.Rows) != 1 {
			t.Errorf("%s: got %v, want one bad row", name, err)
		}
	}
}

// The 1177 demo's Medhelp list, exported, imported into an empty registry
// and exported again, gives the same rows.
func TestExportImportRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := storetest.Store(t)
	if _, err := demo.Seed(ctx, src, stockholm); err != nil {
		t.Fatal(err)
	}
	medhelp, found, _ := findOrg(t, src, "Medhelp")
	if !found {
		t.Fatal("no Medhelp in the demo")
	}
	when := at("2019-02-01T00:00")
	first, err := src.ExportSupplierList(ctx, medhelp.ID, when)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) < 2 {
		t.Fatalf("exported %d rows", len(first))
	}
	var file bytes.Buffer
	if err := registry.WriteImportCSV(&file, first); err != nil {
		t.Fatal(err)
	}

	dst := storetest.Store(t)
	supplier, err := dst.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: medhelp.LegalName, OrgNumber: medhelp.OrgNumber,
		Country: medhelp.Country, Kind: "company"})
	if err != nil {
		t.Fatal(err)
	}
	rows, bad, err := registry.ParseImportCSV(bytes.NewReader(file.Bytes()))
	if err != nil || len(bad) > 0 {
		t.Fatalf("parse the export: %v %v", err, bad)
	}
	d, _ := time.Parse(registry.DateLayout, "2019-02-01")
	imp, err := dst.DryRunImport(ctx, "t", registry.ImportRequest{SupplierID: supplier.ID, EffectiveDate: d, SourceName: "medhelp.csv",
		Format: "csv", Content: file.Bytes(), Rows: rows})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dst.ApproveImport(ctx, "t", imp.ID, nil); err != nil {
		t.Fatal(err)
	}
	second, err := dst.ExportSupplierList(ctx, supplier.ID, when)
	if err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := registry.WriteImportCSV(&again, second); err != nil {
		t.Fatal(err)
	}
	if again.String() != file.String() {
		t.Errorf("round trip differs:\nfirst:\n%s\nsecond:\n%s", file.String(), again.String())
	}
	t.Logf("round trip:\n%s", file.String())
}
