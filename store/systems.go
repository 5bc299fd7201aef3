package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/kedja/kedja/registry"
)

const periodCols = `lower(valid) AS valid_from, upper(valid) AS valid_to`

var systems = entity[registry.System]{
	table: "systems", what: "system",
	cols: `id, name, kind, operator_id, vendor_id, data_categories, description, ended_at`,
	ins: `INSERT INTO systems (name, kind, operator_id, vendor_id, data_categories, description)
		VALUES (:name, :kind, :operator_id, :vendor_id, :data_categories, :description) RETURNING id`,
	upd: `UPDATE systems SET name = :name, kind = :kind, operator_id = :operator_id, vendor_id = :vendor_id,
		data_categories = :data_categories, description = :description, ended_at = :ended_at WHERE id = :id`,
}

var systemProfiles = entity[registry.SystemProfile]{
	table: "system_profiles", what: "system profile",
	cols: `id, system_id, ` + periodCols + `, internet_exposed, authentication, transport_encryption,
		encryption_at_rest, retention_days, backup_exists, last_restore_test, recovery_time_hours, note`,
	ins: `INSERT INTO system_profiles (system_id, valid, internet_exposed, authentication, transport_encryption,
		encryption_at_rest, retention_days, backup_exists, last_restore_test, recovery_time_hours, note)
		VALUES (:system_id, tstzrange(:valid_from, :valid_to, '[)'), :internet_exposed, :authentication,
		:transport_encryption, :encryption_at_rest, :retention_days, :backup_exists, :last_restore_test,
		:recovery_time_hours, :note) RETURNING id`,
	upd: `UPDATE system_profiles SET valid = tstzrange(:valid_from, :valid_to, '[)'), internet_exposed = :internet_exposed,
		authentication = :authentication, transport_encryption = :transport_encryption,
		encryption_at_rest = :encryption_at_rest, retention_days = :retention_days, backup_exists = :backup_exists,
		last_restore_test = :last_restore_test, recovery_time_hours = :recovery_time_hours, note = :note WHERE id = :id`,
	check: func(ctx context.Context, s *Store, tx *sqlx.Tx, p *registry.SystemProfile) error {
		// A new profile replaces the one in force: the open profile that
		// started earlier ends where the new one starts.
		_, err := s.exec(ctx, tx, `UPDATE system_profiles SET valid = tstzrange(lower(valid), $2, '[)')
			WHERE system_id = $1 AND id <> $3 AND upper_inf(valid) AND lower(valid) < $2`,
			p.SystemID, p.From, p.ID)
		return err
	},
}

var systemLocations = entity[registry.SystemLocation]{
	table: "system_locations", what: "system location",
	cols: `id, system_id, country_code, purpose, ` + periodCols,
	ins: `INSERT INTO system_locations (system_id, country_code, purpose, valid)
		VALUES (:system_id, :country_code, :purpose, tstzrange(:valid_from, :valid_to, '[)')) RETURNING id`,
	upd: `UPDATE system_locations SET country_code = :country_code, purpose = :purpose,
		valid = tstzrange(:valid_from, :valid_to, '[)') WHERE id = :id`,
}

// CreateSystem stores a new system.
func (s *Store) CreateSystem(ctx context.Context, actor string, v *registry.System) (registry.System, error) {
	return create(ctx, s, actor, systems, v)
}

// UpdateSystem changes a system; NOT_FOUND if it does not exist.
func (s *Store) UpdateSystem(ctx context.Context, actor string, id int64, apply func(*registry.System) error) (registry.System, error) {
	return modify(ctx, s, actor, systems, id, apply)
}

// EndSystem records that a system was taken out of service at at.
func (s *Store) EndSystem(ctx context.Context, actor string, id int64, at time.Time) (registry.System, error) {
	var out registry.System
	err := s.write(ctx, actor, func(tx *sqlx.Tx) error {
		// A system out of service does no link's work any more: its uses
		// end with it, as a link's do.
		if err := s.endUses(ctx, tx, "system_id", id, at); err != nil {
			return err
		}
		var err error
		out, err = modifyTx(ctx, s, tx, systems, id, func(v *registry.System) error {
			if v.EndedAt != nil && v.EndedAt.Before(at) {
				return registry.Conflict("at", "already ended at %s", v.EndedAt.Format(time.RFC3339))
			}
			v.EndedAt = &at
			return nil
		})
		return err
	})
	return out, err
}

// Systems loads systems by id.
func (s *Store) Systems(ctx context.Context, ids []int64) (map[int64]registry.System, error) {
	return byIDs(ctx, s, systems, ids, func(v *registry.System) int64 { return v.ID })
}

// System loads one system; NOT_FOUND naming field if absent.
func (s *Store) System(ctx context.Context, field string, id int64) (registry.System, error) {
	var v registry.System
	err := s.get(ctx, s.q(ctx), field, "system", &v, systems.selectByID(), id)
	return v, err
}

// ListSystems lists systems in id order.
func (s *Store) ListSystems(ctx context.Context, f registry.SystemFilter, p registry.Page) ([]registry.System, bool, error) {
	return page[registry.System](ctx, s, p, `SELECT `+systems.cols+` FROM systems
		WHERE ($1::text IS NULL OR strpos(lower(name), lower($1)) > 0)
		  AND ($2::text IS NULL OR kind = $2)
		  AND ($3::bigint IS NULL OR operator_id = $3)
		  AND ($4::bigint IS NULL OR vendor_id = $4)
		  AND ($5 OR ended_at IS NULL OR ended_at > now())
		  AND id > $6
		ORDER BY id LIMIT $7`, f.NameContains, f.Kind, f.OperatorID, f.VendorID, f.IncludeEnded)
}

// SetSystemProfile records a system's security facts from p.From on; the
// profile in force until then ends there.
func (s *Store) SetSystemProfile(ctx context.Context, actor string, p *registry.SystemProfile) (registry.SystemProfile, error) {
	return create(ctx, s, actor, systemProfiles, p)
}

// AddSystemLocation records where a system stores data or is accessed from.
func (s *Store) AddSystemLocation(ctx context.Context, actor string, l *registry.SystemLocation) (registry.SystemLocation, error) {
	return create(ctx, s, actor, systemLocations, l)
}

// EndSystemLocation ends a location at at.
func (s *Store) EndSystemLocation(ctx context.Context, actor string, id int64, at time.Time) (registry.SystemLocation, error) {
	return modify(ctx, s, actor, systemLocations, id, func(l *registry.SystemLocation) error { return endPeriod(&l.Period, at) })
}

// endPeriod ends p at at; it may shorten a period but not end it before it
// starts or reopen one.
func endPeriod(p *registry.Period, at time.Time) error {
	if !at.After(p.From) {
		return registry.Invalid("at", "the end %s is not after the start %s", at.Format(time.RFC3339), p.From.Format(time.RFC3339))
	}
	if p.To != nil && p.To.Before(at) {
		return registry.Conflict("at", "already ended at %s", p.To.Format(time.RFC3339))
	}
	p.To = &at
	return nil
}

// Relations of systems.
var (
	systemsByOperator = relation[registry.System]{
		query: `SELECT ` + systems.cols + ` FROM systems WHERE operator_id = ANY($1)
			AND ($2::timestamptz IS NULL OR ended_at IS NULL OR ended_at > $2) ORDER BY name, id`,
		key: func(v *registry.System) int64 { return v.OperatorID },
	}
	profilesBySystem = relation[registry.SystemProfile]{
		query: `SELECT ` + systemProfiles.cols + ` FROM system_profiles WHERE system_id = ANY($1)
			AND ($2::timestamptz IS NULL OR valid @> $2) ORDER BY lower(valid), id`,
		key: func(v *registry.SystemProfile) int64 { return v.SystemID },
	}
	locationsBySystem = relation[registry.SystemLocation]{
		query: `SELECT ` + systemLocations.cols + ` FROM system_locations WHERE system_id = ANY($1)
			AND ($2::timestamptz IS NULL OR valid @> $2) ORDER BY purpose, country_code, lower(valid), id`,
		key: func(v *registry.SystemLocation) int64 { return v.SystemID },
	}
)
