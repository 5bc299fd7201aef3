package web_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestChainTimelineWindow: the chain page's timeline lists the changes in
// two years each side of its instant, says so in the page's language, and
// links to the chain at the window's ends, whose own timelines go on
// before and after it.
func TestChainTimelineWindow(t *testing.T) {
	s := newSite(t)
	var medhelp int64
	if err := s.store.DB().QueryRow(`SELECT id FROM organisations WHERE legal_name = 'Medhelp AB'`).Scan(&medhelp); err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	c.signIn("auditor")
	entry := regexp.MustCompile(`<li[^>]*><a href="[^"]*"[^>]*>(\d{4}-\d\d-\d\d \d\d:\d\d)</a>`)
	for _, tc := range []struct {
		name, lang, at string
		window         string // what the page says of its window
		earlier, later string // the instants its links open the chain at
	}{
		{"english", "en", "2019-02-01T02:00", "Changes after 2017-02-01 02:00 up to and including 2021-02-01 02:00.",
			"2017-02-01T02:00", "2021-02-01T02:00"},
		{"swedish", "sv", "2019-02-01T02:00", "Ändringar efter 2017-02-01 02:00 till och med 2021-02-01 02:00.",
			"2017-02-01T02:00", "2021-02-01T02:00"},
		{"a leap day", "en", "2020-02-29T12:30", "Changes after 2018-03-01 12:30 up to and including 2022-03-01 12:30.",
			"2018-03-01T12:30", "2022-03-01T12:30"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.lang = tc.lang
			resp, page := c.do("GET", fmt.Sprintf("/chain?controller=%d&at=%s", medhelp, tc.at), nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: %.300s", resp.Status, page)
			}
			strip := regexp1(t, page, `(?s)(<section class="timeline".*?</section>)`)
			if !strings.Contains(html.UnescapeString(strip), tc.window) {
				t.Errorf("the strip does not say %q:\n%s", tc.window, strip)
			}
			from, to := strings.Replace(tc.earlier, "T", " ", 1), strings.Replace(tc.later, "T", " ", 1)
			listed := entry.FindAllStringSubmatch(strip, -1)
			if len(listed) == 0 {
				t.Errorf("the strip lists no change:\n%s", strip)
			}
			for _, m := range listed {
				if m[1] <= from || m[1] > to {
					t.Errorf("the strip lists %s, outside its window", m[1])
				}
			}
			for rel, when := range map[string]string{"prev": tc.earlier, "next": tc.later} {
				href := html.UnescapeString(regexp1(t, strip, `<a href="([^"]*)" rel="`+rel+`"`))
				want := fmt.Sprintf("/chain?at=%s&controller=%d&depth=50", strings.ReplaceAll(when, ":", "%3A"), medhelp)
				if href != want {
					t.Errorf("%s link: %s, want %s", rel, href, want)
				}
			}
		})
	}
	t.Run("the earlier window goes on where this one began", func(t *testing.T) {
		c.lang = "en"
		_, page := c.do("GET", fmt.Sprintf("/chain?controller=%d&at=2019-02-01T02:00", medhelp), nil)
		href := html.UnescapeString(regexp1(t, page, `<a href="([^"]*)" rel="prev"`))
		resp, earlier := c.do("GET", href, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s", href, resp.Status)
		}
		if w := "Changes after 2015-02-01 02:00 up to and including 2019-02-01 02:00."; !strings.Contains(html.UnescapeString(earlier), w) {
			t.Errorf("the earlier page does not say %q", w)
		}
	})
}
