-- Tracing a call: routing windows evaluated in SQL, so that a walk down the
-- chain can prune the links a call did not take in the same recursive query,
-- and stored traces, because an answer to an access request must be
-- reproducible later, whatever has changed in the registry since.

-- kedja_in_windows reports whether an instant falls in any weekly window
-- ({"days": ["sat"], "start": "21:00", "end": "07:00"}) read in time zone tz.
-- A window whose end is not after its start runs past midnight: the part
-- after midnight belongs to the day the window started.
CREATE FUNCTION kedja_in_windows(windows jsonb, at timestamptz, tz text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (
        SELECT 1
        FROM jsonb_array_elements(windows) AS w,
             LATERAL (SELECT at AT TIME ZONE tz AS lt) AS l,
             LATERAL (SELECT lower(to_char(l.lt, 'Dy')) AS today,
                             lower(to_char(l.lt - interval '1 day', 'Dy')) AS yesterday,
                             CAST(l.lt AS time) AS t,
                             CAST(w->>'start' AS time) AS s,
                             CAST(w->>'end' AS time) AS e) AS x
        WHERE CASE WHEN x.s < x.e
                   THEN (w->'days') ? x.today AND x.t >= x.s AND x.t < x.e
                   ELSE ((w->'days') ? x.today AND x.t >= x.s)
                     OR ((w->'days') ? x.yesterday AND x.t < x.e)
              END)
$$;

-- kedja_route says whether a call at an instant took a link, from its
-- routing: 'in_window' or 'out_of_window' when weekly windows decide; 'share'
-- when only a share of calls is known (the call possibly took it);
-- 'unstructured' when only a free-text note exists; 'all' when nothing
-- restricts the link.
CREATE FUNCTION kedja_route(windows jsonb, share numeric, note text, at timestamptz, tz text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN windows IS NOT NULL AND jsonb_array_length(windows) > 0 THEN
            CASE WHEN kedja_in_windows(windows, at, tz) THEN 'in_window' ELSE 'out_of_window' END
        WHEN share IS NOT NULL AND share < 1 THEN 'share'
        WHEN note IS NOT NULL THEN 'unstructured'
        ELSE 'all'
    END
$$;

-- A trace answers "who held my call?" for one case. Its result is kept as it
-- was computed; the id is random so that a report's address cannot be
-- guessed from another's.
CREATE TABLE call_traces (
    id         text        PRIMARY KEY CHECK (id ~ '^[0-9a-f]{32}$'),
    region_id  bigint      NOT NULL REFERENCES organisations,
    call_at    timestamptz NOT NULL,
    case_ref   text        NOT NULL CHECK (length(case_ref) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text        NOT NULL,
    result     jsonb       NOT NULL
);
CREATE INDEX call_traces_case ON call_traces (case_ref);

CREATE TRIGGER call_traces_append_only BEFORE UPDATE OR DELETE ON call_traces
    FOR EACH ROW EXECUTE FUNCTION kedja_forbid_change();

-- The walk down a chain follows links out of a party at an instant.
CREATE INDEX links_from_btree ON links (from_id);
CREATE INDEX system_uses_link_valid ON system_uses USING gist (link_id, valid);

-- kedja_transfer_class is a country's standing for transfers on the date of
-- an instant (in the session's time zone, the registry's): 'eea', 'adequacy',
-- 'partial_adequacy' or 'third_country'.
CREATE FUNCTION kedja_transfer_class(code char(2), at timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM eea_memberships m WHERE m.country_code = code AND m.valid @> CAST(at AS date)) THEN 'eea'
        ELSE COALESCE((SELECT CASE a.scope WHEN 'full' THEN 'adequacy' ELSE 'partial_adequacy' END
                       FROM adequacy_decisions a WHERE a.country_code = code AND a.valid @> CAST(at AS date)),
                      'third_country')
    END
$$;
