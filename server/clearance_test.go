package server_test

import (
	"testing"
)

// Security clearance of privileged staff through the API: a privileged
// path of vendor support whose clearance is left out reads back as null
// (not established) and raises privileged_clearance (medium); the same
// path recorded with cleared staff reads back true and clears it.
func TestPrivilegedClearanceThroughTheAPI(t *testing.T) {
	h := newHarness(t, false)
	id, org := h.created, h.organisation
	region, vendor := org("Region Clearland", "REGION"), org("Records Vendor AB", "COMPANY")
	link := id(`mutation($f: ID!, $t: ID!) { l: createLink(input: {fromId: $f, toId: $t, role: PROCESSOR, purpose: "Runs the patient records",
		healthData: true, agreementRef: "DPA-9", validFrom: "2020-01-01"}) { id } }`, map[string]any{"f": region, "t": vendor})
	sys := id(`mutation($op: ID!) { s: createSystem(input: {name: "Patient records", kind: RECORDS, operatorId: $op}) { id } }`,
		map[string]any{"op": vendor})
	id(`mutation($l: ID!, $s: ID!, $p: ID!) { u: createSystemUse(input: {linkId: $l, systemId: $s, partyId: $p, validFrom: "2020-01-01"}) { id } }`,
		map[string]any{"l": link, "s": sys, "p": vendor})

	open := func(t *testing.T) string {
		t.Helper()
		var run struct{ RunChecks struct{ Status string } }
		h.with(t).data(`mutation { runChecks(checks: ["privileged_clearance"]) { status } }`, nil, &run)
		if run.RunChecks.Status != "RAN" {
			t.Fatalf("run: %+v", run)
		}
		var got struct {
			System struct {
				OpenFindings []struct{ Check, Severity, Message string }
			}
		}
		h.with(t).data(`query($s: ID!) { system(id: $s) { openFindings { check severity message } } }`, map[string]any{"s": sys}, &got)
		for _, f := range got.System.OpenFindings {
			if f.Check == "privileged_clearance" {
				return f.Severity
			}
		}
		return ""
	}
	var added struct {
		P struct {
			ID           string
			StaffCleared *bool
		}
	}
	h.data(`mutation($s: ID!) { p: addAccessPath(input: {systemId: $s, audience: VENDOR_SUPPORT, origin: VPN, authentication: MFA,
		privileged: true, headCount: 3, validFrom: "2020-01-01"}) { id staffCleared } }`, map[string]any{"s": sys}, &added)
	t.Run("UnknownReadsNullAndRaises", func(t *testing.T) {
		if added.P.StaffCleared != nil {
			t.Errorf("staffCleared %v, want null (not established)", *added.P.StaffCleared)
		}
		if sev := open(t); sev != "MEDIUM" {
			t.Errorf("privileged_clearance %q, want MEDIUM", sev)
		}
	})
	t.Run("ClearedStaffClear", func(t *testing.T) {
		h.created(`mutation($p: ID!) { p: endAccessPath(id: $p, at: "2021-01-01") { id } }`, map[string]any{"p": added.P.ID})
		var again struct{ P struct{ StaffCleared *bool } }
		h.with(t).data(`mutation($s: ID!) { p: addAccessPath(input: {systemId: $s, audience: VENDOR_SUPPORT, origin: VPN, authentication: MFA,
			privileged: true, staffCleared: true, validFrom: "2021-01-01"}) { staffCleared } }`, map[string]any{"s": sys}, &again)
		if again.P.StaffCleared == nil || !*again.P.StaffCleared {
			t.Errorf("staffCleared %v, want true", again.P.StaffCleared)
		}
		if sev := open(t); sev != "" {
			t.Errorf("privileged_clearance %q after the staff were recorded cleared, want none", sev)
		}
	})
}
