// Package worker runs attachment extraction in isolated worker processes (DESIGN.md "Isolation
// for untrusted files", EXTRACT.md §3). A worker is the sendevagt binary started as
// `sendevagt worker`: it reads requests from stdin and writes responses to stdout, one document
// at a time, for as long as it lives, under an address-space limit. The parent's Pool hands each
// document to a free worker, kills a worker's whole process group when a document overruns its
// time limit, and replaces workers that die. A crash, hang or memory blow-up costs one document
// (Unscannable), never the service.
//
// Protocol: each message is a frame, a 4-byte big-endian length followed by that many bytes of
// gob (a fresh encoder per frame, so every frame stands alone). Parent → worker: Request;
// worker → parent: the byte ackByte as soon as the request has been read whole, then the
// Response. One request, then its ack and response, strictly alternating. The ack tells a worker
// that died while idle (its document may be retried on a fresh worker) from one that died on the
// document (Unscannable).
package worker

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"io"

	"github.com/sendevagt/sendevagt/internal/extract"
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
}

// Response is the worker's answer: what extract.Extractor.Extract returned, output-capped.
type Response struct {
	Documents []extract.Document
}

// ackByte acknowledges a request read whole.
const ackByte = 'A'

// Frame size limits.
const (
	frameHeader = 4
	// MaxRequestFrame bounds a request frame (the worker refuses larger ones and exits).
	MaxRequestFrame = 1 << 30
	// responseOverhead is what a response may hold beyond MaxOutputBytes of text (names, details).
	responseOverhead = 8 << 20
)

// errFrameTooLarge is returned by readFrame when the declared length is above the maximum; the
// frame body has not been read.
type errFrameTooLarge struct{ n, max uint32 }

func (e *errFrameTooLarge) Error() string {
	return fmt.Sprintf("frame of %d bytes larger than %d", e.n, e.max)
}

// writeFrame gob-encodes v into buf and writes it as one frame with a single Write.
func writeFrame(w io.Writer, buf *bytes.Buffer, v any) error {
	buf.Reset()
	buf.Write([]byte{0, 0, 0, 0})
	if err := gob.NewEncoder(buf).Encode(v); err != nil {
		return fmt.Errorf("encoding frame: %w", err)
	}
	b := buf.Bytes()
	n := len(b) - frameHeader
	if n > MaxRequestFrame {
		return &errFrameTooLarge{n: uint32(min(n, 1<<32-1)), max: MaxRequestFrame}
	}
	binary.BigEndian.PutUint32(b, uint32(n))
	_, err := w.Write(b)
	return err
}

// readFrame reads one frame of at most max bytes and gob-decodes it into v. io.EOF means the
// stream ended cleanly before a frame; io.ErrUnexpectedEOF a frame cut short.
func readFrame(r *bufio.Reader, max uint32, v any) error {
	var h [frameHeader]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return err
	}
	n := binary.BigEndian.Uint32(h[:])
	if n > max {
		return &errFrameTooLarge{n: n, max: max}
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("decoding frame: %w", err)
	}
	br := bytes.NewReader(body)
	if err := gob.NewDecoder(br).Decode(v); err != nil {
		return fmt.Errorf("decoding frame: %w", err)
	}
	if br.Len() != 0 {
		return errors.New("decoding frame: trailing bytes")
	}
	return nil
}
