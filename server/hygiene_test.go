package server_test

import (
	"fmt"
	"testing"
)

// Software, scans, tenancy, file names, conduct beyond instructions and
// risk assessments, entered through the API by an editor, read by an
// auditor, judged by evaluateChecks with the run's own periods, and
// audited; the access-request role sees none of it.
func TestHygieneThroughTheAPI(t *testing.T) {
	h := newHarness(t, false)
	id, org := h.created, h.organisation
	region, host := org("Region Hygien", "REGION"), org("Lagring AB", "COMPANY")
	link := id(`mutation($f: ID!, $t: ID!) { l: createLink(input: {fromId: $f, toId: $t, role: PROCESSOR, purpose: "Stores the region's call recordings",
		healthData: true, agreementRef: "DPA-9", validFrom: "2020-01-01"}) { id } }`, map[string]any{"f": region, "t": host})
	nas := id(`mutation($op: ID!) { s: createSystem(input: {name: "Shared NAS", kind: STORAGE, operatorId: $op}) { id } }`, map[string]any{"op": host})
	id(`mutation($l: ID!, $s: ID!, $p: ID!) { u: createSystemUse(input: {linkId: $l, systemId: $s, partyId: $p, validFrom: "2020-01-01"}) { id } }`,
		map[string]any{"l": link, "s": nas, "p": host})
	id(`mutation($s: ID!) { p: addAccessPath(input: {systemId: $s, audience: CUSTOMER_USERS, origin: INTERNET, authentication: MFA, validFrom: "2020-01-01"}) { id } }`,
		map[string]any{"s": nas})

	comp := id(`mutation($s: ID!) { c: addSoftwareComponent(input: {systemId: $s, product: "Apache httpd", version: "2.4.49", endOfSupport: "2021-10-07",
		validFrom: "2020-01-01"}) { id } }`, map[string]any{"s": nas})
	vuln := id(`mutation($c: ID!) { v: recordExploitedVulnerability(input: {componentId: $c, cveId: "cve-2021-41773", listedOn: "2021-11-03"}) { id } }`,
		map[string]any{"c": comp})
	id(`mutation($s: ID!) { v: recordVulnerabilityScan(input: {systemId: $s, scannedOn: "2020-06-01", scope: "external, unauthenticated"}) { id } }`,
		map[string]any{"s": nas})
	id(`mutation($s: ID!) { t: setSystemTenancy(input: {systemId: $s, sharedWithOtherCustomers: true, validFrom: "2020-01-01"}) { id } }`,
		map[string]any{"s": nas})
	id(`mutation($s: ID!) { n: setNameIdentifiers(input: {systemId: $s, phoneNumbers: true, validFrom: "2020-01-01"}) { id } }`,
		map[string]any{"s": nas})
	id(`mutation($l: ID!) { c: setInstructionConduct(input: {linkId: $l, beyondInstructions: true, what: "records calls the region never asked it to record",
		validFrom: "2021-01-01"}) { id } }`, map[string]any{"l": link})
	id(`mutation($c: ID!, $p: ID!) { a: recordRiskAssessment(input: {controllerId: $c, kind: DPIA, assessedOn: "2020-03-01", coveredPartyIds: [$p]}) { id } }`,
		map[string]any{"c": region, "p": host})

	evaluate := func(args string) map[string]string {
		t.Helper()
		var out struct {
			EvaluateChecks struct {
				Findings []struct {
					Check, Severity string
					SubjectSystem   *struct{ Name string }
					SubjectLink     *struct{ ID string }
				}
			}
		}
		h.data(`{ evaluateChecks(at: "2022-06-01T12:00"`+args+`, checks: ["exploited_vulnerability", "unsupported_software", "vulnerability_scan",
			"shared_storage", "identifiers_in_names", "beyond_instructions", "supplier_assessment"]) { findings { check severity
			subjectSystem { name } subjectLink { id } } } }`, nil, &out)
		got := map[string]string{}
		for _, f := range out.EvaluateChecks.Findings {
			got[f.Check] = f.Severity
		}
		return got
	}
	want := map[string]string{"exploited_vulnerability": "HIGH", "unsupported_software": "MEDIUM", "vulnerability_scan": "MEDIUM",
		"shared_storage": "MEDIUM", "identifiers_in_names": "MEDIUM", "beyond_instructions": "HIGH", "supplier_assessment": "INFO"}
	if got := evaluate(""); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("evaluated: %v\nwant %v", got, want)
	}
	// The run's scan period: a scan two years old is recent enough if the
	// caller allows three.
	if got := evaluate(", scanDays: 1095"); got["vulnerability_scan"] != "" {
		t.Errorf("with scanDays 1095: %v, want no vulnerability_scan", got)
	}
	// Patched: the known-exploited finding clears; a second patch day is refused.
	var patched struct {
		PatchVulnerability struct{ CveID, PatchedOn string }
	}
	h.data(`mutation($v: ID!) { patchVulnerability(id: $v, on: "2022-03-01") { cveId patchedOn } }`, map[string]any{"v": vuln}, &patched)
	if p := patched.PatchVulnerability; p.CveID != "CVE-2021-41773" || p.PatchedOn != "2022-03-01" {
		t.Errorf("patched: %+v", p)
	}
	if got := evaluate(""); got["exploited_vulnerability"] != "" || got["unsupported_software"] != "MEDIUM" {
		t.Errorf("after the patch: %v, want no exploited_vulnerability, unsupported_software still", got)
	}

	for _, tt := range []struct{ name, query, code, field string }{
		{"PatchedTwice", `mutation { patchVulnerability(id: "` + vuln + `", on: "2022-04-01") { id } }`, "INVALID_INPUT", "on"},
		{"ScanDaysOutOfRange", `{ evaluateChecks(at: "2022-06-01", scanDays: 5000) { checks } }`, "INVALID_INPUT", "scanDays"},
		{"RestoreDaysNegative", `mutation { runChecks(restoreTestDays: -1) { id } }`, "INVALID_INPUT", "restoreTestDays"},
		{"MalformedCVE", `mutation { recordExploitedVulnerability(input: {componentId: "` + comp + `", cveId: "log4shell", listedOn: "2021-12-10"}) { id } }`,
			"INVALID_INPUT", "cveId"},
		{"SharersYetNotShared", `mutation { setSystemTenancy(input: {systemId: "` + nas + `", sharedWithOtherCustomers: false, sharingControllerIds: ["` + region + `"],
			validFrom: "2023-01-01"}) { id } }`, "INVALID_INPUT", "sharedWithOtherCustomers"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if r := h.with(t).post(tt.query, nil); r.code() != tt.code || r.field() != tt.field {
				t.Errorf("%+v, want %s on %s", r, tt.code, tt.field)
			}
		})
	}

	// Auditors read it all; they write none of it, and the access-request
	// role reads none of it.
	read := `query($s: ID!, $l: ID!, $o: ID!) {
		system(id: $s) { softwareComponents { product version endOfSupport exploitedVulnerabilities { cveId listedOn patchedOn } }
			vulnerabilityScans { scannedOn scope } tenancies { sharedWithOtherCustomers segmented sharingControllers { id } }
			nameIdentifiers { phoneNumbers personalIdentityNumbers } }
		link(id: $l) { conduct { beyondInstructions what } }
		organisation(id: $o) { riskAssessments { kind assessedOn coveredParties { legalName } coveredLinks { id } } } }`
	vars := map[string]any{"s": nas, "l": link, "o": region}
	var got struct {
		System struct {
			SoftwareComponents []struct {
				Product, Version, EndOfSupport string
				ExploitedVulnerabilities       []struct{ CveID, ListedOn, PatchedOn string }
			}
			VulnerabilityScans []struct{ ScannedOn, Scope string }
			Tenancies          []struct {
				SharedWithOtherCustomers *bool
				Segmented                *bool
				SharingControllers       []struct{ ID string }
			}
			NameIdentifiers []struct{ PhoneNumbers, PersonalIdentityNumbers *bool }
		}
		Link struct {
			Conduct []struct {
				BeyondInstructions *bool
				What               string
			}
		}
		Organisation struct {
			RiskAssessments []struct {
				Kind, AssessedOn string
				CoveredParties   []struct{ LegalName string }
				CoveredLinks     []struct{ ID string }
			}
		}
	}
	h.as("auditor").data(read, vars, &got)
	sys := got.System
	if len(sys.SoftwareComponents) != 1 || sys.SoftwareComponents[0].EndOfSupport != "2021-10-07" ||
		len(sys.SoftwareComponents[0].ExploitedVulnerabilities) != 1 || sys.SoftwareComponents[0].ExploitedVulnerabilities[0].PatchedOn != "2022-03-01" ||
		len(sys.VulnerabilityScans) != 1 || len(sys.Tenancies) != 1 || sys.Tenancies[0].SharedWithOtherCustomers == nil ||
		sys.Tenancies[0].Segmented != nil || len(sys.NameIdentifiers) != 1 || sys.NameIdentifiers[0].PersonalIdentityNumbers != nil ||
		len(got.Link.Conduct) != 1 || got.Link.Conduct[0].BeyondInstructions == nil || !*got.Link.Conduct[0].BeyondInstructions ||
		len(got.Organisation.RiskAssessments) != 1 || got.Organisation.RiskAssessments[0].Kind != "DPIA" ||
		len(got.Organisation.RiskAssessments[0].CoveredParties) != 1 || len(got.Organisation.RiskAssessments[0].CoveredLinks) != 0 {
		t.Errorf("as auditor: %+v", got)
	}
	for _, tt := range []struct{ name, role, query string }{
		{"DSRReadsNone", "dsr", read},
		{"AuditorRecordsNoComponent", "auditor", `mutation { addSoftwareComponent(input: {systemId: "` + nas + `", product: "nginx", validFrom: "2020-01-01"}) { id } }`},
		{"AuditorPatchesNothing", "auditor", `mutation { patchVulnerability(id: "` + vuln + `", on: "2022-03-01") { id } }`},
		{"AuditorRecordsNoAssessment", "auditor", `mutation { recordRiskAssessment(input: {controllerId: "` + region + `", kind: DPIA, assessedOn: "2020-01-01",
			coveredLinkIds: ["` + link + `"]}) { id } }`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if r := h.with(t).as(tt.role).post(tt.query, vars); r.code() != "FORBIDDEN" {
				t.Errorf("as %s: %+v, want FORBIDDEN", tt.role, r)
			}
		})
	}
	// Every write is in the audit log with the record it wrote.
	for _, tt := range []struct{ operation, affected string }{
		{"mutation addSoftwareComponent", "software_component:" + comp},
		{"mutation recordExploitedVulnerability", "exploited_vulnerability:" + vuln},
		{"mutation patchVulnerability", "exploited_vulnerability:" + vuln},
		{"mutation recordVulnerabilityScan", "vulnerability_scan:"},
		{"mutation setSystemTenancy", "system_tenancy:"},
		{"mutation setNameIdentifiers", "name_identifiers:"},
		{"mutation setInstructionConduct", "instruction_conduct:"},
		{"mutation recordRiskAssessment", "risk_assessment:"},
	} {
		if n := h.count(fmt.Sprintf(`SELECT count(*) FROM audit_log WHERE operation LIKE '%s%%' AND outcome = 'ok'
			AND affected[1] LIKE '%s%%'`, tt.operation, tt.affected)); n < 1 {
			t.Errorf("no audit entry for %s affecting %s", tt.operation, tt.affected)
		}
	}
}
