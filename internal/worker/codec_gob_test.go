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

// gobCodec is the protocol before version 2 (gob frames, a fresh encoder per frame), kept only
// to measure the raw frames against it in one run (BenchmarkMessage).
type gobCodec struct{}

// gobResponse was the response frame of the gob protocol.
type gobResponse struct {
	Documents []extract.Document
}

func (gobCodec) writeRequest(w io.Writer, _ *[]byte, req *Request) error {
	var buf bytes.Buffer
	return gobWriteFrame(w, &buf, req)
}

func (gobCodec) readRequest(r *bufio.Reader, max uint32, _ *[]byte, req *Request) error {
	*req = Request{}
	return gobReadFrame(r, max, req)
}

func (gobCodec) writeResponse(w *bufio.Writer, _ uint32, docs []extract.Document, _ uint32) error {
	var buf bytes.Buffer
	return gobWriteFrame(w, &buf, &gobResponse{Documents: docs})
}

func (gobCodec) readResponse(r *bufio.Reader, max, _ uint32) ([]extract.Document, error) {
	var resp gobResponse
	err := gobReadFrame(r, max, &resp)
	return resp.Documents, err
}

// gobWriteFrame gob-encodes v into buf and writes it as one frame with a single Write.
func gobWriteFrame(w io.Writer, buf *bytes.Buffer, v any) error {
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

// gobReadFrame reads one frame of at most max bytes and gob-decodes it into v.
func gobReadFrame(r *bufio.Reader, max uint32, v any) error {
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
