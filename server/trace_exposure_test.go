package server_test

import (
	"io"
	"strings"
	"testing"
	"time"
)

type knownExposureAnswer struct {
	TraceCall struct {
		ID              string
		DocumentVersion int
		ReportURL       string `json:"reportUrl"`
		Systems         []struct{ Name string }
		KnownExposure   []struct {
			SystemName string
			Fact       string
			Severity   *string
			Audience   *string
			Component  *string
			Unknown    []string
			NoProfile  bool
			From       string
			Until      *string
		}
	}
}

// A trace names what the registry knew against each system while it held
// the call, judged by the checks' rules: the 1177 storage server open to
// the internet without a password, Biz 2.0's password-only logins, the
// unsupported Apache; Princess, of which nothing is established, as
// unknown; the telephony platform, of which nothing is known against it,
// not at all.
func TestTraceNamesKnownExposureOfTheSystemsThatHeldTheCall(t *testing.T) {
	h := newHarness(t, true)
	var got knownExposureAnswer
	h.data(`mutation($r: ID!) { traceCall(region: $r, at: "2019-02-01T02:00", caseRef: "DSR-EXPOSURE") {
		id documentVersion reportUrl systems { name }
		knownExposure { systemName fact severity audience component unknown noProfile from until } } }`,
		map[string]any{"r": h.orgID("Region Stockholm")}, &got)
	tr := got.TraceCall
	if tr.DocumentVersion != 6 {
		t.Errorf("document version %d, want 6", tr.DocumentVersion)
	}
	type want struct {
		system, fact, severity string
		until                  string // RFC 3339 day prefix, or "" for open
	}
	find := func(system, fact string) (int, bool) {
		for i, e := range tr.KnownExposure {
			if e.SystemName == system && e.Fact == fact {
				return i, true
			}
		}
		return 0, false
	}
	const nas = "Recording storage server (NAS)"
	tests := []struct {
		name string
		want want
	}{
		{"StorageServerOpenWithoutPassword", want{nas, "INTERNET_WITHOUT_AUTHENTICATION", "CRITICAL", "2019-02-18"}},
		{"StorageServerUnsupportedApache", want{nas, "END_OF_SUPPORT", "MEDIUM", "2019-02-18"}},
		{"StorageServerUnknownAfterItsProfileEnds", want{nas, "NOT_ESTABLISHED", "", ""}},
		{"BizPasswordOnlyForCustomers", want{"Biz 2.0", "INTERNET_PASSWORD_ONLY", "HIGH", ""}},
		{"PrincessUnknownNotSafe", want{"Princess", "NOT_ESTABLISHED", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i, ok := find(tt.want.system, tt.want.fact)
			if !ok {
				t.Fatalf("no %s for %s in %+v", tt.want.fact, tt.want.system, tr.KnownExposure)
			}
			e := tr.KnownExposure[i]
			sev := ""
			if e.Severity != nil {
				sev = *e.Severity
			}
			if sev != tt.want.severity {
				t.Errorf("severity %q, want %q", sev, tt.want.severity)
			}
			switch {
			case tt.want.until == "" && e.Until != nil:
				t.Errorf("until %s, want open", *e.Until)
			case tt.want.until != "" && (e.Until == nil || !strings.HasPrefix(*e.Until, tt.want.until)):
				t.Errorf("until %v, want %s", e.Until, tt.want.until)
			}
		})
	}
	t.Run("StorageServerFromTheCall", func(t *testing.T) {
		i, _ := find(nas, "INTERNET_WITHOUT_AUTHENTICATION")
		from, err := time.Parse(time.RFC3339, tr.KnownExposure[i].From)
		if err != nil || !from.Equal(time.Date(2019, 2, 1, 1, 0, 0, 0, time.UTC)) {
			t.Errorf("from %s (%v), want the call, 2019-02-01T02:00+01:00", tr.KnownExposure[i].From, err)
		}
		if i, _ := find(nas, "NOT_ESTABLISHED"); !tr.KnownExposure[i].NoProfile ||
			!strings.HasPrefix(tr.KnownExposure[i].From, "2019-02-18") {
			t.Errorf("after the profile ends: %+v, want no profile from 2019-02-18", tr.KnownExposure[i])
		}
	})
	t.Run("BizAudience", func(t *testing.T) {
		i, _ := find("Biz 2.0", "INTERNET_PASSWORD_ONLY")
		if a := tr.KnownExposure[i].Audience; a == nil || *a != "CUSTOMER_USERS" {
			t.Errorf("audience %v, want CUSTOMER_USERS", a)
		}
	})
	t.Run("PrincessHasNoProfile", func(t *testing.T) {
		i, _ := find("Princess", "NOT_ESTABLISHED")
		if e := tr.KnownExposure[i]; !e.NoProfile || len(e.Unknown) != 4 {
			t.Errorf("Princess: %+v, want no profile and four unknown facts", e)
		}
	})
	t.Run("NothingKnownSaysNothing", func(t *testing.T) {
		held := false
		for _, s := range tr.Systems {
			held = held || s.Name == "1177 national telephony platform"
		}
		if !held {
			t.Fatal("the platform did not hold the call; the case proves nothing")
		}
		for _, e := range tr.KnownExposure {
			if e.SystemName == "1177 national telephony platform" {
				t.Errorf("the platform, with every fact known and none against it, has %+v", e)
			}
		}
	})
	t.Run("Report", func(t *testing.T) {
		resp := h.get(tr.ReportURL)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		page := string(body)
		for _, p := range []string{
			"Known exposure while the systems held the call",
			"Nåbart från internet utan inloggning / Reachable from the internet without authentication",
			"kritisk / critical", "Apache httpd 2.4.7",
			"Nåbart från internet med enbart lösenord / Reachable from the internet with a password alone",
			"kunders användare / customers&#39; users",
			"Security facts not established (unknown, not safe)",
			"ingen säkerhetsprofil registrerad / no security profile recorded",
		} {
			if !strings.Contains(page, p) {
				t.Errorf("report lacks %q", p)
			}
		}
		if strings.Contains(page, "<td>1177 national telephony platform</td><td>Nåbart") {
			t.Error("report states exposure of the platform")
		}
	})
}
