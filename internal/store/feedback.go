package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/sendevagt/sendevagt/internal/audit"
)

// FeedbackFilter selects feedback. Zero fields do not filter.
type FeedbackFilter struct {
	EventID string
	Status  string // open|confirmed|dismissed
	Limit   int    // DefaultAuditLimit when 0, at most MaxAuditLimit
	Offset  int
}

const feedbackColumns = `id, event_id, time_ms, kind, comment, tenant_id, object_id, upn, status, resolved_by, resolved_ms`

// InsertFeedback stores a report. It is idempotent by ID. Feedback that fails
// audit.ValidateFeedback is refused with an error wrapping audit.ErrInvalidEvent.
func (s *Store) InsertFeedback(ctx context.Context, f audit.Feedback) error {
	if err := audit.ValidateFeedback(f); err != nil {
		return fmt.Errorf("store: insert feedback: %w", err)
	}
	return s.write(ctx, "insert feedback", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO feedback (`+feedbackColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`),
			f.ID, f.EventID, f.Time.UnixMilli(), f.Kind, f.Comment, f.TenantID, f.ObjectID, f.UPN,
			f.Status, f.ResolvedBy, millis(f.ResolvedAt))
		return err
	})
}

// ListFeedback returns the feedback f selects, newest first.
func (s *Store) ListFeedback(ctx context.Context, f FeedbackFilter) ([]audit.Feedback, error) {
	if f.Limit < 0 || f.Offset < 0 {
		return nil, fmt.Errorf("%w: negative limit or offset", ErrInvalid)
	}
	if f.Limit == 0 {
		f.Limit = DefaultAuditLimit
	}
	f.Limit = min(f.Limit, MaxAuditLimit)
	where, args := "1 = 1", []any{}
	if f.EventID != "" {
		where += " AND event_id = ?"
		args = append(args, f.EventID)
	}
	if f.Status != "" {
		where += " AND status = ?"
		args = append(args, f.Status)
	}
	args = append(args, f.Limit, f.Offset)
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+feedbackColumns+` FROM feedback WHERE `+where+
		` ORDER BY time_ms DESC, id DESC LIMIT ? OFFSET ?`), args...)
	if err != nil {
		return nil, wrap(ctx, "list feedback", err)
	}
	defer rows.Close()
	var out []audit.Feedback
	for rows.Next() {
		var fb audit.Feedback
		var t, resolved int64
		if err := rows.Scan(&fb.ID, &fb.EventID, &t, &fb.Kind, &fb.Comment, &fb.TenantID, &fb.ObjectID, &fb.UPN,
			&fb.Status, &fb.ResolvedBy, &resolved); err != nil {
			return nil, wrap(ctx, "list feedback", err)
		}
		fb.Time = time.UnixMilli(t).UTC()
		if resolved != 0 {
			fb.ResolvedAt = time.UnixMilli(resolved).UTC()
		}
		out = append(out, fb)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(ctx, "list feedback", err)
	}
	return out, nil
}

// ResolveFeedback sets a report's status (confirmed or dismissed) and who decided, or returns
// ErrNotFound.
func (s *Store) ResolveFeedback(ctx context.Context, id, status, by string, at time.Time) error {
	if status != audit.FeedbackConfirmed && status != audit.FeedbackDismissed && status != audit.FeedbackOpen {
		return fmt.Errorf("%w: feedback status %q", ErrInvalid, status)
	}
	return s.write(ctx, "resolve feedback", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE feedback SET status = ?, resolved_by = ?, resolved_ms = ? WHERE id = ?`),
			status, by, millis(at), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("%w: feedback %q", ErrNotFound, id)
		}
		return nil
	})
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}
