package server_test

import (
	"encoding/json"
	"reflect"
	"testing"
)

// A nested query that asks for each link's receiving party and each use's
// system reads them with the links and the uses (resolvers.joinedLoader):
// those levels cost no statement of their own, and answer what the same
// objects answer when asked for one by one.
func TestJoinedLevelsCostNoStatementAndAnswerAlike(t *testing.T) {
	h := newHarness(t, true)
	vars := map[string]any{"id": h.orgID("Region Värmland"), "at": "2019-02-01T02:00+01:00"}
	const party = `id legalName orgNumber kind countyCode countyLetter timeZone endedAt`
	const system = `id name kind dataCategories description endedAt`
	tests := []struct {
		name, joined, plain string
	}{
		{"links out and their parties",
			`query($id: ID!, $at: Instant) { organisation(id: $id) { linksOut(at: $at) { id role to { ` + party + ` } } } }`,
			`query($id: ID!, $at: Instant) { organisation(id: $id) { linksOut(at: $at) { id role } } }`},
		{"through a fragment",
			`query($id: ID!, $at: Instant) { organisation(id: $id) { linksOut(at: $at) { id role ...P } } } fragment P on Link { to { ` + party + ` } }`,
			`query($id: ID!, $at: Instant) { organisation(id: $id) { linksOut(at: $at) { id role } } }`},
		{"subcontractors and their parties",
			`query($id: ID!, $at: Instant) { organisation(id: $id) { subcontractors(at: $at) { id to { ` + party + ` } } } }`,
			`query($id: ID!, $at: Instant) { organisation(id: $id) { subcontractors(at: $at) { id } } }`},
		{"uses and their systems",
			`query($id: ID!, $at: Instant) { organisation(id: $id) { linksOut(at: $at) { id to { id systemUses(at: $at) { id system { ` + system + ` } } } } } }`,
			`query($id: ID!, $at: Instant) { organisation(id: $id) { linksOut(at: $at) { id to { id systemUses(at: $at) { id } } } } }`},
	}
	count := func(query string, v any) int64 {
		// Audit rows queued earlier are written first; this request's row
		// is written (one group commit, as for the other query) before the
		// count ends.
		h.flushAudit()
		before := h.store.Statements()
		h.data(query, vars, v)
		h.flushAudit()
		return h.store.Statements() - before
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var joined map[string]any
			withRefs, without := count(tt.joined, &joined), count(tt.plain, &struct{}{})
			if withRefs != without {
				t.Errorf("%d statements with the level, %d without; want the same", withRefs, without)
			}
			// Every party and system in the answer is the one asked for alone.
			n := 0
			var walk func(v any)
			walk = func(v any) {
				switch v := v.(type) {
				case []any:
					for _, x := range v {
						walk(x)
					}
				case map[string]any:
					for k, x := range v {
						if k == "to" || k == "system" {
							n++
							checkAlone(t, h, k, x.(map[string]any), party, system)
						}
						walk(x)
					}
				}
			}
			walk(joined)
			if n == 0 {
				t.Fatalf("the answer has no party or system to compare: %v", joined)
			}
		})
	}
}

// checkAlone compares got with what organisation(id) or system(id) answers.
func checkAlone(t *testing.T, h *harness, kind string, got map[string]any, party, system string) {
	t.Helper()
	q := `query($id: ID!) { one: organisation(id: $id) { ` + party + ` } }`
	if kind == "system" {
		q = `query($id: ID!) { one: system(id: $id) { ` + system + ` } }`
	}
	var alone struct{ One map[string]any }
	h.data(q, map[string]any{"id": got["id"]}, &alone)
	// The fields both answers have (a nested one may hold lists too).
	nested, one := map[string]any{}, map[string]any{}
	for k, v := range alone.One {
		if g, ok := got[k]; ok {
			nested[k], one[k] = g, v
		}
	}
	if len(one) < 2 && kind == "system" || len(one) < 1 || !reflect.DeepEqual(nested, one) {
		a, _ := json.Marshal(alone.One)
		b, _ := json.Marshal(got)
		t.Errorf("%s %v: nested %s, alone %s", kind, got["id"], b, a)
	}
}
