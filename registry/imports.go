package registry

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
)

// A supplier's sub-processor list (issue 17) comes in as rows of one format,
// whatever the file: CSV with a header row, the first sheet of an XLSX
// workbook with a header row, or a YAML list of records whose keys are the
// column names. ImportColumns are its columns in the order exports write
// them; only legal_name and country are required in a row.
var ImportColumns = []string{"legal_name", "org_number", "country", "service", "locations", "data_categories",
	"health_data", "effective_date", "role", "supplier"}

// importAliases are other headers people write for a column.
var importAliases = map[string]string{
	"name": "legal_name", "legal name": "legal_name", "company": "legal_name", "sub-processor": "legal_name", "subprocessor": "legal_name",
	"organisation number": "org_number", "organization number": "org_number", "org number": "org_number", "orgnr": "org_number",
	"country code": "country", "service/purpose": "service", "purpose": "service", "processing locations": "locations",
	"location": "locations", "data categories": "data_categories", "health data": "health_data", "effective date": "effective_date",
	"effective": "effective_date",
}

// ImportFormats are the file formats an import reads.
var ImportFormats = []string{"csv", "xlsx", "yaml"}

// ImportStatuses: a stored import is pending until a person approves or
// rejects it.
var ImportStatuses = []string{"pending", "approved", "rejected"}

// ImportChangeKinds are what a dry run says an import would change.
var ImportChangeKinds = []string{"new_party", "new_link", "ended_link", "changed_country", "changed_locations", "changed_link"}

// MaxImportRows bounds one list, so that a file cannot exhaust the service.
const MaxImportRows = 200_000

// ImportRow is one sub-processor of the supplier as the list names it.
type ImportRow struct {
	// Line is where the row is in the source: the CSV line, the sheet's
	// row number, or the YAML record's line.
	Line           int        `json:"line"`
	LegalName      string     `json:"legalName"`
	OrgNumber      *string    `json:"orgNumber,omitempty"`
	Country        string     `json:"country"`
	Service        string     `json:"service"`
	Locations      []string   `json:"locations"`
	DataCategories []string   `json:"dataCategories"`
	HealthData     bool       `json:"healthData"`
	EffectiveDate  *time.Time `json:"effectiveDate,omitempty"`
	Role           string     `json:"role"`
	// Supplier, when the file names it, must be the import's supplier.
	Supplier string `json:"supplier,omitempty"`
}

// RowError is a bad cell: its line, its column's name and, in CSV and XLSX,
// its position (1 = the first column; 0 in YAML, whose records have no
// column order).
type RowError struct {
	Line    int    `json:"line"`
	Column  string `json:"column"`
	Index   int    `json:"index,omitempty"`
	Message string `json:"message"`
}

func (e RowError) String() string {
	if e.Index > 0 {
		return fmt.Sprintf("line %d, column %d (%s): %s", e.Line, e.Index, e.Column, e.Message)
	}
	return fmt.Sprintf("line %d, %s: %s", e.Line, e.Column, e.Message)
}

// RawRecord is one record as a file gives it: its line and its cells by
// column name, with each cell's position (0 where the format has none).
type RawRecord struct {
	Line   int
	Cells  map[string]string
	Column map[string]int
}

// ImportColumnName resolves a header as people write it ("Legal name",
// "Org.nr") to the column it names, or "" when it names none.
func ImportColumnName(header string) string {
	h := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(header, "\ufeff")))
	if slices.Contains(ImportColumns, h) {
		return h
	}
	if c, ok := importAliases[h]; ok {
		return c
	}
	if c := strings.ReplaceAll(h, " ", "_"); slices.Contains(ImportColumns, c) {
		return c
	}
	return ""
}

// HeaderRecords turns a table with a header row (CSV, a sheet) into
// records; lineOf gives the source line of the i-th row of table (the
// header is row 0). Unknown headers are reported on the header's line.
func HeaderRecords(table [][]string, lineOf func(i int) int) ([]RawRecord, []RowError) {
	if len(table) == 0 {
		return nil, []RowError{{Line: 1, Column: "legal_name", Index: 1, Message: "the file is empty; the first row names the columns"}}
	}
	var errs []RowError
	cols := make([]string, len(table[0]))
	seen := map[string]bool{}
	for i, h := range table[0] {
		if strings.TrimSpace(h) == "" {
			continue
		}
		c := ImportColumnName(h)
		switch {
		case c == "":
			errs = append(errs, RowError{Line: lineOf(0), Column: h, Index: i + 1, Message: "unknown column; use " + strings.Join(ImportColumns, ", ")})
		case seen[c]:
			errs = append(errs, RowError{Line: lineOf(0), Column: h, Index: i + 1, Message: "column given twice"})
		default:
			cols[i], seen[c] = c, true
		}
	}
	for _, need := range []string{"legal_name", "country"} {
		if !seen[need] {
			errs = append(errs, RowError{Line: lineOf(0), Column: need, Message: "required column missing from the header row"})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var out []RawRecord
	for i, rec := range table[1:] {
		r := RawRecord{Line: lineOf(i + 1), Cells: map[string]string{}, Column: map[string]int{}}
		blank := true
		for j, v := range rec {
			if j >= len(cols) || cols[j] == "" {
				if strings.TrimSpace(v) != "" {
					errs = append(errs, RowError{Line: r.Line, Column: "", Index: j + 1, Message: "a value in a column without a header"})
				}
				continue
			}
			r.Cells[cols[j]], r.Column[cols[j]] = v, j+1
			blank = blank && strings.TrimSpace(v) == ""
		}
		if !blank {
			out = append(out, r)
		}
	}
	return out, errs
}

// ParseImportCSV reads a CSV list (comma or semicolon separated, as
// spreadsheets in Sweden write it, with a header row) into rows; bad cells
// are reported by line and column, and no row with one is returned.
func ParseImportCSV(r io.Reader) ([]ImportRow, []RowError, error) {
	data, err := io.ReadAll(io.LimitReader(r, 256<<20))
	if err != nil {
		return nil, nil, err
	}
	cr := csv.NewReader(strings.NewReader(string(data)))
	first, _, _ := strings.Cut(string(data), "\n")
	if strings.Count(first, ";") > strings.Count(first, ",") {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	var table [][]string
	var lines []int
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, []RowError{{Line: pe.Line, Message: fmt.Sprintf("%v (at character %d)", pe.Err, pe.Column)}}, nil
			}
			return nil, nil, err
		}
		line, _ := cr.FieldPos(0)
		table, lines = append(table, rec), append(lines, line)
		if len(table) > MaxImportRows+1 {
			return nil, []RowError{{Line: line, Message: fmt.Sprintf("more than %d rows; split the list", MaxImportRows)}}, nil
		}
	}
	recs, errs := HeaderRecords(table, func(i int) int { return lines[i] })
	if len(errs) > 0 {
		return nil, errs, nil
	}
	rows, errs := RowsFromRecords(recs)
	return rows, errs, nil
}

// RowsFromRecords reads records of any format into rows, checking each
// cell: bad ones are reported by line and column, and only if none is bad
// are the rows returned.
func RowsFromRecords(recs []RawRecord) ([]ImportRow, []RowError) {
	var rows []ImportRow
	var errs []RowError
	if len(recs) > MaxImportRows {
		return nil, []RowError{{Line: recs[MaxImportRows].Line, Message: fmt.Sprintf("more than %d rows; split the list", MaxImportRows)}}
	}
	for _, rec := range recs {
		bad := func(col, format string, args ...any) {
			errs = append(errs, RowError{Line: rec.Line, Column: col, Index: rec.Column[col], Message: fmt.Sprintf(format, args...)})
		}
		cell := func(col string) string { return strings.TrimSpace(rec.Cells[col]) }
		row := ImportRow{Line: rec.Line, LegalName: strings.Join(strings.Fields(cell("legal_name")), " "),
			Service: cell("service"), Role: strings.ToLower(cell("role")), Supplier: cell("supplier")}
		switch {
		case row.LegalName == "":
			bad("legal_name", "a legal name is required")
		case len(row.LegalName) > MaxName:
			bad("legal_name", "longer than %d characters", MaxName)
		}
		if n := cell("org_number"); n != "" {
			if len(n) > 40 {
				bad("org_number", "longer than 40 characters")
			}
			row.OrgNumber = &n
		}
		row.Country = strings.ToUpper(cell("country"))
		if !isCountryCode(row.Country) {
			bad("country", "%q is not an ISO 3166-1 alpha-2 country code (SE, TH)", clip(cell("country")))
		}
		switch {
		case row.Service == "":
			bad("service", "say what the sub-processor does (the service or purpose)")
		case len(row.Service) > MaxPurpose:
			bad("service", "longer than %d characters", MaxPurpose)
		}
		row.Locations = []string{}
		for _, c := range splitList(cell("locations")) {
			c = strings.ToUpper(c)
			if !isCountryCode(c) {
				bad("locations", "%q is not an ISO 3166-1 alpha-2 country code", clip(c))
				continue
			}
			if !slices.Contains(row.Locations, c) {
				row.Locations = append(row.Locations, c)
			}
		}
		slices.Sort(row.Locations)
		row.DataCategories = []string{}
		for _, c := range splitList(cell("data_categories")) {
			if len(c) > 100 {
				bad("data_categories", "a category longer than 100 characters")
				continue
			}
			if !slices.Contains(row.DataCategories, c) {
				row.DataCategories = append(row.DataCategories, c)
			}
		}
		slices.Sort(row.DataCategories)
		if len(row.DataCategories) > MaxListLen {
			bad("data_categories", "at most %d categories", MaxListLen)
		}
		switch strings.ToLower(cell("health_data")) {
		case "", "no", "false", "nej", "0":
		case "yes", "true", "ja", "1":
			row.HealthData = true
		default:
			bad("health_data", "%q is not yes or no", clip(cell("health_data")))
		}
		if d := cell("effective_date"); d != "" {
			t, err := ParseDate("effective_date", d)
			if err != nil {
				bad("effective_date", "%q is not a date; use YYYY-MM-DD", clip(d))
			} else {
				row.EffectiveDate = &t
			}
		}
		if row.Role == "" {
			row.Role = "sub_processor"
		} else if !slices.Contains([]string{"processor", "sub_processor"}, row.Role) {
			bad("role", "%q is not processor or sub_processor", clip(row.Role))
		}
		rows = append(rows, row)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return rows, nil
}

// splitList reads a cell listing several values: separated by commas,
// semicolons or line breaks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '|' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func isCountryCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// ImportCells is a row as the import format writes it, in ImportColumns'
// order: exports write these, so that an export reads back as the same
// rows.
func (r ImportRow) ImportCells() []string {
	org, eff, health := "", "", "no"
	if r.OrgNumber != nil {
		org = *r.OrgNumber
	}
	if r.EffectiveDate != nil {
		eff = r.EffectiveDate.Format(DateLayout)
	}
	if r.HealthData {
		health = "yes"
	}
	return []string{r.LegalName, org, r.Country, r.Service, strings.Join(r.Locations, ", "),
		strings.Join(r.DataCategories, ", "), health, eff, r.Role, r.Supplier}
}

// WriteImportCSV writes rows in the import format, with a header row.
func WriteImportCSV(w io.Writer, rows []ImportRow) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(ImportColumns); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write(r.ImportCells()); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// legalForms are company-form words that do not tell parties apart: "Medicall
// Co., Ltd." and "MEDICALL" name the same company.
var legalForms = map[string]bool{"ab": true, "publ": true, "ltd": true, "limited": true, "co": true, "company": true,
	"inc": true, "corp": true, "corporation": true, "llc": true, "gmbh": true, "ag": true, "oy": true, "oyj": true, "as": true,
	"asa": true, "aps": true, "a/s": true, "sa": true, "sas": true, "sarl": true, "bv": true, "nv": true, "plc": true, "srl": true,
	"spa": true, "kb": true, "hb": true, "ek": true, "ehf": true, "hf": true, "pte": true, "pty": true, "kk": true}

// NormaliseName is the key names are matched on: lower case, punctuation
// gone, legal-form words (AB, Ltd, Co., GmbH) dropped.
func NormaliseName(name string) string {
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '&'
	}) {
		if !legalForms[w] {
			words = append(words, w)
		}
	}
	if len(words) == 0 { // a name that is all legal form is still a name
		return strings.Join(strings.Fields(strings.ToLower(name)), " ")
	}
	return strings.Join(words, " ")
}

// NormaliseOrgNumber is the key organisation numbers are matched on: digits
// and letters only, upper case ("556677-8899" = "5566778899").
func NormaliseOrgNumber(n string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToUpper(r)
		}
		return -1
	}, n)
}

// MatchCandidate is an existing party a row may name.
type MatchCandidate struct {
	PartyID   int64   `json:"partyId"`
	LegalName string  `json:"legalName"`
	OrgNumber *string `json:"orgNumber,omitempty"`
	Country   string  `json:"country"`
}

// Match says which existing party a row names: PartyID (0: none, a new
// party), or Doubtful with why and the candidates, for a person to decide.
type Match struct {
	PartyID    int64
	Doubtful   string
	Candidates []MatchCandidate
}

// MatchParty matches a row to existing parties: by organisation number
// first (one party with it, or the one in the row's country; another
// country is a change of country), then by normalised name. A name that
// matches one party in the same country whose number does not contradict
// the row's is that party; several, another country, or a different number
// are doubtful.
func MatchParty(row ImportRow, byNumber, byName []MatchCandidate) Match {
	if row.OrgNumber != nil {
		var same, here []MatchCandidate
		for _, c := range byNumber {
			if c.OrgNumber != nil && NormaliseOrgNumber(*c.OrgNumber) == NormaliseOrgNumber(*row.OrgNumber) {
				same = append(same, c)
				if c.Country == row.Country {
					here = append(here, c)
				}
			}
		}
		switch {
		case len(here) == 1:
			return Match{PartyID: here[0].PartyID}
		case len(same) == 1:
			// The number is the party's; the list says it is now
			// established elsewhere: a changed country.
			return Match{PartyID: same[0].PartyID}
		case len(same) > 1:
			return Match{Doubtful: "several parties have this organisation number, none in " + row.Country, Candidates: same}
		}
	}
	key := NormaliseName(row.LegalName)
	var named []MatchCandidate
	for _, c := range byName {
		if NormaliseName(c.LegalName) == key {
			named = append(named, c)
		}
	}
	switch {
	case len(named) == 0:
		return Match{}
	case len(named) > 1:
		return Match{Doubtful: fmt.Sprintf("%d registered parties have this name", len(named)), Candidates: named}
	}
	c := named[0]
	if c.Country != row.Country {
		return Match{Doubtful: fmt.Sprintf("the name matches a party in %s, the list says %s", c.Country, row.Country), Candidates: named}
	}
	if row.OrgNumber != nil && c.OrgNumber != nil && NormaliseOrgNumber(*c.OrgNumber) != NormaliseOrgNumber(*row.OrgNumber) {
		return Match{Doubtful: "the name matches a party registered with another organisation number", Candidates: named}
	}
	return Match{PartyID: c.PartyID}
}

// MatchDecision is a person's answer to a doubtful match: the row on Line
// names PartyID, or (PartyID 0) a new party.
type MatchDecision struct {
	Line    int   `json:"line"`
	PartyID int64 `json:"partyId"`
}

// Import is a supplier's list as uploaded, with its dry run, until a person
// approves or rejects it.
type Import struct {
	ID               int64  `db:"id"`
	SupplierID       int64  `db:"supplier_id"`
	ControllerLinkID *int64 `db:"controller_link_id"`
	// EffectiveDate is the date the list takes effect: the diff is as of
	// it, links no longer listed end on it, and new ones start on it unless
	// their row says otherwise.
	EffectiveDate time.Time `db:"effective_date"`
	Author        string    `db:"author"`
	SourceName    string    `db:"source_name"`
	SourceSHA256  string    `db:"source_sha256"`
	Format        string    `db:"format"`
	Rows          []ImportRow
	Diff          ImportDiff
	Status        string     `db:"status"`
	CreatedAt     time.Time  `db:"created_at"`
	DecidedBy     *string    `db:"decided_by"`
	DecidedAt     *time.Time `db:"decided_at"`
	Reason        *string    `db:"reason"`
	Decisions     []MatchDecision
	// NewLinkIDs are the links the approval created.
	NewLinkIDs []int64 `db:"-"`
	// Applied is what the approval changed, as the registry then was (the
	// dry run may have seen another state).
	Applied []ImportChange
}

// ImportDiff is what an import would change, as of its effective date.
type ImportDiff struct {
	Changes  []ImportChange  `json:"changes"`
	Doubtful []DoubtfulMatch `json:"doubtful"`
	// Triggers the checks would raise or clear that no single change
	// explains (a finding on a system or a party upstream).
	Triggers []ImportTrigger `json:"triggers"`
	// TriggersLeftOut counts the triggers beyond MaxImportTriggers, which a
	// dry run counts but does not keep (a list of 100,000 new parties).
	TriggersLeftOut int `json:"triggersLeftOut,omitempty"`
}

// MaxImportTriggers bounds the triggers a dry run keeps.
const MaxImportTriggers = 20_000

// Empty says whether the import changes nothing and leaves nothing to
// decide.
func (d ImportDiff) Empty() bool { return len(d.Changes) == 0 && len(d.Doubtful) == 0 }

// ImportChange is one change an import makes.
type ImportChange struct {
	Kind      string `json:"kind"` // ImportChangeKinds
	Line      int    `json:"line,omitempty"`
	PartyID   int64  `json:"partyId,omitempty"` // 0: a party the import creates
	PartyName string `json:"partyName"`
	LinkID    int64  `json:"linkId,omitempty"` // 0: a link the import creates
	// Before and After say what changes, in words ("SE", "SE, TH").
	Before   string          `json:"before,omitempty"`
	After    string          `json:"after,omitempty"`
	Triggers []ImportTrigger `json:"triggers"`
}

// ImportTrigger is a finding the checks would raise (Cleared false) or no
// longer raise (Cleared true) once the import is applied.
type ImportTrigger struct {
	Check       string `json:"check"`
	Severity    string `json:"severity"`
	Message     string `json:"message"`
	Cleared     bool   `json:"cleared"`
	SubjectKind string `json:"subjectKind"`
	// Controllers whose chain it concerns.
	Controllers []int64 `json:"controllers"`
}

// DoubtfulMatch is a row whose party a person must decide.
type DoubtfulMatch struct {
	Line       int              `json:"line"`
	LegalName  string           `json:"legalName"`
	Country    string           `json:"country"`
	Reason     string           `json:"reason"`
	Candidates []MatchCandidate `json:"candidates"`
}

// ImportRequest is a list to import: whose, from which file, as of when.
type ImportRequest struct {
	SupplierID       int64
	ControllerLinkID *int64
	EffectiveDate    time.Time
	SourceName       string
	Format           string
	// Content is the file as uploaded (XLSX: its bytes).
	Content []byte
	// Rows are the parsed rows; the caller parses Content (the transport
	// knows the formats, the store keeps the rows).
	Rows []ImportRow
}

// Validate checks the request's own fields.
func (r *ImportRequest) Validate() error {
	if r.SupplierID <= 0 {
		return Invalid("supplierId", "a supplier is required")
	}
	if r.EffectiveDate.IsZero() {
		return Invalid("effectiveDate", "an effective date is required")
	}
	if s := strings.TrimSpace(r.SourceName); s == "" || len(s) > 255 {
		return Invalid("fileName", "a file name of 1 to 255 characters is required")
	}
	if !slices.Contains(ImportFormats, r.Format) {
		return Invalid("format", "must be one of %s", strings.Join(ImportFormats, ", "))
	}
	if len(r.Content) == 0 {
		return Invalid("content", "the file is empty")
	}
	return nil
}

// ImportRowsError reports the bad rows of a list: nothing is stored.
type ImportRowsError struct{ Rows []RowError }

func (e *ImportRowsError) Error() string {
	var b strings.Builder
	for i, r := range e.Rows {
		if i == 20 {
			fmt.Fprintf(&b, "; and %d more", len(e.Rows)-20)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(r.String())
	}
	return b.String()
}

// ImportFilter selects stored imports.
type ImportFilter struct {
	SupplierID *int64
	Status     *string
}

// ImportService imports suppliers' sub-processor lists: a dry run stored
// for a person to read, then approval that applies it in one transaction,
// or rejection.
type ImportService interface {
	// DryRunImport matches the rows to the registry, works out the diff as
	// of the effective date with what each change would trigger in the
	// checks, and stores the import as pending; nothing else is written.
	// INVALID_INPUT naming the field for a bad request, NOT_FOUND
	// (supplierId, controllerLinkId) for missing ones.
	DryRunImport(ctx context.Context, actor string, r ImportRequest) (Import, error)
	// Import loads one; NOT_FOUND (field id) if there is none.
	Import(ctx context.Context, id int64) (Import, error)
	// ListImports lists imports, newest first.
	ListImports(ctx context.Context, f ImportFilter, p Page) ([]Import, bool, error)
	// ApproveImport applies a pending import as the registry is now, with
	// decisions for its doubtful matches, in one transaction. INVALID_INPUT
	// (decisions) while a doubtful row is undecided, CONFLICT (id) if it
	// is no longer pending.
	ApproveImport(ctx context.Context, actor string, id int64, decisions []MatchDecision) (Import, error)
	// RejectImport records who rejected it and why; INVALID_INPUT (reason)
	// for an empty reason, CONFLICT if it is no longer pending.
	RejectImport(ctx context.Context, actor string, id int64, reason string) (Import, error)
	// ExportSupplierList writes the supplier's sub-processors in force at
	// at in the import format; ExportControllerList every supplier's below
	// a controller (with the supplier column filled).
	ExportSupplierList(ctx context.Context, supplier int64, at time.Time) ([]ImportRow, error)
	ExportControllerList(ctx context.Context, controller int64, at time.Time) ([]ImportRow, error)
}
