package schema

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

var assessmentKindEnum = enum("AssessmentKind", "What kind of assessment a controller made.", registry.AssessmentKinds, map[string]string{
	"risk_assessment": "A risk assessment of the processing's security (GDPR Art. 32(2)).",
	"dpia":            "A data protection impact assessment (GDPR Art. 35).",
})

// hygieneTypes are the object types of software, scans, known-exploited
// vulnerabilities, tenancy, identifiers in file names, links' conduct and
// risk assessments.
type hygieneTypes struct {
	component, scan, vuln, tenancy, identifiers, conduct, assessment *graphql.Object
}

// hygieneFields adds the hygiene types and their mutations; they are read
// on System (softwareComponents, vulnerabilityScans, tenancies,
// nameIdentifiers), Link (conduct) and Organisation (riskAssessments).
func (t *types) hygieneFields(r *resolvers.Resolvers, query, mutation graphql.Fields) {
	inst, str, idT, boolean := t.instant, graphql.String, graphql.ID, graphql.Boolean
	h := &hygieneTypes{}
	t.hygiene = h
	sysOf := func(desc string, get func(any) int64) *graphql.Field {
		return &graphql.Field{Type: nn(t.system), Description: desc, Resolve: resolvers.ByID(r, resolvers.Systems, func(s any) *int64 { v := get(s); return &v })}
	}
	note := "What the record rests on; says what is public record and what an assumption; null if nothing is recorded."

	h.component = graphql.NewObject(graphql.ObjectConfig{Name: "SoftwareComponent",
		Description: "A product and version running on a system during a period, with the last day it is supported.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.periodFields(graphql.Fields{
				"id":           field(nn(graphql.ID), "The component's id in the registry.", func(x registry.SoftwareComponent) any { return id(x.ID) }),
				"system":       sysOf("The system it runs on.", func(s any) int64 { return s.(registry.SoftwareComponent).SystemID }),
				"product":      field(nn(str), "The product, such as Apache httpd.", func(x registry.SoftwareComponent) any { return x.Product }),
				"version":      field(str, "Its version; null: not known.", func(x registry.SoftwareComponent) any { return optStr(x.Version) }),
				"endOfSupport": field(dateScalar, "The last day its maker supports it; null: not known or not announced.", func(x registry.SoftwareComponent) any { return optTime(x.EndOfSupport) }),
				"exploitedVulnerabilities": {Type: list(h.vuln), Args: t.instantArg("Those listed as known exploited by this instant; without it, all."),
					Description: "Its vulnerabilities listed as known to be exploited, with the day each was patched.",
					Resolve:     resolvers.Related(r, resolvers.ExploitedVulnerabilities, func(x registry.SoftwareComponent) int64 { return x.ID })},
				"note":    field(str, note, func(x registry.SoftwareComponent) any { return optStr(x.Note) }),
				"history": t.history("software_components", func(s any) int64 { return s.(registry.SoftwareComponent).ID }),
			}, func(s any) registry.Period { return s.(registry.SoftwareComponent).Period })
		})})
	h.scan = graphql.NewObject(graphql.ObjectConfig{Name: "VulnerabilityScan",
		Description: "Evidence that a system was scanned for vulnerabilities on a day (GDPR Art. 32(1)(d)).",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"id":        field(nn(graphql.ID), "The scan's id in the registry.", func(x registry.VulnerabilityScan) any { return id(x.ID) }),
				"system":    sysOf("The system scanned.", func(s any) int64 { return s.(registry.VulnerabilityScan).SystemID }),
				"scannedOn": field(nn(dateScalar), "The day of the scan.", func(x registry.VulnerabilityScan) any { return x.ScannedOn }),
				"scope":     field(nn(str), "What the scan covered, such as external and unauthenticated.", func(x registry.VulnerabilityScan) any { return x.Scope }),
				"reference": field(str, "The report; null if not recorded.", func(x registry.VulnerabilityScan) any { return optStr(x.Reference) }),
				"note":      field(str, note, func(x registry.VulnerabilityScan) any { return optStr(x.Note) }),
				"history":   t.history("vulnerability_scans", func(s any) int64 { return s.(registry.VulnerabilityScan).ID }),
			}
		})})
	h.vuln = graphql.NewObject(graphql.ObjectConfig{Name: "ExploitedVulnerability",
		Description: "A vulnerability of a software component listed as known to be exploited (such as CISA's KEV catalogue), and when it was patched.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"id": field(nn(graphql.ID), "The record's id in the registry.", func(x registry.ExploitedVulnerability) any { return id(x.ID) }),
				"componentId": field(nn(graphql.ID), "The component it affects (see System.softwareComponents).",
					func(x registry.ExploitedVulnerability) any { return id(x.ComponentID) }),
				"cveId":     field(nn(str), "Its CVE id, such as CVE-2021-41773.", func(x registry.ExploitedVulnerability) any { return x.CVE }),
				"listedOn":  field(nn(dateScalar), "The day it was listed as known to be exploited.", func(x registry.ExploitedVulnerability) any { return x.ListedOn }),
				"patchedOn": field(dateScalar, "The day it was patched on this system; null: not patched.", func(x registry.ExploitedVulnerability) any { return optTime(x.PatchedOn) }),
				"note":      field(str, note, func(x registry.ExploitedVulnerability) any { return optStr(x.Note) }),
				"history":   t.history("exploited_vulnerabilities", func(s any) int64 { return s.(registry.ExploitedVulnerability).ID }),
			}
		})})
	h.tenancy = graphql.NewObject(graphql.ObjectConfig{Name: "SystemTenancy",
		Description: "Whether a system is shared with its operator's other customers, who shares it, and whether their data are segmented, during a period.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.periodFields(graphql.Fields{
				"id":     field(nn(graphql.ID), "The record's id in the registry.", func(x registry.SystemTenancy) any { return id(x.ID) }),
				"system": sysOf("The system.", func(s any) int64 { return s.(registry.SystemTenancy).SystemID }),
				"sharedWithOtherCustomers": field(boolean, "Whether it holds other customers' data too; null: not established.",
					func(x registry.SystemTenancy) any { return optBool(x.SharedWithOthers) }),
				"sharingControllers": {Type: list(t.org), Description: "Other controllers known to share it.",
					Resolve: resolvers.OrgsByIDs(r, func(x registry.SystemTenancy) []int64 { return x.SharingControllerIDs })},
				"segmented": field(boolean, "Whether the customers' data are segmented from one another (separate storage, access control, keys); null: not established.",
					func(x registry.SystemTenancy) any { return optBool(x.Segmented) }),
				"note":    field(str, note, func(x registry.SystemTenancy) any { return optStr(x.Note) }),
				"history": t.history("system_tenancies", func(s any) int64 { return s.(registry.SystemTenancy).ID }),
			}, func(s any) registry.Period { return s.(registry.SystemTenancy).Period })
		})})
	h.identifiers = graphql.NewObject(graphql.ObjectConfig{Name: "NameIdentifiers",
		Description: "Whether a system's file names or metadata (readable without opening a file) carry callers' identifiers, during a period (GDPR Art. 5(1)(c), 25).",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.periodFields(graphql.Fields{
				"id":           field(nn(graphql.ID), "The record's id in the registry.", func(x registry.NameIdentifiers) any { return id(x.ID) }),
				"system":       sysOf("The system.", func(s any) int64 { return s.(registry.NameIdentifiers).SystemID }),
				"phoneNumbers": field(boolean, "Whether they carry callers' phone numbers; null: not established.", func(x registry.NameIdentifiers) any { return optBool(x.PhoneNumbers) }),
				"personalIdentityNumbers": field(boolean, "Whether they carry personal identity numbers; null: not established.",
					func(x registry.NameIdentifiers) any { return optBool(x.PersonalIdentityNumbers) }),
				"note":    field(str, note, func(x registry.NameIdentifiers) any { return optStr(x.Note) }),
				"history": t.history("name_identifiers", func(s any) int64 { return s.(registry.NameIdentifiers).ID }),
			}, func(s any) registry.Period { return s.(registry.NameIdentifiers).Period })
		})})
	h.conduct = graphql.NewObject(graphql.ObjectConfig{Name: "InstructionConduct",
		Description: "Whether a link's receiving party stores or records data beyond the controller's instructions, during a period: " +
			"a processor that does is a controller of that processing (GDPR Art. 28(10), 29).",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return t.periodFields(graphql.Fields{
				"id":   field(nn(graphql.ID), "The record's id in the registry.", func(x registry.InstructionConduct) any { return id(x.ID) }),
				"link": {Type: nn(t.link), Description: "The link.", Resolve: resolvers.ByID(r, resolvers.Links, func(x registry.InstructionConduct) *int64 { return &x.LinkID })},
				"beyondInstructions": field(boolean, "Whether the receiving party stores or records beyond its instructions; null: not established.",
					func(x registry.InstructionConduct) any { return optBool(x.BeyondInstructions) }),
				"what":      field(str, "What it stores or records beyond them; null if nothing is recorded.", func(x registry.InstructionConduct) any { return optStr(x.What) }),
				"authority": field(str, "The authority or court whose finding this is; null when it is the parties' own account.", func(x registry.InstructionConduct) any { return optStr(x.Authority) }),
				"reference": field(str, "The decision, audit or report relied on; null if none is recorded.", func(x registry.InstructionConduct) any { return optStr(x.Reference) }),
				"note":      field(str, note, func(x registry.InstructionConduct) any { return optStr(x.Note) }),
				"history":   t.history("instruction_conduct", func(s any) int64 { return s.(registry.InstructionConduct).ID }),
			}, func(s any) registry.Period { return s.(registry.InstructionConduct).Period })
		})})
	h.assessment = graphql.NewObject(graphql.ObjectConfig{Name: "RiskAssessment",
		Description: "A controller's risk assessment (GDPR Art. 32(2)) or DPIA (Art. 35) made on a day, and the links and parties it covers.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"id": field(nn(graphql.ID), "The assessment's id in the registry.", func(x registry.RiskAssessment) any { return id(x.ID) }),
				"controller": {Type: nn(t.org), Description: "The controller that made it.",
					Resolve: resolvers.ByID(r, resolvers.Orgs, func(x registry.RiskAssessment) *int64 { return &x.ControllerID })},
				"kind":       field(nn(assessmentKindEnum), "Risk assessment or DPIA.", func(x registry.RiskAssessment) any { return x.Kind }),
				"assessedOn": field(nn(dateScalar), "The day it was made; it covers a supplier engaged on or after this day in time.", func(x registry.RiskAssessment) any { return x.AssessedOn }),
				"coveredLinks": {Type: list(t.link), Description: "The links it covers.",
					Resolve: resolvers.LinksByIDs(r, func(x registry.RiskAssessment) []int64 { return x.CoveredLinkIDs })},
				"coveredParties": {Type: list(t.org), Description: "The parties it covers: every link to them.",
					Resolve: resolvers.OrgsByIDs(r, func(x registry.RiskAssessment) []int64 { return x.CoveredPartyIDs })},
				"reference": field(str, "Where it is kept; null if not recorded.", func(x registry.RiskAssessment) any { return optStr(x.Reference) }),
				"note":      field(str, note, func(x registry.RiskAssessment) any { return optStr(x.Note) }),
				"history":   t.history("risk_assessments", func(s any) int64 { return s.(registry.RiskAssessment).ID }),
			}
		})})

	validFrom := func(what string) *graphql.InputObjectFieldConfig {
		return in(nn(inst), "First instant it applies (inclusive); "+what)
	}
	validTo := in(inst, "First instant it no longer applies (exclusive); omit while it lasts.")
	noteIn := in(str, "What the record rests on, assumptions marked as such (up to 4,000 characters).")
	componentInput := inputObject("SoftwareComponentInput", "A product and version running on a system, from validFrom on.", graphql.InputObjectConfigFieldMap{
		"systemId":     in(nn(idT), "The system it runs on."),
		"product":      in(nn(str), "The product, such as Apache httpd (up to 300 characters)."),
		"version":      in(str, "Its version (up to 100 characters); omit if not known."),
		"endOfSupport": in(dateScalar, "The last day its maker supports it (YYYY-MM-DD); omit if not known or not announced."),
		"note":         noteIn,
		"validFrom":    validFrom("refused if the same product and version runs on the system in an overlapping period."),
		"validTo":      validTo,
	})
	scanInput := inputObject("VulnerabilityScanInput", "Evidence of a vulnerability scan of a system.", graphql.InputObjectConfigFieldMap{
		"systemId":  in(nn(idT), "The system scanned."),
		"scannedOn": in(nn(dateScalar), "The day of the scan (YYYY-MM-DD)."),
		"scope":     in(nn(str), "What the scan covered, such as external and unauthenticated (up to 300 characters)."),
		"reference": in(str, "The report (up to 300 characters)."),
		"note":      noteIn,
	})
	vulnInput := inputObject("ExploitedVulnerabilityInput", "A known-exploited vulnerability of a software component.", graphql.InputObjectConfigFieldMap{
		"componentId": in(nn(idT), "The component it affects."),
		"cveId":       in(nn(str), "Its CVE id, such as CVE-2021-41773; upper-cased."),
		"listedOn":    in(nn(dateScalar), "The day it was listed as known to be exploited (YYYY-MM-DD)."),
		"patchedOn":   in(dateScalar, "The day it was patched on this system; omit if not patched (patchVulnerability records it later)."),
		"note":        noteIn,
	})
	tenancyInput := inputObject("SystemTenancyInput", "Who shares a system and whether their data are segmented, from validFrom on.", graphql.InputObjectConfigFieldMap{
		"systemId":                 in(nn(idT), "The system."),
		"sharedWithOtherCustomers": in(boolean, "Whether it holds other customers' data too; omit if not established. Not false when sharingControllerIds names any."),
		"sharingControllerIds":     in(graphql.NewList(nn(idT)), "Other controllers known to share it (at most 50)."),
		"segmented":                in(boolean, "Whether the customers' data are segmented from one another; omit if not established."),
		"note":                     noteIn,
		"validFrom":                validFrom("an open-ended tenancy record of the system that started earlier ends here."),
		"validTo":                  validTo,
	})
	identifiersInput := inputObject("NameIdentifiersInput", "Whether a system's file names or metadata carry callers' identifiers, from validFrom on.", graphql.InputObjectConfigFieldMap{
		"systemId":                in(nn(idT), "The system."),
		"phoneNumbers":            in(boolean, "Whether they carry callers' phone numbers; omit if not established."),
		"personalIdentityNumbers": in(boolean, "Whether they carry personal identity numbers; omit if not established."),
		"note":                    noteIn,
		"validFrom":               validFrom("an open-ended record of the system that started earlier ends here."),
		"validTo":                 validTo,
	})
	conductInput := inputObject("InstructionConductInput", "Whether a link's receiving party acts beyond the controller's instructions, from validFrom on.", graphql.InputObjectConfigFieldMap{
		"linkId":             in(nn(idT), "The link."),
		"beyondInstructions": in(boolean, "Whether it stores or records beyond its instructions; omit if not established."),
		"what":               in(str, "What it stores or records beyond them (up to 1,000 characters); required when beyondInstructions is true."),
		"authority":          in(str, "The authority or court whose finding this is (up to 300 characters); omit for the parties' own account."),
		"reference":          in(str, "The decision, audit or report relied on (up to 300 characters)."),
		"note":               noteIn,
		"validFrom":          validFrom("an open-ended record of the link that started earlier ends here."),
		"validTo":            validTo,
	})
	assessmentInput := inputObject("RiskAssessmentInput", "A controller's risk assessment or DPIA.", graphql.InputObjectConfigFieldMap{
		"controllerId":    in(nn(idT), "The controller that made it."),
		"kind":            in(nn(assessmentKindEnum), "Risk assessment or DPIA."),
		"assessedOn":      in(nn(dateScalar), "The day it was made (YYYY-MM-DD)."),
		"coveredLinkIds":  in(graphql.NewList(nn(idT)), "The links it covers (at most 50); with coveredPartyIds, at least one."),
		"coveredPartyIds": in(graphql.NewList(nn(idT)), "The parties it covers, every link to them (at most 50)."),
		"reference":       in(str, "Where it is kept (up to 300 characters)."),
		"note":            noteIn,
	})
	end := func(what string) graphql.FieldConfigArgument { return t.endArgs(what, periodEnd) }
	svc := resolvers.PostureSvc
	add(mutation, graphql.Fields{
		"addSoftwareComponent": {Type: nn(h.component), Args: createArgs(componentInput, "component"),
			Description: "Records a product and version running on a system for a period.",
			Resolve:     resolvers.Create(r, svc, resolvers.DecodeComponent, registry.PostureService.AddSoftwareComponent)},
		"endSoftwareComponent": {Type: nn(h.component), Args: end("software component"),
			Description: "Ends a component: removed or upgraded (record the new version as a component of its own).",
			Resolve:     resolvers.End(r, svc, registry.PostureService.EndSoftwareComponent)},
		"recordVulnerabilityScan": {Type: nn(h.scan), Args: createArgs(scanInput, "scan"),
			Description: "Records evidence of a vulnerability scan of a system.",
			Resolve:     resolvers.Create(r, svc, resolvers.DecodeScan, registry.PostureService.RecordVulnerabilityScan)},
		"recordExploitedVulnerability": {Type: nn(h.vuln), Args: createArgs(vulnInput, "vulnerability"),
			Description: "Records a known-exploited vulnerability of a component.",
			Resolve:     resolvers.Create(r, svc, resolvers.DecodeExploited, registry.PostureService.RecordExploitedVulnerability)},
		"patchVulnerability": {Type: nn(h.vuln), Description: "Records the day a known-exploited vulnerability was patched; INVALID_INPUT (on) if a patch day is already recorded.",
			Args: graphql.FieldConfigArgument{
				"id": {Type: nn(graphql.ID), Description: "The vulnerability record's id."},
				"on": {Type: nn(dateScalar), Description: "The day it was patched (YYYY-MM-DD)."},
			},
			Resolve: resolvers.EndOnDate(r, svc, registry.PostureService.PatchVulnerability)},
		"setSystemTenancy": {Type: nn(h.tenancy), Args: createArgs(tenancyInput, "tenancy record"),
			Description: "Records who shares a system and whether their data are segmented from validFrom; the record in force until then ends there.",
			Resolve:     resolvers.Create(r, svc, resolvers.DecodeTenancy, registry.PostureService.SetSystemTenancy)},
		"endSystemTenancy": {Type: nn(h.tenancy), Args: end("tenancy record"), Description: "Ends a tenancy record.",
			Resolve: resolvers.End(r, svc, registry.PostureService.EndSystemTenancy)},
		"setNameIdentifiers": {Type: nn(h.identifiers), Args: createArgs(identifiersInput, "record"),
			Description: "Records what a system's file names and metadata carry from validFrom; the record in force until then ends there.",
			Resolve:     resolvers.Create(r, svc, resolvers.DecodeNameIdentifiers, registry.PostureService.SetNameIdentifiers)},
		"endNameIdentifiers": {Type: nn(h.identifiers), Args: end("record"), Description: "Ends a record of identifiers in file names.",
			Resolve: resolvers.End(r, svc, registry.PostureService.EndNameIdentifiers)},
		"setInstructionConduct": {Type: nn(h.conduct), Args: createArgs(conductInput, "record"),
			Description: "Records whether a link's receiving party acts beyond its instructions from validFrom; the record in force until then ends there.",
			Resolve:     resolvers.Create(r, svc, resolvers.DecodeConduct, registry.PostureService.SetInstructionConduct)},
		"endInstructionConduct": {Type: nn(h.conduct), Args: end("record"), Description: "Ends a record of a link's conduct.",
			Resolve: resolvers.End(r, svc, registry.PostureService.EndInstructionConduct)},
		"recordRiskAssessment": {Type: nn(h.assessment), Args: createArgs(assessmentInput, "assessment"),
			Description: "Records a controller's risk assessment or DPIA and what it covers.",
			Resolve:     resolvers.Create(r, svc, resolvers.DecodeAssessment, registry.PostureService.RecordRiskAssessment)},
	})
}

// systemHygieneFields are System's fields of software, scans, tenancy and
// identifiers in file names.
func (t *types) systemHygieneFields(r *resolvers.Resolvers) graphql.Fields {
	sysID := func(s any) int64 { return s.(registry.System).ID }
	return graphql.Fields{
		"softwareComponents": {Type: list(t.hygiene.component), Args: t.instantArg("Components running at this instant; without it, all."),
			Description: "The products and versions running on it.", Resolve: resolvers.Related(r, resolvers.Components, sysID)},
		"vulnerabilityScans": {Type: list(t.hygiene.scan), Args: t.instantArg("Scans on or before this instant's date; without it, all."),
			Description: "Evidence of vulnerability scans, oldest first.", Resolve: resolvers.Related(r, resolvers.Scans, sysID)},
		"tenancies": {Type: list(t.hygiene.tenancy), Args: t.instantArg("The record in force at this instant; without it, all."),
			Description: "Who shares it and whether their data are segmented (empty: not established).", Resolve: resolvers.Related(r, resolvers.Tenancies, sysID)},
		"nameIdentifiers": {Type: list(t.hygiene.identifiers), Args: t.instantArg("The record in force at this instant; without it, all."),
			Description: "Whether its file names or metadata carry callers' identifiers (empty: not established).", Resolve: resolvers.Related(r, resolvers.Identifiers, sysID)},
	}
}

// linkHygieneFields are Link's fields of its receiving party's conduct.
func (t *types) linkHygieneFields(r *resolvers.Resolvers) graphql.Fields {
	return graphql.Fields{
		"conduct": {Type: list(t.hygiene.conduct), Args: t.instantArg("The record in force at this instant; without it, all."),
			Description: "Whether the receiving party acts beyond the controller's instructions (empty: not established).",
			Resolve:     resolvers.Related(r, resolvers.Conduct, func(s any) int64 { return s.(registry.Link).ID })},
	}
}

// orgHygieneFields are Organisation's fields of its risk assessments.
func (t *types) orgHygieneFields(r *resolvers.Resolvers) graphql.Fields {
	return graphql.Fields{
		"riskAssessments": {Type: list(t.hygiene.assessment), Args: t.instantArg("Those made on or before this instant's date; without it, all."),
			Description: "Its risk assessments and DPIAs, as a controller, oldest first (GDPR Art. 32(2), 35).",
			Resolve:     resolvers.Related(r, resolvers.Assessments, func(s any) int64 { return s.(registry.Organisation).ID })},
	}
}
