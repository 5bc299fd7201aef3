package server_test

import (
	"fmt"
	"strings"
	"testing"
)

// Health-secrecy rules and retention minimums are legal reference data an
// administrator keeps through the API, as EEA membership and adequacy:
// added and ended with their history in changes and an audit row; bad
// input refused whole, naming the field; editors, auditors and dsr users
// write none, readers read them.
func TestReferenceDataThroughTheAPI(t *testing.T) {
	h := newHarness(t, false)

	var added struct {
		S struct{ ID, CountryCode, Reference, ValidFrom string }
		M struct {
			ID, CountryCode, SystemKind, LegalRef string
			MinDays                               int
		}
	}
	h.data(`mutation {
		s: addHealthSecrecyRule(input: {country: "DK", reference: "Sundhedsloven (test)", note: "a test rule", validFrom: "2020-01-01"}) {
			id countryCode reference validFrom }
		m: addRetentionMinimum(input: {country: "SE", systemKind: STORAGE, minDays: 730, legalRef: "A test provision", validFrom: "2020-01-01"}) {
			id countryCode systemKind minDays legalRef } }`, nil, &added)
	if s := added.S; s.CountryCode != "DK" || s.Reference != "Sundhedsloven (test)" || s.ValidFrom != "2020-01-01" {
		t.Errorf("rule: %+v", s)
	}
	if m := added.M; m.CountryCode != "SE" || m.SystemKind != "STORAGE" || m.MinDays != 730 {
		t.Errorf("minimum: %+v", m)
	}
	var ended struct {
		S struct{ ValidTo string }
		M struct{ ValidTo string }
	}
	h.data(`mutation($s: ID!, $m: ID!) { s: endHealthSecrecyRule(id: $s, on: "2024-01-01") { validTo } m: endRetentionMinimum(id: $m, on: "2025-01-01") { validTo } }`,
		map[string]any{"s": added.S.ID, "m": added.M.ID}, &ended)
	if ended.S.ValidTo != "2024-01-01" || ended.M.ValidTo != "2025-01-01" {
		t.Errorf("ended: %+v", ended)
	}

	t.Run("ReadAsOfADate", func(t *testing.T) {
		var got struct {
			HealthSecrecyRules []struct {
				CountryCode string
				History     []struct{ Op, Actor string }
			}
			RetentionMinimums []struct {
				CountryCode, SystemKind string
				MinDays                 int
				History                 []struct{ Op, Actor string }
			}
		}
		h.with(t).as("auditor").data(`{ healthSecrecyRules(at: "2023-06-01") { countryCode history { op actor } }
			retentionMinimums(at: "2023-06-01") { countryCode systemKind minDays history { op actor } } }`, nil, &got)
		var rules []string
		for _, r := range got.HealthSecrecyRules {
			rules = append(rules, r.CountryCode)
			if r.CountryCode == "DK" && (len(r.History) != 2 || r.History[0].Op != "insert" || r.History[1].Op != "update") {
				t.Errorf("DK's history: %+v, want an insert and an update", r.History)
			}
		}
		if strings.Join(rules, ",") != "DK,SE" {
			t.Errorf("rules in force on 2023-06-01: %v, want DK (added) and SE (migration 0011)", rules)
		}
		var mins []string
		for _, m := range got.RetentionMinimums {
			mins = append(mins, fmt.Sprintf("%s %s %d", m.CountryCode, m.SystemKind, m.MinDays))
		}
		if strings.Join(mins, ",") != "SE RECORDS 3650,SE STORAGE 730" {
			t.Errorf("minimums in force on 2023-06-01: %v", mins)
		}
		var later struct {
			HealthSecrecyRules []struct{ CountryCode string }
		}
		h.with(t).data(`{ healthSecrecyRules(at: "2024-06-01") { countryCode } }`, nil, &later)
		if len(later.HealthSecrecyRules) != 1 || later.HealthSecrecyRules[0].CountryCode != "SE" {
			t.Errorf("rules in force on 2024-06-01: %+v, want SE only (DK ended)", later.HealthSecrecyRules)
		}
	})

	t.Run("Audited", func(t *testing.T) {
		// One audit row per write, naming the record it wrote.
		for _, w := range []struct{ op, affected string }{
			{"add", "health_secrecy_rule:" + added.S.ID}, {"add", "retention_minimum:" + added.M.ID},
			{"end", "health_secrecy_rule:" + added.S.ID}, {"end", "retention_minimum:" + added.M.ID},
		} {
			if n := h.with(t).count(`SELECT count(*) FROM audit_log WHERE operation LIKE 'mutation ` + w.op + `%' AND outcome = 'ok'
				AND '` + w.affected + `' = ANY(affected)`); n != 1 {
				t.Errorf("%d audit rows of %s writing %s, want 1", n, w.op, w.affected)
			}
		}
	})

	secrecy := func(fields string) string {
		return `mutation { addHealthSecrecyRule(input: {` + fields + `}) { id } }`
	}
	minimum := func(fields string) string {
		return `mutation { addRetentionMinimum(input: {` + fields + `}) { id } }`
	}
	tests := []struct {
		name, query, wantCode, wantField string
	}{
		{"MalformedCountry", secrecy(`country: "Sweden", reference: "x", validFrom: "2020-01-01"`), "INVALID_INPUT", "country"},
		{"UnknownCountry", secrecy(`country: "XX", reference: "x", validFrom: "2020-01-01"`), "INVALID_INPUT", "country"},
		{"EmptyReference", secrecy(`country: "NO", reference: "  ", validFrom: "2020-01-01"`), "INVALID_INPUT", "reference"},
		{"LongReference", secrecy(`country: "NO", reference: "` + strings.Repeat("x", 301) + `", validFrom: "2020-01-01"`), "INVALID_INPUT", "reference"},
		{"EndsBeforeItStarts", secrecy(`country: "NO", reference: "x", validFrom: "2020-01-01", validTo: "2019-01-01"`), "INVALID_INPUT", "validTo"},
		{"OverlapsSweden", secrecy(`country: "SE", reference: "x", validFrom: "2020-01-01"`), "CONFLICT", "validFrom"},
		{"NoDays", minimum(`country: "SE", systemKind: BACKUP, minDays: 0, legalRef: "x", validFrom: "2020-01-01"`), "INVALID_INPUT", "minDays"},
		{"TooManyDays", minimum(`country: "SE", systemKind: BACKUP, minDays: 40000, legalRef: "x", validFrom: "2020-01-01"`), "INVALID_INPUT", "minDays"},
		{"NoLegalRef", minimum(`country: "SE", systemKind: BACKUP, minDays: 30, legalRef: "", validFrom: "2020-01-01"`), "INVALID_INPUT", "legalRef"},
		{"OverlapsPatientRecords", minimum(`country: "SE", systemKind: RECORDS, minDays: 30, legalRef: "x", validFrom: "2020-01-01"`), "CONFLICT", "validFrom"},
		{"EndBeforeStart", `mutation { endRetentionMinimum(id: "` + added.M.ID + `", on: "2019-01-01") { id } }`, "INVALID_INPUT", "on"},
		{"EndAfterItEnded", `mutation { endHealthSecrecyRule(id: "` + added.S.ID + `", on: "2030-01-01") { id } }`, "CONFLICT", "on"},
		{"EndUnknown", `mutation { endHealthSecrecyRule(id: "999999", on: "2030-01-01") { id } }`, "NOT_FOUND", "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := h.with(t)
			before := h.count(`SELECT count(*) FROM changes`)
			r := h.post(tt.query, nil)
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

	for _, role := range []string{"editor", "auditor", "dsr"} {
		t.Run("Forbidden"+role, func(t *testing.T) {
			h := h.with(t).as(role)
			for _, q := range []string{
				secrecy(`country: "FI", reference: "x", validFrom: "2020-01-01"`),
				minimum(`country: "FI", systemKind: RECORDS, minDays: 30, legalRef: "x", validFrom: "2020-01-01"`),
				`mutation { endHealthSecrecyRule(id: "` + added.S.ID + `", on: "2021-01-01") { id } }`,
			} {
				if r := h.post(q, nil); r.code() != "FORBIDDEN" {
					t.Errorf("as %s: %+v, want FORBIDDEN", role, r)
				}
			}
		})
	}
	t.Run("DSRReadsNone", func(t *testing.T) {
		if r := h.with(t).as("dsr").post(`{ retentionMinimums { minDays } }`, nil); r.code() != "FORBIDDEN" {
			t.Errorf("dsr: %+v, want FORBIDDEN", r)
		}
	})
}
