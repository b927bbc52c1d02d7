package scan

import (
	"sync"
	"time"
)

// ProbeGuard limits how the citizen directory can be used as an oracle. The directory tells
// whether a CPR number is the one registered for an address; someone who knows an address and a
// birth date could try serial numbers one mail at a time. ProbeGuard counts, per caller and
// directory address, the distinct CPR numbers (keyed hashes) checked within Window; beyond Limit
// the directory is no longer consulted for CPR numbers to that address by that caller until the
// window has passed (names still count), and OnProbe is told once per window. It is in memory,
// per replica, and holds keyed hashes only. Safe for concurrent use.
type ProbeGuard struct {
	limit  int
	window time.Duration
	now    func() time.Time
	// onProbe is called (outside the lock) when a caller first goes over the limit for an
	// address in a window: a log line and a metric, never a number.
	onProbe func(caller Caller, address string, distinct int)

	mu   sync.Mutex
	seen map[probeKey]*probeWindow
}

type probeKey struct{ caller, address string }

type probeWindow struct {
	start    time.Time
	hashes   map[string]struct{}
	reported bool
}

// DefaultProbeLimit and DefaultProbeWindow: a caseworker writing to one citizen uses that
// citizen's number and perhaps a few family members'; twenty distinct numbers to one address in
// a day is a search.
const (
	DefaultProbeLimit  = 20
	DefaultProbeWindow = 24 * time.Hour
	maxProbeKeys       = 100_000
)

// NewProbeGuard returns a guard; zero values mean the defaults, now nil means time.Now.
func NewProbeGuard(limit int, window time.Duration, now func() time.Time, onProbe func(caller Caller, address string, distinct int)) *ProbeGuard {
	if limit <= 0 {
		limit = DefaultProbeLimit
	}
	if window <= 0 {
		window = DefaultProbeWindow
	}
	if now == nil {
		now = time.Now
	}
	if onProbe == nil {
		onProbe = func(Caller, string, int) {}
	}
	return &ProbeGuard{limit: limit, window: window, now: now, onProbe: onProbe, seen: map[probeKey]*probeWindow{}}
}

// Allow records the CPR hashes checked against address (a keyed hash) by caller (counted by its
// Key) and tells whether the directory may answer for them.
func (g *ProbeGuard) Allow(caller Caller, address string, cprHashes []string) bool {
	if len(cprHashes) == 0 {
		return true
	}
	now := g.now()
	g.mu.Lock()
	k := probeKey{caller.Key, address}
	w := g.seen[k]
	if w == nil || now.Sub(w.start) >= g.window {
		if len(g.seen) >= maxProbeKeys {
			g.purge(now)
		}
		w = &probeWindow{start: now, hashes: map[string]struct{}{}}
		g.seen[k] = w
	}
	for _, h := range cprHashes {
		if len(w.hashes) > g.limit {
			break // enough to know: no need to keep more
		}
		w.hashes[h] = struct{}{}
	}
	over := len(w.hashes) > g.limit
	report := over && !w.reported
	if report {
		w.reported = true
	}
	distinct := len(w.hashes)
	g.mu.Unlock()
	if report {
		g.onProbe(caller, address, distinct)
	}
	return !over
}

// purge drops windows that have passed; if none has, the oldest half goes (memory stays bounded;
// a purged window starts counting again).
func (g *ProbeGuard) purge(now time.Time) {
	for k, w := range g.seen {
		if now.Sub(w.start) >= g.window {
			delete(g.seen, k)
		}
	}
	for k := range g.seen {
		if len(g.seen) < maxProbeKeys/2 {
			break
		}
		delete(g.seen, k)
	}
}
