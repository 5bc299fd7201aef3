package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

// Parties loads names, countries and standings of parties at an instant.
// The standing is asked once per country, not per party: a trace's 40
// parties are in about 10.
func (s *Store) Parties(ctx context.Context, ids []int64, at time.Time) (map[int64]registry.PartyFacts, error) {
	var rows []registry.PartyFacts
	if err := s.selectx(ctx, s.q(ctx), &rows, `WITH p AS MATERIALIZED (
		    SELECT o.id, o.legal_name, o.country_code, o.time_zone FROM organisations o WHERE o.id = ANY($1)
		), standing AS MATERIALIZED (
		    SELECT c.code, c.name, kedja_transfer_class(c.code, CAST($2 AS timestamptz)) AS transfer_class
		    FROM countries c WHERE c.code IN (SELECT country_code FROM p)
		)
		SELECT p.id, p.legal_name, p.country_code, c.name AS country_name, c.transfer_class, p.time_zone
		FROM p JOIN standing c ON c.code = p.country_code`, pq.Array(ids), at); err != nil {
		return nil, err
	}
	out := make(map[int64]registry.PartyFacts, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}

// UsesAt loads the systems used on links at an instant, each with its profile
// and storage countries then, in one statement.
func (s *Store) UsesAt(ctx context.Context, linkIDs []int64, at time.Time) ([]registry.UseFacts, error) {
	var rows []registry.UseFacts
	err := s.selectx(ctx, s.q(ctx), &rows, `SELECT u.id AS use_id, u.link_id, u.system_id, u.party_id,
		sy.name, sy.kind, kedja_stores_calls(sy.kind) AS stores_calls, sy.ended_at, p.id IS NOT NULL AS has_profile, p.retention_days,
		ARRAY(SELECT DISTINCT sl.country_code FROM system_locations sl
		      WHERE sl.system_id = sy.id AND sl.purpose = 'storage' AND sl.valid @> CAST($2 AS timestamptz) ORDER BY 1) AS storage_countries
		FROM system_uses u
		JOIN systems sy ON sy.id = u.system_id
		LEFT JOIN system_profiles p ON p.system_id = sy.id AND p.valid @> CAST($2 AS timestamptz)
		WHERE u.link_id = ANY($1) AND u.valid @> CAST($2 AS timestamptz)
		ORDER BY u.link_id, sy.name, u.id`, pq.Array(linkIDs), at)
	return rows, err
}

// MovesAfter follows recorded moves of stored data that carried a recording
// made at at out of the given systems, hop after hop, in one recursive
// statement. Each target system's profile and locations are those in force
// when the data arrived.
func (s *Store) MovesAfter(ctx context.Context, systemIDs []int64, at time.Time) ([]registry.MoveFacts, error) {
	var rows []registry.MoveFacts
	err := s.selectx(ctx, s.q(ctx), &rows, `
		WITH RECURSIVE carried AS (
		    SELECT m.id, m.from_system_id, m.to_system_id, m.moved_at, ARRAY[m.from_system_id, m.to_system_id] AS path
		    FROM data_moves m
		    WHERE m.from_system_id = ANY($1) AND m.moved_at > CAST($2 AS timestamptz)
		      AND (m.recorded_from IS NULL OR m.recorded_from <= $2)
		      AND (m.recorded_until IS NULL OR m.recorded_until > $2)
		  UNION ALL
		    SELECT m.id, m.from_system_id, m.to_system_id, m.moved_at, c.path || m.to_system_id
		    FROM carried c JOIN data_moves m ON m.from_system_id = c.to_system_id AND m.moved_at > c.moved_at
		    WHERE (m.recorded_from IS NULL OR m.recorded_from <= $2)
		      AND (m.recorded_until IS NULL OR m.recorded_until > $2)
		      AND NOT m.to_system_id = ANY(c.path)
		)
		SELECT DISTINCT ON (c.id) c.id AS move_id, c.from_system_id, c.to_system_id, c.moved_at,
		       sy.name, sy.kind, kedja_stores_calls(sy.kind) AS stores_calls, sy.operator_id, sy.ended_at, p.id IS NOT NULL AS has_profile, p.retention_days,
		       ARRAY(SELECT DISTINCT sl.country_code FROM system_locations sl
		             WHERE sl.system_id = sy.id AND sl.purpose = 'storage' AND sl.valid @> c.moved_at ORDER BY 1) AS storage_countries
		FROM carried c
		JOIN systems sy ON sy.id = c.to_system_id
		LEFT JOIN system_profiles p ON p.system_id = sy.id AND p.valid @> c.moved_at
		ORDER BY c.id`, pq.Array(systemIDs), at)
	return rows, err
}

// CountriesAt loads countries' names and standings at an instant, under
// EU law.
func (s *Store) CountriesAt(ctx context.Context, codes []string, at time.Time) (map[string]registry.CountryFacts, error) {
	countries, _, err := s.countriesUnder(ctx, codes, at, 0, "")
	return countries, err
}

// partyLawFacts is the law a party answers under at an instant and the
// provision of the right of access that law cites then (Trace.Law).
type partyLawFacts struct {
	Law      string `db:"law"`
	Citation string `db:"access_citation"`
}

// countriesUnder loads countries' standings under the law of party (its
// own, kedja_party_law; EU law where it has none or party is 0), in the
// same statement as that law and what it cites for the right of access for
// a party established in country (kedja_law_citation, topic 'access'): a
// trace records both as the migrations' rules give them. The law is empty
// only when no code is given.
func (s *Store) countriesUnder(ctx context.Context, codes []string, at time.Time, party int64, country string) (map[string]registry.CountryFacts, partyLawFacts, error) {
	var rows []struct {
		registry.CountryFacts
		partyLawFacts
	}
	if err := s.selectx(ctx, s.q(ctx), &rows, `WITH w AS MATERIALIZED (
		    SELECT x.law, kedja_law_citation(x.law, CAST($4 AS char(2)), CAST($2 AS timestamptz), 'access') AS access_citation
		    FROM (SELECT COALESCE(kedja_party_law($3, CAST($2 AS timestamptz)), 'eu') AS law) x
		)
		SELECT c.code, c.name, kedja_transfer_class(c.code, $2, w.law) AS transfer_class, w.law, w.access_citation
		FROM countries c CROSS JOIN w WHERE c.code = ANY($1)`, pq.Array(codes), at, party, country); err != nil {
		return nil, partyLawFacts{}, err
	}
	out := make(map[string]registry.CountryFacts, len(rows))
	var law partyLawFacts
	for _, r := range rows {
		out[r.Code], law = r.CountryFacts, r.partyLawFacts
	}
	return out, law, nil
}

// traceVersion is the version of the document SaveTrace stores in
// call_traces.result. A stored trace is the answer a citizen was given, kept
// for good, so every document must read back as it was stored, whatever
// registry.Trace becomes:
//
//   - version 1: registry.Trace's JSON as it was before documents carried a
//     version; a document without one is version 1. Its traces were read
//     statement by statement, not from one snapshot.
//   - version 2: the same fields, with "version": 2 beside them; read from
//     one snapshot (TraceCall).
//   - version 3: each holder also records its transfer verdict
//     (kedja_transfer_verdict), so the report says what the law said then;
//     in versions 1 and 2 it is absent, and the report shows the mechanism
//     as recorded.
//   - version 4: each holder also records the role an authority or court
//     found it to have on its link, where one had decided by then (the
//     report lists each recipient once, with every link it was reached
//     over; earlier versions' reports keep one row per link, as sent); and
//     "exposures", the incidents whose exposure window a system held the
//     call in (omitted when there are none).
//   - version 5: "knownExposure", what the registry knew against each
//     system while it held the call (internet access without MFA,
//     known-exploited or unsupported software, security facts not
//     established), judged by the checks' rules; omitted when nothing was
//     known against any system.
//   - version 6: "law" and "accessCitation", the calling region's law at the
//     call and the provision of the right of access it cites then
//     (kedja_law_citation, topic 'access'); absent before, and the report
//     then names no article rather than guess one.
//
// All six still decode into registry.Trace as it is (a field a version
// lacks stays empty). When its JSON changes,
// raise traceVersion and give each older version a decoder of its own (a
// frozen copy of its types) in decodeTrace; TestPreVersionTraceReadsBackAsStored
// fails when a version 1 document no longer reads back unchanged.
const traceVersion = 6

// traceDocument is a trace as call_traces.result keeps it.
type traceDocument struct {
	Version int `json:"version"`
	registry.Trace
}

// decodeTrace reads a stored trace document according to its version. A
// document of a later version than this kedja knows (written by a newer
// one) is an internal error rather than a guess at its meaning.
func decodeTrace(raw []byte) (registry.Trace, error) {
	var head struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return registry.Trace{}, fmt.Errorf("store: stored trace: %w", err)
	}
	version := 1
	if head.Version != nil {
		version = *head.Version
	}
	var t registry.Trace
	switch version {
	case 1, 2, 3, 4, 5, 6:
		// The same fields, versions 3 to 6 adding some; registry.Trace
		// ignores the version number, and is told it.
		if err := json.Unmarshal(raw, &t); err != nil {
			return registry.Trace{}, fmt.Errorf("store: stored trace (version %d): %w", version, err)
		}
		t.Version = version
		return t, nil
	}
	return registry.Trace{}, fmt.Errorf("store: stored trace has document version %d; this kedja reads versions 1 to %d", version, traceVersion)
}

// SaveTrace stores a trace under a new random id, which it sets, as a
// document of the current version.
func (s *Store) SaveTrace(ctx context.Context, actor string, t *registry.Trace) error {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	t.ID = hex.EncodeToString(b)
	t.CreatedBy = actor
	t.Version = traceVersion
	return s.writeAt(ctx, actor, func(tx *sqlx.Tx, now time.Time) error {
		t.CreatedAt = now
		result, err := json.Marshal(traceDocument{Version: traceVersion, Trace: *t})
		if err != nil {
			return err
		}
		_, err = s.execPrepared(ctx, tx, `INSERT INTO call_traces (id, region_id, call_at, case_ref, created_at, created_by, made_by, result)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, t.ID, t.Region.ID, t.CallAt, t.CaseRef, t.CreatedAt, actor, nullID(t.MadeBy), result)
		// Traces keep no change record: the write's audit row is told.
		registry.PendingAuditOf(ctx).NoteWrite("trace:"+t.ID, t.CaseRef)
		return err
	})
}

// Trace loads a stored trace, with the token that made it; NOT_FOUND if
// there is none with that id.
func (s *Store) Trace(ctx context.Context, id string) (registry.Trace, error) {
	var row struct {
		MadeBy *int64 `db:"made_by"`
		Result []byte `db:"result"`
	}
	if err := s.get(ctx, s.q(ctx), "id", "trace", &row, `SELECT made_by, result FROM call_traces WHERE id = $1`, id); err != nil {
		return registry.Trace{}, err
	}
	t, err := decodeTrace(row.Result)
	if row.MadeBy != nil {
		t.MadeBy = *row.MadeBy
	}
	return t, err
}

// TracesByCase lists the traces made for a case, newest first (traces made
// at the same instant by id), a page at a time. Traces are never changed or
// deleted, so a cursor stays good: a trace made while the pages are read
// sorts before the first of them and is not met on the later pages.
func (s *Store) TracesByCase(ctx context.Context, caseRef string, p registry.TracePage) (registry.TracesPage, error) {
	return s.tracesWhere(ctx, "case_ref", caseRef, p)
}

// TracesMadeBy lists the traces the token tokenID made, newest first.
func (s *Store) TracesMadeBy(ctx context.Context, tokenID int64, p registry.TracePage) (registry.TracesPage, error) {
	return s.tracesWhere(ctx, "made_by", tokenID, p)
}

// tracesWhere lists the traces whose column (a constant of this file, never
// input) equals value, newest first.
func (s *Store) tracesWhere(ctx context.Context, column string, value any, p registry.TracePage) (registry.TracesPage, error) {
	var after *time.Time
	var afterID string
	if p.After != nil {
		after, afterID = &p.After.CreatedAt, p.After.ID
	}
	var rows []struct {
		ID        string    `db:"id"`
		CreatedAt time.Time `db:"created_at"`
		MadeBy    *int64    `db:"made_by"`
		Result    []byte    `db:"result"`
	}
	if err := s.selectx(ctx, s.q(ctx), &rows, `SELECT id, created_at, made_by, result FROM call_traces WHERE `+column+` = $1
		AND ($2::timestamptz IS NULL OR created_at < $2 OR (created_at = $2 AND id > $3))
		AND ($5::bigint IS NULL OR made_by = $5)
		ORDER BY created_at DESC, id LIMIT $4`, value, nullTime(after), afterID, p.First+1, p.MadeBy); err != nil {
		return registry.TracesPage{}, err
	}
	var out registry.TracesPage
	if len(rows) > p.First {
		rows, out.More = rows[:p.First], true
	}
	out.Traces = make([]registry.Trace, len(rows))
	for i, r := range rows {
		t, err := decodeTrace(r.Result)
		if err != nil {
			return registry.TracesPage{}, err
		}
		if r.MadeBy != nil {
			t.MadeBy = *r.MadeBy
		}
		out.Traces[i] = t
	}
	if n := len(rows); n > 0 {
		out.End = &registry.TraceCursor{CreatedAt: rows[n-1].CreatedAt, ID: rows[n-1].ID}
	}
	return out, nil
}

// TraceCall works out who held a call made to region at callAt, stores the
// answer under caseRef and returns it. It costs the same handful of
// statements however long the chain is: one to read the trace in the
// calling region's zone (traceZone), one recursive walk, then one batch
// each for systems, moves, parties, countries (with the region's law),
// incidents and the systems' known exposure, and two to store it.
//
// The reads share one read-only snapshot: the answer a citizen is given, and
// that is kept for good, describes one state of the registry, never a link
// as it was before a change with the names or systems from after it. The
// trace is then stored in a transaction of its own, not in the snapshot
// made read-write: READ ONLY has PostgreSQL guarantee that working out an
// answer changes nothing, and the trace is stored by the same write path as
// everything else (its author recorded, errors translated, joining InTx).
// That costs one more BEGIN and COMMIT, not a statement more; and since the
// write reads nothing back from the registry, the moment between the two
// changes nothing in the answer.
//
// With opts.WallClock, callAt is a time on the region's clocks
// (registry.ParseCallInstant), placed in the region's zone here, where the
// region is read.
func (s *Store) TraceCall(ctx context.Context, actor string, region int64, callAt time.Time, caseRef string, opts registry.TraceOptions) (registry.Trace, error) {
	caseRef = strings.TrimSpace(caseRef)
	if caseRef == "" || utf8.RuneCountInString(caseRef) > 200 {
		return registry.Trace{}, registry.Invalid("caseRef", "give the case reference of the request (1 to 200 characters)")
	}
	if opts.MaxDepth <= 0 {
		opts.MaxDepth = registry.MaxChainDepth
	}
	var t registry.Trace
	err := s.snapshot(ctx, func(ctx context.Context) error {
		zone, restore, err := s.traceZone(ctx, region)
		if err != nil {
			return err
		}
		if err := s.traceIn(ctx, zone, region, callAt, caseRef, opts, &t); err != nil {
			restore() //nolint:errcheck // the trace fails with err anyway
			return err
		}
		return restore()
	})
	if err != nil {
		return registry.Trace{}, err
	}
	t.MadeBy, t.CompiledBy = opts.MadeBy, opts.MakerRole
	if err := s.SaveTrace(ctx, actor, &t); err != nil {
		return registry.Trace{}, err
	}
	return t, nil
}

// traceIn works out the trace in ctx's transaction, whose zone is zone.
func (s *Store) traceIn(ctx context.Context, zone *time.Location, region int64, callAt time.Time, caseRef string, opts registry.TraceOptions, t *registry.Trace) error {
	if opts.WallClock {
		callAt = registry.AtWall(callAt, zone)
	}
	in, err := s.traceInput(ctx, region, callAt, opts)
	if err != nil {
		return err
	}
	in.Zone, in.CaseRef = zone, caseRef
	// The holds are worked out first: the known exposure is read over
	// each system's hold, in the same snapshot.
	*t = registry.BuildTrace(in)
	points, err := s.KnownExposure(ctx, t.HoldWindows())
	if err != nil {
		return err
	}
	if s.traceRead != nil {
		s.traceRead("exposure")
	}
	t.SetKnownExposure(points)
	return nil
}

// traceZone sets the zone of ctx's transaction to the calling region's
// (kedja_trace_zone: the registry's when the region has none PostgreSQL
// knows) and returns it. Every date the trace's SQL takes of an instant
// (CAST(at AS date): EEA membership, adequacy, attestations) is then the
// date on the region's calendar, and a time written without an offset is
// read on its clocks. Inside a caller's transaction (InTx) the zone is put
// back when the trace is done, so the caller's later statements keep the
// registry's.
func (s *Store) traceZone(ctx context.Context, region int64) (loc *time.Location, restore func() error, err error) {
	q := s.q(ctx)
	restore = func() error { return nil }
	if _, own := q.(snapshotTx); !own {
		var prev string
		if err := s.get(ctx, q, "", "", &prev, `SELECT current_setting('TimeZone')`); err != nil {
			return nil, nil, err
		}
		restore = func() error {
			_, err := s.exec(ctx, q, `SELECT set_config('TimeZone', $1, true)`, prev)
			return err
		}
	}
	var name string
	if err := s.get(ctx, q, "", "", &name, `SELECT kedja_trace_zone((SELECT time_zone FROM organisations WHERE id = $1))`, region); err != nil {
		return nil, nil, err
	}
	if loc, err = time.LoadLocation(name); err != nil {
		// PostgreSQL runs in a zone Go cannot read: the answer would be
		// a guess, so there is none.
		restore() //nolint:errcheck // the trace fails with err anyway
		return nil, nil, fmt.Errorf("store: trace zone %q: %w", name, err)
	}
	return loc, restore, nil
}

// traceInput makes a trace's reads, in ctx's transaction.
func (s *Store) traceInput(ctx context.Context, region int64, callAt time.Time, opts registry.TraceOptions) (registry.TraceInput, error) {
	read := func(name string) {
		if s.traceRead != nil {
			s.traceRead(name)
		}
	}
	steps, truncated, err := s.Walk(ctx, region, callAt, registry.WalkOptions{FollowRouting: true, FoundRoles: true, MaxDepth: opts.MaxDepth, MaxSteps: opts.MaxSteps})
	if err != nil {
		return registry.TraceInput{}, err
	}
	read("walk")
	partyIDs := []int64{region}
	var linkIDs []int64
	for _, st := range steps {
		partyIDs = append(partyIDs, st.FromID, st.ToID)
		if st.Route != "out_of_window" && !st.Cycle {
			linkIDs = append(linkIDs, st.LinkID)
		}
	}
	uses, err := s.UsesAt(ctx, linkIDs, callAt)
	if err != nil {
		return registry.TraceInput{}, err
	}
	read("uses")
	var systemIDs []int64
	for _, u := range uses {
		systemIDs = append(systemIDs, u.SystemID)
	}
	moves, err := s.MovesAfter(ctx, systemIDs, callAt)
	if err != nil {
		return registry.TraceInput{}, err
	}
	read("moves")
	var codes []string
	for _, u := range uses {
		codes = append(codes, u.Storage...)
	}
	for _, m := range moves {
		partyIDs = append(partyIDs, m.OperatorID)
		codes = append(codes, m.Storage...)
	}
	parties, err := s.Parties(ctx, partyIDs, callAt)
	if err != nil {
		return registry.TraceInput{}, err
	}
	read("parties")
	root, ok := parties[region]
	if !ok {
		return registry.TraceInput{}, registry.NotFound("region", "no organisation with that id")
	}
	// Each holder's standing is the one its step gives, under the law of
	// the party that sent it the call (the walk's); the region's own and the
	// storage countries' are under the region's law, read with the
	// countries, so a UK region's trace says what UK law says.
	seen := map[int64]bool{}
	for _, st := range steps {
		if p, ok := parties[st.ToID]; ok && !seen[st.ToID] {
			seen[st.ToID] = true
			p.TransferClass = st.TransferClass
			parties[st.ToID] = p
		}
	}
	countries, law, err := s.countriesUnder(ctx, append(codes, root.Country), callAt, region, root.Country)
	if err != nil {
		return registry.TraceInput{}, err
	}
	if c, ok := countries[root.Country]; ok && !seen[region] {
		root.TransferClass = c.TransferClass
		parties[region] = root
	}
	if !slices.Contains(codes, root.Country) {
		delete(countries, root.Country)
	}
	read("countries")
	for _, m := range moves {
		systemIDs = append(systemIDs, m.ToSystemID)
	}
	holds, err := s.IncidentHolds(ctx, systemIDs, region, callAt)
	if err != nil {
		return registry.TraceInput{}, err
	}
	read("incidents")
	return registry.TraceInput{Region: root, CallAt: callAt, Steps: steps, Truncated: truncated, MaxDepth: opts.MaxDepth,
		Parties: parties, Uses: uses, Moves: moves, Countries: countries, Incidents: holds,
		Law: law.Law, AccessCitation: law.Citation}, nil
}
