package server_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
)

// Whether an attestation counts at an instant is one rule
// (kedja_attestation_status): its status and the attestations listed as of
// that instant agree, at every edge of its dates. Legal dates are calendar
// days in the registry's zone: valid all of its last day.
func TestAttestationStatusAgreesWithTheListAsOf(t *testing.T) {
	h := newHarness(t, false)
	ctx := context.Background()
	org, err := h.store.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Attested AB", Country: "SE", Kind: "company"})
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) *time.Time {
		d, _ := time.Parse("2006-01-02", s)
		return &d
	}
	expiring, err := h.store.CreateAttestation(ctx, "t", &registry.Attestation{OrgID: &org.ID, Kind: "iso27001", Issuer: "C",
		IssuedOn: *day("2018-01-01"), ValidUntil: day("2019-12-31")})
	if err != nil {
		t.Fatal(err)
	}
	withdrawn, err := h.store.CreateAttestation(ctx, "t", &registry.Attestation{OrgID: &org.ID, Kind: "soc2_type2", Issuer: "C",
		IssuedOn: *day("2018-01-01")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.WithdrawAttestation(ctx, "t", withdrawn.ID, time.Date(2019, 6, 1, 12, 0, 0, 0, stockholm)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, at                    string
		wantExpiring, wantWithdrawn string
	}{
		{"DayBeforeIssue", "2017-12-31T23:59", "NOT_YET_VALID", "NOT_YET_VALID"},
		{"IssueDay", "2018-01-01T00:00", "VALID", "VALID"},
		{"JustBeforeWithdrawal", "2019-06-01T11:59", "VALID", "VALID"},
		{"AtWithdrawal", "2019-06-01T12:00", "VALID", "WITHDRAWN"},
		{"LastMinuteOfLastDay", "2019-12-31T23:59", "VALID", "WITHDRAWN"},
		{"DayAfterLastDay", "2020-01-01T00:00", "EXPIRED", "WITHDRAWN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct {
				Organisation struct {
					Attestations []struct {
						ID     string
						Status string
					}
					All []struct {
						ID     string
						Status string
					}
				}
			}
			h.with(t).data(`query($o: ID!, $at: Instant) { organisation(id: $o) {
				attestations(at: $at) { id status(at: $at) }
				all: attestations { id status(at: $at) } } }`,
				map[string]any{"o": fmt.Sprint(org.ID), "at": tt.at}, &got)
			status := map[string]string{}
			for _, a := range got.Organisation.All {
				status[a.ID] = a.Status
			}
			if status[fmt.Sprint(expiring.ID)] != tt.wantExpiring || status[fmt.Sprint(withdrawn.ID)] != tt.wantWithdrawn {
				t.Errorf("statuses %v, want expiring %s and withdrawn %s", status, tt.wantExpiring, tt.wantWithdrawn)
			}
			var listed []string
			for _, a := range got.Organisation.Attestations {
				listed = append(listed, a.ID)
			}
			for id, s := range status {
				if (s == "VALID") != slices.Contains(listed, id) {
					t.Errorf("attestation %s is %s but listed as of then: %v", id, s, slices.Contains(listed, id))
				}
			}
		})
	}
}

// The list hides withdrawn attestations by default by the same rule as
// status: one whose withdrawal is still to come counts until then.
func TestAttestationListHidesOnlyWhatIsWithdrawn(t *testing.T) {
	h := newHarness(t, false)
	ctx := context.Background()
	org, err := h.store.CreateOrganisation(ctx, "t", &registry.Organisation{LegalName: "Listed AB", Country: "SE", Kind: "company"})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for name, at := range map[string]time.Time{"past": time.Now().Add(-time.Hour), "future": time.Now().Add(24 * time.Hour)} {
		a, err := h.store.CreateAttestation(ctx, "t", &registry.Attestation{OrgID: &org.ID, Kind: "iso27001", Issuer: name,
			IssuedOn: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.store.WithdrawAttestation(ctx, "t", a.ID, at); err != nil {
			t.Fatal(err)
		}
		ids[name] = fmt.Sprint(a.ID)
	}
	tests := []struct {
		name             string
		includeWithdrawn bool
		want             []string
	}{
		{"Default", false, []string{ids["future"]}},
		{"IncludeWithdrawn", true, []string{ids["past"], ids["future"]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct {
				Attestations struct{ Nodes []struct{ ID string } }
			}
			h.with(t).data(`query($o: ID, $w: Boolean) { attestations(filter: {orgId: $o, includeWithdrawn: $w}) { nodes { id } } }`,
				map[string]any{"o": fmt.Sprint(org.ID), "w": tt.includeWithdrawn}, &got)
			var listed []string
			for _, n := range got.Attestations.Nodes {
				listed = append(listed, n.ID)
			}
			slices.Sort(listed)
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(listed, want) {
				t.Errorf("listed %v, want %v", listed, want)
			}
		})
	}
}

// The kinds health buyers ask for are accepted through the API with whether
// they are self-assessed, and a health-sector self-assessment is recorded as
// self-assessed whatever the input said; an unknown kind is refused before
// anything runs.
func TestAttestationKindsAndSelfAssessment(t *testing.T) {
	h := newHarness(t, false)
	org, err := h.store.CreateOrganisation(context.Background(), "t", &registry.Organisation{LegalName: "Cloud AB", Country: "SE", Kind: "company"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, kind, self string
		want             bool
	}{
		{"CertifiedCloudAttestation", "BSI_C5", "false", false},
		{"SelfAssessedCSAStar", "CSA_STAR", "true", true},
		{"HealthSectorSelfAssessment", "HEALTH_SELF_ASSESSMENT", "false", true},
		{"ISO27701", "ISO27701", "false", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct {
				CreateAttestation struct {
					Kind         string
					SelfAssessed bool
				}
			}
			h.with(t).data(fmt.Sprintf(`mutation($o: ID!) { createAttestation(input: {orgId: $o, kind: %s, issuer: "C", issuedOn: "2024-01-01",
				selfAssessed: %s}) { kind selfAssessed } }`, tt.kind, tt.self), map[string]any{"o": fmt.Sprint(org.ID)}, &got)
			if got.CreateAttestation.Kind != tt.kind || got.CreateAttestation.SelfAssessed != tt.want {
				t.Errorf("got %+v, want %s self-assessed %v", got.CreateAttestation, tt.kind, tt.want)
			}
		})
	}
	r := h.post(`mutation($o: ID!) { createAttestation(input: {orgId: $o, kind: ISO99999, issuer: "C", issuedOn: "2024-01-01"}) { id } }`,
		map[string]any{"o": fmt.Sprint(org.ID)})
	if r.code() != "GRAPHQL_VALIDATION_FAILED" {
		t.Errorf("an unknown kind: %s %+v", r.code(), r.Errors)
	}
}
