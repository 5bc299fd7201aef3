-- Legal reference data as of late 2026 (../shared/docs/domain.md), with dates so
-- that past instants are judged by the law of their day. Administrators keep
-- it current through the API; these rows are only the starting point.
SELECT set_config('kedja.actor', 'migration 0003', true);

-- EEA: EU membership dates (the GDPR's territorial test), the EEA Agreement
-- (1 January 1994) for its founding states, Liechtenstein from 1 May 1995.
-- The United Kingdom counts until the end of the transition period.
INSERT INTO eea_memberships (country_code, valid)
SELECT code, daterange(CAST(since AS date), CAST(until AS date))
FROM (VALUES
    ('AT', '1994-01-01', NULL), ('BE', '1994-01-01', NULL), ('DK', '1994-01-01', NULL),
    ('FI', '1994-01-01', NULL), ('FR', '1994-01-01', NULL), ('DE', '1994-01-01', NULL),
    ('GR', '1994-01-01', NULL), ('IE', '1994-01-01', NULL), ('IT', '1994-01-01', NULL),
    ('LU', '1994-01-01', NULL), ('NL', '1994-01-01', NULL), ('PT', '1994-01-01', NULL),
    ('ES', '1994-01-01', NULL), ('SE', '1994-01-01', NULL), ('IS', '1994-01-01', NULL),
    ('NO', '1994-01-01', NULL), ('LI', '1995-05-01', NULL),
    ('CY', '2004-05-01', NULL), ('CZ', '2004-05-01', NULL), ('EE', '2004-05-01', NULL),
    ('HU', '2004-05-01', NULL), ('LV', '2004-05-01', NULL), ('LT', '2004-05-01', NULL),
    ('MT', '2004-05-01', NULL), ('PL', '2004-05-01', NULL), ('SK', '2004-05-01', NULL),
    ('SI', '2004-05-01', NULL), ('BG', '2007-01-01', NULL), ('RO', '2007-01-01', NULL),
    ('HR', '2013-07-01', NULL), ('GB', '1994-01-01', '2021-01-01')
) AS m(code, since, until);

INSERT INTO adequacy_decisions (country_code, scope, condition_code, condition, decision_ref, decided_on, valid)
SELECT code, scope, cond_code, cond, ref, CAST(decided AS date),
       daterange(CAST(decided AS date), CAST(until AS date))
FROM (VALUES
    ('CH', 'full', NULL, NULL, 'Decision 2000/518/EC', '2000-07-26', NULL),
    ('AR', 'full', NULL, NULL, 'Decision 2003/490/EC', '2003-06-30', NULL),
    ('GG', 'full', NULL, NULL, 'Decision 2003/821/EC', '2003-11-21', NULL),
    ('IM', 'full', NULL, NULL, 'Decision 2004/411/EC', '2004-04-28', NULL),
    ('JE', 'full', NULL, NULL, 'Decision 2008/393/EC', '2008-05-08', NULL),
    ('FO', 'full', NULL, NULL, 'Decision 2010/146/EU', '2010-03-05', NULL),
    ('AD', 'full', NULL, NULL, 'Decision 2010/625/EU', '2010-10-19', NULL),
    ('IL', 'full', NULL, NULL, 'Decision 2011/61/EU', '2011-01-31', NULL),
    ('UY', 'full', NULL, NULL, 'Decision 2012/484/EU', '2012-08-21', NULL),
    ('NZ', 'full', NULL, NULL, 'Decision 2013/65/EU', '2012-12-19', NULL),
    ('JP', 'full', NULL, NULL, 'Decision (EU) 2019/419', '2019-01-23', NULL),
    ('KR', 'full', NULL, NULL, 'Decision (EU) 2022/254', '2021-12-17', NULL),
    ('GB', 'full', NULL, NULL, 'Decision (EU) 2021/1772, renewed', '2021-06-28', '2031-12-28'),
    ('BR', 'full', NULL, NULL, 'Adequacy decision for Brazil', '2026-01-26', NULL),
    ('CA', 'partial', 'commercial_organisation',
        'Only recipients subject to PIPEDA (commercial organisations); public bodies are not covered',
        'Decision 2002/2/EC', '2001-12-20', NULL),
    ('US', 'partial', 'other', 'Only organisations certified under Safe Harbour (invalidated by CJEU C-362/14)',
        'Decision 2000/520/EC', '2000-07-26', '2015-10-06'),
    ('US', 'partial', 'other', 'Only organisations certified under the Privacy Shield (invalidated by CJEU C-311/18)',
        'Decision (EU) 2016/1250', '2016-08-01', '2020-07-16'),
    ('US', 'partial', 'dpf_certification',
        'Only organisations certified under the EU-US Data Privacy Framework',
        'Decision (EU) 2023/1795', '2023-07-10', NULL)
) AS a(code, scope, cond_code, cond, ref, decided, until);

-- The 21 Swedish regions with their official county codes and letters.
INSERT INTO organisations (legal_name, country_code, kind, county_code, county_letter)
VALUES
    ('Region Stockholm', 'SE', 'region', '01', 'AB'),
    ('Region Uppsala', 'SE', 'region', '03', 'C'),
    ('Region Sörmland', 'SE', 'region', '04', 'D'),
    ('Region Östergötland', 'SE', 'region', '05', 'E'),
    ('Region Jönköpings län', 'SE', 'region', '06', 'F'),
    ('Region Kronoberg', 'SE', 'region', '07', 'G'),
    ('Region Kalmar län', 'SE', 'region', '08', 'H'),
    ('Region Gotland', 'SE', 'region', '09', 'I'),
    ('Region Blekinge', 'SE', 'region', '10', 'K'),
    ('Region Skåne', 'SE', 'region', '12', 'M'),
    ('Region Halland', 'SE', 'region', '13', 'N'),
    ('Västra Götalandsregionen', 'SE', 'region', '14', 'O'),
    ('Region Värmland', 'SE', 'region', '17', 'S'),
    ('Region Örebro län', 'SE', 'region', '18', 'T'),
    ('Region Västmanland', 'SE', 'region', '19', 'U'),
    ('Region Dalarna', 'SE', 'region', '20', 'W'),
    ('Region Gävleborg', 'SE', 'region', '21', 'X'),
    ('Region Västernorrland', 'SE', 'region', '22', 'Y'),
    ('Region Jämtland Härjedalen', 'SE', 'region', '23', 'Z'),
    ('Region Västerbotten', 'SE', 'region', '24', 'AC'),
    ('Region Norrbotten', 'SE', 'region', '25', 'BD');
