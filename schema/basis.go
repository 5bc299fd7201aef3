package schema

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

var (
	disclosureBasisEnum = enum("DisclosureBasisKind", "What allows the sending party of a link to hand the data over.", registry.DisclosureBases, map[string]string{
		"processor_instruction": "Processing on the controller's instruction under an agreement binding the processor (GDPR Art. 28, 29).",
		"statute":               "A provision of law; the reference names it.",
		"consent":               "The data subject's consent (for health-care secrecy, the patient's).",
		"none":                  "There was no basis, as recorded or as an authority or court found.",
		"unknown":               "Asked, but not established; the check reports it as not established where a basis is needed.",
	})
	approvalKindEnum = enum("ApprovalKind", "How a controller approved a subcontractor (GDPR Art. 28(2)).", registry.ApprovalKinds, map[string]string{
		"specific": "Prior specific written approval of this subcontractor.",
		"general":  "Prior general written approval: changes are notified and the controller may object.",
	})
)

// basisTypes are the object types of the legal bases and the controllers'
// own duties.
type basisTypes struct {
	basis, approval, notice, record *graphql.Object
}

// basisFields adds DisclosureBasis, SubcontractorApproval, CallerNotice and
// ProcessingRecord with their mutations; they are read on Link
// (disclosureBases, approvals) and Organisation (callerNotices,
// processingRecords).
func (t *types) basisFields(r *resolvers.Resolvers, query, mutation graphql.Fields) {
	inst, str, idT, boolean := t.instant, graphql.String, graphql.ID, graphql.Boolean
	b := &basisTypes{}
	t.basis = b
	orgOf := func(desc string, get func(any) int64) *graphql.Field {
		return &graphql.Field{Type: nn(t.org), Description: desc, Resolve: resolvers.ByID(r, resolvers.Orgs, func(s any) *int64 { v := get(s); return &v })}
	}
	linkOf := func(desc string, get func(any) int64) *graphql.Field {
		return &graphql.Field{Type: nn(t.link), Description: desc, Resolve: resolvers.ByID(r, resolvers.Links, func(s any) *int64 { v := get(s); return &v })}
	}

	b.basis = graphql.NewObject(graphql.ObjectConfig{Name: "DisclosureBasis",
		Description: "What allowed a link's sending party to hand the data over, during a period (GDPR Art. 6, 9; health-care secrecy).",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.periodFields(graphql.Fields{
				"id":        field(nn(graphql.ID), "The basis's id in the registry.", func(x registry.DisclosureBasis) any { return id(x.ID) }),
				"link":      linkOf("The link whose disclosure it allows.", func(s any) int64 { return s.(registry.DisclosureBasis).LinkID }),
				"basis":     field(nn(disclosureBasisEnum), "What allows the disclosure.", func(x registry.DisclosureBasis) any { return x.Basis }),
				"reference": field(str, "The statute, agreement or decision relied on; null if none is recorded.", func(x registry.DisclosureBasis) any { return optStr(x.Reference) }),
				"authority": field(str, "The authority or court whose finding this is; null when it is the parties' own account.", func(x registry.DisclosureBasis) any { return optStr(x.Authority) }),
				"note":      field(str, "What the record rests on; says what is public record and what an assumption.", func(x registry.DisclosureBasis) any { return optStr(x.Note) }),
				"history":   t.history("disclosure_bases", func(s any) int64 { return s.(registry.DisclosureBasis).ID }),
			}, func(s any) registry.Period { return s.(registry.DisclosureBasis).Period })
		})})
	b.approval = graphql.NewObject(graphql.ObjectConfig{Name: "SubcontractorApproval",
		Description: "A controller's approval of the party engaged on a link below it, during a period (until withdrawn) (GDPR Art. 28(2)).",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.periodFields(graphql.Fields{
				"id":         field(nn(graphql.ID), "The approval's id in the registry.", func(x registry.SubcontractorApproval) any { return id(x.ID) }),
				"controller": orgOf("The controller that approved.", func(s any) int64 { return s.(registry.SubcontractorApproval).ControllerID }),
				"link":       linkOf("The link on which the approved party is engaged.", func(s any) int64 { return s.(registry.SubcontractorApproval).LinkID }),
				"kind":       field(nn(approvalKindEnum), "Specific or general approval.", func(x registry.SubcontractorApproval) any { return x.Kind }),
				"reference":  field(str, "Where the approval is written; null if not recorded.", func(x registry.SubcontractorApproval) any { return optStr(x.Reference) }),
				"note":       field(str, "What the record rests on.", func(x registry.SubcontractorApproval) any { return optStr(x.Note) }),
				"history":    t.history("subcontractor_approvals", func(s any) int64 { return s.(registry.SubcontractorApproval).ID }),
			}, func(s any) registry.Period { return s.(registry.SubcontractorApproval).Period })
		})})
	b.notice = graphql.NewObject(graphql.ObjectConfig{Name: "CallerNotice",
		Description: "The information a controller gave callers (GDPR Art. 13) during a period, and what it told them.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.periodFields(graphql.Fields{
				"id":                 field(nn(graphql.ID), "The notice's id in the registry.", func(x registry.CallerNotice) any { return id(x.ID) }),
				"controller":         orgOf("The controller whose notice it is.", func(s any) int64 { return s.(registry.CallerNotice).ControllerID }),
				"mentionsRecording":  field(nn(boolean), "Whether it says that calls are recorded and kept.", func(x registry.CallerNotice) any { return x.MentionsRecording }),
				"mentionsRecipients": field(nn(boolean), "Whether it names the recipients or their categories (Art. 13(1)(e)).", func(x registry.CallerNotice) any { return x.MentionsRecipients }),
				"mentionsTransfers":  field(nn(boolean), "Whether it tells of transfers outside the EEA and their safeguards (Art. 13(1)(f)).", func(x registry.CallerNotice) any { return x.MentionsTransfers }),
				"mentionsRetention":  field(nn(boolean), "Whether it says how long calls are kept (Art. 13(2)(a)).", func(x registry.CallerNotice) any { return x.MentionsRetention }),
				"reference":          field(str, "Where the notice is published; null if not recorded.", func(x registry.CallerNotice) any { return optStr(x.Reference) }),
				"note":               field(str, "What the record rests on; says what is public record and what an assumption.", func(x registry.CallerNotice) any { return optStr(x.Note) }),
				"history":            t.history("caller_notices", func(s any) int64 { return s.(registry.CallerNotice).ID }),
			}, func(s any) registry.Period { return s.(registry.CallerNotice).Period })
		})})
	b.record = graphql.NewObject(graphql.ObjectConfig{Name: "ProcessingRecord",
		Description: "A party's record of processing (GDPR Art. 30) as it read during a period: the parties and the transfers it names.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.periodFields(graphql.Fields{
				"id":    field(nn(graphql.ID), "The record's id in the registry.", func(x registry.ProcessingRecord) any { return id(x.ID) }),
				"party": orgOf("The controller or processor whose record it is.", func(s any) int64 { return s.(registry.ProcessingRecord).PartyID }),
				"namedParties": {Type: list(t.org), Description: "The recipients, processors and sub-processors it names.",
					Resolve: resolvers.OrgsByIDs(r, func(x registry.ProcessingRecord) []int64 { return x.NamedPartyIDs })},
				"transferCountries": field(list(str), "ISO 3166-1 alpha-2 codes of the third countries it records transfers to.", func(x registry.ProcessingRecord) any { return x.TransferCountries }),
				"reference":         field(str, "Where the record is kept; null if not recorded.", func(x registry.ProcessingRecord) any { return optStr(x.Reference) }),
				"note":              field(str, "What the record rests on; says what is public record and what an assumption.", func(x registry.ProcessingRecord) any { return optStr(x.Note) }),
				"history":           t.history("processing_records", func(s any) int64 { return s.(registry.ProcessingRecord).ID }),
			}, func(s any) registry.Period { return s.(registry.ProcessingRecord).Period })
		})})

	validFrom := func(what string) *graphql.InputObjectFieldConfig {
		return in(nn(inst), "First instant it applies (inclusive); "+what)
	}
	validTo := in(inst, "First instant it no longer applies (exclusive); omit while it lasts.")
	basisInput := inputObject("DisclosureBasisInput", "What allows a link's sending party to hand the data over, from validFrom on.", graphql.InputObjectConfigFieldMap{
		"linkId":    in(nn(idT), "The link."),
		"basis":     in(nn(disclosureBasisEnum), "What allows the disclosure."),
		"reference": in(str, "The statute, agreement or decision relied on (up to 300 characters); required for STATUTE."),
		"authority": in(str, "The authority or court whose finding this is (up to 300 characters); omit for the parties' own account."),
		"note":      in(str, "What the record rests on (up to 4,000 characters)."),
		"validFrom": validFrom("an open-ended basis of the link that started earlier ends here."),
		"validTo":   validTo,
	})
	approvalInput := inputObject("SubcontractorApprovalInput", "A controller's approval of the party engaged on a link below it, from validFrom on.", graphql.InputObjectConfigFieldMap{
		"controllerId": in(nn(idT), "The controller that approves."),
		"linkId":       in(nn(idT), "The link on which the approved party is engaged."),
		"kind":         in(nn(approvalKindEnum), "Specific or general approval."),
		"reference":    in(str, "Where the approval is written (up to 300 characters)."),
		"note":         in(str, "What the record rests on (up to 4,000 characters)."),
		"validFrom":    validFrom("refused if an approval of the same link by the same controller overlaps it."),
		"validTo":      validTo,
	})
	noticeInput := inputObject("CallerNoticeInput", "The information a controller gives callers (GDPR Art. 13), from validFrom on.", graphql.InputObjectConfigFieldMap{
		"controllerId":       in(nn(idT), "The controller whose notice it is."),
		"mentionsRecording":  in(nn(boolean), "Whether it says that calls are recorded and kept."),
		"mentionsRecipients": in(nn(boolean), "Whether it names the recipients or their categories."),
		"mentionsTransfers":  in(nn(boolean), "Whether it tells of transfers outside the EEA and their safeguards."),
		"mentionsRetention":  in(nn(boolean), "Whether it says how long calls are kept."),
		"reference":          in(str, "Where the notice is published (up to 300 characters)."),
		"note":               in(str, "What the record rests on (up to 4,000 characters)."),
		"validFrom":          validFrom("an open-ended notice of the controller that started earlier ends here."),
		"validTo":            validTo,
	})
	recordInput := inputObject("ProcessingRecordInput", "A party's record of processing (GDPR Art. 30), from validFrom on.", graphql.InputObjectConfigFieldMap{
		"partyId":           in(nn(idT), "The controller or processor whose record it is."),
		"namedPartyIds":     in(graphql.NewList(nn(idT)), "The recipients, processors and sub-processors it names (at most 50)."),
		"transferCountries": in(graphql.NewList(nn(str)), "ISO 3166-1 alpha-2 codes of the third countries it records transfers to (at most 50)."),
		"reference":         in(str, "Where the record is kept (up to 300 characters)."),
		"note":              in(str, "What the record rests on (up to 4,000 characters)."),
		"validFrom":         validFrom("an open-ended record of the party that started earlier ends here."),
		"validTo":           validTo,
	})
	input := func(o *graphql.InputObject) graphql.FieldConfigArgument {
		return graphql.FieldConfigArgument{"input": {Type: nn(o), Description: "The new record; validated as a whole."}}
	}
	end := func(what string) graphql.FieldConfigArgument {
		return graphql.FieldConfigArgument{
			"id": {Type: nn(graphql.ID), Description: "The " + what + "'s id."},
			"at": {Type: inst, Description: "Default: now. The end of its period (exclusive): after its start, and not later than an end already recorded."},
		}
	}
	add(mutation, graphql.Fields{
		"setDisclosureBasis": {Type: nn(b.basis), Args: input(basisInput),
			Description: "Records what allows a link's disclosure from validFrom; the link's basis in force until then ends there.",
			Resolve:     resolvers.Create(r, resolvers.BasisSvc, resolvers.DecodeDisclosureBasis, registry.BasisService.SetDisclosureBasis)},
		"endDisclosureBasis": {Type: nn(b.basis), Args: end("disclosure basis"), Description: "Ends a disclosure basis.",
			Resolve: resolvers.End(r, resolvers.BasisSvc, registry.BasisService.EndDisclosureBasis)},
		"createSubcontractorApproval": {Type: nn(b.approval), Args: input(approvalInput),
			Description: "Records a controller's approval of the party engaged on a link below it.",
			Resolve:     resolvers.Create(r, resolvers.BasisSvc, resolvers.DecodeApproval, registry.BasisService.CreateApproval)},
		"endSubcontractorApproval": {Type: nn(b.approval), Args: end("approval"), Description: "Ends an approval: withdrawn, or objected to.",
			Resolve: resolvers.End(r, resolvers.BasisSvc, registry.BasisService.EndApproval)},
		"setCallerNotice": {Type: nn(b.notice), Args: input(noticeInput),
			Description: "Records a controller's information to callers from validFrom; the notice in force until then ends there.",
			Resolve:     resolvers.Create(r, resolvers.BasisSvc, resolvers.DecodeCallerNotice, registry.BasisService.SetCallerNotice)},
		"endCallerNotice": {Type: nn(b.notice), Args: end("notice"), Description: "Ends a caller notice.",
			Resolve: resolvers.End(r, resolvers.BasisSvc, registry.BasisService.EndCallerNotice)},
		"setProcessingRecord": {Type: nn(b.record), Args: input(recordInput),
			Description: "Records a party's record of processing from validFrom; the record in force until then ends there.",
			Resolve:     resolvers.Create(r, resolvers.BasisSvc, resolvers.DecodeProcessingRecord, registry.BasisService.SetProcessingRecord)},
		"endProcessingRecord": {Type: nn(b.record), Args: end("record"), Description: "Ends a record of processing.",
			Resolve: resolvers.End(r, resolvers.BasisSvc, registry.BasisService.EndProcessingRecord)},
	})
}

// linkBasisFields are Link's fields of legal basis and approvals.
func (t *types) linkBasisFields(r *resolvers.Resolvers) graphql.Fields {
	linkID := func(s any) int64 { return s.(registry.Link).ID }
	return graphql.Fields{
		"disclosureBases": {Type: list(t.basis.basis), Args: t.instantArg("The basis in force at this instant; without it, all."),
			Description: "What allows the sending party to hand the data over (empty: none recorded, unknown).",
			Resolve:     resolvers.Related(r, resolvers.DisclosureBases, linkID)},
		"approvals": {Type: list(t.basis.approval), Args: t.instantArg("Approvals in force at this instant; without it, all."),
			Description: "Controllers' approvals of the party engaged on this link (besides the link's own authorisation).",
			Resolve:     resolvers.Related(r, resolvers.Approvals, linkID)},
	}
}

// orgBasisFields are Organisation's fields of its own duties.
func (t *types) orgBasisFields(r *resolvers.Resolvers) graphql.Fields {
	orgID := func(s any) int64 { return s.(registry.Organisation).ID }
	return graphql.Fields{
		"callerNotices": {Type: list(t.basis.notice), Args: t.instantArg("The notice in force at this instant; without it, all."),
			Description: "Its information to callers, as a controller (GDPR Art. 13).",
			Resolve:     resolvers.Related(r, resolvers.CallerNotices, orgID)},
		"processingRecords": {Type: list(t.basis.record), Args: t.instantArg("The record in force at this instant; without it, all."),
			Description: "Its records of processing (GDPR Art. 30).",
			Resolve:     resolvers.Related(r, resolvers.ProcessingRecords, orgID)},
	}
}

// merge adds extra's fields to fs.
func merge(fs, extra graphql.Fields) graphql.Fields {
	for k, v := range extra {
		fs[k] = v
	}
	return fs
}
