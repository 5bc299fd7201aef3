package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kedja/kedja/graph/render"
	"github.com/kedja/kedja/server"
)

// pictureAnswer is what a picture request got.
type pictureAnswer struct {
	status     int
	retryAfter string
	code       string
}

func (h *harness) picture(path string) pictureAnswer {
	resp := h.get(path)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	a := pictureAnswer{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After")}
	var e struct {
		Errors []gqlError `json:"errors"`
	}
	if json.Unmarshal(body, &e) == nil && len(e.Errors) > 0 {
		a.code, _ = e.Errors[0].Extensions["code"].(string)
	}
	return a
}

// A worker that crashes mid-render costs one picture: twenty pictures at
// once, the worker of the first to start killed with SIGSEGV, give nineteen
// pictures and one retryable 503; GraphQL requests are answered throughout;
// the failure is logged and audited; every worker is accounted for.
func TestCrashedWorkerCostsOnePicture(t *testing.T) {
	var once sync.Once
	victim := make(chan int, 1)
	h := newHarnessPictures(t, true, testConfig(), render.Options{Workers: 2, OnEvent: func(e render.Event) {
		if e.Kind == render.EventRendering {
			once.Do(func() {
				syscall.Kill(e.PID, syscall.SIGSEGV)
				victim <- e.PID
			})
		}
	}})
	stockholmID := h.orgID("Region Stockholm")

	var wg sync.WaitGroup
	answers := make(chan pictureAnswer, 20)
	graphqlErrs := make(chan error, 20)
	for i := range 20 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			// A different instant each, so none comes from the cache.
			answers <- h.picture(fmt.Sprintf("/graph/chain/%s.svg?at=2019-01-%02dT02:00", stockholmID, 1+i))
		}()
		go func() {
			defer wg.Done()
			r := h.post(`{ organisations(first: 5) { nodes { legalName } } }`, nil)
			if r.Status != 200 || len(r.Errors) > 0 {
				graphqlErrs <- fmt.Errorf("GraphQL during renders: %d %+v", r.Status, r.Errors)
			}
		}()
	}
	wg.Wait()
	close(answers)
	close(graphqlErrs)
	for err := range graphqlErrs {
		t.Error(err)
	}
	ok, failed := 0, 0
	for a := range answers {
		switch {
		case a.status == 200:
			ok++
		case a.status == 503 && a.code == string(render.ECodeFailed) && a.retryAfter != "":
			failed++
		default:
			t.Errorf("a picture answered %+v", a)
		}
	}
	if ok != 19 || failed != 1 {
		t.Errorf("%d pictures and %d failures, want 19 and 1", ok, failed)
	}
	if pid := <-victim; !gone(pid) {
		t.Errorf("the crashed worker %d was not reaped", pid)
	}
	if s := h.pictures.Stats(); s.Started != s.Live+s.Reaped || s.Failed != 1 || s.Live > 2 {
		t.Errorf("pool %+v: want every worker live or reaped, one failure, at most two live", s)
	}
	if n := h.count(`SELECT count(*) FROM audit_log WHERE outcome = 'RENDER_FAILED' AND operation = 'picture chain'`); n != 1 {
		t.Errorf("%d audit rows for the failed picture, want 1", n)
	}
	if !contains(h.logs.String(), "render worker failed", "SIGSEGV: segmentation violation") {
		t.Errorf("the log does not say the worker crashed:\n%s", h.logs.String())
	}
}

// A picture that takes longer than its deadline answers 503 RENDER_TIMEOUT,
// over HTTP and in GraphQL, and the server goes on.
func TestRenderTimeoutIsRetryable(t *testing.T) {
	// No layout finishes within a microsecond.
	h := newHarnessPictures(t, true, testConfig(), render.Options{Workers: 1, Timeout: time.Microsecond})
	a := h.picture("/graph/chain/" + h.orgID("Region Stockholm") + ".svg?at=2019-02-01T02:00")
	if a.status != 503 || a.code != string(render.ECodeTimeout) || a.retryAfter == "" {
		t.Errorf("over HTTP: %+v, want 503 RENDER_TIMEOUT with Retry-After", a)
	}
	r := h.post(`query($c: ID!) { chain(controller: $c, at: "2019-02-01T02:00") { svg } }`, map[string]any{"c": h.orgID("Region Stockholm")})
	if r.code() != string(render.ECodeTimeout) {
		t.Errorf("over GraphQL: %+v, want RENDER_TIMEOUT", r.Errors)
	}
	if r := h.post(`{ checks { id } }`, nil); r.Status != 200 || len(r.Errors) > 0 {
		t.Errorf("after the timeouts: %d %+v", r.Status, r.Errors)
	}
	if s := h.pictures.Stats(); s.TimedOut != 2 || s.Live != 0 || s.Started != s.Reaped {
		t.Errorf("pool %+v: want two timeouts, both workers reaped", s)
	}
}

// A client that goes away stops its render: its worker is killed.
func TestClientGoneStopsItsRender(t *testing.T) {
	rendering := make(chan struct{})
	killed := make(chan struct{})
	exited := make(chan struct{})
	h := newHarnessPictures(t, true, testConfig(), render.Options{Workers: 1, OnEvent: func(e render.Event) {
		switch e.Kind {
		case render.EventRendering:
			// Hold the answer back until the server has given up on it,
			// so the render cannot win the race with the client leaving.
			close(rendering)
			<-killed
		case render.EventKilled:
			close(killed)
		case render.EventExited:
			close(exited)
		}
	}})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, h.url+"/graph/chain/"+h.orgID("Region Stockholm")+".svg?at=2019-02-01T02:00", nil)
	req.Header.Set("Authorization", "Bearer "+h.token)
	go func() {
		<-rendering
		cancel()
	}()
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.Canceled) {
		t.Fatalf("request: %v, want it cancelled", err)
	}
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatal("the render's worker was not stopped when its client went away")
	}
}

// gone reports whether a process no longer exists (reaped, not a zombie).
func gone(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

func testConfig() server.Config {
	cfg := server.DefaultConfig
	cfg.RatePerSecond, cfg.RateBurst = 1000, 1000
	return cfg
}
