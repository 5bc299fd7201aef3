package store_test

import (
	"context"
	"testing"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store/storetest"
)

// privileged_clearance, case by case: a privileged path of vendor support
// or customers' users into a system holding health data raises when their
// clearance is not established (medium), or when the system is accessed
// from outside the EEA without their clearance recorded as given (high);
// cleared staff, ordinary access, the operator's own staff, a system that
// holds no health data and a recorded "no" at home raise nothing.
func TestPrivilegedClearanceCheck(t *testing.T) {
	s := storetest.Store(t)
	ctx := context.Background()
	yes, no := registry.Fact(true), registry.Fact(false)
	tests := []struct {
		name       string
		kind       string // of the system; health data unless health is false
		health     bool
		audience   string
		privileged bool
		cleared    *bool
		abroad     string // an access location outside the EEA, or ""
		want       string
		wantSince  string
	}{
		{"VendorSupportClearanceUnknown", "records", true, "vendor_support", true, nil, "", "medium", "2016-03-01T00:00"},
		{"CustomersStaffClearanceUnknown", "records", true, "customer_users", true, nil, "", "medium", "2016-03-01T00:00"},
		{"VendorSupportCleared", "records", true, "vendor_support", true, yes, "", "", ""},
		{"NotClearedAtHomeIsTheControllersAccount", "records", true, "vendor_support", true, no, "", "", ""},
		{"AbroadNotCleared", "records", true, "vendor_support", true, no, "TH", "high", "2017-06-01T00:00"},
		{"AbroadClearanceUnknown", "records", true, "customer_users", true, nil, "TH", "high", "2017-06-01T00:00"},
		{"AbroadCleared", "records", true, "vendor_support", true, yes, "TH", "", ""},
		{"AccessedFromNorwayIsInTheEEA", "records", true, "vendor_support", true, no, "NO", "", ""},
		{"OrdinaryAccess", "records", true, "vendor_support", false, nil, "TH", "", ""},
		{"OwnStaffNotJudged", "records", true, "own_staff", true, nil, "TH", "", ""},
		{"NoHealthData", "telephony", false, "vendor_support", true, nil, "TH", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScenario(t, s, "SE", "company", func(l *registry.Link) { l.HealthData = tt.health })
			sys := sc.system("Records", tt.kind, nil)
			if _, err := s.AddAccessPath(ctx, "t", &registry.AccessPath{SystemID: sys.ID, Audience: tt.audience, Origin: "vpn",
				Authentication: ptr("mfa"), Privileged: tt.privileged, StaffCleared: tt.cleared, HeadCount: ptr(int32(4)),
				Period: registry.Period{From: at("2016-03-01T00:00")}}); err != nil {
				t.Fatal(err)
			}
			if tt.abroad != "" {
				if _, err := s.AddSystemLocation(ctx, "t", &registry.SystemLocation{SystemID: sys.ID, Country: tt.abroad, Purpose: "access",
					Period: registry.Period{From: at("2017-06-01T00:00")}}); err != nil {
					t.Fatal(err)
				}
			}
			got := sc.systemFindings(sys, "2019-02-01T12:00", "privileged_clearance")["privileged_clearance"]
			if got != tt.want {
				t.Fatalf("privileged_clearance: got %q, want %q", got, tt.want)
			}
			if tt.want == "" {
				return
			}
			var sinceAt, message string
			if err := s.DB().QueryRow(`SELECT CAST(since AS text), message FROM findings WHERE check_id = 'privileged_clearance'
				AND subject_id = $1 AND status = 'open'`, sys.ID).Scan(&sinceAt, &message); err != nil {
				t.Fatal(err)
			}
			var want string
			if err := s.DB().QueryRow(`SELECT CAST(CAST($1 AS timestamptz) AS text)`, at(tt.wantSince)).Scan(&want); err != nil {
				t.Fatal(err)
			}
			if sinceAt != want {
				t.Errorf("since %s, want %s", sinceAt, want)
			}
			t.Log(message)
		})
	}
}
