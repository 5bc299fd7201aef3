package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Each transfer is judged by the exporter's law (issue 14,
// migrations/0030_laws.sql): reach carries, per row, the law of the party
// that sends the data over the row's link and that party's country (whose
// directive-era act is cited), as kedja_path_law and
// kedja_path_law_country say for one path; here for every path at once,
// with each country's default law worked out once per run.

// partyLaw fills the temporary table party_law with every party's own law
// at the instant (kedja_party_law: an explicit jurisdiction, else its
// country's law), NULL where it has none; kedja_country_law runs once per
// country, not once per party.
func partyLaw(ctx context.Context, tx *sqlx.Tx, at time.Time) error {
	for _, q := range []string{
		`CREATE TEMP TABLE party_law ON COMMIT DROP AS
		WITH country_law AS MATERIALIZED (
		    SELECT code, kedja_country_law(code, CAST($1 AS timestamptz)) AS law FROM countries
		)
		SELECT o.id, o.country_code, COALESCE(j.law, cl.law) AS law
		FROM organisations o
		JOIN country_law cl ON cl.code = o.country_code
		LEFT JOIN (SELECT j.org_id, j.law FROM party_jurisdictions j JOIN laws w ON w.code = j.law
		           WHERE j.valid @> CAST(CAST($1 AS timestamptz) AS date) AND w.valid @> CAST(CAST($1 AS timestamptz) AS date)) j ON j.org_id = o.id`,
		`ALTER TABLE party_law ADD PRIMARY KEY (id)`,
	} {
		// The ALTER takes no parameter; lib/pq refuses unused ones.
		var args []any
		if strings.Contains(q, "$1") {
			args = append(args, at)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("party law: %w", err)
		}
	}
	return nil
}

// lawReach gives each reach row whose sending party has no law of its own
// the law of the nearest party above it on its path that has one (the
// party that sent it the data, under the controller's instructions), else
// EU law: kedja_path_law's rule. Only those rows are touched; they are few
// (processors outside every law's territory making onward transfers). It
// then fills run_standing, which the checks join.
func lawReach(ctx context.Context, tx *sqlx.Tx, at time.Time) error {
	_, err := tx.ExecContext(ctx, `
		UPDATE reach r SET law = COALESCE(up.law, 'eu'), law_country = up.country_code
		FROM reach r2
		LEFT JOIN LATERAL (SELECT pl.law, pl.country_code FROM unnest(r2.links) WITH ORDINALITY AS u(link_id, n)
		                   JOIN links l ON l.id = u.link_id JOIN party_law pl ON pl.id = l.from_id
		                   WHERE pl.law IS NOT NULL ORDER BY u.n DESC LIMIT 1) up ON true
		WHERE r2.law IS NULL AND r.ctid = r2.ctid`)
	if err != nil {
		return fmt.Errorf("reach law: %w", err)
	}
	if _, err := tx.ExecContext(ctx, runStandingSQL, at); err != nil {
		return fmt.Errorf("standing: %w", err)
	}
	return nil
}

// run_standing (a temporary table filled once per run by lawReach) is every
// country's standing for transfers under every law at the run's instant,
// worked out once per (country, law) rather than once per row or per check
// (issue 18 item 3), with restricted_since: the end of its last stretch in
// the law's own territory (the EEA for EU law) or under a full adequacy
// decision of that law before the instant, when one ended (the United
// Kingdom's EEA membership, say), and verdict_class, the standing a verdict
// starts from (kedja_verdict_class: 'bridged' during a bridge).
const runStandingSQL = `
	CREATE TEMP TABLE run_standing ON COMMIT DROP AS
	SELECT s.*, kedja_verdict_class(s.class, s.code, CAST($1 AS timestamptz), s.law) AS verdict_class
	FROM (
	SELECT c.code, w.code AS law, kedja_transfer_class(c.code, CAST($1 AS timestamptz), w.code) AS class,
	       (SELECT CAST(max(upper(x.v)) AS timestamptz) FROM (
	            SELECT m.valid AS v FROM eea_memberships m WHERE w.code = 'eu' AND m.country_code = c.code
	            UNION ALL
	            SELECT t.valid FROM law_territories t WHERE t.law = w.code AND t.country_code = c.code
	            UNION ALL
	            SELECT a.valid FROM adequacy_decisions a WHERE a.law = w.code AND a.country_code = c.code AND a.scope = 'full') x
	        WHERE upper(x.v) <= CAST(CAST($1 AS timestamptz) AS date)) AS restricted_since
	FROM countries c CROSS JOIN laws w) s`

// standing opens a check's WITH on run_standing.
const standing = `
	WITH standing AS MATERIALIZED (SELECT * FROM run_standing)`

// eeaNow is the EEA at the run's instant, once per country: what the
// checks that ask "outside the EEA?" (a location policy of the EEA, access
// from abroad) join instead of calling kedja_transfer_class per row.
const eeaNow = `
	eea_now AS MATERIALIZED (SELECT code FROM run_standing WHERE law = 'eu' AND class = 'eea')`
