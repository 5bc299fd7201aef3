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

// The transfer rule of GDPR Chapter V lives once (kedja_transfer_verdict).
// This runs the same transfers through responsibility (GraphQL), the checks
// (evaluateChecks) and a trace of a call (traceCall) and asserts that they say
// the same, and what the law says: a gap in responsibility exactly when the
// checks raise third_country, of the severity the verdict calls for, and
// exactly when the trace records a verdict that is a gap.
func TestTransferRuleAgreesEverywhere(t *testing.T) {
	h := newHarness(t, false)
	ctx := context.Background()
	const instant = "2024-06-01T12:00"
	date := func(s string) *time.Time {
		d, _ := time.Parse("2006-01-02", s)
		return &d
	}
	module := int16(2)
	type link = func(*registry.Link)
	scc := func(tia bool) link {
		return func(l *registry.Link) {
			l.TransferMechanism, l.SCCModule = "scc", &module
			if tia {
				l.TIADate = date("2024-01-01")
			}
		}
	}
	mechanism := func(m string) link { return func(l *registry.Link) { l.TransferMechanism = m } }
	tests := []struct {
		name, country, kind string
		link                link
		dpf                 bool
		wantGap             string // the transfer gap responsibility reports, "" for none
		wantThird, wantSafe string // severities of the third_country and third_country_safeguarded findings
	}{
		{"EEA", "FI", "company", nil, false, "", "", ""},
		{"FullAdequacy", "CH", "company", nil, false, "", "", ""},
		{"PartialAdequacyMetByDPF", "US", "company", nil, true, "", "", ""},
		{"PartialAdequacyNotMet", "US", "company", nil, false, registry.GapNoTransferMechanism, "critical", ""},
		{"CanadianCompany", "CA", "company", nil, false, "", "", ""},
		{"CanadianPublicBody", "CA", "public_body", nil, false, registry.GapNoTransferMechanism, "critical", ""},
		{"ThirdCountryWithoutMechanism", "TH", "company", nil, false, registry.GapNoTransferMechanism, "critical", ""},
		{"SCCWithoutTIA", "TH", "company", scc(false), false, registry.GapNoTIA, "high", ""},
		{"SCCWithTIA", "TH", "company", scc(true), false, "", "", "info"},
		{"BCRWithTIA", "TH", "company", func(l *registry.Link) { l.TransferMechanism, l.TIADate = "bcr", date("2024-01-01") }, false, "", "", "info"},
		{"Derogation", "TH", "company", mechanism("derogation"), false, "", "", "medium"},
		{"ClaimedAdequacyForThailand", "TH", "company", mechanism("adequacy"), false, registry.GapAdequacyNotApplicable, "critical", ""},
		{"ClaimedAdequacyForUSWithoutDPF", "US", "company", mechanism("adequacy"), false, registry.GapAdequacyNotApplicable, "critical", ""},
		{"ClaimedAdequacyForUSWithDPF", "US", "company", mechanism("adequacy"), true, "", "", ""},
	}
	processors, controllers := map[string]int64{}, map[string]int64{}
	for _, tt := range tests {
		c, err := h.store.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Controller " + tt.name, Country: "SE", Kind: "public_body"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := h.store.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Processor " + tt.name, Country: tt.country, Kind: tt.kind})
		if err != nil {
			t.Fatal(err)
		}
		l := registry.Link{FromID: c.ID, ToID: p.ID, Role: "processor", Purpose: "calls", HealthData: true,
			AgreementRef: new("DPA-1"), Period: registry.Period{From: *date("2015-01-01")}}
		if tt.link != nil {
			tt.link(&l)
		}
		if _, err := h.store.CreateLink(ctx, "t", &l); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if tt.dpf {
			if _, err := h.store.CreateAttestation(ctx, "t", &registry.Attestation{OrgID: &p.ID, Kind: "dpf_certification",
				Issuer: "US Department of Commerce", IssuedOn: *date("2024-01-01"), ValidUntil: date("2025-01-01")}); err != nil {
				t.Fatal(err)
			}
		}
		processors[tt.name], controllers[tt.name] = p.ID, c.ID
	}
	// What the checks say as of the instant, without keeping findings.
	var eval struct {
		EvaluateChecks struct {
			Findings []struct {
				Check, Severity string
				SubjectParty    *struct{ ID string }
			}
		}
	}
	h.data(`query($at: Instant!) { evaluateChecks(at: $at, checks: ["third_country", "third_country_safeguarded"]) {
		findings { check severity subjectParty { id } } } }`, map[string]any{"at": instant}, &eval)
	severities := map[string]string{}
	for _, f := range eval.EvaluateChecks.Findings {
		if f.SubjectParty != nil {
			severities[f.Check+"/"+f.SubjectParty.ID] = f.Severity
		}
	}
	transferGaps := []string{registry.GapNoTransferMechanism, registry.GapAdequacyNotApplicable, registry.GapNoTIA}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct {
				Responsibility struct {
					Missing []struct{ Code string }
				}
			}
			h.with(t).data(`query($p: ID!, $at: Instant!) { responsibility(organisation: $p, at: $at) { missing { code } } }`,
				map[string]any{"p": fmt.Sprint(processors[tt.name]), "at": instant}, &got)
			gap := ""
			for _, m := range got.Responsibility.Missing {
				if slices.Contains(transferGaps, m.Code) {
					gap = m.Code
				}
			}
			severity := func(check string) string {
				return strings.ToLower(severities[check+"/"+fmt.Sprint(processors[tt.name])])
			}
			third, safe := severity("third_country"), severity("third_country_safeguarded")
			if (gap != "") != (third != "") {
				t.Errorf("responsibility and checks disagree: gap %q, third_country %q", gap, third)
			}
			var traced struct {
				TraceCall struct {
					Holders []struct {
						Party    struct{ LegalName string }
						Transfer string
					}
				}
			}
			h.with(t).data(`mutation($r: ID!, $at: Instant!) { traceCall(region: $r, at: $at, caseRef: "AGREE") { holders { party { legalName } transfer } } }`,
				map[string]any{"r": fmt.Sprint(controllers[tt.name]), "at": instant}, &traced)
			if len(traced.TraceCall.Holders) != 1 {
				t.Fatalf("trace holders %+v, want the processor", traced.TraceCall.Holders)
			}
			verdict := traced.TraceCall.Holders[0].Transfer
			traceGap := slices.Contains([]string{registry.TransferNoMechanism, registry.TransferAdequacyNotApplicable, registry.TransferNoTIA}, verdict)
			if traceGap != (gap != "") || verdict == "" {
				t.Errorf("the trace's verdict %q disagrees with responsibility's gap %q", verdict, gap)
			}
			if gap != tt.wantGap || third != tt.wantThird || safe != tt.wantSafe {
				t.Errorf("gap %q, third_country %q, safeguarded %q; want %q, %q, %q", gap, third, safe, tt.wantGap, tt.wantThird, tt.wantSafe)
			}
		})
	}
}
