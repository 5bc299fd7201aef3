package listfile_test

import (
	"bytes"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kedja/kedja/listfile"
	"github.com/kedja/kedja/registry"
)

// xlsx makes a workbook whose first sheet holds table.
func xlsx(t *testing.T, table [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range table {
		vals := make([]any, len(row))
		for j, v := range row {
			vals[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(f.GetSheetName(0), cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestParseReportsBadCellsByLineAndColumn(t *testing.T) {
	header := []string{"legal_name", "org_number", "country", "service", "locations", "effective_date", "role"}
	good := []string{"Medicall Co., Ltd.", "", "TH", "nights", "TH", "2019-02-01", "sub_processor"}
	badCountry := []string{"Thai Cloud Co., Ltd.", "", "Thailand", "hosting", "TH", "", ""}
	badDate := []string{"X AB", "", "SE", "backup", "SE, XX1", "1 Feb 2019", ""}
	tests := []struct {
		name    string
		format  string
		content func(t *testing.T) []byte
		want    []string // "line/index/column"
	}{
		{"csv good", "csv", func(*testing.T) []byte {
			return []byte(strings.Join(header, ",") + "\n\"Medicall Co., Ltd.\",,TH,nights,TH,2019-02-01,sub_processor\n")
		}, nil},
		{"csv bad country on line 3", "csv", func(*testing.T) []byte {
			return []byte(strings.Join(header, ",") + "\n\"Medicall Co., Ltd.\",,TH,nights,TH,2019-02-01,\nThai Cloud,,Thailand,hosting,TH,,\n")
		}, []string{"3/3/country"}},
		{"csv semicolons, bad date and location", "csv", func(*testing.T) []byte {
			return []byte(strings.Join(header, ";") + "\nX AB;;SE;backup;SE, XX1;1 Feb 2019;\n")
		}, []string{"2/5/locations", "2/6/effective_date"}},
		{"csv unknown column", "csv", func(*testing.T) []byte { return []byte("legal_name,country,colour\nA,SE,red\n") }, []string{"1/3/colour"}},
		{"csv missing country column", "csv", func(*testing.T) []byte { return []byte("legal_name,service\nA,b\n") }, []string{"1/0/country"}},
		{"csv missing service", "csv", func(*testing.T) []byte { return []byte("legal_name,country\nA,SE\n") }, []string{"2/0/service"}},
		{"csv unbalanced quote", "csv", func(*testing.T) []byte { return []byte("legal_name,country,service\n\"A,SE,b\n") }, []string{"2/0/"}},
		{"csv bad role", "csv", func(*testing.T) []byte { return []byte("legal_name,country,service,role\nA,SE,b,owner\n") }, []string{"2/4/role"}},
		{"xlsx good", "xlsx", func(t *testing.T) []byte { return xlsx(t, [][]string{header, good}) }, nil},
		{"xlsx bad rows 3 and 4", "xlsx", func(t *testing.T) []byte { return xlsx(t, [][]string{header, good, badCountry, badDate}) },
			[]string{"3/3/country", "4/5/locations", "4/6/effective_date"}},
		{"xlsx not a workbook", "xlsx", func(*testing.T) []byte { return []byte("PK no zip") }, []string{"error"}},
		{"yaml good", "yaml", func(*testing.T) []byte {
			return []byte("- legal_name: Medicall Co., Ltd.\n  country: TH\n  service: nights\n  locations: [TH]\n")
		}, nil},
		{"yaml bad country in the second record", "yaml", func(*testing.T) []byte {
			return []byte("- legal_name: A AB\n  country: SE\n  service: x\n- legal_name: Thai Cloud\n  country: Thailand\n  service: hosting\n")
		}, []string{"4/0/country"}},
		{"yaml unknown key", "yaml", func(*testing.T) []byte {
			return []byte("- legal_name: A AB\n  country: SE\n  service: x\n  colour: red\n")
		}, []string{"4/0/colour"}},
		{"yaml not a list", "yaml", func(*testing.T) []byte { return []byte("legal_name: A\n") }, []string{"1/0/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, bad, err := listfile.Parse(tt.format, tt.content(t))
			var got []string
			if err != nil {
				got = append(got, "error")
			}
			for _, b := range bad {
				got = append(got, strings.Join([]string{itoa(b.Line), itoa(b.Index), b.Column}, "/"))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v (%v), want %v", got, bad, tt.want)
			}
			if tt.want == nil && len(rows) != 1 {
				t.Errorf("got %d rows, want 1", len(rows))
			}
			if tt.want != nil && rows != nil {
				t.Errorf("rows returned with bad cells: %v", rows)
			}
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// The three formats map to the same rows, and each writes what it reads.
func TestFormatsReadWhatTheyWrite(t *testing.T) {
	d := time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)
	want := []registry.ImportRow{
		{LegalName: "Medicall Co., Ltd.", Country: "TH", Service: "nights and weekends", Locations: []string{"SE", "TH"},
			DataCategories: []string{"call recordings", "health data"}, HealthData: true, EffectiveDate: &d, Role: "processor", Supplier: "Medhelp AB"},
		{LegalName: "Voice Integrate Nordic AB", OrgNumber: ptr("556000-0002"), Country: "SE", Service: "Biz 2.0",
			Locations: []string{}, DataCategories: []string{}, Role: "sub_processor"},
	}
	for _, format := range registry.ImportFormats {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			if err := listfile.Write(&b, format, want, nil); err != nil {
				t.Fatal(err)
			}
			got, bad, err := listfile.Parse(format, b.Bytes())
			if err != nil || len(bad) > 0 {
				t.Fatalf("%v %v\n%s", err, bad, b.String())
			}
			for i := range got {
				got[i].Line = 0
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v\nwant %+v", got, want)
			}
		})
	}
}

func ptr(s string) *string { return &s }
