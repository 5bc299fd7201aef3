package server

import (
	"strings"
	"testing"

	"github.com/kedja/kedja/registry"
)

// A transfer on clauses the exporter's law no longer or never recognised is
// a gap: the report must not word it as the safeguard the link names.
func TestSafeguardWordsEveryVerdict(t *testing.T) {
	module := int16(2)
	cases := []struct {
		name    string
		verdict string
		want    string
	}{
		{"safeguarded", registry.TransferSafeguarded, "standard contractual clauses, module 2"},
		{"no assessment", registry.TransferNoTIA, "without a transfer impact assessment"},
		{"outdated clauses", registry.TransferOutdatedClauses, "no longer recognises"},
		{"tool not recognised", registry.TransferToolNotValid, "does not recognise"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := registry.Holder{TransferMechanism: "scc", SCCModule: &module, Transfer: c.verdict}
			got := safeguard(h)
			if !strings.Contains(got, c.want) {
				t.Errorf("safeguard(%s) = %q; want it to say %q", c.verdict, got, c.want)
			}
			if c.verdict != registry.TransferSafeguarded && got == safeguard(registry.Holder{TransferMechanism: "scc", SCCModule: &module, Transfer: registry.TransferSafeguarded}) {
				t.Errorf("safeguard(%s) reads as a safeguarded transfer: %q", c.verdict, got)
			}
		})
	}
}
