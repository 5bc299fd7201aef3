-- The registry's core: who processes whose call data, where, under which
-- agreement, with which security evidence, and when. Every fact that can change
-- carries a validity period (tstzrange, [from, to), open end = still valid) or a
-- legal date, so the registry answers for any instant, not just for today.

CREATE EXTENSION IF NOT EXISTS btree_gist;

-- History: every insert and update of a registry row is copied here with its
-- author, so a past state can be read back. Rows are never deleted: ending a
-- fact sets the end of its period.
CREATE TABLE changes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_name text        NOT NULL,
    row_key    text        NOT NULL,
    op         text        NOT NULL CHECK (op IN ('insert', 'update')),
    actor      text        NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now(),
    row_data   jsonb       NOT NULL
);
CREATE INDEX changes_row ON changes (table_name, row_key, id);

CREATE FUNCTION kedja_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    who text := NULLIF(current_setting('kedja.actor', true), '');
    data jsonb := to_jsonb(NEW);
BEGIN
    -- Without an author a change cannot be accounted for; refuse it rather than
    -- record "unknown".
    IF who IS NULL THEN
        RAISE EXCEPTION 'kedja: set kedja.actor before changing %', TG_TABLE_NAME
            USING ERRCODE = 'P0001';
    END IF;
    INSERT INTO changes (table_name, row_key, op, actor, row_data)
    VALUES (TG_TABLE_NAME, COALESCE(data->>'id', data->>'code'), lower(TG_OP), who, data);
    RETURN NULL;
END $$;

CREATE FUNCTION kedja_forbid_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'kedja: rows of % are never deleted; end their period instead', TG_TABLE_NAME
        USING ERRCODE = 'P0002';
END $$;

CREATE FUNCTION kedja_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'kedja: % is append-only', TG_TABLE_NAME USING ERRCODE = 'P0002';
END $$;

CREATE TRIGGER changes_append_only BEFORE UPDATE OR DELETE ON changes
    FOR EACH ROW EXECUTE FUNCTION kedja_forbid_change();

-- Countries and their legal standing for transfers. EEA membership and
-- adequacy decisions change over time (the UK left the EEA, Brazil gained
-- adequacy in 2026), so both are dated rows, not flags.
CREATE TABLE countries (
    code char(2) PRIMARY KEY CHECK (code ~ '^[A-Z]{2}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200)
);

CREATE TABLE eea_memberships (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    country_code char(2)   NOT NULL REFERENCES countries,
    valid        daterange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT eea_memberships_no_overlap EXCLUDE USING gist (country_code WITH =, valid WITH &&)
);

CREATE TABLE adequacy_decisions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    country_code   char(2)   NOT NULL REFERENCES countries,
    scope          text      NOT NULL CHECK (scope IN ('full', 'partial')),
    -- condition_code makes a partial decision checkable by machine:
    -- commercial_organisation (Canada), dpf_certification (US, Decision 2023/1795).
    condition_code text      CHECK (condition_code IN ('commercial_organisation', 'dpf_certification', 'other')),
    condition      text,
    decision_ref   text,
    decided_on     date      NOT NULL,
    valid          daterange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT adequacy_partial_has_condition CHECK (scope = 'full' OR condition_code IS NOT NULL),
    CONSTRAINT adequacy_decisions_no_overlap EXCLUDE USING gist (country_code WITH =, valid WITH &&)
);

-- Parties: regions, public bodies and companies. A role is not a property of a
-- party but of a link between two parties (see links).
CREATE TABLE organisations (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    legal_name    text        NOT NULL CHECK (length(legal_name) BETWEEN 1 AND 300),
    org_number    text        CHECK (length(org_number) BETWEEN 1 AND 50),
    country_code  char(2)     NOT NULL REFERENCES countries,
    kind          text        NOT NULL CHECK (kind IN ('region', 'public_body', 'company', 'other')),
    parent_id     bigint      REFERENCES organisations,
    -- Swedish regions carry their official county code (01) and letter (AB).
    county_code   text        CHECK (county_code ~ '^[0-9]{2}$'),
    county_letter text        CHECK (county_letter ~ '^[A-Z]{1,2}$'),
    -- A controller's own time zone: routing windows ("nights and weekends") are
    -- read in it.
    time_zone     text        NOT NULL DEFAULT 'Europe/Stockholm',
    ended_at      timestamptz,
    CONSTRAINT organisations_not_own_parent CHECK (parent_id <> id),
    CONSTRAINT organisations_org_number_unique UNIQUE (country_code, org_number),
    CONSTRAINT organisations_county_code_unique UNIQUE (county_code)
);
CREATE INDEX organisations_parent ON organisations (parent_id);
CREATE INDEX organisations_name ON organisations (lower(legal_name));

-- Systems that handle calls: telephony, recording, storage, records, backup.
CREATE TABLE systems (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text        NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    kind            text        NOT NULL CHECK (kind IN ('telephony', 'recording', 'storage', 'records', 'backup', 'other')),
    operator_id     bigint      NOT NULL REFERENCES organisations,
    vendor_id       bigint      REFERENCES organisations,
    data_categories text[]      NOT NULL DEFAULT '{}',
    description     text        CHECK (length(description) <= 4000),
    ended_at        timestamptz
);
CREATE INDEX systems_operator ON systems (operator_id);
CREATE INDEX systems_vendor ON systems (vendor_id);

-- A system's security facts as they stood during a period. The storage server
-- of 2019 was internet-facing without a password from 2016 until 18 February
-- 2019; a regulator asking about 2017 needs the 2017 facts.
CREATE TABLE system_profiles (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    system_id            bigint    NOT NULL REFERENCES systems,
    valid                tstzrange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    internet_exposed     boolean   NOT NULL,
    authentication       text      NOT NULL CHECK (authentication IN ('none', 'password', 'mfa', 'certificate')),
    transport_encryption boolean   NOT NULL,
    encryption_at_rest   boolean   NOT NULL,
    -- NULL means no retention period was recorded, which is itself a finding.
    retention_days       integer   CHECK (retention_days > 0),
    note                 text      CHECK (length(note) <= 4000),
    CONSTRAINT system_profiles_no_overlap EXCLUDE USING gist (system_id WITH =, valid WITH &&)
);

-- Where a system stores data and where it is accessed from. Remote access from
-- abroad counts as a transfer (GDPR Art. 44), so both are recorded.
CREATE TABLE system_locations (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    system_id    bigint    NOT NULL REFERENCES systems,
    country_code char(2)   NOT NULL REFERENCES countries,
    purpose      text      NOT NULL CHECK (purpose IN ('storage', 'access')),
    valid        tstzrange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT system_locations_no_overlap
        EXCLUDE USING gist (system_id WITH =, country_code WITH =, purpose WITH =, valid WITH &&)
);
CREATE INDEX system_locations_system ON system_locations (system_id);

-- Processing links: data flows from one party to another, and the receiving
-- party holds a role on this link for this period. The same company can be a
-- processor on one link and a controller on another.
CREATE TABLE links (
    id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_id                  bigint    NOT NULL REFERENCES organisations,
    to_id                    bigint    NOT NULL REFERENCES organisations,
    role                     text      NOT NULL CHECK (role IN ('processor', 'sub_processor', 'joint_controller', 'independent_controller', 'recipient')),
    purpose                  text      NOT NULL CHECK (length(purpose) BETWEEN 1 AND 1000),
    data_categories          text[]    NOT NULL DEFAULT '{}',
    health_data              boolean   NOT NULL DEFAULT false,
    valid                    tstzrange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    agreement_ref            text      CHECK (length(agreement_ref) <= 300),
    agreement_date           date,
    -- Art. 28(2): a sub-processor needs the controller's prior authorisation.
    authorisation            text      NOT NULL DEFAULT 'none' CHECK (authorisation IN ('none', 'specific', 'general')),
    authorisation_date       date,
    authorising_controller_id bigint   REFERENCES organisations,
    -- Art. 44-49: how a transfer to a third country is made lawful.
    transfer_mechanism       text      NOT NULL DEFAULT 'none' CHECK (transfer_mechanism IN ('none', 'adequacy', 'scc', 'bcr', 'derogation')),
    scc_module               smallint  CHECK (scc_module BETWEEN 1 AND 4),
    tia_date                 date,
    -- Routing: which calls take this link. Free text as written in the
    -- agreement, and a machine-readable form: weekly windows read in
    -- routing_time_zone, and/or a share of calls.
    routing_note             text      CHECK (length(routing_note) <= 2000),
    routing_time_zone        text,
    routing_windows          jsonb     CHECK (jsonb_typeof(routing_windows) = 'array'),
    routing_share            numeric(5, 4) CHECK (routing_share > 0 AND routing_share <= 1),
    CONSTRAINT links_not_to_self CHECK (from_id <> to_id),
    CONSTRAINT links_scc_has_module CHECK ((transfer_mechanism = 'scc') = (scc_module IS NOT NULL)),
    CONSTRAINT links_authorisation_by_controller CHECK (authorisation = 'none' OR authorising_controller_id IS NOT NULL),
    CONSTRAINT links_no_overlap EXCLUDE USING gist (from_id WITH =, to_id WITH =, role WITH =, valid WITH &&)
);
CREATE INDEX links_from ON links USING gist (from_id, valid);
CREATE INDEX links_to ON links USING gist (to_id, valid);

-- What regulators and courts found a link's role to be, where it differs from
-- what was claimed (Medicall was seen three ways in the 1177 case).
CREATE TABLE role_findings (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    link_id    bigint NOT NULL REFERENCES links,
    role       text   NOT NULL CHECK (role IN ('processor', 'sub_processor', 'joint_controller', 'independent_controller', 'recipient', 'none')),
    authority  text   NOT NULL CHECK (length(authority) BETWEEN 1 AND 300),
    decided_on date   NOT NULL,
    reference  text   CHECK (length(reference) <= 300),
    note       text   CHECK (length(note) <= 4000)
);
CREATE INDEX role_findings_link ON role_findings (link_id);

-- Which party used which system to do the work of a link, and when.
CREATE TABLE system_uses (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    link_id   bigint    NOT NULL REFERENCES links,
    system_id bigint    NOT NULL REFERENCES systems,
    party_id  bigint    NOT NULL REFERENCES organisations,
    purpose   text      CHECK (length(purpose) <= 1000),
    valid     tstzrange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT system_uses_no_overlap
        EXCLUDE USING gist (link_id WITH =, system_id WITH =, party_id WITH =, valid WITH &&)
);
CREATE INDEX system_uses_link ON system_uses (link_id);
CREATE INDEX system_uses_system ON system_uses (system_id);
CREATE INDEX system_uses_party ON system_uses (party_id);

-- Moves of stored data: recordings held in one system moved into another on a
-- date. A recording from 2013 moved into a server set up in 2016 was held by
-- that server too.
CREATE TABLE data_moves (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_system_id bigint      NOT NULL REFERENCES systems,
    to_system_id   bigint      NOT NULL REFERENCES systems,
    moved_at       timestamptz NOT NULL,
    -- Which data moved: what was recorded in [recorded_from, recorded_until);
    -- open bounds mean "everything before/after".
    recorded_from  timestamptz,
    recorded_until timestamptz,
    note           text        CHECK (length(note) <= 4000),
    CONSTRAINT data_moves_not_to_self CHECK (from_system_id <> to_system_id),
    CONSTRAINT data_moves_recorded_order CHECK (recorded_until > recorded_from),
    CONSTRAINT data_moves_recorded_before_move CHECK (recorded_from < moved_at)
);
CREATE INDEX data_moves_from ON data_moves (from_system_id);
CREATE INDEX data_moves_to ON data_moves (to_system_id);

-- Security evidence about an organisation or a system.
CREATE TABLE attestations (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id       bigint      REFERENCES organisations,
    system_id    bigint      REFERENCES systems,
    kind         text        NOT NULL CHECK (kind IN ('iso27001', 'soc2_type2', 'pentest', 'hds', 'dpf_certification', 'other')),
    issuer       text        NOT NULL CHECK (length(issuer) BETWEEN 1 AND 300),
    issued_on    date        NOT NULL,
    -- Inclusive: an attestation valid until today is still valid today.
    valid_until  date,
    scope        text        CHECK (length(scope) <= 4000),
    evidence_ref text        CHECK (length(evidence_ref) <= 1000),
    -- Which systems the scope covers: a certificate for one service is no
    -- evidence for another. Kept on the row so its history is the row's.
    covered_system_ids bigint[] NOT NULL DEFAULT '{}',
    withdrawn_at timestamptz,
    CONSTRAINT attestations_one_subject CHECK (num_nonnulls(org_id, system_id) = 1),
    CONSTRAINT attestations_dates CHECK (valid_until >= issued_on)
);
CREATE INDEX attestations_org ON attestations (org_id);
CREATE INDEX attestations_system ON attestations (system_id);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['countries', 'eea_memberships', 'adequacy_decisions', 'organisations',
        'systems', 'system_profiles', 'system_locations', 'links', 'role_findings', 'system_uses',
        'data_moves', 'attestations']
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION kedja_record_change()', t || '_history', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE DELETE ON %I FOR EACH ROW EXECUTE FUNCTION kedja_forbid_delete()', t || '_no_delete', t);
    END LOOP;
END $$;
