package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

// The registry's one-to-many relations, each loaded for many parents in one
// statement (registry.Services documents them).

func (s *Store) OrganisationChildren(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.Organisation, error) {
	return loadRelation(ctx, s, organisationChildren, ids, at)
}

func (s *Store) SystemsByOperator(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.System, error) {
	return loadRelation(ctx, s, systemsByOperator, ids, at)
}

func (s *Store) ProfilesBySystem(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.SystemProfile, error) {
	return loadRelation(ctx, s, profilesBySystem, ids, at)
}

func (s *Store) LocationsBySystem(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.SystemLocation, error) {
	return loadRelation(ctx, s, locationsBySystem, ids, at)
}

func (s *Store) LinksFrom(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.Link, error) {
	return loadRelation(ctx, s, linksFrom, ids, at)
}

func (s *Store) LinksTo(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.Link, error) {
	return loadRelation(ctx, s, linksTo, ids, at)
}

func (s *Store) RoleFindingsByLink(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.RoleFinding, error) {
	return loadRelation(ctx, s, roleFindingsByLink, ids, at)
}

func (s *Store) UsesByLink(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.SystemUse, error) {
	return loadRelation(ctx, s, usesByLink, ids, at)
}

func (s *Store) UsesByParty(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.SystemUse, error) {
	return loadRelation(ctx, s, usesByParty, ids, at)
}

func (s *Store) UsesBySystem(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.SystemUse, error) {
	return loadRelation(ctx, s, usesBySystem, ids, at)
}

func (s *Store) MovesFromSystem(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.DataMove, error) {
	return loadRelation(ctx, s, movesFromSystem, ids, at)
}

func (s *Store) MovesToSystem(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.DataMove, error) {
	return loadRelation(ctx, s, movesToSystem, ids, at)
}

func (s *Store) AttestationsByOrg(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.Attestation, error) {
	return loadRelation(ctx, s, attestationsByOrg, ids, at)
}

func (s *Store) AttestationsBySystem(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.Attestation, error) {
	return loadRelation(ctx, s, attestationsBySystem, ids, at)
}

func (s *Store) FindingEvents(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.FindingEvent, error) {
	return loadRelation(ctx, s, findingEvents, ids, at)
}

func (s *Store) PoliciesByController(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.LocationPolicy, error) {
	return loadRelation(ctx, s, policiesByController, ids, at)
}

// OpenFindingsOf loads the open findings about subjects of one kind, every
// part of them read.
func (s *Store) OpenFindingsOf(ctx context.Context, kind string, ids []int64, at *time.Time) (map[int64][]registry.Finding, error) {
	return s.OpenFindingsWith(ctx, kind, registry.AllFindingParts, ids, at)
}

// OpenFindingsWith loads the open findings about subjects of one kind with
// the costlier parts in parts. The kind is checked against the known ones
// because it names the subject column's value in the statement.
func (s *Store) OpenFindingsWith(ctx context.Context, kind string, parts registry.FindingParts, ids []int64, at *time.Time) (map[int64][]registry.Finding, error) {
	rels, ok := openFindings[kind]
	if !ok {
		return nil, registry.Invalid("subjectKind", "%q is not a kind of subject; the kinds are party, system and link", kind)
	}
	return loadRelation(ctx, s, rels[parts&registry.AllFindingParts], ids, at)
}

// openFindings holds a statement per kind of subject and combination of
// parts, made once, so that each stays one prepared statement.
var openFindings = map[string][registry.AllFindingParts + 1]relation[registry.Finding]{
	"party":  openFindingsByParts("party"),
	"system": openFindingsByParts("system"),
	"link":   openFindingsByParts("link"),
}

func openFindingsByParts(kind string) (out [registry.AllFindingParts + 1]relation[registry.Finding]) {
	for p := range out {
		out[p] = openFindingsOf(kind, registry.FindingParts(p))
	}
	return out
}

// LinksFromWithParties is LinksFrom with each link's receiving party, read
// by the same statement.
func (s *Store) LinksFromWithParties(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.Link, map[int64]registry.Organisation, error) {
	return loadWithRefs(ctx, s, linksFromWithParties, ids, at,
		func(l *registry.Link) int64 { return l.FromID }, func(o *registry.Organisation) int64 { return o.ID })
}

// UsesByPartyWithSystems is UsesByParty with each use's system, read by the
// same statement.
func (s *Store) UsesByPartyWithSystems(ctx context.Context, ids []int64, at *time.Time) (map[int64][]registry.SystemUse, map[int64]registry.System, error) {
	return loadWithRefs(ctx, s, usesByPartyWithSystems, ids, at,
		func(u *registry.SystemUse) int64 { return u.PartyID }, func(v *registry.System) int64 { return v.ID })
}

// validAt keeps the rows whose valid period holds the instant $2, or every
// row when $2 is null: what "($2::timestamptz IS NULL OR valid @> $2)"
// says, as one condition. A period overlaps the one-instant range [t, t]
// exactly when it holds t, and tstzrange(NULL, NULL) is unbounded, so it
// overlaps every period (none is empty: the tables' CHECK NOT
// isempty(valid)). The OR cannot be an index condition in a prepared
// statement's generic plan, so PostgreSQL planned such a statement anew on
// every run (its custom plans looked cheaper than a generic one that reads
// every period of every key); this form's generic plan searches the GiST
// index on (key, valid) and is kept, planned once per connection.
const validAt = `valid && tstzrange($2::timestamptz, $2::timestamptz, '[]')`

// everyRow is query, filtered by validAt, for every row: without an
// instant a generic plan that searches the GiST index over every period
// of every key is slower than one over the key's btree index, so such a
// relation runs a statement of its own without one (atRelation).
func everyRow(query string) string {
	out := strings.Replace(query, validAt, "TRUE", 1)
	if out == query {
		panic("store: no validAt condition in " + statementName(query))
	}
	return out
}

// atRelation is rel with its statement for every row (everyRow).
func atRelation[T any](rel relation[T]) relation[T] {
	rel.every = everyRow(rel.query)
	return rel
}

// joinedRelation is a relation (its rows, filter and order as the plain
// one's) joined to the row each of its rows refers to.
type joinedRelation[T, U any] struct {
	query string
	every string // query without an instant (everyRow)
	sc    scanner[withRef[T, U]]
}

// refCols lists cols (plain column names) of alias, each named with prefix.
func refCols(alias, prefix, cols string) string {
	var out []string
	for _, c := range strings.Split(cols, ",") {
		c = strings.TrimSpace(c)
		out = append(out, alias+"."+c+" AS "+prefix+c)
	}
	return strings.Join(out, ", ")
}

var (
	linksFromWithParties = joinedRelation[registry.Link, registry.Organisation]{
		query: `SELECT l.*, ` + refCols("p", "p_", organisations.cols) + `
			FROM (SELECT ` + links.cols + ` FROM links WHERE from_id = ANY($1)
			      AND ` + validAt + `) l
			JOIN organisations p ON p.id = l.to_id
			ORDER BY l.valid_from, l.id`,
		sc: joinedScanner(linkScanner, organisationScanner, "p_"),
	}
	usesByPartyWithSystems = joinedRelation[registry.SystemUse, registry.System]{
		query: `SELECT u.*, ` + refCols("y", "y_", systems.cols) + `
			FROM (SELECT ` + systemUses.cols + ` FROM system_uses WHERE party_id = ANY($1)
			      AND ` + validAt + `) u
			JOIN systems y ON y.id = u.system_id
			ORDER BY u.valid_from, u.id`,
		sc: joinedScanner(systemUseScanner, systemScanner, "y_"),
	}
)

func init() {
	linksFromWithParties.every = everyRow(linksFromWithParties.query)
	usesByPartyWithSystems.every = everyRow(usesByPartyWithSystems.query)
}

// loadWithRefs is loadRelation for a joined relation: the rows by parent,
// and the rows they refer to by id.
func loadWithRefs[T, U any](ctx context.Context, s *Store, rel joinedRelation[T, U], keys []int64, at *time.Time,
	key func(*T) int64, refID func(*U) int64) (map[int64][]T, map[int64]U, error) {
	query, args := rel.query, []any{pq.Array(keys), nullTime(at)}
	if at == nil && rel.every != "" {
		query, args = rel.every, args[:1]
	}
	rows, ok, err := queryScan(ctx, s, s.q(ctx), rel.sc, query, args...)
	if err == nil && !ok {
		err = fmt.Errorf("store: %s: a column has no field, or the reader cannot run it", statementName(query))
	}
	if err != nil {
		return nil, nil, err
	}
	out := make(map[int64][]T, len(keys))
	refs := make(map[int64]U, len(rows))
	for i := range rows {
		k := key(&rows[i].row)
		out[k] = append(out[k], rows[i].row)
		refs[refID(&rows[i].ref)] = rows[i].ref
	}
	return out, refs, nil
}
