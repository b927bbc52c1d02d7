package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/sendevagt/sendevagt/internal/cprshape"
)

// DirectoryEntry is one row of the citizen directory: one citizen behind one e-mail address. It
// holds keyed hashes (the caller's audit.Hasher) and masked forms only; the store refuses a row
// whose hashes are not hashes or whose masked forms carry a full CPR number or address.
type DirectoryEntry struct {
	ID          int64
	EmailHash   string // keyed hash of the lower-cased address
	CPRHash     string // keyed hash of the 10 digits (the audit's "cpr" kind)
	NameHash    string // keyed hash of the folded name, "" if none
	EmailMasked string // "j…n@gmail.com"
	NameMasked  string // initials, "J. H."
	CPRMasked   string // "xxxxxx-xxxx": no birth date beside CPRHash
	Source      string // what the import was ("CSV-import 2026-12-07 13:45 UTC"), never the file's name
	ImportedAt  time.Time
	ExpiresAt   time.Time // zero: kept until deleted
}

// DirectoryFilter selects directory rows. Zero fields do not filter.
type DirectoryFilter struct {
	EmailHash string
	Limit     int // DefaultAuditLimit when 0, at most MaxAuditLimit
	Offset    int
}

// maxDirectoryLookup bounds the addresses of one LookupDirectory call (one message's recipients).
const maxDirectoryLookup = 500

const directoryColumns = `id, email_hash, cpr_hash, name_hash, email_masked, name_masked, cpr_masked, source, imported_ms, expires_ms`

// ImportDirectory stores entries, replacing a row with the same address and CPR hash (its name,
// masked forms, source and dates are updated). It returns how many rows were written. The
// whole import is one transaction: a refused entry stores nothing.
func (s *Store) ImportDirectory(ctx context.Context, entries []DirectoryEntry) (int, error) {
	for i, e := range entries {
		if err := validDirectoryEntry(e); err != nil {
			return 0, fmt.Errorf("%w: directory entry %d: %w", ErrInvalid, i+1, err)
		}
	}
	if len(entries) == 0 {
		return 0, nil
	}
	n := 0
	err := s.write(ctx, "import directory", func(tx *sql.Tx) error {
		n = 0 // the transaction may be run again (PostgreSQL deadlock)
		stmt, err := tx.PrepareContext(ctx, s.q(`INSERT INTO directory_entries
			(email_hash, cpr_hash, name_hash, email_masked, name_masked, cpr_masked, source, imported_ms, expires_ms)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (email_hash, cpr_hash) DO UPDATE SET
				name_hash = excluded.name_hash, email_masked = excluded.email_masked,
				name_masked = excluded.name_masked, cpr_masked = excluded.cpr_masked, source = excluded.source,
				imported_ms = excluded.imported_ms, expires_ms = excluded.expires_ms`))
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, e := range entries {
			if _, err := stmt.ExecContext(ctx, e.EmailHash, e.CPRHash, e.NameHash, e.EmailMasked, e.NameMasked,
				e.CPRMasked, e.Source, e.ImportedAt.UnixMilli(), millis(e.ExpiresAt)); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// ListDirectory returns the rows f selects, newest import first, and how many there are in all.
func (s *Store) ListDirectory(ctx context.Context, f DirectoryFilter) ([]DirectoryEntry, int, error) {
	if f.Limit < 0 || f.Offset < 0 {
		return nil, 0, fmt.Errorf("%w: negative limit or offset", ErrInvalid)
	}
	if f.Limit == 0 {
		f.Limit = DefaultAuditLimit
	}
	f.Limit = min(f.Limit, MaxAuditLimit)
	where, args := "1 = 1", []any{}
	if f.EmailHash != "" {
		where += " AND email_hash = ?"
		args = append(args, f.EmailHash)
	}
	var total int
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM directory_entries WHERE `+where), args...).Scan(&total); err != nil {
		return nil, 0, wrap(ctx, "list directory", err)
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+directoryColumns+` FROM directory_entries WHERE `+where+
		` ORDER BY imported_ms DESC, id DESC LIMIT ? OFFSET ?`), append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, wrap(ctx, "list directory", err)
	}
	out, err := scanDirectory(rows)
	if err != nil {
		return nil, 0, wrap(ctx, "list directory", err)
	}
	return out, total, nil
}

// LookupDirectory returns the rows of the given address hashes that have not expired.
func (s *Store) LookupDirectory(ctx context.Context, emailHashes []string) ([]DirectoryEntry, error) {
	if len(emailHashes) == 0 {
		return nil, nil
	}
	if len(emailHashes) > maxDirectoryLookup {
		return nil, fmt.Errorf("%w: more than %d addresses", ErrInvalid, maxDirectoryLookup)
	}
	args := make([]any, 0, len(emailHashes)+1)
	for _, h := range emailHashes {
		args = append(args, h)
	}
	args = append(args, time.Now().UnixMilli())
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(emailHashes)), ", ")
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+directoryColumns+` FROM directory_entries
		WHERE email_hash IN (`+marks+`) AND (expires_ms = 0 OR expires_ms > ?) ORDER BY id`), args...)
	if err != nil {
		return nil, wrap(ctx, "lookup directory", err)
	}
	out, err := scanDirectory(rows)
	if err != nil {
		return nil, wrap(ctx, "lookup directory", err)
	}
	return out, nil
}

// DeleteDirectoryEntry deletes one row, or returns ErrNotFound.
func (s *Store) DeleteDirectoryEntry(ctx context.Context, id int64) error {
	return s.write(ctx, "delete directory entry", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM directory_entries WHERE id = ?`), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("%w: directory entry %d", ErrNotFound, id)
		}
		return nil
	})
}

// DeleteDirectoryByEmail deletes every row of one address hash and returns how many there were.
func (s *Store) DeleteDirectoryByEmail(ctx context.Context, emailHash string) (int, error) {
	return s.deleteDirectory(ctx, "delete directory by email", `DELETE FROM directory_entries WHERE email_hash = ?`, emailHash)
}

// PurgeDirectory deletes the rows that expired before the given time (retention) and returns how
// many. Rows without an expiry are kept.
func (s *Store) PurgeDirectory(ctx context.Context, before time.Time) (int, error) {
	return s.deleteDirectory(ctx, "purge directory",
		`DELETE FROM directory_entries WHERE expires_ms <> 0 AND expires_ms <= ?`, before.UnixMilli())
}

// SetDirectoryRetention gives every row the expiry a new retention period implies: its import
// time plus retention, or none when retention is 0.
func (s *Store) SetDirectoryRetention(ctx context.Context, retention time.Duration) error {
	if retention < 0 {
		return fmt.Errorf("%w: negative retention", ErrInvalid)
	}
	return s.write(ctx, "set directory retention", func(tx *sql.Tx) error {
		var err error
		if retention == 0 {
			_, err = tx.ExecContext(ctx, s.q(`UPDATE directory_entries SET expires_ms = 0`))
		} else {
			_, err = tx.ExecContext(ctx, s.q(`UPDATE directory_entries SET expires_ms = imported_ms + ?`), retention.Milliseconds())
		}
		return err
	})
}

// CountDirectory returns the number of rows.
func (s *Store) CountDirectory(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM directory_entries`).Scan(&n); err != nil {
		return 0, wrap(ctx, "count directory", err)
	}
	return n, nil
}

// GetSetting returns a setting's value, or ErrNotFound.
func (s *Store) GetSetting(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT value FROM settings WHERE key = ?`), key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w: setting %q", ErrNotFound, key)
	}
	if err != nil {
		return "", wrap(ctx, "get setting", err)
	}
	return v, nil
}

// SetSetting stores a setting's value.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if key == "" {
		return fmt.Errorf("%w: empty setting key", ErrInvalid)
	}
	return s.write(ctx, "set setting", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`), key, value)
		return err
	})
}

func (s *Store) deleteDirectory(ctx context.Context, op, query string, arg any) (int, error) {
	var n int64
	err := s.write(ctx, op, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(query), arg)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

func scanDirectory(rows *sql.Rows) ([]DirectoryEntry, error) {
	defer rows.Close()
	var out []DirectoryEntry
	for rows.Next() {
		var e DirectoryEntry
		var imported, expires int64
		if err := rows.Scan(&e.ID, &e.EmailHash, &e.CPRHash, &e.NameHash, &e.EmailMasked, &e.NameMasked, &e.CPRMasked,
			&e.Source, &imported, &expires); err != nil {
			return nil, err
		}
		e.ImportedAt = time.UnixMilli(imported).UTC()
		if expires != 0 {
			e.ExpiresAt = time.UnixMilli(expires).UTC()
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// validDirectoryEntry is the store's last guard against plain values in the directory.
func validDirectoryEntry(e DirectoryEntry) error {
	if !isKeyedHash(e.EmailHash) || !isKeyedHash(e.CPRHash) || (e.NameHash != "" && !isKeyedHash(e.NameHash)) {
		return errors.New("hashes must be 64 lower-case hex digits")
	}
	if e.ImportedAt.IsZero() {
		return errors.New("no import time")
	}
	for _, m := range []string{e.EmailMasked, e.NameMasked, e.CPRMasked, e.Source} {
		if digitRun(m) >= 10 || cprshape.Contains(m) {
			return errors.New("a masked form or the source holds a number as long as a CPR number")
		}
	}
	// The row keeps a keyed hash of the full number: its masked form keeps no birth date, or a
	// copy of the database and the key would leave only 10,000 numbers to try.
	if strings.ContainsAny(e.CPRMasked, "0123456789") {
		return errors.New("the masked CPR number holds digits (a birth date beside the number's hash)")
	}
	if strings.Count(e.EmailMasked, "@") > 1 || !strings.Contains(e.EmailMasked, "…") {
		return errors.New("the address is not masked")
	}
	return nil
}

func isKeyedHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// digitRun is the longest run of digits in s (separators "-" and " " between digits do not
// break it, so "010190-1234" counts 10).
func digitRun(s string) int {
	best, cur := 0, 0
	prevDigit := false
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			cur++
			prevDigit = true
		case prevDigit && (r == '-' || r == ' '):
			// a separator inside a number
		default:
			cur, prevDigit = 0, false
		}
		best = max(best, cur)
	}
	return best
}
