package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// noticeChain is a controller whose processor engages a sub-processor on
// sub, from 2019-05-01; the controller's link to the processor carries the
// authorisation the case gives.
type noticeChain struct {
	scenario
	subParty registry.Organisation
	sub      registry.Link
}

func newNoticeChain(t *testing.T, s *store.Store, authorisation string, health bool) noticeChain {
	t.Helper()
	c := noticeChain{scenario: newScenario(t, s, "SE", "company", func(l *registry.Link) {
		l.Authorisation = authorisation
		if authorisation != "none" {
			l.AuthorisingControllerID = ptr(l.FromID)
		}
	})}
	ctx := context.Background()
	var err error
	if c.subParty, err = s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Sub " + t.Name(), Country: "SE", Kind: "company"}); err != nil {
		t.Fatal(err)
	}
	if c.sub, err = s.CreateLink(ctx, "t", &registry.Link{FromID: c.processor.ID, ToID: c.subParty.ID, Role: "sub_processor", Purpose: "hosting",
		HealthData: health, AgreementRef: ptr("SUB-1"), Period: registry.Period{From: at("2019-05-01T00:00")}}); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c noticeChain) period(days int) {
	c.t.Helper()
	if _, err := c.s.SetNoticePeriod(context.Background(), "t", &registry.NoticePeriod{LinkID: c.link.ID, Days: days,
		Period: registry.Period{From: at("2015-01-01T00:00")}}); err != nil {
		c.t.Fatal(err)
	}
}

func (c noticeChain) notice(sent string) registry.ChangeNotice {
	c.t.Helper()
	n, err := c.s.CreateChangeNotice(context.Background(), "t", &registry.ChangeNotice{LinkID: c.sub.ID, Kind: "new",
		SentAt: at(sent), EffectiveAt: at("2019-05-01T00:00")})
	if err != nil {
		c.t.Fatal(err)
	}
	return n
}

func (c noticeChain) respond(n registry.ChangeNotice, response, on string) {
	c.t.Helper()
	r := registry.NoticeResponse{NoticeID: n.ID, ControllerID: c.controller.ID, Response: response, RespondedAt: at(on)}
	if response == "objection" {
		r.Reason = ptr("hosting outside our approved list")
	}
	if _, err := c.s.RespondToNotice(context.Background(), "t", &r); err != nil {
		c.t.Fatal(err)
	}
}

// linkFindings returns the open findings about the link: check -> severity
// and since.
func linkFindings(t *testing.T, s *store.Store, link int64) (map[string]string, map[string]time.Time) {
	t.Helper()
	rows, err := s.DB().Query(`SELECT check_id, severity, since FROM findings WHERE status = 'open' AND subject_kind = 'link' AND subject_id = $1`, link)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	sev, since := map[string]string{}, map[string]time.Time{}
	for rows.Next() {
		var c, v string
		var s *time.Time
		if err := rows.Scan(&c, &v, &s); err != nil {
			t.Fatal(err)
		}
		sev[c] = v
		if s != nil {
			since[c] = *s
		}
	}
	return sev, since
}

var noticeCheckIDs = []string{"notice_missing", "notice_window", "notice_objection", "authorisation"}

func TestNoticeChecks(t *testing.T) {
	s := storetest.Store(t)
	tests := []struct {
		name          string
		authorisation string
		health        bool
		facts         func(c noticeChain)
		want          map[string]string // check -> severity at 2019-06-01
		since         map[string]string
	}{
		{"NoNoticeRaisesHigh", "general", true, func(c noticeChain) { c.period(30) },
			map[string]string{"notice_missing": "high"}, map[string]string{"notice_missing": "2019-05-01T00:00"}},
		{"NoNoticeOtherDataRaisesMedium", "general", false, func(c noticeChain) { c.period(30) },
			map[string]string{"notice_missing": "medium"}, nil},
		{"ActiveInsideTheWindowRaisesMedium", "general", true, func(c noticeChain) { c.period(30); c.notice("2019-05-20T09:00") },
			map[string]string{"notice_window": "medium"}, map[string]string{"notice_window": "2019-05-20T09:00"}},
		{"ActiveInsideTheWindowOtherDataRaisesLow", "general", false, func(c noticeChain) { c.period(30); c.notice("2019-05-20T09:00") },
			map[string]string{"notice_window": "low"}, nil},
		{"WindowClosedInSilenceClears", "general", true, func(c noticeChain) { c.period(30); c.notice("2019-04-01T09:00") },
			map[string]string{}, nil},
		{"NoObjectionInsideTheWindowClears", "general", true, func(c noticeChain) {
			c.period(30)
			c.respond(c.notice("2019-05-20T09:00"), "no_objection", "2019-05-25T10:00")
		}, map[string]string{}, nil},
		{"OpenObjectionRaisesHigh", "general", false, func(c noticeChain) {
			c.period(30)
			c.respond(c.notice("2019-04-01T09:00"), "objection", "2019-05-10T10:00")
		}, map[string]string{"notice_objection": "high"}, map[string]string{"notice_objection": "2019-05-10T10:00"}},
		{"ObjectionWithdrawnClears", "general", true, func(c noticeChain) {
			c.period(30)
			n := c.notice("2019-04-01T09:00")
			c.respond(n, "objection", "2019-04-10T10:00")
			c.respond(n, "no_objection", "2019-04-20T10:00")
		}, map[string]string{}, nil},
		{"ObjectionAfterTheInstantIsNotYetSeen", "general", true, func(c noticeChain) {
			c.period(30)
			c.respond(c.notice("2019-04-01T09:00"), "objection", "2019-07-01T10:00")
		}, map[string]string{}, nil},
		{"NoNoticePeriodRecordedRaisesNoWindow", "general", true, func(c noticeChain) { c.notice("2019-05-20T09:00") },
			map[string]string{}, nil},
		// Under specific authorisation each sub-processor needs the
		// controller's approval: the authorisation check (issue 13) says so,
		// not a second copy of it.
		{"SpecificWithoutApprovalIsTheAuthorisationChecks", "specific", true, func(c noticeChain) {},
			map[string]string{"authorisation": "high"}, nil},
		{"SpecificWithApprovalClears", "specific", true, func(c noticeChain) {
			if _, err := c.s.CreateApproval(context.Background(), "t", &registry.SubcontractorApproval{ControllerID: c.controller.ID,
				LinkID: c.sub.ID, Kind: "specific", Period: registry.Period{From: at("2019-04-01T00:00")}}); err != nil {
				c.t.Fatal(err)
			}
		}, map[string]string{}, nil},
		{"NoAuthorisationIsTheAuthorisationChecks", "none", true, func(c noticeChain) {},
			map[string]string{"authorisation": "high"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newNoticeChain(t, s, tc.authorisation, tc.health)
			tc.facts(c)
			run(t, s, "2019-06-01T00:00", noticeCheckIDs...)
			got, since := linkFindings(t, s, c.sub.ID)
			if len(got) != len(tc.want) {
				t.Fatalf("findings %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("%s: got %q, want %q (all: %v)", k, got[k], v, got)
				}
			}
			for k, v := range tc.since {
				if !since[k].Equal(at(v)) {
					t.Errorf("%s since: got %v, want %s", k, since[k], v)
				}
			}
		})
	}
}

func TestNoticeWritesRefuseBadInput(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	general := newNoticeChain(t, s, "general", true)
	general.period(15)
	specific := newNoticeChain(t, s, "specific", true)
	n := general.notice("2019-05-01T09:00")
	other, err := s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Bystander AB", Country: "SE", Kind: "company"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, field string
		write       func() error
	}{
		{"NoticeUnderSpecificAuthorisation", "linkId", func() error {
			_, err := s.CreateChangeNotice(ctx, "t", &registry.ChangeNotice{LinkID: specific.sub.ID, Kind: "new", SentAt: at("2019-05-01T00:00"), EffectiveAt: at("2019-05-01T00:00")})
			return err
		}},
		{"NoticeOfTheControllersOwnProcessor", "linkId", func() error {
			_, err := s.CreateChangeNotice(ctx, "t", &registry.ChangeNotice{LinkID: general.link.ID, Kind: "new", SentAt: at("2019-05-01T00:00"), EffectiveAt: at("2019-05-01T00:00")})
			return err
		}},
		{"ReplacementWithoutTheLinkReplaced", "replacesLinkId", func() error {
			_, err := s.CreateChangeNotice(ctx, "t", &registry.ChangeNotice{LinkID: general.sub.ID, Kind: "replacement", SentAt: at("2019-05-01T00:00"), EffectiveAt: at("2019-05-01T00:00")})
			return err
		}},
		{"NoSuchLink", "linkId", func() error {
			_, err := s.CreateChangeNotice(ctx, "t", &registry.ChangeNotice{LinkID: 999999, Kind: "new", SentAt: at("2019-05-01T00:00"), EffectiveAt: at("2019-05-01T00:00")})
			return err
		}},
		{"ObjectionWithoutReason", "reason", func() error {
			_, err := s.RespondToNotice(ctx, "t", &registry.NoticeResponse{NoticeID: n.ID, ControllerID: general.controller.ID, Response: "objection", RespondedAt: at("2019-05-02T00:00")})
			return err
		}},
		{"ResponseBeforeTheNotice", "respondedAt", func() error {
			_, err := s.RespondToNotice(ctx, "t", &registry.NoticeResponse{NoticeID: n.ID, ControllerID: general.controller.ID, Response: "no_objection", RespondedAt: at("2019-04-02T00:00")})
			return err
		}},
		{"ResponseByAControllerNotOwedTheNotice", "controllerId", func() error {
			_, err := s.RespondToNotice(ctx, "t", &registry.NoticeResponse{NoticeID: n.ID, ControllerID: other.ID, Response: "no_objection", RespondedAt: at("2019-05-02T00:00")})
			return err
		}},
		{"NegativeNoticePeriod", "days", func() error {
			_, err := s.SetNoticePeriod(ctx, "t", &registry.NoticePeriod{LinkID: general.link.ID, Days: -1, Period: registry.Period{From: at("2020-01-01T00:00")}})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.write()
			e := registry.AsError(err)
			if e == nil || e.Field != tc.field {
				t.Fatalf("got %v, want an error naming %s", err, tc.field)
			}
		})
	}
	// The objection window: sent plus the agreement's 15 days.
	w, err := s.WindowsByNotice(ctx, []int64{n.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(w[n.ID]) != 1 || w[n.ID][0].ControllerID != general.controller.ID || w[n.ID][0].Deadline == nil ||
		!w[n.ID][0].Deadline.Equal(at("2019-05-16T09:00")) {
		t.Fatalf("windows %+v, want the controller's, closing 2019-05-16 09:00", w[n.ID])
	}
	var responses int
	if err := s.DB().QueryRow(`SELECT count(*) FROM notice_responses`).Scan(&responses); err != nil || responses != 0 {
		t.Fatalf("responses written by refused writes: %d (%v)", responses, err)
	}
}

func TestNoticesForNewLinks(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	general := newNoticeChain(t, s, "general", true)
	general.period(30)
	specific := newNoticeChain(t, s, "specific", true)
	none := newNoticeChain(t, s, "none", true)
	links := []int64{general.sub.ID, specific.sub.ID, none.sub.ID}
	ids, err := s.NoticesForNewLinks(ctx, "import by anna", links, at("2019-04-15T08:00"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 {
		t.Fatalf("created %d notices, want 1 (only the link under general authorisation)", len(ids))
	}
	n, err := s.ChangeNotice(ctx, "id", ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if n.LinkID != general.sub.ID || n.Kind != "new" || !n.SentAt.Equal(at("2019-04-15T08:00")) || !n.EffectiveAt.Equal(at("2019-05-01T00:00")) {
		t.Fatalf("notice %+v", n)
	}
	// Applying the same list again creates nothing.
	if again, err := s.NoticesForNewLinks(ctx, "import by anna", links, at("2019-04-16T08:00")); err != nil || len(again) != 0 {
		t.Fatalf("second run created %v (%v), want none", again, err)
	}
	// The changes record its author.
	var actor string
	if err := s.DB().QueryRow(`SELECT actor FROM changes WHERE table_name = 'change_notices' AND row_key = $1`, n.ID).Scan(&actor); err != nil || actor != "import by anna" {
		t.Fatalf("author %q (%v)", actor, err)
	}
	st, err := s.NoticeStatuses(ctx, general.controller.ID, []registry.Placement{{LinkID: general.sub.ID, Depth: 2}, {LinkID: general.link.ID, Depth: 1}}, at("2019-05-10T00:00"))
	if err != nil {
		t.Fatal(err)
	}
	if got := st[general.sub.ID]; got.Kind != "general" || got.State == nil || *got.State != "window_open" || got.Deadline == nil {
		t.Fatalf("status of the new link %+v, want general, window open", got)
	}
	if got, ok := st[general.link.ID]; ok {
		t.Fatalf("status of the controller's own processor link %+v, want no notice state", got)
	}
}
