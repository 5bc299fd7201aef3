package store_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// hygieneSystem is a records system on the scenario's link,
// reached from the internet with MFA when internet is set: reachable,
// whatever the authentication, is what the software checks weigh.
func hygieneSystem(t *testing.T, s *store.Store, sc scenario, internet bool) registry.System {
	t.Helper()
	return kindSystem(t, s, sc, "records", internet)
}

// kindSystem is hygieneSystem of another kind.
func kindSystem(t *testing.T, s *store.Store, sc scenario, kind string, internet bool) registry.System {
	t.Helper()
	sys := sc.system("Records", kind, nil)
	if internet {
		if _, err := s.AddAccessPath(context.Background(), "t", &registry.AccessPath{SystemID: sys.ID, Audience: "own_staff",
			Origin: "internet", Authentication: ptr("mfa"), Period: registry.Period{From: at("2015-01-01T00:00")}}); err != nil {
			t.Fatal(err)
		}
	}
	return sys
}

// component puts a product on sys from 2015 (until 'until', if given).
func component(t *testing.T, s *store.Store, sys registry.System, eos, until string) registry.SoftwareComponent {
	t.Helper()
	c := registry.SoftwareComponent{SystemID: sys.ID, Product: "Apache httpd", Version: ptr("2.4.7"),
		Period: registry.Period{From: at("2015-01-01T00:00")}}
	if eos != "" {
		c.EndOfSupport = ptr(date(eos))
	}
	if until != "" {
		c.To = ptr(at(until))
	}
	out, err := s.AddSoftwareComponent(context.Background(), "t", &c)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// systemFindingsWith runs the checks at instant with periods and returns
// the open findings' severities by check about sys.
func (sc scenario) systemFindingsWith(sys registry.System, instant string, periods registry.CheckPeriods, ids ...string) map[string]string {
	sc.t.Helper()
	if _, err := sc.s.RunChecks(context.Background(), registry.RunOptions{At: at(instant), Checks: ids, Trigger: "api", Actor: "t",
		Periods: periods}); err != nil {
		sc.t.Fatal(err)
	}
	out := map[string]string{}
	rows, err := sc.s.DB().Query(`SELECT check_id, severity FROM findings WHERE status = 'open' AND subject_kind = 'system' AND subject_id = $1`, sys.ID)
	if err != nil {
		sc.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c, sev string
		if err := rows.Scan(&c, &sev); err != nil {
			sc.t.Fatal(err)
		}
		out[c] = sev
	}
	return out
}

func TestExploitedVulnerabilityCheck(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	tests := []struct {
		name            string
		internet        bool
		listed, patched string
		until           string // the component's end
		health          bool
		want            string
	}{
		{"UnpatchedOnAnInternetReachableSystem", true, "2018-06-01", "", "", true, "high"},
		{"UnpatchedBehindTheInternet", false, "2018-06-01", "", "", true, "medium"},
		{"PatchedBeforeTheInstant", true, "2018-06-01", "2018-07-01", "", true, ""},
		{"PatchedOnTheInstantsDay", true, "2018-06-01", "2019-02-01", "", true, ""},
		{"PatchedOnlyLater", true, "2018-06-01", "2019-03-01", "", true, "high"},
		{"ListedOnlyLater", true, "2019-06-01", "", "", true, ""},
		{"ComponentRemoved", true, "2018-06-01", "", "2018-12-01T00:00", true, ""},
		// Telephony that keeps nothing, on a link without health data.
		{"NoHealthData", true, "2018-06-01", "", "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScenario(t, s, "SE", "company", func(l *registry.Link) { l.HealthData = tt.health })
			kind := "records"
			if !tt.health {
				kind = "telephony"
			}
			sys := kindSystem(t, s, sc, kind, tt.internet)
			c := component(t, s, sys, "", tt.until)
			v, err := s.RecordExploitedVulnerability(ctx, "t", &registry.ExploitedVulnerability{ComponentID: c.ID, CVE: "cve-2017-15715",
				ListedOn: date(tt.listed)})
			if err != nil {
				t.Fatal(err)
			}
			if tt.patched != "" {
				if _, err := s.PatchVulnerability(ctx, "t", v.ID, date(tt.patched)); err != nil {
					t.Fatal(err)
				}
			}
			got := sc.systemFindings(sys, "2019-02-01T12:00", "exploited_vulnerability", "unsupported_software")
			if got["exploited_vulnerability"] != tt.want || got["unsupported_software"] != "" {
				t.Errorf("got %v, want exploited_vulnerability %q alone", got, tt.want)
			}
		})
	}
}

func TestUnsupportedSoftwareCheck(t *testing.T) {
	s := storetest.Store(t)
	tests := []struct {
		name     string
		internet bool
		eos      string
		until    string
		want     string
	}{
		{"PastSupportOnAnInternetReachableSystem", true, "2014-03-17", "", "medium"},
		{"PastSupportBehindTheInternet", false, "2014-03-17", "", "low"},
		{"LastSupportedDayIsTheInstantsDay", true, "2019-02-01", "", ""},
		{"SupportEndsLater", true, "2020-01-01", "", ""},
		{"EndOfSupportNotKnown", true, "", "", ""},
		{"UpgradedBeforeTheInstant", true, "2014-03-17", "2018-01-01T00:00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScenario(t, s, "SE", "company", nil)
			sys := hygieneSystem(t, s, sc, tt.internet)
			component(t, s, sys, tt.eos, tt.until)
			if got := sc.systemFindings(sys, "2019-02-01T12:00", "unsupported_software")["unsupported_software"]; got != tt.want {
				t.Errorf("unsupported_software: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestVulnerabilityScanCheck(t *testing.T) {
	s := storetest.Store(t)
	tests := []struct {
		name     string
		internet bool
		scanned  string
		periods  registry.CheckPeriods
		want     string
	}{
		{"NeverScanned", false, "", registry.CheckPeriods{}, "low"},
		{"NeverScannedInternetReachable", true, "", registry.CheckPeriods{}, "medium"},
		{"ScannedThisQuarter", true, "2018-12-01", registry.CheckPeriods{}, ""},
		{"ScannedOnThe90thDayBefore", true, "2018-11-03", registry.CheckPeriods{}, ""},
		{"ScannedOn91stDayBefore", true, "2018-11-02", registry.CheckPeriods{}, "medium"},
		{"ScanAfterTheInstantDoesNotCount", false, "2019-03-01", registry.CheckPeriods{}, "low"},
		{"RunAsksForAMonth", false, "2018-12-01", registry.CheckPeriods{ScanDays: 30}, "low"},
		{"RunAllowsAYear", false, "2018-03-01", registry.CheckPeriods{ScanDays: 365}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScenario(t, s, "SE", "company", nil)
			sys := hygieneSystem(t, s, sc, tt.internet)
			if tt.scanned != "" {
				if _, err := s.RecordVulnerabilityScan(context.Background(), "t", &registry.VulnerabilityScan{SystemID: sys.ID,
					ScannedOn: date(tt.scanned), Scope: "external, unauthenticated"}); err != nil {
					t.Fatal(err)
				}
			}
			if got := sc.systemFindingsWith(sys, "2019-02-01T12:00", tt.periods, "vulnerability_scan")["vulnerability_scan"]; got != tt.want {
				t.Errorf("vulnerability_scan: got %q, want %q", got, tt.want)
			}
		})
	}
}

// A run's restore-test period overrides the setting for that run alone.
func TestRestoreTestDaysRunOption(t *testing.T) {
	s := storetest.Store(t)
	tested := date("2018-11-01")
	for _, tt := range []struct {
		name    string
		periods registry.CheckPeriods
		want    string
	}{
		{"Default365", registry.CheckPeriods{}, ""},
		{"RunAsksFor30", registry.CheckPeriods{RestoreTestDays: 30}, "medium"},
		{"RunAsksFor100", registry.CheckPeriods{RestoreTestDays: 100}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScenario(t, s, "SE", "company", nil)
			p := known(false, "mfa", true, true)
			p.BackupExists, p.LastRestoreTest = registry.Fact(true), &tested
			sys := sc.system("Store", "storage", p)
			if got := sc.systemFindingsWith(sys, "2019-02-01T12:00", tt.periods, "backup")["backup"]; got != tt.want {
				t.Errorf("backup: got %q, want %q", got, tt.want)
			}
		})
	}
	// The setting of one run does not outlive it.
	var days int
	if err := s.DB().QueryRow(`SELECT kedja_restore_test_days()`).Scan(&days); err != nil || days != registry.DefaultRestoreTestDays {
		t.Errorf("after the runs kedja_restore_test_days() = %d (%v), want %d", days, err, registry.DefaultRestoreTestDays)
	}
	for _, tt := range []struct {
		name, field string
		periods     registry.CheckPeriods
	}{
		{"NegativeRestoreDays", "restoreTestDays", registry.CheckPeriods{RestoreTestDays: -1}},
		{"ScanDaysBeyondTenYears", "scanDays", registry.CheckPeriods{ScanDays: registry.MaxPeriodDays + 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.RunChecks(context.Background(), registry.RunOptions{Trigger: "api", Actor: "t", Periods: tt.periods})
			if e := registry.AsError(err); e == nil || e.Field != tt.field {
				t.Errorf("run: got %v, want an error naming %s", err, tt.field)
			}
			_, err = s.EvaluateChecks(context.Background(), at("2019-02-01T12:00"), nil, tt.periods)
			if e := registry.AsError(err); e == nil || e.Field != tt.field {
				t.Errorf("evaluate: got %v, want an error naming %s", err, tt.field)
			}
		})
	}
}

func TestSoftwareRecordsAreValidated(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	sc := newScenario(t, s, "SE", "company", nil)
	sys := hygieneSystem(t, s, sc, false)
	c := component(t, s, sys, "", "")
	from := registry.Period{From: at("2015-01-01T00:00")}
	tests := []struct {
		name, field string
		write       func() error
	}{
		{"ProductRequired", "product", func() error {
			_, err := s.AddSoftwareComponent(ctx, "t", &registry.SoftwareComponent{SystemID: sys.ID, Product: " ", Period: from})
			return err
		}},
		{"NoSuchSystem", "systemId", func() error {
			_, err := s.AddSoftwareComponent(ctx, "t", &registry.SoftwareComponent{SystemID: 1 << 40, Product: "nginx", Period: from})
			return err
		}},
		{"SameVersionTwice", "validFrom", func() error {
			_, err := s.AddSoftwareComponent(ctx, "t", &registry.SoftwareComponent{SystemID: sys.ID, Product: "Apache httpd",
				Version: ptr("2.4.7"), Period: registry.Period{From: at("2016-01-01T00:00")}})
			return err
		}},
		{"CVEMalformed", "cveId", func() error {
			_, err := s.RecordExploitedVulnerability(ctx, "t", &registry.ExploitedVulnerability{ComponentID: c.ID, CVE: "CVE-17-1", ListedOn: date("2018-01-01")})
			return err
		}},
		{"CVEBefore1999", "cveId", func() error {
			_, err := s.RecordExploitedVulnerability(ctx, "t", &registry.ExploitedVulnerability{ComponentID: c.ID, CVE: "CVE-1998-0001", ListedOn: date("2018-01-01")})
			return err
		}},
		{"ListedOnRequired", "listedOn", func() error {
			_, err := s.RecordExploitedVulnerability(ctx, "t", &registry.ExploitedVulnerability{ComponentID: c.ID, CVE: "CVE-2021-41773"})
			return err
		}},
		{"NoSuchComponent", "componentId", func() error {
			_, err := s.RecordExploitedVulnerability(ctx, "t", &registry.ExploitedVulnerability{ComponentID: 1 << 40, CVE: "CVE-2021-41773", ListedOn: date("2021-11-03")})
			return err
		}},
		{"ScopeRequired", "scope", func() error {
			_, err := s.RecordVulnerabilityScan(ctx, "t", &registry.VulnerabilityScan{SystemID: sys.ID, ScannedOn: date("2018-01-01")})
			return err
		}},
		{"ScanDayRequired", "scannedOn", func() error {
			_, err := s.RecordVulnerabilityScan(ctx, "t", &registry.VulnerabilityScan{SystemID: sys.ID, Scope: "external"})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if e := registry.AsError(tt.write()); e == nil || e.Field != tt.field {
				t.Errorf("got %v, want an error naming %s", e, tt.field)
			}
		})
	}

	// A CVE id is kept upper-cased; a patch day is recorded once, in the
	// history as a change.
	v, err := s.RecordExploitedVulnerability(ctx, "t", &registry.ExploitedVulnerability{ComponentID: c.ID, CVE: " cve-2021-41773 ", ListedOn: date("2021-11-03")})
	if err != nil || v.CVE != "CVE-2021-41773" {
		t.Fatalf("recorded %+v, %v; want CVE-2021-41773", v, err)
	}
	if _, err := s.PatchVulnerability(ctx, "t", v.ID, date("2021-11-10")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PatchVulnerability(ctx, "t", v.ID, date("2021-12-01")); registry.AsError(err) == nil || registry.AsError(err).Field != "on" {
		t.Errorf("patching twice: got %v, want an error naming on", err)
	}
	vs, err := s.VulnerabilitiesByComponent(ctx, []int64{c.ID}, nil)
	if err != nil || len(vs[c.ID]) != 1 || vs[c.ID][0].PatchedOn == nil || !vs[c.ID][0].PatchedOn.Equal(date("2021-11-10")) {
		t.Errorf("read back %+v, %v; want patched on 2021-11-10", vs[c.ID], err)
	}
	var changes int
	if err := s.DB().QueryRow(`SELECT count(*) FROM changes WHERE table_name = 'exploited_vulnerabilities' AND row_key = $1`,
		strconv.FormatInt(v.ID, 10)).Scan(&changes); err != nil || changes != 2 {
		t.Errorf("%d changes recorded (%v), want the insert and the patch", changes, err)
	}
}

// openAbout returns the open findings' severities by check about one
// subject.
func openAbout(t *testing.T, s *store.Store, kind string, id int64) map[string]string {
	t.Helper()
	out := map[string]string{}
	rows, err := s.DB().Query(`SELECT check_id, severity FROM findings WHERE status = 'open' AND subject_kind = $1 AND subject_id = $2`, kind, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c, sev string
		if err := rows.Scan(&c, &sev); err != nil {
			t.Fatal(err)
		}
		out[c] = sev
	}
	return out
}

func run(t *testing.T, s *store.Store, instant string, ids ...string) {
	t.Helper()
	if _, err := s.RunChecks(context.Background(), registry.RunOptions{At: at(instant), Checks: ids, Trigger: "api", Actor: "t"}); err != nil {
		t.Fatal(err)
	}
}

func TestSharedStorageCheck(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	other, err := s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Other customer AB", Country: "SE", Kind: "company"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		kind      string
		shared    *bool
		sharers   []int64
		segmented *bool
		from      string
		want      string
	}{
		{"SharedNotSegmented", "storage", registry.Fact(true), nil, registry.Fact(false), "", "high"},
		{"SharedSegmentationUnknown", "storage", registry.Fact(true), nil, nil, "", "medium"},
		{"SharedSegmented", "storage", registry.Fact(true), nil, registry.Fact(true), "", ""},
		{"NamedControllerMeansShared", "storage", nil, []int64{other.ID}, registry.Fact(false), "", "high"},
		{"NotShared", "storage", registry.Fact(false), nil, registry.Fact(false), "", ""},
		{"SharingNotEstablishedIsNotRaised", "storage", nil, nil, nil, "", ""},
		{"RecordedOnlyAfterTheInstant", "storage", registry.Fact(true), nil, registry.Fact(false), "2019-06-01T00:00", ""},
		{"NoHealthData", "telephony", registry.Fact(true), nil, registry.Fact(false), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScenario(t, s, "SE", "company", func(l *registry.Link) { l.HealthData = tt.kind != "telephony" })
			sys := sc.system("NAS", tt.kind, nil)
			from := at("2016-01-01T00:00")
			if tt.from != "" {
				from = at(tt.from)
			}
			if _, err := s.SetSystemTenancy(ctx, "t", &registry.SystemTenancy{SystemID: sys.ID, SharedWithOthers: tt.shared,
				SharingControllerIDs: tt.sharers, Segmented: tt.segmented, Period: registry.Period{From: from}}); err != nil {
				t.Fatal(err)
			}
			run(t, s, "2019-02-01T12:00", "shared_storage")
			if got := openAbout(t, s, "system", sys.ID)["shared_storage"]; got != tt.want {
				t.Errorf("shared_storage: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIdentifiersInNamesCheck(t *testing.T) {
	s := storetest.Store(t)
	tests := []struct {
		name       string
		kind       string
		phone, pin *bool
		want       string
	}{
		{"PhoneNumbersOnHealthData", "storage", registry.Fact(true), registry.Fact(false), "medium"},
		{"IdentityNumbersOnHealthData", "storage", registry.Fact(false), registry.Fact(true), "high"},
		{"BothOnHealthData", "storage", registry.Fact(true), registry.Fact(true), "high"},
		{"PhoneNumbersOnRoutingData", "telephony", registry.Fact(true), nil, "low"},
		{"IdentityNumbersOnRoutingData", "telephony", nil, registry.Fact(true), "medium"},
		{"Neither", "storage", registry.Fact(false), registry.Fact(false), ""},
		{"NotEstablishedIsNotRaised", "storage", nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScenario(t, s, "SE", "company", func(l *registry.Link) { l.HealthData = tt.kind != "telephony" })
			sys := sc.system("Recordings", tt.kind, nil)
			if _, err := s.SetNameIdentifiers(context.Background(), "t", &registry.NameIdentifiers{SystemID: sys.ID, PhoneNumbers: tt.phone,
				PersonalIdentityNumbers: tt.pin, Period: registry.Period{From: at("2016-01-01T00:00")}}); err != nil {
				t.Fatal(err)
			}
			run(t, s, "2019-02-01T12:00", "identifiers_in_names")
			if got := openAbout(t, s, "system", sys.ID)["identifiers_in_names"]; got != tt.want {
				t.Errorf("identifiers_in_names: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBeyondInstructionsCheck(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	tests := []struct {
		name    string
		role    string
		health  bool
		beyond  *bool
		finding string // an authority's role finding on the link
		want    string
	}{
		{"ProcessorRecordsBeyondHealthData", "processor", true, registry.Fact(true), "", "high"},
		{"ProcessorStoresBeyondOtherData", "processor", false, registry.Fact(true), "", "medium"},
		{"WithinInstructions", "processor", true, registry.Fact(false), "", ""},
		{"NotEstablishedIsNotRaised", "processor", true, nil, "", ""},
		{"FoundARecipientByAnAuthority", "processor", true, registry.Fact(true), "recipient", ""},
		{"AControllerActsForItself", "independent_controller", true, registry.Fact(true), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScenario(t, s, "SE", "company", func(l *registry.Link) { l.Role, l.HealthData = tt.role, tt.health })
			what := "keeps recordings of calls it was not asked to record"
			if _, err := s.SetInstructionConduct(ctx, "t", &registry.InstructionConduct{LinkID: sc.link.ID, BeyondInstructions: tt.beyond,
				What: &what, Period: registry.Period{From: at("2016-01-01T00:00")}}); err != nil {
				t.Fatal(err)
			}
			if tt.finding != "" {
				if _, err := s.RecordRoleFinding(ctx, "t", &registry.RoleFinding{LinkID: sc.link.ID, Role: tt.finding, Authority: "IMY",
					DecidedOn: date("2018-01-01")}); err != nil {
					t.Fatal(err)
				}
			}
			run(t, s, "2019-02-01T12:00", "beyond_instructions")
			if got := openAbout(t, s, "link", sc.link.ID)["beyond_instructions"]; got != tt.want {
				t.Errorf("beyond_instructions: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSupplierAssessmentCheck(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	tests := []struct {
		name     string
		start    string // the link's start
		health   bool
		role     string
		assessed string // the day of a covering assessment ("": none)
		byParty  bool   // it covers the party rather than the link
		other    bool   // it is another controller's
		want     string
	}{
		{"NoAssessmentHealthData", "2018-09-01T00:00", true, "processor", "", false, false, "high"},
		{"NoAssessmentOtherData", "2018-09-01T00:00", false, "processor", "", false, false, "medium"},
		{"AssessedBefore", "2018-09-01T00:00", true, "processor", "2018-08-15", false, false, ""},
		{"AssessedOnTheDay", "2018-09-01T00:00", true, "processor", "2018-09-01", false, false, ""},
		{"AssessedTheParty", "2018-09-01T00:00", true, "processor", "2018-08-15", true, false, ""},
		{"AssessedLate", "2018-09-01T00:00", true, "processor", "2018-12-01", false, false, "info"},
		{"AssessedOnlyAfterTheInstant", "2018-09-01T00:00", true, "processor", "2019-06-01", false, false, "high"},
		{"AnotherControllersAssessment", "2018-09-01T00:00", true, "processor", "2018-08-15", false, true, "high"},
		{"EngagedBeforeTheGDPRApplied", "2015-01-01T00:00", true, "processor", "", false, false, ""},
		{"NotAProcessor", "2018-09-01T00:00", true, "independent_controller", "", false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScenario(t, s, "SE", "company", func(l *registry.Link) {
				l.Role, l.HealthData, l.Period = tt.role, tt.health, registry.Period{From: at(tt.start)}
			})
			if tt.assessed != "" {
				a := registry.RiskAssessment{ControllerID: sc.controller.ID, Kind: "risk_assessment", AssessedOn: date(tt.assessed)}
				if tt.byParty {
					a.CoveredPartyIDs = []int64{sc.processor.ID}
				} else {
					a.CoveredLinkIDs = []int64{sc.link.ID}
				}
				if tt.other {
					a.ControllerID = sc.processor.ID
				}
				if _, err := s.RecordRiskAssessment(ctx, "t", &a); err != nil {
					t.Fatal(err)
				}
			}
			run(t, s, "2019-02-01T12:00", "supplier_assessment")
			if got := openAbout(t, s, "link", sc.link.ID)["supplier_assessment"]; got != tt.want {
				t.Errorf("supplier_assessment: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTenancyAndConductRecordsAreValidatedAndDated(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	sc := newScenario(t, s, "SE", "company", nil)
	sys := sc.system("NAS", "storage", nil)
	from := registry.Period{From: at("2016-01-01T00:00")}
	tests := []struct {
		name, field string
		write       func() error
	}{
		{"NamedSharersYetNotShared", "sharedWithOtherCustomers", func() error {
			_, err := s.SetSystemTenancy(ctx, "t", &registry.SystemTenancy{SystemID: sys.ID, SharedWithOthers: registry.Fact(false),
				SharingControllerIDs: []int64{sc.controller.ID}, Period: from})
			return err
		}},
		{"NoSuchSharer", "sharingControllerIds", func() error {
			_, err := s.SetSystemTenancy(ctx, "t", &registry.SystemTenancy{SystemID: sys.ID, SharingControllerIDs: []int64{1 << 40}, Period: from})
			return err
		}},
		{"TenancyOfNoSuchSystem", "systemId", func() error {
			_, err := s.SetSystemTenancy(ctx, "t", &registry.SystemTenancy{SystemID: 1 << 40, Period: from})
			return err
		}},
		{"IdentifiersOfNoSystem", "systemId", func() error {
			_, err := s.SetNameIdentifiers(ctx, "t", &registry.NameIdentifiers{Period: from})
			return err
		}},
		{"BeyondInstructionsSaysWhat", "what", func() error {
			_, err := s.SetInstructionConduct(ctx, "t", &registry.InstructionConduct{LinkID: sc.link.ID, BeyondInstructions: registry.Fact(true), Period: from})
			return err
		}},
		{"ConductOfNoSuchLink", "linkId", func() error {
			_, err := s.SetInstructionConduct(ctx, "t", &registry.InstructionConduct{LinkID: 1 << 40, Period: from})
			return err
		}},
		{"AssessmentCoversNothing", "coveredLinkIds", func() error {
			_, err := s.RecordRiskAssessment(ctx, "t", &registry.RiskAssessment{ControllerID: sc.controller.ID, Kind: "dpia", AssessedOn: date("2018-01-01")})
			return err
		}},
		{"AssessmentKind", "kind", func() error {
			_, err := s.RecordRiskAssessment(ctx, "t", &registry.RiskAssessment{ControllerID: sc.controller.ID, Kind: "hunch",
				AssessedOn: date("2018-01-01"), CoveredLinkIDs: []int64{sc.link.ID}})
			return err
		}},
		{"AssessmentCoversNoSuchLink", "coveredLinkIds", func() error {
			_, err := s.RecordRiskAssessment(ctx, "t", &registry.RiskAssessment{ControllerID: sc.controller.ID, Kind: "dpia",
				AssessedOn: date("2018-01-01"), CoveredLinkIDs: []int64{1 << 40}})
			return err
		}},
		{"AssessmentCoversNoSuchParty", "coveredPartyIds", func() error {
			_, err := s.RecordRiskAssessment(ctx, "t", &registry.RiskAssessment{ControllerID: sc.controller.ID, Kind: "dpia",
				AssessedOn: date("2018-01-01"), CoveredPartyIDs: []int64{1 << 40}})
			return err
		}},
		{"AssessmentDayRequired", "assessedOn", func() error {
			_, err := s.RecordRiskAssessment(ctx, "t", &registry.RiskAssessment{ControllerID: sc.controller.ID, Kind: "dpia",
				CoveredLinkIDs: []int64{sc.link.ID}})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if e := registry.AsError(tt.write()); e == nil || e.Field != tt.field {
				t.Errorf("got %v, want an error naming %s", e, tt.field)
			}
		})
	}

	// A new tenancy record replaces the one in force from its start; both
	// stay in the history, and the named sharers read back.
	first, err := s.SetSystemTenancy(ctx, "t", &registry.SystemTenancy{SystemID: sys.ID, SharedWithOthers: registry.Fact(true), Period: from})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetSystemTenancy(ctx, "t", &registry.SystemTenancy{SystemID: sys.ID, SharingControllerIDs: []int64{sc.controller.ID},
		Segmented: registry.Fact(true), Period: registry.Period{From: at("2019-03-01T00:00")}}); err != nil {
		t.Fatal(err)
	}
	all, err := s.TenanciesBySystem(ctx, []int64{sys.ID}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := all[sys.ID]
	if len(ts) != 2 || ts[0].ID != first.ID || ts[0].To == nil || !ts[0].To.Equal(at("2019-03-01T00:00")) ||
		len(ts[1].SharingControllerIDs) != 1 || ts[1].SharingControllerIDs[0] != sc.controller.ID || ts[1].SharedWithOthers != nil {
		t.Errorf("tenancies %+v, want the first ended where the second starts, the second naming the controller", ts)
	}
	a, err := s.RecordRiskAssessment(ctx, "t", &registry.RiskAssessment{ControllerID: sc.controller.ID, Kind: "dpia",
		AssessedOn: date("2018-01-01"), CoveredLinkIDs: []int64{sc.link.ID}, CoveredPartyIDs: []int64{sc.processor.ID}})
	if err != nil {
		t.Fatal(err)
	}
	as, err := s.AssessmentsByController(ctx, []int64{sc.controller.ID}, ptr(at("2017-12-31T12:00")))
	if err != nil || len(as[sc.controller.ID]) != 0 {
		t.Errorf("assessments by 2017-12-31: %+v, %v; want none yet", as, err)
	}
	as, err = s.AssessmentsByController(ctx, []int64{sc.controller.ID}, nil)
	if err != nil || len(as[sc.controller.ID]) != 1 || as[sc.controller.ID][0].ID != a.ID ||
		as[sc.controller.ID][0].CoveredPartyIDs[0] != sc.processor.ID || as[sc.controller.ID][0].CoveredLinkIDs[0] != sc.link.ID {
		t.Errorf("assessments: %+v, %v; want the one recorded, read back whole", as, err)
	}
}
