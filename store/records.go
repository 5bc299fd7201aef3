package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

// Records of processing generated from the chain (issue 17, Art. 30). The
// recipients are the chain walk's (Walk, Responsibility: kedja_walk and
// kedja_up), with their standing and transfer verdict as the walk judges
// them; recordFacts adds, in one statement, what a record says of each
// link: purpose, categories, the systems used on it then with their
// profile and storage, and the receiving party's valid attestations.

// recordFact is what a record reads of one link at an instant.
type recordFact struct {
	LinkID       int64          `db:"link_id"`
	PartyID      int64          `db:"party_id"`
	Party        string         `db:"legal_name"`
	OrgNumber    *string        `db:"org_number"`
	Country      string         `db:"country_code"`
	CountryName  string         `db:"country_name"`
	Purpose      string         `db:"purpose"`
	Categories   pq.StringArray `db:"data_categories"`
	HealthData   bool           `db:"health_data"`
	Role         string         `db:"role"`
	TIADate      *time.Time     `db:"tia_date"`
	Systems      []byte         `db:"systems"`
	Attestations pq.StringArray `db:"attestations"`
}

const recordFactsSQL = `
SELECT l.id AS link_id, o.id AS party_id, o.legal_name, o.org_number, o.country_code, c.name AS country_name,
       l.purpose, l.data_categories, l.health_data, l.role, l.tia_date,
       COALESCE((
           SELECT jsonb_agg(jsonb_build_object(
                      'name', sy.name, 'kind', sy.kind, 'retentionDays', p.retention_days,
                      'measures', to_jsonb(array_remove(ARRAY[
                          CASE WHEN p.encryption_at_rest THEN 'encrypted at rest' WHEN NOT p.encryption_at_rest THEN 'not encrypted at rest' END,
                          CASE WHEN p.transport_encryption THEN 'transport encrypted' WHEN NOT p.transport_encryption THEN 'no transport encryption' END,
                          CASE WHEN p.authentication IS NOT NULL THEN 'authentication: ' || replace(p.authentication, '_', ' ') END,
                          CASE WHEN p.internet_exposed THEN 'reachable from the internet' WHEN NOT p.internet_exposed THEN 'not reachable from the internet' END],
                          NULL)),
                      'storage', COALESCE((SELECT jsonb_agg(DISTINCT sl.country_code) FROM system_locations sl
                                           WHERE sl.system_id = sy.id AND sl.purpose = 'storage' AND sl.valid @> CAST($2 AS timestamptz)), '[]'),
                      'access', COALESCE((SELECT jsonb_agg(DISTINCT sl.country_code) FROM system_locations sl
                                          WHERE sl.system_id = sy.id AND sl.purpose = 'access' AND sl.valid @> CAST($2 AS timestamptz)), '[]'))
                  ORDER BY sy.name)
           FROM system_uses u
           JOIN systems sy ON sy.id = u.system_id
           LEFT JOIN system_profiles p ON p.system_id = sy.id AND p.valid @> CAST($2 AS timestamptz)
           WHERE u.link_id = l.id AND u.valid @> CAST($2 AS timestamptz)), '[]') AS systems,
       COALESCE((
           SELECT array_agg(format('%s (%s, %s)', a.kind, a.issuer,
                                   COALESCE('until ' || CAST(a.valid_until AS text), 'no end stated')) ORDER BY a.kind, a.issued_on)
           FROM attestations a
           WHERE a.org_id = o.id AND kedja_attestation_valid(a.issued_on, a.valid_until, a.withdrawn_at, CAST($2 AS timestamptz))), '{}') AS attestations
FROM links l
JOIN organisations o ON o.id = l.to_id
JOIN countries c ON c.code = o.country_code
WHERE l.id = ANY($1)`

func (s *Store) recordFacts(ctx context.Context, links []int64, at time.Time) (map[int64]recordFact, error) {
	var rows []recordFact
	if err := s.selectx(ctx, s.q(ctx), &rows, recordFactsSQL, pq.Array(links), at); err != nil {
		return nil, fmt.Errorf("record facts: %w", err)
	}
	out := make(map[int64]recordFact, len(rows))
	for _, r := range rows {
		out[r.LinkID] = r
	}
	return out, nil
}

func (f recordFact) row(section string, depth int, via []string, st *registry.Step) (registry.RecordRow, error) {
	row := registry.RecordRow{Section: section, LinkID: f.LinkID, PartyID: f.PartyID, Party: f.Party, OrgNumber: f.OrgNumber,
		Country: f.Country, CountryName: f.CountryName, Role: f.Role, Depth: depth, Via: via, Purpose: f.Purpose,
		Categories: f.Categories, HealthData: f.HealthData, TIADate: f.TIADate, Attestations: f.Attestations}
	if st != nil {
		row.TransferClass, row.Transfer, row.TransferMechanism = st.TransferClass, st.Transfer, st.TransferMechanism
		row.SCCModule, row.AgreementRef = st.SCCModule, st.AgreementRef
	}
	if err := json.Unmarshal(f.Systems, &row.Systems); err != nil {
		return row, fmt.Errorf("record systems: %w", err)
	}
	return row, nil
}

// recordOf starts a record of party at at with the rows of its walk down:
// every link the chain reaches, cycles left out (the party is reached
// already).
func (s *Store) recordOf(ctx context.Context, kind string, party int64, field string, at time.Time) (registry.Record, []registry.Step, error) {
	o, err := s.Organisation(ctx, field, party)
	if err != nil {
		return registry.Record{}, nil, err
	}
	rec := registry.Record{Kind: kind, PartyID: o.ID, Party: o.LegalName, OrgNumber: o.OrgNumber, Country: o.Country, At: at}
	steps, truncated, err := s.Walk(ctx, party, at, registry.WalkOptions{})
	if err != nil {
		return rec, nil, err
	}
	rec.Truncated = truncated
	return rec, steps, nil
}

// addRecipients adds a row for each step, with the names of the parties
// between the record's party and the recipient.
func (s *Store) addRecipients(ctx context.Context, rec *registry.Record, steps []registry.Step, at time.Time) error {
	var ids []int64
	for _, st := range steps {
		if !st.Cycle {
			ids = append(ids, st.LinkID)
		}
	}
	facts, err := s.recordFacts(ctx, ids, at)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, f := range facts {
		names[f.PartyID] = f.Party
	}
	for i := range steps {
		st := &steps[i]
		if st.Cycle {
			continue
		}
		var via []string
		for _, p := range st.Path[1 : len(st.Path)-1] {
			via = append(via, names[p])
		}
		row, err := facts[st.LinkID].row("recipient", st.Depth, via, st)
		if err != nil {
			return err
		}
		rec.Rows = append(rec.Rows, row)
	}
	return nil
}

// stated loads party's own record of processing in force at at, if any.
func (s *Store) stated(ctx context.Context, party int64, at time.Time) (*registry.ProcessingRecord, error) {
	recs, err := s.RecordsByParty(ctx, []int64{party}, &at)
	if err != nil || len(recs[party]) == 0 {
		return nil, err
	}
	return &recs[party][0], nil
}

// ControllerRecord generates controller's Art. 30(1) record at at from its
// chain: every recipient at any depth, compared with its stated record.
func (s *Store) ControllerRecord(ctx context.Context, controller int64, at time.Time) (registry.Record, error) {
	var rec registry.Record
	err := s.snapshot(ctx, func(ctx context.Context) error {
		var steps []registry.Step
		var err error
		if rec, steps, err = s.recordOf(ctx, "controller", controller, "controller", at); err != nil {
			return err
		}
		if err := s.addRecipients(ctx, &rec, steps, at); err != nil {
			return err
		}
		st, err := s.stated(ctx, controller, at)
		rec.MarkStated(st)
		return err
	})
	return rec, err
}

// ProcessorRecord generates processor's Art. 30(2) record at at: a
// controller row for each link by which it receives data then (with the
// controller at the top of that path), and a recipient row for every party
// below it.
func (s *Store) ProcessorRecord(ctx context.Context, processor int64, at time.Time) (registry.Record, error) {
	var rec registry.Record
	err := s.snapshot(ctx, func(ctx context.Context) error {
		var steps []registry.Step
		var err error
		if rec, steps, err = s.recordOf(ctx, "processor", processor, "processor", at); err != nil {
			return err
		}
		up, err := s.walkUp(ctx, processor, 0, at, registry.WalkOptions{})
		if err != nil {
			return err
		}
		var into []int64
		for _, p := range up {
			if p.MoveID == nil && len(p.LinkPath) > 0 {
				into = append(into, p.LinkPath...)
			}
		}
		facts, err := s.recordFacts(ctx, into, at)
		if err != nil {
			return err
		}
		// The controller each path serves: the party at its top, or the
		// last party on it that receives the data as a controller (as
		// registry.Placements takes controllers); links and parties loaded
		// in two statements whatever the number of paths.
		pathLinks, err := s.Links(ctx, into)
		if err != nil {
			return err
		}
		controllerOf := func(path []int64) int64 {
			ctl := pathLinks[path[0]].FromID
			for _, id := range path[:len(path)-1] {
				if l := pathLinks[id]; l.Role == "joint_controller" || l.Role == "independent_controller" {
					ctl = l.ToID
				}
			}
			return ctl
		}
		var orgIDs []int64
		for _, p := range up {
			if p.MoveID == nil && len(p.LinkPath) > 0 {
				orgIDs = append(orgIDs, controllerOf(p.LinkPath))
			}
		}
		orgs, err := s.Organisations(ctx, orgIDs)
		if err != nil {
			return err
		}
		seen := map[[2]int64]bool{}
		for _, p := range up {
			if p.MoveID != nil || len(p.LinkPath) == 0 {
				continue
			}
			last := p.LinkPath[len(p.LinkPath)-1]
			ctl := orgs[controllerOf(p.LinkPath)]
			if seen[[2]int64{ctl.ID, last}] {
				continue
			}
			seen[[2]int64{ctl.ID, last}] = true
			row, err := facts[last].row("controller", 1, nil, nil)
			if err != nil {
				return err
			}
			// The row names the controller; the link's purpose and
			// categories are the processing done for it (Art. 30(2)(b)).
			row.PartyID, row.Party, row.OrgNumber, row.Country, row.CountryName = ctl.ID, ctl.LegalName, ctl.OrgNumber, ctl.Country, ctl.Country
			rec.Rows = append(rec.Rows, row)
		}
		if err := s.addRecipients(ctx, &rec, steps, at); err != nil {
			return err
		}
		st, err := s.stated(ctx, processor, at)
		rec.MarkStated(st)
		return err
	})
	return rec, err
}
