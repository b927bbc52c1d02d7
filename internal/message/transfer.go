package message

import (
	"bytes"
	"encoding/base64"
	"strings"
)

// decodeTransfer undoes a Content-Transfer-Encoding. It is lenient: damaged input yields the
// bytes that could be recovered, and an unknown encoding returns the bytes unchanged.
func decodeTransfer(encoding string, body []byte) []byte {
	switch transferName(encoding) {
	case "base64":
		return decodeBase64(body)
	case "quoted-printable":
		return decodeQuotedPrintable(body)
	case "x-uuencode", "uuencode", "x-uue", "uue":
		return decodeUU(body)
	default: // 7bit, 8bit, binary, missing or unknown
		return body[:len(body):len(body)] // shared with the input: appending must copy
	}
}

// transferName is a Content-Transfer-Encoding's lower-case name, quotes and space removed.
func transferName(encoding string) string {
	return strings.ToLower(strings.Trim(strings.TrimSpace(encoding), `"'`))
}

// isIdentityEncoding reports whether decodeTransfer leaves a body as it is.
func isIdentityEncoding(encoding string) bool {
	switch transferName(encoding) {
	case "base64", "quoted-printable", "x-uuencode", "uuencode", "x-uue", "uue":
		return false
	}
	return true
}

// decodeUU decodes a uuencoded body (Content-Transfer-Encoding: x-uuencode, written by old
// mail programs): the lines after "begin mode name" up to "end", each a length character
// and groups of four characters for three bytes. Damaged lines yield what they hold; without
// a "begin" line followed by data lines the body is returned unchanged.
func decodeUU(body []byte) []byte {
	i := bytes.Index(body, []byte("begin "))
	if i < 0 || i > 0 && body[i-1] != '\n' {
		return body[:len(body):len(body)]
	}
	rest := body[i:]
	j := bytes.IndexByte(rest, '\n')
	if j < 0 {
		return body[:len(body):len(body)] // a "begin" line and nothing after it: kept as it is
	}
	rest = rest[j+1:]
	out := make([]byte, 0, len(rest)*3/4)
	for line := range bytes.Lines(rest) {
		line = bytes.TrimRight(line, "\r\n")
		if bytes.Equal(line, []byte("end")) || len(line) == 0 {
			break
		}
		n := int((line[0] - ' ') & 63)
		if n == 0 {
			break
		}
		var got []byte
		for k := 1; k+3 < len(line)+3 && len(got) < n; k += 4 {
			var c [4]byte
			for m := range 4 {
				if k+m < len(line) {
					c[m] = (line[k+m] - ' ') & 63
				}
			}
			got = append(got, c[0]<<2|c[1]>>4, c[1]<<4|c[2]>>2, c[2]<<6|c[3])
		}
		out = append(out, got[:min(n, len(got))]...)
	}
	return out
}

// decodeBase64 decodes base64 ignoring every byte outside the alphabet (line breaks, spaces,
// junk). Padding ends a block, so several padded blocks in a row decode in turn; a dangling
// single character is dropped. URL-safe characters are accepted.
func decodeBase64(in []byte) []byte {
	out := make([]byte, 0, len(in)/4*3+3)
	block := make([]byte, 0, min(len(in), 1<<16))
	flush := func() {
		if len(block)%4 == 1 {
			block = block[:len(block)-1]
		}
		// RawStdEncoding only fails on characters outside the alphabet or a length of 4n+1,
		// both excluded here.
		out, _ = base64.RawStdEncoding.AppendDecode(out, block)
		block = block[:0]
	}
	for _, c := range in {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
			block = append(block, c)
		case c == '-':
			block = append(block, '+')
		case c == '_':
			block = append(block, '/')
		case c == '=':
			if len(block)%4 != 0 {
				flush()
			}
			continue
		default:
			continue
		}
		if len(block) == cap(block) && len(block)%4 == 0 {
			flush()
		}
	}
	flush()
	return out
}

// decodeQuotedPrintable decodes quoted-printable text. "=XY" (either case) is a byte, "=" at
// the end of a line is a soft line break, whitespace at the end of a line is dropped, and an
// "=" that starts neither is kept as it is.
func decodeQuotedPrintable(in []byte) []byte {
	out := make([]byte, 0, len(in))
	for i := 0; i < len(in); {
		c := in[i]
		switch c {
		case '=':
			if end, ok := lineBreakAfterSpace(in, i+1); ok {
				i = end // soft line break
				continue
			}
			if i+2 < len(in) && isHex(in[i+1]) && isHex(in[i+2]) {
				out = append(out, unhex(in[i+1])<<4|unhex(in[i+2]))
				i += 3
				continue
			}
			out = append(out, '=')
			i++
		case ' ', '\t':
			j := i
			for j < len(in) && (in[j] == ' ' || in[j] == '\t') {
				j++
			}
			if _, ok := lineBreakAfterSpace(in, j); !ok {
				out = append(out, in[i:j]...)
			}
			i = j
		default:
			out = append(out, c)
			i++
		}
	}
	return out
}

// lineBreakAfterSpace reports whether in[i:] is optional spaces or tabs followed by a line
// break or the end of the input, and returns the index after the line break.
func lineBreakAfterSpace(in []byte, i int) (int, bool) {
	for i < len(in) && (in[i] == ' ' || in[i] == '\t') {
		i++
	}
	switch {
	case i == len(in):
		return i, true
	case in[i] == '\n':
		return i + 1, true
	case in[i] == '\r' && (i+1 == len(in) || in[i+1] == '\n'):
		return min(i+2, len(in)), true
	}
	return i, false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
