package store

import "github.com/kedja/kedja/registry"

// incidentChecks are the checks of incidents' notification duties
// (kedja_incident_duties, migrations/0014_incidents.sql): a controller past
// its Art. 33(1) deadline with no notification recorded, or notified late
// without the reasons for the delay; a controller or processor with no
// awareness recorded for an incident that concerns its data (nobody told
// it); a processor aware of it that has not notified the party that
// engaged it (Art. 33(2)). They read the registry's incidents, not the
// reach of the run's instant: an incident is judged by the duties it gave
// rise to, as they stand at the run's instant $1.
var incidentChecks = []check{
	{Check: registry.Check{ID: "incident_notification", Title: "Incident notification overdue or missing", LegalRef: "GDPR Art. 33"},
		sql: `
		INSERT INTO candidates ` + candidateColsSince + `
		-- An Art. 33(2) duty is about the link by which its party was
		-- engaged (a processor engaged twice owes two notifications);
		-- an Art. 33(1) duty is about the controller.
		SELECT 'incident_notification', CASE d.article WHEN 'art33_2' THEN 'link' ELSE 'party' END,
		       CASE d.article WHEN 'art33_2' THEN d.path[cardinality(d.path)] ELSE d.from_id END, d.controller_id,
		       CASE WHEN d.status = 'overdue' THEN 'critical' WHEN d.status = 'notified_late' THEN 'medium' ELSE 'high' END,
		       d.path, CASE d.article WHEN 'art33_1' THEN 'GDPR Art. 33(1)' ELSE 'GDPR Art. 33(2)' END,
		       CASE
		           WHEN d.status = 'overdue' THEN format('%s has not notified the supervisory authority of incident %s (%s); the 72 hours ran out on %s',
		                                                 f.legal_name, i.id, i.title, to_char(d.deadline, 'YYYY-MM-DD HH24:MI TZ'))
		           WHEN d.status = 'notified_late' THEN format('%s notified the supervisory authority of incident %s (%s) after the 72 hours without the reasons for the delay',
		                                                       f.legal_name, i.id, i.title)
		           WHEN d.status = 'not_aware' THEN format('No awareness of incident %s (%s) is recorded for %s, whose data it concerns: it may not have been told',
		                                                   i.id, i.title, f.legal_name)
		           ELSE format('%s is aware of incident %s (%s) and has not notified %s (Art. 33(2))', f.legal_name, i.id, i.title, t.legal_name) END,
		       jsonb_build_object('incidentId', i.id, 'article', d.article, 'status', d.status, 'awareAt', d.aware_at,
		                          'deadline', d.deadline, 'firstSent', d.first_sent, 'toId', d.to_id),
		       -- Since: overdue, when the 72 hours ran out; notified late
		       -- without reasons, when the late notification went; nobody
		       -- told, when the incident was discovered; a processor that
		       -- has not notified, when it became aware (Art. 33(2): without
		       -- undue delay, so from then).
		       CASE d.status WHEN 'overdue' THEN d.deadline WHEN 'notified_late' THEN d.first_sent
		            WHEN 'not_aware' THEN i.discovered_at ELSE d.aware_at END
		FROM incidents i
		CROSS JOIN LATERAL kedja_incident_duties(i.id, CAST($1 AS timestamptz)) d
		JOIN organisations f ON f.id = d.from_id
		LEFT JOIN organisations t ON t.id = d.to_id
		WHERE i.discovered_at <= CAST($1 AS timestamptz)
		  AND (d.status IN ('overdue', 'not_aware', 'not_notified') OR (d.status = 'notified_late' AND NOT d.delay_reasons))`},
}
