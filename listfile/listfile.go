// Package listfile reads and writes suppliers' sub-processor lists as CSV, XLSX and YAML, all as the rows of registry's import format.
package listfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"go.yaml.in/yaml/v3"

	"github.com/kedja/kedja/registry"
)

// FormatOf names a file's format by its name's ending; "" when unknown.
func FormatOf(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.HasSuffix(n, ".csv"), strings.HasSuffix(n, ".txt"):
		return "csv"
	case strings.HasSuffix(n, ".xlsx"):
		return "xlsx"
	case strings.HasSuffix(n, ".yaml"), strings.HasSuffix(n, ".yml"):
		return "yaml"
	}
	return ""
}

// Parse reads a list in format into rows. Bad cells come back as row
// errors by line and column (and no rows); err is a file that cannot be
// read at all.
func Parse(format string, content []byte) ([]registry.ImportRow, []registry.RowError, error) {
	switch format {
	case "csv":
		return registry.ParseImportCSV(bytes.NewReader(content))
	case "xlsx":
		return parseXLSX(content)
	case "yaml":
		return parseYAML(content)
	}
	return nil, nil, registry.Invalid("format", "must be one of %s", strings.Join(registry.ImportFormats, ", "))
}

// parseXLSX reads the first sheet; its first row names the columns. Line
// numbers are the sheet's row numbers.
func parseXLSX(content []byte) ([]registry.ImportRow, []registry.RowError, error) {
	f, err := excelize.OpenReader(bytes.NewReader(content))
	if err != nil {
		return nil, nil, registry.Invalid("content", "not an XLSX workbook")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, nil, registry.Invalid("content", "the workbook has no sheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, nil, registry.Invalid("content", "the first sheet cannot be read")
	}
	defer rows.Close()
	var table [][]string
	for rows.Next() {
		cols, err := rows.Columns()
		if err != nil {
			return nil, nil, registry.Invalid("content", "the first sheet cannot be read")
		}
		table = append(table, cols)
		if len(table) > registry.MaxImportRows+1 {
			return nil, []registry.RowError{{Line: len(table), Message: fmt.Sprintf("more than %d rows; split the list", registry.MaxImportRows)}}, nil
		}
	}
	// Rows() skips nothing: row i of the table is sheet row i+1.
	recs, bad := registry.HeaderRecords(table, func(i int) int { return i + 1 })
	if len(bad) > 0 {
		return nil, bad, nil
	}
	out, bad := registry.RowsFromRecords(recs)
	return out, bad, nil
}

// parseYAML reads a list of records (mappings from column names to values);
// a record's line is where it starts.
func parseYAML(content []byte) ([]registry.ImportRow, []registry.RowError, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(content, &doc); err != nil {
		line := 1
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			fmt.Sscanf(strings.TrimPrefix(err.Error(), "yaml: line "), "%d", &line)
		}
		return nil, []registry.RowError{{Line: line, Message: "not YAML: " + err.Error()}}, nil
	}
	if len(doc.Content) == 0 {
		return nil, []registry.RowError{{Line: 1, Message: "the file is empty; write a list of records"}}, nil
	}
	list := doc.Content[0]
	if list.Kind != yaml.SequenceNode {
		return nil, []registry.RowError{{Line: list.Line, Message: "write a list of records (- legal_name: ...)"}}, nil
	}
	var recs []registry.RawRecord
	var bad []registry.RowError
	for _, item := range list.Content {
		if item.Kind != yaml.MappingNode {
			bad = append(bad, registry.RowError{Line: item.Line, Message: "a record is a mapping of column names to values"})
			continue
		}
		rec := registry.RawRecord{Line: item.Line, Cells: map[string]string{}, Column: map[string]int{}}
		for i := 0; i+1 < len(item.Content); i += 2 {
			k, v := item.Content[i], item.Content[i+1]
			col := registry.ImportColumnName(k.Value)
			if col == "" {
				bad = append(bad, registry.RowError{Line: k.Line, Column: k.Value, Message: "unknown column; use " + strings.Join(registry.ImportColumns, ", ")})
				continue
			}
			switch v.Kind {
			case yaml.ScalarNode:
				rec.Cells[col] = v.Value
			case yaml.SequenceNode: // locations: [SE, TH]
				var parts []string
				for _, p := range v.Content {
					parts = append(parts, p.Value)
				}
				rec.Cells[col] = strings.Join(parts, ", ")
			default:
				bad = append(bad, registry.RowError{Line: v.Line, Column: col, Message: "a value or a list of values"})
			}
		}
		recs = append(recs, rec)
	}
	if len(bad) > 0 {
		return nil, bad, nil
	}
	out, bad := registry.RowsFromRecords(recs)
	return out, bad, nil
}

// Write writes rows in format, in the import format's columns.
func Write(w io.Writer, format string, rows []registry.ImportRow, progress func(done, total int)) error {
	switch format {
	case "csv":
		if err := registry.WriteImportCSV(w, rows); err != nil {
			return err
		}
	case "xlsx":
		return writeXLSX(w, rows, progress)
	case "yaml":
		return writeYAML(w, rows)
	default:
		return registry.Invalid("format", "must be one of %s", strings.Join(registry.ImportFormats, ", "))
	}
	if progress != nil {
		progress(len(rows), len(rows))
	}
	return nil
}

func writeXLSX(w io.Writer, rows []registry.ImportRow, progress func(done, total int)) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := f.GetSheetName(0)
	// The stream writer keeps memory flat on long lists.
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	header := make([]any, len(registry.ImportColumns))
	for i, c := range registry.ImportColumns {
		header[i] = c
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for i, r := range rows {
		cells := r.ImportCells()
		vals := make([]any, len(cells))
		for j, c := range cells {
			vals[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, vals); err != nil {
			return err
		}
		if progress != nil && (i+1)%10000 == 0 {
			progress(i+1, len(rows))
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if progress != nil {
		progress(len(rows), len(rows))
	}
	return f.Write(w)
}

// yamlRow is a row as YAML writes it: lists as lists, empty cells left out.
type yamlRow struct {
	LegalName      string   `yaml:"legal_name"`
	OrgNumber      string   `yaml:"org_number,omitempty"`
	Country        string   `yaml:"country"`
	Service        string   `yaml:"service"`
	Locations      []string `yaml:"locations,flow,omitempty"`
	DataCategories []string `yaml:"data_categories,flow,omitempty"`
	HealthData     string   `yaml:"health_data"`
	EffectiveDate  string   `yaml:"effective_date,omitempty"`
	Role           string   `yaml:"role"`
	Supplier       string   `yaml:"supplier,omitempty"`
}

func writeYAML(w io.Writer, rows []registry.ImportRow) error {
	out := make([]yamlRow, 0, len(rows))
	for _, r := range rows {
		c := r.ImportCells()
		out = append(out, yamlRow{LegalName: c[0], OrgNumber: c[1], Country: c[2], Service: c[3], Locations: r.Locations,
			DataCategories: r.DataCategories, HealthData: c[6], EffectiveDate: c[7], Role: c[8], Supplier: c[9]})
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(out); err != nil {
		return err
	}
	return enc.Close()
}

// Filename is the name an export is offered under.
func Filename(name string, at time.Time, format string) string {
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, name)
	return clean + "-" + at.Format(registry.DateLayout) + "." + format
}

// Request reads a file into an import request: its format from format or,
// when that is empty, from the file's name; its rows parsed. Bad cells
// come back as a *registry.ImportRowsError naming each by line and column.
func Request(supplier int64, controllerLink *int64, effective time.Time, name, format string, content []byte) (registry.ImportRequest, error) {
	if format == "" {
		format = FormatOf(name)
		if format == "" {
			return registry.ImportRequest{}, registry.Invalid("format", "name the format (csv, xlsx or yaml); the file name does not say")
		}
	}
	req := registry.ImportRequest{SupplierID: supplier, ControllerLinkID: controllerLink, EffectiveDate: effective,
		SourceName: name, Format: format, Content: content}
	if err := req.Validate(); err != nil {
		return req, err
	}
	rows, bad, err := Parse(format, content)
	if err != nil {
		return req, err
	}
	if len(bad) > 0 {
		return req, &registry.ImportRowsError{Rows: bad}
	}
	req.Rows = rows
	return req, nil
}
