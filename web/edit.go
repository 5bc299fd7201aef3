package web

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/registry"
)

// The edit forms change a party, a system or a link through the same
// service calls as the update mutations (UpdateOrganisation, UpdateSystem,
// UpdateLink with an apply function), so the registry's validation, its
// change record and the audit row committed with the write (Config.Pending)
// are the API's. A form shows every error beside the field that caused it,
// filled with what the user typed; nothing is stored unless all of it is.

// option is one choice of a select; Translate says whether Label is a key of
// the page's words or a name to show as it is.
type option struct {
	Value, Label string
	Translate    bool
}

// fieldSpec is one field of an edit form. Name is the form field's name and
// also the field a registry.Error names, so a refusal lands beside it.
type fieldSpec struct {
	Name, Label, Type string
	Required          bool
	Max               int
	Step, Help        string
	Options           []option
}

// formField is a field as a form shows it: its spec, the value (as stored,
// or as typed), and its error.
type formField struct {
	fieldSpec
	Value, Error string
}

// Checked says whether a checkbox is ticked.
func (f formField) Checked() bool { return f.Value == "on" }

type editView struct {
	Kind    string // link, party or system: the heading's word
	Subject string // the thing's name
	Action  string
	Back    string
	// At is the instant the page the form came from was showing, which
	// the page shows again after saving.
	At string
	// Version is what the form's fields held when it was filled; a save
	// made over someone else's change to them is refused.
	Version string
	Fields  []formField
	// General is a refusal that names no field of the form.
	General string
}

// editor is one kind of thing an edit form changes.
type editor[V any] struct {
	kind   string // the words' key of its kind
	object string // its kind in the audit log's affected list
	path   string // its page: path + id
	load   func(ctx context.Context, svc registry.Services, id int64) (V, error)
	name   func(h *Handler, q *request, v V) (string, error)
	// specs lists the form's fields, with the choices for v.
	specs func(h *Handler, q *request, v V) ([]fieldSpec, error)
	// values words v as the form shows it.
	values func(h *Handler, v V) url.Values
	// apply sets v from the form, and returns what could not be read, by
	// field; it is also the update's apply function, so it must give the
	// same result every time.
	apply  func(h *Handler, f url.Values, v *V) map[string]string
	update func(ctx context.Context, svc registry.Services, actor string, id int64, apply func(*V) error) (V, error)
}

// form shows the edit form filled with what is stored.
func (e editor[V]) form(h *Handler) func(*request) error {
	return func(q *request) error {
		id, v, err := e.find(h, q)
		if err != nil {
			return err
		}
		vals := e.values(h, v)
		vals.Set("version", e.version(h, v))
		vals.Set("at", q.r.URL.Query().Get("at"))
		return e.show(h, q, http.StatusOK, id, v, vals, nil, "")
	}
}

// pageAt is a page's path at instant at, if that is one.
func (h *Handler) pageAt(path, at string) string {
	if at == "" {
		return path
	}
	if _, err := registry.ParseInstant("at", at, h.cfg.Resolvers.Location); err != nil {
		return path
	}
	return path + "?at=" + url.QueryEscape(at)
}

// version fingerprints what the form would show of v: the fields a save
// overwrites, and nothing else.
func (e editor[V]) version(h *Handler, v V) string {
	sum := sha256.Sum256([]byte(e.values(h, v).Encode()))
	return base64.RawURLEncoding.EncodeToString(sum[:16])
}

// errChanged refuses a save made over a change to the same fields that
// someone else saved after the form was filled.
var errChanged = registry.Conflict("", "changedMeanwhile")

func (e editor[V]) find(h *Handler, q *request) (int64, V, error) {
	var v V
	id, err := idOf(q.r.PathValue("id"))
	if err != nil {
		return 0, v, err
	}
	q.notes.Affected = []string{e.object + ":" + strconv.FormatInt(id, 10)}
	v, err = e.load(q.ctx(), h.svc, id)
	return id, v, err
}

func (e editor[V]) show(h *Handler, q *request, status int, id int64, v V, vals url.Values, errs map[string]string, general string) error {
	specs, err := e.specs(h, q, v)
	if err != nil {
		return err
	}
	name, err := e.name(h, q, v)
	if err != nil {
		return err
	}
	page := e.path + strconv.FormatInt(id, 10)
	view := editView{Kind: e.kind, Subject: name, Action: page + "/edit", Back: h.pageAt(page, vals.Get("at")), General: general,
		At: vals.Get("at"), Version: vals.Get("version")}
	for _, s := range specs {
		f := formField{fieldSpec: s, Value: vals.Get(s.Name), Error: errs[s.Name]}
		if s.Type == "select" && f.Value != "" && !slices.ContainsFunc(s.Options, func(o option) bool { return o.Value == f.Value }) {
			// What was sent, though no choice of the form, is shown as
			// sent beside its error.
			f.Options = append(slices.Clip(f.Options), option{Value: f.Value, Label: f.Value})
		}
		view.Fields = append(view.Fields, f)
		delete(errs, s.Name)
	}
	// An error about a field the form does not show is said above it.
	for _, msg := range errs {
		view.General = msg
	}
	h.render(q, status, "edit_form", view)
	return nil
}

// save stores the form through the update service. The form is read once
// against the stored thing to find what cannot be read, and only a form
// that reads whole is handed to the service, which applies it again to the
// row it holds locked.
func (e editor[V]) save(h *Handler) func(*request) error {
	return func(q *request) error {
		id, v, err := e.find(h, q)
		if err != nil {
			return err
		}
		form := q.r.PostForm
		draft := v
		errs := e.apply(h, form, &draft)
		if len(errs) == 0 {
			_, err = e.update(q.ctx(), h.svc, q.p.Name, id, func(cur *V) error {
				// cur is the row as stored, locked until the write
				// commits: no one else's save can come between.
				if e.version(h, *cur) != form.Get("version") {
					return errChanged
				}
				if errs := e.apply(h, form, cur); len(errs) > 0 {
					return registry.Conflict("", "the record changed while it was saved; try again")
				}
				return nil
			})
			if err == nil {
				http.Redirect(q.w, q.r, h.pageAt(e.path+strconv.FormatInt(id, 10), form.Get("at"))+"#history", http.StatusSeeOther)
				return nil
			}
			// Only the user's mistakes go back to the form: bad or
			// conflicting input, or a choice naming nothing. Anything else
			// (the thing itself gone, the database away) is the page's.
			re := registry.AsError(err)
			mistake := re != nil && (re.Code == registry.EInvalid || re.Code == registry.EConflict ||
				(re.Code == registry.ENotFound && re.Field != "id" && re.Field != ""))
			if !mistake {
				return err
			}
			errs = map[string]string{re.Field: re.Message}
		}
		outcome, status := "INVALID_INPUT", http.StatusUnprocessableEntity
		if registry.ErrorCode(err) == registry.EConflict {
			outcome = "CONFLICT"
		}
		vals := form
		if errors.Is(err, errChanged) {
			// Shown what was typed, the user may save it again over the
			// other change, knowingly: the form now carries its version.
			status = http.StatusConflict
			if v, err = e.load(q.ctx(), h.svc, id); err != nil {
				return err
			}
			vals = maps.Clone(form)
			vals.Set("version", e.version(h, v))
		}
		h.audit(q, outcome)
		general := errs[""]
		delete(errs, "")
		return e.show(h, q, status, id, v, vals, errs, general)
	}
}

// Reading form values: text is trimmed, an empty optional field is null,
// and what cannot be read is put in errs under the field's name, as the key
// of the words that say so.

func formText(f url.Values, k string) string { return strings.TrimSpace(f.Get(k)) }

func formOptText(f url.Values, k string, dst **string) {
	if s := formText(f, k); s != "" {
		*dst = &s
	} else {
		*dst = nil
	}
}

func formList(f url.Values, k string) []string {
	out := []string{}
	for _, s := range strings.Split(f.Get(k), ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// formInstant reads a date-and-time field in the registry's zone. The value
// shown for the stored instant leaves it as it is, to the nanosecond.
func (h *Handler) formInstant(f url.Values, k string, dst **time.Time, errs map[string]string) {
	s := formText(f, k)
	if *dst != nil && s == h.instantValue(*dst) {
		return
	}
	if s == "" {
		*dst = nil
		return
	}
	t, err := registry.ParseInstant(k, s, h.cfg.Resolvers.Location)
	if err != nil {
		errs[k] = "badInstant"
		return
	}
	*dst = &t
}

func formDate(f url.Values, k string, dst **time.Time, errs map[string]string) {
	s := formText(f, k)
	if s == "" {
		*dst = nil
		return
	}
	t, err := registry.ParseDate(k, s)
	if err != nil {
		errs[k] = "badDate"
		return
	}
	*dst = &t
}

// instantValue words an instant for a date-and-time field: to the minute,
// or the second when it has one.
func (h *Handler) instantValue(t *time.Time) string {
	if t == nil {
		return ""
	}
	l := t.In(h.cfg.Resolvers.Location)
	if l.Second() != 0 || l.Nanosecond() != 0 {
		return l.Format("2006-01-02T15:04:05")
	}
	return l.Format("2006-01-02T15:04")
}

func dateValue(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(registry.DateLayout)
}

func optValue(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func checkValue(b bool) string {
	if b {
		return "on"
	}
	return ""
}

// choices are a fixed list's options, worded by prefix+value.
func choices(prefix string, values []string) []option {
	out := make([]option, len(values))
	for i, v := range values {
		out[i] = option{Value: v, Label: prefix + v, Translate: true}
	}
	return out
}

var linkEditor = editor[registry.Link]{
	kind: "link", object: "link", path: "/links/",
	load: func(ctx context.Context, svc registry.Services, id int64) (registry.Link, error) {
		return svc.Links.Link(ctx, "id", id)
	},
	name: func(h *Handler, q *request, l registry.Link) (string, error) {
		names, _, err := h.names(q, []int64{l.FromID, l.ToID}, nil)
		return names[l.FromID] + " → " + names[l.ToID], err
	},
	specs: func(h *Handler, q *request, l registry.Link) ([]fieldSpec, error) {
		ctrl, err := h.authorisers(q, l)
		if err != nil {
			return nil, err
		}
		scc := []option{{Value: "", Label: "noneChosen", Translate: true}}
		for m := 1; m <= 4; m++ {
			scc = append(scc, option{Value: strconv.Itoa(m), Label: strconv.Itoa(m)})
		}
		return []fieldSpec{
			{Name: "role", Label: "role", Type: "select", Required: true, Options: choices("linkRole.", registry.Roles)},
			{Name: "purpose", Label: "purpose", Type: "textarea", Required: true, Max: registry.MaxPurpose},
			{Name: "dataCategories", Label: "dataCategories", Type: "text", Help: "commaSeparated"},
			{Name: "healthData", Label: "healthData", Type: "checkbox"},
			{Name: "validFrom", Label: "validFrom", Type: "datetime-local", Required: true, Step: "1"},
			{Name: "validTo", Label: "validTo", Type: "datetime-local", Step: "1", Help: "openEnded"},
			{Name: "agreementRef", Label: "agreementRef", Type: "text", Max: registry.MaxRef},
			{Name: "agreementDate", Label: "agreementDate", Type: "date"},
			{Name: "authorisation", Label: "authorisation", Type: "select", Options: choices("auth.", registry.Authorisations)},
			{Name: "authorisingControllerId", Label: "authorisingController", Type: "select", Options: ctrl},
			{Name: "authorisationDate", Label: "authorisationDate", Type: "date"},
			{Name: "transferMechanism", Label: "transferMechanism", Type: "select", Options: choices("mech.", registry.TransferMechanisms)},
			{Name: "sccModule", Label: "sccModule", Type: "select", Options: scc},
			{Name: "tiaDate", Label: "tiaDate", Type: "date"},
			{Name: "routingNote", Label: "routingNote", Type: "textarea", Max: 2000},
			{Name: "routingTimeZone", Label: "routingTimeZone", Type: "text", Help: "timeZoneHelp"},
			{Name: "routingShare", Label: "routingShare", Type: "number", Step: "0.01", Help: "shareHelp"},
		}, nil
	},
	values: func(h *Handler, l registry.Link) url.Values {
		v := url.Values{}
		v.Set("role", l.Role)
		v.Set("purpose", l.Purpose)
		v.Set("dataCategories", strings.Join(l.DataCategories, ", "))
		v.Set("healthData", checkValue(l.HealthData))
		v.Set("validFrom", h.instantValue(&l.From))
		v.Set("validTo", h.instantValue(l.To))
		v.Set("agreementRef", optValue(l.AgreementRef))
		v.Set("agreementDate", dateValue(l.AgreementDate))
		v.Set("authorisation", l.Authorisation)
		if l.AuthorisingControllerID != nil {
			v.Set("authorisingControllerId", strconv.FormatInt(*l.AuthorisingControllerID, 10))
		}
		v.Set("authorisationDate", dateValue(l.AuthorisationDate))
		v.Set("transferMechanism", l.TransferMechanism)
		if l.SCCModule != nil {
			v.Set("sccModule", strconv.Itoa(int(*l.SCCModule)))
		}
		v.Set("tiaDate", dateValue(l.TIADate))
		v.Set("routingNote", optValue(l.RoutingNote))
		v.Set("routingTimeZone", optValue(l.RoutingTimeZone))
		if l.RoutingShare != nil {
			v.Set("routingShare", strconv.FormatFloat(*l.RoutingShare, 'f', -1, 64))
		}
		return v
	},
	apply: func(h *Handler, f url.Values, l *registry.Link) map[string]string {
		errs := map[string]string{}
		l.Role = formText(f, "role")
		l.Purpose = formText(f, "purpose")
		l.DataCategories = formList(f, "dataCategories")
		l.HealthData = f.Get("healthData") == "on"
		from := &l.From
		h.formInstant(f, "validFrom", &from, errs)
		if from == nil {
			l.From = time.Time{} // the registry says it is required
		} else {
			l.From = *from
		}
		h.formInstant(f, "validTo", &l.To, errs)
		formOptText(f, "agreementRef", &l.AgreementRef)
		formDate(f, "agreementDate", &l.AgreementDate, errs)
		l.Authorisation = formText(f, "authorisation")
		l.AuthorisingControllerID = nil
		if s := formText(f, "authorisingControllerId"); s != "" {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || id <= 0 {
				errs["authorisingControllerId"] = "badChoice"
			} else {
				l.AuthorisingControllerID = &id
			}
		}
		formDate(f, "authorisationDate", &l.AuthorisationDate, errs)
		l.TransferMechanism = formText(f, "transferMechanism")
		l.SCCModule = nil
		if s := formText(f, "sccModule"); s != "" {
			n, err := strconv.ParseInt(s, 10, 16)
			if err != nil {
				errs["sccModule"] = "badChoice"
			} else {
				m := int16(n)
				l.SCCModule = &m
			}
		}
		formDate(f, "tiaDate", &l.TIADate, errs)
		formOptText(f, "routingNote", &l.RoutingNote)
		formOptText(f, "routingTimeZone", &l.RoutingTimeZone)
		l.RoutingShare = nil
		if s := formText(f, "routingShare"); s != "" {
			x, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
			if err != nil {
				errs["routingShare"] = "badNumber"
			} else {
				l.RoutingShare = &x
			}
		}
		return errs
	},
	update: func(ctx context.Context, svc registry.Services, actor string, id int64, apply func(*registry.Link) error) (registry.Link, error) {
		return svc.Links.UpdateLink(ctx, actor, id, apply)
	},
}

// authorisers are the choices for the controller that authorised a link:
// the controllers whose chains the link sits in (the responsibility
// service's), the party it comes from, and the one recorded, by name.
func (h *Handler) authorisers(q *request, l registry.Link) ([]option, error) {
	at := h.now()
	if !l.Period.Contains(at) {
		at = l.From
	}
	res, err := h.svc.Chains.Responsibility(q.ctx(), l.ToID, 0, at, registry.MaxChainDepth)
	if err != nil {
		return nil, err
	}
	ids := append([]int64{l.FromID}, res.Controllers...)
	if l.AuthorisingControllerID != nil {
		ids = append(ids, *l.AuthorisingControllerID)
	}
	names, _, err := h.names(q, ids, nil)
	if err != nil {
		return nil, err
	}
	out := []option{{Value: "", Label: "noneChosen", Translate: true}}
	seen := map[int64]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, option{Value: strconv.FormatInt(id, 10), Label: names[id]})
		}
	}
	return out, nil
}

var partyEditor = editor[registry.Organisation]{
	kind: "party", object: "organisation", path: "/parties/",
	load: func(ctx context.Context, svc registry.Services, id int64) (registry.Organisation, error) {
		return svc.Organisations.Organisation(ctx, "id", id)
	},
	name: func(_ *Handler, _ *request, o registry.Organisation) (string, error) { return o.LegalName, nil },
	specs: func(h *Handler, q *request, _ registry.Organisation) ([]fieldSpec, error) {
		countries, err := h.svc.Countries.ListCountries(q.ctx(), nil)
		if err != nil {
			return nil, err
		}
		cs := make([]option, len(countries))
		for i, c := range countries {
			cs[i] = option{Value: c.Code, Label: c.Code + " " + c.Name}
		}
		return []fieldSpec{
			{Name: "legalName", Label: "legalName", Type: "text", Required: true, Max: registry.MaxName},
			{Name: "orgNumber", Label: "orgNumber", Type: "text", Max: 50},
			{Name: "country", Label: "country", Type: "select", Required: true, Options: cs},
			{Name: "kind", Label: "kind", Type: "select", Required: true, Options: choices("orgKind.", registry.OrgKinds)},
			{Name: "countyCode", Label: "countyCode", Type: "text", Max: 2, Help: "regionsOnly"},
			{Name: "countyLetter", Label: "countyLetter", Type: "text", Max: 2, Help: "regionsOnly"},
			{Name: "timeZone", Label: "timeZone", Type: "text", Help: "timeZoneHelp"},
		}, nil
	},
	values: func(_ *Handler, o registry.Organisation) url.Values {
		v := url.Values{}
		v.Set("legalName", o.LegalName)
		v.Set("orgNumber", optValue(o.OrgNumber))
		v.Set("country", o.Country)
		v.Set("kind", o.Kind)
		v.Set("countyCode", optValue(o.CountyCode))
		v.Set("countyLetter", optValue(o.CountyLetter))
		v.Set("timeZone", o.TimeZone)
		return v
	},
	apply: func(_ *Handler, f url.Values, o *registry.Organisation) map[string]string {
		o.LegalName = formText(f, "legalName")
		formOptText(f, "orgNumber", &o.OrgNumber)
		o.Country = formText(f, "country")
		o.Kind = formText(f, "kind")
		formOptText(f, "countyCode", &o.CountyCode)
		formOptText(f, "countyLetter", &o.CountyLetter)
		o.TimeZone = formText(f, "timeZone")
		return nil
	},
	update: func(ctx context.Context, svc registry.Services, actor string, id int64, apply func(*registry.Organisation) error) (registry.Organisation, error) {
		return svc.Organisations.UpdateOrganisation(ctx, actor, id, apply)
	},
}

var systemEditor = editor[registry.System]{
	kind: "system", object: "system", path: "/systems/",
	load: func(ctx context.Context, svc registry.Services, id int64) (registry.System, error) {
		return svc.Systems.System(ctx, "id", id)
	},
	name: func(_ *Handler, _ *request, s registry.System) (string, error) { return s.Name, nil },
	specs: func(*Handler, *request, registry.System) ([]fieldSpec, error) {
		return []fieldSpec{
			{Name: "name", Label: "name", Type: "text", Required: true, Max: registry.MaxName},
			{Name: "kind", Label: "kind", Type: "select", Required: true, Options: choices("sysKind.", registry.SystemKinds)},
			{Name: "description", Label: "description", Type: "textarea", Max: registry.MaxNote},
			{Name: "dataCategories", Label: "dataCategories", Type: "text", Help: "commaSeparated"},
		}, nil
	},
	values: func(_ *Handler, s registry.System) url.Values {
		v := url.Values{}
		v.Set("name", s.Name)
		v.Set("kind", s.Kind)
		v.Set("description", optValue(s.Description))
		v.Set("dataCategories", strings.Join(s.DataCategories, ", "))
		return v
	},
	apply: func(_ *Handler, f url.Values, s *registry.System) map[string]string {
		s.Name = formText(f, "name")
		s.Kind = formText(f, "kind")
		formOptText(f, "description", &s.Description)
		s.DataCategories = formList(f, "dataCategories")
		return nil
	},
	update: func(ctx context.Context, svc registry.Services, actor string, id int64, apply func(*registry.System) error) (registry.System, error) {
		return svc.Systems.UpdateSystem(ctx, actor, id, apply)
	},
}
