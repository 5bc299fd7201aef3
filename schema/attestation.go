package schema

import (
	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
)

var (
	attestationKind = enum("AttestationKind", "Kinds of security evidence.", registry.AttestationKinds, map[string]string{
		"iso27001":   "An ISO/IEC 27001 certificate (typically 3 years, with yearly surveillance audits); check that its scope covers the service.",
		"iso27701":   "An ISO/IEC 27701 certificate (privacy information management, an extension of ISO 27001).",
		"soc2_type2": "A SOC 2 Type II report, covering a period of 3 to 12 months.",
		"csa_star":   "A CSA STAR attestation or certification of a cloud service (Cloud Security Alliance); level 1 is a self-assessment.",
		"bsi_c5":     "A BSI C5 attestation of a cloud service (the German Cloud Computing Compliance Criteria Catalogue), by an auditor.",
		"health_self_assessment": "A national health-sector security self-assessment (such as the Swedish health sector's information security " +
			"self-assessments); always counted as self-assessed.",
		"cyber_essentials": "A Cyber Essentials (or Cyber Essentials Plus) certificate (UK).",
		"pentest":          "A penetration test report, commonly yearly and after major change.",
		"hds":              "HDS, the French certification for hosting health data (3 years, based on ISO 27001).",
		"dpf_certification": "Certification under the EU-US Data Privacy Framework; while valid it makes a US organisation " +
			"meet the condition of the partial US adequacy decision (Decision 2023/1795). Not counted as security evidence.",
		"other": "Any other security evidence.",
	})
	attestationStatus = enum("AttestationStatus", "Whether an attestation counts at an instant.", []string{"valid", "expired", "not_yet_valid", "withdrawn"}, map[string]string{
		"valid":         "Issued on or before the instant's date, not past its valid-until date, and not withdrawn.",
		"expired":       "The instant's date is after its valid-until date.",
		"not_yet_valid": "The instant's date is before its issue date.",
		"withdrawn":     "It was withdrawn at or before the instant.",
	})
)

// attestationType builds Attestation.
func (t *types) attestationType(r *resolvers.Resolvers) {
	t.att = graphql.NewObject(graphql.ObjectConfig{Name: "Attestation", Description: "Security evidence about an organisation or a system.",
		Fields: graphql.FieldsThunk(func() graphql.Fields {
			return graphql.Fields{
				"id":           field(nn(graphql.ID), "The attestation's id in the registry.", func(a registry.Attestation) any { return id(a.ID) }),
				"organisation": {Type: t.org, Description: "The organisation it is about; null when it is about a system.", Resolve: resolvers.ByID(r, resolvers.Orgs, func(a registry.Attestation) *int64 { return a.OrgID })},
				"system":       {Type: t.system, Description: "The system it is about; null when it is about an organisation.", Resolve: resolvers.ByID(r, resolvers.Systems, func(a registry.Attestation) *int64 { return a.SystemID })},
				"kind":         field(nn(attestationKind), "What kind of evidence it is.", func(a registry.Attestation) any { return a.Kind }),
				"issuer":       field(nn(graphql.String), "Who issued it, such as the certification body.", func(a registry.Attestation) any { return a.Issuer }),
				"issuedOn":     field(nn(dateScalar), "Date it was issued; it counts from this date.", func(a registry.Attestation) any { return a.IssuedOn }),
				"validUntil":   field(dateScalar, "Inclusive: the last day it is valid; null if it states no end.", func(a registry.Attestation) any { return optTime(a.ValidUntil) }),
				"scope":        field(graphql.String, "What it covers, as it states; null if not recorded.", func(a registry.Attestation) any { return optStr(a.Scope) }),
				"evidenceRef":  field(graphql.String, "Where the evidence is kept: a document reference or address; null if not recorded.", func(a registry.Attestation) any { return optStr(a.EvidenceRef) }),
				"selfAssessed": field(nn(graphql.Boolean), "Whether the party assessed itself (a health-sector self-assessment always is): weaker evidence than a certificate or an auditor's report.", func(a registry.Attestation) any { return a.SelfAssessed }),
				"withdrawnAt":  field(t.instant, "When it was withdrawn, from which instant on it no longer counts; null if never.", func(a registry.Attestation) any { return optTime(a.WithdrawnAt) }),
				"coveredSystems": {Type: list(t.system), Description: "Systems its scope covers. Empty: it names none, and the attestation check counts it for every system the organisation operates.",
					Resolve: resolvers.SystemsByIDs(r, func(a registry.Attestation) []int64 { return a.CoveredSystemIDs })},
				"status":  {Type: nn(attestationStatus), Args: t.instantArg("Default: now."), Description: "Whether it counts at the instant: VALID, EXPIRED (after validUntil), NOT_YET_VALID (before issuedOn) or WITHDRAWN.", Resolve: r.AttestationStatus()},
				"history": t.history("attestations", func(s any) int64 { return s.(registry.Attestation).ID }),
			}
		})})
}

// attestationFields adds Attestation, its inputs and filter, and the root
// fields that read and write attestations.
func (t *types) attestationFields(r *resolvers.Resolvers, query, mutation graphql.Fields) {
	t.attestationType(r)
	str, id, boolean := graphql.String, graphql.ID, graphql.Boolean
	ids := graphql.NewList(nn(graphql.ID))

	attInputs := newEntityInputs("Attestation",
		"New evidence about exactly one of orgId or systemId; kind, issuer and issuedOn are required.",
		"Changes to an attestation: only the fields given change; clear sets optional ones to null. Its subject cannot change.", []inputField{
			{name: "orgId", typ: id, fixed: true, desc: "The organisation it is about; give this or systemId. It cannot change afterwards."},
			{name: "systemId", typ: id, fixed: true, desc: "The system it is about; give this or orgId. It cannot change afterwards."},
			{name: "kind", typ: attestationKind, required: true, desc: "What kind of evidence it is."},
			{name: "issuer", typ: str, required: true, desc: "Who issued it, such as the certification body (up to 300 characters)."},
			{name: "issuedOn", typ: dateScalar, required: true, desc: "Date it was issued; it counts from this date."},
			{name: "validUntil", typ: dateScalar, desc: "Inclusive: the last day it is valid, not before issuedOn; omit if it states no end.",
				clear: "validUntil: it states no end."},
			{name: "scope", typ: str, desc: "What it covers, as it states (up to 4,000 characters).",
				clear: "scope: what it covers is not recorded."},
			{name: "evidenceRef", typ: str, desc: "Where the evidence is kept: a document reference or address (up to 1,000 characters).",
				clear: "evidenceRef: where the evidence is kept is not recorded."},
			{name: "selfAssessed", typ: boolean, desc: "True when the party assessed itself (weaker evidence than a certificate or an " +
				"independent auditor's report; the attestation check raises a party with only self-assessed evidence); default false."},
			{name: "coveredSystemIds", typ: ids, desc: "Systems the scope covers.",
				clear: "coveredSystemIds: the list becomes empty; it names no systems, and the attestation check counts it for every system the organisation operates."},
		})
	attFilter := inputObject("AttestationFilter", "Narrows a list of attestations; each field given must match.", graphql.InputObjectConfigFieldMap{
		"kind":             in(attestationKind, "Only attestations of this kind."),
		"orgId":            in(id, "Only attestations about this organisation itself (not about its systems)."),
		"systemId":         in(id, "Only attestations about this system itself (not those that name it among covered systems)."),
		"validOn":          in(dateScalar, "Only those valid on this date."),
		"includeWithdrawn": in(boolean, "Also attestations already withdrawn; default false (one whose withdrawal is still to come counts until then)."),
	})
	add(query, graphql.Fields{
		"attestation": {Type: t.att, Args: byID("attestation"), Resolve: r.Attestation(),
			Description: "An attestation by its id; a NOT_FOUND error if there is none."},
		"attestations": {Type: nn(t.connection(t.att)), Args: paged(attFilter), Resolve: r.Attestations(),
			Description: "Attestations in id order, a page at a time; unless filter.includeWithdrawn, only those not withdrawn by now."},
	})
	add(mutation, graphql.Fields{
		"createAttestation": {Type: nn(t.att), Args: createArgs(attInputs.create, "attestation"),
			Description: "Records security evidence about an organisation or a system.",
			Resolve:     resolvers.Create(r, resolvers.AttestationSvc, resolvers.DecodeAttestation, registry.AttestationService.CreateAttestation)},
		"updateAttestation": {Type: nn(t.att), Args: updateArgs(attInputs, "attestation"),
			Description: "Changes an attestation: the fields given replace the recorded ones, those in clear become null. Its subject cannot change.",
			Resolve:     resolvers.Update(r, resolvers.AttestationSvc, resolvers.DecodeAttestation, registry.AttestationService.UpdateAttestation, attInputs.clearable)},
		"withdrawAttestation": {Type: nn(t.att), Args: t.endArgs("attestation", "When it stopped counting; not later than a withdrawal already recorded."),
			Description: "Records that an attestation was withdrawn: from then on its status is WITHDRAWN.",
			Resolve:     resolvers.End(r, resolvers.AttestationSvc, registry.AttestationService.WithdrawAttestation)},
	})
}
