package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for raw checks

	"github.com/sendevagt/sendevagt/internal/store"
	"github.com/sendevagt/sendevagt/internal/store/storetest"
)

// The PostgreSQL tests run against $SENDEVAGT_TEST_POSTGRES_URL (default
// storetest.DefaultPostgresURL), each in a fresh schema; they are skipped when the server is
// unreachable unless SENDEVAGT_REQUIRE_POSTGRES=1 (CI), which makes that a failure.

func openPostgres(t *testing.T) *store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), storetest.PostgresURL(t))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestPostgresConformance(t *testing.T) {
	storetest.RunConformance(t, openPostgres)
}

func rawPG(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// TestPostgresConcurrentMigrate: replicas starting at once on a new schema all open it, and
// every migration is applied exactly once.
func TestPostgresConcurrentMigrate(t *testing.T) {
	dsn := storetest.PostgresURL(t)
	const replicas = 4
	var wg sync.WaitGroup
	stores := make([]*store.Store, replicas)
	errs := make([]error, replicas)
	start := make(chan struct{})
	for i := range replicas {
		wg.Go(func() {
			<-start
			stores[i], errs[i] = store.Open(context.Background(), dsn)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: Open: %v", i, err)
			continue
		}
		defer stores[i].Close()
	}
	db := rawPG(t, dsn)
	var n, distinct, maxV int
	if err := db.QueryRowContext(t.Context(),
		"SELECT COUNT(*), COUNT(DISTINCT version), COALESCE(MAX(version), 0) FROM schema_migrations").
		Scan(&n, &distinct, &maxV); err != nil {
		t.Fatal(err)
	}
	if n != maxV || distinct != n || n < 4 {
		t.Errorf("schema_migrations: %d rows, %d versions, newest %d; want each version once", n, distinct, maxV)
	}
	// The stores work, and see each other's writes.
	if stores[0] != nil && stores[1] != nil {
		if _, err := stores[0].SavePolicy(t.Context(), []byte("a: 1\n"), "admin", ""); err != nil {
			t.Fatal(err)
		}
		if p, err := stores[1].LatestPolicy(t.Context()); err != nil || p.Version != 1 {
			t.Errorf("LatestPolicy on the other replica = %d, %v", p.Version, err)
		}
	}
}

func TestPostgresMigrationRerunAndTooNew(t *testing.T) {
	ctx := t.Context()
	dsn := storetest.PostgresURL(t)
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	e := storetest.SampleEvent(storetest.Hasher(t), "evt-keep", time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC), 1)
	if err := s.InsertAudit(ctx, e); err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	db := rawPG(t, dsn)
	before := migrationRows(t, db)
	s, err = store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("re-Open: %v", err)
	}
	if _, err := s.GetAudit(ctx, e.ID); err != nil {
		t.Errorf("event lost on re-open: %v", err)
	}
	_ = s.Close()
	if after := migrationRows(t, db); after != before || before == "" {
		t.Errorf("schema_migrations %q → %q on re-open", before, after)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_ms) VALUES (9999, '9999_future.sql', 0)"); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(ctx, dsn); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("Open(newer schema) error = %v, want ErrSchemaTooNew", err)
	}
}

func TestOpenPostgresDSN(t *testing.T) {
	for _, dsn := range []string{"postgres://u@host:notaport/db", "postgresql://u@h/db?sslmode=bogus"} {
		if _, err := store.Open(t.Context(), dsn); !errors.Is(err, store.ErrInvalidDSN) {
			t.Errorf("Open(%q) error = %v, want ErrInvalidDSN", dsn, err)
		}
	}
	// Nothing listens on port 1: a connection error, neither unsupported nor invalid, and fast.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	start := time.Now()
	_, err := store.Open(ctx, "postgres://u@127.0.0.1:1/db?sslmode=disable")
	if err == nil || errors.Is(err, store.ErrUnsupported) || errors.Is(err, store.ErrInvalidDSN) {
		t.Errorf("Open(unreachable) error = %v, want a connection error", err)
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("Open(unreachable) took %v", took)
	}
}

// bothStores runs f against SQLite and PostgreSQL (skipped when PostgreSQL is unreachable).
func bothStores(t *testing.T, f func(t *testing.T, s *store.Store)) {
	t.Run("sqlite", func(t *testing.T) { f(t, openSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { f(t, openPostgres(t)) })
}

// TestConflictMapsAlike: a uniqueness violation is ErrConflict on both databases.
func TestConflictMapsAlike(t *testing.T) {
	bothStores(t, func(t *testing.T, s *store.Store) {
		l := store.PendingLogin{State: "st-1", Nonce: "n", Verifier: "v", ReturnTo: "/admin", Expires: time.Now().Add(time.Hour)}
		if err := s.SavePendingLogin(t.Context(), l); err != nil {
			t.Fatal(err)
		}
		err := s.SavePendingLogin(t.Context(), l)
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("second SavePendingLogin error = %v, want ErrConflict", err)
		}
	})
}

// TestTakePendingLoginOnceConcurrently: of many concurrent takers of one state, one wins.
func TestTakePendingLoginOnceConcurrently(t *testing.T) {
	bothStores(t, func(t *testing.T, s *store.Store) {
		for round := range 5 {
			state := fmt.Sprintf("st-race-%d", round)
			l := store.PendingLogin{State: state, Nonce: "n", Verifier: "v", ReturnTo: "/", Expires: time.Now().Add(time.Hour)}
			if err := s.SavePendingLogin(t.Context(), l); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			var mu sync.Mutex
			won := 0
			for range 8 {
				wg.Go(func() {
					_, err := s.TakePendingLogin(context.Background(), state)
					switch {
					case err == nil:
						mu.Lock()
						won++
						mu.Unlock()
					case !errors.Is(err, store.ErrNotFound):
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if won != 1 {
				t.Errorf("round %d: %d takers got the sign-in, want 1", round, won)
			}
		}
	})
}

// TestPostgresWritersDoNotSerialize: a write transaction held open elsewhere on one row does not
// stop this store's other writes (there is no process-wide write lock on PostgreSQL), and a
// write that must wait for it gives up at its deadline.
func TestPostgresWritersDoNotSerialize(t *testing.T) {
	dsn := storetest.PostgresURL(t)
	s, err := store.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SetSetting(t.Context(), "k", "v0"); err != nil {
		t.Fatal(err)
	}
	db := rawPG(t, dsn)
	tx, err := db.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(t.Context(), "UPDATE settings SET value = 'held' WHERE key = 'k'"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if err := s.SetSetting(ctx, "k", "v1"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("SetSetting on a locked row error = %v, want DeadlineExceeded", err)
	}
	e := storetest.SampleEvent(storetest.Hasher(t), "evt-free", time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC), 1)
	ctx2, cancel2 := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel2()
	if err := s.InsertAudit(ctx2, e); err != nil {
		t.Errorf("InsertAudit while another row is locked: %v", err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(t.Context(), "k", "v2"); err != nil {
		t.Fatal(err)
	}
	if v, err := s.GetSetting(t.Context(), "k"); err != nil || v != "v2" {
		t.Errorf("GetSetting = %q, %v", v, err)
	}
}

func BenchmarkInsertAuditPostgres(b *testing.B) {
	s, err := store.Open(b.Context(), storetest.PostgresURL(b))
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

// BenchmarkInsertAuditPostgresParallel: concurrent writers (GOMAXPROCS goroutines) on one store.
func BenchmarkInsertAuditPostgresParallel(b *testing.B) {
	s, err := store.Open(b.Context(), storetest.PostgresURL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	h := storetest.Hasher(b)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	next := 0
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			mu.Lock()
			i := next
			next++
			mu.Unlock()
			e := storetest.SampleEvent(h, fmt.Sprintf("bench-%d", i), base.Add(time.Duration(i)*time.Millisecond), i)
			if err := s.InsertAudit(context.Background(), e); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
