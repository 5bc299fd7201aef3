package store_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store/storetest"
)

// The transfer tool a link's clauses are, judged by the exporter's law on
// the date (issue 14 item 5; migrations/0036_transfer_tools.sql): the
// verdict kedja_transfer_verdict_in gives a third-country transfer under
// SCCs, per (law, tool, date, assessment), at every date the tools turn on.
// A tool not recorded ("") gives the seven-argument function's answer.
func TestTransferToolVerdictByLaw(t *testing.T) {
	s := storetest.Store(t)
	cases := []struct {
		name, law, tool, day, tia string // tia "" for none
		want                      string
	}{
		// EU: the old clauses until 27 December 2022 (that day included).
		{"EU2010ClausesIn2017NoTIANotYetExpected", "eu", "eu_scc_2010", "2017-06-01", "", "safeguarded"},
		{"EU2010ClausesBeforeTheirDecisionApplied", "eu", "eu_scc_2010", "2010-05-14", "", "tool_not_valid"},
		{"EU2010ClausesFirstDay", "eu", "eu_scc_2010", "2010-05-15", "", "safeguarded"},
		{"EU2010ClausesAfterSchremsIINoTIA", "eu", "eu_scc_2010", "2021-03-01", "", "no_tia"},
		{"EU2010ClausesLastDayForNewContracts", "eu", "eu_scc_2010", "2021-09-26", "2021-01-15", "safeguarded"},
		{"EU2010ClausesExistingContractAfter27September2021", "eu", "eu_scc_2010", "2021-09-27", "2021-01-15", "safeguarded"},
		{"EU2010ClausesLastValidDay", "eu", "eu_scc_2010", "2022-12-27", "2021-01-15", "safeguarded"},
		{"EU2010ClausesOutdatedFrom28December2022", "eu", "eu_scc_2010", "2022-12-28", "2021-01-15", "outdated_clauses"},
		{"EU2010ClausesOutdatedWithoutTIA", "eu", "eu_scc_2010", "2023-06-01", "", "outdated_clauses"},
		{"EU2001SetIBeforeApplicable", "eu", "eu_scc_2001", "2001-09-02", "", "tool_not_valid"},
		{"EU2001SetIIn2005", "eu", "eu_scc_2001", "2005-01-01", "", "safeguarded"},
		{"EU2001SetILastValidDay", "eu", "eu_scc_2001", "2022-12-27", "2021-01-15", "safeguarded"},
		{"EU2001SetIOutdated", "eu", "eu_scc_2001", "2022-12-28", "2021-01-15", "outdated_clauses"},
		{"EU2004SetIIBeforeApplicable", "eu", "eu_scc_2004", "2005-03-31", "", "tool_not_valid"},
		{"EU2004SetIIIn2012", "eu", "eu_scc_2004", "2012-01-01", "", "safeguarded"},
		{"EU2004SetIIOutdated", "eu", "eu_scc_2004", "2023-01-01", "2021-01-15", "outdated_clauses"},
		{"EU2021ClausesBefore27June2021", "eu", "eu_scc_2021", "2021-06-26", "2021-01-15", "tool_not_valid"},
		{"EU2021ClausesFrom27June2021", "eu", "eu_scc_2021", "2021-06-27", "2021-01-15", "safeguarded"},
		{"EU2021ClausesWithoutTIA", "eu", "eu_scc_2021", "2023-06-01", "", "no_tia"},
		{"EU2021ClausesIn2025", "eu", "eu_scc_2021", "2025-06-01", "2025-01-01", "safeguarded"},
		{"UKIDTAIsNoEUTool", "eu", "uk_idta", "2023-06-01", "2023-01-01", "tool_not_valid"},
		{"SwissAdaptedClausesAreNoEUTool", "eu", "ch_scc_2021", "2023-06-01", "2023-01-01", "tool_not_valid"},
		// UK: the IDTA and the Addendum from 21 March 2022; the old EU
		// clauses until 21 March 2024; the EU 2021 clauses alone never.
		{"UKIDTABefore21March2022", "uk", "uk_idta", "2022-03-20", "2022-01-01", "tool_not_valid"},
		{"UKIDTAFrom21March2022", "uk", "uk_idta", "2022-03-21", "2022-01-01", "safeguarded"},
		{"UKIDTAWithoutTIA", "uk", "uk_idta", "2023-06-01", "", "no_tia"},
		{"UKAddendumBefore21March2022", "uk", "uk_addendum", "2022-03-20", "2022-01-01", "tool_not_valid"},
		{"UKAddendumFrom21March2022", "uk", "uk_addendum", "2022-03-21", "2022-01-01", "safeguarded"},
		{"UK2010ClausesAfterTheEUDeadline", "uk", "eu_scc_2010", "2023-06-01", "2021-01-15", "safeguarded"},
		{"UK2010ClausesLastValidDay", "uk", "eu_scc_2010", "2024-03-20", "2021-01-15", "safeguarded"},
		{"UK2010ClausesOutdatedFrom21March2024", "uk", "eu_scc_2010", "2024-03-21", "2021-01-15", "outdated_clauses"},
		{"UK2001ClausesOutdated", "uk", "eu_scc_2001", "2024-03-21", "2021-01-15", "outdated_clauses"},
		{"UKEU2021ClausesWithoutAddendum", "uk", "eu_scc_2021", "2023-06-01", "2023-01-01", "tool_not_valid"},
		{"UKSwissAdaptedClauses", "uk", "ch_scc_2021", "2023-06-01", "2023-01-01", "tool_not_valid"},
		// Switzerland: the EU 2021 clauses with the FDPIC's adaptations,
		// recognised 27 August 2021; the old clauses until 31 December 2022.
		{"SwissAdaptedBefore27August2021", "ch", "ch_scc_2021", "2021-08-26", "2021-01-15", "tool_not_valid"},
		{"SwissAdaptedFrom27August2021", "ch", "ch_scc_2021", "2021-08-27", "2021-01-15", "safeguarded"},
		{"SwissEU2021ClausesUnadapted", "ch", "eu_scc_2021", "2022-06-01", "2021-01-15", "tool_not_valid"},
		{"Swiss2010ClausesLastValidDay", "ch", "eu_scc_2010", "2022-12-31", "2021-01-15", "safeguarded"},
		{"Swiss2010ClausesOutdated", "ch", "eu_scc_2010", "2023-01-01", "2021-01-15", "outdated_clauses"},
		{"Swiss2010ClausesBeforeTheFDPICsTIADate", "ch", "eu_scc_2010", "2020-09-07", "", "safeguarded"},
		// No tool recorded: as before.
		{"NoToolEU2017NoTIA", "eu", "", "2017-06-01", "", "safeguarded"},
		{"NoToolEU2023NoTIA", "eu", "", "2023-06-01", "", "no_tia"},
		{"NoToolEU2023WithTIA", "eu", "", "2023-06-01", "2023-01-01", "safeguarded"},
		{"NoToolUK2025WithTIA", "uk", "", "2025-06-01", "2025-01-01", "safeguarded"},
		{"NoToolCH2025NoTIA", "ch", "", "2025-06-01", "", "no_tia"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got, before sql.NullString
			tool, tia := sql.NullString{String: c.tool, Valid: c.tool != ""}, sql.NullString{String: c.tia, Valid: c.tia != ""}
			if err := s.DB().QueryRow(`SELECT
				kedja_transfer_verdict_in('third_country', 0, 'TH', CAST($1 || 'T12:00:00Z' AS timestamptz), 'scc', CAST($2 AS date), $3, $4),
				kedja_transfer_verdict_in('third_country', 0, 'TH', CAST($1 || 'T12:00:00Z' AS timestamptz), 'scc', CAST($2 AS date), $3)`,
				c.day, tia, c.law, tool).Scan(&got, &before); err != nil {
				t.Fatal(err)
			}
			if got.String != c.want {
				t.Errorf("verdict under %s law with %q on %s: got %q, want %q", c.law, c.tool, c.day, got.String, c.want)
			}
			if c.tool == "" && got != before {
				t.Errorf("no tool recorded: got %q, the seven-argument function says %q", got.String, before.String)
			}
		})
	}
}

// A link recording its tool: the third_country check raises lapsed or
// unrecognised clauses HIGH with what the exporter's law cites, the
// safeguarded check keeps valid ones INFO, and responsibility names the gap
// with the exporter's law's provision.
func TestTransferToolFindingsAndResponsibility(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	cases := []struct {
		name, ctlCountry, tool, instant string
		wantFinding, wantRef, wantMsg   string
		wantGap, wantArticle            string // "" for no gap
	}{
		{name: "SwedishController2010ClausesLastValidDay", ctlCountry: "SE", tool: "eu_scc_2010", instant: "2022-12-27T12:00",
			wantFinding: "third_country_safeguarded/info", wantRef: "GDPR Art. 46, 49"},
		{name: "SwedishController2010ClausesOutdated", ctlCountry: "SE", tool: "eu_scc_2010", instant: "2023-03-01T12:00",
			wantFinding: "third_country/high", wantRef: "GDPR Art. 44-46", wantMsg: "no longer recognises",
			wantGap: registry.GapOutdatedClauses, wantArticle: "GDPR Art. 46, 49"},
		{name: "UKControllerEU2021ClausesWithoutAddendum", ctlCountry: "GB", tool: "eu_scc_2021", instant: "2023-03-01T12:00",
			wantFinding: "third_country/high", wantRef: "UK GDPR Art. 44-49", wantMsg: "does not recognise",
			wantGap: registry.GapToolNotValid, wantArticle: "UK GDPR Art. 46, 49"},
		{name: "UKControllerAddendum", ctlCountry: "GB", tool: "uk_addendum", instant: "2023-03-01T12:00",
			wantFinding: "third_country_safeguarded/info", wantRef: "UK GDPR Art. 46, 49"},
		{name: "SwissControllerAdaptedClauses", ctlCountry: "CH", tool: "ch_scc_2021", instant: "2024-03-01T12:00",
			wantFinding: "third_country_safeguarded/info", wantRef: "FADP Art. 16(2), 17"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctl, err := s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Controller " + c.name, Country: c.ctlCountry, Kind: "public_body"})
			if err != nil {
				t.Fatal(err)
			}
			th, err := s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Bangkok " + c.name, Country: "TH", Kind: "company"})
			if err != nil {
				t.Fatal(err)
			}
			tia := date("2021-01-15")
			if _, err := s.CreateLink(ctx, "t", &registry.Link{FromID: ctl.ID, ToID: th.ID, Role: "processor", Purpose: "calls", HealthData: true,
				AgreementRef: ptr("DPA-1"), TransferMechanism: "scc", SCCModule: ptr(int16(2)), TransferTool: ptr(c.tool), TIADate: &tia,
				Period: registry.Period{From: at("2015-01-01T00:00")}}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.RunChecks(ctx, registry.RunOptions{At: at(c.instant), Checks: []string{"third_country", "third_country_safeguarded"},
				Trigger: "api", Actor: "t"}); err != nil {
				t.Fatal(err)
			}
			var got, ref, msg string
			if err := s.DB().QueryRow(`SELECT check_id || '/' || severity, legal_ref, message FROM findings
				WHERE status = 'open' AND subject_kind = 'party' AND subject_id = $1`, th.ID).Scan(&got, &ref, &msg); err != nil {
				t.Fatal(err)
			}
			if got != c.wantFinding || ref != c.wantRef || !strings.Contains(msg, c.wantMsg) {
				t.Errorf("finding: got %q citing %q (%s), want %q citing %q containing %q", got, ref, msg, c.wantFinding, c.wantRef, c.wantMsg)
			}

			res, err := s.Responsibility(ctx, th.ID, 0, at(c.instant), 0)
			if err != nil {
				t.Fatal(err)
			}
			gap, article := "", ""
			for _, g := range res.Missing {
				gap, article = g.Code, g.Article
			}
			if gap != c.wantGap || article != c.wantArticle {
				t.Errorf("responsibility gap: got %q citing %q, want %q citing %q (all: %+v)", gap, article, c.wantGap, c.wantArticle, res.Missing)
			}
		})
	}
}

// The database refuses a tool on a link whose mechanism is not SCCs, and a
// tool it does not know, as validation does naming the field.
func TestTransferToolValidation(t *testing.T) {
	cases := []struct {
		name      string
		mechanism string
		tool      string
		wantField string // "" when valid
	}{
		{"ToolWithSCC", "scc", "uk_idta", ""},
		{"ToolWithBCR", "bcr", "eu_scc_2021", "transferTool"},
		{"UnknownTool", "scc", "eu_scc_1999", "transferTool"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := registry.Link{FromID: 1, ToID: 2, Role: "processor", Purpose: "calls", TransferMechanism: c.mechanism, TransferTool: ptr(c.tool),
				Period: registry.Period{From: at("2015-01-01T00:00")}}
			if c.mechanism == "scc" {
				l.SCCModule = ptr(int16(2))
			}
			err := l.Validate()
			var ve *registry.Error
			switch {
			case c.wantField == "" && err != nil:
				t.Fatalf("got %v, want valid", err)
			case c.wantField != "" && (!errors.As(err, &ve) || ve.Code != registry.EInvalid || ve.Field != c.wantField):
				t.Fatalf("got %v, want an error naming %s", err, c.wantField)
			}
		})
	}
}
