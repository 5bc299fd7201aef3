package resolvers

import (
	"github.com/kedja/kedja/registry"
)

// hygieneLoaders batch software components, scans, known-exploited
// vulnerabilities, tenancy, identifiers in file names, links' conduct and
// risk assessments of many systems, links and controllers.
type hygieneLoaders struct {
	components  *loader[relKey, []registry.SoftwareComponent]
	scans       *loader[relKey, []registry.VulnerabilityScan]
	vulns       *loader[relKey, []registry.ExploitedVulnerability]
	tenancies   *loader[relKey, []registry.SystemTenancy]
	identifiers *loader[relKey, []registry.NameIdentifiers]
	conduct     *loader[relKey, []registry.InstructionConduct]
	assessments *loader[relKey, []registry.RiskAssessment]
}

func newHygieneLoaders(s registry.Services) *hygieneLoaders {
	return &hygieneLoaders{
		components:  relationLoader(s.Posture.ComponentsBySystem),
		scans:       relationLoader(s.Posture.ScansBySystem),
		vulns:       relationLoader(s.Posture.VulnerabilitiesByComponent),
		tenancies:   relationLoader(s.Posture.TenanciesBySystem),
		identifiers: relationLoader(s.Posture.NameIdentifiersBySystem),
		conduct:     relationLoader(s.Posture.ConductByLink),
		assessments: relationLoader(s.Posture.AssessmentsByController),
	}
}

// Loaders of the hygiene facts, for the schema.
func Components(l *loaders) *loader[relKey, []registry.SoftwareComponent] {
	return l.hygiene.components
}
func Scans(l *loaders) *loader[relKey, []registry.VulnerabilityScan] { return l.hygiene.scans }
func ExploitedVulnerabilities(l *loaders) *loader[relKey, []registry.ExploitedVulnerability] {
	return l.hygiene.vulns
}
func Tenancies(l *loaders) *loader[relKey, []registry.SystemTenancy] { return l.hygiene.tenancies }
func Identifiers(l *loaders) *loader[relKey, []registry.NameIdentifiers] {
	return l.hygiene.identifiers
}
func Conduct(l *loaders) *loader[relKey, []registry.InstructionConduct] { return l.hygiene.conduct }
func Assessments(l *loaders) *loader[relKey, []registry.RiskAssessment] { return l.hygiene.assessments }

// DecodeComponent maps a SoftwareComponentInput.
func DecodeComponent(in *input, c *registry.SoftwareComponent) {
	in.id("systemId", &c.SystemID)
	in.str("product", &c.Product)
	in.optStr("version", &c.Version)
	in.optDate("endOfSupport", &c.EndOfSupport)
	in.optStr("note", &c.Note)
	in.instant("validFrom", &c.From)
	in.optInstant("validTo", &c.To)
}

// DecodeScan maps a VulnerabilityScanInput.
func DecodeScan(in *input, v *registry.VulnerabilityScan) {
	in.id("systemId", &v.SystemID)
	in.date("scannedOn", &v.ScannedOn)
	in.str("scope", &v.Scope)
	in.optStr("reference", &v.Reference)
	in.optStr("note", &v.Note)
}

// DecodeExploited maps an ExploitedVulnerabilityInput.
func DecodeExploited(in *input, v *registry.ExploitedVulnerability) {
	in.id("componentId", &v.ComponentID)
	in.str("cveId", &v.CVE)
	in.date("listedOn", &v.ListedOn)
	in.optDate("patchedOn", &v.PatchedOn)
	in.optStr("note", &v.Note)
}

// DecodeTenancy maps a SystemTenancyInput.
func DecodeTenancy(in *input, t *registry.SystemTenancy) {
	in.id("systemId", &t.SystemID)
	in.optBool("sharedWithOtherCustomers", &t.SharedWithOthers)
	in.ids("sharingControllerIds", &t.SharingControllerIDs)
	in.optBool("segmented", &t.Segmented)
	in.optStr("note", &t.Note)
	in.instant("validFrom", &t.From)
	in.optInstant("validTo", &t.To)
}

// DecodeNameIdentifiers maps a NameIdentifiersInput.
func DecodeNameIdentifiers(in *input, n *registry.NameIdentifiers) {
	in.id("systemId", &n.SystemID)
	in.optBool("phoneNumbers", &n.PhoneNumbers)
	in.optBool("personalIdentityNumbers", &n.PersonalIdentityNumbers)
	in.optStr("note", &n.Note)
	in.instant("validFrom", &n.From)
	in.optInstant("validTo", &n.To)
}

// DecodeConduct maps an InstructionConductInput.
func DecodeConduct(in *input, c *registry.InstructionConduct) {
	in.id("linkId", &c.LinkID)
	in.optBool("beyondInstructions", &c.BeyondInstructions)
	in.optStr("what", &c.What)
	in.optStr("authority", &c.Authority)
	in.optStr("reference", &c.Reference)
	in.optStr("note", &c.Note)
	in.instant("validFrom", &c.From)
	in.optInstant("validTo", &c.To)
}

// DecodeAssessment maps a RiskAssessmentInput.
func DecodeAssessment(in *input, a *registry.RiskAssessment) {
	in.id("controllerId", &a.ControllerID)
	in.str("kind", &a.Kind)
	in.date("assessedOn", &a.AssessedOn)
	in.ids("coveredLinkIds", &a.CoveredLinkIDs)
	in.ids("coveredPartyIds", &a.CoveredPartyIDs)
	in.optStr("reference", &a.Reference)
	in.optStr("note", &a.Note)
}
