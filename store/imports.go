package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

// importDBRow is an import as stored: its rows, diff and decisions as JSON.
type importDBRow struct {
	ID               int64         `db:"id"`
	SupplierID       int64         `db:"supplier_id"`
	ControllerLinkID *int64        `db:"controller_link_id"`
	EffectiveDate    time.Time     `db:"effective_date"`
	Author           string        `db:"author"`
	SourceName       string        `db:"source_name"`
	SourceSHA256     string        `db:"source_sha256"`
	Format           string        `db:"format"`
	Rows             []byte        `db:"rows"`
	Diff             []byte        `db:"diff"`
	Status           string        `db:"status"`
	CreatedAt        time.Time     `db:"created_at"`
	DecidedBy        *string       `db:"decided_by"`
	DecidedAt        *time.Time    `db:"decided_at"`
	Reason           *string       `db:"reason"`
	Decisions        []byte        `db:"decisions"`
	NewLinkIDs       pq.Int64Array `db:"new_link_ids"`
	Applied          []byte        `db:"applied"`
}

const importCols = `id, supplier_id, controller_link_id, effective_date, author, source_name, source_sha256, format, rows, diff,
	status, created_at, decided_by, decided_at, reason, decisions, new_link_ids, applied`

func (r importDBRow) toDomain() (registry.Import, error) {
	out := registry.Import{ID: r.ID, SupplierID: r.SupplierID, ControllerLinkID: r.ControllerLinkID, EffectiveDate: r.EffectiveDate,
		Author: r.Author, SourceName: r.SourceName, SourceSHA256: r.SourceSHA256, Format: r.Format, Status: r.Status,
		CreatedAt: r.CreatedAt, DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt, Reason: r.Reason, NewLinkIDs: []int64(r.NewLinkIDs)}
	for _, f := range []struct {
		data []byte
		into any
	}{{r.Rows, &out.Rows}, {r.Diff, &out.Diff}, {r.Decisions, &out.Decisions}, {r.Applied, &out.Applied}} {
		if err := json.Unmarshal(f.data, f.into); err != nil {
			return out, fmt.Errorf("store: import %d: %w", r.ID, err)
		}
	}
	return out, nil
}

// Import loads one stored import.
func (s *Store) Import(ctx context.Context, id int64) (registry.Import, error) {
	var r importDBRow
	if err := s.get(ctx, s.q(ctx), "id", "import", &r, `SELECT `+importCols+` FROM imports WHERE id = $1`, id); err != nil {
		return registry.Import{}, err
	}
	return r.toDomain()
}

// ListImports lists imports, newest first.
func (s *Store) ListImports(ctx context.Context, f registry.ImportFilter, p registry.Page) ([]registry.Import, bool, error) {
	after := p.After
	if after <= 0 {
		after = 1<<63 - 1
	}
	var rows []importDBRow
	if err := s.selectx(ctx, s.q(ctx), &rows, `SELECT `+importCols+` FROM imports
		WHERE ($1::bigint IS NULL OR supplier_id = $1) AND ($2::text IS NULL OR status = $2) AND id < $3
		ORDER BY id DESC LIMIT $4`, f.SupplierID, f.Status, after, p.First+1); err != nil {
		return nil, false, err
	}
	more := len(rows) > p.First
	if more {
		rows = rows[:p.First]
	}
	out := make([]registry.Import, 0, len(rows))
	for _, r := range rows {
		v, err := r.toDomain()
		if err != nil {
			return nil, false, err
		}
		out = append(out, v)
	}
	return out, more, nil
}

// plannedRow is what an import does with one row.
type plannedRow struct {
	row      registry.ImportRow
	partyID  int64 // 0: a new party
	doubtful bool  // undecided: nothing is planned for it
	// candidates are the parties an undecided row may name.
	candidates []int64
	link       *registry.Link
	from       time.Time // a new link's start
	country    bool      // the party's country changes to the row's
	linkEdit   bool      // the link's purpose, categories or health flag change
	// Locations: the link's party's systems' locations then, those to end
	// and the codes to add (on locSystem; 0: a system made for them).
	locations []string
	locEnd    []int64
	locAdd    []string
	locSystem int64
}

// importPlan is an import matched against the registry as it is.
type importPlan struct {
	at    time.Time // the effective date's midnight, in the registry's time zone
	rows  []*plannedRow
	ended []registry.Link
	names map[int64]string // existing parties' names
	diff  registry.ImportDiff
}

// heldLocation is a location of a system that a link's receiving party uses
// on it, as of the effective date.
type heldLocation struct {
	LinkID     int64   `db:"link_id"`
	SystemID   int64   `db:"system_id"`
	LocationID *int64  `db:"location_id"`
	Country    *string `db:"country_code"`
}

// subprocessorRoles are the links a supplier's list describes.
var subprocessorRoles = []string{"processor", "sub_processor"}

// midnights turns dates into their midnight in the registry's time zone
// (the session's), the instant the registry's periods start at.
func (s *Store) midnights(ctx context.Context, q queryer, dates []time.Time) (map[string]time.Time, error) {
	keys := make([]string, 0, len(dates))
	for _, d := range dates {
		keys = append(keys, d.Format(registry.DateLayout))
	}
	var rows []struct {
		Day string    `db:"day"`
		At  time.Time `db:"at"`
	}
	if err := s.selectx(ctx, q, &rows, `SELECT d AS day, CAST(CAST(d AS date) AS timestamptz) AS at
		FROM unnest(CAST($1 AS text[])) AS d GROUP BY d`, pq.Array(keys)); err != nil {
		return nil, err
	}
	out := make(map[string]time.Time, len(rows))
	for _, r := range rows {
		out[r.Day] = r.At
	}
	return out, nil
}

// plan matches rows to the registry (in q's state) as of the effective
// date: set-based reads, a fixed number whatever the list's length.
func (s *Store) plan(ctx context.Context, q queryer, supplier registry.Organisation, effective time.Time, rows []registry.ImportRow,
	decisions []registry.MatchDecision) (*importPlan, error) {
	dates := []time.Time{effective}
	for _, r := range rows {
		if r.EffectiveDate != nil {
			dates = append(dates, *r.EffectiveDate)
		}
	}
	mid, err := s.midnights(ctx, q, dates)
	if err != nil {
		return nil, err
	}
	p := &importPlan{at: mid[effective.Format(registry.DateLayout)], names: map[int64]string{}}
	p.diff.Changes, p.diff.Doubtful, p.diff.Triggers = []registry.ImportChange{}, []registry.DoubtfulMatch{}, []registry.ImportTrigger{}

	var current []registry.Link
	if err := s.selectx(ctx, q, &current, `SELECT `+links.cols+` FROM links
		WHERE from_id = $1 AND valid @> CAST($2 AS timestamptz) AND role = ANY($3) ORDER BY id`,
		supplier.ID, p.at, pq.Array(subprocessorRoles)); err != nil {
		return nil, err
	}
	var parties []registry.Organisation
	if err := s.selectx(ctx, q, &parties, `SELECT `+organisations.cols+` FROM organisations
		WHERE ended_at IS NULL OR ended_at > $1`, p.at); err != nil {
		return nil, err
	}
	byNumber, byName := map[string][]registry.MatchCandidate{}, map[string][]registry.MatchCandidate{}
	country := map[int64]string{}
	for _, o := range parties {
		c := registry.MatchCandidate{PartyID: o.ID, LegalName: o.LegalName, OrgNumber: o.OrgNumber, Country: o.Country}
		if o.OrgNumber != nil {
			k := registry.NormaliseOrgNumber(*o.OrgNumber)
			byNumber[k] = append(byNumber[k], c)
		}
		k := registry.NormaliseName(o.LegalName)
		byName[k] = append(byName[k], c)
		country[o.ID], p.names[o.ID] = o.Country, o.LegalName
	}
	linkTo := map[int64]*registry.Link{}
	linkIDs := make([]int64, 0, len(current))
	for i := range current {
		linkTo[current[i].ToID] = &current[i]
		linkIDs = append(linkIDs, current[i].ID)
	}
	var held []heldLocation
	if err := s.selectx(ctx, q, &held, `SELECT u.link_id, u.system_id, sl.id AS location_id, sl.country_code
		FROM system_uses u
		JOIN links l ON l.id = u.link_id AND u.party_id = l.to_id
		LEFT JOIN system_locations sl ON sl.system_id = u.system_id AND sl.valid @> CAST($2 AS timestamptz)
		WHERE u.link_id = ANY($1) AND u.valid @> CAST($2 AS timestamptz)
		ORDER BY u.link_id, u.system_id, sl.id`, pq.Array(linkIDs), p.at); err != nil {
		return nil, err
	}
	heldBy := map[int64][]heldLocation{}
	for _, h := range held {
		heldBy[h.LinkID] = append(heldBy[h.LinkID], h)
	}

	decided := map[int]int64{}
	for _, d := range decisions {
		decided[d.Line] = d.PartyID
	}
	listed := map[int64]int{} // party -> line listing it
	supplierKey := registry.NormaliseName(supplier.LegalName)
	var rowErrs []registry.RowError
	for _, r := range rows {
		if r.Supplier != "" && registry.NormaliseName(r.Supplier) != supplierKey {
			rowErrs = append(rowErrs, registry.RowError{Line: r.Line, Column: "supplier",
				Message: fmt.Sprintf("the row is %s's, not %s's: import it with that supplier", r.Supplier, supplier.LegalName)})
			continue
		}
		pr := &plannedRow{row: r}
		m := registry.MatchParty(r, byNumber[orgKey(r.OrgNumber)], byName[registry.NormaliseName(r.LegalName)])
		if id, ok := decided[r.Line]; ok {
			if _, known := country[id]; id != 0 && !known {
				return nil, registry.NotFound("decisions", "line %d: no party with id %d", r.Line, id)
			}
			m = registry.Match{PartyID: id}
		}
		if m.Doubtful != "" {
			pr.doubtful = true
			for _, c := range m.Candidates {
				pr.candidates = append(pr.candidates, c.PartyID)
			}
			p.diff.Doubtful = append(p.diff.Doubtful, registry.DoubtfulMatch{Line: r.Line, LegalName: r.LegalName, Country: r.Country,
				Reason: m.Doubtful, Candidates: m.Candidates})
			p.rows = append(p.rows, pr)
			continue
		}
		pr.partyID = m.PartyID
		if pr.partyID == supplier.ID {
			rowErrs = append(rowErrs, registry.RowError{Line: r.Line, Column: "legal_name", Message: "names the supplier itself"})
			continue
		}
		if pr.partyID != 0 {
			if first, dup := listed[pr.partyID]; dup {
				rowErrs = append(rowErrs, registry.RowError{Line: r.Line, Column: "legal_name",
					Message: fmt.Sprintf("names the same party as line %d", first)})
				continue
			}
			listed[pr.partyID] = r.Line
			pr.country = country[pr.partyID] != r.Country
			pr.link = linkTo[pr.partyID]
		}
		pr.from = p.at
		if r.EffectiveDate != nil {
			pr.from = mid[r.EffectiveDate.Format(registry.DateLayout)]
		}
		if pr.link != nil {
			l := pr.link
			pr.linkEdit = l.Purpose != r.Service || l.HealthData != r.HealthData || l.Role != r.Role ||
				!slices.Equal(sortedCopy(l.DataCategories), r.DataCategories)
			var have []string
			for _, h := range heldBy[l.ID] {
				if pr.locSystem == 0 {
					pr.locSystem = h.SystemID
				}
				if h.Country == nil {
					continue
				}
				if !slices.Contains(have, *h.Country) {
					have = append(have, *h.Country)
				}
				if !slices.Contains(r.Locations, *h.Country) {
					pr.locEnd = append(pr.locEnd, *h.LocationID)
				}
			}
			slices.Sort(have)
			pr.locations = have
			for _, c := range r.Locations {
				if !slices.Contains(have, c) {
					pr.locAdd = append(pr.locAdd, c)
				}
			}
		} else {
			pr.locAdd = r.Locations
		}
		p.rows = append(p.rows, pr)
	}
	if len(rowErrs) > 0 {
		return nil, &registry.ImportRowsError{Rows: rowErrs}
	}
	for i := range current {
		l := current[i]
		if _, still := listed[l.ToID]; !still && !doubtfulNames(p.rows, l.ToID) {
			p.ended = append(p.ended, l)
		}
	}
	p.describe()
	return p, nil
}

// doubtfulNames says whether an undecided row may name party: its link is
// not ended while a person has not decided.
func doubtfulNames(rows []*plannedRow, party int64) bool {
	for _, r := range rows {
		if r.doubtful && slices.Contains(r.candidates, party) {
			return true
		}
	}
	return false
}

func orgKey(n *string) string {
	if n == nil {
		return ""
	}
	return registry.NormaliseOrgNumber(*n)
}

func sortedCopy(v []string) []string {
	out := slices.Clone(v)
	slices.Sort(out)
	if out == nil {
		out = []string{}
	}
	return out
}

// describe writes the plan's diff, without triggers.
func (p *importPlan) describe() {
	for _, r := range p.rows {
		if r.doubtful {
			continue
		}
		name := r.row.LegalName
		if r.partyID == 0 {
			p.diff.Changes = append(p.diff.Changes, registry.ImportChange{Kind: "new_party", Line: r.row.Line, PartyName: name, After: r.row.Country})
		}
		if r.country {
			p.diff.Changes = append(p.diff.Changes, registry.ImportChange{Kind: "changed_country", Line: r.row.Line, PartyID: r.partyID,
				PartyName: p.names[r.partyID], After: r.row.Country})
		}
		if r.link == nil {
			p.diff.Changes = append(p.diff.Changes, registry.ImportChange{Kind: "new_link", Line: r.row.Line, PartyID: r.partyID, PartyName: name,
				After: r.row.Role + ": " + r.row.Service + locationWords(r.row.Locations)})
			continue
		}
		if r.linkEdit {
			p.diff.Changes = append(p.diff.Changes, registry.ImportChange{Kind: "changed_link", Line: r.row.Line, PartyID: r.partyID,
				PartyName: name, LinkID: r.link.ID, Before: linkWords(r.link.Role, r.link.Purpose, r.link.DataCategories, r.link.HealthData),
				After: linkWords(r.row.Role, r.row.Service, r.row.DataCategories, r.row.HealthData)})
		}
		if len(r.locAdd) > 0 || len(r.locEnd) > 0 {
			p.diff.Changes = append(p.diff.Changes, registry.ImportChange{Kind: "changed_locations", Line: r.row.Line, PartyID: r.partyID,
				PartyName: name, LinkID: r.link.ID, Before: strings.Join(r.locations, ", "), After: strings.Join(r.row.Locations, ", ")})
		}
	}
	for _, l := range p.ended {
		p.diff.Changes = append(p.diff.Changes, registry.ImportChange{Kind: "ended_link", PartyID: l.ToID, PartyName: p.names[l.ToID],
			LinkID: l.ID, Before: l.Role + ": " + l.Purpose})
	}
	for i := range p.diff.Changes {
		p.diff.Changes[i].Triggers = []registry.ImportTrigger{}
	}
}

func locationWords(codes []string) string {
	if len(codes) == 0 {
		return ""
	}
	return " (" + strings.Join(codes, ", ") + ")"
}

func linkWords(role, purpose string, cats []string, health bool) string {
	w := role + ": " + purpose
	if len(cats) > 0 {
		w += "; " + strings.Join(sortedCopy(cats), ", ")
	}
	if health {
		w += "; health data"
	}
	return w
}

// applied is what applying a plan made: the party and link of each row
// (by line), the systems it made, and the new links.
type applied struct {
	party    map[int]int64
	link     map[int]int64
	system   map[int64]int // system -> line
	newLinks []int64
}

// apply makes the plan's changes through the registry's own writes, in the
// transaction ctx carries (they join it): each validates as it would
// through the API and records its history in changes.
func (s *Store) apply(ctx context.Context, actor string, supplier registry.Organisation, p *importPlan) (applied, error) {
	out := applied{party: map[int]int64{}, link: map[int]int64{}, system: map[int64]int{}}
	for _, r := range p.rows {
		if r.doubtful {
			continue
		}
		row := r.row
		party := r.partyID
		if party == 0 {
			o, err := s.CreateOrganisation(ctx, actor, &registry.Organisation{LegalName: row.LegalName, OrgNumber: row.OrgNumber,
				Country: row.Country, Kind: "company", TimeZone: "Europe/Stockholm"})
			if err != nil {
				return out, rowError(row, err)
			}
			party = o.ID
		} else if r.country {
			if _, err := s.UpdateOrganisation(ctx, actor, party, func(o *registry.Organisation) error {
				o.Country = row.Country
				return nil
			}); err != nil {
				return out, rowError(row, err)
			}
		}
		out.party[row.Line] = party
		link := int64(0)
		switch {
		case r.link == nil:
			l, err := s.CreateLink(ctx, actor, &registry.Link{FromID: supplier.ID, ToID: party, Role: row.Role, Purpose: row.Service,
				DataCategories: row.DataCategories, HealthData: row.HealthData, Period: registry.Period{From: r.from}})
			if err != nil {
				return out, rowError(row, err)
			}
			link = l.ID
			out.newLinks = append(out.newLinks, l.ID)
		case r.linkEdit:
			link = r.link.ID
			if _, err := s.UpdateLink(ctx, actor, link, func(l *registry.Link) error {
				l.Role, l.Purpose, l.DataCategories, l.HealthData = row.Role, row.Service, row.DataCategories, row.HealthData
				return nil
			}); err != nil {
				return out, rowError(row, err)
			}
		default:
			link = r.link.ID
		}
		out.link[row.Line] = link
		for _, id := range r.locEnd {
			if _, err := s.EndSystemLocation(ctx, actor, id, p.at); err != nil {
				return out, rowError(row, err)
			}
		}
		if len(r.locAdd) == 0 {
			continue
		}
		from := p.at
		if r.link == nil {
			from = r.from
		}
		sys := r.locSystem
		if sys == 0 {
			// The list says where the sub-processor processes the data but
			// names no system: one stands for its processing, so the
			// locations are dated facts the checks read like any other.
			v, err := s.CreateSystem(ctx, actor, &registry.System{Name: clipName(row.Service + " (" + row.LegalName + ")"), Kind: "other",
				OperatorID: party, DataCategories: row.DataCategories,
				Description: ptr("Processing of " + supplier.LegalName + "'s sub-processor as its list describes it (imported).")})
			if err != nil {
				return out, rowError(row, err)
			}
			sys = v.ID
			if _, err := s.CreateSystemUse(ctx, actor, &registry.SystemUse{LinkID: link, SystemID: sys, PartyID: party,
				Period: registry.Period{From: from}}); err != nil {
				return out, rowError(row, err)
			}
		}
		out.system[sys] = row.Line
		for _, c := range r.locAdd {
			if _, err := s.AddSystemLocation(ctx, actor, &registry.SystemLocation{SystemID: sys, Country: c, Purpose: "storage",
				Period: registry.Period{From: from}}); err != nil {
				return out, rowError(row, err)
			}
		}
	}
	for _, l := range p.ended {
		if _, err := s.EndLink(ctx, actor, l.ID, p.at); err != nil {
			return out, err
		}
	}
	return out, nil
}

func ptr[T any](v T) *T { return &v }

func clipName(s string) string {
	if len(s) > registry.MaxName {
		return s[:registry.MaxName]
	}
	return s
}

// rowError names the row a refused write came from.
func rowError(row registry.ImportRow, err error) error {
	if e := registry.AsError(err); e != nil {
		return &registry.ImportRowsError{Rows: []registry.RowError{{Line: row.Line, Column: e.Field, Message: e.Message}}}
	}
	return err
}

// DryRunImport stores a list as a pending import with its diff. The diff's
// triggers come from the checks themselves: in one transaction that is
// rolled back, the checks are evaluated as of the effective date, the
// import is applied through the same writes as an approval, and the checks
// are evaluated again; what differs is what the import would trigger.
func (s *Store) DryRunImport(ctx context.Context, actor string, req registry.ImportRequest) (registry.Import, error) {
	if err := req.Validate(); err != nil {
		return registry.Import{}, err
	}
	if len(req.Rows) == 0 {
		return registry.Import{}, registry.Invalid("content", "the list has no rows")
	}
	supplier, err := s.Organisation(ctx, "supplierId", req.SupplierID)
	if err != nil {
		return registry.Import{}, err
	}
	if req.ControllerLinkID != nil {
		l, err := s.Link(ctx, "controllerLinkId", *req.ControllerLinkID)
		if err != nil {
			return registry.Import{}, err
		}
		if l.ToID != supplier.ID {
			return registry.Import{}, registry.Invalid("controllerLinkId", "the link does not lead to the supplier")
		}
	}
	diff, err := s.dryRun(ctx, actor, supplier, req)
	if err != nil {
		return registry.Import{}, translate(err)
	}
	sum := sha256.Sum256(req.Content)
	rows, err := json.Marshal(req.Rows)
	if err != nil {
		return registry.Import{}, err
	}
	d, err := json.Marshal(diff)
	if err != nil {
		return registry.Import{}, err
	}
	var id int64
	err = s.write(ctx, actor, func(tx *sqlx.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO imports (supplier_id, controller_link_id, effective_date, author, source_name,
			source_sha256, format, rows, diff) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			supplier.ID, req.ControllerLinkID, req.EffectiveDate.Format(registry.DateLayout), actor, strings.TrimSpace(req.SourceName),
			hex.EncodeToString(sum[:]), req.Format, rows, d).Scan(&id); err != nil {
			return wrap("INSERT INTO imports", err)
		}
		registry.PendingAuditOf(ctx).NoteWrite("import:"+strconv.FormatInt(id, 10), "")
		return nil
	})
	if err != nil {
		return registry.Import{}, err
	}
	return s.Import(ctx, id)
}

// errDryRun rolls the dry run's transaction back.
var errDryRun = errors.New("store: dry run")

func (s *Store) dryRun(ctx context.Context, actor string, supplier registry.Organisation, req registry.ImportRequest) (registry.ImportDiff, error) {
	var diff registry.ImportDiff
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return diff, fmt.Errorf("store: begin dry run: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // the point: nothing is kept
	if _, err := s.exec(ctx, tx, `SELECT set_config('kedja.actor', $1, true)`, actor); err != nil {
		return diff, err
	}
	txCtx := context.WithValue(ctx, txKey{}, tx)
	p, err := s.plan(txCtx, tx, supplier, req.EffectiveDate, req.Rows, nil)
	if err != nil {
		return diff, err
	}
	if len(p.diff.Changes) == 0 {
		return p.diff, nil
	}
	all, _ := selectChecks(nil)
	if _, err := s.exec(ctx, tx, `SAVEPOINT before_import`); err != nil {
		return diff, err
	}
	before, err := s.evaluateIn(ctx, tx, all, p.at, registry.CheckPeriods{})
	if err != nil {
		return diff, err
	}
	if _, err := s.exec(ctx, tx, `ROLLBACK TO SAVEPOINT before_import`); err != nil {
		return diff, err
	}
	done, err := s.apply(txCtx, actor, supplier, p)
	if err != nil {
		return diff, err
	}
	after, err := s.evaluateIn(ctx, tx, all, p.at, registry.CheckPeriods{})
	if err != nil {
		return diff, err
	}
	p.attach(before, after, done)
	return p.diff, nil
}

// findingKey identifies a fact the checks find, per controller set.
func findingKey(f registry.Finding) string {
	return f.Check + "|" + f.SubjectKind + "|" + strconv.FormatInt(f.SubjectID, 10)
}

// attach puts each finding the import raises or clears on the change it
// comes from: a party's, a link's, or a system's made for a row; the rest
// on the diff as a whole.
func (p *importPlan) attach(before, after []registry.Finding, done applied) {
	was, is := map[string]registry.Finding{}, map[string]registry.Finding{}
	for _, f := range before {
		was[findingKey(f)] = f
	}
	for _, f := range after {
		is[findingKey(f)] = f
	}
	lineOfParty, lineOfLink := map[int64]int{}, map[int64]int{}
	for line, id := range done.party {
		lineOfParty[id] = line
	}
	for line, id := range done.link {
		lineOfLink[id] = line
	}
	endedLink := map[int64]int{}
	for i, c := range p.diff.Changes {
		if c.Kind == "ended_link" {
			endedLink[c.LinkID] = i
		}
	}
	kept := 0
	place := func(f registry.Finding, cleared bool) {
		if kept == registry.MaxImportTriggers {
			p.diff.TriggersLeftOut++
			return
		}
		kept++
		t := registry.ImportTrigger{Check: f.Check, Severity: f.Severity, Message: f.Message, Cleared: cleared,
			SubjectKind: f.SubjectKind, Controllers: []int64{}}
		for _, c := range f.Controllers {
			t.Controllers = append(t.Controllers, c.ControllerID)
		}
		line := 0
		switch f.SubjectKind {
		case "party":
			line = lineOfParty[f.SubjectID]
		case "link":
			line = lineOfLink[f.SubjectID]
			if i, ok := endedLink[f.SubjectID]; ok && line == 0 {
				p.diff.Changes[i].Triggers = append(p.diff.Changes[i].Triggers, t)
				return
			}
		case "system":
			line = done.system[f.SubjectID]
		}
		if line != 0 {
			// The row's first change is where a reader looks for it.
			for i := range p.diff.Changes {
				if p.diff.Changes[i].Line == line {
					p.diff.Changes[i].Triggers = append(p.diff.Changes[i].Triggers, t)
					return
				}
			}
		}
		p.diff.Triggers = append(p.diff.Triggers, t)
	}
	keys := make([]string, 0, len(is))
	for k := range is {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if old, ok := was[k]; !ok || old.Severity != is[k].Severity || old.Message != is[k].Message {
			place(is[k], false)
		}
	}
	keys = keys[:0]
	for k := range was {
		if _, ok := is[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		place(was[k], true)
	}
}

// ApproveImport applies a pending import, as the registry is now, in one
// transaction with its audit row.
func (s *Store) ApproveImport(ctx context.Context, actor string, id int64, decisions []registry.MatchDecision) (registry.Import, error) {
	err := s.write(ctx, actor, func(tx *sqlx.Tx) error {
		txCtx := context.WithValue(ctx, txKey{}, tx)
		var r importDBRow
		if err := s.get(ctx, tx, "id", "import", &r, `SELECT `+importCols+` FROM imports WHERE id = $1 FOR UPDATE`, id); err != nil {
			return err
		}
		imp, err := r.toDomain()
		if err != nil {
			return err
		}
		if imp.Status != "pending" {
			return registry.Conflict("id", "the import is already %s", imp.Status)
		}
		supplier, err := s.Organisation(txCtx, "supplierId", imp.SupplierID)
		if err != nil {
			return err
		}
		p, err := s.plan(txCtx, tx, supplier, imp.EffectiveDate, imp.Rows, decisions)
		if err != nil {
			return err
		}
		if len(p.diff.Doubtful) > 0 {
			return registry.Invalid("decisions", "decide line %d (%s): %s", p.diff.Doubtful[0].Line, p.diff.Doubtful[0].LegalName,
				p.diff.Doubtful[0].Reason)
		}
		done, err := s.apply(txCtx, actor, supplier, p)
		if err != nil {
			return err
		}
		// Art. 28(2) change notices for the new sub-processor links, where
		// a controller's general authorisation covers them: the list is the
		// supplier's notice, sent when it came in (the upload), effective
		// from each link's start; each controller's objection window runs
		// from then. Specific authorisation needs an approval instead,
		// which the authorisation check asks for.
		if _, err := s.noticesForNewLinks(ctx, tx, done.newLinks, imp.CreatedAt, actor); err != nil {
			return err
		}
		dec, err := json.Marshal(nonNil(decisions))
		if err != nil {
			return err
		}
		ch, err := json.Marshal(p.diff.Changes)
		if err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `UPDATE imports SET status = 'approved', decided_by = $2, decided_at = now(), decisions = $3,
			new_link_ids = $4, applied = $5 WHERE id = $1`, id, actor, dec, pq.Array(nonNil(done.newLinks)), ch); err != nil {
			return err
		}
		registry.PendingAuditOf(ctx).NoteWrite("import:"+strconv.FormatInt(id, 10), "")
		return nil
	})
	if err != nil {
		return registry.Import{}, err
	}
	return s.Import(ctx, id)
}

func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// RejectImport records who rejected a pending import and why.
func (s *Store) RejectImport(ctx context.Context, actor string, id int64, reason string) (registry.Import, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 2000 {
		return registry.Import{}, registry.Invalid("reason", "say why, in 1 to 2000 characters")
	}
	err := s.write(ctx, actor, func(tx *sqlx.Tx) error {
		var status string
		if err := s.get(ctx, tx, "id", "import", &status, `SELECT status FROM imports WHERE id = $1 FOR UPDATE`, id); err != nil {
			return err
		}
		if status != "pending" {
			return registry.Conflict("id", "the import is already %s", status)
		}
		if _, err := s.exec(ctx, tx, `UPDATE imports SET status = 'rejected', decided_by = $2, decided_at = now(), reason = $3
			WHERE id = $1`, id, actor, reason); err != nil {
			return err
		}
		registry.PendingAuditOf(ctx).NoteWrite("import:"+strconv.FormatInt(id, 10), "")
		return nil
	})
	if err != nil {
		return registry.Import{}, err
	}
	return s.Import(ctx, id)
}

// exportSQL reads links as rows of the import format: the receiving party,
// the link's facts, and the countries of the systems its party uses on it
// then.
const exportSQL = `
	SELECT o.legal_name, o.org_number, o.country_code, l.purpose, l.data_categories, l.health_data, l.role,
	       to_char(lower(l.valid), 'YYYY-MM-DD') AS effective_date, f.legal_name AS supplier,
	       COALESCE((SELECT array_agg(DISTINCT sl.country_code ORDER BY sl.country_code)
	                 FROM system_uses u JOIN system_locations sl ON sl.system_id = u.system_id AND sl.valid @> CAST($2 AS timestamptz)
	                 WHERE u.link_id = l.id AND u.party_id = l.to_id AND u.valid @> CAST($2 AS timestamptz)), '{}') AS locations
	FROM links l
	JOIN organisations o ON o.id = l.to_id
	JOIN organisations f ON f.id = l.from_id
	WHERE l.id = ANY($1)
	ORDER BY f.legal_name, f.id, o.legal_name, o.id, l.id`

type exportRow struct {
	LegalName      string         `db:"legal_name"`
	OrgNumber      *string        `db:"org_number"`
	Country        string         `db:"country_code"`
	Purpose        string         `db:"purpose"`
	DataCategories pq.StringArray `db:"data_categories"`
	HealthData     bool           `db:"health_data"`
	Role           string         `db:"role"`
	EffectiveDate  string         `db:"effective_date"`
	Supplier       string         `db:"supplier"`
	Locations      pq.StringArray `db:"locations"`
}

func (s *Store) exportLinks(ctx context.Context, ids []int64, at time.Time) ([]registry.ImportRow, error) {
	var rows []exportRow
	if err := s.selectx(ctx, s.q(ctx), &rows, exportSQL, pq.Array(ids), at); err != nil {
		return nil, err
	}
	out := make([]registry.ImportRow, 0, len(rows))
	for i, r := range rows {
		d, err := time.Parse(registry.DateLayout, r.EffectiveDate)
		if err != nil {
			return nil, err
		}
		out = append(out, registry.ImportRow{Line: i + 2, LegalName: r.LegalName, OrgNumber: r.OrgNumber, Country: r.Country,
			Service: r.Purpose, Locations: nonNil([]string(r.Locations)), DataCategories: sortedCopy(r.DataCategories),
			HealthData: r.HealthData, EffectiveDate: &d, Role: r.Role, Supplier: r.Supplier})
	}
	return out, nil
}

// ExportSupplierList writes a supplier's sub-processors at an instant.
func (s *Store) ExportSupplierList(ctx context.Context, supplier int64, at time.Time) ([]registry.ImportRow, error) {
	if _, err := s.Organisation(ctx, "supplierId", supplier); err != nil {
		return nil, err
	}
	var ids []int64
	if err := s.selectx(ctx, s.q(ctx), &ids, `SELECT id FROM links WHERE from_id = $1 AND valid @> CAST($2 AS timestamptz)
		AND role = ANY($3)`, supplier, at, pq.Array(subprocessorRoles)); err != nil {
		return nil, err
	}
	return s.exportLinks(ctx, ids, at)
}

// ExportControllerList writes every supplier's sub-processors in a
// controller's chain at an instant.
func (s *Store) ExportControllerList(ctx context.Context, controller int64, at time.Time) ([]registry.ImportRow, error) {
	if _, err := s.Organisation(ctx, "controllerId", controller); err != nil {
		return nil, err
	}
	steps, _, err := s.Walk(ctx, controller, at, registry.WalkOptions{MaxSteps: registry.MaxImportRows})
	if err != nil {
		return nil, err
	}
	var ids []int64
	seen := map[int64]bool{}
	for _, st := range steps {
		if !st.Cycle && slices.Contains(subprocessorRoles, st.Role) && !seen[st.LinkID] {
			ids, seen[st.LinkID] = append(ids, st.LinkID), true
		}
	}
	return s.exportLinks(ctx, ids, at)
}
