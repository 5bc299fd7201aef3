package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/graph"
	"github.com/kedja/kedja/graph/render"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

// picture serves the chain, responsibility and trace pictures:
//
//	GET /graph/chain/{controller}.{svg,png,dot}?at=INSTANT
//	GET /graph/responsibility/{organisation|system}/{id}.{svg,png,dot}?at=INSTANT
//	GET /graph/trace/{id}.{svg,png,dot}
//
// under the same rules as the matching queries, cached by content.
func (s *Server) picture(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	rest := r.PathValue("rest")
	// Each picture has the rule of the query it draws.
	allowed, known := map[string][]string{"chain": access.RootRules["Query.chain"],
		"responsibility": access.RootRules["Query.responsibility"], "trace": access.RootRules["Query.trace"]}[kind]
	if !known {
		if _, ok := s.authenticate(w, r); ok {
			http.NotFound(w, r)
		}
		return
	}
	p, ok := s.authorize(w, r, allowed)
	if !ok {
		return
	}
	name, format, _ := strings.Cut(rest[strings.LastIndex(rest, "/")+1:], ".")
	if _, ok := render.Formats[format]; !ok {
		http.NotFound(w, r)
		return
	}
	at := s.res.Now()
	if v := r.URL.Query().Get("at"); v != "" {
		t, err := registry.ParseInstant("at", v, s.res.Location)
		if err != nil {
			s.refuse(w, r, p, http.StatusBadRequest, "INVALID_INPUT", err.Error())
			return
		}
		at = t
	}
	src := resolvers.PictureSource{Services: s.res.Services, Location: s.res.Location, Limit: s.cfg.PictureLimit, Now: s.res.Now}
	notes := &access.AuditNotes{}
	var pic graph.Picture
	var err error
	switch kind {
	case "chain":
		var id int64
		if id, err = strconv.ParseInt(name, 10, 64); err == nil {
			pic, err = src.Chain(r.Context(), id, at)
		}
	case "responsibility":
		subject, _, _ := strings.Cut(rest, "/")
		var id int64
		if id, err = strconv.ParseInt(name, 10, 64); err == nil {
			switch subject {
			case "organisation":
				pic, err = src.Responsibility(r.Context(), id, 0, at)
			case "system":
				pic, err = src.Responsibility(r.Context(), 0, id, at)
			default:
				err = registry.NotFound("", "no such picture")
			}
		}
	case "trace":
		pic, err = src.Trace(access.WithPrincipal(r.Context(), p), name)
		notes.Affected = []string{"trace:" + name}
	}
	if err != nil {
		if _, numErr := err.(*strconv.NumError); numErr || registry.ErrorCode(err) == registry.ENotFound {
			http.NotFound(w, r)
			s.audit(r, p, "picture "+kind, "", "NOT_FOUND", notes)
			return
		}
		s.log.Error("picture", "kind", kind, "err", err)
		s.refuse(w, r, p, http.StatusInternalServerError, "INTERNAL", "internal error")
		return
	}
	dot := pic.DOT()
	etag := `"` + render.Key(dot, format) + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		s.audit(r, p, "picture "+kind, "", "ok", notes)
		return
	}
	b, err := s.res.Render(r.Context(), dot, format)
	switch {
	case err == nil:
	case r.Context().Err() != nil:
		// The caller went away; its render was stopped. Nobody reads an
		// answer, but the audit log says what happened.
		s.audit(r, p, "picture "+kind, "", "CANCELLED", notes)
		return
	case render.Retryable(err):
		// A worker that crashed or ran out of time cost this picture
		// only; it has been logged (by the pool) and replaced.
		w.Header().Set("Retry-After", "5")
		reject(w, http.StatusServiceUnavailable, string(registry.ErrorCode(err)), err.Error())
		s.audit(r, p, "picture "+kind, "", string(registry.ErrorCode(err)), notes)
		return
	case registry.ErrorCode(err) == render.ECodeTooLarge:
		reject(w, http.StatusUnprocessableEntity, string(render.ECodeTooLarge), err.Error())
		s.audit(r, p, "picture "+kind, "", string(render.ECodeTooLarge), notes)
		return
	default:
		s.log.Error("picture: render", "kind", kind, "err", err)
		s.refuse(w, r, p, http.StatusInternalServerError, "INTERNAL", "internal error")
		return
	}
	// Recorded before the picture leaves (a trace's, committed).
	if !s.audit(r, p, "picture "+kind, "", "ok", notes) {
		s.unrecorded(w)
		return
	}
	// SVG is XML that a browser could run scripts from; it is served under
	// a policy that allows none, and never sniffed as anything else.
	w.Header().Set("Content-Type", render.Formats[format])
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	w.Header().Set("Cache-Control", "private, no-cache")
	w.Write(b)
}
