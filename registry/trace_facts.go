package registry

import "time"

// Step is one link reached by walking down a chain from a root party: the
// path of parties that leads to it, and what the walk found on the way.
type Step struct {
	LinkID   int64   `db:"link_id"`
	FromID   int64   `db:"from_id"`
	ToID     int64   `db:"to_id"`
	Role     string  `db:"role"`
	Depth    int     `db:"depth"`
	Path     []int64 `db:"path"`      // party ids, root first, ending with ToID
	LinkPath []int64 `db:"link_path"` // link ids, root's first
	// Cycle marks a link back to a party already on the path; the walk
	// reports it and goes no further.
	Cycle bool `db:"is_cycle"`
	// Route is what the link's routing says of a call at the instant (see
	// kedja_route): all, in_window, out_of_window, share or unstructured.
	Route string `db:"route"`
	// Possible is true when some link on the path takes only a share of
	// calls, so this one is reached possibly, not certainly.
	Possible      bool   `db:"possible"`
	ToCountry     string `db:"to_country"`
	TransferClass string `db:"transfer_class"`

	// What the link records about its lawfulness.
	AgreementRef      *string `db:"agreement_ref"`
	Authorisation     string  `db:"authorisation"`
	TransferMechanism string  `db:"transfer_mechanism"`
	SCCModule         *int16  `db:"scc_module"`
	HealthData        bool    `db:"health_data"`
	// Transfer is kedja_transfer_verdict for the receiving party over this
	// link at the instant; nil when no safeguard is needed.
	Transfer     *string  `db:"transfer"`
	RoutingShare *float64 `db:"routing_share"`
	RoutingNote  *string  `db:"routing_note"`
	// FoundRole is the receiving party's role on this link as the latest
	// decision of an authority or court found it (role_findings), when one
	// has been recorded by now; nil when none. FoundBy names the authority.
	FoundRole *string    `db:"found_role"`
	FoundBy   *string    `db:"found_by"`
	FoundOn   *time.Time `db:"found_on"`
}

// PartyFacts are an organisation's name and country standing at an instant,
// as a trace keeps them.
type PartyFacts struct {
	ID            int64  `db:"id" json:"id"`
	LegalName     string `db:"legal_name" json:"legalName"`
	Country       string `db:"country_code" json:"country"`
	CountryName   string `db:"country_name" json:"countryName"`
	TransferClass string `db:"transfer_class" json:"transferClass"`
	TimeZone      string `db:"time_zone" json:"timeZone"`
}

// SystemFacts are what a trace needs to know of a system at an instant:
// what it is, whether it had a profile then and its retention, and where it
// stored data.
type SystemFacts struct {
	Name          string     `db:"name"`
	Kind          string     `db:"kind"`
	StoresCalls   bool       `db:"stores_calls"` // kedja_stores_calls: it keeps a call after it ends
	EndedAt       *time.Time `db:"ended_at"`
	HasProfile    bool       `db:"has_profile"`
	RetentionDays *int32     `db:"retention_days"`
	Storage       []string   `db:"storage_countries"`
}

// UseFacts is a system used on a link at an instant.
type UseFacts struct {
	UseID    int64 `db:"use_id"`
	LinkID   int64 `db:"link_id"`
	SystemID int64 `db:"system_id"`
	PartyID  int64 `db:"party_id"`
	SystemFacts
}

// MoveFacts is a recorded move that carried a call's recording from one
// system into another after the call; the facts are the target's when the
// data arrived.
type MoveFacts struct {
	MoveID       int64     `db:"move_id"`
	FromSystemID int64     `db:"from_system_id"`
	ToSystemID   int64     `db:"to_system_id"`
	MovedAt      time.Time `db:"moved_at"`
	OperatorID   int64     `db:"operator_id"`
	SystemFacts
}

// CountryFacts is a country's name and standing at an instant.
type CountryFacts struct {
	Code          string `db:"code" json:"code"`
	Name          string `db:"name" json:"name"`
	TransferClass string `db:"transfer_class" json:"transferClass"`
}
