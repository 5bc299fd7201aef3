package store

import (
	"context"
	"time"

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

// OpenFindingsOf loads the open findings about subjects of one kind; the
// kind is checked against the known ones because it names the subject
// column's value in the statement.
func (s *Store) OpenFindingsOf(ctx context.Context, kind string, ids []int64, at *time.Time) (map[int64][]registry.Finding, error) {
	rel, ok := openFindings[kind]
	if !ok {
		return nil, registry.Invalid("subjectKind", "%q is not a kind of subject; the kinds are party, system and link", kind)
	}
	return loadRelation(ctx, s, rel, ids, at)
}

var openFindings = map[string]relation[registry.Finding]{
	"party":  openFindingsOf("party"),
	"system": openFindingsOf("system"),
	"link":   openFindingsOf("link"),
}
