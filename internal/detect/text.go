package detect

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Byte-level helpers shared by the recognizers. They work on UTF-8 text without decoding it where
// they can: ASCII and the Latin-1 letters Danish uses (æøåéü..., two bytes starting 0xC3) are
// handled byte-wise; anything else falls back to utf8/unicode.

func isDigit(b byte) bool { return b-'0' < 10 }

func isASCIILetter(b byte) bool { return (b|0x20)-'a' < 26 }

func isASCIIUpper(b byte) bool { return b-'A' < 26 }

func isASCIILower(b byte) bool { return b-'a' < 26 }

// latin1Letter reports whether the second byte of a 0xC3 sequence is a letter (U+00C0..U+00FF
// minus × and ÷).
func latin1Letter(b2 byte) bool { return b2 >= 0x80 && b2 <= 0xBF && b2 != 0x97 && b2 != 0xB7 }

// letterAt returns the byte size of the letter starting at s[i], or 0 if s[i] does not start a letter.
func letterAt(s string, i int) int {
	b := s[i]
	if b < utf8.RuneSelf {
		if isASCIILetter(b) {
			return 1
		}
		return 0
	}
	if b == 0xC3 && i+1 < len(s) {
		if latin1Letter(s[i+1]) {
			return 2
		}
		return 0
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if r != utf8.RuneError && unicode.IsLetter(r) {
		return n
	}
	return 0
}

// upperAt returns the byte size of the upper-case letter starting at s[i], or 0.
func upperAt(s string, i int) int {
	b := s[i]
	if b < utf8.RuneSelf {
		if isASCIIUpper(b) {
			return 1
		}
		return 0
	}
	if b == 0xC3 && i+1 < len(s) {
		if c := s[i+1]; c >= 0x80 && c <= 0x9E && c != 0x97 {
			return 2
		}
		return 0
	}
	if b < 0xC4 {
		return 0
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if r != utf8.RuneError && unicode.IsUpper(r) {
		return n
	}
	return 0
}

// lowerAt reports whether s[i] starts a lower-case letter.
func lowerAt(s string, i int) bool {
	b := s[i]
	if b < utf8.RuneSelf {
		return isASCIILower(b)
	}
	if b == 0xC3 && i+1 < len(s) {
		c := s[i+1]
		return c >= 0x9F && c <= 0xBF && c != 0xB7
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLower(r)
}

// wordCharBefore reports whether the rune ending at s[i-1] is a letter or an ASCII digit.
func wordCharBefore(s string, i int) bool {
	if i <= 0 {
		return false
	}
	b := s[i-1]
	if b < utf8.RuneSelf {
		return isASCIILetter(b) || isDigit(b)
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r != utf8.RuneError && unicode.IsLetter(r)
}

// lowerInto writes the lower-case form of s into dst (ASCII and Latin-1 letters; other bytes are
// copied) and returns the number of bytes written, or -1 if dst is too small.
func lowerInto(dst []byte, s string) int {
	if len(s) > len(dst) {
		return -1
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case isASCIIUpper(b):
			b += 'a' - 'A'
		case b >= 0x80 && b <= 0x9E && b != 0x97 && i > 0 && s[i-1] == 0xC3:
			b += 0x20
		}
		dst[i] = b
	}
	return len(s)
}

// lowerString is lowerInto for building tables (allocates).
func lowerString(s string) string {
	b := make([]byte, len(s))
	lowerInto(b, s)
	return string(b)
}

// lineStart returns the index of the first byte of the line holding s[i], looking back at most
// limit bytes (then it returns i-limit): callers only look at nearby text, and an unbounded search
// would make a text with one huge line quadratic.
func lineStart(s string, i, limit int) int {
	i = min(i, len(s))
	from := max(0, i-limit)
	if j := lastNewline(s[from:i]); j >= 0 {
		return from + j + 1
	}
	return from
}

// lastNewline is strings.LastIndexByte(s, '\n') eight bytes at a time: the standard library's
// is a loop over single bytes on amd64, and every CPR candidate looks back for its line starts.
func lastNewline(s string) int {
	i := len(s)
	for ; i >= 8; i -= 8 {
		x := load8(s, i-8) ^ swarOnes*'\n'
		// High bit of each byte of x that is zero, exactly: no carry crosses bytes.
		if m := ^((x&swarLow7 + swarLow7) | x | swarLow7); m != 0 {
			return i - 8 + (63-bits.LeadingZeros64(m))>>3
		}
	}
	for i--; i >= 0; i-- {
		if s[i] == '\n' {
			return i
		}
	}
	return -1
}

// lineEnd returns the index of the '\n' ending the line holding s[i] (or len(s)), looking ahead
// at most limit bytes (then it returns i+limit).
func lineEnd(s string, i, limit int) int {
	if i >= len(s) {
		return len(s)
	}
	to := min(len(s), i+limit)
	if j := strings.IndexByte(s[i:to], '\n'); j >= 0 {
		return i + j
	}
	return to
}

// collapseSpace returns s with every run of white space (including NBSP) replaced by one space,
// trimmed.
func collapseSpace(s string) string {
	needs := false
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b == '\n' || b == '\r' || b == '\t' || (b == ' ' && i+1 < len(s) && s[i+1] == ' ') ||
			(b == 0xC2 && i+1 < len(s) && s[i+1] == 0xA0) {
			needs = true
			break
		}
	}
	if !needs {
		return strings.TrimSpace(s)
	}
	var out strings.Builder
	out.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b == ' ' || b == '\n' || b == '\r' || b == '\t' {
			space = true
			continue
		}
		if b == 0xC2 && i+1 < len(s) && s[i+1] == 0xA0 {
			space = true
			i++
			continue
		}
		if space && out.Len() > 0 {
			out.WriteByte(' ')
		}
		space = false
		out.WriteByte(b)
	}
	return out.String()
}

// swar constants for scanning eight bytes at a time.
const (
	swarOnes = 0x0101010101010101
	swarHigh = 0x8080808080808080
	swarLow7 = 0x7f7f7f7f7f7f7f7f
)

// hasDigit8 reports whether any of the eight bytes of x is an ASCII digit.
func hasDigit8(x uint64) bool {
	t := x & swarLow7
	return ((swarOnes*(127+'9'+1)-t)&^x&(t+swarOnes*(127-('0'-1))))&swarHigh != 0
}

// inRange8 sets the high bit of every byte of x that lies in lo..hi (both below 0x80).
func inRange8(x uint64, lo, hi byte) uint64 {
	t := x & swarLow7
	return (swarOnes*(127+uint64(hi)+1) - t) &^ x & (t + swarOnes*(127-(uint64(lo)-1))) & swarHigh
}

// skipLetters returns the index of the first byte at or after i that is no ASCII letter (of
// either case), or len(s). skipLower is the same for lower-case ASCII letters. Word scanners
// call them once per word rather than test letter by letter: most bytes of running text are
// ASCII letters, and eight are tested at a time.
func skipLetters(s string, i int) int { return skipAZ(s, i, 0x20) }

func skipLower(s string, i int) int { return skipAZ(s, i, 0) }

// skipAZ skips the bytes that are in 'a'..'z' once fold is OR-ed into them (0x20 takes the
// upper case in too; bytes beyond ASCII keep their high bit and stop it).
func skipAZ(s string, i int, fold byte) int {
	for i+8 <= len(s) {
		if m := ^inRange8(load8(s, i)|swarOnes*uint64(fold), 'a', 'z') & swarHigh; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(s) && (s[i]|fold)-'a' < 26 {
		i++
	}
	return i
}

// load8 reads eight bytes of s at i, little endian. The caller guarantees i+8 <= len(s).
// Slicing first leaves one bounds check: indexing s[i+1] ... s[i+7] directly kept one check
// per byte (eight compares and branches around the single 64-bit load the bytes merge into).
func load8(s string, i int) uint64 {
	b := s[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// nextDigit returns the index of the first ASCII digit at or after i, or -1.
func nextDigit(s string, i int) int {
	n := len(s)
	for i+16 <= n {
		if hasDigit8(load8(s, i)) || hasDigit8(load8(s, i+8)) {
			break
		}
		i += 16
	}
	for ; i < n; i++ {
		if isDigit(s[i]) {
			return i
		}
	}
	return -1
}
