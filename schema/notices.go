package schema

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

// Art. 28(2) change notices and the Art. 30 records generated from the
// chain (issue 17).

var (
	noticeKindEnum = describedEnum("ChangeNoticeKind", "What a processor's change notice announces (GDPR Art. 28(2)).", registry.NoticeKinds,
		map[string]string{
			"new":         "A new sub-processor: the party engaged on the notice's link.",
			"replacement": "A sub-processor replacing another: the one engaged on replacesLink.",
		})
	noticeResponseEnum = describedEnum("NoticeResponseKind", "A controller's answer to a change notice; silence is no response at all.",
		registry.NoticeResponses, map[string]string{
			"no_objection": "The controller does not object (or withdraws an earlier objection).",
			"objection":    "The controller objects, giving its reason: the general authorisation no longer covers this sub-processor.",
		})
	noticeStateEnum = describedEnum("NoticeState", "Where a controller stands at an instant on a sub-processor engaged under its general "+
		"authorisation (GDPR Art. 28(2); rule kedja_notice_status).", registry.NoticeStates, map[string]string{
		"objected":         "Its latest response by then objects: the objection is open (check notice_objection).",
		"no_notice":        "No change notice of the link was sent by then (check notice_missing).",
		"window_open":      "Notice was sent, no answer yet, and its objection window has not closed (check notice_window while the link is active).",
		"no_objection":     "It answered that it does not object.",
		"silent":           "The objection window closed without an answer: silence, which the general authorisation accepts.",
		"deadline_unknown": "Notice was sent but no notice period of its agreement is recorded, so when the window closes is unknown.",
	})
	recordKindEnum = describedEnum("RecordKind", "Which record of processing (GDPR Art. 30).", registry.RecordKinds, map[string]string{
		"controller": "A controller's record (Art. 30(1)).",
		"processor":  "A processor's record (Art. 30(2)).",
	})
	recordSectionEnum = describedEnum("RecordSection", "What a row of a generated record is.", registry.RecordSections, map[string]string{
		"recipient":  "A party the data reach over the row's link, at any depth below the record's party.",
		"controller": "In a processor's record, a controller it processes for, with the processing done over the row's link (Art. 30(2)(b)).",
	})
)

// noticeTypes are the object types of change notices, built once; chain
// steps and links name them before noticeFields runs.
type noticeTypes struct {
	period, notice, response, window, status *graphql.Object
}

func (t *types) noticeObjects(r *resolvers.Resolvers) *noticeTypes {
	if t.notices != nil {
		return t.notices
	}
	n := &noticeTypes{}
	t.notices = n
	str := graphql.String
	orgOf := func(desc string, get func(any) int64) *graphql.Field {
		return &graphql.Field{Type: nn(t.org), Description: desc, Resolve: resolvers.ByID(r, resolvers.Orgs, func(s any) *int64 { v := get(s); return &v })}
	}
	linkOf := func(desc string, get func(any) *int64) *graphql.Field {
		return &graphql.Field{Type: t.link, Description: desc, Resolve: resolvers.ByID(r, resolvers.Links, func(s any) *int64 { return get(s) })}
	}
	noticeOf := func(desc string, get func(any) *int64) *graphql.Field {
		return &graphql.Field{Type: n.notice, Description: desc, Resolve: resolvers.ByID(r, resolvers.Notices, func(s any) *int64 { return get(s) })}
	}
	n.period = graphql.NewObject(graphql.ObjectConfig{Name: "NoticePeriod",
		Description: "How many calendar days a link's agreement gives its controller to object to a change of sub-processors, during a period (GDPR Art. 28(2)).",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.periodFields(graphql.Fields{
				"id":      field(nn(graphql.ID), "The notice period's id in the registry.", func(x registry.NoticePeriod) any { return id(x.ID) }),
				"link":    linkOf("The link whose agreement sets it: the controller's link to the processor that gives notice.", func(s any) *int64 { v := s.(registry.NoticePeriod).LinkID; return &v }),
				"days":    field(nn(graphql.Int), "Calendar days from a notice's sending to the end of the objection window.", func(x registry.NoticePeriod) any { return x.Days }),
				"clause":  field(str, "Where the agreement says it; null if not recorded.", func(x registry.NoticePeriod) any { return optStr(x.Clause) }),
				"note":    field(str, "What the record rests on; null if nothing is recorded.", func(x registry.NoticePeriod) any { return optStr(x.Note) }),
				"history": t.history("notice_periods", func(s any) int64 { return s.(registry.NoticePeriod).ID }),
			}, func(s any) registry.Period { return s.(registry.NoticePeriod).Period })
		})})
	n.window = graphql.NewObject(graphql.ObjectConfig{Name: "NoticeWindow",
		Description: "One controller's window to object to a change notice: the notice is owed to every controller whose general authorisation covers the link on its effective date.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"controller": orgOf("The controller the notice is owed to.", func(s any) int64 { return s.(registry.NoticeWindow).ControllerID }),
				"deadline": field(t.instant, "When its window closes: the notice's sentAt plus the notice period of the agreement on the controller's link to the "+
					"notifying processor, in force when it was sent (rule kedja_objection_deadline); null when no such period is recorded (unknown).",
					func(x registry.NoticeWindow) any { return optTime(x.Deadline) }),
			}
		})})
	n.response = graphql.NewObject(graphql.ObjectConfig{Name: "NoticeResponse",
		Description: "A controller's dated answer to a change notice. Responses are appended, never changed; the latest by respondedAt counts.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"id":          field(nn(graphql.ID), "The response's id in the registry.", func(x registry.NoticeResponse) any { return id(x.ID) }),
				"notice":      noticeOf("The notice answered.", func(s any) *int64 { v := s.(registry.NoticeResponse).NoticeID; return &v }),
				"controller":  orgOf("The controller answering.", func(s any) int64 { return s.(registry.NoticeResponse).ControllerID }),
				"response":    field(nn(noticeResponseEnum), "Objection or not.", func(x registry.NoticeResponse) any { return x.Response }),
				"reason":      field(str, "Why it objects; null for no objection unless given.", func(x registry.NoticeResponse) any { return optStr(x.Reason) }),
				"respondedAt": field(nn(t.instant), "When it answered.", func(x registry.NoticeResponse) any { return x.RespondedAt }),
				"reference":   field(str, "Where the answer is written; null if not recorded.", func(x registry.NoticeResponse) any { return optStr(x.Reference) }),
				"history":     t.history("notice_responses", func(s any) int64 { return s.(registry.NoticeResponse).ID }),
			}
		})})
	n.notice = graphql.NewObject(graphql.ObjectConfig{Name: "ChangeNotice",
		Description: "A processor's notice of a new or replacing sub-processor under its controllers' general authorisation (GDPR Art. 28(2)).",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"id":           field(nn(graphql.ID), "The notice's id in the registry.", func(x registry.ChangeNotice) any { return id(x.ID) }),
				"link":         linkOf("The link that engages the new sub-processor.", func(s any) *int64 { v := s.(registry.ChangeNotice).LinkID; return &v }),
				"kind":         field(nn(noticeKindEnum), "New or replacing.", func(x registry.ChangeNotice) any { return x.Kind }),
				"replacesLink": linkOf("For a replacement, the link of the sub-processor replaced; null otherwise.", func(s any) *int64 { return s.(registry.ChangeNotice).ReplacesLinkID }),
				"sentAt":       field(nn(t.instant), "When the notice was sent: each objection window runs from here.", func(x registry.ChangeNotice) any { return x.SentAt }),
				"effectiveAt":  field(nn(t.instant), "When the change takes effect, as the notice says.", func(x registry.ChangeNotice) any { return x.EffectiveAt }),
				"reference":    field(str, "Where the notice is written; null if not recorded.", func(x registry.ChangeNotice) any { return optStr(x.Reference) }),
				"note":         field(str, "What the record rests on; null if nothing is recorded.", func(x registry.ChangeNotice) any { return optStr(x.Note) }),
				"windows": {Type: list(n.window), Description: "Each controller's objection window, one per controller the notice is owed to.",
					Resolve: resolvers.NoticeWindows(r, func(s any) int64 { return s.(registry.ChangeNotice).ID })},
				"responses": {Type: list(n.response), Description: "Every controller's responses, oldest first; a controller with none is silent.",
					Resolve: resolvers.NoticeResponses(r, func(s any) int64 { return s.(registry.ChangeNotice).ID })},
				"history": t.history("change_notices", func(s any) int64 { return s.(registry.ChangeNotice).ID }),
			}
		})})
	n.status = graphql.NewObject(graphql.ObjectConfig{Name: "NoticeStatus",
		Description: "Where the chain's controller stands, at the chain's instant, on the sub-processor a step's link engages under its general " +
			"authorisation (GDPR Art. 28(2); rule kedja_notice_status, the one the notice checks read).",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"state":  field(nn(noticeStateEnum), "Open objection, no notice, window open, no objection, silence, or window unknown.", func(x registry.NoticeStatus) any { return *x.State }),
				"notice": noticeOf("The latest notice of the link sent by then; null if none.", func(s any) *int64 { return s.(registry.NoticeStatus).NoticeID }),
				"deadline": field(t.instant, "When the controller's window to object to that notice closes; null without a notice or a recorded notice period.",
					func(x registry.NoticeStatus) any { return optTime(x.Deadline) }),
				"response":    field(noticeResponseEnum, "The controller's latest response by then; null if silent.", func(x registry.NoticeStatus) any { return optStr(x.Response) }),
				"respondedAt": field(t.instant, "When it gave that response.", func(x registry.NoticeStatus) any { return optTime(x.RespondedAt) }),
				"reason":      field(str, "The reason of an objection.", func(x registry.NoticeStatus) any { return optStr(x.Reason) }),
			}
		})})
	return n
}

// stepNoticeField is ChainStep's changeNotice.
func (t *types) stepNoticeField(r *resolvers.Resolvers) *graphql.Field {
	return &graphql.Field{Type: t.noticeObjects(r).status, Resolve: r.StepNotice(),
		Description: "Where the chain's controller stands on the party this link engages, when its general authorisation governs it (GDPR Art. 28(2)): " +
			"notice, objection window and its answer. Null when the link needs no notice to this controller: its own processor, or a party it " +
			"approved specifically, or engaged with no authorisation (see the authorisation check)."}
}

// linkNoticeFields are Link's fields of notice periods and change notices.
func (t *types) linkNoticeFields(r *resolvers.Resolvers) graphql.Fields {
	n := t.noticeObjects(r)
	return graphql.Fields{
		"noticePeriods": {Type: list(n.period), Args: t.instantArg("The period in force at this instant; without it, all."),
			Description: "The notice periods its agreement gives its controller to object to a change of sub-processors; empty: not recorded (unknown).",
			Resolve:     resolvers.Related(r, resolvers.NoticePeriods, func(s any) int64 { return s.(registry.Link).ID })},
		"changeNotices": {Type: list(n.notice), Args: t.instantArg("Those sent by this instant; without it, all."),
			Description: "The change notices of the sub-processor it engages, newest sent first.",
			Resolve:     resolvers.Related(r, resolvers.ChangeNotices, func(s any) int64 { return s.(registry.Link).ID })},
	}
}

// noticeFields adds the notice mutations and the record queries.
func (t *types) noticeFields(r *resolvers.Resolvers, query, mutation graphql.Fields) {
	n := t.noticeObjects(r)
	str, idT := graphql.String, graphql.ID
	periodInput := inputObject("NoticePeriodInput", "The notice period of a link's agreement, from validFrom on.", graphql.InputObjectConfigFieldMap{
		"linkId":    in(nn(idT), "The controller's link to the processor whose agreement sets it."),
		"days":      in(nn(graphql.Int), "Calendar days to object, 0-366."),
		"clause":    in(str, "Where the agreement says it (up to 300 characters)."),
		"note":      in(str, "What the record rests on (up to 4,000 characters)."),
		"validFrom": in(nn(t.instant), "First instant it applies; an open-ended period of the link that started earlier ends here."),
		"validTo":   in(t.instant, "First instant it no longer applies (exclusive); omit while it lasts."),
	})
	noticeInput := inputObject("ChangeNoticeInput", "A processor's notice of a new or replacing sub-processor.", graphql.InputObjectConfigFieldMap{
		"linkId":         in(nn(idT), "The link that engages the sub-processor; some controller's general authorisation must cover it on effectiveAt."),
		"kind":           in(nn(noticeKindEnum), "New or replacing."),
		"replacesLinkId": in(idT, "REPLACEMENT only, and required there: the link of the sub-processor replaced."),
		"sentAt":         in(nn(t.instant), "When the notice was sent."),
		"effectiveAt":    in(nn(t.instant), "When the change takes effect, as the notice says."),
		"reference":      in(str, "Where the notice is written (up to 300 characters)."),
		"note":           in(str, "What the record rests on (up to 4,000 characters)."),
	})
	responseInput := inputObject("NoticeResponseInput", "A controller's answer to a change notice.", graphql.InputObjectConfigFieldMap{
		"noticeId":     in(nn(idT), "The notice answered."),
		"controllerId": in(nn(idT), "The controller answering: one the notice is owed to."),
		"response":     in(nn(noticeResponseEnum), "Objection or not; to withdraw an objection, answer NO_OBJECTION."),
		"reason":       in(str, "Why it objects (up to 4,000 characters); required for OBJECTION."),
		"respondedAt":  in(nn(t.instant), "When it answered; not before the notice was sent."),
		"reference":    in(str, "Where the answer is written (up to 300 characters)."),
	})
	add(mutation, graphql.Fields{
		"setNoticePeriod": {Type: nn(n.period), Args: createArgs(periodInput, "notice period"),
			Description: "Records the notice period of a link's agreement from validFrom; the period in force until then ends there.",
			Resolve:     resolvers.Create(r, resolvers.NoticeSvc, resolvers.DecodeNoticePeriod, registry.NoticeService.SetNoticePeriod)},
		"endNoticePeriod": {Type: nn(n.period), Args: t.endArgs("notice period", periodEnd),
			Description: "Ends a notice period.",
			Resolve:     resolvers.End(r, resolvers.NoticeSvc, registry.NoticeService.EndNoticePeriod)},
		"createChangeNotice": {Type: nn(n.notice), Args: createArgs(noticeInput, "change notice"),
			Description: "Records a processor's notice of a new or replacing sub-processor; each controller it is owed to gets its objection window. " +
				"Refused (INVALID_INPUT on linkId) where no general authorisation covers the link: under specific authorisation record an approval.",
			Resolve: resolvers.Create(r, resolvers.NoticeSvc, resolvers.DecodeChangeNotice, registry.NoticeService.CreateChangeNotice)},
		"respondToNotice": {Type: nn(n.response), Args: createArgs(responseInput, "response"),
			Description: "Appends a controller's answer to a notice: no objection, or an objection with its reason. The latest answer counts.",
			Resolve:     resolvers.Create(r, resolvers.NoticeSvc, resolvers.DecodeNoticeResponse, registry.NoticeService.RespondToNotice)},
	})

	sys := graphql.NewObject(graphql.ObjectConfig{Name: "RecordSystem", Description: "A system used on a record row's link at the record's instant.",
		Fields: graphql.Fields{
			"name": field(nn(str), "The system's name.", func(x registry.RecordSystem) any { return x.Name }),
			"kind": field(nn(str), "Its kind (telephony, recording, storage, records, backup, other).", func(x registry.RecordSystem) any { return x.Kind }),
			"retentionDays": field(graphql.Int, "Its retention period in days then; null when none is recorded (Art. 30(1)(f)).", func(x registry.RecordSystem) any {
				if x.RetentionDays == nil {
					return nil
				}
				return *x.RetentionDays
			}),
			"measures":         field(list(str), "Security facts its profile records then (Art. 30(1)(g), 32); empty when it has no profile.", func(x registry.RecordSystem) any { return x.Measures }),
			"storageCountries": field(list(str), "Where it stores data then (ISO 3166-1 alpha-2).", func(x registry.RecordSystem) any { return x.Storage }),
			"accessCountries":  field(list(str), "Where it is accessed from then.", func(x registry.RecordSystem) any { return x.Access }),
		}})
	row := graphql.NewObject(graphql.ObjectConfig{Name: "RecordRow",
		Description: "One row of a generated record of processing: a recipient over one link, or a controller a processor works for.",
		Fields: graphql.Fields{
			"section":       field(nn(recordSectionEnum), "Recipient, or controller (a processor's record).", func(x registry.RecordRow) any { return x.Section }),
			"party":         {Type: nn(t.org), Description: "The recipient or controller.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(x registry.RecordRow) *int64 { return &x.PartyID })},
			"partyName":     field(nn(str), "Its legal name: recipients are named, not only categorised (Art. 15(1)(c), CJEU C-154/21).", func(x registry.RecordRow) any { return x.Party }),
			"link":          {Type: nn(t.link), Description: "The link the row is about.", Resolve: resolvers.ByID(r, resolvers.Links, func(x registry.RecordRow) *int64 { return &x.LinkID })},
			"countryCode":   field(nn(str), "Its country.", func(x registry.RecordRow) any { return x.Country }),
			"transferClass": field(transferClass, "Its country's standing at the instant (the chain walk's); null for a controller row.", func(x registry.RecordRow) any { return nonEmpty(x.TransferClass) }),
			"role":          field(nn(roleEnum), "Its role on the link as claimed.", func(x registry.RecordRow) any { return x.Role }),
			"depth":         field(nn(graphql.Int), "Links below the record's party (1: its own).", func(x registry.RecordRow) any { return x.Depth }),
			"via":           field(list(str), "The parties between the record's party and this one, by name.", func(x registry.RecordRow) any { return x.Via }),
			"purpose":       field(nn(str), "The link's purpose (Art. 30(1)(b)).", func(x registry.RecordRow) any { return x.Purpose }),
			"dataCategories": field(list(str), "The categories of data the link carries (Art. 30(1)(c)); categories of data subjects are not recorded in kedja.",
				func(x registry.RecordRow) any { return x.Categories }),
			"healthData": field(nn(graphql.Boolean), "Whether the link carries health data (Art. 9).", func(x registry.RecordRow) any { return x.HealthData }),
			"transfer": field(str, "The transfer verdict (rule kedja_transfer_verdict): null when no safeguard is needed; no_mechanism, adequacy_not_applicable, "+
				"no_tia, outdated_clauses, tool_not_valid, safeguarded or derogation otherwise.", func(x registry.RecordRow) any { return optStr(x.Transfer) }),
			"safeguard":    field(nn(str), "The transfer and its safeguard in words (Art. 30(1)(e)).", func(x registry.RecordRow) any { return x.Safeguard() }),
			"agreementRef": field(str, "The agreement binding the party; null if none is recorded.", func(x registry.RecordRow) any { return optStr(x.AgreementRef) }),
			"systems":      field(list(sys), "The systems used on the link then, with retention and security facts.", func(x registry.RecordRow) any { return x.Systems }),
			"attestations": field(list(str), "The party's security attestations valid then, as kind (issuer, until).", func(x registry.RecordRow) any { return x.Attestations }),
			"inStatedRecord": field(graphql.Boolean, "Whether the party's own stated record names this recipient; null when it states none, or for a controller row.",
				func(x registry.RecordRow) any { return optBool(x.InStatedRecord) }),
		}})
	record := graphql.NewObject(graphql.ObjectConfig{Name: "GeneratedRecord",
		Description: "A party's record of processing (GDPR Art. 30) generated from its chain at an instant, set against the record it states itself.",
		Fields: graphql.Fields{
			"kind":      field(nn(recordKindEnum), "A controller's or a processor's record.", func(x registry.Record) any { return x.Kind }),
			"party":     {Type: nn(t.org), Description: "Whose record it is.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(x registry.Record) *int64 { return &x.PartyID })},
			"at":        field(nn(t.instant), "The instant the chain is read at.", func(x registry.Record) any { return x.At }),
			"rows":      field(list(row), "Every recipient the chain reaches then (and for a processor, each controller it works for), shallowest first.", func(x registry.Record) any { return x.Rows }),
			"stated":    field(t.basis.record, "The party's own record in force then (setProcessingRecord); null if none.", func(x registry.Record) any { return x.Stated }),
			"unnamed":   field(list(str), "Recipients the stated record leaves out, by name; what the record_gap check raises.", func(x registry.Record) any { return x.Unnamed }),
			"truncated": field(nn(graphql.Boolean), "The chain has more links than were read (10,000).", func(x registry.Record) any { return x.Truncated }),
		}})
	at := &graphql.ArgumentConfig{Type: nn(t.instant), Description: "The instant to read the chain at."}
	add(query, graphql.Fields{
		"record": {Type: nn(record), Description: "A controller's record of processing (GDPR Art. 30(1)) generated from its chain at an instant: " +
			"every recipient by name, at any depth, with transfers and safeguards, retention and security measures. Also as CSV and XLSX at /records/{controller}.csv|xlsx?at=.",
			Args: graphql.FieldConfigArgument{"controller": {Type: nn(idT), Description: "The controller."}, "at": at}, Resolve: r.Record("controller")},
		"processorRecord": {Type: nn(record), Description: "A processor's record of processing (GDPR Art. 30(2)) generated from the chain at an instant: " +
			"each controller it processes for and every recipient below it.",
			Args: graphql.FieldConfigArgument{"processor": {Type: nn(idT), Description: "The processor."}, "at": at}, Resolve: r.Record("processor")},
	})
}
