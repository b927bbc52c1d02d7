package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite connection settings: WAL (readers do not block the writer), NORMAL sync (durable
// across a process crash; in WAL a power cut can lose only the last commits), foreign keys, a
// busy timeout (the driver stops waiting when the query's ctx is done), and BEGIN IMMEDIATE for
// write transactions so that two writers never deadlock upgrading a read lock.
// The WAL is checkpointed every 10,000 pages (40 MB) rather than SQLite's 1,000: the audit of a
// mail-merge list inserts thousands of keyed hashes at random places of their index, and
// checkpointing the same pages again and again was a quarter of such an insert (2,500 hashes:
// 102-107 -> 77-81 ms).
const sqliteParams = "?_busy_timeout=5000&_journal_mode=WAL&_synchronous=NORMAL&_foreign_keys=1&_txlock=immediate&_pragma=wal_autocheckpoint(10000)"

var sqliteDialect = dialect{
	name:       "sqlite",
	migrations: "migrations/sqlite",
	rebind:     func(q string) string { return q },
	readTx:     &sql.TxOptions{ReadOnly: true},
	conflict:   sqliteConflict,
}

// sqliteConflict tells a primary key or unique constraint violation.
func sqliteConflict(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: no SQLite file path", ErrInvalidDSN)
	}
	if path == ":memory:" || strings.HasPrefix(path, "file:") || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("%w: SQLite needs a plain file path without '?' or '#'", ErrInvalidDSN)
	}
	if err := createFile(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", path+sqliteParams)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(4)
	s := &Store{db: db, d: sqliteDialect, writeSem: make(chan struct{}, 1)}
	if err := s.Ping(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// createFile creates the database file 0600 (and its directory 0700) before SQLite does, so it
// never exists with wider permissions; SQLite gives its -wal and -shm files the same mode.
func createFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("store: create database directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, os.ErrExist):
		return nil
	case err != nil:
		return fmt.Errorf("store: create database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("store: create database file: %w", err)
	}
	return nil
}
