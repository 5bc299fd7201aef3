package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

// walkSQL walks down from $1 at $2 with kedja_walk (migrations/0010_walk.sql,
// which the checks use too), then looks up what a step shows of its link and
// receiving party. kedja_walk is inlined in the first CTE, so the LIMIT stops
// the recursion itself.
//
// The rules that depend on fewer things than a step are asked once per
// distinct argument, not once per step: a walk of 39 steps on the generated
// 1M-link registry has 13 senders and about 10 (country, law) pairs, and each
// call costs 5-20 µs (migrations/0038). A link's transfer verdict starts from
// its country's standing under the sender's law, as the checks' verdicts do.
const walkSQL = `
WITH w AS MATERIALIZED (
    SELECT * FROM kedja_walk(ARRAY[CAST($1 AS bigint)], CAST($2 AS timestamptz), CAST($4 AS int), true, CAST($3 AS boolean))
    LIMIT $5 -- without ORDER BY, so the walk stops there
), sender AS MATERIALIZED (
    SELECT f.from_id, kedja_party_law(f.from_id, CAST($2 AS timestamptz)) AS law FROM (SELECT DISTINCT from_id FROM w) f
), step AS MATERIALIZED (
    -- The exporter's law (migrations/0030_laws.sql): the sending party's
    -- own, and only where it has none the path's (kedja_path_law).
    SELECT w.*, o.country_code, COALESCE(s.law, kedja_path_law(w.link_path, CAST($2 AS timestamptz))) AS law
    FROM w JOIN sender s ON s.from_id = w.from_id
    -- Lookups by key, row by row: the walk is small, the tables are not,
    -- and a hash join would scan them whole.
    CROSS JOIN LATERAL (SELECT country_code FROM organisations WHERE id = w.to_id OFFSET 0) o
), standing AS MATERIALIZED (
    -- Each receiving country's standing under each law, and the standing a
    -- verdict starts from (kedja_verdict_class), as the checks' run_standing
    -- has them (store/checks_law.go).
    SELECT c.country_code, c.law, t.transfer_class,
           kedja_verdict_class(t.transfer_class, c.country_code, CAST($2 AS timestamptz), c.law) AS verdict_class
    FROM (SELECT DISTINCT country_code, law FROM step) c
    -- OFFSET 0 keeps the class one call: pulled up, it was asked again
    -- inside kedja_verdict_class's arguments.
    CROSS JOIN LATERAL (SELECT kedja_transfer_class(c.country_code, CAST($2 AS timestamptz), c.law) AS transfer_class OFFSET 0) t
)
SELECT w.link_id, w.from_id, w.to_id, w.role, w.depth, w.path, w.link_path, w.is_cycle, w.route, w.possible,
       w.country_code AS to_country, st.transfer_class,
       -- kedja_transfer_verdict, from the standing worked out above.
       kedja_transfer_verdict_in(st.verdict_class, w.to_id, w.country_code, CAST($2 AS timestamptz), l.transfer_mechanism, l.tia_date,
                                 w.law, l.transfer_tool) AS transfer,
       l.agreement_ref, l.authorisation, l.transfer_mechanism, l.scc_module, l.health_data,
       CAST(l.routing_share AS double precision) AS routing_share, l.routing_note,
       rf.role AS found_role, rf.authority AS found_by, rf.decided_on AS found_on
FROM step w
JOIN standing st ON st.country_code = w.country_code AND st.law = w.law
CROSS JOIN LATERAL (SELECT * FROM links WHERE id = w.link_id OFFSET 0) l
-- What an authority or court decided the role was, latest first, of what
-- has been decided by now; only when asked ($6), since a chain shows none
-- and the lookup costs a chain about a tenth of its time.
LEFT JOIN LATERAL (SELECT role, authority, decided_on FROM role_findings
                   WHERE $6 AND link_id = w.link_id AND decided_on <= CURRENT_DATE ORDER BY decided_on DESC, id DESC LIMIT 1) rf ON true
ORDER BY w.depth, w.path, w.link_id`

// Walk returns every link reachable from root at the instant at, at any depth
// up to opts.MaxDepth, in one statement. truncated reports that more than
// opts.MaxSteps steps exist (only the first MaxSteps are returned).
func (s *Store) Walk(ctx context.Context, root int64, at time.Time, opts registry.WalkOptions) (steps []registry.Step, truncated bool, err error) {
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = registry.MaxChainDepth
	}
	if opts.MaxSteps <= 0 {
		opts.MaxSteps = 10000
	}
	if err := s.selectx(ctx, s.q(ctx), &steps, walkSQL, root, at, opts.FollowRouting, opts.MaxDepth, opts.MaxSteps+1, opts.FoundRoles); err != nil {
		return nil, false, err
	}
	if len(steps) > opts.MaxSteps {
		return steps[:opts.MaxSteps], true, nil
	}
	return steps, false, nil
}

// upPath is one path of links from a party with no incoming link at the
// instant (a controller at the top of a chain) down to the subject.
type upPath struct {
	LinkPath pq.Int64Array `db:"link_path"` // root's link first
	Cycle    bool          `db:"is_cycle"`
	// MoveID is the recorded move of stored data that brought this path's
	// data into the subject system; nil when the subject received it over
	// the path at the instant itself.
	MoveID *int64 `db:"move_id"`
}

// upSQL walks up from the links by which a subject received data and still
// held it at $3 with kedja_up (migrations/0014_incidents.sql, which an
// incident's impact walks over its exposure window): for an organisation
// ($1), the links into it; for a system ($2), the links it was used on then,
// and the links on which recordings were made that recorded moves of stored
// data (data_moves, hop by hop) carried into it before $3, unless the
// system's retention at $3 says they are gone. A path up from a moved
// recording is walked at the last instant of its recording in the source
// system, when its links were in force. It keeps the paths that reach a
// party with no incoming link (or close a loop); a path the subject held
// directly is not repeated for a move.
const upSQL = `
SELECT DISTINCT ON (link_path) link_path, is_cycle, move_id
FROM (SELECT * FROM kedja_up(CAST($1 AS bigint), CAST($2 AS bigint),
                             tstzrange(CAST($3 AS timestamptz), CAST($3 AS timestamptz), '[]'), CAST($4 AS int), false)
      LIMIT $5) u
WHERE is_cycle OR height >= $4 OR top
ORDER BY link_path, move_id NULLS FIRST`

// walkUp returns every path from a controller at the top of a chain down to
// the organisation or system given (exactly one of org and system is
// non-zero), at an instant, in one statement.
func (s *Store) walkUp(ctx context.Context, org, system int64, at time.Time, opts registry.WalkOptions) ([]upPath, error) {
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = registry.MaxChainDepth
	}
	if opts.MaxSteps <= 0 {
		opts.MaxSteps = 10000
	}
	var paths []upPath
	err := s.selectx(ctx, s.q(ctx), &paths, upSQL, org, system, at, opts.MaxDepth, opts.MaxSteps)
	return paths, err
}

// Responsibility works out who was responsible for an organisation or a
// system (exactly one of org and system is non-zero) at an instant: the
// walk up, the links, parties and moves on it, and the rule functions'
// answers for each link, in five statements whatever the paths.
func (s *Store) Responsibility(ctx context.Context, org, system int64, at time.Time, maxDepth int) (registry.Responsibility, error) {
	up, err := s.walkUp(ctx, org, system, at, registry.WalkOptions{MaxDepth: maxDepth})
	if err != nil {
		return registry.Responsibility{}, err
	}
	var ids, moveIDs []int64
	paths := make([]registry.UpPath, 0, len(up))
	linkPaths := make([][]int64, 0, len(up))
	for _, p := range up {
		ids = append(ids, p.LinkPath...)
		paths = append(paths, registry.UpPath{Links: p.LinkPath, MoveID: p.MoveID})
		linkPaths = append(linkPaths, p.LinkPath)
		if p.MoveID != nil {
			moveIDs = append(moveIDs, *p.MoveID)
		}
	}
	links, err := s.Links(ctx, ids)
	if err != nil {
		return registry.Responsibility{}, err
	}
	var partyIDs []int64
	for _, l := range links {
		partyIDs = append(partyIDs, l.FromID, l.ToID)
	}
	parties, err := s.Parties(ctx, partyIDs, at)
	if err != nil {
		return registry.Responsibility{}, err
	}
	rules, err := s.LinkRules(ctx, ids, at, registry.Placements(linkPaths, links), linkPaths)
	if err != nil {
		return registry.Responsibility{}, err
	}
	moves := map[int64]registry.DataMove{}
	if len(moveIDs) > 0 {
		if moves, err = byIDs(ctx, s, dataMoves, moveIDs, func(m *registry.DataMove) int64 { return m.ID }); err != nil {
			return registry.Responsibility{}, err
		}
	}
	return registry.BuildResponsibility(at, org, system, paths, links, parties, rules, moves), nil
}

// LinkRules asks the rule functions about links at an instant, in one
// statement. placements say how deep each link sits below each controller
// above it (registry.Placements): a link lacks authorisation when any of
// them lacks its approval, as the authorisation check judges per controller.
// paths are the paths of links down from the controllers (the root's link
// first) the links were reached over: each transfer is judged by the law
// kedja_path_law gives the path up to its link, as the checks judge it. A
// link reached over several paths whose senders' laws differ is judged on
// each, and the gravest verdict is reported with what its law cites
// (kedja_transfer_verdict_rank), ties going to the shortest path: the
// checks keep per subject the gravest finding of its shortest path. What a
// missing agreement or authorisation cites, and the receiving party's
// country's standing (kedja_transfer_class), are that same path's law's. A
// link on no path is judged as a path of its own.
func (s *Store) LinkRules(ctx context.Context, ids []int64, at time.Time, placements []registry.Placement, paths [][]int64) (map[int64]registry.LinkRules, error) {
	pl, pc, pd := make([]int64, len(placements)), make([]int64, len(placements)), make([]int64, len(placements))
	for i, p := range placements {
		pl[i], pc[i], pd[i] = p.LinkID, p.ControllerID, int64(p.Depth)
	}
	// PostgreSQL's arrays of arrays are rectangular; each path goes as the
	// text of a bigint[].
	pathTexts := make([]string, len(paths))
	for i, p := range paths {
		v, err := pq.Int64Array(p).Value()
		if err != nil {
			return nil, err
		}
		pathTexts[i] = v.(string)
	}
	var rows []registry.LinkRules
	if err := s.selectx(ctx, s.q(ctx), &rows, `WITH prefix AS (
		    -- Each path up to each of its links: the path that link's
		    -- transfer is judged over.
		    SELECT DISTINCT p.path[n] AS link_id, p.path[1:n] AS link_path
		    FROM (SELECT CAST(t AS bigint[]) AS path FROM unnest(CAST($6 AS text[])) AS t) p
		    CROSS JOIN LATERAL generate_series(1, cardinality(p.path)) AS n
		)
		SELECT l.id AS link_id,
		kedja_agreement_missing(l.role, l.agreement_ref) AS no_agreement,
		COALESCE((SELECT bool_or(kedja_authorisation_missing(l.role, l.authorisation, CAST(p.depth AS int),
		              kedja_approved(l.id, l.authorisation, l.authorising_controller_id, p.controller_id, CAST($2 AS timestamptz))))
		          FROM unnest(CAST($3 AS bigint[]), CAST($4 AS bigint[]), CAST($5 AS bigint[])) AS p(link_id, controller_id, depth)
		          WHERE p.link_id = l.id), false) AS no_authorisation,
		j.transfer,
		-- What a gap cites under that law, for the state of the party
		-- whose law it is (kedja_path_law_country), as the checks cite.
		kedja_law_citation(j.law, j.law_country, CAST($2 AS timestamptz), 'transfer') AS transfer_ref,
		kedja_law_citation(j.law, j.law_country, CAST($2 AS timestamptz), 'safeguards') AS safeguards_ref,
		-- and a processor's engagement, under the same path's law.
		kedja_law_citation(j.law, j.law_country, CAST($2 AS timestamptz), 'agreement') AS agreement_ref,
		kedja_law_citation(j.law, j.law_country, CAST($2 AS timestamptz), 'authorisation') AS authorisation_ref,
		-- The receiving party's country's standing under that same law: a
		-- UK processor of a UK controller is domestic, not a transfer.
		kedja_transfer_class(o.country_code, CAST($2 AS timestamptz), j.law) AS transfer_class
		FROM links l JOIN organisations o ON o.id = l.to_id
		CROSS JOIN LATERAL (
		    SELECT v.law, v.law_country, v.transfer
		    FROM (SELECT x.link_path FROM prefix x WHERE x.link_id = l.id
		          UNION ALL
		          SELECT ARRAY[l.id] WHERE NOT EXISTS (SELECT 1 FROM prefix x WHERE x.link_id = l.id)) pp
		    CROSS JOIN LATERAL (SELECT kedja_path_law(pp.link_path, CAST($2 AS timestamptz)) AS law) w
		    CROSS JOIN LATERAL (SELECT w.law, kedja_path_law_country(pp.link_path, CAST($2 AS timestamptz)) AS law_country,
		                               kedja_transfer_verdict(o.id, o.country_code, CAST($2 AS timestamptz), l.transfer_mechanism, l.tia_date,
		                                                      w.law, l.transfer_tool) AS transfer) v
		    ORDER BY kedja_transfer_verdict_rank(v.transfer), cardinality(pp.link_path), CAST(pp.link_path AS text)
		    LIMIT 1) j
		WHERE l.id = ANY($1)`,
		pq.Array(ids), at, pq.Array(pl), pq.Array(pc), pq.Array(pd), pq.Array(pathTexts)); err != nil {
		return nil, fmt.Errorf("link rules: %w", err)
	}
	out := make(map[int64]registry.LinkRules, len(rows))
	for _, r := range rows {
		out[r.LinkID] = r
	}
	return out, nil
}
