package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The admin pages' sessions and pending sign-ins (admin.SessionStore). Times are unix
// milliseconds; expired rows are deleted opportunistically whenever a new row is saved, and an
// expired row is never returned.

const adminSessionColumns = `id_hash, subject, tenant_id, name, email, roles, csrf, created_ms, expires_ms`

// SaveSession stores (or replaces) a session and deletes the expired ones.
func (s *Store) SaveSession(ctx context.Context, a AdminSession) error {
	if a.IDHash == "" {
		return fmt.Errorf("%w: session without id hash", ErrInvalid)
	}
	roles, err := jsonList(a.Roles)
	if err != nil {
		return fmt.Errorf("store: save session: encode roles: %w", err)
	}
	now := time.Now().UnixMilli()
	return s.write(ctx, "save session", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM admin_sessions WHERE expires_ms <= ?`), now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO admin_sessions (`+adminSessionColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id_hash) DO UPDATE SET subject = excluded.subject, tenant_id = excluded.tenant_id,
				name = excluded.name, email = excluded.email, roles = excluded.roles, csrf = excluded.csrf,
				created_ms = excluded.created_ms, expires_ms = excluded.expires_ms`),
			a.IDHash, a.Subject, a.TenantID, a.Name, a.Email, roles, a.CSRF, a.Created.UnixMilli(), a.Expires.UnixMilli())
		return err
	})
}

// GetSession returns the unexpired session with this id hash, or an error wrapping ErrNotFound.
func (s *Store) GetSession(ctx context.Context, idHash string) (AdminSession, error) {
	var (
		a                AdminSession
		roles            string
		created, expires int64
	)
	err := s.db.QueryRowContext(ctx, s.q(`SELECT `+adminSessionColumns+` FROM admin_sessions
		WHERE id_hash = ? AND expires_ms > ?`), idHash, time.Now().UnixMilli()).
		Scan(&a.IDHash, &a.Subject, &a.TenantID, &a.Name, &a.Email, &roles, &a.CSRF, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return AdminSession{}, fmt.Errorf("%w: session", ErrNotFound)
	}
	if err != nil {
		return AdminSession{}, wrap(ctx, "get session", err)
	}
	if err := fromJSON(roles, &a.Roles); err != nil {
		return AdminSession{}, fmt.Errorf("store: get session: decode roles: %w", err)
	}
	a.Created, a.Expires = time.UnixMilli(created).UTC(), time.UnixMilli(expires).UTC()
	return a, nil
}

// DeleteSession deletes the session with this id hash; deleting an unknown one is not an error.
func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	return s.write(ctx, "delete session", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`DELETE FROM admin_sessions WHERE id_hash = ?`), idHash)
		return err
	})
}

// SavePendingLogin stores a sign-in under way and deletes the expired ones.
func (s *Store) SavePendingLogin(ctx context.Context, l PendingLogin) error {
	if l.State == "" {
		return fmt.Errorf("%w: pending sign-in without state", ErrInvalid)
	}
	now := time.Now().UnixMilli()
	return s.write(ctx, "save pending login", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM pending_logins WHERE expires_ms <= ?`), now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO pending_logins (state, nonce, verifier, return_to, expires_ms)
			VALUES (?, ?, ?, ?, ?)`), l.State, l.Nonce, l.Verifier, l.ReturnTo, l.Expires.UnixMilli())
		return err
	})
}

// TakePendingLogin returns and deletes the unexpired sign-in with this state in one statement
// (DELETE ... RETURNING), so a state is taken at most once even by concurrent writers on
// PostgreSQL; ErrNotFound when there is none.
func (s *Store) TakePendingLogin(ctx context.Context, state string) (PendingLogin, error) {
	var (
		l       PendingLogin
		expires int64
	)
	err := s.write(ctx, "take pending login", func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.q(`DELETE FROM pending_logins WHERE state = ? AND expires_ms > ?
			RETURNING state, nonce, verifier, return_to, expires_ms`), state, time.Now().UnixMilli()).
			Scan(&l.State, &l.Nonce, &l.Verifier, &l.ReturnTo, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: pending sign-in", ErrNotFound)
		}
		return err
	})
	if err != nil {
		return PendingLogin{}, err
	}
	l.Expires = time.UnixMilli(expires).UTC()
	return l, nil
}
