package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kedja/kedja/graph/render"
	"github.com/kedja/kedja/registry"
)

// BenchmarkPictures measures pictures as a user gets them, over HTTP from a
// running server whose render pool has no picture cache:
//
//   - demo/workers=W, nodes=100/workers=W: the demo chain, and a chain of
//     100 parties, drawn for as many clients at once as the machine has CPUs,
//     with 1 worker and with one per CPU (renders/s);
//   - nodes=N/http: the latency of a chain picture of N parties, one request
//     at a time (p50 and p99 in ms);
//   - nodes=N/native-dot: the native dot command on the same DOT, where it is
//     installed (apt-get install graphviz).
//
// go test -run '^$' -bench Pictures -benchtime 20x ./server
func BenchmarkPictures(b *testing.B) {
	cpus := runtime.NumCPU()
	for _, workers := range slices.Compact([]int{1, cpus}) {
		h := newHarnessPictures(b, true, testConfig(), render.Options{Workers: workers, CacheBytes: -1})
		pictures := []struct{ name, path string }{
			{"demo", "/graph/chain/" + h.orgID("Region Stockholm") + ".svg?at=2019-02-01T02:00"},
			{"nodes=100", "/graph/chain/" + h.tree(100) + ".svg?at=2020-01-01"},
		}
		for _, pic := range pictures {
			b.Run(fmt.Sprintf("%s/workers=%d", pic.name, workers), func(b *testing.B) {
				var wg sync.WaitGroup
				for range workers { // every worker started
					wg.Go(func() { h.mustPicture(pic.path) })
				}
				wg.Wait()
				jobs := make(chan struct{}, b.N)
				for range b.N {
					jobs <- struct{}{}
				}
				close(jobs)
				b.ResetTimer()
				start := time.Now()
				for range cpus {
					wg.Go(func() {
						for range jobs {
							h.mustPicture(pic.path)
						}
					})
				}
				wg.Wait()
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "renders/s")
			})
		}
	}
	native, _ := exec.LookPath("dot")
	for _, n := range []int{100, 2000} {
		cfg := testConfig()
		cfg.PictureLimit = n + 1
		h := newHarnessPictures(b, false, cfg, render.Options{Workers: 1, CacheBytes: -1, Timeout: time.Minute})
		path := "/graph/chain/" + h.tree(n) + ".%s?at=2020-01-01"
		if dot := h.mustPicture(fmt.Sprintf(path, "dot")); strings.Count(dot, "label=\"Party") < n {
			b.Fatalf("the picture does not draw the %d parties", n)
		}
		h.mustPicture(fmt.Sprintf(path, "svg")) // start the worker
		b.Run(fmt.Sprintf("nodes=%d/http", n), func(b *testing.B) {
			reportLatency(b, func() { h.mustPicture(fmt.Sprintf(path, "svg")) })
		})
		b.Run(fmt.Sprintf("nodes=%d/native-dot", n), func(b *testing.B) {
			if native == "" {
				b.Skip("no dot command; apt-get install graphviz")
			}
			dot := h.mustPicture(fmt.Sprintf(path, "dot"))
			b.ResetTimer()
			reportLatency(b, func() {
				cmd := exec.Command(native, "-Tsvg")
				cmd.Stdin = strings.NewReader(dot)
				if err := cmd.Run(); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// reportLatency runs op b.N times and reports its median and 99th
// percentile.
func reportLatency(b *testing.B, op func()) {
	d := make([]time.Duration, 0, b.N)
	for range b.N {
		start := time.Now()
		op()
		d = append(d, time.Since(start))
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2])/1e6, "p50-ms")
	b.ReportMetric(float64(d[(len(d)*99)/100])/1e6, "p99-ms")
}

// mustPicture gets a picture that must be drawn and returns it.
func (h *harness) mustPicture(path string) string {
	resp := h.get(path)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("%s: %d %s", path, resp.StatusCode, body)
	}
	return string(body)
}

// tree registers a controller handing data to a tree of n-1 processors (each
// party to three more) and returns the controller's id.
func (h *harness) tree(n int) string {
	ctx := context.Background()
	since := registry.Period{From: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)}
	ids := make([]int64, 0, n)
	for i := range n {
		o, err := h.store.CreateOrganisation(ctx, "bench", &registry.Organisation{LegalName: fmt.Sprintf("Party %d", i), Country: "SE", Kind: "company"})
		if err != nil {
			h.t.Fatal(err)
		}
		ids = append(ids, o.ID)
		if i == 0 {
			continue
		}
		if _, err := h.store.CreateLink(ctx, "bench", &registry.Link{FromID: ids[(i-1)/3], ToID: o.ID, Role: "processor",
			Period: since, Purpose: "bench", AgreementRef: new("bench")}); err != nil {
			h.t.Fatal(err)
		}
	}
	return fmt.Sprint(ids[0])
}
