package resolvers

import (
	"github.com/kedja/kedja/registry"
)

// PostureSvc is the service access paths and system relations are written
// through.
var PostureSvc Service[registry.PostureService] = func(s registry.Services) registry.PostureService { return s.Posture }

// DecodeAccessPath maps an AccessPathInput.
func DecodeAccessPath(in *input, a *registry.AccessPath) {
	in.id("systemId", &a.SystemID)
	in.str("audience", &a.Audience)
	in.str("origin", &a.Origin)
	in.optID("gatewayId", &a.GatewayID)
	in.optStr("authentication", &a.Authentication)
	in.boolean("privileged", &a.Privileged)
	in.optInt32("headCount", &a.HeadCount)
	in.optBool("staffCleared", &a.StaffCleared)
	in.optStr("note", &a.Note)
	in.instant("validFrom", &a.From)
	in.optInstant("validTo", &a.To)
}

// DecodeSystemRelation maps a SystemRelationInput.
func DecodeSystemRelation(in *input, r *registry.SystemRelation) {
	in.id("fromSystemId", &r.FromSystemID)
	in.id("toSystemId", &r.ToSystemID)
	in.str("kind", &r.Kind)
	in.optStr("note", &r.Note)
	in.instant("validFrom", &r.From)
	in.optInstant("validTo", &r.To)
}
