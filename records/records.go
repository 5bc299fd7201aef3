// Package records writes records of processing generated from the chain
// (GDPR Art. 30) as CSV and XLSX, for the download routes, the web page and
// the CLI.
package records

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/kedja/kedja/registry"
)

// Formats are the file formats a record is written in.
var Formats = []string{"csv", "xlsx"}

// ContentType is the media type of a format.
func ContentType(format string) string {
	if format == "xlsx" {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// Title says whose record it is, as of when, under which article.
func Title(r registry.Record) string {
	art := "GDPR Art. 30(1), controller"
	if r.Kind == "processor" {
		art = "GDPR Art. 30(2), processor"
	}
	return fmt.Sprintf("Record of processing of %s (%s) as of %s, generated from kedja's chain", r.Party, art, r.At.Format("2006-01-02 15:04 MST"))
}

// FileName is a download's file name: party id and instant, no name (it
// may hold any character).
func FileName(r registry.Record, format string) string {
	return fmt.Sprintf("record-%s-%d-%s.%s", r.Kind, r.PartyID, r.At.UTC().Format("20060102T1504Z"), format)
}

// Write writes r in format (csv or xlsx) to w; INVALID_INPUT (field
// format) for another.
func Write(w io.Writer, r registry.Record, format string) error {
	switch format {
	case "csv":
		return writeCSV(w, r)
	case "xlsx":
		return writeXLSX(w, r)
	}
	return registry.Invalid("format", "must be one of %s", strings.Join(Formats, ", "))
}

// writeCSV writes the table, after a comment line naming the record, with
// cells that a spreadsheet would take for a formula quoted harmless.
func writeCSV(w io.Writer, r registry.Record) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"# " + Title(r)}); err != nil {
		return err
	}
	for _, row := range r.Table() {
		safe := make([]string, len(row))
		for i, c := range row {
			safe[i] = defuse(c)
		}
		if err := cw.Write(safe); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// defuse keeps a cell from being read as a formula by a spreadsheet
// (CSV injection): names and notes come from the registry, which anyone
// with write access fills.
func defuse(c string) string {
	if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
		return "'" + c
	}
	return c
}

// writeXLSX writes one sheet: the title, the unnamed recipients when the
// stated record leaves some out, then the table with a frozen header row.
// Cells are strings throughout (SetCellStr), so nothing is evaluated.
func writeXLSX(w io.Writer, r registry.Record) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Record"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	row := 1
	cell := func(col, row int) string {
		name, _ := excelize.CoordinatesToCellName(col, row)
		return name
	}
	if err := f.SetCellStr(sheet, cell(1, row), Title(r)); err != nil {
		return err
	}
	row++
	if len(r.Unnamed) > 0 {
		if err := f.SetCellStr(sheet, cell(1, row), "Not named in the stated record: "+strings.Join(r.Unnamed, "; ")); err != nil {
			return err
		}
		row++
	}
	if r.Truncated {
		if err := f.SetCellStr(sheet, cell(1, row), "The chain has more links than were read: this record is incomplete."); err != nil {
			return err
		}
		row++
	}
	row++
	header := row
	for _, cols := range r.Table() {
		for i, c := range cols {
			if err := f.SetCellStr(sheet, cell(i+1, row), c); err != nil {
				return err
			}
		}
		row++
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	if err := f.SetRowStyle(sheet, header, header, bold); err != nil {
		return err
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: header, TopLeftCell: cell(1, header+1), ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}
