package registry

import (
	"context"
	"time"
)

// Art. 28(2) change notices (issue 17). Under a controller's general
// authorisation a processor engages or replaces a sub-processor only after
// telling the controller, who may object within the notice period of their
// agreement. Which authorisation governs a link, each notice's objection
// deadline and where a controller stands are rules that live in the
// database (migrations/0029_change_notices.sql: kedja_authorisation_kind,
// kedja_objection_deadline, kedja_notice_status); the types here carry
// their answers.

// NoticeKinds are what a change notice announces: a new sub-processor, or
// one replacing another.
var NoticeKinds = []string{"new", "replacement"}

// NoticeResponses are a controller's answers to a notice. Silence is no
// response at all.
var NoticeResponses = []string{"no_objection", "objection"}

// NoticeStates are where a controller stands on the party engaged on a link
// under its general authorisation (kedja_notice_status): an open objection,
// no notice given, the objection window still open, no objection, the
// window closed in silence, or no notice period recorded to say when it
// closes.
var NoticeStates = []string{"objected", "no_notice", "window_open", "no_objection", "silent", "deadline_unknown"}

// MaxNoticePeriodDays bounds a notice period: a year and a day.
const MaxNoticePeriodDays = 366

// NoticePeriod is the number of calendar days a link's agreement gives its
// controller to object to a change of sub-processors, during a period.
type NoticePeriod struct {
	ID     int64   `db:"id"`
	LinkID int64   `db:"link_id"`
	Days   int     `db:"days"`
	Clause *string `db:"clause"`
	Note   *string `db:"note"`
	Period
}

// ChangeNotice is a processor's notice of the sub-processor engaged on
// LinkID: new, or replacing the one on ReplacesLinkID. Each controller's
// objection deadline is SentAt plus its agreement's notice period.
type ChangeNotice struct {
	ID             int64     `db:"id"`
	LinkID         int64     `db:"link_id"`
	Kind           string    `db:"kind"`
	ReplacesLinkID *int64    `db:"replaces_link_id"`
	SentAt         time.Time `db:"sent_at"`
	EffectiveAt    time.Time `db:"effective_at"`
	Reference      *string   `db:"reference"`
	Note           *string   `db:"note"`
}

// NoticeResponse is a controller's dated answer to a notice. Responses are
// appended, never changed; the latest counts.
type NoticeResponse struct {
	ID           int64     `db:"id"`
	NoticeID     int64     `db:"notice_id"`
	ControllerID int64     `db:"controller_id"`
	Response     string    `db:"response"`
	Reason       *string   `db:"reason"`
	RespondedAt  time.Time `db:"responded_at"`
	Reference    *string   `db:"reference"`
}

// NoticeStatus is where one controller stands at an instant on the party
// engaged on one link, by kedja_notice_status.
type NoticeStatus struct {
	LinkID       int64 `db:"link_id"`
	ControllerID int64 `db:"controller_id"`
	// Kind is the authorisation that governs the link for the controller:
	// specific, general or none.
	Kind string `db:"kind"`
	// State is one of NoticeStates; nil unless Kind is general.
	State       *string    `db:"state"`
	NoticeID    *int64     `db:"notice_id"`
	SentAt      *time.Time `db:"sent_at"`
	Deadline    *time.Time `db:"deadline"`
	ResponseID  *int64     `db:"response_id"`
	Response    *string    `db:"response"`
	RespondedAt *time.Time `db:"responded_at"`
	Reason      *string    `db:"reason"`
}

// NoticeWindow is one controller's objection window on a notice.
type NoticeWindow struct {
	NoticeID     int64 `db:"notice_id"`
	ControllerID int64 `db:"controller_id"`
	// Deadline is nil when no notice period is recorded: unknown.
	Deadline *time.Time `db:"deadline"`
}

// Validate checks a notice period before it is stored.
func (p *NoticePeriod) Validate() error {
	if p.LinkID == 0 {
		return Invalid("linkId", "is required")
	}
	if p.Days < 0 || p.Days > MaxNoticePeriodDays {
		return Invalid("days", "must be 0 to %d calendar days", MaxNoticePeriodDays)
	}
	if err := optText("clause", &p.Clause, MaxRef); err != nil {
		return err
	}
	if err := optText("note", &p.Note, MaxNote); err != nil {
		return err
	}
	return p.Period.Validate()
}

// Validate checks a change notice before it is stored.
func (n *ChangeNotice) Validate() error {
	if n.LinkID == 0 {
		return Invalid("linkId", "is required")
	}
	if err := oneOf("kind", n.Kind, NoticeKinds); err != nil {
		return err
	}
	if n.Kind == "replacement" && n.ReplacesLinkID == nil {
		return Invalid("replacesLinkId", "name the link of the sub-processor a REPLACEMENT replaces")
	}
	if n.Kind == "new" && n.ReplacesLinkID != nil {
		return Invalid("replacesLinkId", "only a REPLACEMENT replaces a link")
	}
	if n.ReplacesLinkID != nil && *n.ReplacesLinkID == n.LinkID {
		return Invalid("replacesLinkId", "a link cannot replace itself")
	}
	if n.SentAt.IsZero() {
		return Invalid("sentAt", "is required")
	}
	if n.EffectiveAt.IsZero() {
		return Invalid("effectiveAt", "is required")
	}
	if err := optText("reference", &n.Reference, MaxRef); err != nil {
		return err
	}
	return optText("note", &n.Note, MaxNote)
}

// Validate checks a response before it is stored: an objection needs its
// reason.
func (r *NoticeResponse) Validate() error {
	if r.NoticeID == 0 {
		return Invalid("noticeId", "is required")
	}
	if r.ControllerID == 0 {
		return Invalid("controllerId", "is required")
	}
	if err := oneOf("response", r.Response, NoticeResponses); err != nil {
		return err
	}
	if err := optText("reason", &r.Reason, MaxNote); err != nil {
		return err
	}
	if r.Response == "objection" && r.Reason == nil {
		return Invalid("reason", "an OBJECTION states its reason")
	}
	if r.RespondedAt.IsZero() {
		return Invalid("respondedAt", "is required")
	}
	return optText("reference", &r.Reference, MaxRef)
}

// NoticeService keeps agreements' notice periods, change notices and the
// controllers' responses, and says where a controller stands.
type NoticeService interface {
	// NoticePeriodsByLink: each link's agreement's notice periods (at nil:
	// all; else the one in force then).
	NoticePeriodsByLink(ctx context.Context, links []int64, at *time.Time) (map[int64][]NoticePeriod, error)
	// SetNoticePeriod records a link's notice period from p.From; an
	// open-ended earlier one ends there. NOT_FOUND (linkId).
	SetNoticePeriod(ctx context.Context, actor string, p *NoticePeriod) (NoticePeriod, error)
	EndNoticePeriod(ctx context.Context, actor string, id int64, at time.Time) (NoticePeriod, error)

	ChangeNotice(ctx context.Context, field string, id int64) (ChangeNotice, error)
	ChangeNotices(ctx context.Context, ids []int64) (map[int64]ChangeNotice, error)
	// NoticesByLink: the notices of each link, newest sent first (at nil:
	// all; else those sent by then).
	NoticesByLink(ctx context.Context, links []int64, at *time.Time) (map[int64][]ChangeNotice, error)
	// CreateChangeNotice records a notice; NOT_FOUND (linkId,
	// replacesLinkId), INVALID_INPUT (linkId) when no controller's general
	// authorisation covers the link on its effective date: under specific
	// authorisation a subcontractor approval is what is needed.
	CreateChangeNotice(ctx context.Context, actor string, n *ChangeNotice) (ChangeNotice, error)
	// ResponsesByNotice: each notice's responses, oldest first.
	ResponsesByNotice(ctx context.Context, notices []int64) (map[int64][]NoticeResponse, error)
	// WindowsByNotice: each notice's objection windows, one per controller
	// it is owed to (kedja_notice_controllers on its effective date).
	WindowsByNotice(ctx context.Context, notices []int64) (map[int64][]NoticeWindow, error)
	// RespondToNotice appends a controller's response; NOT_FOUND (noticeId,
	// controllerId), INVALID_INPUT (controllerId) for a controller the
	// notice is not owed to, (respondedAt) before the notice was sent.
	RespondToNotice(ctx context.Context, actor string, r *NoticeResponse) (NoticeResponse, error)
	// NoticeStatuses says where controller stands at at on the links of
	// placements (kedja_notice_status), in one statement; links that
	// engage nobody needing its authorisation are absent.
	NoticeStatuses(ctx context.Context, controller int64, placements []Placement, at time.Time) (map[int64]NoticeStatus, error)
}
