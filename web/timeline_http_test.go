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

// TestChainTimelineWindowAPI: Chain.timeline(from, to) answers the changes
// of the whole timeline in the window, and refuses a window that ends
// before it starts, naming to.
func TestChainTimelineWindowAPI(t *testing.T) {
	s := newSite(t)
	var medhelp int64
	if err := s.store.DB().QueryRow(`SELECT id FROM organisations WHERE legal_name = 'Medhelp AB'`).Scan(&medhelp); err != nil {
		t.Fatal(err)
	}
	c := s.client(t)
	csrf := explorerCSRF(t, c, "auditor")
	timeline := func(t *testing.T, args string) ([]string, map[string]any) {
		t.Helper()
		q := fmt.Sprintf(`{ chain(controller: %d, at: "2019-02-01T02:00:00+01:00") { timeline%s { changes { at linksStarted linksEnded profilesEnded } } } }`, medhelp, args)
		status, out := c.graphql(csrf, q, nil)
		if status != http.StatusOK {
			t.Fatalf("status %d: %v", status, out)
		}
		var ats []string
		data, _ := out["data"].(map[string]any)
		chain, _ := data["chain"].(map[string]any)
		tl, _ := chain["timeline"].(map[string]any)
		changes, _ := tl["changes"].([]any)
		for _, ch := range changes {
			ats = append(ats, fmt.Sprint(ch))
		}
		return ats, out
	}
	whole, _ := timeline(t, "")
	if len(whole) < 3 {
		t.Fatalf("the whole timeline lists %d changes: %q", len(whole), whole)
	}
	at := func(c string) string { return regexp.MustCompile(`at:(\S+)`).FindStringSubmatch(c)[1] }
	for _, tc := range []struct {
		name, from, to string
	}{
		{"around the instant", "2017-02-01T02:00:00+01:00", "2021-02-01T02:00:00+01:00"},
		{"from the second change on", at(whole[1]), ""},
		{"up to the second change", "", at(whole[1])},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := ""
			if tc.from != "" {
				args += fmt.Sprintf(` from: %q`, tc.from)
			}
			if tc.to != "" {
				args += fmt.Sprintf(` to: %q`, tc.to)
			}
			got, out := timeline(t, "("+args+")")
			if code := errorCode(out); code != "" {
				t.Fatalf("%s: %v", code, out)
			}
			var want []string
			for i, ch := range whole {
				switch {
				case tc.name == "from the second change on" && i > 1, tc.name == "up to the second change" && i <= 1:
					want = append(want, ch)
				case tc.name == "around the instant" && at(ch) > "2017-02-01T02" && at(ch) <= "2021-02-01T02":
					want = append(want, ch)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) || len(got) == 0 {
				t.Errorf("got %q\nwant %q", got, want)
			}
		})
	}
	t.Run("a window ending before it starts", func(t *testing.T) {
		_, out := timeline(t, `(from: "2021-01-01", to: "2020-01-01")`)
		if code, msg := errorCode(out), fmt.Sprint(out["errors"]); code != "INVALID_INPUT" || !strings.Contains(msg, "to: must be after from") {
			t.Errorf("got %s %s, want INVALID_INPUT naming to", code, msg)
		}
	})
}
