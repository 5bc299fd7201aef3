-- Software and vulnerability hygiene, tenancy and segmentation,
-- identifiers in file names, processors acting beyond their instructions,
-- and risk assessments of a supplier change (issue 13). Facts that may be
-- unknown are NULL (not established), never "no"; each is dated. The rules
-- the checks (store/checks_hygiene.go) and the API share are SQL functions
-- at the end, each written once.

-- A product and version running on a system during a period, and the last
-- day it is supported (NULL: not known or not announced).
CREATE TABLE software_components (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    system_id      bigint    NOT NULL REFERENCES systems,
    product        text      NOT NULL CHECK (length(product) BETWEEN 1 AND 300),
    version        text      CHECK (length(version) BETWEEN 1 AND 100),
    end_of_support date,
    note           text      CHECK (length(note) <= 4000),
    valid          tstzrange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT software_components_no_overlap
        EXCLUDE USING gist (system_id WITH =, product WITH =, (COALESCE(version, '')) WITH =, valid WITH &&)
);
CREATE INDEX software_components_system ON software_components (system_id);

-- Evidence that a system was scanned for vulnerabilities on a day, and
-- what the scan covered. An event, not a period: the check asks how long
-- ago the last one was.
CREATE TABLE vulnerability_scans (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    system_id  bigint NOT NULL REFERENCES systems,
    scanned_on date   NOT NULL,
    scope      text   NOT NULL CHECK (length(scope) BETWEEN 1 AND 300),
    reference  text   CHECK (length(reference) <= 300),
    note       text   CHECK (length(note) <= 4000),
    CONSTRAINT vulnerability_scans_unique UNIQUE (system_id, scanned_on, scope)
);

-- A vulnerability of a component listed as known to be exploited (CISA's
-- KEV catalogue, a national CERT's advisory) on a day, and the day it was
-- patched on that system (NULL: not patched).
CREATE TABLE exploited_vulnerabilities (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    component_id bigint NOT NULL REFERENCES software_components,
    cve_id       text   NOT NULL CHECK (cve_id ~ '^CVE-[0-9]{4}-[0-9]{4,19}$'),
    listed_on    date   NOT NULL,
    patched_on   date,
    note         text   CHECK (length(note) <= 4000),
    CONSTRAINT exploited_vulnerabilities_unique UNIQUE (component_id, cve_id)
);

-- Whether a system is shared with its operator's other customers (NULL:
-- not established), which other controllers are known to share it, and
-- whether their data are segmented from one another (NULL: not
-- established), during a period.
CREATE TABLE system_tenancies (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    system_id              bigint    NOT NULL REFERENCES systems,
    shared_with_others     boolean,
    sharing_controller_ids bigint[]  NOT NULL DEFAULT '{}',
    segmented              boolean,
    note                   text      CHECK (length(note) <= 4000),
    valid                  tstzrange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT system_tenancies_named_means_shared CHECK (shared_with_others IS NOT FALSE OR cardinality(sharing_controller_ids) = 0),
    CONSTRAINT system_tenancies_no_overlap EXCLUDE USING gist (system_id WITH =, valid WITH &&)
);

-- Whether a system's file names or metadata (readable without opening a
-- file) carry callers' phone numbers or personal identity numbers (NULL:
-- not established), during a period.
CREATE TABLE name_identifiers (
    id                        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    system_id                 bigint    NOT NULL REFERENCES systems,
    phone_numbers             boolean,
    personal_identity_numbers boolean,
    note                      text      CHECK (length(note) <= 4000),
    valid                     tstzrange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT name_identifiers_no_overlap EXCLUDE USING gist (system_id WITH =, valid WITH &&)
);

-- Whether the receiving party of a link stores or records data beyond the
-- controller's instructions (NULL: not established), what, and who found
-- it, during a period (Art. 28(10), 29).
CREATE TABLE instruction_conduct (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    link_id             bigint    NOT NULL REFERENCES links,
    beyond_instructions boolean,
    what                text      CHECK (length(what) <= 1000),
    authority           text      CHECK (length(authority) <= 300),
    reference           text      CHECK (length(reference) <= 300),
    note                text      CHECK (length(note) <= 4000),
    valid               tstzrange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT instruction_conduct_says_what CHECK (beyond_instructions IS NOT TRUE OR what IS NOT NULL),
    CONSTRAINT instruction_conduct_no_overlap EXCLUDE USING gist (link_id WITH =, valid WITH &&)
);

-- A controller's risk assessment (Art. 32(2)) or DPIA (Art. 35) made on a
-- day, and the links and parties it covers.
CREATE TABLE risk_assessments (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    controller_id     bigint   NOT NULL REFERENCES organisations,
    kind              text     NOT NULL CHECK (kind IN ('risk_assessment', 'dpia')),
    assessed_on       date     NOT NULL,
    covered_link_ids  bigint[] NOT NULL DEFAULT '{}',
    covered_party_ids bigint[] NOT NULL DEFAULT '{}',
    reference         text     CHECK (length(reference) <= 300),
    note              text     CHECK (length(note) <= 4000),
    CONSTRAINT risk_assessments_cover_something CHECK (cardinality(covered_link_ids) + cardinality(covered_party_ids) > 0)
);
CREATE INDEX risk_assessments_controller ON risk_assessments (controller_id);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['software_components', 'vulnerability_scans', 'exploited_vulnerabilities', 'system_tenancies',
                             'name_identifiers', 'instruction_conduct', 'risk_assessments']
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION kedja_record_change()', t || '_history', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE DELETE ON %I FOR EACH ROW EXECUTE FUNCTION kedja_forbid_delete()', t || '_no_delete', t);
    END LOOP;
END $$;

-- kedja_scan_days is how recent a vulnerability scan must be, in days: the
-- setting kedja.scan_days (a check run sets it for its transaction; ALTER
-- DATABASE ... SET for every run) or else 90, a quarter.
CREATE FUNCTION kedja_scan_days() RETURNS int
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT COALESCE(CAST(NULLIF(current_setting('kedja.scan_days', true), '') AS int), 90)
$$;

-- kedja_internet_reachable lists the systems some way in from the internet
-- reaches at at, whatever its authentication (kedja_internet_access).
CREATE FUNCTION kedja_internet_reachable(at timestamptz) RETURNS TABLE (system_id bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT DISTINCT x.system_id FROM kedja_internet_access(at) x
$$;

-- kedja_software_gap judges one component on the date of at:
-- 'known_exploited' when one of its vulnerabilities was listed as known
-- exploited by then and not patched by then, 'end_of_support' when its
-- last day of support has passed, NULL otherwise.
CREATE FUNCTION kedja_software_gap(end_of_support date, exploited_listed date, exploited_patched date, at timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN exploited_listed <= CAST(at AS date) AND (exploited_patched IS NULL OR exploited_patched > CAST(at AS date))
            THEN 'known_exploited'
        WHEN end_of_support < CAST(at AS date) THEN 'end_of_support'
    END
$$;

-- kedja_software_severity: a known-exploited vulnerability left unpatched
-- is high on a system the internet reaches (attackers use these lists;
-- the 2022 Swedish hosting breach escalated through a two-year-old
-- unpatched flaw) and medium otherwise; software past its end of support
-- is medium on an internet-reachable system (no fixes will come; the 1177
-- server ran an Apache release long superseded) and low otherwise.
CREATE FUNCTION kedja_software_severity(gap text, internet boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE gap
        WHEN 'known_exploited' THEN CASE WHEN internet THEN 'high' ELSE 'medium' END
        WHEN 'end_of_support' THEN CASE WHEN internet THEN 'medium' ELSE 'low' END
    END
$$;

-- kedja_scan_gap judges a system's last vulnerability scan on or before
-- the date of at: 'never_scanned' when there is none, 'scan_overdue' when
-- it is more than max_days old, NULL when it is recent enough.
CREATE FUNCTION kedja_scan_gap(last_scan date, at timestamptz, max_days int) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN last_scan IS NULL OR last_scan > CAST(at AS date) THEN 'never_scanned'
        WHEN last_scan < CAST(at AS date) - max_days THEN 'scan_overdue'
    END
$$;

-- kedja_scan_severity: medium on a system the internet reaches, low
-- otherwise; testing regularly is Art. 32(1)(d)'s process, not a weakness
-- in itself.
CREATE FUNCTION kedja_scan_severity(internet boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN internet THEN 'medium' ELSE 'low' END
$$;

-- kedja_tenancy_gap judges a system shared with others (shared_with_others
-- true or other controllers named): 'unsegmented' when their data are
-- known not to be segmented, 'segmentation_not_established' when nobody
-- has established it, NULL when segmented or not known to be shared.
CREATE FUNCTION kedja_tenancy_gap(shared_with_others boolean, sharers int, segmented boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN shared_with_others IS TRUE OR COALESCE(sharers, 0) > 0 THEN
        CASE WHEN segmented IS FALSE THEN 'unsegmented' WHEN segmented IS NULL THEN 'segmentation_not_established' END
    END
$$;

-- kedja_identifier_severity: identifiers in the file names or metadata of
-- a system holding health data let anyone who sees a listing find a
-- person's calls without opening one: personal identity numbers (a
-- national identifier, Art. 87; Swedish law allows them only where clearly
-- justified) are high there, phone numbers (the 1177 storage server's
-- older file names carried about 57,000) medium; on other systems one step
-- lower. NULL when neither is known to be there.
CREATE FUNCTION kedja_identifier_severity(phone_numbers boolean, personal_identity_numbers boolean, health boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN personal_identity_numbers THEN CASE WHEN health THEN 'high' ELSE 'medium' END
        WHEN phone_numbers THEN CASE WHEN health THEN 'medium' ELSE 'low' END
    END
$$;

-- kedja_beyond_instructions: the receiving party of a link, a processor or
-- sub-processor by its effective role, stores or records beyond the
-- controller's instructions; it is then a controller of that processing
-- (Art. 28(10)).
CREATE FUNCTION kedja_beyond_instructions(effective_role text, beyond boolean) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT effective_role IN ('processor', 'sub_processor') AND COALESCE(beyond, false)
$$;

-- kedja_assessment_duty_from is the day Art. 32(2) and 35 began to apply:
-- a supplier engaged before then is not judged for a prior assessment.
CREATE FUNCTION kedja_assessment_duty_from() RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT DATE '2018-05-25' $$;

-- kedja_assessment_gap judges a link to a processor or sub-processor that
-- began at link_start, given the first assessment by the controller that
-- covers it and is dated on or before at (NULL: none): 'none' when there
-- is none, 'late' when it was made after the link began, NULL when it came
-- first, or when the link began before the duty applied.
CREATE FUNCTION kedja_assessment_gap(link_start timestamptz, first_covering date, at timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN CAST(link_start AS date) < kedja_assessment_duty_from() THEN NULL
        WHEN first_covering IS NULL OR first_covering > CAST(at AS date) THEN 'none'
        WHEN first_covering > CAST(link_start AS date) THEN 'late'
    END
$$;

-- kedja_assessment_severity: no assessment of a processor handling health
-- data is high (the data protection authority's core finding on a regional
-- health authority's 2017 outsourcing of patient-record servers was that
-- no risk assessment had been made), medium for other data; an assessment
-- made only after the supplier began is info: the gap is remedied, and the
-- finding records that the change went ahead unassessed.
CREATE FUNCTION kedja_assessment_severity(gap text, health boolean) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE gap WHEN 'none' THEN CASE WHEN health THEN 'high' ELSE 'medium' END WHEN 'late' THEN 'info' END
$$;
