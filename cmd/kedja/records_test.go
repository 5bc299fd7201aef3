package main

import (
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/kedja/kedja/store/storetest"
)

// kedja records writes Region Stockholm's Art. 30(1) record of 1 February
// 2019 from the demo as XLSX, naming every recipient its chain reaches,
// and as CSV on the standard output; it refuses to guess an instant.
func TestRecordsCommand(t *testing.T) {
	db := storetest.Database(t)
	env := append([]string{"DATABASE_URL=" + db}, quick...)
	if out, err := kedja(t, env, "seed", "demo"); err != nil {
		t.Fatalf("seed demo: %v\n%s", err, out)
	}
	conn, err := sql.Open("postgres", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var region string
	if err := conn.QueryRow(`SELECT CAST(id AS text) FROM organisations WHERE county_code = '01'`).Scan(&region); err != nil {
		t.Fatal(err)
	}
	want := []string{"Inera AB", "Medhelp AB", "Medicall Co., Ltd.", "Voice Integrate Nordic AB"}

	file := filepath.Join(t.TempDir(), "stockholm.xlsx")
	if out, err := kedja(t, env, "records", "--controller", region, "--at", "2019-02-01T02:00", "--format", "xlsx", "-o", file); err != nil {
		t.Fatalf("records: %v\n%s", err, out)
	}
	f, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Record")
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	var named []string
	for _, r := range rows {
		if col < 0 {
			col = slices.Index(r, "party")
			continue
		}
		if col < len(r) && !slices.Contains(named, r[col]) {
			named = append(named, r[col])
		}
	}
	slices.Sort(named)
	if !slices.Equal(named, want) {
		t.Fatalf("the workbook names %q, want %q", named, want)
	}

	out, err := kedja(t, env, "records", "--controller", region, "--at", "2019-02-01T02:00")
	if err != nil || !strings.Contains(out, "Medicall Co., Ltd.") || !strings.Contains(out, "third_country") {
		t.Fatalf("CSV: %v\n%s", err, out)
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"NoInstant", []string{"records", "--controller", region}, "--at"},
		{"BothParties", []string{"records", "--controller", region, "--processor", region, "--at", "2019-02-01"}, "exactly one"},
		{"OtherFormat", []string{"records", "--controller", region, "--at", "2019-02-01", "--format", "pdf"}, "--format"},
		{"NoSuchController", []string{"records", "--controller", "999999", "--at", "2019-02-01"}, "controller"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := kedja(t, env, tt.args...)
			if err == nil || !strings.Contains(out, tt.want) {
				t.Errorf("kedja %v: err %v, output %q; want a failure mentioning %q", tt.args, err, out, tt.want)
			}
		})
	}
}
