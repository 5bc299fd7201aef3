package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"

	"github.com/kedja/kedja/records"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
)

// runRecords writes a record of processing generated from the chain (GDPR
// Art. 30): a controller's, or with --processor a processor's, as CSV or
// XLSX, to a file or the standard output.
func runRecords(ctx context.Context, k *cli, args []string) error {
	f, cfg := commonFlags("records", "Write the record of processing (GDPR Art. 30) generated from the chain as of an instant: "+
		"a controller's (Art. 30(1)) with every recipient its chain reaches, by name, or a processor's (Art. 30(2)); as CSV or XLSX.")
	controller := f.Int64("controller", "ID", 0, "the controller's organisation id (Art. 30(1))")
	processor := f.Int64("processor", "ID", 0, "or the processor's organisation id (Art. 30(2))")
	at := f.String("at", "INSTANT", "", "the instant the chain is read at")
	format := f.String("format", "csv|xlsx", "csv", "the file format")
	out := f.String("o", "FILE", "", "write to FILE (default: the standard output)")
	f.requireOne("controller", "processor")
	f.require("at")
	f.example("kedja records --controller 1 --at 2019-02-01T02:00 --format xlsx -o stockholm-2019-02-01.xlsx",
		"kedja records --processor 7 --at 2019-02-01 > voice.csv")
	if err := f.parse(k, args); err != nil {
		return err
	}
	if (*controller == 0) == (*processor == 0) {
		return errors.New("give exactly one of --controller or --processor")
	}
	if *format != "csv" && *format != "xlsx" {
		return errors.New("--format: must be csv or xlsx")
	}
	return withStore(ctx, cfg, func(s *store.Store) error {
		t, err := registry.ParseInstant("--at", *at, cfg.location)
		if err != nil {
			return err
		}
		var rec registry.Record
		if *controller != 0 {
			rec, err = s.ControllerRecord(ctx, *controller, t)
		} else {
			rec, err = s.ProcessorRecord(ctx, *processor, t)
		}
		if err != nil {
			return err
		}
		var w io.Writer = k.out
		if *out != "" {
			file, err := os.Create(*out)
			if err != nil {
				return err
			}
			defer file.Close()
			b := bufio.NewWriter(file)
			if err := records.Write(b, rec, *format); err != nil {
				return err
			}
			if err := b.Flush(); err != nil {
				return err
			}
			return file.Close()
		}
		return records.Write(w, rec, *format)
	})
}
