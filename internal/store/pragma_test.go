package store

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSQLitePragmas: the connection settings the package documents are in force on the pooled
// connections.
func TestSQLitePragmas(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"synchronous", "1"}, // NORMAL
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"wal_autocheckpoint", "10000"},
	}
	for _, tc := range tests {
		var got string
		if err := s.db.QueryRowContext(t.Context(), "PRAGMA "+tc.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if !strings.EqualFold(got, tc.want) {
			t.Errorf("PRAGMA %s = %q, want %q", tc.pragma, got, tc.want)
		}
	}
	// Foreign keys are enforced: a reason row needs its event.
	if _, err := s.db.ExecContext(t.Context(), "INSERT INTO audit_reasons (event_id, code) VALUES ('nope', 'x')"); err == nil {
		t.Error("a reason without its event was accepted: foreign keys are off")
	}
}

func TestMigrationsLoad(t *testing.T) {
	ms, err := loadMigrations(sqliteDialect.migrations)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range ms {
		if m.version != i+1 {
			t.Errorf("migration %s has version %d, want %d (no gaps)", m.name, m.version, i+1)
		}
	}
}
