package schema

import (
	"fmt"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

var (
	severityEnum = enum("Severity", "How serious a finding is, as the check that found it judged.", registry.Severities, map[string]string{
		"critical": "The gravest: data received in, stored in or accessed from a third country with no safeguard, " +
			"or stored recordings reachable from the internet without authentication.",
		"high": "Serious: for example a processor without an agreement, a sub-processor without authorisation, " +
			"or a missing or expired security attestation.",
		"medium": "Of concern: for example recordings not encrypted at rest, health data kept without a retention period " +
			"(as IMY's 2021 decisions weighed it), or a transfer under a derogation.",
		"low":  "A lesser concern: for example a security attestation still valid but about to expire, or personal data other than health data kept without a retention period.",
		"info": "Worth knowing, not a gap: a third-country transfer under SCCs or BCRs with a transfer impact assessment.",
	})
	findingStatusEnum = enum("FindingStatus", "OPEN, RESOLVED (no longer true), or ACCEPTED with a justification until a date; after that date it reads as OPEN.",
		registry.FindingStatuses, map[string]string{
			"open":     "Found by a run of its check and by every run of that check since; not accepted, or its acceptance ran out.",
			"resolved": "A later run of its check no longer found it.",
			"accepted": "Accepted with a justification until a date (inclusive); the day after, it reads as OPEN again.",
		})
	subjectKindEnum = enum("SubjectKind", "What a finding is about.", []string{"party", "system", "link"}, map[string]string{
		"party":  "An organisation (subjectParty).",
		"system": "A system (subjectSystem).",
		"link":   "A link (subjectLink).",
	})

	checkRunStatusEnum = describedEnum("CheckRunStatus",
		"What became of a run of checks, or of a scheduled slot on one instance. Every instance records every slot it "+
			"fires, so with several instances a slot has one row per instance: at most one of them RAN, FAILED or was "+
			"ABANDONED there, the others say why they did not run it.",
		registry.CheckRunStatuses, map[string]string{
			registry.RunRunning:             "Under way. A run whose instance dies stays RUNNING until the next run or scheduler start marks it ABANDONED.",
			registry.RunRan:                 "Finished; the counts are set.",
			registry.RunFailed:              "Ended with an error; failure says what kind. Its findings are unchanged.",
			registry.RunAbandoned:           "Its instance died (was killed, lost its database connection) while it ran; its findings are unchanged. The slot is not run again.",
			registry.RunSkippedStillRunning: "Not run: this instance's previous run of the same checks had not finished when the slot came.",
			registry.RunClaimedElsewhere:    "Not run here: another instance was running the slot or had already run it.",
		})
	checkRunFailureEnum = describedEnum("CheckRunFailure",
		"Why a run failed. The error itself is kept for operators in the server log.",
		registry.CheckRunFailures, map[string]string{
			registry.FailureStopped: "The instance was stopping, or the caller went away, and the run was cancelled.",
			registry.FailureTimeout: "The run took longer than it was allowed.",
			registry.FailureError:   "The database or a check failed.",
		})
)

// findingFields adds findings, check runs and the catalogue of checks to
// the query root, and runChecks and acceptFinding to the mutation root.
func (t *types) findingFields(r *resolvers.Resolvers, query, mutation graphql.Fields) {
	inst := t.instant

	event := graphql.NewObject(graphql.ObjectConfig{Name: "FindingEvent", Description: "A step in a finding's history.",
		Fields: graphql.Fields{
			"event": field(nn(graphql.String), "opened, resolved, reopened, accepted or acceptance_lapsed.", func(e registry.FindingEvent) any { return e.Event }),
			"at":    field(nn(inst), "When it happened.", func(e registry.FindingEvent) any { return e.At }),
			"actor": field(nn(graphql.String), "Who did it: a token's name, or the run's actor (kedja schedule, kedja check).", func(e registry.FindingEvent) any { return e.Actor }),
			"runId": field(graphql.ID, "The run that saw it.", func(e registry.FindingEvent) any {
				if e.RunID == nil {
					return nil
				}
				return id(*e.RunID)
			}),
			"note": field(graphql.String, "Details, such as an acceptance's end date and justification; null if none.", func(e registry.FindingEvent) any { return optStr(e.Note) }),
		}})
	subject := func(kind string) func(f registry.Finding) *int64 {
		return func(f registry.Finding) *int64 {
			if f.SubjectKind != kind {
				return nil
			}
			return &f.SubjectID
		}
	}
	findingController := graphql.NewObject(graphql.ObjectConfig{Name: "FindingController",
		Description: "A controller whose chain a finding affects, with the links from it to the finding's subject.",
		Fields: graphql.Fields{
			"controller": {Type: nn(t.org), Description: "The controller.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(c registry.FindingController) *int64 { return &c.ControllerID })},
			"path":       {Type: list(t.link), Description: "The links from the controller to the subject, the shortest of the gravest.", Resolve: resolvers.LinksByIDs(r, func(c registry.FindingController) []int64 { return c.Path })},
			"since": field(inst, "When the condition began in this controller's chain according to the dated facts (the start of the links, "+
				"of the profile or location, the day after an attestation expired); null when the facts do not say.",
				func(c registry.FindingController) any { return optTime(c.Since) }),
			"firstSeen": field(inst, "When a run first found it affecting this controller (clock time); null in an evaluation.", func(c registry.FindingController) any { return zeroNull(c.FirstSeen) }),
			"lastSeen":  field(inst, "When a run last found it affecting this controller (clock time); null in an evaluation.", func(c registry.FindingController) any { return zeroNull(c.LastSeen) }),
		}})
	controllers := func() *graphql.Field {
		return field(list(findingController), "Every controller whose chain it affects, each with its path; the shortest path first. "+
			"A finding is one fact (check and subject), whatever the number of chains it is in.",
			func(f registry.Finding) any { return f.Controllers })
	}
	since := func() *graphql.Field {
		return field(inst, "When the condition began according to the dated facts: the earliest over its controllers (for a finding, "+
			"the earliest known while it stays open); null when the facts do not say. Compare firstSeen, when a run first found it.",
			func(f registry.Finding) any { return optTime(f.Since) })
	}
	controllerField := &graphql.Field{Type: nn(t.org), Description: "The first of controllers (the shortest path).",
		DeprecationReason: "A finding lists every controller it affects: use controllers.",
		Resolve:           resolvers.ByID(r, resolvers.Orgs, func(f registry.Finding) *int64 { return &f.ControllerID })}
	pathField := &graphql.Field{Type: list(t.link), Description: "The links from the first of controllers to the subject.",
		DeprecationReason: "A finding lists every controller it affects, each with its path: use controllers.",
		Resolve:           resolvers.LinksByIDs(r, func(f registry.Finding) []int64 { return f.Path })}
	t.compliance = graphql.NewObject(graphql.ObjectConfig{Name: "Finding",
		Description: "One fact a check found about a party, system or link, with every controller whose chain it affects.",
		Fields: graphql.Fields{
			"controllers":   controllers(),
			"since":         since(),
			"id":            field(nn(graphql.ID), "The finding's id in the registry.", func(f registry.Finding) any { return id(f.ID) }),
			"check":         field(nn(graphql.String), "The check's id (see checks).", func(f registry.Finding) any { return f.Check }),
			"severity":      field(nn(severityEnum), "How serious the check judged it.", func(f registry.Finding) any { return f.Severity }),
			"status":        field(nn(findingStatusEnum), "Its status as in effect today: an acceptance that ran out reads as OPEN.", func(f registry.Finding) any { return f.Status }),
			"subjectKind":   field(nn(subjectKindEnum), "What it is about: a party, a system or a link.", func(f registry.Finding) any { return f.SubjectKind }),
			"subjectParty":  {Type: t.org, Description: "The organisation it is about when subjectKind is PARTY; else null.", Resolve: resolvers.ByID(r, resolvers.Orgs, subject("party"))},
			"subjectSystem": {Type: t.system, Description: "The system it is about when subjectKind is SYSTEM; else null.", Resolve: resolvers.ByID(r, resolvers.Systems, subject("system"))},
			"subjectLink":   {Type: t.link, Description: "The link it is about when subjectKind is LINK; else null.", Resolve: resolvers.ByID(r, resolvers.Links, subject("link"))},
			"controller":    controllerField,
			"path":          pathField,
			"legalRef":      field(nn(graphql.String), "The law or rule it concerns, such as GDPR Art. 28(3).", func(f registry.Finding) any { return f.LegalRef }),
			"message":       field(nn(graphql.String), "What was found, in English.", func(f registry.Finding) any { return f.Message }),
			"evidence":      field(nn(graphql.String), "What the check saw, as JSON.", func(f registry.Finding) any { return string(f.Evidence) }),
			"firstSeen":     field(nn(inst), "When a run of checks first found it: the run's clock time, not the instant the run evaluated.", func(f registry.Finding) any { return f.FirstSeen }),
			"lastSeen":      field(nn(inst), "When a run of checks last found it (clock time).", func(f registry.Finding) any { return f.LastSeen }),
			"resolvedAt":    field(inst, "When a run of its check no longer found it; null unless RESOLVED.", func(f registry.Finding) any { return optTime(f.ResolvedAt) }),
			"acceptedBy":    field(graphql.String, "Who accepted it last (a token's name); null if never accepted.", func(f registry.Finding) any { return optStr(f.AcceptedBy) }),
			"acceptedUntil": field(dateScalar, "Last day its latest acceptance holds (inclusive); null if never accepted.", func(f registry.Finding) any { return optTime(f.AcceptedUntil) }),
			"justification": field(graphql.String, "Why it was last accepted; null if never accepted.", func(f registry.Finding) any { return optStr(f.Justification) }),
			"events": {Type: list(event), Description: "Its history, oldest first.",
				Resolve: resolvers.Related(r, resolvers.FindingEvents, func(f registry.Finding) int64 { return f.ID })},
		}})
	failed := field(nn(graphql.Boolean), "Whether status is FAILED.", func(c registry.CheckRun) any { return c.Status == registry.RunFailed })
	failed.DeprecationReason = "Use status and failure."
	run := graphql.NewObject(graphql.ObjectConfig{Name: "CheckRun",
		Description: "One run of checks, or what one instance did with a scheduled slot it did not run.",
		Fields: graphql.Fields{
			"id":      field(nn(graphql.ID), "The run's id; runs are numbered in the order they start.", func(c registry.CheckRun) any { return id(c.ID) }),
			"checks":  field(list(graphql.String), "The ids of the checks it ran, or would have run.", func(c registry.CheckRun) any { return []string(c.Checks) }),
			"trigger": field(nn(graphql.String), "schedule, api or cli.", func(c registry.CheckRun) any { return c.Trigger }),
			"actor":   field(nn(graphql.String), "Who started it: a token's name, kedja schedule or kedja check.", func(c registry.CheckRun) any { return c.Actor }),
			"slot":    field(inst, "The scheduled time, for scheduled runs.", func(c registry.CheckRun) any { return optTime(c.Slot) }),
			"status":  field(nn(checkRunStatusEnum), "What became of the run or slot.", func(c registry.CheckRun) any { return c.Status }),
			"failure": field(checkRunFailureEnum, "Why a FAILED run failed; null otherwise.", func(c registry.CheckRun) any { return optStr(c.Failure) }),
			"evaluatedAt": field(inst, "The instant the registry was evaluated at; null for a slot this instance did not run.",
				func(c registry.CheckRun) any { return optTime(c.EvaluatedAt) }),
			"startedAt": field(nn(inst), "When the run started, or when a slot not run was recorded (clock time).", func(c registry.CheckRun) any { return c.StartedAt }),
			"endedAt":   field(inst, "When the run ran or failed; null while RUNNING, when ABANDONED, and for a slot not run.", func(c registry.CheckRun) any { return optTime(c.EndedAt) }),
			"found":     field(graphql.Int, "How many findings it found, one per check and subject; null unless it RAN.", func(c registry.CheckRun) any { return optInt(c.Found) }),
			"opened":    field(graphql.Int, "How many of them were new; null unless it RAN.", func(c registry.CheckRun) any { return optInt(c.Opened) }),
			"reopened":  field(graphql.Int, "How many of them had been resolved and returned; null unless it RAN.", func(c registry.CheckRun) any { return optInt(c.Reopened) }),
			"resolved":  field(graphql.Int, "How many open or accepted findings of its checks it no longer found, now resolved; null unless it RAN.", func(c registry.CheckRun) any { return optInt(c.Resolved) }),
			"failed":    failed,
		}})
	checkInfo := graphql.NewObject(graphql.ObjectConfig{Name: "Check",
		Description: "A compliance check of the catalogue: what it looks for and the law it rests on.", Fields: graphql.Fields{
			"id":       field(nn(graphql.String), "The check's id, as findings and runChecks name it.", func(c registry.Check) any { return c.ID }),
			"title":    field(nn(graphql.String), "What it looks for, in English.", func(c registry.Check) any { return c.Title }),
			"legalRef": field(nn(graphql.String), "The law or rule it rests on, such as GDPR Art. 28(2).", func(c registry.Check) any { return c.LegalRef }),
			"severityRule": field(graphql.String, "How a finding's severity is chosen, and on what published decisions it is calibrated; null where the catalogue does not say.",
				func(c registry.Check) any { return nonEmpty(c.SeverityRule) }),
			"clearedBy": field(graphql.String, "What in the registry resolves a finding of this check; null where the catalogue does not say.",
				func(c registry.Check) any { return nonEmpty(c.Clears) }),
		}})

	filter := inputObject("FindingFilter", "Narrows a list of findings; each field given must match.", graphql.InputObjectConfigFieldMap{
		"severity":     in(severityEnum, "Only findings of this severity."),
		"check":        in(graphql.String, "Only findings of this check (its id; see checks)."),
		"status":       in(findingStatusEnum, "Only findings with this status as in effect today."),
		"subjectKind":  in(subjectKindEnum, "Only findings about this kind of subject."),
		"subjectId":    in(graphql.ID, "Only findings about the party, system or link with this id; add subjectKind to say which."),
		"controllerId": in(graphql.ID, "Only findings that affect this controller's chain (it is among their controllers)."),
		"since":        in(inst, "First seen at or after."),
	})
	paged := graphql.FieldConfigArgument{
		"filter": {Type: filter, Description: "Only those that match every field given; without it, all."},
		"first":  {Type: graphql.Int, Description: "1-500 (default 50)."},
		"after":  {Type: graphql.String, Description: "endCursor of the previous page."},
	}
	query["findings"] = &graphql.Field{Type: nn(t.connection(t.compliance)), Args: paged, Resolve: r.Findings(),
		Description: "What the compliance checks found, in id order (oldest first), a page at a time, each with its status as in effect today."}
	query["finding"] = &graphql.Field{Type: t.compliance, Resolve: r.Finding(),
		Description: "A finding by its id; a NOT_FOUND error if there is none.",
		Args:        graphql.FieldConfigArgument{"id": {Type: nn(graphql.ID), Description: "The finding's id."}}}
	query["checkRuns"] = &graphql.Field{Type: nn(t.connection(run)), Description: "Runs of checks, newest first.",
		Args: graphql.FieldConfigArgument{
			"first": {Type: graphql.Int, Description: "Page size, 1-500 (default 50)."},
			"after": {Type: graphql.String, Description: "endCursor of the previous page."},
		}, Resolve: r.CheckRuns()}
	query["checks"] = &graphql.Field{Type: list(checkInfo), Description: "The catalogue of checks.",
		Resolve: r.Catalogue()}

	evaluated := graphql.NewObject(graphql.ObjectConfig{Name: "EvaluatedFinding",
		Description: "What a check would find as of an instant (evaluateChecks): a finding that is kept nowhere, so without id, status or history.",
		Fields: graphql.Fields{
			"check":         field(nn(graphql.String), "The check's id (see checks).", func(f registry.Finding) any { return f.Check }),
			"severity":      field(nn(severityEnum), "How serious the check judges it.", func(f registry.Finding) any { return f.Severity }),
			"subjectKind":   field(nn(subjectKindEnum), "What it is about: a party, a system or a link.", func(f registry.Finding) any { return f.SubjectKind }),
			"subjectParty":  {Type: t.org, Description: "The organisation it is about when subjectKind is PARTY; else null.", Resolve: resolvers.ByID(r, resolvers.Orgs, subject("party"))},
			"subjectSystem": {Type: t.system, Description: "The system it is about when subjectKind is SYSTEM; else null.", Resolve: resolvers.ByID(r, resolvers.Systems, subject("system"))},
			"subjectLink":   {Type: t.link, Description: "The link it is about when subjectKind is LINK; else null.", Resolve: resolvers.ByID(r, resolvers.Links, subject("link"))},
			"controllers":   controllers(),
			"since":         since(),
			"legalRef":      field(nn(graphql.String), "The law or rule it concerns, such as GDPR Art. 28(3).", func(f registry.Finding) any { return f.LegalRef }),
			"message":       field(nn(graphql.String), "What would be found, in English.", func(f registry.Finding) any { return f.Message }),
			"evidence":      field(nn(graphql.String), "What the check saw, as JSON.", func(f registry.Finding) any { return string(f.Evidence) }),
		}})
	evaluation := graphql.NewObject(graphql.ObjectConfig{Name: "CheckEvaluation",
		Description: "What the checks would have found over the registry as of an instant, computed and kept nowhere.",
		Fields: graphql.Fields{
			"evaluatedAt": field(nn(inst), "The instant the registry was evaluated at.", func(e resolvers.CheckEvaluation) any { return e.At }),
			"checks":      field(list(graphql.String), "The ids of the checks evaluated.", func(e resolvers.CheckEvaluation) any { return e.Checks }),
			"findings": field(list(evaluated), "What they would find, one per check and subject, the gravest first.",
				func(e resolvers.CheckEvaluation) any { return e.Findings }),
		}})
	query["evaluateChecks"] = &graphql.Field{Type: nn(evaluation), Resolve: r.EvaluateChecks(),
		Description: "What the checks would have said as of an instant (\"what would the checks have said on 2019-02-01?\"), " +
			"computed like a run in a transaction that is rolled back: it writes no finding, event or run and changes no status. " +
			"INVALID_INPUT if checks names a check not in the catalogue.",
		Args: graphql.FieldConfigArgument{
			"at":              {Type: nn(inst), Description: "Evaluate the registry as of this instant."},
			"checks":          {Type: graphql.NewList(nn(graphql.String)), Description: "Check ids (default: all)."},
			"restoreTestDays": periodArg("restore test", "kedja.restore_test_days", registry.DefaultRestoreTestDays),
			"scanDays":        periodArg("vulnerability scan", "kedja.scan_days", registry.DefaultScanDays),
		}}

	count := func(name, desc, keyName, keyDesc string, keyType graphql.Output, key func(registry.Count) any) *graphql.Object {
		return graphql.NewObject(graphql.ObjectConfig{Name: name, Description: desc, Fields: graphql.Fields{
			keyName: field(nn(keyType), keyDesc, key),
			"count": field(nn(graphql.Int), "How many open findings.", func(c registry.Count) any { return c.Count }),
		}})
	}
	bySeverity := count("SeverityCount", "Open findings of one severity.", "severity", "The severity.", severityEnum, func(c registry.Count) any { return c.Key })
	byCheck := count("CheckCount", "Open findings of one check.", "check", "The check's id (see checks).", graphql.String, func(c registry.Count) any { return c.Key })
	partyCount := graphql.NewObject(graphql.ObjectConfig{Name: "PartyCount", Description: "Open findings about, or affecting, one organisation.",
		Fields: graphql.Fields{
			"party": {Type: nn(t.org), Description: "The organisation.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(c registry.Count) *int64 { return &c.ID })},
			"count": field(nn(graphql.Int), "How many open findings.", func(c registry.Count) any { return c.Count }),
		}})
	summary := graphql.NewObject(graphql.ObjectConfig{Name: "FindingSummary",
		Description: "Open findings (as in effect today) counted by severity, by check, by the party concerned and by controller.",
		Fields: graphql.Fields{
			"total":      field(nn(graphql.Int), "How many open findings in all.", func(s registry.FindingSummary) any { return s.Total }),
			"bySeverity": field(list(bySeverity), "By severity, the gravest first; severities without findings are left out.", func(s registry.FindingSummary) any { return s.BySeverity }),
			"byCheck":    field(list(byCheck), "By check, the most first.", func(s registry.FindingSummary) any { return s.ByCheck }),
			"byParty": field(list(partyCount), "By the party concerned: the subject party, a system's operator, a link's receiving party; the most first.",
				func(s registry.FindingSummary) any { return s.ByParty }),
			"byController": field(list(partyCount), "By controller whose chain they affect, the most first; a finding counts once for each of its controllers.",
				func(s registry.FindingSummary) any { return s.ByController }),
		}})
	query["findingSummary"] = &graphql.Field{Type: nn(summary), Resolve: r.FindingSummary(),
		Description: "Counts of the open findings by severity, check, party and controller, in one statement.",
		Args: graphql.FieldConfigArgument{
			"controllerId": {Type: graphql.ID, Description: "Only findings that affect this controller's chain (default: all)."},
		}}

	mutation["runChecks"] = &graphql.Field{Type: nn(run),
		Description: "Runs checks now over the whole registry and updates the live findings. A run evaluates the registry as it is now: " +
			"an at more than five minutes from the server's clock is refused (INVALID_INPUT on at); what the checks would have said " +
			"as of another instant is evaluateChecks, which changes nothing.",
		Args: graphql.FieldConfigArgument{
			"at":              {Type: inst, Description: "Now (default), within five minutes of the server's clock; see evaluateChecks for another instant."},
			"checks":          {Type: graphql.NewList(nn(graphql.String)), Description: "Check ids (default: all)."},
			"restoreTestDays": periodArg("restore test", "kedja.restore_test_days", registry.DefaultRestoreTestDays),
			"scanDays":        periodArg("vulnerability scan", "kedja.scan_days", registry.DefaultScanDays),
		}, Resolve: r.RunChecks()}
	mutation["acceptFinding"] = &graphql.Field{Type: nn(t.compliance),
		Description: "Accepts a finding with a justification until a date; after it, the finding counts as open again. " +
			"A resolved finding cannot be accepted (CONFLICT).",
		Args: graphql.FieldConfigArgument{
			"id":            {Type: nn(graphql.ID), Description: "The finding's id."},
			"justification": {Type: nn(graphql.String), Description: "Why it is accepted, 1 to 4,000 characters; kept with the finding and in its history."},
			"until":         {Type: nn(dateScalar), Description: "Last day the acceptance holds (inclusive); today or later."},
		}, Resolve: r.AcceptFinding()}
}

// periodArg is the argument of a recency period of a check run.
func periodArg(what, setting string, def int) *graphql.ArgumentConfig {
	return &graphql.ArgumentConfig{Type: graphql.Int, Description: fmt.Sprintf("How recent the last %s must be, in days (1 to %d); "+
		"default: the database setting %s, else %d. INVALID_INPUT naming this argument when out of range.", what, registry.MaxPeriodDays, setting, def)}
}
