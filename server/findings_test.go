package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
)

func TestFindingsOverGraphQL(t *testing.T) {
	h := newHarness(t, true)
	// A run keeps the live findings: it evaluates the registry now.
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
	h.data(`mutation { runChecks { id found opened failed status failure } }`, nil, &run)
	if run.RunChecks.Failed || run.RunChecks.Status != "RAN" || run.RunChecks.Failure != nil || run.RunChecks.Found == 0 ||
		run.RunChecks.Opened != run.RunChecks.Found {
		t.Fatalf("run: %+v", run.RunChecks)
	}
	// The 2019 findings, as a run then would have kept them (the store
	// still runs at any instant, for tests and tools).
	past, err := h.store.RunChecks(context.Background(), registry.RunOptions{At: at2019, Trigger: "api", Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	pastID := fmt.Sprint(past.RunID)

	var critical struct {
		Findings struct {
			Nodes []struct {
				ID            string
				Check         string
				Severity      string
				Since         string
				Evidence      string
				SubjectParty  *struct{ LegalName string }
				SubjectSystem *struct{ Name string }
				Controller    struct{ LegalName string }
				Controllers   []struct {
					Controller struct{ LegalName string }
					Path       []struct{ To struct{ LegalName string } }
					Since      string
				}
				Events []struct{ Event, RunID string }
			}
		}
	}
	h.data(`{ findings(filter: {severity: CRITICAL, status: OPEN}, first: 500) { nodes {
		id check severity since evidence subjectParty { legalName } subjectSystem { name } controller { legalName }
		controllers { controller { legalName } path { to { legalName } } since } events { event runId } } } }`, nil, &critical)
	var medicall, nas bool
	for _, f := range critical.Findings.Nodes {
		if f.SubjectParty != nil && f.SubjectParty.LegalName == "Medicall Co., Ltd." && f.Check == "third_country" {
			medicall = true
			var names []string
			for _, c := range f.Controllers {
				names = append(names, c.Controller.LegalName)
				if c.Controller.LegalName == "Region Värmland" &&
					(len(c.Path) != 2 || c.Path[1].To.LegalName != "Medicall Co., Ltd." || !strings.HasPrefix(c.Since, "2013-01-01")) {
					t.Errorf("Region Värmland's path to Medicall: %+v, want Region Värmland -> Medhelp -> Medicall since 2013", c)
				}
			}
			if strings.Join(names, ", ") != "Medhelp AB, Region Stockholm, Region Sörmland, Region Värmland" {
				t.Errorf("Medicall's controllers: %v, want Medhelp (the shortest path) and the three regions", names)
			}
			if f.Controller.LegalName != "Medhelp AB" {
				t.Errorf("the deprecated controller is %q, want the first of controllers", f.Controller.LegalName)
			}
			if len(f.Events) != 1 || f.Events[0].Event != "opened" || f.Events[0].RunID != pastID {
				t.Errorf("Medicall's history: %+v", f.Events)
			}
			if !strings.Contains(f.Evidence, `"Princess"`) || !strings.Contains(f.Evidence, `"Biz 2.0"`) {
				t.Errorf("Medicall's evidence %s does not name the systems it reaches", f.Evidence)
			}
		}
		if f.SubjectSystem != nil && strings.Contains(f.SubjectSystem.Name, "NAS") && f.Check == "exposure" {
			nas = true
			if !strings.HasPrefix(f.Since, "2016-01-01") {
				t.Errorf("the storage server exposed since %s, want its 2016 profile", f.Since)
			}
		}
	}
	if !medicall || !nas {
		t.Errorf("critical findings lack Medicall (%v) or the exposed storage server (%v)", medicall, nas)
	}

	// A controller's view: the findings that affect its chain.
	var mine struct {
		Findings struct{ Nodes []struct{ Check string } }
	}
	h.data(`query($c: ID!) { findings(filter: {controllerId: $c, check: "third_country"}) { nodes { check } } }`,
		map[string]any{"c": h.orgID("Region Värmland")}, &mine)
	if len(mine.Findings.Nodes) != 1 {
		t.Errorf("Region Värmland's third_country findings: %+v, want Medicall's", mine.Findings.Nodes)
	}

	// Counts by severity, check, party and controller.
	var sum struct {
		FindingSummary struct {
			Total      int
			BySeverity []struct {
				Severity string
				Count    int
			}
			ByParty []struct {
				Party struct{ LegalName string }
				Count int
			}
			ByController []struct {
				Party struct{ LegalName string }
				Count int
			}
		}
	}
	h.data(`{ findingSummary { total bySeverity { severity count } byParty { party { legalName } count }
		byController { party { legalName } count } } }`, nil, &sum)
	if fs := sum.FindingSummary; fs.Total == 0 || len(fs.BySeverity) == 0 || fs.BySeverity[0].Severity != "CRITICAL" ||
		len(fs.ByController) != 4 || fs.ByController[0].Count > fs.Total {
		t.Errorf("summary: %+v", fs)
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
		{"RunAsOfThePast", `mutation { runChecks(at: "2019-02-01T12:00") { id } }`, "INVALID_INPUT", "at"},
		{"EvaluateUnknownCheck", `{ evaluateChecks(at: "2019-02-01", checks: ["vibes"]) { evaluatedAt } }`, "INVALID_INPUT", "checks"},
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
	if len(runs.CheckRuns.Nodes) < 2 || runs.CheckRuns.Nodes[0].ID != pastID || runs.CheckRuns.Nodes[1].ID != run.RunChecks.ID ||
		len(runs.CheckRuns.Nodes[1].Checks) != len(h.store.Checks()) {
		t.Errorf("check runs: %+v", runs.CheckRuns.Nodes)
	}
}

var at2019, _ = time.ParseInLocation("2006-01-02T15:04", "2019-02-01T12:00", time.FixedZone("CET", 3600))

// evaluateChecks answers "what would the checks have said on 2019-02-01?"
// on the demo: one finding per fact, the Thai transfer once with its
// controllers and since, and nothing live touched.
func TestEvaluateChecksOnTheDemo(t *testing.T) {
	h := newHarness(t, true)
	// Live findings and their history, as a scheduled run keeps them.
	if _, err := h.store.RunChecks(context.Background(), registry.RunOptions{Trigger: "api", Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	state := func() string {
		var s string
		if err := h.store.DB().QueryRow(`SELECT
			(SELECT COALESCE(string_agg(concat_ws('/', id, check_id, subject_id, status, severity, message, since, last_seen), ';' ORDER BY id), '') FROM findings) ||
			(SELECT COALESCE(string_agg(concat_ws('/', id, finding_id, event), ';' ORDER BY id), '') FROM finding_events) ||
			(SELECT COALESCE(string_agg(concat_ws('/', finding_id, controller_id, path, last_seen), ';' ORDER BY 1), '') FROM finding_controllers) ||
			(SELECT count(*) FROM check_runs)`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := state()
	var eval struct {
		EvaluateChecks struct {
			EvaluatedAt string
			Checks      []string
			Findings    []struct {
				Check, Severity, Since string
				SubjectParty           *struct{ LegalName string }
				SubjectSystem          *struct{ Name string }
				SubjectLink            *struct {
					From, To struct{ LegalName string }
				}
				Controllers []struct {
					Controller struct{ LegalName string }
					FirstSeen  *string
				}
			}
		}
	}
	h.data(`{ evaluateChecks(at: "2019-02-01T12:00") { evaluatedAt checks findings { check severity since
		subjectParty { legalName } subjectSystem { name } subjectLink { from { legalName } to { legalName } }
		controllers { controller { legalName } firstSeen } } } }`, nil, &eval)
	if after := state(); after != before {
		t.Errorf("evaluateChecks changed the live findings:\nbefore %s\nafter  %s", before, after)
	}
	var got []string
	for _, f := range eval.EvaluateChecks.Findings {
		subject := ""
		switch {
		case f.SubjectParty != nil:
			subject = f.SubjectParty.LegalName
		case f.SubjectSystem != nil:
			subject = f.SubjectSystem.Name
		case f.SubjectLink != nil:
			subject = f.SubjectLink.From.LegalName + " -> " + f.SubjectLink.To.LegalName
		}
		got = append(got, f.Check+" "+subject+" "+f.Severity)
		if f.Check == "third_country" && subject == "Medicall Co., Ltd." {
			var names []string
			for _, c := range f.Controllers {
				names = append(names, c.Controller.LegalName)
				if c.FirstSeen != nil {
					t.Errorf("an evaluated finding says it was first seen %s", *c.FirstSeen)
				}
			}
			if strings.Join(names, ", ") != "Medhelp AB, Region Stockholm, Region Sörmland, Region Värmland" {
				t.Errorf("the Thai transfer's controllers: %v, want the three regions and Medhelp", names)
			}
			// The links from the regions and Medhelp to Medicall began in
			// 2013, as the demo's dated facts say.
			if !strings.HasPrefix(f.Since, "2013-01-01") {
				t.Errorf("the Thai transfer since %q, want 2013-01-01", f.Since)
			}
		}
	}
	// Sorted as evaluateChecks answers: the gravest first, then by check.
	want := []string{
		"disclosure_basis Medicall Co., Ltd. CRITICAL",
		"exposure Recording storage server (NAS) CRITICAL",
		"third_country Medicall Co., Ltd. CRITICAL",
		"agreement Medhelp AB -> Medicall Co., Ltd. HIGH",
		"agreement Medhelp AB -> Voice Integrate Nordic AB HIGH",
		"agreement Medicall Co., Ltd. -> Voice Integrate Nordic AB HIGH",
		"attestation Medhelp AB HIGH",
		"attestation Medicall Co., Ltd. HIGH",
		"attestation Voice Integrate Nordic AB HIGH",
		"authorisation Medhelp AB -> Medicall Co., Ltd. HIGH",
		"authorisation Medhelp AB -> Voice Integrate Nordic AB HIGH",
		"authorisation Medicall Co., Ltd. -> Voice Integrate Nordic AB HIGH",
		"internet_access Biz 2.0 HIGH",
		"notice_gap Region Stockholm HIGH",
		"notice_gap Region Sörmland HIGH",
		"notice_gap Region Värmland HIGH",
		"notice_gap Medhelp AB HIGH",
		"record_gap Region Stockholm HIGH",
		"record_gap Region Sörmland HIGH",
		"record_gap Region Värmland HIGH",
		"record_gap Medhelp AB HIGH",
		"backup Princess MEDIUM",
		"backup Biz 2.0 MEDIUM",
		"backup Recording storage server (NAS) MEDIUM",
		"identifiers_in_names Recording storage server (NAS) MEDIUM",
		"not_established Princess MEDIUM",
		"not_established Biz 2.0 MEDIUM",
		"retention Princess MEDIUM",
		"retention Biz 2.0 MEDIUM",
		"retention Recording storage server (NAS) MEDIUM",
		"shared_storage Recording storage server (NAS) MEDIUM",
		"unsupported_software Recording storage server (NAS) MEDIUM",
		"vulnerability_scan Biz 2.0 MEDIUM",
		"vulnerability_scan Recording storage server (NAS) MEDIUM",
		"vulnerability_scan Princess LOW",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("as of 2019-02-01 the checks would say:\n%s\nwant (one finding per fact):\n%s",
			strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(eval.EvaluateChecks.Checks) != len(h.store.Checks()) || !strings.HasPrefix(eval.EvaluateChecks.EvaluatedAt, "2019-02-01T12:00:00") {
		t.Errorf("evaluation: at %s, checks %v", eval.EvaluateChecks.EvaluatedAt, eval.EvaluateChecks.Checks)
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
