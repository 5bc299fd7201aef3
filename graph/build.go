package graph

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kedja/kedja/registry"
)

// DefaultLimit is how many nodes a picture shows before it summarises.
const DefaultLimit = 300

// ChainInput is what a chain picture is drawn from.
type ChainInput struct {
	Controller registry.PartyFacts
	At         time.Time
	Steps      []registry.Step
	Parties    map[int64]registry.PartyFacts
	Uses       []registry.UseFacts
	Countries  map[string]registry.CountryFacts
	Findings   FindingCounts
	Asked      string // what was asked, for the caption
	DrawnAt    time.Time
	Location   *time.Location
	Limit      int
	Truncated  bool // the walk itself stopped early
}

// FindingCounts are open findings by subject.
type FindingCounts struct {
	Parties map[int64]int
	Systems map[int64]int
}

func partyID(id int64) string  { return fmt.Sprintf("o%d", id) }
func systemID(id int64) string { return fmt.Sprintf("s%d", id) }

func kindOfRole(role string) string {
	switch role {
	case "processor":
		return KindProcessor
	case "sub_processor":
		return KindSub
	case "recipient":
		return KindRecipient
	}
	return KindController
}

func day(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01-02") }

func period(from time.Time, to *time.Time, loc *time.Location) string {
	if to == nil {
		return "since " + day(from, loc)
	}
	return day(from, loc) + " – " + day(*to, loc)
}

func partyLabel(p registry.PartyFacts) string {
	return p.LegalName + "\n" + p.Country
}

// partyNodes adds parties to a picture once each, in their country's
// cluster, and keeps the countries used for the clusters.
type partyNodes struct {
	p         *Picture
	parties   map[int64]registry.PartyFacts
	seen      map[int64]bool
	codes     map[string]bool
	countries map[string]registry.CountryFacts
}

func newPartyNodes(p *Picture, parties map[int64]registry.PartyFacts) *partyNodes {
	return &partyNodes{p: p, parties: parties, seen: map[int64]bool{}, codes: map[string]bool{}, countries: map[string]registry.CountryFacts{}}
}

// add draws party id as kind, its label followed by extra lines (if any)
// and marked with its count of open findings or unmet duties.
func (n *partyNodes) add(id int64, kind, extra string, findings int) {
	if n.seen[id] {
		return
	}
	n.seen[id] = true
	pf := n.parties[id]
	n.codes[pf.Country] = true
	n.countries[pf.Country] = registry.CountryFacts{Code: pf.Country, Name: pf.CountryName, TransferClass: pf.TransferClass}
	n.p.Nodes = append(n.p.Nodes, Node{ID: partyID(id), Label: partyLabel(pf) + extra, Kind: kind, Cluster: pf.Country, Findings: findings})
}

// clusters are the country clusters of the parties added.
func (n *partyNodes) clusters() []Cluster { return clusters(n.codes, n.countries) }

// clusters returns the country clusters of the codes used.
func clusters(codes map[string]bool, countries map[string]registry.CountryFacts) []Cluster {
	var out []Cluster
	for code := range codes {
		c := countries[code]
		name := c.Name
		if name == "" {
			name = code
		}
		out = append(out, Cluster{Key: code, Label: fmt.Sprintf("%s (%s) · %s", name, code, ClassWords[c.TransferClass]), Class: c.TransferClass})
	}
	return out
}

// stepCountries is countries with the standing of each country a step
// reaches taken from the step (the walk's kedja_transfer_class under the
// law the link is judged by, as the chain's steps give it), the shallowest
// step's where steps into it differ: so the picture labels a UK
// processor of a UK controller domestic, as the chain does. A country no
// step reaches keeps the standing it came with.
func stepCountries(steps []registry.Step, countries map[string]registry.CountryFacts) map[string]registry.CountryFacts {
	out := make(map[string]registry.CountryFacts, len(countries))
	for code, c := range countries {
		out[code] = c
	}
	set := map[string]bool{}
	for _, s := range steps {
		if c, ok := out[s.ToCountry]; ok && !set[s.ToCountry] && s.TransferClass != "" {
			c.TransferClass = s.TransferClass
			out[s.ToCountry], set[s.ToCountry] = c, true
		}
	}
	return out
}

// Chain draws everything reachable from a controller at an instant. Above
// the limit, the deepest parties give way to summary nodes, one per party
// whose subcontractors were left out, and the caption says how many.
func Chain(in ChainInput) Picture {
	if in.Limit <= 0 {
		in.Limit = DefaultLimit
	}
	loc := in.Location
	p := Picture{Title: fmt.Sprintf("Processing chain of %s as of %s", in.Controller.LegalName, in.At.In(loc).Format("2006-01-02 15:04 MST"))}
	codes := map[string]bool{in.Controller.Country: true}
	p.Nodes = append(p.Nodes, Node{ID: partyID(in.Controller.ID), Label: partyLabel(in.Controller), Kind: KindController,
		Cluster: in.Controller.Country, Findings: in.Findings.Parties[in.Controller.ID]})

	// Parties in the order the walk reached them (shallowest first): the
	// first Limit are drawn, the rest summarised under their parent.
	shown := map[int64]bool{in.Controller.ID: true}
	kind := map[int64]string{}
	var order []int64
	for _, s := range in.Steps {
		if _, seen := kind[s.ToID]; !seen && s.ToID != in.Controller.ID {
			kind[s.ToID] = kindOfRole(s.Role)
			order = append(order, s.ToID)
		}
	}
	budget := in.Limit - 1
	for _, id := range order {
		if budget <= 0 {
			break
		}
		shown[id] = true
		budget--
	}
	for _, id := range order {
		if !shown[id] {
			continue
		}
		pf := in.Parties[id]
		codes[pf.Country] = true
		p.Nodes = append(p.Nodes, Node{ID: partyID(id), Label: partyLabel(pf), Kind: kind[id], Cluster: pf.Country,
			Findings: in.Findings.Parties[id]})
	}
	// Every party left out is counted under its nearest ancestor drawn,
	// which gets one summary node.
	parentOf := map[int64]int64{}
	seenEdge := map[string]bool{}
	for _, s := range in.Steps {
		if _, ok := parentOf[s.ToID]; !ok && s.ToID != in.Controller.ID {
			parentOf[s.ToID] = s.FromID
		}
		if !shown[s.FromID] || !shown[s.ToID] {
			continue
		}
		key := fmt.Sprint(s.LinkID)
		if seenEdge[key] {
			continue
		}
		seenEdge[key] = true
		label := strings.ReplaceAll(s.Role, "_", "-")
		color := ""
		if s.Cycle {
			label += "\n(loops back)"
			color = "#b45309"
		}
		p.Edges = append(p.Edges, Edge{From: partyID(s.FromID), To: partyID(s.ToID), Label: label, Color: color})
	}
	left := map[int64]int{}
	omitted := 0
	for _, id := range order {
		if shown[id] {
			continue
		}
		omitted++
		anc := parentOf[id]
		for hops := 0; !shown[anc] && hops < len(order); hops++ {
			anc = parentOf[anc]
		}
		left[anc]++
	}
	parents := make([]int64, 0, len(left))
	for parent := range left {
		parents = append(parents, parent)
	}
	sort.Slice(parents, func(i, j int) bool { return parents[i] < parents[j] })
	for _, parent := range parents {
		id := fmt.Sprintf("more_o%d", parent)
		p.Nodes = append(p.Nodes, Node{ID: id, Label: fmt.Sprintf("+%d more parties\n(not drawn)", left[parent]), Kind: KindSummary})
		p.Edges = append(p.Edges, Edge{From: partyID(parent), To: id, Label: "", Style: "dashed"})
	}

	// Systems used by the parties drawn, in the country they store data in.
	seenUse := map[string]bool{}
	drawn := len(p.Nodes)
	for _, u := range in.Uses {
		if !shown[u.PartyID] {
			continue
		}
		if drawn >= in.Limit+len(parents) {
			omitted++
			continue
		}
		sid := systemID(u.SystemID)
		cluster := in.Parties[u.PartyID].Country
		if len(u.Storage) > 0 {
			cluster = u.Storage[0]
		}
		if !seenUse[sid] {
			seenUse[sid] = true
			codes[cluster] = true
			label := u.Name + "\n" + u.Kind
			if u.StoresCalls {
				if u.RetentionDays == nil {
					label += "\nretention: none recorded"
				} else {
					label += fmt.Sprintf("\nretention: %d days", *u.RetentionDays)
				}
			}
			p.Nodes = append(p.Nodes, Node{ID: sid, Label: label, Kind: KindSystem, Cluster: cluster, Findings: in.Findings.Systems[u.SystemID]})
			drawn++
		}
		ek := partyID(u.PartyID) + sid
		if !seenEdge[ek] {
			seenEdge[ek] = true
			p.Edges = append(p.Edges, Edge{From: partyID(u.PartyID), To: sid, Label: "uses", Style: "dashed", Color: "#64748b"})
		}
	}
	p.Clusters = clusters(codes, stepCountries(in.Steps, in.Countries))
	p.Caption = []string{
		fmt.Sprintf("Asked: %s · drawn %s · %d parties, %d systems", in.Asked, in.DrawnAt.In(loc).Format("2006-01-02 15:04 MST"),
			len(order)+1, len(seenUse)),
	}
	if omitted > 0 || in.Truncated {
		msg := fmt.Sprintf("Left out: %d parties and systems beyond the limit of %d nodes (summarised in dashed folders)", omitted, in.Limit)
		if in.Truncated {
			msg += "; the chain itself is longer than a walk follows"
		}
		p.Caption = append(p.Caption, msg)
	}
	return p
}

// Trace draws who held one call: holders (dashed where only possibly),
// the systems that held it, moves of stored data, and the parties the call
// did not reach (dotted).
func Trace(t registry.Trace, findings FindingCounts, loc *time.Location, limit int) Picture {
	if limit <= 0 {
		limit = DefaultLimit
	}
	p := Picture{Title: fmt.Sprintf("Who held a call to %s at %s", t.Region.LegalName, t.CallAt.In(loc).Format("2006-01-02 15:04 MST"))}
	codes := map[string]bool{t.Region.Country: true}
	countries := map[string]registry.CountryFacts{t.Region.Country: {Code: t.Region.Country, Name: t.Region.CountryName, TransferClass: t.Region.TransferClass}}
	add := func(pf registry.PartyFacts) {
		codes[pf.Country] = true
		countries[pf.Country] = registry.CountryFacts{Code: pf.Country, Name: pf.CountryName, TransferClass: pf.TransferClass}
	}
	p.Nodes = append(p.Nodes, Node{ID: partyID(t.Region.ID), Label: partyLabel(t.Region), Kind: KindController,
		Cluster: t.Region.Country, Findings: findings.Parties[t.Region.ID]})
	nodes := map[string]int{partyID(t.Region.ID): 0}
	omitted := 0
	addNode := func(n Node) bool {
		if i, ok := nodes[n.ID]; ok {
			// A party reached certainly on one path is certain.
			p.Nodes[i].Possible = p.Nodes[i].Possible && n.Possible
			return true
		}
		if len(p.Nodes) >= limit {
			omitted++
			return false
		}
		nodes[n.ID] = len(p.Nodes)
		p.Nodes = append(p.Nodes, n)
		return true
	}
	for _, h := range t.Holders {
		add(h.Party)
		if !addNode(Node{ID: partyID(h.Party.ID), Label: partyLabel(h.Party), Kind: kindOfRole(h.Role), Cluster: h.Party.Country,
			Findings: findings.Parties[h.Party.ID], Possible: h.Certainty == registry.Possible}) {
			continue
		}
		label := strings.ReplaceAll(h.Role, "_", "-")
		if h.Route == "in_window" {
			label += "\n(in routing window)"
		}
		style := "solid"
		if h.Certainty == registry.Possible {
			style = "dashed"
			label += "\n(possibly)"
		}
		p.Edges = append(p.Edges, Edge{From: partyID(h.FromParty.ID), To: partyID(h.Party.ID), Label: label, Style: style})
	}
	for _, s := range t.Systems {
		cluster := s.Party.Country
		if len(s.Storage) > 0 {
			cluster = s.Storage[0].Code
			codes[cluster] = true
			countries[cluster] = s.Storage[0]
		}
		until := "until unknown"
		if s.HeldUntil != nil {
			until = "until " + day(*s.HeldUntil, loc)
		}
		if !addNode(Node{ID: systemID(s.SystemID), Label: s.Name + "\n" + until, Kind: KindSystem, Cluster: cluster,
			Findings: findings.Systems[s.SystemID], Possible: s.Certainty == registry.Possible}) {
			continue
		}
		label, style := "used", "dashed"
		if s.MoveID != 0 {
			label, style = "moved in "+day(s.HeldFrom, loc), "bold"
		}
		p.Edges = append(p.Edges, Edge{From: partyID(s.Party.ID), To: systemID(s.SystemID), Label: label, Style: style, Color: "#64748b"})
	}
	for _, x := range t.Excluded {
		add(x.ToParty)
		if addNode(Node{ID: partyID(x.ToParty.ID), Label: partyLabel(x.ToParty) + "\nnot involved", Kind: KindRecipient,
			Cluster: x.ToParty.Country, Excluded: true}) {
			p.Edges = append(p.Edges, Edge{From: partyID(x.FromParty.ID), To: partyID(x.ToParty.ID), Label: "outside routing window", Style: "dotted", Color: "#9ca3af"})
		}
	}
	p.Clusters = clusters(codes, countries)
	complete := "complete"
	if !t.Complete {
		complete = fmt.Sprintf("may be incomplete (%d reasons)", len(t.Reasons))
	}
	p.Caption = []string{fmt.Sprintf("Asked: traceCall for case %s · trace %s computed %s · %s", t.CaseRef, t.ID,
		t.CreatedAt.In(loc).Format("2006-01-02 15:04 MST"), complete)}
	if omitted > 0 {
		p.Caption = append(p.Caption, fmt.Sprintf("Left out: %d holders and systems beyond the limit of %d nodes", omitted, limit))
	}
	return p
}

// ResponsibilityInput is what a responsibility picture is drawn from.
type ResponsibilityInput struct {
	Subject  string // the organisation's or system's name
	SystemID int64  // when the subject is a system
	At       time.Time
	Paths    []ResponsibilityPath
	Gaps     map[int64][]string // link id -> what it lacks
	Parties  map[int64]registry.PartyFacts
	Findings FindingCounts
	DrawnAt  time.Time
	Location *time.Location
	Asked    string
}

// ResponsibilityPath is one path from a controller down to the subject.
type ResponsibilityPath struct {
	Links []registry.Link
	// MovedAt, when set, is when the path's data was moved into the subject
	// system rather than received over the path.
	MovedAt *time.Time
}

// Responsibility draws every path from a controller down to a party or
// system, with what each link lacks in red.
func Responsibility(in ResponsibilityInput) Picture {
	loc := in.Location
	p := Picture{Title: fmt.Sprintf("Who was responsible for %s on %s", in.Subject, in.At.In(loc).Format("2006-01-02 15:04 MST"))}
	nodes := newPartyNodes(&p, in.Parties)
	addParty := func(id int64, kind string) { nodes.add(id, kind, "", in.Findings.Parties[id]) }
	seen := map[string]bool{} // party -> system edges drawn
	edges := map[int64]bool{}
	for _, path := range in.Paths {
		for i, l := range path.Links {
			if i == 0 {
				addParty(l.FromID, KindController)
			}
			addParty(l.ToID, kindOfRole(l.Role))
			if edges[l.ID] {
				continue
			}
			edges[l.ID] = true
			label := strings.ReplaceAll(l.Role, "_", "-") + "\n" + period(l.From, l.To, loc)
			color := ""
			if gaps := in.Gaps[l.ID]; len(gaps) > 0 {
				label += "\nmissing: " + strings.Join(gaps, ", ")
				color = "#dc2626"
			}
			p.Edges = append(p.Edges, Edge{From: partyID(l.FromID), To: partyID(l.ToID), Label: label, Color: color})
		}
	}
	if in.SystemID != 0 {
		p.Nodes = append(p.Nodes, Node{ID: systemID(in.SystemID), Label: in.Subject, Kind: KindSystem, Findings: in.Findings.Systems[in.SystemID]})
		for _, path := range in.Paths {
			last := path.Links[len(path.Links)-1]
			label := "uses"
			if path.MovedAt != nil {
				label = "moved in " + path.MovedAt.In(loc).Format("2006-01-02")
			}
			key := partyID(last.ToID) + systemID(in.SystemID) + label
			if !seen[key] {
				seen[key] = true
				p.Edges = append(p.Edges, Edge{From: partyID(last.ToID), To: systemID(in.SystemID), Label: label, Style: "dashed", Color: "#64748b"})
			}
		}
	}
	p.Clusters = nodes.clusters()
	p.Caption = []string{fmt.Sprintf("Asked: %s · drawn %s · %d paths", in.Asked, in.DrawnAt.In(loc).Format("2006-01-02 15:04 MST"), len(in.Paths))}
	return p
}

// unmet are the duty statuses a picture of an incident marks in red.
var unmet = map[string]bool{"overdue": true, "not_aware": true, "not_notified": true, "notified_late": true}

// dutyWords label a controller's Art. 33(1) duty in a picture.
var dutyWords = map[string]string{
	"notified": "notified", "notified_late": "notified LATE", "not_aware": "NOT AWARE (none recorded)",
	"overdue": "OVERDUE", "not_notified": "NOT NOTIFIED", "due": "due",
}

// Impact draws an incident's impact: every path from a controller down to
// the incident's systems, each controller with its Art. 33(1) deadline and
// where it stands, and every party with an unmet duty outlined in red.
func Impact(imp registry.Impact, loc *time.Location, drawnAt time.Time) Picture {
	inc := imp.Incident
	window := "unknown start"
	if inc.ExposureFrom != nil {
		window = day(*inc.ExposureFrom, loc)
	}
	if inc.ContainedAt != nil {
		window += " – " + inc.ContainedAt.In(loc).Format("2006-01-02 15:04")
	} else {
		window += " – not contained"
	}
	p := Picture{Title: fmt.Sprintf("Who must be told of incident %d: %s (exposed %s)", inc.ID, inc.Title, window)}
	unmetOf := map[int64]int{}
	deadline := map[int64]string{}
	for _, d := range imp.Duties {
		if unmet[d.Status] {
			unmetOf[d.FromID]++
		}
		if d.Article == "art33_1" {
			w := dutyWords[d.Status]
			if d.Deadline != nil {
				w += ", deadline " + d.Deadline.In(loc).Format("2006-01-02 15:04")
			}
			deadline[d.FromID] = w
		}
	}
	nodes := newPartyNodes(&p, imp.Parties)
	addParty := func(id int64, kind string) {
		extra := ""
		if w, ok := deadline[id]; ok {
			extra = "\nArt. 33(1): " + w
		}
		nodes.add(id, kind, extra, unmetOf[id])
	}
	edges := map[string]bool{}
	for _, path := range imp.Paths {
		for i, id := range path.Links {
			l := imp.Links[id]
			if i == 0 {
				addParty(l.FromID, KindController)
			}
			kind := kindOfRole(l.Role)
			if _, ok := deadline[l.ToID]; ok {
				kind = KindController
			}
			addParty(l.ToID, kind)
			key := fmt.Sprintf("l%d", id)
			if edges[key] {
				continue
			}
			edges[key] = true
			p.Edges = append(p.Edges, Edge{From: partyID(l.FromID), To: partyID(l.ToID),
				Label: strings.ReplaceAll(l.Role, "_", "-") + "\n" + period(l.From, l.To, loc)})
		}
		last := imp.Links[path.Links[len(path.Links)-1]]
		label := "uses"
		if path.MoveID != nil {
			label = "moved in"
		}
		if path.HeldFrom != nil {
			label += "\ncalls from " + day(*path.HeldFrom, loc)
		}
		key := partyID(last.ToID) + systemID(path.SystemID) + label
		if !edges[key] {
			edges[key] = true
			p.Edges = append(p.Edges, Edge{From: partyID(last.ToID), To: systemID(path.SystemID), Label: label, Style: "dashed", Color: "#64748b"})
		}
	}
	ids := append([]int64{}, inc.SystemIDs...)
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		name := imp.Systems[id].Name
		if name == "" {
			name = fmt.Sprintf("system %d", id)
		}
		p.Nodes = append(p.Nodes, Node{ID: systemID(id), Label: name + "\nEXPOSED (" + inc.Kind + ")", Kind: KindSystem, Findings: 1})
	}
	p.Clusters = nodes.clusters()
	e := imp.Evidence
	p.Caption = []string{fmt.Sprintf("Duties as of %s · drawn %s · %d controllers · logs: %d downloads, %d unique calls, %d sources",
		imp.At.In(loc).Format("2006-01-02 15:04 MST"), drawnAt.In(loc).Format("2006-01-02 15:04 MST"), len(imp.Controllers),
		e.Downloads, e.UniqueCalls, e.UniqueSources)}
	return p
}
