-- Each controller judged by its own law, as in force on the date (issue 14).
-- Until now kedja knew one frame, the EU's: a UK controller's purely UK
-- processing was a third-country transfer, and a 2017 transfer was judged
-- by the GDPR. Here the law becomes a fact of each party, dated, and every
-- rule of Chapter V takes the law it is judged under:
--
--   laws                 the legal frames kedja judges by: 'eu' (Directive
--                        95/46/EC and its national acts, then the GDPR),
--                        'uk' (the UK GDPR), 'ch' (the Swiss FADP);
--   law_territories      where a law is the party's own by default (the
--                        EU's territory is the EEA, eea_memberships);
--   party_jurisdictions  explicit dated rows that override that default;
--   adequacy_decisions   now per law (law 'eu' for every existing row);
--   transfer_bridges     periods in which a law does not treat sending data
--                        to a country as a transfer at all (the EU-UK bridge);
--   law_regimes          which act was in force for a law (and a state) on
--                        a date, and the provisions a finding cites.
SELECT set_config('kedja.actor', 'migration 0030', true);

CREATE TABLE laws (
    code        text      PRIMARY KEY CHECK (code ~ '^[a-z]{2,10}$'),
    name        text      NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- When the frame exists at all: the UK GDPR from the end of the Brexit
    -- transition (1 January 2021); before it UK parties were judged by EU law.
    valid       daterange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    -- From when a transfer under standard clauses or binding corporate rules
    -- is expected to come with a transfer impact assessment: the Schrems II
    -- judgment (CJEU C-311/18, 16 July 2020) for the EU and the UK (still
    -- bound by CJEU case law in the transition period); for Switzerland the
    -- FDPIC's position paper of 8 September 2020 on transfers to the US.
    tia_expected_from date NOT NULL
);

CREATE TABLE law_territories (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    law          text      NOT NULL REFERENCES laws,
    country_code char(2)   NOT NULL REFERENCES countries,
    valid        daterange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT law_territories_no_overlap EXCLUDE USING gist (country_code WITH =, valid WITH &&)
);

CREATE TABLE party_jurisdictions (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id bigint    NOT NULL REFERENCES organisations,
    law    text      NOT NULL REFERENCES laws,
    note   text      CHECK (length(note) <= 4000),
    -- Legal dates, as the other reference rows: a jurisdiction changes on a day.
    valid  daterange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT party_jurisdictions_no_overlap EXCLUDE USING gist (org_id WITH =, valid WITH &&)
);

CREATE TABLE transfer_bridges (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    law          text      NOT NULL REFERENCES laws,
    country_code char(2)   NOT NULL REFERENCES countries,
    reference    text      NOT NULL CHECK (length(reference) BETWEEN 1 AND 300),
    valid        daterange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT transfer_bridges_no_overlap EXCLUDE USING gist (law WITH =, country_code WITH =, valid WITH &&)
);

CREATE TABLE law_regimes (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    law            text      NOT NULL REFERENCES laws,
    -- NULL: every state of the law; a state's own row (its directive-era
    -- act, or the EEA EFTA states' later GDPR date) wins over it.
    country_code   char(2)   REFERENCES countries,
    act            text      NOT NULL CHECK (length(act) BETWEEN 1 AND 300),
    -- What a finding about a transfer without safeguards cites, and what one
    -- about a transfer under recorded safeguards or a derogation cites.
    transfer_ref   text      NOT NULL CHECK (length(transfer_ref) BETWEEN 1 AND 300),
    safeguards_ref text      NOT NULL CHECK (length(safeguards_ref) BETWEEN 1 AND 300),
    valid          daterange NOT NULL CHECK (NOT isempty(valid) AND NOT lower_inf(valid)),
    CONSTRAINT law_regimes_no_overlap EXCLUDE USING gist (law WITH =, (COALESCE(CAST(country_code AS text), '')) WITH =, valid WITH &&)
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['laws', 'law_territories', 'party_jurisdictions', 'transfer_bridges', 'law_regimes']
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION kedja_record_change()', t || '_history', t);
        EXECUTE format('CREATE TRIGGER %I BEFORE DELETE ON %I FOR EACH ROW EXECUTE FUNCTION kedja_forbid_delete()', t || '_no_delete', t);
    END LOOP;
END $$;
CREATE INDEX party_jurisdictions_org ON party_jurisdictions (org_id);

-- Adequacy decisions become per law; every existing row is the EU's.
ALTER TABLE adequacy_decisions ADD COLUMN law text NOT NULL DEFAULT 'eu';
INSERT INTO laws (code, name, valid, tia_expected_from) VALUES
    -- The directive (in force 13 December 1995, to be transposed by
    -- 24 October 1998), then the GDPR: one frame, its act per regime below.
    ('eu', 'EU/EEA data protection law (Directive 95/46/EC, then Regulation (EU) 2016/679)', daterange('1995-10-24', NULL), '2020-07-16'),
    ('uk', 'UK GDPR and the Data Protection Act 2018', daterange('2021-01-01', NULL), '2020-07-16'),
    -- FADP of 19 June 1992, in force 1 July 1993; revised FADP from 1 September 2023.
    ('ch', 'Swiss Federal Act on Data Protection (FADP)', daterange('1993-07-01', NULL), '2020-09-08');
ALTER TABLE adequacy_decisions ADD CONSTRAINT adequacy_decisions_law FOREIGN KEY (law) REFERENCES laws;
ALTER TABLE adequacy_decisions DROP CONSTRAINT adequacy_decisions_no_overlap;
ALTER TABLE adequacy_decisions ADD CONSTRAINT adequacy_decisions_no_overlap
    EXCLUDE USING gist (law WITH =, country_code WITH =, valid WITH &&);

-- Where each law is a party's own by default. The EU's is the EEA
-- (eea_memberships, unchanged). The UK GDPR is Great Britain's and Northern
-- Ireland's from 1 January 2021 (GB: kedja's code for the United Kingdom);
-- the FADP Switzerland's since it came into force.
INSERT INTO law_territories (law, country_code, valid) VALUES
    ('uk', 'GB', daterange('2021-01-01', NULL)),
    ('ch', 'CH', daterange('1993-07-01', NULL));

-- The EU-UK bridge: "the transmission of personal data from the Union to the
-- United Kingdom shall not be considered as transfer to a third country"
-- from the end of the transition period until the adequacy decision (EU-UK
-- Trade and Cooperation Agreement, Art. FINPROV.10A, OJ L 444, 31.12.2020;
-- ended by Decision (EU) 2021/1772 of 28 June 2021). The UK stays a third
-- country in that period (its standing says so); only the transfer is not
-- one.
INSERT INTO transfer_bridges (law, country_code, reference, valid) VALUES
    ('eu', 'GB', 'EU-UK Trade and Cooperation Agreement, Art. FINPROV.10A (the bridge)', daterange('2021-01-01', '2021-06-28'));

-- The UK's adequacy regulations. From 1 January 2021 the UK treats as
-- adequate the EEA states, Gibraltar and the countries the EU had found
-- adequate by then (Data Protection Act 2018, Sch. 21 paras 4-5, inserted by
-- the Data Protection, Privacy and Electronic Communications (Amendments etc)
-- (EU Exit) Regulations 2019, SI 2019/419); the Republic of Korea from
-- 19 December 2022 (The Data Protection (Adequacy) (Republic of Korea)
-- Regulations 2022, SI 2022/1213); the United States, for organisations
-- certified under the Data Privacy Framework and its UK Extension, from
-- 12 October 2023 (The Data Protection (Adequacy) (United States of America)
-- Regulations 2023, SI 2023/1028: the "data bridge").
INSERT INTO adequacy_decisions (law, country_code, scope, condition_code, condition, decision_ref, decided_on, valid)
SELECT 'uk', m.country_code, 'full', NULL, NULL, 'DPA 2018 Sch. 21 para 4 (EEA state)', DATE '2021-01-01', daterange('2021-01-01', NULL)
FROM eea_memberships m
WHERE m.valid @> DATE '2021-01-01' AND m.country_code <> 'GB';
INSERT INTO adequacy_decisions (law, country_code, scope, condition_code, condition, decision_ref, decided_on, valid)
SELECT 'uk', code, scope, cond_code, cond, ref, CAST(decided AS date), daterange(CAST(decided AS date), NULL)
FROM (VALUES
    ('GI', 'full', NULL, NULL, 'DPA 2018 Sch. 21 para 4 (Gibraltar)', '2021-01-01'),
    ('AD', 'full', NULL, NULL, 'DPA 2018 Sch. 21 para 5 (Decision 2010/625/EU)', '2021-01-01'),
    ('AR', 'full', NULL, NULL, 'DPA 2018 Sch. 21 para 5 (Decision 2003/490/EC)', '2021-01-01'),
    ('FO', 'full', NULL, NULL, 'DPA 2018 Sch. 21 para 5 (Decision 2010/146/EU)', '2021-01-01'),
    ('GG', 'full', NULL, NULL, 'DPA 2018 Sch. 21 para 5 (Decision 2003/821/EC)', '2021-01-01'),
    ('IM', 'full', NULL, NULL, 'DPA 2018 Sch. 21 para 5 (Decision 2004/411/EC)', '2021-01-01'),
    ('IL', 'full', NULL, NULL, 'DPA 2018 Sch. 21 para 5 (Decision 2011/61/EU)', '2021-01-01'),
    ('JE', 'full', NULL, NULL, 'DPA 2018 Sch. 21 para 5 (Decision 2008/393/EC)', '2021-01-01'),
    ('JP', 'full', NULL, NULL, 'DPA 2018 Sch. 21 para 5 (Decision (EU) 2019/419)', '2021-01-01'),
    ('NZ', 'full', NULL, NULL, 'DPA 2018 Sch. 21 para 5 (Decision 2013/65/EU)', '2021-01-01'),
    ('CH', 'full', NULL, NULL, 'DPA 2018 Sch. 21 para 5 (Decision 2000/518/EC)', '2021-01-01'),
    ('UY', 'full', NULL, NULL, 'DPA 2018 Sch. 21 para 5 (Decision 2012/484/EU)', '2021-01-01'),
    ('CA', 'partial', 'commercial_organisation',
        'Only recipients subject to PIPEDA (commercial organisations); public bodies are not covered',
        'DPA 2018 Sch. 21 para 5 (Decision 2002/2/EC)', '2021-01-01'),
    ('KR', 'full', NULL, NULL, 'The Data Protection (Adequacy) (Republic of Korea) Regulations 2022 (SI 2022/1213)', '2022-12-19'),
    ('US', 'partial', 'dpf_certification',
        'Only organisations certified under the EU-US Data Privacy Framework and its UK Extension (the data bridge)',
        'The Data Protection (Adequacy) (United States of America) Regulations 2023 (SI 2023/1028)', '2023-10-12')
) AS a(code, scope, cond_code, cond, ref, decided);

-- Switzerland's list. The EU and EEA states and the United Kingdom were on
-- the FDPIC's list of states with adequate legislation under the FADP of
-- 1992 (Art. 6(1)) throughout; the other states are recorded from the
-- revised FADP's list (Annex 1 to the Data Protection Ordinance, SR 235.11,
-- in force 1 September 2023), since the earlier dates of their listing are
-- not established here (an administrator may add them); the United States,
-- for organisations certified under the Swiss-US Data Privacy Framework,
-- from 15 September 2024 (Federal Council, 14 August 2024, amending Annex 1).
INSERT INTO adequacy_decisions (law, country_code, scope, condition_code, condition, decision_ref, decided_on, valid)
SELECT 'ch', m.country_code, 'full', NULL, NULL, 'FDPIC list of states (FADP 1992 Art. 6(1)); DPO Annex 1',
       GREATEST(lower(m.valid), DATE '1993-07-01'), daterange(GREATEST(lower(m.valid), DATE '1993-07-01'), NULL)
FROM eea_memberships m
WHERE m.country_code <> 'GB' AND upper_inf(m.valid);
INSERT INTO adequacy_decisions (law, country_code, scope, condition_code, condition, decision_ref, decided_on, valid)
SELECT 'ch', code, scope, cond_code, cond, ref, CAST(decided AS date), daterange(CAST(decided AS date), NULL)
FROM (VALUES
    ('GB', 'full', NULL, NULL, 'FDPIC list of states (FADP 1992 Art. 6(1)); DPO Annex 1', '1993-07-01'),
    ('AD', 'full', NULL, NULL, 'DPO Annex 1', '2023-09-01'),
    ('AR', 'full', NULL, NULL, 'DPO Annex 1', '2023-09-01'),
    ('FO', 'full', NULL, NULL, 'DPO Annex 1', '2023-09-01'),
    ('GG', 'full', NULL, NULL, 'DPO Annex 1', '2023-09-01'),
    ('GI', 'full', NULL, NULL, 'DPO Annex 1', '2023-09-01'),
    ('IM', 'full', NULL, NULL, 'DPO Annex 1', '2023-09-01'),
    ('IL', 'full', NULL, NULL, 'DPO Annex 1', '2023-09-01'),
    ('JE', 'full', NULL, NULL, 'DPO Annex 1', '2023-09-01'),
    ('MC', 'full', NULL, NULL, 'DPO Annex 1', '2023-09-01'),
    ('NZ', 'full', NULL, NULL, 'DPO Annex 1', '2023-09-01'),
    ('UY', 'full', NULL, NULL, 'DPO Annex 1', '2023-09-01'),
    ('CA', 'partial', 'commercial_organisation',
        'Only recipients subject to PIPEDA (commercial organisations); public bodies are not covered',
        'DPO Annex 1', '2023-09-01'),
    ('US', 'partial', 'dpf_certification',
        'Only organisations certified under the Swiss-US Data Privacy Framework',
        'DPO Annex 1, amended by the Federal Council on 14 August 2024 (Swiss-US DPF)', '2024-09-15')
) AS a(code, scope, cond_code, cond, ref, decided);

-- The acts in force, and what findings cite. The GDPR applies from 25 May
-- 2018 (Art. 99(2)); in the EEA EFTA states from 20 July 2018 (EEA Joint
-- Committee Decision 154/2018). Before, each state's act implementing
-- Directive 95/46/EC: in Sweden personuppgiftslagen (1998:204), whose
-- 33-35 §§ governed transfers to third countries; in the United Kingdom the
-- Data Protection Act 1998 (eighth principle, Sch. 1 Part I para 8; Sch. 4).
-- Other states' acts are cited generically until an administrator adds
-- theirs. The UK GDPR Chapter V (Art. 44-49) from 1 January 2021; the
-- Swiss FADP of 1992 (Art. 6) until 31 August 2023 and the revised FADP
-- (Art. 16-17) from 1 September 2023.
INSERT INTO law_regimes (law, country_code, act, transfer_ref, safeguards_ref, valid)
SELECT law, code, act, tref, sref, daterange(CAST(since AS date), CAST(until AS date))
FROM (VALUES
    ('eu', NULL, 'National law implementing Directive 95/46/EC', 'Directive 95/46/EC Art. 25-26 (national law)',
        'Directive 95/46/EC Art. 26 (national law)', '1995-10-24', '2018-05-25'),
    ('eu', NULL, 'Regulation (EU) 2016/679 (GDPR)', 'GDPR Art. 44-46', 'GDPR Art. 46, 49', '2018-05-25', NULL),
    ('eu', 'SE', 'Personuppgiftslagen (1998:204)', 'PUL 33-35 §', 'PUL 33-35 §', '1998-10-24', '2018-05-25'),
    ('eu', 'GB', 'Data Protection Act 1998', 'DPA 1998 Sch. 1 Part I para 8', 'DPA 1998 Sch. 4', '2000-03-01', '2018-05-25'),
    ('eu', 'IS', 'National law implementing Directive 95/46/EC', 'Directive 95/46/EC Art. 25-26 (national law)',
        'Directive 95/46/EC Art. 26 (national law)', '1995-10-24', '2018-07-20'),
    ('eu', 'LI', 'National law implementing Directive 95/46/EC', 'Directive 95/46/EC Art. 25-26 (national law)',
        'Directive 95/46/EC Art. 26 (national law)', '1995-10-24', '2018-07-20'),
    ('eu', 'NO', 'National law implementing Directive 95/46/EC', 'Directive 95/46/EC Art. 25-26 (national law)',
        'Directive 95/46/EC Art. 26 (national law)', '1995-10-24', '2018-07-20'),
    ('uk', NULL, 'UK GDPR', 'UK GDPR Art. 44-49', 'UK GDPR Art. 46, 49', '2021-01-01', NULL),
    ('ch', NULL, 'FADP of 19 June 1992', 'FADP 1992 Art. 6', 'FADP 1992 Art. 6(2)', '1993-07-01', '2023-09-01'),
    ('ch', NULL, 'FADP of 25 September 2020', 'FADP Art. 16-17', 'FADP Art. 16(2), 17', '2023-09-01', NULL)
) AS r(law, code, act, tref, sref, since, until);

-- kedja_country_law is the law that is a party's own by default where it is
-- established, on the date of at: 'eu' in the EEA, a law's territory
-- otherwise, NULL where kedja knows no law of the country.
CREATE FUNCTION kedja_country_law(code char(2), at timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN EXISTS (SELECT 1 FROM eea_memberships m WHERE m.country_code = code AND m.valid @> CAST(at AS date)) THEN 'eu'
        ELSE (SELECT t.law FROM law_territories t WHERE t.country_code = code AND t.valid @> CAST(at AS date))
    END
$$;

-- kedja_party_law is a party's own law at an instant: its explicit
-- jurisdiction row, where one is valid then and its law exists then,
-- otherwise its country's (kedja_country_law); NULL when it has none.
CREATE FUNCTION kedja_party_law(org bigint, at timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT COALESCE(
        (SELECT j.law FROM party_jurisdictions j JOIN laws w ON w.code = j.law
         WHERE j.org_id = org AND j.valid @> CAST(at AS date) AND w.valid @> CAST(at AS date)),
        (SELECT kedja_country_law(o.country_code, at) FROM organisations o WHERE o.id = org))
$$;

-- kedja_path_law is the law a transfer over the last link of a path of
-- links (the root's first) is judged by: the exporter's. The rule (issue 14
-- item 1; ../shared/docs/domain.md, Art. 28(3)-(4): duties flow down the
-- chain): the sending party's own law (kedja_party_law); a party with no
-- law of its own in kedja (a processor in Thailand making an onward
-- transfer) transfers under the law of the party that sent it the data,
-- and so on up the path to the controller, whose instructions it acts
-- under; a path on which no party has a law of its own is judged by EU law,
-- the registry's frame for callers in the EEA (GDPR Art. 3(2)).
CREATE FUNCTION kedja_path_law(link_path bigint[], at timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT COALESCE(
        (SELECT p.law FROM unnest(link_path) WITH ORDINALITY AS u(link_id, n)
         JOIN links l ON l.id = u.link_id
         CROSS JOIN LATERAL (SELECT kedja_party_law(l.from_id, at) AS law) p
         WHERE p.law IS NOT NULL ORDER BY u.n DESC LIMIT 1),
        'eu')
$$;

-- kedja_path_law_country is the country of the party whose law
-- kedja_path_law applies: its state's directive-era act is the one cited.
CREATE FUNCTION kedja_path_law_country(link_path bigint[], at timestamptz) RETURNS char(2)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (SELECT o.country_code FROM unnest(link_path) WITH ORDINALITY AS u(link_id, n)
            JOIN links l ON l.id = u.link_id
            JOIN organisations o ON o.id = l.from_id
            WHERE kedja_party_law(l.from_id, at) IS NOT NULL ORDER BY u.n DESC LIMIT 1)
$$;

-- kedja_transfer_class is a country's standing for transfers under a law on
-- the date of an instant: 'eea' (EU law: an EEA state), 'domestic' (another
-- law: its own territory, as Great Britain is the UK GDPR's), 'adequacy',
-- 'partial_adequacy' (that law's own list) or 'third_country'. The two-
-- argument form is EU law, as before.
CREATE FUNCTION kedja_transfer_class(code char(2), at timestamptz, law text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN law = 'eu' AND EXISTS (SELECT 1 FROM eea_memberships m WHERE m.country_code = code AND m.valid @> CAST(at AS date)) THEN 'eea'
        WHEN law <> 'eu' AND EXISTS (SELECT 1 FROM law_territories t WHERE t.law = kedja_transfer_class.law AND t.country_code = code
                                     AND t.valid @> CAST(at AS date)) THEN 'domestic'
        ELSE COALESCE((SELECT CASE a.scope WHEN 'full' THEN 'adequacy' ELSE 'partial_adequacy' END
                       FROM adequacy_decisions a
                       WHERE a.law = kedja_transfer_class.law AND a.country_code = code AND a.valid @> CAST(at AS date)),
                      'third_country')
    END
$$;

CREATE OR REPLACE FUNCTION kedja_transfer_class(code char(2), at timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT kedja_transfer_class(code, at, 'eu')
$$;

-- kedja_transfer_bridged: a law does not count sending data to the country
-- on that date as a transfer at all (transfer_bridges).
CREATE FUNCTION kedja_transfer_bridged(code char(2), at timestamptz, law text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (SELECT 1 FROM transfer_bridges b
                   WHERE b.law = kedja_transfer_bridged.law AND b.country_code = code AND b.valid @> CAST(at AS date))
$$;

-- kedja_verdict_class is the standing a transfer verdict starts from:
-- the class, or 'bridged' where the law does not count sending data to the
-- country as a transfer then. The checks compute it once per (country, law)
-- and run, so the bridge is not looked up per row.
CREATE FUNCTION kedja_verdict_class(class text, code char(2), at timestamptz, law text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN class IN ('third_country', 'partial_adequacy') AND kedja_transfer_bridged(code, at, law) THEN 'bridged'
                ELSE class END
$$;

-- kedja_tia_expected: from the law's date (laws.tia_expected_from) a
-- transfer under clauses or rules is expected to come with a transfer
-- impact assessment; a 2017 transfer under the 2010 clauses is not faulted
-- for lacking one.
CREATE FUNCTION kedja_tia_expected(law text, at timestamptz) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT COALESCE((SELECT w.tia_expected_from <= CAST(at AS date) FROM laws w WHERE w.code = law), true)
$$;

-- The partial-adequacy condition under a law's own decision; the
-- three-argument form is EU law, as before.
CREATE FUNCTION kedja_partial_condition_met(org bigint, code char(2), at timestamptz, law text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (
        SELECT 1 FROM adequacy_decisions a
        WHERE a.law = kedja_partial_condition_met.law
          AND a.country_code = code AND a.scope = 'partial' AND a.valid @> CAST(at AS date)
          AND ((a.condition_code = 'dpf_certification' AND EXISTS (
                    SELECT 1 FROM attestations t
                    WHERE t.org_id = org AND t.kind = 'dpf_certification'
                      AND kedja_attestation_valid(t.issued_on, t.valid_until, t.withdrawn_at, at)))
            OR (a.condition_code = 'commercial_organisation'
                AND (SELECT kind FROM organisations WHERE id = org) = 'company')))
$$;

CREATE OR REPLACE FUNCTION kedja_partial_condition_met(org bigint, code char(2), at timestamptz) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT kedja_partial_condition_met(org, code, at, 'eu')
$$;

-- kedja_transfer_verdict_in under a law, given kedja_verdict_class: as the
-- EU form (0009_rules.sql), with the law's own territory ('domestic') and a
-- bridged country needing no safeguard, the law's own partial decisions,
-- and clauses or rules without an assessment 'safeguarded' before the law
-- expected one.
CREATE FUNCTION kedja_transfer_verdict_in(class text, org bigint, code char(2), at timestamptz, mechanism text, tia date, law text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN class IN ('eea', 'domestic', 'adequacy', 'bridged') THEN NULL
        WHEN class = 'partial_adequacy' AND kedja_partial_condition_met(org, code, at, law) THEN NULL
        WHEN mechanism IN ('scc', 'bcr') AND tia IS NULL AND NOT kedja_tia_expected(law, at) THEN 'safeguarded'
        ELSE kedja_mechanism_verdict(mechanism, tia)
    END
$$;

CREATE OR REPLACE FUNCTION kedja_transfer_verdict_in(class text, org bigint, code char(2), at timestamptz, mechanism text, tia date) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT kedja_transfer_verdict_in(kedja_verdict_class(class, code, at, 'eu'), org, code, at, mechanism, tia, 'eu')
$$;

CREATE FUNCTION kedja_transfer_verdict(org bigint, code char(2), at timestamptz, mechanism text, tia date, law text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT kedja_transfer_verdict_in(kedja_verdict_class(kedja_transfer_class(code, at, law), code, at, law), org, code, at, mechanism, tia, law)
$$;

CREATE OR REPLACE FUNCTION kedja_transfer_verdict(org bigint, code char(2), at timestamptz, mechanism text, tia date) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT kedja_transfer_verdict(org, code, at, mechanism, tia, 'eu')
$$;

-- kedja_law_citation is what a finding about a transfer cites under a law
-- for an exporter established in country code, on the date of at: topic
-- 'transfer' (no lawful safeguard), 'safeguards' (clauses, rules or a
-- derogation) or 'act' (the act's name). The state's own row wins over the
-- law's general one; before any regime, the law's name. The one statement
-- of which provisions were in force, for checks, traces, responsibility and
-- reports.
CREATE FUNCTION kedja_law_citation(law text, code char(2), at timestamptz, topic text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT COALESCE(
        (SELECT CASE topic WHEN 'transfer' THEN r.transfer_ref WHEN 'safeguards' THEN r.safeguards_ref ELSE r.act END
         FROM law_regimes r
         WHERE r.law = kedja_law_citation.law AND (r.country_code = code OR r.country_code IS NULL)
           AND r.valid @> CAST(at AS date)
         ORDER BY r.country_code IS NULL LIMIT 1),
        (SELECT w.name FROM laws w WHERE w.code = kedja_law_citation.law))
$$;

-- Statistics for the small reference tables now, not when autovacuum gets
-- to them: unanalysed, the planner takes laws x countries for 711,900 rows
-- instead of 747, and every check run of a new database (each test's) paid
-- about 150 ms of JIT compilation for run_standing alone.
ANALYZE countries, laws, law_territories, transfer_bridges, law_regimes, adequacy_decisions, eea_memberships, party_jurisdictions;
