-- kedja_internet_access for the systems a caller asks about (issue 18:
-- traceCall at 1M links). A trace asks what the registry knew against the
-- systems that held the call (store/trace_exposure.go) at each instant where
-- one of their facts changed, and every such instant walked every way in of
-- the whole registry (1,030 internet-exposed profiles on the
-- 1,008,000-link registry) to keep the rows about its 39 systems or so.
-- Walking only from where they can be reached from, and looking up the
-- profiles of those systems rather than reading every exposed one: a
-- trace's exposure read p50 4.65-4.78 -> 2.12-2.21 ms (1,000 traces, seed
-- 1, alternated with the whole walk).
--
-- The rule moves, unchanged, from kedja_internet_access(at) (0012) to
-- kedja_internet_access(at, targets), which with targets walks only from
-- the systems one of them can be reached from (upstream): every system on
-- a way to a target is upstream of it, so the rows about the targets are
-- exactly those of the whole walk; rows about other systems upstream come
-- too, and the caller keeps those it asked about. With targets NULL it is
-- the whole walk, and kedja_internet_access(at) is that.
CREATE FUNCTION kedja_internet_access(at timestamptz, targets bigint[])
RETURNS TABLE (system_id bigint, source text, access_path_id bigint, profile_id bigint, entry_id bigint, gateway_id bigint,
               audience text, authentication text, privileged boolean, relation_ids bigint[], system_path bigint[])
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH RECURSIVE way_in AS (
        SELECT 'access_path' AS source, a.id AS access_path_id, CAST(NULL AS bigint) AS profile_id, e.entry_id,
               a.gateway_id, a.audience, a.authentication, a.privileged
        FROM access_paths a
        CROSS JOIN LATERAL (SELECT a.system_id AS entry_id UNION SELECT a.gateway_id WHERE a.gateway_id IS NOT NULL) e
        WHERE a.origin = 'internet' AND a.valid @> at
        UNION ALL
        SELECT 'profile', NULL, p.id, p.system_id, NULL, NULL, p.authentication, NULL
        FROM exposed p
        WHERE targets IS NULL
        UNION ALL
        -- With targets, each system upstream's profile is looked up (OFFSET
        -- 0 keeps it a lookup per system), not every exposed one read and
        -- then sifted: the planner cannot tell how few are upstream.
        SELECT 'profile', NULL, p.id, p.system_id, NULL, NULL, p.authentication, NULL
        FROM upstream u CROSS JOIN LATERAL (SELECT e.* FROM exposed e WHERE e.system_id = u.system_id OFFSET 0) p
        WHERE targets IS NOT NULL
    ), exposed AS NOT MATERIALIZED (
        SELECT p.id, p.system_id, p.authentication FROM system_profiles p
        WHERE p.internet_exposed AND p.valid @> at
    ), edge AS NOT MATERIALIZED (
        SELECT r.id, r.from_system_id AS src, r.to_system_id AS dst FROM system_relations r
        WHERE r.kind = 'gives_access_to' AND r.valid @> at
        UNION ALL
        SELECT r.id, r.to_system_id, r.from_system_id FROM system_relations r
        WHERE r.kind IN ('hosted_in', 'runs_on') AND r.valid @> at
    ), upstream AS (
        SELECT t AS system_id FROM unnest(targets) t
        UNION
        SELECT e.src FROM upstream u JOIN edge e ON e.dst = u.system_id
    ), walk AS (
        SELECT w.entry_id AS system_id, w.*, CAST('{}' AS bigint[]) AS relation_ids, ARRAY[w.entry_id] AS system_path
        FROM way_in w
        WHERE targets IS NULL OR w.entry_id IN (SELECT u.system_id FROM upstream u)
        UNION ALL
        SELECT e.dst, w.source, w.access_path_id, w.profile_id, w.entry_id, w.gateway_id, w.audience, w.authentication,
               w.privileged, w.relation_ids || e.id, w.system_path || e.dst
        FROM walk w JOIN edge e ON e.src = w.system_id
        WHERE NOT e.dst = ANY(w.system_path) AND cardinality(w.system_path) < 32
          AND (targets IS NULL OR e.dst IN (SELECT u.system_id FROM upstream u))
    )
    SELECT system_id, source, access_path_id, profile_id, entry_id, gateway_id, audience, authentication, privileged,
           relation_ids, system_path
    FROM walk
$$;

-- kedja_internet_access(at): every way in from the internet at at and every
-- system it reaches (0012's comment says how), for the checks.
CREATE OR REPLACE FUNCTION kedja_internet_access(at timestamptz)
RETURNS TABLE (system_id bigint, source text, access_path_id bigint, profile_id bigint, entry_id bigint, gateway_id bigint,
               audience text, authentication text, privileged boolean, relation_ids bigint[], system_path bigint[])
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT * FROM kedja_internet_access(at, CAST(NULL AS bigint[]))
$$;
