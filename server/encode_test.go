package server

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/graphql-go/graphql"
	"github.com/graphql-go/graphql/gqlerrors"
	"github.com/graphql-go/graphql/language/location"
)

// TestEncodeResultIsJSONMarshal: the answer's encoder writes what
// json.Marshal wrote before it, byte for byte, errors included.
func TestEncodeResultIsJSONMarshal(t *testing.T) {
	var allBytes strings.Builder
	for c := 0; c < 256; c++ {
		allBytes.WriteByte(byte(c))
	}
	tests := []struct {
		name string
		res  graphql.Result
	}{
		{"no data", graphql.Result{}},
		{"typename", graphql.Result{Data: map[string]any{"__typename": "Query"}}},
		{"nested", graphql.Result{Data: map[string]any{"organisations": map[string]any{"nodes": []any{
			map[string]any{"id": "1", "legalName": "Region Värmland", "linksOut": []any{}, "endedAt": nil, "n": 3, "ok": true},
			map[string]any{"id": "2", "legalName": "A & B <Ltd>", "linksOut": []any(nil), "share": 0.25, "big": 1e21, "small": 1e-7}}}}}},
		{"every byte", graphql.Result{Data: map[string]any{allBytes.String(): allBytes.String()}}},
		{"unicode", graphql.Result{Data: map[string]any{"s": "line\u2028para\u2029 ok \U0001F600 \xff\xfe bad \u00e5\u00e4\u00f6 \x7f"}}},
		{"nil map and other types", graphql.Result{Data: map[string]any{"m": map[string]any(nil), "i32": int32(-7), "i64": int64(1) << 60,
			"strs": []string{"a", "<b>"}, "f32": float32(0.1)}}},
		{"errors", graphql.Result{Data: nil, Errors: []gqlerrors.FormattedError{{Message: "no <such> thing",
			Locations: []location.SourceLocation{{Line: 1, Column: 3}}, Path: []any{"a", 0, "b"},
			Extensions: map[string]any{"code": "NOT_FOUND", "field": "id"}}}}},
		{"data and errors", graphql.Result{Data: map[string]any{"a": nil}, Errors: []gqlerrors.FormattedError{{Message: "x"}}}},
		{"extensions", graphql.Result{Data: map[string]any{}, Extensions: map[string]any{"k": 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := json.Marshal(tt.res)
			if err != nil {
				t.Fatal(err)
			}
			got, err := encodeResult([]byte("leftover")[:0], &tt.res)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("encodeResult\n got %s\nwant %s", got, want)
			}
		})
	}
	t.Run("random strings", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		alphabet := []string{"a", "\"", "\\", "<", ">", "&", "\n", "\x00", "\x1f", "\x7f", "\xc3", "\xa5", "å", "\u2028", "\u2029", "\U0001F600", "\xed\xa0\x80"}
		for i := 0; i < 2000; i++ {
			var sb strings.Builder
			for n := rng.IntN(12); n > 0; n-- {
				sb.WriteString(alphabet[rng.IntN(len(alphabet))])
			}
			res := graphql.Result{Data: map[string]any{sb.String(): []any{sb.String()}}}
			want, _ := json.Marshal(res)
			got, err := encodeResult(nil, &res)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%q: got %s (%v), want %s", sb.String(), got, err, want)
			}
		}
	})
	t.Run("unsupported value", func(t *testing.T) {
		res := graphql.Result{Data: map[string]any{"x": math.NaN()}}
		if _, err := json.Marshal(res); err == nil {
			t.Fatal("json.Marshal took NaN")
		}
		if _, err := encodeResult(nil, &res); err == nil {
			t.Error("encodeResult took NaN; json.Marshal refuses it")
		}
	})
}
