package store

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

// findingCols reads a finding with its status as in effect now (an
// accepted finding whose acceptance has run out counts as open, even
// before the next run records it) and its controllers, shortest path
// first, in the same statement.
var findingCols = findingColumns(registry.AllFindingParts)

// findingColumns is findingCols reading of the costlier parts (a subquery
// each per finding) only those in parts; a column left out is not
// selected at all, so the row's field stays zero.
func findingColumns(parts registry.FindingParts) string {
	cols := `id, check_id, subject_kind, subject_id, severity,
	kedja_finding_status(status, accepted_until, CAST(now() AS date)) AS status,
	legal_ref, message, evidence, since, first_seen, resolved_at, accepted_by, accepted_until, justification`
	if parts&registry.FindingLastSeen != 0 {
		cols += `, ` + findingLastSeen + ` AS last_seen`
	}
	if parts&registry.FindingControllers != 0 {
		cols += `,
	(SELECT jsonb_agg(jsonb_build_object('controllerId', c.controller_id, 'path', c.path, 'since', c.since,
	                                     'firstSeen', c.first_seen, 'lastSeen', ` + findingLastSeen + `)
	                  ORDER BY cardinality(c.path), c.controller_id)
	 FROM finding_controllers c WHERE c.finding_id = findings.id) AS controllers`
	}
	return cols
}

// findingLastSeen is when a run last found the finding, and so each of its
// controllers: a run does not write the findings it finds unchanged, but
// every run over a check finds each of its findings not resolved or
// resolves it, so such a finding was seen by the last run over its check
// (check_seen); a resolved one when its findings.last_seen says
// (migrations/0035_check_seen.sql).
const findingLastSeen = `CASE WHEN findings.status = 'resolved' THEN findings.last_seen
	ELSE COALESCE((SELECT s.last_seen FROM check_seen s WHERE s.check_id = findings.check_id), findings.last_seen) END`

// ListFindings lists findings in id order, a page at a time. With a
// controller, those that affect that controller's chain.
func (s *Store) ListFindings(ctx context.Context, f registry.FindingFilter, p registry.Page) ([]registry.Finding, bool, error) {
	return page[registry.Finding](ctx, s, p, `SELECT * FROM (SELECT `+findingCols+` FROM findings
		WHERE ($6::bigint IS NULL OR EXISTS (SELECT 1 FROM finding_controllers c WHERE c.finding_id = findings.id AND c.controller_id = $6))) f
		WHERE ($1::text IS NULL OR severity = $1)
		  AND ($2::text IS NULL OR check_id = $2)
		  AND ($3::text IS NULL OR status = $3)
		  AND ($4::text IS NULL OR subject_kind = $4)
		  AND ($5::bigint IS NULL OR subject_id = $5)
		  AND ($7::timestamptz IS NULL OR first_seen >= $7)
		  AND ($8::bigint IS NULL OR (subject_kind = 'party' AND subject_id = $8)
		       OR (subject_kind = 'system' AND subject_id IN (SELECT id FROM systems WHERE operator_id = $8))
		       OR (subject_kind = 'link' AND subject_id IN (SELECT id FROM links WHERE to_id = $8)))
		  AND id > $9
		ORDER BY id LIMIT $10`, f.Severity, f.Check, f.Status, f.SubjectKind, f.SubjectID, f.ControllerID, nullTime(f.Since), f.PartyID)
}

// FindingSummary counts the open findings (as in effect now) by severity,
// by check, by the party concerned and by controller, in one statement;
// with a controller, only those affecting its chain.
func (s *Store) FindingSummary(ctx context.Context, controller *int64) (registry.FindingSummary, error) {
	var rows []struct {
		Kind  string `db:"kind"`
		Key   string `db:"key"`
		Count int    `db:"n"`
	}
	if err := s.selectx(ctx, s.q(ctx), &rows, `
		WITH live AS (
		    SELECT f.id, f.severity, f.check_id,
		           CASE f.subject_kind WHEN 'party' THEN f.subject_id WHEN 'system' THEN sy.operator_id ELSE l.to_id END AS party_id
		    FROM findings f
		    LEFT JOIN systems sy ON f.subject_kind = 'system' AND sy.id = f.subject_id
		    LEFT JOIN links l ON f.subject_kind = 'link' AND l.id = f.subject_id
		    WHERE kedja_finding_status(f.status, f.accepted_until, CAST(now() AS date)) = 'open'
		      AND ($1::bigint IS NULL OR EXISTS (SELECT 1 FROM finding_controllers c WHERE c.finding_id = f.id AND c.controller_id = $1))
		)
		SELECT CASE WHEN GROUPING(severity) = 0 THEN 'severity' WHEN GROUPING(check_id) = 0 THEN 'check'
		            WHEN GROUPING(party_id) = 0 THEN 'party' ELSE 'total' END AS kind,
		       COALESCE(severity, check_id, CAST(party_id AS text), '') AS key, count(*) AS n
		FROM live GROUP BY GROUPING SETS ((severity), (check_id), (party_id), ())
		UNION ALL
		SELECT 'controller', CAST(c.controller_id AS text), count(*)
		FROM live JOIN finding_controllers c ON c.finding_id = live.id
		WHERE $1::bigint IS NULL OR c.controller_id = $1
		GROUP BY c.controller_id`, controller); err != nil {
		return registry.FindingSummary{}, err
	}
	var out registry.FindingSummary
	for _, r := range rows {
		c := registry.Count{Key: r.Key, Count: r.Count}
		switch r.Kind {
		case "total":
			out.Total = r.Count
		case "severity":
			out.BySeverity = append(out.BySeverity, c)
		case "check":
			out.ByCheck = append(out.ByCheck, c)
		case "party", "controller":
			c.ID, _ = strconv.ParseInt(r.Key, 10, 64)
			if c.ID == 0 {
				continue
			}
			if r.Kind == "party" {
				out.ByParty = append(out.ByParty, c)
			} else {
				out.ByController = append(out.ByController, c)
			}
		}
	}
	rank := func(sev string) int { return slices.Index(registry.Severities, sev) }
	slices.SortFunc(out.BySeverity, func(a, b registry.Count) int { return rank(a.Key) - rank(b.Key) })
	for _, l := range [][]registry.Count{out.ByCheck, out.ByParty, out.ByController} {
		slices.SortStableFunc(l, func(a, b registry.Count) int {
			if a.Count != b.Count {
				return b.Count - a.Count
			}
			return strings.Compare(a.Key, b.Key)
		})
	}
	return out, nil
}

// Finding loads one finding; NOT_FOUND naming field if absent.
func (s *Store) Finding(ctx context.Context, field string, id int64) (registry.Finding, error) {
	var f registry.Finding
	err := s.get(ctx, s.q(ctx), field, "finding", &f, `SELECT `+findingCols+` FROM findings WHERE id = $1`, id)
	return f, err
}

// findingEvents: a finding's history, oldest first.
var findingEvents = relation[registry.FindingEvent]{
	query: `SELECT id, finding_id, event, at, run_id, actor, note FROM finding_events WHERE finding_id = ANY($1)
		AND ($2::timestamptz IS NULL OR at <= $2) ORDER BY id`,
	key: func(e *registry.FindingEvent) int64 { return e.FindingID },
}

// openFindingsOf: the open findings about each subject of a kind, with the
// costlier parts in parts; the key is the subject id. OpenFindingsWith
// chooses among them.
func openFindingsOf(kind string, parts registry.FindingParts) relation[registry.Finding] {
	return relation[registry.Finding]{
		query: `SELECT * FROM (SELECT ` + findingColumns(parts) + ` FROM findings WHERE subject_kind = '` + kind + `' AND subject_id = ANY($1)) f
			WHERE status = 'open' AND ($2::timestamptz IS NULL OR first_seen <= $2)
			ORDER BY kedja_severity_rank(severity), id`,
		key: func(f *registry.Finding) int64 { return f.SubjectID },
	}
}

// AcceptFinding records that a finding is accepted, with a justification,
// by actor, until a date; after that date it counts as open again.
func (s *Store) AcceptFinding(ctx context.Context, actor string, id int64, justification string, until time.Time) (registry.Finding, error) {
	justification = strings.TrimSpace(justification)
	if justification == "" || utf8.RuneCountInString(justification) > registry.MaxNote {
		return registry.Finding{}, registry.Invalid("justification", "explain why the finding is accepted (1 to %d characters)", registry.MaxNote)
	}
	var out registry.Finding
	err := s.write(ctx, actor, func(tx *sqlx.Tx) error {
		var today time.Time
		if err := s.get(ctx, tx, "", "", &today, `SELECT CAST(now() AS date)`); err != nil {
			return err
		}
		if until.Before(today) {
			return registry.Invalid("until", "the acceptance would already have run out")
		}
		var status string
		if err := s.get(ctx, tx, "id", "finding", &status, `SELECT status FROM findings WHERE id = $1 FOR UPDATE`, id); err != nil {
			return err
		}
		if status == "resolved" {
			return registry.Conflict("id", "the finding is resolved; there is nothing to accept")
		}
		if _, err := s.exec(ctx, tx, `UPDATE findings SET status = 'accepted', accepted_by = $2, accepted_until = $3,
			justification = $4 WHERE id = $1`, id, actor, until, justification); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `INSERT INTO finding_events (finding_id, event, actor, note) VALUES ($1, 'accepted', $2, $3)`,
			id, actor, "until "+until.Format(registry.DateLayout)+": "+justification); err != nil {
			return err
		}
		return s.get(ctx, tx, "id", "finding", &out, `SELECT `+findingCols+` FROM findings WHERE id = $1`, id)
	})
	return out, err
}

// ListCheckRuns lists runs of checks, newest first.
func (s *Store) ListCheckRuns(ctx context.Context, p registry.Page) ([]registry.CheckRun, bool, error) {
	if p.After == 0 {
		p.After = 1<<63 - 1
	}
	return page[registry.CheckRun](ctx, s, p, `SELECT `+checkRunCols+` FROM check_runs WHERE id < $1 ORDER BY id DESC LIMIT $2`)
}

const checkRunCols = `id, checks, slot, trigger, actor, status, evaluated_at, started_at, ended_at, found, opened, reopened,
	resolved, failure, error`

// CheckRun loads one run.
func (s *Store) CheckRun(ctx context.Context, id int64) (registry.CheckRun, error) {
	var r registry.CheckRun
	err := s.get(ctx, s.q(ctx), "id", "check run", &r, `SELECT `+checkRunCols+` FROM check_runs WHERE id = $1`, id)
	return r, err
}

// OpenFindingCounts counts the open findings about parties and systems, in
// one statement.
func (s *Store) OpenFindingCounts(ctx context.Context, parties, systems []int64) (map[int64]int, map[int64]int, error) {
	var rows []struct {
		Kind  string `db:"subject_kind"`
		ID    int64  `db:"subject_id"`
		Count int    `db:"n"`
	}
	if err := s.selectx(ctx, s.q(ctx), &rows, `SELECT subject_kind, subject_id, count(*) AS n FROM findings
		WHERE kedja_finding_status(status, accepted_until, CAST(now() AS date)) = 'open'
		  AND ((subject_kind = 'party' AND subject_id = ANY($1)) OR (subject_kind = 'system' AND subject_id = ANY($2)))
		GROUP BY 1, 2`, pq.Array(parties), pq.Array(systems)); err != nil {
		return nil, nil, err
	}
	p, sy := map[int64]int{}, map[int64]int{}
	for _, r := range rows {
		if r.Kind == "party" {
			p[r.ID] = r.Count
		} else {
			sy[r.ID] = r.Count
		}
	}
	return p, sy, nil
}
