package store

import "github.com/kedja/kedja/registry"

// check is one compliance check of the catalogue. Its SQL reads the
// temporary tables reach (every link reached from every controller at the
// instant $1), reach_links (those links' rows) and reach_systems (the
// systems used on those links then) and inserts what it finds into
// candidates. $2 is the attestation warning window in days.
type check struct {
	registry.Check
	sql string
	// uses names a run table of runTables that the check reads too: filled
	// once per run, before the first check that uses it, when several
	// checks read the same costly facts.
	uses string
}

// runTables are the tables checks share (check.uses), each a statement
// that creates it from the instant $1.
var runTables = map[string]string{
	"reach_notices": reachNotices, // checks_notices.go
}

// The candidate columns every check fills.
const candidateCols = `(check_id, subject_kind, subject_id, controller_id, severity, path, legal_ref, message, evidence)`

// candidateColsSince adds since: when the condition began according to the
// dated facts, as a timestamptz after evidence in the SELECT list (NULL: the
// facts do not say). A check that inserts candidateCols leaves it NULL; to
// provide it, a check inserts candidateColsSince and selects one more
// column. reach.since and reach_systems.since help: when the path of links
// from the controller had begun (the latest start of its links), and for a
// system, also its use on the link.
const candidateColsSince = `(check_id, subject_kind, subject_id, controller_id, severity, path, legal_ref, message, evidence, since)`

// transferParties keeps the reached parties with their transfer verdict
// (kedja_transfer_verdict_in: the one statement of Chapter V) on the link l
// that reaches them, under the law of the party that sends the data over
// it (r.law); NULL when no safeguard is needed.
const transferParties = `
	FROM reach r
	JOIN reach_links l ON l.id = r.link_id
	JOIN organisations o ON o.id = r.to_id
	JOIN countries c ON c.code = o.country_code
	JOIN standing st ON st.code = o.country_code AND st.law = r.law
	CROSS JOIN LATERAL (SELECT st.class, kedja_transfer_verdict_in(st.verdict_class, o.id, o.country_code, CAST($1 AS timestamptz),
	                                                               l.transfer_mechanism, l.tia_date, r.law, l.transfer_tool) AS verdict) cls`

// catalogue lists every check, in the order they run.
var catalogue = []check{
	// A transfer is raised once: on the party that receives the data
	// abroad, with the systems it reaches from there as evidence. A system
	// is raised on its own only where no such party finding covers it (a
	// Swedish party's system that stores data abroad), naming the links
	// that carry its data there and every country involved.
	{Check: registry.Check{ID: "third_country", Title: "Third country without safeguards", LegalRef: "GDPR Art. 44-46"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + standing + `,
		-- Parties that receive data in a third country (or under a partial
		-- adequacy decision whose condition is not recorded as met) with no
		-- lawful mechanism recorded on the link. Since: the path and the
		-- country's loss of standing.
		gap AS (
		    SELECT r.controller_id, r.to_id, r.link_id, r.links, GREATEST(r.since, st.restricted_since) AS since, r.law, r.law_country,
		           o.legal_name, o.country_code, c.name AS country_name, l.health_data, l.transfer_mechanism, l.scc_module,
		           l.tia_date, l.transfer_tool, cls.class, cls.verdict
` + transferParties + `
		    WHERE kedja_transfer_gap(cls.verdict)
		),
		-- Every reached system with each country outside the EEA and full
		-- adequacy where it stores data or is accessed from, per link it is
		-- used on, with the party on that link established there, if any.
		placed AS (
		    SELECT s.controller_id, s.system_id, s.name, s.link_id, s.links, s.party_id, sl.country_code, sl.purpose, st.class, st.verdict_class,
		           s.law, s.law_country,
		           cn.name AS country_name, f.legal_name AS from_name, t.legal_name AS to_name,
		           GREATEST(s.since, lower(sl.valid), st.restricted_since) AS since,
		           CASE WHEN t.country_code = sl.country_code THEN l.to_id WHEN f.country_code = sl.country_code THEN l.from_id END AS abroad_id,
		           l.transfer_mechanism, l.tia_date, l.transfer_tool
		    FROM reach_systems s
		    JOIN reach_links l ON l.id = s.link_id
		    JOIN organisations f ON f.id = l.from_id
		    JOIN organisations t ON t.id = l.to_id
		    JOIN system_locations sl ON sl.system_id = s.system_id AND sl.valid @> CAST($1 AS timestamptz)
		    JOIN standing st ON st.code = sl.country_code AND st.law = s.law AND st.class NOT IN ('eea', 'domestic', 'adequacy')
		    JOIN countries cn ON cn.code = sl.country_code
		),
		-- The links that carry a system's data into such a country: those it
		-- is used on that reach or leave a party established there
		-- (Medicall's nurses reach Princess over the Medhelp-Medicall link,
		-- not over the region's link to Medhelp); where none does, every
		-- link it is used on. Each is judged by its own safeguard.
		carried AS (
		    SELECT p.*, kedja_transfer_verdict_in(p.verdict_class, COALESCE(p.abroad_id, p.party_id), p.country_code, CAST($1 AS timestamptz),
		                                          p.transfer_mechanism, p.tia_date, p.law, p.transfer_tool) AS verdict
		    FROM placed p
		    LEFT JOIN (SELECT DISTINCT q.controller_id, q.system_id, q.country_code FROM placed q WHERE q.abroad_id IS NOT NULL) a
		      ON a.controller_id = p.controller_id AND a.system_id = p.system_id AND a.country_code = p.country_code
		    WHERE p.abroad_id IS NOT NULL OR a.controller_id IS NULL
		),
		-- Those without a safeguard, covered when the party abroad on the
		-- link is itself raised. Not a correlated sub-select, which reads
		-- the CTE whole for each row (3.4 s at 1M links), nor a join: gap's
		-- rows are estimated at a handful, so the planner nested it and
		-- compared 4,502 rows with 4,497 each (0.5 s). An uncorrelated IN
		-- is hashed once.
		sys AS (
		    SELECT c.*, CASE WHEN (c.controller_id, c.abroad_id) IN (SELECT g.controller_id, g.to_id FROM gap g) THEN c.abroad_id END AS covered_by
		    FROM carried c
		    WHERE kedja_transfer_gap(c.verdict)
		),
		-- The systems each raised party reaches, for its finding's evidence.
		reached AS (
		    SELECT x.controller_id, x.covered_by,
		           string_agg(DISTINCT x.name, ', ' ORDER BY x.name) AS names,
		           jsonb_agg(DISTINCT jsonb_build_object('systemId', x.system_id, 'name', x.name, 'country', x.country_code,
		                                                 'purpose', x.purpose, 'linkId', x.link_id)) AS systems
		    FROM sys x WHERE x.covered_by IS NOT NULL
		    GROUP BY x.controller_id, x.covered_by
		)
		SELECT 'third_country', 'party', g.to_id, g.controller_id,
		       -- Clauses that lapsed or that the exporter's law does not
		       -- recognise are HIGH, as a missing assessment is: the
		       -- importer is still bound by contract, but the instrument
		       -- no longer counts as a safeguard; no mechanism at all is
		       -- CRITICAL.
		       CASE WHEN g.verdict IN ('no_tia', 'outdated_clauses', 'tool_not_valid') THEN 'high' ELSE 'critical' END,
		       g.links, kedja_law_citation(g.law, g.law_country, CAST($1 AS timestamptz), 'transfer'),
		       format('%s receives %s data in %s, %s, %s%s', g.legal_name,
		              CASE WHEN g.health_data THEN 'health' ELSE 'personal' END, g.country_name,
		              replace(g.class, '_', ' '),
		              CASE g.verdict
		                  WHEN 'no_mechanism' THEN 'and no transfer mechanism is recorded'
		                  WHEN 'adequacy_not_applicable' THEN 'yet the link claims an adequacy decision that does not apply'
		                  WHEN 'outdated_clauses' THEN format('under standard clauses (%s) that %s no longer recognises as a safeguard',
		                                                      g.transfer_tool, kedja_law_citation(g.law, g.law_country, CAST($1 AS timestamptz), 'act'))
		                  WHEN 'tool_not_valid' THEN format('under standard clauses (%s) that %s does not recognise as a safeguard on that date',
		                                                    g.transfer_tool, kedja_law_citation(g.law, g.law_country, CAST($1 AS timestamptz), 'act'))
		                  ELSE format('under %s without a transfer impact assessment', upper(g.transfer_mechanism)) END,
		              CASE WHEN reached.names IS NOT NULL THEN format('; from there it reaches %s', reached.names) ELSE '' END),
		       jsonb_build_object('linkId', g.link_id, 'country', g.country_code, 'transferClass', g.class, 'verdict', g.verdict,
		                          'transferMechanism', g.transfer_mechanism, 'sccModule', g.scc_module, 'tiaDate', g.tia_date,
		                          'transferTool', g.transfer_tool, 'systems', COALESCE(reached.systems, '[]')),
		       g.since
		FROM gap g
		LEFT JOIN reached ON reached.controller_id = g.controller_id AND reached.covered_by = g.to_id
		UNION ALL
		SELECT 'third_country', 'system', y.system_id, y.controller_id, y.severity, y.links,
		       kedja_law_citation(y.law, y.law_country, CAST($1 AS timestamptz), 'transfer'),
		       format('%s is %s, and no safeguard is recorded on the link that carries it there (%s)', y.name, y.places, y.carriers),
		       jsonb_build_object('linkId', y.link_id, 'linkIds', y.link_ids, 'countries', y.countries),
		       y.since
		FROM (
		    SELECT x.controller_id, x.system_id, min(x.name) AS name,
		           CASE WHEN bool_and(x.verdict IN ('no_tia', 'outdated_clauses', 'tool_not_valid')) THEN 'high' ELSE 'critical' END AS severity,
		           -- The shortest path to a carrying link (array_agg of arrays would stack them).
		           CAST((array_agg(CAST(x.links AS text) ORDER BY cardinality(x.links), x.link_id))[1] AS bigint[]) AS links,
		           min(x.link_id) AS link_id,
		           -- The law of that same shortest path's transfer.
		           (array_agg(x.law ORDER BY cardinality(x.links), x.link_id))[1] AS law,
		           (array_agg(x.law_country ORDER BY cardinality(x.links), x.link_id))[1] AS law_country,
		           jsonb_agg(DISTINCT x.link_id) AS link_ids,
		           string_agg(DISTINCT format('%s %s, %s', CASE x.purpose WHEN 'storage' THEN 'stored in' ELSE 'accessed from' END,
		                                      x.country_name, replace(x.class, '_', ' ')), ' and ') AS places,
		           string_agg(DISTINCT format('%s to %s', x.from_name, x.to_name), '; ') AS carriers,
		           jsonb_agg(DISTINCT jsonb_build_object('country', x.country_code, 'purpose', x.purpose, 'transferClass', x.class,
		                                                 'verdict', x.verdict, 'linkId', x.link_id)) AS countries,
		           min(x.since) AS since
		    FROM sys x WHERE x.covered_by IS NULL
		    GROUP BY x.controller_id, x.system_id) y`},

	// Calibrated (issue 13): a transfer under SCCs or BCRs with a transfer
	// impact assessment is lawful on paper and is INFO (was low); a
	// derogation stays medium, since Art. 49 does not cover systematic
	// transfers such as a subcontractor's daily work.
	{Check: registry.Check{ID: "third_country_safeguarded", Title: "Third country with recorded safeguards", LegalRef: "GDPR Art. 46, 49"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + standing + `
		-- The same transfers, where SCCs or BCRs with a transfer impact
		-- assessment, or a derogation, are recorded: lawful on paper, still
		-- worth knowing about.
		SELECT 'third_country_safeguarded', 'party', r.to_id, r.controller_id,
		       CASE cls.verdict WHEN 'derogation' THEN 'medium' ELSE 'info' END,
		       r.links, kedja_law_citation(r.law, r.law_country, CAST($1 AS timestamptz), 'safeguards'),
		       format('%s receives data in %s under %s%s', o.legal_name, c.name, upper(l.transfer_mechanism),
		              CASE WHEN l.tia_date IS NOT NULL THEN format(' with a transfer impact assessment of %s', l.tia_date) ELSE '' END),
		       jsonb_build_object('linkId', l.id, 'country', o.country_code, 'transferClass', cls.class, 'verdict', cls.verdict,
		                          'transferMechanism', l.transfer_mechanism, 'sccModule', l.scc_module, 'tiaDate', l.tia_date),
		       GREATEST(r.since, st.restricted_since)
` + transferParties + `
		WHERE cls.verdict IN ('safeguarded', 'derogation')`},

	// One finding per party or system, listing the controllers whose
	// policies it breaks; the message names no one controller.
	{Check: registry.Check{ID: "location_policy", Title: "Outside the controller's location policy", LegalRef: "Controller's location policy"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + `
` + standing + `, policy AS (
		    -- The controller's own law says which countries are adequate.
		    SELECT p.controller_id, p.policy, p.country_code, p.reference, lower(p.valid) AS since,
		           COALESCE(kedja_party_law(p.controller_id, CAST($1 AS timestamptz)), 'eu') AS law
		    FROM location_policies p WHERE p.valid @> CAST($1 AS timestamptz)
		), placed AS (
		    SELECT r.controller_id, 'party' AS kind, r.to_id AS subject, r.links, o.legal_name AS name, o.country_code, 'established' AS how,
		           r.since
		    FROM reach r JOIN organisations o ON o.id = r.to_id
		    UNION ALL
		    SELECT s.controller_id, 'system', s.system_id, s.links, s.name, sl.country_code,
		           CASE sl.purpose WHEN 'storage' THEN 'stored' ELSE 'accessed' END, GREATEST(s.since, lower(sl.valid))
		    FROM reach_systems s JOIN system_locations sl ON sl.system_id = s.system_id AND sl.valid @> CAST($1 AS timestamptz)
		)
		SELECT 'location_policy', x.kind, x.subject, x.controller_id, 'high', x.links, 'Controller''s location policy',
		       format('%s is %s in %s, outside its controller''s location policy (%s)', x.name, x.how, c.name,
		              CASE p.policy WHEN 'country' THEN p.country_code || ' only' WHEN 'eea' THEN 'EEA only' ELSE 'EEA and adequacy' END),
		       jsonb_build_object('country', x.country_code, 'policy', p.policy, 'policyCountry', p.country_code, 'reference', p.reference,
		                          'controllerId', ctl.id, 'controller', ctl.legal_name),
		       GREATEST(x.since, p.since)
		FROM placed x
		JOIN policy p ON p.controller_id = x.controller_id
		JOIN organisations ctl ON ctl.id = x.controller_id
		JOIN countries c ON c.code = x.country_code
		JOIN standing eu ON eu.code = x.country_code AND eu.law = 'eu'
		JOIN standing own ON own.code = x.country_code AND own.law = p.law
		WHERE CASE p.policy
		          WHEN 'country' THEN x.country_code <> p.country_code
		          WHEN 'eea' THEN eu.class <> 'eea'
		          ELSE own.class NOT IN ('eea', 'domestic', 'adequacy') END`},

	// Calibrated (issue 13): an attestation still valid but expiring within
	// the warning window is LOW (was medium): nothing is missing yet. Since:
	// when the holder began holding the data, the day after the attestation
	// expired, the withdrawal, or the start of the warning window.
	{Check: registry.Check{ID: "attestation", Title: "Missing, expired or expiring security attestation", LegalRef: "GDPR Art. 28(1), 32"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + `
		-- Every party that receives health data in a controller's chain
		-- needs current security evidence, whatever its role: a care
		-- provider that is a controller itself (Medhelp) as much as its
		-- processors. Dates are calendar days in the registry's zone:
		-- valid until today is valid today.
		WITH holders AS (
		    SELECT DISTINCT ON (r.controller_id, r.to_id) r.controller_id, r.to_id, r.links, r.since, l.role
		    FROM reach r JOIN reach_links l ON l.id = r.link_id
		    WHERE l.health_data
		    ORDER BY r.controller_id, r.to_id, cardinality(r.links)
		), evidence AS MATERIALIZED (
		    -- MATERIALIZED: pulled up into the statement below, each
		    -- sub-select ran again wherever its column is named, ten
		    -- sub-plans a holder (0.81 s over 30,599 holders at 1M links;
		    -- 0.37-0.40 s once each).
		    SELECT h.*, o.legal_name,
		           -- The latest end among certified attestations issued and not
		           -- withdrawn by then: an expired one still says when it
		           -- expired. Self-assessed evidence counts for less.
		           (SELECT max(COALESCE(a.valid_until, 'infinity')) FROM attestations a
		            WHERE a.org_id = h.to_id AND kedja_attestation_evidence(a.kind, a.self_assessed) = 'certified'
		              AND kedja_attestation_status(a.issued_on, a.valid_until, a.withdrawn_at, CAST($1 AS timestamptz)) IN ('valid', 'expired')) AS best_until,
		           (SELECT max(COALESCE(a.valid_until, 'infinity')) FROM attestations a
		            WHERE a.org_id = h.to_id AND kedja_attestation_evidence(a.kind, a.self_assessed) = 'self_assessed'
		              AND kedja_attestation_valid(a.issued_on, a.valid_until, a.withdrawn_at, CAST($1 AS timestamptz))) AS self_until,
		           (SELECT max(a.withdrawn_at) FROM attestations a
		            WHERE a.org_id = h.to_id AND kedja_attestation_evidence(a.kind, a.self_assessed) IS NOT NULL
		              AND a.withdrawn_at <= CAST($1 AS timestamptz)) AS withdrawn
		    FROM holders h JOIN organisations o ON o.id = h.to_id
		)
		SELECT 'attestation', 'party', e.to_id, e.controller_id,
		       CASE WHEN NOT x.lapsed THEN 'low' WHEN e.self_until IS NOT NULL THEN 'medium' ELSE 'high' END,
		       e.links, 'GDPR Art. 28(1), 32',
		       CASE WHEN x.lapsed AND e.self_until IS NOT NULL
		                 THEN format('%s holds health data (as %s) with only self-assessed security evidence, valid %s; no certified attestation%s',
		                             e.legal_name, replace(e.role, '_', ' '),
		                             CASE WHEN e.self_until = 'infinity' THEN 'with no end stated' ELSE format('until %s', e.self_until) END,
		                             CASE WHEN e.best_until IS NOT NULL THEN format(' (the last expired on %s)', e.best_until) ELSE '' END)
		            WHEN e.best_until IS NULL THEN format('%s holds health data (as %s) and has no security attestation', e.legal_name, replace(e.role, '_', ' '))
		            WHEN x.lapsed THEN format('%s''s security attestation expired on %s', e.legal_name, e.best_until)
		            ELSE format('%s''s security attestation expires on %s', e.legal_name, e.best_until) END,
		       jsonb_build_object('validUntil', e.best_until, 'selfAssessedUntil', e.self_until),
		       CASE WHEN e.best_until IS NULL THEN GREATEST(e.since, e.withdrawn)
		            WHEN x.lapsed THEN GREATEST(e.since, CAST(e.best_until + 1 AS timestamptz))
		            ELSE GREATEST(e.since, CAST(e.best_until - $2::int AS timestamptz)) END
		FROM evidence e
		CROSS JOIN LATERAL (SELECT e.best_until IS NULL OR e.best_until < CAST(CAST($1 AS timestamptz) AS date) AS lapsed) x
		WHERE e.best_until IS NULL OR e.best_until < CAST(CAST($1 AS timestamptz) AS date) + $2::int
		UNION ALL
		-- Systems whose operator's attestations all name the systems they
		-- cover, and not this one, with no attestation of its own.
		SELECT 'attestation', 'system', s.system_id, s.controller_id, 'medium', s.links, 'GDPR Art. 32',
		       format('no security attestation covers %s: those of %s name other systems', s.name, o.legal_name),
		       jsonb_build_object('operatorId', sy.operator_id),
		       s.since
		FROM reach_systems s
		JOIN reach_links l ON l.id = s.link_id AND l.health_data
		JOIN systems sy ON sy.id = s.system_id
		JOIN organisations o ON o.id = sy.operator_id
		WHERE EXISTS (SELECT 1 FROM attestations a WHERE a.org_id = sy.operator_id AND kedja_attestation_evidence(a.kind, a.self_assessed) IS NOT NULL
		                AND kedja_attestation_valid(a.issued_on, a.valid_until, a.withdrawn_at, CAST($1 AS timestamptz)))
		  AND NOT EXISTS (SELECT 1 FROM attestations a WHERE kedja_attestation_evidence(a.kind, a.self_assessed) IS NOT NULL
		                AND kedja_attestation_valid(a.issued_on, a.valid_until, a.withdrawn_at, CAST($1 AS timestamptz))
		                AND (a.system_id = s.system_id
		                     OR (a.org_id = sy.operator_id AND (cardinality(a.covered_system_ids) = 0 OR s.system_id = ANY(a.covered_system_ids)))))`},

	{Check: registry.Check{ID: "exposure", Title: "Stored calls exposed", LegalRef: "GDPR Art. 5(1)(f), 32"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + `
		-- Each fact is yes, no or unknown (NULL): only a known weakness is
		-- raised here; an unknown one is the not_established check's. This
		-- check judges a call-keeping system's own profile; access paths,
		-- and what an exposed system gives access to, are internet_access's.
		SELECT 'exposure', 'system', s.system_id, s.controller_id,
		       CASE WHEN p.internet_exposed THEN COALESCE(kedja_internet_access_severity(p.authentication), 'high')
		            ELSE 'medium' END,
		       s.links, 'GDPR Art. 5(1)(f), 32',
		       format('%s keeps calls: %s', s.name, array_to_string(ARRAY_REMOVE(ARRAY[
		           CASE WHEN p.internet_exposed AND p.authentication = 'none' THEN 'reachable from the internet without authentication' END,
		           CASE WHEN p.internet_exposed AND p.authentication = 'password' THEN 'reachable from the internet with a password alone' END,
		           CASE WHEN p.internet_exposed AND p.transport_encryption IS FALSE THEN 'reachable from the internet without transport encryption' END,
		           CASE WHEN p.encryption_at_rest IS FALSE THEN 'not encrypted at rest' END], NULL), '; ')),
		       jsonb_build_object('profileId', p.id, 'internetExposed', p.internet_exposed, 'authentication', p.authentication,
		                          'transportEncryption', p.transport_encryption, 'encryptionAtRest', p.encryption_at_rest),
		       GREATEST(s.since, lower(p.valid)) -- since: the profile and the system's use
		FROM reach_systems s
		JOIN system_profiles p ON p.system_id = s.system_id AND p.valid @> CAST($1 AS timestamptz)
		WHERE kedja_stores_calls(s.kind)
		  AND ((p.internet_exposed AND (kedja_internet_access_severity(p.authentication) IS NOT NULL OR p.transport_encryption IS FALSE))
		       OR p.encryption_at_rest IS FALSE)`},

	{Check: registry.Check{ID: "authorisation", Title: "Subcontractor without the controller's approval", LegalRef: "GDPR Art. 28(2)",
		SeverityRule: "high",
		Clears: "the controller's approval of the party engaged on the link: the link's authorisation naming that controller, a " +
			"subcontractor approval by it in force, or its general authorisation on its own link to the engaging processor (then the " +
			"notice checks judge the notice and any objection); a sub-processor on the controller's own link needs any authorisation"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + `
		-- A party engaged by anyone below the controller, whatever role it
		-- claims, and a sub-processor on the controller's own link, need
		-- the controller's approval (kedja_authorisation_missing).
		SELECT 'authorisation', 'link', r.link_id, r.controller_id, 'high', r.links,
		       -- cited under the law of the path (r.law: kedja_path_law's), as
		       -- responsibility cites the gap (store/chain.go LinkRules)
		       kedja_law_citation(r.law, r.law_country, CAST($1 AS timestamptz), 'authorisation'),
		       CASE WHEN r.depth >= 2 THEN format('%s engages %s with no approval by the controller recorded', f.legal_name, t.legal_name)
		            ELSE format('%s engages %s as sub-processor with no controller authorisation recorded', f.legal_name, t.legal_name) END,
		       jsonb_build_object('linkId', l.id, 'depth', r.depth, 'role', l.role, 'authorisation', l.authorisation,
		                          'authorisingControllerId', l.authorising_controller_id), r.since
		FROM reach r JOIN reach_links l ON l.id = r.link_id
		JOIN organisations f ON f.id = l.from_id JOIN organisations t ON t.id = l.to_id
		-- kedja_approval (migrations/0043) is inlined here: its lookups are
		-- sub-plans of this statement, not a function call per link.
		CROSS JOIN LATERAL kedja_approval(l.id, l.authorisation, l.authorising_controller_id, r.controller_id, CAST($1 AS timestamptz)) ap
		-- Approval is asked only where it may be missing (kedja_engaged_below,
		-- tested first): a third of the links reached are a controller's own
		-- processors.
		WHERE kedja_engaged_below(r.depth, l.role)
		  AND kedja_authorisation_missing(l.role, l.authorisation, r.depth, ap.approved)`},

	{Check: registry.Check{ID: "agreement", Title: "Processor without an agreement", LegalRef: "GDPR Art. 28(3)"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + `
		SELECT 'agreement', 'link', r.link_id, r.controller_id, 'high', r.links,
		       kedja_law_citation(r.law, r.law_country, CAST($1 AS timestamptz), 'agreement'),
		       format('%s processes for %s with no agreement recorded', t.legal_name, f.legal_name),
		       jsonb_build_object('linkId', l.id), r.since
		FROM reach r JOIN reach_links l ON l.id = r.link_id
		JOIN organisations f ON f.id = l.from_id JOIN organisations t ON t.id = l.to_id
		WHERE kedja_agreement_missing(l.role, l.agreement_ref)`},

	// Calibrated (issue 13): MEDIUM for health data, LOW otherwise (was high
	// and medium). IMY's 2021 decisions on the 1177 case weighed the
	// exposure and the transfer, and treated storage limitation as a
	// shortcoming to remedy rather than a ground for the fines. Since: when
	// the system began keeping the chain's calls, or the end of the last
	// profile that recorded a retention period; for recordings kept too
	// long, the day the oldest passed its retention.
	{Check: registry.Check{ID: "retention", Title: "Stored calls without a retention period, or kept beyond it", LegalRef: "GDPR Art. 5(1)(e)"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + `
		SELECT 'retention', 'system', s.system_id, s.controller_id,
		       CASE WHEN l.health_data THEN 'medium' ELSE 'low' END, s.links, 'GDPR Art. 5(1)(e)',
		       CASE WHEN p.id IS NULL THEN format('%s keeps calls and no profile, so no retention period, is recorded', s.name)
		            WHEN p.retention_days IS NULL THEN format('%s keeps calls and no retention period is recorded', s.name)
		            ELSE format('%s holds recordings from %s, beyond its retention of %s days', s.name, old.since, p.retention_days) END,
		       jsonb_build_object('profileId', p.id, 'retentionDays', p.retention_days, 'oldestRecording', old.since),
		       CASE WHEN p.retention_days IS NULL
		            THEN GREATEST(s.since, (SELECT max(upper(q.valid)) FROM system_profiles q
		                                   WHERE q.system_id = s.system_id AND q.retention_days IS NOT NULL
		                                     AND upper(q.valid) <= CAST($1 AS timestamptz)))
		            ELSE GREATEST(s.since, old.since + make_interval(days => p.retention_days)) END
		FROM reach_systems s
		JOIN reach_links l ON l.id = s.link_id
		LEFT JOIN system_profiles p ON p.system_id = s.system_id AND p.valid @> CAST($1 AS timestamptz)
		-- The oldest recording moved into it: data moved in keep their age.
		LEFT JOIN LATERAL (
		    SELECT min(COALESCE(m.recorded_from,
		               (SELECT min(lower(u.valid)) FROM system_uses u WHERE u.system_id = m.from_system_id))) AS since
		    FROM data_moves m WHERE m.to_system_id = s.system_id AND m.moved_at <= CAST($1 AS timestamptz)) old ON true
		WHERE kedja_stores_calls(s.kind)
		  AND (p.retention_days IS NULL
		       OR old.since < CAST($1 AS timestamptz) - make_interval(days => p.retention_days))`},
}

// The checks of other files join the catalogue after these, in this order.
func init() {
	catalogue = append(catalogue, basisChecks...)     // checks_basis.go
	catalogue = append(catalogue, postureChecks...)   // checks_posture.go
	catalogue = append(catalogue, incidentChecks...)  // checks_incidents.go
	catalogue = append(catalogue, retentionChecks...) // checks_retention.go
	catalogue = append(catalogue, hygieneChecks...)   // checks_hygiene.go
	catalogue = append(catalogue, conditionChecks...) // checks_conditions.go
	catalogue = append(catalogue, noticeChecks...)    // checks_notices.go
}

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
