package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/store"
	"github.com/sendevagt/sendevagt/internal/store/storetest"
)

func openSQLite(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "sendevagt.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestSQLiteConformance(t *testing.T) {
	storetest.RunConformance(t, openSQLite)
}

func TestOpenDSN(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		dsn     string
		file    string // the file that must exist afterwards
		wantErr error
	}{
		{dsn: "sqlite:" + filepath.Join(dir, "a.db"), file: filepath.Join(dir, "a.db")},
		{dsn: "sqlite://" + filepath.Join(dir, "b.db"), file: filepath.Join(dir, "b.db")},
		{dsn: "SQLITE://" + filepath.Join(dir, "c.db"), file: filepath.Join(dir, "c.db")},
		{dsn: filepath.Join(dir, "sub", "deeper", "d.db"), file: filepath.Join(dir, "sub", "deeper", "d.db")},
		{dsn: "mysql://x@y/z", wantErr: store.ErrUnsupported},
		{dsn: "", wantErr: store.ErrInvalidDSN},
		{dsn: "sqlite:", wantErr: store.ErrInvalidDSN},
		{dsn: ":memory:", wantErr: store.ErrInvalidDSN},
		{dsn: filepath.Join(dir, "e.db") + "?_journal_mode=DELETE", wantErr: store.ErrInvalidDSN},
	}
	for _, tc := range tests {
		t.Run(tc.dsn, func(t *testing.T) {
			s, err := store.Open(t.Context(), tc.dsn)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Open(%q) error = %v, want %v", tc.dsn, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open(%q): %v", tc.dsn, err)
			}
			defer s.Close()
			if err := s.Ping(t.Context()); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s mode %v, want 0600", tc.file, fi.Mode().Perm())
			}
		})
	}
	if fi, err := os.Stat(filepath.Join(dir, "sub")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("created directory: %v, %v; want mode 0700", fi.Mode().Perm(), err)
	}
}

func TestWALFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	s, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.SavePolicy(t.Context(), []byte("a: 1\n"), "admin", ""); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatalf("%s: %v (WAL mode should create it)", f, err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s mode %v: readable by others", f, fi.Mode().Perm())
		}
	}
}

func TestMigrationRerunIsNoop(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "m.db")
	s, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	e := storetest.SampleEvent(storetest.Hasher(t), "evt-keep", time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC), 1)
	if err := s.InsertAudit(ctx, e); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SavePolicy(ctx, []byte("a: 1\n"), "admin", ""); err != nil {
		t.Fatal(err)
	}
	before := migrations(t, path)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s, err = store.Open(ctx, path)
		if err != nil {
			t.Fatalf("re-Open: %v", err)
		}
		if _, err := s.GetAudit(ctx, e.ID); err != nil {
			t.Errorf("event lost on re-open: %v", err)
		}
		if p, err := s.LatestPolicy(ctx); err != nil || p.Version != 1 {
			t.Errorf("policy after re-open = %d, %v", p.Version, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if after := migrations(t, path); after != before {
			t.Errorf("schema_migrations changed on re-open: %q → %q", before, after)
		}
	}
	if before == "" {
		t.Error("schema_migrations is empty")
	}
}

// migrations returns the schema_migrations rows of the SQLite database at path.
func migrations(t *testing.T, path string) string {
	t.Helper()
	return migrationRows(t, rawDB(t, path))
}

// migrationRows lists the schema_migrations rows of db (either database) as one string.
func migrationRows(t *testing.T, db *sql.DB) string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), "SELECT version, name, applied_ms FROM schema_migrations ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out string
	for rows.Next() {
		var v int
		var name string
		var ms int64
		if err := rows.Scan(&v, &name, &ms); err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintf("%d %s %d;", v, name, ms)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestSchemaTooNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	s, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	db := rawDB(t, path)
	if _, err := db.ExecContext(t.Context(), "INSERT INTO schema_migrations (version, name, applied_ms) VALUES (9999, '9999_future.sql', 0)"); err != nil {
		t.Fatal(err)
	}
	_, err = store.Open(t.Context(), path)
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("Open(newer schema) error = %v, want ErrSchemaTooNew", err)
	}
}

// TestLockedDatabaseHonoursDeadline: another connection holds the write lock; an insert gives up
// at its deadline instead of waiting the whole busy timeout, and succeeds once the lock is gone.
func TestLockedDatabaseHonoursDeadline(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock.db")
	s, err := store.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	locker := rawDB(t, path)
	conn, err := locker.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	e := storetest.SampleEvent(storetest.Hasher(t), "evt-locked", time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC), 1)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = s.InsertAudit(ctx, e)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("InsertAudit on a locked database took %v; the deadline was 300ms", took)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("InsertAudit on a locked database error = %v, want DeadlineExceeded", err)
	}
	// Readers are not blocked by a writer in WAL mode.
	if _, err := s.CountAudit(t.Context()); err != nil {
		t.Errorf("CountAudit while locked: %v", err)
	}
	if _, err := conn.ExecContext(t.Context(), "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if err := s.InsertAudit(t.Context(), e); err != nil {
		t.Fatalf("InsertAudit after unlock: %v", err)
	}
}

func BenchmarkInsertAudit(b *testing.B) {
	s, err := store.Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	h := storetest.Hasher(b)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	i := 0
	for b.Loop() {
		e := storetest.SampleEvent(h, fmt.Sprintf("bench-%d", i), base.Add(time.Duration(i)*time.Millisecond), i)
		if err := s.InsertAudit(b.Context(), e); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
