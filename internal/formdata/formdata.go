// Package formdata splits a multipart/form-data request body (RFC 7578) that is already in
// memory into its parts, without copying them: each part's content is a slice of the body.
//
// The add-in uploads attachments as binary parts beside the JSON request (instead of base64
// inside it): the service reads the body once, under its deadline and memory budget, and the
// attachments are then pieces of that one buffer. mime/multipart would copy every part again
// through a bufio.Reader (and keeps its own limits on part headers and memory); this package is
// written for the one case of a body that is already whole, so the bytes are never moved.
package formdata

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/textproto"
	"strings"
)

// Part is one part of the body. Data is a slice of the body given to Parse.
type Part struct {
	Name        string // the form field name (Content-Disposition name)
	FileName    string // the filename parameter, "" when absent
	ContentType string // media type without parameters, lower case; "" when absent
	Data        []byte
}

// Limits bound what Parse accepts.
const (
	// MaxParts bounds the parts of one body (a message with many attachments has a few hundred).
	MaxParts = 1000
	// MaxPartHeader bounds the header block of one part.
	MaxPartHeader = 8 << 10
	// maxBoundary is RFC 2046's limit on a boundary's length.
	maxBoundary = 70
)

// ErrInvalid is the error of a body that is not well-formed multipart/form-data.
var ErrInvalid = errors.New("formdata: malformed multipart/form-data body")

// Is says whether contentType is multipart/form-data, and returns its boundary.
func Is(contentType string) (boundary string, ok bool) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" {
		return "", false
	}
	return params["boundary"], true
}

// Parse splits body into its parts, in order. Part names need not be unique (the caller decides
// what a repeated name means). Anything before the first boundary (the preamble) and after the
// closing one (the epilogue) is ignored, as RFC 2046 says.
func Parse(body []byte, boundary string) ([]Part, error) {
	if boundary == "" || len(boundary) > maxBoundary {
		return nil, fmt.Errorf("%w: boundary missing or longer than %d characters", ErrInvalid, maxBoundary)
	}
	dash := []byte("--" + boundary)
	delim := []byte("\r\n--" + boundary)
	// The first boundary may start the body (no CRLF before it).
	var at int
	if bytes.HasPrefix(body, dash) {
		at = len(dash)
	} else {
		i := bytes.Index(body, delim)
		if i < 0 {
			return nil, fmt.Errorf("%w: no boundary", ErrInvalid)
		}
		at = i + len(delim)
	}
	var parts []Part
	for {
		rest := body[at:]
		if bytes.HasPrefix(rest, []byte("--")) {
			return parts, nil // the closing boundary
		}
		// Transport padding (spaces, tabs) may follow a boundary before its CRLF.
		rest = bytes.TrimLeft(rest, " \t")
		if !bytes.HasPrefix(rest, []byte("\r\n")) {
			return nil, fmt.Errorf("%w: boundary not followed by a line break", ErrInvalid)
		}
		rest = rest[2:]
		if len(parts) == MaxParts {
			return nil, fmt.Errorf("%w: more than %d parts", ErrInvalid, MaxParts)
		}
		// The header block ends at an empty line; a part without headers starts with one.
		// Lines may end in a bare LF, as mime/multipart (net/textproto) reads them.
		k, ok := pastEmptyLine(rest[:min(len(rest), MaxPartHeader+4)])
		if !ok {
			return nil, fmt.Errorf("%w: part header unterminated or longer than %d bytes", ErrInvalid, MaxPartHeader)
		}
		var head []byte
		if k > 2 { // header lines before the empty one (an empty first line is "\n" or "\r\n")
			head = rest[:k]
		}
		p, err := partHeader(head)
		if err != nil {
			return nil, err
		}
		// The data ends at the next delimiter. The empty line's break also serves as the line
		// break before a boundary right after it (an empty part), as mime/multipart reads it.
		data := rest[k:]
		var end, next int // the data's length, and where the boundary after it ends
		if bytes.HasPrefix(data, dash) {
			end, next = 0, len(dash)
		} else if end = bytes.Index(data, delim); end >= 0 {
			next = end + len(delim)
		} else {
			return nil, fmt.Errorf("%w: part without a closing boundary", ErrInvalid)
		}
		p.Data = data[:end:end] // capacity cut: an append by the caller never writes into the body
		parts = append(parts, p)
		at = len(body) - len(data) + next
	}
}

// pastEmptyLine returns the offset just after the first empty line of b (one ending in LF or
// CRLF with nothing before it), and whether there is one.
func pastEmptyLine(b []byte) (int, bool) {
	for at := 0; at < len(b); {
		nl := bytes.IndexByte(b[at:], '\n')
		if nl < 0 {
			return 0, false
		}
		if line := b[at : at+nl]; len(line) == 0 || len(line) == 1 && line[0] == '\r' {
			return at + nl + 1, true
		}
		at += nl + 1
	}
	return 0, false
}

// partHeader reads a part's Content-Disposition and Content-Type.
func partHeader(head []byte) (Part, error) {
	if len(head) == 0 {
		return Part{}, nil
	}
	h, err := textproto.NewReader(bufio.NewReader(bytes.NewReader(head))).ReadMIMEHeader()
	if err != nil {
		return Part{}, fmt.Errorf("%w: part header: %v", ErrInvalid, err)
	}
	var p Part
	if cd := h.Get("Content-Disposition"); cd != "" {
		disp, params, err := mime.ParseMediaType(cd)
		if err != nil || disp != "form-data" {
			return Part{}, fmt.Errorf("%w: part disposition is not form-data", ErrInvalid)
		}
		p.Name, p.FileName = params["name"], params["filename"]
	}
	if ct := h.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err == nil {
			p.ContentType = strings.ToLower(mt)
		}
	}
	return p, nil
}
