package registry

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Records of processing out (issue 17, GDPR Art. 30): a controller's record
// (Art. 30(1)) and a processor's (Art. 30(2)), generated from the chain as
// of an instant rather than typed in, so that every recipient the chain
// reaches then is named. Transfer standings and verdicts are the chain
// walk's (kedja_transfer_class, kedja_transfer_verdict); nothing here
// judges a transfer.

// RecordKinds are the two records: a controller's and a processor's.
var RecordKinds = []string{"controller", "processor"}

// RecordSections say what a row of a record is: a recipient the data
// reach (both records), or a controller a processor works for (Art.
// 30(2)(b)).
var RecordSections = []string{"recipient", "controller"}

// RecordSystem is a system used on a row's link at the instant, with what
// its profile says of its security and retention.
type RecordSystem struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	// RetentionDays is nil when no retention period is recorded.
	RetentionDays *int `json:"retentionDays"`
	// Measures are the security facts its profile records then (encryption,
	// authentication); empty when it has no profile.
	Measures []string `json:"measures"`
	// Countries where it stores data and is accessed from then.
	Storage []string `json:"storage"`
	Access  []string `json:"access"`
}

// RecordRow is one line of a record: a party the data reach (or, in a
// processor's record, a controller it works for), over one link.
type RecordRow struct {
	Section     string   `json:"section"`
	LinkID      int64    `json:"linkId"`
	PartyID     int64    `json:"partyId"`
	Party       string   `json:"party"`
	OrgNumber   *string  `json:"orgNumber"`
	Country     string   `json:"country"`
	CountryName string   `json:"countryName"`
	Role        string   `json:"role"`
	Depth       int      `json:"depth"`
	Via         []string `json:"via"` // the parties between the record's party and this one
	Purpose     string   `json:"purpose"`
	Categories  []string `json:"categories"`
	HealthData  bool     `json:"healthData"`
	// TransferClass is the party's country's standing; Transfer the
	// verdict on the link (nil: no safeguard needed).
	TransferClass     string     `json:"transferClass"`
	Transfer          *string    `json:"transfer"`
	TransferMechanism string     `json:"transferMechanism"`
	SCCModule         *int16     `json:"sccModule"`
	TIADate           *time.Time `json:"tiaDate"`
	AgreementRef      *string    `json:"agreementRef"`
	Systems           []RecordSystem
	// Attestations are the party's security attestations valid then, as
	// "kind (issuer, until date)".
	Attestations []string `json:"attestations"`
	// InStatedRecord says whether the party's own stated record of
	// processing in force names this party; nil when it has none.
	InStatedRecord *bool `json:"inStatedRecord"`
}

// Record is a party's record of processing generated from the chain at an
// instant.
type Record struct {
	Kind      string
	PartyID   int64
	Party     string
	OrgNumber *string
	Country   string
	At        time.Time
	Rows      []RecordRow
	// Stated is the party's own record of processing in force then
	// (setProcessingRecord), if any; Unnamed lists the recipients it
	// leaves out, by name.
	Stated  *ProcessingRecord
	Unnamed []string
	// Truncated: the chain has more links than were read.
	Truncated bool
}

// RecordColumns are a record's table columns, in order, as CSV and XLSX
// write them.
var RecordColumns = []string{"section", "party", "organisation number", "country", "transfer class", "role", "depth", "via",
	"purpose", "data categories", "special category (health)", "data subjects", "transfer safeguard", "agreement",
	"systems", "retention", "security measures", "attestations", "named in stated record"}

// Table lays the record out as rows of RecordColumns, for CSV and XLSX.
// Unknown is written as such, never left blank: a blank could be read as
// nothing.
func (r Record) Table() [][]string {
	out := [][]string{RecordColumns}
	for _, x := range r.Rows {
		var systems, retention, measures []string
		for _, s := range x.Systems {
			where := ""
			if len(s.Storage) > 0 {
				where = " stored in " + strings.Join(s.Storage, ", ")
			}
			if len(s.Access) > 0 {
				where += " accessed from " + strings.Join(s.Access, ", ")
			}
			systems = append(systems, fmt.Sprintf("%s (%s)%s", s.Name, s.Kind, where))
			if s.RetentionDays != nil {
				retention = append(retention, fmt.Sprintf("%s: %d days", s.Name, *s.RetentionDays))
			} else {
				retention = append(retention, s.Name+": not recorded")
			}
			if len(s.Measures) > 0 {
				measures = append(measures, s.Name+": "+strings.Join(s.Measures, ", "))
			} else {
				measures = append(measures, s.Name+": no profile recorded")
			}
		}
		out = append(out, []string{x.Section, x.Party, orUnknown(x.OrgNumber), x.CountryName + " (" + x.Country + ")",
			x.TransferClass, x.Role, strconv.Itoa(x.Depth), strings.Join(x.Via, " > "), x.Purpose,
			listOr(x.Categories, "not recorded"), yesNo(x.HealthData), "not recorded", x.Safeguard(), orUnknown(x.AgreementRef),
			listOr(systems, "none recorded"), listOr(retention, "no systems recorded"), listOr(measures, "no systems recorded"),
			listOr(x.Attestations, "none valid"), stated(x.InStatedRecord)})
	}
	return out
}

// Safeguard words a row's transfer: none needed, or the mechanism and the
// verdict on it.
func (x RecordRow) Safeguard() string {
	if x.Section == "controller" {
		return "not applicable"
	}
	if x.Transfer == nil {
		return "none needed (" + strings.ReplaceAll(x.TransferClass, "_", " ") + ")"
	}
	m := strings.ToUpper(x.TransferMechanism)
	if x.SCCModule != nil {
		m += fmt.Sprintf(" module %d", *x.SCCModule)
	}
	if x.TIADate != nil {
		m += ", TIA " + x.TIADate.Format(time.DateOnly)
	}
	return m + ": " + strings.ReplaceAll(*x.Transfer, "_", " ")
}

func orUnknown(s *string) string {
	if s == nil {
		return "not recorded"
	}
	return *s
}

func listOr(l []string, none string) string {
	if len(l) == 0 {
		return none
	}
	return strings.Join(l, "; ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func stated(b *bool) string {
	switch {
	case b == nil:
		return "no stated record"
	case *b:
		return "yes"
	}
	return "no"
}

// MarkStated fills InStatedRecord and Unnamed from the party's stated
// record in force (nil: none).
func (r *Record) MarkStated(stated *ProcessingRecord) {
	r.Stated = stated
	if stated == nil {
		return
	}
	named := map[int64]bool{}
	for _, id := range stated.NamedPartyIDs {
		named[id] = true
	}
	missing := map[string]bool{}
	for i := range r.Rows {
		if r.Rows[i].Section != "recipient" {
			continue
		}
		in := named[r.Rows[i].PartyID]
		r.Rows[i].InStatedRecord = &in
		if !in {
			missing[r.Rows[i].Party] = true
		}
	}
	for n := range missing {
		r.Unnamed = append(r.Unnamed, n)
	}
	sort.Strings(r.Unnamed)
}

// RecordService generates records of processing from the chain.
type RecordService interface {
	// ControllerRecord is controller's Art. 30(1) record at at: every
	// recipient its chain reaches then, at any depth. NOT_FOUND (field
	// controller).
	ControllerRecord(ctx context.Context, controller int64, at time.Time) (Record, error)
	// ProcessorRecord is processor's Art. 30(2) record at at: each
	// controller it processes for, over which link, and every recipient
	// below it. NOT_FOUND (field processor).
	ProcessorRecord(ctx context.Context, processor int64, at time.Time) (Record, error)
}
