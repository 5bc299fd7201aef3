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
		    JOIN links l ON l.id = s.link_id
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
		JOIN links l ON l.id = s.link_id
		CROSS JOIN (SELECT kedja_scan_days() AS days) d
		LEFT JOIN LATERAL (SELECT v.id, v.scanned_on, v.scope FROM vulnerability_scans v
		                   WHERE v.system_id = s.system_id AND v.scanned_on <= CAST(CAST($1 AS timestamptz) AS date)
		                   ORDER BY v.scanned_on DESC, v.id LIMIT 1) last ON true
		CROSS JOIN LATERAL (SELECT kedja_scan_gap(last.scanned_on, CAST($1 AS timestamptz), d.days) AS gap) g
		LEFT JOIN net ON net.system_id = s.system_id
		WHERE kedja_holds_health_data(s.kind, l.health_data) AND g.gap IS NOT NULL
		ORDER BY s.controller_id, s.system_id, cardinality(s.links)`},
}
