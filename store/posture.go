package store

import (
	"context"
	"time"

	"github.com/kedja/kedja/registry"
)

// Access paths and relations between systems (migrations/0012_posture.sql).

var accessPaths = entity[registry.AccessPath]{
	table: "access_paths", what: "access path",
	cols: `id, system_id, audience, origin, gateway_id, authentication, privileged, head_count, staff_cleared, note, ` + periodCols,
	ins: `INSERT INTO access_paths (system_id, audience, origin, gateway_id, authentication, privileged, head_count, staff_cleared, note, valid)
		VALUES (:system_id, :audience, :origin, :gateway_id, :authentication, :privileged, :head_count, :staff_cleared, :note,
		tstzrange(:valid_from, :valid_to, '[)')) RETURNING id`,
	upd: `UPDATE access_paths SET valid = tstzrange(:valid_from, :valid_to, '[)') WHERE id = :id`,
}

var systemRelations = entity[registry.SystemRelation]{
	table: "system_relations", what: "system relation",
	cols: `id, from_system_id, to_system_id, kind, note, ` + periodCols,
	ins: `INSERT INTO system_relations (from_system_id, to_system_id, kind, note, valid)
		VALUES (:from_system_id, :to_system_id, :kind, :note, tstzrange(:valid_from, :valid_to, '[)')) RETURNING id`,
	upd: `UPDATE system_relations SET valid = tstzrange(:valid_from, :valid_to, '[)') WHERE id = :id`,
}

// AddAccessPath records a way into a system.
func (s *Store) AddAccessPath(ctx context.Context, actor string, a *registry.AccessPath) (registry.AccessPath, error) {
	return create(ctx, s, actor, accessPaths, a)
}

// EndAccessPath ends an access path at at.
func (s *Store) EndAccessPath(ctx context.Context, actor string, id int64, at time.Time) (registry.AccessPath, error) {
	return modify(ctx, s, actor, accessPaths, id, func(a *registry.AccessPath) error { return endPeriod(&a.Period, at) })
}

// AddSystemRelation records a relation between two systems.
func (s *Store) AddSystemRelation(ctx context.Context, actor string, r *registry.SystemRelation) (registry.SystemRelation, error) {
	return create(ctx, s, actor, systemRelations, r)
}

// EndSystemRelation ends a relation between systems at at.
func (s *Store) EndSystemRelation(ctx context.Context, actor string, id int64, at time.Time) (registry.SystemRelation, error) {
	return modify(ctx, s, actor, systemRelations, id, func(r *registry.SystemRelation) error { return endPeriod(&r.Period, at) })
}

func (s *Store) AccessPathsBySystem(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.AccessPath, error) {
	return loadRelation(ctx, s, accessPathsBySystem, ids, at)
}

func (s *Store) AccessPathsByGateway(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.AccessPath, error) {
	return loadRelation(ctx, s, accessPathsByGateway, ids, at)
}

func (s *Store) RelationsFrom(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.SystemRelation, error) {
	return loadRelation(ctx, s, relationsFrom, ids, at)
}

func (s *Store) RelationsTo(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.SystemRelation, error) {
	return loadRelation(ctx, s, relationsTo, ids, at)
}

var (
	accessPathsBySystem = relation[registry.AccessPath]{
		query: `SELECT ` + accessPaths.cols + ` FROM access_paths WHERE system_id = ANY($1)
			AND ($2::timestamptz IS NULL OR valid @> $2) ORDER BY origin, audience, privileged, lower(valid), id`,
		key: func(a *registry.AccessPath) int64 { return a.SystemID },
	}
	accessPathsByGateway = relation[registry.AccessPath]{
		query: `SELECT ` + accessPaths.cols + ` FROM access_paths WHERE gateway_id = ANY($1)
			AND ($2::timestamptz IS NULL OR valid @> $2) ORDER BY origin, audience, privileged, lower(valid), id`,
		key: func(a *registry.AccessPath) int64 { return *a.GatewayID },
	}
	relationsFrom = relation[registry.SystemRelation]{
		query: `SELECT ` + systemRelations.cols + ` FROM system_relations WHERE from_system_id = ANY($1)
			AND ($2::timestamptz IS NULL OR valid @> $2) ORDER BY kind, lower(valid), id`,
		key: func(r *registry.SystemRelation) int64 { return r.FromSystemID },
	}
	relationsTo = relation[registry.SystemRelation]{
		query: `SELECT ` + systemRelations.cols + ` FROM system_relations WHERE to_system_id = ANY($1)
			AND ($2::timestamptz IS NULL OR valid @> $2) ORDER BY kind, lower(valid), id`,
		key: func(r *registry.SystemRelation) int64 { return r.ToSystemID },
	}
)
