package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kedja/kedja/listfile"
	"github.com/kedja/kedja/registry"
)

// medhelpList is Medhelp's list of 1 February 2019 as the demo has it
// (exported), with a Thai hosting company added.
func medhelpList(t *testing.T, h *harness, medhelp string) string {
	t.Helper()
	id, _ := strconv.ParseInt(medhelp, 10, 64)
	at, _ := time.ParseInLocation("2006-01-02", "2019-02-01", stockholm)
	rows, err := h.store.ExportSupplierList(context.Background(), id, at)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := registry.WriteImportCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	return b.String() + "Thai Cloud Co. Ltd.,,TH,Hosting of recordings,TH,call recordings,yes,,sub_processor,Medhelp AB\n"
}

type importAnswer struct {
	ID, Status, FileName, Sha256 string
	RowCount                     int
	NewLinkIds                   []string
	Diff                         struct {
		Empty   bool
		Changes []struct {
			Kind, PartyName string
			Line            *int
			Triggers        []struct {
				Check, Message string
				Cleared        bool
			}
		}
	}
}

const importFields = `id status fileName sha256 rowCount newLinkIds
	diff { empty changes { kind partyName line triggers { check message cleared } } }`

func TestImportOverGraphQL(t *testing.T) {
	h := newHarness(t, true)
	medhelp := h.orgID("Medhelp AB")
	list := medhelpList(t, h, medhelp)
	mutation := `mutation($s: ID!, $c: String!, $n: String!, $f: ImportFormat) {
		importSubprocessorList(supplierId: $s, effectiveDate: "2019-02-01", fileName: $n, format: $f, content: $c) { ` + importFields + ` } }`

	// The list sent as XLSX, base64, as a browser or a script would.
	rows, bad, err := listfile.Parse("csv", []byte(list))
	if err != nil || len(bad) > 0 {
		t.Fatal(err, bad)
	}
	var book bytes.Buffer
	if err := listfile.Write(&book, "xlsx", rows, nil); err != nil {
		t.Fatal(err)
	}
	links := h.count(`SELECT count(*) FROM links`)
	var got struct{ ImportSubprocessorList importAnswer }
	h.as("editor").data(mutation, map[string]any{"s": medhelp, "n": "medhelp.xlsx", "c": base64.StdEncoding.EncodeToString(book.Bytes())}, &got)
	imp := got.ImportSubprocessorList
	if imp.Status != "PENDING" || imp.RowCount != 3 || len(imp.Sha256) != 64 {
		t.Fatalf("import: %+v", imp)
	}
	var kinds []string
	third := false
	for _, c := range imp.Diff.Changes {
		kinds = append(kinds, c.Kind+":"+c.PartyName)
		for _, tr := range c.Triggers {
			third = third || c.PartyName == "Thai Cloud Co. Ltd." && tr.Check == "third_country" && !tr.Cleared && strings.Contains(tr.Message, "Thailand")
		}
	}
	if want := "NEW_PARTY:Thai Cloud Co. Ltd. NEW_LINK:Thai Cloud Co. Ltd."; strings.Join(kinds, " ") != want {
		t.Errorf("changes: got %v, want %s", kinds, want)
	}
	if !third {
		t.Errorf("the new third-country transfer is not shown: %+v", imp.Diff.Changes)
	}
	if n := h.count(`SELECT count(*) FROM links`); n != links {
		t.Errorf("the dry run wrote links: %d -> %d", links, n)
	}

	for _, tt := range []struct {
		name, role, query string
		vars              map[string]any
		code, field       string
		message           string
	}{
		{"BadRowsByLineAndColumn", "editor", mutation,
			map[string]any{"s": medhelp, "n": "list.csv", "c": "legal_name,country,service\nA AB,SE,x\nB Ltd,Thailand,y\n"},
			"INVALID_INPUT", "content", "line 3, column 2 (country)"},
		{"UnknownFormat", "editor", mutation, map[string]any{"s": medhelp, "n": "list.pdf", "c": "x"}, "INVALID_INPUT", "format", ""},
		{"AuditorCannotImport", "auditor", mutation, map[string]any{"s": medhelp, "n": "list.csv", "c": list}, "FORBIDDEN", "", ""},
		{"DSRCannotRead", "dsr", `query($id: ID!) { import(id: $id) { status } }`, map[string]any{"id": imp.ID}, "FORBIDDEN", "", ""},
		{"AuditorCannotApprove", "auditor", `mutation($id: ID!) { approveImport(id: $id) { status } }`, map[string]any{"id": imp.ID}, "FORBIDDEN", "", ""},
		{"RejectWithoutReason", "editor", `mutation($id: ID!) { rejectImport(id: $id, reason: "") { status } }`, map[string]any{"id": imp.ID},
			"INVALID_INPUT", "reason", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := h.with(t).as(tt.role).post(tt.query, tt.vars)
			if r.code() != tt.code || r.field() != tt.field {
				t.Fatalf("got %s (%s): %+v; want %s naming %q", r.code(), r.field(), r.Errors, tt.code, tt.field)
			}
			if tt.message != "" && !strings.Contains(r.Errors[0].Message, tt.message) {
				t.Errorf("message %q does not say %q", r.Errors[0].Message, tt.message)
			}
		})
	}

	// An auditor reads the dry run; an editor approves it.
	var read struct {
		Imports struct{ Nodes []struct{ ID, Status string } }
	}
	h.as("auditor").data(`query($s: ID) { imports(supplierId: $s) { nodes { id status } } }`, map[string]any{"s": medhelp}, &read)
	if len(read.Imports.Nodes) != 1 || read.Imports.Nodes[0].ID != imp.ID {
		t.Errorf("imports: %+v", read)
	}
	var approved struct{ ApproveImport importAnswer }
	h.as("editor").data(`mutation($id: ID!) { approveImport(id: $id) { `+importFields+` } }`, map[string]any{"id": imp.ID}, &approved)
	if approved.ApproveImport.Status != "APPROVED" || len(approved.ApproveImport.NewLinkIds) != 1 {
		t.Fatalf("approved: %+v", approved.ApproveImport)
	}
	if n := h.count(`SELECT count(*) FROM audit_log WHERE operation = 'mutation approveImport' AND outcome = 'ok' AND 'import:` + imp.ID + `' = ANY(affected)`); n != 1 {
		t.Errorf("%d audit rows of the approval naming the import, want 1", n)
	}
	if n := h.count(`SELECT count(*) FROM changes c JOIN organisations o ON c.table_name = 'organisations' AND c.row_key = CAST(o.id AS text)
		WHERE o.legal_name = 'Thai Cloud Co. Ltd.' AND c.actor <> ''`); n != 1 {
		t.Errorf("%d history rows of the new party, want 1", n)
	}

	// The same file again: an empty diff, and approving it changes nothing.
	h.as("editor").data(mutation, map[string]any{"s": medhelp, "n": "medhelp.csv", "c": list, "f": "CSV"}, &got)
	if !got.ImportSubprocessorList.Diff.Empty {
		t.Errorf("re-import: %+v", got.ImportSubprocessorList.Diff)
	}
	before := h.count(`SELECT count(*) FROM changes`)
	h.as("editor").data(`mutation($id: ID!) { approveImport(id: $id) { `+importFields+` } }`, map[string]any{"id": got.ImportSubprocessorList.ID}, &approved)
	if after := h.count(`SELECT count(*) FROM changes`); after != before {
		t.Errorf("approving the same list again wrote %d changes", after-before)
	}
}
