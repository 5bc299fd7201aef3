package store

import "github.com/kedja/kedja/registry"

// retentionChecks judge retention against the law's minimum: the existing
// retention check judges keeping data too long or without a period.
var retentionChecks = []check{
	{Check: registry.Check{ID: "retention_minimum", Title: "Kept for less than the law requires", LegalRef: "GDPR Art. 5(1)(e), 32(1)(c); national law",
		SeverityRule: "medium",
		Clears:       "a retention period at least the minimum the controller's law sets for that kind of system (retention_minimums)"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + `
		-- A system whose recorded retention is shorter than the least the
		-- law of the controller's country sets for its kind (Swedish
		-- patient records: ten years). No retention recorded is the
		-- retention check's.
		SELECT 'retention_minimum', 'system', s.system_id, s.controller_id, 'medium', s.links, m.legal_ref,
		       format('%s keeps %s for %s days; %s law requires at least %s (%s)', s.name, s.kind, p.retention_days,
		              c.country_code, m.min_days, m.legal_ref),
		       jsonb_build_object('profileId', p.id, 'retentionDays', p.retention_days, 'minimumDays', m.min_days, 'country', c.country_code),
		       GREATEST(s.since, lower(p.valid))
		FROM reach_systems s
		JOIN organisations c ON c.id = s.controller_id
		JOIN system_profiles p ON p.system_id = s.system_id AND p.valid @> CAST($1 AS timestamptz)
		JOIN retention_minimums m ON m.country_code = c.country_code AND m.system_kind = s.kind AND m.valid @> CAST(CAST($1 AS timestamptz) AS date)
		WHERE p.retention_days < m.min_days`},
}
