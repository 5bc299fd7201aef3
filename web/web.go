// Package web is the pages people use in a browser: sign-in, the access-request form and its report, findings, chains, parties and systems.
package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Config is what the pages are served with. The functions are the server's
// own, so that a page authenticates, audits and prints a report exactly as
// the API does.
type Config struct {
	// Resolvers gives the services, the registry's zone and clock, and the
	// picture renderer.
	Resolvers    *resolvers.Resolvers
	PictureLimit int
	// Authenticate tells who a token is (with the API's rate limits).
	Authenticate func(ctx context.Context, secret, client string) (access.Principal, error)
	// Audit records a request in the audit log (the API's hook): committed
	// before it returns when notes say health data was read, queued
	// otherwise. false means it could not be recorded, and then the answer
	// must not leave.
	Audit func(r *http.Request, p access.Principal, op, query, outcome string, notes *access.AuditNotes) bool
	// Pending is the audit entry a page's writes commit with them
	// (registry.PendingAudit), so that no write commits without its row.
	Pending func(r *http.Request, p access.Principal, op string) *registry.PendingAudit
	// Report writes a stored trace as the printable bilingual report.
	Report func(w io.Writer, t registry.Trace) error
	Log    *slog.Logger
	// SessionIdle and SessionMax end a session after this long unused, and
	// this long after sign-in whatever its use.
	SessionIdle, SessionMax time.Duration
	// AuditCheckpoints is the file of signed checkpoints the audit page's
	// verification compares the log with, as kedja audit verify does; ""
	// verifies the chain alone.
	AuditCheckpoints string
	// GraphQL answers one GraphQL request of an authenticated principal
	// exactly as the API does (limits, rules, audit): the explorer's
	// endpoint, which authenticates by session instead of token.
	GraphQL func(w http.ResponseWriter, r *http.Request, p access.Principal)
	// SDL is the schema as schema definition language, for download.
	SDL string
}

// Session lifetimes unless configured.
const (
	DefaultSessionIdle = 30 * time.Minute
	DefaultSessionMax  = 12 * time.Hour
)

// pageCSP is every page's policy: scripts, styles and pictures from kedja
// itself only, nothing inline, forms only back to kedja.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// Handler serves the pages.
type Handler struct {
	cfg   Config
	svc   registry.Services
	mux   *http.ServeMux
	pages map[string]*template.Template
}

// New returns the pages' handler.
func New(cfg Config) *Handler {
	if cfg.SessionIdle == 0 {
		cfg.SessionIdle = DefaultSessionIdle
	}
	if cfg.SessionMax == 0 {
		cfg.SessionMax = DefaultSessionMax
	}
	h := &Handler{cfg: cfg, svc: cfg.Resolvers.Services, mux: http.NewServeMux(), pages: parsePages()}
	static, _ := fs.Sub(staticFiles, "static")
	files := http.FileServerFS(static)
	h.mux.Handle("GET /static/", http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "private, max-age=3600")
		files.ServeHTTP(w, r)
	})))
	// Browsers ask for /favicon.ico on their own; the pages name theirs.
	h.mux.HandleFunc("GET /favicon.ico", http.NotFound)
	h.mux.HandleFunc("GET /signin", h.signinForm)
	h.mux.HandleFunc("POST /signin", h.signin)
	h.mux.Handle("POST /signout", h.page("signout", nil, h.signout))
	h.mux.Handle("GET /{$}", h.page("page home", nil, h.home))
	h.mux.Handle("GET /findings", h.page("page findings", access.PageRules["findings"], h.findings))
	h.mux.Handle("GET /findings/{id}", h.page("page finding", access.PageRules["finding"], h.finding))
	h.mux.Handle("GET /chain", h.page("page chain", access.PageRules["chain"], h.chain))
	h.mux.Handle("GET /chain/{file}", h.page("picture chain", access.PageRules["chain"], h.chainPicture))
	h.mux.Handle("GET /parties/{id}", h.page("page party", access.PageRules["party"], h.party))
	h.mux.Handle("GET /systems/{id}", h.page("page system", access.PageRules["system"], h.system))
	h.mux.Handle("GET /links/{id}", h.page("page link", access.PageRules["link"], h.link))
	h.mux.Handle("GET /links/{id}/edit", h.page("page link edit", access.PageRules["link.edit"], linkEditor.form(h)))
	h.mux.Handle("POST /links/{id}/edit", h.page("updateLink", access.PageRules["link.edit"], linkEditor.save(h)))
	h.mux.Handle("GET /parties/{id}/edit", h.page("page party edit", access.PageRules["party.edit"], partyEditor.form(h)))
	h.mux.Handle("POST /parties/{id}/edit", h.page("updateOrganisation", access.PageRules["party.edit"], partyEditor.save(h)))
	h.mux.Handle("GET /systems/{id}/edit", h.page("page system edit", access.PageRules["system.edit"], systemEditor.form(h)))
	h.mux.Handle("POST /systems/{id}/edit", h.page("updateSystem", access.PageRules["system.edit"], systemEditor.save(h)))
	h.mux.Handle("GET /dsr", h.page("page dsr", access.PageRules["dsr"], h.dsr))
	h.mux.Handle("POST /dsr", h.page("traceCall", access.PageRules["dsr.run"], h.traceCall))
	h.mux.Handle("GET /dsr/{id}", h.page("report html", access.PageRules["report"], h.report))
	h.mux.Handle("POST /findings/{id}/accept", h.page("acceptFinding", access.PageRules["finding.accept"], h.acceptFinding))
	h.mux.Handle("GET /responsibility", h.page("page responsibility", access.PageRules["responsibility"], h.responsibility))
	h.mux.Handle("GET /audit", h.page("page audit", access.PageRules["audit"], h.auditLog))
	h.mux.Handle("GET /explorer", h.page("page explorer", access.PageRules["explorer"], h.explorer))
	h.mux.HandleFunc("POST /explorer/graphql", h.explorerGraphQL)
	h.mux.Handle("GET /schema.graphql", h.page("schema sdl", access.PageRules["explorer"], h.schemaFile))
	h.mux.Handle("GET /records", h.page("page records", access.PageRules["records"], h.records))                       // web/records.go
	h.mux.Handle("GET /records/export/{file}", h.page("record download", access.PageRules["records"], h.recordExport)) // web/records.go
	h.mux.Handle("GET /imports", h.page("page imports", access.PageRules["imports"], h.imports))
	h.mux.Handle("POST /imports", limitUpload(h.page("importSubprocessorList", access.PageRules["imports.run"], h.upload)))
	h.mux.Handle("GET /imports/{id}", h.page("page import", access.PageRules["import"], h.importPage))
	h.mux.Handle("POST /imports/{id}/approve", h.page("approveImport", access.PageRules["imports.approve"], h.decide("approve")))
	h.mux.Handle("POST /imports/{id}/reject", h.page("rejectImport", access.PageRules["imports.reject"], h.decide("reject")))
	h.mux.Handle("/", h.page("page unknown", nil, func(*request) error { return errNotFound }))
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", pageCSP)
	h.mux.ServeHTTP(w, r)
}

// errNotFound answers 404: for a missing object, and alike for a page or
// object the role may not see, so that a refusal tells nothing.
var errNotFound = errors.New("web: not found")

// request is one page request by a signed-in principal.
type request struct {
	w     http.ResponseWriter
	r     *http.Request
	p     access.Principal
	sess  registry.Session
	lang  string
	op    string
	notes *access.AuditNotes
	// audited is set by a handler that recorded its own outcome.
	audited bool
	// pending is the audit entry the request's writes commit with them.
	pending *registry.PendingAudit
	// unrecorded is set when the audit log could not take the request's
	// row: then its answer is withheld.
	unrecorded bool
}

// audit records the request's outcome, once.
func (h *Handler) audit(q *request, outcome string) {
	q.audited = true
	if outcome == "ok" && q.pending != nil && q.pending.Covers(q.notes.AffectedList()) {
		// Its writes' rows, committed with them, already say it all.
		return
	}
	if !h.cfg.Audit(q.r, q.p, q.op, "", outcome, q.notes) {
		q.unrecorded = true
	}
}

// heldResponse keeps a page's answer until its audit row is recorded: an
// answer holding health data must not leave before the log has it.
type heldResponse struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *heldResponse) WriteHeader(status int) { w.status = status }
func (w *heldResponse) Write(b []byte) (int, error) {
	return w.body.Write(b)
}

// release sends the held answer, or, if the audit log could not record it,
// a bare 500 in its place.
func (w *heldResponse) release(recorded bool) {
	if !recorded {
		h := w.ResponseWriter.Header()
		for _, k := range []string{"Location", "Content-Disposition", "Content-Type"} {
			h.Del(k)
		}
		http.Error(w.ResponseWriter, "internal error", http.StatusInternalServerError)
		return
	}
	w.ResponseWriter.WriteHeader(w.status)
	w.ResponseWriter.Write(w.body.Bytes()) //nolint:errcheck // the client went away
}

func (q *request) ctx() context.Context { return q.r.Context() }

// page wraps a handler, audited as op: it finds the session (or sends the browser to sign
// in), lets only roles on, checks the form token of a POST, and audits the
// outcome. A nil roles means every signed-in role.
func (h *Handler) page(op string, roles []string, fn func(*request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := &request{w: w, r: r, op: op, lang: h.language(w, r), notes: &access.AuditNotes{}}
		sess, ok, err := h.session(r)
		if err != nil {
			h.cfg.Log.Error("web: session", "err", err)
			h.fail(q, err)
			return
		}
		if !ok {
			q.p = access.Principal{Name: "anonymous"}
			h.cfg.Audit(r, q.p, q.op, "", "UNAUTHENTICATED", nil)
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/signin", http.StatusSeeOther)
				return
			}
			http.Error(w, "sign in first", http.StatusForbidden)
			return
		}
		q.sess, q.p = sess, access.Principal{Name: sess.Name, Role: sess.Role, TokenID: sess.TokenID}
		if roles != nil && !q.p.May(roles) {
			h.fail(q, errNotFound)
			return
		}
		if r.Method == http.MethodPost && !h.formTokenOK(r, sess.CSRF) {
			h.cfg.Audit(r, q.p, q.op, "", "CSRF", nil)
			http.Error(w, "the form has expired; reload the page and try again", http.StatusForbidden)
			return
		}
		held := &heldResponse{ResponseWriter: w, status: http.StatusOK}
		q.w = held
		q.pending = h.cfg.Pending(r, q.p, q.op)
		ctx := registry.WithPendingAudit(h.cfg.Resolvers.WithPrincipal(r.Context(), q.p), q.pending)
		q.r = r.WithContext(ctx)
		if err := fn(q); err != nil {
			h.fail(q, err)
		} else if !q.audited {
			h.audit(q, "ok")
		}
		held.release(!q.unrecorded)
	})
}

// fail answers an error: 404 for what is missing or not the role's to see,
// 400 for bad input in a URL, 503 while the database is unreachable, and 500 (logged, never shown) for anything
// else; and audits it.
func (h *Handler) fail(q *request, err error) {
	status, outcome := http.StatusInternalServerError, "INTERNAL"
	switch {
	case errors.Is(err, errNotFound) || registry.ErrorCode(err) == registry.ENotFound:
		status, outcome = http.StatusNotFound, "NOT_FOUND"
	case registry.ErrorCode(err) == registry.EInvalid:
		status, outcome = http.StatusBadRequest, "INVALID_INPUT"
	case registry.ErrorCode(err) == registry.EUnavailable:
		// The database is away: say so, and when to try again.
		status, outcome = http.StatusServiceUnavailable, "UNAVAILABLE"
		h.cfg.Log.Warn("web: "+q.op, "err", err)
		q.w.Header().Set("Retry-After", "5")
	default:
		h.cfg.Log.Error("web: "+q.op, "err", err)
	}
	h.audit(q, outcome)
	msg := map[int]string{http.StatusNotFound: "notFound", http.StatusBadRequest: "badRequest",
		http.StatusServiceUnavailable: "unavailable"}[status]
	if msg == "" {
		msg = "internal"
	}
	detail := ""
	if status == http.StatusBadRequest {
		detail = err.Error()
	}
	h.render(q, status, "error", map[string]string{"Message": msg, "Detail": detail})
}

// view is what every page template is given.
type view struct {
	*request
	h     *Handler
	Title string
	Data  any
}

// render writes page name, rendered whole before anything is sent so that a
// failure half-way shows no half page.
func (h *Handler) render(q *request, status int, name string, data any) {
	var buf bytes.Buffer
	v := view{request: q, h: h, Data: data}
	if err := h.pages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		h.cfg.Log.Error("web: render "+name, "err", err)
		http.Error(q.w, "internal error", http.StatusInternalServerError)
		return
	}
	q.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	q.w.WriteHeader(status)
	q.w.Write(buf.Bytes())
}

// The pages in the menu, each shown only to the roles that may open it.
var menu = []struct{ Path, Key, Rule string }{
	{"/", "home", "home"}, {"/findings", "findings", "findings"}, {"/chain", "chain", "chain"}, {"/dsr", "dsr", "dsr"},
	{"/audit", "auditLog", "audit"},
	{"/explorer", "explorer", "explorer"},
	{"/records", "records", "records"},
	{"/imports", "imports", "imports"},
}

type menuItem struct {
	Path, Key string
	Current   bool
}

// Menu lists the pages the principal may open.
func (v view) Menu() []menuItem {
	var out []menuItem
	for _, m := range menu {
		if v.p.May(access.PageRules[m.Rule]) {
			cur := v.r.URL.Path == m.Path || (m.Path != "/" && strings.HasPrefix(v.r.URL.Path, m.Path+"/"))
			out = append(out, menuItem{m.Path, m.Key, cur})
		}
	}
	return out
}

// User is who is signed in.
func (v view) User() access.Principal { return v.p }

// CSRF is the form token of the session.
func (v view) CSRF() string { return v.sess.CSRF }

// Lang is the page's language, "sv" or "en".
func (v view) Lang() string { return v.lang }

// May says whether the principal may use the page or action named.
func (v view) May(rule string) bool { return v.p.May(access.PageRules[rule]) }

// T words key in the page's language.
func (v view) T(key string) string { return word(v.lang, key) }

// LangURL is this page in the other language.
func (v view) LangURL(lang string) string {
	u := *v.r.URL
	qs := u.Query()
	qs.Set("lang", lang)
	u.RawQuery = qs.Encode()
	return u.RequestURI()
}

// When words an instant in the registry's zone.
func (v view) When(t any) string {
	switch t := t.(type) {
	case time.Time:
		return t.In(v.h.cfg.Resolvers.Location).Format("2006-01-02 15:04")
	case *time.Time:
		if t == nil {
			return "–"
		}
		return t.In(v.h.cfg.Resolvers.Location).Format("2006-01-02 15:04")
	}
	return ""
}

// Day words a legal date.
func (v view) Day(t any) string {
	switch t := t.(type) {
	case time.Time:
		return t.Format("2006-01-02")
	case *time.Time:
		if t == nil {
			return "–"
		}
		return t.Format("2006-01-02")
	}
	return ""
}

// pair hands a shared template the page's view (A) and its rows (B).
type pair struct {
	A view
	B any
}

func parsePages() map[string]*template.Template {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	funcs := template.FuncMap{
		"join": strings.Join,
		"list": func(s ...string) []string { return s },
		"pair": func(a view, b any) pair { return pair{a, b} },
		"yesno": func(b *bool) string {
			switch {
			case b == nil:
				return "unknown"
			case *b:
				return "yes"
			}
			return "no"
		},
		"deref": func(s *string) string {
			if s == nil {
				return ""
			}
			return *s
		},
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" || strings.HasPrefix(name, "parts") {
			continue
		}
		out[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/parts*.html", n))
	}
	return out
}
