package store_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/store"
	"github.com/sendevagt/sendevagt/internal/store/storetest"
)

// TestIdentifierKeysMigration: an audit written before migration 0007 (identifiers as text rows)
// is still found by its keyed hashes after it, beside events written since; on both databases.
func TestIdentifierKeysMigration(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "old.db")
		testIdentifierKeysMigration(t, "sqlite", rawDB(t, path), path)
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := storetest.PostgresURL(t)
		testIdentifierKeysMigration(t, "postgres", rawPG(t, dsn), dsn)
	})
}

func testIdentifierKeysMigration(t *testing.T, dialect string, db *sql.DB, target string) {
	ctx := t.Context()
	exec := func(q string) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	// The schema as it stood at version 6.
	exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms BIGINT NOT NULL)`)
	files, err := filepath.Glob(filepath.Join("migrations", dialect, "*.sql"))
	if err != nil || len(files) < 7 {
		t.Fatalf("migrations: %v %v", files, err)
	}
	slices.Sort(files)
	for v, f := range files[:6] {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		exec(string(b))
		exec(fmt.Sprintf(`INSERT INTO schema_migrations (version, name, applied_ms) VALUES (%d, '%s', 0)`, v+1, filepath.Base(f)))
	}
	h := storetest.Hasher(t)
	shared, own := h.Hash("cpr", "0101901234"), h.Hash("cpr", "0202901235") // synthetic numbers
	exec(fmt.Sprintf(`INSERT INTO audit_events (id, time_ms, source, test, simulated, tenant_id, object_id, upn, user_key,
		action, reasons, recipient_domains, documents, identifier_hashes, policy_version, fetch_ms, scan_ms, total_ms, error)
		VALUES ('evt-before', %d, 'inline', FALSE, FALSE, 't', 'o', 'ansat@kommune.dk', 'ansat@kommune.dk', 'block',
		'[]', '[]', '[]', '["%s","%s"]', 1, 0, 0, 0, '')`, time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC).UnixMilli(), shared, own))
	exec(fmt.Sprintf(`INSERT INTO audit_identifiers (event_id, hash) VALUES ('evt-before', '%s'), ('evt-before', '%s')`, shared, own))

	s, err := store.Open(ctx, target)
	if err != nil {
		t.Fatalf("Open (migrating): %v", err)
	}
	defer s.Close()
	later := storetest.SampleEvent(h, "evt-after", time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), 3)
	later.IdentifierHashes = []string{shared}
	if err := s.InsertAudit(ctx, later); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		hash string
		want []string
	}{
		{shared, []string{"evt-after", "evt-before"}},
		{own, []string{"evt-before"}},
		{h.Hash("cpr", "0303901236"), nil},
		{"not a hash", nil},
		{strings.ToUpper(own), nil},
	} {
		events, total, err := s.ListAudit(ctx, store.AuditFilter{Identifier: tc.hash, IncludeTests: true})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, e := range events {
			ids = append(ids, e.ID)
		}
		if !slices.Equal(ids, tc.want) || total != len(tc.want) {
			t.Errorf("events with %.8s…: %v (total %d), want %v", tc.hash, ids, total, tc.want)
		}
	}
	if e, err := s.GetAudit(ctx, "evt-before"); err != nil || !slices.Equal(e.IdentifierHashes, []string{shared, own}) {
		t.Errorf("the migrated event reads back as %v, %v", e.IdentifierHashes, err)
	}
}
