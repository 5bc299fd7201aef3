package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// findingSince runs check at instant and returns since of the open finding
// of check about sys (the zero time: no finding; nil: since not known).
func findingSince(t *testing.T, s *store.Store, check string, sys registry.System, instant string) (bool, *time.Time) {
	t.Helper()
	return subjectSince(t, s, check, "system", sys.ID, instant)
}

// subjectSince is findingSince about any subject.
func subjectSince(t *testing.T, s *store.Store, check, kind string, id int64, instant string) (bool, *time.Time) {
	t.Helper()
	run(t, s, instant, check)
	var since *time.Time
	err := s.DB().QueryRow(`SELECT since FROM findings WHERE status = 'open' AND check_id = $1 AND subject_kind = $2
		AND subject_id = $3`, check, kind, id).Scan(&since)
	if err != nil {
		if err.Error() == "sql: no rows in result set" {
			return false, nil
		}
		t.Fatal(err)
	}
	return true, since
}

// not_established and backup say since when from the dated facts: the
// profile in force (or the end of the last one), the access paths whose
// authentication is unknown, the day a restore test fell overdue, and the
// system's use on the chain (from 2015-01-01 in every case here).
func TestPostureSinceFromDatedFacts(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	backup := func(exists *bool, tested string) *registry.SystemProfile {
		p := known(false, "mfa", true, true)
		p.BackupExists = exists
		if tested != "" {
			d := date(tested)
			p.LastRestoreTest = &d
		}
		return p
	}
	type profile struct {
		p        *registry.SystemProfile
		from, to string
	}
	tests := []struct {
		name     string
		check    string
		kind     string
		profiles []profile
		pathFrom string // an access path with authentication unknown from then ("": none)
		want     string
	}{
		{"NotEstablishedNoProfileEver", "not_established", "records", nil, "", "2015-01-01T00:00"},
		{"NotEstablishedUnknownInTheProfileInForce", "not_established", "records",
			[]profile{{backup(registry.Fact(true), ""), "2015-01-01T00:00", "2017-03-01T00:00"},
				{&registry.SystemProfile{InternetExposed: registry.Fact(false)}, "2017-03-01T00:00", ""}}, "", "2017-03-01T00:00"},
		{"NotEstablishedSinceTheLastProfileEnded", "not_established", "records",
			[]profile{{known(false, "mfa", true, true), "2015-01-01T00:00", "2018-01-01T00:00"}}, "", "2018-01-01T00:00"},
		{"NotEstablishedAccessPathAuthentication", "not_established", "records",
			[]profile{{known(false, "mfa", true, true), "2015-01-01T00:00", ""}}, "2016-06-01T00:00", "2016-06-01T00:00"},
		{"NotEstablishedTheEarlierOfProfileAndPath", "not_established", "records",
			[]profile{{&registry.SystemProfile{}, "2017-03-01T00:00", ""}}, "2016-06-01T00:00", "2016-06-01T00:00"},
		{"BackupNoProfileEver", "backup", "storage", nil, "", "2015-01-01T00:00"},
		{"NoBackupInTheProfileInForce", "backup", "storage",
			[]profile{{backup(registry.Fact(false), ""), "2017-03-01T00:00", ""}}, "", "2017-03-01T00:00"},
		{"BackupNotRecordedSinceTheLastProfileEnded", "backup", "storage",
			[]profile{{backup(registry.Fact(true), "2018-06-01"), "2015-01-01T00:00", "2018-09-01T00:00"}}, "", "2018-09-01T00:00"},
		{"RestoreTestOverdueTheDayAfterThePeriod", "backup", "storage",
			[]profile{{backup(registry.Fact(true), "2017-06-01"), "2015-01-01T00:00", ""}}, "", "2018-06-02T00:00"},
		{"NeverRestoreTestedSinceTheUse", "backup", "storage",
			[]profile{{backup(registry.Fact(true), ""), "2017-03-01T00:00", ""}}, "", "2015-01-01T00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScenario(t, s, "SE", "company", nil)
			sys := sc.system("Store", tt.kind, nil)
			for _, p := range tt.profiles {
				p.p.SystemID, p.p.Period = sys.ID, registry.Period{From: at(p.from)}
				if p.to != "" {
					p.p.To = ptr(at(p.to))
				}
				if _, err := s.SetSystemProfile(ctx, "t", p.p); err != nil {
					t.Fatal(err)
				}
			}
			if tt.pathFrom != "" {
				if _, err := s.AddAccessPath(ctx, "t", &registry.AccessPath{SystemID: sys.ID, Audience: "own_staff", Origin: "internal",
					Period: registry.Period{From: at(tt.pathFrom)}}); err != nil {
					t.Fatal(err)
				}
			}
			found, since := findingSince(t, s, tt.check, sys, "2019-02-01T12:00")
			if !found {
				t.Fatalf("%s: no finding", tt.check)
			}
			if since == nil || !since.Equal(at(tt.want)) {
				t.Errorf("%s since: got %v, want %s", tt.check, since, tt.want)
			}
		})
	}
}

// disclosure_basis dates a missing or insufficient basis from the basis in
// force, or the end of the last one, and secrecy left at home from the
// link (chains from 2015-01-01).
func TestDisclosureBasisSince(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	tests := []struct {
		name, country  string
		basis          string // "": none recorded
		from, to, want string
	}{
		{"NoBasisEver", "SE", "", "", "", "2015-01-01T00:00"},
		{"BasisUnknownInForce", "SE", "unknown", "2017-03-01T00:00", "", "2017-03-01T00:00"},
		{"SinceTheLastBasisEnded", "SE", "statute", "2015-01-01T00:00", "2018-01-01T00:00", "2018-01-01T00:00"},
		{"SecrecyAbroadWhateverTheStatute", "TH", "statute", "2017-03-01T00:00", "", "2015-01-01T00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChain(t, s, chainSpec{providerCountry: tt.country, providerRole: "independent_controller", health: true})
			if tt.basis != "" {
				b := registry.DisclosureBasis{LinkID: c.toProvider.ID, Basis: tt.basis, Reference: ptr("HSL 2017:30"),
					Period: registry.Period{From: at(tt.from)}}
				if tt.to != "" {
					b.To = ptr(at(tt.to))
				}
				if _, err := s.SetDisclosureBasis(ctx, "t", &b); err != nil {
					t.Fatal(err)
				}
			}
			found, since := subjectSince(t, s, "disclosure_basis", "party", c.provider.ID, "2019-02-01T12:00")
			if !found {
				t.Fatal("disclosure_basis: no finding")
			}
			if since == nil || !since.Equal(at(tt.want)) {
				t.Errorf("since: got %v, want %s", since, tt.want)
			}
		})
	}
}

// internet_access dates a way in from the access path or the exposed
// profile and every relation it is carried through (use from 2015-01-01).
func TestInternetAccessSince(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	path := func(sys registry.System, from string) {
		t.Helper()
		if _, err := s.AddAccessPath(ctx, "t", &registry.AccessPath{SystemID: sys.ID, Audience: "customer_users", Origin: "internet",
			Authentication: ptr("password"), Period: registry.Period{From: at(from)}}); err != nil {
			t.Fatal(err)
		}
	}
	relate := func(from, to registry.System, kind, start string) {
		t.Helper()
		if _, err := s.AddSystemRelation(ctx, "t", &registry.SystemRelation{FromSystemID: from.ID, ToSystemID: to.ID, Kind: kind,
			Period: registry.Period{From: at(start)}}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		build func(target, gateway registry.System)
		want  string
	}{
		{"DirectPath", func(target, _ registry.System) { path(target, "2017-03-01T00:00") }, "2017-03-01T00:00"},
		{"ThroughARelationBegunLater", func(target, gateway registry.System) {
			path(gateway, "2016-01-01T00:00")
			relate(gateway, target, "gives_access_to", "2018-05-01T00:00")
		}, "2018-05-01T00:00"},
		{"ExposedProfileOfTheGateway", func(target, gateway registry.System) {
			if _, err := s.SetSystemProfile(ctx, "t", &registry.SystemProfile{SystemID: gateway.ID, InternetExposed: registry.Fact(true),
				Authentication: ptr("password"), Period: registry.Period{From: at("2016-06-01T00:00")}}); err != nil {
				t.Fatal(err)
			}
			relate(gateway, target, "gives_access_to", "2015-01-01T00:00")
		}, "2016-06-01T00:00"},
		{"TheEarliestOfTwoWaysIn", func(target, gateway registry.System) {
			path(target, "2017-03-01T00:00")
			path(gateway, "2016-01-01T00:00")
			relate(gateway, target, "gives_access_to", "2016-02-01T00:00")
		}, "2016-02-01T00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScenario(t, s, "SE", "company", nil)
			target := sc.system("Target", "records", nil)
			tt.build(target, bare(t, s, sc, "Gateway"))
			found, since := findingSince(t, s, "internet_access", target, "2019-02-01T12:00")
			if !found {
				t.Fatal("internet_access: no finding")
			}
			if since == nil || !since.Equal(at(tt.want)) {
				t.Errorf("since: got %v, want %s", since, tt.want)
			}
		})
	}
}

// incident_notification dates each duty: nobody told since the incident
// was discovered, a processor silent since it became aware (the demo's
// 2019 exposure, judged on 22 February 2019).
func TestIncidentNotificationSince(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	inc := demoIncident(t, s)
	if _, err := s.RunChecks(ctx, registry.RunOptions{Checks: []string{"incident_notification"},
		At: time.Date(2019, 2, 22, 12, 0, 0, 0, stockholm), Trigger: "cli"}); err != nil {
		t.Fatal(err)
	}
	rows, err := s.DB().Query(`SELECT evidence->>'status', CAST(evidence->>'awareAt' AS timestamptz), since FROM findings
		WHERE check_id = 'incident_notification' AND status = 'open'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]int{}
	for rows.Next() {
		var status string
		var aware, since *time.Time
		if err := rows.Scan(&status, &aware, &since); err != nil {
			t.Fatal(err)
		}
		seen[status]++
		want := aware
		if status == "not_aware" {
			want = &inc.DiscoveredAt
		}
		if since == nil || want == nil || !since.Equal(*want) {
			t.Errorf("%s: since %v, want %v", status, since, want)
		}
	}
	if seen["not_aware"] != 5 || seen["not_notified"] != 2 {
		t.Errorf("findings by status: %v, want 5 not_aware and 2 not_notified", seen)
	}
}

// notice_gap dates the gap from the earliest thing left unsaid, not
// before the notice in force began, or the last one ended (links and the
// recorder from 2015-01-01).
func TestNoticeGapSince(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	tests := []struct {
		name       string
		spec       chainSpec
		notice     *registry.CallerNotice
		from, to   string
		recorderUS string // the recorder is reached from the US from then
		want       string
	}{
		{"NoNoticeEver", chainSpec{providerCountry: "SE", providerRole: "processor"}, nil, "", "", "", "2015-01-01T00:00"},
		{"SinceTheLastNoticeEnded", chainSpec{providerCountry: "SE", providerRole: "processor"},
			&registry.CallerNotice{MentionsRecipients: true}, "2014-01-01T00:00", "2018-01-01T00:00", "", "2018-01-01T00:00"},
		{"NotBeforeTheNoticeInForce", chainSpec{providerCountry: "SE", providerRole: "processor"},
			&registry.CallerNotice{}, "2017-03-01T00:00", "", "", "2017-03-01T00:00"},
		{"FromWhenTheUnsaidTransferBegan", chainSpec{providerCountry: "SE", providerRole: "processor", subCountry: "SE", subRole: "sub_processor",
			health: true, recording: true},
			&registry.CallerNotice{MentionsRecording: true, MentionsRecipients: true, MentionsRetention: true}, "2014-01-01T00:00", "",
			"2017-06-01T00:00", "2017-06-01T00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChain(t, s, tt.spec)
			if tt.notice != nil {
				n := *tt.notice
				n.ControllerID, n.Period = c.ctl.ID, registry.Period{From: at(tt.from)}
				if tt.to != "" {
					n.To = ptr(at(tt.to))
				}
				if _, err := s.SetCallerNotice(ctx, "t", &n); err != nil {
					t.Fatal(err)
				}
			}
			if tt.recorderUS != "" {
				if _, err := s.AddSystemLocation(ctx, "t", &registry.SystemLocation{SystemID: c.recorder.ID, Country: "US", Purpose: "access",
					Period: registry.Period{From: at(tt.recorderUS)}}); err != nil {
					t.Fatal(err)
				}
			}
			found, since := subjectSince(t, s, "notice_gap", "party", c.ctl.ID, "2019-02-01T12:00")
			if !found {
				t.Fatal("notice_gap: no finding")
			}
			if since == nil || !since.Equal(at(tt.want)) {
				t.Errorf("since: got %v, want %s", since, tt.want)
			}
		})
	}
}

// record_gap dates the gap in the region's record from the earliest thing
// it leaves out, not before the record in force began, or the last one
// ended (links and the recorder from 2015-01-01).
func TestRecordGapSince(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	spec := chainSpec{providerCountry: "SE", providerRole: "processor", subCountry: "SE", subRole: "sub_processor", health: true, recording: true}
	tests := []struct {
		name       string
		record     bool
		namesSub   bool
		from, to   string
		recorderUS string
		want       string
	}{
		{"NoRecordEver", false, false, "", "", "", "2015-01-01T00:00"},
		{"NotBeforeTheRecordInForce", true, false, "2017-03-01T00:00", "", "", "2017-03-01T00:00"},
		{"SinceTheLastRecordEnded", true, true, "2014-01-01T00:00", "2018-01-01T00:00", "", "2018-01-01T00:00"},
		{"FromWhenTheUnrecordedTransferBegan", true, true, "2014-01-01T00:00", "", "2017-06-01T00:00", "2017-06-01T00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChain(t, s, spec)
			if tt.record {
				r := registry.ProcessingRecord{PartyID: c.ctl.ID, NamedPartyIDs: []int64{c.provider.ID}, Period: registry.Period{From: at(tt.from)}}
				if tt.namesSub {
					r.NamedPartyIDs = append(r.NamedPartyIDs, c.sub.ID)
				}
				if tt.to != "" {
					r.To = ptr(at(tt.to))
				}
				if _, err := s.SetProcessingRecord(ctx, "t", &r); err != nil {
					t.Fatal(err)
				}
			}
			if tt.recorderUS != "" {
				if _, err := s.AddSystemLocation(ctx, "t", &registry.SystemLocation{SystemID: c.recorder.ID, Country: "US", Purpose: "access",
					Period: registry.Period{From: at(tt.recorderUS)}}); err != nil {
					t.Fatal(err)
				}
			}
			found, since := subjectSince(t, s, "record_gap", "party", c.ctl.ID, "2019-02-01T12:00")
			if !found {
				t.Fatal("record_gap: no finding")
			}
			if since == nil || !since.Equal(at(tt.want)) {
				t.Errorf("since: got %v, want %s", since, tt.want)
			}
		})
	}
}
