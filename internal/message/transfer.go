package message

import (
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
	case "base64", "quoted-printable":
		return false
	}
	return true
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
