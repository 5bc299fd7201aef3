package server_test

import (
	"strings"
	"testing"
)

func TestFindingsOverGraphQL(t *testing.T) {
	h := newHarness(t, true)
	var run struct {
		RunChecks struct {
			ID     string
			Found  int
			Opened int
			Failed bool
		}
	}
	h.data(`mutation { runChecks(at: "2019-02-01T12:00") { id found opened failed } }`, nil, &run)
	if run.RunChecks.Failed || run.RunChecks.Found == 0 || run.RunChecks.Opened != run.RunChecks.Found {
		t.Fatalf("run: %+v", run.RunChecks)
	}

	var critical struct {
		Findings struct {
			Nodes []struct {
				ID            string
				Check         string
				Severity      string
				SubjectParty  *struct{ LegalName string }
				SubjectSystem *struct{ Name string }
				Controller    struct{ LegalName string }
				Path          []struct{ To struct{ LegalName string } }
				Events        []struct{ Event, RunID string }
			}
		}
	}
	h.data(`{ findings(filter: {severity: CRITICAL, status: OPEN}, first: 500) { nodes {
		id check severity subjectParty { legalName } subjectSystem { name } controller { legalName }
		path { to { legalName } } events { event runId } } } }`, nil, &critical)
	var medicall, nas bool
	for _, f := range critical.Findings.Nodes {
		if f.SubjectParty != nil && f.SubjectParty.LegalName == "Medicall Co., Ltd." && f.Controller.LegalName == "Region Värmland" {
			medicall = true
			if n := len(f.Path); n != 2 || f.Path[1].To.LegalName != "Medicall Co., Ltd." {
				t.Errorf("Medicall's path: %+v, want Region Värmland -> Medhelp -> Medicall", f.Path)
			}
			if len(f.Events) != 1 || f.Events[0].Event != "opened" || f.Events[0].RunID != run.RunChecks.ID {
				t.Errorf("Medicall's history: %+v", f.Events)
			}
		}
		if f.SubjectSystem != nil && strings.Contains(f.SubjectSystem.Name, "NAS") && f.Check == "exposure" {
			nas = true
		}
	}
	if !medicall || !nas {
		t.Errorf("critical findings lack Medicall (%v) or the exposed storage server (%v)", medicall, nas)
	}

	// A party's open findings, from the registry's side.
	var org struct {
		Organisation struct {
			OpenFindings []struct{ Check, Severity string }
		}
	}
	h.data(`query($id: ID!) { organisation(id: $id) { openFindings { check severity } } }`,
		map[string]any{"id": h.orgID("Inera AB")}, &org)
	if n := len(org.Organisation.OpenFindings); n != 0 {
		t.Errorf("Inera has %d open findings: %+v", n, org.Organisation.OpenFindings)
	}

	// Accept one; refuse a bad acceptance, naming the field.
	id := critical.Findings.Nodes[0].ID
	var acc struct {
		AcceptFinding struct{ Status, Justification, AcceptedBy string }
	}
	h.data(`mutation($id: ID!) { acceptFinding(id: $id, justification: "Contract terminated; data being returned", until: "2099-12-31") {
		status justification acceptedBy } }`, map[string]any{"id": id}, &acc)
	if acc.AcceptFinding.Status != "ACCEPTED" || acc.AcceptFinding.AcceptedBy != "test admin" {
		t.Errorf("accepted: %+v", acc.AcceptFinding)
	}
	tests := []struct {
		name, query, wantCode, wantField string
	}{
		{"UntilInThePast", `mutation { acceptFinding(id: "` + id + `", justification: "x", until: "2001-01-01") { id } }`, "INVALID_INPUT", "until"},
		{"BlankJustification", `mutation { acceptFinding(id: "` + id + `", justification: " ", until: "2099-01-01") { id } }`, "INVALID_INPUT", "justification"},
		{"UnknownFinding", `mutation { acceptFinding(id: "999999", justification: "x", until: "2099-01-01") { id } }`, "NOT_FOUND", "id"},
		{"UnknownCheck", `mutation { runChecks(checks: ["vibes"]) { id } }`, "INVALID_INPUT", "checks"},
		{"PolicyWithoutCountry", `mutation { setLocationPolicy(input: {controllerId: "1", policy: COUNTRY, validFrom: "2021-01-01"}) { id } }`, "INVALID_INPUT", "country"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.with(t).post(tt.query, nil)
			if r.code() != tt.wantCode || r.field() != tt.wantField {
				t.Errorf("got %s on %q, want %s on %q (%+v)", r.code(), r.field(), tt.wantCode, tt.wantField, r.Errors)
			}
		})
	}

	var runs struct {
		CheckRuns struct {
			Nodes []struct {
				ID, Trigger string
				Checks      []string
			}
		}
	}
	h.data(`{ checkRuns(first: 5) { nodes { id trigger checks } } }`, nil, &runs)
	if len(runs.CheckRuns.Nodes) == 0 || runs.CheckRuns.Nodes[0].ID != run.RunChecks.ID || len(runs.CheckRuns.Nodes[0].Checks) != 8 {
		t.Errorf("check runs: %+v", runs.CheckRuns.Nodes)
	}
}
