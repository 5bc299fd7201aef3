package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// chain is a controller (a Swedish region) with a provider and the
// provider's subcontractor, to run the checks of legal basis and of the
// controllers' duties against.
type chain struct {
	t                  *testing.T
	s                  *store.Store
	ctl, provider, sub registry.Organisation
	toProvider, toSub  registry.Link
	recorder           registry.System
}

type chainSpec struct {
	providerCountry, providerRole string
	subCountry, subRole           string // subCountry "": no subcontractor
	health                        bool
	recording                     bool // the subcontractor records the calls
}

func newChain(t *testing.T, s *store.Store, sp chainSpec) chain {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	c := chain{t: t, s: s}
	var err error
	c.ctl, err = s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Region " + t.Name(), Country: "SE", Kind: "public_body"})
	must(err)
	c.provider, err = s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Provider " + t.Name(), Country: sp.providerCountry, Kind: "company"})
	must(err)
	c.toProvider, err = s.CreateLink(ctx, "t", &registry.Link{FromID: c.ctl.ID, ToID: c.provider.ID, Role: sp.providerRole, Purpose: "calls",
		HealthData: sp.health, AgreementRef: ptr("A-1"), Period: registry.Period{From: at("2015-01-01T00:00")}})
	must(err)
	if sp.subCountry == "" {
		return c
	}
	c.sub, err = s.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Sub " + t.Name(), Country: sp.subCountry, Kind: "company"})
	must(err)
	c.toSub, err = s.CreateLink(ctx, "t", &registry.Link{FromID: c.provider.ID, ToID: c.sub.ID, Role: sp.subRole, Purpose: "calls",
		HealthData: sp.health, AgreementRef: ptr("A-2"), Period: registry.Period{From: at("2015-01-01T00:00")}})
	must(err)
	if sp.recording {
		c.recorder, err = s.CreateSystem(ctx, "t", &registry.System{Name: "Recorder " + t.Name(), Kind: "recording", OperatorID: c.sub.ID})
		must(err)
		_, err = s.CreateSystemUse(ctx, "t", &registry.SystemUse{LinkID: c.toSub.ID, SystemID: c.recorder.ID, PartyID: c.sub.ID,
			Period: registry.Period{From: at("2015-01-01T00:00")}})
		must(err)
	}
	return c
}

// run runs one check at instant and returns its open findings' severity
// by "kind:subject id", for the chain's region.
func (c chain) run(instant, check string) map[string]string {
	c.t.Helper()
	if _, err := c.s.RunChecks(context.Background(), registry.RunOptions{At: at(instant), Checks: []string{check}, Trigger: "api", Actor: "t"}); err != nil {
		c.t.Fatal(err)
	}
	rows, err := c.s.DB().Query(`SELECT subject_kind, subject_id, severity FROM findings f
		WHERE status = 'open' AND check_id = $1
		  AND EXISTS (SELECT 1 FROM finding_controllers fc WHERE fc.finding_id = f.id AND fc.controller_id = $2)`, check, c.ctl.ID)
	if err != nil {
		c.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var kind, sev string
		var id int64
		if err := rows.Scan(&kind, &id, &sev); err != nil {
			c.t.Fatal(err)
		}
		out[fmt.Sprintf("%s:%d", kind, id)] = sev
	}
	return out
}

func party(id int64) string { return fmt.Sprintf("party:%d", id) }
func link(id int64) string  { return fmt.Sprintf("link:%d", id) }

func TestDisclosureBasisCheck(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	tests := []struct {
		name             string
		country, role    string
		health           bool
		basis, authority string // basis "": none recorded
		found            string // role an authority found, "" none
		want             string // severity of the finding on the provider, "" none
	}{
		{"ProcessorNeedsNoOtherBasis", "TH", "processor", true, "", "", "", ""},
		{"ControllerInSwedenWithoutBasis", "SE", "independent_controller", true, "", "", "", "high"},
		{"ControllerInSwedenUnderStatute", "SE", "independent_controller", true, "statute", "", "", ""},
		{"RecipientBasisUnknown", "FI", "recipient", false, "unknown", "", "", "high"},
		{"CareProviderInFinlandUnderStatute", "FI", "independent_controller", true, "statute", "", "", ""},
		// Kammarrätten 2024: no basis whatever the transfer tool or statute.
		{"CareProviderInThailandUnderStatute", "TH", "independent_controller", true, "statute", "", "", "critical"},
		{"CareProviderInThailandWithConsent", "TH", "independent_controller", true, "consent", "", "", ""},
		{"NonHealthToThailandUnderStatute", "TH", "recipient", false, "statute", "", "", ""},
		{"ProcessorFoundRecipientInThailand", "TH", "processor", true, "", "", "recipient", "critical"},
		{"ProcessorFoundRecipientInSweden", "SE", "processor", true, "", "", "recipient", "high"},
		{"RecipientFoundToHoldNoRole", "TH", "recipient", true, "", "", "none", ""},
		{"ProcessorBasisFoundNone", "SE", "processor", false, "none", "IMY", "", "high"},
		{"ProcessorInThailandBasisNone", "TH", "processor", true, "none", "", "", "critical"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChain(t, s, chainSpec{providerCountry: tt.country, providerRole: tt.role, health: tt.health})
			if tt.basis != "" {
				b := registry.DisclosureBasis{LinkID: c.toProvider.ID, Basis: tt.basis, Reference: ptr("HSL 2017:30"),
					Period: registry.Period{From: at("2015-01-01T00:00")}}
				if tt.authority != "" {
					b.Authority = &tt.authority
				}
				if _, err := s.SetDisclosureBasis(ctx, "t", &b); err != nil {
					t.Fatal(err)
				}
			}
			if tt.found != "" {
				if _, err := s.RecordRoleFinding(ctx, "t", &registry.RoleFinding{LinkID: c.toProvider.ID, Role: tt.found,
					Authority: "IMY", DecidedOn: date("2021-06-07")}); err != nil {
					t.Fatal(err)
				}
			}
			if got := c.run("2019-02-01T12:00", "disclosure_basis")[party(c.provider.ID)]; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}

	// A basis ended before the instant no longer counts; the finding the
	// link then raises resolves when a new one is set.
	t.Run("BasisEndedThenReplaced", func(t *testing.T) {
		c := newChain(t, s, chainSpec{providerCountry: "SE", providerRole: "independent_controller", health: true})
		b, err := s.SetDisclosureBasis(ctx, "t", &registry.DisclosureBasis{LinkID: c.toProvider.ID, Basis: "statute",
			Reference: ptr("HSL"), Period: registry.Period{From: at("2015-01-01T00:00")}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.EndDisclosureBasis(ctx, "t", b.ID, at("2018-01-01T00:00")); err != nil {
			t.Fatal(err)
		}
		if got := c.run("2019-02-01T12:00", "disclosure_basis")[party(c.provider.ID)]; got != "high" {
			t.Errorf("after the basis ended: %q, want high", got)
		}
		if _, err := s.SetDisclosureBasis(ctx, "t", &registry.DisclosureBasis{LinkID: c.toProvider.ID, Basis: "consent",
			Period: registry.Period{From: at("2018-06-01T00:00")}}); err != nil {
			t.Fatal(err)
		}
		if got := c.run("2019-02-01T12:00", "disclosure_basis")[party(c.provider.ID)]; got != "" {
			t.Errorf("after a new basis: %q, want none", got)
		}
	})
}

func TestAuthorisationCheckNeedsTheControllersApproval(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	tests := []struct {
		name         string
		providerRole string
		subRole      string
		approve      string // "link": the link's own authorisation names the region; "other": it names someone else; "approval": an approval row; "ended": one ended before the instant
		wantProvider string // severity on the region's link to the provider
		wantSubLink  string // severity on the provider's link to its subcontractor
	}{
		{"ProcessorEngagesProcessorUnapproved", "processor", "processor", "", "", "high"},
		{"CareProviderEngagesSubcontractorUnapproved", "independent_controller", "processor", "", "", "high"},
		{"SubProcessorAuthorisedOnTheLink", "processor", "sub_processor", "link", "", ""},
		{"AuthorisedBySomeoneElse", "processor", "sub_processor", "other", "", "high"},
		{"ApprovedByTheRegion", "independent_controller", "processor", "approval", "", ""},
		{"ApprovalWithdrawnBefore", "independent_controller", "processor", "ended", "", "high"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChain(t, s, chainSpec{providerCountry: "SE", providerRole: tt.providerRole, subCountry: "SE", subRole: tt.subRole, health: true})
			switch tt.approve {
			case "link", "other":
				by := c.ctl.ID
				if tt.approve == "other" {
					by = c.provider.ID
				}
				if _, err := s.UpdateLink(ctx, "t", c.toSub.ID, func(l *registry.Link) error {
					l.Authorisation, l.AuthorisingControllerID = "general", &by
					return nil
				}); err != nil {
					t.Fatal(err)
				}
			case "approval", "ended":
				a, err := s.CreateApproval(ctx, "t", &registry.SubcontractorApproval{ControllerID: c.ctl.ID, LinkID: c.toSub.ID, Kind: "specific",
					Period: registry.Period{From: at("2015-01-01T00:00")}})
				if err != nil {
					t.Fatal(err)
				}
				if tt.approve == "ended" {
					if _, err := s.EndApproval(ctx, "t", a.ID, at("2018-01-01T00:00")); err != nil {
						t.Fatal(err)
					}
				}
			}
			got := c.run("2019-02-01T12:00", "authorisation")
			if got[link(c.toProvider.ID)] != tt.wantProvider || got[link(c.toSub.ID)] != tt.wantSubLink {
				t.Errorf("got %v; want the provider's link %q, the subcontractor's %q", got, tt.wantProvider, tt.wantSubLink)
			}
		})
	}
}

func TestNoticeGapCheck(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	all := registry.CallerNotice{MentionsRecording: true, MentionsRecipients: true, MentionsTransfers: true, MentionsRetention: true}
	tests := []struct {
		name      string
		spec      chainSpec
		notice    *registry.CallerNotice
		noticeEnd string // the notice ends then
		want      string
	}{
		{"NoNotice", chainSpec{providerCountry: "SE", providerRole: "processor"}, nil, "", "high"},
		{"NoticeSaysEverything", chainSpec{providerCountry: "SE", providerRole: "processor", subCountry: "TH", subRole: "sub_processor", health: true, recording: true}, &all, "", ""},
		{"NoticeEndedBefore", chainSpec{providerCountry: "SE", providerRole: "processor"}, &all, "2018-01-01T00:00", "high"},
		{"RecordingNotMentioned", chainSpec{providerCountry: "SE", providerRole: "processor", subCountry: "SE", subRole: "sub_processor", recording: true},
			&registry.CallerNotice{MentionsRecipients: true, MentionsTransfers: true, MentionsRetention: true}, "", "high"},
		{"RecordingNotMentionedButNothingRecorded", chainSpec{providerCountry: "SE", providerRole: "processor"},
			&registry.CallerNotice{MentionsRecipients: true}, "", ""},
		{"HealthTransferNotMentioned", chainSpec{providerCountry: "SE", providerRole: "processor", subCountry: "TH", subRole: "sub_processor", health: true},
			&registry.CallerNotice{MentionsRecipients: true}, "", "high"},
		{"OtherTransferNotMentioned", chainSpec{providerCountry: "SE", providerRole: "processor", subCountry: "TH", subRole: "sub_processor"},
			&registry.CallerNotice{MentionsRecipients: true}, "", "medium"},
		{"RecipientsNotMentioned", chainSpec{providerCountry: "SE", providerRole: "processor"}, &registry.CallerNotice{}, "", "medium"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChain(t, s, tt.spec)
			if tt.notice != nil {
				n := *tt.notice
				n.ControllerID, n.Period = c.ctl.ID, registry.Period{From: at("2014-01-01T00:00")}
				stored, err := s.SetCallerNotice(ctx, "t", &n)
				if err != nil {
					t.Fatal(err)
				}
				if tt.noticeEnd != "" {
					if _, err := s.EndCallerNotice(ctx, "t", stored.ID, at(tt.noticeEnd)); err != nil {
						t.Fatal(err)
					}
				}
			}
			if got := c.run("2019-02-01T12:00", "notice_gap")[party(c.ctl.ID)]; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRecordGapCheck(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	type names struct {
		provider, sub bool
		countries     []string
	}
	tests := []struct {
		name       string
		spec       chainSpec
		ctlRecord  *names // nil: no record
		provRecord *names
		want       string // severity on the region's own record
		wantProv   string // severity on the provider's record (a processor engaging others)
	}{
		{"NoRecords", chainSpec{providerCountry: "SE", providerRole: "processor", subCountry: "SE", subRole: "sub_processor"}, nil, nil, "medium", "medium"},
		{"Complete", chainSpec{providerCountry: "SE", providerRole: "processor", subCountry: "TH", subRole: "sub_processor", health: true},
			&names{true, true, []string{"TH"}}, &names{false, true, []string{"TH"}}, "", ""},
		{"SubcontractorNotNamed", chainSpec{providerCountry: "SE", providerRole: "processor", subCountry: "SE", subRole: "sub_processor"},
			&names{true, false, nil}, &names{false, true, nil}, "medium", ""},
		{"HealthTransferNotRecorded", chainSpec{providerCountry: "SE", providerRole: "processor", subCountry: "TH", subRole: "sub_processor", health: true},
			&names{true, true, nil}, &names{false, true, nil}, "high", "high"},
		{"OtherTransferNotRecorded", chainSpec{providerCountry: "SE", providerRole: "processor", subCountry: "TH", subRole: "sub_processor"},
			&names{true, true, nil}, &names{false, true, []string{"TH"}}, "medium", ""},
		// A controller's processor of its own engages nobody: its record is
		// not asked about.
		{"ProcessorEngagingNobody", chainSpec{providerCountry: "SE", providerRole: "processor"}, &names{true, false, nil}, nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newChain(t, s, tt.spec)
			record := func(owner int64, n *names) {
				if n == nil {
					return
				}
				r := registry.ProcessingRecord{PartyID: owner, TransferCountries: n.countries, Period: registry.Period{From: at("2015-01-01T00:00")}}
				if n.provider {
					r.NamedPartyIDs = append(r.NamedPartyIDs, c.provider.ID)
				}
				if n.sub {
					r.NamedPartyIDs = append(r.NamedPartyIDs, c.sub.ID)
				}
				if _, err := s.SetProcessingRecord(ctx, "t", &r); err != nil {
					t.Fatal(err)
				}
			}
			record(c.ctl.ID, tt.ctlRecord)
			record(c.provider.ID, tt.provRecord)
			got := c.run("2019-02-01T12:00", "record_gap")
			if got[party(c.ctl.ID)] != tt.want || got[party(c.provider.ID)] != tt.wantProv {
				t.Errorf("got %v; want the region's record %q, the provider's %q", got, tt.want, tt.wantProv)
			}
		})
	}
}

func TestBasisRecordsAreValidatedAndDated(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	c := newChain(t, s, chainSpec{providerCountry: "SE", providerRole: "processor"})
	from := registry.Period{From: at("2015-01-01T00:00")}
	tests := []struct {
		name, field string
		write       func() error
	}{
		{"StatuteNeedsReference", "reference", func() error {
			_, err := s.SetDisclosureBasis(ctx, "t", &registry.DisclosureBasis{LinkID: c.toProvider.ID, Basis: "statute", Period: from})
			return err
		}},
		{"UnknownBasisKind", "basis", func() error {
			_, err := s.SetDisclosureBasis(ctx, "t", &registry.DisclosureBasis{LinkID: c.toProvider.ID, Basis: "vibes", Period: from})
			return err
		}},
		{"NoSuchLink", "linkId", func() error {
			_, err := s.SetDisclosureBasis(ctx, "t", &registry.DisclosureBasis{LinkID: 1 << 40, Basis: "consent", Period: from})
			return err
		}},
		{"ApprovalKind", "kind", func() error {
			_, err := s.CreateApproval(ctx, "t", &registry.SubcontractorApproval{ControllerID: c.ctl.ID, LinkID: c.toProvider.ID, Kind: "maybe", Period: from})
			return err
		}},
		{"RecordNamesNoSuchParty", "namedPartyIds", func() error {
			_, err := s.SetProcessingRecord(ctx, "t", &registry.ProcessingRecord{PartyID: c.ctl.ID, NamedPartyIDs: []int64{1 << 40}, Period: from})
			return err
		}},
		{"RecordNamesNoSuchCountry", "transferCountries", func() error {
			_, err := s.SetProcessingRecord(ctx, "t", &registry.ProcessingRecord{PartyID: c.ctl.ID, TransferCountries: []string{"XX"}, Period: from})
			return err
		}},
		{"NoticeWithoutController", "controllerId", func() error {
			_, err := s.SetCallerNotice(ctx, "t", &registry.CallerNotice{Period: from})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if e := registry.AsError(tt.write()); e == nil || e.Field != tt.field {
				t.Errorf("got %v, want an error naming %s", e, tt.field)
			}
		})
	}

	// A new notice replaces the one in force from its start; both stay in
	// the history.
	first, err := s.SetCallerNotice(ctx, "t", &registry.CallerNotice{ControllerID: c.ctl.ID, Period: from})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetCallerNotice(ctx, "t", &registry.CallerNotice{ControllerID: c.ctl.ID, MentionsRecording: true,
		Period: registry.Period{From: at("2020-01-01T00:00")}}); err != nil {
		t.Fatal(err)
	}
	all, err := s.NoticesByController(ctx, []int64{c.ctl.ID}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ns := all[c.ctl.ID]
	if len(ns) != 2 || ns[0].ID != first.ID || ns[0].To == nil || !ns[0].To.Equal(at("2020-01-01T00:00")) || !ns[1].MentionsRecording {
		t.Errorf("notices %+v, want the first ended where the second starts", ns)
	}
	rec, err := s.SetProcessingRecord(ctx, "t", &registry.ProcessingRecord{PartyID: c.ctl.ID, NamedPartyIDs: []int64{c.provider.ID},
		TransferCountries: []string{"TH"}, Period: from})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.NamedPartyIDs) != 1 || rec.NamedPartyIDs[0] != c.provider.ID || len(rec.TransferCountries) != 1 || rec.TransferCountries[0] != "TH" {
		t.Errorf("record read back as %+v", rec)
	}
}
