// Package store persists the service's data: audit events and policy versions (later the
// citizen directory). SQLite (modernc.org/sqlite, no cgo) is the default; PostgreSQL follows
// with issue 7 behind the same methods and the same conformance suite (package storetest). The
// queries are written once with '?' placeholders and rebound per dialect; the schema lives in
// embedded per-dialect migrations.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Errors callers can test with errors.Is.
var (
	ErrNotFound      = errors.New("store: not found")
	ErrUnsupported   = errors.New("store: unsupported database")
	ErrSchemaTooNew  = errors.New("store: database schema is newer than this program")
	ErrInvalid       = errors.New("store: invalid argument")
	ErrInvalidDSN    = errors.New("store: invalid database address")
	errNoMigrations  = errors.New("store: no migrations")
	errBadMigrations = errors.New("store: bad migration file name")
)

// Store is the database. It is safe for concurrent use.
type Store struct {
	db *sql.DB
	d  dialect
	// writeSem serializes this process's writes: SQLite has one writer at a time, and waiting
	// here (honouring ctx) is fairer and cheaper than SQLite's busy polling.
	writeSem chan struct{}
}

// dialect is what differs between databases.
type dialect struct {
	name       string
	migrations string              // directory in the embedded migrations
	rebind     func(string) string // '?' placeholders to the dialect's
}

// Open opens the database dsn names and brings its schema up to date:
//   - "sqlite:PATH", "sqlite://PATH" or a plain file path: SQLite, the file created 0600 (and its
//     directory 0700) when missing;
//   - "postgres://..." or "postgresql://...": an error wrapping ErrUnsupported until issue 7.
//
// A schema newer than this program knows gives ErrSchemaTooNew.
func Open(ctx context.Context, dsn string) (*Store, error) {
	dsn = strings.TrimSpace(dsn)
	lower := strings.ToLower(dsn)
	switch {
	case dsn == "":
		return nil, fmt.Errorf("%w: empty", ErrInvalidDSN)
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		return nil, fmt.Errorf("%w: PostgreSQL arrives with issue 7", ErrUnsupported)
	case strings.HasPrefix(lower, "sqlite://"):
		return openSQLite(ctx, dsn[len("sqlite://"):])
	case strings.HasPrefix(lower, "sqlite:"):
		return openSQLite(ctx, dsn[len("sqlite:"):])
	case strings.Contains(dsn, "://"), strings.HasPrefix(lower, "file:"):
		return nil, fmt.Errorf("%w: %q", ErrUnsupported, dsn[:strings.Index(dsn, ":")])
	default:
		return openSQLite(ctx, dsn)
	}
}

// Close closes the database.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Ping makes a real round trip to the database (SELECT 1), for readiness checks.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return wrap(ctx, "ping", err)
	}
	return nil
}

// write runs fn in a write transaction (BEGIN IMMEDIATE on SQLite), one at a time per Store.
func (s *Store) write(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	select {
	case s.writeSem <- struct{}{}:
	case <-ctx.Done():
		return wrap(ctx, op, ctx.Err())
	}
	defer func() { <-s.writeSem }()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return wrap(ctx, op, err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return wrap(ctx, op, err)
	}
	if err := tx.Commit(); err != nil {
		return wrap(ctx, op, err)
	}
	return nil
}

// q rebinds a query for the dialect.
func (s *Store) q(query string) string { return s.d.rebind(query) }

// wrap names the operation and, when ctx is done, makes the error match ctx.Err() too (a driver
// interrupted by a deadline may report it as its own error).
func wrap(ctx context.Context, op string, err error) error {
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalid) {
		return err
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("store: %s: %w: %w", op, cerr, err)
	}
	return fmt.Errorf("store: %s: %w", op, err)
}
