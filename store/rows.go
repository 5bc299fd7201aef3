package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

// The registry keeps lists as plain slices and imports no database driver;
// database/sql cannot scan a PostgreSQL array into a plain slice. So store
// reads and writes such registry types through rows of its own: each embeds
// the registry type and shadows its list fields, under the same column
// names, with lib/pq's array types (and a link's routing windows with a
// type that keeps them as JSON). sqlx maps a column to the shallowest field
// of its name (reflectx keeps the first field met breadth-first), so the
// row's field is the one scanned and bound.
//
// get, selectx, insert and update pass every destination and argument
// through asRow, so the generic helpers (entity.go) and the queries read and
// write registry values as they are. A registry type that gains a list field
// needs a row here and a case in asRow: TestRowsMapListColumnsToArrayTypes
// says so, and reading it would fail with "unsupported Scan".

// row is what store scans a T into and binds a T from.
type row[T any] interface {
	toDomain() T
	fromDomain(v T)
}

// asRow returns what sqlx scans into, or binds from, in place of v: a row
// for a registry type with list fields (or for a slice of them), with a
// function that copies a scanned row into v; anything else as it is.
func asRow(v any) (target any, scanned func()) {
	switch v := v.(type) {
	case *registry.System:
		return one[systemRow](v)
	case *[]registry.System:
		return many[systemRow](v)
	case *registry.Link:
		return one[linkRow](v)
	case *[]registry.Link:
		return many[linkRow](v)
	case *registry.Attestation:
		return one[attestationRow](v)
	case *[]registry.Attestation:
		return many[attestationRow](v)
	case *registry.Finding:
		return one[findingRow](v)
	case *[]registry.Finding:
		return many[findingRow](v)
	case *registry.CheckRun:
		return one[checkRunRow](v)
	case *[]registry.CheckRun:
		return many[checkRunRow](v)
	case *registry.ProcessingRecord:
		return one[processingRecordRow](v)
	case *[]registry.ProcessingRecord:
		return many[processingRecordRow](v)
	case *registry.Incident:
		return one[incidentRow](v)
	case *[]registry.Incident:
		return many[incidentRow](v)
	case *registry.SystemTenancy:
		return one[tenancyRow](v)
	case *[]registry.SystemTenancy:
		return many[tenancyRow](v)
	case *registry.RiskAssessment:
		return one[assessmentRow](v)
	case *[]registry.RiskAssessment:
		return many[assessmentRow](v)
	case *registry.AgreementCondition:
		return one[conditionRow](v)
	case *[]registry.AgreementCondition:
		return many[conditionRow](v)
	case *[]registry.Duty:
		return many[dutyRow](v)
	case *[]registry.Step:
		return many[stepRow](v)
	case *[]registry.UseFacts:
		return many[useFactsRow](v)
	case *[]registry.MoveFacts:
		return many[moveFactsRow](v)
	case *[]registry.ExposurePoint:
		return many[exposurePointRow](v)
	}
	return v, func() {}
}

// one is asRow for a single value: the row starts as a copy of *v, so that
// it binds v and, like a scan into v itself, keeps what a query does not
// select.
func one[R, T any, PR interface {
	*R
	row[T]
}](v *T) (any, func()) {
	r := PR(new(R))
	r.fromDomain(*v)
	return r, func() { *v = r.toDomain() }
}

// many is asRow for a slice: like sqlx, it appends the rows read to *v.
func many[R, T any, PR interface {
	*R
	row[T]
}](v *[]T) (any, func()) {
	var rows []R
	return &rows, func() {
		for i := range rows {
			*v = append(*v, PR(&rows[i]).toDomain())
		}
	}
}

type systemRow struct {
	registry.System
	DataCategories pq.StringArray `db:"data_categories"`
}

func (r *systemRow) toDomain() registry.System {
	v := r.System
	v.DataCategories = r.DataCategories
	return v
}

func (r *systemRow) fromDomain(v registry.System) { r.System, r.DataCategories = v, v.DataCategories }

type linkRow struct {
	registry.Link
	DataCategories pq.StringArray `db:"data_categories"`
	RoutingWindows routingWindows `db:"routing_windows"`
}

func (r *linkRow) toDomain() registry.Link {
	v := r.Link
	v.DataCategories, v.RoutingWindows = r.DataCategories, registry.Windows(r.RoutingWindows)
	return v
}

func (r *linkRow) fromDomain(v registry.Link) {
	r.Link, r.DataCategories, r.RoutingWindows = v, v.DataCategories, routingWindows(v.RoutingWindows)
}

// routingWindows are a link's routing windows as its routing_windows column
// keeps them: a JSON array, or NULL for none.
type routingWindows registry.Windows

// Value implements driver.Valuer.
func (w routingWindows) Value() (driver.Value, error) {
	if w == nil {
		return nil, nil
	}
	b, err := json.Marshal([]registry.Window(w))
	return string(b), err
}

// Scan implements sql.Scanner.
func (w *routingWindows) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*w = nil
		return nil
	case []byte:
		return json.Unmarshal(v, (*[]registry.Window)(w))
	case string:
		return json.Unmarshal([]byte(v), (*[]registry.Window)(w))
	}
	return fmt.Errorf("store: cannot scan %T into routing windows", src)
}

type attestationRow struct {
	registry.Attestation
	CoveredSystemIDs pq.Int64Array `db:"covered_system_ids"`
}

func (r *attestationRow) toDomain() registry.Attestation {
	v := r.Attestation
	v.CoveredSystemIDs = r.CoveredSystemIDs
	return v
}

func (r *attestationRow) fromDomain(v registry.Attestation) {
	r.Attestation, r.CoveredSystemIDs = v, v.CoveredSystemIDs
}

type findingRow struct {
	registry.Finding
	Controllers findingControllers `db:"controllers"`
}

func (r *findingRow) toDomain() registry.Finding {
	v := r.Finding
	v.Controllers = r.Controllers
	v.ControllerID, v.Path = 0, nil
	if len(v.Controllers) > 0 {
		v.ControllerID, v.Path = v.Controllers[0].ControllerID, v.Controllers[0].Path
	}
	return v
}

func (r *findingRow) fromDomain(v registry.Finding) { r.Finding, r.Controllers = v, v.Controllers }

// findingControllers are a finding's controllers as the store reads them:
// a JSON array, NULL for none.
type findingControllers []registry.FindingController

// Value implements driver.Valuer.
func (c findingControllers) Value() (driver.Value, error) {
	if c == nil {
		return nil, nil
	}
	b, err := json.Marshal([]registry.FindingController(c))
	return string(b), err
}

// Scan implements sql.Scanner.
func (c *findingControllers) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c = nil
		return nil
	case []byte:
		return json.Unmarshal(v, (*[]registry.FindingController)(c))
	case string:
		return json.Unmarshal([]byte(v), (*[]registry.FindingController)(c))
	}
	return fmt.Errorf("store: cannot scan %T into finding controllers", src)
}

type checkRunRow struct {
	registry.CheckRun
	Checks pq.StringArray `db:"checks"`
}

func (r *checkRunRow) toDomain() registry.CheckRun {
	v := r.CheckRun
	v.Checks = r.Checks
	return v
}

func (r *checkRunRow) fromDomain(v registry.CheckRun) { r.CheckRun, r.Checks = v, v.Checks }

type stepRow struct {
	registry.Step
	Path     pq.Int64Array `db:"path"`
	LinkPath pq.Int64Array `db:"link_path"`
}

func (r *stepRow) toDomain() registry.Step {
	v := r.Step
	v.Path, v.LinkPath = r.Path, r.LinkPath
	return v
}

func (r *stepRow) fromDomain(v registry.Step) { r.Step, r.Path, r.LinkPath = v, v.Path, v.LinkPath }

type useFactsRow struct {
	registry.UseFacts
	Storage pq.StringArray `db:"storage_countries"`
}

func (r *useFactsRow) toDomain() registry.UseFacts {
	v := r.UseFacts
	v.Storage = r.Storage
	return v
}

func (r *useFactsRow) fromDomain(v registry.UseFacts) { r.UseFacts, r.Storage = v, v.Storage }

type moveFactsRow struct {
	registry.MoveFacts
	Storage pq.StringArray `db:"storage_countries"`
}

func (r *moveFactsRow) toDomain() registry.MoveFacts {
	v := r.MoveFacts
	v.Storage = r.Storage
	return v
}

func (r *moveFactsRow) fromDomain(v registry.MoveFacts) { r.MoveFacts, r.Storage = v, v.Storage }

// Explicit scanning for the rows the GraphQL loaders read most (parties,
// systems, links, system uses, findings): sqlx finds each row's fields by
// reflection (a new value and a walk of field indexes per row); here each
// column maps to a function giving the address of its field, resolved once
// a statement, and a row scans straight into the slice. The addresses and
// the scanners behind them (lib/pq's arrays, the JSON columns) are the ones
// sqlx scanned into through the rows above, so what is read is the same;
// TestExplicitScanMatchesSqlx compares them.

// scanner says where each column of a T goes, and what to finish after a
// row is scanned.
type scanner[T any] struct {
	cols   map[string]func(*T) any
	finish func(*T)
}

func periodColumns[T any](p func(*T) *registry.Period) map[string]func(*T) any {
	return map[string]func(*T) any{
		"valid_from": func(v *T) any { return &p(v).From },
		"valid_to":   func(v *T) any { return &p(v).To },
	}
}

func withColumns[T any](m map[string]func(*T) any, more map[string]func(*T) any) map[string]func(*T) any {
	for k, f := range more {
		m[k] = f
	}
	return m
}

var (
	organisationScanner = scanner[registry.Organisation]{cols: map[string]func(*registry.Organisation) any{
		"id":            func(v *registry.Organisation) any { return &v.ID },
		"legal_name":    func(v *registry.Organisation) any { return &v.LegalName },
		"org_number":    func(v *registry.Organisation) any { return &v.OrgNumber },
		"country_code":  func(v *registry.Organisation) any { return &v.Country },
		"kind":          func(v *registry.Organisation) any { return &v.Kind },
		"parent_id":     func(v *registry.Organisation) any { return &v.ParentID },
		"county_code":   func(v *registry.Organisation) any { return &v.CountyCode },
		"county_letter": func(v *registry.Organisation) any { return &v.CountyLetter },
		"time_zone":     func(v *registry.Organisation) any { return &v.TimeZone },
		"ended_at":      func(v *registry.Organisation) any { return &v.EndedAt },
	}}
	systemScanner = scanner[registry.System]{cols: map[string]func(*registry.System) any{
		"id":              func(v *registry.System) any { return &v.ID },
		"name":            func(v *registry.System) any { return &v.Name },
		"kind":            func(v *registry.System) any { return &v.Kind },
		"operator_id":     func(v *registry.System) any { return &v.OperatorID },
		"vendor_id":       func(v *registry.System) any { return &v.VendorID },
		"data_categories": func(v *registry.System) any { return (*pq.StringArray)(&v.DataCategories) },
		"description":     func(v *registry.System) any { return &v.Description },
		"ended_at":        func(v *registry.System) any { return &v.EndedAt },
	}}
	linkScanner = scanner[registry.Link]{cols: withColumns(map[string]func(*registry.Link) any{
		"id":                        func(v *registry.Link) any { return &v.ID },
		"from_id":                   func(v *registry.Link) any { return &v.FromID },
		"to_id":                     func(v *registry.Link) any { return &v.ToID },
		"role":                      func(v *registry.Link) any { return &v.Role },
		"purpose":                   func(v *registry.Link) any { return &v.Purpose },
		"data_categories":           func(v *registry.Link) any { return (*pq.StringArray)(&v.DataCategories) },
		"health_data":               func(v *registry.Link) any { return &v.HealthData },
		"agreement_ref":             func(v *registry.Link) any { return &v.AgreementRef },
		"agreement_date":            func(v *registry.Link) any { return &v.AgreementDate },
		"authorisation":             func(v *registry.Link) any { return &v.Authorisation },
		"authorisation_date":        func(v *registry.Link) any { return &v.AuthorisationDate },
		"authorising_controller_id": func(v *registry.Link) any { return &v.AuthorisingControllerID },
		"transfer_mechanism":        func(v *registry.Link) any { return &v.TransferMechanism },
		"scc_module":                func(v *registry.Link) any { return &v.SCCModule },
		"transfer_tool":             func(v *registry.Link) any { return &v.TransferTool },
		"tia_date":                  func(v *registry.Link) any { return &v.TIADate },
		"routing_note":              func(v *registry.Link) any { return &v.RoutingNote },
		"routing_time_zone":         func(v *registry.Link) any { return &v.RoutingTimeZone },
		"routing_windows":           func(v *registry.Link) any { return (*routingWindows)(&v.RoutingWindows) },
		"routing_share":             func(v *registry.Link) any { return &v.RoutingShare },
	}, periodColumns(func(v *registry.Link) *registry.Period { return &v.Period }))}
	systemUseScanner = scanner[registry.SystemUse]{cols: withColumns(map[string]func(*registry.SystemUse) any{
		"id":        func(v *registry.SystemUse) any { return &v.ID },
		"link_id":   func(v *registry.SystemUse) any { return &v.LinkID },
		"system_id": func(v *registry.SystemUse) any { return &v.SystemID },
		"party_id":  func(v *registry.SystemUse) any { return &v.PartyID },
		"purpose":   func(v *registry.SystemUse) any { return &v.Purpose },
	}, periodColumns(func(v *registry.SystemUse) *registry.Period { return &v.Period }))}
	findingScanner = scanner[registry.Finding]{cols: map[string]func(*registry.Finding) any{
		"id":             func(v *registry.Finding) any { return &v.ID },
		"check_id":       func(v *registry.Finding) any { return &v.Check },
		"subject_kind":   func(v *registry.Finding) any { return &v.SubjectKind },
		"subject_id":     func(v *registry.Finding) any { return &v.SubjectID },
		"controllers":    func(v *registry.Finding) any { return (*findingControllers)(&v.Controllers) },
		"severity":       func(v *registry.Finding) any { return &v.Severity },
		"status":         func(v *registry.Finding) any { return &v.Status },
		"legal_ref":      func(v *registry.Finding) any { return &v.LegalRef },
		"message":        func(v *registry.Finding) any { return &v.Message },
		"evidence":       func(v *registry.Finding) any { return &v.Evidence },
		"since":          func(v *registry.Finding) any { return &v.Since },
		"first_seen":     func(v *registry.Finding) any { return &v.FirstSeen },
		"last_seen":      func(v *registry.Finding) any { return &v.LastSeen },
		"resolved_at":    func(v *registry.Finding) any { return &v.ResolvedAt },
		"accepted_by":    func(v *registry.Finding) any { return &v.AcceptedBy },
		"accepted_until": func(v *registry.Finding) any { return &v.AcceptedUntil },
		"justification":  func(v *registry.Finding) any { return &v.Justification },
	}, finish: func(v *registry.Finding) {
		// As findingRow.toDomain.
		v.ControllerID, v.Path = 0, nil
		if len(v.Controllers) > 0 {
			v.ControllerID, v.Path = v.Controllers[0].ControllerID, v.Controllers[0].Path
		}
	}}
)

// scannerOf returns T's scanner; ok is false for a type sqlx reads.
func scannerOf[T any]() (scanner[T], bool) {
	var sc any
	switch any((*T)(nil)).(type) {
	case *registry.Organisation:
		sc = organisationScanner
	case *registry.System:
		sc = systemScanner
	case *registry.Link:
		sc = linkScanner
	case *registry.SystemUse:
		sc = systemUseScanner
	case *registry.Finding:
		sc = findingScanner
	}
	s, ok := sc.(scanner[T])
	return s, ok
}

// scanAll reads every row of rows into a new slice, or says (ok false,
// rows untouched) that a column has no field, for sqlx to read (and refuse
// as it does).
func (sc scanner[T]) scanAll(rows *sql.Rows) (out []T, ok bool, err error) {
	cols, err := rows.Columns()
	if err != nil {
		return nil, true, err
	}
	fields := make([]func(*T) any, len(cols))
	for i, c := range cols {
		if fields[i] = sc.cols[c]; fields[i] == nil {
			return nil, false, nil
		}
	}
	dest := make([]any, len(cols))
	for rows.Next() {
		var zero T
		out = append(out, zero)
		v := &out[len(out)-1]
		for i, f := range fields {
			dest[i] = f(v)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, true, err
		}
		if sc.finish != nil {
			sc.finish(v)
		}
	}
	return out, true, rows.Err()
}

// selectRows is selectx into a slice of T, scanned explicitly when T has a
// scanner and q is one selectIn runs prepared statements on.
func selectRows[T any](ctx context.Context, s *Store, q queryer, query string, args ...any) ([]T, error) {
	if sc, ok := scannerOf[T](); ok {
		out, ok, err := queryScan(ctx, s, q, sc, query, args...)
		if ok || err != nil {
			return out, err
		}
	}
	var out []T
	err := s.selectx(ctx, q, &out, query, args...)
	return out, err
}

// queryScan runs query as selectIn does (prepared, outside write
// transactions) and scans its rows with sc; ok is false, with nothing
// read, when q is of a kind it does not run or a column has no field in sc.
func queryScan[T any](ctx context.Context, s *Store, q queryer, sc scanner[T], query string, args ...any) (out []T, ok bool, err error) {
	tx, inWrite := q.(*sqlx.Tx)
	st, err := s.preparedFor(ctx, q, query)
	if err != nil {
		return nil, true, wrap(query, err)
	}
	var rows *sql.Rows
	switch {
	case st != nil:
		rows, err = st.QueryContext(ctx, args...)
	case inWrite:
		rows, err = tx.QueryContext(ctx, query, args...)
	default:
		return nil, false, nil
	}
	if err != nil {
		return nil, true, wrap(query, err)
	}
	defer rows.Close()
	out, ok, err = sc.scanAll(rows)
	if err != nil {
		return nil, true, wrap(query, err)
	}
	return out, ok, nil
}

// withRef is a row of T with the row of U it refers to, read in one
// statement (a link and its receiving party, a use and its system).
type withRef[T, U any] struct {
	row T
	ref U
}

// joinedScanner scans a T's columns and a U's, whose names carry prefix.
func joinedScanner[T, U any](t scanner[T], u scanner[U], prefix string) scanner[withRef[T, U]] {
	cols := map[string]func(*withRef[T, U]) any{}
	for k, f := range t.cols {
		cols[k] = func(v *withRef[T, U]) any { return f(&v.row) }
	}
	for k, f := range u.cols {
		cols[prefix+k] = func(v *withRef[T, U]) any { return f(&v.ref) }
	}
	return scanner[withRef[T, U]]{cols: cols, finish: func(v *withRef[T, U]) {
		if t.finish != nil {
			t.finish(&v.row)
		}
		if u.finish != nil {
			u.finish(&v.ref)
		}
	}}
}
