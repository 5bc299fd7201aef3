package server_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
)

// A processor engaged without an agreement, and a sub-processor without the
// controller's approval, are gaps that cite the law the link is judged by
// as in force on the date (issue 14), over HTTP: the GDPR, the UK GDPR, the
// FADP (revised, or of 1992), and personuppgiftslagen before 25 May 2018.
func TestProcessorGapsCiteTheLinksLaw(t *testing.T) {
	h := newHarness(t, false)
	ctx := context.Background()
	org := h.party
	// A controller -> a processor with no agreement -> a sub-processor
	// engaged without approval, all in one country.
	chain := func(name, country string) (sub int64) {
		ctl := org(name, country, "region")
		proc := org("Processor of "+name, country, "company")
		sub = org("Sub-processor of "+name, country, "company")
		for _, l := range []registry.Link{
			{FromID: ctl, ToID: proc, Role: "processor"},
			{FromID: proc, ToID: sub, Role: "sub_processor", Authorisation: "none", AgreementRef: new("DPA-2")},
		} {
			l.Purpose, l.Period = "calls", registry.Period{From: time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)}
			if _, err := h.store.CreateLink(ctx, "t", &l); err != nil {
				t.Fatal(err)
			}
		}
		return sub
	}
	se, gb, ch := chain("Region Uppsala", "SE"), chain("NHS Calls", "GB"), chain("Kanton Bern", "CH")

	tests := []struct {
		name               string
		sub                int64
		at                 string
		agreement, approve string
	}{
		{"Sweden2024GDPR", se, "2024-03-01T12:00Z", "GDPR Art. 28(3)", "GDPR Art. 28(2)"},
		{"Sweden2017PUL", se, "2017-03-01T12:00Z", "PUL 30-31 §", "PUL 30-31 §"},
		{"UK2022UKGDPR", gb, "2022-03-01T12:00Z", "UK GDPR Art. 28(3)", "UK GDPR Art. 28(2)"},
		{"UK2019StillEULaw", gb, "2019-03-01T12:00Z", "GDPR Art. 28(3)", "GDPR Art. 28(2)"},
		{"Switzerland2024RevisedFADP", ch, "2024-03-01T12:00Z", "FADP Art. 9", "FADP Art. 9(3)"},
		{"Switzerland2020FADP1992", ch, "2020-03-01T12:00Z", "FADP 1992 Art. 10a", "FADP 1992 Art. 10a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct {
				Responsibility struct {
					Missing []struct{ Code, Article string }
				}
			}
			h.with(t).data(`query($p: ID!, $at: Instant!) { responsibility(organisation: $p, at: $at) { missing { code article } } }`,
				map[string]any{"p": fmt.Sprint(tt.sub), "at": tt.at}, &got)
			articles := map[string]string{}
			for _, m := range got.Responsibility.Missing {
				articles[m.Code] = m.Article
			}
			if articles[registry.GapNoAgreement] != tt.agreement || articles[registry.GapNoAuthorisation] != tt.approve {
				t.Errorf("gaps %v: want %s citing %q and %s citing %q", articles, registry.GapNoAgreement, tt.agreement,
					registry.GapNoAuthorisation, tt.approve)
			}
		})
	}
}
