package store

import (
	"context"
	"fmt"

	"github.com/kedja/kedja/registry"
)

// timelineSQL walks down from $1 over every link at any time, carrying along
// each path the period in which the whole path was in force (the
// intersection of its links' periods; a link whose period misses it is not
// followed), to depth $2, stopping after $3 paths. A link is in the chain
// during the union of its paths' periods; a system use during its own period
// within its link's; a system's locations and profiles during theirs within
// the system's uses'. Each bound of those periods is an instant at which the
// chain changed, counted by kind. Routing windows are left out: they say at
// which hours of a week a link carries calls, not when the chain changed.
//
// The window ($4, $5] (an open end when null) prunes the walk: a path is
// followed only while its span overlaps the window, and only the bounds in
// the window are listed. Spans are NOT clipped to the window: they stay the
// true intersections of their links' periods, or the window's own ends would
// show up as changes. Pruning loses nothing in the window: every period
// computed (a link's union of spans, a use's, a system's, a location's or
// profile's intersection with it) then equals the unwindowed one at every
// instant of the window, because what is left out is the spans that miss the
// window, and a bound at an instant t of the window depends only on the
// instants at and just before t, which (the window being open below) are in
// it. The window is open below so that a period ending at its lower end,
// which does not overlap it, has no bound in it either.
const timelineSQL = `
WITH RECURSIVE reach AS (
    SELECT l.id AS link_id, l.to_id, l.valid AS span, ARRAY[l.from_id, l.to_id] AS path, 1 AS depth, false AS is_cycle
    FROM links l WHERE l.from_id = $1 AND l.valid && tstzrange($4, $5, '(]')
  UNION ALL
    SELECT l.id, l.to_id, r.span * l.valid, r.path || l.to_id, r.depth + 1, l.to_id = ANY(r.path)
    FROM reach r JOIN links l ON l.from_id = r.to_id AND l.valid && r.span AND l.valid && tstzrange($4, $5, '(]')
    WHERE NOT r.is_cycle AND r.depth < $2 AND (r.span * l.valid) && tstzrange($4, $5, '(]')
),
walked AS MATERIALIZED (SELECT link_id, span FROM reach LIMIT $3),
link_spans AS (SELECT link_id, range_agg(span) AS m FROM walked GROUP BY link_id),
use_spans AS MATERIALIZED (
    SELECT u.id, u.system_id, range_agg(u.valid * w.span) AS m
    FROM walked w JOIN system_uses u ON u.link_id = w.link_id AND u.valid && w.span
    GROUP BY u.id, u.system_id),
system_spans AS MATERIALIZED (SELECT system_id, range_agg(x) AS m FROM use_spans, unnest(m) x GROUP BY system_id),
location_spans AS (
    SELECT multirange(sl.valid) * s.m AS m FROM system_spans s
    JOIN system_locations sl ON sl.system_id = s.system_id AND multirange(sl.valid) && s.m),
profile_spans AS (
    SELECT multirange(p.valid) * s.m AS m FROM system_spans s
    JOIN system_profiles p ON p.system_id = s.system_id AND multirange(p.valid) && s.m),
periods AS (
    SELECT 'link' AS kind, x FROM link_spans, unnest(m) x
    UNION ALL SELECT 'use', x FROM use_spans, unnest(m) x
    UNION ALL SELECT 'location', x FROM location_spans, unnest(m) x
    UNION ALL SELECT 'profile', x FROM profile_spans, unnest(m) x),
bounds AS (
    SELECT kind, lower(x) AS at, true AS started FROM periods
    UNION ALL SELECT kind, upper(x), false FROM periods WHERE NOT upper_inf(x))
SELECT at,
       count(*) FILTER (WHERE kind = 'link' AND started) AS links_started,
       count(*) FILTER (WHERE kind = 'link' AND NOT started) AS links_ended,
       count(*) FILTER (WHERE kind = 'use' AND started) AS uses_started,
       count(*) FILTER (WHERE kind = 'use' AND NOT started) AS uses_ended,
       count(*) FILTER (WHERE kind = 'location' AND started) AS locations_started,
       count(*) FILTER (WHERE kind = 'location' AND NOT started) AS locations_ended,
       count(*) FILTER (WHERE kind = 'profile' AND started) AS profiles_started,
       count(*) FILTER (WHERE kind = 'profile' AND NOT started) AS profiles_ended,
       (SELECT count(*) FROM walked) AS paths
FROM bounds WHERE tstzrange($4, $5, '(]') @> at GROUP BY at ORDER BY at`

// Timeline lists the instants at which root's chain changed (those in
// opts' window, when it has one), in one statement whatever the chain's
// length or history.
func (s *Store) Timeline(ctx context.Context, root int64, opts registry.TimelineOptions) (registry.ChainTimeline, error) {
	if err := opts.Validate(); err != nil {
		return registry.ChainTimeline{}, err
	}
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = registry.MaxChainDepth
	}
	if opts.MaxPaths <= 0 {
		opts.MaxPaths = 20000
	}
	var rows []struct {
		registry.ChainChange
		Paths int `db:"paths"`
	}
	if err := s.selectx(ctx, s.q(ctx), &rows, timelineSQL, root, opts.MaxDepth, opts.MaxPaths+1, opts.From, opts.To); err != nil {
		return registry.ChainTimeline{}, fmt.Errorf("chain timeline: %w", err)
	}
	out := registry.ChainTimeline{Changes: make([]registry.ChainChange, len(rows))}
	for i, r := range rows {
		out.Changes[i] = r.ChainChange
		out.Truncated = r.Paths > opts.MaxPaths
	}
	return out, nil
}
