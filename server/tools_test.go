package server_test

import (
	"testing"
	"time"

	"github.com/kedja/kedja/server"
)

// A UK controller's link records the clauses it relies on over the API,
// and the verdict follows the UK GDPR (issue 14 item 5): the EU 2021 clauses
// alone are no UK tool (HIGH, citing the UK GDPR, a TRANSFER_TOOL_NOT_VALID
// gap in responsibility); with the UK Addendum the transfer is safeguarded;
// a tool on a link not under SCCs is refused naming the field.
func TestTransferToolOverHTTP(t *testing.T) {
	cfg := server.DefaultConfig
	cfg.Timeout = 2 * time.Minute // a check run on a loaded test machine
	cfg.RatePerSecond, cfg.RateBurst = 1000, 1000
	h := newHarnessWith(t, false, cfg)
	ctl := h.created(`mutation { o: createOrganisation(input: {legalName: "UK Health Line Ltd", country: "GB", kind: PUBLIC_BODY}) { id } }`, nil)
	th := h.created(`mutation { o: createOrganisation(input: {legalName: "Bangkok Voice Co.", country: "TH", kind: COMPANY}) { id } }`, nil)
	link := h.created(`mutation($f: ID!, $t: ID!) { l: createLink(input: {fromId: $f, toId: $t, role: PROCESSOR, purpose: "calls",
		agreementRef: "DPA-1", healthData: true, validFrom: "2020-01-01", transferMechanism: SCC, sccModule: 2, transferTool: EU_SCC_2021,
		tiaDate: "2023-01-01"}) { id } }`, map[string]any{"f": ctl, "t": th})

	const at = "2023-06-01T12:00Z"
	steps := []struct {
		name, tool                  string // tool set by updateLink first, "" for none
		wantCheck, wantSev, wantRef string
		wantGap, wantGapArticle     string
	}{
		{"EU2021ClausesAloneUnderUKLaw", "", "third_country", "HIGH", "UK GDPR Art. 44-49", "TRANSFER_TOOL_NOT_VALID", "UK GDPR Art. 46, 49"},
		{"WithTheUKAddendum", "UK_ADDENDUM", "third_country_safeguarded", "INFO", "UK GDPR Art. 46, 49", "", ""},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.tool != "" {
				var upd struct{ UpdateLink struct{ TransferTool string } }
				h.with(t).data(`mutation($l: ID!, $tool: TransferTool!) { updateLink(id: $l, input: {transferTool: $tool}) { transferTool } }`,
					map[string]any{"l": link, "tool": st.tool}, &upd)
				if upd.UpdateLink.TransferTool != st.tool {
					t.Fatalf("updateLink gave transferTool %q, want %s", upd.UpdateLink.TransferTool, st.tool)
				}
			}
			var eval struct {
				EvaluateChecks struct {
					Findings []struct {
						Check, Severity, LegalRef, Message string
						SubjectParty                       *struct{ ID string }
					}
				}
			}
			h.with(t).data(`query($at: Instant!) { evaluateChecks(at: $at, checks: ["third_country", "third_country_safeguarded"]) {
				findings { check severity legalRef message subjectParty { id } } } }`, map[string]any{"at": at}, &eval)
			n := 0
			for _, f := range eval.EvaluateChecks.Findings {
				if f.SubjectParty == nil || f.SubjectParty.ID != th {
					continue
				}
				n++
				if f.Check != st.wantCheck || f.Severity != st.wantSev || f.LegalRef != st.wantRef {
					t.Errorf("finding %s %s citing %s (%s), want %s %s citing %s", f.Check, f.Severity, f.LegalRef, f.Message,
						st.wantCheck, st.wantSev, st.wantRef)
				}
			}
			if n != 1 {
				t.Errorf("%d findings on the Thai processor, want one", n)
			}

			var res struct {
				Responsibility struct {
					Missing []struct{ Code, Article string }
				}
			}
			h.with(t).data(`query($p: ID!, $at: Instant!) { responsibility(organisation: $p, at: $at) { missing { code article } } }`,
				map[string]any{"p": th, "at": at}, &res)
			code, article := "", ""
			for _, m := range res.Responsibility.Missing {
				code, article = m.Code, m.Article
			}
			if len(res.Responsibility.Missing) > 1 || code != st.wantGap || article != st.wantGapArticle {
				t.Errorf("responsibility gaps %+v, want %q citing %q", res.Responsibility.Missing, st.wantGap, st.wantGapArticle)
			}
		})
	}

	t.Run("ToolWithoutSCCRefused", func(t *testing.T) {
		r := h.with(t).post(`mutation($f: ID!, $t: ID!) { createLink(input: {fromId: $f, toId: $t, role: PROCESSOR, purpose: "calls",
			agreementRef: "DPA-2", validFrom: "2020-01-01", transferMechanism: BCR, transferTool: UK_IDTA}) { id } }`,
			map[string]any{"f": ctl, "t": th})
		if r.code() != "INVALID_INPUT" || r.field() != "transferTool" {
			t.Errorf("got %s on %q, want INVALID_INPUT on transferTool", r.code(), r.field())
		}
	})
}
