package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
)

// TestAccessRequestInTheRegionsZone: the access-request form's time (a
// datetime-local, with no offset) is read on the clocks of the region
// chosen, not the registry's (Europe/Stockholm), and the report it opens
// and the list of cases give it on those clocks, with the zone's name.
func TestAccessRequestInTheRegionsZone(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	london, err := s.store.CreateOrganisation(ctx, "test", &registry.Organisation{LegalName: "Region London", Country: "SE", Kind: "region", TimeZone: "Europe/London"})
	if err != nil {
		t.Fatal(err)
	}
	provider, err := s.store.CreateOrganisation(ctx, "test", &registry.Organisation{LegalName: "London Calls Ltd", Country: "SE", Kind: "company"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.CreateLink(ctx, "test", &registry.Link{FromID: london.ID, ToID: provider.ID, Role: "processor", Purpose: "calls",
		Period: registry.Period{From: time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)}}); err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	c.signIn("dsr")
	_, form := c.do("GET", "/dsr", nil)
	if !strings.Contains(form, "(the region&#39;s local time)") {
		t.Errorf("the form does not say its time is the region's")
	}
	for _, tc := range []struct {
		name, region, at, caseRef string
		want                      string
	}{
		{"London summer", strconv.FormatInt(london.ID, 10), "2021-07-01T19:30", "ZONE-LON-S", "2021-07-01 19:30 BST"},
		{"London winter", strconv.FormatInt(london.ID, 10), "2021-01-15T19:30", "ZONE-LON-W", "2021-01-15 19:30 GMT"},
		{"Stockholm, unchanged", regionIDOf(t, s, "Region Stockholm"), "2021-07-01T19:30", "ZONE-STO", "2021-07-01 19:30 CEST"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.t = t
			_, page := c.do("GET", "/dsr", nil)
			resp, body := c.do("POST", "/dsr", url.Values{"csrf": {formToken(t, page)}, "region": {tc.region}, "at": {tc.at}, "caseRef": {tc.caseRef}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("trace: %d\n%s", resp.StatusCode, body)
			}
			resp, report := c.do("GET", resp.Header.Get("Location"), nil)
			if resp.StatusCode != http.StatusOK || !strings.Contains(report, ", "+tc.want+"<br>") {
				t.Errorf("report (%d) does not give the call as %s:\n%s", resp.StatusCode, tc.want, report)
			}
			_, list := c.do("GET", "/dsr?case="+tc.caseRef, nil)
			if !strings.Contains(list, "<td>"+tc.want+"</td>") {
				t.Errorf("the case list does not give the call as %s", tc.want)
			}
		})
	}
}
