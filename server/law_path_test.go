package server_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/server"
)

// A processor with no law of its own making an onward transfer transfers
// under the law of the nearest party above it that has one (kedja_path_law,
// issue 14): a Thai sub-processor of a UK processor of a Swedish region
// sends under the UK GDPR from 2021, under EU law before, and a Thai
// processor directly under the region under EU law. Responsibility's gap
// for the onward transfer and the check's finding on its recipient cite
// the same law, over HTTP.
func TestOnwardTransferJudgedByThePathsLaw(t *testing.T) {
	// A check run on a loaded test machine may outlast the default 15 s.
	cfg := server.DefaultConfig
	cfg.Timeout = 2 * time.Minute
	cfg.RatePerSecond, cfg.RateBurst = 1000, 1000
	h := newHarnessWith(t, false, cfg)
	ctx := context.Background()
	org := h.party
	link := func(from, to int64, role string) int64 {
		l, err := h.store.CreateLink(ctx, "t", &registry.Link{FromID: from, ToID: to, Role: role, Purpose: "calls",
			HealthData: true, AgreementRef: new("DPA-1"), Period: registry.Period{From: time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)}})
		if err != nil {
			t.Fatal(err)
		}
		return l.ID
	}
	// Region Väst -> London Calls (GB) -> Bangkok Voice (TH) -> Pune Transcripts (IN).
	west := org("Region Väst", "SE", "region")
	london := org("London Calls Ltd", "GB", "company")
	bangkok := org("Bangkok Voice Co.", "TH", "company")
	pune := org("Pune Transcripts Pvt Ltd", "IN", "company")
	link(west, london, "processor")
	link(london, bangkok, "sub_processor")
	viaUK := link(bangkok, pune, "sub_processor")
	// Region Öst -> Chiang Mai Calls (TH) -> Delhi Notes (IN): no UK party.
	east := org("Region Öst", "SE", "region")
	chiangMai := org("Chiang Mai Calls Co.", "TH", "company")
	delhi := org("Delhi Notes Pvt Ltd", "IN", "company")
	link(east, chiangMai, "processor")
	direct := link(chiangMai, delhi, "sub_processor")

	tests := []struct {
		name      string
		recipient int64
		link      int64
		at        string
		want      string // what both cite
	}{
		{"UnderAUKProcessorSince2021", pune, viaUK, "2024-03-01T12:00Z", "UK GDPR Art. 44-49"},
		{"UnderAUKProcessorIn2020EULaw", pune, viaUK, "2020-03-01T12:00Z", "GDPR Art. 44-46"},
		{"NoUKPartyOnThePath", delhi, direct, "2024-03-01T12:00Z", "GDPR Art. 44-46"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var eval struct {
				EvaluateChecks struct {
					Findings []struct {
						Check, LegalRef string
						SubjectParty    *struct{ ID string }
					}
				}
			}
			h.with(t).data(`query($at: Instant!) { evaluateChecks(at: $at, checks: ["third_country"]) {
				findings { check legalRef subjectParty { id } } } }`, map[string]any{"at": tt.at}, &eval)
			found := ""
			for _, f := range eval.EvaluateChecks.Findings {
				if f.SubjectParty != nil && f.SubjectParty.ID == fmt.Sprint(tt.recipient) {
					found = f.LegalRef
				}
			}
			var got struct {
				Responsibility struct {
					Missing []struct {
						Code, Article string
						Link          struct{ ID string }
					}
				}
			}
			h.with(t).data(`query($p: ID!, $at: Instant!) { responsibility(organisation: $p, at: $at) { missing { code article link { id } } } }`,
				map[string]any{"p": fmt.Sprint(tt.recipient), "at": tt.at}, &got)
			gap := ""
			for _, m := range got.Responsibility.Missing {
				if m.Code == registry.GapNoTransferMechanism && m.Link.ID == fmt.Sprint(tt.link) {
					gap = m.Article
				}
			}
			if found != tt.want || gap != tt.want {
				t.Errorf("the onward transfer: the check cites %q, responsibility %q; want both %q", found, gap, tt.want)
			}
		})
	}
}
