package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

// Conditions of links' agreements (migrations/0023).

func init() {
	conflicts["agreement_conditions_no_overlap"] = [2]string{"validFrom", "the link's agreement already has this condition in an overlapping period"}
}

var conditions = entity[registry.AgreementCondition]{
	table: "agreement_conditions", what: "agreement condition",
	cols: `id, link_id, kind, allowed_countries, clause, note, ` + periodCols,
	ins: `INSERT INTO agreement_conditions (link_id, kind, allowed_countries, clause, note, valid)
		VALUES (:link_id, :kind, :allowed_countries, :clause, :note, tstzrange(:valid_from, :valid_to, '[)')) RETURNING id`,
	upd: `UPDATE agreement_conditions SET valid = tstzrange(:valid_from, :valid_to, '[)') WHERE id = :id`,
	check: func(ctx context.Context, s *Store, tx *sqlx.Tx, c *registry.AgreementCondition) error {
		// An array cannot carry foreign keys: the named countries are
		// checked here (EEA stands for the EEA's members).
		var missing []string
		if err := s.selectx(ctx, tx, &missing, `SELECT code FROM unnest(CAST($1 AS text[])) AS a(code)
			WHERE code <> $2 AND NOT EXISTS (SELECT 1 FROM countries c WHERE c.code = a.code) ORDER BY code LIMIT 1`,
			pq.Array(c.AllowedCountries), registry.AllCountriesOfEEA); err != nil {
			return err
		}
		if len(missing) > 0 {
			return registry.NotFound("allowedCountries", "no country with code %s", missing[0])
		}
		// A new condition replaces the open-ended one of the same kind on
		// the link, not the link's other conditions.
		_, err := s.exec(ctx, tx, `UPDATE agreement_conditions SET valid = tstzrange(lower(valid), $2, '[)')
			WHERE link_id = $1 AND id <> $3 AND kind = $4 AND upper_inf(valid) AND lower(valid) < $2`, c.LinkID, c.From, c.ID, c.Kind)
		return err
	},
}

type conditionRow struct {
	registry.AgreementCondition
	AllowedCountries pq.StringArray `db:"allowed_countries"`
}

func (r *conditionRow) toDomain() registry.AgreementCondition {
	v := r.AgreementCondition
	v.AllowedCountries = r.AllowedCountries
	return v
}

func (r *conditionRow) fromDomain(v registry.AgreementCondition) {
	r.AgreementCondition, r.AllowedCountries = v, v.AllowedCountries
}

// SetAgreementCondition records a condition of a link's agreement from c.From on.
func (s *Store) SetAgreementCondition(ctx context.Context, actor string, c *registry.AgreementCondition) (registry.AgreementCondition, error) {
	return create(ctx, s, actor, conditions, c)
}

// EndAgreementCondition ends a condition at at.
func (s *Store) EndAgreementCondition(ctx context.Context, actor string, id int64, at time.Time) (registry.AgreementCondition, error) {
	return modify(ctx, s, actor, conditions, id, func(c *registry.AgreementCondition) error { return endPeriod(&c.Period, at) })
}

var conditionsByLink = relation[registry.AgreementCondition]{
	query: `SELECT ` + conditions.cols + ` FROM agreement_conditions WHERE link_id = ANY($1)
		AND (CAST($2 AS timestamptz) IS NULL OR valid @> CAST($2 AS timestamptz)) ORDER BY kind, lower(valid), id`,
	key: func(c *registry.AgreementCondition) int64 { return c.LinkID },
}

// ConditionsByLink loads the conditions of the links' agreements.
func (s *Store) ConditionsByLink(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.AgreementCondition, error) {
	return loadRelation(ctx, s, conditionsByLink, ids, at)
}
