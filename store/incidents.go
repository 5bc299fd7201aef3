package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

var _ registry.IncidentService = (*Store)(nil)

const incidentCols = `id, title, kind, status, description, exposure_from, contained_at, discovered_at, data_categories,
	subjects_approx, records_approx, containment, measures,
	ARRAY(SELECT s.system_id FROM incident_systems s WHERE s.incident_id = incidents.id ORDER BY s.system_id) AS system_ids`

// Incident loads an incident.
func (s *Store) Incident(ctx context.Context, field string, id int64) (registry.Incident, error) {
	var out registry.Incident
	err := s.get(ctx, s.q(ctx), field, "incident", &out, `SELECT `+incidentCols+` FROM incidents WHERE id = $1`, id)
	return out, err
}

// ListIncidents lists incidents in id order, a page at a time.
func (s *Store) ListIncidents(ctx context.Context, p registry.Page) ([]registry.Incident, bool, error) {
	return page[registry.Incident](ctx, s, p, `SELECT `+incidentCols+` FROM incidents WHERE id > $1 ORDER BY id LIMIT $2`)
}

// CreateIncident records an incident and the systems it concerns.
func (s *Store) CreateIncident(ctx context.Context, actor string, i *registry.Incident) (registry.Incident, error) {
	var out registry.Incident
	err := s.write(ctx, actor, func(tx *sqlx.Tx) error {
		if err := i.Validate(); err != nil {
			return err
		}
		var found int
		if err := s.get(ctx, tx, "", "", &found, `SELECT count(*) FROM systems WHERE id = ANY($1)`, pq.Array(i.SystemIDs)); err != nil {
			return err
		}
		if found != len(i.SystemIDs) {
			return registry.NotFound("systemIds", "no such system")
		}
		id, err := s.insert(ctx, tx, `INSERT INTO incidents (title, kind, status, description, exposure_from, contained_at, discovered_at,
			data_categories, subjects_approx, records_approx, containment, measures)
			VALUES (:title, :kind, :status, :description, :exposure_from, :contained_at, :discovered_at,
			:data_categories, :subjects_approx, :records_approx, :containment, :measures) RETURNING id`, i)
		if err != nil {
			return err
		}
		// Each system's window, its start read from its profiles where
		// the incident's is unknown (kedja_incident_window).
		if _, err := s.exec(ctx, tx, `INSERT INTO incident_systems (incident_id, system_id, kind, exposure)
			SELECT $1, x, $3, kedja_incident_window(x, $3, $4, $6, $5) FROM unnest(CAST($2 AS bigint[])) AS x`,
			id, pq.Array(i.SystemIDs), i.Kind, i.ExposureFrom, i.ContainedAt, i.DiscoveredAt); err != nil {
			return err
		}
		return s.get(ctx, tx, "id", "incident", &out, `SELECT `+incidentCols+` FROM incidents WHERE id = $1`, id)
	})
	return out, err
}

// UpdateIncident changes an incident, not its systems, and keeps the
// window its systems are claimed for in step.
func (s *Store) UpdateIncident(ctx context.Context, actor string, id int64, apply func(*registry.Incident) error) (registry.Incident, error) {
	var out registry.Incident
	err := s.write(ctx, actor, func(tx *sqlx.Tx) error {
		var cur registry.Incident
		if err := s.get(ctx, tx, "id", "incident", &cur, `SELECT `+incidentCols+` FROM incidents WHERE id = $1 FOR UPDATE`, id); err != nil {
			return err
		}
		systems := cur.SystemIDs
		if err := apply(&cur); err != nil {
			return err
		}
		cur.ID, cur.SystemIDs = id, systems
		if err := cur.Validate(); err != nil {
			return err
		}
		if err := s.update(ctx, tx, `UPDATE incidents SET title = :title, kind = :kind, status = :status, description = :description,
			exposure_from = :exposure_from, contained_at = :contained_at, discovered_at = :discovered_at,
			data_categories = :data_categories, subjects_approx = :subjects_approx, records_approx = :records_approx,
			containment = :containment, measures = :measures WHERE id = :id`, &cur); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE incident_systems SET kind = $2, exposure = kedja_incident_window(system_id, $2, $3, $5, $4)
			WHERE incident_id = $1`, id, cur.Kind, cur.ExposureFrom, cur.ContainedAt, cur.DiscoveredAt); err != nil {
			return err
		}
		return s.get(ctx, tx, "id", "incident", &out, `SELECT `+incidentCols+` FROM incidents WHERE id = $1`, id)
	})
	return out, err
}

// discovered reads an incident's discovery, locking it, for the rules that
// compare other instants with it.
func (s *Store) discovered(ctx context.Context, tx *sqlx.Tx, incident int64) (time.Time, error) {
	var at time.Time
	err := s.get(ctx, tx, "incidentId", "incident", &at, `SELECT discovered_at FROM incidents WHERE id = $1 FOR SHARE`, incident)
	return at, err
}

const incidentPartyCols = `id, incident_id, party_id, aware_at, art34, art34_note, note`

// SetIncidentParty records a party's involvement in an incident, replacing
// what was recorded of it.
func (s *Store) SetIncidentParty(ctx context.Context, actor string, p *registry.IncidentParty) (registry.IncidentParty, error) {
	var out registry.IncidentParty
	err := s.write(ctx, actor, func(tx *sqlx.Tx) error {
		if err := p.Validate(); err != nil {
			return err
		}
		disc, err := s.discovered(ctx, tx, p.IncidentID)
		if err != nil {
			return err
		}
		if p.AwareAt != nil && p.AwareAt.Before(disc) {
			return registry.Invalid("awareAt", "a party cannot be aware of the incident before it was discovered (%s)", disc.Format(time.RFC3339))
		}
		id, err := s.insert(ctx, tx, `INSERT INTO incident_parties (incident_id, party_id, aware_at, art34, art34_note, note)
			VALUES (:incident_id, :party_id, :aware_at, :art34, :art34_note, :note)
			ON CONFLICT (incident_id, party_id) DO UPDATE SET aware_at = EXCLUDED.aware_at, art34 = EXCLUDED.art34,
			art34_note = EXCLUDED.art34_note, note = EXCLUDED.note RETURNING id`, p)
		if err != nil {
			return err
		}
		return s.get(ctx, tx, "id", "incident party", &out, `SELECT `+incidentPartyCols+` FROM incident_parties WHERE id = $1`, id)
	})
	return out, err
}

// ExposureWindows loads each incident's window per system.
func (s *Store) ExposureWindows(ctx context.Context, incidents []int64) (map[int64][]registry.ExposureWindow, error) {
	return loadRelation(ctx, s, relation[registry.ExposureWindow]{
		query: `SELECT s.incident_id, s.system_id, lower(s.exposure) AS window_from, upper(s.exposure) AS window_to,
			i.exposure_from IS NULL AND lower(s.exposure) IS NOT NULL AS from_profiles
			FROM incident_systems s JOIN incidents i ON i.id = s.incident_id
			WHERE s.incident_id = ANY($1) AND CAST($2 AS timestamptz) IS NULL ORDER BY s.incident_id, s.system_id`,
		key: func(w *registry.ExposureWindow) int64 { return w.IncidentID },
	}, incidents, nil)
}

// IncidentParties loads the parties recorded for each incident.
func (s *Store) IncidentParties(ctx context.Context, incidents []int64) (map[int64][]registry.IncidentParty, error) {
	return loadRelation(ctx, s, relation[registry.IncidentParty]{
		query: `SELECT ` + incidentPartyCols + ` FROM incident_parties WHERE incident_id = ANY($1) AND CAST($2 AS timestamptz) IS NULL
			ORDER BY incident_id, aware_at NULLS LAST, id`,
		key: func(p *registry.IncidentParty) int64 { return p.IncidentID },
	}, incidents, nil)
}

const notificationCols = `id, incident_id, article, from_id, to_id, to_authority, sent_at, reference, delay_reasons`

// RecordNotification records a notification made about an incident.
func (s *Store) RecordNotification(ctx context.Context, actor string, n *registry.Notification) (registry.Notification, error) {
	var out registry.Notification
	err := s.write(ctx, actor, func(tx *sqlx.Tx) error {
		if err := n.Validate(); err != nil {
			return err
		}
		disc, err := s.discovered(ctx, tx, n.IncidentID)
		if err != nil {
			return err
		}
		if n.SentAt.Before(disc) {
			return registry.Invalid("sentAt", "sent before the incident was discovered (%s)", disc.Format(time.RFC3339))
		}
		id, err := s.insert(ctx, tx, `INSERT INTO incident_notifications (incident_id, article, from_id, to_id, to_authority, sent_at,
			reference, delay_reasons) VALUES (:incident_id, :article, :from_id, :to_id, :to_authority, :sent_at, :reference, :delay_reasons)
			RETURNING id`, n)
		if err != nil {
			return err
		}
		return s.get(ctx, tx, "id", "notification", &out, `SELECT `+notificationCols+` FROM incident_notifications WHERE id = $1`, id)
	})
	return out, err
}

// IncidentNotifications loads the notifications recorded for each incident, in the
// order they were sent.
func (s *Store) IncidentNotifications(ctx context.Context, incidents []int64) (map[int64][]registry.Notification, error) {
	return loadRelation(ctx, s, relation[registry.Notification]{
		query: `SELECT ` + notificationCols + ` FROM incident_notifications WHERE incident_id = ANY($1) AND CAST($2 AS timestamptz) IS NULL
			ORDER BY incident_id, sent_at, id`,
		key: func(n *registry.Notification) int64 { return n.IncidentID },
	}, incidents, nil)
}

// ImportAccessLog attaches a log's rows to an incident, all in one
// transaction: two statements, whatever the number of rows.
func (s *Store) ImportAccessLog(ctx context.Context, actor string, incident int64, name string, rows []registry.LogRow) (registry.AccessLog, error) {
	var out registry.AccessLog
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > registry.MaxName {
		return out, registry.Invalid("name", "name the log (1 to %d characters), such as its file name", registry.MaxName)
	}
	if len(rows) == 0 {
		return out, registry.Invalid("csv", "the log has no rows")
	}
	n := len(rows)
	lines, sources, calls, regions := make([]int64, n), make([]string, n), make([]string, n), make([]*string, n)
	accessed, callAt := make([]time.Time, n), make([]*time.Time, n)
	for i, r := range rows {
		lines[i], accessed[i], sources[i], calls[i], callAt[i], regions[i] = int64(r.Line), r.AccessedAt, r.Source, r.CallRef, r.CallAt, r.Region
	}
	err := s.write(ctx, actor, func(tx *sqlx.Tx) error {
		if _, err := s.discovered(ctx, tx, incident); err != nil {
			return registry.NotFound("incident", "no incident with that id")
		}
		if err := s.get(ctx, tx, "", "", &out, `INSERT INTO incident_logs (incident_id, name, row_count) VALUES ($1, $2, $3)
			RETURNING id, incident_id, name, imported_at, row_count`, incident, name, n); err != nil {
			return err
		}
		_, err := s.exec(ctx, tx, `INSERT INTO incident_log_rows (log_id, line, accessed_at, source, call_ref, call_at, region)
			SELECT $1, * FROM unnest(CAST($2 AS int[]), CAST($3 AS timestamptz[]), CAST($4 AS text[]), CAST($5 AS text[]),
			                         CAST($6 AS timestamptz[]), CAST($7 AS text[]))`,
			out.ID, pq.Array(lines), pq.Array(times(accessed)), pq.Array(sources), pq.Array(calls), pq.Array(optTimes(callAt)), pq.Array(optStrings(regions)))
		return err
	})
	return out, err
}

// times, optTimes and optStrings pass lists to pq.Array (nil is NULL).
func times(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Format(time.RFC3339Nano)
	}
	return out
}

func optTimes(ts []*time.Time) []any {
	out := make([]any, len(ts))
	for i, t := range ts {
		if t != nil {
			out[i] = t.Format(time.RFC3339Nano)
		}
	}
	return out
}

func optStrings(ss []*string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		if s != nil {
			out[i] = *s
		}
	}
	return out
}

// LogSummaries sums up each incident's logs in one statement: totals, and
// counts per day of access (in the session's, the registry's, time zone),
// per year of call and per region, as grouping sets.
func (s *Store) LogSummaries(ctx context.Context, incidents []int64) (map[int64]registry.LogSummary, error) {
	var rows []struct {
		IncidentID int64      `db:"incident_id"`
		Set        string     `db:"set"`
		Logs       int        `db:"logs"`
		First      *time.Time `db:"first"`
		Last       *time.Time `db:"last"`
		registry.LogCount
	}
	if err := s.selectx(ctx, s.q(ctx), &rows, `
		WITH r AS (
		    SELECT l.incident_id, l.id AS log_id, x.accessed_at, x.source, x.call_ref,
		           to_char(x.accessed_at, 'YYYY-MM-DD') AS day, COALESCE(to_char(x.call_at, 'YYYY'), '') AS year,
		           COALESCE(x.region, '') AS region
		    FROM incident_logs l JOIN incident_log_rows x ON x.log_id = l.id
		    WHERE l.incident_id = ANY($1))
		SELECT incident_id,
		       CASE WHEN grouping(day) = 0 THEN 'day' WHEN grouping(year) = 0 THEN 'year'
		            WHEN grouping(region) = 0 THEN 'region' ELSE 'total' END AS set,
		       COALESCE(day, year, region, '') AS key,
		       count(*) AS downloads, count(DISTINCT source) AS sources, count(DISTINCT call_ref) AS unique_calls,
		       count(DISTINCT log_id) AS logs, min(accessed_at) AS first, max(accessed_at) AS last
		FROM r
		GROUP BY GROUPING SETS ((incident_id), (incident_id, day), (incident_id, year), (incident_id, region))
		ORDER BY incident_id, set, key`, pq.Array(incidents)); err != nil {
		return nil, err
	}
	out := make(map[int64]registry.LogSummary, len(incidents))
	for _, id := range incidents {
		out[id] = registry.LogSummary{ByDay: []registry.LogCount{}, ByCallYear: []registry.LogCount{}, ByRegion: []registry.LogCount{}}
	}
	for _, r := range rows {
		sum := out[r.IncidentID]
		switch r.Set {
		case "total":
			sum.Logs, sum.Downloads, sum.UniqueCalls, sum.UniqueSources = r.Logs, r.Downloads, r.UniqueCalls, r.Sources
			sum.Duplicates, sum.First, sum.Last = r.Downloads-r.UniqueCalls, r.First, r.Last
		case "day":
			sum.ByDay = append(sum.ByDay, r.LogCount)
		case "year":
			sum.ByCallYear = append(sum.ByCallYear, r.LogCount)
		case "region":
			sum.ByRegion = append(sum.ByRegion, r.LogCount)
		}
		out[r.IncidentID] = sum
	}
	return out, nil
}

// incidentPathRow is a row of kedja_incident_paths.
type incidentPathRow struct {
	SystemID  int64         `db:"system_id"`
	LinkPath  pq.Int64Array `db:"link_path"`
	HeldFrom  *time.Time    `db:"held_from"`
	HeldUntil *time.Time    `db:"held_until"`
	MoveID    *int64        `db:"move_id"`
}

// Impact works out an incident's impact from the registry as it stands,
// and its duties at at, from one snapshot, in a fixed number of
// statements: the incident, its paths (kedja_incident_paths), their links,
// the parties, the duties (kedja_incident_duties), who was aware when, the
// notifications, the logs and the systems' names.
func (s *Store) Impact(ctx context.Context, id int64, at time.Time) (registry.Impact, error) {
	var imp registry.Impact
	err := s.snapshot(ctx, func(ctx context.Context) error {
		inc, err := s.Incident(ctx, "id", id)
		if err != nil {
			return err
		}
		var rows []incidentPathRow
		if err := s.selectx(ctx, s.q(ctx), &rows, `SELECT system_id, link_path, lower(held) AS held_from, upper(held) AS held_until, move_id
			FROM kedja_incident_paths($1) ORDER BY system_id, link_path, move_id NULLS FIRST`, id); err != nil {
			return err
		}
		var linkIDs []int64
		paths := make([]registry.IncidentPath, len(rows))
		for i, r := range rows {
			paths[i] = registry.IncidentPath{SystemID: r.SystemID, Links: r.LinkPath, HeldFrom: r.HeldFrom, HeldUntil: r.HeldUntil, MoveID: r.MoveID}
			linkIDs = append(linkIDs, r.LinkPath...)
		}
		links, err := s.Links(ctx, linkIDs)
		if err != nil {
			return err
		}
		var duties []registry.Duty
		if err := s.selectx(ctx, s.q(ctx), &duties, `SELECT article, from_id, to_id, controller_id, path, aware_at, deadline, first_sent,
			delay_reasons, status FROM kedja_incident_duties($1, $2) ORDER BY article, from_id, to_id`, id, at); err != nil {
			return fmt.Errorf("duties: %w", err)
		}
		partyIDs := []int64{}
		for _, l := range links {
			partyIDs = append(partyIDs, l.FromID, l.ToID)
		}
		involved, err := s.IncidentParties(ctx, []int64{id})
		if err != nil {
			return err
		}
		notes, err := s.IncidentNotifications(ctx, []int64{id})
		if err != nil {
			return err
		}
		for _, p := range involved[id] {
			partyIDs = append(partyIDs, p.PartyID)
		}
		for _, n := range notes[id] {
			partyIDs = append(partyIDs, n.FromID)
			if n.ToID != nil {
				partyIDs = append(partyIDs, *n.ToID)
			}
		}
		parties, err := s.Parties(ctx, partyIDs, inc.DiscoveredAt)
		if err != nil {
			return err
		}
		logs, err := s.LogSummaries(ctx, []int64{id})
		if err != nil {
			return err
		}
		systems, err := s.Systems(ctx, inc.SystemIDs)
		if err != nil {
			return err
		}
		imp = registry.BuildImpact(inc, at, paths, links, parties, duties, involved[id], notes[id], logs[id])
		imp.Systems = systems
		return nil
	})
	return imp, err
}

// incidentRow and dutyRow read and write the list fields of incidents and
// duties (rows.go).
type incidentRow struct {
	registry.Incident
	DataCategories pq.StringArray `db:"data_categories"`
	SystemIDs      pq.Int64Array  `db:"system_ids"`
}

func (r *incidentRow) toDomain() registry.Incident {
	v := r.Incident
	v.DataCategories, v.SystemIDs = r.DataCategories, r.SystemIDs
	return v
}

func (r *incidentRow) fromDomain(v registry.Incident) {
	r.Incident, r.DataCategories, r.SystemIDs = v, v.DataCategories, v.SystemIDs
}

type dutyRow struct {
	registry.Duty
	Path pq.Int64Array `db:"path"`
}

func (r *dutyRow) toDomain() registry.Duty {
	v := r.Duty
	v.Path = r.Path
	return v
}

func (r *dutyRow) fromDomain(v registry.Duty) { r.Duty, r.Path = v, v.Path }

// IncidentHolds finds, in one statement, the incidents that concern the
// systems a trace found, with their windows and what their logs say of a
// call made to region at callAt: logged when a row names a call at that
// minute (and, if it says, that region), unknown when rows give only the
// call's date (midnight) for that day or no date, no_log without logs,
// not_logged otherwise. Read in the session's, the registry's, time zone.
func (s *Store) IncidentHolds(ctx context.Context, systems []int64, region int64, callAt time.Time) ([]registry.IncidentHold, error) {
	var rows []registry.IncidentHold
	err := s.selectx(ctx, s.q(ctx), &rows, `
		SELECT s.system_id, i.id AS incident_id, i.title, i.kind, lower(s.exposure) AS window_from, upper(s.exposure) AS window_to,
		       CASE WHEN lg.n = 0 THEN 'no_log' WHEN lg.hit THEN 'logged' WHEN lg.vague THEN 'unknown' ELSE 'not_logged' END AS logged
		FROM incident_systems s
		JOIN incidents i ON i.id = s.incident_id
		CROSS JOIN LATERAL (
		    SELECT count(x.line) AS n,
		           COALESCE(bool_or(date_trunc('minute', x.call_at) = date_trunc('minute', CAST($2 AS timestamptz))
		                            AND (x.region IS NULL OR x.region = (SELECT county_code FROM organisations WHERE id = $3))), false) AS hit,
		           COALESCE(bool_or(x.call_at IS NULL OR (x.call_at = date_trunc('day', x.call_at)
		                            AND date_trunc('day', x.call_at) = date_trunc('day', CAST($2 AS timestamptz)))), false) AS vague
		    FROM incident_logs l JOIN incident_log_rows x ON x.log_id = l.id WHERE l.incident_id = i.id) lg
		WHERE s.system_id = ANY($1)
		ORDER BY s.system_id, i.id`, pq.Array(systems), callAt, region)
	return rows, err
}
