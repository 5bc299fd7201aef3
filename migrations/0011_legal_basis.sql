-- Legal basis and the controllers' own duties: what allows a party to hand
-- data over (per link), controllers' approvals of their providers'
-- subcontractors, the information given to callers (GDPR Art. 13) and the
-- records of processing (Art. 30), each dated, with the rules that judge
-- them written once as functions the checks and the store call.

-- What allows the sending party of a link to hand the data over, for a
-- period. No row in force means nobody has recorded it: unknown, which the
-- checks report as not established where a basis is needed.
CREATE TABLE disclosure_bases (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    link_id   bigint    NOT NULL REFERENCES links,
    -- processor_instruction: processing on the controller's instruction
    -- under an Art. 28 agreement; statute: a provision of law (reference
    -- required); consent: the data subject's consent; none: there was none
    -- (as found or recorded); unknown: asked, not established.
    basis     text      NOT NULL CHECK (basis IN ('processor_instruction', 'statute', 'consent', 'none', 'unknown')),
    reference text      CHECK (length(reference) <= 300),
    -- Who says so, where it is an authority's or court's finding rather
    -- than the parties' own account.
    authority text      CHECK (length(authority) <= 300),
    note      text      CHECK (length(note) <= 4000),
    valid     tstzrange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT disclosure_bases_statute_ref CHECK (basis <> 'statute' OR reference IS NOT NULL),
    CONSTRAINT disclosure_bases_no_overlap EXCLUDE USING gist (link_id WITH =, valid WITH &&)
);

-- Countries whose health-care secrecy does not follow patient data abroad:
-- disclosing it to a party acting for itself (a controller or recipient)
-- outside the EEA has no basis in that law, whatever the transfer tool.
-- Data, not code: issue 14 generalises jurisdictions.
CREATE TABLE health_secrecy_rules (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    country_code char(2)   NOT NULL REFERENCES countries,
    reference    text      NOT NULL CHECK (length(reference) BETWEEN 1 AND 300),
    note         text      CHECK (length(note) <= 4000),
    valid        daterange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT health_secrecy_rules_no_overlap EXCLUDE USING gist (country_code WITH =, valid WITH &&)
);

-- A controller's approval of a subcontractor that a party below it engages
-- on a link (Art. 28(2), and care agreements' approval of a provider's
-- subcontractors), from its date until withdrawn.
CREATE TABLE subcontractor_approvals (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    controller_id bigint    NOT NULL REFERENCES organisations,
    link_id       bigint    NOT NULL REFERENCES links,
    kind          text      NOT NULL CHECK (kind IN ('specific', 'general')),
    reference     text      CHECK (length(reference) <= 300),
    note          text      CHECK (length(note) <= 4000),
    valid         tstzrange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT subcontractor_approvals_no_overlap EXCLUDE USING gist (controller_id WITH =, link_id WITH =, valid WITH &&)
);
CREATE INDEX subcontractor_approvals_link ON subcontractor_approvals (link_id);

-- The information a controller gives callers (Art. 13), as it read during a
-- period: what it tells.
CREATE TABLE caller_notices (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    controller_id       bigint    NOT NULL REFERENCES organisations,
    mentions_recording  boolean   NOT NULL,
    mentions_recipients boolean   NOT NULL,
    mentions_transfers  boolean   NOT NULL,
    mentions_retention  boolean   NOT NULL,
    reference           text      CHECK (length(reference) <= 300),
    note                text      CHECK (length(note) <= 4000),
    valid               tstzrange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT caller_notices_no_overlap EXCLUDE USING gist (controller_id WITH =, valid WITH &&)
);

-- A party's record of processing (Art. 30) as it read during a period: the
-- parties (recipients, processors, sub-processors) and the third countries
-- of transfers it names.
CREATE TABLE processing_records (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    party_id           bigint    NOT NULL REFERENCES organisations,
    named_party_ids    bigint[]  NOT NULL DEFAULT '{}',
    transfer_countries text[]    NOT NULL DEFAULT '{}',
    reference          text      CHECK (length(reference) <= 300),
    note               text      CHECK (length(note) <= 4000),
    valid              tstzrange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT processing_records_no_overlap EXCLUDE USING gist (party_id WITH =, valid WITH &&)
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['disclosure_bases', 'health_secrecy_rules', 'subcontractor_approvals', 'caller_notices', 'processing_records']
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION kedja_record_change()', t || '_history', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE DELETE ON %I FOR EACH ROW EXECUTE FUNCTION kedja_forbid_delete()', t || '_no_delete', t);
    END LOOP;
END $$;

-- Sweden: the appeal court held (Kammarrätten i Stockholm, 2024, on IMY's
-- decision on Medhelp AB) that Swedish health-care law gives no basis to
-- hand patient data to a care provider in a third country. The start date
-- is that of the Public Access to Information and Secrecy Act (2009:400),
-- the law the court read; earlier law is not recorded here.
SELECT set_config('kedja.actor', 'migration 0011', true);
INSERT INTO health_secrecy_rules (country_code, reference, note, valid)
VALUES ('SE', 'Kammarrätten i Stockholm 2024 (Medhelp AB v IMY); OSL (2009:400) 25:1; PSL (2010:659) 6:12',
        'Swedish health-care secrecy does not follow patient data to a care provider abroad: handing it to a party outside the EEA acting as a controller or recipient lacks a basis whatever the transfer tool.',
        daterange('2009-06-30', NULL));

-- kedja_effective_role is a link's role as an authority or court last found
-- it (the latest decision), else as claimed. A finding of 'none' means the
-- receiving party holds no role in that processing.
CREATE FUNCTION kedja_effective_role(link bigint, claimed text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT COALESCE((SELECT f.role FROM role_findings f WHERE f.link_id = link
                     ORDER BY f.decided_on DESC, f.id DESC LIMIT 1), claimed)
$$;

-- kedja_health_secrecy_abroad: the health-care secrecy of the sending
-- party's country does not follow data out of the EEA on the date of at.
CREATE FUNCTION kedja_health_secrecy_abroad(code char(2), at timestamptz) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (SELECT 1 FROM health_secrecy_rules h WHERE h.country_code = code AND h.valid @> CAST(at AS date))
$$;

-- kedja_disclosure_verdict judges the basis for handing data over on a link
-- whose receiving party holds role (the effective role), given the basis
-- recorded then (NULL: none recorded), whether it carries health data,
-- whether the sender's country's health-care secrecy stays home
-- (kedja_health_secrecy_abroad) and the receiving party's transfer class:
--   NULL              a basis is recorded or none is needed: a processor
--                     acts on the controller's instruction (Art. 28/29),
--                     a party found to hold no role receives nothing;
--   'secrecy_abroad'  health data to a controller or recipient outside the
--                     EEA where the sender's secrecy does not follow it:
--                     no basis whatever is recorded, unless the patient's
--                     consent (Kammarrätten 2024);
--   'none'            no basis, as recorded or found;
--   'not_established' a controller or recipient with no basis recorded, or
--                     one recorded as unknown.
CREATE FUNCTION kedja_disclosure_verdict(role text, basis text, health boolean, secrecy_stays_home boolean, to_class text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN role = 'none' THEN NULL
        WHEN role NOT IN ('processor', 'sub_processor') AND health AND secrecy_stays_home AND to_class <> 'eea'
             AND basis IS DISTINCT FROM 'consent' THEN 'secrecy_abroad'
        WHEN basis = 'none' THEN 'none'
        WHEN role IN ('processor', 'sub_processor') THEN NULL
        WHEN basis IS NULL OR basis = 'unknown' THEN 'not_established'
    END
$$;

-- kedja_disclosure_severity: critical for health data to a party outside
-- the EEA, high otherwise (IMY 2021: Medhelp's disclosure to Thailand was
-- among the gravest breaches it fined).
CREATE FUNCTION kedja_disclosure_severity(health boolean, to_class text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN health AND to_class <> 'eea' THEN 'critical' ELSE 'high' END
$$;

-- kedja_approved: controller has approved the subcontractor engaged on a
-- link at at, by the link's own authorisation naming it or by an approval
-- in force.
CREATE FUNCTION kedja_approved(link bigint, authorisation text, authorising_controller bigint, controller bigint, at timestamptz) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (authorisation <> 'none' AND authorising_controller = controller)
        OR EXISTS (SELECT 1 FROM subcontractor_approvals a
                   WHERE a.link_id = link AND a.controller_id = controller AND a.valid @> at)
$$;

-- kedja_authorisation_missing replaces the rule of 0009, which looked only
-- at sub-processor links: a party engaged by anyone below a controller
-- (depth 2 or more from it, whatever role is claimed) needs that
-- controller's approval (Art. 28(2), 28(4)); a link straight from the
-- controller needs one only if it claims to be a sub-processor's.
DROP FUNCTION kedja_authorisation_missing(text, text);
CREATE FUNCTION kedja_authorisation_missing(role text, authorisation text, depth int, approved boolean) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN depth >= 2 THEN NOT approved
                ELSE role = 'sub_processor' AND authorisation = 'none' AND NOT approved END
$$;
