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
}

// ChainTimeline is the instants at which a controller's chain changed,
// oldest first.
type ChainTimeline struct {
	Changes []ChainChange
	// Truncated says the walk stopped at TimelineOptions.MaxPaths: the
	// changes listed happened, others may be missing.
	Truncated bool
}
