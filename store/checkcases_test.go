package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// scenario is one controller with one processor, to run checks against.
type scenario struct {
	t          *testing.T
	s          *store.Store
	controller registry.Organisation
	processor  registry.Organisation
	link       registry.Link
}

func ptr[T any](v T) *T { return &v }

func newScenario(t *testing.T, s *store.Store, country, kind string, change func(*registry.Link)) scenario {
	t.Helper()
	ctx := context.Background()
	c, err := s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Controller " + t.Name(), Country: "SE", Kind: "public_body"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Processor " + t.Name(), Country: country, Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	l := registry.Link{FromID: c.ID, ToID: p.ID, Role: "processor", Purpose: "calls", HealthData: true,
		AgreementRef: ptr("DPA-1"), Period: registry.Period{From: at("2015-01-01T00:00")}}
	if change != nil {
		change(&l)
	}
	l, err = s.CreateLink(ctx, "t", &l)
	if err != nil {
		t.Fatal(err)
	}
	return scenario{t: t, s: s, controller: c, processor: p, link: l}
}

// checks runs the named checks at instant and returns the open findings'
// "check/severity" about the processor.
func (sc scenario) checks(instant string, ids ...string) map[string]string {
	sc.t.Helper()
	if _, err := sc.s.RunChecks(context.Background(), registry.RunOptions{At: at(instant), Checks: ids, Trigger: "api", Actor: "t"}); err != nil {
		sc.t.Fatal(err)
	}
	out := map[string]string{}
	rows, err := sc.s.DB().Query(`SELECT check_id, severity FROM findings f WHERE status = 'open'
		AND EXISTS (SELECT 1 FROM finding_controllers c WHERE c.finding_id = f.id AND c.controller_id = $1)
		AND subject_kind = 'party' AND subject_id = $2`, sc.controller.ID, sc.processor.ID)
	if err != nil {
		sc.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c, sev string
		rows.Scan(&c, &sev)
		out[c] = sev
	}
	return out
}

func (sc scenario) attest(kind, issued, until string) {
	sc.t.Helper()
	sc.attestAs(kind, issued, until, false)
}

func (sc scenario) attestAs(kind, issued, until string, selfAssessed bool) {
	sc.t.Helper()
	a := registry.Attestation{OrgID: &sc.processor.ID, Kind: kind, Issuer: "Certifier", IssuedOn: date(issued), SelfAssessed: selfAssessed}
	if until != "" {
		u := date(until)
		a.ValidUntil = &u
	}
	if _, err := sc.s.CreateAttestation(context.Background(), "t", &a); err != nil {
		sc.t.Fatal(err)
	}
}

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestThirdCountryCheck(t *testing.T) {
	s := storetest.Store(t)
	tests := []struct {
		name    string
		country string
		kind    string
		link    func(*registry.Link)
		dpf     bool
		want    string // "" for no third_country finding; else its severity
		safe    string // severity of third_country_safeguarded, if any
	}{
		{"FinlandIsEEA", "FI", "company", nil, false, "", ""},
		{"NorwayIsEEA", "NO", "company", nil, false, "", ""},
		{"SwitzerlandHasAdequacy", "CH", "company", nil, false, "", ""},
		{"ThailandWithoutMechanism", "TH", "company", nil, false, "critical", ""},
		{"ThailandSCCWithoutTIA", "TH", "company", func(l *registry.Link) { l.TransferMechanism, l.SCCModule = "scc", ptr(int16(2)) }, false, "high", ""},
		{"ThailandSCCWithTIA", "TH", "company", func(l *registry.Link) {
			l.TransferMechanism, l.SCCModule, l.TIADate = "scc", ptr(int16(2)), ptr(date("2019-01-01"))
		}, false, "", "info"},
		{"USWithoutDPFOrSCC", "US", "company", nil, false, "critical", ""},
		{"USWithDPFCertification", "US", "company", nil, true, "", ""},
		{"USWithSCCAndTIA", "US", "company", func(l *registry.Link) {
			l.TransferMechanism, l.SCCModule, l.TIADate = "scc", ptr(int16(2)), ptr(date("2024-01-01"))
		}, false, "", "info"},
		{"CanadianCompanyHasAdequacy", "CA", "company", nil, false, "", ""},
		{"CanadianPublicBodyDoesNot", "CA", "public_body", nil, false, "critical", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScenario(t, s, tt.country, tt.kind, tt.link)
			if tt.dpf {
				sc.attest("dpf_certification", "2024-01-01", "2025-12-31")
			}
			got := sc.checks("2024-06-01T12:00", "third_country", "third_country_safeguarded")
			if got["third_country"] != tt.want || got["third_country_safeguarded"] != tt.safe {
				t.Errorf("got %v, want third_country=%q safeguarded=%q", got, tt.want, tt.safe)
			}
		})
	}
}

func TestAttestationCheck(t *testing.T) {
	s := storetest.Store(t)
	type att struct{ kind, until string } // until: "" no end date
	tests := []struct {
		name         string
		attestations []att
		selfAssessed bool // the attestations are self-assessed
		want         string
	}{
		{"None", nil, false, "high"},
		{"ValidUntilYesterdayIsExpired", []att{{"iso27001", "2024-05-31"}}, false, "high"},
		{"ValidUntilTodayIsValidButExpiring", []att{{"iso27001", "2024-06-01"}}, false, "low"},
		{"ExpiresWithinSixtyDays", []att{{"iso27001", "2024-07-30"}}, false, "low"},
		{"ExpiresAfterSixtyDays", []att{{"iso27001", "2024-08-01"}}, false, ""},
		{"NoEndDate", []att{{"iso27001", ""}}, false, ""},
		{"CloudAttestationsCount", []att{{"bsi_c5", "2025-06-01"}}, false, ""},
		{"ADPFCertificationIsNoSecurityEvidence", []att{{"dpf_certification", "2025-06-01"}}, false, "high"},
		{"OnlySelfAssessed", []att{{"csa_star", "2025-06-01"}}, true, "medium"},
		{"AHealthSectorSelfAssessmentIsSelfAssessed", []att{{"health_self_assessment", "2025-06-01"}}, false, "medium"},
		{"SelfAssessedAfterTheCertificateExpired", []att{{"iso27001", "2024-01-31"}, {"csa_star", "2025-06-01"}}, true, "medium"},
		{"SelfAssessedExpiredToo", []att{{"csa_star", "2024-01-31"}}, true, "high"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScenario(t, s, "SE", "company", nil)
			for _, a := range tt.attestations {
				sc.attestAs(a.kind, "2023-01-01", a.until, tt.selfAssessed && a.kind != "iso27001")
			}
			// 23:30 in Stockholm is 21:30 UTC: the day is Stockholm's.
			if got := sc.checks("2024-06-01T23:30", "attestation")["attestation"]; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLocationPolicyCheck(t *testing.T) {
	s := storetest.Store(t)
	tests := []struct {
		name, policy, country, processorIn, instant, want string
	}{
		{"SwedenOnlyAndInSweden", "country", "SE", "SE", "2021-01-01T12:00", ""},
		{"SwedenOnlyAndInFinland", "country", "SE", "FI", "2021-01-01T12:00", "high"},
		{"PolicyNotYetInForce", "country", "SE", "FI", "2020-09-10T12:00", ""},
		{"EEAAndInNorway", "eea", "", "NO", "2021-01-01T12:00", ""},
		{"EEAAndInSwitzerland", "eea", "", "CH", "2021-01-01T12:00", "high"},
		{"EEAPlusAdequacyAndInSwitzerland", "eea_adequacy", "", "CH", "2021-01-01T12:00", ""},
		{"EEAPlusAdequacyAndInCanada", "eea_adequacy", "", "CA", "2021-01-01T12:00", "high"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScenario(t, s, tt.processorIn, "company", nil)
			p := registry.LocationPolicy{ControllerID: sc.controller.ID, Policy: tt.policy, Period: registry.Period{From: at("2020-09-11T00:00")}}
			if tt.country != "" {
				p.Country = &tt.country
			}
			if _, err := s.SetLocationPolicy(context.Background(), "t", &p); err != nil {
				t.Fatal(err)
			}
			if got := sc.checks(tt.instant, "location_policy")["location_policy"]; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRunRefusesUnknownChecks(t *testing.T) {
	s := storetest.Store(t)
	_, err := s.RunChecks(context.Background(), registry.RunOptions{Checks: []string{"third_country", "vibes"}, Trigger: "api", Actor: "t"})
	if e := registry.AsError(err); e == nil || e.Field != "checks" {
		t.Errorf("got %v, want INVALID_INPUT on checks", err)
	}
}
