package web_test

import (
	"bytes"
	"cmp"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kedja/kedja/demo"
	"github.com/kedja/kedja/graph/render"
	"github.com/kedja/kedja/graph/render/rendertest"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
	"github.com/kedja/kedja/schema"
	"github.com/kedja/kedja/server"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(rendertest.Main(m)) }

// site is a kedja server with the demo data on a fresh database, reached
// over HTTP, with a token for each role.
type site struct {
	url    string
	store  *store.Store
	logs   *syncBuffer
	tokens map[string]string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newSite(t testing.TB) *site {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	s := storetest.Store(t)
	if _, err := demo.Seed(context.Background(), s, loc); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	if _, err := s.RunChecks(context.Background(), registry.RunOptions{Trigger: "cli", Actor: "test"}); err != nil {
		t.Fatalf("run checks: %v", err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	res := resolvers.New(s.Services(), log, loc)
	res.Pictures = rendertest.Pool(t, render.Options{Log: log})
	sch, err := schema.New(res)
	if err != nil {
		t.Fatal(err)
	}
	cfg := server.DefaultConfig
	cfg.RatePerSecond, cfg.RateBurst = 1000, 1000
	srv := httptest.NewServer(server.New(cfg, sch, res, log).Handler())
	t.Cleanup(srv.Close)
	st := &site{url: srv.URL, store: s, logs: logs, tokens: map[string]string{}}
	for _, role := range registry.AccessRoles {
		_, secret, err := s.CreateToken(context.Background(), "test", "test "+role, role, nil)
		if err != nil {
			t.Fatal(err)
		}
		st.tokens[role] = secret
	}
	return st
}

// client is a browser-less visitor that keeps its cookies by hand: Go's
// cookie jar sends no Secure cookie over http, which browsers do for
// 127.0.0.1.
type client struct {
	t       testing.TB
	site    *site
	cookies map[string]string
	lang    string // Accept-Language; "" sends "en"
}

func (s *site) client(t testing.TB) *client {
	return &client{t: t, site: s, cookies: map[string]string{}}
}

// do sends a request without following redirects and keeps the cookies set.
func (c *client) do(method, path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.site.url+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept-Language", cmp.Or(c.lang, "en"))
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
	for _, ck := range resp.Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck.Value
		}
	}
	return resp, string(b)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// formToken is the form token on a page.
func formToken(t testing.TB, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no form token on the page:\n%s", page)
	}
	return m[1]
}

// signIn signs c in with role's token.
func (c *client) signIn(role string) {
	c.t.Helper()
	_, page := c.do("GET", "/signin", nil)
	resp, body := c.do("POST", "/signin", url.Values{"csrf": {formToken(c.t, page)}, "token": {c.site.tokens[role]}})
	if resp.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("sign in as %s: %d\n%s", role, resp.StatusCode, body)
	}
}

func regexpMust(p string) *regexp.Regexp { return regexp.MustCompile(p) }
