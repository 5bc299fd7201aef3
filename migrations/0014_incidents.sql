-- Incidents (personal data breaches, GDPR Art. 4(12)) and what follows from
-- them: who was aware when, who notified whom (Art. 33(1), 33(2), 34), and
-- the access logs that show what was taken. The impact itself is not
-- stored: it is worked out from the registry (kedja_up) whenever asked, so
-- a link recorded later (Region Kalmar län's 2013 night calls) shows at once.

CREATE TABLE incidents (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title           text        NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    kind            text        NOT NULL CHECK (kind IN ('confidentiality', 'integrity', 'availability')),
    status          text        NOT NULL CHECK (status IN ('open', 'contained', 'closed')),
    description     text        CHECK (length(description) <= 8000),
    -- The exposure window [exposure_from, contained_at): NULL exposure_from
    -- means the start is unknown, NULL contained_at that it is not contained.
    exposure_from   timestamptz,
    contained_at    timestamptz,
    discovered_at   timestamptz NOT NULL,
    data_categories text[]      NOT NULL DEFAULT '{}',
    -- Approximate numbers (Art. 33(3)(a)); NULL is unknown.
    subjects_approx bigint      CHECK (subjects_approx >= 0),
    records_approx  bigint      CHECK (records_approx >= 0),
    containment     text        CHECK (length(containment) <= 8000),
    measures        text        CHECK (length(measures) <= 8000),
    CONSTRAINT incidents_window CHECK (contained_at > exposure_from),
    CONSTRAINT incidents_discovered CHECK (discovered_at >= exposure_from),
    CONSTRAINT incidents_contained_status CHECK (status = 'open' OR contained_at IS NOT NULL)
);

-- The systems an incident concerns, each with the incident's kind and
-- window copied, so that two incidents of one kind cannot claim the same
-- system for overlapping windows.
CREATE TABLE incident_systems (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id bigint    NOT NULL REFERENCES incidents,
    system_id   bigint    NOT NULL REFERENCES systems,
    kind        text      NOT NULL,
    exposure    tstzrange NOT NULL,
    CONSTRAINT incident_systems_once UNIQUE (incident_id, system_id),
    CONSTRAINT incident_systems_no_overlap EXCLUDE USING gist (system_id WITH =, kind WITH =, exposure WITH &&)
);
CREATE INDEX incident_systems_system ON incident_systems (system_id);

-- The parties involved and when each became aware (Art. 33(1): the 72 hours
-- run from the controller's awareness), with each controller's Art. 34
-- assessment of telling the data subjects.
CREATE TABLE incident_parties (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id bigint      NOT NULL REFERENCES incidents,
    party_id    bigint      NOT NULL REFERENCES organisations,
    aware_at    timestamptz,
    art34       text        NOT NULL DEFAULT 'undecided' CHECK (art34 IN ('undecided', 'required', 'not_required')),
    art34_note  text        CHECK (length(art34_note) <= 4000),
    note        text        CHECK (length(note) <= 4000),
    CONSTRAINT incident_parties_once UNIQUE (incident_id, party_id)
);
CREATE INDEX incident_parties_party ON incident_parties (party_id);

-- Each notification made: a processor to its controller (Art. 33(2)), a
-- controller to the supervisory authority (Art. 33(1)), a controller to the
-- data subjects (Art. 34).
CREATE TABLE incident_notifications (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id   bigint      NOT NULL REFERENCES incidents,
    article       text        NOT NULL CHECK (article IN ('art33_1', 'art33_2', 'art34')),
    from_id       bigint      NOT NULL REFERENCES organisations,
    to_id         bigint      REFERENCES organisations,
    to_authority  text        CHECK (length(to_authority) BETWEEN 1 AND 300),
    sent_at       timestamptz NOT NULL,
    reference     text        CHECK (length(reference) <= 300),
    delay_reasons text        CHECK (length(delay_reasons) <= 4000),
    CONSTRAINT incident_notifications_addressee CHECK (
        (article = 'art33_2' AND to_id IS NOT NULL AND to_authority IS NULL)
     OR (article = 'art33_1' AND to_authority IS NOT NULL)
     OR (article = 'art34' AND to_id IS NULL))
);
CREATE INDEX incident_notifications_incident ON incident_notifications (incident_id);

-- Access or download logs attached to an incident as evidence, and their
-- rows as imported (append-only: evidence is not edited).
CREATE TABLE incident_logs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id bigint      NOT NULL REFERENCES incidents,
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    imported_at timestamptz NOT NULL DEFAULT now(),
    row_count   integer     NOT NULL
);
CREATE INDEX incident_logs_incident ON incident_logs (incident_id);

CREATE TABLE incident_log_rows (
    log_id      bigint      NOT NULL REFERENCES incident_logs,
    line        integer     NOT NULL,
    accessed_at timestamptz NOT NULL,
    source      text        NOT NULL,
    call_ref    text        NOT NULL,
    call_at     timestamptz,
    region      text,
    PRIMARY KEY (log_id, line)
);
CREATE INDEX incident_log_rows_call ON incident_log_rows (call_ref);
CREATE TRIGGER incident_log_rows_append_only BEFORE UPDATE OR DELETE ON incident_log_rows
    FOR EACH ROW EXECUTE FUNCTION kedja_forbid_change();

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['incidents', 'incident_systems', 'incident_parties', 'incident_notifications', 'incident_logs']
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION kedja_record_change()', t || '_history', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE DELETE ON %I FOR EACH ROW EXECUTE FUNCTION kedja_forbid_delete()', t || '_no_delete', t);
    END LOOP;
END $$;

-- kedja_up is the walk up from a subject (an organisation org, or a system
-- sys; the other is 0) to every controller whose data it held during win,
-- written once for responsibility at an instant (store/chain.go: win is
-- [at, at]) and an incident's impact over its exposure window.
--
-- The starts are the links by which the subject received data: for an
-- organisation, the links into it; for a system, the links it was used on,
-- and the links on which recordings were made that recorded moves of stored
-- data (data_moves, hop by hop) carried into it by the end of win, unless
-- its retention at the start of win says they were gone by then. held is
-- the period of the calls (recordings) concerned: for a system used on a
-- link, the use and the link's overlap with win (back by the retention
-- period, if one is recorded, for a period); for a moved recording, its
-- recording period in the source system.
--
-- Each row is one path up, root's link first, walked over walk: with
-- over_recording false (an instant), walk is the instant itself, or for a
-- moved recording the last instant of its recording, as responsibility
-- always answered; with over_recording true (a period), walk is held, so a
-- controller whose link covered any part of the recordings is found (the
-- night calls of 2013 moved onto the 2019 server). A link up must be valid
-- at some instant of walk, and narrows walk to its own period. top says the
-- path reached a party with no incoming link in walk: a controller at the
-- top of a chain. A link back to a party already on the path ends it with
-- is_cycle.
CREATE FUNCTION kedja_up(org bigint, sys bigint, win tstzrange, max_depth int, over_recording boolean)
RETURNS TABLE (link_id bigint, from_id bigint, height int, link_path bigint[], is_cycle boolean,
               walk tstzrange, held tstzrange, move_id bigint, top boolean)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE moved_in AS (
        SELECT m.id AS move_id, m.from_system_id AS system_id, m.moved_at, m.recorded_from AS rec_from,
               LEAST(m.recorded_until, m.moved_at) AS rec_until, ARRAY[m.to_system_id, m.from_system_id] AS systems
        FROM data_moves m WHERE m.to_system_id = sys AND m.moved_at <= COALESCE(upper(win), 'infinity')
      UNION ALL
        SELECT mi.move_id, m.from_system_id, m.moved_at, GREATEST(mi.rec_from, m.recorded_from),
               LEAST(mi.rec_until, m.recorded_until, m.moved_at), mi.systems || m.from_system_id
        FROM moved_in mi JOIN data_moves m ON m.to_system_id = mi.system_id AND m.moved_at <= mi.moved_at
        WHERE NOT m.from_system_id = ANY(mi.systems)
    ), profile AS (
        SELECT p.retention_days FROM system_profiles p
        WHERE p.system_id = sys AND p.valid @> COALESCE(lower(win), '-infinity')
    ), start AS (
        SELECT l.id, CASE WHEN over_recording THEN l.valid * win ELSE win END AS walk,
               l.valid * win AS held, CAST(NULL AS bigint) AS move_id
        FROM links l WHERE l.to_id = org AND l.valid && win
        UNION
        SELECT u.link_id, CASE WHEN over_recording THEN h.held ELSE win END, h.held, CAST(NULL AS bigint)
        FROM system_uses u JOIN links l ON l.id = u.link_id AND l.valid && win
        CROSS JOIN LATERAL (
            SELECT u.valid * l.valid * CASE WHEN over_recording
                THEN tstzrange(lower(win) - make_interval(days => (SELECT retention_days FROM profile)), upper(win), '[)')
                ELSE win END AS held) h
        WHERE u.system_id = sys AND u.valid && win AND NOT isempty(h.held)
        UNION
        SELECT l.id, CASE WHEN over_recording THEN w.held
                          ELSE tstzrange(upper(w.held) - interval '1 microsecond', upper(w.held) - interval '1 microsecond', '[]') END,
               w.held, mi.move_id
        FROM moved_in mi
        JOIN system_uses u ON u.system_id = mi.system_id
        JOIN links l ON l.id = u.link_id
        CROSS JOIN LATERAL (SELECT u.valid * l.valid * tstzrange(mi.rec_from, mi.rec_until, '[)') AS held) w
        WHERE NOT isempty(w.held)
          AND (NOT EXISTS (SELECT 1 FROM profile WHERE retention_days IS NOT NULL)
               OR upper(w.held) + make_interval(days => (SELECT retention_days FROM profile)) > COALESCE(lower(win), '-infinity'))
    ), up AS (
        SELECT l.id AS link_id, l.from_id, 1 AS height, ARRAY[l.id] AS link_path,
               ARRAY[l.to_id, l.from_id] AS parties, false AS is_cycle, start.walk, start.held, start.move_id
        FROM start JOIN links l ON l.id = start.id
      UNION ALL
        SELECT l.id, l.from_id, u.height + 1, l.id || u.link_path, u.parties || l.from_id, l.from_id = ANY(u.parties),
               u.walk * l.valid, u.held, u.move_id
        FROM up u JOIN links l ON l.to_id = u.from_id AND l.valid && u.walk
        WHERE NOT u.is_cycle AND u.height < max_depth
    )
    SELECT u.link_id, u.from_id, u.height, u.link_path, u.is_cycle, u.walk, u.held, u.move_id,
           NOT EXISTS (SELECT 1 FROM links x WHERE x.to_id = u.from_id AND x.valid && u.walk) AS top
    FROM up u
$$;

-- An incident's paths: every path up from each of its systems over its
-- exposure window, to a controller at the top of a chain (or a loop), with
-- the calls held (held: those made while every link of the path was in
-- force) and the move that brought them, if any.
CREATE FUNCTION kedja_incident_paths(incident bigint)
RETURNS TABLE (system_id bigint, link_path bigint[], held tstzrange, move_id bigint)
LANGUAGE sql STABLE AS $$
    SELECT s.system_id, u.link_path, u.walk, u.move_id
    FROM incident_systems s
    CROSS JOIN LATERAL kedja_up(0, s.system_id, s.exposure, 50, true) u
    WHERE s.incident_id = incident AND (u.top OR u.is_cycle OR u.height >= 50)
$$;

-- Art. 33(1): a controller notifies the supervisory authority within 72
-- hours of becoming aware of a breach.
CREATE FUNCTION kedja_art33_deadline(aware_at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT aware_at + interval '72 hours' $$;

-- Where a notification duty stands at instant at: notified (by the
-- deadline, or at all where the law sets none: Art. 33(2) "without undue
-- delay"), notified_late, not_aware (no awareness recorded for the party
-- that owes it), overdue (past the deadline, none recorded), not_notified
-- (no deadline, aware, none recorded) or due (aware, the deadline ahead).
CREATE FUNCTION kedja_notification_status(aware_at timestamptz, first_sent timestamptz, deadline timestamptz, at timestamptz)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN first_sent IS NOT NULL AND (deadline IS NULL OR first_sent <= deadline) THEN 'notified'
        WHEN first_sent IS NOT NULL THEN 'notified_late'
        WHEN aware_at IS NULL THEN 'not_aware'
        WHEN deadline IS NOT NULL AND at > deadline THEN 'overdue'
        WHEN deadline IS NULL AND at >= aware_at THEN 'not_notified'
        ELSE 'due' END
$$;

-- The notification duties an incident gives rise to, at instant at: each
-- controller on its paths (the party at the top of a chain, and a party
-- that is a joint or independent controller on a link) to the supervisory
-- authority (art33_1, deadline 72 hours from its awareness), and each
-- processor or sub-processor to the party that engaged it (art33_2, without
-- undue delay), along the chain at any depth. path is the links from the top
-- of the chain down to the party that owes the duty; controller_id the
-- controller it is owed to, or owes (art33_1). delay_reasons says whether
-- a late notification gave its reasons.
CREATE FUNCTION kedja_incident_duties(incident bigint, at timestamptz)
RETURNS TABLE (article text, from_id bigint, to_id bigint, controller_id bigint, path bigint[], aware_at timestamptz,
               deadline timestamptz, first_sent timestamptz, delay_reasons boolean, status text)
LANGUAGE sql STABLE AS $$
    WITH p AS (SELECT * FROM kedja_incident_paths(incident)),
    steps AS (
        SELECT p.link_path, o.n, l.from_id, l.to_id, l.role
        FROM p CROSS JOIN LATERAL unnest(p.link_path) WITH ORDINALITY AS o(link_id, n)
        JOIN links l ON l.id = o.link_id
    ),
    owed AS (
        SELECT 'art33_1' AS article, s.from_id, CAST(NULL AS bigint) AS to_id, s.from_id AS controller_id,
               CAST('{}' AS bigint[]) AS path
        FROM steps s WHERE s.n = 1
        UNION ALL
        SELECT 'art33_1', s.to_id, NULL, s.to_id, s.link_path[1:s.n]
        FROM steps s WHERE s.role IN ('joint_controller', 'independent_controller')
        UNION ALL
        SELECT 'art33_2', s.to_id, s.from_id, s.from_id, s.link_path[1:s.n]
        FROM steps s WHERE s.role IN ('processor', 'sub_processor')
    ),
    duty AS (
        SELECT DISTINCT ON (article, from_id, to_id) * FROM owed
        ORDER BY article, from_id, to_id, cardinality(path), path
    )
    SELECT d.article, d.from_id, d.to_id, d.controller_id, d.path, ip.aware_at, dl.deadline, n.first_sent,
           COALESCE(n.delay_reasons, false),
           kedja_notification_status(ip.aware_at, n.first_sent, dl.deadline, at)
    FROM duty d
    LEFT JOIN incident_parties ip ON ip.incident_id = incident AND ip.party_id = d.from_id
    CROSS JOIN LATERAL (SELECT CASE WHEN d.article = 'art33_1' THEN kedja_art33_deadline(ip.aware_at) END AS deadline) dl
    LEFT JOIN LATERAL (
        SELECT min(x.sent_at) AS first_sent, bool_or(x.delay_reasons IS NOT NULL) AS delay_reasons
        FROM incident_notifications x
        WHERE x.incident_id = incident AND x.article = d.article AND x.from_id = d.from_id
          AND (d.to_id IS NULL OR x.to_id = d.to_id) AND x.sent_at <= at
    ) n ON true
$$;
