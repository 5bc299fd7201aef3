package server_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// The 2022 processor breach, entered through the API: a remote-access
// gateway reached from the internet by customers' users with passwords
// alone gives access to a hosting environment; every health system hosted
// there, or running on it, is raised as high, naming the gateway and the
// access path. Staff come in with MFA, which alone would raise nothing.
func TestGatewayWeaknessReachesEverySystemBehindIt(t *testing.T) {
	h := newHarness(t, false)
	id, org := h.created, h.organisation
	region, host := org("Region Testland", "REGION"), org("Hosting AB", "COMPANY")
	link := id(`mutation($f: ID!, $t: ID!) { l: createLink(input: {fromId: $f, toId: $t, role: PROCESSOR, purpose: "Hosts the region's health systems",
		healthData: true, agreementRef: "DPA-7", validFrom: "2020-01-01"}) { id } }`, map[string]any{"f": region, "t": host})
	system := func(name, kind string) string {
		return id(`mutation($n: String!, $k: SystemKind!, $op: ID!) { s: createSystem(input: {name: $n, kind: $k, operatorId: $op}) { id } }`,
			map[string]any{"n": name, "k": kind, "op": host})
	}
	gateway, env := system("Remote access gateway", "OTHER"), system("Hosting environment", "OTHER")
	health := map[string]string{"Patient records": system("Patient records", "RECORDS"), "Lab results": system("Lab results", "OTHER"),
		"Backups": system("Backups", "BACKUP")}
	for name, sys := range health {
		id(`mutation($l: ID!, $s: ID!, $p: ID!) { u: createSystemUse(input: {linkId: $l, systemId: $s, partyId: $p, validFrom: "2020-01-01"}) { id } }`,
			map[string]any{"l": link, "s": sys, "p": host})
		kind := "HOSTED_IN"
		if name == "Backups" {
			kind = "RUNS_ON"
		}
		id(`mutation($f: ID!, $t: ID!, $k: SystemRelationKind!) { r: addSystemRelation(input: {fromSystemId: $f, toSystemId: $t, kind: $k, validFrom: "2020-01-01"}) { id } }`,
			map[string]any{"f": sys, "t": env, "k": kind})
	}
	id(`mutation($f: ID!, $t: ID!) { r: addSystemRelation(input: {fromSystemId: $f, toSystemId: $t, kind: GIVES_ACCESS_TO, validFrom: "2020-01-01"}) { id } }`,
		map[string]any{"f": gateway, "t": env})
	customers := id(`mutation($s: ID!) { p: addAccessPath(input: {systemId: $s, audience: CUSTOMER_USERS, origin: INTERNET, authentication: PASSWORD,
		headCount: 400, validFrom: "2020-01-01"}) { id } }`, map[string]any{"s": gateway})
	id(`mutation($s: ID!) { p: addAccessPath(input: {systemId: $s, audience: OWN_STAFF, origin: INTERNET, authentication: MFA, privileged: true,
		validFrom: "2020-01-01"}) { id } }`, map[string]any{"s": gateway})
	// A profile with facts left out records them as not established.
	var prof struct {
		SetSystemProfile struct {
			InternetExposed  *bool
			Authentication   *string
			EncryptionAtRest *bool
			BackupExists     *bool
		}
	}
	h.data(`mutation($s: ID!) { setSystemProfile(input: {systemId: $s, validFrom: "2020-01-01", internetExposed: false, encryptionAtRest: true}) {
		internetExposed authentication encryptionAtRest backupExists } }`, map[string]any{"s": health["Patient records"]}, &prof)
	if p := prof.SetSystemProfile; p.InternetExposed == nil || *p.InternetExposed || p.Authentication != nil || p.EncryptionAtRest == nil ||
		!*p.EncryptionAtRest || p.BackupExists != nil {
		t.Errorf("profile: %+v, want internetExposed false, encryptionAtRest true, the rest null", p)
	}

	var run struct{ RunChecks struct{ Status string } }
	h.data(`mutation { runChecks(checks: ["internet_access"]) { status } }`, nil, &run)
	if run.RunChecks.Status != "RAN" {
		t.Fatalf("run: %+v", run)
	}
	for name, sys := range health {
		t.Run(strings.ReplaceAll(name, " ", ""), func(t *testing.T) {
			var got struct {
				System struct {
					OpenFindings []struct{ Check, Severity, Message, Evidence string }
				}
			}
			h.with(t).data(`query($s: ID!) { system(id: $s) { openFindings { check severity message evidence } } }`, map[string]any{"s": sys}, &got)
			var found bool
			for _, f := range got.System.OpenFindings {
				if f.Check != "internet_access" {
					continue
				}
				found = true
				var ev struct {
					AccessPathID int64 `json:"accessPathId"`
					EntrySystem  string
					Through      string
				}
				if err := json.Unmarshal([]byte(f.Evidence), &ev); err != nil {
					t.Fatal(err)
				}
				if f.Severity != "HIGH" || ev.EntrySystem != "Remote access gateway" || ev.Through != "Remote access gateway -> Hosting environment" ||
					customers != jsonID(ev.AccessPathID) || !strings.Contains(f.Message, "through Remote access gateway -> Hosting environment") {
					t.Errorf("finding on %s: %+v, want HIGH through the gateway on access path %s", name, f, customers)
				}
			}
			if !found {
				t.Errorf("no internet_access finding on %s: %+v", name, got.System.OpenFindings)
			}
		})
	}

	// The gateway's paths and relations read both ways, for readers only.
	q := `query($g: ID!, $e: ID!) { g: system(id: $g) { accessPaths(at: "2022-06-01") { audience origin authentication privileged headCount }
		relations { kind to { name } } } e: system(id: $e) { relationsIn(at: "2022-06-01") { kind from { name } } } }`
	var read struct {
		G struct {
			AccessPaths []struct {
				Audience, Origin, Authentication string
				Privileged                       bool
				HeadCount                        *int
			}
			Relations []struct {
				Kind string
				To   struct{ Name string }
			}
		}
		E struct {
			RelationsIn []struct{ Kind string }
		}
	}
	h.as("auditor").data(q, map[string]any{"g": gateway, "e": env}, &read)
	if len(read.G.AccessPaths) != 2 || len(read.G.Relations) != 1 || read.G.Relations[0].To.Name != "Hosting environment" || len(read.E.RelationsIn) != 4 {
		t.Errorf("as auditor: %+v", read)
	}
	for _, tt := range []struct{ name, role, query string }{
		{"DSRReadsNoPaths", "dsr", q},
		{"AuditorWritesNoPaths", "auditor", `mutation { addAccessPath(input: {systemId: "1", audience: PUBLIC, origin: INTERNET, validFrom: "2020-01-01"}) { id } }`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if r := h.with(t).as(tt.role).post(tt.query, map[string]any{"g": gateway, "e": env}); r.code() != "FORBIDDEN" {
				t.Errorf("as %s: %+v, want FORBIDDEN", tt.role, r)
			}
		})
	}
	// Bad input is refused naming the field.
	if r := h.post(`mutation($s: ID!) { addAccessPath(input: {systemId: $s, gatewayId: $s, audience: PUBLIC, origin: INTERNET, validFrom: "2020-01-01"}) { id } }`,
		map[string]any{"s": gateway}); r.code() != "INVALID_INPUT" || r.field() != "gatewayId" {
		t.Errorf("a system as its own gateway: %+v, want INVALID_INPUT on gatewayId", r)
	}
}

func jsonID(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
