package worker

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
	"unsafe"

	"github.com/sendevagt/sendevagt/internal/extract"
)

// rawCodec is the worker protocol's frame layout. Every frame is a 4-byte big-endian length of
// the rest, then (integers little-endian, strings as raw bytes whose lengths come before them):
//
//	request:  'Q', flags (bit 0: Inline, bit 1: Message, bit 2: Shared), 0, 0, u32 id,
//	          u32 len(name), u32 len(contentType), 12 × i64 (MaxOutputBytes, then the Limits
//	          fields in limitWords order), name, contentType, and as the rest of the frame the
//	          attachment's bytes, or with bit 1 an already parsed email (message.go has its
//	          encoding). With bit 2 the rest of the frame is a u64 length instead, and those
//	          bytes are at the start of the worker's shared region (shared_linux.go).
//	response: 'D', 0, 0, 0, u32 id (the request's), u32 number of documents, then per document
//	          u32 len(name), len(type), len(status), len(detail), flags (bit 0: Truncated), 0, 0, 0,
//	          i64 depth, u32 number of pages, name, type, status, detail, then per page
//	          i64 number, u32 len(text), u32 number of blocks, text, and the blocks as records of
//	          blockSize bytes: u32 start, u32 end, kind (index in blockKinds), hasBox, 6 × 0,
//	          f64 x0, y0, x1, y1.
//
// It is written by hand because the point is to move the bytes once: the attachment is
// copied into the worker's shared region (or, without one, written from the caller's slice and
// read into one reused buffer), the response's text is written from the page strings and read
// as one string that the pages share.
type rawCodec struct {
	// shared is the request region of this worker (nil: requests carry their bytes in the
	// pipe): writable on the parent's side, read-only on the worker's.
	shared []byte
}

const (
	requestFixed = 16 + 12*8
	docFixed     = 32
	pageFixed    = 16
	blockSize    = 48
	// smallRequest: attachments up to this size go out in the same write as the header.
	smallRequest = 32 << 10
)

var le = binary.LittleEndian

// blockKinds are the block kinds the protocol carries, by their index.
var blockKinds = [...]extract.BlockKind{extract.BlockBody, extract.BlockHeader, extract.BlockFooter, extract.BlockTable, extract.BlockTextBox}

// statuses are the document statuses a response may hold ("" becomes Unscannable in checked).
var statuses = [...]extract.Status{"", extract.Scanned, extract.Encrypted, extract.Unscannable, extract.Unsupported, extract.TooLarge}

// limitWords are a request's numeric fields in frame order; setLimitWords is its inverse.
func limitWords(req *Request) [12]int64 {
	l := req.Limits
	return [12]int64{int64(req.MaxOutputBytes), l.MaxDocumentBytes, l.MaxTotalBytes, int64(l.MaxEntries), l.MaxRatio,
		int64(l.MaxDepth), int64(l.MaxPages), int64(l.MaxTextBytes), int64(l.Timeout), int64(l.MaxOCRPages),
		int64(l.OCRPageTimeout), l.MaxImagePixels}
}

func setLimitWords(req *Request, w [12]int64) {
	l := &req.Limits
	req.MaxOutputBytes = int(w[0])
	l.MaxDocumentBytes, l.MaxTotalBytes, l.MaxEntries, l.MaxRatio = w[1], w[2], int(w[3]), w[4]
	l.MaxDepth, l.MaxPages, l.MaxTextBytes, l.Timeout, l.MaxOCRPages = int(w[5]), int(w[6]), int(w[7]), time.Duration(w[8]), int(w[9])
	l.OCRPageTimeout, l.MaxImagePixels = time.Duration(w[10]), w[11]
}

func (c rawCodec) writeRequest(w io.Writer, scratch *[]byte, req *Request) error {
	data := req.Data
	var flags byte
	if req.Inline {
		flags |= 1
	}
	if req.Message != nil {
		flags |= 2
		if size := messageSize(req.Message); size > smallRequest && size <= len(c.shared) {
			data = appendMessage(c.shared[:0], req.Message) // encoded straight into the region
		} else {
			data = appendMessage(make([]byte, 0, size), req.Message)
		}
	}
	shared := false
	switch {
	case len(data) <= smallRequest || len(data) > len(c.shared):
	case unsafe.SliceData(data) == unsafe.SliceData(c.shared):
		shared = true
	default:
		copy(c.shared, data)
		shared = true
	}
	payload := len(data)
	if shared {
		flags |= 4
		payload = 8
	}
	n := requestFixed + len(req.Name) + len(req.ContentType) + payload
	if n > MaxRequestFrame {
		return &errFrameTooLarge{n: uint32(min(n, math.MaxUint32)), max: MaxRequestFrame}
	}
	b := binary.BigEndian.AppendUint32((*scratch)[:0], uint32(n))
	b = append(b, 'Q', flags, 0, 0)
	b = le.AppendUint32(b, req.ID)
	b = le.AppendUint32(b, uint32(len(req.Name)))
	b = le.AppendUint32(b, uint32(len(req.ContentType)))
	for _, v := range limitWords(req) {
		b = le.AppendUint64(b, uint64(v))
	}
	b = append(b, req.Name...)
	b = append(b, req.ContentType...)
	if shared {
		b, data = le.AppendUint64(b, uint64(len(data))), nil
	} else if len(data) <= smallRequest {
		b, data = append(b, data...), nil
	}
	*scratch = b
	if _, err := w.Write(b); err != nil {
		return err
	}
	if len(data) > 0 {
		_, err := w.Write(data) // straight from the caller's slice
		return err
	}
	return nil
}

// readLength reads a frame's length, at most max. io.EOF means the stream ended cleanly before
// a frame.
func readLength(r *bufio.Reader, max uint32) (uint32, error) {
	var h [frameHeader]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, err
	}
	n := binary.BigEndian.Uint32(h[:])
	if n > max {
		return 0, &errFrameTooLarge{n: n, max: max}
	}
	return n, nil
}

// readBody reads a frame body of n bytes into b.
func readBody(r *bufio.Reader, b []byte) error {
	if _, err := io.ReadFull(r, b); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("decoding frame: %w", err)
	}
	return nil
}

var errGarbled = errors.New("decoding frame: malformed")

func (c rawCodec) readRequest(r *bufio.Reader, max uint32, buf *[]byte, req *Request) error {
	n, err := readLength(r, max)
	if err != nil {
		return err
	}
	if uint32(cap(*buf)) < n {
		*buf = make([]byte, n) // exact size: no doubling beyond what the length prefix says
	}
	b := (*buf)[:n]
	if err := readBody(r, b); err != nil {
		return err
	}
	if len(b) < requestFixed || b[0] != 'Q' || b[1] > 7 || b[2] != 0 || b[3] != 0 {
		return errGarbled
	}
	nameLen, ctLen := uint64(le.Uint32(b[8:])), uint64(le.Uint32(b[12:]))
	if nameLen+ctLen > uint64(len(b)-requestFixed) {
		return errGarbled
	}
	var words [12]int64
	for i := range words {
		words[i] = int64(le.Uint64(b[16+8*i:]))
	}
	*req = Request{Inline: b[1]&1 != 0, ID: le.Uint32(b[4:])}
	setLimitWords(req, words)
	rest := b[requestFixed:]
	req.Name, rest = string(rest[:nameLen]), rest[nameLen:]
	req.ContentType, rest = string(rest[:ctLen]), rest[ctLen:]
	if b[1]&4 != 0 { // the bytes are in the shared region
		if c.shared == nil || len(rest) != 8 || le.Uint64(rest) > uint64(len(c.shared)) {
			return errGarbled
		}
		n := le.Uint64(rest)
		rest = c.shared[:n:n]
	}
	if b[1]&2 == 0 {
		req.Data = rest
		return nil
	}
	mr := &respReader{b: rest}
	if req.Message = mr.readMessage(0); mr.bad || mr.left() != 0 {
		return errGarbled
	}
	return nil
}

// carriedBlocks are the blocks of p the protocol carries: all of them, or none when one does not
// fit the page's text or has a kind it does not know (a page without blocks is read as flowing
// text, which is what nil Blocks mean).
func carriedBlocks(p *extract.Page) []extract.Block {
	for _, bl := range p.Blocks {
		if bl.Start < 0 || bl.Start > bl.End || bl.End > len(p.Text) || kindIndex(bl.Kind) < 0 {
			return nil
		}
	}
	return p.Blocks
}

func kindIndex(k extract.BlockKind) int {
	for i, bk := range blockKinds {
		if bk == k {
			return i
		}
	}
	return -1
}

// responseSize is the size of docs' response frame body, with or without the blocks.
func responseSize(docs []extract.Document, withBlocks bool) int {
	n := 12
	for i := range docs {
		d := &docs[i]
		n += docFixed + len(d.Name) + len(d.Type) + len(d.Status) + len(d.Detail)
		for j := range d.Pages {
			p := &d.Pages[j]
			n += pageFixed + len(p.Text)
			if withBlocks {
				n += blockSize * len(carriedBlocks(p))
			}
		}
	}
	return n
}

// writeResponse writes docs as one frame. When the block records would take the frame over max
// (text at the output cap laid out in very many blocks), the pages go without their blocks,
// as flowing text, rather than the document being lost.
func (rawCodec) writeResponse(w *bufio.Writer, id uint32, docs []extract.Document, max uint32) error {
	withBlocks := true
	n := responseSize(docs, true)
	if n > int(max) {
		withBlocks, n = false, responseSize(docs, false)
	}
	if n > int(max) {
		return &errFrameTooLarge{n: uint32(min(n, math.MaxUint32)), max: max}
	}
	var rec [blockSize]byte
	b := binary.BigEndian.AppendUint32(rec[:0], uint32(n))
	b = append(b, 'D', 0, 0, 0)
	b = le.AppendUint32(b, id)
	b = le.AppendUint32(b, uint32(len(docs)))
	w.Write(b)
	for i := range docs {
		d := &docs[i]
		b = le.AppendUint32(rec[:0], uint32(len(d.Name)))
		b = le.AppendUint32(b, uint32(len(d.Type)))
		b = le.AppendUint32(b, uint32(len(d.Status)))
		b = le.AppendUint32(b, uint32(len(d.Detail)))
		var flags byte
		if d.Truncated {
			flags |= 1
		}
		b = append(b, flags, 0, 0, 0)
		b = le.AppendUint64(b, uint64(int64(d.Depth)))
		b = le.AppendUint32(b, uint32(len(d.Pages)))
		w.Write(b)
		w.WriteString(d.Name)
		w.WriteString(d.Type)
		w.WriteString(string(d.Status))
		w.WriteString(d.Detail)
		for j := range d.Pages {
			p := &d.Pages[j]
			var blocks []extract.Block
			if withBlocks {
				blocks = carriedBlocks(p)
			}
			b = le.AppendUint64(rec[:0], uint64(int64(p.Number)))
			b = le.AppendUint32(b, uint32(len(p.Text)))
			b = le.AppendUint32(b, uint32(len(blocks)))
			w.Write(b)
			w.WriteString(p.Text) // large texts go straight to the pipe (bufio writes them through)
			for _, bl := range blocks {
				b = le.AppendUint32(rec[:0], uint32(bl.Start))
				b = le.AppendUint32(b, uint32(bl.End))
				var box byte
				if bl.HasBox {
					box = 1
				}
				b = append(b, byte(kindIndex(bl.Kind)), box, 0, 0, 0, 0, 0, 0)
				for _, f := range [4]float64{bl.X0, bl.Y0, bl.X1, bl.Y1} {
					b = le.AppendUint64(b, math.Float64bits(f))
				}
				w.Write(b)
			}
		}
	}
	return nil // write errors stay in w and come from the caller's Flush
}

// respReader walks a response body; every read is bounds-checked, so garbage gives an error,
// never a panic or a huge allocation.
type respReader struct {
	b   []byte // the body
	s   string // the same memory as b, shared by every string of the response
	off int
	bad bool
}

func (r *respReader) take(n uint64) (int, bool) {
	if r.bad || n > uint64(len(r.b)-r.off) {
		r.bad = true
		return 0, false
	}
	at := r.off
	r.off += int(n)
	return at, true
}

func (r *respReader) u32() uint64 {
	at, ok := r.take(4)
	if !ok {
		return 0
	}
	return uint64(le.Uint32(r.b[at:]))
}

func (r *respReader) u64() uint64 {
	at, ok := r.take(8)
	if !ok {
		return 0
	}
	return le.Uint64(r.b[at:])
}

func (r *respReader) bytes(n int) []byte {
	at, ok := r.take(uint64(n))
	if !ok {
		return nil
	}
	return r.b[at : at+n]
}

func (r *respReader) str(n uint64) string {
	at, ok := r.take(n)
	if !ok {
		return ""
	}
	return r.s[at : at+int(n)]
}

// left is how many bytes remain.
func (r *respReader) left() uint64 { return uint64(len(r.b) - r.off) }

func (rawCodec) readResponse(br *bufio.Reader, max, id uint32) ([]extract.Document, error) {
	n, err := readLength(br, max)
	if err != nil {
		return nil, err
	}
	body := make([]byte, n)
	if err := readBody(br, body); err != nil {
		return nil, err
	}
	// Every string of the response (texts, names) is a piece of the body: the body is read
	// once from the pipe and never written again, so the strings can share its memory instead
	// of a copy (for 5 MB of text the copy cost more than the rest of the decoding).
	r := &respReader{b: body, s: unsafe.String(unsafe.SliceData(body), len(body))}
	if h := r.bytes(4); r.bad || string(h) != "D\x00\x00\x00" || uint32(r.u32()) != id {
		return nil, errGarbled
	}
	ndocs := r.u32()
	if ndocs > r.left()/docFixed {
		return nil, errGarbled
	}
	docs := make([]extract.Document, ndocs)
	for i := range docs {
		d := &docs[i]
		nameLen, typeLen, statusLen, detailLen := r.u32(), r.u32(), r.u32(), r.u32()
		flags := r.bytes(4)
		d.Depth = int(int64(r.u64()))
		npages := r.u32()
		d.Name, d.Type, d.Status, d.Detail = r.str(nameLen), r.str(typeLen), extract.Status(r.str(statusLen)), r.str(detailLen)
		if r.bad || flags[0] > 1 || flags[1]|flags[2]|flags[3] != 0 || !knownStatus(d.Status) || npages > r.left()/pageFixed {
			return nil, errGarbled
		}
		d.Truncated = flags[0] == 1
		if npages > 0 {
			d.Pages = make([]extract.Page, npages)
		}
		for j := range d.Pages {
			p := &d.Pages[j]
			p.Number = int(int64(r.u64()))
			textLen, nblocks := r.u32(), r.u32()
			p.Text = r.str(textLen)
			if r.bad || nblocks > r.left()/blockSize {
				return nil, errGarbled
			}
			if nblocks > 0 {
				p.Blocks = make([]extract.Block, nblocks)
			}
			for k := range p.Blocks {
				rec := r.bytes(blockSize)
				bl := &p.Blocks[k]
				bl.Start, bl.End = int(le.Uint32(rec)), int(le.Uint32(rec[4:]))
				kind, box := rec[8], rec[9]
				if bl.Start > bl.End || bl.End > len(p.Text) || int(kind) >= len(blockKinds) || box > 1 || !zero(rec[10:16]) {
					return nil, errGarbled
				}
				bl.Kind, bl.HasBox = blockKinds[kind], box == 1
				bl.X0 = math.Float64frombits(le.Uint64(rec[16:]))
				bl.Y0 = math.Float64frombits(le.Uint64(rec[24:]))
				bl.X1 = math.Float64frombits(le.Uint64(rec[32:]))
				bl.Y1 = math.Float64frombits(le.Uint64(rec[40:]))
			}
		}
	}
	if r.bad || r.left() != 0 {
		return nil, errGarbled
	}
	return docs, nil
}

func knownStatus(s extract.Status) bool {
	for _, k := range statuses {
		if k == s {
			return true
		}
	}
	return false
}

func zero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
