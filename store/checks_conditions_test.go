package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// conditionChain is the scenario's link (controller -> processor) with a
// subcontractor link below it (processor -> sub) and a system used on each.
type conditionChain struct {
	scenario
	sub               registry.Organisation
	toSub             registry.Link
	upper, lower      registry.System // used on the link, and on the link to sub
	controllersSystem registry.System // the controller's own, used on the link
}

func newConditionChain(t *testing.T, s *store.Store, health bool) conditionChain {
	t.Helper()
	ctx := context.Background()
	kind := "recording"
	if !health {
		kind = "other"
	}
	c := conditionChain{scenario: newScenario(t, s, "SE", "company", func(l *registry.Link) { l.HealthData = health })}
	c.upper = c.system("Upper", kind, nil)
	var err error
	if c.sub, err = s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Sub " + t.Name(), Country: "SE", Kind: "company"}); err != nil {
		t.Fatal(err)
	}
	if c.toSub, err = s.CreateLink(ctx, "t", &registry.Link{FromID: c.processor.ID, ToID: c.sub.ID, Role: "sub_processor", Purpose: "calls",
		HealthData: health, AgreementRef: ptr("A-2"), Period: registry.Period{From: at("2015-01-01T00:00")}}); err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		sys      *registry.System
		name     string
		operator int64
		link     int64
	}{{&c.lower, "Lower", c.sub.ID, c.toSub.ID}, {&c.controllersSystem, "Own", c.controller.ID, c.link.ID}} {
		if *x.sys, err = s.CreateSystem(ctx, "t", &registry.System{Name: x.name + " " + t.Name(), Kind: kind, OperatorID: x.operator}); err != nil {
			t.Fatal(err)
		}
		if _, err = s.CreateSystemUse(ctx, "t", &registry.SystemUse{LinkID: x.link, SystemID: x.sys.ID, PartyID: x.operator,
			Period: registry.Period{From: at("2015-01-01T00:00")}}); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func (c conditionChain) path(sys registry.System, audience string, privileged bool, from string) {
	c.t.Helper()
	if _, err := c.s.AddAccessPath(context.Background(), "t", &registry.AccessPath{SystemID: sys.ID, Audience: audience, Origin: "vpn",
		Authentication: ptr("mfa"), Privileged: privileged, Period: registry.Period{From: at(from)}}); err != nil {
		c.t.Fatal(err)
	}
}

func (c conditionChain) located(sys registry.System, country, purpose string) {
	c.t.Helper()
	if _, err := c.s.AddSystemLocation(context.Background(), "t", &registry.SystemLocation{SystemID: sys.ID, Country: country, Purpose: purpose,
		Period: registry.Period{From: at("2015-01-01T00:00")}}); err != nil {
		c.t.Fatal(err)
	}
}

// conditionFinding runs agreement_condition at instant and returns the
// open finding about the conditioned link: severity and since.
func conditionFinding(t *testing.T, s *store.Store, link int64, instant string) (string, *time.Time) {
	t.Helper()
	run(t, s, instant, "agreement_condition")
	var sev string
	var since *time.Time
	err := s.DB().QueryRow(`SELECT severity, since FROM findings WHERE status = 'open' AND check_id = 'agreement_condition'
		AND subject_kind = 'link' AND subject_id = $1`, link).Scan(&sev, &since)
	if err != nil && err.Error() != "sql: no rows in result set" {
		t.Fatal(err)
	}
	return sev, since
}

func TestAgreementConditionCheck(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	tests := []struct {
		name      string
		kind      string
		countries []string
		health    bool
		until     string // the condition's end ("": open)
		facts     func(c conditionChain)
		want      string
		since     string // "": the condition's start, 2017-01-01
	}{
		// no_supplier_access_to_health_data
		{"VendorSupportReachesHealthData", "no_supplier_access_to_health_data", nil, true, "",
			func(c conditionChain) { c.path(c.upper, "vendor_support", false, "2016-01-01T00:00") }, "high", ""},
		{"ProcessorsOwnStaffReachHealthData", "no_supplier_access_to_health_data", nil, true, "",
			func(c conditionChain) { c.path(c.upper, "own_staff", false, "2018-03-01T00:00") }, "high", "2018-03-01T00:00"},
		{"SubcontractorsStaffBelowReachHealthData", "no_supplier_access_to_health_data", nil, true, "",
			func(c conditionChain) { c.path(c.lower, "own_staff", false, "2016-01-01T00:00") }, "high", ""},
		{"ControllersOwnStaffClear", "no_supplier_access_to_health_data", nil, true, "",
			func(c conditionChain) { c.path(c.controllersSystem, "own_staff", false, "2016-01-01T00:00") }, "", ""},
		{"CustomerUsersClear", "no_supplier_access_to_health_data", nil, true, "",
			func(c conditionChain) { c.path(c.upper, "customer_users", false, "2016-01-01T00:00") }, "", ""},
		{"NoHealthDataClears", "no_supplier_access_to_health_data", nil, false, "",
			func(c conditionChain) { c.path(c.upper, "vendor_support", false, "2016-01-01T00:00") }, "", ""},
		{"ConditionEndedClears", "no_supplier_access_to_health_data", nil, true, "2018-01-01T00:00",
			func(c conditionChain) { c.path(c.upper, "vendor_support", false, "2016-01-01T00:00") }, "", ""},
		{"AccessBeginsAfterTheInstant", "no_supplier_access_to_health_data", nil, true, "",
			func(c conditionChain) { c.path(c.upper, "vendor_support", false, "2019-06-01T00:00") }, "", ""},

		// no_privileged_access_abroad
		{"AdministeredFromOutsideTheEEA", "no_privileged_access_abroad", nil, true, "",
			func(c conditionChain) {
				c.path(c.lower, "vendor_support", true, "2016-01-01T00:00")
				c.located(c.lower, "US", "access")
			}, "high", ""},
		{"AdministeredFromOutsideTheEEAOtherData", "no_privileged_access_abroad", nil, false, "",
			func(c conditionChain) {
				c.path(c.upper, "own_staff", true, "2016-01-01T00:00")
				c.located(c.upper, "US", "access")
			}, "medium", ""},
		{"AdministeredFromTheEEAClears", "no_privileged_access_abroad", nil, true, "",
			func(c conditionChain) {
				c.path(c.upper, "vendor_support", true, "2016-01-01T00:00")
				c.located(c.upper, "DE", "access")
			}, "", ""},
		{"UnprivilegedFromAbroadClears", "no_privileged_access_abroad", nil, true, "",
			func(c conditionChain) {
				c.path(c.upper, "vendor_support", false, "2016-01-01T00:00")
				c.located(c.upper, "US", "access")
			}, "", ""},
		{"StoredAbroadIsNoAccessOrigin", "no_privileged_access_abroad", nil, true, "",
			func(c conditionChain) {
				c.path(c.upper, "vendor_support", true, "2016-01-01T00:00")
				c.located(c.upper, "US", "storage")
			}, "", ""},

		// data_stays_in
		{"StoredInTheAllowedCountry", "data_stays_in", []string{"SE"}, true, "",
			func(c conditionChain) { c.located(c.upper, "SE", "storage") }, "", ""},
		{"StoredOutsideTheAllowedCountry", "data_stays_in", []string{"se"}, true, "",
			func(c conditionChain) { c.located(c.lower, "DE", "storage") }, "high", ""},
		{"StoredInTheEEA", "data_stays_in", []string{"EEA"}, true, "",
			func(c conditionChain) { c.located(c.upper, "DE", "storage") }, "", ""},
		{"AccessedFromOutsideTheEEA", "data_stays_in", []string{"EEA"}, true, "",
			func(c conditionChain) { c.located(c.upper, "US", "access") }, "high", ""},
		{"StoredOutsideOtherData", "data_stays_in", []string{"SE", "NO"}, false, "",
			func(c conditionChain) { c.located(c.upper, "FI", "storage") }, "medium", ""},

		// no_subprocessors_without_approval
		{"SubcontractorUnapproved", "no_subprocessors_without_approval", nil, true, "", func(c conditionChain) {}, "high", ""},
		{"SubcontractorUnapprovedOtherData", "no_subprocessors_without_approval", nil, false, "", func(c conditionChain) {}, "medium", ""},
		{"SubcontractorApproved", "no_subprocessors_without_approval", nil, true, "", func(c conditionChain) {
			if _, err := c.s.CreateApproval(context.Background(), "t", &registry.SubcontractorApproval{ControllerID: c.controller.ID,
				LinkID: c.toSub.ID, Kind: "specific", Period: registry.Period{From: at("2015-01-01T00:00")}}); err != nil {
				c.t.Fatal(err)
			}
		}, "", ""},
		{"SubcontractorApprovedAfterTheInstant", "no_subprocessors_without_approval", nil, true, "", func(c conditionChain) {
			if _, err := c.s.CreateApproval(context.Background(), "t", &registry.SubcontractorApproval{ControllerID: c.controller.ID,
				LinkID: c.toSub.ID, Kind: "specific", Period: registry.Period{From: at("2019-06-01T00:00")}}); err != nil {
				c.t.Fatal(err)
			}
		}, "high", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newConditionChain(t, s, tt.health)
			tt.facts(c)
			cond := registry.AgreementCondition{LinkID: c.link.ID, Kind: tt.kind, AllowedCountries: tt.countries,
				Clause: ptr("§ 7.2"), Period: registry.Period{From: at("2017-01-01T00:00")}}
			if tt.until != "" {
				cond.To = ptr(at(tt.until))
			}
			if _, err := s.SetAgreementCondition(ctx, "t", &cond); err != nil {
				t.Fatal(err)
			}
			sev, since := conditionFinding(t, s, c.link.ID, "2019-02-01T12:00")
			if sev != tt.want {
				t.Fatalf("agreement_condition: got %q, want %q", sev, tt.want)
			}
			if tt.want == "" {
				return
			}
			wantSince := at("2017-01-01T00:00")
			if tt.since != "" {
				wantSince = at(tt.since)
			}
			if since == nil || !since.Equal(wantSince) {
				t.Errorf("since: got %v, want %v", since, wantSince)
			}
		})
	}
}

// Every controller whose chain holds the conditioned link is listed on the
// one finding: a second region engaging the same processor through the link
// above sees it too.
func TestAgreementConditionListsEveryController(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	c := newConditionChain(t, s, true)
	c.path(c.lower, "vendor_support", false, "2016-01-01T00:00")
	if _, err := s.SetAgreementCondition(ctx, "t", &registry.AgreementCondition{LinkID: c.toSub.ID, Kind: "no_supplier_access_to_health_data",
		Period: registry.Period{From: at("2017-01-01T00:00")}}); err != nil {
		t.Fatal(err)
	}
	other, err := s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Region Two", Country: "SE", Kind: "public_body"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateLink(ctx, "t", &registry.Link{FromID: other.ID, ToID: c.processor.ID, Role: "processor", Purpose: "calls",
		HealthData: true, AgreementRef: ptr("B-1"), Period: registry.Period{From: at("2015-01-01T00:00")}}); err != nil {
		t.Fatal(err)
	}
	if sev, _ := conditionFinding(t, s, c.toSub.ID, "2019-02-01T12:00"); sev != "high" {
		t.Fatalf("agreement_condition on the subcontractor link: got %q, want high", sev)
	}
	var n int
	if err := s.DB().QueryRow(`SELECT count(*) FROM findings f JOIN finding_controllers fc ON fc.finding_id = f.id
		WHERE f.check_id = 'agreement_condition' AND f.subject_id = $1 AND fc.controller_id IN ($2, $3)`,
		c.toSub.ID, c.controller.ID, other.ID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("controllers on the finding: got %d, want 2", n)
	}
}

func TestSetAgreementConditionRefuses(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	c := newScenario(t, s, "SE", "company", nil)
	from := registry.Period{From: at("2017-01-01T00:00")}
	if _, err := s.SetAgreementCondition(ctx, "t", &registry.AgreementCondition{LinkID: c.link.ID, Kind: "data_stays_in",
		AllowedCountries: []string{"SE"}, Period: from}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		cond  registry.AgreementCondition
		code  registry.Code
		field string
	}{
		{"UnknownKind", registry.AgreementCondition{LinkID: c.link.ID, Kind: "no_cloud", Period: from}, registry.EInvalid, "kind"},
		{"CountriesOnAnotherKind", registry.AgreementCondition{LinkID: c.link.ID, Kind: "no_privileged_access_abroad",
			AllowedCountries: []string{"SE"}, Period: from}, registry.EInvalid, "allowedCountries"},
		{"StaysInNowhere", registry.AgreementCondition{LinkID: c.link.ID, Kind: "data_stays_in", Period: from}, registry.EInvalid, "allowedCountries"},
		{"NotACountryCode", registry.AgreementCondition{LinkID: c.link.ID, Kind: "data_stays_in", AllowedCountries: []string{"Sweden"},
			Period: from}, registry.EInvalid, "allowedCountries"},
		{"NoSuchCountry", registry.AgreementCondition{LinkID: c.link.ID, Kind: "data_stays_in", AllowedCountries: []string{"XX"},
			Period: from}, registry.ENotFound, "allowedCountries"},
		{"NoSuchLink", registry.AgreementCondition{LinkID: 1 << 40, Kind: "no_privileged_access_abroad", Period: from}, registry.ENotFound, "linkId"},
		{"SameKindOverlapping", registry.AgreementCondition{LinkID: c.link.ID, Kind: "data_stays_in", AllowedCountries: []string{"EEA"},
			Period: registry.Period{From: at("2016-01-01T00:00"), To: ptr(at("2018-01-01T00:00"))}}, registry.EConflict, "validFrom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.SetAgreementCondition(ctx, "t", &tt.cond)
			if e := registry.AsError(err); e == nil || e.Code != tt.code || e.Field != tt.field {
				t.Fatalf("got %v, want %s on %s", err, tt.code, tt.field)
			}
		})
	}
	// A new condition of the same kind replaces the open one; another
	// kind stands beside it.
	if _, err := s.SetAgreementCondition(ctx, "t", &registry.AgreementCondition{LinkID: c.link.ID, Kind: "data_stays_in",
		AllowedCountries: []string{"EEA"}, Period: registry.Period{From: at("2018-01-01T00:00")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetAgreementCondition(ctx, "t", &registry.AgreementCondition{LinkID: c.link.ID, Kind: "no_privileged_access_abroad",
		Period: registry.Period{From: at("2018-06-01T00:00")}}); err != nil {
		t.Fatal(err)
	}
	now := at("2019-01-01T00:00")
	got, err := s.ConditionsByLink(ctx, []int64{c.link.ID}, &now)
	if err != nil {
		t.Fatal(err)
	}
	if cs := got[c.link.ID]; len(cs) != 2 || cs[0].Kind != "data_stays_in" || len(cs[0].AllowedCountries) != 1 || cs[0].AllowedCountries[0] != "EEA" ||
		cs[1].Kind != "no_privileged_access_abroad" {
		t.Errorf("in force on 2019-01-01: %+v", cs)
	}
	all, err := s.ConditionsByLink(ctx, []int64{c.link.ID}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cs := all[c.link.ID]; len(cs) != 3 || cs[0].To == nil || !cs[0].To.Equal(at("2018-01-01T00:00")) {
		t.Errorf("all: %+v", cs)
	}
}
