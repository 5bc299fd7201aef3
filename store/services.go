package store

import (
	"context"

	"github.com/kedja/kedja/registry"
)

// The store implements every service the registry declares.
var (
	_ registry.OrganisationService = (*Store)(nil)
	_ registry.SystemService       = (*Store)(nil)
	_ registry.LinkService         = (*Store)(nil)
	_ registry.AttestationService  = (*Store)(nil)
	_ registry.CountryService      = (*Store)(nil)
	_ registry.PolicyService       = (*Store)(nil)
	_ registry.BasisService        = (*Store)(nil)
	_ registry.PostureService      = (*Store)(nil)
	_ registry.HistoryService      = (*Store)(nil)
	_ registry.ChainService        = (*Store)(nil)
	_ registry.TraceService        = (*Store)(nil)
	_ registry.CheckService        = (*Store)(nil)
	_ registry.FindingService      = (*Store)(nil)
	_ registry.TokenService        = (*Store)(nil)
	_ registry.AuditService        = (*Store)(nil)
	_ registry.SessionService      = (*Store)(nil)
	_ registry.IncidentService     = (*Store)(nil)
)

// Services returns every service, each implemented by s.
func (s *Store) Services() registry.Services {
	return registry.Services{
		Organisations: s, Systems: s, Links: s, Attestations: s, Countries: s, Policies: s, Basis: s, Posture: s, History: s,
		Chains: s, Traces: s, Checks: s, Findings: s, Tokens: s, Audit: s, Sessions: s, Incidents: s,
		Imports: s,
		Ping:    func(ctx context.Context) error { return s.db.PingContext(ctx) },
	}
}
