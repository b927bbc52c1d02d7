//go:build linux

package worker

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/extract/formats"
	"github.com/sendevagt/sendevagt/internal/message"
)

// bigMessage is testMessage with an attached file large enough to go through the region.
func bigMessage() *message.Message {
	m := testMessage()
	m.Attachments = append(m.Attachments, message.Attachment{Name: "Liste.txt", ContentType: "text/plain",
		Data: bytes.Repeat([]byte("Østergård 010190-1234\n"), 4*smallRequest/20)})
	return m
}

// TestRequestFramesShared: with a shared region, large requests leave only their header in the
// pipe and are read where the parent wrote them; small ones still travel in the pipe.
func TestRequestFramesShared(t *testing.T) {
	r, err := newSharedRegion(1 << 20)
	if err != nil {
		t.Skipf("no shared region here: %v", err)
	}
	defer r.release()
	parent, worker := rawCodec{shared: r.mem}, rawCodec{shared: r.mem[:len(r.mem):len(r.mem)]}
	big := bytes.Repeat([]byte("%PDF-1.7 Østergård "), smallRequest/10)
	tests := []struct {
		req      Request
		inRegion bool
	}{
		{Request{Name: "Afgørelse.pdf", ContentType: "application/pdf", Data: big, Limits: fullLimits(t), MaxOutputBytes: 64 << 20, ID: 1}, true},
		{Request{Name: "image001.png", ContentType: "image/png", Data: []byte("\x89PNG"), Inline: true, ID: 2}, false},
		{Request{Name: "Videresendt.msg", ContentType: "application/vnd.ms-outlook", Message: bigMessage(), ID: 3}, true},
		{Request{Name: "Kort.msg", ContentType: "application/vnd.ms-outlook", Message: testMessage(), ID: 4}, false},
		{Request{Name: "Stor.bin", Data: make([]byte, 2<<20), ID: 5}, false}, // beyond the region: the pipe
	}
	for _, tt := range tests {
		t.Run(tt.req.Name, func(t *testing.T) {
			var stream bytes.Buffer
			var scratch, buf []byte
			if err := parent.writeRequest(&stream, &scratch, &tt.req); err != nil {
				t.Fatal(err)
			}
			if small := stream.Len() < 1024; small != tt.inRegion && len(tt.req.Data) > smallRequest {
				t.Errorf("frame of %d bytes for %d bytes of data: in the region = %v, want %v", stream.Len(), len(tt.req.Data), small, tt.inRegion)
			}
			var got Request
			if err := worker.readRequest(bufio.NewReader(&stream), MaxRequestFrame, &buf, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.req) {
				t.Errorf("read back differs:\n%+v\nwant\n%+v", got, tt.req)
			}
			if tt.inRegion && tt.req.Message == nil && unsafe.SliceData(got.Data) != unsafe.SliceData(r.mem) {
				t.Error("data copied out of the region")
			}
			if flagged := len(scratch) > 5 && scratch[5]&4 != 0; flagged != tt.inRegion {
				t.Errorf("shared flag %v, want %v", flagged, tt.inRegion)
			}
		})
	}

	// A frame that says "in the region" must be believable.
	frame := func(flags byte, rest []byte) []byte {
		b := []byte{'Q', flags, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
		b = append(append(b, make([]byte, 12*8)...), rest...)
		return append([]byte{0, 0, byte(len(b) >> 8), byte(len(b))}, b...)
	}
	length := func(n uint64) []byte { return le.AppendUint64(nil, n) }
	bad := []struct {
		name  string
		codec rawCodec
		frame []byte
	}{
		{"no region on this side", rawCodec{}, frame(4, length(10))},
		{"beyond the region", worker, frame(4, length(uint64(len(r.mem))+1))},
		{"length cut short", worker, frame(4, length(10)[:4])},
		{"bytes after the length", worker, frame(4, append(length(10), 0))},
		{"a message longer than it says", worker, frame(6, length(3))},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			var buf []byte
			err := tt.codec.readRequest(bufio.NewReader(bytes.NewReader(tt.frame)), MaxRequestFrame, &buf, new(Request))
			if !errors.Is(err, errGarbled) {
				t.Errorf("error %v, want malformed", err)
			}
		})
	}
}

// TestSharedRegionSealed: the worker holds the region's descriptor, but cannot change its size
// (the parent's copy into a shrunk mapping would die of SIGBUS), and a worker refuses a region
// that is not sealed.
func TestSharedRegionSealed(t *testing.T) {
	r, err := newSharedRegion(1 << 20)
	if err != nil {
		t.Skipf("no shared region here: %v", err)
	}
	defer r.release()
	fd := int(r.file.Fd())
	if err := unix.Ftruncate(fd, 4096); !errors.Is(err, unix.EPERM) {
		t.Errorf("shrinking the region: %v, want EPERM", err)
	}
	if err := unix.Ftruncate(fd, 2<<20); !errors.Is(err, unix.EPERM) {
		t.Errorf("growing the region: %v, want EPERM", err)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, unix.F_SEAL_WRITE); !errors.Is(err, unix.EPERM) {
		t.Errorf("adding a seal: %v, want EPERM", err)
	}
	dup, err := unix.Dup(fd)
	if err != nil {
		t.Fatal(err)
	}
	mem, err := mapSharedRequests(dup, len(r.mem))
	if err != nil {
		t.Fatalf("worker side: %v", err)
	}
	copy(r.mem, "brev")
	if string(mem[:4]) != "brev" {
		t.Errorf("worker sees %q, want what the parent wrote", mem[:4])
	}
	unix.Munmap(mem)

	plain, err := unix.MemfdCreate("plain", unix.MFD_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	unix.Ftruncate(plain, 1<<20)
	if _, err := mapSharedRequests(plain, 1<<20); err == nil || !strings.Contains(err.Error(), "not sealed") {
		t.Errorf("unsealed region: %v, want refused", err)
	}
	dup, _ = unix.Dup(fd)
	if _, err := mapSharedRequests(dup, 2<<20); err == nil {
		t.Error("a region of another size than announced was mapped")
	}
}

// TestPoolUsesSharedRegion: a pool's worker maps its request region, reads a large attachment
// from it and answers as it would through the pipe, document after document.
func TestPoolUsesSharedRegion(t *testing.T) {
	p := newTestPool(t, testConfig(1))
	for i := range 3 {
		text := strings.Repeat(fmt.Sprintf("Linje %d: Østergård, CPR-nr. 010190-1234.\n", i), 20000)
		got := p.Extract(context.Background(), "liste.txt", "text/plain", []byte(text))
		want := formats.New(extract.Limits{}).Extract(context.Background(), "liste.txt", "text/plain", []byte(text))
		if !reflect.DeepEqual(normalized(got), normalized(want)) || !strings.Contains(allText(got), "Linje") {
			t.Fatalf("document %d: the worker's answer differs from the in-process one", i)
		}
	}
	var pids []int
	p.mu.Lock()
	for w := range p.live {
		pids = append(pids, w.cmd.Process.Pid)
	}
	p.mu.Unlock()
	if len(pids) != 1 {
		t.Fatalf("%d live workers, want 1", len(pids))
	}
	maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pids[0]))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(maps, []byte("memfd:sendevagt-request")) {
		t.Error("the worker has not mapped a shared request region")
	}
}

// TestRetiredWorkerGivesBackItsRegion: a worker that dies on a document takes no more requests,
// and its region is given back at once (not when the collector gets to it); the next document
// goes to a fresh worker with a region of its own.
func TestRetiredWorkerGivesBackItsRegion(t *testing.T) {
	p := newTestPool(t, testConfig(1))
	list := bytes.Repeat([]byte("Østergård, CPR-nr. 010190-1234\n"), 4096)
	live := func() *proc {
		p.mu.Lock()
		defer p.mu.Unlock()
		for w := range p.live {
			return w
		}
		return nil
	}
	p.Extract(context.Background(), "liste.txt", "text/plain", list)
	w := live()
	if w == nil || w.shared == nil {
		t.Skip("no shared region here")
	}
	region := w.shared
	if docs := p.Extract(context.Background(), "__crash__", "", []byte("x")); docs[0].Status != extract.Unscannable {
		t.Fatalf("crashing document: %+v", docs)
	}
	if region.file.Fd() != ^uintptr(0) {
		t.Error("the dead worker's region is still open")
	}
	docs := p.Extract(context.Background(), "liste.txt", "text/plain", list)
	if docs[0].Status != extract.Scanned || !strings.Contains(allText(docs), "010190-1234") {
		t.Fatalf("after the crash: %+v", docs[0].Status)
	}
	if fresh := live(); fresh == nil || fresh == w || fresh.shared == nil || fresh.shared == region {
		t.Error("the next document did not go to a fresh worker with a region of its own")
	}
}

// slowExtractor returns only after the worker's own time limit, as a stuck parser leaves the
// extractor (whose goroutine may still be reading the data).
type slowExtractor struct{ d time.Duration }

func (s slowExtractor) Extract(ctx context.Context, name, contentType string, data []byte) []extract.Document {
	time.Sleep(s.d)
	return []extract.Document{{Name: name, Status: extract.Unscannable, Detail: "timed out"}}
}

// TestServeEndsAfterAStuckParserOnTheRegion: a worker whose extraction ran past its own time limit
// answers, then stops serving when its requests come through a shared region: the parent would
// write the next request into memory the stuck parser may still read. (Through the pipe it goes
// on, with a fresh buffer.)
func TestServeEndsAfterAStuckParserOnTheRegion(t *testing.T) {
	region := make([]byte, 1<<20)
	lim := extract.Limits{Timeout: time.Millisecond} // the worker's limit: this plus hardTimeoutSlack
	for _, tc := range []struct {
		name   string
		shared []byte
		ends   bool
	}{{"pipe", nil, false}, {"region", region, true}} {
		t.Run(tc.name, func(t *testing.T) {
			// One request: after it the stream ends, where a worker that goes on serving
			// returns nil.
			in := bytes.NewBuffer(appendHello(nil))
			var scratch []byte
			req := &Request{Name: "a.pdf", Data: bytes.Repeat([]byte("%PDF"), smallRequest), Limits: lim, ID: 1}
			if err := (rawCodec{shared: tc.shared}).writeRequest(in, &scratch, req); err != nil {
				t.Fatal(err)
			}
			opt := ServeOptions{shared: tc.shared, NewExtractor: func(extract.Limits) Extractor {
				return slowExtractor{hardTimeoutSlack + 50*time.Millisecond}
			}}
			var out bytes.Buffer
			err := Serve(context.Background(), in, &out, opt)
			if (err != nil) != tc.ends {
				t.Fatalf("Serve: %v, want it to end: %v", err, tc.ends)
			}
			br := bufio.NewReader(&out)
			if err := readHello(br); err != nil {
				t.Fatal(err)
			}
			if b, err := br.ReadByte(); err != nil || b != ackByte {
				t.Fatalf("ack %q %v", b, err)
			}
			if _, err := (rawCodec{}).readResponse(br, 1<<20, 1); err != nil {
				t.Fatalf("the stuck document's answer: %v", err)
			}
		})
	}
}
