-- When an incident's start is not known, the systems' dated profiles may
-- say it: a storage server whose profiles have said "reachable from the
-- internet" without a break since 2016 was exposed since 2016.

-- kedja_exposed_since is the start of the unbroken run of a system's
-- profiles that say it was reachable from the internet and that is in force
-- at instant at; NULL when its profile then does not say so (it says no, or
-- nobody established it: unknown is not guessed to be yes).
CREATE FUNCTION kedja_exposed_since(sys bigint, at timestamptz) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH RECURSIVE run AS (
        SELECT p.valid FROM system_profiles p
        WHERE p.system_id = sys AND p.valid @> at AND p.internet_exposed
      UNION ALL
        SELECT p.valid FROM run r
        JOIN system_profiles p ON p.system_id = sys AND upper(p.valid) = lower(r.valid) AND p.internet_exposed
    )
    SELECT min(lower(valid)) FROM run
$$;

-- kedja_incident_window is one system's window of an incident: from the
-- incident's start when it is known, else, for a breach of confidentiality,
-- from when the system's profiles say it was reachable from the internet
-- without a break up to the incident's discovery; to its containment.
-- Unbounded towards the past when neither is known.
CREATE FUNCTION kedja_incident_window(sys bigint, kind text, exposure_from timestamptz, discovered_at timestamptz,
                                      contained_at timestamptz) RETURNS tstzrange
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT tstzrange(COALESCE(exposure_from,
                              CASE WHEN kind = 'confidentiality' THEN kedja_exposed_since(sys, discovered_at) END),
                     contained_at, '[)')
$$;
