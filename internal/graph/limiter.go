package graph

import (
	"context"
	"sync"
)

// limiter bounds the requests in flight per mailbox across all fetches of a Client (Exchange
// Online allows 4 per app and mailbox before answering 429 MailboxConcurrency).
type limiter struct {
	n  int
	mu sync.Mutex
	m  map[string]*mailboxSlots
}

type mailboxSlots struct {
	ch   chan struct{}
	refs int
}

func newLimiter(n int) *limiter {
	return &limiter{n: max(n, 1), m: map[string]*mailboxSlots{}}
}

// acquire waits for a slot of mailbox key; release gives it back.
func (l *limiter) acquire(ctx context.Context, key string) (release func(), err error) {
	l.mu.Lock()
	s := l.m[key]
	if s == nil {
		s = &mailboxSlots{ch: make(chan struct{}, l.n)}
		l.m[key] = s
	}
	s.refs++
	l.mu.Unlock()
	select {
	case s.ch <- struct{}{}:
		return func() {
			<-s.ch
			l.unref(key, s)
		}, nil
	case <-ctx.Done():
		l.unref(key, s)
		return nil, ctx.Err()
	}
}

func (l *limiter) unref(key string, s *mailboxSlots) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s.refs--
	if s.refs == 0 {
		delete(l.m, key)
	}
}

// size is the number of mailboxes with requests waiting or in flight.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}
