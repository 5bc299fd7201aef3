package registry

import (
	"sort"
	"strings"
	"time"
)

// Gap is something a link lacks that the law asks for.
type Gap struct {
	Code    string // one of the Gap codes below
	LinkID  int64
	Article string
	Message string
}

// Gap codes.
const (
	GapNoAgreement           = "NO_AGREEMENT"
	GapNoAuthorisation       = "NO_AUTHORISATION"
	GapNoTransferMechanism   = "NO_TRANSFER_MECHANISM"
	GapAdequacyNotApplicable = "ADEQUACY_NOT_APPLICABLE"
	GapNoTIA                 = "NO_TRANSFER_IMPACT_ASSESSMENT"
	GapOutdatedClauses       = "OUTDATED_CLAUSES"
	GapToolNotValid          = "TRANSFER_TOOL_NOT_VALID"
)

// Transfer verdicts, as kedja_transfer_verdict gives them
// (migrations/0009_rules.sql); it gives none (NULL) when no safeguard is
// needed, which a stored trace records as TransferNotNeeded.
const (
	TransferNotNeeded             = "not_needed"
	TransferNoMechanism           = "no_mechanism"
	TransferAdequacyNotApplicable = "adequacy_not_applicable"
	TransferNoTIA                 = "no_tia"
	TransferSafeguarded           = "safeguarded"
	TransferDerogation            = "derogation"
	// Standard clauses the exporter's law no longer recognises at the
	// instant (the EU's 2001, 2004 and 2010 clauses after 27 December 2022),
	// and clauses it does not recognise then at all (the EU 2021 clauses
	// alone under UK law): migrations/0036_transfer_tools.sql.
	TransferOutdatedClauses = "outdated_clauses"
	TransferToolNotValid    = "tool_not_valid"
)

// LinkRules are the answers of the database's rule functions for one link at
// an instant (migrations/0009_rules.sql): the rules live there, once,
// because the set-based checks need them in SQL; Go reads their answers and
// never restates them.
type LinkRules struct {
	LinkID          int64   `db:"link_id"`
	NoAgreement     bool    `db:"no_agreement"`
	NoAuthorisation bool    `db:"no_authorisation"`
	Transfer        *string `db:"transfer"` // the transfer verdict; nil when none is needed
	// What a transfer gap cites under the exporter's law at the instant
	// (kedja_law_citation): without a lawful safeguard, and with clauses or
	// rules that fall short. Nil where the store did not say: the GDPR's.
	TransferRef   *string `db:"transfer_ref"`
	SafeguardsRef *string `db:"safeguards_ref"`
	// What a missing processing agreement and a missing approval of a
	// sub-processor cite under that law then (topics 'agreement' and
	// 'authorisation'). Nil where the store did not say: the GDPR's.
	AgreementRef     *string `db:"agreement_ref"`
	AuthorisationRef *string `db:"authorisation_ref"`
	// TransferClass is the receiving party's country's standing under that
	// law then (kedja_transfer_class), as the chain's steps give it. Nil
	// where the store did not say: the party's own (PartyFacts), EU law's.
	TransferClass *string `db:"transfer_class"`
}

// LinkGaps words what a link lacks, by its rules' answers: an agreement
// binding a processor (GDPR Art. 28(3)), the approval of a subcontractor by
// every controller above it (Art. 28(2)), a lawful transfer mechanism (Art. 44-46),
// each citing the provision of the exporter's law the rules' answers give.
func LinkGaps(l Link, to PartyFacts, r LinkRules) []Gap {
	gaps := []Gap{}
	name := to.LegalName
	if r.NoAgreement {
		gaps = append(gaps, Gap{Code: GapNoAgreement, LinkID: l.ID, Article: refOr(r.AgreementRef, "GDPR Art. 28(3)"),
			Message: "no processing agreement is recorded for " + name})
	}
	if r.NoAuthorisation {
		gaps = append(gaps, Gap{Code: GapNoAuthorisation, LinkID: l.ID, Article: refOr(r.AuthorisationRef, "GDPR Art. 28(2)"),
			Message: "no approval by every controller above it is recorded for the subcontractor " + name})
	}
	where, and := "a third country ("+to.CountryName+")", " and"
	if refOr(r.TransferClass, to.TransferClass) == "partial_adequacy" {
		where, and = to.CountryName+", whose adequacy decision does not cover it", ", and"
	}
	transferRef, safeguardsRef := "GDPR Art. 44-46", "GDPR Art. 46"
	if r.TransferRef != nil {
		transferRef = *r.TransferRef
	}
	if r.SafeguardsRef != nil {
		safeguardsRef = *r.SafeguardsRef
	}
	switch v := deref(r.Transfer); v {
	case TransferNoMechanism:
		gaps = append(gaps, Gap{Code: GapNoTransferMechanism, LinkID: l.ID, Article: transferRef,
			Message: name + " is in " + where + and + " no transfer mechanism is recorded"})
	case TransferAdequacyNotApplicable:
		gaps = append(gaps, Gap{Code: GapAdequacyNotApplicable, LinkID: l.ID, Article: transferRef,
			Message: name + " is in " + where + "; the adequacy decision the link claims does not apply"})
	case TransferNoTIA:
		gaps = append(gaps, Gap{Code: GapNoTIA, LinkID: l.ID, Article: safeguardsRef,
			Message: name + " is in " + where + "; its " + strings.ToUpper(l.TransferMechanism) + " have no transfer impact assessment"})
	case TransferOutdatedClauses:
		gaps = append(gaps, Gap{Code: GapOutdatedClauses, LinkID: l.ID, Article: safeguardsRef,
			Message: name + " is in " + where + "; the standard clauses the link relies on (" + deref(l.TransferTool) + ") are no longer recognised"})
	case TransferToolNotValid:
		gaps = append(gaps, Gap{Code: GapToolNotValid, LinkID: l.ID, Article: safeguardsRef,
			Message: name + " is in " + where + "; the standard clauses the link relies on (" + deref(l.TransferTool) + ") are not recognised by the exporter's law then"})
	}
	return gaps
}

// refOr is what the store gave (a citation, a standing), or the fallback
// (the GDPR's) where it gave none.
func refOr(ref *string, fallback string) string {
	if ref == nil {
		return fallback
	}
	return *ref
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Responsibility answers who was responsible for a party or a system at an
// instant: every path from a controller down to it, and what each link lacks.
type Responsibility struct {
	At          time.Time
	OrgID       int64 // the subject: an organisation,
	SystemID    int64 // or a system
	Paths       []ResponsibilityPath
	Controllers []int64
	Missing     []Gap // every gap on any path, once
	Parties     map[int64]PartyFacts
}

// UpPath is one path up from a subject to a controller, as the walk up
// found it: its links, the controller's first, and the recorded move of
// stored data that brought the path's data into a subject system (nil when
// the subject held it over the path at the instant itself).
type UpPath struct {
	Links  []int64
	MoveID *int64
}

// ResponsibilityPath is one path from a controller down to the subject.
type ResponsibilityPath struct {
	Links []ResponsibilityLink
	// Move is the recorded move of stored data by which a subject system
	// came to hold this path's data: recordings made over the path before
	// they were moved into it. Nil when the subject received the data over
	// the path at the instant itself.
	Move *DataMove
}

// ResponsibilityLink is one link on a path down to the subject.
type ResponsibilityLink struct {
	Link          Link
	TransferClass string // the receiving party's country's standing under the law the link is judged by
	Transfer      string // the transfer verdict; "" when none is needed
	Missing       []Gap
}

// BuildResponsibility assembles a responsibility from the paths up from its
// subject, the links, the parties, the links' rule answers and the moves of
// stored data the paths came by.
func BuildResponsibility(at time.Time, org, sys int64, paths []UpPath, links map[int64]Link,
	parties map[int64]PartyFacts, rules map[int64]LinkRules, moves map[int64]DataMove) Responsibility {
	res := Responsibility{At: at, OrgID: org, SystemID: sys, Paths: []ResponsibilityPath{}, Missing: []Gap{}, Parties: parties}
	controllers := map[int64]bool{}
	gapSeen := map[[2]any]bool{}
	for _, path := range paths {
		var out ResponsibilityPath
		if path.MoveID != nil {
			if m, ok := moves[*path.MoveID]; ok {
				out.Move = &m
			}
		}
		for i, id := range path.Links {
			l := links[id]
			if i == 0 {
				controllers[l.FromID] = true
			}
			if l.Role == "joint_controller" || l.Role == "independent_controller" {
				controllers[l.ToID] = true
			}
			to := parties[l.ToID]
			rl := ResponsibilityLink{Link: l, TransferClass: refOr(rules[id].TransferClass, to.TransferClass), Transfer: deref(rules[id].Transfer),
				Missing: LinkGaps(l, to, rules[id])}
			for _, g := range rl.Missing {
				if k := [2]any{g.Code, g.LinkID}; !gapSeen[k] {
					gapSeen[k] = true
					res.Missing = append(res.Missing, g)
				}
			}
			out.Links = append(out.Links, rl)
		}
		res.Paths = append(res.Paths, out)
	}
	for id := range controllers {
		res.Controllers = append(res.Controllers, id)
	}
	sort.Slice(res.Controllers, func(i, j int) bool { return res.Controllers[i] < res.Controllers[j] })
	return res
}
