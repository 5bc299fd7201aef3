package store

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"

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
