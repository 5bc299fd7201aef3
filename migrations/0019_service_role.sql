-- The service's own database role. Migrations run as the tables' owner; the
-- running service connects as kedja_service, which may read and write the
-- registry but cannot change or remove what is append-only (the audit log,
-- traces, history), nor truncate, alter, disable a trigger or create
-- anything: only an owner can, so whoever holds the service's credentials
-- cannot rewrite the record of what it did.
--
-- The grants are not a snapshot taken here: migrations.Apply calls
-- kedja_grant_service after every migrate, so tables that later migrations
-- add are covered by the same rules.

-- kedja_service_privileges is the one place that says what the service may
-- do with each table of the schema. A table is append-only when a
-- kedja_forbid_change trigger guards its rows (audit_log, call_traces,
-- changes, finding_events, incident_log_rows, and any later one): the
-- service may only add and read rows. Rows that a kedja_forbid_delete
-- trigger keeps are never deleted, so the service gets no DELETE there.
-- schema_migrations is the owner's: the service may only read which
-- migrations ran.
CREATE FUNCTION kedja_service_privileges() RETURNS TABLE (table_name name, privileges text, append_only boolean)
LANGUAGE sql STABLE AS $$
    WITH t AS (
        SELECT c.relname, c.relkind,
               EXISTS (SELECT FROM pg_trigger g WHERE g.tgrelid = c.oid
                       AND g.tgfoid = 'kedja_forbid_change()'::regprocedure) AS append_only,
               EXISTS (SELECT FROM pg_trigger g WHERE g.tgrelid = c.oid
                       AND g.tgfoid = 'kedja_forbid_delete()'::regprocedure) AS never_deleted
        FROM pg_class c
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
    )
    SELECT relname,
           CASE
               WHEN relkind IN ('v', 'm') OR relname = 'schema_migrations' THEN 'SELECT'
               WHEN append_only THEN 'SELECT, INSERT'
               WHEN never_deleted THEN 'SELECT, INSERT, UPDATE'
               ELSE 'SELECT, INSERT, UPDATE, DELETE'
           END,
           append_only
    FROM t
$$;

-- kedja_grant_service creates the role if it is missing and (re)applies its
-- privileges, idempotently. Roles belong to the whole cluster, so several
-- databases may create it at once: the loser of that race sees the
-- winner's role. A new role gets LOGIN without a password: PostgreSQL never
-- lets a role without one pass password authentication, so it can log in
-- only where pg_hba.conf trusts it (a development machine) until an
-- administrator gives it a password. An existing role is left as it is.
CREATE FUNCTION kedja_grant_service(role name) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    s name := current_schema();
    r record;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = role) THEN
        BEGIN
            EXECUTE format('CREATE ROLE %I LOGIN', role);
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN
                NULL; -- another database's migration created it first
            WHEN insufficient_privilege THEN
                RAISE EXCEPTION 'kedja: the database role % does not exist, and % may not create it', role, current_user
                    USING ERRCODE = 'insufficient_privilege',
                          HINT = format('As a superuser: CREATE ROLE %I LOGIN PASSWORD ''...''', role);
        END;
    END IF;
    -- A role that is a superuser, or may act as an owner, would pass every
    -- privilege check below: refuse rather than pretend it is restricted.
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = role AND (rolsuper OR rolbypassrls))
       OR EXISTS (SELECT FROM pg_class c WHERE c.relnamespace = s::regnamespace AND pg_has_role(role, c.relowner, 'MEMBER'))
       OR pg_has_role(role, (SELECT nspowner FROM pg_namespace WHERE nspname = s), 'MEMBER') THEN
        RAISE EXCEPTION 'kedja: the service role % is a superuser or may act as the owner of the schema %', role, s
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Migrate as the owner and serve as a role that owns nothing.';
    END IF;

    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), role);
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, role);
    EXECUTE format('REVOKE CREATE ON SCHEMA %I FROM PUBLIC, %I', s, role);
    -- Start from nothing, so a table that became append-only loses what it
    -- had; one transaction, so the service never sees the gap.
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM PUBLIC, %I', s, role);
    FOR r IN SELECT * FROM kedja_service_privileges() LOOP
        EXECUTE format('GRANT %s ON %I.%I TO %I', r.privileges, s, r.table_name, role);
    END LOOP;
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM PUBLIC, %I', s, role);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', s, role);
    EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO %I', s, role);
    -- Granting is the owner's work.
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %I.kedja_grant_service(name) FROM PUBLIC, %I', s, role);
END $$;
