package web_test

import (
	"strings"
	"testing"
)

// TestLanguage: a page is in the browser's choice of Swedish or English,
// unless the visitor chose otherwise, which a cookie keeps.
func TestLanguage(t *testing.T) {
	s := newSite(t)
	tests := []struct {
		name           string
		acceptLanguage string
		query          string
		cookie         string
		want           string
	}{
		{"SwedishBrowser", "sv-SE,sv;q=0.9,en;q=0.8", "", "", "sv"},
		{"EnglishBrowser", "en-GB,en;q=0.9", "", "", "en"},
		{"NeitherDefaultsToSwedish", "de-DE", "", "", "sv"},
		{"ChosenInTheURL", "sv-SE", "?lang=en", "", "en"},
		{"KeptInTheCookie", "en-GB", "", "sv", "sv"},
	}
	heading := map[string]string{"sv": "<h1>Logga in</h1>", "en": "<h1>Sign in</h1>"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := s.client(t)
			c.lang = tt.acceptLanguage
			if tt.cookie != "" {
				c.cookies["kedja_lang"] = tt.cookie
			}
			_, body := c.do("GET", "/signin"+tt.query, nil)
			if !strings.Contains(body, `<html lang="`+tt.want+`">`) || !strings.Contains(body, heading[tt.want]) {
				t.Errorf("want a page in %s:\n%.400s", tt.want, body)
			}
			if tt.query != "" && c.cookies["kedja_lang"] != "en" {
				t.Errorf("the choice was not kept: %q", c.cookies["kedja_lang"])
			}
		})
	}
}
