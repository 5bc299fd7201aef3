package web

import (
	"testing"

	"github.com/kedja/kedja/registry"
)

// TestEveryChoiceHasWords: the keys the link page, the placements and the
// edit forms make from the registry's values (roles, authorisations,
// transfer mechanisms, kinds, gaps, transfer verdicts) all have words, so
// no page shows a bare key whichever value a row holds.
func TestEveryChoiceHasWords(t *testing.T) {
	sets := map[string][]string{
		"linkRole.": registry.Roles, "auth.": registry.Authorisations, "mech.": registry.TransferMechanisms,
		"orgKind.": registry.OrgKinds, "sysKind.": registry.SystemKinds,
		"gap.": {registry.GapNoAgreement, registry.GapNoAuthorisation, registry.GapNoTransferMechanism,
			registry.GapAdequacyNotApplicable, registry.GapNoTIA},
		"verdict.": {registry.TransferNotNeeded, registry.TransferNoMechanism, registry.TransferAdequacyNotApplicable,
			registry.TransferNoTIA, registry.TransferSafeguarded, registry.TransferDerogation},
	}
	for prefix, values := range sets {
		for _, v := range values {
			if w, ok := words[prefix+v]; !ok || w[0] == "" || w[1] == "" {
				t.Errorf("%s%s has no words in both languages", prefix, v)
			}
		}
	}
}
