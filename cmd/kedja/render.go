package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kedja/kedja/graph"
	"github.com/kedja/kedja/graph/render"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/store"
)

var renderCommands = []command{
	{name: "chain", summary: "a controller's chain of processors and systems at an instant", run: renderKind("chain")},
	{name: "trace", summary: "a stored call trace: who may have held the call", run: renderKind("trace")},
	{name: "responsibility", summary: "who answers for an organisation or a system at an instant", run: renderKind("responsibility")},
}

func renderKind(what string) func(context.Context, *cli, []string) error {
	return func(ctx context.Context, k *cli, args []string) error {
		return runRender(ctx, k, what, args)
	}
}

func runRender(ctx context.Context, k *cli, what string, args []string) error {
	fs, cfg := commonFlags("render "+what, "Draw a "+what+" as SVG, PNG or DOT (by the output's extension).")
	controller := fs.Int64("controller", 0, "chain: the controller's organisation id")
	org := fs.Int64("organisation", 0, "responsibility: an organisation id")
	system := fs.Int64("system", 0, "responsibility: a system id")
	traceID := fs.String("id", "", "trace: the trace id")
	atFlag := fs.String("at", "", "chain, responsibility: the instant (default now)")
	output := fs.String("o", "", "output file: .svg, .png or .dot")
	limit := fs.Int("limit", graph.DefaultLimit, "most nodes drawn before summarising")
	pictures := renderFlags(fs, 1)
	if err := fs.Parse(args); err != nil {
		return err
	}
	format := strings.TrimPrefix(filepath.Ext(*output), ".")
	if _, ok := render.Formats[format]; !ok {
		return errors.New("-o: give a file ending in .svg, .png or .dot")
	}
	return withStore(ctx, cfg, func(s *store.Store) error {
		at := time.Now()
		if *atFlag != "" {
			t, err := registry.ParseInstant("--at", *atFlag, cfg.location)
			if err != nil {
				return err
			}
			at = t
		}
		src := graph.Source{Store: s, Location: cfg.location, Limit: *limit}
		var pic graph.Picture
		var err error
		switch what {
		case "chain":
			if *controller == 0 {
				return errors.New("--controller is required")
			}
			pic, err = src.Chain(ctx, *controller, at)
		case "trace":
			pic, err = src.Trace(ctx, *traceID)
		default:
			if (*org == 0) == (*system == 0) {
				return errors.New("give exactly one of --organisation or --system")
			}
			pic, err = src.Responsibility(ctx, *org, *system, at)
		}
		if err != nil {
			return err
		}
		pool := render.New(pictures.options())
		defer pool.Close()
		b, err := pool.Render(ctx, pic.DOT(), format)
		if err != nil {
			return err
		}
		if err := os.WriteFile(*output, b, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(k.out, "wrote %s (%d bytes)\n", *output, len(b))
		return nil
	})
}

// pictureFlags are the render pool's settings.
type pictureFlags struct {
	worker   *string
	workers  *int
	timeout  *time.Duration
	memoryMB *int64
}

func renderFlags(fs *flag.FlagSet, workers int) pictureFlags {
	return pictureFlags{
		worker: fs.String("render-worker", os.Getenv("KEDJA_RENDER_WORKER"),
			"the kedja-render binary (env KEDJA_RENDER_WORKER; default: beside kedja, then on the PATH)"),
		workers:  fs.Int("render-workers", workers, "render worker processes, each drawing one picture at a time"),
		timeout:  fs.Duration("render-timeout", render.DefaultTimeout, "longest one picture may take to draw before its worker is killed"),
		memoryMB: fs.Int64("render-memory", 1024, "MiB a render may add to its worker before the worker is stopped"),
	}
}

func (f pictureFlags) options() render.Options {
	return render.Options{Worker: *f.worker, Workers: *f.workers, Timeout: *f.timeout, Memory: *f.memoryMB << 20}
}
