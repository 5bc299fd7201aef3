package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/kedja/kedja/registry"
)

var links = entity[registry.Link]{
	table: "links", what: "link",
	cols: `id, from_id, to_id, role, purpose, data_categories, health_data, ` + periodCols + `,
		agreement_ref, agreement_date, authorisation, authorisation_date, authorising_controller_id,
		transfer_mechanism, scc_module, transfer_tool, tia_date, routing_note, routing_time_zone, routing_windows,
		CAST(routing_share AS double precision) AS routing_share`,
	ins: `INSERT INTO links (from_id, to_id, role, purpose, data_categories, health_data, valid,
		agreement_ref, agreement_date, authorisation, authorisation_date, authorising_controller_id,
		transfer_mechanism, scc_module, transfer_tool, tia_date, routing_note, routing_time_zone, routing_windows, routing_share)
		VALUES (:from_id, :to_id, :role, :purpose, :data_categories, :health_data, tstzrange(:valid_from, :valid_to, '[)'),
		:agreement_ref, :agreement_date, :authorisation, :authorisation_date, :authorising_controller_id,
		:transfer_mechanism, :scc_module, :transfer_tool, :tia_date, :routing_note, :routing_time_zone, :routing_windows, :routing_share)
		RETURNING id`,
	upd: `UPDATE links SET from_id = :from_id, to_id = :to_id, role = :role, purpose = :purpose,
		data_categories = :data_categories, health_data = :health_data, valid = tstzrange(:valid_from, :valid_to, '[)'),
		agreement_ref = :agreement_ref, agreement_date = :agreement_date, authorisation = :authorisation,
		authorisation_date = :authorisation_date, authorising_controller_id = :authorising_controller_id,
		transfer_mechanism = :transfer_mechanism, scc_module = :scc_module, transfer_tool = :transfer_tool, tia_date = :tia_date,
		routing_note = :routing_note, routing_time_zone = :routing_time_zone, routing_windows = :routing_windows,
		routing_share = :routing_share WHERE id = :id`,
	check: func(ctx context.Context, s *Store, tx *sqlx.Tx, l *registry.Link) error {
		if l.ID == 0 {
			return nil
		}
		// The systems used on a link are used within its period; a link
		// cannot shrink away from them.
		var outside bool
		if err := s.get(ctx, tx, "id", "link", &outside, `SELECT EXISTS (SELECT 1 FROM system_uses
			WHERE link_id = $1 AND NOT valid <@ tstzrange($2, $3, '[)'))`, l.ID, l.From, nullTime(l.To)); err != nil {
			return err
		}
		if outside {
			return registry.Conflict("validFrom", "systems are used on this link outside the new period; end or change those uses first")
		}
		return nil
	},
}

var roleFindings = entity[registry.RoleFinding]{
	table: "role_findings", what: "role finding",
	cols: `id, link_id, role, authority, decided_on, reference, note`,
	ins: `INSERT INTO role_findings (link_id, role, authority, decided_on, reference, note)
		VALUES (:link_id, :role, :authority, :decided_on, :reference, :note) RETURNING id`,
}

var systemUses = entity[registry.SystemUse]{
	table: "system_uses", what: "system use",
	cols: `id, link_id, system_id, party_id, purpose, ` + periodCols,
	ins: `INSERT INTO system_uses (link_id, system_id, party_id, purpose, valid)
		VALUES (:link_id, :system_id, :party_id, :purpose, tstzrange(:valid_from, :valid_to, '[)')) RETURNING id`,
	upd: `UPDATE system_uses SET purpose = :purpose, valid = tstzrange(:valid_from, :valid_to, '[)') WHERE id = :id`,
	check: func(ctx context.Context, s *Store, tx *sqlx.Tx, u *registry.SystemUse) error {
		var l struct {
			FromID int64 `db:"from_id"`
			ToID   int64 `db:"to_id"`
			Within bool  `db:"within"`
		}
		if err := s.get(ctx, tx, "linkId", "link", &l, `SELECT from_id, to_id,
			tstzrange($2, $3, '[)') <@ valid AS within FROM links WHERE id = $1 FOR SHARE`,
			u.LinkID, u.From, nullTime(u.To)); err != nil {
			return err
		}
		if u.PartyID != l.FromID && u.PartyID != l.ToID {
			return registry.Invalid("partyId", "the party using the system must be one of the link's two parties")
		}
		if !l.Within {
			return registry.Invalid("validFrom", "a system is used on a link only within the link's period")
		}
		return nil
	},
}

var dataMoves = entity[registry.DataMove]{
	table: "data_moves", what: "data move",
	cols: `id, from_system_id, to_system_id, moved_at, recorded_from, recorded_until, note`,
	ins: `INSERT INTO data_moves (from_system_id, to_system_id, moved_at, recorded_from, recorded_until, note)
		VALUES (:from_system_id, :to_system_id, :moved_at, :recorded_from, :recorded_until, :note) RETURNING id`,
}

// CreateLink stores a new processing link.
func (s *Store) CreateLink(ctx context.Context, actor string, l *registry.Link) (registry.Link, error) {
	return create(ctx, s, actor, links, l)
}

// UpdateLink changes a link; NOT_FOUND if it does not exist, INVALID_INPUT
// on fromId or toId if apply moves it to other parties.
func (s *Store) UpdateLink(ctx context.Context, actor string, id int64, apply func(*registry.Link) error) (registry.Link, error) {
	return modify(ctx, s, actor, links, id, func(l *registry.Link) error {
		from, to := l.FromID, l.ToID
		if err := apply(l); err != nil {
			return err
		}
		// The system uses, role findings, traces and history of a link name
		// its two parties; moving it would leave them describing a flow
		// that never was. A different flow is a new link.
		if l.FromID != from {
			return registry.Invalid("fromId", "a link's parties cannot change; end this link and create a new one")
		}
		if l.ToID != to {
			return registry.Invalid("toId", "a link's parties cannot change; end this link and create a new one")
		}
		return nil
	})
}

// EndLink ends a link at at, and with it the uses of systems on it that were
// still running then.
func (s *Store) EndLink(ctx context.Context, actor string, id int64, at time.Time) (registry.Link, error) {
	var out registry.Link
	err := s.write(ctx, actor, func(tx *sqlx.Tx) error {
		if err := s.endUses(ctx, tx, "link_id", id, at); err != nil {
			return err
		}
		var err error
		out, err = modifyTx(ctx, s, tx, links, id, func(l *registry.Link) error { return endPeriod(&l.Period, at) })
		return err
	})
	return out, err
}

// Links loads links by id.
func (s *Store) Links(ctx context.Context, ids []int64) (map[int64]registry.Link, error) {
	return byIDs(ctx, s, links, ids, func(v *registry.Link) int64 { return v.ID })
}

// Link loads one link; NOT_FOUND naming field if absent.
func (s *Store) Link(ctx context.Context, field string, id int64) (registry.Link, error) {
	var v registry.Link
	err := s.get(ctx, s.q(ctx), field, "link", &v, links.selectByID(), id)
	return v, err
}

// ListLinks lists links in id order.
func (s *Store) ListLinks(ctx context.Context, f registry.LinkFilter, p registry.Page) ([]registry.Link, bool, error) {
	return page[registry.Link](ctx, s, p, `SELECT `+links.cols+` FROM links
		WHERE ($1::bigint IS NULL OR from_id = $1)
		  AND ($2::bigint IS NULL OR to_id = $2)
		  AND ($3::text IS NULL OR role = $3)
		  AND ($4::timestamptz IS NULL OR valid @> $4)
		  AND id > $5
		ORDER BY id LIMIT $6`, f.FromID, f.ToID, f.Role, nullTime(f.At))
}

// RecordRoleFinding stores what an authority found a link's role to be.
func (s *Store) RecordRoleFinding(ctx context.Context, actor string, f *registry.RoleFinding) (registry.RoleFinding, error) {
	return create(ctx, s, actor, roleFindings, f)
}

// CreateSystemUse records that a party used a system on a link.
func (s *Store) CreateSystemUse(ctx context.Context, actor string, u *registry.SystemUse) (registry.SystemUse, error) {
	return create(ctx, s, actor, systemUses, u)
}

// EndSystemUse ends a system use at at.
func (s *Store) EndSystemUse(ctx context.Context, actor string, id int64, at time.Time) (registry.SystemUse, error) {
	return modify(ctx, s, actor, systemUses, id, func(u *registry.SystemUse) error { return endPeriod(&u.Period, at) })
}

// SystemUses loads system uses by id.
func (s *Store) SystemUses(ctx context.Context, ids []int64) (map[int64]registry.SystemUse, error) {
	return byIDs(ctx, s, systemUses, ids, func(v *registry.SystemUse) int64 { return v.ID })
}

// RecordDataMove stores a move of stored data between systems.
func (s *Store) RecordDataMove(ctx context.Context, actor string, m *registry.DataMove) (registry.DataMove, error) {
	return create(ctx, s, actor, dataMoves, m)
}

// Relations of links, uses and moves.
var (
	linksFrom = atRelation(relation[registry.Link]{
		query: `SELECT ` + links.cols + ` FROM links WHERE from_id = ANY($1)
			AND ` + validAt + ` ORDER BY lower(valid), id`,
		key: func(v *registry.Link) int64 { return v.FromID },
	})
	linksTo = atRelation(relation[registry.Link]{
		query: `SELECT ` + links.cols + ` FROM links WHERE to_id = ANY($1)
			AND ` + validAt + ` ORDER BY lower(valid), id`,
		key: func(v *registry.Link) int64 { return v.ToID },
	})
	roleFindingsByLink = relation[registry.RoleFinding]{
		query: `SELECT ` + roleFindings.cols + ` FROM role_findings WHERE link_id = ANY($1)
			AND ($2::timestamptz IS NULL OR TRUE) ORDER BY decided_on, id`,
		key: func(v *registry.RoleFinding) int64 { return v.LinkID },
	}
	usesByLink = atRelation(relation[registry.SystemUse]{
		query: `SELECT ` + systemUses.cols + ` FROM system_uses WHERE link_id = ANY($1)
			AND ` + validAt + ` ORDER BY lower(valid), id`,
		key: func(v *registry.SystemUse) int64 { return v.LinkID },
	})
	usesByParty = atRelation(relation[registry.SystemUse]{
		query: `SELECT ` + systemUses.cols + ` FROM system_uses WHERE party_id = ANY($1)
			AND ` + validAt + ` ORDER BY lower(valid), id`,
		key: func(v *registry.SystemUse) int64 { return v.PartyID },
	})
	usesBySystem = atRelation(relation[registry.SystemUse]{
		query: `SELECT ` + systemUses.cols + ` FROM system_uses WHERE system_id = ANY($1)
			AND ` + validAt + ` ORDER BY lower(valid), id`,
		key: func(v *registry.SystemUse) int64 { return v.SystemID },
	})
	movesFromSystem = relation[registry.DataMove]{
		query: `SELECT ` + dataMoves.cols + ` FROM data_moves WHERE from_system_id = ANY($1)
			AND ($2::timestamptz IS NULL OR moved_at <= $2) ORDER BY moved_at, id`,
		key: func(v *registry.DataMove) int64 { return v.FromSystemID },
	}
	movesToSystem = relation[registry.DataMove]{
		query: `SELECT ` + dataMoves.cols + ` FROM data_moves WHERE to_system_id = ANY($1)
			AND ($2::timestamptz IS NULL OR moved_at <= $2) ORDER BY moved_at, id`,
		key: func(v *registry.DataMove) int64 { return v.ToSystemID },
	}
)

// ListSystemUses lists system uses in id order.
func (s *Store) ListSystemUses(ctx context.Context, f registry.SystemUseFilter, p registry.Page) ([]registry.SystemUse, bool, error) {
	return page[registry.SystemUse](ctx, s, p, `SELECT `+systemUses.cols+` FROM system_uses
		WHERE ($1::bigint IS NULL OR link_id = $1) AND ($2::bigint IS NULL OR system_id = $2)
		  AND ($3::bigint IS NULL OR party_id = $3) AND ($4::timestamptz IS NULL OR valid @> $4)
		  AND id > $5 ORDER BY id LIMIT $6`, f.LinkID, f.SystemID, f.PartyID, nullTime(f.At))
}

// SystemUse loads one system use; NOT_FOUND naming field if absent.
func (s *Store) SystemUse(ctx context.Context, field string, id int64) (registry.SystemUse, error) {
	var v registry.SystemUse
	err := s.get(ctx, s.q(ctx), field, "system use", &v, systemUses.selectByID(), id)
	return v, err
}

// ListDataMoves lists moves of stored data in id order, those into or out
// of a system if one is given.
func (s *Store) ListDataMoves(ctx context.Context, systemID *int64, p registry.Page) ([]registry.DataMove, bool, error) {
	return page[registry.DataMove](ctx, s, p, `SELECT `+dataMoves.cols+` FROM data_moves
		WHERE ($1::bigint IS NULL OR from_system_id = $1 OR to_system_id = $1) AND id > $2 ORDER BY id LIMIT $3`, systemID)
}

// DataMove loads one move; NOT_FOUND naming field if absent.
func (s *Store) DataMove(ctx context.Context, field string, id int64) (registry.DataMove, error) {
	var v registry.DataMove
	err := s.get(ctx, s.q(ctx), field, "data move", &v, dataMoves.selectByID(), id)
	return v, err
}

// endUses ends at at the system uses of a link or a system (column names
// which) that still run then; uses that start later are left for the
// validation of what ends to refuse.
func (s *Store) endUses(ctx context.Context, tx *sqlx.Tx, column string, id int64, at time.Time) error {
	_, err := s.exec(ctx, tx, `UPDATE system_uses SET valid = tstzrange(lower(valid), $2, '[)')
		WHERE `+column+` = $1 AND lower(valid) < $2 AND (upper_inf(valid) OR upper(valid) > $2)`, id, at)
	return err
}
