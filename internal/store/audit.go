package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sendevagt/sendevagt/internal/audit"
)

// Limits of ListAudit.
const (
	DefaultAuditLimit = 50
	MaxAuditLimit     = 1000
)

// AuditFilter selects audit events. Zero fields do not filter.
type AuditFilter struct {
	From, To     time.Time // From inclusive, To exclusive
	Action       string    // allow|warn|secure|block
	Reason       string    // events with this reason code
	User         string    // matches the UPN (any case) or the object id
	Source       string    // graph|inline|console|cli
	Identifier   string    // events with this keyed hash (audit.Hasher) among their identifiers
	IncludeTests bool      // include test-console scans (left out by default)
	Limit        int       // page size: DefaultAuditLimit when 0, at most MaxAuditLimit
	Offset       int
}

const auditColumns = `id, time_ms, source, test, simulated, tenant_id, object_id, upn, action,
	reasons, recipient_domains, documents, identifier_hashes, policy_version,
	fetch_ms, scan_ms, total_ms, error, justification`

// InsertAudit stores an audit event. It is idempotent: an event whose ID is already stored is
// left as it is and nil returned. An event that fails audit.ValidateEvent is refused with an
// error wrapping audit.ErrInvalidEvent. Times are kept to the millisecond.
func (s *Store) InsertAudit(ctx context.Context, e audit.Event) error {
	if err := audit.ValidateEvent(e); err != nil {
		return fmt.Errorf("store: insert audit: %w", err)
	}
	reasons, err1 := jsonList(e.Reasons)
	domains, err2 := jsonList(e.RecipientDomains)
	docs, err3 := jsonList(e.Documents)
	hashes, err4 := jsonList(e.IdentifierHashes)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return fmt.Errorf("store: insert audit: encode: %w", err)
	}
	return s.write(ctx, "insert audit", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO audit_events (`+auditColumns+`, user_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`),
			e.ID, e.Time.UnixMilli(), e.Source, e.Test, e.Simulated, e.TenantID, e.ObjectID, e.UPN, e.Action,
			reasons, domains, docs, hashes, e.PolicyVersion,
			e.FetchMillis, e.ScanMillis, e.TotalMillis, e.Error, e.Justification, strings.ToLower(e.UPN))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // already stored
		}
		reasons := make([]any, 0, 2*len(e.Reasons))
		for _, r := range e.Reasons {
			reasons = append(reasons, e.ID, r)
		}
		if err := s.insertPairs(ctx, tx, "audit_reasons (event_id, code)", reasons); err != nil {
			return err
		}
		return s.insertIdentifiers(ctx, tx, e.ID, e.IdentifierHashes)
	})
}

// insertIdentifiers numbers the event and files its keyed hashes under that number, as 32 bytes
// each (migration 0007).
func (s *Store) insertIdentifiers(ctx context.Context, tx *sql.Tx, id string, hashes []string) error {
	if len(hashes) == 0 {
		return nil
	}
	var n int64
	if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO audit_event_keys (id) VALUES (?) RETURNING n`), id).Scan(&n); err != nil {
		return err
	}
	rows := make([]any, 0, 2*len(hashes))
	for _, h := range hashes {
		raw, err := hex.DecodeString(h)
		if err != nil {
			return fmt.Errorf("%w: identifier hash is not hex", ErrInvalid) // audit.ValidateEvent refuses these first
		}
		rows = append(rows, raw, n)
	}
	return s.insertPairs(ctx, tx, "audit_identifier_keys (hash, n)", rows)
}

// insertPairs inserts rows of two values, given one after the other, into table (with its
// columns named) in one statement; rows already there are left.
func (s *Store) insertPairs(ctx context.Context, tx *sql.Tx, table string, rows []any) error {
	if len(rows) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " VALUES ")
	for i := 0; i < len(rows); i += 2 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?)")
	}
	b.WriteString(" ON CONFLICT DO NOTHING")
	_, err := tx.ExecContext(ctx, s.q(b.String()), rows...)
	return err
}

// GetAudit returns the event with this ID, or ErrNotFound.
func (s *Store) GetAudit(ctx context.Context, id string) (audit.Event, error) {
	row := s.db.QueryRowContext(ctx, s.q(`SELECT `+auditColumns+` FROM audit_events WHERE id = ?`), id)
	e, err := scanEvent(row)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Event{}, fmt.Errorf("%w: audit event %q", ErrNotFound, id)
	}
	if err != nil {
		return audit.Event{}, wrap(ctx, "get audit", err)
	}
	return e, nil
}

// ListAudit returns one page of the events f selects, newest first (ties by ID, descending),
// and the number of events f selects in all.
func (s *Store) ListAudit(ctx context.Context, f AuditFilter) (events []audit.Event, total int, err error) {
	if f.Limit < 0 || f.Offset < 0 {
		return nil, 0, fmt.Errorf("%w: negative limit or offset", ErrInvalid)
	}
	if f.Limit == 0 {
		f.Limit = DefaultAuditLimit
	}
	f.Limit = min(f.Limit, MaxAuditLimit)
	where, args := auditWhere(f)

	// One read transaction, so the count and the page agree.
	tx, err := s.db.BeginTx(ctx, s.d.readTx)
	if err != nil {
		return nil, 0, wrap(ctx, "list audit", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM audit_events e`+where), args...).Scan(&total); err != nil {
		return nil, 0, wrap(ctx, "count audit", err)
	}
	rows, err := tx.QueryContext(ctx, s.q(`SELECT `+auditColumns+` FROM audit_events e`+where+
		` ORDER BY e.time_ms DESC, e.id DESC LIMIT ? OFFSET ?`), append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, wrap(ctx, "list audit", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, 0, wrap(ctx, "list audit", err)
		}
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, wrap(ctx, "list audit", err)
	}
	return events, total, nil
}

// auditWhere builds the WHERE clause (with a leading space, or empty) for f.
func auditWhere(f AuditFilter) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if !f.From.IsZero() {
		add("e.time_ms >= ?", f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		add("e.time_ms < ?", f.To.UnixMilli())
	}
	if f.Action != "" {
		add("e.action = ?", f.Action)
	}
	if f.Source != "" {
		add("e.source = ?", f.Source)
	}
	if f.User != "" {
		add("(e.user_key = ? OR e.object_id = ?)", strings.ToLower(f.User), f.User)
	}
	if f.Reason != "" {
		add("EXISTS (SELECT 1 FROM audit_reasons r WHERE r.event_id = e.id AND r.code = ?)", f.Reason)
	}
	if f.Identifier != "" {
		// A string that is no keyed hash as Hasher writes it (lower-case hex) is no event's
		// identifier.
		raw, err := hex.DecodeString(f.Identifier)
		if err != nil || hex.EncodeToString(raw) != f.Identifier {
			raw = []byte{}
		}
		add("e.id IN (SELECT k.id FROM audit_identifier_keys i JOIN audit_event_keys k ON k.n = i.n WHERE i.hash = ?)", raw)
	}
	if !f.IncludeTests {
		add("e.test = ?", false)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// CountAudit returns the number of stored audit events.
func (s *Store) CountAudit(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_events").Scan(&n); err != nil {
		return 0, wrap(ctx, "count audit", err)
	}
	return n, nil
}

type rowScanner interface{ Scan(dest ...any) error }

func scanEvent(r rowScanner) (audit.Event, error) {
	var (
		e                              audit.Event
		ms                             int64
		reasons, domains, docs, hashes string
	)
	err := r.Scan(&e.ID, &ms, &e.Source, &e.Test, &e.Simulated, &e.TenantID, &e.ObjectID, &e.UPN, &e.Action,
		&reasons, &domains, &docs, &hashes, &e.PolicyVersion,
		&e.FetchMillis, &e.ScanMillis, &e.TotalMillis, &e.Error, &e.Justification)
	if err != nil {
		return audit.Event{}, err
	}
	e.Time = time.UnixMilli(ms).UTC()
	if err := errors.Join(
		fromJSON(reasons, &e.Reasons), fromJSON(domains, &e.RecipientDomains),
		fromJSON(docs, &e.Documents), fromJSON(hashes, &e.IdentifierHashes)); err != nil {
		return audit.Event{}, fmt.Errorf("decode audit event %q: %w", e.ID, err)
	}
	return e, nil
}

// jsonList encodes a list, nil as "[]".
func jsonList[T any](v []T) (string, error) {
	if len(v) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// fromJSON decodes a list; an empty list stays nil.
func fromJSON[T any](s string, v *[]T) error {
	if s == "" || s == "[]" {
		return nil
	}
	return json.Unmarshal([]byte(s), v)
}
