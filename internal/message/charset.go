package message

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// decodeText converts text in the named charset to UTF-8. It never fails: an unknown or
// missing charset is read as UTF-8, and bytes that are not valid UTF-8 are read as
// windows-1252, so no byte is lost.
func decodeText(b []byte, label string) string {
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	label = normalizeCharset(label)
	switch label {
	case "", "us-ascii", "ascii", "utf-8", "utf8", "unicode-1-1-utf-8", "unknown-8bit", "x-unknown":
		return utf8OrWindows1252(b)
	}
	enc := lookupEncoding(label)
	if enc == nil {
		return utf8OrWindows1252(b)
	}
	// Mail labelled Latin-1 that is in fact valid UTF-8 with non-ASCII characters is
	// mislabelled: Danish Latin-1 text practically never forms valid UTF-8 sequences.
	if isWestern(enc) && utf8.Valid(b) {
		return string(b)
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return utf8OrWindows1252(b)
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

// normalizeCharset lower-cases a charset label and strips quotes and an RFC 2231 language
// suffix ("utf-8*da").
func normalizeCharset(label string) string {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	if i := strings.IndexByte(label, '*'); i >= 0 {
		label = label[:i]
	}
	return strings.TrimSpace(label)
}

// lookupEncoding finds a decoder for a charset label, WHATWG labels first, then IANA names.
// It returns nil when the label is unknown or only has the lossy "replacement" decoder.
func lookupEncoding(label string) encoding.Encoding {
	if enc, err := htmlindex.Get(label); err == nil && enc != encoding.Replacement {
		return enc
	}
	if enc, err := ianaindex.MIME.Encoding(label); err == nil && enc != nil {
		return enc
	}
	if enc, err := ianaindex.IANA.Encoding(label); err == nil && enc != nil {
		return enc
	}
	return nil
}

func isWestern(enc encoding.Encoding) bool {
	return enc == charmap.Windows1252 || enc == charmap.ISO8859_1 || enc == charmap.ISO8859_15
}

// utf8OrWindows1252 returns b as UTF-8, decoding each byte that is not part of a valid UTF-8
// sequence as windows-1252.
func utf8OrWindows1252(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/2)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			r = charmap.Windows1252.DecodeByte(b[0])
		}
		sb.WriteRune(r)
		b = b[size:]
	}
	return sb.String()
}

// charsetReader is the mime.WordDecoder hook for charsets other than utf-8, iso-8859-1 and
// us-ascii. It never fails.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(input)
	if err != nil {
		return nil, err
	}
	return strings.NewReader(decodeText(b, label)), nil
}
