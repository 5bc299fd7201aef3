package server_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/server"
)

// A UK controller's chain, trace, responsibility and checks give the UK
// answer over HTTP (issue 14): its UK processor is domestic, no transfer;
// its Korean processor is a third country in August 2022 (the EU found
// Korea adequate in December 2021, the UK only from 19 December 2022), and
// the finding cites the UK GDPR; in January 2023 Korea is adequate.
func TestUKControllerJudgedByUKLaw(t *testing.T) {
	// A check run on a loaded test machine may outlast the default 15 s.
	cfg := server.DefaultConfig
	cfg.Timeout = 2 * time.Minute
	cfg.RatePerSecond, cfg.RateBurst = 1000, 1000
	h := newHarnessWith(t, false, cfg)
	ctx := context.Background()
	org := func(name, country, kind string) registry.Organisation {
		o, err := h.store.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: name, Country: country, Kind: kind})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	ctl := org("UK Health Line Ltd", "GB", "public_body")
	uk := org("London Calls Ltd", "GB", "company")
	kr := org("Seoul Voice Co.", "KR", "company")
	for _, p := range []registry.Organisation{uk, kr} {
		if _, err := h.store.CreateLink(ctx, "t", &registry.Link{FromID: ctl.ID, ToID: p.ID, Role: "processor", Purpose: "calls",
			HealthData: true, AgreementRef: new("DPA-1"), Period: registry.Period{From: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, at                    string
		ukClass, krClass, krFinding string // krFinding: severity of third_country on the Korean processor, "" for none
		krRef                       string
	}{
		{"August2022KoreaNotYetAdequateForTheUK", "2022-08-15T12:00Z", "DOMESTIC", "THIRD_COUNTRY", "CRITICAL", "UK GDPR Art. 44-49"},
		{"January2023KoreaAdequateForTheUK", "2023-01-10T12:00Z", "DOMESTIC", "ADEQUACY", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]any{"c": fmt.Sprint(ctl.ID), "at": tt.at}
			var chain struct {
				Chain struct {
					Steps []struct {
						To            struct{ ID string }
						TransferClass string
					}
				}
			}
			h.with(t).data(`query($c: ID!, $at: Instant!) { chain(controller: $c, at: $at) { steps { to { id } transferClass } } }`, vars, &chain)
			classes := map[string]string{}
			for _, s := range chain.Chain.Steps {
				classes[s.To.ID] = s.TransferClass
			}
			if classes[fmt.Sprint(uk.ID)] != tt.ukClass || classes[fmt.Sprint(kr.ID)] != tt.krClass {
				t.Errorf("chain classes %v: want UK processor %s, Korean %s", classes, tt.ukClass, tt.krClass)
			}

			var eval struct {
				EvaluateChecks struct {
					Findings []struct {
						Check, Severity, LegalRef string
						SubjectParty              *struct{ ID string }
					}
				}
			}
			h.with(t).data(`query($at: Instant!) { evaluateChecks(at: $at, checks: ["third_country", "third_country_safeguarded"]) {
				findings { check severity legalRef subjectParty { id } } } }`, map[string]any{"at": tt.at}, &eval)
			krSeverity, krRef := "", ""
			for _, f := range eval.EvaluateChecks.Findings {
				if f.SubjectParty == nil {
					continue
				}
				switch f.SubjectParty.ID {
				case fmt.Sprint(uk.ID):
					t.Errorf("the UK processor is raised: %s %s citing %s", f.Check, f.Severity, f.LegalRef)
				case fmt.Sprint(kr.ID):
					if f.Check == "third_country" {
						krSeverity, krRef = f.Severity, f.LegalRef
					}
				}
			}
			if krSeverity != tt.krFinding || krRef != tt.krRef {
				t.Errorf("Korean processor: third_country %q citing %q, want %q citing %q", krSeverity, krRef, tt.krFinding, tt.krRef)
			}

			var traced struct {
				TraceCall struct {
					Holders []struct {
						Party struct {
							ID            string
							TransferClass string
						}
						Transfer *string
					}
				}
			}
			h.with(t).data(`mutation($c: ID!, $at: Instant!) { traceCall(region: $c, at: $at, caseRef: "UK-LAW") {
				holders { party { id transferClass } transfer } } }`, vars, &traced)
			for _, x := range traced.TraceCall.Holders {
				switch x.Party.ID {
				case fmt.Sprint(uk.ID):
					if x.Party.TransferClass != tt.ukClass || x.Transfer == nil || *x.Transfer != registry.TransferNotNeeded {
						t.Errorf("trace: UK processor %s, transfer %v; want %s and %s", x.Party.TransferClass, x.Transfer, tt.ukClass, registry.TransferNotNeeded)
					}
				case fmt.Sprint(kr.ID):
					gap := x.Transfer != nil && *x.Transfer == registry.TransferNoMechanism
					if x.Party.TransferClass != tt.krClass || gap != (tt.krFinding != "") {
						t.Errorf("trace: Korean processor %s, transfer %v; want %s, a gap %v", x.Party.TransferClass, x.Transfer, tt.krClass, tt.krFinding != "")
					}
				}
			}

			for _, p := range []struct {
				id      int64
				wantGap bool
			}{{uk.ID, false}, {kr.ID, tt.krFinding != ""}} {
				var got struct {
					Responsibility struct {
						Missing []struct{ Code string }
					}
				}
				h.with(t).data(`query($p: ID!, $at: Instant!) { responsibility(organisation: $p, at: $at) { missing { code } } }`,
					map[string]any{"p": fmt.Sprint(p.id), "at": tt.at}, &got)
				gap := slices.ContainsFunc(got.Responsibility.Missing, func(m struct{ Code string }) bool {
					return m.Code == registry.GapNoTransferMechanism
				})
				if gap != p.wantGap {
					t.Errorf("responsibility of party %d: transfer gap %v, want %v (%+v)", p.id, gap, p.wantGap, got.Responsibility.Missing)
				}
			}
		})
	}
}

// An administrator keeps the laws' reference data over HTTP: a party's
// explicit jurisdiction changes the law its transfers are judged by, each
// law's adequacy decisions are listed and added, and bad input is refused
// naming the field.
func TestLawReferenceData(t *testing.T) {
	h := newHarness(t, false)
	ctl := h.organisation("Svensk UK-filial AB", "PUBLIC_BODY")
	gb := h.created(`mutation { o: createOrganisation(input: {legalName: "London Calls Ltd", country: "GB", kind: COMPANY}) { id } }`, nil)
	h.created(`mutation($f: ID!, $t: ID!) { l: createLink(input: {fromId: $f, toId: $t, role: PROCESSOR, purpose: "calls", agreementRef: "DPA-1",
		validFrom: "2020-01-01"}) { id } }`, map[string]any{"f": ctl, "t": gb})
	class := func(t *testing.T, at string) string {
		var got struct {
			Chain struct {
				Steps []struct{ TransferClass string }
			}
		}
		h.with(t).data(`query($c: ID!, $at: Instant!) { chain(controller: $c, at: $at) { steps { transferClass } } }`,
			map[string]any{"c": ctl, "at": at}, &got)
		if len(got.Chain.Steps) != 1 {
			t.Fatalf("steps %+v, want one", got.Chain.Steps)
		}
		return got.Chain.Steps[0].TransferClass
	}
	t.Run("ExplicitJurisdiction", func(t *testing.T) {
		if got := class(t, "2022-03-01T12:00Z"); got != "ADEQUACY" {
			t.Errorf("a Swedish party's UK processor in 2022: %s, want ADEQUACY (EU law)", got)
		}
		h.with(t).created(`mutation($o: ID!) { j: addPartyJurisdiction(input: {orgId: $o, law: UK, validFrom: "2022-01-01",
			note: "UK branch acting as controller"}) { id } }`, map[string]any{"o": ctl})
		if got := class(t, "2022-03-01T12:00Z"); got != "DOMESTIC" {
			t.Errorf("with a UK jurisdiction: %s, want DOMESTIC", got)
		}
		if got := class(t, "2021-12-01T12:00Z"); got != "ADEQUACY" {
			t.Errorf("before the jurisdiction: %s, want ADEQUACY", got)
		}
		var list struct {
			PartyJurisdictions []struct{ Law, ValidFrom string }
		}
		h.with(t).data(`query($o: ID!) { partyJurisdictions(organisation: $o) { law validFrom } }`, map[string]any{"o": ctl}, &list)
		if len(list.PartyJurisdictions) != 1 || list.PartyJurisdictions[0].Law != "UK" {
			t.Errorf("partyJurisdictions %+v, want the UK row", list.PartyJurisdictions)
		}
	})
	t.Run("LawAdequacyDecisions", func(t *testing.T) {
		var got struct {
			LawAdequacyDecisions []struct{ CountryCode, Scope, Law string }
		}
		h.with(t).data(`{ lawAdequacyDecisions(law: UK, at: "2023-01-10") { countryCode scope law } }`, nil, &got)
		codes := map[string]bool{}
		for _, d := range got.LawAdequacyDecisions {
			codes[d.CountryCode] = true
			if d.Law != "UK" {
				t.Errorf("a %s decision among the UK's", d.Law)
			}
		}
		if !codes["KR"] || !codes["IE"] || codes["GB"] || codes["US"] {
			t.Errorf("the UK's decisions on 2023-01-10 %v: want KR and IE, not GB or US", codes)
		}
		h.with(t).created(`mutation { d: addAdequacyDecision(input: {country: "BR", law: UK, scope: FULL, decidedOn: "2026-06-01",
			decisionRef: "test regulations"}) { id } }`, nil)
		var eu struct {
			LawAdequacyDecisions []struct{ CountryCode string }
		}
		h.with(t).data(`{ lawAdequacyDecisions(at: "2026-07-01") { countryCode } }`, nil, &eu)
		n := 0
		for _, d := range eu.LawAdequacyDecisions {
			if d.CountryCode == "BR" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("the EU's decisions for BR on 2026-07-01: %d, want its own one (the UK's is apart)", n)
		}
	})
	refused := []struct {
		name, query, code, field string
	}{
		{"Overlapping", `mutation($o: ID!) { addPartyJurisdiction(input: {orgId: $o, law: CH, validFrom: "2023-01-01"}) { id } }`,
			"CONFLICT", "validFrom"},
		{"UnknownParty", `mutation { addPartyJurisdiction(input: {orgId: "999999", law: CH, validFrom: "2023-01-01"}) { id } }`,
			"NOT_FOUND", "orgId"},
		{"EndBeforeStart", `mutation($o: ID!) { addPartyJurisdiction(input: {orgId: $o, law: CH, validFrom: "2010-01-01",
			validTo: "2009-01-01"}) { id } }`, "INVALID_INPUT", "validTo"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			r := h.with(t).post(tt.query, map[string]any{"o": ctl})
			if r.code() != tt.code || r.field() != tt.field {
				t.Errorf("got %s (%s): %+v, want %s naming %s", r.code(), r.field(), r.Errors, tt.code, tt.field)
			}
		})
	}
	t.Run("AuditorMayNotWrite", func(t *testing.T) {
		r := h.as("auditor").post(`mutation($o: ID!) { addPartyJurisdiction(input: {orgId: $o, law: CH, validFrom: "2030-01-01"}) { id } }`,
			map[string]any{"o": ctl})
		if r.code() != "FORBIDDEN" {
			t.Errorf("an auditor adding a jurisdiction: %s, want FORBIDDEN", r.code())
		}
	})
}
