package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"strings"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/registry"
)

// The cookies. The session and sign-in cookies are HttpOnly (no script reads
// them), Secure (browsers treat http://127.0.0.1 and localhost as secure)
// and SameSite=Strict (no other site's page sends them, the first defence
// against forged requests; the form token is the second).
const (
	sessionCookie = "kedja_session"
	signinCookie  = "kedja_signin"
	langCookie    = "kedja_lang"
)

func (h *Handler) session(r *http.Request) (registry.Session, bool, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return registry.Session{}, false, nil
	}
	return h.svc.Sessions.Session(r.Context(), c.Value)
}

// formTokenOK says whether a POST carries the expected form token, compared
// in constant time.
func (h *Handler) formTokenOK(r *http.Request, want string) bool {
	got := r.PostFormValue("csrf")
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// language is the page's language: ?lang= (kept in a cookie for the pages
// after), else the cookie, else the browser's first choice of Swedish or
// English, else Swedish.
func (h *Handler) language(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "sv" || l == "en" {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "sv" || c.Value == "en") {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case tag == "sv" || strings.HasPrefix(tag, "sv-"):
			return "sv"
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			return "en"
		}
	}
	return "sv"
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type signinView struct {
	Token  string // the form token (not the API token: that is never echoed)
	Error  string
	Status int
}

// signinForm shows the sign-in form. Before a session exists the form token
// is a random value in a cookie of its own, which the POST must repeat
// (double submit): another site can neither read the cookie nor send it.
func (h *Handler) signinForm(w http.ResponseWriter, r *http.Request) {
	q := &request{w: w, r: r, lang: h.language(w, r), op: "page signin"}
	h.showSignin(q, http.StatusOK, "")
}

func (h *Handler) showSignin(q *request, status int, msg string) {
	// A form already open in another tab keeps working: the cookie is
	// reused while it lasts.
	tok := randomToken()
	if c, err := q.r.Cookie(signinCookie); err == nil && len(c.Value) == len(tok) && status == http.StatusOK {
		tok = c.Value
	}
	http.SetCookie(q.w, &http.Cookie{Name: signinCookie, Value: tok, Path: "/signin", MaxAge: 3600,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	h.render(q, status, "signin", signinView{Token: tok, Error: msg})
}

// signin exchanges an API token for a session. The token travels only in
// the POST body; it is never put in a URL, a cookie or a log.
func (h *Handler) signin(w http.ResponseWriter, r *http.Request) {
	q := &request{w: w, r: r, lang: h.language(w, r), op: "signin", p: access.Principal{Name: "anonymous"}}
	c, err := r.Cookie(signinCookie)
	if err != nil || c.Value == "" || !h.formTokenOK(r, c.Value) {
		h.cfg.Audit(r, q.p, q.op, "", "CSRF", nil)
		h.showSignin(q, http.StatusForbidden, "formExpired")
		return
	}
	secret := strings.TrimSpace(r.PostFormValue("token"))
	p, err := h.cfg.Authenticate(r.Context(), secret, clientIP(r))
	if err != nil {
		status, code, msg := http.StatusUnauthorized, "UNAUTHENTICATED", "badToken"
		switch {
		case errors.Is(err, access.ErrNoToken):
			msg = "noToken"
		case errors.Is(err, access.ErrTooManyFailures), errors.Is(err, access.ErrTooManyRequests):
			status, code, msg = http.StatusTooManyRequests, "RATE_LIMITED", "slowDown"
		case errors.Is(err, access.ErrUnknownToken):
		default:
			h.cfg.Log.Error("web: sign in", "err", err)
			status, code, msg = http.StatusInternalServerError, "INTERNAL", "internal"
		}
		h.cfg.Audit(r, p, q.op, "", code, nil)
		h.showSignin(q, status, msg)
		return
	}
	sess, id, err := h.svc.Sessions.CreateSession(r.Context(), secret, h.cfg.SessionIdle, h.cfg.SessionMax)
	if err != nil {
		// The token ended between the two looks.
		code := "UNAUTHENTICATED"
		if registry.ErrorCode(err) != registry.ENotFound {
			h.cfg.Log.Error("web: create session", "err", err)
			code = "INTERNAL"
		}
		h.cfg.Audit(r, p, q.op, "", code, nil)
		h.showSignin(q, http.StatusUnauthorized, "badToken")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	http.SetCookie(w, &http.Cookie{Name: signinCookie, Value: "", Path: "/signin", MaxAge: -1,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	h.cfg.Audit(r, p, q.op, "", "ok", nil)
	http.Redirect(w, r, startPage(p), http.StatusSeeOther)
}

// startPage is where a role starts: an access-request handler at the form,
// everyone else at home.
func startPage(p access.Principal) string {
	if p.May(access.PageRules["home"]) {
		return "/"
	}
	return "/dsr"
}

// signout ends the session: its row is deleted, so the cookie is worth
// nothing even if a copy survives.
func (h *Handler) signout(q *request) error {
	c, err := q.r.Cookie(sessionCookie)
	if err == nil {
		if err := h.svc.Sessions.EndSession(q.ctx(), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(q.w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	http.Redirect(q.w, q.r, "/signin", http.StatusSeeOther)
	return nil
}
