package store_test

import (
	"context"
	"testing"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// system is a system of the scenario's processor used on its health-data
// link, with the profile prof (nil: none).
func (sc scenario) system(name, kind string, prof *registry.SystemProfile) registry.System {
	sc.t.Helper()
	ctx := context.Background()
	sys, err := sc.s.CreateSystem(ctx, "t", &registry.System{Name: name + " " + sc.t.Name(), Kind: kind, OperatorID: sc.processor.ID})
	if err != nil {
		sc.t.Fatal(err)
	}
	if _, err := sc.s.CreateSystemUse(ctx, "t", &registry.SystemUse{LinkID: sc.link.ID, SystemID: sys.ID, PartyID: sc.processor.ID,
		Period: sc.link.Period}); err != nil {
		sc.t.Fatal(err)
	}
	if prof != nil {
		prof.SystemID, prof.Period = sys.ID, registry.Period{From: at("2015-01-01T00:00")}
		if _, err := sc.s.SetSystemProfile(ctx, "t", prof); err != nil {
			sc.t.Fatal(err)
		}
	}
	return sys
}

// bare is a system no link uses: a gateway or an environment.
func bare(t *testing.T, s *store.Store, sc scenario, name string) registry.System {
	t.Helper()
	sys, err := s.CreateSystem(context.Background(), "t", &registry.System{Name: name + " " + t.Name(), Kind: "other", OperatorID: sc.processor.ID})
	if err != nil {
		t.Fatal(err)
	}
	return sys
}

// systemFindings runs the checks at instant and returns the open findings'
// severities by check about sys.
func (sc scenario) systemFindings(sys registry.System, instant string, ids ...string) map[string]string {
	sc.t.Helper()
	if _, err := sc.s.RunChecks(context.Background(), registry.RunOptions{At: at(instant), Checks: ids, Trigger: "api", Actor: "t"}); err != nil {
		sc.t.Fatal(err)
	}
	out := map[string]string{}
	rows, err := sc.s.DB().Query(`SELECT check_id, severity FROM findings f WHERE status = 'open'
		AND EXISTS (SELECT 1 FROM finding_controllers c WHERE c.finding_id = f.id AND c.controller_id = $1)
		AND subject_kind = 'system' AND subject_id = $2`, sc.controller.ID, sys.ID)
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

func known(internet bool, auth string, transport, rest bool) *registry.SystemProfile {
	return &registry.SystemProfile{InternetExposed: registry.Fact(internet), Authentication: &auth,
		TransportEncryption: registry.Fact(transport), EncryptionAtRest: registry.Fact(rest)}
}

func TestExposureCheckTriState(t *testing.T) {
	s := storetest.Store(t)
	tests := []struct {
		name string
		prof *registry.SystemProfile
		want string
	}{
		{"ExposedWithoutAuthentication", known(true, "none", true, true), "critical"},
		{"ExposedWithAPasswordAlone", known(true, "password", true, true), "high"},
		{"ExposedWithMFAWithoutTLS", known(true, "mfa", false, true), "high"},
		{"ExposedWithMFAAndTLS", known(true, "mfa", true, true), ""},
		{"InternalNotEncryptedAtRest", known(false, "password", false, false), "medium"},
		// Unknown is not "no": nothing is raised here (not_established does).
		{"AllUnknown", &registry.SystemProfile{}, ""},
		{"ExposedAuthenticationUnknown", &registry.SystemProfile{InternetExposed: registry.Fact(true), TransportEncryption: registry.Fact(true)}, ""},
		{"ExposureUnknownNoPassword", &registry.SystemProfile{Authentication: ptr("none"), TransportEncryption: registry.Fact(false)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScenario(t, s, "SE", "company", nil)
			sys := sc.system("Recorder", "recording", tt.prof)
			if got := sc.systemFindings(sys, "2019-02-01T12:00", "exposure")["exposure"]; got != tt.want {
				t.Errorf("exposure: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestInternetAccessCheck(t *testing.T) {
	s := storetest.Store(t)
	since := registry.Period{From: at("2015-01-01T00:00")}
	// Each case builds: a health system used on the link, and maybe a
	// gateway and an environment in front of it.
	type world struct {
		sc                    scenario
		target, gateway, envm registry.System
	}
	path := func(w world, sys registry.System, origin string, auth *string, gateway *int64) {
		t.Helper()
		if _, err := s.AddAccessPath(context.Background(), "t", &registry.AccessPath{SystemID: sys.ID, Audience: "customer_users",
			Origin: origin, Authentication: auth, GatewayID: gateway, Period: since}); err != nil {
			t.Fatal(err)
		}
	}
	relate := func(from, to registry.System, kind string, p registry.Period) {
		t.Helper()
		if _, err := s.AddSystemRelation(context.Background(), "t", &registry.SystemRelation{FromSystemID: from.ID, ToSystemID: to.ID,
			Kind: kind, Period: p}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		kind  string // the target's kind
		build func(w world)
		want  string
	}{
		{"DirectWithoutAuthentication", "records", func(w world) { path(w, w.target, "internet", ptr("none"), nil) }, "critical"},
		{"DirectWithAPasswordAlone", "records", func(w world) { path(w, w.target, "internet", ptr("password"), nil) }, "high"},
		{"DirectWithMFA", "records", func(w world) { path(w, w.target, "internet", ptr("mfa"), nil) }, ""},
		{"DirectWithSmartCard", "records", func(w world) { path(w, w.target, "internet", ptr("smart_card"), nil) }, ""},
		{"AuthenticationUnknownIsNotGuessed", "records", func(w world) { path(w, w.target, "internet", nil, nil) }, ""},
		{"HealthNetworkWithPassword", "records", func(w world) { path(w, w.target, "health_network", ptr("password"), nil) }, ""},
		{"TelephonyOnAHealthLinkCounts", "telephony", func(w world) { path(w, w.target, "internet", ptr("password"), nil) }, "high"},
		{"GatewayIntoHostingEnvironment", "records", func(w world) {
			path(w, w.gateway, "internet", ptr("password"), nil)
			relate(w.gateway, w.envm, "gives_access_to", since)
			relate(w.target, w.envm, "hosted_in", since)
		}, "high"},
		{"PathNamingTheGatewayReachesWhatItGivesAccessTo", "records", func(w world) {
			path(w, w.envm, "internet", ptr("none"), &w.gateway.ID)
			relate(w.gateway, w.target, "gives_access_to", since)
		}, "critical"},
		{"RunsOnAnExposedPlatform", "records", func(w world) {
			path(w, w.envm, "internet", ptr("password"), nil)
			relate(w.target, w.envm, "runs_on", since)
		}, "high"},
		{"ExposedGatewayProfilePropagates", "records", func(w world) {
			if _, err := s.SetSystemProfile(context.Background(), "t", &registry.SystemProfile{SystemID: w.gateway.ID, Period: since,
				InternetExposed: registry.Fact(true), Authentication: ptr("password")}); err != nil {
				t.Fatal(err)
			}
			relate(w.gateway, w.target, "gives_access_to", since)
		}, "high"},
		{"HostingIsNotGivingAccessUpwards", "records", func(w world) {
			// The target hosts the environment: reaching the environment
			// does not reach what it is hosted in.
			path(w, w.envm, "internet", ptr("none"), nil)
			relate(w.envm, w.target, "hosted_in", since)
		}, ""},
		{"SameIdentityDomainDoesNotPropagate", "records", func(w world) {
			path(w, w.gateway, "internet", ptr("none"), nil)
			relate(w.gateway, w.target, "identity_domain", since)
		}, ""},
		{"RelationEndedBeforeTheInstant", "records", func(w world) {
			path(w, w.gateway, "internet", ptr("none"), nil)
			relate(w.gateway, w.target, "gives_access_to", registry.Period{From: since.From, To: ptr(at("2018-01-01T00:00"))})
		}, ""},
		{"CycleEnds", "records", func(w world) {
			path(w, w.gateway, "internet", ptr("password"), nil)
			relate(w.gateway, w.envm, "gives_access_to", since)
			relate(w.envm, w.gateway, "gives_access_to", since)
			relate(w.envm, w.target, "gives_access_to", since)
		}, "high"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScenario(t, s, "SE", "company", nil)
			w := world{sc: sc, target: sc.system("Target", tt.kind, nil), gateway: bare(t, s, sc, "Gateway"), envm: bare(t, s, sc, "Environment")}
			tt.build(w)
			if got := sc.systemFindings(w.target, "2019-02-01T12:00", "internet_access")["internet_access"]; got != tt.want {
				t.Errorf("internet_access: got %q, want %q", got, tt.want)
			}
		})
	}
	// Over every system the cases built, asked about alone: the walk from
	// where a system can be reached from (a trace's, migrations/0040) says
	// of it exactly what the walk of the whole registry (the checks') says.
	for _, instant := range []string{"2017-06-01T00:00", "2019-02-01T12:00"} {
		t.Run("TargetsWalkAsTheWhole/"+instant, func(t *testing.T) {
			var differ, rows int
			if err := s.DB().QueryRow(`
				SELECT COALESCE(sum(
				         (SELECT count(*) FROM (SELECT x.* FROM kedja_internet_access($1) x WHERE x.system_id = sy.id
				                                EXCEPT ALL
				                                SELECT y.* FROM kedja_internet_access($1, ARRAY[sy.id]) y WHERE y.system_id = sy.id) d)
				       + (SELECT count(*) FROM (SELECT y.* FROM kedja_internet_access($1, ARRAY[sy.id]) y WHERE y.system_id = sy.id
				                                EXCEPT ALL
				                                SELECT x.* FROM kedja_internet_access($1) x WHERE x.system_id = sy.id) d)), 0),
				       (SELECT count(*) FROM kedja_internet_access($1) x)
				FROM systems sy`, at(instant)).Scan(&differ, &rows); err != nil {
				t.Fatal(err)
			}
			if rows == 0 {
				t.Fatal("no way in from the internet: nothing compared")
			}
			if differ != 0 {
				t.Errorf("%d rows differ between the walk for each system and the whole walk (%d rows)", differ, rows)
			}
		})
	}
}

func TestNotEstablishedCheck(t *testing.T) {
	s := storetest.Store(t)
	tests := []struct {
		name     string
		kind     string
		prof     *registry.SystemProfile
		pathAuth *string // an internal access path with this authentication; "" none
		want     string
	}{
		{"NoProfile", "records", nil, nil, "medium"},
		{"EveryFactKnown", "records", known(false, "mfa", true, true), nil, ""},
		{"AuthenticationUnknown", "records", &registry.SystemProfile{InternetExposed: registry.Fact(false),
			TransportEncryption: registry.Fact(true), EncryptionAtRest: registry.Fact(true)}, nil, "medium"},
		{"AccessPathAuthenticationUnknown", "records", known(false, "mfa", true, true), ptr(""), "medium"},
		{"AccessPathAuthenticationKnown", "records", known(false, "mfa", true, true), ptr("smart_card"), ""},
		{"TelephonyOnAHealthLink", "telephony", nil, nil, "medium"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScenario(t, s, "SE", "company", nil)
			sys := sc.system("Records", tt.kind, tt.prof)
			if tt.pathAuth != nil {
				p := registry.AccessPath{SystemID: sys.ID, Audience: "own_staff", Origin: "internal", Period: registry.Period{From: at("2015-01-01T00:00")}}
				if *tt.pathAuth != "" {
					p.Authentication = tt.pathAuth
				}
				if _, err := s.AddAccessPath(context.Background(), "t", &p); err != nil {
					t.Fatal(err)
				}
			}
			if got := sc.systemFindings(sys, "2019-02-01T12:00", "not_established")["not_established"]; got != tt.want {
				t.Errorf("not_established: got %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("NoHealthDataNoFinding", func(t *testing.T) {
		sc := newScenario(t, s, "SE", "company", func(l *registry.Link) { l.HealthData = false })
		sys := sc.system("Router", "telephony", nil)
		if got := sc.systemFindings(sys, "2019-02-01T12:00", "not_established")["not_established"]; got != "" {
			t.Errorf("a telephony system on a link without health data: got %q, want nothing", got)
		}
	})
}

func TestBackupCheck(t *testing.T) {
	s := storetest.Store(t)
	backup := func(exists *bool, tested string) *registry.SystemProfile {
		p := known(false, "mfa", true, true)
		p.BackupExists = exists
		if tested != "" {
			d := date(tested)
			p.LastRestoreTest = &d
		}
		return p
	}
	tests := []struct {
		name string
		kind string
		prof *registry.SystemProfile
		want string
	}{
		{"NoProfile", "storage", nil, "medium"},
		{"BackupNotEstablished", "storage", backup(nil, ""), "medium"},
		{"NoBackup", "storage", backup(registry.Fact(false), ""), "high"},
		{"BackupNeverRestoreTested", "storage", backup(registry.Fact(true), ""), "medium"},
		{"RestoreTestedThisYear", "storage", backup(registry.Fact(true), "2018-09-01"), ""},
		{"RestoreTestedOn365thDayBefore", "storage", backup(registry.Fact(true), "2018-02-01"), ""},
		{"RestoreTestOverAYearOld", "storage", backup(registry.Fact(true), "2018-01-31"), "medium"},
		{"RestoreTestAfterTheInstantDoesNotCount", "storage", backup(registry.Fact(true), "2019-06-01"), "medium"},
		{"TelephonyKeepsNothing", "telephony", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScenario(t, s, "SE", "company", nil)
			sys := sc.system("Store", tt.kind, tt.prof)
			if got := sc.systemFindings(sys, "2019-02-01T12:00", "backup")["backup"]; got != tt.want {
				t.Errorf("backup: got %q, want %q", got, tt.want)
			}
		})
	}
}

// The restore-test period is a setting, kedja.restore_test_days, with 365
// days when it is not set.
func TestRestoreTestDaysSetting(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	gap := `SELECT COALESCE(kedja_backup_gap(true, DATE '2018-11-01', TIMESTAMPTZ '2019-02-01 12:00+01', kedja_restore_test_days()), '')`
	for _, tt := range []struct{ name, set, want string }{
		{"Default365", "", ""},
		{"Set30", "30", "restore_test_overdue"},
		{"Set100", "100", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := conn.ExecContext(ctx, `SELECT set_config('kedja.restore_test_days', $1, false)`, tt.set); err != nil {
				t.Fatal(err)
			}
			var got string
			if err := conn.QueryRowContext(ctx, gap).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// On the 1177 demo as of 1 February 2019: the exposed storage server is
// critical and its missing backup raised, each once per controller; Biz
// 2.0's assumed password logins from the internet are high; nothing is said
// about Inera's platform.
func TestDemoPosture(t *testing.T) {
	s := demoStore(t)
	if _, err := s.RunChecks(context.Background(), registry.RunOptions{At: at("2019-02-01T12:00"), Trigger: "api", Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	open := findings(t, s, "f.status = 'open'")
	count := func(check, subject, controller, severity string) int {
		n := 0
		for _, f := range open {
			if (check == "" || f.Check == check) && f.Subject == subject && f.Controller == controller && (severity == "" || f.Severity == severity) {
				n++
			}
		}
		return n
	}
	const nas = "Recording storage server (NAS)"
	for _, region := range []string{"Region Stockholm", "Region Sörmland", "Region Värmland"} {
		tests := []struct {
			name, check, subject, severity string
			want                           int
		}{
			{"StorageServerCriticalOnce", "", nas, "critical", 1},
			{"StorageServerExposed", "exposure", nas, "critical", 1},
			{"StorageServerBackupOnce", "backup", nas, "medium", 1},
			{"StorageServerFactsAllKnown", "not_established", nas, "", 0},
			{"BizPasswordFromTheInternet", "internet_access", "Biz 2.0", "high", 1},
			{"StorageServerUnsupportedApache", "unsupported_software", nas, "medium", 1},
			{"StorageServerPhoneNumbersInFileNames", "identifiers_in_names", nas, "medium", 1},
			{"StorageServerSharedSegmentationUnknown", "shared_storage", nas, "medium", 1},
			{"IneraPlatformNothing", "", "1177 national telephony platform", "", 0},
		}
		for _, tt := range tests {
			t.Run(region+"/"+tt.name, func(t *testing.T) {
				if got := count(tt.check, tt.subject, region, tt.severity); got != tt.want {
					t.Errorf("%s %s on %s for %s: %d findings, want %d", tt.check, tt.severity, tt.subject, region, got, tt.want)
				}
			})
		}
	}
}
