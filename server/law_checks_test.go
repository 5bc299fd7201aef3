package server_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
)

// The agreement and authorisation checks cite what responsibility's gaps
// cite for the same links (kedja_law_citation under the path's law), and
// the chain and responsibility give a link's receiving party the standing
// of its country under that same law (kedja_transfer_class), over HTTP
// (issue 14): a UK controller's UK processor in 2022 is domestic, not a
// transfer to a country with an adequacy decision.
func TestChecksAndStandingFollowThePathsLaw(t *testing.T) {
	h := newHarness(t, false)
	ctx := context.Background()
	org := h.party
	type chain struct{ ctl, sub, toProc, toSub int64 }
	// A controller -> a processor with no agreement -> a sub-processor
	// engaged without approval, all in one country.
	build := func(name, country string) chain {
		c := chain{ctl: org(name, country, "region")}
		proc := org("Processor of "+name, country, "company")
		c.sub = org("Sub-processor of "+name, country, "company")
		for i, l := range []registry.Link{
			{FromID: c.ctl, ToID: proc, Role: "processor"},
			{FromID: proc, ToID: c.sub, Role: "sub_processor", Authorisation: "none", AgreementRef: new("DPA-2")},
		} {
			l.Purpose, l.Period = "calls", registry.Period{From: time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)}
			made, err := h.store.CreateLink(ctx, "t", &l)
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				c.toProc = made.ID
			} else {
				c.toSub = made.ID
			}
		}
		return c
	}
	se, gb, ch := build("Region Gotland", "SE"), build("NHS Calls North", "GB"), build("Kanton Luzern", "CH")

	tests := []struct {
		name               string
		c                  chain
		at                 string
		agreement, approve string
		class              string // of both links
		cluster            string // the country's cluster's label in both pictures
	}{
		{"Sweden2024GDPR", se, "2024-03-01T12:00Z", "GDPR Art. 28(3)", "GDPR Art. 28(2)", "EEA", "(SE) · EEA"},
		{"Sweden2017PUL", se, "2017-03-01T12:00Z", "PUL 30-31 §", "PUL 30-31 §", "EEA", "(SE) · EEA"},
		{"UK2022UKGDPRDomestic", gb, "2022-03-01T12:00Z", "UK GDPR Art. 28(3)", "UK GDPR Art. 28(2)", "DOMESTIC", "(GB) · domestic"},
		{"UK2019StillEULaw", gb, "2019-03-01T12:00Z", "GDPR Art. 28(3)", "GDPR Art. 28(2)", "EEA", "(GB) · EEA"},
		{"Switzerland2024RevisedFADPDomestic", ch, "2024-03-01T12:00Z", "FADP Art. 9", "FADP Art. 9(3)", "DOMESTIC", "(CH) · domestic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]any{"c": fmt.Sprint(tt.c.ctl), "p": fmt.Sprint(tt.c.sub), "at": tt.at}
			var got struct {
				Responsibility struct {
					Missing []struct {
						Code, Article string
						Link          struct{ ID string }
					}
					Dot   string
					Paths []struct {
						Links []struct {
							Link          struct{ ID string }
							TransferClass string
						}
					}
				}
				Chain struct {
					Dot   string
					Steps []struct {
						Link          struct{ ID string }
						TransferClass string
					}
				}
				EvaluateChecks struct {
					Findings []struct {
						Check, LegalRef string
						SubjectLink     *struct{ ID string }
					}
				}
			}
			h.with(t).data(`query($c: ID!, $p: ID!, $at: Instant!) {
				responsibility(organisation: $p, at: $at) { dot missing { code article link { id } } paths { links { link { id } transferClass } } }
				chain(controller: $c, at: $at) { dot steps { link { id } transferClass } }
				evaluateChecks(at: $at, checks: ["agreement", "authorisation"]) { findings { check legalRef subjectLink { id } } } }`, vars, &got)

			// What responsibility cites for each gap, and what the checks
			// cite for the same link: the same provision, the one wanted.
			gap := map[string]string{}
			for _, m := range got.Responsibility.Missing {
				gap[m.Code+" "+m.Link.ID] = m.Article
			}
			found := map[string]string{}
			for _, f := range got.EvaluateChecks.Findings {
				if f.SubjectLink != nil {
					found[f.Check+" "+f.SubjectLink.ID] = f.LegalRef
				}
			}
			for _, w := range []struct {
				gap, check string
				link       int64
				want       string
			}{
				{registry.GapNoAgreement, "agreement", tt.c.toProc, tt.agreement},
				{registry.GapNoAuthorisation, "authorisation", tt.c.toSub, tt.approve},
			} {
				link := fmt.Sprint(w.link)
				if g, f := gap[w.gap+" "+link], found[w.check+" "+link]; g != w.want || f != w.want {
					t.Errorf("link %s: responsibility's %s cites %q, the %s check %q; want both %q", link, w.gap, g, w.check, f, w.want)
				}
			}

			// The standing of each link's receiving party, in the chain
			// and in responsibility.
			steps := map[string]string{}
			for _, s := range got.Chain.Steps {
				steps[s.Link.ID] = s.TransferClass
			}
			links := map[string]string{}
			for _, p := range got.Responsibility.Paths {
				for _, l := range p.Links {
					links[l.Link.ID] = l.TransferClass
				}
			}
			for _, id := range []int64{tt.c.toProc, tt.c.toSub} {
				link := fmt.Sprint(id)
				if steps[link] != tt.class || links[link] != tt.class {
					t.Errorf("link %s: chain's transferClass %q, responsibility's %q; want both %s", link, steps[link], links[link], tt.class)
				}
			}
			// The pictures label the country's cluster with that standing.
			for name, dot := range map[string]string{"chain": got.Chain.Dot, "responsibility": got.Responsibility.Dot} {
				if !strings.Contains(dot, tt.cluster) {
					t.Errorf("the %s picture does not label a cluster %q:\n%s", name, tt.cluster, dot)
				}
			}
		})
	}
}

// The change-notice checks cite the authorisation provision of the path's
// law, as the authorisation check and responsibility do (issue 14): a
// processor, under its controller's general authorisation, engages a
// sub-processor and no change notice is recorded.
func TestNoticeChecksCiteThePathsLaw(t *testing.T) {
	h := newHarness(t, false)
	ctx := context.Background()
	org := h.party
	// region -> processor (general authorisation) -> sub-processor, with
	// agreements all the way and no notice: the link to return.
	build := func(name, country string) (toSub int64) {
		ctl := org(name, country, "region")
		proc := org("Processor of "+name, country, "company")
		sub := org("Sub-processor of "+name, country, "company")
		for _, l := range []registry.Link{
			{FromID: ctl, ToID: proc, Role: "processor", AgreementRef: new("DPA-1"), Authorisation: "general", AuthorisingControllerID: &ctl},
			{FromID: proc, ToID: sub, Role: "sub_processor", AgreementRef: new("SUB-1")},
		} {
			l.Purpose, l.HealthData, l.Period = "calls", true, registry.Period{From: time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)}
			made, err := h.store.CreateLink(ctx, "t", &l)
			if err != nil {
				t.Fatal(err)
			}
			toSub = made.ID
		}
		return toSub
	}
	se, gb, ch := build("Region Halland", "SE"), build("NHS Calls East", "GB"), build("Kanton Zug", "CH")
	for _, tt := range []struct {
		name string
		link int64
		at   string
		want string
	}{
		{"Sweden2024GDPR", se, "2024-03-01T12:00Z", "GDPR Art. 28(2)"},
		{"Sweden2017PUL", se, "2017-03-01T12:00Z", "PUL 30-31 §"},
		{"UK2022UKGDPR", gb, "2022-03-01T12:00Z", "UK GDPR Art. 28(2)"},
		{"Switzerland2024RevisedFADP", ch, "2024-03-01T12:00Z", "FADP Art. 9(3)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got struct {
				EvaluateChecks struct {
					Findings []struct {
						Check, LegalRef string
						SubjectLink     *struct{ ID string }
					}
				}
			}
			h.with(t).data(`query($at: Instant!) { evaluateChecks(at: $at, checks: ["notice_missing"]) { findings { check legalRef subjectLink { id } } } }`,
				map[string]any{"at": tt.at}, &got)
			var refs []string
			for _, f := range got.EvaluateChecks.Findings {
				if f.SubjectLink != nil && f.SubjectLink.ID == fmt.Sprint(tt.link) {
					refs = append(refs, f.LegalRef)
				}
			}
			if len(refs) != 1 || refs[0] != tt.want {
				t.Errorf("notice_missing on link %d cites %q; want one citing %q", tt.link, refs, tt.want)
			}
		})
	}
}
