package extract

import (
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
		if i+8 <= len(s) && (s[i]|s[i+1]|s[i+2]|s[i+3]|s[i+4]|s[i+5]|s[i+6]|s[i+7]) < utf8.RuneSelf {
			i += 8
			continue
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

// tidyText trims trailing blanks from every line, drops blank lines at the start and end and
// collapses runs of more than one empty line into one. It keeps tabs between cells.
func tidyText(s string) string {
	if n, ok := tidyPrefix(s); ok {
		return s[:n] // already tidy but for what follows its last line: no copy
	}
	return tidyCopy(s)
}

// tidyCopy is tidyText writing a new string.
func tidyCopy(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	blank := 0
	started := false
	for len(s) > 0 {
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		line = strings.TrimRight(line, " \t\f\v")
		if strings.TrimLeft(line, " \t") == "" {
			if started {
				blank++
			}
			continue
		}
		if started {
			b.WriteByte('\n')
			if blank > 0 {
				b.WriteByte('\n')
			}
		}
		blank = 0
		started = true
		b.WriteString(line)
	}
	return b.String()
}

// tidyPrefix reports whether tidyText(s) is a prefix of s, and its length: every kept line
// stands where the output puts it, with nothing trimmed from it and no blank lines dropped
// before it (most extracted text is like that, and a 30 MB list was copied only to be the same).
func tidyPrefix(s string) (int, bool) {
	n, off := 0, 0 // the output's length so far; where the current line starts in s
	blank, started := 0, false
	for rest := s; len(rest) > 0; {
		line, next := rest, len(s)
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			line, rest, next = rest[:i], rest[i+1:], off+i+1
		} else {
			rest = ""
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
				if n >= len(s) || s[n] != '\n' {
					return 0, false
				}
				n++
			}
		}
		if off != n {
			return 0, false
		}
		n += len(line)
		blank, started, off = 0, true, next
	}
	return n, true
}
