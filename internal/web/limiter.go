package web

import (
	"runtime"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/sendevagt/sendevagt/internal/apperr"
)

// limiter bounds the on-send requests scanned at once. Requests beyond the slots wait in a
// bounded queue for a short time; beyond that the service answers 503 with Retry-After, which
// the add-in treats as "service unavailable" and handles under its fail mode.
type limiter struct {
	slots   chan struct{}
	queue   chan struct{}
	wait    time.Duration
	waiting atomic.Int64
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

func (l *limiter) middleware(m Metrics) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			select {
			case l.queue <- struct{}{}:
			default:
				m.Rejected("overloaded")
				return apperr.Errorf(apperr.Overloaded, "service busy, try again")
			}
			defer func() { <-l.queue }()
			t := time.NewTimer(l.wait)
			defer t.Stop()
			select {
			case l.slots <- struct{}{}:
			case <-t.C:
				m.Rejected("overloaded")
				return apperr.Errorf(apperr.Overloaded, "service busy, try again")
			case <-c.Request().Context().Done():
				return apperr.Wrap(apperr.Unavailable, c.Request().Context().Err(), "request cancelled")
			}
			defer func() { <-l.slots }()
			return next(c)
		}
	}
}
