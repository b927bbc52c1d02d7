package audit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Writer stores audit events. It must be idempotent on Event.ID: writing an event that is already
// stored stores nothing more and returns nil, because the Recorder may write an event twice (a
// write that timed out but committed, then its spooled copy). It should honour ctx. store.Store
// satisfies it.
type Writer interface {
	InsertAudit(ctx context.Context, e Event) error
}

// Observer is told what the spool does (metrics.Metrics implements it). Its methods must be
// quick and safe for concurrent use.
type Observer interface {
	Spooled()       // one event went to the spool instead of the database
	Replayed(n int) // n spooled events were written to the database
	ReplayFailed()  // a replay pass stopped because the database refused a write
}

// Options configure a Recorder.
type Options struct {
	SpoolDir     string        // required; created 0700 if missing. One process per directory.
	WriteTimeout time.Duration // how long Record waits for the database before spooling; default 1 s
	RetryEvery   time.Duration // how often the spool is replayed while it holds events; default 2 s
	Logger       *slog.Logger  // default: discard
	Observer     Observer      // optional
	// Redactor masks person names in document names and details before storage (see Mask);
	// optional: CPR shapes are masked without it.
	Redactor Redactor
	// SpoolKey authenticates spool files (HMAC-SHA256): a file without a valid tag is not
	// imported but moved aside. Required, at least MinKeyLen bytes; give the audit key.
	SpoolKey []byte
}

// Defaults of Options.
const (
	DefaultWriteTimeout = time.Second
	DefaultRetryEvery   = 2 * time.Second
)

// Errors of the Recorder.
var (
	// ErrNotRecorded: the event could be written neither to the database nor to the spool.
	ErrNotRecorded = errors.New("audit: event not recorded")
	// ErrWriteTimeout: the database did not take the event within WriteTimeout.
	ErrWriteTimeout = errors.New("audit: database write timed out")
	// ErrClosed: Flush after Close.
	ErrClosed = errors.New("audit: recorder closed")
)

// Recorder records audit events without losing them. Record writes to the database when it
// answers within WriteTimeout; otherwise the event goes to the disk spool, and a background
// replayer writes the spool to the database once it is back. While the spool holds events,
// Record spools directly (no waiting on a database known to be failing) so that replay keeps
// time order; the replayer probes the database every RetryEvery. A Recorder is safe for
// concurrent use.
type Recorder struct {
	w            Writer
	redactor     Redactor
	spool        *spool
	writeTimeout time.Duration
	retryEvery   time.Duration
	log          *slog.Logger
	obs          Observer

	degraded atomic.Bool // the database failed; spool until the spool is drained
	replayMu sync.Mutex  // one replay pass at a time
	// stateMu orders leaving the degraded state against spool writes in progress, so the
	// replayer never declares the spool drained while an event is on its way into it.
	stateMu  sync.Mutex
	spooling int

	mu       sync.RWMutex
	closed   bool // Record spools directly
	draining bool // no new database writes start
	inflight sync.WaitGroup

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// NewRecorder returns a Recorder writing to w, creates the spool directory (0700) and starts the
// background replayer, which first replays what a previous run left in the spool.
func NewRecorder(w Writer, opts Options) (*Recorder, error) {
	if w == nil {
		return nil, errors.New("audit: no writer")
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = DefaultWriteTimeout
	}
	if opts.RetryEvery <= 0 {
		opts.RetryEvery = DefaultRetryEvery
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Observer == nil {
		opts.Observer = nopObserver{}
	}
	sp, err := openSpool(opts.SpoolDir, opts.SpoolKey, opts.Logger)
	if err != nil {
		return nil, err
	}
	r := &Recorder{
		w: w, redactor: opts.Redactor, spool: sp, writeTimeout: opts.WriteTimeout, retryEvery: opts.RetryEvery,
		log: opts.Logger, obs: opts.Observer,
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	if r.Pending() > 0 {
		r.degraded.Store(true) // older events first: new ones queue behind them
	}
	go r.run()
	return r, nil
}

// Record stores e and returns only when it is durable: written to the database within
// WriteTimeout, or else written to the spool (temp file, fsync, rename, fsync of the directory).
// The caller's ctx being cancelled does not cancel the write; it only stops the wait for the
// database early, and the event is spooled. Time is converted to UTC. What is stored is
// Mask(e): free text never makes an event fail for carrying a CPR shape, it is masked. An event
// that still fails ValidateEvent (no id or time, a malformed hash) is refused (ErrInvalidEvent)
// and stored nowhere. The error wraps ErrNotRecorded
// when both the database and the spool failed. After Close, events go straight to the spool.
func (r *Recorder) Record(ctx context.Context, e Event) error {
	e.Time = e.Time.UTC()
	e = Mask(e, r.redactor)
	if err := ValidateEvent(e); err != nil {
		return err
	}
	r.mu.RLock()
	closed := r.closed
	r.mu.RUnlock()
	var dbErr error
	if !closed && !r.degraded.Load() {
		dbErr = r.write(ctx, e)
		if dbErr == nil {
			return nil
		}
		if errors.Is(dbErr, ErrInvalidEvent) {
			return dbErr
		}
	}
	r.stateMu.Lock()
	r.spooling++
	// The caller giving up says nothing about the database; anything else does.
	if dbErr != nil && ctx.Err() == nil && r.degraded.CompareAndSwap(false, true) {
		r.log.Warn("audit database write failed; spooling events until it is back", "scan_id", e.ID, "err", dbErr)
	}
	r.stateMu.Unlock()
	name, err := r.spool.write(e)
	r.stateMu.Lock()
	r.spooling--
	r.stateMu.Unlock()
	if err != nil {
		r.log.Error("audit event neither written nor spooled", "scan_id", e.ID, "err", err, "db_err", dbErr)
		if dbErr == nil {
			dbErr = errors.New("not tried: database failing or recorder closed")
		}
		return fmt.Errorf("%w: database: %v; spool: %w", ErrNotRecorded, dbErr, err)
	}
	r.obs.Spooled()
	r.log.Debug("audit event spooled", "scan_id", e.ID, "file", name)
	return nil
}

// write runs one database write, waiting at most WriteTimeout or until ctx is done. The write
// itself gets a deadline of WriteTimeout, not ctx's cancellation; if it outlives the wait it
// finishes in the background (harmless: writes are idempotent) and Close waits for it.
func (r *Recorder) write(ctx context.Context, e Event) error {
	r.mu.RLock()
	if r.draining {
		r.mu.RUnlock()
		return ErrClosed
	}
	r.inflight.Add(1)
	r.mu.RUnlock()

	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.writeTimeout)
	res := make(chan error, 1)
	go func() {
		defer r.inflight.Done()
		defer cancel()
		res <- r.w.InsertAudit(wctx, e)
	}()
	timer := time.NewTimer(r.writeTimeout)
	defer timer.Stop()
	select {
	case err := <-res:
		if err != nil {
			return fmt.Errorf("audit: database write: %w", err)
		}
		return nil
	case <-timer.C:
		return ErrWriteTimeout
	case <-ctx.Done():
		return fmt.Errorf("audit: database write: %w", ctx.Err())
	}
}

// Pending returns the number of events waiting in the spool.
func (r *Recorder) Pending() int {
	names, err := r.spool.list()
	if err != nil {
		r.log.Warn("audit spool: cannot list", "err", err)
	}
	return len(names)
}

// Flush tries to write the spool to the database now, oldest first. It returns nil when every
// event spooled before the call was written (or, being corrupt, moved aside), else the error that
// stopped it; what was not written stays spooled.
func (r *Recorder) Flush(ctx context.Context) error {
	return r.replay(ctx)
}

// Close stops the replayer, makes a final attempt to write the spool and waits for database
// writes in flight. What could not be written stays in the spool for the next start; Close
// does not report it as an error. Close the Recorder before the Writer's database.
func (r *Recorder) Close() error {
	r.closeOnce.Do(func() {
		r.mu.Lock()
		r.closed = true
		r.mu.Unlock()
		close(r.stop)
		<-r.done
		ctx, cancel := context.WithTimeout(context.Background(), max(5*r.writeTimeout, 5*time.Second))
		if err := r.replay(ctx); err != nil {
			r.log.Warn("audit events stay in the spool for the next start", "pending", r.Pending(), "err", err)
		}
		cancel()
		r.mu.Lock()
		r.draining = true
		r.mu.Unlock()
		r.inflight.Wait()
	})
	return nil
}

// run is the background replayer.
func (r *Recorder) run() {
	defer close(r.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-r.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	t := time.NewTicker(r.retryEvery)
	defer t.Stop()
	for {
		if err := r.replay(ctx); err != nil && ctx.Err() == nil {
			r.log.Debug("audit spool replay stopped", "err", err)
		}
		select {
		case <-r.stop:
			return
		case <-t.C:
		}
	}
}

// replay writes spooled events to the database, oldest first, in passes until a pass finds
// nothing or fails. A file that cannot be decoded, or whose event is invalid, is moved aside.
// When the spool is empty, Record goes back to writing the database directly.
func (r *Recorder) replay(ctx context.Context) error {
	r.replayMu.Lock()
	defer r.replayMu.Unlock()
	total := 0
	defer func() {
		if total > 0 {
			r.obs.Replayed(total)
			r.log.Info("audit spool replayed", "events", total, "pending", r.Pending())
		}
	}()
	for {
		names, err := r.spool.list()
		if err != nil {
			return err
		}
		if len(names) == 0 {
			return r.drained()
		}
		n, aside, err := r.replayNames(ctx, names)
		total += n
		if err != nil {
			return err
		}
		if n+aside == 0 {
			return fmt.Errorf("audit: replay: %d spool files can be neither written nor moved aside", len(names))
		}
	}
}

// drained ends the degraded state when the spool is empty and no event is on its way into it;
// otherwise the next pass picks up what arrived.
func (r *Recorder) drained() error {
	r.stateMu.Lock()
	defer r.stateMu.Unlock()
	if r.spooling > 0 {
		return nil
	}
	names, err := r.spool.list()
	if err != nil || len(names) > 0 {
		return err
	}
	if r.degraded.CompareAndSwap(true, false) {
		r.log.Info("audit database writes resumed")
	}
	return nil
}

// replayNames replays the named files: it returns how many were written and how many moved aside.
func (r *Recorder) replayNames(ctx context.Context, names []string) (n, aside int, err error) {
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return n, aside, fmt.Errorf("audit: replay: %w", err)
		}
		e, err := r.spool.read(name)
		if err == nil {
			err = ValidateEvent(e)
		}
		if errors.Is(err, errCorrupt) || errors.Is(err, ErrInvalidEvent) {
			if r.moveAside(name, err) {
				aside++
			}
			continue
		}
		if errors.Is(err, fs.ErrNotExist) { // gone since the listing
			continue
		}
		if err != nil { // unreadable: try again next pass
			return n, aside, err
		}
		if err := r.write(ctx, e); err != nil {
			if errors.Is(err, ErrInvalidEvent) {
				if r.moveAside(name, err) {
					aside++
				}
				continue
			}
			r.obs.ReplayFailed()
			return n, aside, fmt.Errorf("audit: replay: %w", err)
		}
		if err := r.spool.remove(name); err != nil {
			return n, aside, err
		}
		n++
	}
	return n, aside, nil
}

// moveAside quarantines a spool file that can never be written, logging its name and the error
// (which names a field, never a value).
func (r *Recorder) moveAside(name string, cause error) bool {
	if err := r.spool.quarantine(name); err != nil {
		r.log.Error("audit spool: cannot move bad file aside", "file", name, "err", err)
		return false
	}
	r.log.Error("audit spool: bad file moved aside", "file", name+spoolBadExt, "err", cause)
	return true
}

type nopObserver struct{}

func (nopObserver) Spooled()       {}
func (nopObserver) Replayed(n int) {}
func (nopObserver) ReplayFailed()  {}
