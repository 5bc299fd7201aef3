package resolvers

import (
	"context"
	"time"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/registry"
)

// loaders are one request's batch loaders; a new set per request keeps one
// caller's answers out of another's.
type loaders struct {
	orgs        *loader[int64, registry.Organisation]
	systems     *loader[int64, registry.System]
	links       *loader[int64, registry.Link]
	countries   *loader[string, registry.Country]
	eea         *loader[countryKey, []registry.EEAMembership]
	adequacy    *loader[countryKey, []registry.AdequacyDecision]
	children    *loader[relKey, []registry.Organisation]
	operated    *loader[relKey, []registry.System]
	profiles    *loader[relKey, []registry.SystemProfile]
	locations   *loader[relKey, []registry.SystemLocation]
	linksFrom   *loader[relKey, []registry.Link]
	linksTo     *loader[relKey, []registry.Link]
	findings    *loader[relKey, []registry.RoleFinding]
	usesByLink  *loader[relKey, []registry.SystemUse]
	usesByParty *loader[relKey, []registry.SystemUse]
	usesBySys   *loader[relKey, []registry.SystemUse]
	movesFrom   *loader[relKey, []registry.DataMove]
	movesTo     *loader[relKey, []registry.DataMove]
	attByOrg    *loader[relKey, []registry.Attestation]
	attBySys    *loader[relKey, []registry.Attestation]
	history     *loader[registry.HistoryKey, []registry.Change]
	events      *loader[relKey, []registry.FindingEvent]
	findingsOf  map[string]*loader[findingKey, []registry.Finding] // by subject kind
	policies    *loader[relKey, []registry.LocationPolicy]
	attStatus   *loader[relKey, string]
	basis       *basisLoaders
	hygiene     *hygieneLoaders
	conditions  *loader[relKey, []registry.AgreementCondition] // resolvers/conditions.go
	notice      *noticeLoaders                                 // resolvers/notices.go
	accessPaths *loader[relKey, []registry.AccessPath]
	viaGateway  *loader[relKey, []registry.AccessPath]
	relsFrom    *loader[relKey, []registry.SystemRelation]
	relsTo      *loader[relKey, []registry.SystemRelation]
	// An incident's parties, notifications and evidence (resolvers/incident.go).
	incidentParties *loader[int64, []registry.IncidentParty]
	windows         *loader[int64, []registry.ExposureWindow]
	notifications   *loader[int64, []registry.Notification]
	evidence        *loader[int64, registry.LogSummary]
}

func newLoaders(s registry.Services) *loaders {
	l := &loaders{
		orgs:       newLoader(s.Organisations.Organisations),
		systems:    newLoader(s.Systems.Systems),
		links:      newLoader(s.Links.Links),
		countries:  newLoader(s.Countries.Countries),
		eea:        countryRel(s.Countries.EEAMemberships),
		adequacy:   countryRel(s.Countries.AdequacyDecisions),
		children:   relationLoader(s.Organisations.OrganisationChildren),
		operated:   relationLoader(s.Systems.SystemsByOperator),
		profiles:   relationLoader(s.Systems.ProfilesBySystem),
		locations:  relationLoader(s.Systems.LocationsBySystem),
		linksTo:    relationLoader(s.Links.LinksTo),
		findings:   relationLoader(s.Links.RoleFindingsByLink),
		usesByLink: relationLoader(s.Links.UsesByLink),
		usesBySys:  relationLoader(s.Links.UsesBySystem),
		movesFrom:  relationLoader(s.Links.MovesFromSystem),
		movesTo:    relationLoader(s.Links.MovesToSystem),
		attByOrg:   relationLoader(s.Attestations.AttestationsByOrg),
		attBySys:   relationLoader(s.Attestations.AttestationsBySystem),
		history:    newLoader(s.History.History),
		events:     relationLoader(s.Findings.FindingEvents),
		findingsOf: map[string]*loader[findingKey, []registry.Finding]{
			"party":  openFindingsLoader(s.Findings, "party"),
			"system": openFindingsLoader(s.Findings, "system"),
			"link":   openFindingsLoader(s.Findings, "link"),
		},
		policies:        relationLoader(s.Policies.PoliciesByController),
		attStatus:       atLoader(s.Attestations.AttestationStatuses),
		basis:           newBasisLoaders(s),
		hygiene:         newHygieneLoaders(s),
		conditions:      relationLoader(s.Posture.ConditionsByLink),
		notice:          newNoticeLoaders(s),
		accessPaths:     relationLoader(s.Posture.AccessPathsBySystem),
		viaGateway:      relationLoader(s.Posture.AccessPathsByGateway),
		relsFrom:        relationLoader(s.Posture.RelationsFrom),
		relsTo:          relationLoader(s.Posture.RelationsTo),
		incidentParties: newLoader(s.Incidents.IncidentParties),
		windows:         newLoader(s.Incidents.ExposureWindows),
		notifications:   newLoader(s.Incidents.IncidentNotifications),
		evidence:        newLoader(s.Incidents.LogSummaries),
	}
	// A link's receiving party and a use's system are read with the
	// links and uses when the request asks for them (joinedLoader).
	l.linksFrom = joinedLoader(s.Links.LinksFrom, s.Links.LinksFromWithParties, func() *loader[int64, registry.Organisation] { return l.orgs }, "to")
	l.usesByParty = joinedLoader(s.Links.UsesByParty, s.Links.UsesByPartyWithSystems, func() *loader[int64, registry.System] { return l.systems }, "system")
	return l
}

// findingKey asks for the open findings about one subject as of an instant
// with the costlier parts (registry.FindingParts) the asking field shows.
// The parts are in the key so that findings read without a part are never
// what a later field that shows it gets from the loader's cache.
type findingKey struct {
	relKey
	parts registry.FindingParts
}

// openFindingsLoader loads the open findings about subjects of one kind:
// the keys of one batch with one statement per instant, which reads the
// parts any of them asks for (two fields that show different parts of the
// same findings share the richer read).
func openFindingsLoader(f registry.FindingService, kind string) *loader[findingKey, []registry.Finding] {
	return newLoader(func(ctx context.Context, keys []findingKey) (map[findingKey][]registry.Finding, error) {
		type batch struct {
			ids   []int64
			seen  map[int64]bool
			parts registry.FindingParts
		}
		byAt := map[time.Time]*batch{}
		var order []time.Time
		for _, k := range keys {
			b := byAt[k.At]
			if b == nil {
				b = &batch{seen: map[int64]bool{}}
				byAt[k.At] = b
				order = append(order, k.At)
			}
			if !b.seen[k.ID] {
				b.seen[k.ID] = true
				b.ids = append(b.ids, k.ID)
			}
			b.parts |= k.parts
		}
		out := make(map[findingKey][]registry.Finding, len(keys))
		for _, at := range order {
			var atp *time.Time
			if !at.IsZero() {
				a := at
				atp = &a
			}
			b := byAt[at]
			rows, err := f.OpenFindingsWith(ctx, kind, b.parts, b.ids, atp)
			if err != nil {
				return nil, err
			}
			for _, k := range keys {
				if k.At == at {
					out[k] = rows[k.ID]
				}
			}
		}
		return out, nil
	})
}

// findingParts says which costlier parts of a finding the field being
// resolved (a list of findings) shows: its controllers (controllers, and
// the deprecated controller and path, which are the first of them) and
// when a run last saw it (lastSeen). A part asked for only under a
// directive that skips it is still read: too much is read, never too
// little.
func findingParts(info graphql.ResolveInfo) registry.FindingParts {
	var parts registry.FindingParts
	if selects(info, "controllers") || selects(info, "controller") || selects(info, "path") {
		parts |= registry.FindingControllers
	}
	if selects(info, "lastSeen") {
		parts |= registry.FindingLastSeen
	}
	return parts
}

// atLoader batches a lookup of rows by id at an instant: one statement per
// instant asked for.
func atLoader[V any](fetch func(ctx context.Context, ids []int64, at time.Time) (map[int64]V, error)) *loader[relKey, V] {
	return newLoader(func(ctx context.Context, keys []relKey) (map[relKey]V, error) {
		byAt := map[time.Time][]int64{}
		for _, k := range keys {
			byAt[k.At] = append(byAt[k.At], k.ID)
		}
		out := make(map[relKey]V, len(keys))
		for at, ids := range byAt {
			rows, err := fetch(ctx, ids, at)
			if err != nil {
				return nil, err
			}
			for id, v := range rows {
				out[relKey{id, at}] = v
			}
		}
		return out, nil
	})
}

// countryKey asks for a country's dated standing, as of an instant (zero:
// every period).
type countryKey struct {
	Code string
	At   time.Time
}

func countryRel[T any](fetch func(ctx context.Context, codes []string, at *time.Time) (map[string][]T, error)) *loader[countryKey, []T] {
	return newLoader(func(ctx context.Context, keys []countryKey) (map[countryKey][]T, error) {
		byAt := map[time.Time][]string{}
		for _, k := range keys {
			byAt[k.At] = append(byAt[k.At], k.Code)
		}
		out := make(map[countryKey][]T, len(keys))
		for at, codes := range byAt {
			var atp *time.Time
			if !at.IsZero() {
				a := at
				atp = &a
			}
			rows, err := fetch(ctx, codes, atp)
			if err != nil {
				return nil, err
			}
			for _, c := range codes {
				out[countryKey{c, at}] = rows[c]
			}
		}
		return out, nil
	})
}

// Loaders used by the schema's relation fields.
func Orgs(l *loaders) *loader[int64, registry.Organisation]                { return l.orgs }
func Systems(l *loaders) *loader[int64, registry.System]                   { return l.systems }
func Links(l *loaders) *loader[int64, registry.Link]                       { return l.links }
func Children(l *loaders) *loader[relKey, []registry.Organisation]         { return l.children }
func Operated(l *loaders) *loader[relKey, []registry.System]               { return l.operated }
func Profiles(l *loaders) *loader[relKey, []registry.SystemProfile]        { return l.profiles }
func Locations(l *loaders) *loader[relKey, []registry.SystemLocation]      { return l.locations }
func LinksFrom(l *loaders) *loader[relKey, []registry.Link]                { return l.linksFrom }
func LinksTo(l *loaders) *loader[relKey, []registry.Link]                  { return l.linksTo }
func RoleFindings(l *loaders) *loader[relKey, []registry.RoleFinding]      { return l.findings }
func UsesByLink(l *loaders) *loader[relKey, []registry.SystemUse]          { return l.usesByLink }
func UsesByParty(l *loaders) *loader[relKey, []registry.SystemUse]         { return l.usesByParty }
func UsesBySystem(l *loaders) *loader[relKey, []registry.SystemUse]        { return l.usesBySys }
func MovesFrom(l *loaders) *loader[relKey, []registry.DataMove]            { return l.movesFrom }
func MovesTo(l *loaders) *loader[relKey, []registry.DataMove]              { return l.movesTo }
func AttestationsOfOrg(l *loaders) *loader[relKey, []registry.Attestation] { return l.attByOrg }
func AttestationsOfSys(l *loaders) *loader[relKey, []registry.Attestation] { return l.attBySys }

// EEAMemberships and AdequacyDecisions pick the country loaders.
func EEAMemberships(l *loaders) *loader[countryKey, []registry.EEAMembership] { return l.eea }
func AdequacyDecisions(l *loaders) *loader[countryKey, []registry.AdequacyDecision] {
	return l.adequacy
}

// FindingEvents and Policies pick loaders for the schema.
func FindingEvents(l *loaders) *loader[relKey, []registry.FindingEvent] { return l.events }
func Policies(l *loaders) *loader[relKey, []registry.LocationPolicy]    { return l.policies }

// AccessPaths, AccessPathsVia, RelationsFrom and RelationsTo pick the
// posture loaders for the schema.
func AccessPaths(l *loaders) *loader[relKey, []registry.AccessPath]       { return l.accessPaths }
func AccessPathsVia(l *loaders) *loader[relKey, []registry.AccessPath]    { return l.viaGateway }
func RelationsFrom(l *loaders) *loader[relKey, []registry.SystemRelation] { return l.relsFrom }
func RelationsTo(l *loaders) *loader[relKey, []registry.SystemRelation]   { return l.relsTo }
