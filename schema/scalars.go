// Package schema declares kedja's GraphQL schema: its types, enums, inputs
// and root fields, each wired to the resolver that does its work.
package schema

import (
	"fmt"
	"strings"
	"time"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/language/ast"

	"github.com/kedja/kedja/registry"
)

// rawString passes a string literal or variable through unparsed, so the
// resolver can parse it and name the field when it is malformed; graphql-go's
// own scalar errors cannot carry a code.
func rawString(v any) any {
	if s, ok := v.(string); ok {
		return s
	}
	return nil
}

func rawLiteral(v ast.Value) any {
	if s, ok := v.(*ast.StringValue); ok {
		return s.Value
	}
	return nil
}

// newInstant is an instant on output in the registry's time zone, RFC 3339;
// on input RFC 3339, a local time or a date (registry.ParseInstant).
func newInstant(loc *time.Location) *graphql.Scalar {
	return graphql.NewScalar(graphql.ScalarConfig{
		Name: "Instant",
		Description: "An instant. Written as RFC 3339 (2019-02-01T02:00:00+01:00); accepted also as a local time " +
			"(2019-02-01T02:00) or a date (2019-02-01, its midnight), read in the registry's time zone.",
		Serialize: func(v any) any {
			switch t := v.(type) {
			case time.Time:
				return t.In(loc).Format(time.RFC3339)
			case *time.Time:
				if t != nil {
					return t.In(loc).Format(time.RFC3339)
				}
			}
			return nil
		},
		ParseValue:   rawString,
		ParseLiteral: rawLiteral,
	})
}

var dateScalar = graphql.NewScalar(graphql.ScalarConfig{
	Name:        "Date",
	Description: "A legal date, YYYY-MM-DD.",
	Serialize: func(v any) any {
		switch t := v.(type) {
		case time.Time:
			return t.Format(registry.DateLayout)
		case *time.Time:
			if t != nil {
				return t.Format(registry.DateLayout)
			}
		}
		return nil
	},
	ParseValue:   rawString,
	ParseLiteral: rawLiteral,
})

// enum builds a GraphQL enum whose values are the registry's stored spellings
// (processor -> PROCESSOR), each described by docs under that spelling. The
// values come from the registry's lists, so a value added there appears here
// at once, and TestEverythingIsDescribed names it until docs describe it.
func enum(name, desc string, values []string, docs map[string]string) *graphql.Enum {
	vals := graphql.EnumValueConfigMap{}
	for _, v := range values {
		vals[strings.ToUpper(v)] = &graphql.EnumValueConfig{Value: v, Description: docs[v]}
	}
	return graphql.NewEnum(graphql.EnumConfig{Name: name, Description: desc, Values: vals})
}

// describedEnum is enum with a description for every value; a value the
// registry adds without one fails at start rather than reaching the schema
// undocumented.
func describedEnum(name, desc string, values []string, about map[string]string) *graphql.Enum {
	vals := graphql.EnumValueConfigMap{}
	for _, v := range values {
		d, ok := about[v]
		if !ok || d == "" {
			panic(fmt.Sprintf("schema: enum %s: value %s has no description", name, v))
		}
		vals[strings.ToUpper(v)] = &graphql.EnumValueConfig{Value: v, Description: d}
	}
	return graphql.NewEnum(graphql.EnumConfig{Name: name, Description: desc, Values: vals})
}

// roleDocs describe the roles a link can claim; FoundRole adds none.
var roleDocs = map[string]string{
	"processor": "Processes the data on the sending party's behalf and on its instructions (GDPR Art. 28); " +
		"an agreement must bind it (Art. 28(3)).",
	"sub_processor": "Engaged by a processor to process the data further down the chain; needs the controller's " +
		"prior written authorisation (Art. 28(2)) and an agreement (Art. 28(3)).",
	"joint_controller":       "Decides the purposes and means of the processing together with the sending party (GDPR Art. 26).",
	"independent_controller": "A controller in its own right for the data it receives: it decides its own purposes and means.",
	"recipient":              "Receives the data (GDPR Art. 4(9)) in a role the link claims as neither processor nor controller.",
}

var (
	orgKindEnum = enum("OrgKind", "What kind of party an organisation is.", registry.OrgKinds, map[string]string{
		"region":      "A Swedish region: its residents' calls are the data the chains start from; it alone may carry a county code and letter.",
		"public_body": "A public authority or other body governed by public law, other than a region.",
		"company": "A company; under a partial adequacy decision for commercial organisations (Canada) " +
			"only a company meets the condition.",
		"other": "Any other kind of organisation.",
	})
	systemKindEnum = enum("SystemKind", "What a system does with calls.", registry.SystemKinds, map[string]string{
		"telephony": "Carries calls while they last (a telephony or routing platform); a trace counts it as holding a call only during the call.",
		"recording": "Records calls; a trace counts it as keeping a call after it ends.",
		"storage":   "Stores recordings; a trace counts it as keeping a call after it ends.",
		"records":   "A patient record system; a trace counts it as keeping a call after it ends.",
		"backup":    "Keeps backup copies; a trace counts it as keeping a call after it ends.",
		"other":     "Any other system; a trace counts it as holding a call only during the call.",
	})
	authenticationEnum = enum("Authentication", "How users of a system prove who they are.", registry.Authentications, map[string]string{
		"none":        "No authentication: whoever reaches the system gets in (the 1177 storage server of 2019).",
		"password":    "A password alone.",
		"mfa":         "Multi-factor authentication.",
		"certificate": "A certificate, such as a client certificate or a smart card.",
	})
	locationPurpose = enum("LocationPurpose", "Whether a system stores data in a country or is accessed from it.", registry.LocationPurposes, map[string]string{
		"storage": "The system stores data in the country.",
		"access":  "The system is accessed from the country; remote access from abroad counts as a transfer (GDPR Art. 44).",
	})
	roleEnum      = enum("Role", "The receiving party's role on a link.", registry.Roles, roleDocs)
	foundRoleEnum = enum("FoundRole", "The role an authority found a party to have on a link (NONE: neither controller nor processor).",
		registry.FoundRoles, withDoc(roleDocs, "none", "Neither controller nor processor for the data on the link "+
			"(what IMY found of Inera AB for the 1177 recordings)."))
	authorisationEnum = enum("Authorisation", "The controller's authorisation for sub-processing (GDPR Art. 28(2)).", registry.Authorisations, map[string]string{
		"none":     "No authorisation is recorded; on a sub-processor link that is a gap (NO_AUTHORISATION).",
		"specific": "Prior specific written authorisation of this sub-processor.",
		"general": "Prior general written authorisation: the processor notifies changes of sub-processors " +
			"and the controller may object (Art. 28(2)).",
	})
	transferEnum = enum("TransferMechanism", "How a transfer to a third country is made lawful (GDPR Art. 45-49).", registry.TransferMechanisms, map[string]string{
		"none":     "No mechanism is recorded; a gap when the receiving party needs a safeguard (NO_TRANSFER_MECHANISM).",
		"adequacy": "An adequacy decision (Art. 45); a gap (ADEQUACY_NOT_APPLICABLE) when no decision in force covers the receiving party.",
		"scc": "Standard contractual clauses (Decision 2021/914, Art. 46(2)(c)); the link names the module and " +
			"should record a transfer impact assessment.",
		"bcr":        "Binding corporate rules (Art. 46(2)(b), 47); should come with a transfer impact assessment.",
		"derogation": "A derogation for a specific situation (Art. 49), such as explicit consent.",
	})
	attestationKind = enum("AttestationKind", "Kinds of security evidence.", registry.AttestationKinds, map[string]string{
		"iso27001":   "An ISO/IEC 27001 certificate (typically 3 years, with yearly surveillance audits); check that its scope covers the service.",
		"soc2_type2": "A SOC 2 Type II report, covering a period of 3 to 12 months.",
		"pentest":    "A penetration test report, commonly yearly and after major change.",
		"hds":        "HDS, the French certification for hosting health data (3 years, based on ISO 27001).",
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
	adequacyScope = enum("AdequacyScope", "Whether an adequacy decision covers every recipient in the country or only some.", registry.AdequacyScopes, map[string]string{
		"full":    "Covers every recipient in the country.",
		"partial": "Covers only the recipients that meet its condition (conditionCode).",
	})
	conditionCode = enum("AdequacyCondition", "Which recipients a partial adequacy decision covers.", registry.ConditionCodes, map[string]string{
		"commercial_organisation": "Commercial organisations only (Canada): met by an organisation of kind COMPANY.",
		"dpf_certification": "Organisations certified under the EU-US Data Privacy Framework (Decision 2023/1795): " +
			"met by an organisation with a DPF_CERTIFICATION attestation valid at the instant.",
		"other": "A condition described only in words; kedja cannot check it and never counts it as met.",
	})
	transferClass = enum("TransferClass", "A country's standing for transfers at an instant.", []string{"eea", "adequacy", "partial_adequacy", "third_country"}, map[string]string{
		"eea":              "In the EEA on the instant's date: no transfer safeguard is needed.",
		"adequacy":         "Outside the EEA, with a full adequacy decision in force (GDPR Art. 45): no safeguard is needed.",
		"partial_adequacy": "Outside the EEA, with a partial adequacy decision in force: only recipients that meet its condition need no safeguard.",
		"third_country":    "Outside the EEA, with no adequacy decision in force: a transfer needs a safeguard (GDPR Art. 46) or a derogation (Art. 49).",
	})
	weekdayEnum = enum("Weekday", "A day of the week.", registry.Weekdays, map[string]string{
		"mon": "Monday.", "tue": "Tuesday.", "wed": "Wednesday.", "thu": "Thursday.", "fri": "Friday.", "sat": "Saturday.", "sun": "Sunday.",
	})
)

// withDoc is docs with one more value described.
func withDoc(docs map[string]string, value, doc string) map[string]string {
	out := map[string]string{value: doc}
	for k, v := range docs {
		out[k] = v
	}
	return out
}
