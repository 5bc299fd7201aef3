package access

import (
	"slices"
	"strings"

	"github.com/kedja/kedja/registry"
)

// Who may do what. Every root field has a rule of its own; every other
// field takes its type's rule. A root field or type without a rule makes
// schema.New fail, so nothing new is reachable by accident.
const (
	admin   = registry.RoleAdmin
	editor  = registry.RoleEditor
	auditor = registry.RoleAuditor
	dsr     = registry.RoleDSR
)

var (
	readers   = []string{admin, editor, auditor}
	writers   = []string{admin, editor}
	adminOnly = []string{admin}
	everyone  = []string{admin, editor, auditor, dsr}
	traceRead = []string{admin, auditor, dsr}
	// Of those, these read every trace; the others (dsr) only the traces
	// their own token made (ReadsAllTraces, Traces).
	traceReadAll = []string{admin, auditor}
)

// ReadsAllTraces says whether role reads every trace rather than only its
// own token's.
func ReadsAllTraces(role string) bool { return slices.Contains(traceReadAll, role) }

// RootRules says which roles may use each root field.
var RootRules = map[string][]string{
	"Query.organisation": readers, "Query.organisations": readers, "Query.system": readers, "Query.systems": readers,
	"Query.link": readers, "Query.links": readers, "Query.attestation": readers, "Query.attestations": readers,
	"Query.country": readers, "Query.countries": readers, "Query.systemUse": readers, "Query.systemUses": readers,
	"Query.dataMove": readers, "Query.dataMoves": readers, "Query.chain": readers, "Query.responsibility": readers,
	"Query.findings": readers, "Query.finding": readers, "Query.checkRuns": readers, "Query.checks": readers,
	"Query.evaluateChecks": readers, "Query.findingSummary": readers,
	"Query.trace": traceRead, "Query.traces": traceRead,
	"Query.auditLog": {admin, auditor},
	// Lock-outs of token guessing: admins see and lift them.
	"Query.lockouts": adminOnly, "Mutation.liftLockout": adminOnly,
	// Introspection is for those who build clients (editors and auditors
	// integrate kedja with their own tools); a dsr user has its three
	// fields and nothing to discover. The server checks these two itself:
	// graphql-go answers them without a resolver of kedja's.
	"Query.__schema": readers, "Query.__type": readers,
	// Incidents: editors record, auditors and admins read; a dsr user sees
	// one only through a trace it concerns.
	"Query.incident": readers, "Query.incidents": readers,
	"Mutation.createIncident": writers, "Mutation.updateIncident": writers, "Mutation.setIncidentParty": writers,
	"Mutation.recordNotification": writers, "Mutation.importAccessLog": writers,

	"Mutation.createOrganisation": writers, "Mutation.updateOrganisation": writers, "Mutation.endOrganisation": writers,
	"Mutation.createSystem": writers, "Mutation.updateSystem": writers, "Mutation.endSystem": writers,
	"Mutation.setSystemProfile": writers, "Mutation.addSystemLocation": writers, "Mutation.endSystemLocation": writers,
	"Mutation.createLink": writers, "Mutation.updateLink": writers, "Mutation.endLink": writers,
	"Mutation.recordRoleFinding": writers, "Mutation.createSystemUse": writers, "Mutation.endSystemUse": writers,
	"Mutation.recordDataMove": writers, "Mutation.createAttestation": writers, "Mutation.updateAttestation": writers,
	"Mutation.withdrawAttestation": writers, "Mutation.setLocationPolicy": writers, "Mutation.endLocationPolicy": writers,
	"Mutation.addAccessPath": writers, "Mutation.endAccessPath": writers,
	"Mutation.addSystemRelation": writers, "Mutation.endSystemRelation": writers,
	"Mutation.addSoftwareComponent": writers, "Mutation.endSoftwareComponent": writers,
	"Mutation.recordVulnerabilityScan": writers, "Mutation.recordExploitedVulnerability": writers,
	"Mutation.patchVulnerability": writers, "Mutation.setSystemTenancy": writers, "Mutation.endSystemTenancy": writers,
	"Mutation.setNameIdentifiers": writers, "Mutation.endNameIdentifiers": writers,
	"Mutation.setInstructionConduct": writers, "Mutation.endInstructionConduct": writers,
	"Mutation.setAgreementCondition": writers, "Mutation.endAgreementCondition": writers,
	"Mutation.recordRiskAssessment": writers,
	"Mutation.runChecks":            writers, "Mutation.acceptFinding": writers,
	"Mutation.setDisclosureBasis": writers, "Mutation.endDisclosureBasis": writers,
	"Mutation.createSubcontractorApproval": writers, "Mutation.endSubcontractorApproval": writers,
	"Mutation.setCallerNotice": writers, "Mutation.endCallerNotice": writers,
	"Mutation.setProcessingRecord": writers, "Mutation.endProcessingRecord": writers,
	"Mutation.setNoticePeriod": writers, "Mutation.endNoticePeriod": writers,
	"Mutation.createChangeNotice": writers, "Mutation.respondToNotice": writers,
	"Query.record": readers, "Query.processorRecord": readers,
	// traceCall stores the trace it makes: a write, for the access-request
	// handlers whose case it is.
	"Mutation.traceCall": {admin, dsr},
	// Legal reference data changes what every check concludes.
	"Mutation.renameCountry": adminOnly, "Mutation.addEEAMembership": adminOnly, "Mutation.endEEAMembership": adminOnly,
	"Mutation.addAdequacyDecision": adminOnly, "Mutation.endAdequacyDecision": adminOnly,
	"Mutation.addHealthSecrecyRule": adminOnly, "Mutation.endHealthSecrecyRule": adminOnly,
	"Mutation.addRetentionMinimum": adminOnly, "Mutation.endRetentionMinimum": adminOnly,
	"Query.healthSecrecyRules": readers, "Query.retentionMinimums": readers,
	"Mutation.addPartyJurisdiction": adminOnly, "Mutation.endPartyJurisdiction": adminOnly,
	"Query.lawAdequacyDecisions": readers, "Query.partyJurisdictions": readers,
	// Suppliers' sub-processor lists: editors and admins import, approve
	// and reject; readers read the dry runs.
	"Query.import": readers, "Query.imports": readers,
	"Mutation.importSubprocessorList": writers, "Mutation.approveImport": writers, "Mutation.rejectImport": writers,
}

// PageRules says which roles may open each web page: the rule of the query
// or mutation whose data the page shows, so that no page shows what the API
// would refuse. A page a role may not open answers 404, as for an object
// that does not exist.
var PageRules = map[string][]string{
	"home": RootRules["Query.findingSummary"], "findings": RootRules["Query.findings"],
	"finding": RootRules["Query.finding"], "chain": RootRules["Query.chain"],
	"party": RootRules["Query.organisation"], "system": RootRules["Query.system"],
	"dsr": RootRules["Query.traces"], "dsr.run": RootRules["Mutation.traceCall"], "report": RootRules["Query.trace"],
	// The regions a trace may start from are the choices of the form that
	// runs one: their names only, to those who may run a trace (a dsr
	// handler cannot list organisations).
	"dsr.regions": RootRules["Mutation.traceCall"],
	// A finding's acceptance form, the responsibility page and the audit log.
	"finding.accept": RootRules["Mutation.acceptFinding"], "responsibility": RootRules["Query.responsibility"],
	"audit": RootRules["Query.auditLog"],
	// A link's page, and the edit forms of parties, systems and links: the
	// update mutations' rules. Where a thing sits in the chains is the
	// responsibility query's data.
	"link": RootRules["Query.link"], "link.edit": RootRules["Mutation.updateLink"],
	"party.edit": RootRules["Mutation.updateOrganisation"], "system.edit": RootRules["Mutation.updateSystem"],
	"placements": RootRules["Query.responsibility"],
	// The API explorer and the SDL: for the roles that may introspect.
	"explorer": RootRules["Query.__schema"],
	"records":  RootRules["Query.record"],
	// Suppliers' lists: the page lists and shows imports; its forms upload,
	// approve and reject.
	"imports": RootRules["Query.imports"], "import": RootRules["Query.import"],
	"imports.run": RootRules["Mutation.importSubprocessorList"], "imports.approve": RootRules["Mutation.approveImport"],
	"imports.reject": RootRules["Mutation.rejectImport"],
}

// TypeRules says which roles may read the fields of each type.
var TypeRules = map[string][]string{
	"CallTrace": traceRead, "TraceParty": traceRead, "TraceHolder": traceRead, "TraceRecipient": traceRead, "TraceSystem": traceRead,
	"TraceReason": traceRead, "TraceExcluded": traceRead, "TraceCountry": traceRead, "TraceExposure": traceRead,
	"TraceKnownExposure": traceRead, "AuditEntry": {admin, auditor}, "Lockout": adminOnly,
	// Pages carry whatever their root field allowed.
	"PageInfo": everyone,

	"Organisation": readers, "System": readers, "SystemProfile": readers, "SystemLocation": readers,
	"Link": readers, "Routing": readers, "RoutingWindow": readers, "RoleFinding": readers, "SystemUse": readers,
	"DataMove": readers, "Attestation": readers, "Country": readers, "CountryStanding": readers,
	"EEAMembership": readers, "AdequacyDecision": readers, "Change": readers, "Chain": readers, "ChainStep": readers,
	"ChainParty": readers, "ChainSystem": readers, "Responsibility": readers, "ResponsibilityPath": readers,
	"ResponsibilityLink": readers, "Gap": readers, "Finding": readers, "FindingEvent": readers, "CheckRun": readers,
	"Check": readers, "LocationPolicy": readers,
	"FindingController": readers, "EvaluatedFinding": readers, "CheckEvaluation": readers, "FindingSummary": readers,
	"SeverityCount": readers, "CheckCount": readers, "PartyCount": readers,
	"DisclosureBasis": readers, "SubcontractorApproval": readers, "CallerNotice": readers, "ProcessingRecord": readers,
	"AccessPath": readers, "SystemRelation": readers,
	"SoftwareComponent": readers, "VulnerabilityScan": readers, "ExploitedVulnerability": readers, "SystemTenancy": readers,
	"NameIdentifiers": readers, "InstructionConduct": readers, "RiskAssessment": readers,
	"AgreementCondition": readers,
	"Incident":           readers, "IncidentParty": readers, "Notification": readers, "LogSummary": readers, "LogCount": readers,
	"IncidentImpact": readers, "ImpactController": readers, "ImpactParty": readers, "ImpactVia": readers,
	"NotificationDuty": readers, "AccessLog": readers, "ExposureWindow": readers,
	"HealthSecrecyRule": readers, "RetentionMinimum": readers, "PartyJurisdiction": readers,
	"ChainTimeline": readers, "ChainChange": readers,
	"NoticePeriod": readers, "ChangeNotice": readers, "NoticeResponse": readers, "NoticeWindow": readers, "NoticeStatus": readers,
	"GeneratedRecord": readers, "RecordRow": readers, "RecordSystem": readers,
	"Import": readers, "ImportRow": readers, "ImportDiff": readers, "ImportChange": readers, "ImportTrigger": readers,
	"DoubtfulMatch": readers, "MatchCandidate": readers, "MatchDecision": readers,
}

// Rule finds the roles that may resolve field of typeName: the field's own
// rule for root fields (Query, Mutation), its type's otherwise (a page type
// takes PageInfo's). ok is false when there is none, which the schema
// treats as an error rather than as "nobody" or "everybody".
func Rule(typeName, field string) (roles []string, ok bool) {
	if typeName == "Query" || typeName == "Mutation" {
		r, ok := RootRules[typeName+"."+field]
		return r, ok
	}
	if strings.HasSuffix(typeName, "Connection") {
		return everyone, true
	}
	r, ok := TypeRules[typeName]
	return r, ok
}
