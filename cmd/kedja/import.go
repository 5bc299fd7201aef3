package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kedja/kedja/listfile"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
)

// maxListBytes bounds a list file read at once.
const maxListBytes = 256 << 20

func runImport(ctx context.Context, k *cli, args []string) error {
	f, cfg := commonFlags("import", "Import a supplier's sub-processor list (CSV, XLSX or YAML; see the README for its columns): "+
		"match its rows to registered parties, store it with its dry run (new parties, new and ended links, changed countries and locations, "+
		"and what each would trigger in the checks) and print that; with --approve, apply it in one transaction. Progress goes to standard error.")
	supplier := f.String("supplier", "PARTY", "", "the supplier: its id, organisation number or legal name")
	file := f.String("file", "FILE", "", "the list; its ending (.csv, .xlsx, .yaml) names the format unless --format does")
	format := f.String("format", "FORMAT", "", "csv, xlsx or yaml")
	effective := f.String("effective-date", "DATE", "", "the date the list takes effect (default: today)")
	controllerLink := f.Int64("controller-link", "ID", 0, "the controller's link to the supplier the list was given under")
	approve := f.Bool("approve", false, "apply it now, if no match is doubtful (or each doubtful one is decided with --decide)")
	decide := f.String("decide", "LINE=PARTY,...", "", "decisions of doubtful rows: the line and a party id, or new (3=12,5=new)")
	f.require("supplier", "file")
	f.example("kedja import --supplier 'Medhelp AB' --file list.xlsx", "kedja import --supplier 5560000001 --file list.csv --effective-date 2019-02-01 --approve")
	if err := f.parse(k, args); err != nil {
		return err
	}
	decisions, err := parseDecisions(*decide)
	if err != nil {
		return err
	}
	st, err := os.Stat(*file)
	if err != nil {
		return err
	}
	if st.Size() > maxListBytes {
		return fmt.Errorf("%s: %d bytes; at most %d are read at once", *file, st.Size(), maxListBytes)
	}
	content, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	return withStore(ctx, cfg, func(s *store.Store) error {
		sup, err := findParty(ctx, s, "supplier", *supplier)
		if err != nil {
			return err
		}
		day := time.Now().In(cfg.location).Format(registry.DateLayout)
		if *effective != "" {
			day = *effective
		}
		date, err := registry.ParseDate("effective-date", day)
		if err != nil {
			return err
		}
		var link *int64
		if *controllerLink != 0 {
			link = controllerLink
		}
		start := time.Now()
		fmt.Fprintf(k.errOut, "reading %s (%d bytes)...\n", filepath.Base(*file), len(content))
		req, err := listfile.Request(sup.ID, link, date, filepath.Base(*file), *format, content)
		if err != nil {
			return err
		}
		fmt.Fprintf(k.errOut, "read %d rows in %s; matching them to the registry and evaluating the checks as of %s...\n",
			len(req.Rows), time.Since(start).Round(time.Millisecond), day)
		const actor = "kedja import"
		start = time.Now()
		imp, err := s.DryRunImport(ctx, actor, req)
		if err != nil {
			return err
		}
		fmt.Fprintf(k.errOut, "dry run stored as import %d in %s\n", imp.ID, time.Since(start).Round(time.Millisecond))
		printDiff(k.out, sup, imp)
		if !*approve {
			if !imp.Diff.Empty() {
				fmt.Fprintf(k.out, "nothing applied; approve with --approve, in the web pages or with approveImport(id: %d)\n", imp.ID)
			}
			return nil
		}
		fmt.Fprintf(k.errOut, "applying import %d...\n", imp.ID)
		start = time.Now()
		done, err := s.ApproveImport(ctx, actor, imp.ID, decisions)
		if err != nil {
			return err
		}
		fmt.Fprintf(k.errOut, "applied in %s\n", time.Since(start).Round(time.Millisecond))
		fmt.Fprintf(k.out, "import %d approved: %d changes applied, %d new links\n", done.ID, len(done.Applied), len(done.NewLinkIDs))
		return nil
	})
}

// parseDecisions reads --decide: LINE=PARTY pairs, PARTY an id or "new".
func parseDecisions(s string) ([]registry.MatchDecision, error) {
	var out []registry.MatchDecision
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		l, p, ok := strings.Cut(part, "=")
		line, err := strconv.Atoi(l)
		if !ok || err != nil || line < 1 {
			return nil, fmt.Errorf("--decide: %q is not LINE=PARTY", part)
		}
		d := registry.MatchDecision{Line: line}
		if p != "new" {
			if d.PartyID, err = strconv.ParseInt(p, 10, 64); err != nil || d.PartyID < 1 {
				return nil, fmt.Errorf("--decide: %q: the party is an id or new", part)
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// findParty finds a party by id, exact legal name (normalised) or
// organisation number: what a person has at hand.
func findParty(ctx context.Context, s *store.Store, flag, v string) (registry.Organisation, error) {
	v = strings.TrimSpace(v)
	if id, err := strconv.ParseInt(v, 10, 64); err == nil {
		o, err := s.Organisation(ctx, flag, id)
		if err == nil {
			return o, nil
		}
		if registry.ErrorCode(err) != registry.ENotFound {
			return o, err
		}
	}
	var named, numbered []registry.Organisation
	key, num := registry.NormaliseName(v), registry.NormaliseOrgNumber(v)
	p := registry.Page{First: 500}
	for {
		list, more, err := s.ListOrganisations(ctx, registry.OrganisationFilter{IncludeEnded: true}, p)
		if err != nil {
			return registry.Organisation{}, err
		}
		for _, o := range list {
			if registry.NormaliseName(o.LegalName) == key {
				named = append(named, o)
			}
			if o.OrgNumber != nil && registry.NormaliseOrgNumber(*o.OrgNumber) == num {
				numbered = append(numbered, o)
			}
		}
		if !more || len(list) == 0 {
			break
		}
		p.After = list[len(list)-1].ID
	}
	for _, found := range [][]registry.Organisation{numbered, named} {
		switch len(found) {
		case 1:
			return found[0], nil
		case 0:
			continue
		}
		var ids []string
		for _, o := range found {
			ids = append(ids, fmt.Sprintf("%d (%s, %s)", o.ID, o.LegalName, o.Country))
		}
		return registry.Organisation{}, fmt.Errorf("--%s: %q names several parties: %s; give the id", flag, v, strings.Join(ids, "; "))
	}
	return registry.Organisation{}, fmt.Errorf("--%s: no party with the id, organisation number or name %q", flag, v)
}

// printDiff writes an import's dry run for a person to read.
func printDiff(w io.Writer, sup registry.Organisation, imp registry.Import) {
	fmt.Fprintf(w, "import %d: %s's list %s (sha256 %s…), %d rows, as of %s\n", imp.ID, sup.LegalName, imp.SourceName,
		imp.SourceSHA256[:12], len(imp.Rows), imp.EffectiveDate.Format(registry.DateLayout))
	if imp.Diff.Empty() {
		fmt.Fprintln(w, "no changes: the registry already says what the list says")
		return
	}
	for _, c := range imp.Diff.Changes {
		where := "  "
		if c.Line > 0 {
			where = fmt.Sprintf("  line %d: ", c.Line)
		}
		fmt.Fprintf(w, "%s%s %s", where, c.Kind, c.PartyName)
		if c.Before != "" {
			fmt.Fprintf(w, " (was %s)", c.Before)
		}
		if c.After != "" {
			fmt.Fprintf(w, " -> %s", c.After)
		}
		fmt.Fprintln(w)
		printTriggers(w, c.Triggers)
	}
	printTriggers(w, imp.Diff.Triggers)
	for _, d := range imp.Diff.Doubtful {
		fmt.Fprintf(w, "  line %d: DOUBTFUL %s (%s): %s; candidates:", d.Line, d.LegalName, d.Country, d.Reason)
		for _, c := range d.Candidates {
			fmt.Fprintf(w, " %d %s (%s)", c.PartyID, c.LegalName, c.Country)
		}
		fmt.Fprintf(w, "; decide with --decide %d=PARTY or %d=new\n", d.Line, d.Line)
	}
}

func printTriggers(w io.Writer, ts []registry.ImportTrigger) {
	for _, t := range ts {
		verb := "raises"
		if t.Cleared {
			verb = "clears"
		}
		fmt.Fprintf(w, "      %s %s [%s]: %s\n", verb, t.Check, t.Severity, t.Message)
	}
}

func runExport(ctx context.Context, k *cli, args []string) error {
	f, cfg := commonFlags("export", "Export sub-processors in the import format: a supplier's own list, or every supplier's in a controller's chain "+
		"(with the supplier column filled). Importing a supplier's export into an empty registry gives the same rows. Progress goes to standard error.")
	supplier := f.String("supplier", "PARTY", "", "the supplier: its id, organisation number or legal name")
	controller := f.String("controller", "PARTY", "", "a controller: every supplier's list in its chain")
	format := f.String("format", "FORMAT", "csv", "csv, xlsx or yaml")
	at := f.String("at", "INSTANT", "", "the instant the registry is read at (default: now); a date means its midnight")
	output := f.String("out", "FILE", "", "write to this file (default: standard output)")
	f.requireOne("supplier", "controller")
	f.example("kedja export --supplier 'Medhelp AB' --format xlsx --out medhelp.xlsx", "kedja export --controller 'Region Värmland' --at 2019-02-01 --format yaml")
	if err := f.parse(k, args); err != nil {
		return err
	}
	if (*supplier == "") == (*controller == "") {
		return errors.New("give --supplier or --controller, not both")
	}
	return withStore(ctx, cfg, func(s *store.Store) error {
		when := time.Now()
		if *at != "" {
			t, err := registry.ParseInstant("at", *at, cfg.location)
			if err != nil {
				return err
			}
			when = t
		}
		var rows []registry.ImportRow
		var party registry.Organisation
		var err error
		if *supplier != "" {
			if party, err = findParty(ctx, s, "supplier", *supplier); err != nil {
				return err
			}
			rows, err = s.ExportSupplierList(ctx, party.ID, when)
		} else {
			if party, err = findParty(ctx, s, "controller", *controller); err != nil {
				return err
			}
			rows, err = s.ExportControllerList(ctx, party.ID, when)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(k.errOut, "writing %d rows of %s as %s...\n", len(rows), party.LegalName, *format)
		out := k.out
		if *output != "" {
			file, err := os.Create(*output)
			if err != nil {
				return err
			}
			defer file.Close()
			out = file
		}
		bw := bufio.NewWriter(out)
		if err := listfile.Write(bw, *format, rows, func(done, total int) {
			fmt.Fprintf(k.errOut, "  %d of %d rows\n", done, total)
		}); err != nil {
			return err
		}
		return bw.Flush()
	})
}
