package resolvers

import (
	"github.com/kedja/kedja/registry"
)

// basisLoaders batch the legal bases, approvals, caller notices and records
// of processing of many links and parties.
type basisLoaders struct {
	bases     *loader[relKey, []registry.DisclosureBasis]
	approvals *loader[relKey, []registry.SubcontractorApproval]
	notices   *loader[relKey, []registry.CallerNotice]
	records   *loader[relKey, []registry.ProcessingRecord]
}

func newBasisLoaders(s registry.Services) *basisLoaders {
	return &basisLoaders{
		bases:     relationLoader(s.Basis.DisclosureBasesByLink),
		approvals: relationLoader(s.Basis.ApprovalsByLink),
		notices:   relationLoader(s.Basis.NoticesByController),
		records:   relationLoader(s.Basis.RecordsByParty),
	}
}

// BasisSvc is the service of legal bases and the controllers' duties.
var BasisSvc Service[registry.BasisService] = func(s registry.Services) registry.BasisService { return s.Basis }

// Loaders of the legal bases and the controllers' duties, for the schema.
func DisclosureBases(l *loaders) *loader[relKey, []registry.DisclosureBasis] { return l.basis.bases }
func Approvals(l *loaders) *loader[relKey, []registry.SubcontractorApproval] {
	return l.basis.approvals
}
func CallerNotices(l *loaders) *loader[relKey, []registry.CallerNotice] { return l.basis.notices }
func ProcessingRecords(l *loaders) *loader[relKey, []registry.ProcessingRecord] {
	return l.basis.records
}

// DecodeDisclosureBasis maps a DisclosureBasisInput.
func DecodeDisclosureBasis(in *input, b *registry.DisclosureBasis) {
	in.id("linkId", &b.LinkID)
	in.str("basis", &b.Basis)
	in.optStr("reference", &b.Reference)
	in.optStr("authority", &b.Authority)
	in.optStr("note", &b.Note)
	in.instant("validFrom", &b.From)
	in.optInstant("validTo", &b.To)
}

// DecodeApproval maps a SubcontractorApprovalInput.
func DecodeApproval(in *input, a *registry.SubcontractorApproval) {
	in.id("controllerId", &a.ControllerID)
	in.id("linkId", &a.LinkID)
	in.str("kind", &a.Kind)
	in.optStr("reference", &a.Reference)
	in.optStr("note", &a.Note)
	in.instant("validFrom", &a.From)
	in.optInstant("validTo", &a.To)
}

// DecodeCallerNotice maps a CallerNoticeInput.
func DecodeCallerNotice(in *input, n *registry.CallerNotice) {
	in.id("controllerId", &n.ControllerID)
	in.boolean("mentionsRecording", &n.MentionsRecording)
	in.boolean("mentionsRecipients", &n.MentionsRecipients)
	in.boolean("mentionsTransfers", &n.MentionsTransfers)
	in.boolean("mentionsRetention", &n.MentionsRetention)
	in.optStr("reference", &n.Reference)
	in.optStr("note", &n.Note)
	in.instant("validFrom", &n.From)
	in.optInstant("validTo", &n.To)
}

// DecodeProcessingRecord maps a ProcessingRecordInput.
func DecodeProcessingRecord(in *input, r *registry.ProcessingRecord) {
	in.id("partyId", &r.PartyID)
	in.ids("namedPartyIds", &r.NamedPartyIDs)
	in.strs("transferCountries", &r.TransferCountries)
	in.optStr("reference", &r.Reference)
	in.optStr("note", &r.Note)
	in.instant("validFrom", &r.From)
	in.optInstant("validTo", &r.To)
}
