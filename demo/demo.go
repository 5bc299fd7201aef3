// Package demo loads the public 1177 case of 2019 (../shared/docs/domain.md)
// as demo data, through the store's own validation, in one transaction.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
)

// Actor is recorded as the author of the demo data.
const Actor = "kedja seed demo"

// Marker is the organisation whose presence means the demo is loaded.
const Marker = "Medhelp AB"

// Loaded reports whether the demo data are present.
func Loaded(ctx context.Context, s *store.Store) (bool, error) {
	name := Marker
	se := "SE"
	rows, _, err := s.ListOrganisations(ctx, registry.OrganisationFilter{NameContains: &name, Country: &se}, registry.Page{First: 10})
	if err != nil {
		return false, err
	}
	for _, o := range rows {
		if o.LegalName == Marker {
			return true, nil
		}
	}
	return false, nil
}

// Seed loads the demo data unless they are present; it reports whether it
// loaded them. Two seeds at once are serialised by the database lock the
// transaction takes, and the second then finds the data present.
func Seed(ctx context.Context, s *store.Store, loc *time.Location) (bool, error) {
	loaded := false
	err := s.InTx(ctx, Actor, func(ctx context.Context) error {
		if err := s.Lock(ctx, "demo seed"); err != nil {
			return err
		}
		present, err := Loaded(ctx, s)
		if err != nil || present {
			return err
		}
		loaded = true
		d := &seeder{ctx: ctx, s: s, loc: loc}
		if err := d.run(); err != nil {
			return err
		}
		return d.incident2019()
	})
	return loaded, err
}

// seeder keeps the first error, so the data read as a list of facts.
type seeder struct {
	ctx context.Context
	s   *store.Store
	loc *time.Location
	err error
}

func (d *seeder) at(s string) time.Time {
	t, err := registry.ParseInstant("demo", s, d.loc)
	if err != nil {
		panic(err) // the demo's own dates are constants
	}
	return t
}

func (d *seeder) ptr(s string) *time.Time { t := d.at(s); return &t }

func date(s string) *time.Time {
	t, err := registry.ParseDate("demo", s)
	if err != nil {
		panic(err)
	}
	return &t
}

func str(s string) *string { return &s }

func (d *seeder) region(county string) registry.Organisation {
	if d.err != nil {
		return registry.Organisation{}
	}
	k := "region"
	rows, _, err := d.s.ListOrganisations(d.ctx, registry.OrganisationFilter{Kind: &k}, registry.Page{First: 100})
	if err != nil {
		d.err = err
		return registry.Organisation{}
	}
	for _, o := range rows {
		if o.CountyCode != nil && *o.CountyCode == county {
			return o
		}
	}
	d.err = fmt.Errorf("demo: no region with county code %s; run the migrations first", county)
	return registry.Organisation{}
}

func do[T any](d *seeder, fn func(context.Context, string, *T) (T, error), v T) T {
	if d.err != nil {
		return v
	}
	out, err := fn(d.ctx, Actor, &v)
	if err != nil {
		d.err = fmt.Errorf("demo: %T: %w", v, err)
	}
	return out
}

func (d *seeder) run() error {
	s := d.s
	stockholm, sormland, varmland := d.region("01"), d.region("04"), d.region("17")
	regions := []registry.Organisation{stockholm, sormland, varmland}

	inera := do(d, s.CreateOrganisation, registry.Organisation{LegalName: "Inera AB", Country: "SE", Kind: "company"})
	medhelp := do(d, s.CreateOrganisation, registry.Organisation{LegalName: Marker, Country: "SE", Kind: "company"})
	medicall := do(d, s.CreateOrganisation, registry.Organisation{LegalName: "Medicall Co., Ltd.", Country: "TH", Kind: "company",
		TimeZone: "Asia/Bangkok"})
	voice := do(d, s.CreateOrganisation, registry.Organisation{LegalName: "Voice Integrate Nordic AB", Country: "SE", Kind: "company"})

	// Systems.
	platform := do(d, s.CreateSystem, registry.System{Name: "1177 national telephony platform", Kind: "telephony",
		OperatorID: inera.ID, DataCategories: []string{"call routing", "call recordings (other regions)"},
		Description: str("Routes 1177 calls to each region's care provider; Inera's own recordings stay on the closed health network.")})
	princess := do(d, s.CreateSystem, registry.System{Name: "Princess", Kind: "records", OperatorID: medhelp.ID,
		DataCategories: []string{"patient records", "health data"}, Description: str("Medhelp's patient record system.")})
	biz := do(d, s.CreateSystem, registry.System{Name: "Biz 2.0", Kind: "recording", OperatorID: voice.ID, VendorID: &voice.ID,
		DataCategories: []string{"call recordings", "phone numbers", "health data"},
		Description:    str("Cloud call-centre system: telephony, queueing and call recording.")})
	nas := do(d, s.CreateSystem, registry.System{Name: "Recording storage server (NAS)", Kind: "storage", OperatorID: voice.ID,
		DataCategories: []string{"call recordings", "phone numbers in file names", "health data"},
		Description:    str("NAS under a sister company's domain where Biz 2.0 put the recordings; also held two other customers' calls.")})

	// Security facts and locations.
	do(d, s.SetSystemProfile, registry.SystemProfile{SystemID: platform.ID, Period: registry.Period{From: d.at("2013-01-01")},
		InternetExposed: registry.Fact(false), Authentication: str("smart_card"), TransportEncryption: registry.Fact(true),
		EncryptionAtRest: registry.Fact(true),
		Note:             str("Closed health network, encrypted, smart-card login.")})
	do(d, s.SetSystemProfile, registry.SystemProfile{SystemID: nas.ID,
		Period:          registry.Period{From: d.at("2016-01-01"), To: d.ptr("2019-02-18")},
		InternetExposed: registry.Fact(true), Authentication: str("none"), TransportEncryption: registry.Fact(false),
		EncryptionAtRest: registry.Fact(false),
		Note: str("Plain HTTP, Apache 2.4.7, no password; about 2.7 million recordings from 2013 on; " +
			"reachable since at least early 2016; closed on 18 February 2019. No retention period was recorded.")})
	for _, l := range []registry.SystemLocation{
		{SystemID: platform.ID, Country: "SE", Purpose: "storage", Period: registry.Period{From: d.at("2013-01-01")}},
		{SystemID: princess.ID, Country: "SE", Purpose: "storage", Period: registry.Period{From: d.at("2013-01-01")}},
		{SystemID: princess.ID, Country: "SE", Purpose: "access", Period: registry.Period{From: d.at("2013-01-01")}},
		{SystemID: princess.ID, Country: "TH", Purpose: "access", Period: registry.Period{From: d.at("2013-01-01"), To: d.ptr("2019-09-01")}},
		{SystemID: biz.ID, Country: "SE", Purpose: "storage", Period: registry.Period{From: d.at("2013-01-01")}},
		{SystemID: biz.ID, Country: "SE", Purpose: "access", Period: registry.Period{From: d.at("2013-01-01")}},
		{SystemID: biz.ID, Country: "TH", Purpose: "access", Period: registry.Period{From: d.at("2013-01-01"), To: d.ptr("2019-09-01")}},
		{SystemID: nas.ID, Country: "SE", Purpose: "storage", Period: registry.Period{From: d.at("2016-01-01")}},
	} {
		do(d, s.AddSystemLocation, l)
	}

	// The chain. Start dates are approximate: the public record says the
	// recordings go back to 2013.
	since := registry.Period{From: d.at("2013-01-01")}
	medicallPeriod := registry.Period{From: d.at("2013-01-01"), To: d.ptr("2019-09-01")}
	var medhelpLinks []registry.Link
	for _, r := range regions {
		toInera := do(d, s.CreateLink, registry.Link{FromID: r.ID, ToID: inera.ID, Role: "processor", Period: since,
			AgreementRef:   str("Inera 1177 platform agreement (demo reference)"),
			Purpose:        "1177 national platform: routes the region's calls to its contracted care provider",
			DataCategories: []string{"call routing", "phone numbers"}})
		do(d, s.CreateSystemUse, registry.SystemUse{LinkID: toInera.ID, SystemID: platform.ID, PartyID: inera.ID,
			Purpose: str("Routes the call to Medhelp"), Period: since})
		toMedhelp := do(d, s.CreateLink, registry.Link{FromID: r.ID, ToID: medhelp.ID,
			Role: "independent_controller", Period: since, HealthData: true,
			Purpose:        "Answers the region's 1177 health advice calls as care provider",
			DataCategories: []string{"call recordings", "patient records", "phone numbers", "health data"}})
		do(d, s.CreateSystemUse, registry.SystemUse{LinkID: toMedhelp.ID, SystemID: princess.ID, PartyID: medhelp.ID,
			Purpose: str("Nurses document the call in the patient record"), Period: since})
		medhelpLinks = append(medhelpLinks, toMedhelp)
	}
	toMedicall := do(d, s.CreateLink, registry.Link{FromID: medhelp.ID, ToID: medicall.ID, Role: "processor",
		Period: medicallPeriod, HealthData: true, TransferMechanism: "none",
		Purpose:        "Answers Medhelp's 1177 calls at nights and weekends with Swedish-licensed nurses working in Princess",
		DataCategories: []string{"call recordings", "patient records", "health data"},
		RoutingNote:    str("Nights and weekends, about 20% of Medhelp's calls; hours approximate."),
		RoutingWindows: registry.Windows{
			// Every night, so Sunday night into Monday morning counts too.
			{Days: []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, Start: "21:00", End: "07:00"},
			{Days: []string{"sat", "sun"}, Start: "00:00", End: "24:00"},
		}})
	toVoice := do(d, s.CreateLink, registry.Link{FromID: medhelp.ID, ToID: voice.ID, Role: "processor", Period: since,
		HealthData: true, Purpose: "Cloud call-centre system Biz 2.0: telephony and call recording",
		DataCategories: []string{"call recordings", "phone numbers", "health data"}})
	medicallVoice := do(d, s.CreateLink, registry.Link{FromID: medicall.ID, ToID: voice.ID, Role: "sub_processor",
		Period: medicallPeriod, HealthData: true, Purpose: "Biz 2.0 for the calls Medicall answers, contracted by Medicall directly",
		DataCategories: []string{"call recordings", "phone numbers", "health data"}})

	do(d, s.RecordRoleFinding, registry.RoleFinding{LinkID: toMedicall.ID, Role: "recipient", Authority: "IMY (Swedish data protection authority)",
		DecidedOn: *date("2021-06-07"), Reference: str("IMY decision on Medhelp AB, 7 June 2021"),
		Note: str("Unlawful disclosure of patient data to the Thai company, May 2018 to August 2019; courts later saw the role differently.")})
	for _, r := range medhelpLinks {
		do(d, s.RecordRoleFinding, registry.RoleFinding{LinkID: r.ID, Role: "independent_controller", Authority: "IMY (Swedish data protection authority)",
			DecidedOn: *date("2021-06-07"), Reference: str("IMY decision on Medhelp AB, 7 June 2021"),
			Note: str("Medhelp is care provider and controller for the calls it answers.")})
	}

	// Region Stockholm's contract required delivery from Sweden from 11
	// September 2020.
	do(d, s.SetLocationPolicy, registry.LocationPolicy{ControllerID: stockholm.ID, Policy: "country", Country: str("SE"),
		Reference: str("Region Stockholm 1177 contract: delivery from Sweden"), Period: registry.Period{From: d.at("2020-09-11")}})

	// Who used which system on which link.
	do(d, s.CreateSystemUse, registry.SystemUse{LinkID: toMedicall.ID, SystemID: princess.ID, PartyID: medicall.ID,
		Purpose: str("Nurses in Thailand work directly in Princess"), Period: medicallPeriod})
	do(d, s.CreateSystemUse, registry.SystemUse{LinkID: toVoice.ID, SystemID: biz.ID, PartyID: voice.ID,
		Purpose: str("Telephony and recording of Medhelp's calls"), Period: since})
	do(d, s.CreateSystemUse, registry.SystemUse{LinkID: toVoice.ID, SystemID: nas.ID, PartyID: voice.ID,
		Purpose: str("Storage of Biz 2.0 recordings"), Period: registry.Period{From: d.at("2016-01-01")}})
	do(d, s.CreateSystemUse, registry.SystemUse{LinkID: medicallVoice.ID, SystemID: biz.ID, PartyID: voice.ID,
		Purpose: str("Telephony and recording of the calls Medicall answers"), Period: medicallPeriod})
	do(d, s.RecordDataMove, registry.DataMove{FromSystemID: biz.ID, ToSystemID: nas.ID, MovedAt: d.at("2016-01-01"),
		Note: str("Recordings made since 2013 were put on the storage server when it was set up.")})
	d.basis(regions, medhelpLinks, medhelp, toMedicall, toVoice)
	d.posture(biz)
	d.hygiene(nas)
	return d.err
}

// basis records the legal bases of the disclosures and the controllers' own
// duties (GDPR Art. 13 and 30): what the public record says, and where it
// says nothing, assumptions marked as such in each note.
func (d *seeder) basis(regions []registry.Organisation, medhelpLinks []registry.Link, medhelp registry.Organisation, toMedicall, toVoice registry.Link) {
	s := d.s
	for _, l := range medhelpLinks {
		do(d, s.SetDisclosureBasis, registry.DisclosureBasis{LinkID: l.ID, Basis: "statute", Period: registry.Period{From: l.From},
			Reference: str("Hälso- och sjukvårdslagen (2017:30) and earlier law; the region's 1177 care agreement with Medhelp"),
			Note: str("Assumption: the regions had Medhelp give care on their behalf under health-care law and their care agreement; " +
				"kedja's sources record no finding against this disclosure.")})
	}
	do(d, s.SetDisclosureBasis, registry.DisclosureBasis{LinkID: toMedicall.ID, Basis: "none", Period: toMedicall.Period,
		Authority: str("IMY (2021); Kammarrätten i Stockholm (2024)"),
		Reference: str("IMY decision on Medhelp AB, 7 June 2021; Kammarrätten i Stockholm 2024"),
		Note: str("Public record: IMY found Medhelp's disclosure of patient data to the Thai company unlawful from May 2018 to August 2019, " +
			"and the appeal court held that Swedish health-care law gives no basis to hand patient data to a care provider in a third country. " +
			"Assumption: the years before May 2018 are recorded the same, the law the court read being the same.")})

	fines := map[string]string{"01": "SEK 500,000", "04": "SEK 250,000", "17": "SEK 250,000"}
	for _, r := range regions {
		do(d, s.SetCallerNotice, registry.CallerNotice{ControllerID: r.ID, Period: registry.Period{From: d.at("2013-01-01")},
			Reference: str("1177 information to callers (demo reference)"),
			Note: str("Public record: IMY (7 June 2021) found that the region had not given callers to 1177 the information Art. 13 requires " +
				"and fined it " + fines[deref(r.CountyCode)] + ". Assumption: the notice's wording is not in kedja's sources; it is recorded as " +
				"mentioning neither the recording, the recipients, the transfer to Thailand nor how long calls are kept.")})
	}

	do(d, s.SetProcessingRecord, registry.ProcessingRecord{PartyID: medhelp.ID, Period: registry.Period{From: d.at("2018-05-25")},
		NamedPartyIDs: []int64{toVoice.ToID},
		Reference:     str("Medhelp record of processing (demo reference)"),
		Note: str("Assumption: the public record does not show Medhelp's record of processing; it is recorded as naming Voice Integrate " +
			"but neither Medicall nor the transfer to Thailand, to show the check.")})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// posture records how the systems were reached and what is known of their
// backups (issue 13). The storage server's exposure (plain HTTP, no
// password, Apache 2.4.7, a release line long out of support) is in its
// profile above, which the exposure check judges; an access path saying
// the same would raise it a second time. No backup of it appears in the
// public record, so none is recorded: its backup is not established.
func (d *seeder) posture(biz registry.System) {
	s := d.s
	do(d, s.AddAccessPath, registry.AccessPath{SystemID: biz.ID, Audience: "customer_users", Origin: "internet",
		Authentication: str("password"), Period: registry.Period{From: d.at("2013-01-01")},
		Note: str("Assumption: the public record says Medhelp's and Medicall's staff used the cloud service Biz 2.0 over the internet; " +
			"a password login is assumed, since no multi-factor authentication is reported.")})
}

// hygiene records what the public record says of the storage server's
// software, file names and other tenants (issue 13). No vulnerability scan
// of any system appears in it, so none is recorded: the scan check says so.
func (d *seeder) hygiene(nas registry.System) {
	s := d.s
	closed := registry.Period{From: d.at("2016-01-01"), To: d.ptr("2019-02-18")}
	do(d, s.AddSoftwareComponent, registry.SoftwareComponent{SystemID: nas.ID, Product: "Apache httpd", Version: str("2.4.7"),
		EndOfSupport: date("2014-03-17"), Period: closed,
		Note: str("Public record: the server answered with an old Apache 2.4.7 over plain HTTP. Assumption: Apache supports only the " +
			"latest 2.4 release, and 2.4.9 replaced 2.4.7 on 17 March 2014, so that is recorded as its end of support.")})
	do(d, s.SetNameIdentifiers, registry.NameIdentifiers{SystemID: nas.ID, PhoneNumbers: registry.Fact(true), Period: closed,
		Note: str("Public record: older file names contained the caller's phone number (about 57,000 numbers). Whether personal " +
			"identity numbers appeared is not in kedja's sources: not established.")})
	do(d, s.SetSystemTenancy, registry.SystemTenancy{SystemID: nas.ID, SharedWithOthers: registry.Fact(true), Period: closed,
		Note: str("Public record: the server also held two other customers' calls, one of which had never ordered recording. " +
			"Whether their recordings were segmented from Medhelp's is not in kedja's sources: not established.")})
}
