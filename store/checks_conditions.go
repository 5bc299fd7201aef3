package store

import "github.com/kedja/kedja/registry"

// The agreement_condition check (issue 13): conditions written into a
// link's agreement (migrations/0023), held against the dated facts below
// the link. It restates no rule: health data is kedja_holds_health_data,
// EEA membership kedja_transfer_class (once per country, eeaNow), approval kedja_approved, the allowed
// countries kedja_country_allowed and supplier staff kedja_supplier_staff.

// conditionFacts is every fact below a conditioned link that contradicts
// one of its conditions in force at $1, per controller whose chain holds
// the link: below is each reach row at or below the conditioned link, with
// pos, the link's place on the path.
const conditionFacts = `
	WITH` + eeaNow + `, cond AS (
	    SELECT k.id AS condition_id, k.link_id, k.kind, k.allowed_countries, k.clause, lower(k.valid) AS cond_since, l.from_id
	    FROM agreement_conditions k JOIN links l ON l.id = k.link_id
	    WHERE k.valid @> CAST($1 AS timestamptz)
	), below AS (
	    SELECT c.*, r.controller_id, r.link_id AS below_link_id, r.to_id AS below_to_id, r.links, r.since,
	           array_position(r.links, c.link_id) AS pos
	    FROM cond c JOIN reach r ON c.link_id = ANY(r.links)
	), operators AS (
	    -- The receiving party of the conditioned link and every party below
	    -- it: their own staff are supplier staff.
	    SELECT DISTINCT controller_id, condition_id, below_to_id AS party_id FROM below
	), on_systems AS (
	    SELECT b.*, s.system_id, s.name AS system_name, sy.operator_id,
	           kedja_holds_health_data(s.kind, ul.health_data) AS health, GREATEST(b.cond_since, s.since) AS use_since
	    FROM below b
	    JOIN reach_systems s ON s.controller_id = b.controller_id AND s.links = b.links
	    JOIN reach_links ul ON ul.id = s.link_id
	    JOIN systems sy ON sy.id = s.system_id
	), contra AS (
	    SELECT o.controller_id, o.link_id, o.links[1:o.pos] AS path, o.condition_id, o.kind, true AS health,
	           format('%s (holding health data) is reached by %s%s (access path %s)', o.system_name, replace(a.audience, '_', ' '),
	                  CASE WHEN a.privileged THEN ' with administrator rights' ELSE '' END, a.id) AS what,
	           jsonb_build_object('conditionId', o.condition_id, 'condition', o.kind, 'fact', 'access_path', 'accessPathId', a.id,
	                              'systemId', o.system_id, 'audience', a.audience, 'origin', a.origin, 'privileged', a.privileged,
	                              'operatorId', o.operator_id) AS fact,
	           GREATEST(o.use_since, lower(a.valid)) AS since
	    FROM on_systems o
	    JOIN access_paths a ON a.system_id = o.system_id AND a.valid @> CAST($1 AS timestamptz)
	    WHERE o.kind = 'no_supplier_access_to_health_data' AND o.health
	      AND kedja_supplier_staff(a.audience, EXISTS (SELECT 1 FROM operators p WHERE p.controller_id = o.controller_id
	                                                    AND p.condition_id = o.condition_id AND p.party_id = o.operator_id))
	    UNION ALL
	    SELECT o.controller_id, o.link_id, o.links[1:o.pos], o.condition_id, o.kind, o.health,
	           format('%s is administered (access path %s, %s) and accessed from %s, outside the EEA', o.system_name, a.id,
	                  replace(a.audience, '_', ' '), cn.name),
	           jsonb_build_object('conditionId', o.condition_id, 'condition', o.kind, 'fact', 'privileged_access_abroad', 'accessPathId', a.id,
	                              'locationId', sl.id, 'systemId', o.system_id, 'country', sl.country_code, 'audience', a.audience),
	           GREATEST(o.use_since, lower(a.valid), lower(sl.valid))
	    FROM on_systems o
	    JOIN access_paths a ON a.system_id = o.system_id AND a.privileged AND a.valid @> CAST($1 AS timestamptz)
	    JOIN system_locations sl ON sl.system_id = o.system_id AND sl.purpose = 'access' AND sl.valid @> CAST($1 AS timestamptz)
	    JOIN countries cn ON cn.code = sl.country_code
	    WHERE o.kind = 'no_privileged_access_abroad' AND sl.country_code NOT IN (SELECT code FROM eea_now)
	    UNION ALL
	    SELECT o.controller_id, o.link_id, o.links[1:o.pos], o.condition_id, o.kind, o.health,
	           format('%s is %s in %s', o.system_name, CASE sl.purpose WHEN 'storage' THEN 'stored' ELSE 'accessed' END, cn.name),
	           jsonb_build_object('conditionId', o.condition_id, 'condition', o.kind, 'fact', 'system_location', 'locationId', sl.id,
	                              'systemId', o.system_id, 'country', sl.country_code, 'purpose', sl.purpose,
	                              'allowedCountries', to_jsonb(o.allowed_countries)),
	           GREATEST(o.use_since, lower(sl.valid))
	    FROM on_systems o
	    JOIN system_locations sl ON sl.system_id = o.system_id AND sl.valid @> CAST($1 AS timestamptz)
	    JOIN countries cn ON cn.code = sl.country_code
	    WHERE o.kind = 'data_stays_in' AND NOT kedja_country_allowed(sl.country_code, o.allowed_countries, CAST($1 AS timestamptz))
	    UNION ALL
	    -- A party engaged below the receiving party, without the approval
	    -- of the party that set the condition.
	    SELECT b.controller_id, b.link_id, b.links[1:b.pos], b.condition_id, b.kind, l2.health_data,
	           format('%s engages %s with no approval by %s recorded', f.legal_name, t.legal_name, a.legal_name),
	           jsonb_build_object('conditionId', b.condition_id, 'condition', b.kind, 'fact', 'link', 'linkId', l2.id,
	                              'authorisation', l2.authorisation, 'approverId', b.from_id),
	           GREATEST(b.cond_since, b.since)
	    FROM below b
	    JOIN links l2 ON l2.id = b.below_link_id
	    JOIN organisations f ON f.id = l2.from_id
	    JOIN organisations t ON t.id = l2.to_id
	    JOIN organisations a ON a.id = b.from_id
	    WHERE b.kind = 'no_subprocessors_without_approval' AND b.below_link_id <> b.link_id
	      AND NOT kedja_approved(l2.id, l2.authorisation, l2.authorising_controller_id, b.from_id, CAST($1 AS timestamptz))
	)`

var conditionChecks = []check{
	{Check: registry.Check{ID: "agreement_condition", Title: "Chain contradicts a condition of its agreement", LegalRef: "GDPR Art. 28(1), 28(3)(a), 29, 32",
		SeverityRule: "high when a contradicting fact touches health data (a system holding it, or a link carrying it): such a " +
			"condition is usually the safeguard the controller's Art. 9 and Art. 32 assessment relied on (the 1177 chain's " +
			"recordings reached a subcontractor's staff abroad), so breaking it leaves special-category data without the " +
			"protection the controller chose; medium otherwise. Every condition no_supplier_access_to_health_data judges is " +
			"about health data. One finding per conditioned link, listing every contradicting fact",
		Clears: "the contradicting fact ending (the access path, location or link ending, a privileged path no longer from " +
			"outside the EEA, an approval by the party that set the condition), or the condition ending"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + conditionFacts + `
		SELECT 'agreement_condition', 'link', c.link_id, c.controller_id, CASE WHEN bool_or(c.health) THEN 'high' ELSE 'medium' END,
		       c.path, 'GDPR Art. 28(1), 28(3)(a), 29, 32',
		       format('%s''s agreement with %s forbids %s, yet %s', f.legal_name, t.legal_name,
		              string_agg(DISTINCT CASE c.kind
		                  WHEN 'no_supplier_access_to_health_data' THEN 'supplier staff reaching health data'
		                  WHEN 'no_privileged_access_abroad' THEN 'administrator access from outside the EEA'
		                  WHEN 'data_stays_in' THEN 'data outside ' || array_to_string(k.allowed_countries, ', ')
		                  ELSE 'subcontractors without its approval' END, '; '), string_agg(DISTINCT c.what, '; ')),
		       jsonb_build_object('linkId', c.link_id, 'contradictions', jsonb_agg(DISTINCT c.fact)),
		       min(c.since)
		FROM contra c
		JOIN agreement_conditions k ON k.id = c.condition_id
		JOIN links l ON l.id = c.link_id
		JOIN organisations f ON f.id = l.from_id
		JOIN organisations t ON t.id = l.to_id
		GROUP BY c.controller_id, c.link_id, c.path, f.legal_name, t.legal_name`},
}
