-- Art. 28(2) change notices (issue 17): under a controller's general
-- authorisation a processor may engage or replace a sub-processor only
-- after telling the controller, who may object within the notice period of
-- their agreement. What is recorded: the notice period of a link's
-- agreement, each notice of a new or replacing sub-processor link, and each
-- controller's dated responses. Which authorisation governs a link, what a
-- notice's deadline is and where a controller stands on it are the rule
-- functions below, which the checks, the chain and the API all call.

-- The notice period a link's agreement gives its controller to object to a
-- change of sub-processors, in calendar days, for a period. No row in force
-- means the agreement's period is not recorded: unknown, never guessed.
CREATE TABLE notice_periods (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    link_id bigint    NOT NULL REFERENCES links,
    days    integer   NOT NULL CHECK (days BETWEEN 0 AND 366),
    clause  text      CHECK (length(clause) <= 300),
    note    text      CHECK (length(note) <= 4000),
    valid   tstzrange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT notice_periods_no_overlap EXCLUDE USING gist (link_id WITH =, valid WITH &&)
);

-- A processor's notice of a new sub-processor (link_id, the link that
-- engages it) or of one replacing another (replaces_link_id), sent on a
-- date, taking effect on another.
CREATE TABLE change_notices (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    link_id          bigint      NOT NULL REFERENCES links,
    kind             text        NOT NULL CHECK (kind IN ('new', 'replacement')),
    replaces_link_id bigint      REFERENCES links,
    sent_at          timestamptz NOT NULL,
    effective_at     timestamptz NOT NULL,
    reference        text        CHECK (length(reference) <= 300),
    note             text        CHECK (length(note) <= 4000),
    CONSTRAINT change_notices_replacement CHECK ((kind = 'replacement') = (replaces_link_id IS NOT NULL)),
    CONSTRAINT change_notices_not_itself CHECK (replaces_link_id <> link_id)
);
CREATE INDEX change_notices_link ON change_notices (link_id, sent_at);

-- A controller's response to a notice, dated: no objection, or an objection
-- with its reason. Silence is no row. Responses are appended, never
-- changed: a controller that withdraws an objection answers again, and the
-- latest response counts.
CREATE TABLE notice_responses (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notice_id     bigint      NOT NULL REFERENCES change_notices,
    controller_id bigint      NOT NULL REFERENCES organisations,
    response      text        NOT NULL CHECK (response IN ('no_objection', 'objection')),
    reason        text        CHECK (length(reason) <= 4000),
    responded_at  timestamptz NOT NULL,
    reference     text        CHECK (length(reference) <= 300),
    CONSTRAINT notice_responses_reason CHECK (response <> 'objection' OR reason IS NOT NULL)
);
CREATE INDEX notice_responses_notice ON notice_responses (notice_id, controller_id);
CREATE TRIGGER notice_responses_append_only BEFORE UPDATE OR DELETE ON notice_responses
    FOR EACH ROW EXECUTE FUNCTION kedja_forbid_change();

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['notice_periods', 'change_notices', 'notice_responses']
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION kedja_record_change()', t || '_history', t);
        IF t <> 'notice_responses' THEN
            EXECUTE format('CREATE TRIGGER %I BEFORE DELETE ON %I FOR EACH ROW EXECUTE FUNCTION kedja_forbid_delete()', t || '_no_delete', t);
        END IF;
    END LOOP;
END $$;

-- kedja_engaged_below: a link depth links below a controller, with the
-- receiving party's role, engages a party that needs the controller's
-- authorisation (Art. 28(2)): anyone two or more links down, or a
-- sub-processor on its own link, as kedja_authorisation_missing judges.
CREATE FUNCTION kedja_engaged_below(depth int, role text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT depth >= 2 OR role = 'sub_processor'
$$;

-- kedja_general_processor_link: controller has given the party that
-- engages link (its sending party) a general authorisation to engage
-- sub-processors at at, on its own link to that party (the link's
-- authorisation GENERAL, naming the controller).
CREATE FUNCTION kedja_general_processor_link(link bigint, controller bigint, at timestamptz) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (SELECT 1 FROM links s JOIN links p ON p.to_id = s.from_id
                   WHERE s.id = link AND p.from_id = controller AND p.valid @> at
                     AND p.authorisation = 'general' AND p.authorising_controller_id = controller)
$$;

-- kedja_approved (0011) also counts that general authorisation: under it
-- the processor needs no approval of each sub-processor, only to give
-- notice (Art. 28(2), second sentence), which kedja_notice_status judges.
CREATE OR REPLACE FUNCTION kedja_approved(link bigint, authorisation text, authorising_controller bigint, controller bigint, at timestamptz) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (authorisation <> 'none' AND authorising_controller = controller)
        OR EXISTS (SELECT 1 FROM subcontractor_approvals a
                   WHERE a.link_id = link AND a.controller_id = controller AND a.valid @> at)
        OR kedja_general_processor_link(link, controller, at)
$$;

-- kedja_authorisation_kind is the authorisation under which controller
-- allows the party engaged on link at at: 'specific' where it approved this
-- one (the link's own authorisation naming it, or a specific subcontractor
-- approval in force); else 'general' where a general approval of this link
-- or its general authorisation to the engaging processor covers it; else
-- 'specific' where its agreement with that processor asks for specific
-- approval of each; else 'none'.
CREATE FUNCTION kedja_authorisation_kind(link bigint, controller bigint, at timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN (s.authorisation = 'specific' AND s.authorising_controller_id = controller)
          OR EXISTS (SELECT 1 FROM subcontractor_approvals a WHERE a.link_id = link AND a.controller_id = controller
                       AND a.kind = 'specific' AND a.valid @> at) THEN 'specific'
        WHEN (s.authorisation = 'general' AND s.authorising_controller_id = controller)
          OR EXISTS (SELECT 1 FROM subcontractor_approvals a WHERE a.link_id = link AND a.controller_id = controller
                       AND a.kind = 'general' AND a.valid @> at)
          OR kedja_general_processor_link(link, controller, at) THEN 'general'
        WHEN EXISTS (SELECT 1 FROM links p WHERE p.to_id = s.from_id AND p.from_id = controller AND p.valid @> at
                       AND p.authorisation = 'specific' AND p.authorising_controller_id = controller) THEN 'specific'
        ELSE 'none'
    END
    FROM links s WHERE s.id = link
$$;

-- kedja_notice_controllers: every controller under whose general
-- authorisation the party engaged on link is at at, other than the one
-- whose own processor it is: those a notice of the link is owed to.
CREATE FUNCTION kedja_notice_controllers(link bigint, at timestamptz) RETURNS TABLE (controller_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT DISTINCT c.id FROM (
        SELECT s.authorising_controller_id FROM links s WHERE s.id = link
        UNION ALL
        SELECT a.controller_id FROM subcontractor_approvals a WHERE a.link_id = link AND a.valid @> at
        UNION ALL
        SELECT p.from_id FROM links s JOIN links p ON p.to_id = s.from_id
        WHERE s.id = link AND p.valid @> at AND p.authorisation = 'general' AND p.authorising_controller_id = p.from_id
    ) c(id)
    JOIN links s ON s.id = link
    -- The controller's own link engages its own processor, which needs no
    -- notice to it (kedja_engaged_below at depth 1).
    WHERE c.id IS NOT NULL AND (c.id <> s.from_id OR kedja_engaged_below(1, s.role))
      AND kedja_authorisation_kind(link, c.id, at) = 'general'
$$;

-- kedja_objection_deadline: the end of controller's window to object to
-- notice: sent plus the notice period, in calendar days, of the agreement
-- on the controller's link to the processor that gives the notice, in
-- force when it was sent. NULL: no such period is recorded (unknown).
CREATE FUNCTION kedja_objection_deadline(notice bigint, controller bigint) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT n.sent_at + make_interval(days => min(np.days))
    FROM change_notices n
    JOIN links s ON s.id = n.link_id
    JOIN links p ON p.to_id = s.from_id AND p.from_id = controller AND p.valid @> n.sent_at
    JOIN notice_periods np ON np.link_id = p.id AND np.valid @> n.sent_at
    WHERE n.id = notice
    GROUP BY n.sent_at
$$;

-- kedja_notice_status says where controller stands at at on the party
-- engaged on link, as the notice checks and the chain read it:
--   kind      its authorisation (kedja_authorisation_kind);
--   state     NULL unless kind is general; else
--             'objected'      its latest response by then objects (open);
--             'no_notice'     no notice of the link sent by then;
--             'no_objection'  it answered that it does not object;
--             'window_open'   no answer yet, and the latest notice's
--                             objection window has not closed (at before
--                             its deadline);
--             'silent'        the window closed without an answer;
--             'deadline_unknown' no answer, and no notice period recorded;
--   and the latest notice, its deadline and the latest response.
CREATE FUNCTION kedja_notice_status(link bigint, controller bigint, at timestamptz)
RETURNS TABLE (kind text, state text, notice_id bigint, sent_at timestamptz, deadline timestamptz,
               response_id bigint, response text, responded_at timestamptz, reason text)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT k.kind,
           CASE WHEN k.kind <> 'general' THEN NULL
                WHEN r.response = 'objection' THEN 'objected'
                WHEN n.id IS NULL THEN 'no_notice'
                WHEN r.response = 'no_objection' THEN 'no_objection'
                WHEN d.deadline > at THEN 'window_open'
                WHEN d.deadline IS NULL THEN 'deadline_unknown'
                ELSE 'silent' END,
           n.id, n.sent_at, d.deadline, r.id, r.response, r.responded_at, r.reason
    FROM (SELECT kedja_authorisation_kind(link, controller, at) AS kind) k
    LEFT JOIN LATERAL (SELECT x.id, x.sent_at FROM change_notices x WHERE x.link_id = link AND x.sent_at <= at
                       ORDER BY x.sent_at DESC, x.id DESC LIMIT 1) n ON k.kind = 'general'
    LEFT JOIN LATERAL (SELECT kedja_objection_deadline(n.id, controller) AS deadline) d ON n.id IS NOT NULL
    LEFT JOIN LATERAL (SELECT y.id, y.response, y.responded_at, y.reason FROM notice_responses y
                       JOIN change_notices z ON z.id = y.notice_id
                       WHERE z.link_id = link AND y.controller_id = controller AND y.responded_at <= at
                       ORDER BY y.responded_at DESC, y.id DESC LIMIT 1) r ON k.kind = 'general'
$$;
