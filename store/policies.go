package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/kedja/kedja/registry"
)

var locationPolicies = entity[registry.LocationPolicy]{
	table: "location_policies", what: "location policy",
	cols: `id, controller_id, policy, country_code, reference, ` + periodCols,
	ins: `INSERT INTO location_policies (controller_id, policy, country_code, reference, valid)
		VALUES (:controller_id, :policy, :country_code, :reference, tstzrange(:valid_from, :valid_to, '[)')) RETURNING id`,
	upd: `UPDATE location_policies SET valid = tstzrange(:valid_from, :valid_to, '[)') WHERE id = :id`,
	check: func(ctx context.Context, s *Store, tx *sqlx.Tx, p *registry.LocationPolicy) error {
		// A new policy replaces the one in force from its start.
		_, err := s.exec(ctx, tx, `UPDATE location_policies SET valid = tstzrange(lower(valid), $2, '[)')
			WHERE controller_id = $1 AND id <> $3 AND upper_inf(valid) AND lower(valid) < $2`, p.ControllerID, p.From, p.ID)
		return err
	},
}

// SetLocationPolicy records a controller's location policy from p.From on;
// the policy in force until then ends there.
func (s *Store) SetLocationPolicy(ctx context.Context, actor string, p *registry.LocationPolicy) (registry.LocationPolicy, error) {
	return create(ctx, s, actor, locationPolicies, p)
}

// EndLocationPolicy ends a location policy at at.
func (s *Store) EndLocationPolicy(ctx context.Context, actor string, id int64, at time.Time) (registry.LocationPolicy, error) {
	return modify(ctx, s, actor, locationPolicies, id, func(p *registry.LocationPolicy) error { return endPeriod(&p.Period, at) })
}

// policiesByController: a controller's location policies.
var policiesByController = relation[registry.LocationPolicy]{
	query: `SELECT ` + locationPolicies.cols + ` FROM location_policies WHERE controller_id = ANY($1)
		AND ($2::timestamptz IS NULL OR valid @> $2) ORDER BY lower(valid), id`,
	key: func(p *registry.LocationPolicy) int64 { return p.ControllerID },
}
