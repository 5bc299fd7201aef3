package registry

import "time"

// ChainChange is one instant at which a controller's chain changed: what
// entered it then and what left it, counted by kind. A link, system use,
// location or profile enters the chain when it starts while the links above
// it are in force, or when those links start while it is; it leaves alike.
type ChainChange struct {
	At               time.Time `db:"at"`
	LinksStarted     int       `db:"links_started"`
	LinksEnded       int       `db:"links_ended"`
	UsesStarted      int       `db:"uses_started"`
	UsesEnded        int       `db:"uses_ended"`
	LocationsStarted int       `db:"locations_started"`
	LocationsEnded   int       `db:"locations_ended"`
	ProfilesStarted  int       `db:"profiles_started"`
	ProfilesEnded    int       `db:"profiles_ended"`
}

// TimelineOptions bound a chain's timeline.
type TimelineOptions struct {
	MaxDepth int // zero: MaxChainDepth
	// MaxPaths bounds the dated paths walked (zero: 20,000, some twelve times the history of a controller of the synthetic registry); Truncated
	// says when more exist, and then later changes may be missing.
	MaxPaths int
	// From and To, when set, bound the window of instants the timeline
	// lists: after From, up to and including To (each end open when nil).
	// The changes listed in a window are those of the whole timeline that
	// fall in it, no more (its ends are not changes) and no fewer; the walk
	// looks only at what was in force during it, which keeps a long
	// history's timeline quick.
	From, To *time.Time
}

// Validate says whether the window is one: From before To.
func (o TimelineOptions) Validate() error {
	if o.From != nil && o.To != nil && !o.From.Before(*o.To) {
		return Invalid("to", "must be after from")
	}
	return nil
}

// ChainTimeline is the instants at which a controller's chain changed,
// oldest first.
type ChainTimeline struct {
	Changes []ChainChange
	// Truncated says the walk stopped at TimelineOptions.MaxPaths: the
	// changes listed happened, others may be missing.
	Truncated bool
}
