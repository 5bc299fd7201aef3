package resolvers

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/registry"
)

// input decodes one GraphQL input object onto a registry value, field by
// field, keeping the first error with the field's name. Fields absent from
// the object leave the value as it was, which is what an update wants; the
// names listed in "clear" set optional fields to null, since graphql-go cannot
// tell an explicit null from a missing field.
type input struct {
	m       map[string]any
	prefix  string
	loc     *time.Location
	err     error
	clear   map[string]bool
	cleared map[string]bool
}

func newInput(m map[string]any, prefix string, clear []any, loc *time.Location) *input {
	in := &input{m: m, prefix: prefix, loc: loc, clear: map[string]bool{}, cleared: map[string]bool{}}
	for _, c := range clear {
		if s, ok := c.(string); ok {
			in.clear[s] = true
		}
	}
	return in
}

func (in *input) name(k string) string {
	if in.prefix == "" {
		return k
	}
	return in.prefix + "." + k
}

func (in *input) fail(err error) {
	if in.err == nil {
		in.err = err
	}
}

// get returns the raw value of k, if given and no error is pending.
func (in *input) get(k string) (any, bool) {
	if in.err != nil {
		return nil, false
	}
	v, ok := in.m[k]
	return v, ok && v != nil
}

// clearing reports whether optional field k is to be set to null.
func (in *input) clearing(k string) bool {
	if in.clear[k] {
		in.cleared[k] = true
		if _, given := in.m[k]; given {
			in.fail(registry.Invalid(in.name(k), "given and cleared at once"))
		}
		return true
	}
	return false
}

// finish reports names in clear that are not optional fields of this input.
func (in *input) finish() error {
	for k := range in.clear {
		if !in.cleared[k] {
			in.fail(registry.Invalid("clear", "%q is not an optional field of this input", k))
		}
	}
	return in.err
}

func (in *input) str(k string, dst *string) {
	if v, ok := in.get(k); ok {
		*dst = v.(string)
	}
}

func (in *input) optStr(k string, dst **string) {
	if in.clearing(k) {
		*dst = nil
		return
	}
	if v, ok := in.get(k); ok {
		s := v.(string)
		*dst = &s
	}
}

func (in *input) boolean(k string, dst *bool) {
	if v, ok := in.get(k); ok {
		*dst = v.(bool)
	}
}

// optBool decodes a fact that may be unknown: left out (or cleared) is nil.
func (in *input) optBool(k string, dst **bool) {
	if in.clearing(k) {
		*dst = nil
		return
	}
	if v, ok := in.get(k); ok {
		b := v.(bool)
		*dst = &b
	}
}

func (in *input) id(k string, dst *int64) {
	if v, ok := in.get(k); ok {
		id, err := parseID(in.name(k), v)
		if err != nil {
			in.fail(err)
			return
		}
		*dst = id
	}
}

func (in *input) optID(k string, dst **int64) {
	if in.clearing(k) {
		*dst = nil
		return
	}
	var id int64
	if _, ok := in.get(k); ok {
		in.id(k, &id)
		*dst = &id
	}
}

func (in *input) ids(k string, dst *[]int64) {
	if in.clearing(k) {
		*dst = []int64{}
		return
	}
	if v, ok := in.get(k); ok {
		list := v.([]any)
		out := make([]int64, 0, len(list))
		for _, e := range list {
			id, err := parseID(in.name(k), e)
			if err != nil {
				in.fail(err)
				return
			}
			if !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		*dst = out
	}
}

func (in *input) strs(k string, dst *[]string) {
	if in.clearing(k) {
		*dst = []string{}
		return
	}
	if v, ok := in.get(k); ok {
		list := v.([]any)
		out := make([]string, 0, len(list))
		for _, e := range list {
			out = append(out, e.(string))
		}
		*dst = out
	}
}

func (in *input) instant(k string, dst *time.Time) {
	if v, ok := in.get(k); ok {
		t, err := registry.ParseInstant(in.name(k), v.(string), in.loc)
		if err != nil {
			in.fail(err)
			return
		}
		*dst = t
	}
}

func (in *input) optInstant(k string, dst **time.Time) {
	if in.clearing(k) {
		*dst = nil
		return
	}
	if _, ok := in.get(k); ok {
		var t time.Time
		in.instant(k, &t)
		*dst = &t
	}
}

func (in *input) date(k string, dst *time.Time) {
	if v, ok := in.get(k); ok {
		t, err := registry.ParseDate(in.name(k), v.(string))
		if err != nil {
			in.fail(err)
			return
		}
		*dst = t
	}
}

func (in *input) optDate(k string, dst **time.Time) {
	if in.clearing(k) {
		*dst = nil
		return
	}
	if _, ok := in.get(k); ok {
		var t time.Time
		in.date(k, &t)
		*dst = &t
	}
}

func (in *input) optInt32(k string, dst **int32) {
	if in.clearing(k) {
		*dst = nil
		return
	}
	if v, ok := in.get(k); ok {
		n := int32(v.(int))
		*dst = &n
	}
}

func (in *input) optInt16(k string, dst **int16) {
	if in.clearing(k) {
		*dst = nil
		return
	}
	if v, ok := in.get(k); ok {
		n := v.(int)
		if n < math.MinInt16 || n > math.MaxInt16 {
			in.fail(registry.Invalid(in.name(k), "%d is out of range", n))
			return
		}
		s := int16(n)
		*dst = &s
	}
}

func (in *input) optFloat(k string, dst **float64) {
	if in.clearing(k) {
		*dst = nil
		return
	}
	if v, ok := in.get(k); ok {
		var f float64
		switch n := v.(type) {
		case float64:
			f = n
		case int:
			f = float64(n)
		}
		*dst = &f
	}
}

// windows decodes routing windows: [{days: [SAT, SUN], start: "00:00", end: "24:00"}].
func (in *input) windows(k string, dst *registry.Windows) {
	if in.clearing(k) {
		*dst = nil
		return
	}
	v, ok := in.get(k)
	if !ok {
		return
	}
	// The input arrives as generic maps; a JSON round trip maps it onto the
	// typed windows, and Validate then names what is wrong.
	b, err := json.Marshal(v)
	if err == nil {
		var ws registry.Windows
		if err = json.Unmarshal(b, &ws); err == nil {
			for i := range ws {
				for j, d := range ws[i].Days {
					ws[i].Days[j] = strings.ToLower(d)
				}
			}
			*dst = ws
			return
		}
	}
	in.fail(registry.Invalid(in.name(k), "not a list of {days, start, end} windows"))
}

// parseID reads an ID argument: kedja's ids are positive integers.
func parseID(field string, v any) (int64, error) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case int:
		s = strconv.Itoa(x)
	default:
		s = fmt.Sprint(x)
	}
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		if len(s) > 40 {
			s = s[:40] + "..."
		}
		return 0, registry.Invalid(field, "%q is not an id", s)
	}
	return id, nil
}
