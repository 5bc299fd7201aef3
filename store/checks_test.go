package store_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/demo"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

var stockholm, _ = time.LoadLocation("Europe/Stockholm")

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02T15:04", s, stockholm)
	if err != nil {
		panic(err)
	}
	return t
}

type finding struct {
	Check, Kind, Subject, Controller, Severity, Status, Message string
}

// findings lists the findings with names, one row for each of their
// controllers, sorted.
func findings(t *testing.T, s *store.Store, where string) []finding {
	t.Helper()
	rows, err := s.DB().Query(`SELECT f.check_id, f.subject_kind,
		COALESCE(o.legal_name, sy.name, lf.legal_name || ' -> ' || lt.legal_name), c.legal_name, f.severity, f.status, f.message
		FROM findings f
		JOIN finding_controllers fc ON fc.finding_id = f.id
		JOIN organisations c ON c.id = fc.controller_id
		LEFT JOIN organisations o ON f.subject_kind = 'party' AND o.id = f.subject_id
		LEFT JOIN systems sy ON f.subject_kind = 'system' AND sy.id = f.subject_id
		LEFT JOIN links l ON f.subject_kind = 'link' AND l.id = f.subject_id
		LEFT JOIN organisations lf ON lf.id = l.from_id LEFT JOIN organisations lt ON lt.id = l.to_id
		WHERE ` + where)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []finding
	for rows.Next() {
		var f finding
		if err := rows.Scan(&f.Check, &f.Kind, &f.Subject, &f.Controller, &f.Severity, &f.Status, &f.Message); err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return fmt.Sprint(out[i]) < fmt.Sprint(out[j]) })
	return out
}

func demoStore(t *testing.T) *store.Store {
	t.Helper()
	s := storetest.Store(t)
	if _, err := demo.Seed(context.Background(), s, stockholm); err != nil {
		t.Fatal(err)
	}
	return s
}

// The demo as of 2019-02-01 gives one finding per fact, each listing the
// controllers whose chains it affects: the three regions, and Medhelp, a
// controller itself. It used to give 52 rows, one per controller.
func TestDemoRunFlagsThe2019Failures(t *testing.T) {
	s := demoStore(t)
	res, err := s.RunChecks(context.Background(), registry.RunOptions{At: at("2019-02-01T12:00"), Trigger: "api", Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.DB().Query(`SELECT f.check_id, COALESCE(o.legal_name, sy.name, lf.legal_name || ' -> ' || lt.legal_name), f.severity,
		(SELECT string_agg(c.legal_name, ', ' ORDER BY c.legal_name) FROM finding_controllers fc JOIN organisations c ON c.id = fc.controller_id
		 WHERE fc.finding_id = f.id)
		FROM findings f
		LEFT JOIN organisations o ON f.subject_kind = 'party' AND o.id = f.subject_id
		LEFT JOIN systems sy ON f.subject_kind = 'system' AND sy.id = f.subject_id
		LEFT JOIN links l ON f.subject_kind = 'link' AND l.id = f.subject_id
		LEFT JOIN organisations lf ON lf.id = l.from_id LEFT JOIN organisations lt ON lt.id = l.to_id
		ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var check, subject, severity, controllers string
		if err := rows.Scan(&check, &subject, &severity, &controllers); err != nil {
			t.Fatal(err)
		}
		// Every fact of the chain affects the three regions and Medhelp; a
		// controller's own notice or record only itself.
		wantControllers := "Medhelp AB, Region Stockholm, Region Sörmland, Region Värmland"
		switch {
		case check == "notice_gap" || check == "record_gap":
			wantControllers = subject
		case check == "authorisation" && strings.HasPrefix(subject, "Medhelp AB ->"),
			check == "attestation" && subject == "Medhelp AB":
			// Medhelp needs no approval of its own, only the regions', and
			// holds health data in the regions' chains, not its own.
			wantControllers = "Region Stockholm, Region Sörmland, Region Värmland"
		}
		if controllers != wantControllers {
			t.Errorf("%s on %s lists the controllers %q, want %q", check, subject, controllers, wantControllers)
		}
		got = append(got, check+" "+subject+" "+severity)
	}
	want := []string{
		"agreement Medhelp AB -> Medicall Co., Ltd. high",
		"agreement Medhelp AB -> Voice Integrate Nordic AB high",
		"agreement Medicall Co., Ltd. -> Voice Integrate Nordic AB high",
		// All three companies that held the calls lacked attestations,
		// the care provider that is a controller itself included.
		"attestation Medhelp AB high",
		"attestation Medicall Co., Ltd. high",
		"attestation Voice Integrate Nordic AB high",
		// No region's approval of the parties engaged below Medhelp.
		"authorisation Medhelp AB -> Medicall Co., Ltd. high",
		"authorisation Medhelp AB -> Voice Integrate Nordic AB high",
		"authorisation Medicall Co., Ltd. -> Voice Integrate Nordic AB high",
		// No backup is recorded for the systems keeping calls.
		"backup Biz 2.0 medium",
		"backup Princess medium",
		"backup Recording storage server (NAS) medium",
		// Medicall was found a recipient, and Swedish health-care secrecy
		// gives no basis for handing patient data to it in Thailand.
		"disclosure_basis Medicall Co., Ltd. critical",
		"exposure Recording storage server (NAS) critical",
		// Its older file names carried callers' phone numbers.
		"identifiers_in_names Recording storage server (NAS) medium",
		// Biz 2.0 reached over the internet with a password alone
		// (assumed); no profile recorded for Biz 2.0 and Princess.
		"internet_access Biz 2.0 high",
		"not_established Biz 2.0 medium",
		"not_established Princess medium",
		// The callers were not told (IMY 2021, Art. 13); records incomplete.
		"notice_gap Medhelp AB high",
		"notice_gap Region Stockholm high",
		"notice_gap Region Sörmland high",
		"notice_gap Region Värmland high",
		"record_gap Medhelp AB high",
		"record_gap Region Stockholm high",
		"record_gap Region Sörmland high",
		"record_gap Region Värmland high",
		"retention Biz 2.0 medium",
		"retention Princess medium",
		"retention Recording storage server (NAS) medium",
		// It held two other customers' calls; segmentation not established.
		"shared_storage Recording storage server (NAS) medium",
		// Once, on Medicall: not again on Princess and Biz 2.0, reached from
		// Thailand by Medicall.
		"third_country Medicall Co., Ltd. critical",
		// Apache 2.4.7, long superseded (its end of support assumed), on a
		// server the internet reached.
		"unsupported_software Recording storage server (NAS) medium",
		// No scan of any system is in the public record; the internet
		// reached Biz 2.0 and the storage server.
		"vulnerability_scan Biz 2.0 medium",
		"vulnerability_scan Princess low",
		"vulnerability_scan Recording storage server (NAS) medium",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.Found != len(want) || res.Opened != len(want) {
		t.Errorf("run says found %d, opened %d; want %d", res.Found, res.Opened, len(want))
	}
	var events int
	if err := s.DB().QueryRow(`SELECT count(*) FROM finding_events WHERE event = 'opened' AND run_id = $1`, res.RunID).Scan(&events); err != nil {
		t.Fatal(err)
	}
	if events != len(want) {
		t.Errorf("%d opened events for run %d, want one per finding (%d)", events, res.RunID, len(want))
	}
}

func has(fs []finding, check, subject, controller, severity string) bool {
	for _, f := range fs {
		if f.Check == check && f.Subject == subject && (controller == "" || f.Controller == controller) &&
			(severity == "" || f.Severity == severity) {
			return true
		}
	}
	return false
}

func TestDemoFindings(t *testing.T) {
	s := demoStore(t)
	if _, err := s.RunChecks(context.Background(), registry.RunOptions{At: at("2019-02-01T12:00"), Trigger: "api", Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	open := findings(t, s, "f.status = 'open'")
	tests := []struct {
		name, check, subject, severity string
		want                           bool
	}{
		{"ThaiSubcontractorCritical", "third_country", "Medicall Co., Ltd.", "critical", true},
		{"ExposedStorageServerCritical", "exposure", "Recording storage server (NAS)", "critical", true},
		{"MedicallLacksAttestation", "attestation", "Medicall Co., Ltd.", "high", true},
		{"VoiceIntegrateLacksAttestation", "attestation", "Voice Integrate Nordic AB", "high", true},
		{"StorageServerLacksRetention", "retention", "Recording storage server (NAS)", "", true},
		// Patient records keep the call too: the trace says Princess held it
		// with no retention period, and so do the checks.
		{"RecordsSystemLacksRetention", "retention", "Princess", "medium", true},
		{"TelephonyPlatformKeepsNothing", "retention", "1177 national telephony platform", "", false},
		{"SubProcessorWithoutAuthorisation", "authorisation", "Medicall Co., Ltd. -> Voice Integrate Nordic AB", "high", true},
		{"MedhelpIsInSweden", "third_country", "Medhelp AB", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := has(open, tt.check, tt.subject, "Region Värmland", tt.severity); got != tt.want {
				t.Errorf("%s on %s (%s): flagged %v, want %v", tt.check, tt.subject, tt.severity, got, tt.want)
			}
		})
	}
	for _, f := range open {
		if strings.Contains(f.Subject, "Inera") {
			t.Errorf("Inera flagged: %+v", f)
		}
	}
}

// Recording SCCs with a transfer impact assessment resolves the finding on
// the next run, keeping its history; ending the link does too; and a finding
// that comes back reopens with its history.
func TestFindingLifecycle(t *testing.T) {
	s := demoStore(t)
	ctx := context.Background()
	run := func() registry.RunResult {
		t.Helper()
		res, err := s.RunChecks(ctx, registry.RunOptions{At: at("2019-02-01T12:00"), Checks: []string{"third_country", "third_country_safeguarded"},
			Trigger: "api", Actor: "test"})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	var medhelp, medicall int64
	s.DB().QueryRow(`SELECT id FROM organisations WHERE legal_name = 'Medhelp AB'`).Scan(&medhelp)
	s.DB().QueryRow(`SELECT id FROM organisations WHERE legal_name = 'Medicall Co., Ltd.'`).Scan(&medicall)
	var link int64
	s.DB().QueryRow(`SELECT id FROM links WHERE from_id = $1 AND to_id = $2`, medhelp, medicall).Scan(&link)
	where := fmt.Sprintf("f.subject_kind = 'party' AND f.subject_id = %d AND c.legal_name = 'Region Värmland'", medicall)

	first := run()
	if first.Opened == 0 {
		t.Fatal("the first run opened nothing")
	}
	again := run()
	if again.Opened != 0 || again.Resolved != 0 || again.Found != first.Found {
		t.Errorf("a second run over the same registry: %+v, want no change from %+v", again, first)
	}

	// SCC module 3 (processor to processor) with a TIA.
	if _, err := s.UpdateLink(ctx, "test", link, func(l *registry.Link) error {
		m := int16(3)
		tia := at("2018-05-01T00:00")
		l.TransferMechanism, l.SCCModule, l.TIADate = "scc", &m, &tia
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	res := run()
	got := findings(t, s, where)
	status := map[string]string{}
	for _, f := range got {
		status[f.Check] = f.Status + "/" + f.Severity
	}
	if status["third_country"] != "resolved/critical" || status["third_country_safeguarded"] != "open/info" {
		t.Errorf("after recording SCCs: %v (run %+v), want third_country resolved and an info safeguarded finding", status, res)
	}
	// Princess is reached from Thailand by Medicall over that link: it is
	// safeguarded too. Biz 2.0 is reached from Thailand over Medicall's own
	// link to Voice Integrate, which records nothing: with Medicall no
	// longer raised, it is raised on its own, naming that link.
	systems := map[string]string{}
	for _, f := range findings(t, s, "f.check_id = 'third_country' AND f.subject_kind = 'system' AND c.legal_name = 'Region Värmland'") {
		systems[f.Subject] = f.Status + ": " + f.Message
	}
	if len(systems) != 1 || systems["Biz 2.0"] != "open: Biz 2.0 is accessed from Thailand, third country, and no safeguard is recorded "+
		"on the link that carries it there (Medicall Co., Ltd. to Voice Integrate Nordic AB)" {
		t.Errorf("systems after recording SCCs: %v, want only Biz 2.0, open, over Medicall's link", systems)
	}

	// Undo the SCCs: the finding reopens, with its whole history.
	if _, err := s.UpdateLink(ctx, "test", link, func(l *registry.Link) error {
		l.TransferMechanism, l.SCCModule, l.TIADate = "none", nil, nil
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if res := run(); res.Reopened == 0 {
		t.Errorf("run after removing the SCCs reopened nothing: %+v", res)
	}
	var events []string
	rows, err := s.DB().Query(`SELECT e.event FROM finding_events e JOIN findings f ON f.id = e.finding_id
		JOIN finding_controllers fc ON fc.finding_id = f.id JOIN organisations c ON c.id = fc.controller_id
		WHERE f.check_id = 'third_country' AND ` + where + ` ORDER BY e.id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var e string
		rows.Scan(&e)
		events = append(events, e)
	}
	rows.Close()
	if strings.Join(events, ",") != "opened,resolved,reopened" {
		t.Errorf("history: %v, want opened, resolved, reopened", events)
	}

	// Ending the link before the instant resolves it again.
	if _, err := s.EndLink(ctx, "test", link, at("2019-01-15T00:00")); err != nil {
		t.Fatal(err)
	}
	run()
	for _, f := range findings(t, s, where) {
		if f.Status != "resolved" {
			t.Errorf("after ending the link: %+v still %s", f, f.Status)
		}
	}
}

func TestAcceptedFindingCountsAsOpenAfterItsDate(t *testing.T) {
	s := demoStore(t)
	ctx := context.Background()
	if _, err := s.RunChecks(ctx, registry.RunOptions{At: at("2019-02-01T12:00"), Checks: []string{"exposure"}, Trigger: "api", Actor: "t"}); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := s.DB().QueryRow(`SELECT min(id) FROM findings WHERE check_id = 'exposure'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(stockholm)
	until := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	f, err := s.AcceptFinding(ctx, "auditor", id, "Server is being moved behind the VPN this week", until)
	if err != nil {
		t.Fatal(err)
	}
	if f.Status != "accepted" {
		t.Fatalf("status %s, want accepted until today", f.Status)
	}
	// Move the acceptance into the past, as if its date had passed.
	if _, err := s.DB().Exec(`UPDATE findings SET accepted_until = CAST(now() AS date) - 1 WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	f, err = s.Finding(ctx, "id", id)
	if err != nil || f.Status != "open" {
		t.Errorf("after its date an accepted finding reads %q (%v), want open", f.Status, err)
	}
	if _, err := s.RunChecks(ctx, registry.RunOptions{At: at("2019-02-01T12:00"), Checks: []string{"exposure"}, Trigger: "api", Actor: "t"}); err != nil {
		t.Fatal(err)
	}
	var lapsed int
	s.DB().QueryRow(`SELECT count(*) FROM finding_events WHERE finding_id = $1 AND event = 'acceptance_lapsed'`, id).Scan(&lapsed)
	if lapsed != 1 {
		t.Errorf("the run recorded %d lapses, want 1", lapsed)
	}
	if _, err := s.AcceptFinding(ctx, "auditor", id, "  ", until); err == nil {
		t.Error("an acceptance without a justification was taken")
	}
}

// A system finding says in plain words whether the system stores data in the
// country or is reached from it.
func TestSystemFindingSaysStoredInOrAccessedFrom(t *testing.T) {
	s := demoStore(t)
	ctx := context.Background()
	var nas int64
	if err := s.DB().QueryRow(`SELECT id FROM systems WHERE name LIKE 'Recording storage server%'`).Scan(&nas); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddSystemLocation(ctx, "test", &registry.SystemLocation{SystemID: nas, Country: "TH", Purpose: "storage",
		Period: registry.Period{From: at("2018-01-01T00:00")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RunChecks(ctx, registry.RunOptions{At: at("2019-02-01T12:00"), Checks: []string{"third_country"},
		Trigger: "api", Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	// Biz 2.0 is accessed from Thailand by Medicall, whose transfer is
	// raised on Medicall: it is that finding's evidence, not one of its own.
	// The storage server stores in Thailand for Voice Integrate, a Swedish
	// party: raised on its own, naming the link that carries its data there.
	tests := []struct{ name, system, want string }{
		{"Stored", "Recording storage server (NAS)", "Recording storage server (NAS) is stored in Thailand, third country, and no safeguard " +
			"is recorded on the link that carries it there (Medhelp AB to Voice Integrate Nordic AB)"},
		{"AccessedByARaisedParty", "Biz 2.0", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := findings(t, s, fmt.Sprintf("f.check_id = 'third_country' AND f.subject_kind = 'system' AND sy.name = '%s' AND f.message LIKE '%% Thailand%%'", tt.system))
			if (len(got) == 0) != (tt.want == "") {
				t.Fatalf("third_country findings for %s: %v, want one: %v", tt.system, got, tt.want != "")
			}
			for _, f := range got {
				if !strings.HasPrefix(f.Message, tt.want) {
					t.Errorf("message %q, want it to start %q", f.Message, tt.want)
				}
			}
		})
	}
}
