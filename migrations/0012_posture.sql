-- Security posture, reachability and resilience (issue 13): security facts
-- that may be unknown, how each system is reached and by whom, which systems
-- share an environment or give access to one another, and backup and
-- restore facts (GDPR Art. 32(1)(b)-(c)). The rules the checks and the API
-- share are SQL functions at the end, each written once.

-- Every security fact of a profile is yes, no or unknown: NULL is unknown,
-- never "no". A user who does not know whether a system has MFA says so,
-- and the checks raise it as not established instead of guessing. Rows
-- already stored keep their values.
ALTER TABLE system_profiles
    ALTER COLUMN internet_exposed DROP NOT NULL,
    ALTER COLUMN authentication DROP NOT NULL,
    ALTER COLUMN transport_encryption DROP NOT NULL,
    ALTER COLUMN encryption_at_rest DROP NOT NULL,
    DROP CONSTRAINT system_profiles_authentication_check,
    ADD CONSTRAINT system_profiles_authentication_check
        CHECK (authentication IN ('none', 'password', 'mfa', 'certificate', 'smart_card')),
    -- Backup and restore (Art. 32(1)(b)-(c)): whether a backup exists
    -- (NULL: not established), the day a restore was last tested, and how
    -- long a restore may take (recovery time objective, hours).
    ADD COLUMN backup_exists boolean,
    ADD COLUMN last_restore_test date,
    ADD COLUMN recovery_time_hours integer CHECK (recovery_time_hours > 0);

-- How a system is reached: by whom (audience), from where (origin), through
-- which gateway system, with what authentication (NULL: not established),
-- with administrator rights or not, by how many people. "MFA for staff, not
-- for customers" is two paths.
CREATE TABLE access_paths (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    system_id      bigint    NOT NULL REFERENCES systems,
    audience       text      NOT NULL CHECK (audience IN ('own_staff', 'customer_users', 'vendor_support', 'public')),
    origin         text      NOT NULL CHECK (origin IN ('internet', 'health_network', 'vpn', 'internal')),
    gateway_id     bigint    REFERENCES systems,
    authentication text      CHECK (authentication IN ('none', 'password', 'mfa', 'certificate', 'smart_card')),
    privileged     boolean   NOT NULL DEFAULT false,
    head_count     integer   CHECK (head_count > 0),
    note           text      CHECK (length(note) <= 4000),
    valid          tstzrange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT access_paths_gateway_not_self CHECK (gateway_id <> system_id),
    CONSTRAINT access_paths_no_overlap EXCLUDE USING gist (system_id WITH =, audience WITH =, origin WITH =,
        privileged WITH =, (COALESCE(gateway_id, 0)) WITH =, valid WITH &&)
);
CREATE INDEX access_paths_system ON access_paths (system_id);
CREATE INDEX access_paths_gateway ON access_paths (gateway_id);

-- Relations between systems: from_system is hosted in, runs on, shares an
-- identity domain with, or gives access to to_system. A gateway's weakness
-- reaches what it gives access to, and an environment's what it hosts.
CREATE TABLE system_relations (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_system_id bigint    NOT NULL REFERENCES systems,
    to_system_id   bigint    NOT NULL REFERENCES systems,
    kind           text      NOT NULL CHECK (kind IN ('hosted_in', 'runs_on', 'identity_domain', 'gives_access_to')),
    note           text      CHECK (length(note) <= 4000),
    valid          tstzrange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT system_relations_not_to_self CHECK (from_system_id <> to_system_id),
    CONSTRAINT system_relations_no_overlap
        EXCLUDE USING gist (from_system_id WITH =, to_system_id WITH =, kind WITH =, valid WITH &&)
);
CREATE INDEX system_relations_from ON system_relations (from_system_id);
CREATE INDEX system_relations_to ON system_relations (to_system_id);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['access_paths', 'system_relations']
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION kedja_record_change()', t || '_history', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE DELETE ON %I FOR EACH ROW EXECUTE FUNCTION kedja_forbid_delete()', t || '_no_delete', t);
    END LOOP;
END $$;

-- kedja_holds_health_data: a system holds health data when it keeps calls
-- (kedja_stores_calls) or is used on a link that carries health data.
CREATE FUNCTION kedja_holds_health_data(kind text, on_health_link boolean) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT kedja_stores_calls(kind) OR COALESCE(on_health_link, false)
$$;

-- kedja_internet_access_severity judges access from the internet by its
-- authentication: 'critical' with none, 'high' with a password alone, NULL
-- with MFA, a certificate or a smart card, and NULL when it is not
-- established (the not_established check raises that instead of guessing).
CREATE FUNCTION kedja_internet_access_severity(authentication text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE authentication WHEN 'none' THEN 'critical' WHEN 'password' THEN 'high' END
$$;

-- kedja_internet_access lists every way in from the internet at instant at
-- and every system it reaches. A way in is an access path from the
-- internet (entering its system, and its gateway if it names one), or a
-- profile saying the system is internet-exposed. From where it enters it
-- reaches, recursively, every system a reached system gives access to
-- (gives_access_to) and every system hosted in or running on a reached
-- environment (hosted_in, runs_on). A system already on the way is not
-- entered again, so cycles end. system_path lists the systems from the
-- entry to the reached one, relation_ids the relations followed.
CREATE FUNCTION kedja_internet_access(at timestamptz)
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
        FROM system_profiles p
        WHERE p.internet_exposed AND p.valid @> at
    ), edge AS (
        SELECT r.id, r.from_system_id AS src, r.to_system_id AS dst FROM system_relations r
        WHERE r.kind = 'gives_access_to' AND r.valid @> at
        UNION ALL
        SELECT r.id, r.to_system_id, r.from_system_id FROM system_relations r
        WHERE r.kind IN ('hosted_in', 'runs_on') AND r.valid @> at
    ), walk AS (
        SELECT w.entry_id AS system_id, w.*, CAST('{}' AS bigint[]) AS relation_ids, ARRAY[w.entry_id] AS system_path
        FROM way_in w
        UNION ALL
        SELECT e.dst, w.source, w.access_path_id, w.profile_id, w.entry_id, w.gateway_id, w.audience, w.authentication,
               w.privileged, w.relation_ids || e.id, w.system_path || e.dst
        FROM walk w JOIN edge e ON e.src = w.system_id
        WHERE NOT e.dst = ANY(w.system_path) AND cardinality(w.system_path) < 32
    )
    SELECT system_id, source, access_path_id, profile_id, entry_id, gateway_id, audience, authentication, privileged,
           relation_ids, system_path
    FROM walk
$$;

-- kedja_profile_unknowns names the security facts a profile leaves
-- unknown; with no profile at all (every argument NULL and has_profile
-- false) every fact is unknown.
CREATE FUNCTION kedja_profile_unknowns(has_profile boolean, internet_exposed boolean, authentication text,
                                       transport_encryption boolean, encryption_at_rest boolean) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY_REMOVE(ARRAY[
        CASE WHEN NOT has_profile OR internet_exposed IS NULL THEN 'internet exposure' END,
        CASE WHEN NOT has_profile OR authentication IS NULL THEN 'authentication' END,
        CASE WHEN NOT has_profile OR transport_encryption IS NULL THEN 'transport encryption' END,
        CASE WHEN NOT has_profile OR encryption_at_rest IS NULL THEN 'encryption at rest' END], NULL)
$$;

-- kedja_restore_test_days is how recent a restore test must be, in days:
-- the setting kedja.restore_test_days (ALTER DATABASE ... SET, or SET in a
-- session) or else 365.
CREATE FUNCTION kedja_restore_test_days() RETURNS int
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT COALESCE(CAST(NULLIF(current_setting('kedja.restore_test_days', true), '') AS int), 365)
$$;

-- kedja_backup_gap judges a system's backup facts on the date of at (Art.
-- 32(1)(b)-(c)): 'no_backup' when none exists, 'backup_not_recorded' when
-- that is not established, 'never_restore_tested' when no restore test is
-- recorded by then, 'restore_test_overdue' when the last one is more than
-- max_days old, NULL when backup and restore are in order.
CREATE FUNCTION kedja_backup_gap(backup_exists boolean, last_restore_test date, at timestamptz, max_days int) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN backup_exists IS FALSE THEN 'no_backup'
        WHEN backup_exists IS NULL THEN 'backup_not_recorded'
        WHEN last_restore_test IS NULL OR last_restore_test > CAST(at AS date) THEN 'never_restore_tested'
        WHEN last_restore_test < CAST(at AS date) - max_days THEN 'restore_test_overdue'
    END
$$;
