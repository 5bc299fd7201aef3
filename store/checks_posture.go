package store

import "github.com/kedja/kedja/registry"

// The posture checks (issue 13): how systems holding health data are reached
// from the internet, what is not established about their security, and
// their backups. Each rule they rest on is a SQL function of
// migrations/0012_posture.sql, which the API may call too.
// profileSince is, for a system s and its profile p in force at $1 (NULL:
// none), when what the profile in force says (or, with none, that nothing
// is recorded) began: the profile's start, else the end of the last
// profile before $1 (NULL, which GREATEST ignores, when there never was
// one: then the system's use on the chain). A fact left unknown by an
// earlier profile too may have been unknown longer; the profile in force
// is the first record that says so, so since is never earlier than the
// facts show.
const profileSince = `COALESCE(lower(p.valid), (SELECT max(upper(q.valid)) FROM system_profiles q
		WHERE q.system_id = s.system_id AND upper(q.valid) <= CAST($1 AS timestamptz)))`

// clearanceRef is privileged_clearance's legal reference: security
// vetting of staff given access to a security-sensitive activity, and a
// security protection agreement with a supplier who is, under Swedish law
// where the controller's system is classified as security-sensitive; and
// GDPR's duty that people with access act only on instructions.
const clearanceRef = "Säkerhetsskyddslagen (2018:585) 2 kap. 6 §, 3 kap. 1-2 §§ (where the controller classifies its system as security-sensitive); GDPR Art. 32(1)(b), 32(4)"

// throughNames names, for a row x of kedja_internet_access, the systems its
// way in passes before the system reached (the gateway, then the
// environments), joined by " -> "; NULL for direct access. The
// internet_access check's evidence and a trace's known exposure word it
// alike.
const throughNames = `(
		    SELECT string_agg(sy.name, ' -> ' ORDER BY k.n)
		    FROM unnest(CASE WHEN x.gateway_id IS NOT NULL AND x.gateway_id <> x.entry_id
		                     THEN x.gateway_id || x.system_path[1:cardinality(x.system_path) - 1]
		                     ELSE x.system_path[1:cardinality(x.system_path) - 1] END) WITH ORDINALITY AS k(id, n)
		    JOIN systems sy ON sy.id = k.id)`

var postureChecks = []check{
	{Check: registry.Check{ID: "internet_access", Title: "Health data reachable from the internet without MFA", LegalRef: "GDPR Art. 5(1)(f), 32(1)(b)"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + `
		-- Every system holding health data that a way in from the internet
		-- reaches, directly or through the gateways and environments in
		-- front of it (kedja_internet_access), with no authentication
		-- (critical) or a password alone (high): kedja_internet_access_severity.
		-- A call-keeping system's own profile is judged by the exposure
		-- check; what it gives access to is judged here.
		-- Clears with MFA, a certificate or a smart card on every internet
		-- way in, or when the way in or the relation carrying it ends.
		SELECT 'internet_access', 'system', s.system_id, s.controller_id, v.severity, s.links, 'GDPR Art. 5(1)(f), 32(1)(b)',
		       format('%s holds health data and is reachable from the internet %s%s%s', s.name,
		              CASE x.authentication WHEN 'none' THEN 'without authentication' ELSE 'with a password alone' END,
		              CASE WHEN x.source = 'profile' THEN format(' (%s is internet-exposed)', entry.name)
		                   ELSE format(' by %s (access path %s)', replace(x.audience, '_', ' '), x.access_path_id) END,
		              CASE WHEN via.names IS NOT NULL THEN format(', through %s', via.names) ELSE '' END),
		       jsonb_build_object('source', x.source, 'accessPathId', x.access_path_id, 'profileId', x.profile_id,
		                          'audience', x.audience, 'authentication', x.authentication, 'privileged', x.privileged,
		                          'gatewayId', x.gateway_id, 'gateway', gw.name, 'entrySystemId', x.entry_id,
		                          'entrySystem', entry.name, 'through', via.names,
		                          'relationIds', x.relation_ids, 'systemPath', x.system_path),
		       -- Since: the way in (the access path, or the profile saying
		       -- the system is exposed) and every relation it is carried
		       -- through, and the system's use on the chain.
		       GREATEST(s.since, (SELECT lower(a.valid) FROM access_paths a WHERE a.id = x.access_path_id),
		                (SELECT lower(p.valid) FROM system_profiles p WHERE p.id = x.profile_id),
		                (SELECT max(lower(sr.valid)) FROM system_relations sr WHERE sr.id = ANY(x.relation_ids)))
		FROM reach_systems s
		JOIN reach_links l ON l.id = s.link_id
		JOIN kedja_internet_access(CAST($1 AS timestamptz)) x ON x.system_id = s.system_id
		JOIN systems entry ON entry.id = x.entry_id
		LEFT JOIN systems gw ON gw.id = x.gateway_id
		CROSS JOIN LATERAL (SELECT kedja_internet_access_severity(x.authentication) AS severity) v
		CROSS JOIN LATERAL (SELECT ` + throughNames + ` AS names) via
		WHERE v.severity IS NOT NULL
		  AND kedja_holds_health_data(s.kind, l.health_data)
		  AND NOT (x.source = 'profile' AND cardinality(x.relation_ids) = 0 AND kedja_stores_calls(s.kind))`},

	{Check: registry.Check{ID: "not_established", Title: "Security facts not established for a system holding health data", LegalRef: "GDPR Art. 24(1), 32(1)"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + `
		-- A controller must be able to show its processing is secure (Art.
		-- 24(1), 5(2)): a fact nobody has established about a system
		-- holding health data is a gap, not a "no". Medium; once an INFO
		-- level exists this may be recalibrated against published decisions.
		-- Clears when every fact of the profile in force, and the
		-- authentication of every access path into the system, is recorded
		-- as yes or no.
		WITH facts AS (
		    SELECT DISTINCT ON (s.controller_id, s.system_id) s.controller_id, s.system_id, s.name, s.links, p.id AS profile_id,
		           kedja_profile_unknowns(p.id IS NOT NULL, p.internet_exposed, p.authentication, p.transport_encryption,
		                                  p.encryption_at_rest) AS unknown,
		           (SELECT COALESCE(array_agg(a.id ORDER BY a.id), '{}') FROM access_paths a
		            WHERE a.system_id = s.system_id AND a.valid @> CAST($1 AS timestamptz) AND a.authentication IS NULL) AS paths,
		           GREATEST(s.since, profileSince.at) AS profile_since,
		           GREATEST(s.since, (SELECT min(lower(a.valid)) FROM access_paths a WHERE a.system_id = s.system_id
		                              AND a.valid @> CAST($1 AS timestamptz) AND a.authentication IS NULL)) AS paths_since
		    FROM reach_systems s
		    JOIN reach_links l ON l.id = s.link_id
		    LEFT JOIN system_profiles p ON p.system_id = s.system_id AND p.valid @> CAST($1 AS timestamptz)
		    CROSS JOIN LATERAL (SELECT ` + profileSince + ` AS at) profileSince
		    WHERE kedja_holds_health_data(s.kind, l.health_data)
		    ORDER BY s.controller_id, s.system_id, cardinality(s.links)
		)
		SELECT 'not_established', 'system', f.system_id, f.controller_id, 'medium', f.links, 'GDPR Art. 24(1), 32(1)',
		       format('%s holds health data and these security facts about it are not established: %s%s', f.name,
		              array_to_string(f.unknown || CASE WHEN cardinality(f.paths) > 0
		                  THEN ARRAY[format('the authentication of %s access path(s)', cardinality(f.paths))] ELSE '{}' END, ', '),
		              CASE WHEN f.profile_id IS NULL THEN ' (no security profile is recorded)' ELSE '' END),
		       jsonb_build_object('profileId', f.profile_id, 'unknown', f.unknown, 'accessPathIds', f.paths),
		       LEAST(CASE WHEN cardinality(f.unknown) > 0 THEN f.profile_since END,
		             CASE WHEN cardinality(f.paths) > 0 THEN f.paths_since END)
		FROM facts f
		WHERE cardinality(f.unknown) > 0 OR cardinality(f.paths) > 0`},

	{Check: registry.Check{ID: "privileged_clearance", Title: "Privileged access to health data without established security clearance",
		LegalRef: clearanceRef,
		SeverityRule: "high when vendor support or customers' users with administrator rights reach a system holding health data that is " +
			"accessed from outside the EEA, where Swedish security vetting cannot follow them (a regional outsourcing of 2017 gave a " +
			"subcontractor's staff in three countries administrator rights on patient-record servers; IMY 2021 on nurses working in " +
			"the 1177 record system from Thailand), unless their clearance is recorded as given; medium when their clearance is not " +
			"established, as not_established weighs an unknown security fact. Conservative: säkerhetsskyddslagen requires clearance " +
			"only where the controller's activity is security-sensitive, which kedja does not record, so a clearance recorded as not " +
			"given at home is the controller's account and raises nothing, and the operator's own staff and the public are not judged " +
			"(kedja_clearance_gap, kedja_clearance_severity)",
		Clears: "the staff on every such privileged path recorded as security-cleared, the path no longer privileged or ended, or " +
			"(for access from abroad) no access location outside the EEA and clearance established"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + `
		-- One finding per system holding health data, listing every
		-- privileged path of vendor support or customers' users whose
		-- staff's clearance is not established, or who reach it while it
		-- is accessed from outside the EEA (kedja_clearance_gap).
		WITH` + eeaNow + `, sys AS (
		    SELECT DISTINCT ON (s.controller_id, s.system_id) s.controller_id, s.system_id, s.name, s.links, s.since
		    FROM reach_systems s
		    JOIN reach_links l ON l.id = s.link_id
		    WHERE kedja_holds_health_data(s.kind, l.health_data)
		    ORDER BY s.controller_id, s.system_id, cardinality(s.links)
		), gaps AS (
		    SELECT s.controller_id, s.system_id, s.name, s.links, a.id AS path_id, a.audience, a.staff_cleared, a.head_count,
		           abroad.codes, g.gap, kedja_clearance_severity(g.gap) AS severity,
		           GREATEST(s.since, lower(a.valid), CASE WHEN g.gap = 'abroad' THEN abroad.since END) AS since
		    FROM sys s
		    JOIN access_paths a ON a.system_id = s.system_id AND a.privileged AND a.valid @> CAST($1 AS timestamptz)
		    CROSS JOIN LATERAL (
		        SELECT array_agg(DISTINCT sl.country_code ORDER BY sl.country_code) AS codes, max(lower(sl.valid)) AS since
		        FROM system_locations sl
		        WHERE sl.system_id = s.system_id AND sl.purpose = 'access' AND sl.valid @> CAST($1 AS timestamptz)
		          AND sl.country_code NOT IN (SELECT code FROM eea_now)) abroad
		    CROSS JOIN LATERAL (SELECT kedja_clearance_gap(a.privileged, a.audience, a.staff_cleared, abroad.codes IS NOT NULL) AS gap) g
		    WHERE g.gap IS NOT NULL
		)
		SELECT 'privileged_clearance', 'system', g.system_id, g.controller_id,
		       (array_agg(g.severity ORDER BY kedja_severity_rank(g.severity)))[1], min(g.links), '` + clearanceRef + `',
		       format('%s holds health data and is reached with administrator rights by %s', min(g.name),
		              string_agg(format('%s (access path %s%s): %s', replace(g.audience, '_', ' '), g.path_id,
		                                CASE WHEN g.head_count IS NOT NULL THEN format(', %s people', g.head_count) ELSE '' END,
		                                CASE g.gap WHEN 'abroad' THEN format('accessed from outside the EEA (%s), security clearance %s',
		                                                                     array_to_string(g.codes, ', '),
		                                                                     CASE WHEN g.staff_cleared IS FALSE THEN 'not given' ELSE 'not established' END)
		                                           ELSE 'security clearance not established' END), '; ' ORDER BY g.path_id)),
		       jsonb_build_object('accessPaths', jsonb_agg(jsonb_build_object('accessPathId', g.path_id, 'audience', g.audience,
		                              'staffCleared', g.staff_cleared, 'headCount', g.head_count, 'gap', g.gap,
		                              'accessedFrom', to_jsonb(g.codes)) ORDER BY g.path_id)),
		       min(g.since)
		FROM gaps g
		GROUP BY g.controller_id, g.system_id`},

	{Check: registry.Check{ID: "backup", Title: "Stored calls without a recorded backup or a recent restore test", LegalRef: "GDPR Art. 32(1)(b)-(d)"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + `
		-- A system that keeps calls must be restorable after an incident
		-- (Art. 32(1)(c)) and its restore tested (32(1)(d)): high when no
		-- backup exists, medium when none is recorded or the last restore
		-- test is missing or older than kedja_restore_test_days() (the
		-- setting kedja.restore_test_days, else 365). kedja_backup_gap is
		-- the rule. Clears with a profile recording a backup and a restore
		-- test within that period.
		SELECT DISTINCT ON (s.controller_id, s.system_id)
		       'backup', 'system', s.system_id, s.controller_id,
		       CASE g.gap WHEN 'no_backup' THEN 'high' ELSE 'medium' END, s.links, 'GDPR Art. 32(1)(b)-(d)',
		       format('%s keeps calls and %s', s.name, CASE g.gap
		           WHEN 'no_backup' THEN 'has no backup'
		           WHEN 'backup_not_recorded' THEN 'no backup is recorded'
		           WHEN 'never_restore_tested' THEN 'no restore test is recorded'
		           ELSE format('its last restore test, on %s, is more than %s days old', p.last_restore_test, d.days) END),
		       jsonb_build_object('profileId', p.id, 'gap', g.gap, 'backupExists', p.backup_exists,
		                          'lastRestoreTest', p.last_restore_test, 'recoveryTimeHours', p.recovery_time_hours,
		                          'restoreTestDays', d.days),
		       -- Since: an overdue test, the day after the period ran out
		       -- (as vulnerability_scan); a test never recorded, the use of
		       -- the system, as a missing scan; a backup absent or not
		       -- recorded, what the profile in force says from its start.
		       CASE g.gap WHEN 'restore_test_overdue' THEN GREATEST(s.since, CAST(p.last_restore_test + d.days + 1 AS timestamptz))
		            WHEN 'never_restore_tested' THEN s.since
		            ELSE GREATEST(s.since, ` + profileSince + `) END
		FROM reach_systems s
		LEFT JOIN system_profiles p ON p.system_id = s.system_id AND p.valid @> CAST($1 AS timestamptz)
		CROSS JOIN (SELECT kedja_restore_test_days() AS days) d
		CROSS JOIN LATERAL (SELECT kedja_backup_gap(p.backup_exists, p.last_restore_test, CAST($1 AS timestamptz), d.days) AS gap) g
		WHERE kedja_stores_calls(s.kind) AND g.gap IS NOT NULL
		ORDER BY s.controller_id, s.system_id, cardinality(s.links)`},
}
