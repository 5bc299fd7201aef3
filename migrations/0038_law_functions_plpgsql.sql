-- The law functions that read tables, run as PL/pgSQL: same bodies, same
-- answers, plans kept for the session (issue 18: trace and chain at 1M links).
--
-- Why: PostgreSQL 15 inlines a scalar SQL function only when its body has
-- no subquery. These bodies all have one, so each was run by the SQL
-- function executor, which plans its body again in every statement that
-- calls it: a chain of 39 steps planned kedja_party_law, kedja_country_law,
-- kedja_transfer_class and the verdict's functions anew on every request,
-- and that was about half of its time (EXPLAIN ANALYZE on the
-- 1,008,000-link registry: 0.15-0.19 ms per step for the law alone, a chain
-- 15-19 ms). PL/pgSQL prepares each statement once per session and keeps
-- the plan. kedja bench on that registry, seed 1, 1,000 of each, SQL and
-- PL/pgSQL interleaved (sql, plpgsql, plpgsql, sql): chain p50 9.96 and
-- 9.88 ms -> 6.11 and 5.66 ms, p99 17.94 and 19.69 -> 13.65 and 11.76 ms;
-- traceCall p50 20.72 and 23.79 -> 17.70 and 17.92 ms. A full check run
-- stayed at 38-40 s (the checks compute the standing once per run,
-- migrations/0030_laws.sql).
--
-- The rules stay where they were written (0004, 0030, 0036): only the
-- language changes. Each body is a single SELECT with no FROM of its own,
-- so RETURN (body) answers what the SQL function answered. A later
-- migration that replaces one of these with LANGUAGE sql undoes this for
-- that function; TestLawFunctionsKeepTheirPlans names them.
DO $migration$
DECLARE
    f regprocedure;
    def text;
    body text;
BEGIN
    FOREACH f IN ARRAY ARRAY[
        'kedja_country_law(character,timestamptz)',
        'kedja_party_law(bigint,timestamptz)',
        'kedja_path_law(bigint[],timestamptz)',
        'kedja_path_law_country(bigint[],timestamptz)',
        'kedja_transfer_class(character,timestamptz,text)',
        'kedja_transfer_bridged(character,timestamptz,text)',
        'kedja_partial_condition_met(bigint,character,timestamptz,text)',
        'kedja_tool_verdict(text,text,date,timestamptz,text)',
        'kedja_tia_expected(text,timestamptz)']::regprocedure[]
    LOOP
        SELECT prosrc INTO body FROM pg_proc WHERE oid = f AND prolang = (SELECT oid FROM pg_language WHERE lanname = 'sql');
        IF body IS NULL THEN
            RAISE EXCEPTION 'migration 0038: % is not a SQL function', f;
        END IF;
        IF body !~* '^\s*select' THEN
            RAISE EXCEPTION 'migration 0038: the body of % is not one SELECT', f;
        END IF;
        def := pg_get_functiondef(f);
        IF position('$function$' || body || '$function$' IN def) = 0 OR position(' LANGUAGE sql' IN def) = 0 THEN
            RAISE EXCEPTION 'migration 0038: cannot find the body of % in its definition', f;
        END IF;
        def := replace(def, ' LANGUAGE sql', ' LANGUAGE plpgsql');
        def := replace(def, '$function$' || body || '$function$',
                       '$function$ BEGIN RETURN (' || body || E'\n    ); END $function$');
        EXECUTE def;
    END LOOP;
END
$migration$;
