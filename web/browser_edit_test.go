package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/kedja/kedja/registry"
)

// TestBrowserEditLink: in Chromium, an editor opens a link, reaches its
// edit form with the keyboard, is shown a mistake beside the field that
// caused it, saves a new purpose and finds the change in the link's
// history. The link page and the form pass the accessibility scan and are
// photographed; printed, the page drops its buttons.
func TestBrowserEditLink(t *testing.T) {
	s := newSite(t)
	d := demoIDs(t, s)
	b := newBrowser(t)
	b.signIn(s.url, s.tokens[registry.RoleEditor])
	linkPage := fmt.Sprintf("/links/%d", d.link)

	if st := b.open(s.url, linkPage+"?at=2019-02-01T02:00&lang=en"); st != http.StatusOK {
		t.Fatalf("link page: status %d", st)
	}
	if h1 := b.text("main h1"); h1 != "Medhelp AB → Medicall Co., Ltd." {
		t.Errorf("link page heading %q", h1)
	}
	if txt := b.text(".placements"); !strings.Contains(txt, "Region Värmland") {
		t.Errorf("the placements lack a controller above the link:\n%s", txt)
	}
	b.scan("link")
	b.shoot("editor-link")
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("link page: the console says %q", errs)
	}

	t.Run("PrintedWithoutButtons", func(t *testing.T) {
		b.t = t
		defer func() { b.t = nil }()
		if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			t.Fatal(err)
		}
		shown := eval[[]string](b, `[".top", ".actions", "table.placements", "table.history"].map(s => getComputedStyle(document.querySelector(s)).display)`)
		if shown[0] != "none" || shown[1] != "none" || shown[2] == "none" || shown[3] == "none" {
			t.Errorf("printed, menu, edit button, placements and history display as %q", shown)
		}
		b.shoot("editor-link-print")
		if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""}); err != nil {
			t.Fatal(err)
		}
	})
	b.t = t

	t.Run("KeyboardReachesTheForm", func(t *testing.T) {
		b.t = t
		defer func() { b.t = nil }()
		// Tab to the edit button and press Enter.
		found := false
		for range 40 {
			b.do(chromedp.KeyEvent(kb.Tab))
			if eval[string](b, `document.activeElement.textContent.trim()`) == "Edit the link" {
				found = true
				break
			}
		}
		if !found {
			t.Fatal("Tab never reaches the edit button")
		}
		resp, err := chromedp.RunResponse(b.ctx, chromedp.KeyEvent(kb.Enter))
		if err != nil || resp.Status != http.StatusOK {
			t.Fatalf("Enter on the edit button: %v, %v", resp, err)
		}
		if got := eval[string](b, `location.pathname`); got != linkPage+"/edit" {
			t.Fatalf("Enter led to %s", got)
		}
		// From the top, Tab reaches the form's fields in order.
		var reached []string
		for range 30 {
			b.do(chromedp.KeyEvent(kb.Tab))
			id := eval[string](b, `document.activeElement.id || document.activeElement.textContent.trim()`)
			if len(reached) == 0 || reached[len(reached)-1] != id {
				reached = append(reached, id)
			}
			if id == "f-validFrom" {
				break
			}
		}
		if order := strings.Join(reached, " "); !strings.Contains(order, "f-role f-purpose f-dataCategories f-healthData f-validFrom") {
			t.Errorf("Tab order %q does not reach role, purpose, categories, health data and start in turn", order)
		}
	})
	b.t = t

	t.Run("ErrorBesideTheField", func(t *testing.T) {
		b.t = t
		defer func() { b.t = nil }()
		b.open(s.url, linkPage+"/edit")
		b.scan("link edit form")
		b.shoot("editor-link-edit")
		b.do(chromedp.SetValue(chromedp.ID("f-purpose"), "  "))
		if st := b.submit(chromedp.CSS(`form.edit button[type="submit"]`)); st != http.StatusUnprocessableEntity {
			t.Fatalf("an empty purpose: status %d, want 422", st)
		}
		if msg := b.text("#f-purpose-error"); msg != "is required" {
			t.Errorf("beside the purpose: %q", msg)
		}
		beside := eval[bool](b, `(() => { const f = document.getElementById("f-purpose");
			return f.closest(".field").contains(document.getElementById("f-purpose-error")) &&
				f.getAttribute("aria-invalid") === "true" && f.getAttribute("aria-describedby") === "f-purpose-error"; })()`)
		if !beside {
			t.Error("the error is not beside, and tied to, the purpose field")
		}
		if n := eval[int](b, `document.querySelectorAll(".error").length`); n != 1 {
			t.Errorf("%d errors shown, want 1", n)
		}
		b.scan("link edit form with an error")
		b.shoot("editor-link-edit-error")
		b.consoleErrors() // the browser reports the 422 itself
	})
	b.t = t

	t.Run("SavedAndInTheHistory", func(t *testing.T) {
		b.t = t
		defer func() { b.t = nil }()
		purpose := "Night and weekend calls from Thailand, under the 2018 agreement"
		b.do(chromedp.SetValue(chromedp.ID("f-purpose"), purpose))
		if st := b.submit(chromedp.CSS(`form.edit button[type="submit"]`)); st != http.StatusOK {
			t.Fatalf("save: status %d", st)
		}
		if got := eval[string](b, `location.pathname + location.hash`); got != linkPage+"#history" {
			t.Errorf("after saving at %s, want the link's history", got)
		}
		hist := b.text("table.history tbody tr:first-child")
		if !strings.Contains(hist, purpose) || !strings.Contains(hist, "test editor") {
			t.Errorf("the newest history row lacks the purpose or the editor:\n%s", hist)
		}
		if facts := b.text("main dl.facts"); !strings.Contains(facts, purpose) {
			t.Errorf("the link's facts lack the new purpose:\n%s", facts)
		}
		b.shoot("editor-link-history")
		if errs := b.consoleErrors(); len(errs) > 0 {
			t.Errorf("the console says %q", errs)
		}
	})
}
