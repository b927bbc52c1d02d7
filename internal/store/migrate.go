package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// migrationFS holds the schema, per dialect: migrations/<dialect>/NNNN_name.sql, applied in
// order, each once, each in its own transaction.
//
//go:embed migrations
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads a dialect's migrations, sorted by version.
func loadMigrations(dir string) ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errNoMigrations, dir, err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("%w: %s", errBadMigrations, name)
		}
		body, err := fs.ReadFile(migrationFS, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("store: read migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(body)})
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("%w: %s", errNoMigrations, dir)
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("%w: version %d twice", errBadMigrations, ms[i].version)
		}
	}
	return ms, nil
}

// migrate applies the migrations the database has not seen. Each runs in a write transaction
// that re-reads the schema version first (on PostgreSQL after taking the dialect's advisory
// lock), so two processes opening a new database at once apply each migration once. A database whose version is above the newest migration gives
// ErrSchemaTooNew: this binary is older than the schema and must not write to it.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := loadMigrations(s.d.migrations)
	if err != nil {
		return err
	}
	latest := ms[len(ms)-1].version
	// In a locked transaction too: PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against a
	// concurrent one.
	if err := s.migrationTx(ctx, "create schema_migrations", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_ms BIGINT  NOT NULL)`)
		return err
	}); err != nil {
		return err
	}
	cur, err := schemaVersion(ctx, s.db)
	if err != nil {
		return wrap(ctx, "read schema version", err)
	}
	if cur > latest {
		return fmt.Errorf("%w: database at version %d, this program knows up to %d", ErrSchemaTooNew, cur, latest)
	}
	for _, m := range ms {
		if m.version <= cur {
			continue
		}
		err := s.migrationTx(ctx, "migrate "+m.name, func(tx *sql.Tx) error {
			v, err := schemaVersion(ctx, tx)
			if err != nil || v >= m.version {
				return err // applied meanwhile by another process
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, s.q("INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)"),
				m.version, m.name, time.Now().UnixMilli())
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// migrationTx runs fn in a write transaction that holds the dialect's migration lock.
func (s *Store) migrationTx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	return s.write(ctx, op, func(tx *sql.Tx) error {
		if s.d.migrateLock != "" {
			if _, err := tx.ExecContext(ctx, s.d.migrateLock); err != nil {
				return err
			}
		}
		return fn(tx)
	})
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func schemaVersion(ctx context.Context, q queryer) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v)
	return v, err
}
