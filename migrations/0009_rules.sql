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

-- kedja_attestation_status says whether an attestation counts at an instant:
-- 'withdrawn' from its withdrawal on, 'not_yet_valid' before its issue date,
-- 'expired' after its valid-until date (inclusive: valid all that day), else
-- 'valid'. Its dates are legal dates, compared as calendar days in the
-- session's time zone (the registry's). One expression, so it is inlined.
CREATE FUNCTION kedja_attestation_status(issued_on date, valid_until date, withdrawn_at timestamptz, at timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN withdrawn_at IS NOT NULL AND withdrawn_at <= at THEN 'withdrawn'
        WHEN CAST(at AS date) < issued_on THEN 'not_yet_valid'
        WHEN valid_until IS NOT NULL AND CAST(at AS date) > valid_until THEN 'expired'
        ELSE 'valid'
    END
$$;

-- kedja_attestation_valid: the attestation counts at the instant.
CREATE FUNCTION kedja_attestation_valid(issued_on date, valid_until date, withdrawn_at timestamptz, at timestamptz) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (withdrawn_at IS NULL OR withdrawn_at > at)
       AND issued_on <= CAST(at AS date)
       AND (valid_until IS NULL OR valid_until >= CAST(at AS date))
$$;

-- The partial-adequacy condition of a DPF certification uses the same rule.
CREATE OR REPLACE FUNCTION kedja_partial_condition_met(org bigint, code char(2), at timestamptz) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (
        SELECT 1 FROM adequacy_decisions a
        WHERE a.country_code = code AND a.scope = 'partial' AND a.valid @> CAST(at AS date)
          AND ((a.condition_code = 'dpf_certification' AND EXISTS (
                    SELECT 1 FROM attestations t
                    WHERE t.org_id = org AND t.kind = 'dpf_certification'
                      AND kedja_attestation_valid(t.issued_on, t.valid_until, t.withdrawn_at, at)))
            OR (a.condition_code = 'commercial_organisation'
                AND (SELECT kind FROM organisations WHERE id = org) = 'company')))
$$;

-- kedja_finding_status is a finding's status as callers see it on a day: an
-- acceptance that ran out before that day counts as open again.
CREATE FUNCTION kedja_finding_status(status text, accepted_until date, day date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN status = 'accepted' AND accepted_until < day THEN 'open' ELSE status END
$$;

-- kedja_severity_rank orders severities, the gravest first.
CREATE FUNCTION kedja_severity_rank(severity text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END
$$;

-- kedja_stores_calls: a system of this kind keeps a call after it ends
-- (recordings, storage, backups, and the patient records nurses write the
-- call into), so it needs a retention period and its own protection.
CREATE FUNCTION kedja_stores_calls(kind text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT kind IN ('recording', 'storage', 'backup', 'records')
$$;
