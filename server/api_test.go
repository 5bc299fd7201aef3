package server_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

const regionChain = `query($id: ID!, $at: Instant) {
  organisation(id: $id) {
    legalName
    providers(at: $at) {
      role
      to {
        legalName
        country { code standing(at: $at) { class } }
        subcontractors(at: $at) {
          role
          to { legalName country { code standing(at: $at) { class } } }
          systemUses(at: $at) { system { name } party { legalName } }
        }
      }
    }
  }
}`

type chainAnswer struct {
	Organisation struct {
		LegalName string
		Providers []struct {
			Role string
			To   struct {
				LegalName string
				Country   struct {
					Code     string
					Standing struct{ Class string }
				}
				Subcontractors []struct {
					Role string
					To   struct {
						LegalName string
						Country   struct {
							Code     string
							Standing struct{ Class string }
						}
					}
					SystemUses []struct {
						System struct{ Name string }
						Party  struct{ LegalName string }
					}
				}
			}
		}
	}
}

// The foundation's acceptance query: Region Stockholm's providers and their
// subcontractors on the night of 1 February 2019.
func TestRegionStockholmChainOnFebruary2019(t *testing.T) {
	h := newHarness(t, true)
	var got chainAnswer
	h.data(regionChain, map[string]any{"id": h.orgID("Region Stockholm"), "at": "2019-02-01T02:00+01:00"}, &got)

	var medhelpFound bool
	for _, p := range got.Organisation.Providers {
		if p.To.LegalName != "Medhelp AB" {
			continue
		}
		medhelpFound = true
		subs := map[string]string{}
		systems := map[string][]string{}
		for _, s := range p.To.Subcontractors {
			subs[s.To.LegalName] = s.To.Country.Code + "/" + s.To.Country.Standing.Class
			for _, u := range s.SystemUses {
				systems[s.To.LegalName] = append(systems[s.To.LegalName], u.System.Name)
			}
		}
		want := map[string]string{"Medicall Co., Ltd.": "TH/THIRD_COUNTRY", "Voice Integrate Nordic AB": "SE/EEA"}
		if fmt.Sprint(subs) != fmt.Sprint(want) {
			t.Errorf("Medhelp's subcontractors: got %v, want %v", subs, want)
		}
		if !slices.Contains(systems["Medicall Co., Ltd."], "Princess") {
			t.Errorf("Medicall's systems: got %v, want Princess", systems["Medicall Co., Ltd."])
		}
		vi := systems["Voice Integrate Nordic AB"]
		if !slices.Contains(vi, "Biz 2.0") || !slices.Contains(vi, "Recording storage server (NAS)") {
			t.Errorf("Voice Integrate's systems: got %v, want Biz 2.0 and the storage server", vi)
		}
	}
	if !medhelpFound {
		t.Fatalf("Region Stockholm's providers lack Medhelp: %+v", got.Organisation.Providers)
	}
}

// Periods are [from, to): Medicall's link ended on 1 September 2019, so it is
// a subcontractor the day before and not on the day.
func TestChainHonoursPeriodBounds(t *testing.T) {
	h := newHarness(t, true)
	tests := []struct {
		name         string
		at           string
		wantMedicall bool
		wantNAS      bool
	}{
		{"BeforeStorageServer", "2015-06-01T12:00+02:00", true, false},
		{"StorageServerFirstInstant", "2016-01-01T00:00+01:00", true, true},
		{"LastMinuteOfMedicall", "2019-08-31T23:59+02:00", true, true},
		{"MedicallEndInstant", "2019-09-01T00:00+02:00", false, true},
	}
	id := h.orgID("Region Stockholm")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got chainAnswer
			h.with(t).data(regionChain, map[string]any{"id": id, "at": tt.at}, &got)
			var medicall, nas bool
			for _, p := range got.Organisation.Providers {
				for _, s := range p.To.Subcontractors {
					medicall = medicall || s.To.LegalName == "Medicall Co., Ltd."
					for _, u := range s.SystemUses {
						nas = nas || strings.Contains(u.System.Name, "NAS")
					}
				}
			}
			if medicall != tt.wantMedicall || nas != tt.wantNAS {
				t.Errorf("at %s: Medicall %v (want %v), storage server %v (want %v)", tt.at, medicall, tt.wantMedicall, nas, tt.wantNAS)
			}
		})
	}
}

// A nested list costs the same number of SQL statements whether it holds 2
// rows or 40: every level is loaded in one batch.
func TestNestedListsDoNotQueryPerRow(t *testing.T) {
	h := newHarness(t, true)
	id := h.orgID("Region Stockholm")
	vars := map[string]any{"id": id, "at": "2019-02-01T02:00+01:00"}
	measure := func() int64 {
		// Queued audit rows of earlier requests are written before the
		// count starts (the store's connections count every statement).
		h.flushAudit()
		before := h.store.Statements()
		var got chainAnswer
		h.data(regionChain, vars, &got)
		return h.store.Statements() - before
	}
	small := measure()

	// Twenty more providers for the region, each with a subcontractor in
	// another country using a system of its own.
	for i := 0; i < 20; i++ {
		var p, s, sys struct {
			CreateOrganisation struct{ ID string }
			CreateSystem       struct{ ID string }
		}
		h.data(`mutation($n: String!) { createOrganisation(input: {legalName: $n, country: "SE", kind: COMPANY}) { id } }`,
			map[string]any{"n": fmt.Sprintf("Provider %d AB", i)}, &p)
		h.data(`mutation($n: String!) { createOrganisation(input: {legalName: $n, country: "NO", kind: COMPANY}) { id } }`,
			map[string]any{"n": fmt.Sprintf("Sub %d AS", i)}, &s)
		h.data(`mutation($op: ID!) { createSystem(input: {name: "Phones", kind: TELEPHONY, operatorId: $op}) { id } }`,
			map[string]any{"op": s.CreateOrganisation.ID}, &sys)
		var l struct{ CreateLink struct{ ID string } }
		h.data(`mutation($f: ID!, $t: ID!) { createLink(input: {fromId: $f, toId: $t, role: INDEPENDENT_CONTROLLER, purpose: "calls", validFrom: "2018-01-01"}) { id } }`,
			map[string]any{"f": id, "t": p.CreateOrganisation.ID}, &l)
		h.data(`mutation($f: ID!, $t: ID!) { createLink(input: {fromId: $f, toId: $t, role: PROCESSOR, purpose: "calls", validFrom: "2018-01-01"}) { id } }`,
			map[string]any{"f": p.CreateOrganisation.ID, "t": s.CreateOrganisation.ID}, &l)
		h.data(`mutation($l: ID!, $s: ID!, $p: ID!) { createSystemUse(input: {linkId: $l, systemId: $s, partyId: $p, validFrom: "2018-01-01"}) { id } }`,
			map[string]any{"l": l.CreateLink.ID, "s": sys.CreateSystem.ID, "p": s.CreateOrganisation.ID}, &struct{}{})
	}
	var got chainAnswer
	h.data(regionChain, vars, &got)
	if n := len(got.Organisation.Providers); n != 22 {
		t.Fatalf("got %d providers, want 22 (Inera, Medhelp and 20 new)", n)
	}
	large := measure()
	if large != small {
		t.Errorf("statements for the chain query: %d with 2 providers, %d with 22; want the same", small, large)
	}
	// One per list or object level: organisation; providers; their
	// organisations, countries and standings (EEA + adequacy);
	// subcontractors; their organisations, countries and standings; system
	// uses; systems; parties: thirteen, give or take a cached country. Then
	// one to authenticate the token and five to append the audit row.
	if small > 20 {
		t.Errorf("the chain query took %d statements; want at most 20", small)
	}
}

func TestMutationErrorsNameTheFieldAndWriteNothing(t *testing.T) {
	h := newHarness(t, true)
	medhelp, medicall := h.orgID("Medhelp AB"), h.orgID("Medicall Co., Ltd.")
	region := h.orgID("Region Värmland")
	linkID := h.linkID(medhelp, medicall)
	var sys struct {
		Systems struct{ Nodes []struct{ ID string } }
	}
	h.data(`{ systems(filter: {nameContains: "Princess"}) { nodes { id } } }`, nil, &sys)
	princess := sys.Systems.Nodes[0].ID

	link := func(fields string) string {
		return `mutation { createLink(input: {` + fields + `}) { id } }`
	}
	base := fmt.Sprintf(`fromId: %q, toId: %q, role: PROCESSOR, purpose: "calls"`, medhelp, medicall)
	tests := []struct {
		name      string
		query     string
		vars      map[string]any
		wantCode  string
		wantField string
	}{
		{"UnknownCountry", `mutation { createOrganisation(input: {legalName: "X AB", country: "XX", kind: COMPANY}) { id } }`, nil, "INVALID_INPUT", "country"},
		{"MalformedCountry", `mutation { createOrganisation(input: {legalName: "X AB", country: "Sweden", kind: COMPANY}) { id } }`, nil, "INVALID_INPUT", "country"},
		{"OversizedName", `mutation($n: String!) { createOrganisation(input: {legalName: $n, country: "SE", kind: COMPANY}) { id } }`,
			map[string]any{"n": strings.Repeat("Å", 301)}, "INVALID_INPUT", "legalName"},
		{"OversizedPurpose", `mutation($p: String!) { createLink(input: {fromId: "1", toId: "2", role: PROCESSOR, purpose: $p, validFrom: "2020-01-01"}) { id } }`,
			map[string]any{"p": strings.Repeat("x", 100_000)}, "INVALID_INPUT", "purpose"},
		{"PeriodEndsBeforeStart", link(base + `, validFrom: "2020-01-01", validTo: "2019-01-01"`), nil, "INVALID_INPUT", "validTo"},
		{"LinkToItself", link(fmt.Sprintf(`fromId: %q, toId: %q, role: PROCESSOR, purpose: "x", validFrom: "2020-01-01"`, medhelp, medhelp)), nil, "INVALID_INPUT", "toId"},
		{"OverlappingDuplicateLink", link(base + `, validFrom: "2015-01-01", validTo: "2016-01-01"`), nil, "CONFLICT", "validFrom"},
		{"UnknownToID", link(fmt.Sprintf(`fromId: %q, toId: "999999", role: PROCESSOR, purpose: "x", validFrom: "2020-01-01"`, medhelp)), nil, "NOT_FOUND", "toId"},
		{"MalformedID", link(`fromId: "abc", toId: "2", role: PROCESSOR, purpose: "x", validFrom: "2020-01-01"`), nil, "INVALID_INPUT", "fromId"},
		{"MalformedInstant", link(base + `, validFrom: "2019-13-45"`), nil, "INVALID_INPUT", "validFrom"},
		{"MalformedDate", link(base + `, validFrom: "2030-01-01", agreementDate: "1 May 2019"`), nil, "INVALID_INPUT", "agreementDate"},
		{"MalformedWindowTime", link(base + `, validFrom: "2030-01-01", routingWindows: [{days: [SAT], start: "25:00", end: "07:00"}]`), nil, "INVALID_INPUT", "routingWindows.start"},
		{"EmptyWindow", link(base + `, validFrom: "2030-01-01", routingWindows: [{days: [SAT], start: "08:00", end: "08:00"}]`), nil, "INVALID_INPUT", "routingWindows.end"},
		{"BadRoutingZone", link(base + `, validFrom: "2030-01-01", routingTimeZone: "Asia/Atlantis"`), nil, "INVALID_INPUT", "routingTimeZone"},
		{"SCCWithoutModule", link(base + `, validFrom: "2030-01-01", transferMechanism: SCC`), nil, "INVALID_INPUT", "sccModule"},
		{"UpdateUnknownOrganisation", `mutation { updateOrganisation(id: "999999", input: {legalName: "Y"}) { id } }`, nil, "NOT_FOUND", "id"},
		{"GivenAndCleared", fmt.Sprintf(`mutation { updateOrganisation(id: %q, input: {orgNumber: "556000-0000"}, clear: [ORG_NUMBER]) { id } }`, medhelp), nil, "INVALID_INPUT", "orgNumber"},
		{"ParentCycle", fmt.Sprintf(`mutation { updateOrganisation(id: %q, input: {parentId: %q}) { id } }`, medhelp, medhelp), nil, "INVALID_INPUT", "parentId"},
		{"SystemUseByOutsider", fmt.Sprintf(`mutation { createSystemUse(input: {linkId: %q, systemId: %q, partyId: %q, validFrom: "2014-01-01"}) { id } }`, linkID, princess, region), nil, "INVALID_INPUT", "partyId"},
		{"SystemUseOutsideLink", fmt.Sprintf(`mutation { createSystemUse(input: {linkId: %q, systemId: %q, partyId: %q, validFrom: "2020-01-01"}) { id } }`, linkID, princess, medicall), nil, "INVALID_INPUT", "validFrom"},
		{"UnknownCoveredSystem", fmt.Sprintf(`mutation { createAttestation(input: {orgId: %q, kind: ISO27001, issuer: "C", issuedOn: "2018-01-01", coveredSystemIds: ["999999"]}) { id } }`, medhelp), nil, "NOT_FOUND", "coveredSystemIds"},
		{"AttestationTwoSubjects", fmt.Sprintf(`mutation { createAttestation(input: {orgId: %q, systemId: %q, kind: ISO27001, issuer: "C", issuedOn: "2018-01-01"}) { id } }`, medhelp, princess), nil, "INVALID_INPUT", "orgId"},
		{"EndLinkBeforeItStarts", fmt.Sprintf(`mutation { endLink(id: %q, at: "2000-01-01") { id } }`, linkID), nil, "INVALID_INPUT", "at"},
		{"EndUnknownLink", `mutation { endLink(id: "999999") { id } }`, nil, "NOT_FOUND", "id"},
		{"ShrinkLinkAwayFromItsUses", fmt.Sprintf(`mutation { updateLink(id: %q, input: {validFrom: "2015-01-01"}) { id } }`, linkID), nil, "CONFLICT", "validFrom"},
		{"AdequacyOverlap", `mutation { addAdequacyDecision(input: {country: "JP", scope: FULL, decidedOn: "2020-01-01"}) { id } }`, nil, "CONFLICT", "validFrom"},
		{"PartialAdequacyWithoutCondition", `mutation { addAdequacyDecision(input: {country: "TH", scope: PARTIAL, decidedOn: "2027-01-01"}) { id } }`, nil, "INVALID_INPUT", "conditionCode"},
		{"BadPageSize", `{ organisations(first: 100000) { nodes { id } } }`, nil, "INVALID_INPUT", "first"},
		{"ForgedCursor", `{ organisations(after: "bm90LWEtY3Vyc29y") { nodes { id } } }`, nil, "INVALID_INPUT", "after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := h.count(`SELECT count(*) FROM changes`)
			r := h.post(tt.query, tt.vars)
			if r.code() != tt.wantCode || r.field() != tt.wantField {
				t.Fatalf("got %s on %q (%+v), want %s on %q", r.code(), r.field(), r.Errors, tt.wantCode, tt.wantField)
			}
			if !strings.Contains(r.Errors[0].Message, tt.wantField) {
				t.Errorf("message %q does not name the field %q", r.Errors[0].Message, tt.wantField)
			}
			if after := h.count(`SELECT count(*) FROM changes`); after != before {
				t.Errorf("a refused mutation wrote %d change(s)", after-before)
			}
		})
	}
}

// What an input cannot say is refused by the schema before anything runs:
// a create input without a required field, an update input with a field that
// cannot change (a link's parties, an attestation's subject: the records that
// name them would be wrong, so a record ends and another is created), and a
// clear naming a required or unknown field, or a field by its old free-string
// name. The refusal names what was wrong, and nothing is written.
func TestInputsRefuseWhatTheSchemaRulesOut(t *testing.T) {
	h := newHarness(t, true)
	medhelp, medicall := h.orgID("Medhelp AB"), h.orgID("Medicall Co., Ltd.")
	region := h.orgID("Region Värmland")
	linkID := h.linkID(medhelp, medicall)
	var atts struct {
		Attestations struct{ Nodes []struct{ ID string } }
	}
	h.data(`mutation($o: ID!) { createAttestation(input: {orgId: $o, kind: ISO27001, issuer: "C", issuedOn: "2018-01-01"}) { id } }`,
		map[string]any{"o": medhelp}, &struct{}{})
	h.data(`query($o: ID) { attestations(filter: {orgId: $o}) { nodes { id } } }`, map[string]any{"o": medhelp}, &atts)
	if len(atts.Attestations.Nodes) == 0 {
		t.Fatal("no attestation of Medhelp to update")
	}
	attID := atts.Attestations.Nodes[0].ID

	tests := []struct {
		name     string
		query    string
		vars     map[string]any
		wantCode string
		mentions []string // what the message must name
	}{
		{"CreateOrganisationWithoutName", `mutation { createOrganisation(input: {country: "SE", kind: COMPANY}) { id } }`, nil,
			"GRAPHQL_VALIDATION_FAILED", []string{"legalName", "String!"}},
		{"CreateLinkWithoutStart", fmt.Sprintf(`mutation { createLink(input: {fromId: %q, toId: %q, role: PROCESSOR, purpose: "x"}) { id } }`, medhelp, region), nil,
			"GRAPHQL_VALIDATION_FAILED", []string{"validFrom", "Instant!"}},
		{"CreateSystemWithoutOperator", `mutation { createSystem(input: {name: "S", kind: STORAGE}) { id } }`, nil,
			"GRAPHQL_VALIDATION_FAILED", []string{"operatorId", "ID!"}},
		{"CreateAttestationWithoutIssuer", fmt.Sprintf(`mutation { createAttestation(input: {orgId: %q, kind: ISO27001, issuedOn: "2018-01-01"}) { id } }`, medhelp), nil,
			"GRAPHQL_VALIDATION_FAILED", []string{"issuer", "String!"}},
		{"OldSharedInputName", `mutation($i: OrganisationInput!) { createOrganisation(input: $i) { id } }`,
			map[string]any{"i": map[string]any{"legalName": "X AB", "country": "SE", "kind": "COMPANY"}},
			"GRAPHQL_VALIDATION_FAILED", []string{"OrganisationInput"}},
		{"MoveLinkToAnotherReceiver", fmt.Sprintf(`mutation { updateLink(id: %q, input: {toId: %q}) { id } }`, linkID, region), nil,
			"GRAPHQL_VALIDATION_FAILED", []string{"toId", "Unknown field"}},
		{"MoveLinkToAnotherSender", fmt.Sprintf(`mutation { updateLink(id: %q, input: {fromId: %q}) { id } }`, linkID, region), nil,
			"GRAPHQL_VALIDATION_FAILED", []string{"fromId", "Unknown field"}},
		{"MoveAttestationToAnotherSubject", fmt.Sprintf(`mutation { updateAttestation(id: %q, input: {orgId: %q}) { id } }`, attID, region), nil,
			"GRAPHQL_VALIDATION_FAILED", []string{"orgId", "Unknown field"}},
		{"ClearRequiredField", fmt.Sprintf(`mutation { updateOrganisation(id: %q, input: {}, clear: [LEGAL_NAME]) { id } }`, medhelp), nil,
			"GRAPHQL_VALIDATION_FAILED", []string{"clear", "OrganisationClearable", "LEGAL_NAME"}},
		{"ClearUnknownField", fmt.Sprintf(`mutation { updateOrganisation(id: %q, input: {}, clear: [NICKNAME]) { id } }`, medhelp), nil,
			"GRAPHQL_VALIDATION_FAILED", []string{"clear", "OrganisationClearable", "NICKNAME"}},
		{"ClearByFreeString", fmt.Sprintf(`mutation { updateOrganisation(id: %q, input: {}, clear: ["orgNumber"]) { id } }`, medhelp), nil,
			"GRAPHQL_VALIDATION_FAILED", []string{"clear", "OrganisationClearable", "orgNumber"}},
		{"ClearLinkParty", fmt.Sprintf(`mutation { updateLink(id: %q, input: {}, clear: [TO_ID]) { id } }`, linkID), nil,
			"GRAPHQL_VALIDATION_FAILED", []string{"clear", "LinkClearable", "TO_ID"}},
		{"ClearLinkRole", fmt.Sprintf(`mutation { updateLink(id: %q, input: {}, clear: [ROLE]) { id } }`, linkID), nil,
			"GRAPHQL_VALIDATION_FAILED", []string{"clear", "LinkClearable", "ROLE"}},
		{"ClearAnotherEntitysField", fmt.Sprintf(`mutation { updateSystem(id: %q, input: {}, clear: [ORG_NUMBER]) { id } }`, "1"), nil,
			"GRAPHQL_VALIDATION_FAILED", []string{"clear", "SystemClearable", "ORG_NUMBER"}},
		// Variables are coerced when the operation runs, not validated with
		// the document: graphql-go's own error, still before any resolver.
		{"ClearRequiredFieldThroughVariable", `mutation($id: ID!, $c: [OrganisationClearable!]) { updateOrganisation(id: $id, input: {}, clear: $c) { id } }`,
			map[string]any{"id": medhelp, "c": []string{"LEGAL_NAME"}}, "GRAPHQL_ERROR", []string{"$c", "LEGAL_NAME"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := h.count(`SELECT count(*) FROM changes`)
			r := h.post(tt.query, tt.vars)
			if r.code() != tt.wantCode {
				t.Fatalf("got %s (%+v), want %s", r.code(), r.Errors, tt.wantCode)
			}
			for _, m := range tt.mentions {
				if !strings.Contains(r.Errors[0].Message, m) {
					t.Errorf("message %q does not name %q", r.Errors[0].Message, m)
				}
			}
			if after := h.count(`SELECT count(*) FROM changes`); after != before {
				t.Errorf("a refused mutation wrote %d change(s)", after-before)
			}
		})
	}
}

func TestUpdateRecordsHistoryWithAuthor(t *testing.T) {
	h := newHarness(t, true)
	id := h.orgID("Voice Integrate Nordic AB")
	var upd struct {
		UpdateOrganisation struct{ LegalName, OrgNumber string }
	}
	h.data(`mutation($id: ID!) { updateOrganisation(id: $id, input: {orgNumber: "556000-0000"}) { legalName orgNumber } }`,
		map[string]any{"id": id}, &upd)
	if upd.UpdateOrganisation.OrgNumber != "556000-0000" || upd.UpdateOrganisation.LegalName != "Voice Integrate Nordic AB" {
		t.Fatalf("update changed the wrong fields: %+v", upd)
	}
	var cleared struct {
		UpdateOrganisation struct{ OrgNumber *string }
	}
	h.data(`mutation($id: ID!) { updateOrganisation(id: $id, input: {}, clear: [ORG_NUMBER]) { orgNumber } }`,
		map[string]any{"id": id}, &cleared)
	if cleared.UpdateOrganisation.OrgNumber != nil {
		t.Fatalf("clear left orgNumber %q", *cleared.UpdateOrganisation.OrgNumber)
	}
	var got struct {
		Organisation struct {
			History []struct{ Op, Actor, Record string }
		}
	}
	h.data(`query($id: ID!) { organisation(id: $id) { history { op actor record } } }`, map[string]any{"id": id}, &got)
	hist := got.Organisation.History
	if len(hist) != 3 {
		t.Fatalf("got %d history rows, want insert + 2 updates: %+v", len(hist), hist)
	}
	if hist[0].Op != "insert" || hist[0].Actor != "kedja seed demo" {
		t.Errorf("first change: got %s by %s, want insert by the demo seed", hist[0].Op, hist[0].Actor)
	}
	if hist[1].Op != "update" || hist[1].Actor != "test admin" ||
		!strings.Contains(hist[1].Record, `"org_number": "556000-0000"`) {
		t.Errorf("second change: got %+v, want the update with the new number and its author", hist[1])
	}
	if !strings.Contains(hist[2].Record, `"org_number": null`) {
		t.Errorf("third change should record the cleared number: %s", hist[2].Record)
	}
}

// clear sets each kind of optional field to null (text, id, date, list), on
// each entity that can be updated, and the change is kept in its history
// with its author.
func TestClearSetsOptionalFieldsToNullInHistory(t *testing.T) {
	h := newHarness(t, true)
	medhelp, medicall := h.orgID("Medhelp AB"), h.orgID("Medicall Co., Ltd.")
	linkID := h.linkID(medhelp, medicall)
	var sys struct {
		Systems struct{ Nodes []struct{ ID string } }
	}
	h.data(`{ systems(filter: {nameContains: "Princess"}) { nodes { id } } }`, nil, &sys)
	var att struct{ CreateAttestation struct{ ID string } }
	h.data(`mutation($o: ID!) { createAttestation(input: {orgId: $o, kind: ISO27001, issuer: "C", issuedOn: "2018-01-01", validUntil: "2020-12-31"}) { id } }`,
		map[string]any{"o": medhelp}, &att)
	if len(sys.Systems.Nodes) != 1 {
		t.Fatalf("fixture: systems %+v", sys)
	}

	tests := []struct {
		name     string
		entity   string // the query field that reads it back, with its history
		id       string
		set      string // a mutation giving the field a value
		clear    string // the same mutation clearing it
		field    string // the GraphQL field, null after clearing
		column   string // the column, null in the last history record
		wasEmpty string // the field's value after clearing, as JSON
	}{
		{"OrganisationParent", "organisation", medicall,
			`mutation($id: ID!) { r: updateOrganisation(id: $id, input: {parentId: "` + medhelp + `"}) { v: parent { id } } }`,
			`mutation($id: ID!) { r: updateOrganisation(id: $id, input: {}, clear: [PARENT_ID]) { v: parent { id } } }`,
			"parent", "parent_id", "null"},
		{"SystemDescription", "system", sys.Systems.Nodes[0].ID,
			`mutation($id: ID!) { r: updateSystem(id: $id, input: {description: "Medhelp's records"}) { v: description } }`,
			`mutation($id: ID!) { r: updateSystem(id: $id, input: {}, clear: [DESCRIPTION]) { v: description } }`,
			"description", "description", "null"},
		{"LinkAgreementDate", "link", linkID,
			`mutation($id: ID!) { r: updateLink(id: $id, input: {agreementDate: "2013-05-01"}) { v: agreementDate } }`,
			`mutation($id: ID!) { r: updateLink(id: $id, input: {}, clear: [AGREEMENT_DATE]) { v: agreementDate } }`,
			"agreementDate", "agreement_date", "null"},
		{"LinkDataCategories", "link", linkID,
			`mutation($id: ID!) { r: updateLink(id: $id, input: {dataCategories: ["call recordings"]}) { v: dataCategories } }`,
			`mutation($id: ID!) { r: updateLink(id: $id, input: {}, clear: [DATA_CATEGORIES]) { v: dataCategories } }`,
			"dataCategories", "data_categories", "[]"},
		{"AttestationValidUntil", "attestation", att.CreateAttestation.ID,
			`mutation($id: ID!) { r: updateAttestation(id: $id, input: {scope: "the whole company"}) { v: validUntil } }`,
			`mutation($id: ID!) { r: updateAttestation(id: $id, input: {}, clear: [VALID_UNTIL]) { v: validUntil } }`,
			"validUntil", "valid_until", "null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := h.with(t)
			var set, cleared struct {
				R struct{ V json.RawMessage }
			}
			h.data(tt.set, map[string]any{"id": tt.id}, &set)
			if s := string(set.R.V); s == "null" || s == "[]" {
				t.Fatalf("%s has no value to clear: %s", tt.field, s)
			}
			h.data(tt.clear, map[string]any{"id": tt.id}, &cleared)
			if got := string(cleared.R.V); got != tt.wasEmpty {
				t.Errorf("%s after clear: %s, want %s", tt.field, got, tt.wasEmpty)
			}
			var got map[string]struct {
				History []struct{ Op, Actor, Record string }
			}
			h.data(`query($id: ID!) { `+tt.entity+`(id: $id) { history { op actor record } } }`, map[string]any{"id": tt.id}, &got)
			hist := got[tt.entity].History
			if len(hist) < 2 {
				t.Fatalf("history: %+v", hist)
			}
			last := hist[len(hist)-1]
			var record map[string]any
			if err := json.Unmarshal([]byte(last.Record), &record); err != nil {
				t.Fatalf("history record %q: %v", last.Record, err)
			}
			v, has := record[tt.column]
			if last.Op != "update" || last.Actor != "test admin" || !has || !(v == nil || fmt.Sprint(v) == "[]") {
				t.Errorf("last change: %s by %s with %s = %v (present %v); want an update by test admin setting it to %s",
					last.Op, last.Actor, tt.column, v, has, tt.wasEmpty)
			}
		})
	}
}

// Ending a system ends its uses still running then, as ending a link does;
// uses that had ended before keep their end.
func TestEndSystemEndsItsUses(t *testing.T) {
	h := newHarness(t, true)
	var sys struct {
		Systems struct{ Nodes []struct{ ID string } }
	}
	h.data(`{ systems(filter: {nameContains: "Biz 2.0"}) { nodes { id } } }`, nil, &sys)
	var ended struct {
		EndSystem struct {
			EndedAt string
			Uses    []struct{ ValidTo *string }
		}
	}
	h.data(`mutation($id: ID!) { endSystem(id: $id, at: "2020-09-11") { endedAt uses { validTo } } }`,
		map[string]any{"id": sys.Systems.Nodes[0].ID}, &ended)
	const want = "2020-09-11T00:00:00+02:00"
	if ended.EndSystem.EndedAt != want || len(ended.EndSystem.Uses) == 0 {
		t.Fatalf("system ends %q with uses %+v, want %q and its uses", ended.EndSystem.EndedAt, ended.EndSystem.Uses, want)
	}
	for _, u := range ended.EndSystem.Uses {
		if u.ValidTo == nil || *u.ValidTo > want {
			t.Errorf("a use of the ended system runs until %v, want at most %s", u.ValidTo, want)
		}
	}
}

func TestEndLinkEndsItsSystemUses(t *testing.T) {
	h := newHarness(t, true)
	medhelp, voice := h.orgID("Medhelp AB"), h.orgID("Voice Integrate Nordic AB")
	linkID := h.linkID(medhelp, voice)
	var ended struct {
		EndLink struct {
			ValidTo    string
			SystemUses []struct {
				ValidTo string
				System  struct{ Name string }
			}
		}
	}
	h.data(`mutation($id: ID!) { endLink(id: $id, at: "2020-09-11") { validTo systemUses { validTo system { name } } } }`,
		map[string]any{"id": linkID}, &ended)
	const want = "2020-09-11T00:00:00+02:00"
	if ended.EndLink.ValidTo != want {
		t.Errorf("link ends %q, want %q", ended.EndLink.ValidTo, want)
	}
	if len(ended.EndLink.SystemUses) != 2 {
		t.Fatalf("want 2 system uses, got %+v", ended.EndLink.SystemUses)
	}
	for _, u := range ended.EndLink.SystemUses {
		if u.ValidTo != want {
			t.Errorf("use of %s ends %q, want %q", u.System.Name, u.ValidTo, want)
		}
	}
	// Ending again later is refused: the link already ended.
	r := h.post(`mutation($id: ID!) { endLink(id: $id, at: "2021-01-01") { id } }`, map[string]any{"id": linkID})
	if r.code() != "CONFLICT" {
		t.Errorf("ending an ended link later: got %s, want CONFLICT", r.code())
	}
}

func TestCountryStanding(t *testing.T) {
	h := newHarness(t, false)
	tests := []struct {
		code, at, want string
		scope          string // of the adequacy decision in force, "" for none
	}{
		{"SE", "2019-02-01", "EEA", ""},
		{"NO", "2019-02-01", "EEA", ""},
		{"FI", "2019-02-01", "EEA", ""},
		{"TH", "2019-02-01", "THIRD_COUNTRY", ""},
		{"GB", "2019-06-01", "EEA", ""},
		{"GB", "2021-03-01", "THIRD_COUNTRY", ""},
		{"GB", "2022-01-01", "ADEQUACY", "FULL"},
		{"GB", "2031-12-27", "ADEQUACY", "FULL"},
		{"GB", "2031-12-28", "THIRD_COUNTRY", ""},
		{"US", "2017-01-01", "PARTIAL_ADEQUACY", "PARTIAL"},
		{"US", "2021-01-01", "THIRD_COUNTRY", ""},
		{"US", "2024-01-01", "PARTIAL_ADEQUACY", "PARTIAL"},
		{"CA", "2024-01-01", "PARTIAL_ADEQUACY", "PARTIAL"},
		{"BR", "2025-12-31", "THIRD_COUNTRY", ""},
		{"BR", "2026-01-26", "ADEQUACY", "FULL"},
		// Legal dates are Swedish calendar days: half past midnight in
		// Stockholm is still the 25th in UTC.
		{"BR", "2026-01-26T00:30+01:00", "ADEQUACY", "FULL"},
		{"BR", "2026-01-25T23:30+01:00", "THIRD_COUNTRY", ""},
		{"HR", "2013-06-30", "THIRD_COUNTRY", ""},
		{"HR", "2013-07-01", "EEA", ""},
	}
	for _, tt := range tests {
		t.Run(tt.code+"_"+tt.at, func(t *testing.T) {
			at := tt.at
			if len(at) == len("2006-01-02") {
				at += "T12:00"
			}
			var got struct {
				Country struct {
					Standing struct {
						Class    string
						Adequacy *struct{ Scope string }
					}
				}
			}
			h.with(t).data(`query($c: String!, $at: Instant) { country(code: $c) { standing(at: $at) { class adequacy { scope } } } }`,
				map[string]any{"c": tt.code, "at": at}, &got)
			scope := ""
			if a := got.Country.Standing.Adequacy; a != nil {
				scope = a.Scope
			}
			if got.Country.Standing.Class != tt.want || scope != tt.scope {
				t.Errorf("%s on %s: got %s (adequacy %q), want %s (%q)", tt.code, tt.at, got.Country.Standing.Class, scope, tt.want, tt.scope)
			}
		})
	}
}

func TestPaginationWalksEveryOrganisationOnce(t *testing.T) {
	h := newHarness(t, true)
	seen := map[string]bool{}
	var after any
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatal("pagination does not end")
		}
		var got struct {
			Organisations struct {
				Nodes    []struct{ ID string }
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		h.data(`query($after: String) { organisations(first: 4, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`,
			map[string]any{"after": after}, &got)
		for _, n := range got.Organisations.Nodes {
			if seen[n.ID] {
				t.Fatalf("organisation %s on two pages", n.ID)
			}
			seen[n.ID] = true
		}
		if !got.Organisations.PageInfo.HasNextPage {
			break
		}
		after = got.Organisations.PageInfo.EndCursor
	}
	if want := h.count(`SELECT count(*) FROM organisations`); len(seen) != want {
		t.Errorf("walked %d organisations, the registry holds %d", len(seen), want)
	}
}

func TestInternalErrorsAreLoggedNotShown(t *testing.T) {
	h := newHarness(t, false)
	// The table goes away under the resolver (the owner renames it);
	// tokens and the audit log still work.
	if _, err := h.owner().Exec(`ALTER TABLE organisations RENAME TO organisations_gone`); err != nil {
		t.Fatal(err)
	}
	r := h.post(`{ organisations { nodes { id } } }`, nil)
	if r.code() != "INTERNAL" || r.Errors[0].Message != "internal error" {
		t.Fatalf("got %+v, want a bare internal error", r.Errors)
	}
	if !contains(h.logs.String(), "resolver failed", "organisations") {
		t.Errorf("the cause was not logged; log: %s", h.logs.String())
	}
}

func TestSystemUsesAndMovesAsLists(t *testing.T) {
	h := newHarness(t, true)
	var got struct {
		SystemUses struct {
			Nodes []struct {
				ID     string
				System struct{ Name string }
			}
		}
		DataMoves struct {
			Nodes []struct {
				FromSystem, ToSystem struct{ Name string }
			}
		}
	}
	h.data(`{ systemUses(filter: {at: "2019-02-01T02:00"}, first: 100) { nodes { id system { name } } }
		dataMoves { nodes { fromSystem { name } toSystem { name } } } }`, nil, &got)
	// At that instant: Inera's platform and Medhelp's Princess for each of
	// three regions, Princess for Medicall, Biz 2.0 on two links, the NAS.
	if n := h.count(`SELECT count(*) FROM system_uses WHERE valid @> CAST('2019-02-01 02:00+01' AS timestamptz)`); len(got.SystemUses.Nodes) != n || n != 10 {
		t.Errorf("systemUses at the instant: %d listed, %d in the table, want 10", len(got.SystemUses.Nodes), n)
	}
	if len(got.DataMoves.Nodes) != 1 || got.DataMoves.Nodes[0].ToSystem.Name != "Recording storage server (NAS)" {
		t.Errorf("dataMoves: %+v", got.DataMoves.Nodes)
	}
	var one struct {
		SystemUse struct{ ID string }
	}
	h.data(`query($id: ID!) { systemUse(id: $id) { id } }`, map[string]any{"id": got.SystemUses.Nodes[0].ID}, &one)
	if one.SystemUse.ID != got.SystemUses.Nodes[0].ID {
		t.Errorf("systemUse by id: %+v", one)
	}
}
