package server_test

import (
	"fmt"
	"strings"
	"testing"
)

// A condition of a link's agreement, set by an editor through the API,
// read by an auditor, judged by evaluateChecks against an access path
// below the link, ended, and audited; the access-request role sees none of
// it and the auditor writes none of it.
func TestAgreementConditionsThroughTheAPI(t *testing.T) {
	h := newHarness(t, false)
	id, org := h.created, h.organisation
	region, provider := org("Region Villkor", "REGION"), org("Drift AB", "COMPANY")
	link := id(`mutation($f: ID!, $t: ID!) { l: createLink(input: {fromId: $f, toId: $t, role: PROCESSOR, purpose: "Runs the region's call recorder",
		healthData: true, agreementRef: "DPA-7", validFrom: "2020-01-01"}) { id } }`, map[string]any{"f": region, "t": provider})
	rec := id(`mutation($op: ID!) { s: createSystem(input: {name: "Recorder", kind: RECORDING, operatorId: $op}) { id } }`, map[string]any{"op": provider})
	id(`mutation($l: ID!, $s: ID!, $p: ID!) { u: createSystemUse(input: {linkId: $l, systemId: $s, partyId: $p, validFrom: "2020-01-01"}) { id } }`,
		map[string]any{"l": link, "s": rec, "p": provider})
	id(`mutation($s: ID!) { p: addAccessPath(input: {systemId: $s, audience: VENDOR_SUPPORT, origin: VPN, authentication: MFA, validFrom: "2021-03-01"}) { id } }`,
		map[string]any{"s": rec})
	cond := id(`mutation($l: ID!) { c: setAgreementCondition(input: {linkId: $l, kind: NO_SUPPLIER_ACCESS_TO_HEALTH_DATA, clause: "7.2",
		validFrom: "2020-01-01"}) { id } }`, map[string]any{"l": link})
	id(`mutation($l: ID!) { c: setAgreementCondition(input: {linkId: $l, kind: DATA_STAYS_IN, allowedCountries: ["eea"], validFrom: "2020-01-01"}) { id } }`,
		map[string]any{"l": link})

	type finding struct {
		Check, Severity, Since, Message string
		SubjectLink                     *struct{ ID string }
	}
	evaluate := func(at string) []finding {
		t.Helper()
		var out struct{ EvaluateChecks struct{ Findings []finding } }
		h.data(`query($at: Instant!) { evaluateChecks(at: $at, checks: ["agreement_condition"]) { findings { check severity since message subjectLink { id } } } }`,
			map[string]any{"at": at}, &out)
		return out.EvaluateChecks.Findings
	}
	got := evaluate("2022-06-01T12:00:00Z")
	if len(got) != 1 || got[0].Severity != "HIGH" || got[0].SubjectLink == nil || got[0].SubjectLink.ID != link ||
		!strings.HasPrefix(got[0].Since, "2021-03-01") || !strings.Contains(got[0].Message, "vendor support") {
		t.Fatalf("evaluated: %+v, want one HIGH finding on link %s since 2021-03-01", got, link)
	}
	var ended struct{ EndAgreementCondition struct{ ValidTo string } }
	h.data(`mutation($c: ID!) { endAgreementCondition(id: $c, at: "2022-01-01") { validTo } }`, map[string]any{"c": cond}, &ended)
	if !strings.HasPrefix(ended.EndAgreementCondition.ValidTo, "2022-01-01") {
		t.Errorf("ended: %+v", ended)
	}
	if got := evaluate("2022-06-01T12:00:00Z"); len(got) != 0 {
		t.Errorf("after the condition ended: %+v, want none", got)
	}

	for _, tt := range []struct{ name, query, code, field string }{
		{"CountriesOnAnotherKind", `mutation { setAgreementCondition(input: {linkId: "` + link + `", kind: NO_PRIVILEGED_ACCESS_ABROAD,
			allowedCountries: ["SE"], validFrom: "2020-01-01"}) { id } }`, "INVALID_INPUT", "allowedCountries"},
		{"StaysInNowhere", `mutation { setAgreementCondition(input: {linkId: "` + link + `", kind: DATA_STAYS_IN, validFrom: "2023-01-01"}) { id } }`,
			"INVALID_INPUT", "allowedCountries"},
		{"NoSuchCountry", `mutation { setAgreementCondition(input: {linkId: "` + link + `", kind: DATA_STAYS_IN, allowedCountries: ["QQ"],
			validFrom: "2023-01-01"}) { id } }`, "NOT_FOUND", "allowedCountries"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if r := h.with(t).post(tt.query, nil); r.code() != tt.code || r.field() != tt.field {
				t.Errorf("%+v, want %s on %s", r, tt.code, tt.field)
			}
		})
	}

	read := `query($l: ID!) { link(id: $l) { conditions { kind allowedCountries clause validFrom validTo link { id } history { op } } } }`
	vars := map[string]any{"l": link}
	var read1 struct {
		Link struct {
			Conditions []struct {
				Kind             string
				AllowedCountries []string
				Clause           *string
				ValidTo          *string
				History          []struct{ Op string }
			}
		}
	}
	h.as("auditor").data(read, vars, &read1)
	cs := read1.Link.Conditions
	if len(cs) != 2 || cs[0].Kind != "DATA_STAYS_IN" || fmt.Sprint(cs[0].AllowedCountries) != "[EEA]" ||
		cs[1].Kind != "NO_SUPPLIER_ACCESS_TO_HEALTH_DATA" || cs[1].Clause == nil || *cs[1].Clause != "7.2" || cs[1].ValidTo == nil ||
		len(cs[1].History) != 2 {
		t.Errorf("as auditor: %+v", read1)
	}
	for _, tt := range []struct{ name, role, query string }{
		{"DSRReadsNone", "dsr", read},
		{"AuditorSetsNone", "auditor", `mutation { setAgreementCondition(input: {linkId: "` + link + `", kind: NO_PRIVILEGED_ACCESS_ABROAD, validFrom: "2020-01-01"}) { id } }`},
		{"AuditorEndsNone", "auditor", `mutation { endAgreementCondition(id: "` + cond + `", at: "2023-01-01") { id } }`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if r := h.with(t).as(tt.role).post(tt.query, vars); r.code() != "FORBIDDEN" {
				t.Errorf("as %s: %+v, want FORBIDDEN", tt.role, r)
			}
		})
	}
	for _, op := range []string{"mutation setAgreementCondition", "mutation endAgreementCondition"} {
		if n := h.count(fmt.Sprintf(`SELECT count(*) FROM audit_log WHERE operation LIKE '%s%%' AND outcome = 'ok'
			AND affected[1] LIKE 'agreement_condition:%%'`, op)); n < 1 {
			t.Errorf("no audit entry for %s", op)
		}
	}
}
