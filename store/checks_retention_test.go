package store_test

import (
	"context"
	"testing"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store/storetest"
)

// The law's minimum retention, by the controller's country and the kind of
// system: Swedish patient records at least ten years (retention_minimums).
func TestRetentionMinimumCheck(t *testing.T) {
	s := storetest.Store(t)
	tests := []struct {
		name, controllerIn, kind string
		retention                *int32 // nil: none recorded
		want                     string
	}{
		{"SwedishRecordsForOneYear", "SE", "records", ptr(int32(365)), "medium"},
		{"SwedishRecordsForTenYears", "SE", "records", ptr(int32(3650)), ""},
		{"SwedishRecordsWithNoRetentionAreTheRetentionChecks", "SE", "records", nil, ""},
		{"SwedishRecordingsHaveNoMinimum", "SE", "recording", ptr(int32(30)), ""},
		{"NoMinimumRecordedForFinland", "FI", "records", ptr(int32(365)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScenario(t, s, "SE", "company", nil)
			if tt.controllerIn != "SE" {
				if _, err := s.UpdateOrganisation(context.Background(), "t", sc.controller.ID, func(o *registry.Organisation) error {
					o.Country = tt.controllerIn
					return nil
				}); err != nil {
					t.Fatal(err)
				}
			}
			sys := sc.system("Records", tt.kind, &registry.SystemProfile{RetentionDays: tt.retention})
			if got := sc.systemFindings(sys, "2019-02-01T12:00", "retention_minimum")["retention_minimum"]; got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
