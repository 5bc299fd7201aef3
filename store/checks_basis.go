package store

import "github.com/kedja/kedja/registry"

// The checks of the legal basis for disclosure and of the controllers' own
// duties (GDPR Art. 13 and 30). Their rules live in
// migrations/0011_legal_basis.sql; the authorisation check, whose rule that
// migration extends, stays in checks.go.

// thirdCountries are, per controller and link reached, the countries outside
// the EEA (under another law than the EU's, outside its own territory:
// the law of the link's exporter, reach.law) that the link's data reaches: the receiving party's country and
// the countries its systems on the link store data in or are reached from,
// with since: when the data began to go there, as far as the dated facts
// say.
const thirdCountries = `
	third AS (
	    SELECT r.controller_id, r.link_id, r.to_id, o.country_code AS code, GREATEST(r.since, st.restricted_since) AS since
	    FROM reach r JOIN organisations o ON o.id = r.to_id JOIN standing st ON st.code = o.country_code AND st.law = r.law
	    WHERE st.class NOT IN ('eea', 'domestic')
	    UNION
	    SELECT s.controller_id, s.link_id, r.to_id, sl.country_code, GREATEST(s.since, lower(sl.valid), st.restricted_since)
	    FROM reach_systems s
	    JOIN reach r ON r.controller_id = s.controller_id AND r.link_id = s.link_id
	    JOIN system_locations sl ON sl.system_id = s.system_id AND sl.valid @> CAST($1 AS timestamptz)
	    JOIN standing st ON st.code = sl.country_code AND st.law = s.law
	    WHERE st.class NOT IN ('eea', 'domestic')
	)`

var basisChecks = []check{
	{Check: registry.Check{ID: "disclosure_basis", Title: "Disclosure without a legal basis", LegalRef: "GDPR Art. 6, 9; health-care secrecy",
		SeverityRule: "critical for health data to a party outside the EEA (IMY 2021 on Medhelp's disclosure to Thailand; Kammarrätten 2024), high otherwise",
		Clears: "a disclosure basis in force for the link (processor instruction, statute with reference, consent); for health data to a " +
			"controller or recipient outside the EEA whose sender's health-care secrecy stays home, only consent or ending the link; " +
			"an authority's role finding overrides the claimed role"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + standing + `
		-- Parties that receive data without a basis for handing it over,
		-- judged by their role as an authority last found it
		-- (kedja_effective_role) and the basis in force
		-- (kedja_disclosure_verdict).
		SELECT 'disclosure_basis', 'party', r.to_id, r.controller_id,
		       kedja_disclosure_severity(l.health_data, st.class), r.links, 'GDPR Art. 6, 9; health-care secrecy',
		       CASE v.verdict
		           WHEN 'secrecy_abroad' THEN format('%s hands health data to %s in %s, a %s outside the EEA; %s health-care secrecy does not follow it abroad, so no basis exists whatever the transfer tool',
		                                             f.legal_name, t.legal_name, c.name, replace(er.role, '_', ' '), f.country_code)
		           WHEN 'none' THEN format('%s hands %s data to %s with no legal basis%s', f.legal_name,
		                                   CASE WHEN l.health_data THEN 'health' ELSE 'personal' END, t.legal_name,
		                                   CASE WHEN b.authority IS NOT NULL THEN format(' (as found by %s)', b.authority) ELSE '' END)
		           ELSE format('no legal basis is recorded for %s handing data to %s, a %s', f.legal_name, t.legal_name, replace(er.role, '_', ' '))
		       END,
		       jsonb_build_object('linkId', l.id, 'verdict', v.verdict, 'claimedRole', l.role, 'role', er.role, 'basisId', b.id,
		                          'basis', b.basis, 'reference', b.reference, 'authority', b.authority, 'country', t.country_code,
		                          'transferClass', st.class, 'healthData', l.health_data),
		       -- Since: secrecy left at home, when the link began or the
		       -- receiving country last left the EEA or adequacy (no basis
		       -- but consent helps, so bases do not date it); otherwise the
		       -- start of the basis in force that does not suffice, or, with
		       -- none, the end of the last one (NULL when there never was one,
		       -- so the path's start). An authority's role finding is not a
		       -- start: it says what the link was all along.
		       CASE v.verdict WHEN 'secrecy_abroad' THEN GREATEST(r.since, st.restricted_since)
		            ELSE GREATEST(r.since, COALESCE(lower(b.valid), (SELECT max(upper(q.valid)) FROM disclosure_bases q
		                                   WHERE q.link_id = l.id AND upper(q.valid) <= CAST($1 AS timestamptz)))) END
		FROM reach r
		JOIN reach_links l ON l.id = r.link_id
		JOIN organisations f ON f.id = l.from_id
		JOIN organisations t ON t.id = l.to_id
		JOIN countries c ON c.code = t.country_code
		-- Health-care secrecy is judged against the EEA (migrations/0011),
		-- whatever law judges the transfer.
		JOIN standing st ON st.code = t.country_code AND st.law = 'eu'
		LEFT JOIN disclosure_bases b ON b.link_id = l.id AND b.valid @> CAST($1 AS timestamptz)
		CROSS JOIN LATERAL (SELECT kedja_effective_role(l.id, l.role) AS role) er
		CROSS JOIN LATERAL (SELECT kedja_disclosure_verdict(er.role, b.basis, l.health_data,
		                               kedja_health_secrecy_abroad(f.country_code, CAST($1 AS timestamptz)), st.class) AS verdict) v
		WHERE v.verdict IS NOT NULL`},

	{Check: registry.Check{ID: "notice_gap", Title: "Callers not told what the chain does", LegalRef: "GDPR Art. 13",
		SeverityRule: "high when there is no notice, or it does not say that calls are recorded, or that health data go outside the EEA " +
			"(IMY 2021 fined the three 1177 regions SEK 250,000-500,000 under Art. 13); medium when only recipients or retention are missing",
		Clears: "a caller notice in force for the controller that mentions each of recording, recipients, third-country transfers and " +
			"retention that its chain calls for"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + standing + `,
		` + thirdCountries + `,
		-- Per controller, each fact once: a sub-select per controller over
		-- third or reach_systems would read them whole for each (quadratic:
		-- 3.4 of the check's 4.2 s at 1M links).
		abroad AS (
		    SELECT t.controller_id, array_agg(DISTINCT t.code ORDER BY t.code) AS codes, min(t.since) AS since
		    FROM third t GROUP BY t.controller_id
		), stored AS (
		    SELECT s.controller_id, min(s.since) AS since
		    FROM reach_systems s WHERE kedja_stores_calls(s.kind) GROUP BY s.controller_id
		), facts AS (
		    SELECT x.*, sc.controller_id IS NOT NULL AS stores, ab.codes AS abroad,
		           -- When each thing the notice must say began.
		           sc.since AS stores_since, ab.since AS abroad_since
		    FROM (SELECT r.controller_id,
		                 bool_or(kedja_effective_role(r.link_id, l.role) <> 'none') AS recipients,
		                 bool_or(l.health_data) AS health,
		                 min(r.since) FILTER (WHERE kedja_effective_role(r.link_id, l.role) <> 'none') AS recipients_since
		          FROM reach r JOIN reach_links l ON l.id = r.link_id
		          GROUP BY r.controller_id) x
		    LEFT JOIN stored sc ON sc.controller_id = x.controller_id
		    LEFT JOIN abroad ab ON ab.controller_id = x.controller_id
		), gaps AS (
		    SELECT f.*, n.id AS notice_id, n.reference, o.legal_name,
		           ARRAY_REMOVE(ARRAY[
		               CASE WHEN f.stores AND NOT COALESCE(n.mentions_recording, false) THEN 'that calls are recorded and kept' END,
		               CASE WHEN f.recipients AND NOT COALESCE(n.mentions_recipients, false) THEN 'who receives the data' END,
		               CASE WHEN f.abroad IS NOT NULL AND NOT COALESCE(n.mentions_transfers, false)
		                    THEN format('that data go to %s outside the EEA', array_to_string(f.abroad, ', ')) END,
		               CASE WHEN f.stores AND NOT COALESCE(n.mentions_retention, false) THEN 'how long calls are kept' END], NULL) AS missing,
		           (n.id IS NULL OR (f.stores AND NOT n.mentions_recording)
		               OR (f.health AND f.abroad IS NOT NULL AND NOT n.mentions_transfers)) AS grave,
		           -- Since: the earliest start of a thing left unsaid, but not
		           -- before the notice in force began (or, with none, the last
		           -- one ended): what an earlier notice said is not judged.
		           GREATEST(COALESCE(lower(n.valid), (SELECT max(upper(q.valid)) FROM caller_notices q
		                                              WHERE q.controller_id = f.controller_id AND upper(q.valid) <= CAST($1 AS timestamptz))),
		                    LEAST(CASE WHEN f.stores AND NOT COALESCE(n.mentions_recording AND n.mentions_retention, false) THEN f.stores_since END,
		                          CASE WHEN f.recipients AND NOT COALESCE(n.mentions_recipients, false) THEN f.recipients_since END,
		                          CASE WHEN f.abroad IS NOT NULL AND NOT COALESCE(n.mentions_transfers, false) THEN f.abroad_since END)) AS since
		    FROM facts f
		    JOIN organisations o ON o.id = f.controller_id
		    LEFT JOIN caller_notices n ON n.controller_id = f.controller_id AND n.valid @> CAST($1 AS timestamptz)
		)
		SELECT 'notice_gap', 'party', g.controller_id, g.controller_id, CASE WHEN g.grave THEN 'high' ELSE 'medium' END,
		       CAST('{}' AS bigint[]), 'GDPR Art. 13',
		       CASE WHEN g.notice_id IS NULL THEN format('no information to callers is recorded for %s; it would have to say %s', g.legal_name, array_to_string(g.missing, '; '))
		            ELSE format('%s''s information to callers%s does not say %s', g.legal_name,
		                        COALESCE(format(' (%s)', g.reference), ''), array_to_string(g.missing, '; ')) END,
		       jsonb_build_object('noticeId', g.notice_id, 'missing', to_jsonb(g.missing), 'thirdCountries', to_jsonb(g.abroad),
		                          'recordsCalls', g.stores),
		       g.since
		FROM gaps g
		WHERE cardinality(g.missing) > 0`},

	{Check: registry.Check{ID: "record_gap", Title: "Record of processing incomplete", LegalRef: "GDPR Art. 30",
		SeverityRule: "medium; high when a transfer of health data outside the EEA is not recorded",
		Clears: "a record of processing in force for the party naming every party its chain hands the data to (a controller: every " +
			"party it reaches; a processor: those it engages) and every country outside the EEA the data reach"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + standing + `,
		` + thirdCountries + `,
		-- Whose record must name what: a controller's names every party
		-- it reaches; a processor that engages others names those.
		holders AS (
		    SELECT DISTINCT controller_id, controller_id AS holder, CAST('{}' AS bigint[]) AS path FROM reach
		    UNION ALL
		    (SELECT DISTINCT ON (p.controller_id, p.to_id) p.controller_id, p.to_id, p.links
		    FROM reach p JOIN reach_links pl ON pl.id = p.link_id
		    WHERE p.to_id <> p.controller_id AND kedja_effective_role(pl.id, pl.role) IN ('processor', 'sub_processor')
		      AND EXISTS (SELECT 1 FROM reach x WHERE x.controller_id = p.controller_id AND x.from_id = p.to_id)
		    ORDER BY p.controller_id, p.to_id, cardinality(p.links))
		), owed AS (
		    SELECT h.controller_id, h.holder, h.path, r.link_id, r.to_id, l.health_data, r.since
		    FROM holders h
		    JOIN reach r ON r.controller_id = h.controller_id AND (h.holder = h.controller_id OR r.from_id = h.holder) AND r.to_id <> h.holder
		    JOIN reach_links l ON l.id = r.link_id
		), need AS (
		    SELECT o.controller_id, o.holder, o.path, o.to_id AS party, CAST(NULL AS text) AS code, false AS health_abroad, o.since
		    FROM owed o
		    UNION ALL
		    SELECT o.controller_id, o.holder, o.path, NULL, t.code, o.health_data, GREATEST(o.since, t.since)
		    FROM owed o
		    JOIN third t ON t.controller_id = o.controller_id AND t.link_id = o.link_id
		    JOIN organisations ho ON ho.id = o.holder
		    WHERE t.code <> ho.country_code
		), gaps AS (
		    SELECT n.controller_id, n.holder, n.path, rec.id AS record_id, rec.reference,
		           array_agg(DISTINCT n.party) FILTER (WHERE n.party IS NOT NULL
		               AND (rec.id IS NULL OR NOT n.party = ANY(rec.named_party_ids))) AS parties,
		           array_agg(DISTINCT n.code) FILTER (WHERE n.code IS NOT NULL
		               AND (rec.id IS NULL OR NOT n.code = ANY(rec.transfer_countries))) AS codes,
		           bool_or(n.health_abroad AND (rec.id IS NULL OR NOT n.code = ANY(rec.transfer_countries))) AS grave,
		           -- Since: the earliest start of what the record leaves
		           -- out, not before the record in force began (or, with
		           -- none, the last one ended).
		           GREATEST(COALESCE(lower(rec.valid), (SELECT max(upper(q.valid)) FROM processing_records q
		                                                    WHERE q.party_id = n.holder AND upper(q.valid) <= CAST($1 AS timestamptz))),
		                    min(n.since) FILTER (WHERE rec.id IS NULL OR (n.party IS NOT NULL AND NOT n.party = ANY(rec.named_party_ids))
		                                                OR (n.code IS NOT NULL AND NOT n.code = ANY(rec.transfer_countries)))) AS since
		    FROM need n
		    LEFT JOIN processing_records rec ON rec.party_id = n.holder AND rec.valid @> CAST($1 AS timestamptz)
		    GROUP BY n.controller_id, n.holder, n.path, rec.id, rec.reference
		)
		SELECT 'record_gap', 'party', g.holder, g.controller_id, CASE WHEN g.grave THEN 'high' ELSE 'medium' END,
		       g.path, 'GDPR Art. 30',
		       format('%s %s', CASE WHEN g.record_id IS NULL
		                            THEN format('no record of processing is recorded for %s; it would have to name', h.legal_name)
		                            ELSE format('%s''s record of processing%s does not name', h.legal_name, COALESCE(format(' (%s)', g.reference), '')) END,
		              array_to_string(ARRAY_REMOVE(ARRAY[
		                  (SELECT string_agg(o.legal_name, ', ' ORDER BY o.legal_name) FROM organisations o WHERE o.id = ANY(g.parties)),
		                  'transfers to ' || array_to_string(g.codes, ', ')], NULL),
		                  CASE WHEN g.record_id IS NULL THEN ', and ' ELSE ', nor ' END)),
		       jsonb_build_object('recordId', g.record_id, 'unnamedParties', to_jsonb(g.parties), 'unnamedTransfers', to_jsonb(g.codes)),
		       g.since
		FROM gaps g
		JOIN organisations h ON h.id = g.holder
		WHERE g.record_id IS NULL OR g.parties IS NOT NULL OR g.codes IS NOT NULL`},
}
