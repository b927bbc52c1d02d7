// Package worker runs attachment extraction in isolated worker processes (DESIGN.md "Isolation
// for untrusted files", EXTRACT.md §3). A worker is the sendevagt binary started as
// `sendevagt worker`: it reads requests from stdin and writes responses to stdout, one document
// at a time, for as long as it lives, under an address-space limit. The parent's Pool hands each
// document to a free worker, kills a worker's whole process group when a document overruns its
// time limit, and replaces workers that die. A crash, hang or memory blow-up costs one document
// (Unscannable), never the service.
//
// Protocol (frames.go has the byte layout): both sides first send a hello, the magic "SVWK" and
// a protocol version, so that a worker binary of another version is detected instead of
// misread. Then each message is a frame, a 4-byte length followed by that many bytes: raw
// bytes, not an encoding of Go values, so the attachment goes from the caller's slice straight
// into the pipe and is read into one reused buffer in the worker, and the text comes back in
// one piece per page. Parent → worker: a request; worker → parent: the byte ackByte as soon as
// the request has been read whole, then the response (the documents). One request, then its
// ack and response, strictly alternating. The ack tells a worker that died while idle (its
// document may be retried on a fresh worker) from one that died on the document (Unscannable).
package worker

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/message"
)

// Request asks a worker to extract one attachment.
type Request struct {
	Name        string
	ContentType string
	Data        []byte
	Limits      extract.Limits // as given to the Pool; zero fields mean the extract defaults
	// MaxOutputBytes caps the text of all documents of the response together.
	MaxOutputBytes int
	// Inline: the attachment belongs to the mail body's layout (extract.Input.Inline).
	Inline bool
	// Message is an attached email already parsed (extract.Input.Message); Data is then empty.
	Message *message.Message
	// ID numbers the requests to one worker; the response carries it back, so an answer that
	// is not to this request is taken for garbage.
	ID uint32
}

// ackByte acknowledges a request read whole.
const ackByte = 'A'

// The hello each side sends first: magic then version (big-endian). The magic's first byte is
// above 0x40 on purpose: a worker of the earlier gob protocol reads it as the length of a frame
// over 1 GiB and exits at once, so a mismatched binary fails fast on both sides.
const (
	helloMagic      = "SVWK"
	protocolVersion = 4 // 1 was gob frames without a hello; 2 had no parsed messages; 3 no shared region
	helloSize       = 8
)

// Frame size limits.
const (
	frameHeader = 4
	// MaxRequestFrame bounds a request frame (the worker refuses larger ones and exits).
	MaxRequestFrame = 1 << 30
	// responseOverhead is what a response may hold beyond MaxOutputBytes of text (names, details,
	// page and block records).
	responseOverhead = 8 << 20
)

// maxResponse bounds a response frame for an output cap of maxOutput bytes of text: the worker
// keeps its responses within it, the parent refuses larger ones.
func maxResponse(maxOutput int) uint32 {
	if maxOutput <= 0 {
		maxOutput = DefaultMaxOutput
	}
	return uint32(min(int64(maxOutput)+responseOverhead, math.MaxUint32))
}

// codec encodes requests and responses into frames. frames.go is the protocol; the test files
// keep the earlier gob codec to compare the two (BenchmarkMessage).
type codec interface {
	// writeRequest writes req as one frame; scratch is reused for the header.
	writeRequest(w io.Writer, scratch *[]byte, req *Request) error
	// readRequest reads one request frame of at most max bytes; req.Data may alias *buf, which
	// is reused for the next request.
	readRequest(r *bufio.Reader, max uint32, buf *[]byte, req *Request) error
	// writeResponse writes docs, the answer to request id, as one frame of at most max bytes
	// (w is flushed by the caller).
	writeResponse(w *bufio.Writer, id uint32, docs []extract.Document, max uint32) error
	// readResponse reads the response to request id, a frame of at most max bytes.
	readResponse(r *bufio.Reader, max, id uint32) ([]extract.Document, error)
}

// errFrameTooLarge is returned when a frame's declared length is above the maximum; the frame
// body has not been read.
type errFrameTooLarge struct{ n, max uint32 }

func (e *errFrameTooLarge) Error() string {
	return fmt.Sprintf("frame of %d bytes larger than %d", e.n, e.max)
}

// errHandshake is a hello that is not ours: another program, or a worker binary of another
// protocol version.
type errHandshake struct{ got [helloSize]byte }

func (e *errHandshake) Error() string {
	if string(e.got[:4]) != helloMagic {
		return "worker protocol mismatch (no hello)"
	}
	return fmt.Sprintf("worker protocol mismatch (version %d, want %d)", binary.BigEndian.Uint32(e.got[4:]), protocolVersion)
}

// appendHello appends this side's hello.
func appendHello(b []byte) []byte {
	return binary.BigEndian.AppendUint32(append(b, helloMagic...), protocolVersion)
}

// readHello reads the other side's hello and checks it.
func readHello(r io.Reader) error {
	var h [helloSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return err
	}
	if string(h[:4]) != helloMagic || binary.BigEndian.Uint32(h[4:]) != protocolVersion {
		return &errHandshake{got: h}
	}
	return nil
}
