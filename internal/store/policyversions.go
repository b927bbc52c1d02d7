package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ListPolicies returns every saved policy version, newest first.
func (s *Store) ListPolicies(ctx context.Context) ([]PolicyVersion, error) {
	rows, err := s.db.QueryContext(ctx,
		s.q(`SELECT version, yaml, author, comment, created_ms FROM policies ORDER BY version DESC`))
	if err != nil {
		return nil, wrap(ctx, "list policies", err)
	}
	defer rows.Close()
	var out []PolicyVersion
	for rows.Next() {
		var (
			p  PolicyVersion
			ms int64
		)
		if err := rows.Scan(&p.Version, &p.YAML, &p.Author, &p.Comment, &ms); err != nil {
			return nil, wrap(ctx, "list policies", err)
		}
		p.Created = time.UnixMilli(ms).UTC()
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(ctx, "list policies", err)
	}
	return out, nil
}

// GetPolicy returns one saved policy version, or an error wrapping ErrNotFound.
func (s *Store) GetPolicy(ctx context.Context, version int) (PolicyVersion, error) {
	var (
		p  PolicyVersion
		ms int64
	)
	err := s.db.QueryRowContext(ctx,
		s.q(`SELECT version, yaml, author, comment, created_ms FROM policies WHERE version = ?`), version).
		Scan(&p.Version, &p.YAML, &p.Author, &p.Comment, &ms)
	if errors.Is(err, sql.ErrNoRows) {
		return PolicyVersion{}, fmt.Errorf("%w: policy version %d", ErrNotFound, version)
	}
	if err != nil {
		return PolicyVersion{}, wrap(ctx, "get policy", err)
	}
	p.Created = time.UnixMilli(ms).UTC()
	return p, nil
}
