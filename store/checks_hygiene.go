package store

import "github.com/kedja/kedja/registry"

// The hygiene checks (issue 13): software past its support or with
// known-exploited vulnerabilities left unpatched, vulnerability scans,
// shared systems without segmentation, identifiers in file names,
// processors acting beyond their instructions, and suppliers engaged
// without a risk assessment. Each rule they rest on is a SQL function of
// migrations/0021_software_tenancy.sql.

// internetReach is every system some way in from the internet reaches at
// $1, worked out once per check rather than per row.
const internetReach = `
	WITH net AS MATERIALIZED (SELECT system_id FROM kedja_internet_reachable(CAST($1 AS timestamptz)))`

// softwareCheck raises, once per system holding health data, its
// components with the gap gap (kedja_software_gap): the same query for
// end of support and for known-exploited vulnerabilities.
func softwareCheck(id, gap, what string) string {
	return `
		INSERT INTO candidates ` + candidateColsSince + internetReach + `,
		bad AS (
		    SELECT s.controller_id, s.system_id, s.name, s.link_id, s.links, c.id AS component_id, c.product, c.version,
		           c.end_of_support, v.cve_id, v.listed_on,
		           GREATEST(s.since, lower(c.valid), CASE WHEN v.id IS NOT NULL THEN CAST(v.listed_on AS timestamptz)
		                                                  ELSE CAST(c.end_of_support + 1 AS timestamptz) END) AS since
		    FROM reach_systems s
		    JOIN reach_links l ON l.id = s.link_id
		    JOIN software_components c ON c.system_id = s.system_id AND c.valid @> CAST($1 AS timestamptz)
		    LEFT JOIN exploited_vulnerabilities v ON v.component_id = c.id AND '` + gap + `' = 'known_exploited'
		    WHERE kedja_holds_health_data(s.kind, l.health_data)
		      AND kedja_software_gap(c.end_of_support, v.listed_on, v.patched_on, CAST($1 AS timestamptz)) = '` + gap + `'
		)
		SELECT '` + id + `', 'system', b.system_id, b.controller_id,
		       kedja_software_severity('` + gap + `', bool_or(net.system_id IS NOT NULL)), b.links, 'GDPR Art. 32(1)(b), (d)',
		       format('%s holds health data%s and runs ` + what + `: %s', min(b.name),
		              CASE WHEN bool_or(net.system_id IS NOT NULL) THEN ' and is reachable from the internet' ELSE '' END,
		              string_agg(DISTINCT concat_ws(' ', b.product, b.version) ||
		                  CASE WHEN b.cve_id IS NOT NULL THEN format(' (%s, known exploited since %s)', b.cve_id, b.listed_on)
		                       ELSE format(' (support ended %s)', b.end_of_support) END, '; ')),
		       jsonb_build_object('internetReachable', bool_or(net.system_id IS NOT NULL),
		                          'components', jsonb_agg(DISTINCT jsonb_build_object('componentId', b.component_id, 'product', b.product,
		                              'version', b.version, 'endOfSupport', b.end_of_support, 'cve', b.cve_id, 'listedOn', b.listed_on))),
		       min(b.since)
		FROM bad b
		LEFT JOIN net ON net.system_id = b.system_id
		GROUP BY b.controller_id, b.system_id, b.link_id, b.links`
}

var hygieneChecks = []check{
	{Check: registry.Check{ID: "exploited_vulnerability", Title: "Known-exploited vulnerability left unpatched", LegalRef: "GDPR Art. 32(1)(b), (d)",
		SeverityRule: "high on a system holding health data that the internet reaches (through any access path, gateway or environment, " +
			"whatever its authentication: attackers work from these lists, and the 2022 Swedish hosting breach escalated through a " +
			"two-year-old unpatched flaw); medium otherwise",
		Clears: "a patch day recorded on or before the instant for every known-exploited vulnerability of the system's components, " +
			"or the component ending (removed or upgraded)"},
		sql: softwareCheck("exploited_vulnerability", "known_exploited", "software with known-exploited vulnerabilities left unpatched")},

	{Check: registry.Check{ID: "unsupported_software", Title: "Software past its end of support", LegalRef: "GDPR Art. 32(1)(b), (d)",
		SeverityRule: "medium on a system holding health data that the internet reaches (no fixes will come; the 1177 storage server " +
			"ran an Apache release long superseded); low otherwise. Known-exploited flaws are the exploited_vulnerability check's",
		Clears: "the component ending (upgraded or removed), or an end-of-support date recorded after the instant"},
		sql: softwareCheck("unsupported_software", "end_of_support", "software past its end of support")},

	{Check: registry.Check{ID: "vulnerability_scan", Title: "No recent vulnerability scan", LegalRef: "GDPR Art. 32(1)(d)",
		SeverityRule: "medium on a system holding health data that the internet reaches, low otherwise: regular testing is the process " +
			"Art. 32(1)(d) asks for, not a weakness in itself. The period is the run's scanDays, else the setting kedja.scan_days, else 90 days",
		Clears: "a vulnerability scan of the system recorded on a day within the period before the instant"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + internetReach + `
		SELECT DISTINCT ON (s.controller_id, s.system_id)
		       'vulnerability_scan', 'system', s.system_id, s.controller_id, kedja_scan_severity(net.system_id IS NOT NULL),
		       s.links, 'GDPR Art. 32(1)(d)',
		       format('%s holds health data%s and %s', s.name,
		              CASE WHEN net.system_id IS NOT NULL THEN ' and is reachable from the internet' ELSE '' END,
		              CASE g.gap WHEN 'never_scanned' THEN 'no vulnerability scan of it is recorded'
		                   ELSE format('its last vulnerability scan, on %s (%s), is more than %s days old', last.scanned_on, last.scope, d.days) END),
		       jsonb_build_object('gap', g.gap, 'lastScan', last.scanned_on, 'scope', last.scope, 'scanId', last.id,
		                          'scanDays', d.days, 'internetReachable', net.system_id IS NOT NULL),
		       CASE g.gap WHEN 'never_scanned' THEN s.since
		            ELSE GREATEST(s.since, CAST(last.scanned_on + d.days + 1 AS timestamptz)) END
		FROM reach_systems s
		JOIN reach_links l ON l.id = s.link_id
		CROSS JOIN (SELECT kedja_scan_days() AS days) d
		LEFT JOIN LATERAL (SELECT v.id, v.scanned_on, v.scope FROM vulnerability_scans v
		                   WHERE v.system_id = s.system_id AND v.scanned_on <= CAST(CAST($1 AS timestamptz) AS date)
		                   ORDER BY v.scanned_on DESC, v.id LIMIT 1) last ON true
		CROSS JOIN LATERAL (SELECT kedja_scan_gap(last.scanned_on, CAST($1 AS timestamptz), d.days) AS gap) g
		LEFT JOIN net ON net.system_id = s.system_id
		WHERE kedja_holds_health_data(s.kind, l.health_data) AND g.gap IS NOT NULL
		ORDER BY s.controller_id, s.system_id, cardinality(s.links)`},

	{Check: registry.Check{ID: "shared_storage", Title: "Shared system without established segmentation", LegalRef: "GDPR Art. 5(1)(f), 32(1)(b)",
		SeverityRule: "high when a system holding health data is shared with other customers or controllers and their data are known " +
			"not to be segmented (the 1177 storage server also held two other customers' calls; IMY fined its operator under Art. 32); " +
			"medium when segmentation is not established. A system not known to be shared is not raised",
		Clears: "a tenancy record in force saying the customers' data are segmented, or that the system is not shared"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + `
		SELECT DISTINCT ON (s.controller_id, s.system_id)
		       'shared_storage', 'system', s.system_id, s.controller_id,
		       CASE g.gap WHEN 'unsegmented' THEN 'high' ELSE 'medium' END, s.links, 'GDPR Art. 5(1)(f), 32(1)(b)',
		       format('%s holds health data and is shared with %s; %s', s.name,
		              COALESCE((SELECT string_agg(o.legal_name, ', ' ORDER BY o.legal_name) FROM organisations o
		                        WHERE o.id = ANY(t.sharing_controller_ids)), 'other customers'),
		              CASE g.gap WHEN 'unsegmented' THEN 'their data are not segmented from one another'
		                   ELSE 'whether their data are segmented from one another is not established' END),
		       jsonb_build_object('tenancyId', t.id, 'gap', g.gap, 'sharedWithOtherCustomers', t.shared_with_others,
		                          'sharingControllerIds', to_jsonb(t.sharing_controller_ids), 'segmented', t.segmented),
		       GREATEST(s.since, lower(t.valid))
		FROM reach_systems s
		JOIN reach_links l ON l.id = s.link_id
		JOIN system_tenancies t ON t.system_id = s.system_id AND t.valid @> CAST($1 AS timestamptz)
		CROSS JOIN LATERAL (SELECT kedja_tenancy_gap(t.shared_with_others, cardinality(t.sharing_controller_ids), t.segmented) AS gap) g
		WHERE kedja_holds_health_data(s.kind, l.health_data) AND g.gap IS NOT NULL
		ORDER BY s.controller_id, s.system_id, cardinality(s.links)`},

	{Check: registry.Check{ID: "identifiers_in_names", Title: "Callers' identifiers in file names or metadata", LegalRef: "GDPR Art. 5(1)(c), 25",
		SeverityRule: "on a system holding health data, high for personal identity numbers (a national identifier, Art. 87) and medium " +
			"for phone numbers (the 1177 storage server's older file names carried about 57,000); one step lower on other systems",
		Clears: "a record in force saying the file names and metadata carry neither phone numbers nor personal identity numbers " +
			"(renamed, or pseudonymised)"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + `
		SELECT DISTINCT ON (s.controller_id, s.system_id)
		       'identifiers_in_names', 'system', s.system_id, s.controller_id, v.severity, s.links, 'GDPR Art. 5(1)(c), 25',
		       format('%s%s has file names or metadata carrying %s', s.name,
		              CASE WHEN v.health THEN ', which holds health data,' ELSE '' END,
		              array_to_string(ARRAY_REMOVE(ARRAY[
		                  CASE WHEN n.personal_identity_numbers THEN 'personal identity numbers' END,
		                  CASE WHEN n.phone_numbers THEN 'callers'' phone numbers' END], NULL), ' and ')),
		       jsonb_build_object('recordId', n.id, 'phoneNumbers', n.phone_numbers, 'personalIdentityNumbers', n.personal_identity_numbers,
		                          'healthData', v.health),
		       GREATEST(s.since, lower(n.valid))
		FROM reach_systems s
		JOIN reach_links l ON l.id = s.link_id
		JOIN name_identifiers n ON n.system_id = s.system_id AND n.valid @> CAST($1 AS timestamptz)
		CROSS JOIN LATERAL (SELECT kedja_holds_health_data(s.kind, l.health_data) AS health) h
		CROSS JOIN LATERAL (SELECT h.health, kedja_identifier_severity(n.phone_numbers, n.personal_identity_numbers, h.health) AS severity) v
		WHERE v.severity IS NOT NULL
		ORDER BY s.controller_id, s.system_id, kedja_severity_rank(v.severity), cardinality(s.links)`},

	{Check: registry.Check{ID: "beyond_instructions", Title: "Processor acting beyond the controller's instructions", LegalRef: "GDPR Art. 28(10), 29",
		SeverityRule: "high for health data, medium otherwise: a processor that stores or records beyond its instructions is a controller " +
			"of that processing (Art. 28(10)) with no basis of its own (the 1177 storage server held calls of a customer that had never " +
			"ordered recording)",
		Clears: "a record in force for the link saying the receiving party keeps within its instructions, or an authority's role finding " +
			"that it is not a processor (the disclosure and agreement checks then judge the link)"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + `
		SELECT 'beyond_instructions', 'link', r.link_id, r.controller_id, CASE WHEN l.health_data THEN 'high' ELSE 'medium' END,
		       r.links, 'GDPR Art. 28(10), 29',
		       format('%s %s beyond %s''s instructions, and so is a controller of that processing%s', t.legal_name, c.what, f.legal_name,
		              CASE WHEN c.authority IS NOT NULL THEN format(' (as found by %s)', c.authority) ELSE '' END),
		       jsonb_build_object('linkId', l.id, 'conductId', c.id, 'what', c.what, 'authority', c.authority, 'reference', c.reference,
		                          'role', kedja_effective_role(l.id, l.role), 'healthData', l.health_data),
		       GREATEST(r.since, lower(c.valid))
		FROM reach r
		JOIN reach_links l ON l.id = r.link_id
		JOIN instruction_conduct c ON c.link_id = l.id AND c.valid @> CAST($1 AS timestamptz)
		JOIN organisations f ON f.id = l.from_id
		JOIN organisations t ON t.id = l.to_id
		WHERE kedja_beyond_instructions(kedja_effective_role(l.id, l.role), c.beyond_instructions)`},

	{Check: registry.Check{ID: "supplier_assessment", Title: "Supplier engaged without a risk assessment", LegalRef: "GDPR Art. 32(2), 35",
		SeverityRule: "high when a processor or sub-processor handling health data was engaged with no risk assessment or DPIA by the " +
			"controller covering it (the core finding on a regional health authority's 2017 outsourcing of patient-record servers), " +
			"medium for other data; info when the assessment came only after the link began. Links begun before 25 May 2018, when " +
			"Art. 32(2) and 35 began to apply, are not judged",
		Clears: "a risk assessment or DPIA by the controller, covering the link or its receiving party, dated on or before the day the link began"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + `
		-- Every link to a processor or sub-processor (by its effective
		-- role) in a controller's chain, judged by the controller's first
		-- assessment covering it (kedja_assessment_gap).
		SELECT 'supplier_assessment', 'link', r.link_id, r.controller_id, kedja_assessment_severity(g.gap, l.health_data), r.links,
		       'GDPR Art. 32(2), 35',
		       CASE g.gap
		           WHEN 'none' THEN format('%s engaged %s on %s with no risk assessment or DPIA by %s covering it', f.legal_name, t.legal_name,
		                                   CAST(lower(l.valid) AS date), ctl.legal_name)
		           ELSE format('%s engaged %s on %s; %s assessed it only on %s', f.legal_name, t.legal_name, CAST(lower(l.valid) AS date),
		                       ctl.legal_name, first.assessed_on) END,
		       jsonb_build_object('linkId', l.id, 'gap', g.gap, 'linkStart', lower(l.valid), 'assessmentId', first.id,
		                          'assessedOn', first.assessed_on, 'role', er.role, 'healthData', l.health_data),
		       r.since
		FROM reach r
		JOIN reach_links l ON l.id = r.link_id
		JOIN organisations f ON f.id = l.from_id
		JOIN organisations t ON t.id = l.to_id
		JOIN organisations ctl ON ctl.id = r.controller_id
		CROSS JOIN LATERAL (SELECT kedja_effective_role(l.id, l.role) AS role) er
		LEFT JOIN LATERAL (
		    SELECT a.id, a.assessed_on FROM risk_assessments a
		    WHERE a.controller_id = r.controller_id AND a.assessed_on <= CAST(CAST($1 AS timestamptz) AS date)
		      AND (l.id = ANY(a.covered_link_ids) OR l.to_id = ANY(a.covered_party_ids))
		    ORDER BY a.assessed_on, a.id LIMIT 1) first ON true
		CROSS JOIN LATERAL (SELECT kedja_assessment_gap(lower(l.valid), first.assessed_on, CAST($1 AS timestamptz)) AS gap) g
		WHERE er.role IN ('processor', 'sub_processor') AND g.gap IS NOT NULL`},
}
