package registry

import (
	"context"
	"time"
)

// How systems are reached and what they share (issue 13): access paths and
// relations between systems, both dated.
var (
	// Audiences are who comes in on an access path.
	Audiences = []string{"own_staff", "customer_users", "vendor_support", "public"}
	// AccessOrigins are where they come from: the internet, a closed health
	// network such as Sjunet, a VPN, or the operator's internal network.
	AccessOrigins = []string{"internet", "health_network", "vpn", "internal"}
	// SystemRelationKinds: the from system is hosted in, runs on, shares an
	// identity domain with, or gives access to the to system.
	SystemRelationKinds = []string{"hosted_in", "runs_on", "identity_domain", "gives_access_to"}
)

// Fact is a known yes or no, for a security fact that may be unknown (nil).
func Fact(b bool) *bool { return &b }

// AccessPath is one way a system is reached, during a period: by whom, from
// where, through which gateway, with what authentication (nil: not
// established), with administrator rights or not, by how many people.
type AccessPath struct {
	ID             int64   `db:"id"`
	SystemID       int64   `db:"system_id"`
	Audience       string  `db:"audience"`
	Origin         string  `db:"origin"`
	GatewayID      *int64  `db:"gateway_id"`
	Authentication *string `db:"authentication"`
	Privileged     bool    `db:"privileged"`
	HeadCount      *int32  `db:"head_count"`
	// StaffCleared says whether the people on the path are security-cleared
	// (säkerhetsprövade, säkerhetsskyddslagen 2018:585); nil: not
	// established.
	StaffCleared *bool   `db:"staff_cleared"`
	Note         *string `db:"note"`
	Period
}

// SystemRelation says that one system is hosted in, runs on, shares an
// identity domain with, or gives access to another, during a period.
type SystemRelation struct {
	ID           int64   `db:"id"`
	FromSystemID int64   `db:"from_system_id"`
	ToSystemID   int64   `db:"to_system_id"`
	Kind         string  `db:"kind"`
	Note         *string `db:"note"`
	Period
}

// Validate checks an access path before it is stored.
func (a *AccessPath) Validate() error {
	if a.SystemID == 0 {
		return Invalid("systemId", "is required")
	}
	if err := oneOf("audience", a.Audience, Audiences); err != nil {
		return err
	}
	if err := oneOf("origin", a.Origin, AccessOrigins); err != nil {
		return err
	}
	if a.GatewayID != nil && *a.GatewayID == a.SystemID {
		return Invalid("gatewayId", "a system is not its own gateway; leave gatewayId out for direct access")
	}
	if a.Authentication != nil {
		if err := oneOf("authentication", *a.Authentication, Authentications); err != nil {
			return err
		}
	}
	if a.HeadCount != nil && *a.HeadCount <= 0 {
		return Invalid("headCount", "must be a positive number of people")
	}
	if err := optText("note", &a.Note, MaxNote); err != nil {
		return err
	}
	return a.Period.Validate()
}

// Validate checks a relation between systems before it is stored.
func (r *SystemRelation) Validate() error {
	if r.FromSystemID == 0 {
		return Invalid("fromSystemId", "is required")
	}
	if r.ToSystemID == 0 {
		return Invalid("toSystemId", "is required")
	}
	if r.FromSystemID == r.ToSystemID {
		return Invalid("toSystemId", "a system is not related to itself")
	}
	if err := oneOf("kind", r.Kind, SystemRelationKinds); err != nil {
		return err
	}
	if err := optText("note", &r.Note, MaxNote); err != nil {
		return err
	}
	return r.Period.Validate()
}

// PostureService keeps how systems are reached and what they share, and
// their software, tenancy and the other facts of HygieneService.
type PostureService interface {
	HygieneService
	ConditionService

	// AccessPathsBySystem: the access paths into each system;
	// AccessPathsByGateway: those passing through each gateway system.
	AccessPathsBySystem(ctx context.Context, systems []int64, at *time.Time) (map[int64][]AccessPath, error)
	AccessPathsByGateway(ctx context.Context, gateways []int64, at *time.Time) (map[int64][]AccessPath, error)
	// RelationsFrom: the relations each system is the from side of;
	// RelationsTo: those it is the to side of.
	RelationsFrom(ctx context.Context, systems []int64, at *time.Time) (map[int64][]SystemRelation, error)
	RelationsTo(ctx context.Context, systems []int64, at *time.Time) (map[int64][]SystemRelation, error)

	// AddAccessPath records a way into a system; NOT_FOUND (systemId,
	// gatewayId) for a missing system, CONFLICT for the same path twice in
	// an overlapping period.
	AddAccessPath(ctx context.Context, actor string, a *AccessPath) (AccessPath, error)
	EndAccessPath(ctx context.Context, actor string, id int64, at time.Time) (AccessPath, error)
	// AddSystemRelation records a relation between two systems; NOT_FOUND
	// (fromSystemId, toSystemId) for a missing system, CONFLICT for the same
	// relation twice in an overlapping period.
	AddSystemRelation(ctx context.Context, actor string, r *SystemRelation) (SystemRelation, error)
	EndSystemRelation(ctx context.Context, actor string, id int64, at time.Time) (SystemRelation, error)
}
