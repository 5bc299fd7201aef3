-- The controller's approval of a party engaged on a link (0011, 0029:
-- kedja_approved, kedja_general_processor_link) written as set-returning
-- SQL functions, which PostgreSQL inlines into the statement that calls
-- them from FROM (issue 18 item 3: check runs that scale).
--
-- Why: 0039 made the two PL/pgSQL, so that their plans are kept; still,
-- each call costs a function call and its own executor start. The
-- authorisation check asks for approval of every link it may be missing
-- on: at 1,008,000 links, 30,012 calls of kedja_approved (17 us each) and
-- 21,049 of kedja_general_processor_link (17 us each), 0.87 of the check's
-- 1.2 s (pg_stat_user_functions, track_functions = all). A scalar SQL
-- function with a subquery is never inlined (PostgreSQL inlines one only
-- when its body is one expression without sub-selects); a set-returning one
-- is, sub-selects and all, when it is called in FROM (LATERAL): its
-- EXISTS become sub-plans of the calling statement, index lookups with no
-- call around them.
--
-- The rules move here unchanged. The scalar functions stay, for the
-- statements that ask one link at a time (responsibility, authorisation
-- kind), and answer from these: each rule is still written once.

-- kedja_general_processor_grant: controller has given the party that
-- engages link's receiver (the processor on controller's own link to it) a
-- general authorisation in force at at (0029's kedja_general_processor_link).
CREATE FUNCTION kedja_general_processor_grant(link bigint, controller bigint, at timestamptz) RETURNS TABLE (granted boolean)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (SELECT 1 FROM links s JOIN links p ON p.to_id = s.from_id
                   WHERE s.id = link AND p.from_id = controller AND p.valid @> at
                     AND p.authorisation = 'general' AND p.authorising_controller_id = controller)
$$;

-- kedja_approval: controller approves the party engaged on link (its own
-- authorisation naming the controller, a subcontractor approval in force,
-- or the controller's general authorisation to the engaging processor):
-- 0029's kedja_approved.
CREATE FUNCTION kedja_approval(link bigint, authorisation text, authorising_controller bigint, controller bigint, at timestamptz)
RETURNS TABLE (approved boolean)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (authorisation <> 'none' AND authorising_controller = controller)
        OR EXISTS (SELECT 1 FROM subcontractor_approvals a
                   WHERE a.link_id = link AND a.controller_id = controller AND a.valid @> at)
        OR (SELECT g.granted FROM kedja_general_processor_grant(link, controller, at) g)
$$;

-- The scalar forms answer from the sets, and run as PL/pgSQL again (0039:
-- a SQL function with a subquery is planned anew on every call).
CREATE OR REPLACE FUNCTION kedja_general_processor_link(link bigint, controller bigint, at timestamptz) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT g.granted FROM kedja_general_processor_grant(link, controller, at) g
$$;
CALL kedja_as_plpgsql('kedja_general_processor_link(bigint,bigint,timestamptz)');

CREATE OR REPLACE FUNCTION kedja_approved(link bigint, authorisation text, authorising_controller bigint, controller bigint, at timestamptz) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT a.approved FROM kedja_approval(link, authorisation, authorising_controller, controller, at) a
$$;
CALL kedja_as_plpgsql('kedja_approved(bigint,text,bigint,bigint,timestamptz)');
