package extract

import (
	"math/bits"
	"strings"
	"unicode/utf8"
)

// NormalizeText is the character-level normalisation every format's text goes through, so that
// detectors see one spelling of what a reader sees as the same text:
//
//   - "\r\n" and a lone "\r" become "\n";
//   - no-break spaces (U+00A0, U+2007 figure space, U+202F narrow no-break space) become ' ';
//   - the dashes U+2010..U+2015 and the minus sign U+2212 (and U+FE63, U+FF0D) become '-';
//   - the soft hyphen U+00AD and invisible zero-width characters (U+200B..U+200D, U+2060,
//     U+FEFF byte order mark) are removed;
//   - invalid UTF-8 becomes U+FFFD.
//
// Apart from invalid bytes (1 byte becomes 3), the result is never longer than the input. It is
// idempotent: normalised text comes back unchanged.
func NormalizeText(s string) string {
	if isNormal(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == '\r' {
				b.WriteByte('\n')
				if i+1 < len(s) && s[i+1] == '\n' {
					i++
				}
			} else {
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
			continue
		}
		switch r {
		case '\u00a0', '\u2007', '\u202f':
			b.WriteByte(' ')
		case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\ufe63', '\uff0d':
			b.WriteByte('-')
		case '\u00ad', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
			// removed
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isNormal reports whether NormalizeText would return s unchanged (the common case: ASCII
// without carriage returns, or UTF-8 without any of the characters it rewrites).
// Carriage returns are looked for at once; ASCII is passed over eight bytes at a time and Latin-1
// letters (æ, ø, å: U+00C0–U+00FF, none rewritten) two at a time; only other characters are
// decoded.
func isNormal(s string) bool {
	if strings.IndexByte(s, '\r') >= 0 {
		return false
	}
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			// Eight bytes at once; where one is not ASCII, go straight to it (Danish text has a
			// letter beyond ASCII every few dozen bytes: stepping a byte at a time to it and
			// testing eight again from each was most of this loop).
			if m := load64(s[i:i+8]) & 0x8080808080808080; m != 0 {
				i += bits.TrailingZeros64(m) / 8
			} else {
				i += 8
				continue
			}
		}
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		if c == 0xC3 && i+1 < len(s) && s[i+1]&0xC0 == 0x80 {
			i += 2
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		switch r {
		case '\u00a0', '\u2007', '\u202f',
			'\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\ufe63', '\uff0d',
			'\u00ad', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
			return false
		}
		i += size
	}
	return true
}

// load64 is the eight bytes of s (at least eight long) as a little-endian word; the compiler
// makes it one load.
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// tidyText trims trailing blanks from every line, drops blank lines at the start and end and
// collapses runs of more than one empty line into one. It keeps tabs between cells.
//
// Most extracted text is already tidy but for what follows its last line (a 30 MB list was
// copied only to be the same): while the output is a prefix of s nothing is written, and the
// result is then s[:n], not a copy.
func tidyText(s string) string {
	var b strings.Builder
	n := 0           // while !copying, the output so far is s[:n]
	copying := false // the output differs from s: it is in b
	diverge := func() {
		b.Grow(len(s))
		b.WriteString(s[:n])
		copying = true
	}
	blank, started := 0, false
	for off := 0; off < len(s); {
		line, next := s[off:], len(s)
		if i := strings.IndexByte(line, '\n'); i >= 0 {
			line, next = line[:i], off+i+1
		}
		line = strings.TrimRight(line, " \t\f\v")
		if strings.TrimLeft(line, " \t") == "" {
			if started {
				blank++
			}
			off = next
			continue
		}
		if started {
			for range 1 + min(blank, 1) { // the line break, and one blank line
				if !copying && n < len(s) && s[n] == '\n' {
					n++
					continue
				}
				if !copying {
					diverge()
				}
				b.WriteByte('\n')
			}
		}
		if !copying && off != n {
			diverge()
		}
		if copying {
			b.WriteString(line)
		} else {
			n += len(line)
		}
		blank, started, off = 0, true, next
	}
	if copying {
		return b.String()
	}
	return s[:n]
}
