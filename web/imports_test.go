package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// upload posts a list as the upload form does (multipart), with csrf as
// its form token.
func (c *client) upload(csrf, supplier, name, content string) (*http.Response, string) {
	c.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range map[string]string{"csrf": csrf, "supplier": supplier, "effectiveDate": "2019-02-01"} {
		w.WriteField(k, v)
	}
	f, _ := w.CreateFormFile("file", name)
	io.WriteString(f, content)
	w.Close()
	req, _ := http.NewRequest("POST", c.site.url+"/imports", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Accept-Language", "en")
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// The upload form: refused without its form token, bad rows shown by line
// and column with nothing stored, a good list stored as a dry run; an
// auditor may not upload.
func TestImportUpload(t *testing.T) {
	s := newSite(t)
	var medhelp int64
	if err := s.store.DB().QueryRow(`SELECT id FROM organisations WHERE legal_name = 'Medhelp AB'`).Scan(&medhelp); err != nil {
		t.Fatal(err)
	}
	sup := strconv.FormatInt(medhelp, 10)
	editor := s.client(t)
	editor.signIn("editor")
	_, page := editor.do("GET", "/imports", nil)
	csrf := formToken(t, page)
	count := func() int {
		var n int
		if err := s.store.DB().QueryRow(`SELECT count(*) FROM imports`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	good := "legal_name,country,service\nThai Cloud Co. Ltd.,TH,hosting\n"
	tests := []struct {
		name, csrf, file, content string
		status                    int
		want                      string
		stored                    int
	}{
		{"NoFormToken", "", "list.csv", good, http.StatusForbidden, "expired", 0},
		{"BadRows", csrf, "list.csv", "legal_name,country,service\nA AB,SE,x\nB Ltd,Thailand,y\n", http.StatusUnprocessableEntity,
			"Line 3, column 2 (country)", 0},
		{"UnknownFormat", csrf, "list.pdf", good, http.StatusUnprocessableEntity, "format", 0},
		{"Good", csrf, "list.csv", good, http.StatusSeeOther, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := count()
			resp, body := editor.upload(tt.csrf, sup, tt.file, tt.content)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("got %d, want %d saying %q:\n%.2000s", resp.StatusCode, tt.status, tt.want, body)
			}
			if got := count() - before; got != tt.stored {
				t.Errorf("stored %d imports, want %d", got, tt.stored)
			}
		})
	}
	auditor := s.client(t)
	auditor.signIn("auditor")
	_, page = auditor.do("GET", "/imports", nil)
	if strings.Contains(page, `action="/imports"`) {
		t.Error("an auditor is shown the upload form")
	}
	if resp, _ := auditor.upload(formToken(t, page), sup, "list.csv", good); resp.StatusCode != http.StatusNotFound {
		t.Errorf("an auditor's upload: %d, want 404", resp.StatusCode)
	}
}
