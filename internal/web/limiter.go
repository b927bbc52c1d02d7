package web

import (
	"context"
	"runtime"
	"sync"
	"time"

	"github.com/sendevagt/sendevagt/internal/apperr"
)

// limiter bounds the requests scanned at once. Requests beyond the slots wait in a bounded queue
// for a short time; beyond that the service answers 503 with Retry-After, which the add-in
// treats as "service unavailable" and handles under its fail mode. A slot is taken only once a
// request's body has been read (see readBody): a slow client never holds one.
type limiter struct {
	slots chan struct{}
	queue chan struct{}
	wait  time.Duration
}

func newLimiter(inFlight, queue int, wait time.Duration) *limiter {
	if inFlight <= 0 {
		inFlight = 4 * runtime.NumCPU()
	}
	if queue <= 0 {
		queue = 256
	}
	if wait <= 0 {
		wait = 3 * time.Second
	}
	return &limiter{slots: make(chan struct{}, inFlight), queue: make(chan struct{}, inFlight+queue), wait: wait}
}

func (l *limiter) inFlight() int { return len(l.queue) }

// acquire takes a slot, waiting at most the limiter's wait; release gives it back.
func (l *limiter) acquire(ctx context.Context, m Metrics) (release func(), err error) {
	select {
	case l.queue <- struct{}{}:
	default:
		m.Rejected("overloaded")
		return nil, apperr.Errorf(apperr.Overloaded, "service busy, try again")
	}
	t := time.NewTimer(l.wait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return func() { <-l.slots; <-l.queue }, nil
	case <-t.C:
		<-l.queue
		m.Rejected("overloaded")
		return nil, apperr.Errorf(apperr.Overloaded, "service busy, try again")
	case <-ctx.Done():
		<-l.queue
		return nil, apperr.Wrap(apperr.Unavailable, ctx.Err(), "request cancelled")
	}
}

// perUser bounds the requests one user has open at once (body reading included), so that one
// user's many or slow requests cannot take the capacity every other user's verdicts need.
type perUser struct {
	max  int
	mu   sync.Mutex
	open map[string]int
}

func newPerUser(max int) *perUser { return &perUser{max: max, open: map[string]int{}} }

// enter counts a request of user; ok is false when the user already has max open.
func (p *perUser) enter(user string) (leave func(), ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open[user] >= p.max {
		return nil, false
	}
	p.open[user]++
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.open[user]--; p.open[user] <= 0 {
			delete(p.open, user)
		}
	}, true
}
