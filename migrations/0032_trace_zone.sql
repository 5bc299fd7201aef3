-- Time zones per region (issue 14, item 4): a trace is read in the zone of
-- the region the caller called. Its SQL names the day of the call by
-- CAST(at AS date) (is an attestation valid on it, which adequacy decision
-- or EEA membership was in force, was a DPF certification current), and
-- that cast uses the session's zone, the registry's. A trace therefore sets
-- its transaction's zone to the region's first, so that a London call at
-- 23:30 on 25 January falls on 25 January, not on the 26th as it would in
-- Stockholm.
--
-- kedja_trace_zone sets the current transaction's zone (SET LOCAL: it ends
-- with the transaction) to zone and returns it; for a NULL zone, or one
-- PostgreSQL does not know, it leaves the session's (the registry's) zone
-- in force and returns that: the fallback, never an error that would fail
-- the trace. Go validates zone names when they are written, but
-- PostgreSQL's zone list is its own.
CREATE FUNCTION kedja_trace_zone(zone text) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF zone IS NULL OR zone = '' THEN
        RETURN current_setting('TimeZone');
    END IF;
    RETURN set_config('TimeZone', zone, true);
EXCEPTION WHEN invalid_parameter_value THEN
    RETURN current_setting('TimeZone');
END
$$;
