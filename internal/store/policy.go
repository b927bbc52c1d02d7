package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PolicyVersion is one saved version of the policy.
type PolicyVersion struct {
	Version int
	YAML    []byte
	Author  string
	Comment string
	Created time.Time // UTC, millisecond precision
}

// LatestPolicy returns the newest saved policy version, or ErrNotFound when none was saved.
func (s *Store) LatestPolicy(ctx context.Context) (PolicyVersion, error) {
	var (
		p  PolicyVersion
		ms int64
	)
	err := s.db.QueryRowContext(ctx,
		`SELECT version, yaml, author, comment, created_ms FROM policies ORDER BY version DESC LIMIT 1`).
		Scan(&p.Version, &p.YAML, &p.Author, &p.Comment, &ms)
	if errors.Is(err, sql.ErrNoRows) {
		return PolicyVersion{}, fmt.Errorf("%w: no policy saved", ErrNotFound)
	}
	if err != nil {
		return PolicyVersion{}, wrap(ctx, "latest policy", err)
	}
	p.Created = time.UnixMilli(ms).UTC()
	return p, nil
}

// SavePolicy stores yaml as the next policy version and returns it. The version number is
// assigned inside the write transaction, so concurrent saves get distinct, consecutive versions.
// Checking that yaml is a valid policy is the caller's job; empty yaml is refused (ErrInvalid).
func (s *Store) SavePolicy(ctx context.Context, yaml []byte, author, comment string) (PolicyVersion, error) {
	if len(yaml) == 0 {
		return PolicyVersion{}, fmt.Errorf("%w: empty policy", ErrInvalid)
	}
	p := PolicyVersion{
		YAML: append([]byte(nil), yaml...), Author: author, Comment: comment,
		Created: time.Now().UTC().Truncate(time.Millisecond),
	}
	// The parameters are in VALUES (not an INSERT ... SELECT list) so that PostgreSQL types them
	// from the columns (yaml is BYTEA); concurrent writers on PostgreSQL wait on the table lock.
	err := s.write(ctx, "save policy", func(tx *sql.Tx) error {
		if err := s.lock(ctx, tx, "policies"); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, s.q(`INSERT INTO policies (version, yaml, author, comment, created_ms)
			VALUES ((SELECT COALESCE(MAX(version), 0) + 1 FROM policies), ?, ?, ?, ?)
			RETURNING version`), p.YAML, author, comment, p.Created.UnixMilli()).Scan(&p.Version)
	})
	if err != nil {
		return PolicyVersion{}, err
	}
	return p, nil
}
