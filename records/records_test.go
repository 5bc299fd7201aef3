package records

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kedja/kedja/registry"
)

func TestWrite(t *testing.T) {
	rec := registry.Record{Kind: "controller", PartyID: 1, Party: "Region Test", At: time.Date(2019, 2, 1, 1, 0, 0, 0, time.UTC),
		Rows: []registry.RecordRow{
			{Section: "recipient", Party: "=HYPERLINK(\"http://x\")", Country: "SE", CountryName: "Sweden", TransferClass: "eea", Role: "processor", Depth: 1},
			{Section: "recipient", Party: "Medicall Co., Ltd.", Country: "TH", CountryName: "Thailand", TransferClass: "third_country",
				Transfer: new("no_mechanism"), TransferMechanism: "none", Role: "processor", Depth: 2, Via: []string{"Medhelp AB"}},
		}}
	tests := []struct {
		name, format string
		cells        func(t *testing.T, b []byte) [][]string
	}{
		{"CSV", "csv", func(t *testing.T, b []byte) [][]string {
			r := csv.NewReader(bytes.NewReader(b))
			r.FieldsPerRecord = -1
			all, err := r.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			return all[1:] // after the title
		}},
		{"XLSX", "xlsx", func(t *testing.T, b []byte) [][]string {
			f, err := excelize.OpenReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rows, err := f.GetRows("Record")
			if err != nil {
				t.Fatal(err)
			}
			return rows[2:] // after the title and a blank line
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, rec, tt.format); err != nil {
				t.Fatal(err)
			}
			rows := tt.cells(t, buf.Bytes())
			if len(rows) != 3 || !slices.Equal(rows[0], registry.RecordColumns) {
				t.Fatalf("rows %q", rows)
			}
			party := slices.Index(registry.RecordColumns, "party")
			if tt.format == "csv" && rows[1][party] != "'=HYPERLINK(\"http://x\")" {
				t.Errorf("a formula-like name is written %q, want it quoted", rows[1][party])
			}
			if rows[2][party] != "Medicall Co., Ltd." || !slices.Contains(rows[2], "NONE: no mechanism") {
				t.Errorf("Medicall's row %q", rows[2])
			}
		})
	}
	if err := Write(&bytes.Buffer{}, rec, "pdf"); registry.AsError(err) == nil || registry.AsError(err).Field != "format" {
		t.Errorf("pdf: %v, want INVALID_INPUT on format", err)
	}
}
