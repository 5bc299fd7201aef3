package web_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kedja/kedja/registry"
)

// TestBrowserImport: a procurement officer uploads Medhelp's list with an
// added Thai subcontractor; before anything is applied the page shows the
// new third-country transfer, and approving applies it. The pages pass the
// accessibility scan under the page policy and are photographed; an
// auditor reads the dry run without the forms, a dsr user gets 404.
func TestBrowserImport(t *testing.T) {
	s := newSite(t)
	b := newBrowser(t)
	ctx := context.Background()
	var medhelp int64
	if err := s.store.DB().QueryRow(`SELECT id FROM organisations WHERE legal_name = 'Medhelp AB'`).Scan(&medhelp); err != nil {
		t.Fatal(err)
	}
	at, _ := time.ParseInLocation("2006-01-02", "2019-02-01", mustLoad(t, "Europe/Stockholm"))
	rows, err := s.store.ExportSupplierList(ctx, medhelp, at)
	if err != nil {
		t.Fatal(err)
	}
	var list bytes.Buffer
	if err := registry.WriteImportCSV(&list, rows); err != nil {
		t.Fatal(err)
	}
	list.WriteString("Thai Cloud Co. Ltd.,,TH,Hosting of call recordings,TH,call recordings,yes,,sub_processor,Medhelp AB\n")
	file := filepath.Join(t.TempDir(), "medhelp-subprocessors-2019.csv")
	if err := os.WriteFile(file, list.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	thaiParties := func() int {
		var n int
		if err := s.store.DB().QueryRow(`SELECT count(*) FROM organisations WHERE legal_name = 'Thai Cloud Co. Ltd.'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	b.signIn(s.url, s.tokens[registry.RoleEditor])
	if st := b.open(s.url, "/imports?lang=en"); st != http.StatusOK {
		t.Fatalf("/imports: %d", st)
	}
	b.scan("imports")
	b.shoot("editor-imports")
	b.do(chromedp.SetValue(chromedp.ID("i-supplier"), strconv.FormatInt(medhelp, 10)),
		chromedp.SetValue(chromedp.ID("i-date"), "2019-02-01"),
		chromedp.SetUploadFiles(chromedp.ID("i-file"), []string{file}))
	if st := b.submit(chromedp.CSS(`form[action="/imports"] button`)); st != http.StatusOK {
		t.Fatalf("dry run: status %d", st)
	}
	path := eval[string](b, `location.pathname`)
	if !strings.HasPrefix(path, "/imports/") {
		t.Fatalf("after the upload at %s", path)
	}
	diff := b.text("table.diff")
	for _, want := range []string{"new party", "Thai Cloud Co. Ltd.", "new sub-processor", "third_country", "receives health data in Thailand, third country"} {
		if !strings.Contains(diff, want) {
			t.Errorf("the dry run does not show %q:\n%s", want, diff)
		}
	}
	if n := thaiParties(); n != 0 {
		t.Fatalf("the dry run applied the list: %d parties", n)
	}
	if got := b.text("#import-status"); !strings.Contains(got, "awaiting a decision") {
		t.Errorf("status %q", got)
	}
	b.scan("import dry run")
	b.shoot("editor-import-dry-run")
	if errs := b.consoleErrors(); len(errs) > 0 {
		t.Errorf("the console says %q", errs)
	}

	// An auditor reads it without the forms; a dsr user may not.
	b.signOut()
	b.signIn(s.url, s.tokens[registry.RoleAuditor])
	if st := b.open(s.url, path); st != http.StatusOK {
		t.Errorf("auditor: %d", st)
	}
	if n := eval[int](b, `document.querySelectorAll("form[action$='/approve'], form[action$='/reject'], form[action='/imports']").length`); n != 0 {
		t.Errorf("the auditor sees %d forms to decide", n)
	}
	b.shoot("auditor-import")
	b.signOut()
	b.signIn(s.url, s.tokens[registry.RoleDSR])
	if st := b.open(s.url, path); st != http.StatusNotFound {
		t.Errorf("dsr: %d, want 404", st)
	}
	b.consoleErrors()
	b.signOut()

	b.signIn(s.url, s.tokens[registry.RoleEditor])
	b.open(s.url, path+"?lang=en")
	if st := b.submit(chromedp.CSS(`#approve`)); st != http.StatusOK {
		t.Fatalf("approve: status %d", st)
	}
	if got := b.text("#import-status"); !strings.Contains(got, "approved and applied") {
		t.Errorf("status after approval %q", got)
	}
	if n := thaiParties(); n != 1 {
		t.Errorf("after approval %d Thai Cloud parties, want 1", n)
	}
	b.scan("import approved")
	b.shoot("editor-import-approved")
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
