package server_test

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestFindingsOverGraphQL(t *testing.T) {
	h := newHarness(t, true)
	var run struct {
		RunChecks struct {
			ID      string
			Found   int
			Opened  int
			Failed  bool
			Status  string
			Failure *string
		}
	}
	h.data(`mutation { runChecks(at: "2019-02-01T12:00") { id found opened failed status failure } }`, nil, &run)
	if run.RunChecks.Failed || run.RunChecks.Status != "RAN" || run.RunChecks.Failure != nil || run.RunChecks.Found == 0 ||
		run.RunChecks.Opened != run.RunChecks.Found {
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
	if len(runs.CheckRuns.Nodes) == 0 || runs.CheckRuns.Nodes[0].ID != run.RunChecks.ID || len(runs.CheckRuns.Nodes[0].Checks) != 9 {
		t.Errorf("check runs: %+v", runs.CheckRuns.Nodes)
	}
}

// checkRuns shows every slot's fate as a status, a failure as a reason
// safe to show and never as the error's text, and documents its enums.
func TestCheckRunFatesOverGraphQL(t *testing.T) {
	h := newHarness(t, false)
	const secret = `pq: relation "findings_secret_name" does not exist`
	tests := []struct {
		name string
		// insert writes the row as the runner would.
		insert      string
		wantStatus  string
		wantFailure *string
		evaluated   bool
	}{
		{"Running", `INSERT INTO check_runs (checks, slot, trigger, actor, status, lock_key, evaluated_at)
			VALUES ('{exposure}', '2030-01-07T09:00Z', 'schedule', 'kedja schedule', 'running', 1, now())`, "RUNNING", nil, true},
		{"Ran", `INSERT INTO check_runs (checks, slot, trigger, actor, status, lock_key, evaluated_at, ended_at, found, opened, reopened, resolved)
			VALUES ('{exposure}', '2030-01-07T10:00Z', 'schedule', 'kedja schedule', 'ran', 2, now(), now(), 1, 1, 0, 0)`, "RAN", nil, true},
		{"Failed", `INSERT INTO check_runs (checks, slot, trigger, actor, status, lock_key, evaluated_at, ended_at, failure, error)
			VALUES ('{exposure}', '2030-01-07T11:00Z', 'schedule', 'kedja schedule', 'failed', 3, now(), now(), 'error', '` + secret + `')`,
			"FAILED", ptr("ERROR"), true},
		{"Abandoned", `INSERT INTO check_runs (checks, slot, trigger, actor, status, lock_key, evaluated_at)
			VALUES ('{exposure}', '2030-01-07T12:00Z', 'schedule', 'kedja schedule', 'abandoned', 4, now())`, "ABANDONED", nil, true},
		{"SkippedStillRunning", `INSERT INTO check_runs (checks, slot, trigger, actor, status)
			VALUES ('{exposure}', '2030-01-07T13:00Z', 'schedule', 'kedja schedule', 'skipped_still_running')`, "SKIPPED_STILL_RUNNING", nil, false},
		{"ClaimedElsewhere", `INSERT INTO check_runs (checks, slot, trigger, actor, status)
			VALUES ('{exposure}', '2030-01-07T14:00Z', 'schedule', 'kedja schedule', 'claimed_elsewhere')`, "CLAIMED_ELSEWHERE", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := h.store.DB().Exec(tt.insert); err != nil {
				t.Fatal(err)
			}
			// The newest run is the one just written; an auditor may read it.
			r := h.with(t).as("auditor").post(`{ checkRuns(first: 1) { nodes { status failure failed evaluatedAt slot } } }`, nil)
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %+v", r.Errors)
			}
			if strings.Contains(string(r.Data), "findings_secret_name") {
				t.Errorf("the answer shows the internal error: %s", r.Data)
			}
			var runs struct {
				CheckRuns struct {
					Nodes []struct {
						Status      string
						Failure     *string
						Failed      bool
						EvaluatedAt *string
						Slot        string
					}
				}
			}
			if err := json.Unmarshal(r.Data, &runs); err != nil || len(runs.CheckRuns.Nodes) != 1 {
				t.Fatalf("answer %s: %v", r.Data, err)
			}
			got := runs.CheckRuns.Nodes[0]
			if got.Status != tt.wantStatus || (got.Failure == nil) != (tt.wantFailure == nil) ||
				(got.Failure != nil && *got.Failure != *tt.wantFailure) || got.Failed != (tt.wantStatus == "FAILED") ||
				(got.EvaluatedAt != nil) != tt.evaluated || got.Slot == "" {
				t.Errorf("got %+v, want status %s, failure %v, evaluated %v", got, tt.wantStatus, tt.wantFailure, tt.evaluated)
			}
		})
	}

	// Every status and failure is documented.
	for _, enum := range []string{"CheckRunStatus", "CheckRunFailure"} {
		var doc struct {
			Type struct {
				Description string
				EnumValues  []struct{ Name, Description string }
			} `json:"__type"`
		}
		h.data(`query($n: String!) { __type(name: $n) { description enumValues { name description } } }`, map[string]any{"n": enum}, &doc)
		if doc.Type.Description == "" || len(doc.Type.EnumValues) == 0 {
			t.Errorf("%s: %+v, want a description and values", enum, doc.Type)
		}
		for _, v := range doc.Type.EnumValues {
			if v.Description == "" {
				t.Errorf("%s.%s has no description", enum, v.Name)
			}
		}
	}
}

func ptr[T any](v T) *T { return &v }
