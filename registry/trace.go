package registry

import (
	"fmt"
	"sort"
	"time"
)

// Certainty says how sure a trace is that a party or system held the call:
// certain, or possible when some link on the way took only a share of calls.
const (
	Certain  = "certain"
	Possible = "possible"
)

// Reason codes: why a trace may be incomplete.
const (
	ReasonNoRetention  = "NO_RETENTION"
	ReasonNoLocation   = "NO_STORAGE_LOCATION"
	ReasonNoSystems    = "NO_SYSTEMS"
	ReasonShareRouting = "ROUTING_SHARE"
	ReasonTextRouting  = "ROUTING_UNSTRUCTURED"
	ReasonCycle        = "CYCLE"
	ReasonTruncated    = "TRUNCATED"
	ReasonDepthLimit   = "DEPTH_LIMIT"
	// ReasonNoRecipients: no link from the region took the call, so the
	// registry cannot say who answered it; an empty answer is not a
	// complete one.
	ReasonNoRecipients = "NO_RECIPIENTS"
)

// Trace answers "who held this call?": every party and system that held a
// call made to a region at an instant, from when and until when, and every
// reason the answer may be incomplete. It is stored as it was computed.
type Trace struct {
	ID        string     `json:"id"`
	CaseRef   string     `json:"caseRef"`
	Region    PartyFacts `json:"region"`
	CallAt    time.Time  `json:"callAt"`
	CreatedAt time.Time  `json:"createdAt"`
	CreatedBy string     `json:"createdBy"`
	// CompiledBy is the role of whoever made the trace (RoleTitles words
	// it), which the printed report names; empty in traces made before
	// it was kept.
	CompiledBy string        `json:"compiledBy,omitempty"`
	Complete   bool          `json:"complete"`
	Reasons    []TraceReason `json:"reasons"`
	Holders    []Holder      `json:"holders"`
	Systems    []HeldSystem  `json:"systems"`
	Excluded   []Excluded    `json:"excluded"`
	// Exposures are the incidents whose exposure window a system held the
	// call in (document version 4; absent before, and when there are none).
	Exposures []TraceExposure `json:"exposures,omitempty"`
	// KnownExposure is what the registry knew against each system while it
	// held the call: internet access without MFA, known-exploited or
	// unsupported software, facts not established (document version 5;
	// absent before, and when nothing was known against any system).
	KnownExposure []KnownExposure `json:"knownExposure,omitempty"`
	// Law is the law the calling region's answer was given under: its own
	// at the call (kedja_party_law), EU law where it has none, as its
	// countries' standings are read. AccessCitation is the provision that
	// law gave the caller the right of access by on the day of the call
	// (kedja_law_citation, topic 'access'): GDPR Art. 15(1)(c) and (d), PUL
	// 26 § in Sweden before 25 May 2018, the UK GDPR, the FADP. Both are
	// empty in documents before version 6, which recorded neither.
	Law            string `json:"law,omitempty"`
	AccessCitation string `json:"accessCitation,omitempty"`
	// Version is the stored document's version (1 for one stored before
	// documents carried a number); not part of the document itself.
	Version int `json:"-"`
	// MadeBy is the id of the token that made it (0 when unknown): with
	// the dsr role, only that token reads it. Not part of the document.
	MadeBy int64 `json:"-"`
}

// Recipient is one party that received the call, once however many links
// it was reached over: the recipient's identity is what GDPR Art. 15(1)(c)
// asks for (CJEU C-154/21), the links are how it came to hold the call.
type Recipient struct {
	Party PartyFacts
	// Holders are the links it received the call over, in the trace's
	// order.
	Holders []Holder
	// Certainty is Certain when any link reached it certainly.
	Certainty string
	HeldFrom  time.Time
	// HeldUntil is when the last system it used let go of the call; nil
	// when that is not known.
	HeldUntil *time.Time
}

// Recipients groups a trace's holders by party, in the order each party
// was first reached. Holders of one party share their hold, which BuildTrace
// works out per party.
func (t Trace) Recipients() []Recipient {
	var out []Recipient
	at := map[int64]int{}
	for _, h := range t.Holders {
		i, ok := at[h.Party.ID]
		if !ok {
			i = len(out)
			at[h.Party.ID] = i
			out = append(out, Recipient{Party: h.Party, Certainty: h.Certainty, HeldFrom: h.HeldFrom, HeldUntil: h.HeldUntil})
		}
		r := &out[i]
		r.Holders = append(r.Holders, h)
		if h.Certainty == Certain {
			r.Certainty = Certain
		}
	}
	return out
}

// TraceExposure says that a system held the call during an incident's
// exposure window: which system, from when to when (the overlap of its hold
// and the window), and whether the incident's access logs show the call
// (Logged: logged, not_logged, unknown when the logs cannot tell, no_log).
type TraceExposure struct {
	IncidentID int64      `json:"incidentId"`
	Title      string     `json:"title"`
	Kind       string     `json:"kind"`
	SystemID   int64      `json:"systemId"`
	SystemName string     `json:"systemName"`
	From       time.Time  `json:"from"`
	Until      *time.Time `json:"until,omitempty"`
	Logged     string     `json:"logged"`
}

// IncidentHold is an incident's exposure of a system, as a trace reads it:
// its window and what its logs say of the call.
type IncidentHold struct {
	SystemID   int64      `db:"system_id"`
	IncidentID int64      `db:"incident_id"`
	Title      string     `db:"title"`
	Kind       string     `db:"kind"`
	WindowFrom *time.Time `db:"window_from"`
	WindowTo   *time.Time `db:"window_to"`
	Logged     string     `db:"logged"`
}

// TraceReason is one reason a trace may be incomplete, in English and Swedish.
type TraceReason struct {
	Code    string `json:"code"`
	Subject string `json:"subject"`
	En      string `json:"en"`
	Sv      string `json:"sv"`
}

// Holder is a party that received the call over a link.
type Holder struct {
	Party             PartyFacts `json:"party"`
	FromParty         PartyFacts `json:"fromParty"`
	LinkID            int64      `json:"linkId"`
	Role              string     `json:"role"`
	Depth             int        `json:"depth"`
	Path              []int64    `json:"path"`
	Certainty         string     `json:"certainty"`
	Route             string     `json:"route"`
	AgreementRef      *string    `json:"agreementRef,omitempty"`
	TransferMechanism string     `json:"transferMechanism"`
	SCCModule         *int16     `json:"sccModule,omitempty"`
	// Transfer is the transfer verdict (kedja_transfer_verdict) for the
	// party over its link at the call: TransferNotNeeded, or one of the
	// Transfer verdicts of gaps.go. Empty in traces stored before it was
	// recorded (document versions 1 and 2).
	Transfer string `json:"transfer,omitempty"`
	// FoundRole is the role an authority or court found the party to have
	// on the link (FoundBy, decided FoundOn), where that differs from or
	// confirms the claimed Role; empty when no decision was recorded when
	// the trace was made, and in documents before version 4.
	FoundRole string     `json:"foundRole,omitempty"`
	FoundBy   string     `json:"foundBy,omitempty"`
	FoundOn   *time.Time `json:"foundOn,omitempty"`
	HeldFrom  time.Time  `json:"heldFrom"`
	// HeldUntil is when the last system it used let go of the call; nil
	// when that is not known.
	HeldUntil *time.Time `json:"heldUntil,omitempty"`
}

// HeldSystem is a system that held the call, from when and until when.
type HeldSystem struct {
	SystemID  int64          `json:"systemId"`
	Name      string         `json:"name"`
	Kind      string         `json:"kind"`
	Party     PartyFacts     `json:"party"`
	LinkID    int64          `json:"linkId,omitempty"`
	MoveID    int64          `json:"moveId,omitempty"`
	Certainty string         `json:"certainty"`
	HeldFrom  time.Time      `json:"heldFrom"`
	HeldUntil *time.Time     `json:"heldUntil,omitempty"`
	Until     string         `json:"until"` // call_end, retention, moved, ended, unknown
	Storage   []CountryFacts `json:"storage"`
}

// Excluded is a link the call did not take, and why.
type Excluded struct {
	LinkID    int64      `json:"linkId"`
	FromParty PartyFacts `json:"fromParty"`
	ToParty   PartyFacts `json:"toParty"`
	Reason    string     `json:"reason"`
}

// TraceInput is what the store found for a trace.
type TraceInput struct {
	CaseRef   string
	Region    PartyFacts
	CallAt    time.Time
	Steps     []Step
	Truncated bool
	MaxDepth  int
	Parties   map[int64]PartyFacts
	Uses      []UseFacts
	Moves     []MoveFacts
	Countries map[string]CountryFacts
	Incidents []IncidentHold
	// Law and AccessCitation are the region's law at the call and what
	// an access request's answer cites under it (Trace.Law).
	Law, AccessCitation string
	// Zone is the zone the trace was read in: the region's, or the
	// registry's when the region has none (the store decides, and reads
	// the days of the call in it too); nil reads Region.TimeZone.
	Zone *time.Location
}

// BuildTrace assembles a trace from what the store found. It drops nothing
// silently: every gap becomes a reason, and Complete is true only without any.
func BuildTrace(in TraceInput) Trace {
	t := Trace{CaseRef: in.CaseRef, Region: in.Region, CallAt: in.CallAt, Law: in.Law, AccessCitation: in.AccessCitation,
		Reasons: []TraceReason{}, Holders: []Holder{}, Systems: []HeldSystem{}, Excluded: []Excluded{}}
	reason := func(code, subject, en, sv string) {
		for _, r := range t.Reasons {
			if r.Code == code && r.Subject == subject {
				return
			}
		}
		t.Reasons = append(t.Reasons, TraceReason{Code: code, Subject: subject, En: en, Sv: sv})
	}
	zone := in.Zone
	if zone == nil {
		zone = ZoneOr(in.Region.TimeZone, time.UTC)
	}
	if in.Truncated {
		reason(ReasonTruncated, "", "The chain is larger than a trace follows; parties beyond the limit are not listed.",
			"Kedjan är större än en spårning följer; parter bortom gränsen finns inte med.")
	}

	// Links the call took, with the surest way it reached each.
	certainty := map[int64]string{}
	for _, s := range in.Steps {
		from, to := in.Parties[s.FromID], in.Parties[s.ToID]
		switch {
		case s.Route == "out_of_window":
			t.Excluded = append(t.Excluded, Excluded{LinkID: s.LinkID, FromParty: from, ToParty: to,
				Reason: fmt.Sprintf("its routing windows do not include %s (%s)", in.CallAt.In(zone).Format("Mon 2006-01-02 15:04"), zone)})
			continue
		case s.Cycle:
			reason(ReasonCycle, to.LegalName,
				fmt.Sprintf("The chain returns to %s (link %d); the loop is reported, not followed.", to.LegalName, s.LinkID),
				fmt.Sprintf("Kedjan går tillbaka till %s (länk %d); slingan redovisas men följs inte.", to.LegalName, s.LinkID))
			continue
		}
		if s.Depth >= in.MaxDepth && in.MaxDepth > 0 {
			reason(ReasonDepthLimit, to.LegalName, fmt.Sprintf("The trace stops at depth %d, at %s.", in.MaxDepth, to.LegalName),
				fmt.Sprintf("Spårningen stannar på djup %d, vid %s.", in.MaxDepth, to.LegalName))
		}
		c := Certain
		if s.Possible {
			c = Possible
		}
		switch s.Route {
		case "share":
			share := 0.0
			if s.RoutingShare != nil {
				share = *s.RoutingShare * 100
			}
			reason(ReasonShareRouting, to.LegalName,
				fmt.Sprintf("%s took only a share of calls (%.0f%%) and no time window decides which: it possibly held this call.", to.LegalName, share),
				fmt.Sprintf("%s tog bara en andel av samtalen (%.0f %%) och inget tidsfönster avgör vilka: de kan ha hanterat samtalet.", to.LegalName, share))
		case "unstructured":
			note := ""
			if s.RoutingNote != nil {
				note = *s.RoutingNote
			}
			reason(ReasonTextRouting, to.LegalName,
				fmt.Sprintf("Which calls went to %s is recorded only in words (%q); the trace assumes this one did.", to.LegalName, note),
				fmt.Sprintf("Vilka samtal som gick till %s finns bara i fritext (%q); spårningen antar att detta gjorde det.", to.LegalName, note))
		}
		if certainty[s.LinkID] != Certain {
			certainty[s.LinkID] = c
		}
		t.Holders = append(t.Holders, Holder{Party: to, FromParty: from, LinkID: s.LinkID, Role: s.Role, Depth: s.Depth,
			Path: []int64(s.Path), Certainty: c, Route: s.Route, AgreementRef: s.AgreementRef,
			TransferMechanism: s.TransferMechanism, SCCModule: s.SCCModule, Transfer: transferOf(s), HeldFrom: in.CallAt,
			FoundRole: deref(s.FoundRole), FoundBy: deref(s.FoundBy), FoundOn: s.FoundOn})
	}

	if len(t.Holders) == 0 {
		name := in.Region.LegalName
		reason(ReasonNoRecipients, name,
			fmt.Sprintf("No link from %s took a call at that instant: the registry records no one who answered or held it.", name),
			fmt.Sprintf("Ingen länk från %s tog emot samtal vid den tidpunkten: registret visar inte vem som besvarade eller behöll samtalet.", name))
	}

	// Systems used on those links at the time of the call.
	sysCertainty := map[int64]string{}
	// One row per system and party: a system used on two links by the same
	// party (Biz 2.0 for Medhelp's and for Medicall's calls) held the call once.
	seen := map[[2]int64]int{}              // (system, party) -> index in t.Systems
	linksWithSystems := map[[2]int64]bool{} // (link, party)
	for _, u := range in.Uses {
		c, took := certainty[u.LinkID]
		if !took {
			continue
		}
		linksWithSystems[[2]int64{u.LinkID, u.PartyID}] = true
		if sysCertainty[u.SystemID] != Certain {
			sysCertainty[u.SystemID] = c
		}
		if i, dup := seen[[2]int64{u.SystemID, u.PartyID}]; dup {
			if c == Certain {
				t.Systems[i].Certainty = Certain
			}
			continue
		}
		seen[[2]int64{u.SystemID, u.PartyID}] = len(t.Systems)
		hs := HeldSystem{SystemID: u.SystemID, Name: u.Name, Kind: u.Kind, Party: in.Parties[u.PartyID], LinkID: u.LinkID,
			Certainty: c, HeldFrom: in.CallAt}
		holding(&hs, in, u.SystemFacts, reason)
		t.Systems = append(t.Systems, hs)
	}
	// Systems the recording was moved into afterwards.
	for _, m := range in.Moves {
		c := sysCertainty[m.FromSystemID]
		if c == "" {
			continue // moved out of a system the call never reached
		}
		if sysCertainty[m.ToSystemID] != Certain {
			sysCertainty[m.ToSystemID] = c
		}
		hs := HeldSystem{SystemID: m.ToSystemID, Name: m.Name, Kind: m.Kind, Party: in.Parties[m.OperatorID], MoveID: m.MoveID,
			Certainty: c, HeldFrom: m.MovedAt}
		holding(&hs, in, m.SystemFacts, reason)
		t.Systems = append(t.Systems, hs)
	}

	// A party's hold ends when the last system it used lets go of the call.
	for i := range t.Holders {
		h := &t.Holders[i]
		if !linksWithSystems[[2]int64{h.LinkID, h.Party.ID}] {
			reason(ReasonNoSystems, h.Party.LegalName,
				fmt.Sprintf("No system is recorded for %s on this link: where it kept the call, and for how long, is unknown.", h.Party.LegalName),
				fmt.Sprintf("Inget system är registrerat för %s på denna länk: var och hur länge de behöll samtalet är okänt.", h.Party.LegalName))
			continue
		}
		var until *time.Time
		known := true
		for _, s := range t.Systems {
			if s.Party.ID != h.Party.ID {
				continue
			}
			if s.HeldUntil == nil {
				known = false
				break
			}
			if until == nil || s.HeldUntil.After(*until) {
				u := *s.HeldUntil
				until = &u
			}
		}
		if known {
			h.HeldUntil = until
		}
	}
	sort.SliceStable(t.Systems, func(i, j int) bool {
		a, b := t.Systems[i], t.Systems[j]
		if !a.HeldFrom.Equal(b.HeldFrom) {
			return a.HeldFrom.Before(b.HeldFrom)
		}
		return a.Name < b.Name
	})
	t.Complete = len(t.Reasons) == 0
	t.Exposures = exposures(t.Systems, in.Incidents)
	return t
}

// holding works out until when a system held the call: the end of its
// retention, a move of the data out of it, or its end of service, whichever
// came first. A system that does not store calls held it only during the call.
func holding(hs *HeldSystem, in TraceInput, sys SystemFacts, reason func(code, subject, en, sv string)) {
	storage, hasProfile, retention, ended := sys.Storage, sys.HasProfile, sys.RetentionDays, sys.EndedAt
	if !sys.StoresCalls {
		end := in.CallAt
		hs.HeldUntil, hs.Until = &end, "call_end"
		return
	}
	hs.Storage = []CountryFacts{}
	for _, c := range storage {
		hs.Storage = append(hs.Storage, in.Countries[c])
	}
	if len(storage) == 0 {
		reason(ReasonNoLocation, hs.Name,
			fmt.Sprintf("No storage country is recorded for %s at the time.", hs.Name),
			fmt.Sprintf("Inget lagringsland är registrerat för %s vid tidpunkten.", hs.Name))
	}
	var until *time.Time
	kind := "unknown"
	consider := func(t time.Time, k string) {
		if t.After(hs.HeldFrom) && (until == nil || t.Before(*until)) {
			until, kind = &t, k
		}
	}
	if retention != nil {
		consider(in.CallAt.AddDate(0, 0, int(*retention)), "retention")
	}
	for _, m := range in.Moves {
		if m.FromSystemID == hs.SystemID {
			consider(m.MovedAt, "moved")
		}
	}
	if ended != nil {
		consider(*ended, "ended")
	}
	hs.HeldUntil, hs.Until = until, kind
	if retention == nil && until == nil {
		why, varför := "", ""
		if !hasProfile {
			why, varför = " (no security profile either)", " (inte heller någon säkerhetsprofil)"
		}
		reason(ReasonNoRetention, hs.Name,
			fmt.Sprintf("%s stored the recording, but no retention period recorded%s: how long it held the call is unknown.", hs.Name, why),
			fmt.Sprintf("%s lagrade inspelningen, men ingen lagringstid är registrerad%s: hur länge samtalet fanns kvar är okänt.", hs.Name, varför))
	}
}

// Zone is the time zone the trace's times are read and printed in: the
// calling region's, as the trace recorded it, or fallback (the registry's)
// when the region had none or it is not a zone this kedja knows. A London
// caller's call at 19:30 is shown at 19:30, in London, whatever zone the
// server runs in.
func (t Trace) Zone(fallback *time.Location) *time.Location {
	return ZoneOr(t.Region.TimeZone, fallback)
}

// In is the trace with every instant in it placed in loc (normally
// t.Zone(registry's)), for whoever shows them: the same instants, read on
// the region's clocks. Legal dates (FoundOn) stay calendar dates. The
// trace's slices are copied, never changed in place.
func (t Trace) In(loc *time.Location) Trace {
	in := func(x time.Time) time.Time {
		if x.IsZero() {
			return x
		}
		return x.In(loc)
	}
	opt := func(x *time.Time) *time.Time {
		if x == nil {
			return nil
		}
		y := in(*x)
		return &y
	}
	t.CallAt, t.CreatedAt = in(t.CallAt), in(t.CreatedAt)
	t.Holders = convertEach(t.Holders, func(h *Holder) { h.HeldFrom, h.HeldUntil = in(h.HeldFrom), opt(h.HeldUntil) })
	t.Systems = convertEach(t.Systems, func(s *HeldSystem) { s.HeldFrom, s.HeldUntil = in(s.HeldFrom), opt(s.HeldUntil) })
	t.Exposures = convertEach(t.Exposures, func(e *TraceExposure) { e.From, e.Until = in(e.From), opt(e.Until) })
	t.KnownExposure = convertEach(t.KnownExposure, func(k *KnownExposure) { k.From, k.Until = in(k.From), opt(k.Until) })
	return t
}

// transferOf is a step's transfer verdict as a trace records it.
func transferOf(s Step) string {
	if s.Transfer == nil {
		return TransferNotNeeded
	}
	return *s.Transfer
}

// exposures overlaps each system's hold on the call with the exposure
// windows of the incidents that concern it.
func exposures(systems []HeldSystem, holds []IncidentHold) []TraceExposure {
	var out []TraceExposure
	for _, sy := range systems {
		for _, h := range holds {
			if h.SystemID != sy.SystemID {
				continue
			}
			from := sy.HeldFrom
			if h.WindowFrom != nil && h.WindowFrom.After(from) {
				from = *h.WindowFrom
			}
			until := sy.HeldUntil
			if h.WindowTo != nil && (until == nil || h.WindowTo.Before(*until)) {
				w := *h.WindowTo
				until = &w
			}
			if until != nil && !until.After(from) {
				continue
			}
			out = append(out, TraceExposure{IncidentID: h.IncidentID, Title: h.Title, Kind: h.Kind, SystemID: sy.SystemID,
				SystemName: sy.Name, From: from, Until: until, Logged: h.Logged})
		}
	}
	return out
}

// convertEach returns a copy of xs with f applied to each element, leaving
// xs itself untouched (nil stays nil), so that In never changes the trace
// it was given.
func convertEach[T any](xs []T, f func(*T)) []T {
	if xs == nil {
		return nil
	}
	out := make([]T, len(xs))
	copy(out, xs)
	for i := range out {
		f(&out[i])
	}
	return out
}
