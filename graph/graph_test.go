package graph_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kedja/kedja/demo"
	"github.com/kedja/kedja/graph"
	"github.com/kedja/kedja/graph/render"
	"github.com/kedja/kedja/graph/render/rendertest"
	"github.com/kedja/kedja/registry"
	"github.com/kedja/kedja/resolvers"
	"github.com/kedja/kedja/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(rendertest.Main(m)) }

var update = flag.Bool("update", false, "rewrite the golden files")

var stockholm, _ = time.LoadLocation("Europe/Stockholm")

func at(s string) time.Time {
	t, err := registry.ParseInstant("at", s, stockholm)
	if err != nil {
		panic(err)
	}
	return t
}

var drawn = time.Date(2026, 11, 22, 5, 0, 0, 0, time.UTC)

// demoChain draws the acceptance picture: Region Stockholm's chain on the
// night of 1 February 2019, after a check run at that instant.
func demoChain(t *testing.T) graph.Picture {
	t.Helper()
	s := storetest.Store(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, s, stockholm); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RunChecks(ctx, registry.RunOptions{At: at("2019-02-01T12:00"), Trigger: "cli", Actor: "t"}); err != nil {
		t.Fatal(err)
	}
	var stockholmID int64
	if err := s.DB().QueryRow(`SELECT id FROM organisations WHERE legal_name = 'Region Stockholm'`).Scan(&stockholmID); err != nil {
		t.Fatal(err)
	}
	src := resolvers.PictureSource{Services: s.Services(), Location: stockholm, Now: func() time.Time { return drawn }}
	pic, err := src.Chain(ctx, stockholmID, at("2019-02-01T02:00"))
	if err != nil {
		t.Fatal(err)
	}
	return pic
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./graph -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file; if the change is meant, run go test ./graph -update and review the diff\n%s", name, got)
	}
}

// byName replaces the database ids in a picture's DOT (node o24, system s3,
// "controller: 1") with the names they stand for, so the golden file says
// what is drawn, not in which order the demo happened to be inserted.
func byName(dot string) string {
	names := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s*"([os]\d+)" \[label="([^"\\]*)`).FindAllStringSubmatch(dot, -1) {
		first, _, _ := strings.Cut(m[2], `\n`)
		names[m[1]] = m[1][:1] + ":" + first
	}
	dot = regexp.MustCompile(`"([os]\d+)"`).ReplaceAllStringFunc(dot, func(q string) string {
		if n, ok := names[strings.Trim(q, `"`)]; ok {
			return `"` + n + `"`
		}
		return q
	})
	return regexp.MustCompile(`controller: \d+`).ReplaceAllString(dot, "controller: ID")
}

func TestDemoChainPicture(t *testing.T) {
	pic := demoChain(t)
	dot := pic.DOT()
	golden(t, "demo-chain.dot", byName(dot))
	if again := pic.DOT(); again != dot {
		t.Error("the same picture gave different DOT")
	}
	// The acceptance criterion: Thailand stands in a cluster of its own,
	// marked as a third country without adequacy.
	for _, want := range []string{`subgraph "cluster_TH"`, `label="Thailand (TH) · THIRD COUNTRY, NO ADEQUACY"`,
		`"o:Medicall Co., Ltd." [label="Medicall Co., Ltd.\nTH\n(!) 3 open findings"`, "as of 2019-02-01 02:00 CET"} {
		if !strings.Contains(byName(dot), want) {
			t.Errorf("DOT lacks %s", want)
		}
	}

	pool := rendertest.Pool(t, render.Options{})
	svg, err := pool.Render(context.Background(), dot, "svg")
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, svg)
	for _, n := range pic.Nodes {
		if !bytes.Contains(svg, []byte("<title>"+n.ID+"</title>")) {
			t.Errorf("node %s (%s) is not in the SVG", n.ID, strings.SplitN(n.Label, "\n", 2)[0])
		}
	}

	// The PNG is the SVG rasterised: the same size (points at 96 dpi) and
	// Thailand's cluster filled in its red.
	b, err := pool.Render(context.Background(), dot, "png")
	if err != nil {
		t.Fatalf("png: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("png does not decode: %v", err)
	}
	m := regexp.MustCompile(`width="([0-9.]+)pt" height="([0-9.]+)pt"`).FindSubmatch(svg)
	if m == nil {
		t.Fatal("SVG has no size")
	}
	w, _ := strconv.ParseFloat(string(m[1]), 64)
	h, _ := strconv.ParseFloat(string(m[2]), 64)
	if got := img.Bounds().Size(); math.Abs(float64(got.X)-w*96/72) > 2 || math.Abs(float64(got.Y)-h*96/72) > 2 {
		t.Errorf("png is %v, want %.0fx%.0f like the SVG", got, w*96/72, h*96/72)
	}
	if n := countColour(img, 0xfe, 0xe2, 0xe2); n < 1000 {
		t.Errorf("png has %d pixels of the third-country fill #fee2e2, want Thailand's cluster", n)
	}
}

// countColour counts the pixels of one colour.
func countColour(img image.Image, r, g, b uint8) int {
	n := 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if c.R == r && c.G == g && c.B == b && c.A == 255 {
				n++
			}
		}
	}
	return n
}

func wellFormed(t *testing.T, svg []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = true
	for {
		if _, err := d.Token(); err == io.EOF {
			return
		} else if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
	}
}

func TestTracePictureGolden(t *testing.T) {
	until := at("2019-08-31T00:00")
	se := registry.PartyFacts{ID: 1, LegalName: "Region Värmland", Country: "SE", CountryName: "Sweden", TransferClass: "eea"}
	med := registry.PartyFacts{ID: 2, LegalName: "Medhelp AB", Country: "SE", CountryName: "Sweden", TransferClass: "eea"}
	th := registry.PartyFacts{ID: 3, LegalName: `Night "Desk" \N Ltd.`, Country: "TH", CountryName: "Thailand", TransferClass: "third_country"}
	tr := registry.Trace{ID: "0123456789abcdef0123456789abcdef", CaseRef: "DSR-1", Region: se, CallAt: at("2017-03-11T02:00"),
		CreatedAt: at("2026-11-22T06:00"), Complete: false, Reasons: []registry.TraceReason{{Code: "NO_RETENTION"}},
		Holders: []registry.Holder{
			{Party: med, FromParty: se, Role: "independent_controller", Certainty: "certain", Route: "all"},
			{Party: th, FromParty: med, Role: "processor", Certainty: "possible", Route: "share"},
		},
		Systems: []registry.HeldSystem{
			{SystemID: 7, Name: "Recorder", Kind: "recording", Party: med, Certainty: "certain", HeldFrom: at("2017-03-11T02:00"), HeldUntil: &until,
				Storage: []registry.CountryFacts{{Code: "SE", Name: "Sweden", TransferClass: "eea"}}},
			{SystemID: 8, Name: "Archive", Kind: "storage", Party: med, Certainty: "certain", MoveID: 1, HeldFrom: at("2018-01-01T00:00"),
				Storage: []registry.CountryFacts{{Code: "SE", Name: "Sweden", TransferClass: "eea"}}},
		},
	}
	pic := graph.Trace(tr, graph.FindingCounts{Parties: map[int64]int{3: 2}}, stockholm, 0)
	dot := pic.DOT()
	golden(t, "trace.dot", dot)
	// A name cannot smuggle Graphviz escapes or break out of its string.
	if !strings.Contains(dot, `Night \"Desk\" \\N Ltd.`) {
		t.Errorf("the name was not escaped: %s", dot)
	}
	svg, err := rendertest.Pool(t, render.Options{}).Render(context.Background(), dot, "svg")
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, svg)
	if !bytes.Contains(svg, []byte("stroke-dasharray")) {
		t.Error("the possible holder is not drawn dashed")
	}
}

// synthetic builds a chain of n parties: a controller with fan-out 3.
func synthetic(n, limit int) graph.ChainInput {
	in := graph.ChainInput{Controller: registry.PartyFacts{ID: 1, LegalName: "Root", Country: "SE"}, At: at("2020-01-01"),
		Parties: map[int64]registry.PartyFacts{1: {ID: 1, LegalName: "Root", Country: "SE"}}, DrawnAt: drawn, Location: stockholm,
		Limit: limit, Countries: map[string]registry.CountryFacts{"SE": {Code: "SE", Name: "Sweden", TransferClass: "eea"},
			"TH": {Code: "TH", Name: "Thailand", TransferClass: "third_country"}}, Asked: "synthetic"}
	for i := int64(2); i <= int64(n); i++ {
		parent := (i + 1) / 3
		if parent < 1 {
			parent = 1
		}
		country := "SE"
		if i%10 == 0 {
			country = "TH"
		}
		in.Parties[i] = registry.PartyFacts{ID: i, LegalName: fmt.Sprintf("Party %d", i), Country: country}
		in.Steps = append(in.Steps, registry.Step{LinkID: i, FromID: parent, ToID: i, Role: "processor", Depth: depthOf(i)})
	}
	return in
}

func depthOf(i int64) int {
	d := 0
	for i > 1 {
		i = (i + 1) / 3
		d++
	}
	return d
}

func TestLargeChainHonoursTheLimit(t *testing.T) {
	in := synthetic(2000, 300)
	pic := graph.Chain(in)
	parties, summaries := 0, 0
	for _, n := range pic.Nodes {
		if n.Kind == graph.KindSummary {
			summaries++
		} else {
			parties++
		}
	}
	if parties != 300 || summaries == 0 {
		t.Errorf("drew %d parties and %d summaries, want 300 parties and summaries for the rest", parties, summaries)
	}
	if caption := strings.Join(pic.Caption, " "); !strings.Contains(caption, "Left out: 1700 parties and systems beyond the limit of 300") {
		t.Errorf("caption does not say what was left out: %q", caption)
	}
	svg, err := rendertest.Pool(t, render.Options{}).Render(context.Background(), pic.DOT(), "svg")
	if err != nil {
		t.Fatal(err)
	}
	wellFormed(t, svg)
}

// Fifty renders at once over a pool of two workers: each worker draws one
// picture at a time, and every picture comes back.
func TestConcurrentRenders(t *testing.T) {
	pool := rendertest.Pool(t, render.Options{Workers: 2, CacheBytes: -1})
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dot := graph.Chain(synthetic(3+i%7, 300)).DOT()
			format := "svg"
			if i%10 == 0 {
				format = "png"
			}
			b, err := pool.Render(context.Background(), dot, format)
			if err == nil && len(b) == 0 {
				err = fmt.Errorf("empty %s", format)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if s := pool.Stats(); s.Started > 2 || s.Rendered != 50 {
		t.Errorf("stats %+v: want at most 2 workers started and 50 pictures rendered", s)
	}
}

// BenchmarkRender times dot -> SVG for chains of 100, 500 and 2,000 nodes,
// through go-graphviz and, where it is installed, the native dot command on
// the same DOT (apt-get install graphviz).
func BenchmarkRender(b *testing.B) {
	native, _ := exec.LookPath("dot")
	for _, n := range []int{100, 500, 2000} {
		dot := graph.Chain(synthetic(n, n+1)).DOT()
		b.Run(fmt.Sprintf("nodes=%d/go-graphviz", n), func(b *testing.B) {
			pool := rendertest.Pool(b, render.Options{Workers: 1, CacheBytes: -1})
			for b.Loop() {
				if _, err := pool.Render(context.Background(), dot, "svg"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("nodes=%d/native-dot", n), func(b *testing.B) {
			if native == "" {
				b.Skip("no dot command; apt-get install graphviz")
			}
			for b.Loop() {
				cmd := exec.Command(native, "-Tsvg")
				cmd.Stdin = strings.NewReader(dot)
				if err := cmd.Run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
