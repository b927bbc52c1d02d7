package addin

import (
	"fmt"
	"unicode/utf8"
)

// ASCII returns JavaScript or JSON source with every non-ASCII character written as a \uXXXX
// escape (a surrogate pair above U+FFFF). Some classic Outlook builds decode the add-in's UTF-8
// as windows-1252 (office-js #3892, #4736), turning Danish letters into mojibake; escaped text
// reads the same whatever the decoding. Only valid where non-ASCII text can occur in the source:
// in string literals and comments (the add-in's identifiers and regular expressions are ASCII,
// which the tests check), and in JSON, whose strings are the only place for it. Invalid UTF-8
// becomes U+FFFD.
func ASCII(src []byte) []byte {
	n := 0
	for _, c := range src {
		if c >= utf8.RuneSelf {
			n++
		}
	}
	if n == 0 {
		return src
	}
	out := make([]byte, 0, len(src)+5*n)
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			out = append(out, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		i += size
		if r > 0xFFFF {
			r -= 0x10000
			out = fmt.Appendf(out, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
			continue
		}
		out = fmt.Appendf(out, `\u%04x`, r)
	}
	return out
}
