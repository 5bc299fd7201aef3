package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/kedja/kedja/registry"
)

// TestBrowserReview walks the review pages in Chromium. A regulator
// (auditor) opens the storage server's finding in the 1177 demo and sees why
// it was flagged and since when, then who was responsible for the server
// on the night of 1 February 2019; an editor accepts the finding with a
// justification and an end date and sees it in the finding's history; the
// regulator finds a case's traces in the audit log and verifies the chain.
// Every page passes the accessibility scan and is photographed.
func TestBrowserReview(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t)
	finding, nas := storageFinding(t, s)
	// An access-request handler answers a citizen first, so that the case
	// is in the audit log.
	h := s.client(t)
	h.signIn(registry.RoleDSR)
	_, page := h.do("GET", "/dsr", nil)
	region := regexp1(t, page, `<option value="(\d+)">Region Värmland</option>`)
	if resp, _ := h.do("POST", "/dsr", url.Values{"csrf": {formToken(t, page)}, "region": {region}, "at": {"2017-03-11T23:30"}, "caseRef": {"IMY-2026-77"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("trace: %d", resp.StatusCode)
	}
	checked := func(name string) {
		t.Helper()
		b.scan(name)
		b.shoot("review-" + name)
		if errs := b.consoleErrors(); len(errs) > 0 {
			t.Errorf("%s: the console says %q", name, errs)
		}
	}

	b.signIn(s.url, s.tokens[registry.RoleAuditor])
	t.Run("RegulatorSeesWhyAndSinceWhen", func(t *testing.T) {
		b.t = t
		if st := b.open(s.url, fmt.Sprintf("/findings/%d?lang=en", finding)); st != http.StatusOK {
			t.Fatalf("finding: status %d", st)
		}
		// Why: the check's message and the law it applies.
		if h1, facts := b.text("main h1"), b.text("dl.facts"); len(h1) < 10 || !strings.Contains(facts, "Art") {
			t.Errorf("why it was flagged: %q\n%s", h1, facts)
		}
		since := b.text("#f-since")
		if since == "" || strings.Contains(since, "unknown") {
			t.Errorf("since when: %q", since)
		}
		if ev := b.text("pre.evidence"); len(ev) < 3 {
			t.Errorf("no evidence shown: %q", ev)
		}
		if paths := b.text("table.paths"); !strings.Contains(paths, "→") {
			t.Errorf("no path from a controller:\n%s", paths)
		}
		if n := eval[int](b, `document.querySelectorAll('form[action$="/accept"]').length`); n != 0 {
			t.Error("an auditor is offered the acceptance form")
		}
		checked("auditor-finding")
		// From the finding to its system, and on to who was responsible
		// for it on a date.
		b.submit(chromedp.CSS(`dl.facts a[href^="/systems/"]`))
		b.submit(chromedp.CSS(`a[href^="/responsibility?system="]`))
		b.do(chromedp.SetValue(chromedp.ID("r-at"), "2019-02-01T02:00"))
		if st := b.submit(chromedp.CSS(`form[action="/responsibility"] button[type="submit"]`)); st != http.StatusOK {
			t.Fatalf("responsibility: status %d", st)
		}
		if got := eval[string](b, `location.search`); !strings.Contains(got, fmt.Sprintf("system=%d", nas)) || !strings.Contains(got, "at=2019-02-01T02%3A00") {
			t.Errorf("the subject and instant are not in the URL: %s", got)
		}
		ctrls := b.text("ul.controllers")
		for _, want := range []string{"Region Stockholm", "Medhelp AB"} {
			if !strings.Contains(ctrls, want) {
				t.Errorf("controllers lack %s: %q", want, ctrls)
			}
		}
		if paths := b.text("main"); !strings.Contains(paths, "Voice Integrate Nordic AB") {
			t.Error("the paths do not pass Voice Integrate")
		}
		checked("auditor-responsibility")
		// Printed, the page keeps the controllers and paths and drops the
		// form.
		if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			t.Fatal(err)
		}
		printed := eval[[]string](b, `["main form", "ul.controllers", "table.responsibility"].map(s => getComputedStyle(document.querySelector(s)).display)`)
		if printed[0] != "none" || printed[1] == "none" || printed[2] == "none" {
			t.Errorf("printed, form, controllers and paths display as %q", printed)
		}
		b.shoot("review-auditor-responsibility-print")
		if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("RegulatorFiltersTheAuditLog", func(t *testing.T) {
		b.t = t
		b.open(s.url, "/?lang=en")
		b.submit(chromedp.CSS(`nav a[href="/audit"]`))
		b.do(chromedp.SendKeys(chromedp.ID("a-case"), "IMY-2026-77"))
		if st := b.submit(chromedp.CSS(`form[action="/audit"] button`)); st != http.StatusOK {
			t.Fatalf("filter: status %d", st)
		}
		rows := b.text("table.audit tbody")
		if !strings.Contains(rows, "IMY-2026-77") || !strings.Contains(rows, "traceCall") || !strings.Contains(rows, "test dsr") {
			t.Errorf("the case's trace is not in the filtered log:\n%s", rows)
		}
		if n := eval[int](b, `[...document.querySelectorAll("table.audit tbody tr")].filter(r => !r.textContent.includes("IMY-2026-77")).length`); n != 0 {
			t.Errorf("%d rows of other cases", n)
		}
		checked("auditor-audit")
		b.submit(chromedp.CSS(`#verify`))
		if got := b.text("#verified"); !strings.Contains(got, "The log is intact") {
			t.Errorf("verification: %q", got)
		}
		// The filter stays as it was.
		if got := eval[string](b, `document.getElementById("a-case").value`); got != "IMY-2026-77" {
			t.Errorf("the case filter after verifying: %q", got)
		}
		checked("auditor-audit-verified")
	})
	b.signOut()

	b.signIn(s.url, s.tokens[registry.RoleEditor])
	t.Run("EditorAcceptsAFinding", func(t *testing.T) {
		b.t = t
		b.open(s.url, "/findings?group=severity&lang=en")
		if n := eval[int](b, `document.querySelectorAll("section.group").length`); n == 0 {
			t.Error("no groups")
		}
		checked("editor-findings-grouped")
		b.open(s.url, fmt.Sprintf("/findings/%d?lang=en", finding))
		until := time.Now().AddDate(0, 6, 0).Format("2006-01-02")
		// Without a justification: the error beside the field, nothing saved.
		b.do(chromedp.SetValue(chromedp.ID("a-until"), until))
		if st := b.submit(chromedp.CSS(`form[action$="/accept"] button`)); st != http.StatusUnprocessableEntity {
			t.Fatalf("without a justification: status %d", st)
		}
		if msg := b.text("#a-why-error"); !strings.Contains(msg, "Explain why") {
			t.Errorf("beside the justification: %q", msg)
		}
		if got := eval[string](b, `document.getElementById("a-until").value`); got != until {
			t.Errorf("the end date typed is lost: %q", got)
		}
		assertNotAccepted(t, s, finding)
		b.consoleErrors() // the browser reports the 422 itself
		checked("editor-accept-error")
		b.do(chromedp.SendKeys(chromedp.ID("a-why"), "Server taken off the internet; the move to the closed network is under way"))
		if st := b.submit(chromedp.CSS(`form[action$="/accept"] button`)); st != http.StatusOK {
			t.Fatalf("accept: status %d", st)
		}
		if got := eval[string](b, `location.hash`); got != "#history" {
			t.Errorf("after accepting at %q, want the history", got)
		}
		if st := b.text("#f-status"); st != "accepted" {
			t.Errorf("status %q", st)
		}
		history := b.text("table.events")
		for _, want := range []string{"accepted", "test editor", "until " + until, "closed network"} {
			if !strings.Contains(history, want) {
				t.Errorf("the history lacks %q:\n%s", want, history)
			}
		}
		checked("editor-finding-accepted")
	})
}
