package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/demo"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

func demoIncident(t *testing.T, s *store.Store) registry.Incident {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.Seed(ctx, s, stockholm); err != nil {
		t.Fatal(err)
	}
	list, _, err := s.ListIncidents(ctx, registry.Page{First: 10})
	if err != nil || len(list) != 1 {
		t.Fatalf("incidents: %v %v", list, err)
	}
	return list[0]
}

// The 2019 exposure of the storage server: its impact follows the uses,
// the move of 2016 and the links as they stood when the calls were
// recorded, so Region Kalmar län's 2013 night calls count; the download
// log reproduces the vendor's figures.
func TestIncidentImpactOfThe2019Exposure(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	inc := demoIncident(t, s)
	loc := stockholm
	at := time.Date(2019, 2, 22, 12, 0, 0, 0, loc)
	imp, err := s.Impact(ctx, inc.ID, at)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range imp.Controllers {
		var via []string
		for _, v := range c.Via {
			via = append(via, v.Party.LegalName+"/"+v.Role)
		}
		got = append(got, fmt.Sprintf("%s via %s: %s", c.Party.LegalName, strings.Join(via, ","), c.Duty.Status))
	}
	want := []string{
		// Medicall's own calls reached Biz 2.0 over its link to Voice
		// Integrate, and the move of 2016 carried them onto the server.
		"Medhelp AB via Medicall Co., Ltd./processor,Voice Integrate Nordic AB/sub_processor: not_aware",
		"Region Kalmar län via Medhelp AB/independent_controller,Medicall Co., Ltd./processor,Voice Integrate Nordic AB/sub_processor: not_aware",
		"Region Stockholm via Medhelp AB/independent_controller,Medicall Co., Ltd./processor,Voice Integrate Nordic AB/sub_processor: not_aware",
		"Region Sörmland via Medhelp AB/independent_controller,Medicall Co., Ltd./processor,Voice Integrate Nordic AB/sub_processor: not_aware",
		"Region Värmland via Medhelp AB/independent_controller,Medicall Co., Ltd./processor,Voice Integrate Nordic AB/sub_processor: notified",
	}
	if !slices.Equal(got, want) {
		t.Errorf("controllers:\n got %q\nwant %q", got, want)
	}
	for _, c := range imp.Controllers {
		switch c.Party.LegalName {
		case "Region Kalmar län":
			if c.CallsFrom == nil || c.CallsUntil == nil || c.CallsFrom.In(loc).Format("2006-01-02") != "2013-01-01" ||
				c.CallsUntil.In(loc).Format("2006-01-02") != "2014-01-01" || !c.ViaMove {
				t.Errorf("Kalmar's calls held: %v to %v (via move %v), want 2013-01-01 to 2014-01-01 by the move", c.CallsFrom, c.CallsUntil, c.ViaMove)
			}
		case "Region Värmland":
			if c.Duty.Deadline == nil || !c.Duty.Deadline.Equal(time.Date(2019, 2, 21, 12, 0, 0, 0, loc)) {
				t.Errorf("Värmland's deadline %v, want 72 hours from 2019-02-18 12:00", c.Duty.Deadline)
			}
			if c.CallsUntil == nil || !c.CallsUntil.Equal(time.Date(2019, 2, 18, 14, 13, 0, 0, loc)) {
				t.Errorf("Värmland's calls held until %v, want the containment", c.CallsUntil)
			}
		}
	}
	var duties []string
	for _, d := range imp.Duties {
		if d.Article == "art33_2" {
			duties = append(duties, fmt.Sprintf("%s -> %s %s", imp.Parties[d.FromID].LegalName, imp.Parties[*d.ToID].LegalName, d.Status))
		}
	}
	if want := []string{"Medicall Co., Ltd. -> Medhelp AB not_aware", "Voice Integrate Nordic AB -> Medhelp AB not_notified",
		"Voice Integrate Nordic AB -> Medicall Co., Ltd. not_notified"}; !slices.Equal(duties, want) {
		t.Errorf("Art. 33(2) duties %q, want %q", duties, want)
	}
	e := imp.Evidence
	if e.Downloads != 55 || e.Duplicates != 9 || e.UniqueCalls != 46 {
		t.Errorf("downloads %d, duplicates %d, unique %d; want 55, 9, 46", e.Downloads, e.Duplicates, e.UniqueCalls)
	}
	var days, years []string
	for _, c := range e.ByDay {
		days = append(days, fmt.Sprintf("%s %d/%d", c.Key, c.Downloads, c.Sources))
	}
	for _, c := range e.ByCallYear {
		years = append(years, fmt.Sprintf("%s %d", c.Key, c.Downloads))
	}
	if want := []string{"2019-02-13 36/3", "2019-02-14 3/1", "2019-02-15 2/1", "2019-02-18 14/4"}; !slices.Equal(days, want) {
		t.Errorf("by day %q, want %q", days, want)
	}
	if want := []string{"2013 7", "2016 8", "2018 3", "2019 37"}; !slices.Equal(years, want) {
		t.Errorf("by year of call %q, want %q", years, want)
	}
}

// Bad input is refused whole, naming the field; the log is imported whole
// or not at all.
func TestIncidentBadInput(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	inc := demoIncident(t, s)
	loc := stockholm
	at := func(v string) *time.Time {
		x, err := registry.ParseInstant("t", v, loc)
		if err != nil {
			t.Fatal(err)
		}
		return &x
	}
	tests := []struct {
		name  string
		do    func() error
		field string
		code  registry.Code
	}{
		{"OverlappingWindowSameSystemAndKind", func() error {
			_, err := s.CreateIncident(ctx, "test", &registry.Incident{Title: "again", Kind: "confidentiality", ExposureFrom: at("2018-01-01"),
				ContainedAt: at("2018-06-01"), Status: "contained", DiscoveredAt: *at("2018-05-01"), SystemIDs: inc.SystemIDs})
			return err
		}, "exposureFrom", registry.EConflict},
		{"UnknownStartOverlapsToo", func() error {
			_, err := s.CreateIncident(ctx, "test", &registry.Incident{Title: "again", Kind: "confidentiality",
				DiscoveredAt: *at("2015-05-01"), SystemIDs: inc.SystemIDs})
			return err
		}, "exposureFrom", registry.EConflict},
		{"ContainmentBeforeStart", func() error {
			_, err := s.CreateIncident(ctx, "test", &registry.Incident{Title: "x", Kind: "integrity", ExposureFrom: at("2018-01-01"),
				ContainedAt: at("2017-06-01"), DiscoveredAt: *at("2018-05-01"), SystemIDs: inc.SystemIDs})
			return err
		}, "containedAt", registry.EInvalid},
		{"DiscoveredBeforeStart", func() error {
			_, err := s.CreateIncident(ctx, "test", &registry.Incident{Title: "x", Kind: "integrity", ExposureFrom: at("2018-01-01"),
				DiscoveredAt: *at("2017-05-01"), SystemIDs: inc.SystemIDs})
			return err
		}, "discoveredAt", registry.EInvalid},
		{"NoSystems", func() error {
			_, err := s.CreateIncident(ctx, "test", &registry.Incident{Title: "x", Kind: "integrity", DiscoveredAt: *at("2017-05-01")})
			return err
		}, "systemIds", registry.EInvalid},
		{"AwarenessBeforeDiscovery", func() error {
			_, err := s.SetIncidentParty(ctx, "test", &registry.IncidentParty{IncidentID: inc.ID, PartyID: 1, AwareAt: at("2019-02-17T09:00")})
			return err
		}, "awareAt", registry.EInvalid},
		{"NotifiedBeforeDiscovery", func() error {
			_, err := s.RecordNotification(ctx, "test", &registry.Notification{IncidentID: inc.ID, Article: "art33_1", FromID: 1,
				ToAuthority: ptr("IMY"), SentAt: *at("2019-02-17T09:00")})
			return err
		}, "sentAt", registry.EInvalid},
		{"ProcessorNotificationWithoutAddressee", func() error {
			_, err := s.RecordNotification(ctx, "test", &registry.Notification{IncidentID: inc.ID, Article: "art33_2", FromID: 1,
				SentAt: *at("2019-02-19T09:00")})
			return err
		}, "toId", registry.EInvalid},
		{"LogWithMalformedRows", func() error {
			_, err := registry.ParseAccessLog("csv", "time,source,call,call_date\n2019-02-13T10:00,192.0.2.1,a.mp3,2013-01-01\n"+
				"yesterday,192.0.2.1,b.mp3,2013-01-01\n2019-02-13T10:02,192.0.2.1,c.mp3,someday\n", loc)
			if err != nil && !strings.Contains(err.Error(), "line 3") || err != nil && !strings.Contains(err.Error(), "line 4") {
				t.Errorf("the lines are not named: %v", err)
			}
			return err
		}, "csv", registry.EInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.do()
			e := registry.AsError(err)
			if e == nil || e.Field != tt.field || e.Code != tt.code {
				t.Fatalf("got %v, want %s naming %s", err, tt.code, tt.field)
			}
		})
	}
	sum, err := s.LogSummaries(ctx, []int64{inc.ID})
	if err != nil || sum[inc.ID].Downloads != 55 || sum[inc.ID].Logs != 1 {
		t.Errorf("the refused inputs changed the evidence: %+v %v", sum[inc.ID], err)
	}
}

// The check finds the controllers with no awareness recorded and the
// processor that has not notified Medhelp; not Region Värmland, which
// notified in time.
func TestIncidentNotificationCheck(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	demoIncident(t, s)
	at := time.Date(2019, 2, 22, 12, 0, 0, 0, stockholm)
	if _, err := s.RunChecks(ctx, registry.RunOptions{Checks: []string{"incident_notification"}, At: at, Trigger: "cli"}); err != nil {
		t.Fatal(err)
	}
	check := "incident_notification"
	fs, _, err := s.ListFindings(ctx, registry.FindingFilter{Check: &check}, registry.Page{First: 100})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.Message)
	}
	slices.Sort(got)
	// Four controllers and Medicall with no awareness recorded; Voice
	// Integrate's two Art. 33(2) notifications not recorded.
	if len(got) != 7 || strings.Contains(strings.Join(got, "\n"), "Värmland") {
		t.Errorf("findings:\n%s", strings.Join(got, "\n"))
	}
}
