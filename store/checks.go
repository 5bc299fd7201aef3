package store

import "github.com/kedja/kedja/registry"

// check is one compliance check of the catalogue. Its SQL reads the
// temporary tables reach (every link reached from every controller at the
// instant $1) and reach_systems (the systems used on those links then) and
// inserts what it finds into candidates. $2 is the attestation warning
// window in days.
type check struct {
	registry.Check
	sql string
}

// The candidate columns every check fills.
const candidateCols = `(check_id, subject_kind, subject_id, controller_id, severity, path, legal_ref, message, evidence)`

// standing is every country's standing for transfers at the run's instant,
// worked out once per country rather than once per row.
const standing = `
	WITH standing AS MATERIALIZED (SELECT code, kedja_transfer_class(code, CAST($1 AS timestamptz)) AS class FROM countries)`

// transferParties keeps the reached parties with their transfer verdict
// (kedja_transfer_verdict_in: the one statement of Chapter V) on the link l
// that reaches them; NULL when no safeguard is needed.
const transferParties = `
	FROM reach r
	JOIN links l ON l.id = r.link_id
	JOIN organisations o ON o.id = r.to_id
	JOIN countries c ON c.code = o.country_code
	JOIN standing st ON st.code = o.country_code
	CROSS JOIN LATERAL (SELECT st.class, kedja_transfer_verdict_in(st.class, o.id, o.country_code, CAST($1 AS timestamptz),
	                                                               l.transfer_mechanism, l.tia_date) AS verdict) cls`

// catalogue lists every check, in the order they run.
var catalogue = append([]check{
	{Check: registry.Check{ID: "third_country", Title: "Third country without safeguards", LegalRef: "GDPR Art. 44-46"},
		sql: `
		INSERT INTO candidates ` + candidateCols + standing + `
		-- Parties that receive data in a third country (or under a partial
		-- adequacy decision whose condition is not recorded as met) with no
		-- lawful mechanism recorded on the link.
		SELECT 'third_country', 'party', r.to_id, r.controller_id,
		       CASE cls.verdict WHEN 'no_tia' THEN 'high' ELSE 'critical' END,
		       r.links, 'GDPR Art. 44-46',
		       format('%s receives %s data in %s, %s, %s', o.legal_name,
		              CASE WHEN l.health_data THEN 'health' ELSE 'personal' END, c.name,
		              replace(cls.class, '_', ' '),
		              CASE cls.verdict
		                  WHEN 'no_mechanism' THEN 'and no transfer mechanism is recorded'
		                  WHEN 'adequacy_not_applicable' THEN 'yet the link claims an adequacy decision that does not apply'
		                  ELSE format('under %s without a transfer impact assessment', upper(l.transfer_mechanism)) END),
		       jsonb_build_object('linkId', l.id, 'country', o.country_code, 'transferClass', cls.class, 'verdict', cls.verdict,
		                          'transferMechanism', l.transfer_mechanism, 'sccModule', l.scc_module, 'tiaDate', l.tia_date)
` + transferParties + `
		WHERE kedja_transfer_gap(cls.verdict)
		UNION ALL
		-- Systems that store data in, or are accessed from, such a country,
		-- unless the link it is used on records a safeguard, or a party in
		-- that country uses it over a link that does (Medicall's nurses
		-- reach Princess over the Medhelp-Medicall link, not over the
		-- region's link to Medhelp).
		SELECT 'third_country', 'system', s.system_id, s.controller_id,
		       CASE cls.verdict WHEN 'no_tia' THEN 'high' ELSE 'critical' END,
		       s.links, 'GDPR Art. 44-46',
		       format('%s is %s %s, %s, and no safeguard is recorded on the link', s.name,
		              CASE sl.purpose WHEN 'storage' THEN 'stored in' ELSE 'accessed from' END, c.name, replace(cls.class, '_', ' ')),
		       jsonb_build_object('linkId', l.id, 'country', sl.country_code, 'purpose', sl.purpose, 'transferClass', cls.class,
		                          'verdict', cls.verdict, 'transferMechanism', l.transfer_mechanism)
		FROM reach_systems s
		JOIN links l ON l.id = s.link_id
		JOIN system_locations sl ON sl.system_id = s.system_id AND sl.valid @> CAST($1 AS timestamptz)
		JOIN countries c ON c.code = sl.country_code
		JOIN standing st ON st.code = sl.country_code
		CROSS JOIN LATERAL (SELECT st.class, kedja_transfer_verdict_in(st.class, s.party_id, sl.country_code, CAST($1 AS timestamptz),
		                                                               l.transfer_mechanism, l.tia_date) AS verdict) cls
		WHERE kedja_transfer_gap(cls.verdict)
		  AND NOT EXISTS (
		      SELECT 1 FROM reach_systems s2
		      JOIN links l2 ON l2.id = s2.link_id
		      JOIN organisations o2 ON o2.id = s2.party_id
		      WHERE s2.controller_id = s.controller_id AND s2.system_id = s.system_id AND o2.country_code = sl.country_code
		        AND kedja_transfer_verdict_in(st.class, o2.id, o2.country_code, CAST($1 AS timestamptz), l2.transfer_mechanism, l2.tia_date)
		            IN ('safeguarded', 'derogation'))`},

	{Check: registry.Check{ID: "third_country_safeguarded", Title: "Third country with recorded safeguards", LegalRef: "GDPR Art. 46, 49"},
		sql: `
		INSERT INTO candidates ` + candidateCols + standing + `
		-- The same transfers, where SCCs or BCRs with a transfer impact
		-- assessment, or a derogation, are recorded: lawful on paper, still
		-- worth knowing about.
		SELECT 'third_country_safeguarded', 'party', r.to_id, r.controller_id,
		       CASE cls.verdict WHEN 'derogation' THEN 'medium' ELSE 'low' END,
		       r.links, 'GDPR Art. 46, 49',
		       format('%s receives data in %s under %s%s', o.legal_name, c.name, upper(l.transfer_mechanism),
		              CASE WHEN l.tia_date IS NOT NULL THEN format(' with a transfer impact assessment of %s', l.tia_date) ELSE '' END),
		       jsonb_build_object('linkId', l.id, 'country', o.country_code, 'transferClass', cls.class, 'verdict', cls.verdict,
		                          'transferMechanism', l.transfer_mechanism, 'sccModule', l.scc_module, 'tiaDate', l.tia_date)
` + transferParties + `
		WHERE cls.verdict IN ('safeguarded', 'derogation')`},

	{Check: registry.Check{ID: "location_policy", Title: "Outside the controller's location policy", LegalRef: "Controller's location policy"},
		sql: `
		INSERT INTO candidates ` + candidateCols + `
		WITH policy AS (
		    SELECT p.controller_id, p.policy, p.country_code, p.reference FROM location_policies p WHERE p.valid @> CAST($1 AS timestamptz)
		), placed AS (
		    SELECT r.controller_id, 'party' AS kind, r.to_id AS subject, r.links, o.legal_name AS name, o.country_code, 'established' AS how
		    FROM reach r JOIN organisations o ON o.id = r.to_id
		    UNION ALL
		    SELECT s.controller_id, 'system', s.system_id, s.links, s.name, sl.country_code,
		           CASE sl.purpose WHEN 'storage' THEN 'stored' ELSE 'accessed' END
		    FROM reach_systems s JOIN system_locations sl ON sl.system_id = s.system_id AND sl.valid @> CAST($1 AS timestamptz)
		)
		SELECT 'location_policy', x.kind, x.subject, x.controller_id, 'high', x.links, 'Controller''s location policy',
		       format('%s is %s in %s, outside %s''s policy (%s)', x.name, x.how, c.name, ctl.legal_name,
		              CASE p.policy WHEN 'country' THEN p.country_code || ' only' WHEN 'eea' THEN 'EEA only' ELSE 'EEA and adequacy' END),
		       jsonb_build_object('country', x.country_code, 'policy', p.policy, 'policyCountry', p.country_code, 'reference', p.reference)
		FROM placed x
		JOIN policy p ON p.controller_id = x.controller_id
		JOIN organisations ctl ON ctl.id = x.controller_id
		JOIN countries c ON c.code = x.country_code
		WHERE CASE p.policy
		          WHEN 'country' THEN x.country_code <> p.country_code
		          WHEN 'eea' THEN kedja_transfer_class(x.country_code, CAST($1 AS timestamptz)) <> 'eea'
		          ELSE kedja_transfer_class(x.country_code, CAST($1 AS timestamptz)) NOT IN ('eea', 'adequacy') END`},

	{Check: registry.Check{ID: "attestation", Title: "Missing, expired or expiring security attestation", LegalRef: "GDPR Art. 28(1), 32"},
		sql: `
		INSERT INTO candidates ` + candidateCols + `
		-- Processors and sub-processors that hold health data need current
		-- security evidence. Dates are calendar days in the registry's zone:
		-- valid until today is valid today.
		WITH holders AS (
		    SELECT DISTINCT ON (r.controller_id, r.to_id) r.controller_id, r.to_id, r.links
		    FROM reach r JOIN links l ON l.id = r.link_id
		    WHERE l.role IN ('processor', 'sub_processor') AND l.health_data
		    ORDER BY r.controller_id, r.to_id, cardinality(r.links)
		), evidence AS (
		    SELECT h.*, o.legal_name,
		           -- The latest end among attestations issued and not withdrawn
		           -- by then: an expired one still says when it expired.
		           (SELECT max(COALESCE(a.valid_until, 'infinity')) FROM attestations a
		            WHERE a.org_id = h.to_id AND a.kind <> 'dpf_certification'
		              AND kedja_attestation_status(a.issued_on, a.valid_until, a.withdrawn_at, CAST($1 AS timestamptz)) IN ('valid', 'expired')) AS best_until
		    FROM holders h JOIN organisations o ON o.id = h.to_id
		)
		SELECT 'attestation', 'party', e.to_id, e.controller_id,
		       CASE WHEN e.best_until IS NULL OR e.best_until < CAST(CAST($1 AS timestamptz) AS date) THEN 'high' ELSE 'medium' END,
		       e.links, 'GDPR Art. 28(1), 32',
		       CASE WHEN e.best_until IS NULL THEN format('%s holds health data as a processor and has no security attestation', e.legal_name)
		            WHEN e.best_until < CAST(CAST($1 AS timestamptz) AS date) THEN format('%s''s security attestation expired on %s', e.legal_name, e.best_until)
		            ELSE format('%s''s security attestation expires on %s', e.legal_name, e.best_until) END,
		       jsonb_build_object('validUntil', e.best_until)
		FROM evidence e
		WHERE e.best_until IS NULL OR e.best_until < CAST(CAST($1 AS timestamptz) AS date) + $2::int
		UNION ALL
		-- Systems whose operator's attestations all name the systems they
		-- cover, and not this one, with no attestation of its own.
		SELECT 'attestation', 'system', s.system_id, s.controller_id, 'medium', s.links, 'GDPR Art. 32',
		       format('no security attestation covers %s: those of %s name other systems', s.name, o.legal_name),
		       jsonb_build_object('operatorId', sy.operator_id)
		FROM reach_systems s
		JOIN links l ON l.id = s.link_id AND l.health_data AND l.role IN ('processor', 'sub_processor')
		JOIN systems sy ON sy.id = s.system_id
		JOIN organisations o ON o.id = sy.operator_id
		WHERE EXISTS (SELECT 1 FROM attestations a WHERE a.org_id = sy.operator_id AND a.kind <> 'dpf_certification'
		                AND kedja_attestation_valid(a.issued_on, a.valid_until, a.withdrawn_at, CAST($1 AS timestamptz)))
		  AND NOT EXISTS (SELECT 1 FROM attestations a WHERE a.kind <> 'dpf_certification'
		                AND kedja_attestation_valid(a.issued_on, a.valid_until, a.withdrawn_at, CAST($1 AS timestamptz))
		                AND (a.system_id = s.system_id
		                     OR (a.org_id = sy.operator_id AND (cardinality(a.covered_system_ids) = 0 OR s.system_id = ANY(a.covered_system_ids)))))`},

	{Check: registry.Check{ID: "exposure", Title: "Stored calls exposed", LegalRef: "GDPR Art. 5(1)(f), 32"},
		sql: `
		INSERT INTO candidates ` + candidateCols + `
		SELECT 'exposure', 'system', s.system_id, s.controller_id,
		       CASE WHEN p.internet_exposed AND p.authentication = 'none' THEN 'critical'
		            WHEN p.internet_exposed THEN 'high' ELSE 'medium' END,
		       s.links, 'GDPR Art. 5(1)(f), 32',
		       format('%s keeps calls: %s', s.name, array_to_string(ARRAY_REMOVE(ARRAY[
		           CASE WHEN p.internet_exposed AND p.authentication = 'none' THEN 'reachable from the internet without authentication' END,
		           CASE WHEN p.internet_exposed AND NOT p.transport_encryption THEN 'reachable from the internet without transport encryption' END,
		           CASE WHEN NOT p.encryption_at_rest THEN 'not encrypted at rest' END], NULL), '; ')),
		       jsonb_build_object('profileId', p.id, 'internetExposed', p.internet_exposed, 'authentication', p.authentication,
		                          'transportEncryption', p.transport_encryption, 'encryptionAtRest', p.encryption_at_rest)
		FROM reach_systems s
		JOIN system_profiles p ON p.system_id = s.system_id AND p.valid @> CAST($1 AS timestamptz)
		WHERE kedja_stores_calls(s.kind)
		  AND ((p.internet_exposed AND (p.authentication = 'none' OR NOT p.transport_encryption)) OR NOT p.encryption_at_rest)`},

	{Check: registry.Check{ID: "authorisation", Title: "Sub-processor without the controller's authorisation", LegalRef: "GDPR Art. 28(2)"},
		sql: `
		INSERT INTO candidates ` + candidateCols + `
		SELECT 'authorisation', 'link', r.link_id, r.controller_id, 'high', r.links, 'GDPR Art. 28(2)',
		       format('%s engages %s as sub-processor with no controller authorisation recorded', f.legal_name, t.legal_name),
		       jsonb_build_object('linkId', l.id)
		FROM reach r JOIN links l ON l.id = r.link_id
		JOIN organisations f ON f.id = l.from_id JOIN organisations t ON t.id = l.to_id
		WHERE kedja_authorisation_missing(l.role, l.authorisation)`},

	{Check: registry.Check{ID: "agreement", Title: "Processor without an agreement", LegalRef: "GDPR Art. 28(3)"},
		sql: `
		INSERT INTO candidates ` + candidateCols + `
		SELECT 'agreement', 'link', r.link_id, r.controller_id, 'high', r.links, 'GDPR Art. 28(3)',
		       format('%s processes for %s with no agreement recorded', t.legal_name, f.legal_name),
		       jsonb_build_object('linkId', l.id)
		FROM reach r JOIN links l ON l.id = r.link_id
		JOIN organisations f ON f.id = l.from_id JOIN organisations t ON t.id = l.to_id
		WHERE kedja_agreement_missing(l.role, l.agreement_ref)`},

	{Check: registry.Check{ID: "retention", Title: "Stored calls without a retention period, or kept beyond it", LegalRef: "GDPR Art. 5(1)(e)"},
		sql: `
		INSERT INTO candidates ` + candidateCols + `
		SELECT 'retention', 'system', s.system_id, s.controller_id,
		       CASE WHEN l.health_data THEN 'high' ELSE 'medium' END, s.links, 'GDPR Art. 5(1)(e)',
		       CASE WHEN p.id IS NULL THEN format('%s keeps calls and no profile, so no retention period, is recorded', s.name)
		            WHEN p.retention_days IS NULL THEN format('%s keeps calls and no retention period is recorded', s.name)
		            ELSE format('%s holds recordings from %s, beyond its retention of %s days', s.name, old.since, p.retention_days) END,
		       jsonb_build_object('profileId', p.id, 'retentionDays', p.retention_days, 'oldestRecording', old.since)
		FROM reach_systems s
		JOIN links l ON l.id = s.link_id
		LEFT JOIN system_profiles p ON p.system_id = s.system_id AND p.valid @> CAST($1 AS timestamptz)
		-- The oldest recording moved into it: data moved in keep their age.
		LEFT JOIN LATERAL (
		    SELECT min(COALESCE(m.recorded_from,
		               (SELECT min(lower(u.valid)) FROM system_uses u WHERE u.system_id = m.from_system_id))) AS since
		    FROM data_moves m WHERE m.to_system_id = s.system_id AND m.moved_at <= CAST($1 AS timestamptz)) old ON true
		WHERE kedja_stores_calls(s.kind)
		  AND (p.retention_days IS NULL
		       OR old.since < CAST($1 AS timestamptz) - make_interval(days => p.retention_days))`},
}, incidentChecks...)

// CheckIDs lists the catalogue's ids, in the order the checks run.
func CheckIDs() []string {
	ids := make([]string, len(catalogue))
	for i, c := range catalogue {
		ids[i] = c.ID
	}
	return ids
}

// Checks lists the catalogue, in the order the checks run.
func (s *Store) Checks() []registry.Check {
	out := make([]registry.Check, len(catalogue))
	for i, c := range catalogue {
		out[i] = c.Check
	}
	return out
}
