package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/lib/pq"

	"github.com/kedja/kedja/registry"
)

// The connections kedja holds to PostgreSQL, wrapped for three reasons:
//
//   - A pooled connection whose server went away (a restart, a failover)
//     is found out before it is used, not by the request that uses it: a
//     connection idle in the pool has nothing to read, so one that the
//     server closed (EOF) or wrote to (the FATAL of a shutdown) is
//     dropped and database/sql takes or opens another. The same check
//     go-sql-driver/mysql makes (its conncheck.go); lib/pq checks only
//     errors it has already met.
//   - Errors that mean "the database cannot be reached" carry
//     registry.Unavailable, so that every caller (API, pages, CLI) tells
//     its user to try again (503 with Retry-After) instead of showing an
//     internal error.
//   - Statements are counted and timed, in total and per request
//     (WithStatementCount), for the metrics.

// connector opens lib/pq connections through a dialer that keeps each
// connection's socket, for the liveness check.
type connector struct {
	pq    *pq.Connector
	stats *DBStats
}

func newConnector(dsn string, stats *DBStats) (*connector, error) {
	c, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	c.Dialer(socketDialer{d: net.Dialer{KeepAlive: 30 * time.Second}})
	return &connector{pq: c, stats: stats}, nil
}

type socketKey struct{}

// socketDialer dials as lib/pq's default dialer does, and leaves the
// socket in the slot the connect call put in its context.
type socketDialer struct{ d net.Dialer }

func (s socketDialer) Dial(network, address string) (net.Conn, error) {
	return s.DialContext(context.Background(), network, address)
}

func (s socketDialer) DialTimeout(network, address string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return s.DialContext(ctx, network, address)
}

func (s socketDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	c, err := s.d.DialContext(ctx, network, address)
	if err == nil {
		if slot, ok := ctx.Value(socketKey{}).(*net.Conn); ok {
			*slot = c
		}
	}
	return c, err
}

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	var sock net.Conn
	dc, err := c.pq.Connect(context.WithValue(ctx, socketKey{}, &sock))
	if err != nil {
		return nil, classify(err)
	}
	inner, ok := dc.(pqConn)
	if !ok {
		dc.Close()
		return nil, errors.New("store: lib/pq's connection lacks a method kedja uses")
	}
	return &conn{pqConn: inner, sock: sock, stats: c.stats}, nil
}

func (c *connector) Driver() driver.Driver { return c.pq.Driver() }

// pqConn is what lib/pq's connection does and conn passes on.
type pqConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.QueryerContext
	driver.ExecerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

type conn struct {
	pqConn
	sock  net.Conn // nil if the dialer did not see it
	stats *DBStats
}

// ResetSession runs before a pooled connection is used again.
func (c *conn) ResetSession(ctx context.Context) error {
	if c.sock != nil && !idleAndOpen(c.sock) {
		c.stats.dropped.Add(1)
		return driver.ErrBadConn
	}
	return c.pqConn.ResetSession(ctx)
}

// Transaction control (BEGIN, COMMIT) is not counted as a statement: the
// counts are of the work asked for.
func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.pqConn.BeginTx(ctx, opts)
	return tx, classify(err)
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.pqConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, classify(err)
	}
	inner, ok := st.(pqStmt)
	if !ok {
		// COPY's statement (pq.CopyIn) is driven by database/sql's
		// fallbacks; it is left as lib/pq made it.
		return st, nil
	}
	return &stmt{pqStmt: inner, stats: c.stats}, nil
}

// pqStmt is what lib/pq's prepared statement does and stmt passes on.
type pqStmt interface {
	driver.Stmt
	driver.StmtQueryContext
	driver.StmtExecContext
}

// stmt counts and classifies a prepared statement's runs, as conn does
// its own.
type stmt struct {
	pqStmt
	stats *DBStats
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	defer s.stats.statement(ctx, time.Now())
	rows, err := s.pqStmt.QueryContext(ctx, args)
	return rows, classify(err)
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	defer s.stats.statement(ctx, time.Now())
	res, err := s.pqStmt.ExecContext(ctx, args)
	return res, classify(err)
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	defer c.stats.statement(ctx, time.Now())
	rows, err := c.pqConn.QueryContext(ctx, query, args)
	return rows, classify(err)
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	defer c.stats.statement(ctx, time.Now())
	res, err := c.pqConn.ExecContext(ctx, query, args)
	return res, classify(err)
}

func (c *conn) Ping(ctx context.Context) error { return classify(c.pqConn.Ping(ctx)) }

// idleAndOpen says whether a connection that should have nothing to read
// has nothing: a peek that would block. EOF, data, or an error mean the
// server closed it or is closing it.
func idleAndOpen(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	open := true
	var buf [1]byte
	if err := raw.Read(func(fd uintptr) bool {
		// Sockets are non-blocking in Go; the callback answers at once.
		_, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		// Would block: nothing to read, as it should be. Anything else (0
		// bytes: EOF; a byte: the server spoke unasked; an error) is not.
		open = err == syscall.EAGAIN || err == syscall.EWOULDBLOCK || err == syscall.EINTR
		return true
	}); err != nil {
		return false
	}
	return open
}

// unavailableError is a driver error that means the database could not be
// reached. It is both registry.Unavailable (for callers) and the driver's
// own error (database/sql retries on driver.ErrBadConn).
type unavailableError struct{ err error }

func (e *unavailableError) Error() string   { return "database unavailable: " + e.err.Error() }
func (e *unavailableError) Unwrap() []error { return []error{registry.Unavailable(), e.err} }

// classify marks the errors that mean the database cannot be reached now:
// a refused or broken connection, and the server's own "shutting down",
// "starting up" and connection-failure codes. Everything else (bad SQL, a
// constraint, a timeout) is left as it is.
func classify(err error) error {
	if err == nil || !unreachable(err) {
		return err
	}
	return &unavailableError{err: err}
}

func unreachable(err error) bool {
	var pe *pq.Error
	if errors.As(err, &pe) {
		switch {
		case pe.Code.Class() == "08": // connection exception
			return true
		case pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03": // admin/crash shutdown, cannot connect now
			return true
		}
		return false
	}
	var ne net.Error
	var oe *net.OpError
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.As(err, &oe) || (errors.As(err, &ne) && !errors.Is(err, context.DeadlineExceeded))
}

// DBStats counts what kedja asks of its database.
type DBStats struct {
	statements atomic.Int64
	nanos      atomic.Int64
	dropped    atomic.Int64
}

// Statements is the number of statements run, Time their total duration,
// Dropped the pooled connections found dead before use.
func (s *DBStats) Statements() int64   { return s.statements.Load() }
func (s *DBStats) Time() time.Duration { return time.Duration(s.nanos.Load()) }
func (s *DBStats) DroppedDead() int64  { return s.dropped.Load() }
func (s *DBStats) statement(ctx context.Context, start time.Time) {
	d := time.Since(start)
	s.statements.Add(1)
	s.nanos.Add(int64(d))
	if rc, ok := ctx.Value(requestCountKey{}).(*StatementCount); ok {
		rc.n.Add(1)
		rc.nanos.Add(int64(d))
	}
}

// StatementCount counts one request's statements and their time.
type StatementCount struct{ n, nanos atomic.Int64 }

// N is the number of statements counted, Time their total duration.
func (c *StatementCount) N() int64            { return c.n.Load() }
func (c *StatementCount) Time() time.Duration { return time.Duration(c.nanos.Load()) }

type requestCountKey struct{}

// WithStatementCount returns a context whose statements are counted in c.
func WithStatementCount(ctx context.Context, c *StatementCount) context.Context {
	return context.WithValue(ctx, requestCountKey{}, c)
}
