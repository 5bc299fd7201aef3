package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kedja/kedja/registry"
)

// ids are the demo's objects the edit tests work on.
type ids struct {
	medhelp, medicall, link, nas int64
}

func demoIDs(t testing.TB, s *site) ids {
	t.Helper()
	var v ids
	if err := s.store.DB().QueryRow(`SELECT (SELECT id FROM organisations WHERE legal_name = 'Medhelp AB'),
		(SELECT id FROM organisations WHERE legal_name = 'Medicall Co., Ltd.'),
		(SELECT l.id FROM links l JOIN organisations f ON f.id = l.from_id JOIN organisations o ON o.id = l.to_id
		  WHERE f.legal_name = 'Medhelp AB' AND o.legal_name = 'Medicall Co., Ltd.'),
		(SELECT id FROM systems WHERE name LIKE 'Recording storage server%')`).Scan(&v.medhelp, &v.medicall, &v.link, &v.nas); err != nil {
		t.Fatal(err)
	}
	return v
}

var (
	inputField    = regexp.MustCompile(`<input id="f-[^"]+" name="([^"]+)" type="([^"]+)"( value="([^"]*)")?([^>]*)>`)
	textareaField = regexp.MustCompile(`(?s)<textarea id="f-[^"]+" name="([^"]+)"[^>]*>(.*?)</textarea>`)
	selectField   = regexp.MustCompile(`(?s)<select id="f-[^"]+" name="([^"]+)"[^>]*>(.*?)</select>`)
	selectedOpt   = regexp.MustCompile(`<option value="([^"]*)" selected>`)
	versionField  = regexp.MustCompile(`<input type="hidden" name="version" value="([^"]*)">`)
)

// formValues reads an edit form as a browser would send it: every field
// with its value, checked boxes only.
func formValues(t testing.TB, page string) url.Values {
	t.Helper()
	v := url.Values{"csrf": {formToken(t, page)}}
	if m := versionField.FindStringSubmatch(page); m != nil {
		v.Set("version", html.UnescapeString(m[1]))
	}
	for _, m := range inputField.FindAllStringSubmatch(page, -1) {
		if m[2] == "checkbox" {
			if strings.Contains(m[5], "checked") {
				v.Set(m[1], "on")
			}
			continue
		}
		v.Set(m[1], html.UnescapeString(m[4]))
	}
	for _, m := range textareaField.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	for _, m := range selectField.FindAllStringSubmatch(page, -1) {
		sel := ""
		if o := selectedOpt.FindStringSubmatch(m[2]); o != nil {
			sel = html.UnescapeString(o[1])
		}
		v.Set(m[1], sel)
	}
	if len(v) < 3 {
		t.Fatalf("no edit form on the page:\n%s", page)
	}
	return v
}

// fieldBlock is the part of a form that holds field name: its label,
// control, help and error.
func fieldBlock(page, name string) string {
	i := strings.Index(page, `name="`+name+`"`)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(page[:i], `<div class="field`)
	end := strings.Index(page[i:], "</div>")
	if start < 0 || end < 0 {
		return ""
	}
	return page[start : i+end]
}

// rowState is a registry row as stored, and how many changes it has.
func rowState(t testing.TB, s *site, table string, id int64) string {
	t.Helper()
	var row string
	var n int
	if err := s.store.DB().QueryRow(`SELECT to_jsonb(x)::text, (SELECT count(*) FROM changes WHERE table_name = $1 AND row_key = $3)
		FROM `+table+` x WHERE id = $2`, table, id, fmt.Sprint(id)).Scan(&row, &n); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d %s", n, row)
}

// TestEditPagesPerRole: editors and admins open the edit forms; auditors
// read the link page but get 404 for the forms, as for anything they may
// not see; access-request handlers get 404 for all of it.
func TestEditPagesPerRole(t *testing.T) {
	s := newSite(t)
	d := demoIDs(t, s)
	paths := []struct {
		path  string
		roles map[string]int
	}{
		{fmt.Sprintf("/links/%d?at=2019-02-01T02:00", d.link), map[string]int{"admin": 200, "editor": 200, "auditor": 200, "dsr": 404}},
		{fmt.Sprintf("/links/%d/edit", d.link), map[string]int{"admin": 200, "editor": 200, "auditor": 404, "dsr": 404}},
		{fmt.Sprintf("/parties/%d/edit", d.medicall), map[string]int{"admin": 200, "editor": 200, "auditor": 404, "dsr": 404}},
		{fmt.Sprintf("/systems/%d/edit", d.nas), map[string]int{"admin": 200, "editor": 200, "auditor": 404, "dsr": 404}},
		{"/links/999999", map[string]int{"admin": 404, "editor": 404, "auditor": 404, "dsr": 404}},
		{"/links/999999/edit", map[string]int{"admin": 404, "editor": 404, "auditor": 404, "dsr": 404}},
	}
	for _, role := range []string{"admin", "editor", "auditor", "dsr"} {
		c := s.client(t)
		c.signIn(role)
		for _, p := range paths {
			t.Run(role+p.path, func(t *testing.T) {
				resp, body := c.do("GET", p.path, nil)
				if resp.StatusCode != p.roles[role] {
					t.Fatalf("status %d, want %d", resp.StatusCode, p.roles[role])
				}
				// The page offers the form only to those who may use it.
				if strings.HasPrefix(p.path, "/links/") && !strings.HasSuffix(p.path, "/edit") && resp.StatusCode == 200 {
					offers := strings.Contains(body, fmt.Sprintf(`href="/links/%d/edit?at=`, d.link))
					if offers != (role != "auditor") {
						t.Errorf("the link page offers the edit form: %v", offers)
					}
				}
			})
		}
	}
}

// TestLinkPage: the link's facts as of an instant, its routing, the role
// an authority found, the systems used on it, and where it sits in every
// controller's chain, with what the links on the way lack.
func TestLinkPage(t *testing.T) {
	s := newSite(t)
	d := demoIDs(t, s)
	c := s.client(t)
	c.signIn("auditor")
	_, body := c.do("GET", fmt.Sprintf("/links/%d?at=2019-02-01T02:00", d.link), nil)
	main := body[strings.Index(body, "<main"):]
	for _, want := range []string{
		"<h1>Medhelp AB → Medicall Co., Ltd.</h1>",
		"Nights and weekends, about 20%",                // routing note
		"mon, tue, wed, thu, fri, sat, sun 21:00–07:00", // routing window
		"IMY (Swedish data protection authority)",       // role finding
		"Princess", // a system used on it
		`<h2 id="h-placements">Place in the controllers`, // placements
		"Region Stockholm",      // a controller above it
		"no transfer mechanism", // a gap on its path
		`<h2 id="history">History</h2>`,
		"Created",
	} {
		if !strings.Contains(main, want) {
			t.Errorf("the link page lacks %q", want)
		}
	}
	if strings.Contains(main, "not in force") {
		t.Error("the link is said not to be in force in 2019")
	}
	_, body = c.do("GET", fmt.Sprintf("/links/%d?at=2010-01-01T00:00", d.link), nil)
	if !strings.Contains(body, "The link was not in force at the chosen instant.") {
		t.Error("in 2010 the link is not said to be out of force")
	}
	if resp, _ := c.do("GET", fmt.Sprintf("/links/%d?at=someday", d.link), nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad instant: %d, want 400", resp.StatusCode)
	}
	// The party and system pages show their place in the chains and their
	// history too.
	for _, p := range []string{fmt.Sprintf("/parties/%d?at=2019-02-01T02:00", d.medicall), fmt.Sprintf("/systems/%d?at=2019-02-01T02:00", d.nas)} {
		_, body := c.do("GET", p, nil)
		if !strings.Contains(body, "Region Värmland") || !strings.Contains(body, `id="history"`) {
			t.Errorf("%s lacks a controller above it or its history", p)
		}
	}
}

// TestEditForms: each form's mistakes are shown beside the field that
// caused them, with what was typed, and nothing is stored; a form without
// its token is refused; a good form is stored through the update service
// with its audit row, and its page shows the change in the history.
func TestEditForms(t *testing.T) {
	s := newSite(t)
	d := demoIDs(t, s)
	ed := s.client(t)
	ed.signIn("editor")
	forms := map[string]struct {
		path, table string
		id          int64
	}{
		"link":   {fmt.Sprintf("/links/%d", d.link), "links", d.link},
		"party":  {fmt.Sprintf("/parties/%d", d.medicall), "organisations", d.medicall},
		"system": {fmt.Sprintf("/systems/%d", d.nas), "systems", d.nas},
	}
	tests := []struct {
		name, form string
		set        map[string]string
		field      string // where the error shows
		message    string
	}{
		{"PurposeRequired", "link", map[string]string{"purpose": "  "}, "purpose", "is required"},
		{"EndsBeforeItStarts", "link", map[string]string{"validTo": "2010-01-01T00:00"}, "validTo", "the period ends"},
		{"NotAnInstant", "link", map[string]string{"validFrom": "last spring"}, "validFrom", "Give a date and time"},
		{"NotADate", "link", map[string]string{"agreementDate": "2019-13-45"}, "agreementDate", "Give a date, YYYY-MM-DD."},
		{"ShareAboveOne", "link", map[string]string{"routingShare": "2"}, "routingShare", "at most 1"},
		{"ShareNotANumber", "link", map[string]string{"routingShare": "a fifth"}, "routingShare", "Give a number."},
		{"SCCModuleWithoutSCC", "link", map[string]string{"sccModule": "2"}, "sccModule", "exactly when the transfer mechanism is SCC"},
		{"AuthorisationWithoutController", "link", map[string]string{"authorisation": "specific"}, "authorisingControllerId", "name the controller"},
		{"UnknownController", "link", map[string]string{"authorisation": "specific", "authorisingControllerId": "999999"}, "authorisingControllerId", "no such"},
		{"ShrinksAwayFromItsUses", "link", map[string]string{"validFrom": "2019-01-01T00:00"}, "validFrom", "systems are used on this link"},
		{"UnknownRole", "link", map[string]string{"role": "owner"}, "role", "owner"},
		{"LegalNameRequired", "party", map[string]string{"legalName": ""}, "legalName", "is required"},
		{"CountyCodeOfACompany", "party", map[string]string{"countyCode": "17"}, "countyCode", "only regions have county codes"},
		{"UnknownTimeZone", "party", map[string]string{"timeZone": "Mars/Olympus"}, "timeZone", "Mars/Olympus"},
		{"SystemNameRequired", "system", map[string]string{"name": ""}, "name", "is required"},
		{"UnknownSystemKind", "system", map[string]string{"kind": "spaceship"}, "kind", "spaceship"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := forms[tt.form]
			before := rowState(t, s, f.table, f.id)
			_, page := ed.do("GET", f.path+"/edit", nil)
			form := formValues(t, page)
			for k, v := range tt.set {
				form.Set(k, v)
			}
			resp, body := ed.do("POST", f.path+"/edit", form)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", resp.StatusCode, body)
			}
			block := fieldBlock(body, tt.field)
			if !strings.Contains(block, `id="f-`+tt.field+`-error"`) || !strings.Contains(html.UnescapeString(block), tt.message) ||
				!strings.Contains(block, `aria-invalid="true"`) {
				t.Errorf("no error %q beside %s:\n%s", tt.message, tt.field, block)
			}
			if n := strings.Count(body, `class="error"`); n != 1 {
				t.Errorf("%d errors on the page, want 1", n)
			}
			again := formValues(t, body)
			for k, v := range tt.set {
				if again.Get(k) != strings.TrimSpace(v) && again.Get(k) != v {
					t.Errorf("%s is shown as %q, not as typed (%q)", k, again.Get(k), v)
				}
			}
			if after := rowState(t, s, f.table, f.id); after != before {
				t.Errorf("something was stored:\n%s\n%s", before, after)
			}
		})
	}

	t.Run("ErrorInSwedish", func(t *testing.T) {
		sv := s.client(t)
		sv.lang = "sv-SE"
		sv.signIn("editor")
		_, page := sv.do("GET", forms["link"].path+"/edit", nil)
		form := formValues(t, page)
		form.Set("purpose", "")
		_, body := sv.do("POST", forms["link"].path+"/edit", form)
		if block := fieldBlock(body, "purpose"); !strings.Contains(block, "Ändamål") || !strings.Contains(block, "Måste anges.") {
			t.Errorf("no Swedish label and error beside the purpose:\n%s", block)
		}
	})
	t.Run("SomeoneElseSavedFirst", func(t *testing.T) {
		path := forms["link"].path + "/edit"
		_, page := ed.do("GET", path, nil)
		mine := formValues(t, page)
		other := s.client(t)
		other.signIn("admin")
		_, page = other.do("GET", path, nil)
		theirs := formValues(t, page)
		theirs.Set("purpose", "Their purpose")
		if resp, body := other.do("POST", path, theirs); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("their save: %d\n%s", resp.StatusCode, body)
		}
		mine.Set("purpose", "My purpose")
		resp, body := ed.do("POST", path, mine)
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Someone else saved changes") {
			t.Fatalf("my save over theirs: %d, want 409 and why\n%s", resp.StatusCode, body)
		}
		again := formValues(t, body)
		if again.Get("purpose") != "My purpose" {
			t.Errorf("my purpose is shown as %q", again.Get("purpose"))
		}
		var stored string
		if err := s.store.DB().QueryRow(`SELECT purpose FROM links WHERE id = $1`, d.link).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored != "Their purpose" {
			t.Errorf("stored %q, want theirs kept", stored)
		}
		// Saved again, knowingly, it goes through.
		if resp, body := ed.do("POST", path, again); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("my second save: %d\n%s", resp.StatusCode, body)
		}
	})
	t.Run("BackToTheInstant", func(t *testing.T) {
		// Opened from the page as of an instant, the form leads back to it.
		path := forms["link"].path
		_, page := ed.do("GET", path+"?at=2019-02-01T02:00", nil)
		if !strings.Contains(page, `href="`+path+`/edit?at=2019-02-01T02%3a00"`) {
			t.Fatalf("the page's edit button forgets the instant: %s", regexpMust(`href="[^"]*/edit[^"]*"`).FindString(page))
		}
		_, page = ed.do("GET", path+"/edit?at=2019-02-01T02:00", nil)
		form := formValues(t, page)
		form.Set("at", "2019-02-01T02:00")
		resp, body := ed.do("POST", path+"/edit", form)
		if want := path + "?at=2019-02-01T02%3A00#history"; resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != want {
			t.Errorf("status %d to %q, want 303 to %q\n%s", resp.StatusCode, resp.Header.Get("Location"), want, body)
		}
	})
	t.Run("WithoutFormToken", func(t *testing.T) {
		before := rowState(t, s, "links", d.link)
		_, page := ed.do("GET", forms["link"].path+"/edit", nil)
		form := formValues(t, page)
		form.Set("purpose", "forged")
		for _, token := range []string{"", "x" + form.Get("csrf")} {
			form.Set("csrf", token)
			if resp, _ := ed.do("POST", forms["link"].path+"/edit", form); resp.StatusCode != http.StatusForbidden {
				t.Errorf("csrf %q: status %d, want 403", token, resp.StatusCode)
			}
		}
		if after := rowState(t, s, "links", d.link); after != before {
			t.Errorf("a form without its token was stored")
		}
	})
	t.Run("AuditorMayNotPost", func(t *testing.T) {
		before := rowState(t, s, "links", d.link)
		_, page := ed.do("GET", forms["link"].path+"/edit", nil)
		form := formValues(t, page)
		au := s.client(t)
		au.signIn("auditor")
		_, own := au.do("GET", "/findings", nil)
		form.Set("csrf", formToken(t, own))
		form.Set("purpose", "changed by an auditor")
		if resp, _ := au.do("POST", forms["link"].path+"/edit", form); resp.StatusCode != http.StatusNotFound {
			t.Errorf("status %d, want 404", resp.StatusCode)
		}
		if after := rowState(t, s, "links", d.link); after != before {
			t.Errorf("an auditor's form was stored")
		}
	})

	saves := []struct {
		name, form string
		set        map[string]string
		history    string
	}{
		{"LinkPurposeAndEnd", "link", map[string]string{"purpose": "Night and weekend calls, per the 2018 agreement", "routingShare": "0.2"},
			"Night and weekend calls, per the 2018 agreement"},
		{"PartyOrgNumber", "party", map[string]string{"orgNumber": "TH-0105556000000"}, "TH-0105556000000"},
		{"SystemDescription", "system", map[string]string{"description": "NAS under a sister company's domain"}, "NAS under a sister company&#39;s domain"},
	}
	for _, tt := range saves {
		t.Run("Save"+tt.name, func(t *testing.T) {
			f := forms[tt.form]
			_, page := ed.do("GET", f.path+"/edit", nil)
			form := formValues(t, page)
			for k, v := range tt.set {
				form.Set(k, v)
			}
			var mark int64
			if err := s.store.DB().QueryRow(`SELECT COALESCE(max(id), 0) FROM audit_log`).Scan(&mark); err != nil {
				t.Fatal(err)
			}
			resp, body := ed.do("POST", f.path+"/edit", form)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != f.path+"#history" {
				t.Fatalf("status %d to %q, want 303 to the page's history\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
			}
			_, body = ed.do("GET", f.path, nil)
			hist := body[strings.Index(body, `id="history"`):]
			if !strings.Contains(hist, tt.history) || !strings.Contains(hist, "test editor") {
				t.Errorf("the history does not show the change by the editor:\n%s", hist)
			}
			var actor string
			var audited int
			object := map[string]string{"link": "link", "party": "organisation", "system": "system"}[tt.form]
			if err := s.store.DB().QueryRow(`SELECT (SELECT actor FROM changes WHERE table_name = $1 AND row_key = $2 ORDER BY id DESC LIMIT 1),
				(SELECT count(*) FROM audit_log WHERE id > $4 AND principal = 'test editor' AND outcome = 'ok' AND $3 = ANY(affected)
				   AND operation = ANY('{updateLink,updateOrganisation,updateSystem}'))`,
				f.table, fmt.Sprint(f.id), fmt.Sprintf("%s:%d", object, f.id), mark).Scan(&actor, &audited); err != nil {
				t.Fatal(err)
			}
			if actor != "test editor" || audited != 1 {
				t.Errorf("change by %q with %d audit rows, want the editor's and 1", actor, audited)
			}
		})
	}
	t.Run("UnchangedFormKeepsTheRow", func(t *testing.T) {
		// A form sent back as shown stores the same facts: nothing is lost
		// to the form's wording of instants, dates and lists.
		var before, after string
		q := `SELECT to_jsonb(l) - 'id' FROM links l WHERE id = $1`
		if err := s.store.DB().QueryRow(q, d.link).Scan(&before); err != nil {
			t.Fatal(err)
		}
		_, page := ed.do("GET", forms["link"].path+"/edit", nil)
		if resp, body := ed.do("POST", forms["link"].path+"/edit", formValues(t, page)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d\n%s", resp.StatusCode, body)
		}
		if err := s.store.DB().QueryRow(q, d.link).Scan(&after); err != nil {
			t.Fatal(err)
		}
		if before != after {
			t.Errorf("an unchanged form changed the link:\n%s\n%s", before, after)
		}
	})
}

// BenchmarkEditPages measures the link page, the edit forms and a saved
// edit answered whole at demo size (session, the services' SQL with the
// responsibility walk and the history, rendering; a save also commits its
// audit row).
func BenchmarkEditPages(b *testing.B) {
	s := newSite(b)
	d := demoIDs(b, s)
	c := s.client(b)
	c.signIn(registry.RoleEditor)
	for _, p := range []struct{ name, path string }{
		{"Link", fmt.Sprintf("/links/%d?at=2019-02-01T02:00", d.link)},
		{"LinkEdit", fmt.Sprintf("/links/%d/edit", d.link)},
		{"PartyEdit", fmt.Sprintf("/parties/%d/edit", d.medicall)},
		{"SystemEdit", fmt.Sprintf("/systems/%d/edit", d.nas)},
	} {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				if r, body := c.do("GET", p.path, nil); r.StatusCode != http.StatusOK {
					b.Fatalf("%s: %s\n%s", p.path, r.Status, body)
				}
			}
		})
	}
	b.Run("LinkSave", func(b *testing.B) {
		path := fmt.Sprintf("/links/%d/edit", d.link)
		_, page := c.do("GET", path, nil)
		form := formValues(b, page)
		i := 0
		for b.Loop() {
			i++
			form.Set("purpose", fmt.Sprintf("Night and weekend calls (%d)", i))
			if r, body := c.do("POST", path, form); r.StatusCode != http.StatusSeeOther {
				b.Fatalf("%s\n%s", r.Status, body)
			}
		}
	})
}
