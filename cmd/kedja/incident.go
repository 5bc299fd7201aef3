package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
)

var incidentCommands = []command{
	{name: "import-log", summary: "attach an access or download log (CSV) to an incident as evidence", run: runIncidentImportLog},
}

func runIncidentImportLog(ctx context.Context, k *cli, args []string) error {
	f, cfg := commonFlags("incident import-log", "Attach an access or download log to an incident, whole or not at all: "+
		"CSV with a header time,source,call,call_date[,region]; every malformed row is reported by line and nothing is imported then.")
	incident := f.Int64("incident", "ID", 0, "the incident the log is evidence of")
	file := f.String("file", "FILE", "", "the CSV file (at most 2 MiB)")
	name := f.String("name", "NAME", "", "the log's name (default: the file's name)")
	f.require("incident", "file")
	f.example("kedja incident import-log --incident 1 --file downloads.csv")
	if err := f.parse(k, args); err != nil {
		return err
	}
	st, err := os.Stat(*file)
	if err != nil {
		return err
	}
	if st.Size() > registry.MaxLogBytes {
		return fmt.Errorf("%s: %d bytes; at most %d are imported at once", *file, st.Size(), registry.MaxLogBytes)
	}
	text, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	if *name == "" {
		*name = filepath.Base(*file)
	}
	return withStore(ctx, cfg, func(s *store.Store) error {
		// Read in the registry's zone, which withStore has loaded.
		rows, err := registry.ParseAccessLog("file", string(text), cfg.location)
		if err != nil {
			return err
		}
		l, err := s.ImportAccessLog(ctx, "kedja incident import-log", *incident, *name, rows)
		if err != nil {
			return err
		}
		sums, err := s.LogSummaries(ctx, []int64{*incident})
		if err != nil {
			return err
		}
		e := sums[*incident]
		fmt.Fprintf(k.out, "imported %d rows as log %d of incident %d\n", l.Rows, l.ID, *incident)
		fmt.Fprintf(k.out, "incident %d: %d downloads, %d unique calls, %d duplicates, %d sources\n",
			*incident, e.Downloads, e.UniqueCalls, e.Duplicates, e.UniqueSources)
		for _, c := range e.ByDay {
			fmt.Fprintf(k.out, "  %s: %d from %d sources\n", c.Key, c.Downloads, c.Sources)
		}
		for _, c := range e.ByCallYear {
			key := c.Key
			if key == "" {
				key = "unknown year"
			}
			fmt.Fprintf(k.out, "  calls of %s: %d\n", key, c.Downloads)
		}
		return nil
	})
}
