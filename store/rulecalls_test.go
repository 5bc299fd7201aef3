package store_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/lib/pq"

	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// countingStore is a store, as the service role, on a fresh database whose
// sessions count function calls (track_functions, a superuser's setting,
// set on the database by its owner before the store connects).
func countingStore(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	service := storetest.Database(t)
	owner, err := sql.Open("postgres", storetest.OwnerURL(t, service))
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	var name string
	if err := owner.QueryRowContext(ctx, `SELECT current_database()`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.ExecContext(ctx, `ALTER DATABASE `+pq.QuoteIdentifier(name)+` SET track_functions = 'all'`); err != nil {
		t.Fatal(err)
	}
	return storetest.StoreOn(t, service)
}

// TestCheckRunsAskEachRuleOncePerLink: a run asks where a controller stands
// on a link below it (kedja_authorisation_kind, and the objection deadline
// of the latest notice) once per link, however many notice checks read it,
// and asks for approval through no function call at all (kedja_approval,
// inlined; issue 18 item 3). Inlined, kedja_notice_status had asked for the kind in
// every expression that used it, six times a row, of every link reached,
// and each of the three notice checks asked again.
func TestCheckRunsAskEachRuleOncePerLink(t *testing.T) {
	notices := []string{"notice_missing", "notice_window", "notice_objection"}
	for _, tc := range []struct {
		name   string
		checks []string
		// notice, if set, is when the processor told the controller of
		// the sub-processor (a 30-day window).
		notice string
		want   map[string]int64
	}{
		{name: "three notice checks, no notice", checks: notices,
			want: map[string]int64{"kedja_authorisation_kind": 1, "kedja_objection_deadline": 0}},
		{name: "one notice check, no notice", checks: notices[1:2],
			want: map[string]int64{"kedja_authorisation_kind": 1, "kedja_objection_deadline": 0}},
		{name: "three notice checks, window open", checks: notices, notice: "2019-05-20T00:00",
			want: map[string]int64{"kedja_authorisation_kind": 1, "kedja_objection_deadline": 1}},
		{name: "every check, window open", notice: "2019-05-20T00:00",
			want: map[string]int64{"kedja_authorisation_kind": 1, "kedja_objection_deadline": 1}},
		// The authorisation check calls no approval function at all:
		// kedja_approval (migrations/0043) is inlined into its statement,
		// where kedja_approved had been called once per link.
		{name: "authorisation check", checks: []string{"authorisation"},
			want: map[string]int64{"kedja_approved": 0, "kedja_general_processor_link": 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := countingStore(t)
			c := newNoticeChain(t, s, "general", true)
			c.period(30)
			if tc.notice != "" {
				c.notice(tc.notice)
			}
			got, err := s.RuleCalls(context.Background(), at("2019-06-01T00:00"), tc.checks,
				"kedja_authorisation_kind", "kedja_objection_deadline", "kedja_approved", "kedja_general_processor_link")
			if err != nil {
				t.Fatal(err)
			}
			for f, want := range tc.want {
				if got[f] != want {
					t.Errorf("%s was called %d times for the one link below the controller, want %d", f, got[f], want)
				}
			}
		})
	}
}
