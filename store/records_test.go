package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
)

func orgID(t *testing.T, s *store.Store, where string, arg any) int64 {
	t.Helper()
	var id int64
	if err := s.DB().QueryRow(`SELECT id FROM organisations WHERE `+where, arg).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func recipients(r registry.Record, section string) []string {
	var out []string
	for _, x := range r.Rows {
		if x.Section == section && !slices.Contains(out, x.Party) {
			out = append(out, x.Party)
		}
	}
	slices.Sort(out)
	return out
}

// The 1177 demo's Region Stockholm on the night of 1 February 2019: its
// Art. 30(1) record names every recipient its chain reaches, at any depth,
// with Medicall's transfer to Thailand unsafeguarded.
func TestRecordsOnTheDemo(t *testing.T) {
	s := demoStore(t)
	ctx := context.Background()
	region := orgID(t, s, `county_code = $1`, "01")
	medhelp := orgID(t, s, `legal_name = $1`, "Medhelp AB")
	voice := orgID(t, s, `legal_name = $1`, "Voice Integrate Nordic AB")
	instant := at("2019-02-01T02:00")

	rec, err := s.ControllerRecord(ctx, region, instant)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Inera AB", "Medhelp AB", "Medicall Co., Ltd.", "Voice Integrate Nordic AB"}
	if got := recipients(rec, "recipient"); !slices.Equal(got, want) {
		t.Fatalf("recipients %q, want %q", got, want)
	}
	for _, x := range rec.Rows {
		if x.Party != "Medicall Co., Ltd." {
			continue
		}
		if x.TransferClass != "third_country" || x.Transfer == nil || *x.Transfer != "no_mechanism" || x.Country != "TH" {
			t.Errorf("Medicall's row: class %s, verdict %v, country %s", x.TransferClass, x.Transfer, x.Country)
		}
		if len(x.Via) == 0 || x.Via[0] != "Medhelp AB" {
			t.Errorf("Medicall reached via %q, want Medhelp AB", x.Via)
		}
	}
	if rec.Stated != nil {
		t.Errorf("Region Stockholm has no stated record in the demo; got %+v", rec.Stated)
	}
	table := rec.Table()
	if len(table) != len(rec.Rows)+1 || len(table[0]) != len(registry.RecordColumns) {
		t.Fatalf("table of %d rows of %d columns", len(table), len(table[0]))
	}

	// Medhelp, a controller itself, states a record naming Voice Integrate
	// only: the generated one names Medicall and says the stated one
	// leaves it out (what record_gap raises).
	rec, err = s.ControllerRecord(ctx, medhelp, instant)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Stated == nil || !slices.Equal(rec.Unnamed, []string{"Medicall Co., Ltd."}) {
		t.Fatalf("Medhelp's stated record %v, unnamed %q, want Medicall unnamed", rec.Stated, rec.Unnamed)
	}

	// Voice Integrate's Art. 30(2) record: it processes for Medhelp, the
	// controller on each of its paths (directly, and under Medicall), and
	// engages nobody.
	rec, err = s.ProcessorRecord(ctx, voice, instant)
	if err != nil {
		t.Fatal(err)
	}
	if got := recipients(rec, "controller"); !slices.Equal(got, []string{"Medhelp AB"}) {
		t.Fatalf("controllers %q", got)
	}
	if got := recipients(rec, "recipient"); len(got) != 0 {
		t.Fatalf("Voice Integrate's recipients %q, want none", got)
	}

	if _, err := s.ControllerRecord(ctx, 999999, instant); registry.AsError(err) == nil || registry.AsError(err).Field != "controller" {
		t.Fatalf("missing controller: %v", err)
	}
}
