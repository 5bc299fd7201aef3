package access

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/kedja/kedja/registry"
)

// A checkpoint is the audit chain's head (the newest row's id and hash),
// signed with the audit key and kept outside the database: in a file of
// JSON lines, one checkpoint a line, and in the service's log. Verifying the
// log against them catches what the chain alone cannot: the newest rows
// deleted, or the whole table emptied.

// checkpointLine is a checkpoint as a line of the file holds it.
type checkpointLine struct {
	ID   int64     `json:"id"`
	Hash string    `json:"hash"`
	At   time.Time `json:"at"`
	MAC  string    `json:"mac"`
}

// AuditHead signs the audit chain's head; the store implements it.
type AuditHead interface {
	AuditCheckpoint(ctx context.Context) (registry.AuditCheckpoint, error)
}

// AppendCheckpoint appends c to the file at path as one line, created if
// missing (readable by its owner only), and syncs it to disk.
func AppendCheckpoint(path string, c registry.AuditCheckpoint) error {
	b, err := json.Marshal(checkpointLine{ID: c.ID, Hash: hex.EncodeToString(c.Hash), At: c.At, MAC: hex.EncodeToString(c.MAC)})
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("audit checkpoints: %w", err)
	}
	// One write per line: appends of other processes cannot interleave it.
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("audit checkpoints: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("audit checkpoints: %w", err)
	}
	return f.Close()
}

// ReadCheckpoints yields the checkpoints of the file at path, a line at a
// time; a line that is not a checkpoint is an error naming it.
func ReadCheckpoints(path string) iter.Seq2[registry.AuditCheckpoint, error] {
	return func(yield func(registry.AuditCheckpoint, error) bool) {
		f, err := os.Open(path)
		if err != nil {
			yield(registry.AuditCheckpoint{}, fmt.Errorf("audit checkpoints: %w", err))
			return
		}
		defer f.Close()
		lines := bufio.NewScanner(f)
		for n := 1; lines.Scan(); n++ {
			if len(lines.Bytes()) == 0 {
				continue
			}
			var l checkpointLine
			c, err := registry.AuditCheckpoint{}, json.Unmarshal(lines.Bytes(), &l)
			if err == nil {
				c.ID, c.At = l.ID, l.At
				c.Hash, err = hex.DecodeString(l.Hash)
			}
			if err == nil {
				c.MAC, err = hex.DecodeString(l.MAC)
			}
			if err != nil {
				yield(c, fmt.Errorf("audit checkpoints: %s line %d is not a checkpoint: %w", path, n, err))
				return
			}
			if !yield(c, nil) {
				return
			}
		}
		if err := lines.Err(); err != nil {
			yield(registry.AuditCheckpoint{}, fmt.Errorf("audit checkpoints: %w", err))
		}
	}
}

// Checkpointer writes signed checkpoints of the audit chain's head to Path
// (if set) and to Logger.
type Checkpointer struct {
	Head   AuditHead
	Path   string
	Logger *slog.Logger

	mu   sync.Mutex
	last *registry.AuditCheckpoint
}

// Write writes a checkpoint of the head as it is now and returns it.
func (c *Checkpointer) Write(ctx context.Context) (registry.AuditCheckpoint, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.write(ctx, true)
}

// write writes a checkpoint, unless !always and the head has not moved
// since the last one. It holds c.mu.
func (c *Checkpointer) write(ctx context.Context, always bool) (registry.AuditCheckpoint, error) {
	cp, err := c.Head.AuditCheckpoint(ctx)
	if err != nil {
		return cp, err
	}
	if !always && c.last != nil && c.last.ID == cp.ID {
		return *c.last, nil
	}
	// Logged first: if the file cannot be written, the log still has it.
	c.Logger.Info("audit checkpoint", "id", cp.ID, "hash", hex.EncodeToString(cp.Hash),
		"at", cp.At.Format(time.RFC3339Nano), "mac", hex.EncodeToString(cp.MAC))
	if c.Path != "" {
		if err := AppendCheckpoint(c.Path, cp); err != nil {
			return cp, err
		}
	}
	c.last = &cp
	return cp, nil
}

// Run writes a checkpoint every period, when the head has moved, until ctx
// ends.
func (c *Checkpointer) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.mu.Lock()
			_, err := c.write(ctx, false)
			c.mu.Unlock()
			if err != nil && !errors.Is(err, context.Canceled) {
				c.Logger.Error("AUDIT CHECKPOINT FAILED", "err", err)
			}
		}
	}
}
