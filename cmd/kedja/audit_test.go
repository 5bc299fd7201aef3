package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kedja/kedja/store"
	"github.com/kedja/kedja/store/storetest"
)

// A write and its audit row commit together, so killing the server mid-
// flight (kill -9, no shutdown) leaves no committed write without its row:
// three times, a server takes a burst of concurrent mutations and is
// killed once some have been answered; then every organisation the bursts
// made is named by an ok row, and the log verifies, against a checkpoint
// taken between the runs too.
func TestKillNineLeavesNoWriteWithoutItsAuditRow(t *testing.T) {
	const runs, burst = 3, 340 // 1,020 mutations in all
	ctx := context.Background()
	db := storetest.Database(t)
	s, err := store.Open(ctx, db, "Europe/Stockholm", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Serve allows a token bursts of 40: enough tokens that the bursts are
	// not refused for their rate.
	var tokens []string
	for i := 0; i < burst/35+1; i++ {
		_, secret, err := s.CreateToken(ctx, "test", fmt.Sprintf("kill %d", i), "editor", nil)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, secret)
	}
	checkpoints := filepath.Join(t.TempDir(), "audit.checkpoints")
	env := []string{"DATABASE_URL=" + db, "KEDJA_AUDIT_KEY_FILE=" + auditKeyFile, "KEDJA_AUDIT_CHECKPOINTS=" + checkpoints}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: burst}, Timeout: 30 * time.Second}
	var answered, failed atomic.Int64
	for run := 0; run < runs; run++ {
		srv, err := launchWith(t, checkpoints, db, "--check-schedule", "off")
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		okSoFar := make(chan struct{}, burst)
		for i := 0; i < burst; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body, _ := json.Marshal(map[string]any{
					"query":     `mutation($n: String!) { createOrganisation(input: {legalName: $n, country: "SE", kind: COMPANY}) { id } }`,
					"variables": map[string]any{"n": fmt.Sprintf("Killed %d-%d AB", run, i)},
				})
				req, _ := http.NewRequest(http.MethodPost, "http://"+srv.addr+"/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+tokens[i%len(tokens)])
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1) // the server was killed under it
					return
				}
				defer resp.Body.Close()
				var out struct{ Errors []any }
				if json.NewDecoder(resp.Body).Decode(&out) == nil && resp.StatusCode == http.StatusOK && len(out.Errors) == 0 {
					answered.Add(1)
					okSoFar <- struct{}{}
				} else {
					failed.Add(1)
				}
			}()
		}
		// Killed once a sixth of the burst has its answer: the rest are in
		// flight, some committing.
		allAnswered := make(chan struct{})
		go func() { wg.Wait(); close(allAnswered) }()
		for i := 0; i < burst/6; i++ {
			select {
			case <-okSoFar:
			case <-allAnswered:
				t.Fatalf("run %d: every request was answered before a sixth succeeded (%d answered, %d failed): the burst never put the server under load\n%s",
					run, answered.Load(), failed.Load(), srv.stderr.String())
			}
		}
		if err := srv.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		wg.Wait()
		client.CloseIdleConnections()
		if out, err := kedja(t, env, "audit", "checkpoint"); err != nil {
			t.Fatalf("kedja audit checkpoint: %v\n%s", err, out)
		}
	}
	var made, unaudited int
	if err := s.DB().QueryRow(`SELECT count(*), count(*) FILTER (WHERE NOT EXISTS (
			SELECT 1 FROM audit_log a WHERE a.outcome = 'ok' AND 'organisation:' || o.id = ANY (a.affected)))
		FROM organisations o WHERE legal_name LIKE 'Killed %'`).Scan(&made, &unaudited); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d mutations: %d answered, %d cut off; %d organisations committed, %d of them without an audit row",
		runs*burst, answered.Load(), failed.Load(), made, unaudited)
	if made < int(answered.Load()) || unaudited != 0 {
		t.Errorf("%d organisations committed (%d answered), %d without an ok audit row naming them; want none", made, answered.Load(), unaudited)
	}
	// Each run's server wrote one checkpoint as it started, and one was
	// written on demand after each kill.
	out, err := kedja(t, env, "audit", "verify")
	if err != nil || !strings.Contains(out, "audit log intact") || !strings.Contains(out, fmt.Sprintf("%d checkpoints compared", 2*runs)) {
		t.Errorf("kedja audit verify: %v\n%s", err, out)
	}
}
