package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL connection pool. Several replicas share one server, so each keeps a bounded pool:
// 20 connections per replica leaves room for ten replicas under a default max_connections of
// 100 with some to spare for operators. Connections are renewed every half hour (a fail-over or
// a rotated password is picked up) and idle ones closed after five minutes.
const (
	pgMaxOpenConns    = 20
	pgMaxIdleConns    = 10
	pgConnMaxLifetime = 30 * time.Minute
	pgConnMaxIdleTime = 5 * time.Minute
	pgConnectTimeout  = 10 * time.Second // when the address sets no connect_timeout
)

// PostgreSQL error codes (SQLSTATE) the store acts on.
const (
	pgUniqueViolation      = "23505"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
)

var postgresDialect = dialect{
	name:       "postgres",
	migrations: "migrations/postgres",
	rebind:     rebindDollar,
	readTx:     &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	// One lock per schema: replicas starting at once on a new schema migrate one after the
	// other, and each re-reads the version once it holds the lock. Other schemas (other
	// installations, or tests) on the same server do not wait.
	migrateLock: `SELECT pg_advisory_xact_lock(hashtext('sendevagt.migrate.' || COALESCE(current_schema(), '')))`,
	// SHARE ROW EXCLUSIVE conflicts with itself and with plain writes, not with readers: a
	// writer that reads MAX(version) under it sees every committed version.
	lockTable: func(table string) string { return "LOCK TABLE " + table + " IN SHARE ROW EXCLUSIVE MODE" },
	conflict:  func(err error) bool { return pgCode(err) == pgUniqueViolation },
	retry: func(err error) bool {
		c := pgCode(err)
		return c == pgSerializationFailure || c == pgDeadlockDetected
	},
}

func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidDSN, err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = pgConnectTimeout
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(pgMaxOpenConns)
	db.SetMaxIdleConns(pgMaxIdleConns)
	db.SetConnMaxLifetime(pgConnMaxLifetime)
	db.SetConnMaxIdleTime(pgConnMaxIdleTime)
	s := &Store{db: db, d: postgresDialect}
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

// rebindDollar turns the '?' placeholders of a query into PostgreSQL's $1, $2, ... It leaves
// alone a '?' inside a string literal ('...', a doubled quote inside), a quoted identifier ("...")
// or a comment (-- to the end of the line, /* ... */). Dollar-quoted strings are not
// recognised: the store's queries have none.
func rebindDollar(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			// Copy to the closing quote; a doubled quote closes and reopens, which copies the same.
			j := strings.IndexByte(q[i+1:], c)
			if j < 0 {
				b.WriteString(q[i:])
				return b.String()
			}
			b.WriteString(q[i : i+j+2])
			i += j + 1
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				b.WriteString(q[i:])
				return b.String()
			}
			b.WriteString(q[i : i+j+1])
			i += j
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			j := strings.Index(q[i+2:], "*/")
			if j < 0 {
				b.WriteString(q[i:])
				return b.String()
			}
			b.WriteString(q[i : i+j+4])
			i += j + 3
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
