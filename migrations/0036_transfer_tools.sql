-- Which standard clauses a transfer relies on, judged by the exporter's law
-- at the instant (issue 14 item 5). Until now a link said only 'scc' (and a
-- module of the 2021 decision); the law asks which clauses: the EU's older
-- decisions lapsed on 27 December 2022, the UK has its own IDTA and
-- Addendum, and Switzerland recognises the EU 2021 clauses only with the
-- FDPIC's adaptations.
--
--   transfer_tools   each tool a law recognises, with the dates it counts
--                    as an appropriate safeguard under that law;
--   links.transfer_tool  the tool a link's clauses are (NULL: not recorded,
--                    judged as before: unknown is not a gap of its own).
SELECT set_config('kedja.actor', 'migration 0036', true);

CREATE TABLE transfer_tools (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tool      text      NOT NULL CHECK (tool IN ('eu_scc_2001', 'eu_scc_2004', 'eu_scc_2010', 'eu_scc_2021',
                                                 'uk_idta', 'uk_addendum', 'ch_scc_2021')),
    law       text      NOT NULL REFERENCES laws,
    reference text      NOT NULL CHECK (length(reference) BETWEEN 1 AND 300),
    -- The days the tool counts as a safeguard under the law. Whether a
    -- contract was concluded in time for a transition (new contracts on the
    -- old EU clauses until 27 September 2021; on EU 2010 clauses under UK
    -- law until 21 September 2022) is not recorded on a link, so only the
    -- outer date is judged.
    valid     daterange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT transfer_tools_no_overlap EXCLUDE USING gist (tool WITH =, law WITH =, valid WITH &&)
);
CREATE TRIGGER transfer_tools_history AFTER INSERT OR UPDATE ON transfer_tools FOR EACH ROW EXECUTE FUNCTION kedja_record_change();
CREATE TRIGGER transfer_tools_no_delete BEFORE DELETE ON transfer_tools FOR EACH ROW EXECUTE FUNCTION kedja_forbid_delete();

-- EU law. Set I: Decision 2001/497/EC (controller to controller), applicable
-- from 3 September 2001; set II: Decision 2004/915/EC, from 1 April 2005;
-- controller to processor: Decision 2010/87/EU, from 15 May 2010. All three
-- repealed from 27 September 2021 by Implementing Decision (EU) 2021/914,
-- whose Art. 4(4) lets contracts concluded before then on them provide
-- appropriate safeguards until 27 December 2022 (that day included; a gap
-- from 28 December 2022). The 2021 clauses (modules 1-4) apply from
-- 27 June 2021 (Art. 4(2)).
-- UK law. From 1 January 2021 the EU clauses of 2001, 2004 and 2010 were
-- the UK's own standard clauses (DPA 2018 Sch. 21 para 7); the
-- International Data Transfer Agreement and the International Data Transfer
-- Addendum to the EU 2021 clauses, laid before Parliament under s.119A
-- DPA 2018, are in force from 21 March 2022; the old clauses stay valid for
-- contracts concluded before 21 September 2022 until 21 March 2024 (the
-- transitional provisions of the IDTA and Addendum, para 4-5): a gap from
-- that day. The EU 2021 clauses alone are no UK tool.
-- Swiss law. The FDPIC recognised the EU's standard clauses under FADP 1992
-- Art. 6(2)(a); on 27 August 2021 it recognised the EU 2021 clauses with its
-- adaptations for Swiss law, the old clauses remaining usable until
-- 31 December 2022 (FDPIC, "The transfer of personal data to a country
-- with an inadequate level of data protection based on recognised standard
-- contractual clauses", 27 August 2021).
INSERT INTO transfer_tools (tool, law, reference, valid)
SELECT tool, law, ref, daterange(CAST(since AS date), CAST(until AS date))
FROM (VALUES
    ('eu_scc_2001', 'eu', 'Decision 2001/497/EC (SCC set I); Decision (EU) 2021/914 Art. 4(4)', '2001-09-03', '2022-12-28'),
    ('eu_scc_2004', 'eu', 'Decision 2004/915/EC (SCC set II); Decision (EU) 2021/914 Art. 4(4)', '2005-04-01', '2022-12-28'),
    ('eu_scc_2010', 'eu', 'Decision 2010/87/EU (SCC controller to processor); Decision (EU) 2021/914 Art. 4(4)', '2010-05-15', '2022-12-28'),
    ('eu_scc_2021', 'eu', 'Implementing Decision (EU) 2021/914', '2021-06-27', NULL),
    ('eu_scc_2001', 'uk', 'DPA 2018 Sch. 21 para 7 (Decision 2001/497/EC); IDTA transitional provisions', '2021-01-01', '2024-03-21'),
    ('eu_scc_2004', 'uk', 'DPA 2018 Sch. 21 para 7 (Decision 2004/915/EC); IDTA transitional provisions', '2021-01-01', '2024-03-21'),
    ('eu_scc_2010', 'uk', 'DPA 2018 Sch. 21 para 7 (Decision 2010/87/EU); IDTA transitional provisions', '2021-01-01', '2024-03-21'),
    ('uk_idta', 'uk', 'International Data Transfer Agreement (DPA 2018 s.119A)', '2022-03-21', NULL),
    ('uk_addendum', 'uk', 'International Data Transfer Addendum to the EU SCCs (DPA 2018 s.119A)', '2022-03-21', NULL),
    ('eu_scc_2001', 'ch', 'FADP 1992 Art. 6(2)(a) (FDPIC recognition of Decision 2001/497/EC)', '2001-09-03', '2023-01-01'),
    ('eu_scc_2004', 'ch', 'FADP 1992 Art. 6(2)(a) (FDPIC recognition of Decision 2004/915/EC)', '2005-04-01', '2023-01-01'),
    ('eu_scc_2010', 'ch', 'FADP 1992 Art. 6(2)(a) (FDPIC recognition of Decision 2010/87/EU)', '2010-05-15', '2023-01-01'),
    ('ch_scc_2021', 'ch', 'EU SCCs 2021/914 with the FDPIC''s adaptations (recognised 27 August 2021)', '2021-08-27', NULL)
) AS t(tool, law, ref, since, until);

ALTER TABLE links ADD COLUMN transfer_tool text
    CHECK (transfer_tool IN ('eu_scc_2001', 'eu_scc_2004', 'eu_scc_2010', 'eu_scc_2021', 'uk_idta', 'uk_addendum', 'ch_scc_2021'));
-- A tool names clauses: only a transfer under standard clauses has one.
ALTER TABLE links ADD CONSTRAINT links_tool_is_scc CHECK (transfer_tool IS NULL OR transfer_mechanism = 'scc');

-- kedja_tool_verdict is the verdict on a transfer's recorded mechanism
-- under a law at an instant, once the country's standing says a safeguard
-- is needed: clauses whose tool the law no longer recognises then are
-- 'outdated_clauses'; a tool the law does not (or not yet) recognise then,
-- such as the EU 2021 clauses alone under UK law, is 'tool_not_valid';
-- otherwise clauses or rules without an assessment are 'safeguarded' before
-- the law expected one (kedja_tia_expected), and the rest as
-- kedja_mechanism_verdict. A tool not recorded (NULL) is judged as before.
CREATE FUNCTION kedja_tool_verdict(tool text, mechanism text, tia date, at timestamptz, law text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN mechanism = 'scc' AND tool IS NOT NULL AND NOT EXISTS (
                 SELECT 1 FROM transfer_tools t
                 WHERE t.tool = kedja_tool_verdict.tool AND t.law = kedja_tool_verdict.law AND t.valid @> CAST(at AS date))
        THEN CASE WHEN EXISTS (SELECT 1 FROM transfer_tools t
                               WHERE t.tool = kedja_tool_verdict.tool AND t.law = kedja_tool_verdict.law
                                 AND upper(t.valid) <= CAST(at AS date))
                  THEN 'outdated_clauses' ELSE 'tool_not_valid' END
        WHEN mechanism IN ('scc', 'bcr') AND tia IS NULL AND NOT kedja_tia_expected(law, at) THEN 'safeguarded'
        ELSE kedja_mechanism_verdict(mechanism, tia)
    END
$$;

-- kedja_transfer_verdict_in with the link's tool: the one statement of
-- Chapter V that checks, chains, traces and responsibility call. The
-- seven-argument form (tool not recorded) keeps its answers.
CREATE FUNCTION kedja_transfer_verdict_in(class text, org bigint, code char(2), at timestamptz, mechanism text, tia date, law text, tool text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN class IN ('eea', 'domestic', 'adequacy', 'bridged') THEN NULL
        WHEN class = 'partial_adequacy' AND kedja_partial_condition_met(org, code, at, law) THEN NULL
        ELSE kedja_tool_verdict(tool, mechanism, tia, at, law)
    END
$$;

CREATE OR REPLACE FUNCTION kedja_transfer_verdict_in(class text, org bigint, code char(2), at timestamptz, mechanism text, tia date, law text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT kedja_transfer_verdict_in(class, org, code, at, mechanism, tia, law, NULL)
$$;

CREATE FUNCTION kedja_transfer_verdict(org bigint, code char(2), at timestamptz, mechanism text, tia date, law text, tool text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT kedja_transfer_verdict_in(kedja_verdict_class(kedja_transfer_class(code, at, law), code, at, law), org, code, at, mechanism, tia, law, tool)
$$;

CREATE OR REPLACE FUNCTION kedja_transfer_verdict(org bigint, code char(2), at timestamptz, mechanism text, tia date, law text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT kedja_transfer_verdict(org, code, at, mechanism, tia, law, NULL)
$$;

-- Clauses the law no longer or does not recognise leave the transfer
-- without a lawful safeguard, as a missing mechanism does.
CREATE OR REPLACE FUNCTION kedja_transfer_gap(verdict text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT verdict IN ('no_mechanism', 'adequacy_not_applicable', 'no_tia', 'outdated_clauses', 'tool_not_valid')
$$;
