package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kedja/kedja/graph"
	"github.com/kedja/kedja/graph/render"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
	"github.com/kedja/kedja/store"
)

var renderCommands = []command{
	{name: "chain", summary: "a controller's chain of processors and systems at an instant",
		run: renderCommand("chain", "Draw a controller's chain at an instant as SVG, PNG or DOT (by the output's extension).", chainFlags)},
	{name: "trace", summary: "a stored call trace: who may have held the call",
		run: renderCommand("trace", "Draw a stored call trace as SVG, PNG or DOT (by the output's extension).", traceFlags)},
	{name: "responsibility", summary: "who answers for an organisation or a system at an instant",
		run: renderCommand("responsibility", "Draw who answers for an organisation or a system at an instant as SVG, PNG or DOT (by the output's extension).", responsibilityFlags)},
}

// A drawing makes the picture a render subcommand draws, from the flags
// its kind defined.
type drawing func(ctx context.Context, src resolvers.PictureSource) (graph.Picture, error)

func chainFlags(f *flags) drawing {
	controller := f.Int64("controller", "ID", 0, "the controller's organisation id")
	at := atFlag(f)
	f.require("controller")
	f.example("kedja render chain --controller 1 --at 2019-02-01T02:00 -o docs/demo-chain.svg",
		"kedja render chain --controller 1 -o chain.dot")
	return func(ctx context.Context, src resolvers.PictureSource) (graph.Picture, error) {
		if *controller == 0 {
			return graph.Picture{}, errors.New("--controller is required")
		}
		t, err := instant(*at, src.Location)
		if err != nil {
			return graph.Picture{}, err
		}
		return src.Chain(ctx, *controller, t)
	}
}

func traceFlags(f *flags) drawing {
	id := f.String("id", "ID", "", "the trace's id, as traceCall answered it")
	f.require("id")
	f.example("kedja render trace --id 4f1c2a9e0b7d4e55a1c3f08b9d2e6a71 -o trace.png")
	return func(ctx context.Context, src resolvers.PictureSource) (graph.Picture, error) {
		return src.Trace(ctx, *id)
	}
}

func responsibilityFlags(f *flags) drawing {
	org := f.Int64("organisation", "ID", 0, "an organisation's id")
	system := f.Int64("system", "ID", 0, "a system's id")
	at := atFlag(f)
	f.requireOne("organisation", "system")
	f.example("kedja render responsibility --organisation 4 --at 2019-02-01T02:00 -o medicall.svg",
		"kedja render responsibility --system 2 -o system.dot")
	return func(ctx context.Context, src resolvers.PictureSource) (graph.Picture, error) {
		if (*org == 0) == (*system == 0) {
			return graph.Picture{}, errors.New("give exactly one of --organisation or --system")
		}
		t, err := instant(*at, src.Location)
		if err != nil {
			return graph.Picture{}, err
		}
		return src.Responsibility(ctx, *org, *system, t)
	}
}

func atFlag(f *flags) *string {
	return f.String("at", "INSTANT", "", "the instant (default now)")
}

// instant reads --at, where "" means now.
func instant(at string, loc *time.Location) (time.Time, error) {
	if at == "" {
		return time.Now(), nil
	}
	return registry.ParseInstant("--at", at, loc)
}

// renderCommand is a render subcommand: the flags of its kind, then those
// of every picture.
func renderCommand(what, desc string, kind func(*flags) drawing) func(context.Context, *cli, []string) error {
	return func(ctx context.Context, k *cli, args []string) error {
		f, cfg := commonFlags("render "+what, desc)
		draw := kind(f)
		output := f.String("o", "FILE.svg|png|dot", "", "the picture's file; its extension chooses SVG, PNG or DOT")
		f.require("o")
		limit := f.Int("limit", "N", graph.DefaultLimit, "most nodes drawn before summarising")
		pictures := renderFlags(f, 1)
		if err := f.parse(k, args); err != nil {
			return err
		}
		format := strings.TrimPrefix(filepath.Ext(*output), ".")
		if _, ok := render.Formats[format]; !ok {
			return errors.New("-o: give a file ending in .svg, .png or .dot")
		}
		return withStore(ctx, cfg, func(s *store.Store) error {
			pic, err := draw(ctx, resolvers.PictureSource{Services: s.Services(), Location: cfg.location, Limit: *limit})
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
}

// pictureFlags are the render pool's settings.
type pictureFlags struct {
	worker   *string
	workers  *int
	timeout  *time.Duration
	memoryMB *int64
}

func renderFlags(f *flags, workers int) pictureFlags {
	p := pictureFlags{
		worker: f.String("render-worker", "PATH", os.Getenv("KEDJA_RENDER_WORKER"),
			"the kedja-render binary; without it, the one beside kedja, else the one on the PATH"),
		workers:  f.Int("render-workers", "N", workers, "render worker processes, each drawing one picture at a time"),
		timeout:  f.Duration("render-timeout", "DURATION", render.DefaultTimeout, "longest one picture may take to draw before its worker is killed"),
		memoryMB: f.Int64("render-memory", "MIB", 1024, "MiB a render may add to its worker before the worker is stopped"),
	}
	f.env("render-worker", "KEDJA_RENDER_WORKER")
	return p
}

func (f pictureFlags) options() render.Options {
	return render.Options{Worker: *f.worker, Workers: *f.workers, Timeout: *f.timeout, Memory: *f.memoryMB << 20}
}
