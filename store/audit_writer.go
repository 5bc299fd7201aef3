package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// AuditWriterOptions size the group commit of audit rows.
type AuditWriterOptions struct {
	Queue int // rows waiting at most; more wait for room (default 8192)
	Batch int // rows per INSERT at most (default 1000)
	// Linger is how long a queued row may wait for others to share its
	// commit (default 100ms; negative: not at all). A row someone waits for
	// (Audit, FlushAudit) is written at once, with whatever is queued.
	Linger time.Duration
	Log    *slog.Logger
}

// auditWriter appends many requests' audit rows in one transaction: one
// goroutine takes whatever is queued, takes the chain lock once, reads the
// head once, chains the rows in memory and inserts them in one statement.
// A request then costs a send on a channel instead of a transaction under a
// global lock.
type auditWriter struct {
	s     *Store
	opts  AuditWriterOptions
	queue chan auditJob

	mu      sync.RWMutex
	closed  bool
	senders sync.WaitGroup
	done    chan struct{} // closed when the loop has ended
	// abort ends when Close gives up on the rows left; it cancels the
	// append in flight too.
	abort       context.Context
	abortCancel context.CancelFunc
	lost        int // rows given up on; written by the loop only
	// batches and rows count the group commits and the rows they wrote.
	batches, rows atomic.Int64
}

// auditJob is a row to append (nil: only a flush) and, for a caller that
// waits for its commit, where to say how it went.
type auditJob struct {
	row  *auditRow
	done chan error
}

var errAuditAbandoned = errors.New("store: the audit writer stopped before this row was written")

// StartAuditWriter starts the group commit: from now on Audit and
// AuditLater queue their rows for it. CloseAuditWriter stops it.
func (s *Store) StartAuditWriter(opts AuditWriterOptions) error {
	if s.auditKey == nil {
		return errNoAuditKey
	}
	if opts.Queue <= 0 {
		opts.Queue = 8192
	}
	if opts.Batch <= 0 {
		opts.Batch = 1000
	}
	if opts.Linger == 0 {
		opts.Linger = 100 * time.Millisecond
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	w := &auditWriter{s: s, opts: opts, queue: make(chan auditJob, opts.Queue), done: make(chan struct{})}
	w.abort, w.abortCancel = context.WithCancel(context.Background())
	if !s.writer.CompareAndSwap(nil, w) {
		return errors.New("store: an audit writer is already running")
	}
	go w.run()
	return nil
}

// CloseAuditWriter writes every row queued and stops the writer; appends
// after it are made at once, each in its own transaction. If ctx ends
// first (the database is down), the rows still queued are given up on, and
// the error says how many.
func (s *Store) CloseAuditWriter(ctx context.Context) error {
	w := s.writer.Load()
	if w == nil {
		return nil
	}
	w.mu.Lock()
	already := w.closed
	w.closed = true
	w.mu.Unlock()
	if !already {
		// The queue closes once no sender can still be putting a row in it;
		// the loop drains it and ends.
		go func() {
			w.senders.Wait()
			close(w.queue)
		}()
	}
	select {
	case <-w.done:
	case <-ctx.Done():
		w.abortCancel()
		<-w.done
	}
	s.writer.CompareAndSwap(w, nil)
	w.abortCancel()
	if w.lost > 0 {
		return fmt.Errorf("store: %d audit rows were not written: %w", w.lost, ctx.Err())
	}
	return nil
}

// AuditWriterStats says how many group commits the running writer made
// and how many rows they wrote.
func (s *Store) AuditWriterStats() (batches, rows int64) {
	if w := s.writer.Load(); w != nil {
		return w.batches.Load(), w.rows.Load()
	}
	return 0, 0
}

// FlushAudit returns once every row queued before it was committed.
func (s *Store) FlushAudit(ctx context.Context) error {
	w := s.writer.Load()
	if w == nil {
		return nil
	}
	_, err := w.enqueue(ctx, nil, true)
	return err
}

// enqueue queues row (nil: a flush) and, if wait, returns once it is
// committed or ctx has ended (the row is then still written). queued is
// false if the writer is closed: the caller appends the row itself.
func (w *auditWriter) enqueue(ctx context.Context, row *auditRow, wait bool) (queued bool, err error) {
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return false, nil
	}
	w.senders.Add(1)
	w.mu.RUnlock()
	j := auditJob{row: row}
	if wait {
		j.done = make(chan error, 1)
	}
	// A full queue makes the request wait: back-pressure, never a drop.
	select {
	case w.queue <- j:
		w.senders.Done()
	case <-ctx.Done():
		w.senders.Done()
		return true, fmt.Errorf("store: audit queue full: %w", ctx.Err())
	case <-w.abort.Done():
		w.senders.Done()
		return true, errAuditAbandoned
	}
	if !wait {
		return true, nil
	}
	select {
	case err := <-j.done:
		return true, err
	case <-ctx.Done():
		return true, ctx.Err()
	}
}

// run takes whatever is queued, up to a batch, and writes it, until the
// queue is closed and empty. A batch of rows nobody waits for lingers a
// little for more: under load a commit then carries many requests' rows,
// and costs each of them a fraction of its statements.
func (w *auditWriter) run() {
	defer close(w.done)
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	for j := range w.queue {
		batch := []auditJob{j}
		urgent := j.done != nil || w.opts.Linger < 0
		if !urgent {
			linger.Reset(w.opts.Linger)
		}
	fill:
		for len(batch) < w.opts.Batch {
			if urgent {
				select {
				case j, ok := <-w.queue:
					if !ok {
						break fill
					}
					batch = append(batch, j)
				default:
					break fill
				}
				continue
			}
			select {
			case j, ok := <-w.queue:
				if !ok {
					break fill
				}
				batch = append(batch, j)
				urgent = j.done != nil
			case <-linger.C:
				urgent = true
			case <-w.abort.Done():
				urgent = true
			}
		}
		linger.Stop()
		w.write(batch)
	}
}

// write commits a batch's rows, retrying until it can or Close gives up,
// and tells the waiting callers.
func (w *auditWriter) write(batch []auditJob) {
	rows := make([]auditRow, 0, len(batch))
	for _, j := range batch {
		if j.row != nil {
			rows = append(rows, *j.row)
		}
	}
	var err error
	backoff := 50 * time.Millisecond
	for len(rows) > 0 {
		ctx, cancel := context.WithTimeout(w.abort, 30*time.Second)
		err = w.s.appendRows(ctx, rows)
		cancel()
		if err == nil {
			w.batches.Add(1)
			w.rows.Add(int64(len(rows)))
			break
		}
		if w.abort.Err() != nil {
			err = errAuditAbandoned
			w.lost += len(rows)
			w.opts.Log.Error("AUDIT LOG ROWS NOT WRITTEN: the writer was stopped", "rows", len(rows))
			break
		}
		// Rows are never dropped: the batch waits for the database, and
		// the queue behind it fills until requests wait for room.
		w.opts.Log.Error("AUDIT LOG WRITE FAILED; retrying", "rows", len(rows), "retry_in", backoff.String(), "err", err)
		select {
		case <-time.After(backoff):
		case <-w.abort.Done():
		}
		backoff = min(2*backoff, 5*time.Second)
	}
	for _, j := range batch {
		if j.done != nil {
			j.done <- err
		}
	}
}
