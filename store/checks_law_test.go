package store_test

import (
	"context"
	"testing"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store/storetest"
)

// lawHop is one party below the controller and the link that reaches it.
type lawHop struct {
	country, kind, mechanism string
	tia                      string // date of the transfer impact assessment, or ""
}

// Each transfer judged by the exporter's law as in force on the date
// (issue 14): the controller's law (its country's by default, or an
// explicit jurisdiction), the chain of parties below it, the instant, and
// what the last link's transfer is then: its class in the chain walk, and
// the transfer finding on the last party with what it cites ("" when none).
func TestTransferJudgedByExporterLaw(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	cases := []struct {
		name        string
		ctlCountry  string
		ctlLaw      string // explicit jurisdiction from 2021-01-01, or ""
		hops        []lawHop
		instant     string
		wantClass   string
		wantFinding string // "check/severity", or ""
		wantRef     string
	}{
		// The false positives.
		{name: "UKControllerUKProcessorIsDomestic2021", ctlCountry: "GB", hops: []lawHop{{"GB", "company", "none", ""}},
			instant: "2021-03-01T12:00", wantClass: "domestic"},
		{name: "IrishControllerUKProcessorDuringBridge", ctlCountry: "IE", hops: []lawHop{{"GB", "company", "none", ""}},
			instant: "2021-03-01T12:00", wantClass: "third_country"},
		{name: "IrishControllerUKProcessorAfterAdequacy", ctlCountry: "IE", hops: []lawHop{{"GB", "company", "none", ""}},
			instant: "2021-09-01T12:00", wantClass: "adequacy"},
		{name: "UKControllerIrishProcessorIsAdequate", ctlCountry: "GB", hops: []lawHop{{"IE", "company", "none", ""}},
			instant: "2021-03-01T12:00", wantClass: "adequacy"},
		// The missed transfer: Korea is adequate for the EU from
		// December 2021, for the UK only from 19 December 2022.
		{name: "UKControllerKoreanProcessorAug2022Raised", ctlCountry: "GB", hops: []lawHop{{"KR", "company", "none", ""}},
			instant: "2022-08-15T12:00", wantClass: "third_country", wantFinding: "third_country/critical", wantRef: "UK GDPR Art. 44-49"},
		{name: "UKControllerKoreanProcessorAfterUKRegulations", ctlCountry: "GB", hops: []lawHop{{"KR", "company", "none", ""}},
			instant: "2022-12-19T12:00", wantClass: "adequacy"},
		{name: "SwedishControllerKoreanProcessorAug2022", ctlCountry: "SE", hops: []lawHop{{"KR", "company", "none", ""}},
			instant: "2022-08-15T12:00", wantClass: "adequacy"},
		{name: "UKControllerUSProcessorBeforeDataBridge", ctlCountry: "GB", hops: []lawHop{{"US", "company", "none", ""}},
			instant: "2023-10-11T12:00", wantClass: "third_country", wantFinding: "third_country/critical", wantRef: "UK GDPR Art. 44-49"},
		{name: "UKControllerUSProcessorUnderDataBridgeUncertified", ctlCountry: "GB", hops: []lawHop{{"US", "company", "none", ""}},
			instant: "2023-10-12T12:00", wantClass: "partial_adequacy", wantFinding: "third_country/critical", wantRef: "UK GDPR Art. 44-49"},
		{name: "UKControllerThaiProcessorSCCWithTIA", ctlCountry: "GB", hops: []lawHop{{"TH", "company", "scc", "2021-02-01"}},
			instant: "2021-03-01T12:00", wantClass: "third_country", wantFinding: "third_country_safeguarded/info", wantRef: "UK GDPR Art. 46, 49"},
		// An onward transfer by a party with no law of its own in kedja is
		// judged by the law of the party that sent it the data.
		{name: "ThaiProcessorOnwardToKoreaUnderUKLaw", ctlCountry: "GB",
			hops:    []lawHop{{"TH", "company", "scc", "2021-02-01"}, {"KR", "company", "none", ""}},
			instant: "2022-08-15T12:00", wantClass: "third_country", wantFinding: "third_country/critical", wantRef: "UK GDPR Art. 44-49"},
		{name: "ThaiProcessorOnwardToKoreaUnderEULaw", ctlCountry: "SE",
			hops:    []lawHop{{"TH", "company", "scc", "2021-02-01"}, {"KR", "company", "none", ""}},
			instant: "2022-08-15T12:00", wantClass: "adequacy"},
		// An explicit jurisdiction overrides the country's default.
		{name: "ExplicitUKJurisdictionOfASwedishParty", ctlCountry: "SE", ctlLaw: "uk", hops: []lawHop{{"GB", "company", "none", ""}},
			instant: "2021-03-01T12:00", wantClass: "domestic"},
		// Switzerland's own list.
		{name: "SwissControllerSwissProcessor", ctlCountry: "CH", hops: []lawHop{{"CH", "company", "none", ""}},
			instant: "2024-10-01T12:00", wantClass: "domestic"},
		{name: "SwissControllerGermanProcessor", ctlCountry: "CH", hops: []lawHop{{"DE", "company", "none", ""}},
			instant: "2019-10-01T12:00", wantClass: "adequacy"},
		{name: "SwissControllerUSProcessorBeforeSwissDPF", ctlCountry: "CH", hops: []lawHop{{"US", "company", "none", ""}},
			instant: "2024-09-14T12:00", wantClass: "third_country", wantFinding: "third_country/critical", wantRef: "FADP Art. 16-17"},
		{name: "SwissControllerUSProcessorUnderSwissDPF", ctlCountry: "CH", hops: []lawHop{{"US", "company", "none", ""}},
			instant: "2024-09-15T12:00", wantClass: "partial_adequacy", wantFinding: "third_country/critical", wantRef: "FADP Art. 16-17"},
		{name: "SwissControllerThaiProcessorUnderOldFADP", ctlCountry: "CH", hops: []lawHop{{"TH", "company", "none", ""}},
			instant: "2022-10-01T12:00", wantClass: "third_country", wantFinding: "third_country/critical", wantRef: "FADP 1992 Art. 6"},
		// The law in force: before the GDPR, the directive-era act; no
		// transfer impact assessment expected before Schrems II.
		{name: "Swedish2017TransferUnder2010ClausesNotFaultedForTIA", ctlCountry: "SE", hops: []lawHop{{"TH", "company", "scc", ""}},
			instant: "2017-06-01T12:00", wantClass: "third_country", wantFinding: "third_country_safeguarded/info", wantRef: "PUL 33-35 §"},
		{name: "Swedish2017TransferWithoutMechanismCitesPUL", ctlCountry: "SE", hops: []lawHop{{"TH", "company", "none", ""}},
			instant: "2017-06-01T12:00", wantClass: "third_country", wantFinding: "third_country/critical", wantRef: "PUL 33-35 §"},
		{name: "Danish2017TransferCitesTheDirectiveAct", ctlCountry: "DK", hops: []lawHop{{"TH", "company", "none", ""}},
			instant: "2017-06-01T12:00", wantClass: "third_country", wantFinding: "third_country/critical",
			wantRef: "Directive 95/46/EC Art. 25-26 (national law)"},
		{name: "Norwegian2018JuneStillUnderTheDirectiveAct", ctlCountry: "NO", hops: []lawHop{{"TH", "company", "none", ""}},
			instant: "2018-06-15T12:00", wantClass: "third_country", wantFinding: "third_country/critical",
			wantRef: "Directive 95/46/EC Art. 25-26 (national law)"},
		{name: "Swedish2018JuneUnderTheGDPR", ctlCountry: "SE", hops: []lawHop{{"TH", "company", "none", ""}},
			instant: "2018-06-15T12:00", wantClass: "third_country", wantFinding: "third_country/critical", wantRef: "GDPR Art. 44-46"},
		{name: "Swedish2019SCCWithoutTIANotYetExpected", ctlCountry: "SE", hops: []lawHop{{"TH", "company", "scc", ""}},
			instant: "2019-06-01T12:00", wantClass: "third_country", wantFinding: "third_country_safeguarded/info", wantRef: "GDPR Art. 46, 49"},
		// EU answers after May 2018 as before.
		{name: "Swedish2021SCCWithoutTIA", ctlCountry: "SE", hops: []lawHop{{"TH", "company", "scc", ""}},
			instant: "2021-03-01T12:00", wantClass: "third_country", wantFinding: "third_country/high", wantRef: "GDPR Art. 44-46"},
		{name: "Swedish2021SCCWithTIA", ctlCountry: "SE", hops: []lawHop{{"TH", "company", "scc", "2021-01-15"}},
			instant: "2021-03-01T12:00", wantClass: "third_country", wantFinding: "third_country_safeguarded/info", wantRef: "GDPR Art. 46, 49"},
		{name: "SwedishControllerUKProcessor2032", ctlCountry: "SE", hops: []lawHop{{"GB", "company", "none", ""}},
			instant: "2032-01-15T12:00", wantClass: "third_country", wantFinding: "third_country/critical", wantRef: "GDPR Art. 44-46"},
		{name: "SwedishControllerGermanProcessor", ctlCountry: "SE", hops: []lawHop{{"DE", "company", "none", ""}},
			instant: "2021-03-01T12:00", wantClass: "eea"},
		{name: "SwedishControllerUSProcessor2024Uncertified", ctlCountry: "SE", hops: []lawHop{{"US", "company", "none", ""}},
			instant: "2024-03-01T12:00", wantClass: "partial_adequacy", wantFinding: "third_country/critical", wantRef: "GDPR Art. 44-46"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctl, err := s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Controller " + c.name, Country: c.ctlCountry, Kind: "public_body"})
			if err != nil {
				t.Fatal(err)
			}
			if c.ctlLaw != "" {
				tx, err := s.DB().Begin()
				if err != nil {
					t.Fatal(err)
				}
				if _, err := tx.Exec(`SELECT set_config('kedja.actor', 't', true)`); err != nil {
					t.Fatal(err)
				}
				if _, err := tx.Exec(`INSERT INTO party_jurisdictions (org_id, law, valid) VALUES ($1, $2, daterange('2021-01-01', NULL))`,
					ctl.ID, c.ctlLaw); err != nil {
					t.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
			}
			from := ctl.ID
			role := "processor"
			var last registry.Organisation
			for i, h := range c.hops {
				last, err = s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Party " + c.name + string(rune('A'+i)), Country: h.country, Kind: h.kind})
				if err != nil {
					t.Fatal(err)
				}
				l := registry.Link{FromID: from, ToID: last.ID, Role: role, Purpose: "calls", HealthData: true, AgreementRef: ptr("DPA-1"),
					TransferMechanism: h.mechanism, Period: registry.Period{From: at("2015-01-01T00:00")}}
				if h.mechanism == "scc" {
					l.SCCModule = ptr(int16(2))
				}
				if h.tia != "" {
					d := date(h.tia)
					l.TIADate = &d
				}
				if _, err := s.CreateLink(ctx, "t", &l); err != nil {
					t.Fatal(err)
				}
				from, role = last.ID, "sub_processor"
			}

			steps, _, err := s.Walk(ctx, ctl.ID, at(c.instant), registry.WalkOptions{})
			if err != nil {
				t.Fatal(err)
			}
			class := ""
			for _, st := range steps {
				if st.ToID == last.ID {
					class = st.TransferClass
				}
			}
			if class != c.wantClass {
				t.Errorf("class of the transfer to %s: got %q, want %q", last.Country, class, c.wantClass)
			}

			if _, err := s.RunChecks(ctx, registry.RunOptions{At: at(c.instant), Checks: []string{"third_country", "third_country_safeguarded"},
				Trigger: "api", Actor: "t"}); err != nil {
				t.Fatal(err)
			}
			got, ref := "", ""
			rows, err := s.DB().Query(`SELECT check_id || '/' || severity, legal_ref FROM findings
				WHERE status = 'open' AND subject_kind = 'party' AND subject_id = $1 ORDER BY check_id`, last.ID)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				if err := rows.Scan(&got, &ref); err != nil {
					t.Fatal(err)
				}
				n++
			}
			if n > 1 {
				t.Errorf("%d transfer findings on the last party, want at most one", n)
			}
			if got != c.wantFinding || ref != c.wantRef {
				t.Errorf("finding: got %q citing %q, want %q citing %q", got, ref, c.wantFinding, c.wantRef)
			}
		})
	}
}
