package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/kedja/kedja/server"
)

// BenchmarkAuditCost measures what the audit log costs a read: the same
// small query over HTTP from many parallel clients, against a server that
// audits every request (queued for the group commit) and the same server
// with auditing off (Config.AuditOff, which exists for this comparison
// only). Both servers share nothing but the PostgreSQL instance; their runs
// alternate, round after round, so that load from elsewhere falls on both.
//
//	go test ./server -run '^$' -bench BenchmarkAuditCost -benchtime 3s
func BenchmarkAuditCost(b *testing.B) {
	cfg := server.DefaultConfig
	cfg.RatePerSecond, cfg.RateBurst = 1e9, 1<<30 // the limit is not what is measured
	on := newHarnessWith(b, true, cfg)
	cfg.AuditOff = true
	off := newHarnessWith(b, true, cfg)
	body, err := json.Marshal(map[string]any{
		"query":     `query($n: String) { organisations(filter: {nameContains: $n}) { nodes { id legalName } } }`,
		"variables": map[string]any{"n": "Region"},
	})
	if err != nil {
		b.Fatal(err)
	}
	type variant struct {
		name string
		h    *harness
	}
	var runs []variant
	for round := 0; round < 3; round++ {
		runs = append(runs, variant{"audit=on", on}, variant{"audit=off", off})
	}
	for _, tt := range runs {
		b.Run(tt.name, func(b *testing.B) {
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
			defer client.CloseIdleConnections()
			// Eight clients a core.
			b.SetParallelism(8)
			cpu := processCPU()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, _ := http.NewRequest(http.MethodPost, tt.h.url+"/graphql", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+tt.h.tokens["auditor"])
					resp, err := client.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			// The CPU this process (clients and server) spent a request:
			// steadier than throughput on a machine others load too.
			b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
			// The rows queued during the run are written before the next.
			tt.h.flushAudit()
			if batches, rows := tt.h.store.AuditWriterStats(); batches > 0 {
				b.ReportMetric(float64(rows)/float64(batches), "rows/commit")
			}
		})
	}
}

// processCPU is the user and system time this process has used.
func processCPU() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
