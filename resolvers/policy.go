package resolvers

import (
	"github.com/kedja/kedja/registry"
)

// DecodeLocationPolicy maps a LocationPolicyInput.
func DecodeLocationPolicy(in *input, p *registry.LocationPolicy) {
	in.id("controllerId", &p.ControllerID)
	in.str("policy", &p.Policy)
	in.optStr("country", &p.Country)
	in.optStr("reference", &p.Reference)
	in.instant("validFrom", &p.From)
	in.optInstant("validTo", &p.To)
}
