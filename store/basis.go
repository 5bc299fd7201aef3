package store

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

// Disclosure bases, subcontractor approvals, caller notices and records of
// processing (migrations/0011_legal_basis.sql).

func init() {
	for k, v := range map[string][2]string{
		"disclosure_bases_no_overlap":        {"validFrom", "the link already has a disclosure basis in an overlapping period"},
		"subcontractor_approvals_no_overlap": {"validFrom", "the controller already approved this link in an overlapping period"},
		"caller_notices_no_overlap":          {"validFrom", "the controller already has a caller notice in an overlapping period"},
		"processing_records_no_overlap":      {"validFrom", "the party already has a record of processing in an overlapping period"},
	} {
		conflicts[k] = v
	}
}

// replaceOpen ends, at the new row's start, the open-ended row of the same
// owner that started before it: a new record replaces the one in force.
func replaceOpen(table, owner string) string {
	return `UPDATE ` + table + ` SET valid = tstzrange(lower(valid), $2, '[)')
		WHERE ` + owner + ` = $1 AND id <> $3 AND upper_inf(valid) AND lower(valid) < $2`
}

var disclosureBases = entity[registry.DisclosureBasis]{
	table: "disclosure_bases", what: "disclosure basis",
	cols: `id, link_id, basis, reference, authority, note, ` + periodCols,
	ins: `INSERT INTO disclosure_bases (link_id, basis, reference, authority, note, valid)
		VALUES (:link_id, :basis, :reference, :authority, :note, tstzrange(:valid_from, :valid_to, '[)')) RETURNING id`,
	upd: `UPDATE disclosure_bases SET valid = tstzrange(:valid_from, :valid_to, '[)') WHERE id = :id`,
	check: func(ctx context.Context, s *Store, tx *sqlx.Tx, b *registry.DisclosureBasis) error {
		_, err := s.exec(ctx, tx, replaceOpen("disclosure_bases", "link_id"), b.LinkID, b.From, b.ID)
		return err
	},
}

var approvals = entity[registry.SubcontractorApproval]{
	table: "subcontractor_approvals", what: "subcontractor approval",
	cols: `id, controller_id, link_id, kind, reference, note, ` + periodCols,
	ins: `INSERT INTO subcontractor_approvals (controller_id, link_id, kind, reference, note, valid)
		VALUES (:controller_id, :link_id, :kind, :reference, :note, tstzrange(:valid_from, :valid_to, '[)')) RETURNING id`,
	upd: `UPDATE subcontractor_approvals SET valid = tstzrange(:valid_from, :valid_to, '[)') WHERE id = :id`,
}

var callerNotices = entity[registry.CallerNotice]{
	table: "caller_notices", what: "caller notice",
	cols: `id, controller_id, mentions_recording, mentions_recipients, mentions_transfers, mentions_retention, reference, note, ` + periodCols,
	ins: `INSERT INTO caller_notices (controller_id, mentions_recording, mentions_recipients, mentions_transfers, mentions_retention,
		reference, note, valid)
		VALUES (:controller_id, :mentions_recording, :mentions_recipients, :mentions_transfers, :mentions_retention,
		:reference, :note, tstzrange(:valid_from, :valid_to, '[)')) RETURNING id`,
	upd: `UPDATE caller_notices SET valid = tstzrange(:valid_from, :valid_to, '[)') WHERE id = :id`,
	check: func(ctx context.Context, s *Store, tx *sqlx.Tx, n *registry.CallerNotice) error {
		_, err := s.exec(ctx, tx, replaceOpen("caller_notices", "controller_id"), n.ControllerID, n.From, n.ID)
		return err
	},
}

var processingRecords = entity[registry.ProcessingRecord]{
	table: "processing_records", what: "record of processing",
	cols: `id, party_id, named_party_ids, transfer_countries, reference, note, ` + periodCols,
	ins: `INSERT INTO processing_records (party_id, named_party_ids, transfer_countries, reference, note, valid)
		VALUES (:party_id, :named_party_ids, :transfer_countries, :reference, :note, tstzrange(:valid_from, :valid_to, '[)')) RETURNING id`,
	upd: `UPDATE processing_records SET valid = tstzrange(:valid_from, :valid_to, '[)') WHERE id = :id`,
	check: func(ctx context.Context, s *Store, tx *sqlx.Tx, r *registry.ProcessingRecord) error {
		// An array cannot carry foreign keys: the named parties and
		// countries are checked here.
		if err := mustExist(ctx, s, tx, "organisations", "namedPartyIds", "organisation", r.NamedPartyIDs); err != nil {
			return err
		}
		var unknown []string
		if err := s.selectx(ctx, tx, &unknown, `SELECT c FROM unnest(CAST($1 AS text[])) AS c
			WHERE NOT EXISTS (SELECT 1 FROM countries k WHERE k.code = c) ORDER BY c`, pq.Array(r.TransferCountries)); err != nil {
			return err
		}
		if len(unknown) > 0 {
			return registry.Invalid("transferCountries", "unknown country code %s", unknown[0])
		}
		_, err := s.exec(ctx, tx, replaceOpen("processing_records", "party_id"), r.PartyID, r.From, r.ID)
		return err
	},
}

type processingRecordRow struct {
	registry.ProcessingRecord
	NamedPartyIDs     pq.Int64Array  `db:"named_party_ids"`
	TransferCountries pq.StringArray `db:"transfer_countries"`
}

func (r *processingRecordRow) toDomain() registry.ProcessingRecord {
	v := r.ProcessingRecord
	v.NamedPartyIDs, v.TransferCountries = r.NamedPartyIDs, r.TransferCountries
	return v
}

func (r *processingRecordRow) fromDomain(v registry.ProcessingRecord) {
	r.ProcessingRecord, r.NamedPartyIDs, r.TransferCountries = v, v.NamedPartyIDs, v.TransferCountries
}

// SetDisclosureBasis records the basis of a link from b.From on; the
// link's open-ended basis until then ends there.
func (s *Store) SetDisclosureBasis(ctx context.Context, actor string, b *registry.DisclosureBasis) (registry.DisclosureBasis, error) {
	return create(ctx, s, actor, disclosureBases, b)
}

// EndDisclosureBasis ends a disclosure basis at at.
func (s *Store) EndDisclosureBasis(ctx context.Context, actor string, id int64, at time.Time) (registry.DisclosureBasis, error) {
	return modify(ctx, s, actor, disclosureBases, id, func(b *registry.DisclosureBasis) error { return endPeriod(&b.Period, at) })
}

// CreateApproval records a controller's approval of a subcontractor.
func (s *Store) CreateApproval(ctx context.Context, actor string, a *registry.SubcontractorApproval) (registry.SubcontractorApproval, error) {
	return create(ctx, s, actor, approvals, a)
}

// EndApproval ends an approval (withdrawn, or objected to) at at.
func (s *Store) EndApproval(ctx context.Context, actor string, id int64, at time.Time) (registry.SubcontractorApproval, error) {
	return modify(ctx, s, actor, approvals, id, func(a *registry.SubcontractorApproval) error { return endPeriod(&a.Period, at) })
}

// SetCallerNotice records a controller's notice to callers from n.From on.
func (s *Store) SetCallerNotice(ctx context.Context, actor string, n *registry.CallerNotice) (registry.CallerNotice, error) {
	return create(ctx, s, actor, callerNotices, n)
}

// EndCallerNotice ends a caller notice at at.
func (s *Store) EndCallerNotice(ctx context.Context, actor string, id int64, at time.Time) (registry.CallerNotice, error) {
	return modify(ctx, s, actor, callerNotices, id, func(n *registry.CallerNotice) error { return endPeriod(&n.Period, at) })
}

// SetProcessingRecord records a party's record of processing from r.From on.
func (s *Store) SetProcessingRecord(ctx context.Context, actor string, r *registry.ProcessingRecord) (registry.ProcessingRecord, error) {
	return create(ctx, s, actor, processingRecords, r)
}

// EndProcessingRecord ends a record of processing at at.
func (s *Store) EndProcessingRecord(ctx context.Context, actor string, id int64, at time.Time) (registry.ProcessingRecord, error) {
	return modify(ctx, s, actor, processingRecords, id, func(r *registry.ProcessingRecord) error { return endPeriod(&r.Period, at) })
}

// Relations: each owner's rows, oldest first; with an instant, those in
// force then.
var (
	basesByLink = relation[registry.DisclosureBasis]{
		query: `SELECT ` + disclosureBases.cols + ` FROM disclosure_bases WHERE link_id = ANY($1)
			AND (CAST($2 AS timestamptz) IS NULL OR valid @> CAST($2 AS timestamptz)) ORDER BY lower(valid), id`,
		key: func(b *registry.DisclosureBasis) int64 { return b.LinkID },
	}
	approvalsByLink = relation[registry.SubcontractorApproval]{
		query: `SELECT ` + approvals.cols + ` FROM subcontractor_approvals WHERE link_id = ANY($1)
			AND (CAST($2 AS timestamptz) IS NULL OR valid @> CAST($2 AS timestamptz)) ORDER BY lower(valid), id`,
		key: func(a *registry.SubcontractorApproval) int64 { return a.LinkID },
	}
	noticesByController = relation[registry.CallerNotice]{
		query: `SELECT ` + callerNotices.cols + ` FROM caller_notices WHERE controller_id = ANY($1)
			AND (CAST($2 AS timestamptz) IS NULL OR valid @> CAST($2 AS timestamptz)) ORDER BY lower(valid), id`,
		key: func(n *registry.CallerNotice) int64 { return n.ControllerID },
	}
	recordsByParty = relation[registry.ProcessingRecord]{
		query: `SELECT ` + processingRecords.cols + ` FROM processing_records WHERE party_id = ANY($1)
			AND (CAST($2 AS timestamptz) IS NULL OR valid @> CAST($2 AS timestamptz)) ORDER BY lower(valid), id`,
		key: func(r *registry.ProcessingRecord) int64 { return r.PartyID },
	}
)

// DisclosureBasesByLink loads the links' disclosure bases.
func (s *Store) DisclosureBasesByLink(ctx context.Context, links []int64, at *time.Time) (map[int64][]registry.DisclosureBasis, error) {
	return loadRelation(ctx, s, basesByLink, links, at)
}

// ApprovalsByLink loads the approvals of the parties engaged on links.
func (s *Store) ApprovalsByLink(ctx context.Context, links []int64, at *time.Time) (map[int64][]registry.SubcontractorApproval, error) {
	return loadRelation(ctx, s, approvalsByLink, links, at)
}

// NoticesByController loads controllers' notices to callers.
func (s *Store) NoticesByController(ctx context.Context, controllers []int64, at *time.Time) (map[int64][]registry.CallerNotice, error) {
	return loadRelation(ctx, s, noticesByController, controllers, at)
}

// RecordsByParty loads parties' records of processing.
func (s *Store) RecordsByParty(ctx context.Context, parties []int64, at *time.Time) (map[int64][]registry.ProcessingRecord, error) {
	return loadRelation(ctx, s, recordsByParty, parties, at)
}
