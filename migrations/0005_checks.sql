-- Compliance checks: controllers' location policies, the findings the checks
-- keep with their history, and the record of every run.

-- A controller's rule for where its data may be: in one country (Region
-- Stockholm: Sweden only from 11 September 2020), in the EEA, or in the EEA
-- and countries with a full adequacy decision.
CREATE TABLE location_policies (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    controller_id bigint    NOT NULL REFERENCES organisations,
    policy        text      NOT NULL CHECK (policy IN ('country', 'eea', 'eea_adequacy')),
    country_code  char(2)   REFERENCES countries,
    valid         tstzrange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    reference     text      CHECK (length(reference) <= 300),
    CONSTRAINT location_policies_country CHECK ((policy = 'country') = (country_code IS NOT NULL)),
    CONSTRAINT location_policies_no_overlap EXCLUDE USING gist (controller_id WITH =, valid WITH &&)
);
CREATE TRIGGER location_policies_history AFTER INSERT OR UPDATE ON location_policies
    FOR EACH ROW EXECUTE FUNCTION kedja_record_change();
CREATE TRIGGER location_policies_no_delete BEFORE DELETE ON location_policies
    FOR EACH ROW EXECUTE FUNCTION kedja_forbid_delete();

-- Every run of checks, scheduled or asked for. slot is the scheduled
-- activation time: with several instances on one database, the first to
-- claim a slot runs it and the others skip it.
CREATE TABLE check_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    checks      text[]      NOT NULL,
    slot        timestamptz,
    trigger     text        NOT NULL CHECK (trigger IN ('schedule', 'api', 'cli')),
    actor       text        NOT NULL,
    evaluated_at timestamptz NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    ended_at    timestamptz,
    found       integer,
    opened      integer,
    reopened    integer,
    resolved    integer,
    error       text,
    CONSTRAINT check_runs_slot_once UNIQUE (checks, slot)
);

-- A finding is identified by its check, its subject and the controller whose
-- chain it affects. A run that sees it again updates last_seen; one that no
-- longer sees it resolves it; if it comes back it reopens with its history.
CREATE TABLE findings (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    check_id        text        NOT NULL,
    subject_kind    text        NOT NULL CHECK (subject_kind IN ('party', 'system', 'link')),
    subject_id      bigint      NOT NULL,
    controller_id   bigint      NOT NULL REFERENCES organisations,
    severity        text        NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
    status          text        NOT NULL CHECK (status IN ('open', 'resolved', 'accepted')),
    path            bigint[]    NOT NULL,  -- link ids from the controller to the subject
    legal_ref       text        NOT NULL,
    message         text        NOT NULL,
    evidence        jsonb       NOT NULL,
    first_seen      timestamptz NOT NULL,
    last_seen       timestamptz NOT NULL,
    resolved_at     timestamptz,
    accepted_by     text,
    accepted_until  date,
    justification   text,
    CONSTRAINT findings_identity UNIQUE (check_id, subject_kind, subject_id, controller_id),
    CONSTRAINT findings_acceptance CHECK (status <> 'accepted' OR (accepted_by IS NOT NULL AND accepted_until IS NOT NULL AND justification IS NOT NULL))
);
CREATE INDEX findings_subject ON findings (subject_kind, subject_id);
CREATE INDEX findings_controller ON findings (controller_id);
CREATE INDEX findings_status ON findings (status, severity);

-- What happened to each finding, and in which run.
CREATE TABLE finding_events (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    finding_id bigint      NOT NULL REFERENCES findings,
    event      text        NOT NULL CHECK (event IN ('opened', 'resolved', 'reopened', 'accepted', 'acceptance_lapsed', 'changed')),
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    run_id     bigint      REFERENCES check_runs,
    actor      text        NOT NULL,
    note       text
);
CREATE INDEX finding_events_finding ON finding_events (finding_id, id);
CREATE TRIGGER finding_events_append_only BEFORE UPDATE OR DELETE ON finding_events
    FOR EACH ROW EXECUTE FUNCTION kedja_forbid_change();

-- kedja_partial_condition_met says whether a recipient meets the condition
-- of its country's partial adequacy decision on the date of at: a US
-- organisation with a valid Data Privacy Framework certification, a Canadian
-- commercial organisation (not a public body).
CREATE FUNCTION kedja_partial_condition_met(org bigint, code char(2), at timestamptz) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (
        SELECT 1 FROM adequacy_decisions a
        WHERE a.country_code = code AND a.scope = 'partial' AND a.valid @> CAST(at AS date)
          AND ((a.condition_code = 'dpf_certification' AND EXISTS (
                    SELECT 1 FROM attestations t
                    WHERE t.org_id = org AND t.kind = 'dpf_certification' AND t.issued_on <= CAST(at AS date)
                      AND (t.valid_until IS NULL OR t.valid_until >= CAST(at AS date))
                      AND (t.withdrawn_at IS NULL OR t.withdrawn_at > at)))
            OR (a.condition_code = 'commercial_organisation'
                AND (SELECT kind FROM organisations WHERE id = org) = 'company')))
$$;
