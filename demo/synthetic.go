package demo

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"time"
)

// Size is the shape of a synthetic registry.
type Size struct {
	Organisations int // total; tiers of controllers, providers and subcontractors
	SystemsPerOrg int
	Periods       int // consecutive periods per link slot: the history
	FanOut        int // partners per party at any instant
}

// FullSize is about 20,000 organisations, 100,000 systems and 1,000,000 links.
var FullSize = Size{Organisations: 20000, SystemsPerOrg: 5, Periods: 42, FanOut: 3}

// Scaled returns FullSize with its organisations (and so systems and links)
// multiplied by f.
func Scaled(f float64) Size {
	s := FullSize
	s.Organisations = max(int(float64(s.Organisations)*f), 40)
	return s
}

// Synthetic facts: chains of four tiers, each party handing data to FanOut
// parties of the next tier at any instant and changing partners every
// period (half a year from 2005), so most links are history. Countries are
// mostly Swedish, some elsewhere in the EEA, a few in third countries; every
// link carries a system use, and some systems lack a retention period.
const (
	synthActor = "kedja gen"
	synthStart = "2005-01-01"
	// The tiers' shares of the organisations.
	tier0, tier1, tier2 = 0.01, 0.09, 0.30
)

// Generate fills an empty registry (migrated, without the demo) with a
// synthetic one of the given size, set-based, batch by batch, writing
// progress to progress. It returns the ids of the controllers (tier 0).
func Generate(ctx context.Context, db *sql.DB, size Size, progress io.Writer) (first, last int64, err error) {
	start := time.Now()
	n := size.Organisations
	tiers := []int{max(int(float64(n)*tier0), 1), max(int(float64(n)*tier1), 3), max(int(float64(n)*tier2), 9)}
	tiers = append(tiers, n-tiers[0]-tiers[1]-tiers[2])
	type span struct{ lo, hi int64 }
	spans := make([]span, len(tiers))
	report := func(what string, done, total int) {
		fmt.Fprintf(progress, "\r%-13s %9d / %-9d %3.0f%%  %6.1fs", what, done, total, 100*float64(done)/float64(max(total, 1)), time.Since(start).Seconds())
		if done == total {
			fmt.Fprintln(progress)
		}
	}
	batch := func(fn func(tx *sql.Tx) error) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback() //nolint:errcheck // a no-op after Commit
		if _, err := tx.ExecContext(ctx, `SELECT set_config('kedja.actor', $1, true)`, synthActor); err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			return err
		}
		return tx.Commit()
	}

	for t, count := range tiers {
		err := batch(func(tx *sql.Tx) error {
			return tx.QueryRowContext(ctx, `
				WITH ins AS (
				    INSERT INTO organisations (legal_name, country_code, kind, time_zone)
				    SELECT format('Synthetic T%s-%s', $1::int, i),
				           (ARRAY['SE','SE','SE','SE','SE','SE','FI','NO','DK','DE','SE','SE','IE','US','IN','TH','GB','SE','SE','CH'])
				               [1 + abs(hashtext('country' || $1::int || '-' || i)) % 20],
				           CASE WHEN $1::int = 0 THEN 'region' ELSE 'company' END,
				           'Europe/Stockholm'
				    FROM generate_series(1, $2::int) AS i
				    RETURNING id)
				SELECT min(id), max(id) FROM ins`, t, count).Scan(&spans[t].lo, &spans[t].hi)
		})
		if err != nil {
			return 0, 0, fmt.Errorf("gen: organisations: %w", err)
		}
		report("organisations", int(spans[t].hi-spans[0].lo+1), n)
	}

	// Systems: SystemsPerOrg per organisation, kinds in turn, each with a
	// profile and a storage location in its operator's country.
	err = batch(func(tx *sql.Tx) error {
		lo, hi := spans[0].lo, spans[len(spans)-1].hi
		if _, err := tx.ExecContext(ctx, `INSERT INTO systems (name, kind, operator_id, data_categories)
			SELECT format('System %s-%s', o.id, k),
			       (ARRAY['telephony','recording','storage','records','backup'])[1 + (k - 1) % 5], o.id, '{call recordings}'
			FROM organisations o CROSS JOIN generate_series(1, $1::int) AS k
			WHERE o.id BETWEEN $2 AND $3 ORDER BY o.id, k`, size.SystemsPerOrg, lo, hi); err != nil {
			return err
		}
		// One system in eleven has no retention period, one in 97 is
		// exposed to the internet, one in 13 is not encrypted at rest.
		if _, err := tx.ExecContext(ctx, `INSERT INTO system_profiles (system_id, valid, internet_exposed, authentication,
			    transport_encryption, encryption_at_rest, retention_days)
			SELECT s.id, tstzrange(CAST($3 AS timestamptz), NULL), s.id % 97 = 0, 'mfa', true, s.id % 13 <> 0,
			       CASE WHEN s.id % 11 = 0 THEN NULL ELSE 30 + s.id % 700 END
			FROM systems s WHERE s.operator_id BETWEEN $1 AND $2`, lo, hi, synthStart); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO system_locations (system_id, country_code, purpose, valid)
			SELECT s.id, o.country_code, 'storage', tstzrange(CAST($3 AS timestamptz), NULL)
			FROM systems s JOIN organisations o ON o.id = s.operator_id WHERE s.operator_id BETWEEN $1 AND $2`, lo, hi, synthStart)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("gen: systems: %w", err)
	}
	report("systems", n*size.SystemsPerOrg, n*size.SystemsPerOrg)

	// Links, one period at a time: slot s of a party picks, for period k, a
	// partner in its own share of the next tier, so two slots never pick
	// the same partner at once and no link overlaps itself.
	parents := 0
	for t := 0; t < len(tiers)-1; t++ {
		parents += tiers[t]
	}
	total := parents * size.FanOut * size.Periods
	for k := 0; k < size.Periods; k++ {
		err := batch(func(tx *sql.Tx) error {
			for t := 0; t < len(tiers)-1; t++ {
				next := spans[t+1]
				width := (next.hi - next.lo + 1) / int64(size.FanOut)
				if _, err := tx.ExecContext(ctx, `
					WITH pick AS (
					    SELECT o.id AS from_id,
					           $3::bigint + (s - 1) * $4::bigint + abs(hashtext(o.id || '-' || s || '-' || $5::int)) % $4::bigint AS to_id
					    FROM organisations o CROSS JOIN generate_series(1, $6::int) AS s
					    WHERE o.id BETWEEN $1 AND $2
					), ins AS (
					    INSERT INTO links (from_id, to_id, role, purpose, data_categories, health_data, valid,
					                       agreement_ref, authorisation, authorising_controller_id, routing_windows)
					    SELECT from_id, to_id, CASE WHEN $7::int = 0 THEN 'processor' ELSE 'sub_processor' END,
					           'Synthetic call handling', '{call recordings}', true,
					           tstzrange(CAST($8 AS timestamptz) + make_interval(months => 6 * $5::int),
					                     CASE WHEN $5::int = $9::int - 1 THEN NULL
					                          ELSE CAST($8 AS timestamptz) + make_interval(months => 6 * ($5::int + 1)) END),
					           CASE WHEN to_id % 7 = 0 THEN NULL ELSE 'AGR-' || from_id || '-' || to_id END,
					           CASE WHEN $7::int > 0 AND to_id % 5 <> 0 THEN 'general' ELSE 'none' END,
					           CASE WHEN $7::int > 0 AND to_id % 5 <> 0 THEN from_id END,
					           CASE WHEN to_id % 17 = 0 THEN '[{"days":["sat","sun"],"start":"00:00","end":"24:00"}]'::jsonb END
					    FROM pick
					    RETURNING id, to_id, valid)
					INSERT INTO system_uses (link_id, system_id, party_id, valid)
					SELECT ins.id, (SELECT min(sy.id) FROM systems sy WHERE sy.operator_id = ins.to_id AND sy.kind = 'recording'),
					       ins.to_id, ins.valid
					FROM ins`,
					spans[t].lo, spans[t].hi, next.lo, width, k, size.FanOut, t, synthStart, size.Periods); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, 0, fmt.Errorf("gen: links: %w", err)
		}
		report("links", parents*size.FanOut*(k+1), total)
	}
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		return 0, 0, err
	}
	return spans[0].lo, spans[0].hi, nil
}
