package pdf

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// pdfGlyphNameText is the text a glyph name stands for: a standard Macintosh glyph name, a single
// character, uniXXXX (one or more UTF-16 code units), uXXXX[XX], a ligature a_b, or any of
// these with a .suffix (a.sc, one.oldstyle). It returns "" for names it does not know (.notdef,
// g123, glyph names of other conventions).
func pdfGlyphNameText(name string) string {
	if i := strings.IndexByte(name, '.'); i > 0 {
		name = name[:i]
	}
	if name == "" || len(name) > 64 {
		return ""
	}
	if strings.IndexByte(name, '_') > 0 {
		var b strings.Builder
		for _, part := range strings.Split(name, "_") {
			t := pdfGlyphNameText(part)
			if t == "" {
				return ""
			}
			b.WriteString(t)
		}
		return b.String()
	}
	if t, ok := pdfMacGlyphText[name]; ok {
		return t
	}
	if r, n := utf8.DecodeRuneInString(name); n == len(name) && r != utf8.RuneError && r > ' ' {
		return name
	}
	if strings.HasPrefix(name, "uni") && len(name) >= 7 && (len(name)-3)%4 == 0 {
		var b strings.Builder
		for p := 3; p < len(name); p += 4 {
			v, err := strconv.ParseUint(name[p:p+4], 16, 16)
			if err != nil || v >= 0xd800 && v < 0xe000 {
				return ""
			}
			b.WriteRune(rune(v))
		}
		return b.String()
	}
	if name[0] == 'u' && len(name) >= 5 && len(name) <= 7 {
		v, err := strconv.ParseUint(name[1:], 16, 32)
		if err != nil || v > 0x10ffff || v >= 0xd800 && v < 0xe000 {
			return ""
		}
		return string(rune(v))
	}
	return ""
}
