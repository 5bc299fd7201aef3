package resolvers

import (
	"encoding/base64"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/registry"
)

// TraceCall resolves traceCall(region, at, caseRef): it works out who held
// the call and records the trace for the case file.
func (r *Resolvers) TraceCall() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		region, err := idArg(p, "region")
		if err != nil {
			return nil, err
		}
		// A time without an offset is read on the calling region's clocks.
		at, wall, err := callAt(p, "at")
		if err != nil {
			return nil, err
		}
		caseRef, _ := p.Args["caseRef"].(string)
		t, err := access.Traces(p.Context, r.Services.Traces).TraceCall(p.Context, actor(p.Context), region, at, caseRef,
			registry.TraceOptions{MaxDepth: maxChainDepth, WallClock: wall})
		if err != nil {
			return nil, err
		}
		access.Note(p.Context, "trace:"+t.ID, t.CaseRef)
		return r.zoned(t), nil
	})
}

// zoned is a trace as the API gives it: every instant in it on the calling
// region's clocks (the registry's zone only when the region has none), so
// that a London caller's 19:30 call reads 19:30+01:00 whatever zone the
// server runs in.
func (r *Resolvers) zoned(t registry.Trace) registry.Trace {
	return t.In(t.Zone(r.Location))
}

// Trace resolves trace(id): for a dsr user only a trace its token made
// (access.Traces).
func (r *Resolvers) Trace() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		id, _ := p.Args["id"].(string)
		t, err := access.Traces(p.Context, r.Services.Traces).Trace(p.Context, id)
		if err != nil {
			return nil, err
		}
		access.Note(p.Context, "trace:"+t.ID, t.CaseRef)
		return r.zoned(t), nil
	})
}

// Traces resolves traces(caseRef, first, after): a page of the case's
// traces, newest first; for a dsr user only those its token made.
func (r *Resolvers) Traces() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		ref, _ := p.Args["caseRef"].(string)
		access.Note(p.Context, "", ref)
		pg, err := tracePage(p)
		if err != nil {
			return nil, err
		}
		page, err := access.Traces(p.Context, r.Services.Traces).TracesByCase(p.Context, ref, pg)
		if err != nil {
			return nil, err
		}
		for i, t := range page.Traces {
			page.Traces[i] = r.zoned(t)
		}
		c := Connection{Nodes: page.Traces, HasNextPage: page.More}
		if page.End != nil {
			s := encodeTraceCursor(*page.End)
			c.EndCursor = &s
		}
		return c, nil
	})
}

// ReportURL resolves CallTrace.reportUrl: the printable report's address,
// signed for the asking token so that a browser opens it without one for
// access.LinkTTL.
func (r *Resolvers) ReportURL() graphql.FieldResolveFn {
	return func(p graphql.ResolveParams) (any, error) {
		t, _ := p.Source.(registry.Trace)
		path := "/traces/" + t.ID + ".html"
		if r.ReportLinks == nil {
			return path, nil
		}
		pr, _ := access.PrincipalOf(p.Context)
		return r.ReportLinks.Sign(path, pr.TokenID), nil
	}
}

// Traces are listed by creation time and id, not by a numeric id: their
// cursor is "trace:" + microseconds since 1970 (PostgreSQL's precision) +
// ":" + the trace's id, base64url-encoded like the others.
const traceCursorPrefix = "trace:"

var traceID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func encodeTraceCursor(c registry.TraceCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(traceCursorPrefix + strconv.FormatInt(c.CreatedAt.UnixMicro(), 10) + ":" + c.ID))
}

// tracePage reads the first/after arguments of traces.
func tracePage(p graphql.ResolveParams) (registry.TracePage, error) {
	var pg registry.TracePage
	var err error
	if pg.First, err = pageSize(p); err != nil {
		return pg, err
	}
	c, ok := p.Args["after"].(string)
	if !ok || c == "" {
		return pg, nil
	}
	bad := registry.Invalid("after", "not a cursor from this list")
	b, err := base64.RawURLEncoding.DecodeString(c)
	rest, found := strings.CutPrefix(string(b), traceCursorPrefix)
	if err != nil || !found {
		return pg, bad
	}
	micros, id, found := strings.Cut(rest, ":")
	us, err := strconv.ParseInt(micros, 10, 64)
	if !found || err != nil || !traceID.MatchString(id) {
		return pg, bad
	}
	pg.After = &registry.TraceCursor{CreatedAt: time.UnixMicro(us), ID: id}
	return pg, nil
}

// TraceZone is the IANA name of the zone a trace's instants are given in
// (CallTrace.timeZone): its region's, the registry's as the fallback.
func (r *Resolvers) TraceZone(t registry.Trace) string {
	return t.Zone(r.Location).String()
}
