package store

import (
	"context"
	"database/sql"

	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

// knownExposureSQL reads, in one statement, what the registry knew against
// each held system at every instant of its hold at which one of the
// system's own dated facts began or ended (profiles, access paths into it
// or through it, relations, software components, known-exploited listings
// and patches, ends of support), and at the start of the hold. Between two
// such instants its own facts do not change. The facts are judged by the
// checks' rules: kedja_internet_access and kedja_internet_access_severity
// (internet_access, exposure), kedja_software_gap and
// kedja_software_severity (exploited_vulnerability, unsupported_software),
// kedja_profile_unknowns and an access path's unknown authentication
// (not_established). A change in a gateway or environment further away
// that is not dated on the system itself is seen at the system's next
// point only.
const knownExposureSQL = `
	WITH held AS (
	    SELECT h.idx, h.system_id, h.held_from, COALESCE(h.held_until, now()) AS bound
	    FROM unnest(CAST($1 AS int[]), CAST($2 AS bigint[]), CAST($3 AS timestamptz[]), CAST($4 AS timestamptz[]))
	         AS h(idx, system_id, held_from, held_until)
	), points AS (
	    SELECT h.idx, h.system_id, h.held_from AS at FROM held h
	    UNION
	    SELECT h.idx, h.system_id, c.at
	    FROM held h
	    CROSS JOIN LATERAL (
	        SELECT unnest(ARRAY[lower(p.valid), upper(p.valid)]) FROM system_profiles p WHERE p.system_id = h.system_id
	        UNION ALL
	        SELECT unnest(ARRAY[lower(a.valid), upper(a.valid)]) FROM access_paths a
	        WHERE a.system_id = h.system_id OR a.gateway_id = h.system_id
	        UNION ALL
	        SELECT unnest(ARRAY[lower(r.valid), upper(r.valid)]) FROM system_relations r
	        WHERE r.from_system_id = h.system_id OR r.to_system_id = h.system_id
	        UNION ALL
	        SELECT unnest(ARRAY[lower(sc.valid), upper(sc.valid), CAST(sc.end_of_support + 1 AS timestamptz)])
	        FROM software_components sc WHERE sc.system_id = h.system_id
	        UNION ALL
	        SELECT unnest(ARRAY[CAST(v.listed_on AS timestamptz), CAST(v.patched_on AS timestamptz)])
	        FROM exploited_vulnerabilities v JOIN software_components sc ON sc.id = v.component_id
	        WHERE sc.system_id = h.system_id
	    ) c(at)
	    WHERE c.at > h.held_from AND c.at < h.bound
	), net AS MATERIALIZED (
	    SELECT i.at, x.* FROM (SELECT DISTINCT at FROM points) i
	    -- Walked only from where the held systems can be reached from
	    -- (migrations/0040), not from every way into the registry.
	    CROSS JOIN LATERAL kedja_internet_access(i.at, CAST($2 AS bigint[])) x
	    WHERE x.system_id IN (SELECT system_id FROM held)
	)
	SELECT p.idx, p.at, CAST(NULL AS text) AS fact, CAST(NULL AS text) AS severity, CAST(NULL AS text) AS audience,
	       CAST(NULL AS text) AS through, CAST(NULL AS text) AS component, CAST(NULL AS text) AS cve,
	       CAST('{}' AS text[]) AS unknown, false AS no_profile
	FROM points p
	UNION
	SELECT p.idx, p.at,
	       CASE x.authentication WHEN 'none' THEN 'internet_without_authentication' WHEN 'password' THEN 'internet_password_only'
	            ELSE 'internet_authentication_unknown' END,
	       kedja_internet_access_severity(x.authentication), x.audience, ` + throughNames + `,
	       NULL, NULL, '{}', false
	FROM points p
	JOIN net x ON x.at = p.at AND x.system_id = p.system_id
	WHERE kedja_internet_access_severity(x.authentication) IS NOT NULL OR x.authentication IS NULL
	UNION
	SELECT p.idx, p.at, CASE g.gap WHEN 'known_exploited' THEN 'known_exploited_vulnerability' ELSE 'end_of_support' END,
	       kedja_software_severity(g.gap, EXISTS (SELECT 1 FROM net n WHERE n.at = p.at AND n.system_id = p.system_id)),
	       NULL, NULL, concat_ws(' ', sc.product, sc.version), CASE WHEN g.gap = 'known_exploited' THEN v.cve_id END, '{}', false
	FROM points p
	JOIN software_components sc ON sc.system_id = p.system_id AND sc.valid @> p.at
	LEFT JOIN exploited_vulnerabilities v ON v.component_id = sc.id
	CROSS JOIN LATERAL (SELECT kedja_software_gap(sc.end_of_support, v.listed_on, v.patched_on, p.at) AS gap) g
	WHERE g.gap IS NOT NULL
	UNION
	SELECT p.idx, p.at, 'not_established', NULL, NULL, NULL, NULL, NULL, u.unknown, sp.id IS NULL
	FROM points p
	LEFT JOIN system_profiles sp ON sp.system_id = p.system_id AND sp.valid @> p.at
	CROSS JOIN LATERAL (
	    SELECT kedja_profile_unknowns(sp.id IS NOT NULL, sp.internet_exposed, sp.authentication, sp.transport_encryption,
	                                  sp.encryption_at_rest)
	           || CASE WHEN EXISTS (SELECT 1 FROM access_paths a WHERE a.system_id = p.system_id AND a.valid @> p.at
	                                AND a.authentication IS NULL)
	                   THEN ARRAY['access path authentication'] ELSE CAST('{}' AS text[]) END AS unknown) u
	WHERE cardinality(u.unknown) > 0
	ORDER BY 1, 2, 3`

// KnownExposure reads what the registry knew against each held system
// during its hold (see knownExposureSQL), in ctx's transaction.
func (s *Store) KnownExposure(ctx context.Context, holds []registry.HoldWindow) ([]registry.ExposurePoint, error) {
	if len(holds) == 0 {
		return nil, nil
	}
	idx := make([]int64, len(holds))
	sys := make([]int64, len(holds))
	from := make([]sql.NullTime, len(holds))
	until := make([]sql.NullTime, len(holds))
	for i, h := range holds {
		idx[i], sys[i], from[i] = int64(h.Index), h.SystemID, sql.NullTime{Time: h.From, Valid: true}
		if h.Until != nil {
			until[i] = sql.NullTime{Time: *h.Until, Valid: true}
		}
	}
	var rows []registry.ExposurePoint
	err := s.selectx(ctx, s.q(ctx), &rows, knownExposureSQL, pq.Array(idx), pq.Array(sys), pq.Array(from), pq.Array(until))
	return rows, err
}

// exposurePointRow reads an ExposurePoint's list of unknown facts (asRow).
type exposurePointRow struct {
	registry.ExposurePoint
	Unknown pq.StringArray `db:"unknown"`
}

func (r *exposurePointRow) toDomain() registry.ExposurePoint {
	v := r.ExposurePoint
	if len(r.Unknown) > 0 {
		v.Unknown = r.Unknown
	}
	return v
}

func (r *exposurePointRow) fromDomain(v registry.ExposurePoint) {
	r.ExposurePoint, r.Unknown = v, v.Unknown
}
