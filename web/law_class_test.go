package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
)

// TestPagesShowTheStandingUnderThePathsLaw: the chain explorer and the
// responsibility page show each receiving party's standing under the law
// its link is judged by, as the API's Chain.steps.transferClass and
// ResponsibilityLink.transferClass do (issue 14): a UK controller's UK
// processor in 2022 is domestic, not a country with an EU adequacy
// decision; in 2019 the United Kingdom was in the EEA.
func TestPagesShowTheStandingUnderThePathsLaw(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	org := func(name, kind string) int64 {
		o, err := s.store.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: name, Country: "GB", Kind: kind})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	ctl, proc := org("NHS Calls West", "region"), org("Calls Processing Ltd", "company")
	l := registry.Link{FromID: ctl, ToID: proc, Role: "processor", AgreementRef: new("DPA-1"), Purpose: "calls",
		Period: registry.Period{From: time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)}}
	if _, err := s.store.CreateLink(ctx, "t", &l); err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	c.signIn("auditor")
	chainClass := regexp.MustCompile(`<td class="class-([a-z_]+)">[^<]*<small>\(([^)]*)\)</small></td>`)
	respClass := regexp.MustCompile(`<span class="class-([a-z_]+)">([^<]*)</span>`)
	for _, tc := range []struct {
		name, at, class, words string
	}{
		{"UK2022Domestic", "2022-03-01T12:00", "domestic", "domestic"},
		{"UK2019EEA", "2019-03-01T12:00", "eea", "EEA"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, p := range []struct {
				path string
				re   *regexp.Regexp
			}{
				{fmt.Sprintf("/chain?controller=%d&at=%s", ctl, tc.at), chainClass},
				{fmt.Sprintf("/responsibility?party=%d&at=%s", proc, tc.at), respClass},
			} {
				resp, page := c.do("GET", p.path, nil)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("%s: %s: %.300s", p.path, resp.Status, page)
				}
				got := p.re.FindAllStringSubmatch(page, -1)
				if len(got) != 1 || got[0][1] != tc.class || got[0][2] != tc.words {
					t.Errorf("%s shows the standings %q; want one, class-%s worded %q", p.path, got, tc.class, tc.words)
				}
			}
		})
	}
}
