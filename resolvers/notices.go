package resolvers

import (
	"context"
	"time"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
)

// noticeLoaders batch agreements' notice periods, change notices, their
// responses and windows, and where a chain's controller stands on its
// steps (issue 17).
type noticeLoaders struct {
	periods   *loader[relKey, []registry.NoticePeriod]
	notices   *loader[relKey, []registry.ChangeNotice]
	responses *loader[int64, []registry.NoticeResponse]
	windows   *loader[int64, []registry.NoticeWindow]
	notice    *loader[int64, registry.ChangeNotice]
	status    *loader[statusKey, registry.NoticeStatus]
}

// statusKey asks where a controller stands on a link depth links below it
// at an instant.
type statusKey struct {
	Controller, Link int64
	Depth            int
	At               time.Time
}

func newNoticeLoaders(s registry.Services) *noticeLoaders {
	return &noticeLoaders{
		periods:   relationLoader(s.Basis.NoticePeriodsByLink),
		notices:   relationLoader(s.Basis.NoticesByLink),
		responses: newLoader(s.Basis.ResponsesByNotice),
		windows:   newLoader(s.Basis.WindowsByNotice),
		notice:    newLoader(s.Basis.ChangeNotices),
		// One statement per controller and instant: a chain's steps share
		// both.
		status: newLoader(func(ctx context.Context, keys []statusKey) (map[statusKey]registry.NoticeStatus, error) {
			type group struct {
				controller int64
				at         time.Time
			}
			byGroup := map[group][]registry.Placement{}
			for _, k := range keys {
				g := group{k.Controller, k.At}
				byGroup[g] = append(byGroup[g], registry.Placement{LinkID: k.Link, ControllerID: k.Controller, Depth: k.Depth})
			}
			out := map[statusKey]registry.NoticeStatus{}
			for g, pl := range byGroup {
				got, err := s.Basis.NoticeStatuses(ctx, g.controller, pl, g.at)
				if err != nil {
					return nil, err
				}
				for _, p := range pl {
					if st, ok := got[p.LinkID]; ok {
						out[statusKey{g.controller, p.LinkID, p.Depth, g.at}] = st
					}
				}
			}
			return out, nil
		}),
	}
}

// Loaders of notice periods and change notices, for the schema.
func NoticePeriods(l *loaders) *loader[relKey, []registry.NoticePeriod] { return l.notice.periods }
func ChangeNotices(l *loaders) *loader[relKey, []registry.ChangeNotice] { return l.notice.notices }
func Notices(l *loaders) *loader[int64, registry.ChangeNotice]          { return l.notice.notice }

// NoticeResponses and NoticeWindows resolve a notice's responses and
// objection windows.
func NoticeResponses(r *Resolvers, notice func(any) int64) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		th := loadersOf(p.Context).notice.responses.load(p.Context, notice(p.Source))
		return func() (any, error) {
			v, _, err := th()
			if v == nil {
				v = []registry.NoticeResponse{}
			}
			return v, err
		}, nil
	})
}

// NoticeWindows resolves a notice's objection windows, one per controller.
func NoticeWindows(r *Resolvers, notice func(any) int64) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		th := loadersOf(p.Context).notice.windows.load(p.Context, notice(p.Source))
		return func() (any, error) {
			v, _, err := th()
			if v == nil {
				v = []registry.NoticeWindow{}
			}
			return v, err
		}, nil
	})
}

// StepNotice resolves where a chain's controller (the first party of the
// step's path) stands, at the chain's instant, on the party the step's link
// engages; null where no general authorisation governs it.
func (r *Resolvers) StepNotice() graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		s := p.Source.(ChainStep)
		if len(s.Path) == 0 || s.Cycle {
			return nil, nil
		}
		th := loadersOf(p.Context).notice.status.load(p.Context, statusKey{s.Path[0], s.LinkID, s.Depth, s.At.UTC()})
		return func() (any, error) {
			v, ok, err := th()
			if err != nil || !ok || v.Kind != "general" {
				return nil, err
			}
			return v, nil
		}, nil
	})
}

// NoticeSvc is the service of change notices.
var NoticeSvc Service[registry.NoticeService] = func(s registry.Services) registry.NoticeService { return s.Basis }

// DecodeNoticePeriod maps a NoticePeriodInput.
func DecodeNoticePeriod(in *input, p *registry.NoticePeriod) {
	in.id("linkId", &p.LinkID)
	var days *int32
	in.optInt32("days", &days)
	if days != nil {
		p.Days = int(*days)
	}
	in.optStr("clause", &p.Clause)
	in.optStr("note", &p.Note)
	in.instant("validFrom", &p.From)
	in.optInstant("validTo", &p.To)
}

// DecodeChangeNotice maps a ChangeNoticeInput.
func DecodeChangeNotice(in *input, n *registry.ChangeNotice) {
	in.id("linkId", &n.LinkID)
	in.str("kind", &n.Kind)
	in.optID("replacesLinkId", &n.ReplacesLinkID)
	in.instant("sentAt", &n.SentAt)
	in.instant("effectiveAt", &n.EffectiveAt)
	in.optStr("reference", &n.Reference)
	in.optStr("note", &n.Note)
}

// DecodeNoticeResponse maps a NoticeResponseInput.
func DecodeNoticeResponse(in *input, r *registry.NoticeResponse) {
	in.id("noticeId", &r.NoticeID)
	in.id("controllerId", &r.ControllerID)
	in.str("response", &r.Response)
	in.optStr("reason", &r.Reason)
	in.instant("respondedAt", &r.RespondedAt)
	in.optStr("reference", &r.Reference)
}

// Record resolves record(controller, at) and processorRecord(processor,
// at): the Art. 30 record generated from the chain.
func (r *Resolvers) Record(kind string) graphql.FieldResolveFn {
	return r.resolve(func(p graphql.ResolveParams) (any, error) {
		arg := "controller"
		if kind == "processor" {
			arg = "processor"
		}
		id, err := idArg(p, arg)
		if err != nil {
			return nil, err
		}
		at, err := r.requiredAt(p, "at")
		if err != nil {
			return nil, err
		}
		if kind == "processor" {
			return r.Services.Basis.ProcessorRecord(p.Context, id, at)
		}
		return r.Services.Basis.ControllerRecord(p.Context, id, at)
	})
}
