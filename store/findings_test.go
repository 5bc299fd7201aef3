package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store/storetest"
)

// evaluated says what the checks would find about the scenario's processor
// (or one of its systems) as of instant, by check: severity and since.
func (sc scenario) evaluated(instant string, ids ...string) map[string]registry.Finding {
	sc.t.Helper()
	fs, err := sc.s.EvaluateChecks(context.Background(), at(instant), ids, registry.CheckPeriods{})
	if err != nil {
		sc.t.Fatal(err)
	}
	out := map[string]registry.Finding{}
	for _, f := range fs {
		for _, c := range f.Controllers {
			if c.ControllerID == sc.controller.ID {
				out[f.Check+"/"+f.SubjectKind] = f
			}
		}
	}
	return out
}

// Each check says since when its condition holds, from the dated facts.
func TestSincePerCheck(t *testing.T) {
	s := storetest.Store(t)
	tests := []struct {
		name, country string
		setup         func(sc scenario)
		instant       string
		check         string // check/subjectKind
		want          string // since, as a date in Stockholm; "" for none
	}{
		{"ThirdCountryFromTheLinkStart", "TH", nil, "2024-06-01T12:00", "third_country/party", "2015-01-01"},
		// Not 2021-03-01 (since 2021-01-01) any more: during the EU-UK
		// bridge sending data to the UK was no transfer to a third country
		// (issue 14; TestTransferJudgedByExporterLaw); the UK's standing is
		// next lost when its adequacy decision expires.
		{"ThirdCountryFromTheLossOfStanding", "GB", nil, "2032-01-15T12:00", "third_country/party", "2031-12-28"},
		{"AttestationNoneFromTheLinkStart", "SE", nil, "2024-06-01T12:00", "attestation/party", "2015-01-01"},
		{"AttestationExpiredFromTheDayAfter", "SE", func(sc scenario) { sc.attest("iso27001", "2023-01-01", "2024-05-20") },
			"2024-06-01T12:00", "attestation/party", "2024-05-21"},
		{"AttestationExpiringFromTheWindow", "SE", func(sc scenario) { sc.attest("iso27001", "2023-01-01", "2024-07-30") },
			"2024-06-01T12:00", "attestation/party", "2024-05-31"},
		{"LocationPolicyFromThePolicy", "FI", func(sc scenario) {
			p := registry.LocationPolicy{ControllerID: sc.controller.ID, Policy: "country", Country: ptr("SE"),
				Period: registry.Period{From: at("2020-09-11T00:00")}}
			if _, err := sc.s.SetLocationPolicy(context.Background(), "t", &p); err != nil {
				sc.t.Fatal(err)
			}
		}, "2021-01-01T12:00", "location_policy/party", "2020-09-11"},
		{"ExposureFromTheProfile", "SE", func(sc scenario) {
			sy := sc.systemUsedFrom2016("storage")
			if _, err := sc.s.SetSystemProfile(context.Background(), "t", &registry.SystemProfile{SystemID: sy,
				Period: registry.Period{From: at("2017-03-01T00:00")}, InternetExposed: registry.Fact(true), Authentication: ptr("none")}); err != nil {
				sc.t.Fatal(err)
			}
		}, "2019-02-01T12:00", "exposure/system", "2017-03-01"},
		{"RetentionFromTheUse", "SE", func(sc scenario) { sc.systemUsedFrom2016("recording") }, "2019-02-01T12:00", "retention/system", "2016-06-01"},
		{"AgreementFromTheLinkStart", "SE", func(sc scenario) {
			if _, err := sc.s.UpdateLink(context.Background(), "t", sc.link.ID, func(l *registry.Link) error { l.AgreementRef = nil; return nil }); err != nil {
				sc.t.Fatal(err)
			}
		}, "2019-02-01T12:00", "agreement/link", "2015-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScenario(t, s, tt.country, "company", nil)
			if tt.setup != nil {
				tt.setup(sc)
			}
			f, ok := sc.evaluated(tt.instant)[tt.check]
			if !ok {
				t.Fatalf("no %s finding", tt.check)
			}
			got := ""
			if f.Since != nil {
				got = f.Since.In(stockholm).Format("2006-01-02")
			}
			if got != tt.want || len(f.Controllers) != 1 || f.Controllers[0].Since == nil || !f.Controllers[0].Since.Equal(*f.Since) {
				t.Errorf("since %q (controllers %+v), want %q", got, f.Controllers, tt.want)
			}
		})
	}
}

// systemUsedFrom2016 adds a system of kind operated by the processor, used on the
// scenario's link from 2016-06-01, and returns its id.
func (sc scenario) systemUsedFrom2016(kind string) int64 {
	sc.t.Helper()
	ctx := context.Background()
	sy, err := sc.s.CreateSystem(ctx, "t", &registry.System{Name: "System " + sc.t.Name(), Kind: kind, OperatorID: sc.processor.ID})
	if err != nil {
		sc.t.Fatal(err)
	}
	if _, err := sc.s.CreateSystemUse(ctx, "t", &registry.SystemUse{LinkID: sc.link.ID, SystemID: sy.ID, PartyID: sc.processor.ID,
		Period: registry.Period{From: at("2016-06-01T00:00")}}); err != nil {
		sc.t.Fatal(err)
	}
	return sy.ID
}

// A transfer is raised once, on the party abroad, with the systems it
// reaches as evidence; a system only where no party finding covers it,
// naming the link that carries its data abroad.
func TestTransferRaisedOnce(t *testing.T) {
	s := storetest.Store(t)
	scc := func(l *registry.Link) {
		l.TransferMechanism, l.SCCModule, l.TIADate = "scc", ptr(int16(2)), ptr(date("2019-01-01"))
	}
	tests := []struct {
		name, country string
		link          func(*registry.Link)
		location      string // where the processor's system is: "TH/access", "TH/storage"
		wantParty     bool
		wantSystem    bool
		wantEvidence  string // in the party finding's evidence
	}{
		{"ThaiPartyReachesItsSystem", "TH", nil, "TH/access", true, false, `"purpose": "access"`},
		{"SwedishPartyStoresAbroad", "SE", nil, "TH/storage", false, true, ""},
		{"ThaiPartySafeguarded", "TH", scc, "TH/access", false, false, ""},
		{"ThaiPartyWithoutASystemAbroad", "TH", nil, "SE/storage", true, false, `"systems": []`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScenario(t, s, tt.country, "company", tt.link)
			sy := sc.systemUsedFrom2016("records")
			country, purpose, _ := strings.Cut(tt.location, "/")
			if _, err := s.AddSystemLocation(context.Background(), "t", &registry.SystemLocation{SystemID: sy, Country: country, Purpose: purpose,
				Period: registry.Period{From: at("2016-01-01T00:00")}}); err != nil {
				t.Fatal(err)
			}
			got := sc.evaluated("2019-02-01T12:00", "third_country")
			party, gotParty := got["third_country/party"]
			system, gotSystem := got["third_country/system"]
			if gotParty != tt.wantParty || gotSystem != tt.wantSystem {
				t.Fatalf("party finding %v, system finding %v; want %v, %v", gotParty, gotSystem, tt.wantParty, tt.wantSystem)
			}
			if gotParty && !strings.Contains(string(party.Evidence), tt.wantEvidence) {
				t.Errorf("party evidence %s lacks %s", party.Evidence, tt.wantEvidence)
			}
			if gotSystem && (!strings.Contains(system.Message, "(Controller "+t.Name()+" to Processor "+t.Name()+")") ||
				!strings.Contains(string(system.Evidence), `"country": "TH"`)) {
				t.Errorf("system finding %q %s does not name the carrying link and the country", system.Message, system.Evidence)
			}
		})
	}
}

// One finding per fact lists every controller whose chain it affects; a
// controller that drops out leaves the finding and a line in its history;
// an evaluation as of another instant changes none of it.
func TestFindingControllersFollowTheChain(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	sc := newScenario(t, s, "TH", "company", nil)
	other, err := s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Second controller", Country: "SE", Kind: "public_body"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.CreateLink(ctx, "t", &registry.Link{FromID: other.ID, ToID: sc.processor.ID, Role: "processor", Purpose: "calls",
		HealthData: true, AgreementRef: ptr("DPA-2"), Period: registry.Period{From: at("2017-01-01T00:00")}})
	if err != nil {
		t.Fatal(err)
	}
	run := func(instant string) {
		t.Helper()
		if _, err := s.RunChecks(ctx, registry.RunOptions{At: at(instant), Checks: []string{"third_country"}, Trigger: "api", Actor: "t"}); err != nil {
			t.Fatal(err)
		}
	}
	read := func() (registry.Finding, []string) {
		t.Helper()
		fs, _, err := s.ListFindings(ctx, registry.FindingFilter{Check: ptr("third_country")}, registry.Page{First: 10})
		if err != nil || len(fs) != 1 {
			t.Fatalf("findings %+v (%v), want one", fs, err)
		}
		evs, err := s.FindingEvents(ctx, []int64{fs[0].ID}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var events []string
		for _, e := range evs[fs[0].ID] {
			n := ""
			if e.Note != nil {
				n = ": " + *e.Note
			}
			events = append(events, e.Event+n)
		}
		return fs[0], events
	}
	steps := []struct {
		name, instant string
		change        func()
		controllers   []int64
		since         string
		events        string
	}{
		{"BothChains", "2019-02-01T12:00", nil, []int64{sc.controller.ID, other.ID}, "2015-01-01", "opened"},
		{"SecondEnds", "2019-02-01T12:00", func() {
			if _, err := s.EndLink(ctx, "t", second.ID, at("2018-01-01T00:00")); err != nil {
				t.Fatal(err)
			}
		}, []int64{sc.controller.ID}, "2015-01-01", "opened,changed: no longer affects Second controller"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.change != nil {
				st.change()
			}
			run(st.instant)
			f, events := read()
			var ids []int64
			for _, c := range f.Controllers {
				ids = append(ids, c.ControllerID)
			}
			if len(ids) != len(st.controllers) || ids[0] != st.controllers[0] || (len(ids) > 1 && ids[1] != st.controllers[1]) {
				t.Errorf("controllers %v, want %v", ids, st.controllers)
			}
			if f.Since == nil || f.Since.In(stockholm).Format("2006-01-02") != st.since {
				t.Errorf("since %v, want %s", f.Since, st.since)
			}
			if strings.Join(events, ",") != st.events {
				t.Errorf("history %v, want %s", events, st.events)
			}
			if f.ControllerID != ids[0] || len(f.Path) != len(f.Controllers[0].Path) {
				t.Errorf("the deprecated controller and path are not the first of controllers: %d %v", f.ControllerID, f.Path)
			}
		})
	}

	// What would the checks say in 2017, when only the first controller's
	// link was there? Nothing live changes for asking.
	f, events := read()
	evaluated, err := s.EvaluateChecks(ctx, at("2016-06-01T12:00"), []string{"third_country"}, registry.CheckPeriods{})
	if err != nil || len(evaluated) != 1 || len(evaluated[0].Controllers) != 1 || evaluated[0].ID != 0 {
		t.Fatalf("evaluation %+v (%v), want one finding, one controller, no id", evaluated, err)
	}
	f2, events2 := read()
	if f2.LastSeen != f.LastSeen || f2.Status != f.Status || len(f2.Controllers) != len(f.Controllers) ||
		strings.Join(events2, ",") != strings.Join(events, ",") {
		t.Errorf("the evaluation changed the live finding: %+v %v, was %+v %v", f2, events2, f, events)
	}
}
