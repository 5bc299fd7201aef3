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

// timelineView is the chain page's timeline.
type timelineView struct {
	Entries   []timelineEntry
	Truncated bool
}

// chainTimeline lists the instants at which ctrl's chain (to depth) changed,
// each linked to the chain as of then, keeping the page's depth.
func (h *Handler) chainTimeline(q *request, ctrl int64, depth int, at time.Time) (timelineView, error) {
	tl, err := h.svc.Chains.Timeline(q.ctx(), ctrl, registry.TimelineOptions{MaxDepth: depth})
	if err != nil {
		return timelineView{}, err
	}
	loc := h.cfg.Resolvers.Location
	v := timelineView{Truncated: tl.Truncated, Entries: make([]timelineEntry, len(tl.Changes))}
	current := -1
	for i, c := range tl.Changes {
		local := c.At.In(loc)
		// The page reads instants to the minute; one with seconds keeps
		// them, so that its link opens the chain after the change.
		layout := "2006-01-02T15:04"
		if local.Second() != 0 || local.Nanosecond() != 0 {
			layout = "2006-01-02T15:04:05"
		}
		qs := url.Values{"controller": {strconv.FormatInt(ctrl, 10)}, "at": {local.Format(layout)}, "depth": {strconv.Itoa(depth)}}
		v.Entries[i] = timelineEntry{ChainChange: c, Label: local.Format("2006-01-02 15:04"), URL: "/chain?" + qs.Encode()}
		if !c.At.After(at) {
			current = i
		}
	}
	if current >= 0 {
		v.Entries[current].Current = true
	}
	return v, nil
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
