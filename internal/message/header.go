package message

import (
	"bytes"
	"mime"
	"net/textproto"
	"strings"
)

// readHeader splits an entity into its header fields and its body. It is lenient where
// net/textproto is strict: a leading mbox "From " line is skipped, and a line that is neither
// a field, a continuation nor blank ends the header and starts the body instead of failing.
// Values are raw (unfolded, trimmed, not RFC 2047-decoded); keys are canonical.
// At most maxFields fields are read; exceeded reports that more were present.
func readHeader(b []byte, maxFields int) (h textproto.MIMEHeader, body []byte, exceeded bool) {
	h = make(textproto.MIMEHeader)
	var key string
	var value []byte
	flush := func() {
		if key != "" {
			h[key] = append(h[key], string(value))
		}
		key, value = "", value[:0]
	}
	fields := 0
	for pos := 0; pos < len(b); {
		line, next := b[pos:], len(b)
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line, next = line[:i], pos+i+1
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		switch {
		case len(line) == 0:
			flush()
			return h, b[next:], false
		case line[0] == ' ' || line[0] == '\t':
			if key == "" {
				flush()
				return h, b[pos:], false
			}
			if more := bytes.TrimSpace(line); len(more) > 0 {
				value = append(append(value, ' '), more...)
			}
		default:
			k, v, ok := splitField(line)
			if !ok {
				if pos == 0 && bytes.HasPrefix(line, []byte("From ")) {
					break // mbox separator line
				}
				flush()
				return h, b[pos:], false
			}
			flush()
			if fields++; fields > maxFields {
				return h, b[pos:], true
			}
			key, value = textproto.CanonicalMIMEHeaderKey(k), append(value, v...)
		}
		pos = next
	}
	flush()
	return h, nil, false
}

// splitField splits "Key: value" into its key and trimmed value. A key is printable ASCII
// without a colon; white space before the colon is tolerated.
func splitField(line []byte) (string, []byte, bool) {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return "", nil, false
	}
	key := bytes.TrimRight(line[:i], " \t")
	if len(key) == 0 {
		return "", nil, false
	}
	for _, c := range key {
		if c <= ' ' || c >= 0x7f {
			return "", nil, false
		}
	}
	return string(key), bytes.TrimSpace(line[i+1:]), true
}

// newWordDecoder returns an RFC 2047 decoder that knows every charset x/text knows.
func newWordDecoder() *mime.WordDecoder {
	return &mime.WordDecoder{CharsetReader: charsetReader}
}

// decodeHeaderText turns a raw header value into UTF-8 text: raw 8-bit bytes are read as
// UTF-8 or windows-1252, and RFC 2047 encoded words are decoded. A malformed encoded word is
// left as it is.
func decodeHeaderText(dec *mime.WordDecoder, raw string) string {
	s := utf8OrWindows1252([]byte(raw))
	if !strings.Contains(s, "=?") {
		return s
	}
	decoded, err := dec.DecodeHeader(s)
	if err != nil {
		return s
	}
	// UTF-8 encoded words are copied unchecked by mime.WordDecoder.
	return utf8OrWindows1252([]byte(decoded))
}
