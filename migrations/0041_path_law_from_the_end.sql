-- The path's law asked from the path's end, party by party, stopping at the
-- first with a law of its own (issue 18: traceCall at 1M links).
--
-- Why: kedja_path_law and kedja_path_law_country (0030) asked
-- kedja_party_law of every sender on the path, then sorted to keep the last
-- one that had a law: ORDER BY ... LIMIT 1 over a lateral call evaluates
-- the call on every row before the sort. On the 1,008,000-link registry a
-- trace called kedja_path_law 5.5 times on average, at 178 us a call
-- (pg_stat_user_functions over 300 traces): about 1 ms of a 15-17 ms trace.
-- The sender that decides is nearly always the last one or the one above
-- it.
--
-- The rule moves here from 0030, unchanged: a transfer over the last link
-- of a path of links (the root's first) is judged by the sending party's
-- own law (kedja_party_law); a party with no law of its own transfers under
-- the law of the party that sent it the data, and so on up the path to the
-- controller; a path on which no party has a law of its own is judged by EU
-- law. kedja_path_lawgiver is the one home of "the nearest sender up the
-- path with a law of its own"; kedja_path_law and kedja_path_law_country
-- read its answer. They stay PL/pgSQL (0038), and plans are kept for the
-- session.

-- kedja_path_lawgiver is the sender, nearest the end of link_path, that has
-- a law of its own at at (kedja_party_law), with that law; both NULL when no
-- sender on the path has one. Link ids that name no link are passed over,
-- as 0030's join did.
CREATE FUNCTION kedja_path_lawgiver(link_path bigint[], at timestamptz, OUT party bigint, OUT law text)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    sender bigint;
BEGIN
    -- An empty or NULL path has no bounds: the loop then runs no times.
    FOR n IN REVERSE COALESCE(array_upper(link_path, 1), 0) .. COALESCE(array_lower(link_path, 1), 1) LOOP
        SELECT l.from_id INTO sender FROM links l WHERE l.id = link_path[n];
        IF FOUND THEN
            law := kedja_party_law(sender, at);
            IF law IS NOT NULL THEN
                party := sender;
                RETURN;
            END IF;
        END IF;
    END LOOP;
    law := NULL;
END
$$;

-- kedja_path_law is the law a transfer over the last link of link_path is
-- judged by: its lawgiver's, else EU law.
CREATE OR REPLACE FUNCTION kedja_path_law(link_path bigint[], at timestamptz) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN COALESCE((SELECT g.law FROM kedja_path_lawgiver(link_path, at) g), 'eu');
END
$$;

-- kedja_path_law_country is the country of the party whose law
-- kedja_path_law applies (its state's directive-era act is the one cited);
-- NULL when no party on the path has a law of its own.
CREATE OR REPLACE FUNCTION kedja_path_law_country(link_path bigint[], at timestamptz) RETURNS char(2)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
    RETURN (SELECT o.country_code FROM kedja_path_lawgiver(link_path, at) g JOIN organisations o ON o.id = g.party);
END
$$;

-- kedja_as_plpgsql runs a SQL function whose body is one SELECT as
-- PL/pgSQL, with the same body: RETURN (body) answers what the SQL function
-- answered, and PL/pgSQL keeps the body's plan for the session where the
-- SQL-function executor of PostgreSQL 15 plans a body with a subquery again
-- on every call. 0038 and 0039 did this with a DO block each; this is that
-- conversion, kept for every later use.
CREATE PROCEDURE kedja_as_plpgsql(f regprocedure)
LANGUAGE plpgsql AS $$
DECLARE
    def text;
    body text;
BEGIN
    SELECT prosrc INTO body FROM pg_proc WHERE oid = f AND prolang = (SELECT oid FROM pg_language WHERE lanname = 'sql');
    IF body IS NULL THEN
        RAISE EXCEPTION 'kedja_as_plpgsql: % is not a SQL function', f;
    END IF;
    IF body !~* '^\s*select' THEN
        RAISE EXCEPTION 'kedja_as_plpgsql: the body of % is not one SELECT', f;
    END IF;
    def := pg_get_functiondef(f);
    IF position('$function$' || body || '$function$' IN def) = 0 OR position(' LANGUAGE sql' IN def) = 0 THEN
        RAISE EXCEPTION 'kedja_as_plpgsql: cannot find the body of % in its definition', f;
    END IF;
    def := replace(def, ' LANGUAGE sql', ' LANGUAGE plpgsql');
    def := replace(def, '$function$' || body || '$function$',
                   '$function$ BEGIN RETURN (' || body || E'\n    ); END $function$');
    EXECUTE def;
END
$$;

-- kedja_in_windows (0004: is an instant in a link's routing windows?) is a
-- SELECT EXISTS, run by the SQL-function executor: 77 us a call in a
-- trace's walk (pg_stat_user_functions, 300 traces at 1M links), about
-- 4 calls a trace. The rule stays in 0004.
CALL kedja_as_plpgsql('kedja_in_windows(jsonb,timestamptz,text)');
