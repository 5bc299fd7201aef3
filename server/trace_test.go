package server_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/registry"
)

type traceAnswer struct {
	TraceCall struct {
		ID       string
		CaseRef  string
		Complete bool
		Reasons  []struct{ Code, Subject, En, Sv string }
		Holders  []struct {
			Party     struct{ LegalName, CountryCode, TransferClass string }
			Role      string
			Certainty string
			HeldUntil *string
		}
		Systems []struct {
			Name      string
			Party     struct{ LegalName string }
			Certainty string
			HeldFrom  string
			HeldUntil *string
			Until     string
			MovedIn   bool
		}
		Excluded []struct {
			ToParty struct{ LegalName string }
			Reason  string
		}
		ReportURL  string `json:"reportUrl"`
		PictureURL string `json:"pictureUrl"`
	}
}

const traceQuery = `mutation($r: ID!, $at: Instant!, $case: String!) {
  traceCall(region: $r, at: $at, caseRef: $case) {
    id caseRef complete reasons { code subject en sv }
    holders { party { legalName countryCode transferClass } role certainty heldUntil }
    systems { name party { legalName } certainty heldFrom heldUntil until movedIn }
    excluded { toParty { legalName } reason }
    reportUrl pictureUrl
  }
}`

func (h *harness) trace(region, at, caseRef string) traceAnswer {
	h.t.Helper()
	var got traceAnswer
	h.data(traceQuery, map[string]any{"r": region, "at": at, "case": caseRef}, &got)
	return got
}

func (a traceAnswer) holders() []string {
	var out []string
	for _, h := range a.TraceCall.Holders {
		if !slices.Contains(out, h.Party.LegalName) {
			out = append(out, h.Party.LegalName)
		}
	}
	return out
}

func (a traceAnswer) systems() []string {
	var out []string
	for _, s := range a.TraceCall.Systems {
		if !slices.Contains(out, s.Name) {
			out = append(out, s.Name)
		}
	}
	return out
}

func (a traceAnswer) reasonCodes() []string {
	var out []string
	for _, r := range a.TraceCall.Reasons {
		out = append(out, r.Code)
	}
	return out
}

// The acceptance case: a call to 1177 in Värmland on a Saturday night
// in 2017 reached Thailand; one on the Tuesday afternoon of that week did not.
func TestTraceDemoSaturdayNightAndTuesdayAfternoon(t *testing.T) {
	h := newHarness(t, true)
	varmland := h.orgID("Region Värmland")

	night := h.trace(varmland, "2017-03-11T02:00", "DSR-2026-0042")
	for _, want := range []string{"Medhelp AB", "Medicall Co., Ltd.", "Voice Integrate Nordic AB"} {
		if !slices.Contains(night.holders(), want) {
			t.Errorf("Saturday night: holders %v lack %s", night.holders(), want)
		}
	}
	for _, h := range night.TraceCall.Holders {
		if h.Party.LegalName == "Medicall Co., Ltd." && (h.Party.CountryCode != "TH" || h.Party.TransferClass != "THIRD_COUNTRY" || h.Certainty != "CERTAIN") {
			t.Errorf("Medicall: got %+v, want a certain holder in TH, a third country", h)
		}
	}
	for _, want := range []string{"Biz 2.0", "Recording storage server (NAS)"} {
		if !slices.Contains(night.systems(), want) {
			t.Errorf("Saturday night: systems %v lack %s", night.systems(), want)
		}
	}
	if night.TraceCall.Complete {
		t.Error("the trace says it is complete, but no retention period is recorded")
	}
	var said bool
	for _, r := range night.TraceCall.Reasons {
		said = said || (r.Code == registry.ReasonNoRetention && strings.Contains(r.En, "no retention period recorded") &&
			strings.Contains(r.Subject, "storage server"))
	}
	if !said {
		t.Errorf("reasons %+v do not say that no retention period is recorded for the storage server", night.TraceCall.Reasons)
	}

	afternoon := h.trace(varmland, "2017-03-14T14:00", "DSR-2026-0042")
	if slices.Contains(afternoon.holders(), "Medicall Co., Ltd.") {
		t.Errorf("Tuesday 14:00: Medicall should not hold the call; holders %v", afternoon.holders())
	}
	if len(afternoon.TraceCall.Excluded) != 1 || afternoon.TraceCall.Excluded[0].ToParty.LegalName != "Medicall Co., Ltd." {
		t.Errorf("Tuesday 14:00: want Medicall listed as excluded by routing, got %+v", afternoon.TraceCall.Excluded)
	}
	if !slices.Contains(afternoon.holders(), "Medhelp AB") || !slices.Contains(afternoon.systems(), "Recording storage server (NAS)") {
		t.Errorf("Tuesday 14:00: want Medhelp and the storage server, got %v %v", afternoon.holders(), afternoon.systems())
	}
	var stored int
	if err := h.store.DB().QueryRow(`SELECT count(*) FROM call_traces WHERE case_ref = 'DSR-2026-0042'`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != 2 {
		t.Errorf("stored %d traces for the case, want 2", stored)
	}
}

// Before any link of the demo's began, a call to Värmland reached no one the
// registry knows of: the answer says so, and is not complete.
func TestTraceThatFindsNoOneIsNotComplete(t *testing.T) {
	h := newHarness(t, true)
	got := h.trace(h.orgID("Region Värmland"), "2005-06-01T12:00", "DSR-2026-0043")
	if got.TraceCall.Complete || len(got.TraceCall.Holders) != 0 || !slices.Equal(got.reasonCodes(), []string{registry.ReasonNoRecipients}) {
		t.Errorf("complete %v, holders %v, reasons %v; want not complete, no holders, reason %s",
			got.TraceCall.Complete, got.holders(), got.reasonCodes(), registry.ReasonNoRecipients)
	}
}

// A recording made before the storage server existed was moved onto it in
// 2016: the server held it too, from the move on, and Biz 2.0 until then.
func TestTraceFollowsMovesOfStoredData(t *testing.T) {
	h := newHarness(t, true)
	got := h.trace(h.orgID("Region Sörmland"), "2014-05-06T03:00", "DSR-1")
	var biz, nas bool
	for _, s := range got.TraceCall.Systems {
		switch s.Name {
		case "Biz 2.0":
			biz = s.Until == "MOVED" && s.HeldUntil != nil && strings.HasPrefix(*s.HeldUntil, "2016-01-01T00:00")
		case "Recording storage server (NAS)":
			nas = s.MovedIn && strings.HasPrefix(s.HeldFrom, "2016-01-01T00:00") && s.HeldUntil == nil
		}
	}
	if !biz || !nas {
		t.Errorf("want Biz 2.0 until the 2016 move and the storage server from it: %+v", got.TraceCall.Systems)
	}
}

// The access-request answer names each recipient once (Voice Integrate was
// reached over two links), and the role an authority found beside the one
// claimed: IMY found Medicall a recipient, not Medhelp's processor.
func TestTraceNamesEachRecipientOnceWithTheRoleFound(t *testing.T) {
	h := newHarness(t, true)
	var got struct {
		TraceCall struct {
			DocumentVersion int
			ReportURL       string
			Recipients      []struct {
				Party struct{ LegalName string }
				Via   []struct {
					FromParty        struct{ LegalName string }
					Role, FoundRole  string
					FoundBy, FoundOn string
				}
			}
		}
	}
	h.data(`mutation($r: ID!) { traceCall(region: $r, at: "2017-03-11T02:00", caseRef: "DSR-ONCE") { documentVersion reportUrl
		recipients { party { legalName } via { fromParty { legalName } role foundRole foundBy foundOn } } } }`,
		map[string]any{"r": h.orgID("Region Värmland")}, &got)
	var lines []string
	for _, r := range got.TraceCall.Recipients {
		for _, v := range r.Via {
			line := r.Party.LegalName + " via " + v.FromParty.LegalName + ": " + v.Role
			if v.FoundRole != "" {
				line += ", found " + v.FoundRole + " by " + v.FoundBy + " on " + v.FoundOn
			}
			lines = append(lines, line)
		}
	}
	imy := "IMY (Swedish data protection authority) on 2021-06-07"
	want := []string{
		"Inera AB via Region Värmland: PROCESSOR",
		"Medhelp AB via Region Värmland: INDEPENDENT_CONTROLLER, found INDEPENDENT_CONTROLLER by " + imy,
		"Medicall Co., Ltd. via Medhelp AB: PROCESSOR, found RECIPIENT by " + imy,
		"Voice Integrate Nordic AB via Medhelp AB: PROCESSOR",
		"Voice Integrate Nordic AB via Medicall Co., Ltd.: SUB_PROCESSOR",
	}
	if got.TraceCall.DocumentVersion != 6 || len(got.TraceCall.Recipients) != 4 || !slices.Equal(lines, want) {
		t.Errorf("version %d, %d recipients:\n got %q\nwant %q", got.TraceCall.DocumentVersion, len(got.TraceCall.Recipients), lines, want)
	}
	resp := h.get(got.TraceCall.ReportURL)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	page := string(body)
	if n := strings.Count(page, "<tr><td>Voice Integrate Nordic AB"); n != 1 {
		t.Errorf("the report has %d rows for Voice Integrate, want 1", n)
	}
	if !strings.Contains(page, "mottagare / recipient<br><small>enligt / as found by IMY (Swedish data protection authority), 2021-06-07") {
		t.Errorf("the report does not give Medicall's role as IMY found it:\n%s", page)
	}
}

// A report of a document stored before version 4 is shown as it was sent:
// one row per link, a party reached over two links in two rows.
func TestReportOfAnOlderTraceKeepsItsRows(t *testing.T) {
	h := newHarness(t, true)
	raw, err := os.ReadFile("../store/testdata/trace_v1.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	holders := doc["holders"].([]any)
	again := map[string]any{}
	for k, v := range holders[len(holders)-1].(map[string]any) {
		again[k] = v
	}
	again["fromParty"] = holders[0].(map[string]any)["party"]
	doc["holders"] = append(holders, again)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	const id = "81f30097da7904fbc12dc5a5ce5a890a"
	if _, err := h.store.DB().Exec(`INSERT INTO call_traces (id, region_id, call_at, case_ref, created_by, result)
		VALUES ($1, $2, '2014-05-06T03:00:00+02:00', 'DSR-OLD', 'test', $3)`, id, h.orgID("Region Sörmland"), b); err != nil {
		t.Fatal(err)
	}
	resp := h.get("/traces/" + id + ".html")
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if n := strings.Count(string(body), "<tr><td>Medicall Co., Ltd."); resp.StatusCode != 200 || n != 2 {
		t.Errorf("status %d, %d rows for Medicall, want 200 and 2 (one per link, as sent)", resp.StatusCode, n)
	}
}

func TestTraceReportPages(t *testing.T) {
	h := newHarness(t, true)
	caseRef := `DSR <script>alert(1)</script> & "quotes"`
	got := h.trace(h.orgID("Region Värmland"), "2017-03-11T02:00", caseRef)
	// A stored answer that no longer decodes (a column edited by hand, say).
	const corrupt = "0123456789abcdef0123456789abcdef"
	if _, err := h.store.DB().Exec(`INSERT INTO call_traces (id, region_id, call_at, case_ref, created_by, result)
		VALUES ($1, $2, now(), 'DSR-CORRUPT', 'test', '{"holders": "not a list"}')`, corrupt, h.orgID("Region Värmland")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		path        string
		wantStatus  int
		wantType    string
		wantParts   []string
		forbidParts []string
		wantOutcome string // of the request's audit row
	}{
		{"HTML", got.TraceCall.ReportURL, 200, "text/html",
			[]string{"Medicall Co., Ltd.", "Thailand", "tredjeland utan adekvat skyddsnivå", "ingen skyddsåtgärd registrerad",
				"DSR &lt;script&gt;alert(1)&lt;/script&gt;", "ingen lagringstid är registrerad", "no retention period recorded",
				// Its compiler by role, never by the token's name.
				"av administratör av registret / by the registry&#39;s administrator"},
			[]string{"<script>", "test admin"}, "ok"},
		{"JSON", "/traces/" + got.TraceCall.ID + ".json", 200, "application/json",
			[]string{`"caseRef":"DSR \u003cscript\u003ealert(1)\u003c/script\u003e \u0026 \"quotes\""`, `"legalName":"Medicall Co., Ltd."`}, nil, "ok"},
		{"UnknownTrace", "/traces/00000000000000000000000000000000.html", 404, "", nil, nil, "NOT_FOUND"},
		{"MalformedID", "/traces/..%2f..%2fetc.html", 404, "", nil, nil, "NOT_FOUND"},
		{"UnknownFormat", "/traces/" + got.TraceCall.ID + ".pdf", 404, "", nil, nil, "NOT_FOUND"},
		{"CorruptStoredTrace", "/traces/" + corrupt + ".html", 500, "text/plain", nil, []string{"holders", "json"}, "INTERNAL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			audited := `SELECT count(*) FROM audit_log WHERE operation LIKE 'report%' AND outcome = '` + tt.wantOutcome + `'`
			before := h.count(audited)
			resp := h.get(tt.path)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.wantType) {
				t.Fatalf("got %d %s, want %d %s", resp.StatusCode, resp.Header.Get("Content-Type"), tt.wantStatus, tt.wantType)
			}
			// Audited before the answer left, so counted by now.
			if after := h.count(audited); after != before+1 {
				t.Errorf("%d audit rows with outcome %s for this request, want 1", after-before, tt.wantOutcome)
			}
			for _, p := range tt.wantParts {
				if !strings.Contains(string(body), p) {
					t.Errorf("page lacks %q", p)
				}
			}
			for _, p := range tt.forbidParts {
				if strings.Contains(string(body), p) {
					t.Errorf("page contains %q unescaped", p)
				}
			}
		})
	}
}

func TestTraceRefusesBadRequests(t *testing.T) {
	h := newHarness(t, true)
	region := h.orgID("Region Värmland")
	tests := []struct {
		name      string
		query     string // traceQuery when empty
		vars      map[string]any
		wantCode  string
		wantField string
	}{
		// It stores what it finds: a query (which a GET, a prefetch or a
		// retry may repeat) must not.
		{"AsAQuery", strings.Replace(traceQuery, "mutation", "query", 1),
			map[string]any{"r": region, "at": "2017-03-11T02:00", "case": "DSR-9"}, "GRAPHQL_VALIDATION_FAILED", ""},
		{"BlankCaseRef", "", map[string]any{"r": region, "at": "2017-03-11T02:00", "case": "  "}, "INVALID_INPUT", "caseRef"},
		{"LongCaseRef", "", map[string]any{"r": region, "at": "2017-03-11T02:00", "case": strings.Repeat("x", 201)}, "INVALID_INPUT", "caseRef"},
		{"UnknownRegion", "", map[string]any{"r": "999999", "at": "2017-03-11T02:00", "case": "DSR-9"}, "NOT_FOUND", "region"},
		{"MalformedInstant", "", map[string]any{"r": region, "at": "Saturday night", "case": "DSR-9"}, "INVALID_INPUT", "at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.with(t).post(cmp.Or(tt.query, traceQuery), tt.vars)
			if r.code() != tt.wantCode || r.field() != tt.wantField {
				t.Errorf("got %s on %q, want %s on %q (%+v)", r.code(), r.field(), tt.wantCode, tt.wantField, r.Errors)
			}
		})
	}
	if n := h.count(`SELECT count(*) FROM call_traces`); n != 0 {
		t.Errorf("refused traces stored %d rows", n)
	}
}

func TestResponsibilityOnDemo(t *testing.T) {
	h := newHarness(t, true)
	var sys struct {
		Systems struct{ Nodes []struct{ ID string } }
	}
	h.data(`{ systems(filter: {nameContains: "storage server"}) { nodes { id } } }`, nil, &sys)
	q := `query($o: ID, $s: ID, $at: Instant!) { responsibility(organisation: $o, system: $s, at: $at) {
		controllers { legalName } missing { code link { to { legalName } } }
		paths { links { link { from { legalName } to { legalName } role } } viaMove { movedAt fromSystem { name } } } } }`
	type answer struct {
		Responsibility struct {
			Controllers []struct{ LegalName string }
			Missing     []struct {
				Code string
				Link struct{ To struct{ LegalName string } }
			}
			Paths []struct {
				Links []struct {
					Link struct {
						From, To struct{ LegalName string }
						Role     string
					}
				}
				ViaMove *struct {
					MovedAt    string
					FromSystem struct{ Name string }
				}
			}
		}
	}
	names := func(a answer) []string {
		var out []string
		for _, c := range a.Responsibility.Controllers {
			out = append(out, c.LegalName)
		}
		slices.Sort(out)
		return out
	}
	missing := func(a answer) []string {
		var out []string
		for _, m := range a.Responsibility.Missing {
			out = append(out, m.Code+":"+m.Link.To.LegalName)
		}
		slices.Sort(out)
		return out
	}

	var nas answer
	h.data(q, map[string]any{"s": sys.Systems.Nodes[0].ID, "at": "2019-02-01"}, &nas)
	wantControllers := []string{"Medhelp AB", "Region Stockholm", "Region Sörmland", "Region Värmland"}
	if got := names(nas); fmt.Sprint(got) != fmt.Sprint(wantControllers) {
		t.Errorf("storage server's controllers: got %v, want %v", got, wantControllers)
	}
	// The server was used on the regions' chains through Medhelp then; it
	// also still held the recordings Biz 2.0 made on Medicall's link to
	// Voice Integrate, moved onto it on 2016-01-01 (no retention recorded).
	var paths []string
	for _, p := range nas.Responsibility.Paths {
		var parties []string
		for i, l := range p.Links {
			if i == 0 {
				parties = append(parties, l.Link.From.LegalName)
			}
			parties = append(parties, l.Link.To.LegalName)
		}
		via := "used"
		if p.ViaMove != nil {
			via = "moved from " + p.ViaMove.FromSystem.Name + " " + p.ViaMove.MovedAt[:10]
		}
		paths = append(paths, strings.Join(parties, " -> ")+" ("+via+")")
	}
	slices.Sort(paths)
	var wantPaths []string
	for _, region := range []string{"Region Stockholm", "Region Sörmland", "Region Värmland"} {
		wantPaths = append(wantPaths, region+" -> Medhelp AB -> Medicall Co., Ltd. -> Voice Integrate Nordic AB (moved from Biz 2.0 2016-01-01)",
			region+" -> Medhelp AB -> Voice Integrate Nordic AB (used)")
	}
	slices.Sort(wantPaths)
	if !slices.Equal(paths, wantPaths) {
		t.Errorf("storage server's paths:\n got %q\nwant %q", paths, wantPaths)
	}
	// No region's approval of the parties engaged below Medhelp is
	// recorded (kedja_authorisation_missing below a controller).
	want := "[NO_AGREEMENT:Medicall Co., Ltd. NO_AGREEMENT:Voice Integrate Nordic AB NO_AGREEMENT:Voice Integrate Nordic AB " +
		"NO_AUTHORISATION:Medicall Co., Ltd. NO_AUTHORISATION:Voice Integrate Nordic AB NO_AUTHORISATION:Voice Integrate Nordic AB " +
		"NO_TRANSFER_MECHANISM:Medicall Co., Ltd.]"
	if got := missing(nas); fmt.Sprint(got) != want {
		t.Errorf("storage server: missing %v, want %v", got, want)
	}

	var medicall answer
	h.data(q, map[string]any{"o": h.orgID("Medicall Co., Ltd."), "at": "2019-02-01"}, &medicall)
	want = "[NO_AGREEMENT:Medicall Co., Ltd. NO_AUTHORISATION:Medicall Co., Ltd. NO_TRANSFER_MECHANISM:Medicall Co., Ltd.]"
	if got := missing(medicall); fmt.Sprint(got) != want {
		t.Errorf("Medicall: missing %v, want %v", got, want)
	}

	r := h.post(q, map[string]any{"at": "2019-02-01"})
	if r.code() != "INVALID_INPUT" || r.field() != "organisation" {
		t.Errorf("neither subject: got %s on %q", r.code(), r.field())
	}
}

// chainBuilder writes synthetic chains straight into the store.
type chainBuilder struct {
	t  *testing.T
	h  *harness
	tz string
}

func (b chainBuilder) at(s string) time.Time {
	t, err := registry.ParseInstant("at", s, stockholm)
	if err != nil {
		b.t.Fatal(err)
	}
	return t
}

func (b chainBuilder) org(name, country string) int64 {
	o := registry.Organisation{LegalName: name, Country: country, Kind: "company", TimeZone: b.tz}
	got, err := b.h.store.CreateOrganisation(context.Background(), "test", &o)
	if err != nil {
		b.t.Fatal(err)
	}
	return got.ID
}

func (b chainBuilder) link(from, to int64, since, until string, change func(*registry.Link)) int64 {
	l := registry.Link{FromID: from, ToID: to, Role: "processor", Purpose: "calls", Period: registry.Period{From: b.at(since)}}
	if until != "" {
		u := b.at(until)
		l.To = &u
	}
	if change != nil {
		change(&l)
	}
	got, err := b.h.store.CreateLink(context.Background(), "test", &l)
	if err != nil {
		b.t.Fatal(err)
	}
	return got.ID
}

func (b chainBuilder) system(name, kind string, operator int64, retention *int32) int64 {
	ctx := context.Background()
	s, err := b.h.store.CreateSystem(ctx, "test", &registry.System{Name: name, Kind: kind, OperatorID: operator})
	if err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.h.store.SetSystemProfile(ctx, "test", &registry.SystemProfile{SystemID: s.ID, Period: registry.Period{From: b.at("2000-01-01")},
		InternetExposed: registry.Fact(false), Authentication: ptr("mfa"), TransportEncryption: registry.Fact(true), EncryptionAtRest: registry.Fact(true), RetentionDays: retention}); err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.h.store.AddSystemLocation(ctx, "test", &registry.SystemLocation{SystemID: s.ID, Country: "SE", Purpose: "storage",
		Period: registry.Period{From: b.at("2000-01-01")}}); err != nil {
		b.t.Fatal(err)
	}
	return s.ID
}

func (b chainBuilder) use(link, system, party int64, since, until string) {
	u := registry.SystemUse{LinkID: link, SystemID: system, PartyID: party, Period: registry.Period{From: b.at(since)}}
	if until != "" {
		t := b.at(until)
		u.To = &t
	}
	if _, err := b.h.store.CreateSystemUse(context.Background(), "test", &u); err != nil {
		b.t.Fatal(err)
	}
}

func days(n int32) *int32 { return &n }

func id(n int64) string { return fmt.Sprint(n) }

func TestTraceSyntheticChains(t *testing.T) {
	h := newHarness(t, false)
	b := chainBuilder{t: t, h: h}

	t.Run("DepthSixCostsNoMoreStatementsThanDepthTwo", func(t *testing.T) {
		b := chainBuilder{t: t, h: h}
		deep, shallow := b.org("Deep root", "SE"), b.org("Shallow root", "SE")
		prev := deep
		for i := 1; i <= 6; i++ {
			next := b.org(fmt.Sprintf("Level %d", i), "SE")
			l := b.link(prev, next, "2010-01-01", "", nil)
			b.use(l, b.system(fmt.Sprintf("Store %d", i), "storage", next, days(30)), next, "2010-01-01", "")
			prev = next
		}
		s1 := b.org("Shallow 1", "SE")
		l := b.link(shallow, s1, "2010-01-01", "", nil)
		b.use(l, b.system("Shallow store", "storage", s1, days(30)), s1, "2010-01-01", "")

		// The first request reads the lock-outs and marks the token's use
		// (once a minute): not the trace's cost.
		// The statements are counted by the store's connections: queued
		// audit rows of earlier requests are written first, so that their
		// group commit does not land in a trace's count.
		h.with(t).post(`{ checks { id } }`, nil)
		h.flushAudit()
		before := h.store.Statements()
		got := h.with(t).trace(id(deep), "2020-01-01T12:00", "DSR-deep")
		deepCost := h.store.Statements() - before
		h.flushAudit()
		before = h.store.Statements()
		h.with(t).trace(id(shallow), "2020-01-01T12:00", "DSR-shallow")
		shallowCost := h.store.Statements() - before

		if len(got.holders()) != 6 || got.holders()[5] != "Level 6" {
			t.Errorf("holders %v, want Level 1..6", got.holders())
		}
		if !got.TraceCall.Complete {
			t.Errorf("a chain with retention everywhere should trace completely; reasons %+v", got.TraceCall.Reasons)
		}
		if deepCost != shallowCost {
			t.Errorf("statements per trace: %d at depth 6, %d at depth 1; want the same", deepCost, shallowCost)
		}
		var chain struct {
			Chain struct {
				Steps []struct {
					Depth int
					Path  []struct{ LegalName string }
				}
				Systems []struct{ System struct{ Name string } }
			}
		}
		h.with(t).data(`query($c: ID!) { chain(controller: $c, at: "2020-01-01") { steps { depth path { legalName } } systems { system { name } } } }`,
			map[string]any{"c": id(deep)}, &chain)
		if n := len(chain.Chain.Systems); n != 6 {
			t.Errorf("chain has %d systems, want the 6 stores", n)
		}
		if n := len(chain.Chain.Steps); n != 6 {
			t.Fatalf("chain has %d steps, want 6", n)
		}
		last := chain.Chain.Steps[5]
		if last.Depth != 6 || len(last.Path) != 7 || last.Path[0].LegalName != "Deep root" || last.Path[6].LegalName != "Level 6" {
			t.Errorf("deepest step: %+v", last)
		}
	})

	t.Run("CycleIsReportedNotLooped", func(t *testing.T) {
		b := chainBuilder{t: t, h: h}
		root, a, c := b.org("Cycle root", "SE"), b.org("Cycle A", "SE"), b.org("Cycle B", "SE")
		b.link(root, a, "2010-01-01", "", nil)
		b.link(a, c, "2010-01-01", "", nil)
		b.link(c, a, "2010-01-01", "", func(l *registry.Link) { l.Role = "recipient" })
		var chain struct {
			Chain struct {
				Steps  []struct{ Cycle bool }
				Cycles []struct {
					From, To struct{ LegalName string }
				}
			}
		}
		h.with(t).data(`query($c: ID!) { chain(controller: $c, at: "2020-01-01") { steps { cycle } cycles { from { legalName } to { legalName } } } }`,
			map[string]any{"c": id(root)}, &chain)
		if len(chain.Chain.Steps) != 3 || len(chain.Chain.Cycles) != 1 || chain.Chain.Cycles[0].To.LegalName != "Cycle A" {
			t.Errorf("want 3 steps, the last closing a loop back to Cycle A: %+v", chain.Chain)
		}
		got := h.with(t).trace(id(root), "2020-01-01T12:00", "DSR-cycle")
		if !slices.Contains(got.reasonCodes(), registry.ReasonCycle) || got.TraceCall.Complete {
			t.Errorf("trace reasons %v should report the cycle", got.reasonCodes())
		}
	})

	t.Run("PeriodsAreHalfOpen", func(t *testing.T) {
		b := chainBuilder{t: t, h: h}
		root, p := b.org("Bound root", "SE"), b.org("Bound provider", "SE")
		b.link(root, p, "2018-01-01T00:00", "2019-01-01T00:00", nil)
		cases := map[string]bool{
			"2017-12-31T23:59:59": false,
			"2018-01-01T00:00":    true,
			"2018-12-31T23:59:59": true,
			"2019-01-01T00:00":    false,
		}
		for at, want := range cases {
			got := h.with(t).trace(id(root), at, "DSR-bounds")
			if held := slices.Contains(got.holders(), "Bound provider"); held != want {
				t.Errorf("at %s: held %v, want %v", at, held, want)
			}
		}
	})

	t.Run("OverlappingSystemUsesBothHold", func(t *testing.T) {
		b := chainBuilder{t: t, h: h}
		root, p := b.org("Overlap root", "SE"), b.org("Overlap provider", "SE")
		l := b.link(root, p, "2010-01-01", "", nil)
		b.use(l, b.system("Old recorder", "recording", p, days(90)), p, "2010-01-01", "2020-06-01")
		b.use(l, b.system("New recorder", "recording", p, days(365)), p, "2020-01-01", "")
		got := h.with(t).trace(id(root), "2020-03-01T12:00", "DSR-overlap")
		if s := got.systems(); !slices.Contains(s, "Old recorder") || !slices.Contains(s, "New recorder") {
			t.Errorf("systems %v, want both recorders", s)
		}
		for _, hd := range got.TraceCall.Holders {
			// The party held the call until its longest retention ended.
			if hd.HeldUntil == nil || !strings.HasPrefix(*hd.HeldUntil, "2021-03-01") {
				t.Errorf("holder %s held until %v, want 2021-03-01 (365 days)", hd.Party.LegalName, hd.HeldUntil)
			}
		}
	})

	t.Run("ShareWithoutWindowIsPossible", func(t *testing.T) {
		b := chainBuilder{t: t, h: h}
		root, p, sub := b.org("Share root", "SE"), b.org("Share provider", "SE"), b.org("Share sub", "FI")
		b.link(root, p, "2010-01-01", "", func(l *registry.Link) { share := 0.2; l.RoutingShare = &share })
		b.link(p, sub, "2010-01-01", "", nil)
		got := h.with(t).trace(id(root), "2020-03-01T12:00", "DSR-share")
		for _, hd := range got.TraceCall.Holders {
			if hd.Certainty != "POSSIBLE" {
				t.Errorf("%s: certainty %s, want POSSIBLE below a share-routed link", hd.Party.LegalName, hd.Certainty)
			}
		}
		if !slices.Contains(got.reasonCodes(), registry.ReasonShareRouting) {
			t.Errorf("reasons %v lack ROUTING_SHARE", got.reasonCodes())
		}
	})

	t.Run("ControllerInAnotherTimeZone", func(t *testing.T) {
		ny := chainBuilder{t: t, h: h, tz: "America/New_York"}
		root, p := ny.org("New York root", "US"), ny.org("Weekend desk", "SE")
		ny.link(root, p, "2010-01-01", "", func(l *registry.Link) {
			l.RoutingWindows = registry.Windows{{Days: []string{"sat", "sun"}, Start: "00:00", End: "24:00"}}
		})
		cases := []struct {
			at   string
			want bool
		}{
			{"2017-03-11T03:00:00Z", false}, // Friday 22:00 in New York, Saturday in Stockholm
			{"2017-03-11T12:00:00Z", true},  // Saturday 07:00 in New York
			{"2017-03-13T03:30:00Z", true},  // Sunday 23:30 in New York, Monday in Stockholm
		}
		for _, c := range cases {
			got := h.with(t).trace(id(root), c.at, "DSR-tz")
			if held := slices.Contains(got.holders(), "Weekend desk"); held != c.want {
				t.Errorf("at %s: weekend desk held %v, want %v", c.at, held, c.want)
			}
		}
	})
	_ = b
}

func TestTraceIsStoredAsComputed(t *testing.T) {
	h := newHarness(t, true)
	got := h.trace(h.orgID("Region Stockholm"), "2018-06-02T03:00", "DSR-7")
	// Change the registry afterwards: the stored answer must not move.
	h.data(`mutation($id: ID!) { updateOrganisation(id: $id, input: {legalName: "Medhelp Renamed AB"}) { id } }`,
		map[string]any{"id": h.orgID("Medhelp AB")}, &struct{}{})
	var again struct {
		Traces struct {
			Nodes []struct {
				ID      string
				Holders []struct{ Party struct{ LegalName string } }
			}
		}
	}
	h.data(`{ traces(caseRef: "DSR-7") { nodes { id holders { party { legalName } } } } }`, nil, &again)
	if len(again.Traces.Nodes) != 1 || again.Traces.Nodes[0].ID != got.TraceCall.ID {
		t.Fatalf("traces for DSR-7: %+v", again.Traces)
	}
	b, _ := json.Marshal(again)
	if !strings.Contains(string(b), `"Medhelp AB"`) || strings.Contains(string(b), "Renamed") {
		t.Errorf("the stored trace changed with the registry: %s", b)
	}
}

// A trace stored before documents carried a version (the store's testdata:
// registry.Trace's JSON, no version field) reads back through the API as it
// was stored: the report's JSON is that document, and the queries answer
// from it. One of a version this kedja does not know is an internal error,
// shown as no more than that.
func TestPreVersionTraceReadsBackThroughTheAPI(t *testing.T) {
	h := newHarness(t, true)
	raw, err := os.ReadFile("../store/testdata/trace_v1.json")
	if err != nil {
		t.Fatal(err)
	}
	insert := func(id, caseRef string, doc []byte) {
		if _, err := h.store.DB().Exec(`INSERT INTO call_traces (id, region_id, call_at, case_ref, created_at, created_by, result)
			VALUES ($1, $2, '2014-05-06T03:00:00+02:00', $3, '2026-11-25T17:11:40.58545+01:00', 'test admin', $4)`,
			id, h.orgID("Region Sörmland"), caseRef, doc); err != nil {
			t.Fatal(err)
		}
	}
	const id = "91f30097da7904fbc12dc5a5ce5a890a"
	insert(id, "DSR-2014-V1", raw)

	resp := h.get("/traces/" + id + ".json")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var got, want any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("report JSON (%d): %v: %s", resp.StatusCode, err, body)
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the report's JSON is not the stored document:\n%s\nwant\n%s", body, raw)
	}

	var answer struct {
		Traces struct {
			Nodes []struct {
				ID, CaseRef, CreatedAt, CreatedBy string
				Complete                          bool
				Holders                           []struct {
					Party     struct{ LegalName, TransferClass string }
					Certainty string
					HeldUntil *string
				}
				Systems []struct {
					Name, Until, HeldFrom string
					MovedIn               bool
					Storage               []struct{ Code string }
				}
				Excluded []struct{ ToParty struct{ LegalName string } }
				Reasons  []struct{ Code string }
			}
		}
	}
	h.data(`{ traces(caseRef: "DSR-2014-V1") { nodes { id caseRef createdAt createdBy complete
		holders { party { legalName transferClass } certainty heldUntil }
		systems { name until heldFrom movedIn storage { code } }
		excluded { toParty { legalName } } reasons { code } } } }`, nil, &answer)
	if len(answer.Traces.Nodes) != 1 {
		t.Fatalf("traces for the case: %+v", answer.Traces)
	}
	tr := answer.Traces.Nodes[0]
	summary := fmt.Sprint(tr.ID, " ", tr.CaseRef, " ", tr.CreatedBy, " ", tr.Complete, " ", tr.Holders[2].Party, " ", tr.Holders[2].Certainty,
		" ", tr.Holders[1].HeldUntil == nil, " ", len(tr.Systems[1].Storage), " ", tr.Systems[1].Until, " ", tr.Systems[2].MovedIn, " ",
		tr.Systems[2].HeldFrom, " ", tr.Excluded[0].ToParty.LegalName, " ", tr.Reasons)
	wantSummary := id + " DSR-2014-V1 test admin false {Medicall Co., Ltd. THIRD_COUNTRY} POSSIBLE true 1 MOVED true " +
		"2016-01-01T00:00:00+01:00 Night desk AB [{ROUTING_SHARE} {NO_RETENTION}]"
	if summary != wantSummary {
		t.Errorf("traces(caseRef) answers\n%s\nwant\n%s", summary, wantSummary)
	}

	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	doc["version"] = json.RawMessage(`99`)
	future, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	const futureID = "ffffffffffffffffffffffffffffffff"
	insert(futureID, "DSR-future", future)
	r := h.post(`query($id: ID!) { trace(id: $id) { id } }`, map[string]any{"id": futureID})
	if r.code() != "INTERNAL" || len(r.Errors) != 1 || r.Errors[0].Message != "internal error" {
		t.Errorf("a version 99 trace: got %+v, want INTERNAL saying only \"internal error\"", r.Errors)
	}
	resp = h.get("/traces/" + futureID + ".json")
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || strings.Contains(string(body), "version") {
		t.Errorf("a version 99 report: got %d %q, want 500 without the cause", resp.StatusCode, body)
	}
}

// A case with more traces than a page, and more than the 100 traces(caseRef)
// once answered with and silently stopped at: walked page by page, as the
// access-request handler whose case it is, every trace comes once, newest
// first (traces made at the same instant by id), and each page's request is
// in the audit log with the case reference.
func TestTracesOfACaseAreWalkedPageByPage(t *testing.T) {
	h := newHarness(t, true)
	const caseRef = "DSR-PAGES"
	// Made by the dsr user who lists them: a dsr user lists only its own.
	made := h.as("dsr").trace(h.orgID("Region Värmland"), "2017-03-11T02:00", caseRef).TraceCall
	var raw []byte
	if err := h.store.DB().QueryRow(`SELECT result FROM call_traces WHERE id = $1`, made.ID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	// 119 more, stored as traceCall stores them, made before it; two at each
	// instant, so the order within an instant counts.
	type stored struct {
		at time.Time
		id string
	}
	var want []stored
	// Microseconds, as PostgreSQL keeps them; ids falling as they are
	// inserted, so that neither insertion order nor time alone gives the
	// order.
	base := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Second).Add(123456 * time.Microsecond)
	for i := range 119 {
		s := stored{base.Add(time.Duration(i/2) * time.Minute), fmt.Sprintf("%032x", 0xa0+(119-i)*7919)}
		doc["id"], doc["createdAt"] = s.id, s.at
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.store.DB().Exec(`INSERT INTO call_traces (id, region_id, call_at, case_ref, created_at, created_by, made_by, result)
			VALUES ($1, $2, '2017-03-11T02:00:00+01:00', $3, $4, 'test dsr', (SELECT made_by FROM call_traces WHERE id = $6), $5)`,
			s.id, h.orgID("Region Värmland"), caseRef, s.at, b, made.ID); err != nil {
			t.Fatal(err)
		}
		want = append(want, s)
	}
	slices.SortFunc(want, func(a, b stored) int { return cmp.Or(b.at.Compare(a.at), strings.Compare(a.id, b.id)) })
	wantIDs := []string{made.ID} // made now: the newest
	for _, s := range want {
		wantIDs = append(wantIDs, s.id)
	}
	// Another case's trace is not listed.
	h.trace(h.orgID("Region Värmland"), "2017-03-11T02:00", "DSR-OTHER")

	dsr := h.as("dsr")
	type page struct {
		Traces struct {
			Nodes    []struct{ ID, CaseRef string }
			PageInfo struct {
				HasNextPage bool
				EndCursor   *string
			}
		}
	}
	const query = `query($c: String!, $first: Int, $after: String) {
		traces(caseRef: $c, first: $first, after: $after) { nodes { id caseRef } pageInfo { hasNextPage endCursor } } }`
	tests := []struct {
		name      string
		first     any // nil: the default, 50
		wantSizes []int
	}{
		{"DefaultPageSize", nil, []int{50, 50, 20}},
		{"PagesOfSeven", 7, append(slices.Repeat([]int{7}, 17), 1)},
		{"PageOfExactlyAll", 120, []int{120}},
		{"LargestPage", 500, []int{120}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dsr := dsr.with(t)
			auditBefore := h.count(`SELECT count(*) FROM audit_log WHERE case_ref = 'DSR-PAGES' AND role = 'dsr' AND outcome = 'ok'`)
			var got []string
			var sizes []int
			var after any
			for len(sizes) <= len(tt.wantSizes) {
				var p page
				dsr.data(query, map[string]any{"c": caseRef, "first": tt.first, "after": after}, &p)
				sizes = append(sizes, len(p.Traces.Nodes))
				for _, n := range p.Traces.Nodes {
					if n.CaseRef != caseRef {
						t.Errorf("trace %s of case %q listed for %s", n.ID, n.CaseRef, caseRef)
					}
					got = append(got, n.ID)
				}
				if !p.Traces.PageInfo.HasNextPage {
					if p.Traces.PageInfo.EndCursor == nil {
						t.Errorf("the last page has no endCursor")
					}
					break
				}
				after = *p.Traces.PageInfo.EndCursor
			}
			if !slices.Equal(sizes, tt.wantSizes) {
				t.Errorf("page sizes %v, want %v", sizes, tt.wantSizes)
			}
			if !slices.Equal(got, wantIDs) {
				t.Errorf("walked %d traces, want the %d of the case newest first, each once:\ngot  %v\nwant %v", len(got), len(wantIDs), got, wantIDs)
			}
			if n := h.count(`SELECT count(*) FROM audit_log WHERE case_ref = 'DSR-PAGES' AND role = 'dsr' AND outcome = 'ok'`) - auditBefore; n != len(sizes) {
				t.Errorf("%d audit rows with the case reference for %d pages", n, len(sizes))
			}
		})
	}

	t.Run("AfterTheLastPage", func(t *testing.T) {
		var all, rest page
		dsr.with(t).data(query, map[string]any{"c": caseRef, "first": 500}, &all)
		dsr.with(t).data(query, map[string]any{"c": caseRef, "after": *all.Traces.PageInfo.EndCursor}, &rest)
		if len(rest.Traces.Nodes) != 0 || rest.Traces.PageInfo.HasNextPage || rest.Traces.PageInfo.EndCursor != nil {
			t.Errorf("after the last trace: %+v, want an empty last page without a cursor", rest.Traces)
		}
	})

	orgCursor := "aWQ6NQ" // "id:5", a cursor of the other lists
	refused := []struct {
		name      string
		vars      map[string]any
		wantField string
	}{
		{"PageTooSmall", map[string]any{"c": caseRef, "first": 0}, "first"},
		{"PageTooLarge", map[string]any{"c": caseRef, "first": 501}, "first"},
		{"AnotherListsCursor", map[string]any{"c": caseRef, "after": orgCursor}, "after"},
		{"NotACursor", map[string]any{"c": caseRef, "after": "DSR-PAGES"}, "after"},
		{"CursorWithAForgedID", map[string]any{"c": caseRef, "after": "dHJhY2U6MTp4"}, "after"}, // "trace:1:x"
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			r := dsr.with(t).post(query, tt.vars)
			if r.code() != "INVALID_INPUT" || r.field() != tt.wantField {
				t.Errorf("got %s on %q (%+v), want INVALID_INPUT on %q", r.code(), r.field(), r.Errors, tt.wantField)
			}
		})
	}
}
