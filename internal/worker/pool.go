package worker

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sendevagt/sendevagt/internal/extract"
)

// DefaultMaxOutput caps the text of one response (all documents of one attachment together).
const DefaultMaxOutput = 64 << 20

// Details of documents the Pool could not have extracted.
const (
	DetailBusy    = "service busy (no worker free)"
	DetailStopped = "extraction cancelled (service stopping)"
)

// Config configures a Pool. The zero Config is usable.
type Config struct {
	// Size is the number of workers (0: runtime.NumCPU()). Workers start on first use.
	Size int
	// Command starts one worker (nil: this executable with the argument "worker").
	Command []string
	// Env is added to the environment a worker inherits.
	Env []string
	// MemoryLimit caps each worker's memory growth in bytes (0: $SENDEVAGT_WORKER_MEMORY, else
	// DefaultMemoryLimit).
	MemoryLimit int64
	// Limits are the extraction limits; Limits.Timeout (0: the extract default) is the wall-clock
	// limit per document, after which the worker is killed.
	Limits extract.Limits
	// MaxOutputBytes caps the text of one attachment's response (0: DefaultMaxOutput).
	MaxOutputBytes int
}

// Pool extracts documents in worker processes. It implements scan.Extractor and is safe for
// concurrent use: a call waits (bounded by its context) for a free worker.
type Pool struct {
	cfg     Config
	timeout time.Duration
	slots   chan *proc // Size tokens; a nil token is a slot whose worker is not running

	mu     sync.Mutex
	live   map[*proc]struct{}
	closed bool

	started  atomic.Int64
	restarts atomic.Int64

	codec codec // rawCodec; tests set the earlier gob codec to compare
	// pipeOnly: no shared request regions (benchmarks compare the two ways).
	pipeOnly bool
}

// NewPool returns a Pool; it starts no process.
func NewPool(cfg Config) (*Pool, error) {
	if cfg.Size <= 0 {
		cfg.Size = runtime.NumCPU()
	}
	if len(cfg.Command) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("worker pool: finding own executable: %w", err)
		}
		cfg.Command = []string{exe, "worker"}
	}
	if cfg.MemoryLimit <= 0 {
		cfg.MemoryLimit = DefaultMemoryLimit
		if n, err := strconv.ParseInt(os.Getenv(EnvMemoryLimit), 10, 64); err == nil && n > 0 {
			cfg.MemoryLimit = n
		}
	}
	if cfg.MaxOutputBytes <= 0 {
		cfg.MaxOutputBytes = DefaultMaxOutput
	}
	p := &Pool{cfg: cfg, timeout: cfg.Limits.Timeout, slots: make(chan *proc, cfg.Size), live: map[*proc]struct{}{}, codec: rawCodec{}}
	if p.timeout <= 0 {
		p.timeout = extract.DefaultLimits.Timeout
	}
	for range cfg.Size {
		p.slots <- nil
	}
	return p, nil
}

// Started is the number of worker processes started so far.
func (p *Pool) Started() int64 { return p.started.Load() }

// Restarts is the number of workers that died, hung or were killed and so had to be replaced.
func (p *Pool) Restarts() int64 { return p.restarts.Load() }

// Check tells whether the pool can extract: it sends a tiny document through a free worker
// (starting one if needed). When every worker is busy the pool is working, so Check succeeds
// without waiting for one.
func (p *Pool) Check(ctx context.Context) error {
	if p.isClosed() {
		return errors.New("worker pool closed")
	}
	var w *proc
	select {
	case w = <-p.slots:
	default:
		return nil // all workers busy: they are alive and working
	}
	p.slots <- w
	docs := p.Extract(ctx, "readyz.txt", "text/plain", []byte("readyz"))
	if len(docs) != 1 || docs[0].Status != extract.Scanned {
		detail := "no answer"
		if len(docs) > 0 {
			detail = docs[0].Detail
		}
		return fmt.Errorf("worker check failed: %s", detail)
	}
	return nil
}

// Extract extracts one attachment in a worker. It never returns an empty or clean-by-accident
// result: a worker that hangs past Limits.Timeout is killed ("timed out after ... (worker
// killed)"), one that dies gives "parser crashed (worker died: ...)", both Unscannable, and the
// worker is replaced on the next use. When ctx ends while waiting for a free worker the document
// is Unscannable "service busy (no worker free)".
func (p *Pool) Extract(ctx context.Context, name, contentType string, data []byte) []extract.Document {
	return p.ExtractInput(ctx, extract.Input{Name: name, ContentType: contentType, Data: data})
}

// ExtractInput is Extract for an extract.Input (its Inline hint goes to the worker).
func (p *Pool) ExtractInput(ctx context.Context, in extract.Input) []extract.Document {
	name, contentType, data := in.Name, in.ContentType, in.Data
	if ctx == nil {
		ctx = context.Background()
	}
	var w *proc
	select {
	case w = <-p.slots:
	default:
		select {
		case w = <-p.slots:
		case <-ctx.Done():
			return failed(name, contentType, extract.Unscannable, DetailBusy)
		}
	}
	defer func() { p.slots <- w }()
	if p.isClosed() {
		return failed(name, contentType, extract.Unscannable, DetailStopped)
	}
	if err := ctx.Err(); err != nil {
		return failed(name, contentType, extract.Unscannable, callerDetail(err, false))
	}
	if w != nil && w.exitedNow() {
		w.retire()
		w = nil
		p.restarts.Add(1)
	}
	if w == nil {
		var err error
		if w, err = p.start(); err != nil {
			if p.isClosed() {
				return failed(name, contentType, extract.Unscannable, DetailStopped)
			}
			return failed(name, contentType, extract.Unscannable, "parser unavailable (worker could not be started)")
		}
	}
	req := &Request{Name: name, ContentType: contentType, Data: data, Message: in.Message, Limits: p.cfg.Limits, MaxOutputBytes: p.cfg.MaxOutputBytes, Inline: in.Inline}
	docs, ok, idleDeath := p.roundTrip(ctx, w, req)
	if idleDeath || !ok {
		p.restarts.Add(1)
	}
	if idleDeath {
		// The worker died before it had taken the request (while idle, or at start): perhaps
		// not this document's fault, so it gets one more, fresh worker.
		w.retire()
		w = nil
		if fresh, err := p.start(); err == nil {
			w = fresh
			docs, ok, _ = p.roundTrip(ctx, w, req)
		}
	}
	if !ok {
		w.retire()
		w = nil // killed or dead: the slot starts a new worker on its next use
	}
	return docs
}

// roundTrip sends one request and reads its response within the document's time limit. ok is
// false when the worker is dead or was killed; idleDeath says that the worker died before it
// had read the request (the documents then say so, but the caller may retry on a fresh worker).
func (p *Pool) roundTrip(ctx context.Context, w *proc, req *Request) (docs []extract.Document, ok, idleDeath bool) {
	deadline := time.Now().Add(p.timeout)
	callerFirst := false
	if d, has := ctx.Deadline(); has && d.Before(deadline) {
		deadline, callerFirst = d, true
	}
	w.stdin.SetWriteDeadline(deadline)
	w.stdout.SetReadDeadline(deadline)
	interrupted := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(interrupted)
		w.stdin.SetWriteDeadline(time.Unix(1, 0))
		w.stdout.SetReadDeadline(time.Unix(1, 0))
	})
	defer func() {
		if !stop() {
			<-interrupted // do not let the callback move the deadlines of the next request
		}
	}()

	w.seq++
	req.ID = w.seq
	var err error
	if !w.greeted {
		_, err = w.stdin.Write(appendHello(nil))
	}
	if err == nil {
		err = w.codec.writeRequest(w.stdin, &w.hdr, req)
	}
	acked := false
	if err == nil && !w.greeted {
		if err = readHello(w.br); err == nil {
			w.greeted = true
		}
	}
	if err == nil {
		var b byte
		if b, err = w.br.ReadByte(); err == nil {
			if acked = b == ackByte; !acked {
				err = errors.New("decoding frame: bad ack")
			}
		}
	}
	if err == nil {
		docs, err = w.codec.readResponse(w.br, maxResponse(p.cfg.MaxOutputBytes), req.ID)
	}
	if err == nil {
		if w.shared != nil {
			used := len(req.Data)
			if req.Message != nil {
				used = messageSize(req.Message)
			}
			w.shared.trim(keepSharedBytes, min(used, len(w.shared.mem)))
		}
		return checked(req.Name, req.ContentType, docs), true, false
	}

	// The worker is of no further use: kill its process group whatever went wrong. A worker
	// that crashed is given a moment to finish dying, so its exit status can be reported.
	timedOut := errors.Is(err, os.ErrDeadlineExceeded)
	dead := w.exitedNow() || (!timedOut && w.exitedWithin(200*time.Millisecond))
	w.kill()
	idleDeath = dead && !acked && !timedOut
	var tooLarge *errFrameTooLarge
	var mismatch *errHandshake
	switch {
	case p.isClosed():
		return failed(req.Name, req.ContentType, extract.Unscannable, DetailStopped), false, idleDeath
	case timedOut && !dead:
		if cerr := ctx.Err(); cerr != nil || callerFirst {
			return failed(req.Name, req.ContentType, extract.Unscannable, callerDetail(cerr, true)), false, idleDeath
		}
		return failed(req.Name, req.ContentType, extract.Unscannable, fmt.Sprintf("timed out after %s (worker killed)", p.timeout)), false, idleDeath
	case errors.As(err, &tooLarge) && !dead:
		// The worker caps its own output (capOutput, writeResponse): a larger frame is a worker
		// gone wrong, not a large document.
		return failed(req.Name, req.ContentType, extract.Unscannable, "parser crashed (worker died: oversized response; worker killed)"), false, idleDeath
	case errors.As(err, &mismatch) && !dead:
		return failed(req.Name, req.ContentType, extract.Unscannable, "parser unavailable ("+mismatch.Error()+"; worker killed)"), false, idleDeath
	case !dead:
		return failed(req.Name, req.ContentType, extract.Unscannable, "parser crashed (worker died: garbled response; worker killed)"), false, idleDeath
	case !w.greeted:
		// Dead before its hello: it failed at start, or is a worker binary of another protocol
		// version (one of the gob protocol exits on reading our hello).
		return failed(req.Name, req.ContentType, extract.Unscannable, "parser unavailable (worker exited before the protocol handshake: "+w.exitReason()+")"), false, idleDeath
	}
	return failed(req.Name, req.ContentType, extract.Unscannable, "parser crashed (worker died: "+w.exitReason()+")"), false, idleDeath
}

// checked makes sure a worker's answer is never clean by accident.
func checked(name, contentType string, docs []extract.Document) []extract.Document {
	if len(docs) == 0 {
		return failed(name, contentType, extract.Unscannable, "parser crashed (worker returned no documents)")
	}
	for i := range docs {
		if docs[i].Status == "" {
			docs[i].Status, docs[i].Detail, docs[i].Pages = extract.Unscannable, "worker returned no status", nil
		}
	}
	return docs
}

// callerDetail says why the caller's context ended (the same words as package extract).
func callerDetail(err error, killed bool) string {
	if errors.Is(err, context.Canceled) {
		if killed {
			return "extraction cancelled (worker killed)"
		}
		return "extraction cancelled"
	}
	if killed {
		return "timed out (caller's deadline; worker killed)"
	}
	return "timed out (caller's deadline)"
}

// failed is the single document reported when the worker gave no usable answer.
func failed(name, contentType string, status extract.Status, detail string) []extract.Document {
	return []extract.Document{{Name: name, Type: typeFromName(name, contentType), Status: status, Detail: detail}}
}

func typeFromName(name, contentType string) string {
	if e := strings.TrimPrefix(strings.ToLower(filepath.Ext(name)), "."); e != "" && len(e) <= 5 {
		return e
	}
	switch ct := strings.ToLower(contentType); {
	case strings.HasPrefix(ct, "text/html"):
		return "html"
	case strings.HasPrefix(ct, "text/"):
		return "text"
	case ct == "application/pdf":
		return "pdf"
	}
	return "binary"
}

func (p *Pool) isClosed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// Close kills every worker and makes later calls return at once (Unscannable). Workers also die
// with the parent process (Pdeathsig) and exit when their stdin closes.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	live := make([]*proc, 0, len(p.live))
	for w := range p.live {
		live = append(live, w)
	}
	p.mu.Unlock()
	for _, w := range live {
		w.kill()
	}
	for _, w := range live {
		w.exitedWithin(3 * time.Second)
	}
	return nil
}

// proc is one worker process.
type proc struct {
	cmd    *exec.Cmd
	stdin  *os.File
	stdout *os.File
	br     *bufio.Reader
	hdr    []byte // request header scratch
	// greeted: the hellos have been exchanged (on the first request).
	greeted bool
	seq     uint32 // the last request's ID
	stderr  *stderrWatch
	exited  chan struct{}
	state   *os.ProcessState // set before exited is closed
	// shared is the worker's request region (nil: requests go through the pipe) and codec the
	// protocol with it. The region lives as long as this proc is reachable: a request may be
	// copying into it while the worker dies, so it is unmapped only by a cleanup once nothing
	// refers to the proc any more.
	shared *sharedRegion
	codec  codec
}

// start starts a worker process.
func (p *Pool) start() (*proc, error) {
	if p.isClosed() {
		return nil, errors.New("pool closed")
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, err
	}
	growPipe(inW)
	growPipe(outR)
	w := &proc{stdin: inW, stdout: outR, stderr: &stderrWatch{}, exited: make(chan struct{}), codec: p.codec}
	w.br = bufio.NewReaderSize(outR, 64<<10)
	cmd := exec.Command(p.cfg.Command[0], p.cfg.Command[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, w.stderr
	cmd.Env = append(append(os.Environ(), p.cfg.Env...), EnvMemoryLimit+"="+strconv.FormatInt(p.cfg.MemoryLimit, 10))
	shared := ""
	if _, raw := p.codec.(rawCodec); raw && !p.pipeOnly {
		// Without a region (another system, or memfd refused) the requests go through the pipe.
		if r, err := newSharedRegion(sharedRequestBytes); err == nil {
			w.shared, w.codec = r, rawCodec{shared: r.mem}
			cmd.ExtraFiles = []*os.File{r.file} // the worker's fd 3
			shared = strconv.Itoa(len(r.mem))
			runtime.AddCleanup(w, func(r *sharedRegion) { r.release() }, r)
		}
	}
	cmd.Env = append(cmd.Env, EnvSharedRequests+"="+shared)
	cmd.SysProcAttr = procAttr()
	cmd.WaitDelay = 2 * time.Second
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return nil, err
	}
	w.cmd = cmd
	p.started.Add(1)
	p.mu.Lock()
	p.live[w] = struct{}{}
	closed := p.closed
	p.mu.Unlock()
	go func() {
		cmd.Wait()
		w.state = cmd.ProcessState
		p.mu.Lock()
		delete(p.live, w)
		p.mu.Unlock()
		close(w.exited)
		w.stdin.Close()
		w.stdout.Close()
	}()
	if closed {
		w.kill()
		return nil, errors.New("pool closed")
	}
	return w, nil
}

// retire gives back the request region of a worker that will take no more requests (dead or
// killed): only the goroutine holding the worker's slot calls it, so no copy into the region can
// be under way. (A proc dropped elsewhere, as by Close, gives it back through its cleanup.)
func (w *proc) retire() {
	if w != nil && w.shared != nil {
		w.shared.release()
	}
}

func (w *proc) kill() {
	if w.cmd != nil && w.cmd.Process != nil && !w.exitedNow() {
		killGroup(w.cmd.Process.Pid)
	}
}

func (w *proc) exitedNow() bool {
	select {
	case <-w.exited:
		return true
	default:
		return false
	}
}

func (w *proc) exitedWithin(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-w.exited:
		return true
	case <-t.C:
		return false
	}
}

// exitReason says how a dead worker ended: exit status or signal, and "out of memory" when the
// Go runtime said so on stderr (stderr itself is never reported: it may hold content).
func (w *proc) exitReason() string {
	if !w.exitedWithin(3 * time.Second) {
		return "no response"
	}
	r := "exited"
	if w.state != nil {
		r = w.state.String() // "exit status 2", "signal: killed"
	}
	switch {
	case w.stderr.has("out of memory") || w.stderr.has("cannot allocate memory"):
		r = "out of memory, " + r
	case w.stderr.has("panic: "):
		r = "panic, " + r
	case w.stderr.has("fatal error: "):
		r = "fatal error, " + r
	}
	return r
}

// stderrWatch reads a worker's stderr, keeping none of it (it may hold content) but noting
// whether the Go runtime reported running out of memory, a panic or another fatal error.
type stderrWatch struct {
	mu    sync.Mutex
	carry []byte // the last bytes of the previous write, so a marker split across writes is seen
	seen  map[string]bool
}

var stderrMarkers = []string{"out of memory", "cannot allocate memory", "panic: ", "fatal error: "}

func (t *stderrWatch) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.seen == nil {
		t.seen = map[string]bool{}
	}
	buf := append(t.carry, p...)
	for _, m := range stderrMarkers {
		if !t.seen[m] && bytes.Contains(buf, []byte(m)) {
			t.seen[m] = true
		}
	}
	t.carry = append(t.carry[:0], buf[max(0, len(buf)-32):]...)
	return len(p), nil
}

func (t *stderrWatch) has(marker string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.seen[marker]
}
