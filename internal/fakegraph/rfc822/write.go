// Package rfc822 writes a message.Message as an RFC 5322 message with MIME content: the fake
// Graph's $value of a message, and test messages. (The service itself never writes a message
// out to parse it again: an attached item from Graph goes to extraction as the converted
// message.)
//
// Only writing lives here; parsing is package message's. Headers are RFC 2047-encoded, file
// names RFC 2231-encoded (mime.FormatMediaType), bodies quoted-printable, attachments base64.
package rfc822

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"sort"
	"strings"

	"github.com/sendevagt/sendevagt/internal/message"
)

// maxLine is where header lines are folded and base64 lines broken (RFC 5322 recommends 78).
const maxLine = 76

// structural reports whether canonical header key k is written by Write itself and therefore
// never copied from Message.Header.
func structural(k string) bool {
	switch k {
	case "From", "To", "Cc", "Bcc", "Subject", "Mime-Version",
		"Content-Type", "Content-Transfer-Encoding", "Content-Disposition":
		return true
	}
	return false
}

// Bytes returns m written by Write.
func Bytes(m *message.Message) ([]byte, error) {
	var b bytes.Buffer
	if err := Write(&b, m); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Write writes m to w as an RFC 5322 message: From, To, Cc, Bcc, Subject, the custom "X-"
// fields of m.Header, then either a single text body or a multipart/mixed with every body
// (text/plain or text/html, UTF-8, quoted-printable) followed by the attachments. An attachment
// of type message/rfc822 is embedded as a message part; one with a parsed Message and no Data is
// written recursively. Attachments with Unread set have no content and are left out: the caller
// reports them itself.
func Write(w io.Writer, m *message.Message) error {
	return write(w, m, 0)
}

// maxNesting bounds the recursion through Attachment.Message.
const maxNesting = 32

func write(w io.Writer, m *message.Message, depth int) error {
	if depth > maxNesting {
		return fmt.Errorf("rfc822: attached messages nested deeper than %d", maxNesting)
	}
	bw := bufio.NewWriter(w)
	h := &headerWriter{w: bw}
	h.addresses("From", []message.Address{m.From})
	h.addresses("To", m.To)
	h.addresses("Cc", m.Cc)
	h.addresses("Bcc", m.Bcc)
	if m.Subject != "" {
		h.field("Subject", mime.QEncoding.Encode("utf-8", clean(m.Subject)))
	}
	h.custom(m.Header)
	h.field("MIME-Version", "1.0")

	atts := make([]message.Attachment, 0, len(m.Attachments))
	for _, a := range m.Attachments {
		if a.Unread == nil {
			atts = append(atts, a)
		}
	}
	if len(atts) == 0 && len(m.Bodies) <= 1 {
		body := message.Body{ContentType: "text/plain"}
		if len(m.Bodies) == 1 {
			body = m.Bodies[0]
		}
		h.field("Content-Type", textType(body.ContentType))
		h.field("Content-Transfer-Encoding", "quoted-printable")
		if err := h.end(); err != nil {
			return err
		}
		if err := writeQP(bw, body.Content); err != nil {
			return err
		}
		return bw.Flush()
	}

	mw := multipart.NewWriter(bw)
	h.field("Content-Type", mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": mw.Boundary()}))
	if err := h.end(); err != nil {
		return err
	}
	for _, b := range m.Bodies {
		if err := writeBody(mw, b); err != nil {
			return err
		}
	}
	for _, a := range atts {
		if err := writeAttachment(mw, a, depth); err != nil {
			return err
		}
	}
	if err := mw.Close(); err != nil {
		return fmt.Errorf("rfc822: %w", err)
	}
	return bw.Flush()
}

func textType(ct string) string {
	mt := "text/plain"
	if strings.EqualFold(ct, "text/html") {
		mt = "text/html"
	}
	return mime.FormatMediaType(mt, map[string]string{"charset": "utf-8"})
}

func writeBody(mw *multipart.Writer, b message.Body) error {
	ph := textproto.MIMEHeader{}
	ph.Set("Content-Type", textType(b.ContentType))
	ph.Set("Content-Transfer-Encoding", "quoted-printable")
	ph.Set("Content-Disposition", "inline")
	pw, err := mw.CreatePart(ph)
	if err != nil {
		return fmt.Errorf("rfc822: %w", err)
	}
	return writeQP(pw, b.Content)
}

func writeQP(w io.Writer, s string) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := io.WriteString(qp, s); err != nil {
		return fmt.Errorf("rfc822: %w", err)
	}
	if err := qp.Close(); err != nil {
		return fmt.Errorf("rfc822: %w", err)
	}
	return nil
}

func writeAttachment(mw *multipart.Writer, a message.Attachment, depth int) error {
	name := clean(a.Name)
	data := a.Data
	ct := strings.ToLower(a.ContentType)
	if a.Message != nil && len(data) == 0 {
		nested, err := nestedBytes(a.Message, depth)
		if err != nil {
			return err
		}
		data, ct = nested, "message/rfc822"
	}
	ph := textproto.MIMEHeader{}
	disp := "attachment"
	if name != "" {
		disp = mime.FormatMediaType("attachment", map[string]string{"filename": name})
	}
	ph.Set("Content-Disposition", disp)
	if ct == "message/rfc822" {
		// RFC 2046 §5.2.1: no base64 or quoted-printable for message/rfc822.
		ph.Set("Content-Type", "message/rfc822")
		ph.Set("Content-Transfer-Encoding", messageEncoding(data))
		pw, err := mw.CreatePart(ph)
		if err != nil {
			return fmt.Errorf("rfc822: %w", err)
		}
		if _, err := pw.Write(data); err != nil {
			return fmt.Errorf("rfc822: %w", err)
		}
		return nil
	}
	params := map[string]string{}
	if name != "" {
		params["name"] = name
	}
	ctype := mime.FormatMediaType(ct, params)
	if ctype == "" {
		ctype = mime.FormatMediaType("application/octet-stream", params)
	}
	ph.Set("Content-Type", ctype)
	ph.Set("Content-Transfer-Encoding", "base64")
	pw, err := mw.CreatePart(ph)
	if err != nil {
		return fmt.Errorf("rfc822: %w", err)
	}
	return writeBase64(pw, data)
}

func nestedBytes(m *message.Message, depth int) ([]byte, error) {
	var b bytes.Buffer
	if err := write(&b, m, depth+1); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// messageEncoding is the transfer encoding that labels data truthfully: 7bit for short-lined
// ASCII (what Write produces), else 8bit, or binary when it holds NUL bytes or over-long lines.
func messageEncoding(data []byte) string {
	enc := "7bit"
	lineLen := 0
	for _, c := range data {
		switch {
		case c == '\n':
			lineLen = 0
			continue
		case c == 0:
			return "binary"
		case c >= 0x80:
			enc = "8bit"
		}
		lineLen++
		if lineLen > 998 {
			return "binary"
		}
	}
	return enc
}

func writeBase64(w io.Writer, data []byte) error {
	const chunk = maxLine / 4 * 3 // 57 bytes → 76 base64 characters
	line := make([]byte, base64.StdEncoding.EncodedLen(chunk)+2)
	for len(data) > 0 {
		n := min(chunk, len(data))
		k := base64.StdEncoding.EncodedLen(n)
		base64.StdEncoding.Encode(line, data[:n])
		line[k], line[k+1] = '\r', '\n'
		if _, err := w.Write(line[:k+2]); err != nil {
			return fmt.Errorf("rfc822: %w", err)
		}
		data = data[n:]
	}
	return nil
}

// headerWriter writes folded header fields and remembers the first write error.
type headerWriter struct {
	w   *bufio.Writer
	err error
}

func (h *headerWriter) addresses(name string, list []message.Address) {
	parts := make([]string, 0, len(list))
	for _, a := range list {
		addr := clean(a.Address)
		if addr == "" {
			continue // a display name alone is not an address
		}
		parts = append(parts, (&mail.Address{Name: clean(a.Name), Address: addr}).String())
	}
	if len(parts) > 0 {
		h.field(name, strings.Join(parts, ", "))
	}
}

// custom copies the non-structural "X-" fields of hdr (sorted, values with control characters
// cleaned, non-ASCII values RFC 2047-encoded).
func (h *headerWriter) custom(hdr textproto.MIMEHeader) {
	keys := make([]string, 0, len(hdr))
	for k := range hdr {
		ck := textproto.CanonicalMIMEHeaderKey(k)
		if strings.HasPrefix(ck, "X-") && !structural(ck) && validFieldName(ck) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range hdr[k] {
			h.field(textproto.CanonicalMIMEHeaderKey(k), mime.QEncoding.Encode("utf-8", clean(v)))
		}
	}
}

func validFieldName(s string) bool {
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f || c == ':' {
			return false
		}
	}
	return s != ""
}

// field writes "Name: value", folding at spaces so that lines stay near maxLine characters.
func (h *headerWriter) field(name, value string) {
	if h.err != nil {
		return
	}
	var b strings.Builder
	b.WriteString(name)
	b.WriteString(":")
	lineLen := b.Len()
	for i, word := range strings.Split(value, " ") {
		if i > 0 && lineLen+1+len(word) > maxLine {
			b.WriteString("\r\n")
			lineLen = 0
		}
		b.WriteString(" ")
		b.WriteString(word)
		lineLen += 1 + len(word)
	}
	b.WriteString("\r\n")
	_, h.err = h.w.WriteString(b.String())
}

func (h *headerWriter) end() error {
	if h.err == nil {
		_, h.err = h.w.WriteString("\r\n")
	}
	if h.err != nil {
		return fmt.Errorf("rfc822: %w", h.err)
	}
	return nil
}

// clean turns control characters (CR, LF, tabs, NUL) into spaces so that a value cannot end or
// inject a header field.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
