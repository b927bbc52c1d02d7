package message

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"mime"
)

// Limits applied by Parse.
const (
	// DefaultMaxBytes is the largest message Parse accepts (and ParseReader by default).
	DefaultMaxBytes = 150 << 20
	// MaxDepth is how deeply multiparts may nest: the message itself is at depth 0.
	MaxDepth = 20
	// MaxParts is the most MIME entities (the message itself included) read from a message.
	MaxParts = 5000
	// maxHeaderFields is the most header fields read from a message, all entities together.
	maxHeaderFields = 50000
)

// limits are the bounds of one parse; tests shrink them.
type limits struct {
	maxBytes  int64
	maxDepth  int
	maxParts  int
	maxFields int
}

func defaultLimits(maxBytes int64) limits {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	return limits{maxBytes: maxBytes, maxDepth: MaxDepth, maxParts: MaxParts, maxFields: maxHeaderFields}
}

// Parse reads an RFC 5322 message with MIME content (an .eml file) into a Message: the
// addresses and subject decoded to UTF-8, the readable bodies, and every attachment decoded
// from its transfer encoding. Attached messages (message/rfc822) are kept whole as
// attachments, not parsed. S/MIME sets Encrypted or Signed.
//
// Parse is lenient: odd headers, broken address lists, bad base64 and unknown charsets give
// best-effort results, never an error. It fails with ErrTooLarge (input above
// DefaultMaxBytes; no Message), ErrMalformed (no header at all; no Message), ErrTooComplex
// (nesting, part or header-field limits; the Message returned holds what was parsed before) or
// ErrCorrupt (a MIME part could not be separated; the Message holds everything, read as well
// as it could be). White space and a byte order mark before the header are skipped.
// Attachment data may share memory with data.
func Parse(data []byte) (*Message, error) {
	return parse(data, defaultLimits(DefaultMaxBytes))
}

// ParseReader reads at most maxBytes (DefaultMaxBytes when maxBytes <= 0) from r and parses
// them like Parse. A longer input fails with ErrTooLarge without being read to the end.
func ParseReader(r io.Reader, maxBytes int64) (*Message, error) {
	lim := defaultLimits(maxBytes)
	data, err := io.ReadAll(io.LimitReader(r, min(lim.maxBytes, math.MaxInt64-1)+1))
	if err != nil {
		return nil, fmt.Errorf("message: read: %w", err)
	}
	return parse(data, lim)
}

func parse(data []byte, lim limits) (*Message, error) {
	if int64(len(data)) > lim.maxBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, lim.maxBytes)
	}
	data = trimLeadingSpace(data)
	p := &parser{lim: lim, dec: newWordDecoder(), parts: 1}
	header, body, err := p.readHeader(data)
	if len(header) == 0 {
		return nil, fmt.Errorf("%w: no header fields", ErrMalformed)
	}
	msg := &Message{
		From:    firstAddress(parseAddressHeaders(p.dec, header["From"])),
		To:      parseAddressHeaders(p.dec, header["To"]),
		Cc:      parseAddressHeaders(p.dec, header["Cc"]),
		Bcc:     parseAddressHeaders(p.dec, header["Bcc"]),
		Subject: decodeHeaderText(p.dec, header.Get("Subject")),
		Header:  header,
	}
	var out sink
	if err == nil {
		err = p.walk(entity{header: header, body: body, topLevel: true}, &out)
	}
	msg.Bodies, msg.Attachments = out.bodies, out.attachments
	markInline(msg)
	msg.Encrypted, msg.Signed = p.encrypted, p.signed
	if err == nil && p.damaged != "" {
		err = fmt.Errorf("%w: %s", ErrCorrupt, p.damaged)
	}
	return msg, err
}

// trimLeadingSpace drops byte order marks, blank lines and lines of spaces before the header:
// real files start with them, and no header field starts with white space.
func trimLeadingSpace(data []byte) []byte {
	for {
		n := len(data)
		data = bytes.TrimPrefix(data, []byte("\ufeff"))
		data = bytes.TrimLeft(data, " \t\r\n")
		if len(data) == n {
			return data
		}
	}
}

func firstAddress(list []Address) Address {
	if len(list) == 0 {
		return Address{}
	}
	return list[0]
}

// parser holds the state of one Parse call.
type parser struct {
	lim       limits
	dec       *mime.WordDecoder
	parts     int // entities read so far
	fields    int // header fields read so far
	unnamed   int // attachments named by us so far
	encrypted bool
	signed    bool
	// damaged says why part of the message could not be separated ("" when all could).
	damaged string
}

// damageUnseparated is the reason ErrCorrupt gives for a part that could not be separated.
const damageUnseparated = "a MIME part could not be separated"

// damage notes that part of the message is damaged; the first reason is kept.
func (p *parser) damage(reason string) {
	if p.damaged == "" {
		p.damaged = reason
	}
}
