package demo

import (
	_ "embed"
	"fmt"

	"github.com/kedja/kedja/registry"
)

// downloads2019 is the storage server's download log of 13-18 February
// 2019: synthetic rows that reproduce the vendor's published figures
// exactly (see the file's header).
//
//go:embed incident-2019-downloads.csv
var downloads2019 string

// Downloads2019 returns the demo's download log, for tests and the CLI.
func Downloads2019() string { return downloads2019 }

// incident2019 records the 2019 exposure of the recording storage server,
// and Region Kalmar län's 2013 night calls to "the same company" as an
// assumption. It runs after run, in the same transaction.
func (d *seeder) incident2019() error {
	s := d.s
	if d.err != nil {
		return d.err
	}
	kalmar := d.region("08")
	var medhelp, voice registry.Organisation
	var nas registry.System
	orgs, _, err := s.ListOrganisations(d.ctx, registry.OrganisationFilter{}, registry.Page{First: 500})
	if err != nil {
		return err
	}
	for _, o := range orgs {
		switch o.LegalName {
		case Marker:
			medhelp = o
		case "Voice Integrate Nordic AB":
			voice = o
		}
	}
	systems, _, err := s.ListSystems(d.ctx, registry.SystemFilter{}, registry.Page{First: 500})
	if err != nil {
		return err
	}
	for _, sy := range systems {
		if sy.Name == "Recording storage server (NAS)" {
			nas = sy
		}
	}
	if medhelp.ID == 0 || voice.ID == 0 || nas.ID == 0 {
		return fmt.Errorf("demo: the 1177 chain must be seeded before its incident")
	}

	// ASSUMPTION: the local press reported in 2019 that Region Kalmar
	// län's night calls in 2013 went to "the same company". No agreement
	// is public; the period and hours are a reading of that report.
	kalmarLink := do(d, s.CreateLink, registry.Link{FromID: kalmar.ID, ToID: medhelp.ID, Role: "independent_controller",
		Period: registry.Period{From: d.at("2013-01-01"), To: d.ptr("2014-01-01")}, HealthData: true,
		Purpose: "ASSUMPTION (local press, 2019: night calls in 2013 went to \"the same company\"): answered Region Kalmar län's " +
			"1177 night calls",
		DataCategories: []string{"call recordings", "patient records", "phone numbers", "health data"},
		RoutingNote:    str("ASSUMPTION: nights in 2013, as the local press reported it; hours approximate, no agreement is public."),
		RoutingWindows: registry.Windows{{Days: []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, Start: "21:00", End: "07:00"}}})
	princess := registry.System{}
	for _, sy := range systems {
		if sy.Name == "Princess" {
			princess = sy
		}
	}
	do(d, s.CreateSystemUse, registry.SystemUse{LinkID: kalmarLink.ID, SystemID: princess.ID, PartyID: medhelp.ID,
		Purpose: str("ASSUMPTION: nurses documented Kalmar's night calls in Princess"), Period: kalmarLink.Period})
	if d.err != nil {
		return d.err
	}

	inc := do(d, s.CreateIncident, registry.Incident{
		Title: "Recording storage server open to the internet without a password", Kind: "confidentiality", Status: "contained",
		Description: str("The NAS where Biz 2.0 put the recordings was reachable from the internet over plain HTTP with no password " +
			"since a technical upgrade; about 2.7 million recorded calls from 2013 on, older file names carrying the caller's phone number. " +
			"The start of the exposure is the start of the server's recorded profile (at least early 2016); discovery is the morning " +
			"the press called (time approximate)."),
		ExposureFrom: d.ptr("2016-01-01"), ContainedAt: d.ptr("2019-02-18T14:13"), DiscoveredAt: d.at("2019-02-18T09:00"),
		DataCategories: []string{"call recordings", "phone numbers in file names", "health data"},
		RecordsApprox:  ptr64(2700000),
		Containment:    str("The server was closed to the internet at 14:13 on 18 February 2019."),
		Measures:       str("Access log reviewed: 55 downloads (46 unique calls) from a handful of addresses over four days."),
		SystemIDs:      []int64{nas.ID},
	})
	do(d, s.SetIncidentParty, registry.IncidentParty{IncidentID: inc.ID, PartyID: voice.ID, AwareAt: d.ptr("2019-02-18T09:00"),
		Note: str("The vendor's incident update of 18 February 2019; time approximate.")})
	varmland := d.region("17")
	do(d, s.SetIncidentParty, registry.IncidentParty{IncidentID: inc.ID, PartyID: varmland.ID, AwareAt: d.ptr("2019-02-18T12:00"),
		Art34: "undecided", Note: str("Aware on 18 February 2019 (time approximate).")})
	do(d, s.RecordNotification, registry.Notification{IncidentID: inc.ID, Article: "art33_1", FromID: varmland.ID,
		ToAuthority: str("Datainspektionen (now IMY)"), SentAt: d.at("2019-02-18T20:00"),
		Reference: str("Region Värmland's notification of 18 February 2019 (evening; time approximate)")})
	if d.err != nil {
		return d.err
	}
	rows, err := registry.ParseAccessLog("csv", downloads2019, d.loc)
	if err != nil {
		return err
	}
	_, err = s.ImportAccessLog(d.ctx, Actor, inc.ID, "incident-2019-downloads.csv (synthetic rows, the vendor's figures)", rows)
	return err
}

func ptr64(n int64) *int64 { return &n }
