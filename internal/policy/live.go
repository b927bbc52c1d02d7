package policy

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Source gives the latest saved policy: its version and YAML. Version 0 means none is saved.
type Source func(ctx context.Context) (version int, yaml []byte, err error)

// Live is the policy in force, kept current by polling its Source: a policy saved on one replica
// takes effect on every replica within one poll interval, without restart.
type Live struct {
	src    Source
	every  time.Duration
	logger *slog.Logger

	mu      sync.RWMutex
	pol     *Policy
	version int

	stop chan struct{}
	done chan struct{}
}

// NewLive loads the current policy (the built-in default when none is saved) and polls src
// every interval until Close. A saved policy that does not parse is logged and skipped: the
// previous one stays in force.
func NewLive(ctx context.Context, src Source, every time.Duration, logger *slog.Logger) (*Live, error) {
	if every <= 0 {
		every = 5 * time.Second
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	l := &Live{src: src, every: every, logger: logger, pol: Default(), stop: make(chan struct{}), done: make(chan struct{})}
	if err := l.Refresh(ctx); err != nil {
		return nil, err
	}
	go l.loop()
	return l, nil
}

// Current returns the policy in force and its version. The policy must not be modified.
func (l *Live) Current() (*Policy, int) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.pol, l.version
}

// Refresh reads the source now.
func (l *Live) Refresh(ctx context.Context) error {
	v, data, err := l.src(ctx)
	if err != nil {
		return fmt.Errorf("reading the policy: %w", err)
	}
	l.mu.RLock()
	same := v == l.version
	l.mu.RUnlock()
	if same || v == 0 {
		return nil
	}
	p, err := Parse(data)
	if err != nil {
		l.logger.Error("saved policy does not parse; keeping the one in force", slog.Int("version", v), slog.String("error", err.Error()))
		return nil
	}
	l.mu.Lock()
	l.pol, l.version = p, v
	l.mu.Unlock()
	l.logger.Info("policy in force", slog.Int("version", v), slog.String("name", p.Name))
	return nil
}

func (l *Live) loop() {
	defer close(l.done)
	t := time.NewTicker(l.every)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), l.every)
			if err := l.Refresh(ctx); err != nil {
				l.logger.Warn("policy refresh failed", slog.String("error", err.Error()))
			}
			cancel()
		}
	}
}

// Close stops polling.
func (l *Live) Close() {
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
	<-l.done
}
