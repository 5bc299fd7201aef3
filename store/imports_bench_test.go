package store_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kedja/kedja/listfile"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// BenchmarkImport100k imports a list of 100,000 sub-processors into a
// registry where the supplier has a controller above it: parsing the CSV,
// the dry run (matching, the diff, the checks evaluated before and after
// applying it in a rolled-back transaction, the stored import) and the
// approval (every row applied through the registry's own writes in one
// transaction). One row in ten names processing locations, half of them in
// Thailand. It is slow by design, so not part of the normal suite:
//
//	go test ./store -run '^$' -bench Import100k -benchtime 1x -timeout 60m
func BenchmarkImport100k(b *testing.B) {
	const n = 100_000
	ctx := context.Background()
	var list bytes.Buffer
	list.WriteString("legal_name,org_number,country,service,locations,data_categories,health_data,role\n")
	for i := range n {
		country, locations := "SE", ""
		if i%10 == 0 {
			locations = "SE"
			if i%20 == 0 {
				country, locations = "TH", "TH"
			}
		}
		fmt.Fprintf(&list, "Sub-processor %06d AB,%010d,%s,service %d,%s,call recordings,yes,sub_processor\n", i, 5560000000+i, country, i%7, locations)
	}
	for b.Loop() {
		b.StopTimer()
		// As kedja import runs it: without the API's statement timeout.
		s, err := store.Open(ctx, storetest.Database(b), "Europe/Stockholm", 0)
		if err != nil {
			b.Fatal(err)
		}
		region, err := s.CreateOrganisation(ctx, "bench", &registry.Organisation{LegalName: "Region Värmland", Country: "SE", Kind: "region"})
		if err != nil {
			b.Fatal(err)
		}
		supplier, err := s.CreateOrganisation(ctx, "bench", &registry.Organisation{LegalName: "Supplier AB", Country: "SE", Kind: "company"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.CreateLink(ctx, "bench", &registry.Link{FromID: region.ID, ToID: supplier.ID, Role: "processor", Purpose: "calls",
			HealthData: true, AgreementRef: ptr("DPA"), Period: registry.Period{From: time.Date(2015, 1, 1, 0, 0, 0, 0, stockholm)}}); err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		b.StartTimer()
		start := time.Now()
		req, err := listfile.Request(supplier.ID, nil, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), "list.csv", "", list.Bytes())
		if err != nil {
			b.Fatal(err)
		}
		parsed := time.Since(start)
		imp, err := s.DryRunImport(ctx, "bench", req)
		if err != nil {
			b.Fatal(err)
		}
		dry := time.Since(start) - parsed
		if got := len(imp.Diff.Changes); got != 2*n {
			b.Fatalf("%d changes, want %d", got, 2*n)
		}
		done, err := s.ApproveImport(ctx, "bench", imp.ID, nil)
		if err != nil {
			b.Fatal(err)
		}
		approve := time.Since(start) - parsed - dry
		if len(done.NewLinkIDs) != n {
			b.Fatalf("%d new links, want %d", len(done.NewLinkIDs), n)
		}
		b.ReportMetric(parsed.Seconds(), "parse-s")
		b.ReportMetric(dry.Seconds(), "dryrun-s")
		b.ReportMetric(approve.Seconds(), "approve-s")
		b.ReportMetric(float64(countTriggers(imp.Diff)+imp.Diff.TriggersLeftOut), "triggers")
		b.Logf("%d rows: parse %s, dry run %s (%d changes, %d triggers kept, %d left out), approval %s",
			n, parsed.Round(time.Millisecond), dry.Round(time.Millisecond), len(imp.Diff.Changes), countTriggers(imp.Diff),
			imp.Diff.TriggersLeftOut, approve.Round(time.Millisecond))
	}
}

func countTriggers(d registry.ImportDiff) int {
	n := len(d.Triggers)
	for _, c := range d.Changes {
		n += len(c.Triggers)
	}
	return n
}
