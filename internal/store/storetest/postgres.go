package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/sendevagt/sendevagt/internal/testenv"
)

// The PostgreSQL server the tests use (its absence is a skip, or a failure with
// SENDEVAGT_REQUIRE_POSTGRES: see internal/testenv).
const (
	PostgresURLEnv     = "SENDEVAGT_TEST_POSTGRES_URL"
	DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
)

var (
	pgOnce    sync.Once
	pgDB      *sql.DB // administrative connection, shared by the package's tests
	pgBaseURL string
	pgErr     error
)

// PostgresURL creates a fresh, empty schema (sv_test_<random>) on the test server
// ($SENDEVAGT_TEST_POSTGRES_URL, default DefaultPostgresURL) and returns an address whose
// search_path is that schema; the schema is dropped when the test ends. When the server cannot
// be reached the test ends through testenv.Missing (skipped, or failed when required).
func PostgresURL(t testing.TB) string {
	t.Helper()
	pgOnce.Do(connectPostgres)
	if pgErr != nil {
		testenv.Missing(t, testenv.Postgres, fmt.Sprintf("PostgreSQL unreachable at %s (set %s): %v",
			redact(pgBaseURL), PostgresURLEnv, pgErr))
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "sv_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := pgDB.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := pgDB.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(pgBaseURL)
	if err != nil {
		t.Fatalf("%s: %v", PostgresURLEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func connectPostgres() {
	pgBaseURL = strings.TrimSpace(os.Getenv(PostgresURLEnv))
	if pgBaseURL == "" {
		pgBaseURL = DefaultPostgresURL
	}
	if _, err := url.Parse(pgBaseURL); err != nil {
		pgErr = err
		return
	}
	db, err := sql.Open("pgx", pgBaseURL)
	if err != nil {
		pgErr = err
		return
	}
	db.SetMaxOpenConns(2)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		pgErr = err
		return
	}
	pgDB = db
}

// redact hides a password in a server address for messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable address)"
	}
	return u.Redacted()
}
