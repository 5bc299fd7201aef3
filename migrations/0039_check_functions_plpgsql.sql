-- The authorisation and notice rules that the checks call once per link
-- reached, run as PL/pgSQL, as 0038 did for the law functions (issue 18
-- item 3: check runs that scale), and kedja_notice_status asking
-- kedja_authorisation_kind and kedja_objection_deadline once per row.
--
-- Why: PostgreSQL 15 runs a scalar SQL function with a subquery through
-- its SQL-function executor, which starts its plan anew on every call and,
-- for a SQL function it calls in turn, plans that one again on every call.
-- On the 1,008,000-link registry (30,612 links reached, 28 checks) a run
-- took 44-47 s; pg_stat_user_functions (track_functions = all) over one
-- run:
--   kedja_general_processor_link 131,203 calls, 135 us each, 17.7 s;
--   kedja_authorisation_kind     181,258 calls,  93 us each (with the above);
--   kedja_approved                30,612 calls, 112 us each (with the above).
-- kedja_authorisation_kind over the 30,012 links that need authorisation
-- took 3.4-3.7 s as SQL and 1.0 s as PL/pgSQL (with
-- kedja_general_processor_link). The 181,258 calls were six per row:
-- kedja_notice_status is inlined into the checks' statements, and its
-- sub-select of the kind was pulled up into every expression that used
-- it. OFFSET 0 keeps each of the kind and the deadline a sub-select of
-- its own, evaluated once per row.
--
-- The rules stay where they were written (0029, 0037): only the language
-- changes, by the same conversion as 0038, and kedja_notice_status below
-- is 0029's with the two fences. TestLawFunctionsKeepTheirPlans names the
-- converted functions.
DO $migration$
DECLARE
    f regprocedure;
    def text;
    body text;
BEGIN
    FOREACH f IN ARRAY ARRAY[
        'kedja_general_processor_link(bigint,bigint,timestamptz)',
        'kedja_authorisation_kind(bigint,bigint,timestamptz)',
        'kedja_approved(bigint,text,bigint,bigint,timestamptz)',
        'kedja_objection_deadline(bigint,bigint)',
        'kedja_law_citation(text,character,timestamptz,text)']::regprocedure[]
    LOOP
        SELECT prosrc INTO body FROM pg_proc WHERE oid = f AND prolang = (SELECT oid FROM pg_language WHERE lanname = 'sql');
        IF body IS NULL THEN
            RAISE EXCEPTION 'migration 0039: % is not a SQL function', f;
        END IF;
        IF body !~* '^\s*select' THEN
            RAISE EXCEPTION 'migration 0039: the body of % is not one SELECT', f;
        END IF;
        def := pg_get_functiondef(f);
        IF position('$function$' || body || '$function$' IN def) = 0 OR position(' LANGUAGE sql' IN def) = 0 THEN
            RAISE EXCEPTION 'migration 0039: cannot find the body of % in its definition', f;
        END IF;
        def := replace(def, ' LANGUAGE sql', ' LANGUAGE plpgsql');
        def := replace(def, '$function$' || body || '$function$',
                       '$function$ BEGIN RETURN (' || body || E'\n    ); END $function$');
        EXECUTE def;
    END LOOP;
END
$migration$;

-- kedja_notice_status: 0029's rule, unchanged but for OFFSET 0 on the
-- sub-selects of the kind and the deadline, so that each is computed once
-- per row where the function is inlined, and the deadline only where there
-- is a notice (a join's condition is tested after its inner side ran).
CREATE OR REPLACE FUNCTION kedja_notice_status(link bigint, controller bigint, at timestamptz)
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
    FROM (SELECT kedja_authorisation_kind(link, controller, at) AS kind OFFSET 0) k
    LEFT JOIN LATERAL (SELECT x.id, x.sent_at FROM change_notices x WHERE x.link_id = link AND x.sent_at <= at
                       ORDER BY x.sent_at DESC, x.id DESC LIMIT 1) n ON k.kind = 'general'
    LEFT JOIN LATERAL (SELECT kedja_objection_deadline(n.id, controller) AS deadline WHERE n.id IS NOT NULL OFFSET 0) d ON n.id IS NOT NULL
    LEFT JOIN LATERAL (SELECT y.id, y.response, y.responded_at, y.reason FROM notice_responses y
                       JOIN change_notices z ON z.id = y.notice_id
                       WHERE z.link_id = link AND y.controller_id = controller AND y.responded_at <= at
                       ORDER BY y.responded_at DESC, y.id DESC LIMIT 1) r ON k.kind = 'general'
$$;
