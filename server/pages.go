package server

import (
	"io"
	"net/http"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/schema"
	"github.com/kedja/kedja/web"
)

// pages is the web pages' handler, given the server's own authentication,
// audit hook and report template, so that a page and the API answer alike.
func (s *Server) pages() http.Handler {
	return web.New(web.Config{
		Resolvers: s.res, PictureLimit: s.cfg.PictureLimit, Authenticate: s.auth.Authenticate, Audit: s.audit, Log: s.log,
		Pending: func(r *http.Request, p access.Principal, op string) *registry.PendingAudit {
			p.Client = clientIP(r)
			return access.Pending(p, op, "")
		},
		AuditCheckpoints: s.cfg.AuditCheckpoints,
		Report: func(w io.Writer, t registry.Trace) error {
			return reportPage.Execute(w, newReportView(t, s.res.Location))
		},
		GraphQL: s.serveGraphQL, SDL: schema.SDL(s.schema),
	})
}
