package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

var eeaMemberships = entity[registry.EEAMembership]{
	table: "eea_memberships", what: "EEA membership",
	cols: `id, country_code, lower(valid) AS valid_from, upper(valid) AS valid_to`,
	ins: `INSERT INTO eea_memberships (country_code, valid)
		VALUES (:country_code, daterange(CAST(:valid_from AS date), CAST(:valid_to AS date))) RETURNING id`,
	upd: `UPDATE eea_memberships SET valid = daterange(CAST(:valid_from AS date), CAST(:valid_to AS date)) WHERE id = :id`,
}

var adequacyDecisions = entity[registry.AdequacyDecision]{
	table: "adequacy_decisions", what: "adequacy decision",
	cols: `id, country_code, scope, condition_code, condition, decision_ref, decided_on,
		lower(valid) AS valid_from, upper(valid) AS valid_to, law`,
	ins: `INSERT INTO adequacy_decisions (country_code, scope, condition_code, condition, decision_ref, decided_on, valid, law)
		VALUES (:country_code, :scope, :condition_code, :condition, :decision_ref, :decided_on,
		daterange(CAST(:valid_from AS date), CAST(:valid_to AS date)), :law) RETURNING id`,
	upd: `UPDATE adequacy_decisions SET scope = :scope, condition_code = :condition_code, condition = :condition,
		decision_ref = :decision_ref, decided_on = :decided_on,
		valid = daterange(CAST(:valid_from AS date), CAST(:valid_to AS date)) WHERE id = :id`,
}

// Countries loads countries by code.
func (s *Store) Countries(ctx context.Context, codes []string) (map[string]registry.Country, error) {
	var rows []registry.Country
	if err := s.selectx(ctx, s.q(ctx), &rows, `SELECT code, name FROM countries WHERE code = ANY($1)`, pq.Array(codes)); err != nil {
		return nil, err
	}
	out := make(map[string]registry.Country, len(rows))
	for _, c := range rows {
		out[c.Code] = c
	}
	return out, nil
}

// ListCountries lists countries by code; eeaOn, if set, keeps only the
// countries in the EEA on that date.
func (s *Store) ListCountries(ctx context.Context, eeaOn *time.Time) ([]registry.Country, error) {
	var rows []registry.Country
	err := s.selectx(ctx, s.q(ctx), &rows, `SELECT code, name FROM countries c
		WHERE $1::date IS NULL OR EXISTS (SELECT 1 FROM eea_memberships m WHERE m.country_code = c.code AND m.valid @> $1::date)
		ORDER BY code`, nullTime(eeaOn))
	return rows, err
}

// RenameCountry changes a country's display name.
func (s *Store) RenameCountry(ctx context.Context, actor, code, name string) (registry.Country, error) {
	c := registry.Country{Code: code, Name: name}
	if len(name) == 0 || len(name) > 200 {
		return c, registry.Invalid("name", "give a name of 1 to 200 characters")
	}
	err := s.write(ctx, actor, func(tx *sqlx.Tx) error {
		n, err := s.exec(ctx, tx, `UPDATE countries SET name = $2 WHERE code = $1`, code, name)
		if err == nil && n == 0 {
			return registry.NotFound("code", "no country %q", code)
		}
		return err
	})
	return c, err
}

// AddEEAMembership records a period of EEA membership.
func (s *Store) AddEEAMembership(ctx context.Context, actor string, m *registry.EEAMembership) (registry.EEAMembership, error) {
	return create(ctx, s, actor, eeaMemberships, m)
}

// EndEEAMembership ends an EEA membership on a date (exclusive).
func (s *Store) EndEEAMembership(ctx context.Context, actor string, id int64, on time.Time) (registry.EEAMembership, error) {
	return modify(ctx, s, actor, eeaMemberships, id, func(m *registry.EEAMembership) error {
		return endDates(m.From, &m.To, on)
	})
}

// AddAdequacyDecision records an adequacy decision.
func (s *Store) AddAdequacyDecision(ctx context.Context, actor string, d *registry.AdequacyDecision) (registry.AdequacyDecision, error) {
	return create(ctx, s, actor, adequacyDecisions, d)
}

// EndAdequacyDecision ends an adequacy decision on a date (exclusive).
func (s *Store) EndAdequacyDecision(ctx context.Context, actor string, id int64, on time.Time) (registry.AdequacyDecision, error) {
	return modify(ctx, s, actor, adequacyDecisions, id, func(d *registry.AdequacyDecision) error {
		return endDates(d.From, &d.To, on)
	})
}

func endDates(from time.Time, to **time.Time, on time.Time) error {
	if !on.After(from) {
		return registry.Invalid("on", "the end %s is not after the start %s", on.Format(registry.DateLayout), from.Format(registry.DateLayout))
	}
	if *to != nil && (*to).Before(on) {
		return registry.Conflict("on", "already ended on %s", (*to).Format(registry.DateLayout))
	}
	*to = &on
	return nil
}

// byCountry loads the dated rows of query (EEA memberships or adequacy
// decisions) for countries, those in force at at if at is set.
func byCountry[T any](ctx context.Context, s *Store, query string, codes []string, at *time.Time, code func(*T) string) (map[string][]T, error) {
	var rows []T
	if err := s.selectx(ctx, s.q(ctx), &rows, query, pq.Array(codes), nullTime(at)); err != nil {
		return nil, err
	}
	out := map[string][]T{}
	for i := range rows {
		c := code(&rows[i])
		out[c] = append(out[c], rows[i])
	}
	return out, nil
}

// EEAMemberships loads EEA memberships for countries.
func (s *Store) EEAMemberships(ctx context.Context, codes []string, at *time.Time) (map[string][]registry.EEAMembership, error) {
	return byCountry(ctx, s, `SELECT `+eeaMemberships.cols+` FROM eea_memberships WHERE country_code = ANY($1)
		AND ($2::timestamptz IS NULL OR valid @> CAST($2 AS date)) ORDER BY lower(valid), id`,
		codes, at, func(m *registry.EEAMembership) string { return m.Country })
}

// AdequacyDecisions loads the EU's adequacy decisions for countries (a
// country's standing is the EU's; LawAdequacyDecisions lists another law's).
func (s *Store) AdequacyDecisions(ctx context.Context, codes []string, at *time.Time) (map[string][]registry.AdequacyDecision, error) {
	return byCountry(ctx, s, `SELECT `+adequacyDecisions.cols+` FROM adequacy_decisions WHERE country_code = ANY($1) AND law = 'eu'
		AND ($2::timestamptz IS NULL OR valid @> CAST($2 AS date)) ORDER BY lower(valid), id`,
		codes, at, func(d *registry.AdequacyDecision) string { return d.Country })
}
