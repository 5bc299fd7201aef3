package registry

import (
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on free text. Names are what people type; notes may be paragraphs.
const (
	MaxName    = 300
	MaxRef     = 300
	MaxPurpose = 1000
	MaxNote    = 4000
	MaxListLen = 50
)

var (
	countryCode  = regexp.MustCompile(`^[A-Z]{2}$`)
	countyCode   = regexp.MustCompile(`^[0-9]{2}$`)
	countyLetter = regexp.MustCompile(`^[A-Z]{1,2}$`)
	clock        = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$`)
)

// Validate checks an organisation before it is stored.
func (o *Organisation) Validate() error {
	if err := text("legalName", &o.LegalName, MaxName, true); err != nil {
		return err
	}
	if err := optText("orgNumber", &o.OrgNumber, 50); err != nil {
		return err
	}
	if err := country("country", o.Country); err != nil {
		return err
	}
	if err := oneOf("kind", o.Kind, OrgKinds); err != nil {
		return err
	}
	if o.ParentID != nil && *o.ParentID == o.ID {
		return Invalid("parentId", "an organisation cannot be its own parent")
	}
	if o.CountyCode != nil && !countyCode.MatchString(*o.CountyCode) {
		return Invalid("countyCode", "%q is not a two-digit county code", *o.CountyCode)
	}
	if o.CountyLetter != nil && !countyLetter.MatchString(*o.CountyLetter) {
		return Invalid("countyLetter", "%q is not a county letter (A-Z, one or two)", *o.CountyLetter)
	}
	if (o.CountyCode != nil || o.CountyLetter != nil) && o.Kind != "region" {
		return Invalid("countyCode", "only regions have county codes")
	}
	if o.TimeZone == "" {
		o.TimeZone = "Europe/Stockholm"
	}
	return TimeZone("timeZone", o.TimeZone)
}

// Validate checks a system before it is stored.
func (s *System) Validate() error {
	if err := text("name", &s.Name, MaxName, true); err != nil {
		return err
	}
	if err := oneOf("kind", s.Kind, SystemKinds); err != nil {
		return err
	}
	if s.OperatorID == 0 {
		return Invalid("operatorId", "is required")
	}
	if err := optText("description", &s.Description, MaxNote); err != nil {
		return err
	}
	if s.DataCategories == nil {
		s.DataCategories = []string{}
	}
	return categories("dataCategories", s.DataCategories)
}

// Validate checks a system profile before it is stored.
func (p *SystemProfile) Validate() error {
	if err := p.Period.Validate(); err != nil {
		return err
	}
	if p.Authentication != nil {
		if err := oneOf("authentication", *p.Authentication, Authentications); err != nil {
			return err
		}
	}
	if p.RetentionDays != nil && *p.RetentionDays <= 0 {
		return Invalid("retentionDays", "must be a positive number of days")
	}
	if p.RecoveryTimeHours != nil && *p.RecoveryTimeHours <= 0 {
		return Invalid("recoveryTimeHours", "must be a positive number of hours")
	}
	if p.LastRestoreTest != nil && p.BackupExists != nil && !*p.BackupExists {
		return Invalid("lastRestoreTest", "a restore test is recorded but backupExists says there is no backup")
	}
	return optText("note", &p.Note, MaxNote)
}

// Validate checks a system location before it is stored.
func (l *SystemLocation) Validate() error {
	if err := country("country", l.Country); err != nil {
		return err
	}
	if err := oneOf("purpose", l.Purpose, LocationPurposes); err != nil {
		return err
	}
	return l.Period.Validate()
}

// Validate checks a link before it is stored.
func (l *Link) Validate() error {
	if l.FromID == 0 {
		return Invalid("fromId", "is required")
	}
	if l.ToID == 0 {
		return Invalid("toId", "is required")
	}
	if l.FromID == l.ToID {
		return Invalid("toId", "a link cannot go from a party to itself")
	}
	if err := oneOf("role", l.Role, Roles); err != nil {
		return err
	}
	if err := text("purpose", &l.Purpose, MaxPurpose, true); err != nil {
		return err
	}
	if l.DataCategories == nil {
		l.DataCategories = []string{}
	}
	if err := categories("dataCategories", l.DataCategories); err != nil {
		return err
	}
	if err := l.Period.Validate(); err != nil {
		return err
	}
	if err := optText("agreementRef", &l.AgreementRef, MaxRef); err != nil {
		return err
	}
	if l.Authorisation == "" {
		l.Authorisation = "none"
	}
	if err := oneOf("authorisation", l.Authorisation, Authorisations); err != nil {
		return err
	}
	if l.Authorisation != "none" && l.AuthorisingControllerID == nil {
		return Invalid("authorisingControllerId", "name the controller that gave the %s authorisation", l.Authorisation)
	}
	if l.TransferMechanism == "" {
		l.TransferMechanism = "none"
	}
	if err := oneOf("transferMechanism", l.TransferMechanism, TransferMechanisms); err != nil {
		return err
	}
	if (l.TransferMechanism == "scc") != (l.SCCModule != nil) {
		return Invalid("sccModule", "give an SCC module (1-4) exactly when the transfer mechanism is SCC")
	}
	if l.SCCModule != nil && (*l.SCCModule < 1 || *l.SCCModule > 4) {
		return Invalid("sccModule", "must be 1, 2, 3 or 4 (Decision 2021/914)")
	}
	if l.TransferTool != nil {
		if l.TransferMechanism != "scc" {
			return Invalid("transferTool", "give the clauses relied on only when the transfer mechanism is SCC")
		}
		if err := oneOf("transferTool", *l.TransferTool, TransferTools); err != nil {
			return err
		}
	}
	if err := optText("routingNote", &l.RoutingNote, 2000); err != nil {
		return err
	}
	if l.RoutingTimeZone != nil {
		if err := TimeZone("routingTimeZone", *l.RoutingTimeZone); err != nil {
			return err
		}
	}
	if l.RoutingShare != nil && (*l.RoutingShare <= 0 || *l.RoutingShare > 1) {
		return Invalid("routingShare", "must be a share of calls above 0 and at most 1")
	}
	return l.RoutingWindows.Validate("routingWindows")
}

// Validate checks routing windows.
func (ws Windows) Validate(field string) error {
	if len(ws) > MaxListLen {
		return Invalid(field, "at most %d windows", MaxListLen)
	}
	for _, w := range ws {
		if len(w.Days) == 0 {
			return Invalid(field+".days", "name at least one day (mon..sun)")
		}
		for _, d := range w.Days {
			if !slices.Contains(Weekdays, d) {
				return Invalid(field+".days", "%q is not a day; use mon, tue, wed, thu, fri, sat or sun", d)
			}
		}
		if !clock.MatchString(w.Start) || w.Start == "24:00" {
			return Invalid(field+".start", "%q is not a time of day (HH:MM, 00:00 to 23:59)", w.Start)
		}
		if !clock.MatchString(w.End) {
			return Invalid(field+".end", "%q is not a time of day (HH:MM, 00:00 to 24:00)", w.End)
		}
		if w.Start == w.End {
			return Invalid(field+".end", "a window from %s to %s is empty; use 00:00 to 24:00 for a whole day", w.Start, w.End)
		}
	}
	return nil
}

// Validate checks a role finding before it is stored.
func (f *RoleFinding) Validate() error {
	if err := oneOf("role", f.Role, FoundRoles); err != nil {
		return err
	}
	if err := text("authority", &f.Authority, MaxName, true); err != nil {
		return err
	}
	if f.DecidedOn.IsZero() {
		return Invalid("decidedOn", "is required")
	}
	if err := optText("reference", &f.Reference, MaxRef); err != nil {
		return err
	}
	return optText("note", &f.Note, MaxNote)
}

// Validate checks a system use before it is stored.
func (u *SystemUse) Validate() error {
	if err := optText("purpose", &u.Purpose, MaxPurpose); err != nil {
		return err
	}
	return u.Period.Validate()
}

// Validate checks a data move before it is stored.
func (m *DataMove) Validate() error {
	if m.FromSystemID == m.ToSystemID {
		return Invalid("toSystemId", "data cannot move from a system into itself")
	}
	if m.MovedAt.IsZero() {
		return Invalid("movedAt", "is required")
	}
	if m.RecordedFrom != nil && m.RecordedUntil != nil && !m.RecordedUntil.After(*m.RecordedFrom) {
		return Invalid("recordedUntil", "ends before recordedFrom")
	}
	if m.RecordedFrom != nil && !m.RecordedFrom.Before(m.MovedAt) {
		return Invalid("recordedFrom", "data recorded after the move cannot have moved")
	}
	return optText("note", &m.Note, MaxNote)
}

// Validate checks an attestation before it is stored.
func (a *Attestation) Validate() error {
	if (a.OrgID == nil) == (a.SystemID == nil) {
		return Invalid("orgId", "give exactly one subject: orgId or systemId")
	}
	if err := oneOf("kind", a.Kind, AttestationKinds); err != nil {
		return err
	}
	// A health-sector self-assessment is self-assessed whatever was said.
	if a.Kind == "health_self_assessment" {
		a.SelfAssessed = true
	}
	if err := text("issuer", &a.Issuer, MaxName, true); err != nil {
		return err
	}
	if a.IssuedOn.IsZero() {
		return Invalid("issuedOn", "is required")
	}
	if a.ValidUntil != nil && a.ValidUntil.Before(a.IssuedOn) {
		return Invalid("validUntil", "%s is before issuedOn %s", a.ValidUntil.Format(DateLayout), a.IssuedOn.Format(DateLayout))
	}
	if a.CoveredSystemIDs == nil {
		a.CoveredSystemIDs = []int64{}
	}
	if len(a.CoveredSystemIDs) > MaxListLen {
		return Invalid("coveredSystemIds", "at most %d systems", MaxListLen)
	}
	if err := optText("scope", &a.Scope, MaxNote); err != nil {
		return err
	}
	return optText("evidenceRef", &a.EvidenceRef, 1000)
}

// Validate checks an EEA membership before it is stored.
func (m *EEAMembership) Validate() error {
	if err := country("country", m.Country); err != nil {
		return err
	}
	return datePeriod(m.From, m.To)
}

// Validate checks an adequacy decision before it is stored.
func (d *AdequacyDecision) Validate() error {
	if err := country("country", d.Country); err != nil {
		return err
	}
	if d.Law == "" {
		d.Law = LawEU
	}
	if err := oneOf("law", d.Law, Laws); err != nil {
		return err
	}
	if err := oneOf("scope", d.Scope, AdequacyScopes); err != nil {
		return err
	}
	if d.Scope == "partial" && d.ConditionCode == nil {
		return Invalid("conditionCode", "a partial decision needs its condition")
	}
	if d.ConditionCode != nil {
		if err := oneOf("conditionCode", *d.ConditionCode, ConditionCodes); err != nil {
			return err
		}
	}
	if err := optText("condition", &d.Condition, MaxNote); err != nil {
		return err
	}
	if err := optText("decisionRef", &d.DecisionRef, MaxRef); err != nil {
		return err
	}
	if d.DecidedOn.IsZero() {
		return Invalid("decidedOn", "is required")
	}
	if d.From.IsZero() {
		d.From = d.DecidedOn
	}
	return datePeriod(d.From, d.To)
}

// Validate checks that a period has a start and ends after it.
func (p Period) Validate() error {
	if p.From.IsZero() {
		return Invalid("validFrom", "is required")
	}
	if p.To != nil && !p.To.After(p.From) {
		return Invalid("validTo", "the period ends (%s) before it starts (%s)",
			p.To.Format(time.RFC3339), p.From.Format(time.RFC3339))
	}
	return nil
}

func datePeriod(from time.Time, to *time.Time) error {
	if from.IsZero() {
		return Invalid("validFrom", "is required")
	}
	if to != nil && !to.After(from) {
		return Invalid("validTo", "the period ends (%s) before it starts (%s)", to.Format(DateLayout), from.Format(DateLayout))
	}
	return nil
}

// TimeZone checks an IANA time zone name.
func TimeZone(field, name string) error {
	if _, err := time.LoadLocation(name); err != nil || name == "" || name == "Local" {
		return Invalid(field, "%q is not a time zone name such as Europe/Stockholm", name)
	}
	return nil
}

func text(field string, s *string, max int, required bool) error {
	*s = strings.TrimSpace(*s)
	if !utf8.ValidString(*s) {
		return Invalid(field, "is not valid UTF-8")
	}
	if required && *s == "" {
		return Invalid(field, "is required")
	}
	if n := utf8.RuneCountInString(*s); n > max {
		return Invalid(field, "is %d characters long; at most %d", n, max)
	}
	if strings.ContainsRune(*s, 0) {
		return Invalid(field, "contains a NUL character")
	}
	return nil
}

func optText(field string, s **string, max int) error {
	if *s == nil {
		return nil
	}
	if err := text(field, *s, max, false); err != nil {
		return err
	}
	if **s == "" {
		*s = nil
	}
	return nil
}

func oneOf(field, v string, allowed []string) error {
	if !slices.Contains(allowed, v) {
		return Invalid(field, "%q is not one of %s", v, strings.Join(allowed, ", "))
	}
	return nil
}

func country(field, code string) error {
	if !countryCode.MatchString(code) {
		return Invalid(field, "%q is not an ISO 3166-1 alpha-2 code such as SE", code)
	}
	return nil
}

func categories(field string, cs []string) error {
	if len(cs) > MaxListLen {
		return Invalid(field, "at most %d categories", MaxListLen)
	}
	for i := range cs {
		if err := text(field, &cs[i], 100, true); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks a location policy before it is stored.
func (p *LocationPolicy) Validate() error {
	if p.ControllerID == 0 {
		return Invalid("controllerId", "is required")
	}
	if err := oneOf("policy", p.Policy, LocationPolicies); err != nil {
		return err
	}
	if (p.Policy == "country") != (p.Country != nil) {
		return Invalid("country", "give a country exactly when the policy is COUNTRY")
	}
	if p.Country != nil {
		if err := country("country", *p.Country); err != nil {
			return err
		}
	}
	if err := optText("reference", &p.Reference, MaxRef); err != nil {
		return err
	}
	return p.Period.Validate()
}
