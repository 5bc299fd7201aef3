package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

// Art. 28(2) change notices: agreements' notice periods, notices of new or
// replacing sub-processors and the controllers' responses
// (migrations/0029_change_notices.sql). Whom a notice is owed to, its
// deadline and where a controller stands are the migration's functions;
// nothing here restates them.

func init() {
	conflicts["notice_periods_no_overlap"] = [2]string{"validFrom", "the link's agreement already has a notice period in an overlapping period"}
}

var noticePeriods = entity[registry.NoticePeriod]{
	table: "notice_periods", what: "notice period",
	cols: `id, link_id, days, clause, note, ` + periodCols,
	ins: `INSERT INTO notice_periods (link_id, days, clause, note, valid)
		VALUES (:link_id, :days, :clause, :note, tstzrange(:valid_from, :valid_to, '[)')) RETURNING id`,
	upd: `UPDATE notice_periods SET valid = tstzrange(:valid_from, :valid_to, '[)') WHERE id = :id`,
	check: func(ctx context.Context, s *Store, tx *sqlx.Tx, p *registry.NoticePeriod) error {
		if err := mustExist(ctx, s, tx, "links", "linkId", "link", []int64{p.LinkID}); err != nil {
			return err
		}
		_, err := s.exec(ctx, tx, replaceOpen("notice_periods", "link_id"), p.LinkID, p.From, p.ID)
		return err
	},
}

const noticeCols = `id, link_id, kind, replaces_link_id, sent_at, effective_at, reference, note`

var changeNotices = entity[registry.ChangeNotice]{
	table: "change_notices", what: "change notice",
	cols: noticeCols,
	ins: `INSERT INTO change_notices (link_id, kind, replaces_link_id, sent_at, effective_at, reference, note)
		VALUES (:link_id, :kind, :replaces_link_id, :sent_at, :effective_at, :reference, :note) RETURNING id`,
	check: func(ctx context.Context, s *Store, tx *sqlx.Tx, n *registry.ChangeNotice) error {
		if err := mustExist(ctx, s, tx, "links", "linkId", "link", []int64{n.LinkID}); err != nil {
			return err
		}
		if n.ReplacesLinkID != nil {
			if err := mustExist(ctx, s, tx, "links", "replacesLinkId", "link", []int64{*n.ReplacesLinkID}); err != nil {
				return err
			}
		}
		var owed bool
		if err := tx.GetContext(ctx, &owed, `SELECT EXISTS (SELECT 1 FROM kedja_notice_controllers($1, $2))`, n.LinkID, n.EffectiveAt); err != nil {
			return wrap("notice controllers", err)
		}
		if !owed {
			return registry.Invalid("linkId", "no controller's general authorisation covers this link on the effective date; "+
				"under specific authorisation record the controller's approval instead")
		}
		return nil
	},
}

var noticeResponses = entity[registry.NoticeResponse]{
	table: "notice_responses", what: "notice response",
	cols: `id, notice_id, controller_id, response, reason, responded_at, reference`,
	ins: `INSERT INTO notice_responses (notice_id, controller_id, response, reason, responded_at, reference)
		VALUES (:notice_id, :controller_id, :response, :reason, :responded_at, :reference) RETURNING id`,
	check: func(ctx context.Context, s *Store, tx *sqlx.Tx, r *registry.NoticeResponse) error {
		var n registry.ChangeNotice
		if err := s.get(ctx, tx, "noticeId", "change notice", &n, changeNotices.selectByID(), r.NoticeID); err != nil {
			return err
		}
		if err := mustExist(ctx, s, tx, "organisations", "controllerId", "organisation", []int64{r.ControllerID}); err != nil {
			return err
		}
		if r.RespondedAt.Before(n.SentAt) {
			return registry.Invalid("respondedAt", "is before the notice was sent (%s)", n.SentAt.Format(time.RFC3339))
		}
		var owed bool
		if err := tx.GetContext(ctx, &owed, `SELECT EXISTS (SELECT 1 FROM kedja_notice_controllers($1, $2) c WHERE c.controller_id = $3)`,
			n.LinkID, n.EffectiveAt, r.ControllerID); err != nil {
			return wrap("notice controllers", err)
		}
		if !owed {
			return registry.Invalid("controllerId", "the notice is not owed to this controller: no general authorisation of its covers the link")
		}
		return nil
	},
}

// SetNoticePeriod records a link's agreement's notice period from p.From on.
func (s *Store) SetNoticePeriod(ctx context.Context, actor string, p *registry.NoticePeriod) (registry.NoticePeriod, error) {
	return create(ctx, s, actor, noticePeriods, p)
}

// EndNoticePeriod ends a notice period at at.
func (s *Store) EndNoticePeriod(ctx context.Context, actor string, id int64, at time.Time) (registry.NoticePeriod, error) {
	return modify(ctx, s, actor, noticePeriods, id, func(p *registry.NoticePeriod) error { return endPeriod(&p.Period, at) })
}

var noticePeriodsByLink = relation[registry.NoticePeriod]{
	query: `SELECT ` + noticePeriods.cols + ` FROM notice_periods WHERE link_id = ANY($1)
		AND (CAST($2 AS timestamptz) IS NULL OR valid @> CAST($2 AS timestamptz)) ORDER BY lower(valid), id`,
	key: func(p *registry.NoticePeriod) int64 { return p.LinkID },
}

// NoticePeriodsByLink loads the links' agreements' notice periods.
func (s *Store) NoticePeriodsByLink(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.NoticePeriod, error) {
	return loadRelation(ctx, s, noticePeriodsByLink, ids, at)
}

// ChangeNotice loads one notice.
func (s *Store) ChangeNotice(ctx context.Context, field string, id int64) (registry.ChangeNotice, error) {
	var n registry.ChangeNotice
	err := s.get(ctx, s.q(ctx), field, "change notice", &n, changeNotices.selectByID(), id)
	return n, err
}

// ChangeNotices loads notices by id in one statement.
func (s *Store) ChangeNotices(ctx context.Context, ids []int64) (map[int64]registry.ChangeNotice, error) {
	return byIDs(ctx, s, changeNotices, ids, func(n *registry.ChangeNotice) int64 { return n.ID })
}

// CreateChangeNotice records a notice of a new or replacing sub-processor.
func (s *Store) CreateChangeNotice(ctx context.Context, actor string, n *registry.ChangeNotice) (registry.ChangeNotice, error) {
	return create(ctx, s, actor, changeNotices, n)
}

var noticesByLink = relation[registry.ChangeNotice]{
	query: `SELECT ` + noticeCols + ` FROM change_notices WHERE link_id = ANY($1)
		AND (CAST($2 AS timestamptz) IS NULL OR sent_at <= CAST($2 AS timestamptz)) ORDER BY sent_at DESC, id DESC`,
	key: func(n *registry.ChangeNotice) int64 { return n.LinkID },
}

// NoticesByLink loads the links' notices, newest sent first.
func (s *Store) NoticesByLink(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.ChangeNotice, error) {
	return loadRelation(ctx, s, noticesByLink, ids, at)
}

// RespondToNotice appends a controller's response to a notice.
func (s *Store) RespondToNotice(ctx context.Context, actor string, r *registry.NoticeResponse) (registry.NoticeResponse, error) {
	return create(ctx, s, actor, noticeResponses, r)
}

// ResponsesByNotice loads the notices' responses, oldest first.
func (s *Store) ResponsesByNotice(ctx context.Context, ids []int64) (map[int64][]registry.NoticeResponse, error) {
	var rows []registry.NoticeResponse
	if err := s.selectx(ctx, s.q(ctx), &rows, `SELECT `+noticeResponses.cols+` FROM notice_responses WHERE notice_id = ANY($1)
		ORDER BY responded_at, id`, pq.Array(ids)); err != nil {
		return nil, err
	}
	out := make(map[int64][]registry.NoticeResponse, len(ids))
	for _, r := range rows {
		out[r.NoticeID] = append(out[r.NoticeID], r)
	}
	return out, nil
}

// WindowsByNotice loads each notice's objection windows: one per controller
// it is owed to on its effective date, with the deadline the controller's
// agreement gives.
func (s *Store) WindowsByNotice(ctx context.Context, ids []int64) (map[int64][]registry.NoticeWindow, error) {
	var rows []registry.NoticeWindow
	if err := s.selectx(ctx, s.q(ctx), &rows, `SELECT n.id AS notice_id, c.controller_id,
		kedja_objection_deadline(n.id, c.controller_id) AS deadline
		FROM change_notices n CROSS JOIN LATERAL kedja_notice_controllers(n.link_id, n.effective_at) c
		WHERE n.id = ANY($1) ORDER BY n.id, c.controller_id`, pq.Array(ids)); err != nil {
		return nil, err
	}
	out := make(map[int64][]registry.NoticeWindow, len(ids))
	for _, w := range rows {
		out[w.NoticeID] = append(out[w.NoticeID], w)
	}
	return out, nil
}

// NoticeStatuses says where controller stands at at on the links of
// placements (each link's depth below it), by kedja_notice_status, in one
// statement. A link that engages nobody needing the controller's
// authorisation (kedja_engaged_below: its own processor, say) has none.
func (s *Store) NoticeStatuses(ctx context.Context, controller int64, placements []registry.Placement, at time.Time) (map[int64]registry.NoticeStatus, error) {
	ids, depths := make([]int64, len(placements)), make([]int64, len(placements))
	for i, p := range placements {
		ids[i], depths[i] = p.LinkID, int64(p.Depth)
	}
	var rows []registry.NoticeStatus
	if err := s.selectx(ctx, s.q(ctx), &rows, `SELECT DISTINCT ON (p.id) p.id AS link_id, CAST($3 AS bigint) AS controller_id, st.*
		FROM unnest(CAST($1 AS bigint[]), CAST($2 AS int[])) AS p(id, depth)
		JOIN links l ON l.id = p.id
		CROSS JOIN LATERAL kedja_notice_status(p.id, CAST($3 AS bigint), CAST($4 AS timestamptz)) st
		WHERE kedja_engaged_below(p.depth, l.role)
		ORDER BY p.id, p.depth`,
		pq.Array(ids), pq.Array(depths), controller, at); err != nil {
		return nil, err
	}
	out := make(map[int64]registry.NoticeStatus, len(rows))
	for _, r := range rows {
		out[r.LinkID] = r
	}
	return out, nil
}

// noticesForNewLinks records, inside tx, a notice of a new sub-processor for
// each of linkIDs that some controller's general authorisation covers on
// the link's start (kedja_notice_controllers), sent at sent, effective from
// the link's start, with author as its reference's source note. Links
// under specific or no authorisation get none (their approval is what the
// authorisation check asks for), and a link that already has a notice of
// its own gets no second one, so applying the same list twice adds
// nothing. It is what a supplier list import's approval calls after it
// has created the links, in its own transaction, and returns the ids of
// the notices it created. The caller's transaction records the author of
// the changes (kedja.actor) and their audit row.
func (s *Store) noticesForNewLinks(ctx context.Context, tx *sqlx.Tx, linkIDs []int64, sent time.Time, author string) ([]int64, error) {
	var ids []int64
	if len(linkIDs) == 0 {
		return ids, nil
	}
	if err := s.selectx(ctx, tx, &ids, `INSERT INTO change_notices (link_id, kind, sent_at, effective_at, note)
		SELECT l.id, 'new', $2, lower(l.valid), $3
		FROM links l
		WHERE l.id = ANY($1)
		  AND EXISTS (SELECT 1 FROM kedja_notice_controllers(l.id, lower(l.valid)))
		  AND NOT EXISTS (SELECT 1 FROM change_notices n WHERE n.link_id = l.id)
		ORDER BY l.id
		RETURNING id`, pq.Array(linkIDs), sent, "Created by "+author+" on approving a supplier's sub-processor list"); err != nil {
		return nil, err
	}
	return ids, nil
}
