package registry

import (
	"context"
	"time"
)

// The legal basis of a disclosure and the controllers' own duties: the
// basis on which a party hands data over on a link, a controller's approval
// of a subcontractor engaged below it, the information callers are given
// (GDPR Art. 13) and the records of processing (Art. 30). Each is dated, and
// each is judged by rules that live in the database (migrations/0011).

// DisclosureBases are what may allow the sending party of a link to hand
// the data over: processing on the controller's instruction under an Art.
// 28 agreement, a statute (with its reference), the data subject's consent,
// none (as found or recorded), or unknown (asked, not established).
var DisclosureBases = []string{"processor_instruction", "statute", "consent", "none", "unknown"}

// ApprovalKinds are how a controller approves a subcontractor: this one
// (specific) or any, subject to notice and objection (general).
var ApprovalKinds = []string{"specific", "general"}

// DisclosureBasis is what allowed a link's sending party to hand the data
// over, during a period.
type DisclosureBasis struct {
	ID     int64  `db:"id"`
	LinkID int64  `db:"link_id"`
	Basis  string `db:"basis"`
	// Reference is the statute, agreement or decision relied on; required
	// for a statute.
	Reference *string `db:"reference"`
	// Authority is who found the basis (a regulator or court), where it is
	// their finding rather than the parties' account.
	Authority *string `db:"authority"`
	Note      *string `db:"note"`
	Period
}

// SubcontractorApproval is a controller's approval of the party engaged on
// a link below it, during a period (until withdrawn).
type SubcontractorApproval struct {
	ID           int64   `db:"id"`
	ControllerID int64   `db:"controller_id"`
	LinkID       int64   `db:"link_id"`
	Kind         string  `db:"kind"`
	Reference    *string `db:"reference"`
	Note         *string `db:"note"`
	Period
}

// CallerNotice is the information a controller gave callers (Art. 13)
// during a period, and what it told them.
type CallerNotice struct {
	ID                 int64   `db:"id"`
	ControllerID       int64   `db:"controller_id"`
	MentionsRecording  bool    `db:"mentions_recording"`
	MentionsRecipients bool    `db:"mentions_recipients"`
	MentionsTransfers  bool    `db:"mentions_transfers"`
	MentionsRetention  bool    `db:"mentions_retention"`
	Reference          *string `db:"reference"`
	Note               *string `db:"note"`
	Period
}

// ProcessingRecord is a party's record of processing (Art. 30) as it read
// during a period: the parties and the third countries of transfers it
// names.
type ProcessingRecord struct {
	ID                int64    `db:"id"`
	PartyID           int64    `db:"party_id"`
	NamedPartyIDs     []int64  `db:"named_party_ids"`
	TransferCountries []string `db:"transfer_countries"`
	Reference         *string  `db:"reference"`
	Note              *string  `db:"note"`
	Period
}

// Validate checks a disclosure basis before it is stored.
func (b *DisclosureBasis) Validate() error {
	if b.LinkID == 0 {
		return Invalid("linkId", "is required")
	}
	if err := oneOf("basis", b.Basis, DisclosureBases); err != nil {
		return err
	}
	if err := optText("reference", &b.Reference, MaxRef); err != nil {
		return err
	}
	if b.Basis == "statute" && b.Reference == nil {
		return Invalid("reference", "name the provision a STATUTE basis rests on")
	}
	if err := optText("authority", &b.Authority, MaxName); err != nil {
		return err
	}
	if err := optText("note", &b.Note, MaxNote); err != nil {
		return err
	}
	return b.Period.Validate()
}

// Validate checks a subcontractor approval before it is stored.
func (a *SubcontractorApproval) Validate() error {
	if a.ControllerID == 0 {
		return Invalid("controllerId", "is required")
	}
	if a.LinkID == 0 {
		return Invalid("linkId", "is required")
	}
	if err := oneOf("kind", a.Kind, ApprovalKinds); err != nil {
		return err
	}
	if err := optText("reference", &a.Reference, MaxRef); err != nil {
		return err
	}
	if err := optText("note", &a.Note, MaxNote); err != nil {
		return err
	}
	return a.Period.Validate()
}

// Validate checks a caller notice before it is stored.
func (n *CallerNotice) Validate() error {
	if n.ControllerID == 0 {
		return Invalid("controllerId", "is required")
	}
	if err := optText("reference", &n.Reference, MaxRef); err != nil {
		return err
	}
	if err := optText("note", &n.Note, MaxNote); err != nil {
		return err
	}
	return n.Period.Validate()
}

// Validate checks a record of processing before it is stored.
func (r *ProcessingRecord) Validate() error {
	if r.PartyID == 0 {
		return Invalid("partyId", "is required")
	}
	if r.NamedPartyIDs == nil {
		r.NamedPartyIDs = []int64{}
	}
	if len(r.NamedPartyIDs) > MaxListLen {
		return Invalid("namedPartyIds", "at most %d parties", MaxListLen)
	}
	if r.TransferCountries == nil {
		r.TransferCountries = []string{}
	}
	if len(r.TransferCountries) > MaxListLen {
		return Invalid("transferCountries", "at most %d countries", MaxListLen)
	}
	for _, c := range r.TransferCountries {
		if err := country("transferCountries", c); err != nil {
			return err
		}
	}
	if err := optText("reference", &r.Reference, MaxRef); err != nil {
		return err
	}
	if err := optText("note", &r.Note, MaxNote); err != nil {
		return err
	}
	return r.Period.Validate()
}

// BasisService keeps disclosure bases, subcontractor approvals, caller
// notices and records of processing. The relation readers take an optional
// instant (nil: every row, current and past).
type BasisService interface {
	NoticeService // registry/notices.go
	RecordService // registry/records.go

	DisclosureBasesByLink(ctx context.Context, links []int64, at *time.Time) (map[int64][]DisclosureBasis, error)
	ApprovalsByLink(ctx context.Context, links []int64, at *time.Time) (map[int64][]SubcontractorApproval, error)
	NoticesByController(ctx context.Context, controllers []int64, at *time.Time) (map[int64][]CallerNotice, error)
	RecordsByParty(ctx context.Context, parties []int64, at *time.Time) (map[int64][]ProcessingRecord, error)

	// SetDisclosureBasis records the basis of a link from b.From; an
	// open-ended earlier one of the link ends there. NOT_FOUND (linkId)
	// for no such link.
	SetDisclosureBasis(ctx context.Context, actor string, b *DisclosureBasis) (DisclosureBasis, error)
	EndDisclosureBasis(ctx context.Context, actor string, id int64, at time.Time) (DisclosureBasis, error)
	// CreateApproval records a controller's approval; NOT_FOUND
	// (controllerId, linkId) for no such party or link, CONFLICT if one
	// overlaps it.
	CreateApproval(ctx context.Context, actor string, a *SubcontractorApproval) (SubcontractorApproval, error)
	EndApproval(ctx context.Context, actor string, id int64, at time.Time) (SubcontractorApproval, error)
	// SetCallerNotice records a controller's notice from n.From; an
	// open-ended earlier one ends there.
	SetCallerNotice(ctx context.Context, actor string, n *CallerNotice) (CallerNotice, error)
	EndCallerNotice(ctx context.Context, actor string, id int64, at time.Time) (CallerNotice, error)
	// SetProcessingRecord records a party's record from r.From; an
	// open-ended earlier one ends there. NOT_FOUND (namedPartyIds) for a
	// named party that does not exist.
	SetProcessingRecord(ctx context.Context, actor string, r *ProcessingRecord) (ProcessingRecord, error)
	EndProcessingRecord(ctx context.Context, actor string, id int64, at time.Time) (ProcessingRecord, error)
}

// Placement is where a link sits below one controller on a path: how many
// links down from it (1: the controller's own link).
type Placement struct {
	LinkID       int64
	ControllerID int64
	Depth        int
}

// Placements lists, for paths of links (each from the top of a chain
// down), every link's depth below every controller above it on the path:
// the party the path starts from, and each party a link hands data to as a
// joint or independent controller (as the checks' walk takes controllers).
func Placements(paths [][]int64, links map[int64]Link) []Placement {
	var out []Placement
	seen := map[Placement]bool{}
	for _, path := range paths {
		type root struct {
			id    int64
			start int
		}
		var roots []root
		for i, id := range path {
			l := links[id]
			if i == 0 {
				roots = append(roots, root{l.FromID, 0})
			}
			for _, r := range roots {
				p := Placement{LinkID: id, ControllerID: r.id, Depth: i - r.start + 1}
				if !seen[p] {
					seen[p] = true
					out = append(out, p)
				}
			}
			if l.Role == "joint_controller" || l.Role == "independent_controller" {
				roots = append(roots, root{l.ToID, i + 1})
			}
		}
	}
	return out
}
