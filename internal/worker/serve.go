package worker

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/sendevagt/sendevagt/internal/extract"
)

// Environment variables read by a worker process.
const (
	// EnvMemoryLimit is the worker's memory cap in bytes (default DefaultMemoryLimit).
	EnvMemoryLimit = "SENDEVAGT_WORKER_MEMORY"
	// EnvTestHooks = "1" makes documents with the names in testHooks misbehave on purpose; only
	// binaries built with -tags sendevagt_testhooks honour it (tests only).
	EnvTestHooks = "SENDEVAGT_WORKER_TEST_HOOKS"
)

// DefaultMemoryLimit is the default memory cap of one worker.
const DefaultMemoryLimit = 1 << 30

// hardTimeoutSlack is how much longer than Limits.Timeout the worker's own extractor may run:
// the parent kills the worker at Limits.Timeout, so the in-process timeout is only a backstop.
const hardTimeoutSlack = 2 * time.Second

// Extractor is what a worker runs in-process (extract.Extractor) and what the Pool implements
// (scan.Extractor has the same method).
type Extractor interface {
	Extract(ctx context.Context, name, contentType string, data []byte) []extract.Document
}

// InputExtractor is an Extractor that also takes what the source says about an attachment
// (extract.Extractor, the Pool, the Lane).
type InputExtractor interface {
	ExtractInput(ctx context.Context, in extract.Input) []extract.Document
}

// extractInput extracts in with x, through ExtractInput when x has it.
func extractInput(ctx context.Context, x Extractor, in extract.Input) []extract.Document {
	if xi, ok := x.(InputExtractor); ok {
		return xi.ExtractInput(ctx, in)
	}
	if in.Message != nil { // an extractor of bytes only: the parsed mail must not pass as empty
		return failed(in.Name, in.ContentType, extract.Unscannable, "attached email could not be handed to the extractor")
	}
	return x.Extract(ctx, in.Name, in.ContentType, in.Data)
}

// ServeOptions configure Serve.
type ServeOptions struct {
	// NewExtractor makes the extractor for a request's limits (the binary's wiring gives the
	// one with every reader, extract/formats); nil means extract.New, the core's formats only.
	// The extractor is cached per distinct Limits.
	NewExtractor func(extract.Limits) Extractor
	// TestHooks enables the misbehaving test documents "__hang__", "__crash__", "__panic__",
	// "__oom__", "__garbage__", "__oversized__", "__spawn__" and "__stdout__".
	TestHooks bool

	codec codec // nil: the protocol (rawCodec); tests set the earlier gob codec to compare
	// shared is the request region the parent handed over (Main maps it), nil without one.
	shared []byte
}

// keepRequestBuffer is the largest request buffer a worker keeps between documents; a larger
// one (an unusually large attachment) is given back to the GC after its document.
const keepRequestBuffer = 32 << 20

// Main is the body of `sendevagt worker`: it caps the process's memory, keeps stdout for the
// protocol only (anything else writing to fd 1 goes to stderr), and serves requests from stdin
// until stdin closes. It returns the process exit status.
func Main(opt ServeOptions) int {
	memLimit := int64(DefaultMemoryLimit)
	if s := os.Getenv(EnvMemoryLimit); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "sendevagt worker: bad %s=%q\n", EnvMemoryLimit, s)
			return 2
		}
		memLimit = n
	}
	if testHooksBuilt && os.Getenv(EnvTestHooks) == "1" {
		opt.TestHooks = true
	}
	// The shared request region is mapped before the memory limit is set, so that its size
	// is part of the address space the limit adds to (limitMemory), not taken from it.
	if s := os.Getenv(EnvSharedRequests); s != "" {
		size, err := strconv.Atoi(s)
		if err == nil && (size <= 0 || size > MaxRequestFrame) {
			err = errors.New("out of range")
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "sendevagt worker: bad %s=%q\n", EnvSharedRequests, s)
			return 2
		}
		if opt.shared, err = mapSharedRequests(3, size); err != nil {
			fmt.Fprintf(os.Stderr, "sendevagt worker: %v\n", err)
			return 1
		}
	}
	if err := limitMemory(memLimit); err != nil {
		fmt.Fprintf(os.Stderr, "sendevagt worker: %v\n", err)
		return 1
	}
	out, err := privateStdout()
	if err != nil {
		fmt.Fprintf(os.Stderr, "sendevagt worker: %v\n", err)
		return 1
	}
	if err := Serve(context.Background(), os.Stdin, out, opt); err != nil {
		fmt.Fprintf(os.Stderr, "sendevagt worker: %v\n", err)
		return 1
	}
	return 0
}

// setGoMemoryLimit makes the GC work hard before the address-space limit is hit.
func setGoMemoryLimit(limit int64) {
	debug.SetMemoryLimit(limit - limit/4)
}

// Serve answers requests from r on w until r reaches EOF (nil) or a frame is bad (error). It
// sends its hello first and checks the parent's.
func Serve(ctx context.Context, r io.Reader, w io.Writer, opt ServeOptions) error {
	if opt.NewExtractor == nil {
		opt.NewExtractor = func(lim extract.Limits) Extractor { return extract.New(lim) }
	}
	c := opt.codec
	if c == nil {
		c = rawCodec{shared: opt.shared}
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(appendHello(nil))
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing hello: %w", err)
	}
	br := bufio.NewReaderSize(r, 64<<10)
	if err := readHello(br); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return fmt.Errorf("reading hello: %w", err)
	}
	var buf []byte // the request buffer, reused from one document to the next
	extractors := map[extract.Limits]Extractor{}
	for {
		var req Request
		if err := c.readRequest(br, MaxRequestFrame, &buf, &req); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("reading request: %w", err)
		}
		bw.WriteByte(ackByte)
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("writing ack: %w", err)
		}
		if opt.TestHooks {
			testHook(req.Name, w)
		}
		lim := req.Limits
		if lim.Timeout <= 0 {
			lim.Timeout = extract.DefaultLimits.Timeout
		}
		lim.Timeout += hardTimeoutSlack
		x, ok := extractors[lim]
		if !ok {
			x = opt.NewExtractor(lim)
			if len(extractors) > 16 {
				clear(extractors)
			}
			extractors[lim] = x
		}
		start := time.Now()
		docs := extractInput(ctx, x, extract.Input{Name: req.Name, ContentType: req.ContentType, Data: req.Data, Message: req.Message, Inline: req.Inline})
		stuck := time.Since(start) >= lim.Timeout
		if stuck || cap(buf) > keepRequestBuffer {
			// At the time limit the extractor returns while a stuck parser may still read the
			// data (extract.Extractor.Extract): that buffer is never reused.
			buf = nil
		}
		req.Data, req.Message = nil, nil
		docs = capOutput(docs, req.MaxOutputBytes)
		if err := c.writeResponse(bw, req.ID, docs, maxResponse(req.MaxOutputBytes)); err != nil {
			return fmt.Errorf("writing response: %w", err)
		}
		if err := bw.Flush(); err != nil {
			return fmt.Errorf("writing response: %w", err)
		}
		if stuck && len(opt.shared) > 0 {
			// The region cannot be set aside like a buffer: the parent writes the next request
			// into it while the stuck parser may still read it. The worker ends instead (the
			// parent kills it at the time limit before this, so this is only a backstop).
			return errors.New("a parser is stuck on the shared request region: exiting")
		}
	}
}

// capOutput keeps at most max bytes of text over all documents (max <= 0: DefaultMaxOutput).
// Documents whose text was cut become TooLarge (what was read stays, so it is still scanned).
func capOutput(docs []extract.Document, max int) []extract.Document {
	if max <= 0 {
		max = DefaultMaxOutput
	}
	left := max
	for i := range docs {
		d := &docs[i]
		cut := false
		for j := range d.Pages {
			p := &d.Pages[j]
			if len(p.Text) <= left {
				left -= len(p.Text)
				continue
			}
			p.Clip(left) // keeps the page's Blocks consistent with the shorter text
			left = 0
			d.Pages = d.Pages[:j+1]
			cut = true
			break
		}
		if cut {
			note := fmt.Sprintf("text of the attachment larger than %s (worker output cap)", sizeString(int64(max)))
			d.Truncated = true
			if d.Status == extract.Scanned || d.Status == "" {
				d.Status = extract.TooLarge
			}
			if d.Detail != "" {
				d.Detail += "; " + note
			} else {
				d.Detail = note
			}
		}
	}
	return docs
}

func sizeString(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// hangForever blocks without the runtime's deadlock detector ending the process (a bare
// select {} does when no other goroutine can run).
func hangForever() {
	for {
		time.Sleep(time.Hour)
	}
}

// testHook misbehaves for the test documents (only with ServeOptions.TestHooks).
func testHook(name string, w io.Writer) {
	switch name {
	case "__hang__":
		hangForever()
	case "__crash__":
		os.Exit(2)
	case "__panic__":
		go panic("test panic outside recover")
		hangForever()
	case "__oom__":
		// The worker runs under RLIMIT_AS: reserving address space is enough to reach it, and
		// does not write hundreds of megabytes first (which on a loaded machine took longer
		// than the document's time limit, so the test saw a timeout instead of the crash).
		var keep [][]byte
		for {
			b := make([]byte, 64<<20)
			b[0] = 1
			keep = append(keep, b)
		}
	case "__garbage__":
		w.Write([]byte("\x00\x00\x00\x10this is no gob!!"))
	case "__oversized__": // a frame claiming almost 4 GiB
		w.Write([]byte("\xff\xff\xff\xf0D\x00\x00\x00"))
		hangForever()
	case "__spawn__": // a helper program in its own process group, then a hang
		pid := spawnOrphan()
		if f := os.Getenv("SENDEVAGT_TEST_SPAWN_PIDFILE"); f != "" {
			os.WriteFile(f, []byte(strconv.Itoa(pid)), 0o600)
		}
		hangForever()
	case "__stdout__":
		fmt.Println("a library printing to stdout must not break the protocol")
		os.Stdout.Sync()
	}
}
