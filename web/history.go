package web

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/registry"
)

// historyRow is one recorded change of a registry row as a page shows it:
// who, when, and each column that changed from the version before.
type historyRow struct {
	ID      int64
	When    time.Time
	Actor   string
	Op      string
	Changes []fieldChange
}

// fieldChange is one column's value before and after a change.
type fieldChange struct {
	Column   string
	Old, New string
}

// historyColumns are left out of a change's list: they name the row, not a
// fact about it.
var historyColumns = map[string]bool{"id": true}

// history loads a row's recorded changes (the history service, one
// statement) and words them newest first, each as what it changed. Roles
// that may not read changes get none, as the API's Change type refuses them.
func (h *Handler) history(q *request, table string, id int64) ([]historyRow, error) {
	if !q.p.May(access.TypeRules["Change"]) {
		return nil, nil
	}
	key := registry.IDKey(table, id)
	all, err := h.svc.History.History(q.ctx(), []registry.HistoryKey{key})
	if err != nil {
		return nil, err
	}
	changes := all[key]
	out := make([]historyRow, 0, len(changes))
	var before map[string]json.RawMessage
	for _, c := range changes {
		var row map[string]json.RawMessage
		if err := json.Unmarshal(c.RowData, &row); err != nil {
			return nil, err
		}
		hr := historyRow{ID: c.ID, When: c.ChangedAt, Actor: c.Actor, Op: c.Op}
		cols := make([]string, 0, len(row))
		for k := range row {
			cols = append(cols, k)
		}
		slices.Sort(cols)
		for _, k := range cols {
			if historyColumns[k] {
				continue
			}
			old, had := before[k]
			if before != nil && had && bytes.Equal(compactJSON(old), compactJSON(row[k])) {
				continue
			}
			if before == nil && string(row[k]) == "null" {
				// A new row's empty columns say nothing.
				continue
			}
			fc := fieldChange{Column: k, New: jsonText(row[k])}
			if before != nil {
				fc.Old = jsonText(old)
			}
			hr.Changes = append(hr.Changes, fc)
		}
		before = row
		out = append(out, hr)
	}
	slices.Reverse(out)
	return out, nil
}

func compactJSON(b json.RawMessage) []byte {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return b
	}
	return buf.Bytes()
}

// jsonText words a column's JSON value for people: text without quotes,
// lists joined, null as a dash.
func jsonText(b json.RawMessage) string {
	var v any
	if len(b) == 0 || json.Unmarshal(b, &v) != nil {
		return string(b)
	}
	switch x := v.(type) {
	case nil:
		return "–"
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			raw, _ := json.Marshal(e)
			parts[i] = jsonText(raw)
		}
		return strings.Join(parts, ", ")
	}
	return string(compactJSON(b))
}

// placement is one path by which a controller's chain reaches the subject
// at an instant: the controller, the steps down, and what the links on it
// lack by the rules of law.
type placement struct {
	Controller named
	Steps      []placementStep
	Gaps       int
}

type placementStep struct {
	LinkID     int64
	From, To   named
	Role       string
	Transfer   string
	ToClass    string
	HealthData bool
	Gaps       []registry.Gap
}

// placements says where the subject (an organisation, a system, or with
// link set only the paths that end on that link) sits in every
// controller's chain at at: the responsibility service's paths, as the
// responsibility query answers them.
func (h *Handler) placements(q *request, org, system, link int64, at time.Time) ([]placement, error) {
	if !q.p.May(access.PageRules["placements"]) {
		return nil, nil
	}
	res, err := h.svc.Chains.Responsibility(q.ctx(), org, system, at, registry.MaxChainDepth)
	if err != nil {
		return nil, err
	}
	name := func(id int64) named { return named{ID: id, Name: res.Parties[id].LegalName} }
	var out []placement
	for _, path := range res.Paths {
		if len(path.Links) == 0 {
			continue
		}
		if link != 0 && path.Links[len(path.Links)-1].Link.ID != link {
			continue
		}
		p := placement{Controller: name(path.Links[0].Link.FromID)}
		for _, l := range path.Links {
			p.Steps = append(p.Steps, placementStep{LinkID: l.Link.ID, From: name(l.Link.FromID), To: name(l.Link.ToID),
				Role: l.Link.Role, Transfer: l.Transfer, ToClass: l.TransferClass, HealthData: l.Link.HealthData, Gaps: l.Missing})
			p.Gaps += len(l.Missing)
		}
		out = append(out, p)
	}
	return out, nil
}

// Column words a history column's name, or shows it as it is.
func (v view) Column(c string) string {
	if _, ok := words["col."+c]; ok {
		return v.T("col." + c)
	}
	return c
}

// AtValue is the instant the page was asked for (?at=), for links that keep
// it; "" is now.
func (v view) AtValue() string { return v.r.URL.Query().Get("at") }

// MayReadHistory says whether the principal may read recorded changes (the
// API's Change type).
func (v view) MayReadHistory() bool { return v.p.May(access.TypeRules["Change"]) }
