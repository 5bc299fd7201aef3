package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

var attestations = entity[registry.Attestation]{
	table: "attestations", what: "attestation",
	cols: `id, org_id, system_id, kind, issuer, issued_on, valid_until, scope, evidence_ref, covered_system_ids, withdrawn_at, self_assessed`,
	ins: `INSERT INTO attestations (org_id, system_id, kind, issuer, issued_on, valid_until, scope, evidence_ref, covered_system_ids, self_assessed)
		VALUES (:org_id, :system_id, :kind, :issuer, :issued_on, :valid_until, :scope, :evidence_ref, :covered_system_ids, :self_assessed)
		RETURNING id`,
	upd: `UPDATE attestations SET kind = :kind, issuer = :issuer, issued_on = :issued_on, valid_until = :valid_until,
		scope = :scope, evidence_ref = :evidence_ref, covered_system_ids = :covered_system_ids,
		withdrawn_at = :withdrawn_at, self_assessed = :self_assessed WHERE id = :id`,
	check: func(ctx context.Context, s *Store, tx *sqlx.Tx, a *registry.Attestation) error {
		// An array cannot carry foreign keys, so the covered systems are
		// checked here.
		return mustExist(ctx, s, tx, "systems", "coveredSystemIds", "system", a.CoveredSystemIDs)
	},
}

// CreateAttestation stores new security evidence.
func (s *Store) CreateAttestation(ctx context.Context, actor string, a *registry.Attestation) (registry.Attestation, error) {
	return create(ctx, s, actor, attestations, a)
}

// UpdateAttestation changes an attestation; NOT_FOUND if it does not exist,
// INVALID_INPUT on orgId or systemId if apply changes what it is about.
func (s *Store) UpdateAttestation(ctx context.Context, actor string, id int64, apply func(*registry.Attestation) error) (registry.Attestation, error) {
	return modify(ctx, s, actor, attestations, id, func(a *registry.Attestation) error {
		org, sys := a.OrgID, a.SystemID
		if err := apply(a); err != nil {
			return err
		}
		// Evidence about one party or system is not evidence about
		// another: the schema offers no way to move it, and no caller may.
		if !sameID(a.OrgID, org) {
			return registry.Invalid("orgId", "an attestation's subject cannot change; withdraw it and record a new one")
		}
		if !sameID(a.SystemID, sys) {
			return registry.Invalid("systemId", "an attestation's subject cannot change; withdraw it and record a new one")
		}
		return nil
	})
}

func sameID(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// WithdrawAttestation records that an attestation stopped counting at at.
func (s *Store) WithdrawAttestation(ctx context.Context, actor string, id int64, at time.Time) (registry.Attestation, error) {
	return modify(ctx, s, actor, attestations, id, func(a *registry.Attestation) error {
		if a.WithdrawnAt != nil && a.WithdrawnAt.Before(at) {
			return registry.Conflict("at", "already withdrawn at %s", a.WithdrawnAt.Format(time.RFC3339))
		}
		a.WithdrawnAt = &at
		return nil
	})
}

// Attestations loads attestations by id.
func (s *Store) Attestations(ctx context.Context, ids []int64) (map[int64]registry.Attestation, error) {
	return byIDs(ctx, s, attestations, ids, func(v *registry.Attestation) int64 { return v.ID })
}

// Attestation loads one attestation; NOT_FOUND naming field if absent.
func (s *Store) Attestation(ctx context.Context, field string, id int64) (registry.Attestation, error) {
	var v registry.Attestation
	err := s.get(ctx, s.q(ctx), field, "attestation", &v, attestations.selectByID(), id)
	return v, err
}

// ListAttestations lists attestations in id order.
func (s *Store) ListAttestations(ctx context.Context, f registry.AttestationFilter, p registry.Page) ([]registry.Attestation, bool, error) {
	return page[registry.Attestation](ctx, s, p, `SELECT `+attestations.cols+` FROM attestations
		WHERE ($1::text IS NULL OR kind = $1)
		  AND ($2::bigint IS NULL OR org_id = $2)
		  AND ($3::bigint IS NULL OR system_id = $3)
		  AND ($4::date IS NULL OR kedja_attestation_valid(issued_on, valid_until, withdrawn_at, $4::date))
		  AND ($5 OR kedja_attestation_status(issued_on, valid_until, withdrawn_at, now()) <> 'withdrawn')
		  AND ($6::date IS NULL OR valid_until BETWEEN current_date AND $6::date)
		  AND id > $7
		ORDER BY id LIMIT $8`, f.Kind, f.OrgID, f.SystemID, nullTime(f.ValidOn), f.IncludeWithdrawn, nullTime(f.ExpiringBy))
}

// attestationsBy is the relation of the attestations whose column holds the
// parent id; with an instant, only those that count then.
func attestationsBy(column string, key func(*registry.Attestation) int64) relation[registry.Attestation] {
	return relation[registry.Attestation]{
		query: `SELECT ` + attestations.cols + ` FROM attestations WHERE ` + column + ` = ANY($1)
			AND ($2::timestamptz IS NULL OR kedja_attestation_valid(issued_on, valid_until, withdrawn_at, $2))
			ORDER BY issued_on, id`,
		key: key,
	}
}

// Relations of attestations.
var (
	attestationsByOrg    = attestationsBy("org_id", func(v *registry.Attestation) int64 { return *v.OrgID })
	attestationsBySystem = attestationsBy("system_id", func(v *registry.Attestation) int64 { return *v.SystemID })
)

// AttestationStatuses says of each attestation whether it counts at an
// instant (kedja_attestation_status), in one statement.
func (s *Store) AttestationStatuses(ctx context.Context, ids []int64, at time.Time) (map[int64]string, error) {
	var rows []struct {
		ID     int64  `db:"id"`
		Status string `db:"status"`
	}
	if err := s.selectx(ctx, s.q(ctx), &rows, `SELECT id, kedja_attestation_status(issued_on, valid_until, withdrawn_at, $2) AS status
		FROM attestations WHERE id = ANY($1)`, pq.Array(ids), at); err != nil {
		return nil, fmt.Errorf("attestation statuses: %w", err)
	}
	out := make(map[int64]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Status
	}
	return out, nil
}
