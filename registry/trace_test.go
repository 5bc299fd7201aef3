package registry

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// The parties of the BuildTrace cases, by id.
var traceParties = map[int64]PartyFacts{
	1: {ID: 1, LegalName: "Region", Country: "SE", CountryName: "Sweden", TransferClass: "eea", TimeZone: "Europe/Stockholm"},
	2: {ID: 2, LegalName: "Provider", Country: "SE", CountryName: "Sweden", TransferClass: "eea", TimeZone: "Europe/Stockholm"},
	3: {ID: 3, LegalName: "Night desk", Country: "TH", CountryName: "Thailand", TransferClass: "third_country", TimeZone: "Asia/Bangkok"},
	4: {ID: 4, LegalName: "Share desk", Country: "SE", CountryName: "Sweden", TransferClass: "eea", TimeZone: "Europe/Stockholm"},
	5: {ID: 5, LegalName: "Host", Country: "SE", CountryName: "Sweden", TransferClass: "eea", TimeZone: "Europe/Stockholm"},
}

var stockholm = func() *time.Location {
	l, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		panic(err)
	}
	return l
}()

// traceCallAt is a Saturday night in summer: 30 days later is still summer
// time, so the expected instants below read as plain local times.
var traceCallAt = time.Date(2017, 6, 10, 2, 0, 0, 0, stockholm)

func day(n int) time.Time { return traceCallAt.AddDate(0, 0, n) }

// traceStep is link from -> to at depth, taken as route says.
func traceStep(link, from, to int64, depth int, route string) Step {
	return Step{LinkID: link, FromID: from, ToID: to, Role: "processor", Depth: depth, Path: []int64{from, to},
		Route: route, Possible: route == "share", TransferMechanism: "none"}
}

// traceSystem is what the store finds of a system: one with a profile,
// retention days (nil: none recorded) and storage countries.
func traceSystem(name, kind string, retention *int32, storage ...string) SystemFacts {
	return SystemFacts{Name: name, Kind: kind, StoresCalls: true, HasProfile: true, RetentionDays: retention, Storage: storage}
}

func traceUse(link, system, party int64, sys SystemFacts) UseFacts {
	return UseFacts{UseID: link*100 + system, LinkID: link, SystemID: system, PartyID: party, SystemFacts: sys}
}

func traceMove(id, from, to int64, at time.Time, operator int64, sys SystemFacts) MoveFacts {
	return MoveFacts{MoveID: id, FromSystemID: from, ToSystemID: to, MovedAt: at, OperatorID: operator, SystemFacts: sys}
}

func local(t *time.Time) string {
	if t == nil {
		return "?"
	}
	return t.In(stockholm).Format("2006-01-02 15:04")
}

// traceLines writes a trace as one line per fact, in the trace's order, so
// that a case states everything it expects and any difference shows.
func traceLines(tr Trace) []string {
	out := []string{fmt.Sprintf("complete %v", tr.Complete)}
	for _, h := range tr.Holders {
		out = append(out, fmt.Sprintf("holder %s <- %s, link %d: %s, %s, until %s",
			h.Party.LegalName, h.FromParty.LegalName, h.LinkID, h.Certainty, h.Route, local(h.HeldUntil)))
	}
	for _, s := range tr.Systems {
		via := fmt.Sprintf("link %d", s.LinkID)
		if s.MoveID != 0 {
			via = fmt.Sprintf("move %d", s.MoveID)
		}
		storage := "nil"
		if s.Storage != nil {
			codes := []string{}
			for _, c := range s.Storage {
				codes = append(codes, c.Code+"/"+c.TransferClass)
			}
			storage = fmt.Sprint(codes)
		}
		out = append(out, fmt.Sprintf("system %s of %s, %s: %s, %s .. %s (%s), storage %s",
			s.Name, s.Party.LegalName, via, s.Certainty, local(&s.HeldFrom), local(s.HeldUntil), s.Until, storage))
	}
	for _, e := range tr.Excluded {
		out = append(out, fmt.Sprintf("excluded %s -> %s, link %d: %s", e.FromParty.LegalName, e.ToParty.LegalName, e.LinkID, e.Reason))
	}
	for _, r := range tr.Reasons {
		out = append(out, fmt.Sprintf("reason %s %q", r.Code, r.Subject))
	}
	return out
}

func TestBuildTrace(t *testing.T) {
	nas := traceSystem("NAS", "storage", nil, "SE")
	tests := []struct {
		name  string
		in    TraceInput // CallAt, Region, Parties, Countries and MaxDepth 50 unless set
		want  []string
		texts []string // in the reasons' English or Swedish, or an exclusion's reason
		// absent must appear in none of them.
		absent []string
	}{
		{
			name: "RetentionEverywhereIsComplete",
			in: TraceInput{Steps: []Step{traceStep(10, 1, 2, 1, "all")},
				Uses: []UseFacts{traceUse(10, 100, 2, traceSystem("Recorder", "recording", ptr(int32(30)), "SE"))}},
			want: []string{
				"complete true",
				"holder Provider <- Region, link 10: certain, all, until 2017-07-10 02:00",
				"system Recorder of Provider, link 10: certain, 2017-06-10 02:00 .. 2017-07-10 02:00 (retention), storage [SE/eea]",
			},
		},
		{
			name: "ARegionWithNoLinksFoundNoOneAndIsNotComplete",
			in:   TraceInput{},
			want: []string{
				"complete false",
				`reason NO_RECIPIENTS "Region"`,
			},
			texts: []string{"No link from Region took a call at that instant", "Ingen länk från Region tog emot samtal"},
		},
		{
			name: "EveryLinkOutsideItsWindowFoundNoOne",
			in:   TraceInput{Steps: []Step{traceStep(10, 1, 3, 1, "out_of_window")}},
			want: []string{
				"complete false",
				"excluded Region -> Night desk, link 10: its routing windows do not include Sat 2017-06-10 02:00 (Europe/Stockholm)",
				`reason NO_RECIPIENTS "Region"`,
			},
		},
		{
			name: "TelephonyHoldsTheCallOnlyWhileItLasts",
			in: TraceInput{Steps: []Step{traceStep(10, 1, 2, 1, "all")},
				Uses: []UseFacts{traceUse(10, 100, 2, SystemFacts{Name: "Switch", Kind: "telephony"})}},
			want: []string{
				"complete true",
				"holder Provider <- Region, link 10: certain, all, until 2017-06-10 02:00",
				"system Switch of Provider, link 10: certain, 2017-06-10 02:00 .. 2017-06-10 02:00 (call_end), storage nil",
			},
		},
		{
			name: "OutsideItsRoutingWindowsAPartyIsExcluded",
			in: TraceInput{Steps: []Step{traceStep(10, 1, 2, 1, "all"), traceStep(11, 2, 3, 2, "out_of_window")},
				Uses: []UseFacts{
					traceUse(10, 100, 2, SystemFacts{Name: "Switch", Kind: "telephony"}),
					// A use on the excluded link holds nothing.
					traceUse(11, 101, 3, traceSystem("Night recorder", "recording", nil, "TH")),
				}},
			want: []string{
				"complete true",
				"holder Provider <- Region, link 10: certain, all, until 2017-06-10 02:00",
				"system Switch of Provider, link 10: certain, 2017-06-10 02:00 .. 2017-06-10 02:00 (call_end), storage nil",
				"excluded Provider -> Night desk, link 11: its routing windows do not include Sat 2017-06-10 02:00 (Europe/Stockholm)",
			},
		},
		{
			name: "ExclusionIsWordedInTheRegionsZone",
			in: TraceInput{Region: PartyFacts{ID: 1, LegalName: "Region", TimeZone: "America/New_York"},
				Steps: []Step{traceStep(11, 1, 3, 1, "out_of_window")}},
			want: []string{
				"complete false",
				"excluded Region -> Night desk, link 11: its routing windows do not include Fri 2017-06-09 20:00 (America/New_York)",
				`reason NO_RECIPIENTS "Region"`,
			},
		},
		{
			name: "InsideItsRoutingWindowsAPartyHoldsTheCallCertainly",
			in: TraceInput{Steps: []Step{traceStep(10, 1, 2, 1, "all"), traceStep(11, 2, 3, 2, "in_window")},
				Uses: []UseFacts{
					traceUse(10, 100, 2, SystemFacts{Name: "Switch", Kind: "telephony"}),
					traceUse(11, 101, 3, SystemFacts{Name: "Night switch", Kind: "telephony"}),
				}},
			want: []string{
				"complete true",
				"holder Provider <- Region, link 10: certain, all, until 2017-06-10 02:00",
				"holder Night desk <- Provider, link 11: certain, in_window, until 2017-06-10 02:00",
				"system Night switch of Night desk, link 11: certain, 2017-06-10 02:00 .. 2017-06-10 02:00 (call_end), storage nil",
				"system Switch of Provider, link 10: certain, 2017-06-10 02:00 .. 2017-06-10 02:00 (call_end), storage nil",
			},
		},
		{
			name: "AShareWithoutWindowsMakesEveryoneBelowPossible",
			in: TraceInput{
				Steps: []Step{
					func() Step { s := traceStep(10, 1, 4, 1, "share"); s.RoutingShare = ptr(0.2); return s }(),
					func() Step { s := traceStep(11, 4, 2, 2, "all"); s.Possible = true; return s }(),
				},
				Uses: []UseFacts{
					traceUse(10, 100, 4, SystemFacts{Name: "Share switch", Kind: "telephony"}),
					traceUse(11, 101, 2, traceSystem("Recorder", "recording", ptr(int32(30)), "SE")),
				}},
			want: []string{
				"complete false",
				"holder Share desk <- Region, link 10: possible, share, until 2017-06-10 02:00",
				"holder Provider <- Share desk, link 11: possible, all, until 2017-07-10 02:00",
				"system Recorder of Provider, link 11: possible, 2017-06-10 02:00 .. 2017-07-10 02:00 (retention), storage [SE/eea]",
				"system Share switch of Share desk, link 10: possible, 2017-06-10 02:00 .. 2017-06-10 02:00 (call_end), storage nil",
				`reason ROUTING_SHARE "Share desk"`,
			},
			texts: []string{"Share desk took only a share of calls (20%)", "Share desk tog bara en andel av samtalen (20 %)"},
		},
		{
			name: "ASystemUsedOnACertainAndAPossibleLinkHeldTheCallOnceCertainly",
			in: TraceInput{
				Steps: []Step{
					traceStep(10, 1, 2, 1, "all"),
					traceStep(12, 1, 4, 1, "share"),
					func() Step { s := traceStep(13, 4, 2, 2, "all"); s.Possible = true; return s }(),
				},
				Uses: []UseFacts{
					// The possible use comes first: the certain one must still win.
					traceUse(13, 100, 2, traceSystem("Recorder", "recording", ptr(int32(30)), "SE")),
					traceUse(10, 100, 2, traceSystem("Recorder", "recording", ptr(int32(30)), "SE")),
				}},
			want: []string{
				"complete false",
				"holder Provider <- Region, link 10: certain, all, until 2017-07-10 02:00",
				"holder Share desk <- Region, link 12: possible, share, until ?",
				"holder Provider <- Share desk, link 13: possible, all, until 2017-07-10 02:00",
				"system Recorder of Provider, link 13: certain, 2017-06-10 02:00 .. 2017-07-10 02:00 (retention), storage [SE/eea]",
				`reason ROUTING_SHARE "Share desk"`,
				`reason NO_SYSTEMS "Share desk"`,
			},
		},
		{
			// Link 11 is reached by a certain path first, then by a possible
			// one: what was used on it held the call certainly.
			name: "ALinkReachedCertainlyAndPossiblyStaysCertain",
			in: TraceInput{
				Steps: []Step{
					traceStep(10, 1, 2, 1, "all"),
					traceStep(12, 1, 4, 1, "share"),
					traceStep(11, 2, 5, 2, "all"),
					func() Step { s := traceStep(13, 4, 2, 2, "all"); s.Possible = true; return s }(),
					func() Step { s := traceStep(11, 2, 5, 3, "all"); s.Possible = true; return s }(),
				},
				Uses: []UseFacts{
					traceUse(10, 100, 2, SystemFacts{Name: "Switch", Kind: "telephony"}),
					traceUse(12, 101, 4, SystemFacts{Name: "Share switch", Kind: "telephony"}),
					traceUse(13, 100, 2, SystemFacts{Name: "Switch", Kind: "telephony"}),
					traceUse(11, 102, 5, traceSystem("Recorder", "recording", ptr(int32(30)), "SE")),
				}},
			want: []string{
				"complete false",
				"holder Provider <- Region, link 10: certain, all, until 2017-06-10 02:00",
				"holder Share desk <- Region, link 12: possible, share, until 2017-06-10 02:00",
				"holder Host <- Provider, link 11: certain, all, until 2017-07-10 02:00",
				"holder Provider <- Share desk, link 13: possible, all, until 2017-06-10 02:00",
				"holder Host <- Provider, link 11: possible, all, until 2017-07-10 02:00",
				"system Recorder of Host, link 11: certain, 2017-06-10 02:00 .. 2017-07-10 02:00 (retention), storage [SE/eea]",
				"system Share switch of Share desk, link 12: possible, 2017-06-10 02:00 .. 2017-06-10 02:00 (call_end), storage nil",
				"system Switch of Provider, link 10: certain, 2017-06-10 02:00 .. 2017-06-10 02:00 (call_end), storage nil",
				`reason ROUTING_SHARE "Share desk"`,
			},
		},
		{
			name: "RoutingInWordsOnlyIsAssumedAndSaid",
			in: TraceInput{
				Steps: []Step{func() Step {
					s := traceStep(10, 1, 2, 1, "unstructured")
					s.RoutingNote = ptr("overflow on busy evenings")
					return s
				}()},
				Uses: []UseFacts{traceUse(10, 100, 2, SystemFacts{Name: "Switch", Kind: "telephony"})}},
			want: []string{
				"complete false",
				"holder Provider <- Region, link 10: certain, unstructured, until 2017-06-10 02:00",
				"system Switch of Provider, link 10: certain, 2017-06-10 02:00 .. 2017-06-10 02:00 (call_end), storage nil",
				`reason ROUTING_UNSTRUCTURED "Provider"`,
			},
			texts: []string{`recorded only in words ("overflow on busy evenings")`},
		},
		{
			name: "ALoopIsReportedNotHeld",
			in: TraceInput{
				Steps: []Step{
					traceStep(10, 1, 2, 1, "all"),
					func() Step { s := traceStep(14, 2, 1, 2, "all"); s.Cycle = true; return s }(),
				},
				Uses: []UseFacts{traceUse(10, 100, 2, SystemFacts{Name: "Switch", Kind: "telephony"})}},
			want: []string{
				"complete false",
				"holder Provider <- Region, link 10: certain, all, until 2017-06-10 02:00",
				"system Switch of Provider, link 10: certain, 2017-06-10 02:00 .. 2017-06-10 02:00 (call_end), storage nil",
				`reason CYCLE "Region"`,
			},
			texts: []string{"The chain returns to Region (link 14)"},
		},
		{
			name: "ATruncatedWalkIsSaid",
			in: TraceInput{Truncated: true, Steps: []Step{traceStep(10, 1, 2, 1, "all")},
				Uses: []UseFacts{traceUse(10, 100, 2, SystemFacts{Name: "Switch", Kind: "telephony"})}},
			want: []string{
				"complete false",
				"holder Provider <- Region, link 10: certain, all, until 2017-06-10 02:00",
				"system Switch of Provider, link 10: certain, 2017-06-10 02:00 .. 2017-06-10 02:00 (call_end), storage nil",
				`reason TRUNCATED ""`,
			},
		},
		{
			name: "TheDepthLimitIsSaidAndItsPartyStillHolds",
			in: TraceInput{MaxDepth: 1, Steps: []Step{traceStep(10, 1, 2, 1, "all")},
				Uses: []UseFacts{traceUse(10, 100, 2, SystemFacts{Name: "Switch", Kind: "telephony"})}},
			want: []string{
				"complete false",
				"holder Provider <- Region, link 10: certain, all, until 2017-06-10 02:00",
				"system Switch of Provider, link 10: certain, 2017-06-10 02:00 .. 2017-06-10 02:00 (call_end), storage nil",
				`reason DEPTH_LIMIT "Provider"`,
			},
			texts: []string{"The trace stops at depth 1, at Provider."},
		},
		{
			name: "APartyWithoutSystemsHeldTheCallForAnUnknownTime",
			in:   TraceInput{Steps: []Step{traceStep(10, 1, 2, 1, "all")}},
			want: []string{
				"complete false",
				"holder Provider <- Region, link 10: certain, all, until ?",
				`reason NO_SYSTEMS "Provider"`,
			},
		},
		{
			name: "NoRetentionAndNoProfile",
			in: TraceInput{Steps: []Step{traceStep(10, 1, 2, 1, "all")},
				Uses: []UseFacts{traceUse(10, 100, 2, SystemFacts{Name: "Recorder", Kind: "recording", StoresCalls: true, Storage: []string{"SE"}})}},
			want: []string{
				"complete false",
				"holder Provider <- Region, link 10: certain, all, until ?",
				"system Recorder of Provider, link 10: certain, 2017-06-10 02:00 .. ? (unknown), storage [SE/eea]",
				`reason NO_RETENTION "Recorder"`,
			},
			texts: []string{"no retention period recorded (no security profile either)", "(inte heller någon säkerhetsprofil)"},
		},
		{
			name: "NoRetentionInAProfile",
			in: TraceInput{Steps: []Step{traceStep(10, 1, 2, 1, "all")},
				Uses: []UseFacts{traceUse(10, 100, 2, traceSystem("Recorder", "recording", nil, "SE"))}},
			want: []string{
				"complete false",
				"holder Provider <- Region, link 10: certain, all, until ?",
				"system Recorder of Provider, link 10: certain, 2017-06-10 02:00 .. ? (unknown), storage [SE/eea]",
				`reason NO_RETENTION "Recorder"`,
			},
			texts:  []string{"Recorder stored the recording, but no retention period recorded: how long"},
			absent: []string{"security profile"},
		},
		{
			name: "OneSystemOfUnknownHoldMakesItsPartysHoldUnknown",
			in: TraceInput{Steps: []Step{traceStep(10, 1, 2, 1, "all")},
				Uses: []UseFacts{
					traceUse(10, 100, 2, SystemFacts{Name: "Switch", Kind: "telephony"}),
					traceUse(10, 101, 2, traceSystem("Archive", "backup", nil, "SE")),
					traceUse(10, 102, 2, traceSystem("Recorder", "recording", ptr(int32(30)), "SE")),
				}},
			want: []string{
				"complete false",
				"holder Provider <- Region, link 10: certain, all, until ?",
				"system Archive of Provider, link 10: certain, 2017-06-10 02:00 .. ? (unknown), storage [SE/eea]",
				"system Recorder of Provider, link 10: certain, 2017-06-10 02:00 .. 2017-07-10 02:00 (retention), storage [SE/eea]",
				"system Switch of Provider, link 10: certain, 2017-06-10 02:00 .. 2017-06-10 02:00 (call_end), storage nil",
				`reason NO_RETENTION "Archive"`,
			},
		},
		{
			name: "AStoringSystemWithNoStorageCountry",
			in: TraceInput{Steps: []Step{traceStep(10, 1, 2, 1, "all")},
				Uses: []UseFacts{traceUse(10, 100, 2, traceSystem("Recorder", "recording", ptr(int32(30))))}},
			want: []string{
				"complete false",
				"holder Provider <- Region, link 10: certain, all, until 2017-07-10 02:00",
				"system Recorder of Provider, link 10: certain, 2017-06-10 02:00 .. 2017-07-10 02:00 (retention), storage []",
				`reason NO_STORAGE_LOCATION "Recorder"`,
			},
		},
		{
			name: "StorageInAThirdCountry",
			in: TraceInput{Steps: []Step{traceStep(10, 1, 2, 1, "all")},
				Uses: []UseFacts{traceUse(10, 100, 2, traceSystem("Recorder", "recording", ptr(int32(30)), "SE", "TH"))}},
			want: []string{
				"complete true",
				"holder Provider <- Region, link 10: certain, all, until 2017-07-10 02:00",
				"system Recorder of Provider, link 10: certain, 2017-06-10 02:00 .. 2017-07-10 02:00 (retention), storage [SE/eea TH/third_country]",
			},
		},
		{
			name: "AServiceEndBeforeRetentionEndsTheHold",
			in: TraceInput{Steps: []Step{traceStep(10, 1, 2, 1, "all")},
				Uses: []UseFacts{traceUse(10, 100, 2, func() SystemFacts {
					s := traceSystem("Recorder", "recording", ptr(int32(365)), "SE")
					s.EndedAt = ptr(day(20))
					return s
				}())}},
			want: []string{
				"complete true",
				"holder Provider <- Region, link 10: certain, all, until 2017-06-30 02:00",
				"system Recorder of Provider, link 10: certain, 2017-06-10 02:00 .. 2017-06-30 02:00 (ended), storage [SE/eea]",
			},
		},
		{
			name: "AServiceEndBeforeTheCallDoesNotEndTheHold",
			in: TraceInput{Steps: []Step{traceStep(10, 1, 2, 1, "all")},
				Uses: []UseFacts{traceUse(10, 100, 2, func() SystemFacts {
					s := traceSystem("Recorder", "recording", ptr(int32(30)), "SE")
					s.EndedAt = ptr(day(-1))
					return s
				}())}},
			want: []string{
				"complete true",
				"holder Provider <- Region, link 10: certain, all, until 2017-07-10 02:00",
				"system Recorder of Provider, link 10: certain, 2017-06-10 02:00 .. 2017-07-10 02:00 (retention), storage [SE/eea]",
			},
		},
		{
			name: "MovesCarryTheRecordingOnHopByHop",
			in: TraceInput{Steps: []Step{traceStep(10, 1, 2, 1, "all")},
				Uses: []UseFacts{traceUse(10, 100, 2, traceSystem("Recorder", "recording", ptr(int32(365)), "SE"))},
				Moves: []MoveFacts{
					traceMove(1, 100, 200, day(10), 5, nas),
					traceMove(2, 200, 300, day(100), 5, traceSystem("Tape", "backup", ptr(int32(3650)), "TH")),
				}},
			// NAS records no retention, but the move out of it ends its hold.
			want: []string{
				"complete true",
				"holder Provider <- Region, link 10: certain, all, until 2017-06-20 02:00",
				"system Recorder of Provider, link 10: certain, 2017-06-10 02:00 .. 2017-06-20 02:00 (moved), storage [SE/eea]",
				"system NAS of Host, move 1: certain, 2017-06-20 02:00 .. 2017-09-18 02:00 (moved), storage [SE/eea]",
				"system Tape of Host, move 2: certain, 2017-09-18 02:00 .. 2027-06-08 02:00 (retention), storage [TH/third_country]",
			},
		},
		{
			name: "AMovedRecordingIsAsCertainAsItsSource",
			in: TraceInput{
				Steps: []Step{traceStep(12, 1, 4, 1, "share")},
				Uses:  []UseFacts{traceUse(12, 100, 4, traceSystem("Recorder", "recording", ptr(int32(365)), "SE"))},
				Moves: []MoveFacts{traceMove(1, 100, 200, day(10), 5, nas)}},
			want: []string{
				"complete false",
				"holder Share desk <- Region, link 12: possible, share, until 2017-06-20 02:00",
				"system Recorder of Share desk, link 12: possible, 2017-06-10 02:00 .. 2017-06-20 02:00 (moved), storage [SE/eea]",
				"system NAS of Host, move 1: possible, 2017-06-20 02:00 .. ? (unknown), storage [SE/eea]",
				`reason ROUTING_SHARE "Share desk"`,
				`reason NO_RETENTION "NAS"`,
			},
		},
		{
			name: "AMoveOutOfASystemTheCallNeverReachedIsIgnored",
			in: TraceInput{Steps: []Step{traceStep(10, 1, 2, 1, "all")},
				Uses:  []UseFacts{traceUse(10, 100, 2, traceSystem("Recorder", "recording", ptr(int32(30)), "SE"))},
				Moves: []MoveFacts{traceMove(1, 999, 200, day(10), 5, nas)}},
			want: []string{
				"complete true",
				"holder Provider <- Region, link 10: certain, all, until 2017-07-10 02:00",
				"system Recorder of Provider, link 10: certain, 2017-06-10 02:00 .. 2017-07-10 02:00 (retention), storage [SE/eea]",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.CaseRef = "DSR-1"
			in.CallAt = traceCallAt
			if in.Region.ID == 0 {
				in.Region = traceParties[1]
			}
			in.Parties = traceParties
			in.Countries = map[string]CountryFacts{
				"SE": {Code: "SE", Name: "Sweden", TransferClass: "eea"},
				"TH": {Code: "TH", Name: "Thailand", TransferClass: "third_country"},
			}
			if in.MaxDepth == 0 {
				in.MaxDepth = 50
			}
			tr := BuildTrace(in)
			if got := traceLines(tr); !slices.Equal(got, tt.want) {
				t.Errorf("got\n\t%s\nwant\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.want, "\n\t"))
			}
			var words []string
			for _, r := range tr.Reasons {
				words = append(words, r.En, r.Sv)
			}
			for _, e := range tr.Excluded {
				words = append(words, e.Reason)
			}
			all := strings.Join(words, "\n")
			for _, want := range tt.texts {
				if !strings.Contains(all, want) {
					t.Errorf("the trace's words lack %q:\n%s", want, all)
				}
			}
			for _, not := range tt.absent {
				if strings.Contains(all, not) {
					t.Errorf("the trace's words say %q:\n%s", not, all)
				}
			}
			if tr.CaseRef != "DSR-1" || !tr.CallAt.Equal(traceCallAt) || tr.Region.ID != in.Region.ID {
				t.Errorf("case %q, call %v, region %d: not the input's", tr.CaseRef, tr.CallAt, tr.Region.ID)
			}
			// Every list is there, empty or not: a stored trace's JSON has
			// [] for them, never null.
			if tr.Reasons == nil || tr.Holders == nil || tr.Systems == nil || tr.Excluded == nil {
				t.Errorf("a nil list: reasons %v, holders %v, systems %v, excluded %v",
					tr.Reasons == nil, tr.Holders == nil, tr.Systems == nil, tr.Excluded == nil)
			}
		})
	}
}

// The same reason for the same subject is given once, however many steps
// or systems raise it.
func TestBuildTraceGivesEachReasonOnce(t *testing.T) {
	in := TraceInput{CallAt: traceCallAt, Region: traceParties[1], Parties: traceParties, MaxDepth: 50,
		Steps: []Step{traceStep(10, 1, 2, 1, "all"), traceStep(15, 1, 2, 1, "all")},
		Uses: []UseFacts{
			traceUse(10, 100, 2, traceSystem("Recorder", "recording", nil, "SE")),
			traceUse(15, 100, 2, traceSystem("Recorder", "recording", nil, "SE")),
			traceUse(15, 101, 2, traceSystem("Recorder", "recording", nil, "SE")), // another system, same name
		}}
	tr := BuildTrace(in)
	var got []string
	for _, r := range tr.Reasons {
		got = append(got, r.Code+" "+r.Subject)
	}
	if want := []string{"NO_RETENTION Recorder"}; !slices.Equal(got, want) {
		t.Errorf("reasons %q, want %q", got, want)
	}
	if len(tr.Systems) != 2 {
		t.Errorf("systems %d, want 2: the two links' one system once, and the other", len(tr.Systems))
	}
}
