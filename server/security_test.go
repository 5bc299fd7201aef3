package server_test

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/graphql-go/graphql"

	"github.com/kedja/kedja/access"
	"github.com/kedja/kedja/graph/render"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
	"github.com/kedja/kedja/schema"
	"github.com/kedja/kedja/server"
)

func TestUnauthenticatedGets401EverywhereButHealth(t *testing.T) {
	h := newHarness(t, true)
	ctx := context.Background()
	past := time.Now().Add(-time.Hour)
	_, expired, err := h.store.CreateToken(ctx, "test", "expired", "admin", &past)
	if err != nil {
		t.Fatal(err)
	}
	revokedTok, revoked, err := h.store.CreateToken(ctx, "test", "revoked", "admin", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.RevokeToken(ctx, fmt.Sprint(revokedTok.ID)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, path, token string
		want                      int
	}{
		{"GraphQLWithoutToken", http.MethodPost, "/graphql", "", 401},
		{"GraphQLGetWithoutToken", http.MethodGet, "/graphql", "", 401},
		{"ReportWithoutToken", http.MethodGet, "/traces/00000000000000000000000000000000.html", "", 401},
		{"UnknownToken", http.MethodPost, "/graphql", "kedja_not-a-real-token", 401},
		{"NotAKedjaToken", http.MethodPost, "/graphql", "eyJhbGciOiJub25lIn0.e30.", 401},
		{"ExpiredToken", http.MethodPost, "/graphql", expired, 401},
		{"RevokedToken", http.MethodPost, "/graphql", revoked, 401},
		{"HealthIsOpen", http.MethodGet, "/healthz", "", 200},
		{"LiveToken", http.MethodPost, "/graphql", h.tokens["auditor"], 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, h.url+tt.path, strings.NewReader(`{"query":"{ checks { id } }"}`))
			req.Header.Set("Content-Type", "application/json")
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("got %d %s, want %d", resp.StatusCode, body, tt.want)
			}
			if tt.want == 401 && (!strings.Contains(string(body), "UNAUTHENTICATED") || resp.Header.Get("WWW-Authenticate") == "") {
				t.Errorf("a 401 should say UNAUTHENTICATED and ask for a bearer token: %s", body)
			}
		})
	}
}

// Every root field, called by every role, is allowed or refused as its rule
// says. The fields come from the schema itself, so a new field is covered
// the moment it exists (and schema.New refuses one without a rule).
func TestEveryRootFieldHonoursItsRule(t *testing.T) {
	h := newHarness(t, true)
	res := resolvers.New(h.store.Services(), nil, stockholm)
	sch, err := schema.New(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, root := range []*graphql.Object{sch.QueryType(), sch.MutationType()} {
		kind := strings.ToLower(root.Name())
		names := make([]string, 0, len(root.Fields()))
		for name := range root.Fields() {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			f := root.Fields()[name]
			rule, ok := access.RootRules[root.Name()+"."+name]
			if !ok {
				t.Errorf("%s.%s has no access rule", root.Name(), name)
				continue
			}
			doc := kind + " { " + name + callArgs(f) + selection(f.Type) + " }"
			for _, role := range registry.AccessRoles {
				t.Run(root.Name()+"."+name+"/"+role, func(t *testing.T) {
					r := h.as(role).with(t).post(doc, nil)
					forbidden := false
					for _, e := range r.Errors {
						forbidden = forbidden || (e.Extensions["code"] == "FORBIDDEN")
					}
					want := !contains(strings.Join(rule, ","), role)
					if forbidden != want {
						t.Errorf("%s as %s: forbidden %v, want %v (%s; errors %+v)", name, role, forbidden, want, doc, r.Errors)
					}
				})
			}
		}
	}
}

// A refusal gives nothing away: the same answer for an object that exists
// and one that does not.
func TestForbiddenDoesNotRevealExistence(t *testing.T) {
	h := newHarness(t, true)
	exists := h.as("dsr").post(`query($id: ID!) { organisation(id: $id) { legalName } }`, map[string]any{"id": h.orgID("Medhelp AB")})
	missing := h.as("dsr").post(`{ organisation(id: "999999") { legalName } }`, nil)
	if exists.code() != "FORBIDDEN" || missing.code() != "FORBIDDEN" || exists.Errors[0].Message != missing.Errors[0].Message {
		t.Errorf("existing: %+v; missing: %+v; want the same FORBIDDEN", exists.Errors, missing.Errors)
	}
	// A DSR handler reads the trace but not the registry behind it.
	r := h.as("dsr").post(`mutation($r: ID!) { traceCall(region: $r, at: "2017-03-11T02:00", caseRef: "DSR-1") {
		holders { party { legalName organisation { linksOut { id } } } } } }`, map[string]any{"r": h.orgID("Region Värmland")})
	if r.code() != "FORBIDDEN" || !strings.Contains(string(r.Data), "Medicall Co., Ltd.") {
		t.Errorf("dsr trace: want the holders' names and FORBIDDEN on the live organisations; got %s %+v", r.Data, r.Errors)
	}
}

// callArgs makes the required arguments of a field, with values of the
// right type; what they point at need not exist.
func callArgs(f *graphql.FieldDefinition) string {
	var parts []string
	for _, a := range f.Args {
		if nn, ok := a.Type.(*graphql.NonNull); ok {
			parts = append(parts, a.Name()+": "+value(nn.OfType))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func value(t graphql.Type) string {
	switch t := t.(type) {
	case *graphql.NonNull:
		return value(t.OfType)
	case *graphql.List:
		return "[" + value(t.OfType) + "]"
	case *graphql.Enum:
		return t.Values()[0].Name
	case *graphql.InputObject:
		var parts []string
		for name, f := range t.Fields() {
			if nn, ok := f.Type.(*graphql.NonNull); ok {
				parts = append(parts, name+": "+value(nn.OfType))
			}
		}
		sort.Strings(parts)
		return "{" + strings.Join(parts, ", ") + "}"
	case *graphql.Scalar:
		switch t.Name() {
		case "Int":
			return "1"
		case "Float":
			return "0.5"
		case "Boolean":
			return "true"
		case "Instant", "Date":
			return `"2020-01-01"`
		}
	}
	return `"1"`
}

func selection(t graphql.Type) string {
	for {
		switch w := t.(type) {
		case *graphql.NonNull:
			t = w.OfType
			continue
		case *graphql.List:
			t = w.OfType
			continue
		case *graphql.Object:
			return " { __typename }"
		}
		return ""
	}
}

func TestAbuseIsRefusedWithItsOwnCode(t *testing.T) {
	h := newHarness(t, false)
	deep := "{ organisation(id: \"1\") { " + strings.Repeat("parent { ", 20) + "id" + strings.Repeat(" }", 20) + " } }"
	var aliases strings.Builder
	aliases.WriteString("{ ")
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&aliases, "a%d: checks { id } ", i)
	}
	aliases.WriteString("}")
	var roots strings.Builder
	roots.WriteString("{ ")
	for _, f := range []string{"checks", "countries", "organisations", "systems", "links", "attestations", "findings", "checkRuns", "auditLog", "traces(caseRef: \"x\")", "chain(controller: \"1\", at: \"2020-01-01\")"} {
		roots.WriteString(f)
		if strings.HasPrefix(f, "checks") || strings.HasPrefix(f, "countries") || strings.HasPrefix(f, "traces") {
			roots.WriteString(" { __typename } ")
		} else if strings.HasPrefix(f, "chain") {
			roots.WriteString(" { at } ")
		} else {
			roots.WriteString(" { pageInfo { hasNextPage } } ")
		}
	}
	roots.WriteString("}")
	wide := `{ organisations(first: 500) { nodes { linksOut { to { linksOut { to { linksOut { to { linksOut { id } } } } } } } } } }`
	var batch bytes.Buffer
	batch.WriteString("[")
	for i := 0; i < 100; i++ {
		if i > 0 {
			batch.WriteString(",")
		}
		batch.WriteString(`{"query":"{ checks { id } }"}`)
	}
	batch.WriteString("]")
	huge := `{"query":"{ checks { id } }","variables":{"x":"` + strings.Repeat("A", 10<<20) + `"}}`

	tests := []struct {
		name, method, contentType, body string
		wantStatus                      int
		wantCode                        string
	}{
		{"DepthBomb", http.MethodPost, "application/json", jsonQuery(deep), 400, "DEPTH_LIMIT"},
		{"HundredAliases", http.MethodPost, "application/json", jsonQuery(aliases.String()), 400, "ALIAS_LIMIT"},
		{"ElevenRootFields", http.MethodPost, "application/json", jsonQuery(roots.String()), 400, "ROOT_FIELD_LIMIT"},
		{"WideNestOfLists", http.MethodPost, "application/json", jsonQuery(wide), 400, "COST_LIMIT"},
		{"SelfSpreadingFragment", http.MethodPost, "application/json", jsonQuery(`fragment f on Query { checks { id } ...f } { ...f }`), 400, "GRAPHQL_VALIDATION_FAILED"},
		{"TwoThousandBraces", http.MethodPost, "application/json", jsonQuery(strings.Repeat("{ a ", 2000) + strings.Repeat("}", 2000)), 400, "DEPTH_LIMIT"},
		{"BatchOfHundred", http.MethodPost, "application/json", batch.String(), 400, "BATCH_NOT_SUPPORTED"},
		{"TenMegabyteBody", http.MethodPost, "application/json", huge, 413, "BODY_TOO_LARGE"},
		{"Get", http.MethodGet, "", "", 405, "METHOD_NOT_ALLOWED"},
		{"FormPost", http.MethodPost, "application/x-www-form-urlencoded", "query=%7Bchecks%7Bid%7D%7D", 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"MultipartPost", http.MethodPost, "multipart/form-data; boundary=x", "--x--", 415, "UNSUPPORTED_MEDIA_TYPE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.with(t).raw(tt.method, tt.contentType, strings.NewReader(tt.body))
			if r.Status != tt.wantStatus || r.code() != tt.wantCode {
				t.Errorf("got %d %s, want %d %s (%+v)", r.Status, r.code(), tt.wantStatus, tt.wantCode, r.Errors)
			}
		})
	}
}

func jsonQuery(q string) string {
	var b bytes.Buffer
	b.WriteString(`{"query":`)
	fmt.Fprintf(&b, "%q", q)
	b.WriteString("}")
	return b.String()
}

// Strings that would break naive SQL are stored and read back verbatim.
func TestInjectionStringsAreStoredVerbatim(t *testing.T) {
	h := newHarness(t, true)
	payloads := []string{
		`Robert'); DROP TABLE organisations;--`,
		`' OR '1'='1`,
		`x'; UPDATE api_tokens SET role = 'admin';--`,
		`$1 $$ \x00-free \\ "quotes" ` + "`backticks`",
		`<script>alert(1)</script>`,
		`%s %d {{.}} ${jndi:ldap://x}`,
	}
	for i, p := range payloads {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			var org struct {
				CreateOrganisation struct{ ID, LegalName, OrgNumber string }
			}
			h.with(t).data(`mutation($n: String!, $o: String) { createOrganisation(input: {legalName: $n, orgNumber: $o, country: "SE", kind: COMPANY}) { id legalName orgNumber } }`,
				map[string]any{"n": p, "o": fmt.Sprint("N", i, p)[:min(50, len(p)+2)]}, &org)
			var sys struct {
				CreateSystem struct{ Name, Description string }
			}
			h.with(t).data(`mutation($op: ID!, $n: String!) { createSystem(input: {name: $n, description: $n, kind: STORAGE, operatorId: $op, dataCategories: [$n]}) { name description } }`,
				map[string]any{"op": org.CreateOrganisation.ID, "n": p}, &sys)
			var link struct {
				CreateLink struct{ Purpose, AgreementRef string }
			}
			h.with(t).data(`mutation($f: ID!, $to: ID!, $n: String!) { createLink(input: {fromId: $f, toId: $to, role: PROCESSOR, purpose: $n, agreementRef: $n, routingNote: $n, validFrom: "2020-01-01"}) { purpose agreementRef } }`,
				map[string]any{"f": h.orgID("Region Gotland"), "to": org.CreateOrganisation.ID, "n": p}, &link)
			if org.CreateOrganisation.LegalName != strings.TrimSpace(p) || sys.CreateSystem.Description != p || link.CreateLink.Purpose != p || link.CreateLink.AgreementRef != p {
				t.Errorf("stored differently: %+v %+v %+v", org, sys, link)
			}
		})
	}
	if n := h.count(`SELECT count(*) FROM api_tokens WHERE role = 'admin'`); n != 1 {
		t.Errorf("admin tokens: %d, want 1", n)
	}
}

func TestRateLimit(t *testing.T) {
	cfg := server.DefaultConfig
	cfg.RatePerSecond, cfg.RateBurst = 2, 5
	h := newHarnessWith(t, false, cfg)
	codes := map[string]int{}
	for i := 0; i < 20; i++ {
		codes[h.post(`{ checks { id } }`, nil).code()]++
	}
	// A burst of 5 at 2 a second: 20 quick requests run into it, and the
	// other tokens are not held back by this one's use.
	if codes[""] < 5 || codes["RATE_LIMITED"] == 0 {
		t.Errorf("answers by code: %v; want the burst served and the rest RATE_LIMITED", codes)
	}
	if r := h.as("auditor").post(`{ checks { id } }`, nil); r.code() != "" {
		t.Errorf("another token was limited too: %+v", r.Errors)
	}
	// Guessing tokens runs out of attempts too.
	guess := *h
	guess.token = "kedja_guess"
	codes = map[string]int{}
	for i := 0; i < 20; i++ {
		codes[guess.post(`{ checks { id } }`, nil).code()]++
	}
	if codes["UNAUTHENTICATED"] > 6 || codes["RATE_LIMITED"] == 0 {
		t.Errorf("guessing: %v; want a few UNAUTHENTICATED, then RATE_LIMITED", codes)
	}
}

func TestAuditLogRecordsRequests(t *testing.T) {
	h := newHarness(t, true)
	ctx := context.Background()
	h.post(`mutation { createOrganisation(input: {legalName: "Audited AB", country: "SE", kind: COMPANY}) { id } }`, nil)
	h.as("dsr").post(`mutation($r: ID!) { traceCall(region: $r, at: "2017-03-11T02:00", caseRef: "DSR-AUDIT-9") { id } }`,
		map[string]any{"r": h.orgID("Region Värmland")})
	h.as("").post(`{ checks { id } }`, nil)
	h.as("dsr").post(`{ organisations { nodes { id } } }`, nil)
	h.flushAudit()

	var log struct {
		AuditLog struct {
			Nodes []struct {
				Principal, Role, Operation, Outcome, Client, QueryHash string
				Affected                                               []string
				CaseRef                                                *string
			}
		}
	}
	h.as("auditor").data(`{ auditLog(first: 100) { nodes { principal role operation outcome client queryHash affected caseRef } } }`, nil, &log)
	var created, traced, anonymous, denied bool
	for _, e := range log.AuditLog.Nodes {
		switch {
		case strings.HasPrefix(e.Operation, "mutation createOrganisation") && e.Outcome == "ok":
			created = len(e.Affected) == 1 && strings.HasPrefix(e.Affected[0], "organisation:") && len(e.QueryHash) == 64
		case strings.HasPrefix(e.Operation, "mutation traceCall"):
			traced = e.Role == "dsr" && e.CaseRef != nil && *e.CaseRef == "DSR-AUDIT-9" && strings.HasPrefix(e.Affected[0], "trace:")
		case e.Principal == "anonymous":
			anonymous = e.Outcome == "UNAUTHENTICATED" && e.Client == "127.0.0.1"
		case e.Role == "dsr" && strings.Contains(e.Operation, "organisations"):
			denied = e.Outcome == "FORBIDDEN"
		}
	}
	if !created || !traced || !anonymous || !denied {
		t.Errorf("audit log: created %v, traced %v, anonymous %v, denied %v\n%+v", created, traced, anonymous, denied, log.AuditLog.Nodes)
	}
	var leaks int
	for _, secret := range h.tokens {
		leaks += h.count(fmt.Sprintf(`SELECT count(*) FROM audit_log WHERE strpos(CAST(audit_log AS text), '%s') > 0`, secret))
	}
	leaks += h.count(`SELECT count(*) FROM audit_log WHERE strpos(CAST(audit_log AS text), 'Audited AB') > 0`)
	if leaks != 0 {
		t.Errorf("%d audit rows contain a token or request data", leaks)
	}
	if r := h.as("editor").post(`{ auditLog { nodes { id } } }`, nil); r.code() != "FORBIDDEN" {
		t.Errorf("an editor read the audit log: %+v", r.Errors)
	}

	h.flushAudit()
	rep, err := h.store.VerifyAudit(ctx, nil)
	if err != nil || len(rep.Problems) != 0 || rep.Rows < 5 {
		t.Fatalf("untouched log: %d rows, problems %v, err %v", rep.Rows, rep.Problems, err)
	}
	// Each tamper, and that verify catches it, is store's
	// TestVerifyCatchesTampering's.
}

func contains(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

func TestPicturesOverHTTP(t *testing.T) {
	h := newHarness(t, true)
	stockholmID := h.orgID("Region Stockholm")
	trace := h.as("dsr").trace(h.orgID("Region Värmland"), "2017-03-11T02:00", "DSR-PIC")
	var sys struct {
		Systems struct{ Nodes []struct{ ID string } }
	}
	h.data(`{ systems(filter: {nameContains: "storage server"}) { nodes { id } } }`, nil, &sys)
	chainSVG := "/graph/chain/" + stockholmID + ".svg?at=2019-02-01T02:00"

	// Every picture route in every format, as every role: a picture for the
	// roles of the query it draws, FORBIDDEN for the others, and the server
	// up throughout.
	routes := []struct {
		name, path, rule, want string
	}{
		{"Chain", "/graph/chain/" + stockholmID + ".%s?at=2019-02-01T02:00", "Query.chain", "Medicall"},
		{"ResponsibilityOfOrganisation", "/graph/responsibility/organisation/" + h.orgID("Medicall Co., Ltd.") + ".%s?at=2019-02-01", "Query.responsibility", "Medicall"},
		{"ResponsibilityOfSystem", "/graph/responsibility/system/" + sys.Systems.Nodes[0].ID + ".%s?at=2019-02-01", "Query.responsibility", "missing: agreement"},
		{"Trace", "/graph/trace/" + trace.TraceCall.ID + ".%s", "Query.trace", "Medicall"},
	}
	for _, rt := range routes {
		for _, format := range []string{"svg", "png", "dot"} {
			for _, role := range append(slices.Clone(registry.AccessRoles), "") {
				t.Run(rt.name+"/"+format+"/"+cmp.Or(role, "anonymous"), func(t *testing.T) {
					resp := h.as(role).with(t).get(fmt.Sprintf(rt.path, format))
					defer resp.Body.Close()
					body, _ := io.ReadAll(resp.Body)
					status, ctype, want := 200, render.Formats[format], rt.want
					switch {
					case role == "":
						status, ctype, want = 401, "application/json", "UNAUTHENTICATED"
					case !slices.Contains(access.RootRules[rt.rule], role):
						status, ctype, want = 403, "application/json", "FORBIDDEN"
					case format == "png":
						want = "\x89PNG"
					}
					if resp.StatusCode != status || !strings.HasPrefix(resp.Header.Get("Content-Type"), ctype) || !bytes.Contains(body, []byte(want)) {
						t.Errorf("got %d %s (%d bytes), want %d %s containing %q", resp.StatusCode, resp.Header.Get("Content-Type"), len(body), status, ctype, want)
					}
				})
			}
		}
	}

	tests := []struct {
		name, role, path string
		status           int
		ctype            string
		want             string
	}{
		{"ChainSVGShowsThailand", "editor", chainSVG, 200, "image/svg+xml", "THIRD COUNTRY, NO ADEQUACY"},
		{"TracePictureURLForDSR", "dsr", trace.TraceCall.PictureURL, 200, "image/svg+xml", "Medicall"},
		{"UnknownController", "admin", "/graph/chain/999999.svg", 404, "", ""},
		{"BadInstant", "admin", "/graph/chain/" + stockholmID + ".svg?at=yesterday", 400, "application/json", "INVALID_INPUT"},
		{"UnknownFormat", "admin", "/graph/chain/" + stockholmID + ".pdf", 404, "", ""},
		{"UnknownKind", "admin", "/graph/everything/1.svg", 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.as(tt.role).with(t).get(tt.path)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.ctype) || !bytes.Contains(body, []byte(tt.want)) {
				t.Errorf("got %d %s (%d bytes), want %d %s containing %q", resp.StatusCode, resp.Header.Get("Content-Type"), len(body), tt.status, tt.ctype, tt.want)
			}
		})
	}
	if resp := h.get("/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthz after every picture: %d", resp.StatusCode)
	}

	// Cached by content: the same picture has the same ETag, and asking
	// with it gets 304.
	first := h.get(chainSVG)
	first.Body.Close()
	etag := first.Header.Get("ETag")
	req, _ := http.NewRequest(http.MethodGet, h.url+chainSVG, nil)
	req.Header.Set("Authorization", "Bearer "+h.token)
	req.Header.Set("If-None-Match", etag)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if etag == "" || resp.StatusCode != http.StatusNotModified {
		t.Errorf("ETag %q, revalidation %d; want 304", etag, resp.StatusCode)
	}

	// Fifty at once, each a different instant so none comes from the cache.
	var wg sync.WaitGroup
	statuses := make(chan int, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/graph/chain/%s.svg?at=2019-01-%02dT02:00", h.url, stockholmID, 1+i%28), nil)
			req.Header.Set("Authorization", "Bearer "+h.token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != http.StatusOK {
			t.Errorf("a concurrent render answered %d", s)
		}
	}
}
