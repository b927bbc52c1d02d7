// Package store persists the service's data: audit events, policy versions, feedback, admin
// sessions, the citizen directory and settings. SQLite (modernc.org/sqlite, no cgo) is the
// default; PostgreSQL (jackc/pgx/v5 through database/sql) serves several replicas, behind the
// same methods and the same conformance suite (package storetest). The queries are written once
// with '?' placeholders and rebound per dialect; the schema lives in embedded per-dialect
// migrations.
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
	ErrNotFound     = errors.New("store: not found")
	ErrUnsupported  = errors.New("store: unsupported database")
	ErrSchemaTooNew = errors.New("store: database schema is newer than this program")
	ErrInvalid      = errors.New("store: invalid argument")
	ErrInvalidDSN   = errors.New("store: invalid database address")
	// ErrConflict: a write broke a uniqueness rule (a primary key or unique constraint), on
	// either database.
	ErrConflict      = errors.New("store: conflict")
	errNoMigrations  = errors.New("store: no migrations")
	errBadMigrations = errors.New("store: bad migration file name")
)

// Store is the database. It is safe for concurrent use.
type Store struct {
	db *sql.DB
	d  dialect
	// writeSem serializes this process's writes: SQLite has one writer at a time, and waiting
	// here (honouring ctx) is fairer and cheaper than SQLite's busy polling. Nil on PostgreSQL,
	// which has concurrent writers.
	writeSem chan struct{}
}

// dialect is what differs between databases.
type dialect struct {
	name       string
	migrations string              // directory in the embedded migrations
	rebind     func(string) string // '?' placeholders to the dialect's
	// readTx are the options of the read transactions whose queries must see one snapshot
	// (a count and its page): SQLite's read transaction is a snapshot already; PostgreSQL's
	// READ COMMITTED takes one per statement, so it needs REPEATABLE READ.
	readTx *sql.TxOptions
	// migrateLock, when set, is run first in every migration transaction so that processes
	// migrating at once apply each step once (SQLite's BEGIN IMMEDIATE does that by itself).
	migrateLock string
	// lockTable, when set, returns the statement that makes writers of a table wait for each
	// other inside a write transaction (SQLite writers are serialized anyway).
	lockTable func(table string) string
	// conflict tells a uniqueness violation; retry a transient failure (serialization failure,
	// deadlock) after which the whole transaction may be run again.
	conflict func(error) bool
	retry    func(error) bool
}

// writeAttempts bounds how often write runs a transaction that failed transiently.
const writeAttempts = 3

// Open opens the database dsn names and brings its schema up to date:
//   - "sqlite:PATH", "sqlite://PATH" or a plain file path: SQLite, the file created 0600 (and its
//     directory 0700) when missing;
//   - "postgres://..." or "postgresql://...": PostgreSQL (a libpq URL; its query parameters, e.g.
//     sslmode, search_path or connect_timeout, are passed on; a malformed one gives ErrInvalidDSN).
//
// A schema newer than this program knows gives ErrSchemaTooNew.
func Open(ctx context.Context, dsn string) (*Store, error) {
	dsn = strings.TrimSpace(dsn)
	lower := strings.ToLower(dsn)
	switch {
	case dsn == "":
		return nil, fmt.Errorf("%w: empty", ErrInvalidDSN)
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		return openPostgres(ctx, dsn)
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

// write runs fn in a write transaction: BEGIN IMMEDIATE on SQLite, one at a time per Store;
// READ COMMITTED on PostgreSQL, concurrently, and run again (up to writeAttempts times) after a
// serialization failure or deadlock, so fn must not keep state across runs. A uniqueness
// violation is reported wrapping ErrConflict on both databases.
func (s *Store) write(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	if s.writeSem != nil {
		select {
		case s.writeSem <- struct{}{}:
		case <-ctx.Done():
			return wrap(ctx, op, ctx.Err())
		}
		defer func() { <-s.writeSem }()
	}
	var err error
	for attempt := 1; ; attempt++ {
		err = s.writeOnce(ctx, fn)
		if err == nil || attempt >= writeAttempts || ctx.Err() != nil || s.d.retry == nil || !s.d.retry(err) {
			break
		}
	}
	if err != nil && s.d.conflict != nil && s.d.conflict(err) && !errors.Is(err, ErrConflict) {
		err = fmt.Errorf("%w: %w", ErrConflict, err)
	}
	if err != nil {
		return wrap(ctx, op, err)
	}
	return nil
}

func (s *Store) writeOnce(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// lock makes the transaction's writers of table wait for each other where the dialect needs it.
func (s *Store) lock(ctx context.Context, tx *sql.Tx, table string) error {
	if s.d.lockTable == nil {
		return nil
	}
	_, err := tx.ExecContext(ctx, s.d.lockTable(table))
	return err
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
