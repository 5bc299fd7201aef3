package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/kedja/kedja/registry"
)

var organisations = entity[registry.Organisation]{
	table: "organisations", what: "organisation",
	cols: `id, legal_name, org_number, country_code, kind, parent_id, county_code, county_letter, time_zone, ended_at`,
	ins: `INSERT INTO organisations (legal_name, org_number, country_code, kind, parent_id, county_code, county_letter, time_zone)
		VALUES (:legal_name, :org_number, :country_code, :kind, :parent_id, :county_code, :county_letter, :time_zone) RETURNING id`,
	upd: `UPDATE organisations SET legal_name = :legal_name, org_number = :org_number, country_code = :country_code,
		kind = :kind, parent_id = :parent_id, county_code = :county_code, county_letter = :county_letter,
		time_zone = :time_zone, ended_at = :ended_at WHERE id = :id`,
	check: func(ctx context.Context, s *Store, tx *sqlx.Tx, o *registry.Organisation) error {
		if o.ParentID == nil || o.ID == 0 {
			return nil
		}
		// A parent chain that leads back to the organisation would make
		// group lookups loop; refuse it.
		var cycle bool
		err := s.get(ctx, tx, "parentId", "organisation", &cycle, `
			WITH RECURSIVE up(id) AS (
				SELECT CAST($1 AS bigint)
				UNION
				SELECT o.parent_id FROM organisations o JOIN up ON o.id = up.id WHERE o.parent_id IS NOT NULL)
			SELECT EXISTS (SELECT 1 FROM up WHERE id = $2)`, *o.ParentID, o.ID)
		if err != nil {
			return err
		}
		if cycle {
			return registry.Invalid("parentId", "would make the organisation its own ancestor")
		}
		return nil
	},
}

// CreateOrganisation stores a new organisation.
func (s *Store) CreateOrganisation(ctx context.Context, actor string, o *registry.Organisation) (registry.Organisation, error) {
	return create(ctx, s, actor, organisations, o)
}

// UpdateOrganisation changes an organisation; NOT_FOUND if it does not exist.
func (s *Store) UpdateOrganisation(ctx context.Context, actor string, id int64, apply func(*registry.Organisation) error) (registry.Organisation, error) {
	return modify(ctx, s, actor, organisations, id, apply)
}

// EndOrganisation records that an organisation ceased to exist at at.
func (s *Store) EndOrganisation(ctx context.Context, actor string, id int64, at time.Time) (registry.Organisation, error) {
	return modify(ctx, s, actor, organisations, id, func(o *registry.Organisation) error {
		if o.EndedAt != nil && o.EndedAt.Before(at) {
			return registry.Conflict("at", "already ended at %s", o.EndedAt.Format(time.RFC3339))
		}
		o.EndedAt = &at
		return nil
	})
}

// Organisations loads organisations by id.
func (s *Store) Organisations(ctx context.Context, ids []int64) (map[int64]registry.Organisation, error) {
	return byIDs(ctx, s, organisations, ids, func(o *registry.Organisation) int64 { return o.ID })
}

// Organisation loads one organisation; NOT_FOUND naming field if absent.
func (s *Store) Organisation(ctx context.Context, field string, id int64) (registry.Organisation, error) {
	var o registry.Organisation
	err := s.get(ctx, s.q(ctx), field, "organisation", &o, organisations.selectByID(), id)
	return o, err
}

// ListOrganisations lists organisations in id order.
func (s *Store) ListOrganisations(ctx context.Context, f registry.OrganisationFilter, p registry.Page) ([]registry.Organisation, bool, error) {
	return page[registry.Organisation](ctx, s, p, `SELECT `+organisations.cols+` FROM organisations
		WHERE ($1::text IS NULL OR strpos(lower(legal_name), lower($1)) > 0)
		  AND ($2::text IS NULL OR kind = $2)
		  AND ($3::text IS NULL OR country_code = $3)
		  AND ($4::bigint IS NULL OR parent_id = $4)
		  AND ($5 OR ended_at IS NULL OR ended_at > now())
		  AND id > $6
		ORDER BY id LIMIT $7`, f.NameContains, f.Kind, f.Country, f.ParentID, f.IncludeEnded)
}

// organisationChildren: organisations whose parent is the key.
var organisationChildren = relation[registry.Organisation]{
	query: `SELECT ` + organisations.cols + ` FROM organisations WHERE parent_id = ANY($1)
		AND ($2::timestamptz IS NULL OR ended_at IS NULL OR ended_at > $2) ORDER BY legal_name, id`,
	key: func(o *registry.Organisation) int64 { return *o.ParentID },
}
