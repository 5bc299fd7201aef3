package web

import (
	"net/url"
	"strconv"
	"time"

	"github.com/kedja/kedja/registry"
)

// timelineEntry is one date on the chain page's timeline: a link that
// reopens the chain as of the instant it changed.
type timelineEntry struct {
	registry.ChainChange
	Label, URL string
	// Current marks the change whose state the page shows: the last one at
	// or before the page's instant.
	Current bool
}

// timelineView is the chain page's timeline: the changes in a window
// around the page's instant, and links to the windows before and after it.
type timelineView struct {
	Entries   []timelineEntry
	Truncated bool
	// From and To label the window (after From, up to and including To);
	// Earlier and Later reopen the chain at its ends, whose own windows
	// hold the changes before and after it.
	From, To       string
	Earlier, Later string
}

// timelineYears is how far the chain page's timeline reaches each side of
// its instant: a whole history, 21 years in the synthetic registry, took
// seconds to read for a controller not in PostgreSQL's buffers, while the
// chain at an instant is read in milliseconds.
const timelineYears = 2

// chainTimeline lists the instants, within timelineYears of at, at which
// ctrl's chain (to depth) changed, each linked to the chain as of then,
// keeping the page's depth.
func (h *Handler) chainTimeline(q *request, ctrl int64, depth int, at time.Time) (timelineView, error) {
	loc := h.cfg.Resolvers.Location
	from, to := at.In(loc).AddDate(-timelineYears, 0, 0), at.In(loc).AddDate(timelineYears, 0, 0)
	tl, err := h.svc.Chains.Timeline(q.ctx(), ctrl, registry.TimelineOptions{MaxDepth: depth, From: &from, To: &to})
	if err != nil {
		return timelineView{}, err
	}
	v := timelineView{Truncated: tl.Truncated, Entries: make([]timelineEntry, len(tl.Changes)),
		From: from.Format("2006-01-02 15:04"), To: to.Format("2006-01-02 15:04"),
		Earlier: chainURL(ctrl, from, depth), Later: chainURL(ctrl, to, depth)}
	current := -1
	for i, c := range tl.Changes {
		local := c.At.In(loc)
		v.Entries[i] = timelineEntry{ChainChange: c, Label: local.Format("2006-01-02 15:04"), URL: chainURL(ctrl, local, depth)}
		if !c.At.After(at) {
			current = i
		}
	}
	if current >= 0 {
		v.Entries[current].Current = true
	}
	return v, nil
}

// chainURL opens ctrl's chain page as of at (in the page's zone), to depth.
func chainURL(ctrl int64, at time.Time, depth int) string {
	// The page reads instants to the minute; one with seconds keeps them,
	// so that a change's link opens the chain after the change.
	layout := "2006-01-02T15:04"
	if at.Second() != 0 || at.Nanosecond() != 0 {
		layout = "2006-01-02T15:04:05"
	}
	qs := url.Values{"controller": {strconv.FormatInt(ctrl, 10)}, "at": {at.Format(layout)}, "depth": {strconv.Itoa(depth)}}
	return "/chain?" + qs.Encode()
}

// timelinePart is what of one kind entered (Started) and left (Ended) the
// chain at a change.
type timelinePart struct {
	Key            string
	Started, Ended int
}

// Parts lists the kinds that changed, links first.
func (e timelineEntry) Parts() []timelinePart {
	var out []timelinePart
	for _, p := range []timelinePart{
		{"tl.links", e.LinksStarted, e.LinksEnded}, {"tl.uses", e.UsesStarted, e.UsesEnded},
		{"tl.locations", e.LocationsStarted, e.LocationsEnded}, {"tl.profiles", e.ProfilesStarted, e.ProfilesEnded},
	} {
		if p.Started != 0 || p.Ended != 0 {
			out = append(out, p)
		}
	}
	return out
}
