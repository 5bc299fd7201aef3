package schema

import (
	"fmt"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
)

// timelineField is Chain.timeline: the instants at which the chain changed,
// each a date a view of the chain can be reopened at.
func (t *types) timelineField() *graphql.Field {
	count := func(desc string, get func(registry.ChainChange) int) *graphql.Field {
		return field(nn(graphql.Int), desc, func(c registry.ChainChange) any { return get(c) })
	}
	change := graphql.NewObject(graphql.ObjectConfig{Name: "ChainChange",
		Description: "An instant at which a controller's chain changed: what entered it and what left it, counted by kind.",
		Fields: graphql.Fields{
			"at":               field(nn(t.instant), "The instant.", func(c registry.ChainChange) any { return c.At }),
			"linksStarted":     count("Links that entered the chain: they started, or the links above them did, while the rest of their path was in force.", func(c registry.ChainChange) int { return c.LinksStarted }),
			"linksEnded":       count("Links that left the chain: they ended, or a link above them did.", func(c registry.ChainChange) int { return c.LinksEnded }),
			"usesStarted":      count("System uses on the chain's links that entered it.", func(c registry.ChainChange) int { return c.UsesStarted }),
			"usesEnded":        count("System uses on the chain's links that left it.", func(c registry.ChainChange) int { return c.UsesEnded }),
			"locationsStarted": count("Storage or access locations of the chain's systems that entered it.", func(c registry.ChainChange) int { return c.LocationsStarted }),
			"locationsEnded":   count("Storage or access locations of the chain's systems that left it.", func(c registry.ChainChange) int { return c.LocationsEnded }),
			"profilesStarted":  count("Security profiles of the chain's systems that entered it.", func(c registry.ChainChange) int { return c.ProfilesStarted }),
			"profilesEnded":    count("Security profiles of the chain's systems that left it.", func(c registry.ChainChange) int { return c.ProfilesEnded }),
		}})
	timeline := graphql.NewObject(graphql.ObjectConfig{Name: "ChainTimeline",
		Description: "The instants at which a controller's chain changed, at any time: links, system uses, locations and profiles entering or leaving it.",
		Fields: graphql.Fields{
			"changes": field(list(change), "Oldest first.", func(c registry.ChainTimeline) any { return c.Changes }),
			"truncated": field(nn(graphql.Boolean), "The walk over the chain's history stopped at 20,000 dated paths: "+
				"the changes listed happened, later ones may be missing.", func(c registry.ChainTimeline) any { return c.Truncated }),
		}})
	return &graphql.Field{Type: nn(timeline), Resolve: t.r.ChainTimeline(),
		Description: "The instants at which the controller's chain changed, at any time, not only at this chain's instant: " +
			"each is a date to reopen the chain at. Routing windows are left out (they say at which hours a link carries calls).",
		Args: graphql.FieldConfigArgument{
			"maxDepth": {Type: graphql.Int, Description: fmt.Sprintf("How many links deep to look, 1-%d (default %d).", registry.MaxChainDepth, registry.MaxChainDepth)},
			"from": {Type: t.instant, Description: "List only the changes after this instant (default: since the start). " +
				"A window is quicker on a long history and lists exactly the changes of the whole timeline that fall in it; its ends are not changes."},
			"to": {Type: t.instant, Description: "List only the changes up to and including this instant (default: to the end); after from."},
		}}
}
