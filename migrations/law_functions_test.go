package migrations_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// lawFunctions are the functions migrations 0038, 0039, 0041 and 0043 run as
// PL/pgSQL, with their SQL bodies.
var lawFunctions = []string{
	"kedja_country_law(character,timestamptz)",
	"kedja_party_law(bigint,timestamptz)",
	"kedja_transfer_class(character,timestamptz,text)",
	"kedja_transfer_bridged(character,timestamptz,text)",
	"kedja_partial_condition_met(bigint,character,timestamptz,text)",
	"kedja_tool_verdict(text,text,date,timestamptz,text)",
	"kedja_tia_expected(text,timestamptz)",
	// 0039: what the checks call once per link reached.
	"kedja_general_processor_link(bigint,bigint,timestamptz)",
	"kedja_authorisation_kind(bigint,bigint,timestamptz)",
	"kedja_approved(bigint,text,bigint,bigint,timestamptz)",
	"kedja_objection_deadline(bigint,bigint)",
	"kedja_law_citation(text,character,timestamptz,text)",
	// 0041: a routing window, asked per link a trace walks.
	"kedja_in_windows(jsonb,timestamptz,text)",
}

// lawLoops are law functions written in PL/pgSQL from the start, as loops
// rather than one SELECT: 0041's path law, asked from the path's end.
var lawLoops = []string{
	"kedja_path_lawgiver(bigint[],timestamptz)",
	"kedja_path_law(bigint[],timestamptz)",
	"kedja_path_law_country(bigint[],timestamptz)",
}

// TestLawFunctionsKeepTheirPlans: the law functions that read tables run
// as PL/pgSQL, which keeps their plans for the session (a SQL function
// with a subquery is planned again in every statement that calls it), and
// answer as the SQL functions they were, over every country, law and a
// span of dates of the reference data.
func TestLawFunctionsKeepTheirPlans(t *testing.T) {
	ctx := context.Background()
	db := migrated(t)
	wrapped := regexp.MustCompile(`(?s)^ BEGIN RETURN \((.*)\n    \); END $`)
	for _, f := range append(slices.Clone(lawFunctions), lawLoops...) {
		t.Run(f, func(t *testing.T) {
			var lang, src string
			if err := db.QueryRowContext(ctx, `SELECT l.lanname, p.prosrc FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
				WHERE p.oid = CAST($1 AS regprocedure)`, f).Scan(&lang, &src); err != nil {
				t.Fatal(err)
			}
			if lang != "plpgsql" {
				t.Fatalf("%s is %s; a later migration replaced it without keeping it PL/pgSQL (see 0038, 0039, 0041, 0043)", f, lang)
			}
			if slices.Contains(lawFunctions, f) && !wrapped.MatchString(src) {
				t.Fatalf("%s's body is not 0038's (0039's, 0041's, 0043's) RETURN of one SELECT: %q", f, src)
			}
		})
	}

	// The SQL functions as they were, rebuilt from the bodies, beside them.
	sqlTwin := func(name, args, returns string) string {
		var src string
		if err := db.QueryRowContext(ctx, `SELECT prosrc FROM pg_proc WHERE oid = CAST($1 AS regprocedure)`,
			name+"("+argTypes(args)+")").Scan(&src); err != nil {
			t.Fatal(err)
		}
		body := wrapped.FindStringSubmatch(src)[1]
		twin := "sql_" + name
		// The body names its own parameters qualified by its function's
		// name (kedja_transfer_class.law); the twin keeps that name's
		// meaning by renaming those qualifiers.
		body = strings.ReplaceAll(body, name+".", twin+".")
		if _, err := db.ExecContext(ctx, fmt.Sprintf("CREATE OR REPLACE FUNCTION %s(%s) RETURNS %s LANGUAGE sql STABLE AS $twin$%s$twin$",
			twin, args, returns, body)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.ExecContext(context.Background(), "DROP FUNCTION IF EXISTS "+twin+"("+argTypes(args)+")") }) //nolint:errcheck
		return twin
	}
	grid := `(SELECT code FROM countries) c(code)
		CROSS JOIN (SELECT code FROM laws UNION ALL SELECT 'none') w(law)
		CROSS JOIN generate_series(CAST('1994-01-01' AS timestamptz), CAST('2027-01-01' AS timestamptz), interval '7 months') AS d(at)`
	cases := []struct {
		name, args, returns, call string
	}{
		{"kedja_country_law", "code character, at timestamptz", "text", "%s(c.code, d.at)"},
		{"kedja_transfer_class", "code character, at timestamptz, law text", "text", "%s(c.code, d.at, w.law)"},
		{"kedja_transfer_bridged", "code character, at timestamptz, law text", "boolean", "%s(c.code, d.at, w.law)"},
		{"kedja_tia_expected", "law text, at timestamptz", "boolean", "%s(w.law, d.at)"},
	}
	for _, c := range cases {
		t.Run("SameAnswers/"+c.name, func(t *testing.T) {
			twin := sqlTwin(c.name, c.args, c.returns)
			var rows, differ int
			q := fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE %s IS DISTINCT FROM %s) FROM %s`,
				fmt.Sprintf(c.call, c.name), fmt.Sprintf(c.call, twin), grid)
			if err := db.QueryRowContext(ctx, q).Scan(&rows, &differ); err != nil {
				t.Fatal(err)
			}
			if rows < 1000 || differ != 0 {
				t.Errorf("%s: %d of %d answers differ from the SQL function's", c.name, differ, rows)
			}
		})
	}
}

// argTypes turns "code character, at timestamptz" into "character,timestamptz".
func argTypes(args string) string {
	var types []string
	for _, a := range strings.Split(args, ",") {
		f := strings.Fields(a)
		types = append(types, f[len(f)-1])
	}
	return strings.Join(types, ",")
}
