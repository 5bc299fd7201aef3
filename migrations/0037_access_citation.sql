-- What an answer to an access request cites, under the calling region's law
-- as in force on the day of the call (issue 14). The printable trace report
-- cited "GDPR Article 15(1)(c) and (d)" for every region and date: wrong for
-- a UK region (the UK GDPR), a Swiss one (the FADP) and a Swedish call
-- before 25 May 2018 (personuppgiftslagen). The right of access becomes a
-- provision of each regime beside the transfer provisions, and
-- kedja_law_citation gives it as the topic 'access'; a trace records it
-- when it is made (store/trace.go), and the report words it from there.
--
-- The provisions: the GDPR Art. 15(1)(c) and (d) (recipients, storage
-- period) from 25 May 2018, in the EEA EFTA states from 20 July 2018;
-- before, each state's act implementing Directive 95/46/EC Art. 12 (right
-- of access): in Sweden personuppgiftslagen (1998:204) 26 §, in the United
-- Kingdom the Data Protection Act 1998 s. 7, elsewhere the directive's
-- article, cited generically as the transfer provisions are. The UK GDPR
-- Art. 15(1)(c) and (d) from 1 January 2021. The FADP of 1992 Art. 8 until
-- 31 August 2023, the revised FADP Art. 25 from 1 September 2023.
--
-- Likewise what a gap in a processor's engagement cites, as the topics
-- 'agreement' (no contract binding the processor) and 'authorisation' (a
-- sub-processor engaged without the controllers' approval): the GDPR and
-- the UK GDPR Art. 28(3) and 28(2), as the agreement and authorisation
-- checks cite under EU law; the revised FADP Art. 9 and 9(3); the FADP of
-- 1992 Art. 10a; before the GDPR, personuppgiftslagen 30-31 §, the Data
-- Protection Act 1998 Sch. 1 Part II paras 11-12 and elsewhere Directive
-- 95/46/EC Art. 17(2)-(3). Two topics rather than one "Art. 28", so that
-- responsibility and the checks cite the same paragraph under EU law.
SELECT set_config('kedja.actor', 'migration 0037', true);

ALTER TABLE law_regimes ADD COLUMN access_ref text CHECK (length(access_ref) BETWEEN 1 AND 300),
                        ADD COLUMN agreement_ref text CHECK (length(agreement_ref) BETWEEN 1 AND 300),
                        ADD COLUMN authorisation_ref text CHECK (length(authorisation_ref) BETWEEN 1 AND 300);

UPDATE law_regimes r SET access_ref = x.access, agreement_ref = x.agreement, authorisation_ref = x.authorisation
FROM (VALUES
    ('eu', NULL, DATE '1995-10-24', 'Directive 95/46/EC Art. 12 (national law)',
        'Directive 95/46/EC Art. 17(2)-(3) (national law)', 'Directive 95/46/EC Art. 17(2)-(3) (national law)'),
    ('eu', NULL, DATE '2018-05-25', 'GDPR Art. 15(1)(c), (d)', 'GDPR Art. 28(3)', 'GDPR Art. 28(2)'),
    ('eu', 'SE', DATE '1998-10-24', 'PUL 26 §', 'PUL 30-31 §', 'PUL 30-31 §'),
    ('eu', 'GB', DATE '2000-03-01', 'DPA 1998 s. 7', 'DPA 1998 Sch. 1 Part II paras 11-12', 'DPA 1998 Sch. 1 Part II paras 11-12'),
    ('eu', 'IS', DATE '1995-10-24', 'Directive 95/46/EC Art. 12 (national law)',
        'Directive 95/46/EC Art. 17(2)-(3) (national law)', 'Directive 95/46/EC Art. 17(2)-(3) (national law)'),
    ('eu', 'LI', DATE '1995-10-24', 'Directive 95/46/EC Art. 12 (national law)',
        'Directive 95/46/EC Art. 17(2)-(3) (national law)', 'Directive 95/46/EC Art. 17(2)-(3) (national law)'),
    ('eu', 'NO', DATE '1995-10-24', 'Directive 95/46/EC Art. 12 (national law)',
        'Directive 95/46/EC Art. 17(2)-(3) (national law)', 'Directive 95/46/EC Art. 17(2)-(3) (national law)'),
    ('uk', NULL, DATE '2021-01-01', 'UK GDPR Art. 15(1)(c), (d)', 'UK GDPR Art. 28(3)', 'UK GDPR Art. 28(2)'),
    ('ch', NULL, DATE '1993-07-01', 'FADP 1992 Art. 8', 'FADP 1992 Art. 10a', 'FADP 1992 Art. 10a'),
    ('ch', NULL, DATE '2023-09-01', 'FADP Art. 25', 'FADP Art. 9', 'FADP Art. 9(3)')
) AS x(law, code, since, access, agreement, authorisation)
WHERE r.law = x.law AND r.country_code IS NOT DISTINCT FROM CAST(x.code AS char(2)) AND lower(r.valid) = x.since;

-- Every regime says what it cites, as it does for transfers: a row missed
-- above fails the migration here rather than a report later.
ALTER TABLE law_regimes ALTER COLUMN access_ref SET NOT NULL,
                        ALTER COLUMN agreement_ref SET NOT NULL,
                        ALTER COLUMN authorisation_ref SET NOT NULL;

-- kedja_law_citation (migrations/0030_laws.sql) with the topics 'access'
-- (what an answer to an access request cites for a controller established
-- in country code under law, on the date of at), 'agreement' and
-- 'authorisation'. The other topics are as before; the state's own row
-- still wins over the law's general one.
CREATE OR REPLACE FUNCTION kedja_law_citation(law text, code char(2), at timestamptz, topic text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT COALESCE(
        (SELECT CASE topic WHEN 'transfer' THEN r.transfer_ref WHEN 'safeguards' THEN r.safeguards_ref
                           WHEN 'access' THEN r.access_ref WHEN 'agreement' THEN r.agreement_ref
                           WHEN 'authorisation' THEN r.authorisation_ref ELSE r.act END
         FROM law_regimes r
         WHERE r.law = kedja_law_citation.law AND (r.country_code = code OR r.country_code IS NULL)
           AND r.valid @> CAST(at AS date)
         ORDER BY r.country_code IS NULL LIMIT 1),
        (SELECT w.name FROM laws w WHERE w.code = kedja_law_citation.law))
$$;

-- kedja_transfer_verdict_rank orders transfer verdicts from the gravest, as
-- the third_country and third_country_safeguarded checks rate them
-- (store/checks.go): no mechanism, or an adequacy decision that does not
-- apply (critical); a missing assessment, or clauses the law does not
-- recognise (high); a derogation (medium); recorded safeguards (info); none
-- needed (NULL) last. Where a link is reached over several paths whose
-- senders' laws differ, responsibility reports the gravest, as the checks
-- keep the gravest finding per subject.
CREATE FUNCTION kedja_transfer_verdict_rank(verdict text) RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN verdict IN ('no_mechanism', 'adequacy_not_applicable') THEN 0
        WHEN kedja_transfer_gap(verdict) THEN 1
        WHEN verdict = 'derogation' THEN 2
        WHEN verdict = 'safeguarded' THEN 3
        ELSE 4
    END
$$;

ANALYZE law_regimes;
