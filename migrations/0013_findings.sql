-- Findings a regulator can read (issue 13).
--
-- A finding was one row per check, subject and controller: one fact about
-- Medicall gave four rows, one for each controller whose chain reaches it.
-- Now a finding is identified by its check and subject, and lists in
-- finding_controllers every controller whose chain it affects, each with the
-- path of links from that controller to the subject. A finding also says
-- since when its condition holds according to the dated facts (since: the
-- start of the link, profile or location, the day after an attestation
-- expired), beside first_seen, when a run of checks first found it. And a
-- finding may be INFO: worth recording, not a gap.

-- INFO, below LOW.
ALTER TABLE findings DROP CONSTRAINT findings_severity_check,
    ADD CONSTRAINT findings_severity CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info'));

-- kedja_severity_rank orders severities, the gravest first; an unknown one
-- after all of them.
CREATE OR REPLACE FUNCTION kedja_severity_rank(severity text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3
                         WHEN 'info' THEN 4 ELSE 5 END
$$;

-- When the condition began according to the dated facts, the earliest over
-- the controllers it affects; NULL when the facts do not say.
ALTER TABLE findings ADD COLUMN since timestamptz;

-- The controllers whose chains a finding affects, as the last run that found
-- it saw them. A run that finds it again adds the controllers it newly
-- affects and removes those it no longer does, and says so in the finding's
-- history (an event 'changed'); a run that no longer finds it leaves them as
-- they were, the controllers it affected when last seen.
CREATE TABLE finding_controllers (
    finding_id    bigint      NOT NULL REFERENCES findings,
    controller_id bigint      NOT NULL REFERENCES organisations,
    path          bigint[]    NOT NULL,  -- link ids from the controller to the subject
    since         timestamptz,           -- the condition, in this controller's chain
    first_seen    timestamptz NOT NULL,
    last_seen     timestamptz NOT NULL,
    PRIMARY KEY (finding_id, controller_id)
);
CREATE INDEX finding_controllers_controller ON finding_controllers (controller_id, finding_id);

-- Merge the findings of one check and subject into one: the row with the
-- gravest severity (then the shortest path, then the oldest) keeps its id,
-- message and evidence; it takes the earliest first_seen and the latest
-- last_seen of the group, the status of its most open member (open, else
-- accepted, else resolved), the latest acceptance, and every member's
-- controller, path and events.
CREATE TEMPORARY TABLE finding_merge ON COMMIT DROP AS
SELECT f.id, first_value(f.id) OVER w AS keep, count(*) OVER (PARTITION BY f.check_id, f.subject_kind, f.subject_id) AS members
FROM findings f
WINDOW w AS (PARTITION BY f.check_id, f.subject_kind, f.subject_id
             ORDER BY kedja_severity_rank(f.severity), cardinality(f.path), f.id);

INSERT INTO finding_controllers (finding_id, controller_id, path, first_seen, last_seen)
SELECT m.keep, f.controller_id, f.path, f.first_seen, f.last_seen
FROM findings f JOIN finding_merge m ON m.id = f.id;

UPDATE findings k SET
    first_seen = g.first_seen, last_seen = g.last_seen, status = g.status,
    resolved_at = CASE WHEN g.status = 'resolved' THEN g.resolved_at END,
    accepted_by = COALESCE(g.accepted_by, k.accepted_by),
    accepted_until = COALESCE(g.accepted_until, k.accepted_until),
    justification = COALESCE(g.justification, k.justification)
FROM (
    SELECT m.keep, min(f.first_seen) AS first_seen, max(f.last_seen) AS last_seen, max(f.resolved_at) AS resolved_at,
           CASE WHEN bool_or(f.status = 'open') THEN 'open' WHEN bool_or(f.status = 'accepted') THEN 'accepted' ELSE 'resolved' END AS status,
           (array_agg(f.accepted_by ORDER BY f.accepted_until DESC NULLS LAST))[1] AS accepted_by,
           max(f.accepted_until) AS accepted_until,
           (array_agg(f.justification ORDER BY f.accepted_until DESC NULLS LAST))[1] AS justification
    FROM findings f JOIN finding_merge m ON m.id = f.id
    GROUP BY m.keep
) g
WHERE k.id = g.keep;

-- The events are append-only; moving them to the finding they now belong to
-- changes nothing else about them.
ALTER TABLE finding_events DISABLE TRIGGER finding_events_append_only;
UPDATE finding_events e SET finding_id = m.keep FROM finding_merge m WHERE m.id = e.finding_id AND m.keep <> m.id;
ALTER TABLE finding_events ENABLE TRIGGER finding_events_append_only;

INSERT INTO finding_events (finding_id, event, actor, note)
SELECT m.keep, 'changed', 'kedja migrate',
       format('merged %s findings of this check and subject, one per controller (ids %s), into this one', m.members,
              string_agg(m.id::text, ', ' ORDER BY m.id))
FROM finding_merge m WHERE m.members > 1
GROUP BY m.keep, m.members;

DELETE FROM findings f USING finding_merge m WHERE m.id = f.id AND m.keep <> m.id;

ALTER TABLE findings
    DROP CONSTRAINT findings_identity,
    DROP COLUMN controller_id,
    DROP COLUMN path,
    ADD CONSTRAINT findings_identity UNIQUE (check_id, subject_kind, subject_id);
