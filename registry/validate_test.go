package registry

import (
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

var (
	jan = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	feb = time.Date(2019, 2, 1, 0, 0, 0, 0, time.UTC)
)

// validLink is a link that passes Validate; cases change one thing.
func validLink() Link {
	return Link{FromID: 1, ToID: 2, Role: "processor", Purpose: "answers calls", Period: Period{From: jan}}
}

func TestLinkValidate(t *testing.T) {
	tests := []struct {
		name      string
		change    func(*Link)
		wantField string // empty: valid
	}{
		{"Valid", func(*Link) {}, ""},
		{"ToSelf", func(l *Link) { l.ToID = l.FromID }, "toId"},
		{"MissingFrom", func(l *Link) { l.FromID = 0 }, "fromId"},
		{"UnknownRole", func(l *Link) { l.Role = "owner" }, "role"},
		{"BlankPurpose", func(l *Link) { l.Purpose = "   " }, "purpose"},
		{"PurposeTooLong", func(l *Link) { l.Purpose = strings.Repeat("x", MaxPurpose+1) }, "purpose"},
		{"PurposeAtLimit", func(l *Link) { l.Purpose = strings.Repeat("å", MaxPurpose) }, ""},
		{"NoStart", func(l *Link) { l.From = time.Time{} }, "validFrom"},
		{"EndsBeforeStart", func(l *Link) { l.From, l.To = feb, &jan }, "validTo"},
		{"EndsAtStart", func(l *Link) { l.To = &jan }, "validTo"},
		{"SCCWithoutModule", func(l *Link) { l.TransferMechanism = "scc" }, "sccModule"},
		{"SCCModuleFive", func(l *Link) { l.TransferMechanism = "scc"; l.SCCModule = ptr(int16(5)) }, "sccModule"},
		{"SCCModuleTwo", func(l *Link) { l.TransferMechanism = "scc"; l.SCCModule = ptr(int16(2)) }, ""},
		{"ModuleWithoutSCC", func(l *Link) { l.SCCModule = ptr(int16(2)) }, "sccModule"},
		{"AuthorisationWithoutController", func(l *Link) { l.Authorisation = "general" }, "authorisingControllerId"},
		{"BadRoutingZone", func(l *Link) { l.RoutingTimeZone = ptr("Mars/Olympus") }, "routingTimeZone"},
		{"ShareAboveOne", func(l *Link) { l.RoutingShare = ptr(1.2) }, "routingShare"},
		{"ShareZero", func(l *Link) { l.RoutingShare = ptr(0.0) }, "routingShare"},
		{"WindowBadDay", func(l *Link) {
			l.RoutingWindows = Windows{{Days: []string{"fri", "caturday"}, Start: "21:00", End: "07:00"}}
		}, "routingWindows.days"},
		{"WindowNoDays", func(l *Link) { l.RoutingWindows = Windows{{Start: "21:00", End: "07:00"}} }, "routingWindows.days"},
		{"WindowBadStart", func(l *Link) { l.RoutingWindows = Windows{{Days: []string{"sat"}, Start: "25:00", End: "07:00"}} }, "routingWindows.start"},
		{"WindowStartAt24", func(l *Link) { l.RoutingWindows = Windows{{Days: []string{"sat"}, Start: "24:00", End: "07:00"}} }, "routingWindows.start"},
		{"WindowBadEnd", func(l *Link) { l.RoutingWindows = Windows{{Days: []string{"sat"}, Start: "21:00", End: "7pm"}} }, "routingWindows.end"},
		{"WindowEmpty", func(l *Link) { l.RoutingWindows = Windows{{Days: []string{"sat"}, Start: "08:00", End: "08:00"}} }, "routingWindows.end"},
		{"WindowOvernight", func(l *Link) { l.RoutingWindows = Windows{{Days: []string{"fri"}, Start: "21:00", End: "07:00"}} }, ""},
		{"WindowWholeDay", func(l *Link) {
			l.RoutingWindows = Windows{{Days: []string{"sat", "sun"}, Start: "00:00", End: "24:00"}}
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := validLink()
			tt.change(&l)
			assertField(t, l.Validate(), tt.wantField)
		})
	}
}

func TestOrganisationValidate(t *testing.T) {
	valid := func() Organisation { return Organisation{LegalName: "Medhelp AB", Country: "SE", Kind: "company"} }
	tests := []struct {
		name      string
		change    func(*Organisation)
		wantField string
	}{
		{"Valid", func(*Organisation) {}, ""},
		{"NameMissing", func(o *Organisation) { o.LegalName = "" }, "legalName"},
		{"NameTooLong", func(o *Organisation) { o.LegalName = strings.Repeat("a", MaxName+1) }, "legalName"},
		{"NameWithNUL", func(o *Organisation) { o.LegalName = "Med\x00help" }, "legalName"},
		{"NameInvalidUTF8", func(o *Organisation) { o.LegalName = "Med\xffhelp" }, "legalName"},
		{"CountryLowercase", func(o *Organisation) { o.Country = "se" }, "country"},
		{"CountryThreeLetters", func(o *Organisation) { o.Country = "SWE" }, "country"},
		{"KindUnknown", func(o *Organisation) { o.Kind = "charity" }, "kind"},
		{"CountyOnCompany", func(o *Organisation) { o.CountyCode = ptr("01") }, "countyCode"},
		{"CountyCodeMalformed", func(o *Organisation) { o.Kind = "region"; o.CountyCode = ptr("1") }, "countyCode"},
		{"CountyLetterMalformed", func(o *Organisation) { o.Kind = "region"; o.CountyLetter = ptr("abc") }, "countyLetter"},
		{"TimeZoneUnknown", func(o *Organisation) { o.TimeZone = "Europe/Atlantis" }, "timeZone"},
		{"TimeZoneLocal", func(o *Organisation) { o.TimeZone = "Local" }, "timeZone"},
		{"OwnParent", func(o *Organisation) { o.ID = 7; o.ParentID = ptr(int64(7)) }, "parentId"},
		{"BlankOrgNumberClears", func(o *Organisation) { o.OrgNumber = ptr("  ") }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := valid()
			tt.change(&o)
			assertField(t, o.Validate(), tt.wantField)
		})
	}
}

func TestOrganisationValidateDefaultsAndTrims(t *testing.T) {
	o := Organisation{LegalName: "  Inera AB ", Country: "SE", Kind: "company", OrgNumber: ptr(" ")}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if o.LegalName != "Inera AB" || o.TimeZone != "Europe/Stockholm" || o.OrgNumber != nil {
		t.Errorf("got name %q zone %q number %v; want trimmed name, default zone, blank number cleared", o.LegalName, o.TimeZone, o.OrgNumber)
	}
}

func TestAttestationValidate(t *testing.T) {
	valid := func() Attestation {
		return Attestation{OrgID: ptr(int64(1)), Kind: "iso27001", Issuer: "Certifier AB", IssuedOn: jan}
	}
	tests := []struct {
		name      string
		change    func(*Attestation)
		wantField string
	}{
		{"Valid", func(*Attestation) {}, ""},
		{"NoSubject", func(a *Attestation) { a.OrgID = nil }, "orgId"},
		{"TwoSubjects", func(a *Attestation) { a.SystemID = ptr(int64(2)) }, "orgId"},
		{"KindUnknown", func(a *Attestation) { a.Kind = "iso9001" }, "kind"},
		{"NoIssuer", func(a *Attestation) { a.Issuer = "" }, "issuer"},
		{"NoIssueDate", func(a *Attestation) { a.IssuedOn = time.Time{} }, "issuedOn"},
		{"ExpiresBeforeIssue", func(a *Attestation) { a.IssuedOn = feb; a.ValidUntil = &jan }, "validUntil"},
		{"ValidOneDay", func(a *Attestation) { a.ValidUntil = &jan }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := valid()
			tt.change(&a)
			assertField(t, a.Validate(), tt.wantField)
		})
	}
}

func TestParseInstant(t *testing.T) {
	sthlm, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		in      string
		want    time.Time
		wantErr bool
	}{
		{"RFC3339", "2019-02-01T02:00:00+01:00", time.Date(2019, 2, 1, 1, 0, 0, 0, time.UTC), false},
		{"OffsetWithoutSeconds", "2019-02-01T02:00+01:00", time.Date(2019, 2, 1, 1, 0, 0, 0, time.UTC), false},
		{"RFC3339UTC", "2019-02-01T01:00:00Z", time.Date(2019, 2, 1, 1, 0, 0, 0, time.UTC), false},
		{"LocalWinter", "2019-02-01T02:00", time.Date(2019, 2, 1, 1, 0, 0, 0, time.UTC), false},
		{"LocalSummer", "2017-06-03T02:00:00", time.Date(2017, 6, 3, 0, 0, 0, 0, time.UTC), false},
		{"DateIsLocalMidnight", "2019-02-18", time.Date(2019, 2, 17, 23, 0, 0, 0, time.UTC), false},
		{"MonthThirteen", "2019-13-01", time.Time{}, true},
		{"Words", "last tuesday", time.Time{}, true},
		{"Empty", "", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseInstant("at", tt.in, sthlm)
			if tt.wantErr {
				assertField(t, err, "at")
				return
			}
			if err != nil {
				t.Fatalf("%q: %v", tt.in, err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("%q: got %v, want %v", tt.in, got.UTC(), tt.want)
			}
		})
	}
}

func TestPeriodContains(t *testing.T) {
	p := Period{From: jan, To: &feb}
	tests := []struct {
		name string
		at   time.Time
		want bool
	}{
		{"AtStart", jan, true},
		{"Inside", jan.Add(24 * time.Hour), true},
		{"AtEndExcluded", feb, false},
		{"Before", jan.Add(-time.Nanosecond), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Contains(tt.at); got != tt.want {
				t.Errorf("Contains(%v) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
	if !(Period{From: jan}).Contains(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("an open period should contain every later instant")
	}
}

// assertField checks that err is nil when wantField is empty, and otherwise an
// INVALID_INPUT error naming wantField.
func assertField(t *testing.T, err error, wantField string) {
	t.Helper()
	if wantField == "" {
		if err != nil {
			t.Fatalf("got error %v, want none", err)
		}
		return
	}
	e := AsError(err)
	if e == nil {
		t.Fatalf("got %v, want an INVALID_INPUT error on %s", err, wantField)
	}
	if e.Code != EInvalid || e.Field != wantField {
		t.Errorf("got %s on %q (%s), want INVALID_INPUT on %q", e.Code, e.Field, e.Message, wantField)
	}
}
