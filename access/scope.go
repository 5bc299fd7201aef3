package access

import (
	"context"
	"time"

	"github.com/kedja/kedja/registry"
)

// Traces returns svc as the principal of ctx may use it: roles that read
// every trace (ReadsAllTraces) see them all; any other sees only the traces
// its own token made, and another's trace answers exactly as one that does
// not exist (NOT_FOUND), so that neither ids nor case references can be
// probed. Without a principal it sees none. Traces it makes are kept as the
// principal's token's. The API, the report pages and the pictures all read
// traces through it: the rule is here once.
func Traces(ctx context.Context, svc registry.TraceService) registry.TraceService {
	p, ok := PrincipalOf(ctx)
	switch {
	case ok && ReadsAllTraces(p.Role):
		return scopedTraces{svc: svc, all: true, maker: p.TokenID, role: p.Role}
	case ok && p.TokenID > 0:
		return scopedTraces{svc: svc, maker: p.TokenID, role: p.Role}
	}
	// No token to own anything: -1 matches no trace (0 is an unowned one's).
	return scopedTraces{svc: svc, maker: -1}
}

type scopedTraces struct {
	svc   registry.TraceService
	all   bool
	maker int64
	role  string
}

func (s scopedTraces) TraceCall(ctx context.Context, actor string, region int64, callAt time.Time, caseRef string, opts registry.TraceOptions) (registry.Trace, error) {
	opts.MadeBy, opts.MakerRole = max(s.maker, 0), s.role
	return s.svc.TraceCall(ctx, actor, region, callAt, caseRef, opts)
}

func (s scopedTraces) Trace(ctx context.Context, id string) (registry.Trace, error) {
	t, err := s.svc.Trace(ctx, id)
	if err == nil && !s.all && t.MadeBy != s.maker {
		// The store's own words for a missing trace.
		return registry.Trace{}, registry.NotFound("id", "no trace with that id")
	}
	return t, err
}

// TracesMadeBy lists a token's traces: any token's for roles that read
// every trace, otherwise only the principal's own (another token's list is
// empty, as for a token that made none).
func (s scopedTraces) TracesMadeBy(ctx context.Context, tokenID int64, p registry.TracePage) (registry.TracesPage, error) {
	if !s.all && tokenID != s.maker {
		return registry.TracesPage{}, nil
	}
	return s.svc.TracesMadeBy(ctx, tokenID, p)
}

func (s scopedTraces) TracesByCase(ctx context.Context, caseRef string, p registry.TracePage) (registry.TracesPage, error) {
	if !s.all {
		maker := s.maker
		p.MadeBy = &maker
	}
	return s.svc.TracesByCase(ctx, caseRef, p)
}
