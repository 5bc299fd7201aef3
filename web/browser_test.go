package web_test

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/kedja/kedja/registry"
)

// axe is axe-core, vendored and pinned for the accessibility scan (see
// testdata/axe-core-4.14.1/README.md); pages never load it.
//
//go:embed testdata/axe-core-4.14.1/axe.min.js
var axe string

// browser is one headless Chromium with a fresh profile, and what its pages
// wrote to the console (CSP refusals show there).
type browser struct {
	t         *testing.T
	ctx       context.Context
	artefacts string
	mu        sync.Mutex
	console   []string
}

// newBrowser starts Debian's chromium with the flags this machine needs
// (root, no GPU, no network of its own). A missing chromium fails the test:
// scripts/test installs it, so its absence is a broken setup, not a reason
// to pass.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("chromium is not installed; the browser tests need Debian's chromium: run scripts/need-packages chromium:chromium (scripts/test does)")
	}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()))
	t.Cleanup(cancel)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(cancelCtx)
	// Bounded by the test's own deadline, less a margin to report in.
	deadline := time.Now().Add(6 * time.Minute)
	if d, ok := t.Deadline(); ok {
		deadline = d.Add(-15 * time.Second)
	}
	ctx, cancelTimeout := context.WithDeadline(ctx, deadline)
	t.Cleanup(cancelTimeout)
	dir := os.Getenv("KEDJA_ARTEFACTS")
	if dir == "" {
		dir, err = os.MkdirTemp("", "kedja-web-artefacts-")
		if err != nil {
			t.Fatal(err)
		}
	}
	dir = filepath.Join(dir, "web")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots and printed reports: %s", dir)
	b := &browser{t: t, ctx: ctx, artefacts: dir}
	if err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError {
				msg = ev.Entry.Text
			}
		case *runtime.EventExceptionThrown:
			msg = ev.ExceptionDetails.Text
		}
		if msg != "" {
			b.mu.Lock()
			b.console = append(b.console, msg)
			b.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	return b
}

// consoleErrors returns and clears what pages wrote as errors.
func (b *browser) consoleErrors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.console
	b.console = nil
	return out
}

func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatal(err)
	}
}

// open navigates to path and returns the HTTP status.
func (b *browser) open(base, path string) int64 {
	b.t.Helper()
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(base+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	return resp.Status
}

// submit clicks a form's button and waits for the page it leads to.
func (b *browser) submit(sel chromedp.CSS) int64 {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(sel))
	if err != nil {
		b.t.Fatalf("submit %s: %v", sel, err)
	}
	return resp.Status
}

func (b *browser) text(sel chromedp.CSS) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(sel))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func eval[T any](b *browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %.60s: %v", js, err)
	}
	return v
}

type violation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// scan runs axe-core on the page and fails on serious or critical
// violations. axe runs through the DevTools protocol, which the page's CSP
// does not govern: the page itself still loads no script but kedja's.
func (b *browser) scan(name string) {
	b.t.Helper()
	eval[chromedp.Void](b, axe)
	vs := eval[[]violation](b, `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
		.filter(v => v.impact === "serious" || v.impact === "critical")
		.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)})))`)
	for _, v := range vs {
		b.t.Errorf("%s: axe %s (%s): %s at %v", name, v.ID, v.Impact, v.Help, v.Nodes)
	}
}

// shoot keeps a screenshot of the whole page.
func (b *browser) shoot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.artefacts, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

func (b *browser) signIn(base, token string) {
	b.t.Helper()
	b.open(base, "/signin")
	b.do(chromedp.SendKeys(chromedp.ID("token"), token))
	if st := b.submit(chromedp.CSS(`form[action="/signin"] button`)); st != http.StatusOK {
		b.t.Fatalf("sign in: status %d", st)
	}
}

func (b *browser) signOut() {
	b.t.Helper()
	if st := b.submit(chromedp.CSS(`form[action="/signout"] button`)); st != http.StatusOK {
		b.t.Fatalf("sign out: status %d", st)
	}
	if got := eval[string](b, `location.pathname`); got != "/signin" {
		b.t.Fatalf("after sign-out at %s", got)
	}
}

// TestBrowser signs in as each role in Chromium and walks every page: a page
// the role may not open answers 404, the others load under the page policy
// with nothing refused, pass the accessibility scan and are photographed.
// An access-request handler traces a call and prints the report; the chain
// explorer shows its picture; the keyboard reaches the form's controls.
func TestBrowser(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t)
	var medhelp, nas, finding int64
	if err := s.store.DB().QueryRow(`SELECT (SELECT id FROM organisations WHERE legal_name = 'Medhelp AB'),
		(SELECT id FROM systems WHERE name LIKE 'Recording storage server%'),
		(SELECT min(id) FROM findings WHERE status = 'open' AND subject_kind = 'system')`).Scan(&medhelp, &nas, &finding); err != nil {
		t.Fatal(err)
	}
	at := "2019-02-01T02:00"
	pages := []struct {
		name, path, rule string
	}{
		{"home", "/", "home"},
		{"findings", "/findings?severity=high", "findings"},
		{"finding", fmt.Sprintf("/findings/%d", finding), "finding"},
		{"chain", fmt.Sprintf("/chain?controller=%d&at=%s", medhelp, at), "chain"},
		{"party", fmt.Sprintf("/parties/%d?at=%s", medhelp, at), "party"},
		{"system", fmt.Sprintf("/systems/%d?at=%s", nas, at), "system"},
		{"dsr", "/dsr", "dsr"},
	}
	scanned := map[string]bool{}
	for _, role := range registry.AccessRoles {
		t.Run(role, func(t *testing.T) {
			b.t = t
			defer func() { b.t = nil }()
			b.signIn(s.url, s.tokens[role])
			for _, p := range pages {
				status := b.open(s.url, p.path)
				allowed := mayOpen(role, p.rule)
				switch {
				case p.name == "home" && !allowed:
					// Home sends those without one to their own start.
					if got := eval[string](b, `location.pathname`); status != http.StatusOK || got != "/dsr" {
						t.Errorf("home: %d at %s, want the access-request page", status, got)
					}
					continue
				case !allowed:
					if status != http.StatusNotFound {
						t.Errorf("%s: status %d, want 404 for %s", p.name, status, role)
					}
					b.consoleErrors() // the browser reports the 404 itself
					continue
				case status != http.StatusOK:
					t.Errorf("%s: status %d", p.name, status)
					continue
				}
				if h1 := b.text("main h1"); h1 == "" {
					t.Errorf("%s: no heading", p.name)
				}
				// A page is scanned once, as the first role that sees it
				// (scans are the slow part); every role's view is kept.
				if !scanned[p.name] {
					b.scan(role + " " + p.name)
					scanned[p.name] = true
				}
				b.shoot(role + "-" + p.name)
				if errs := b.consoleErrors(); len(errs) > 0 {
					t.Errorf("%s: the console says %q", p.name, errs)
				}
			}
			b.signOut()
		})
	}

	b.t = t
	b.signIn(s.url, s.tokens[registry.RoleDSR])
	t.Run("KeyboardReachesTheForm", func(t *testing.T) {
		b.t = t
		b.open(s.url, "/dsr")
		var reached []string
		for range 20 {
			b.do(chromedp.KeyEvent(kb.Tab))
			id := eval[string](b, `document.activeElement.id || document.activeElement.textContent.trim()`)
			// A date-and-time field takes one Tab per part.
			if len(reached) == 0 || reached[len(reached)-1] != id {
				reached = append(reached, id)
			}
			if id == "d-case" {
				break
			}
		}
		if reached[0] != "Hoppa till innehållet" && reached[0] != "Skip to content" {
			t.Errorf("the first Tab reaches %q, want the skip link", reached[0])
		}
		order := strings.Join(reached, " ")
		if !strings.Contains(order, "d-region d-at d-case") {
			t.Errorf("Tab order %q does not reach region, time and case in turn", order)
		}
		// Enter on the skip link moves to the main content.
		b.open(s.url, "/dsr")
		b.do(chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Enter))
		if got := eval[string](b, `document.activeElement.id`); got != "main" {
			t.Errorf("the skip link leads to %q", got)
		}
	})
	t.Run("TraceAndPrintTheReport", func(t *testing.T) {
		b.t = t
		b.open(s.url, "/dsr?lang=en")
		// A missing case reference is shown beside its field, and nothing is
		// stored.
		b.do(chromedp.SetValue(chromedp.ID("d-region"), regionIDOf(t, s, "Region Stockholm")),
			chromedp.SetValue(chromedp.ID("d-at"), at))
		if st := b.submit(chromedp.CSS(`form[action="/dsr"] button`)); st != http.StatusUnprocessableEntity {
			t.Fatalf("without a case reference: status %d", st)
		}
		if msg := b.text("#d-case-error"); msg == "" {
			t.Error("no error beside the case reference")
		}
		b.scan("dsr with an error")
		b.shoot("dsr-error")
		b.consoleErrors() // the browser reports the 422 itself
		b.do(chromedp.SendKeys(chromedp.ID("d-case"), "IMY-2026-17"))
		if st := b.submit(chromedp.CSS(`form[action="/dsr"] button`)); st != http.StatusOK {
			t.Fatalf("trace: status %d", st)
		}
		if h1 := b.text("h1"); !strings.Contains(h1, "Who held the call?") {
			t.Fatalf("report heading %q", h1)
		}
		if body := b.text("body"); !strings.Contains(body, "Medicall Co., Ltd.") || !strings.Contains(body, "IMY-2026-17") {
			t.Errorf("the report lacks the Thai subcontractor or the case:\n%s", body)
		}
		b.scan("report")
		b.shoot("dsr-report")
		if errs := b.consoleErrors(); len(errs) > 0 {
			t.Errorf("report: the console says %q", errs)
		}
		pdf, err := chromedp.Run(b.ctx, chromedp.PrintToPDF(chromedp.PDFPrintBackground()))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(pdf, []byte("%PDF")) {
			t.Fatal("printing the report gave no PDF")
		}
		if err := os.WriteFile(filepath.Join(b.artefacts, "dsr-report.pdf"), pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		// The case is among the handler's own, and found by its reference.
		b.open(s.url, "/dsr?case=IMY-2026-17")
		if txt := b.text("main"); strings.Count(txt, "IMY-2026-17") < 2 {
			t.Errorf("the case is not listed both as found and as mine:\n%s", txt)
		}
	})
	b.signOut()

	b.signIn(s.url, s.tokens[registry.RoleEditor])
	t.Run("ChainExplorer", func(t *testing.T) {
		b.t = t
		b.open(s.url, "/chain?lang=en")
		b.do(chromedp.SendKeys(chromedp.ID("c-q"), "Medhelp"))
		b.submit(chromedp.CSS(`form[role="search"] button`))
		b.submit(chromedp.CSS(`ul.found a`))
		b.do(chromedp.SetValue(chromedp.ID("c-at"), at))
		b.submit(chromedp.CSS(`input[name="controller"] ~ div button[type="submit"]`))
		if url := eval[string](b, `location.search`); !strings.Contains(url, "at=2019-02-01T02%3A00") {
			t.Errorf("the instant is not in the URL: %s", url)
		}
		// The picture loaded under the page's policy.
		b.do(chromedp.WaitReady(chromedp.CSS(`.picture img`)))
		if w := eval[int](b, `new Promise(r => { const i = document.querySelector(".picture img"); i.complete ? r(i.naturalWidth) : i.onload = () => r(i.naturalWidth); })`); w == 0 {
			t.Error("the chain picture did not load")
		}
		if table := b.text("table.steps"); !strings.Contains(table, "Medicall Co., Ltd.") || !strings.Contains(table, "third country") {
			t.Errorf("the steps lack the Thai subcontractor:\n%s", table)
		}
		if errs := b.consoleErrors(); len(errs) > 0 {
			t.Errorf("chain: the console says %q", errs)
		}
		// Printed, the page drops its menu and forms and keeps the picture
		// and the table.
		if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			t.Fatal(err)
		}
		printed := eval[[]string](b, `[".top", "main form", ".picture", "table.steps"].map(s => getComputedStyle(document.querySelector(s)).display)`)
		if printed[0] != "none" || printed[1] != "none" || printed[2] == "none" || printed[3] == "none" {
			t.Errorf("printed, menu, form, picture and table display as %q", printed)
		}
		b.shoot("editor-chain-print")
		if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""}); err != nil {
			t.Fatal(err)
		}
		// An inline script, were one ever injected, is refused by the policy
		// (and that refusal is what the console checks above would catch).
		eval[chromedp.Void](b, `document.body.insertAdjacentHTML("beforeend", "<img src=x onerror=\"window.pwned=1\">")`)
		if pwned := eval[bool](b, `new Promise(r => setTimeout(() => r(window.pwned === 1), 200))`); pwned {
			t.Error("an inline handler ran")
		}
		if errs := b.consoleErrors(); !strings.Contains(strings.Join(errs, " "), "Content Security Policy") {
			t.Errorf("the refused inline handler was not reported: %q", errs)
		}
	})
}

// mayOpen is the page rule, as the tests expect it: every role but dsr sees
// the registry; dsr, admin and auditor see access requests.
func mayOpen(role, rule string) bool {
	if rule == "dsr" {
		return role != registry.RoleEditor
	}
	return role != registry.RoleDSR
}
