package worker

import (
	"context"

	"github.com/sendevagt/sendevagt/internal/extract"
)

// Lane extracts through a Pool for work nobody is waiting on at Send (the add-in's pre-scan):
// it uses at most Size-reserve workers at once, so that reserve workers are always left for
// verdicts on Send, however many slow files are being pre-scanned. It implements the same
// Extract as the Pool.
type Lane struct {
	pool *Pool
	sem  chan struct{}
}

// Background returns the pool's background lane keeping reserve workers free (at least one
// worker is always usable by the lane, so a pool of one worker cannot reserve it).
func (p *Pool) Background(reserve int) *Lane {
	n := p.cfg.Size - reserve
	if n < 1 {
		n = 1
	}
	return &Lane{pool: p, sem: make(chan struct{}, n)}
}

// Extract waits (bounded by ctx) for one of the lane's places and extracts in a pool worker.
func (l *Lane) Extract(ctx context.Context, name, contentType string, data []byte) []extract.Document {
	return l.ExtractInput(ctx, extract.Input{Name: name, ContentType: contentType, Data: data})
}

// ExtractInput is Extract for an extract.Input.
func (l *Lane) ExtractInput(ctx context.Context, in extract.Input) []extract.Document {
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return failed(in.Name, in.ContentType, extract.Unscannable, DetailBusy)
	}
	defer func() { <-l.sem }()
	return l.pool.ExtractInput(ctx, in)
}
