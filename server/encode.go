package server

import (
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/graphql-go/graphql"
)

// encodeResult writes an execution's result exactly as json.Marshal does
// (same key order, escaping and numbers), without reflection for what
// graphql-go's answers are made of: maps of strings to values, lists,
// strings, booleans and integers. json.Marshal walks a map through
// reflection and copies every key and value it visits; for a nested answer
// that was a tenth of a request's allocations. Any other value (floats,
// types of their own) is encoded by json.Marshal itself, so its output and
// its errors stay the same.
// The answer is appended to b (see answerBuffers).
func encodeResult(b []byte, res *graphql.Result) ([]byte, error) {
	b = append(b, `{"data":`...)
	b, err := appendValue(b, res.Data)
	if err != nil {
		return nil, err
	}
	if len(res.Errors) > 0 {
		e, err := json.Marshal(res.Errors)
		if err != nil {
			return nil, err
		}
		b = append(append(b, `,"errors":`...), e...)
	}
	if len(res.Extensions) > 0 {
		e, err := json.Marshal(res.Extensions)
		if err != nil {
			return nil, err
		}
		b = append(append(b, `,"extensions":`...), e...)
	}
	return append(b, '}'), nil
}

func appendValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int32:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case map[string]any:
		if v == nil {
			return append(b, "null"...), nil
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(appendString(b, k), ':')
			var err error
			if b, err = appendValue(b, v[k]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case *object:
		// Its fields are in key order already (objectPlan).
		b = append(b, '{')
		for i, f := range v.plan.fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(appendString(b, f.name), ':')
			var err error
			if b, err = appendValue(b, v.slots[i].val); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case []any:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, item := range v {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, item); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	}
	e, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, e...), nil
}

// answerBuffers hold encoded answers between requests: an answer grows its
// buffer a dozen times on the way to tens of kilobytes.
var answerBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// maxPooledAnswer is the largest buffer kept: one huge answer does not pin
// its memory.
const maxPooledAnswer = 1 << 20

const hex = "0123456789abcdef"

// appendString quotes s as json.Marshal does: HTML's <, > and & escaped,
// invalid UTF-8 as U+FFFD, U+2028 and U+2029 escaped for JavaScript.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
