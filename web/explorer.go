package web

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"

	"github.com/kedja/kedja/access"
)

// The API explorer for integrators: a page to write and run GraphQL queries
// with the session's role, and the schema for download. Both are for the
// roles that may introspect the API (access.PageRules["explorer"]): the SDL
// describes no data, but a role the API tells nothing of its schema (dsr)
// learns it from no page either. Signing in is needed for both, as for
// every page.

// explorerCSP is the page policy plus fetching from kedja itself, which the
// explorer's script does (its queries and the schema); no other page needs it.
const explorerCSP = pageCSP + "; connect-src 'self'"

// csrfHeader carries the session's form token on the explorer's requests:
// a script of kedja's own page can read it from the page and set it; a
// form or script of another site can do neither.
const csrfHeader = "X-Kedja-CSRF"

// defaultQuery is what the explorer opens with: a query every role that
// may open it can run.
const defaultQuery = `query Organisations($first: Int) {
  organisations(first: $first) {
    nodes { id legalName country { code name } }
    pageInfo { hasNextPage endCursor }
  }
}`

type explorerView struct {
	Query, Variables string
}

func (h *Handler) explorer(q *request) error {
	q.w.Header().Set("Content-Security-Policy", explorerCSP)
	h.render(q, http.StatusOK, "explorer", explorerView{Query: defaultQuery, Variables: `{"first": 5}`})
	return nil
}

// schemaFile is the committed SDL (what `kedja schema` prints), as a file
// to save.
func (h *Handler) schemaFile(q *request) error {
	q.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	q.w.Header().Set("Content-Disposition", `attachment; filename="kedja.graphql"`)
	q.w.Write([]byte(h.cfg.SDL))
	return nil
}

// explorerGraphQL runs the explorer's queries: the session stands in for
// the bearer token, and the form token in a header for what a bearer token
// gives for free (no other site can send it). Past those checks the API's
// own handler (Config.GraphQL) answers, with its limits, rules and audit.
// Refusals answer as the API does, in JSON, and are audited here.
func (h *Handler) explorerGraphQL(w http.ResponseWriter, r *http.Request) {
	const op = "explorer graphql"
	refuse := func(p access.Principal, status int, code, msg string) {
		h.cfg.Audit(r, p, op, "", code, nil)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{ //nolint:errcheck // the client went away
			"message": msg, "extensions": map[string]any{"code": code}}}})
	}
	sess, ok, err := h.session(r)
	if err != nil {
		h.cfg.Log.Error("web: session", "err", err)
		refuse(access.Principal{Name: "anonymous"}, http.StatusInternalServerError, "INTERNAL", "internal error")
		return
	}
	if !ok {
		refuse(access.Principal{Name: "anonymous"}, http.StatusUnauthorized, "UNAUTHENTICATED", "sign in first")
		return
	}
	p := access.Principal{Name: sess.Name, Role: sess.Role, TokenID: sess.TokenID}
	if !p.May(access.PageRules["explorer"]) {
		// As for a page the role may not open: nothing is here.
		refuse(p, http.StatusNotFound, "NOT_FOUND", "not found")
		return
	}
	got := r.Header.Get(csrfHeader)
	if sess.CSRF == "" || subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) != 1 {
		refuse(p, http.StatusForbidden, "CSRF", "the page has expired; reload it and try again")
		return
	}
	h.cfg.GraphQL(w, r, p)
}
