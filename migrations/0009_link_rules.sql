-- The rules of GDPR Art. 28 and Chapter V that judge one link, each written
-- once. The compliance checks call them in their set-based SQL, and
-- responsibility, traces and pictures read their answers through the store,
-- so no caller restates a rule (they used to, in Go and SQL, and disagreed).

-- kedja_agreement_missing: a processor or sub-processor with no agreement
-- binding it (Art. 28(3)).
CREATE FUNCTION kedja_agreement_missing(role text, agreement_ref text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT role IN ('processor', 'sub_processor') AND agreement_ref IS NULL
$$;

-- kedja_authorisation_missing: a sub-processor engaged without the
-- controller's prior authorisation, specific or general (Art. 28(2)).
CREATE FUNCTION kedja_authorisation_missing(role text, authorisation text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT role = 'sub_processor' AND authorisation = 'none'
$$;

-- kedja_transfer_verdict judges data sent to organisation org, established
-- in (or storing or reached from) country code, on the date of at, under a
-- link's transfer mechanism and transfer impact assessment:
--   NULL                       no transfer that needs a safeguard: the EEA, a
--                              full adequacy decision, or a partial one whose
--                              condition the recipient meets (a DPF-certified
--                              US company, a Canadian company);
--   'no_mechanism'             a restricted transfer with nothing recorded;
--   'adequacy_not_applicable'  the link claims an adequacy decision that does
--                              not cover this recipient (none for the
--                              country, or a partial one whose condition it
--                              does not meet);
--   'no_tia'                   SCCs or BCRs without a transfer impact
--                              assessment;
--   'safeguarded'              SCCs or BCRs with one (Art. 46);
--   'derogation'               a derogation (Art. 49).
-- It is kedja_transfer_verdict_in given the country's standing, which the
-- checks compute once per country and run rather than once per row.
CREATE FUNCTION kedja_mechanism_verdict(mechanism text, tia date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN mechanism = 'derogation' THEN 'derogation'
        WHEN mechanism IN ('scc', 'bcr') AND tia IS NOT NULL THEN 'safeguarded'
        WHEN mechanism IN ('scc', 'bcr') THEN 'no_tia'
        WHEN mechanism = 'adequacy' THEN 'adequacy_not_applicable'
        ELSE 'no_mechanism'
    END
$$;

-- A single expression without sub-selects, so the planner inlines it; the
-- partial-adequacy condition is only looked up for partial decisions.
CREATE FUNCTION kedja_transfer_verdict_in(class text, org bigint, code char(2), at timestamptz, mechanism text, tia date) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN class IN ('eea', 'adequacy') THEN NULL
        WHEN class = 'partial_adequacy' AND kedja_partial_condition_met(org, code, at) THEN NULL
        ELSE kedja_mechanism_verdict(mechanism, tia)
    END
$$;

CREATE FUNCTION kedja_transfer_verdict(org bigint, code char(2), at timestamptz, mechanism text, tia date) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT kedja_transfer_verdict_in(kedja_transfer_class(code, at), org, code, at, mechanism, tia)
$$;

-- kedja_transfer_gap says whether a verdict leaves the transfer without a
-- lawful safeguard.
CREATE FUNCTION kedja_transfer_gap(verdict text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT verdict IN ('no_mechanism', 'adequacy_not_applicable', 'no_tia')
$$;
