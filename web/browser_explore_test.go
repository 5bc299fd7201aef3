package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/kedja/kedja/registry"
)

// waitFor polls a condition in the page until it holds, for at most 30
// seconds: the explorer answers asynchronously.
func waitFor(b *browser, cond string) {
	b.t.Helper()
	ok := eval[bool](b, `new Promise(r => { const end = Date.now() + 30000;
		const f = () => (`+cond+`) ? r(true) : Date.now() > end ? r(false) : setTimeout(f, 25); f(); })`)
	if !ok {
		b.t.Fatalf("%s never held; the explorer says %q: %.500s", cond, eval[string](b, `(document.getElementById("ex-status") || {}).textContent || ""`),
			eval[string](b, `(document.getElementById("ex-result") || document.body).textContent`))
	}
}

// TestBrowserExplorer: in Chromium, the anonymous are sent to sign in; an
// auditor runs a query in the explorer and reads the answer, browses the
// schema and downloads the SDL; a dsr handler finds no explorer; the chain
// page's timeline reopens the chain as of a date it lists. Each page passes
// the accessibility scan under the page policy, and is photographed.
func TestBrowserExplorer(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t)
	var medhelp int64
	if err := s.store.DB().QueryRow(`SELECT id FROM organisations WHERE legal_name = 'Medhelp AB'`).Scan(&medhelp); err != nil {
		t.Fatal(err)
	}

	t.Run("AnonymousSentToSignIn", func(t *testing.T) {
		b.t = t
		for _, path := range []string{"/explorer", "/schema.graphql"} {
			if st := b.open(s.url, path); st != http.StatusOK || eval[string](b, `location.pathname`) != "/signin" {
				t.Errorf("%s: %d at %s, want the sign-in page", path, st, eval[string](b, `location.pathname`))
			}
		}
	})

	b.t = t
	b.signIn(s.url, s.tokens[registry.RoleAuditor])
	t.Run("RunAQuery", func(t *testing.T) {
		b.t = t
		if st := b.open(s.url, "/explorer?lang=en"); st != http.StatusOK {
			t.Fatalf("explorer: %d", st)
		}
		// The schema browser has read the SDL and opened Query.
		waitFor(b, `document.querySelector("#ex-type h3")`)
		if h := b.text("#ex-type h3"); h != "type Query" {
			t.Errorf("the schema opens at %q", h)
		}
		b.do(chromedp.SetValue(chromedp.ID("ex-query"), `query Find($name: String) {
  organisations(filter: {nameContains: $name}) { nodes { legalName country { code } } }
}`), chromedp.SetValue(chromedp.ID("ex-vars"), `{"name": "Medhelp"}`), chromedp.Click(chromedp.ID("ex-run")))
		waitFor(b, `document.getElementById("ex-status").textContent.startsWith("200")`)
		got := b.text("#ex-result")
		if !strings.Contains(got, `"legalName": "Medhelp AB"`) || strings.Contains(got, "Medicall") {
			t.Errorf("the answer, pretty-printed, is not Medhelp alone:\n%s", got)
		}
		// Ctrl+Enter runs it too; a refused field shows the API's error.
		eval[chromedp.Void](b, `document.getElementById("ex-vars").value = ""`)
		b.do(chromedp.SetValue(chromedp.ID("ex-query"), `mutation { endOrganisation(id: 1, at: "2020-01-01") { id } }`),
			chromedp.Focus(chromedp.ID("ex-query")))
		b.do(chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)))
		waitFor(b, `document.getElementById("ex-result").textContent.includes("FORBIDDEN")`)
		b.scan("auditor explorer")
		b.shoot("auditor-explorer")
		if errs := b.consoleErrors(); len(errs) > 0 {
			t.Errorf("explorer: the console says %q", errs)
		}
	})
	t.Run("BrowseTheSchema", func(t *testing.T) {
		b.t = t
		b.do(chromedp.SendKeys(chromedp.ID("ex-filter"), "ChainTim"))
		waitFor(b, `document.querySelectorAll("#ex-types li").length === 1`)
		b.do(chromedp.Click(chromedp.CSS("#ex-types button")))
		waitFor(b, `document.querySelector("#ex-type h3").textContent === "type ChainTimeline"`)
		// A field's type opens its own.
		b.do(chromedp.Click(chromedp.CSS(`#ex-type .ex-ref button`)))
		waitFor(b, `document.querySelector("#ex-type h3").textContent === "type ChainChange"`)
		if txt := b.text("#ex-type"); !strings.Contains(txt, "linksStarted") {
			t.Errorf("ChainChange lacks its fields:\n%s", txt)
		}
		b.scan("auditor explorer schema")
		b.shoot("auditor-explorer-schema")
	})
	t.Run("DownloadTheSDL", func(t *testing.T) {
		b.t = t
		dir := t.TempDir()
		done := make(chan string, 1)
		if err := chromedp.ListenBrowser(b.ctx, func(ev any) {
			if p, ok := ev.(*cdpbrowser.EventDownloadProgress); ok && p.State == cdpbrowser.DownloadProgressStateCompleted {
				select {
				case done <- p.GUID:
				default:
				}
			}
		}); err != nil {
			t.Fatal(err)
		}
		yes := true
		if _, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &yes}); err != nil {
			t.Fatal(err)
		}
		b.do(chromedp.Click(chromedp.ID("ex-sdl")))
		var guid string
		select {
		case guid = <-done:
		case <-b.ctx.Done():
			t.Fatal("the SDL did not download")
		}
		got, err := os.ReadFile(filepath.Join(dir, guid))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile("../schema.graphql")
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("the download (%d bytes) is not schema.graphql (%d bytes)", len(got), len(want))
		}
	})
	t.Run("TimelineReopensTheChain", func(t *testing.T) {
		b.t = t
		b.open(s.url, fmt.Sprintf("/chain?controller=%d&at=2019-02-01T02:00&lang=en", medhelp))
		entries := eval[[]string](b, `[...document.querySelectorAll(".timeline li a")].map(a => a.textContent)`)
		if len(entries) < 2 {
			t.Fatalf("the timeline lists %q", entries)
		}
		// The strip covers two years each side of the instant; the change
		// marked as shown is the last in it at or before the instant, and
		// none is marked when the chain's state is older than the window.
		if w := b.text(".timeline .tl-window"); !strings.HasPrefix(w, "Changes after 2017-02-01 02:00 up to and including 2021-02-01 02:00.") {
			t.Errorf("the strip's window reads %q", w)
		}
		var shown string
		for _, e := range entries {
			if e <= "2019-02-01 02:00" {
				shown = e
			}
		}
		if cur := eval[string](b, `document.querySelector('.timeline a[aria-current="true"]')?.textContent ?? ""`); cur != shown {
			t.Errorf("the change marked as shown is %q, want %q", cur, shown)
		}
		b.scan("auditor chain timeline")
		b.shoot("auditor-chain-timeline")
		// The first change reopens the chain as of then.
		first := entries[0]
		if st := b.submit(chromedp.CSS(".timeline li:first-child a")); st != http.StatusOK {
			t.Fatalf("timeline link: %d", st)
		}
		want := strings.Replace(first, " ", "T", 1)
		qs, _ := url.ParseQuery(strings.TrimPrefix(eval[string](b, `location.search`), "?"))
		if qs.Get("at") != want || qs.Get("controller") != fmt.Sprint(medhelp) {
			t.Errorf("the link opened %v, want controller %d at %s", qs, medhelp, want)
		}
		if v := eval[string](b, `document.getElementById("c-at").value`); v != want {
			t.Errorf("the instant field shows %q, want %q", v, want)
		}
		if cur := b.text(`.timeline a[aria-current="true"]`); cur != first {
			t.Errorf("the change shown is %q, want %q", cur, first)
		}
		if errs := b.consoleErrors(); len(errs) > 0 {
			t.Errorf("chain: the console says %q", errs)
		}
	})
	b.t = t
	b.signOut()

	t.Run("DSRFindsNoExplorer", func(t *testing.T) {
		b.t = t
		b.signIn(s.url, s.tokens[registry.RoleDSR])
		for _, path := range []string{"/explorer", "/schema.graphql"} {
			if st := b.open(s.url, path); st != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", path, st)
			}
		}
		if menu := b.text("header"); strings.Contains(menu, "API") {
			t.Errorf("the menu offers the explorer: %s", menu)
		}
		b.consoleErrors() // the browser reports the 404 itself
		b.signOut()
	})
}
