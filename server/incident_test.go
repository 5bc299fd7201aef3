package server_test

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// impactQuery is the one query that answers, for the 2019 exposure of the
// storage server, who must notify whom, through whom, by when, what is
// recorded, which calls, and what the download log shows.
const impactQuery = `query($at: Instant) { incidents { nodes { id title
	impact(at: $at) {
		controllers { controller { id legalName } via { party { legalName } role } deadline status callsFrom callsUntil viaMove
		              notifications { sentAt toAuthority } draftUrl }
		duties { article from { legalName } to { legalName } status }
		evidence { downloads uniqueCalls duplicates uniqueSources byDay { key downloads sources } byCallYear { key downloads } } } } } }`

type impactAnswer struct {
	Incidents struct {
		Nodes []struct {
			ID, Title string
			Impact    struct {
				Controllers []struct {
					Controller struct{ ID, LegalName string }
					Via        []struct {
						Party struct{ LegalName string }
						Role  string
					}
					Deadline, CallsFrom, CallsUntil *string
					Status                          string
					ViaMove                         bool
					Notifications                   []struct{ SentAt, ToAuthority string }
					DraftURL                        string `json:"draftUrl"`
				}
				Duties []struct {
					Article string
					From    struct{ LegalName string }
					To      *struct{ LegalName string }
					Status  string
				}
				Evidence struct {
					Downloads, UniqueCalls, Duplicates, UniqueSources int
					ByDay                                             []struct {
						Key                string
						Downloads, Sources int
					}
					ByCallYear []struct {
						Key       string
						Downloads int
					}
				}
			}
		}
	}
}

// The done-when of issue 15, over HTTP on the demo: one query names the
// controllers to notify (the three regions, Medhelp, and Region Kalmar län
// through the assumed 2013 link and the move of 2016), the processors
// between, each deadline and status, the notifications recorded, the calls
// held per controller and the vendor's download figures; the draft of each
// controller's notification is served under the incident rule.
func TestIncidentImpactOverHTTP(t *testing.T) {
	h := newHarness(t, true)
	var out impactAnswer
	h.as("auditor").data(impactQuery, map[string]any{"at": "2019-02-22T12:00"}, &out)
	if len(out.Incidents.Nodes) != 1 {
		t.Fatalf("incidents: %+v", out.Incidents.Nodes)
	}
	imp := out.Incidents.Nodes[0].Impact
	var got []string
	for _, c := range imp.Controllers {
		var via []string
		for _, v := range c.Via {
			via = append(via, v.Party.LegalName+" ("+v.Role+")")
		}
		got = append(got, fmt.Sprintf("%s: %s via %s", c.Controller.LegalName, c.Status, strings.Join(via, ", ")))
	}
	want := []string{
		"Medhelp AB: NOT_AWARE via Medicall Co., Ltd. (PROCESSOR), Voice Integrate Nordic AB (SUB_PROCESSOR)",
		"Region Kalmar län: NOT_AWARE via Medhelp AB (INDEPENDENT_CONTROLLER), Medicall Co., Ltd. (PROCESSOR), Voice Integrate Nordic AB (SUB_PROCESSOR)",
		"Region Stockholm: NOT_AWARE via Medhelp AB (INDEPENDENT_CONTROLLER), Medicall Co., Ltd. (PROCESSOR), Voice Integrate Nordic AB (SUB_PROCESSOR)",
		"Region Sörmland: NOT_AWARE via Medhelp AB (INDEPENDENT_CONTROLLER), Medicall Co., Ltd. (PROCESSOR), Voice Integrate Nordic AB (SUB_PROCESSOR)",
		"Region Värmland: NOTIFIED via Medhelp AB (INDEPENDENT_CONTROLLER), Medicall Co., Ltd. (PROCESSOR), Voice Integrate Nordic AB (SUB_PROCESSOR)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("controllers:\n got %q\nwant %q", got, want)
	}
	var varmland, kalmar string
	for _, c := range imp.Controllers {
		switch c.Controller.LegalName {
		case "Region Värmland":
			varmland = c.Controller.ID
			if c.Deadline == nil || !instantIs(t, *c.Deadline, "2019-02-21T12:00") || len(c.Notifications) != 1 ||
				c.Notifications[0].ToAuthority != "Datainspektionen (now IMY)" {
				t.Errorf("Värmland: deadline %v, notifications %+v", c.Deadline, c.Notifications)
			}
		case "Region Kalmar län":
			kalmar = c.Controller.ID
			if c.CallsFrom == nil || c.CallsUntil == nil || !instantIs(t, *c.CallsFrom, "2013-01-01T00:00") ||
				!instantIs(t, *c.CallsUntil, "2014-01-01T00:00") || !c.ViaMove {
				t.Errorf("Kalmar's calls held: %v to %v, via move %v", c.CallsFrom, c.CallsUntil, c.ViaMove)
			}
		}
	}
	var duties []string
	for _, d := range imp.Duties {
		if d.Article == "ART33_2" {
			duties = append(duties, d.From.LegalName+" -> "+d.To.LegalName+": "+d.Status)
		}
	}
	if want := []string{"Medicall Co., Ltd. -> Medhelp AB: NOT_AWARE", "Voice Integrate Nordic AB -> Medhelp AB: NOT_NOTIFIED",
		"Voice Integrate Nordic AB -> Medicall Co., Ltd.: NOT_NOTIFIED"}; !slices.Equal(duties, want) {
		t.Errorf("Art. 33(2) duties %q, want %q", duties, want)
	}
	e := imp.Evidence
	var days, years []string
	for _, d := range e.ByDay {
		days = append(days, fmt.Sprintf("%s: %d from %d", d.Key, d.Downloads, d.Sources))
	}
	for _, y := range e.ByCallYear {
		years = append(years, fmt.Sprintf("%s: %d", y.Key, y.Downloads))
	}
	if e.Downloads != 55 || e.Duplicates != 9 || e.UniqueCalls != 46 ||
		!slices.Equal(days, []string{"2019-02-13: 36 from 3", "2019-02-14: 3 from 1", "2019-02-15: 2 from 1", "2019-02-18: 14 from 4"}) ||
		!slices.Equal(years, []string{"2013: 7", "2016: 8", "2018: 3", "2019: 37"}) {
		t.Errorf("evidence: %+v", e)
	}

	// The picture of it: DOT built in Go, and SVG drawn by the worker.
	var pic struct {
		Incident struct{ Impact struct{ Dot, Svg string } }
	}
	h.as("auditor").data(`query($id: ID!) { incident(id: $id) { impact(at: "2019-02-22T12:00") { dot svg } } }`,
		map[string]any{"id": out.Incidents.Nodes[0].ID}, &pic)
	for _, want := range []string{"Region Kalmar län", "Art. 33(1): NOT AWARE", "Art. 33(1): notified, deadline 2019-02-21 12:00",
		"Recording storage server (NAS)", "EXPOSED", "moved in", "55 downloads, 46 unique calls"} {
		if !strings.Contains(pic.Incident.Impact.Dot, want) {
			t.Errorf("the picture does not say %q:\n%s", want, pic.Incident.Impact.Dot)
		}
	}
	if !strings.Contains(pic.Incident.Impact.Svg, "<svg") {
		t.Errorf("svg: %.200s", pic.Incident.Impact.Svg)
	}

	// The draft of a controller's notification, for the roles that read
	// incidents; not for a dsr user, and not for a party that is no
	// controller of it.
	id := out.Incidents.Nodes[0].ID
	draft := fmt.Sprintf("/incidents/%s/notifications/%s.html?at=2019-02-22T12:00", id, kalmar)
	for _, tt := range []struct {
		name, role, path string
		status           int
		contains         []string
	}{
		{"AuditorReadsKalmarsDraft", "auditor", draft, http.StatusOK,
			[]string{"Region Kalmar län", "Anmälan av personuppgiftsincident", "Personal data breach notification", "55 nedladdningar",
				"46 unika samtal", "2013-01-01", "Voice Integrate Nordic AB", "cirka / about 2 700 000"}},
		{"VärmlandsNotificationIsListed", "editor", fmt.Sprintf("/incidents/%s/notifications/%s.html", id, varmland), http.StatusOK,
			[]string{"Datainspektionen (now IMY)", "anmäld i tid / notified in time"}},
		{"DSRIsRefused", "dsr", draft, http.StatusForbidden, nil},
		{"NotAControllerOfIt", "auditor", fmt.Sprintf("/incidents/%s/notifications/%s.html", id, h.orgID("Inera AB")), http.StatusNotFound, nil},
		{"NoSuchIncident", "auditor", "/incidents/999/notifications/1.html", http.StatusNotFound, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.with(t).as(tt.role).get(tt.path)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			for _, s := range tt.contains {
				if !strings.Contains(string(body), s) {
					t.Errorf("the page does not say %q", s)
				}
			}
		})
	}
}

// The Värmland trace of a Saturday night call in 2017 says the call lay on
// the exposed storage server from the call until the containment, and
// that the vendor's log does not show it; so does its printable report. A
// dsr user learns of the incident this way only.
func TestTraceSaysTheCallSatOnTheExposedServer(t *testing.T) {
	h := newHarness(t, true)
	var out struct {
		TraceCall struct {
			ReportURL string `json:"reportUrl"`
			Exposures []struct {
				IncidentID, Title, Kind, SystemName, From, Logged string
				Until                                             *string
			}
		}
	}
	h.as("dsr").data(`mutation($r: ID!) { traceCall(region: $r, at: "2017-03-11T02:00", caseRef: "DSR-2026-0042") {
		reportUrl exposures { incidentId title kind systemName from until logged } } }`,
		map[string]any{"r": h.orgID("Region Värmland")}, &out)
	ex := out.TraceCall.Exposures
	if len(ex) != 1 || ex[0].SystemName != "Recording storage server (NAS)" || ex[0].Kind != "CONFIDENTIALITY" ||
		!instantIs(t, ex[0].From, "2017-03-11T02:00") || ex[0].Until == nil || !instantIs(t, *ex[0].Until, "2019-02-18T14:13") ||
		ex[0].Logged != "not_logged" {
		t.Fatalf("exposures: %+v", ex)
	}
	resp := h.as("dsr").get(out.TraceCall.ReportURL)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{"Säkerhetsincidenter / Security incidents", "Recording storage server (NAS)",
		"The call is not among the logged downloads."} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the report does not say %q", want)
		}
	}
}

func instantIs(t *testing.T, got, local string) bool {
	t.Helper()
	g, err := time.Parse(time.RFC3339, got)
	if err != nil {
		t.Fatalf("instant %q: %v", got, err)
	}
	w, err := time.ParseInLocation("2006-01-02T15:04", local, stockholm)
	if err != nil {
		t.Fatal(err)
	}
	return g.Equal(w)
}

// Recording an incident over HTTP: roles, and every bad input the issue
// lists refused whole, naming the field; a log with malformed rows is
// reported by line and nothing of it is imported.
func TestIncidentRecordingOverHTTP(t *testing.T) {
	h := newHarness(t, true)
	var sys struct {
		Systems struct{ Nodes []struct{ ID string } }
	}
	h.data(`{ systems(filter: {nameContains: "Princess"}) { nodes { id } } }`, nil, &sys)
	princess := sys.Systems.Nodes[0].ID
	create := `mutation($in: IncidentCreateInput!) { createIncident(input: $in) { id status systems { name } } }`
	input := func(from, to string) map[string]any {
		return map[string]any{"in": map[string]any{"title": "Princess reachable from outside", "kind": "CONFIDENTIALITY",
			"status": "CONTAINED", "exposureFrom": from, "containedAt": to, "discoveredAt": to, "systemIds": []string{princess},
			"dataCategories": []string{"patient records"}, "subjectsApprox": 1200}}
	}
	var made struct{ CreateIncident struct{ ID string } }
	h.as("editor").data(create, input("2018-03-01", "2018-04-01"), &made)
	inc := made.CreateIncident.ID
	medhelp := h.orgID("Medhelp AB")

	goodLog := "time,source,call,call_date,region\n2018-03-02T10:00,192.0.2.1,a.wav,2018-01-01,01\n2018-03-02T11:00,192.0.2.2,a.wav,2018-01-01,01\n"
	importLog := `mutation($id: ID!, $csv: String!) { importAccessLog(incidentId: $id, name: "access.csv", csv: $csv) {
		rows incident { evidence { downloads duplicates uniqueSources byRegion { key downloads } } } } }`
	for _, tt := range []struct {
		name, role, query string
		vars              map[string]any
		code, field       string
		message           []string
	}{
		{"OverlappingWindow", "editor", create, input("2018-03-15", "2018-05-01"), "CONFLICT", "exposureFrom", nil},
		{"DiscoveredBeforeTheStart", "editor", create, input("2018-06-01", "2018-05-01"), "INVALID_INPUT", "discoveredAt", nil},
		{"AwarenessBeforeDiscovery", "editor",
			`mutation($in: IncidentPartyInput!) { setIncidentParty(input: $in) { awareAt } }`,
			map[string]any{"in": map[string]any{"incidentId": inc, "partyId": medhelp, "awareAt": "2018-03-20", "art34": "UNDECIDED"}},
			"INVALID_INPUT", "awareAt", nil},
		{"LogWithMalformedRows", "editor", importLog,
			map[string]any{"id": inc, "csv": goodLog + "not a time,192.0.2.3,b.wav,2018-01-02,01\n2018-03-03T10:00,192.0.2.3,c.wav,2018-01-02,1\n"},
			"INVALID_INPUT", "csv", []string{"line 4", "line 5", "nothing imported"}},
		{"AuditorCannotRecord", "auditor", create, input("2017-01-01", "2017-02-01"), "FORBIDDEN", "", nil},
		{"DSRCannotRead", "dsr", `query($id: ID!) { incident(id: $id) { title } }`, map[string]any{"id": inc}, "FORBIDDEN", "", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := h.with(t).as(tt.role).post(tt.query, tt.vars)
			if r.code() != tt.code || r.field() != tt.field {
				t.Fatalf("got %s (%s): %+v; want %s naming %q", r.code(), r.field(), r.Errors, tt.code, tt.field)
			}
			for _, m := range tt.message {
				if !strings.Contains(r.Errors[0].Message, m) {
					t.Errorf("message %q does not say %q", r.Errors[0].Message, m)
				}
			}
		})
	}
	if n := h.count(`SELECT count(*) FROM incident_log_rows`); n != 55 {
		t.Errorf("%d log rows after the refused import, want the demo's 55", n)
	}
	var imported struct {
		ImportAccessLog struct {
			Rows     int
			Incident struct {
				Evidence struct {
					Downloads, Duplicates, UniqueSources int
					ByRegion                             []struct {
						Key       string
						Downloads int
					}
				}
			}
		}
	}
	h.as("editor").data(importLog, map[string]any{"id": inc, "csv": goodLog}, &imported)
	ev := imported.ImportAccessLog.Incident.Evidence
	if imported.ImportAccessLog.Rows != 2 || ev.Downloads != 2 || ev.Duplicates != 1 || ev.UniqueSources != 2 ||
		len(ev.ByRegion) != 1 || ev.ByRegion[0].Key != "01" {
		t.Errorf("imported: %+v", imported)
	}
	// History is kept, and nothing is deleted.
	var hist struct {
		Incident struct{ History []struct{ Op string } }
	}
	h.as("auditor").data(`query($id: ID!) { incident(id: $id) { history { op } } }`, map[string]any{"id": inc}, &hist)
	if len(hist.Incident.History) != 1 || hist.Incident.History[0].Op != "insert" {
		t.Errorf("history: %+v", hist)
	}
	if _, err := h.store.DB().Exec(`DELETE FROM incidents`); err == nil {
		t.Error("an incident was deleted")
	}
	// An update is validated whole: a closed incident needs its
	// containment, and the window its systems are claimed for follows.
	update := `mutation($id: ID!, $in: IncidentUpdateInput!, $clear: [IncidentClearable!]) {
		updateIncident(id: $id, input: $in, clear: $clear) { status containedAt } }`
	if r := h.as("editor").post(update, map[string]any{"id": inc, "in": map[string]any{"status": "CLOSED"}, "clear": []string{"CONTAINED_AT"}}); r.code() != "INVALID_INPUT" || r.field() != "containedAt" {
		t.Errorf("closing without containment: %+v", r.Errors)
	}
	var upd struct{ UpdateIncident struct{ Status string } }
	h.as("editor").data(update, map[string]any{"id": inc, "in": map[string]any{"status": "CLOSED", "containedAt": "2018-03-10"}}, &upd)
	if upd.UpdateIncident.Status != "CLOSED" || h.count(`SELECT count(*) FROM incident_systems WHERE upper(exposure) = '2018-03-10 00:00:00+01'`) != 1 {
		t.Errorf("update: %+v", upd)
	}
}
