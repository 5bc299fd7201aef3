package server_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
)

// On the 1177 demo as of 2019-02-01, the checks of legal basis and of the
// controllers' own duties name what the regulator and the court found: the
// Thai subcontractor critical for lack of a basis, its engagement without
// the regions' approval, the callers' information gap and the incomplete
// records; and nothing about Inera.
func TestDemoBasisFindingsOverGraphQL(t *testing.T) {
	h := newHarness(t, true)
	// A run as of then keeps its findings (the store runs at any instant;
	// the API's runChecks only now).
	if _, err := h.store.RunChecks(context.Background(), registry.RunOptions{At: at2019, Trigger: "api", Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	type node struct {
		Check, Severity string
		SubjectParty    *struct{ LegalName string }
		SubjectLink     *struct{ From, To struct{ LegalName string } }
		Controllers     []struct{ Controller struct{ LegalName string } }
	}
	var got struct{ Findings struct{ Nodes []node } }
	h.data(`{ findings(filter: {status: OPEN}, first: 500) { nodes { check severity subjectParty { legalName }
		subjectLink { from { legalName } to { legalName } } controllers { controller { legalName } } } } }`, nil, &got)
	subject := func(n node) string {
		if n.SubjectParty != nil {
			return n.SubjectParty.LegalName
		}
		if n.SubjectLink != nil {
			return n.SubjectLink.From.LegalName + " -> " + n.SubjectLink.To.LegalName
		}
		return ""
	}
	regions := []string{"Region Stockholm", "Region Sörmland", "Region Värmland"}
	tests := []struct {
		name, check, subject, severity string
		controllers                    []string
	}{
		{"ThaiSubcontractorWithoutBasis", "disclosure_basis", "Medicall Co., Ltd.", "critical", append([]string{"Medhelp AB"}, regions...)},
		{"MedicallEngagedWithoutTheRegionsApproval", "authorisation", "Medhelp AB -> Medicall Co., Ltd.", "high", regions},
		{"StockholmsCallersNotInformed", "notice_gap", "Region Stockholm", "high", []string{"Region Stockholm"}},
		{"SormlandsCallersNotInformed", "notice_gap", "Region Sörmland", "high", []string{"Region Sörmland"}},
		{"VarmlandsCallersNotInformed", "notice_gap", "Region Värmland", "high", []string{"Region Värmland"}},
		{"MedhelpsCallersNotInformed", "notice_gap", "Medhelp AB", "high", []string{"Medhelp AB"}},
		{"MedhelpsRecordOmitsMedicallAndThailand", "record_gap", "Medhelp AB", "high", []string{"Medhelp AB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var controllers []string
			for _, n := range got.Findings.Nodes {
				if n.Check == tt.check && subject(n) == tt.subject {
					if n.Severity != strings.ToUpper(tt.severity) {
						t.Errorf("%s: %s, want %s", tt.check, n.Severity, tt.severity)
					}
					for _, c := range n.Controllers {
						controllers = append(controllers, c.Controller.LegalName)
					}
				}
			}
			slices.Sort(controllers)
			want := slices.Clone(tt.controllers)
			slices.Sort(want)
			if !slices.Equal(controllers, want) {
				t.Errorf("%s on %s raised for %v, want %v", tt.check, tt.subject, controllers, want)
			}
		})
	}
	mine := []string{"disclosure_basis", "authorisation", "notice_gap", "record_gap"}
	for _, n := range got.Findings.Nodes {
		if slices.Contains(mine, n.Check) && strings.Contains(subject(n), "Inera") {
			t.Errorf("Inera flagged: %s %s", n.Check, subject(n))
		}
		if n.Check == "disclosure_basis" && subject(n) != "Medicall Co., Ltd." {
			t.Errorf("disclosure without basis raised on %s", subject(n))
		}
	}

	// What the demo records, on the link and the region, with public record
	// and assumption told apart.
	var link struct {
		Link struct {
			DisclosureBases []struct {
				Basis, Authority string
				Note             string
			}
		}
	}
	h.data(`query($id: ID!) { link(id: $id) { disclosureBases(at: "2019-02-01") { basis authority note } } }`,
		map[string]any{"id": h.linkID(h.orgID("Medhelp AB"), h.orgID("Medicall Co., Ltd."))}, &link)
	if b := link.Link.DisclosureBases; len(b) != 1 || b[0].Basis != "NONE" || !strings.Contains(b[0].Authority, "Kammarrätten") ||
		!strings.Contains(b[0].Note, "Public record") || !strings.Contains(b[0].Note, "Assumption") {
		t.Errorf("Medicall's disclosure basis: %+v", b)
	}

	// Editors write, auditors read, the access-request role sees none of it.
	region := h.orgID("Region Värmland")
	for _, tt := range []struct {
		role, query, code string
	}{
		{"auditor", `query($id: ID!) { organisation(id: $id) { callerNotices { mentionsRecording } processingRecords { id } } }`, ""},
		{"auditor", `mutation($id: ID!) { setCallerNotice(input: {controllerId: $id, mentionsRecording: true, mentionsRecipients: true,
			mentionsTransfers: true, mentionsRetention: true, validFrom: "2019-03-01"}) { id } }`, "FORBIDDEN"},
		{"dsr", `query($id: ID!) { organisation(id: $id) { callerNotices { id } } }`, "FORBIDDEN"},
		{"editor", `mutation($id: ID!) { setProcessingRecord(input: {partyId: $id, transferCountries: ["XX"], validFrom: "2019-03-01"}) { id } }`, "INVALID_INPUT"},
	} {
		if r := h.as(tt.role).post(tt.query, map[string]any{"id": region}); r.code() != tt.code {
			t.Errorf("%s: %s: got %q (%+v), want %q", tt.role, tt.query, r.code(), r.Errors, tt.code)
		}
	}

	// A notice that tells everything, set through the API, clears the gap.
	var set struct{ SetCallerNotice struct{ ValidFrom string } }
	h.as("editor").data(`mutation($id: ID!) { setCallerNotice(input: {controllerId: $id, mentionsRecording: true, mentionsRecipients: true,
		mentionsTransfers: true, mentionsRetention: true, reference: "1177.se, 2019", validFrom: "2019-01-15"}) { validFrom } }`,
		map[string]any{"id": region}, &set)
	if _, err := h.store.RunChecks(context.Background(), registry.RunOptions{At: at2019, Checks: []string{"notice_gap"}, Trigger: "api", Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	var after struct{ Findings struct{ Nodes []node } }
	h.data(`query($id: ID) { findings(filter: {check: "notice_gap", status: OPEN, subjectKind: PARTY, subjectId: $id}) { nodes { check severity } } }`,
		map[string]any{"id": region}, &after)
	if len(after.Findings.Nodes) != 0 {
		t.Errorf("Värmland's notice gap after a full notice: %+v", after.Findings.Nodes)
	}
}

// The approval rule lives once (kedja_authorisation_missing, with
// kedja_approved): responsibility reports NO_AUTHORISATION on a link
// exactly when the authorisation check raises it for some controller above.
func TestAuthorisationRuleAgreesEverywhere(t *testing.T) {
	h := newHarness(t, false)
	ctx := context.Background()
	from := registry.Period{From: time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)}
	tests := []struct {
		name, providerRole, subRole, approve string
		wantGap                              bool
	}{
		{"ProcessorOfTheController", "processor", "", "", false},
		{"SubProcessorOfTheControllerUnauthorised", "sub_processor", "", "", true},
		{"ProcessorEngagesProcessorUnapproved", "processor", "processor", "", true},
		{"CareProviderEngagesSubcontractorUnapproved", "independent_controller", "processor", "", true},
		{"ApprovedByTheRegion", "independent_controller", "processor", "approval", false},
		{"AuthorisedOnTheLinkByTheRegion", "processor", "sub_processor", "link", false},
	}
	subjects := map[string]int64{}
	for _, tt := range tests {
		mk := func(name, country string) registry.Organisation {
			o, err := h.store.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: name + " " + tt.name, Country: country, Kind: "company"})
			if err != nil {
				t.Fatal(err)
			}
			return o
		}
		region, provider := mk("Region", "SE"), mk("Provider", "SE")
		l, err := h.store.CreateLink(ctx, "t", &registry.Link{FromID: region.ID, ToID: provider.ID, Role: tt.providerRole, Purpose: "calls",
			AgreementRef: new("A"), Period: from})
		if err != nil {
			t.Fatal(err)
		}
		subjects[tt.name] = l.ID
		if tt.subRole == "" {
			continue
		}
		sub := mk("Sub", "SE")
		sl := registry.Link{FromID: provider.ID, ToID: sub.ID, Role: tt.subRole, Purpose: "calls", AgreementRef: new("B"), Period: from}
		if tt.approve == "link" {
			sl.Authorisation, sl.AuthorisingControllerID = "specific", &region.ID
		}
		stored, err := h.store.CreateLink(ctx, "t", &sl)
		if err != nil {
			t.Fatal(err)
		}
		if tt.approve == "approval" {
			if _, err := h.store.CreateApproval(ctx, "t", &registry.SubcontractorApproval{ControllerID: region.ID, LinkID: stored.ID,
				Kind: "general", Period: from}); err != nil {
				t.Fatal(err)
			}
		}
		subjects[tt.name] = stored.ID
	}
	const instant = "2019-02-01T12:00"
	if _, err := h.store.RunChecks(ctx, registry.RunOptions{At: at2019, Checks: []string{"authorisation"}, Trigger: "api", Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var to int64
			h.store.DB().QueryRow(`SELECT to_id FROM links WHERE id = $1`, subjects[tt.name]).Scan(&to)
			var got struct {
				Responsibility struct {
					Missing []struct {
						Code string
						Link struct{ ID string }
					}
				}
			}
			h.with(t).data(`query($p: ID!, $at: Instant!) { responsibility(organisation: $p, at: $at) { missing { code link { id } } } }`,
				map[string]any{"p": fmt.Sprint(to), "at": instant}, &got)
			gap := false
			for _, m := range got.Responsibility.Missing {
				if m.Code == registry.GapNoAuthorisation && m.Link.ID == fmt.Sprint(subjects[tt.name]) {
					gap = true
				}
			}
			var raised int
			h.store.DB().QueryRow(`SELECT count(*) FROM findings WHERE status = 'open' AND check_id = 'authorisation'
				AND subject_kind = 'link' AND subject_id = $1`, subjects[tt.name]).Scan(&raised)
			if gap != (raised > 0) {
				t.Errorf("responsibility says gap %v, the check raised %d findings", gap, raised)
			}
			if gap != tt.wantGap {
				t.Errorf("gap %v, want %v", gap, tt.wantGap)
			}
		})
	}
}
