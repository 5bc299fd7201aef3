-- The walk down a chain, written once. The chain and the trace walk from one
-- controller (store/chain.go), the checks from every controller at once
-- (store/checkrun.go); they used to be two recursive queries with their own
-- cycle handling, which only a test kept in agreement.

-- kedja_walk returns every link valid at instant at that leads out of a
-- party reached from one of roots, at most max_depth links from its root,
-- with the path of parties (root first) and of links to it. A link back to a
-- party already on its path is returned with is_cycle and not followed, so
-- the walk never loops; callers that only want who held the data drop those
-- rows.
--
-- With routing, route is what kedja_route says of a call at the instant on
-- that link, its windows read in the link's time zone or else its root's,
-- and possible says that some link on the path takes only a share of calls;
-- without it both are NULL and kedja_route is never called (the checks look
-- at every link valid then, whatever its routing). prune_out_of_window
-- (which implies routing) returns a link whose windows exclude the instant
-- but does not follow it: a call at that instant never took it.
--
-- It is one SELECT in LANGUAGE sql, STABLE and not STRICT, so that the
-- planner inlines it into the caller's query when its arguments have no
-- sub-selects: a LIMIT on it then stops the recursion, and constant
-- arguments fold away (routing false leaves no route to compute). Rows come
-- in no particular order; sorting them would read the whole walk.
CREATE FUNCTION kedja_walk(roots bigint[], at timestamptz, max_depth int, routing boolean, prune_out_of_window boolean)
RETURNS TABLE (root_id bigint, link_id bigint, from_id bigint, to_id bigint, role text, depth int,
               path bigint[], link_path bigint[], is_cycle boolean, route text, possible boolean)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH RECURSIVE walk AS (
        SELECT o.id AS root_id, o.time_zone AS root_time_zone,
               l.id AS link_id, l.from_id, l.to_id, l.role, 1 AS depth,
               ARRAY[l.from_id, l.to_id] AS path, ARRAY[l.id] AS link_path,
               false AS is_cycle, r.route, r.route = 'share' AS possible
        FROM organisations o
        JOIN links l ON l.from_id = o.id AND l.valid @> at
        CROSS JOIN LATERAL (
            SELECT CASE WHEN routing OR prune_out_of_window
                        THEN kedja_route(l.routing_windows, l.routing_share, l.routing_note, at,
                                         COALESCE(l.routing_time_zone, o.time_zone))
                   END AS route) r
        WHERE o.id = ANY(roots)
      UNION ALL
        SELECT w.root_id, w.root_time_zone,
               l.id, l.from_id, l.to_id, l.role, w.depth + 1,
               w.path || l.to_id, w.link_path || l.id,
               l.to_id = ANY(w.path), r.route, w.possible OR r.route = 'share'
        FROM walk w
        JOIN links l ON l.from_id = w.to_id AND l.valid @> at
        CROSS JOIN LATERAL (
            SELECT CASE WHEN routing OR prune_out_of_window
                        THEN kedja_route(l.routing_windows, l.routing_share, l.routing_note, at,
                                         COALESCE(l.routing_time_zone, w.root_time_zone))
                   END AS route) r
        WHERE NOT w.is_cycle AND w.depth < max_depth
          AND NOT (prune_out_of_window AND w.route = 'out_of_window')
    )
    SELECT root_id, link_id, from_id, to_id, role, depth, path, link_path, is_cycle, route, possible FROM walk
$$;
