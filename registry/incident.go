package registry

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Enumerations of incidents, in the spelling the database stores.
var (
	IncidentKinds        = []string{"confidentiality", "integrity", "availability"}
	IncidentStatuses     = []string{"open", "contained", "closed"}
	Art34Assessments     = []string{"undecided", "required", "not_required"}
	NotificationArticles = []string{"art33_1", "art33_2", "art34"}
	// DutyStatuses are kedja_notification_status's answers.
	DutyStatuses = []string{"notified", "notified_late", "not_aware", "overdue", "not_notified", "due"}
)

// Limits on an imported access log.
const (
	MaxLogBytes = 2 << 20 // 2 MiB of CSV text
	MaxLogRows  = 50000
	MaxText     = 8000
)

// Incident is a personal data breach (GDPR Art. 4(12)) as recorded: what
// happened to which systems, and its exposure window [ExposureFrom,
// ContainedAt), whose start may be unknown (nil) and whose end is nil until
// it is contained.
type Incident struct {
	ID             int64      `db:"id"`
	Title          string     `db:"title"`
	Kind           string     `db:"kind"`
	Status         string     `db:"status"`
	Description    *string    `db:"description"`
	ExposureFrom   *time.Time `db:"exposure_from"`
	ContainedAt    *time.Time `db:"contained_at"`
	DiscoveredAt   time.Time  `db:"discovered_at"`
	DataCategories []string   `db:"data_categories"`
	SubjectsApprox *int64     `db:"subjects_approx"`
	RecordsApprox  *int64     `db:"records_approx"`
	Containment    *string    `db:"containment"`
	Measures       *string    `db:"measures"`
	// SystemIDs are the systems involved; set when it is created.
	SystemIDs []int64 `db:"system_ids"`
}

// Validate checks an incident before it is stored.
func (i *Incident) Validate() error {
	if err := text("title", &i.Title, MaxName, true); err != nil {
		return err
	}
	if err := oneOf("kind", i.Kind, IncidentKinds); err != nil {
		return err
	}
	if i.Status == "" {
		i.Status = "open"
	}
	if err := oneOf("status", i.Status, IncidentStatuses); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		v    **string
	}{{"description", &i.Description}, {"containment", &i.Containment}, {"measures", &i.Measures}} {
		if err := optText(f.name, f.v, MaxText); err != nil {
			return err
		}
	}
	if i.DiscoveredAt.IsZero() {
		return Invalid("discoveredAt", "give when the incident was discovered")
	}
	if i.ExposureFrom != nil && i.DiscoveredAt.Before(*i.ExposureFrom) {
		return Invalid("discoveredAt", "discovered before the exposure began (%s)", i.ExposureFrom.Format(time.RFC3339))
	}
	if i.ContainedAt != nil && i.ExposureFrom != nil && !i.ContainedAt.After(*i.ExposureFrom) {
		return Invalid("containedAt", "containment must come after the start of the exposure (%s)", i.ExposureFrom.Format(time.RFC3339))
	}
	if i.Status != "open" && i.ContainedAt == nil {
		return Invalid("containedAt", "a %s incident needs the instant it was contained", i.Status)
	}
	if i.SubjectsApprox != nil && *i.SubjectsApprox < 0 {
		return Invalid("subjectsApprox", "cannot be negative; omit it when unknown")
	}
	if i.RecordsApprox != nil && *i.RecordsApprox < 0 {
		return Invalid("recordsApprox", "cannot be negative; omit it when unknown")
	}
	if i.DataCategories == nil {
		i.DataCategories = []string{}
	}
	if err := categories("dataCategories", i.DataCategories); err != nil {
		return err
	}
	if len(i.SystemIDs) == 0 {
		return Invalid("systemIds", "name at least one system involved")
	}
	seen := map[int64]bool{}
	for _, s := range i.SystemIDs {
		if seen[s] {
			return Invalid("systemIds", "system %d is named twice", s)
		}
		seen[s] = true
	}
	return nil
}

// IncidentParty is a party involved in an incident: when it became aware
// of it (nil: not recorded) and, for a controller, its Art. 34 assessment
// of telling the data subjects.
type IncidentParty struct {
	ID         int64      `db:"id"`
	IncidentID int64      `db:"incident_id"`
	PartyID    int64      `db:"party_id"`
	AwareAt    *time.Time `db:"aware_at"`
	Art34      string     `db:"art34"`
	Art34Note  *string    `db:"art34_note"`
	Note       *string    `db:"note"`
}

// Validate checks an incident party before it is stored; the store checks
// its awareness against the incident's discovery.
func (p *IncidentParty) Validate() error {
	if p.Art34 == "" {
		p.Art34 = "undecided"
	}
	if err := oneOf("art34", p.Art34, Art34Assessments); err != nil {
		return err
	}
	if err := optText("art34Note", &p.Art34Note, MaxNote); err != nil {
		return err
	}
	return optText("note", &p.Note, MaxNote)
}

// Notification is one notification made about an incident: by a processor
// to the party that engaged it (art33_2), by a controller to the
// supervisory authority (art33_1), or to the data subjects (art34).
type Notification struct {
	ID           int64     `db:"id"`
	IncidentID   int64     `db:"incident_id"`
	Article      string    `db:"article"`
	FromID       int64     `db:"from_id"`
	ToID         *int64    `db:"to_id"`
	ToAuthority  *string   `db:"to_authority"`
	SentAt       time.Time `db:"sent_at"`
	Reference    *string   `db:"reference"`
	DelayReasons *string   `db:"delay_reasons"`
}

// Validate checks a notification before it is stored; the store checks
// the time against the incident's discovery.
func (n *Notification) Validate() error {
	if err := oneOf("article", n.Article, NotificationArticles); err != nil {
		return err
	}
	if err := optText("toAuthority", &n.ToAuthority, MaxName); err != nil {
		return err
	}
	switch n.Article {
	case "art33_2":
		if n.ToID == nil || n.ToAuthority != nil {
			return Invalid("toId", "a processor notifies the party that engaged it: give toId, not toAuthority")
		}
		if *n.ToID == n.FromID {
			return Invalid("toId", "a party does not notify itself")
		}
	case "art33_1":
		if n.ToAuthority == nil {
			return Invalid("toAuthority", "name the supervisory authority notified")
		}
	case "art34":
		if n.ToID != nil {
			return Invalid("toId", "a notification to the data subjects has no addressee in the registry")
		}
	}
	if n.SentAt.IsZero() {
		return Invalid("sentAt", "give when it was sent")
	}
	if err := optText("reference", &n.Reference, MaxRef); err != nil {
		return err
	}
	return optText("delayReasons", &n.DelayReasons, MaxNote)
}

// LogRow is one row of an imported access or download log.
type LogRow struct {
	Line       int        `db:"line"`
	AccessedAt time.Time  `db:"accessed_at"`
	Source     string     `db:"source"`
	CallRef    string     `db:"call_ref"`
	CallAt     *time.Time `db:"call_at"`
	Region     *string    `db:"region"`
}

// logColumns are an access log's columns, in order; the last is optional.
var logColumns = []string{"time", "source", "call", "call_date", "region"}

// ParseAccessLog reads an access or download log as CSV with a header row:
// time (when it was accessed), source (address), call (file name or call
// id), call_date (when the call was made; empty if unknown) and optionally
// region (the controller's county code, where the log can tell). Instants
// without an offset are read in loc. Every malformed row is reported, by
// line number, in one INVALID_INPUT error naming field; nothing is
// returned then.
func ParseAccessLog(field, text string, loc *time.Location) ([]LogRow, error) {
	if len(text) > MaxLogBytes {
		return nil, Invalid(field, "the log is %d bytes; at most %d are imported at once", len(text), MaxLogBytes)
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	r.Comment = '#'
	var rows []LogRow
	var problems []string
	header := true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, Invalid(field, "not CSV")
			}
			if header {
				return nil, Invalid(field, "line %d: not CSV", pe.Line)
			}
			problems = append(problems, fmt.Sprintf("line %d: not CSV (%v)", pe.Line, pe.Err))
			if len(problems) > 1000 {
				break
			}
			continue
		}
		line, _ := r.FieldPos(0)
		if header {
			header = false
			if len(rec) < 4 || len(rec) > 5 {
				return nil, Invalid(field, "line %d: the header must be %s (region optional)", line, strings.Join(logColumns, ","))
			}
			for i, c := range rec {
				if strings.ToLower(strings.TrimSpace(c)) != logColumns[i] {
					return nil, Invalid(field, "line %d: column %d must be %s", line, i+1, logColumns[i])
				}
			}
			continue
		}
		if len(rows)+len(problems) >= MaxLogRows {
			return nil, Invalid(field, "more than %d rows; import the log in parts", MaxLogRows)
		}
		row, msg := parseLogRow(rec, loc)
		if msg != "" {
			problems = append(problems, fmt.Sprintf("line %d: %s", line, msg))
			continue
		}
		row.Line = line
		rows = append(rows, row)
	}
	if header {
		return nil, Invalid(field, "the log is empty; it needs a header row %s", strings.Join(logColumns, ","))
	}
	if len(problems) > 0 {
		more := ""
		if len(problems) > 20 {
			more = fmt.Sprintf("; and %d more", len(problems)-20)
			problems = problems[:20]
		}
		return nil, Invalid(field, "%d malformed rows, nothing imported: %s%s", len(problems), strings.Join(problems, "; "), more)
	}
	if len(rows) == 0 {
		return nil, Invalid(field, "the log has a header but no rows")
	}
	return rows, nil
}

func parseLogRow(rec []string, loc *time.Location) (LogRow, string) {
	if len(rec) < 4 || len(rec) > 5 {
		return LogRow{}, fmt.Sprintf("%d columns, want 4 or 5", len(rec))
	}
	var row LogRow
	t, err := ParseInstant("time", rec[0], loc)
	if err != nil {
		return row, fmt.Sprintf("time %q is not an instant", clip(rec[0]))
	}
	row.AccessedAt = t
	row.Source = strings.TrimSpace(rec[1])
	if row.Source == "" || len(row.Source) > 100 {
		return row, "source must be 1 to 100 characters"
	}
	row.CallRef = strings.TrimSpace(rec[2])
	if row.CallRef == "" || len(row.CallRef) > 300 {
		return row, "call must be 1 to 300 characters"
	}
	if s := strings.TrimSpace(rec[3]); s != "" {
		c, err := ParseInstant("call_date", s, loc)
		if err != nil {
			return row, fmt.Sprintf("call_date %q is not a date", clip(s))
		}
		row.CallAt = &c
	}
	if len(rec) == 5 {
		if s := strings.TrimSpace(rec[4]); s != "" {
			if !countyCode.MatchString(s) {
				return row, fmt.Sprintf("region %q is not a two-digit county code", clip(s))
			}
			row.Region = &s
		}
	}
	return row, ""
}

// AccessLog is an imported log.
type AccessLog struct {
	ID         int64     `db:"id"`
	IncidentID int64     `db:"incident_id"`
	Name       string    `db:"name"`
	ImportedAt time.Time `db:"imported_at"`
	Rows       int       `db:"row_count"`
}

// LogSummary is what an incident's imported logs show: downloads (rows),
// unique calls and sources, duplicates (downloads of a call already
// downloaded), the first and last access, and counts per day of access (in
// the registry's time zone), per year of call and per region.
type LogSummary struct {
	Logs          int        `json:"logs"`
	Downloads     int        `json:"downloads"`
	UniqueCalls   int        `json:"uniqueCalls"`
	Duplicates    int        `json:"duplicates"`
	UniqueSources int        `json:"uniqueSources"`
	First         *time.Time `json:"first,omitempty"`
	Last          *time.Time `json:"last,omitempty"`
	ByDay         []LogCount `json:"byDay"`
	ByCallYear    []LogCount `json:"byCallYear"`
	ByRegion      []LogCount `json:"byRegion"`
}

// LogCount is a count of downloads in one group (a day, a year of call, a
// region), with the distinct sources and calls among them. Key "" is the
// rows that cannot tell (no call date, no region).
type LogCount struct {
	Key         string `db:"key" json:"key"`
	Downloads   int    `db:"downloads" json:"downloads"`
	Sources     int    `db:"sources" json:"sources"`
	UniqueCalls int    `db:"unique_calls" json:"uniqueCalls"`
}

// IncidentPath is one path from a controller at the top of a chain down to
// a system of an incident, as kedja_incident_paths finds it.
type IncidentPath struct {
	SystemID  int64
	Links     []int64
	HeldFrom  *time.Time // first call concerned; nil: unbounded
	HeldUntil *time.Time // end of the last; nil: unbounded
	MoveID    *int64
}

// Duty is a notification duty as kedja_incident_duties states it.
type Duty struct {
	Article      string     `db:"article" json:"article"`
	FromID       int64      `db:"from_id" json:"fromId"`
	ToID         *int64     `db:"to_id" json:"toId,omitempty"`
	ControllerID int64      `db:"controller_id" json:"controllerId"`
	Path         []int64    `db:"path" json:"path"`
	AwareAt      *time.Time `db:"aware_at" json:"awareAt,omitempty"`
	Deadline     *time.Time `db:"deadline" json:"deadline,omitempty"`
	FirstSent    *time.Time `db:"first_sent" json:"firstSent,omitempty"`
	DelayReasons bool       `db:"delay_reasons" json:"delayReasons"`
	Status       string     `db:"status" json:"status"`
}

// ImpactParty is a party between a controller and an incident's systems,
// with its role on the link that reached it.
type ImpactParty struct {
	Party PartyFacts
	Role  string
}

// ImpactController is a controller whose data an incident's systems held
// during its exposure window.
type ImpactController struct {
	IncidentID int64
	Party      PartyFacts
	// Via are the parties between it and the systems, nearest first.
	Via []ImpactParty
	// Systems are the incident's systems that held its data.
	Systems []int64
	// CallsFrom and CallsUntil bound the calls held (first and last
	// recording); nil where the registry sets no bound.
	CallsFrom, CallsUntil *time.Time
	// ViaMove says some of its data reached a system by a move of stored
	// data.
	ViaMove bool
	// Duty is its Art. 33(1) duty; Party its record of awareness and Art.
	// 34 assessment, if one is recorded.
	Duty          Duty
	Involvement   *IncidentParty
	Notifications []Notification
	seen          bool
}

// Impact is what an incident means, worked out from the registry: the
// controllers whose data its systems held during its window, the
// processors between, each notification duty and where it stands at At,
// and the evidence of the logs.
type Impact struct {
	Incident    Incident
	At          time.Time
	Controllers []ImpactController
	// Duties are every duty, Art. 33(2) ones included, controllers first.
	Duties   []Duty
	Parties  map[int64]PartyFacts
	Evidence LogSummary
	// Paths, Links and Systems are what the impact was worked out from,
	// for its picture.
	Paths   []IncidentPath
	Links   map[int64]Link
	Systems map[int64]System
}

// BuildImpact assembles an impact from an incident's paths (root's link
// first), the links on them and the duties.
func BuildImpact(inc Incident, at time.Time, paths []IncidentPath, links map[int64]Link, parties map[int64]PartyFacts,
	duties []Duty, involved []IncidentParty, notes []Notification, evidence LogSummary) Impact {
	imp := Impact{Incident: inc, At: at, Controllers: []ImpactController{}, Duties: duties, Parties: parties, Evidence: evidence,
		Paths: paths, Links: links}
	byID := map[int64]*ImpactController{}
	order := []int64{}
	ctrl := func(id int64) *ImpactController {
		c, ok := byID[id]
		if !ok {
			c = &ImpactController{IncidentID: inc.ID, Party: parties[id], Via: []ImpactParty{}, Systems: []int64{}, Notifications: []Notification{}}
			byID[id] = c
			order = append(order, id)
		}
		return c
	}
	for _, p := range paths {
		if len(p.Links) == 0 {
			continue
		}
		// The controllers on the path: its top, and every party that is a
		// joint or independent controller on the link reaching it; each
		// with the parties below it.
		type pos struct {
			id    int64
			after int // index of the first link below it
		}
		cs := []pos{{links[p.Links[0]].FromID, 0}}
		for i, id := range p.Links {
			if r := links[id].Role; r == "joint_controller" || r == "independent_controller" {
				cs = append(cs, pos{links[id].ToID, i + 1})
			}
		}
		for _, cp := range cs {
			c := ctrl(cp.id)
			for _, id := range p.Links[cp.after:] {
				l := links[id]
				if !hasVia(c.Via, l.ToID) {
					c.Via = append(c.Via, ImpactParty{Party: parties[l.ToID], Role: l.Role})
				}
			}
			if !containsID(c.Systems, p.SystemID) {
				c.Systems = append(c.Systems, p.SystemID)
			}
			if !c.seen {
				c.CallsFrom, c.CallsUntil, c.seen = p.HeldFrom, p.HeldUntil, true
			} else {
				c.CallsFrom, c.CallsUntil = earliest(c.CallsFrom, p.HeldFrom), latest(c.CallsUntil, p.HeldUntil)
			}
			c.ViaMove = c.ViaMove || p.MoveID != nil
		}
	}
	for _, d := range duties {
		if d.Article == "art33_1" {
			ctrl(d.FromID).Duty = d
		}
	}
	for i := range involved {
		if c, ok := byID[involved[i].PartyID]; ok {
			c.Involvement = &involved[i]
		}
	}
	for _, n := range notes {
		if c, ok := byID[n.FromID]; ok && n.Article != "art33_2" {
			c.Notifications = append(c.Notifications, n)
		}
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := byID[order[i]].Party, byID[order[j]].Party
		if a.LegalName != b.LegalName {
			return a.LegalName < b.LegalName
		}
		return a.ID < b.ID
	})
	for _, id := range order {
		imp.Controllers = append(imp.Controllers, *byID[id])
	}
	return imp
}

func hasVia(v []ImpactParty, id int64) bool {
	for _, p := range v {
		if p.Party.ID == id {
			return true
		}
	}
	return false
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// earliest of two lower bounds, nil being unbounded.
func earliest(a, b *time.Time) *time.Time {
	if a == nil || b == nil {
		return nil
	}
	if b.Before(*a) {
		return b
	}
	return a
}

// latest of two upper bounds, nil being unbounded.
func latest(a, b *time.Time) *time.Time {
	if a == nil || b == nil {
		return nil
	}
	if b.After(*a) {
		return b
	}
	return a
}

// IncidentService records incidents and works out what they mean.
type IncidentService interface {
	// Incident loads one (NOT_FOUND naming field); Incidents lists them,
	// newest discovery first.
	Incident(ctx context.Context, field string, id int64) (Incident, error)
	ListIncidents(ctx context.Context, p Page) ([]Incident, bool, error)
	// CreateIncident records an incident and its systems; CONFLICT (field
	// exposureFrom) if another incident of the same kind claims one of
	// them for an overlapping window, NOT_FOUND (systemIds) for an unknown
	// system.
	CreateIncident(ctx context.Context, actor string, i *Incident) (Incident, error)
	// UpdateIncident changes an incident (not its systems); the same
	// rules as CreateIncident.
	UpdateIncident(ctx context.Context, actor string, id int64, apply func(*Incident) error) (Incident, error)
	// SetIncidentParty records a party's involvement (its awareness, its
	// Art. 34 assessment), replacing what was recorded of it; INVALID_INPUT
	// (field awareAt) for awareness before the incident's discovery.
	SetIncidentParty(ctx context.Context, actor string, p *IncidentParty) (IncidentParty, error)
	IncidentParties(ctx context.Context, incidents []int64) (map[int64][]IncidentParty, error)
	// ExposureWindows loads each incident's window per system: the
	// incident's own, or, where its start is unknown, the start its
	// profiles give (kedja_incident_window).
	ExposureWindows(ctx context.Context, incidents []int64) (map[int64][]ExposureWindow, error)
	// RecordNotification records a notification made; INVALID_INPUT (field
	// sentAt) for one sent before the incident's discovery.
	RecordNotification(ctx context.Context, actor string, n *Notification) (Notification, error)
	IncidentNotifications(ctx context.Context, incidents []int64) (map[int64][]Notification, error)
	// ImportAccessLog attaches a log's rows (as ParseAccessLog read them,
	// which reports malformed rows by line) to the incident, all of them in
	// one transaction; NOT_FOUND (field incident) for no such incident,
	// INVALID_INPUT (field name) for an empty or long name.
	ImportAccessLog(ctx context.Context, actor string, incident int64, name string, rows []LogRow) (AccessLog, error)
	// LogSummaries sums up each incident's imported logs.
	LogSummaries(ctx context.Context, incidents []int64) (map[int64]LogSummary, error)
	// Impact works out an incident's impact and its duties as they stand
	// at at; NOT_FOUND (field id) for no such incident.
	Impact(ctx context.Context, id int64, at time.Time) (Impact, error)
}

// ExposureWindow is an incident's window for one of its systems, fixed when
// the incident was recorded or changed.
type ExposureWindow struct {
	IncidentID int64      `db:"incident_id"`
	SystemID   int64      `db:"system_id"`
	From       *time.Time `db:"window_from"` // nil: unknown, open towards the past
	Until      *time.Time `db:"window_to"`   // nil: not contained
	// FromProfiles says the start was read from the system's profiles, the
	// incident's own being unknown.
	FromProfiles bool `db:"from_profiles"`
}
