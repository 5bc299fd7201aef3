package store

import "github.com/kedja/kedja/registry"

// The change-notice checks (issue 17, GDPR Art. 28(2)): a sub-processor
// engaged under a controller's general authorisation may work for it only
// once the controller was told and its objection window closed without an
// objection. Each reads where the controller stands from
// kedja_notice_status (migrations/0029), the one statement of that rule;
// links under specific authorisation are the authorisation check's. Each
// cites the authorisation provision of the path's law (reach.law, as
// kedja_path_law gives it), as the authorisation check and responsibility do.

// reachNotices fills the run table reach_notices (runTables) with every
// link reached at $1 below a controller (kedja_engaged_below: where the
// authorisation check asks for approval) with where the controller stands
// on it, for the links that its general authorisation governs. The three
// checks read it; computed once per run, not once per check (issue 18
// item 3: it was 18 of a run's 44 s at 1M links).
const reachNotices = `
	CREATE TEMP TABLE reach_notices ON COMMIT DROP AS
	-- The links below first, so that the status is asked of them alone:
	-- a planner free to order the joins asked it of every link reached.
	WITH below AS MATERIALIZED (
	    SELECT r.controller_id, r.link_id, r.links, r.since, r.law, r.law_country, l.health_data, f.legal_name AS from_name, t.legal_name AS to_name
	    FROM reach r
	    JOIN reach_links l ON l.id = r.link_id
	    JOIN organisations f ON f.id = l.from_id
	    JOIN organisations t ON t.id = l.to_id
	    WHERE kedja_engaged_below(r.depth, l.role)
	)
	SELECT b.*, n.*
	FROM below b
	CROSS JOIN LATERAL kedja_notice_status(b.link_id, b.controller_id, CAST($1 AS timestamptz)) n
	WHERE n.kind = 'general'`

var noticeChecks = []check{
	{Check: registry.Check{ID: "notice_missing", Title: "Sub-processor engaged without notice", LegalRef: "GDPR Art. 28(2)",
		SeverityRule: "high for health data: the controller never had the chance to object before special-category data reached " +
			"the new sub-processor; medium otherwise",
		Clears: "a change notice of the link (createChangeNotice) sent by the instant, or the link ending"},
		uses: "reach_notices",
		sql: `
		INSERT INTO candidates ` + candidateColsSince + `
		SELECT 'notice_missing', 'link', x.link_id, x.controller_id, CASE WHEN x.health_data THEN 'high' ELSE 'medium' END,
		       x.links, kedja_law_citation(x.law, x.law_country, CAST($1 AS timestamptz), 'authorisation'),
		       format('%s engages %s under the controller''s general authorisation with no change notice recorded', x.from_name, x.to_name),
		       jsonb_build_object('linkId', x.link_id, 'authorisation', x.kind, 'state', x.state),
		       x.since
		FROM reach_notices x WHERE x.state = 'no_notice'`},

	{Check: registry.Check{ID: "notice_window", Title: "Sub-processor active before the objection window closed", LegalRef: "GDPR Art. 28(2)",
		SeverityRule: "medium for health data, low otherwise: notice was given, but the sub-processor works on the controller's data " +
			"while the controller may still object",
		Clears: "the controller's answer of no objection, the window closing (sent plus the agreement's notice period), or the link ending; " +
			"an objection raises notice_objection instead"},
		uses: "reach_notices",
		sql: `
		INSERT INTO candidates ` + candidateColsSince + `
		SELECT 'notice_window', 'link', x.link_id, x.controller_id, CASE WHEN x.health_data THEN 'medium' ELSE 'low' END,
		       x.links, kedja_law_citation(x.law, x.law_country, CAST($1 AS timestamptz), 'authorisation'),
		       format('%s engages %s before the controller''s objection window closes on %s', x.from_name, x.to_name,
		              to_char(x.deadline, 'YYYY-MM-DD HH24:MI')),
		       jsonb_build_object('linkId', x.link_id, 'noticeId', x.notice_id, 'sentAt', x.sent_at, 'deadline', x.deadline),
		       GREATEST(x.since, x.sent_at)
		FROM reach_notices x WHERE x.state = 'window_open'`},

	{Check: registry.Check{ID: "notice_objection", Title: "Sub-processor active despite the controller's objection", LegalRef: "GDPR Art. 28(2)",
		SeverityRule: "high: an objection withdraws the general authorisation for this sub-processor, so it works without the " +
			"controller's authorisation, as the authorisation check weighs that",
		Clears: "the controller withdrawing its objection (a later response of no objection), or the link ending"},
		uses: "reach_notices",
		sql: `
		INSERT INTO candidates ` + candidateColsSince + `
		SELECT 'notice_objection', 'link', x.link_id, x.controller_id, 'high', x.links, kedja_law_citation(x.law, x.law_country, CAST($1 AS timestamptz), 'authorisation'),
		       format('%s engages %s although the controller objected on %s: %s', x.from_name, x.to_name,
		              to_char(x.responded_at, 'YYYY-MM-DD'), x.reason),
		       jsonb_build_object('linkId', x.link_id, 'noticeId', x.notice_id, 'responseId', x.response_id, 'reason', x.reason),
		       GREATEST(x.since, x.responded_at)
		FROM reach_notices x WHERE x.state = 'objected'`},
}
