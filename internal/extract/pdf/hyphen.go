package pdf

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Words hyphenated across lines. Inside one block of the layout pass, a line that ends in a soft
// hyphen (U+00AD, which the runs keep for this) between letters, or in a hyphen after a
// lower-case letter with the next line starting with a lower-case letter, is joined to the next
// line without the hyphen: "activ-" / "ity" is "activity". A hyphen before "og", "eller" and the
// like stays: that is a Danish (or other) suspended compound ("social- og sundhedsassistent"),
// written with the hyphen on purpose. Other soft hyphens are dropped.

const pdfSoftHyphen = '\u00ad'

// pdfSuspendedNext are the words after a suspended compound's hyphen.
var pdfSuspendedNext = map[string]bool{
	"og": true, "eller": true, "samt": true, "el": true, "and": true, "or": true,
	"und": true, "oder": true, "bzw": true, "et": true, "ou": true,
}

// pdfHyphenCut returns how many bytes to cut from the end of line (the hyphen) to join it with
// next, or -1 when the line break stays.
func pdfHyphenCut(line, next []byte) int {
	h, n := utf8.DecodeLastRune(line)
	if n == 0 || (h != '-' && h != '\u2010' && h != pdfSoftHyphen) {
		return -1
	}
	before, _ := utf8.DecodeLastRune(line[:len(line)-n])
	first, _ := utf8.DecodeRune(next)
	if h == pdfSoftHyphen {
		if unicode.IsLetter(before) && unicode.IsLetter(first) {
			return n
		}
		return -1
	}
	if !unicode.IsLower(before) || !unicode.IsLower(first) {
		return -1
	}
	word := next
	if i := bytes.IndexFunc(next, func(r rune) bool { return !unicode.IsLetter(r) }); i >= 0 {
		word = next[:i]
	}
	if pdfSuspendedNext[string(word)] {
		return -1
	}
	return n
}

// pdfDropSoftHyphens removes the soft hyphens left inside lines.
func pdfDropSoftHyphens(s string) string {
	if !strings.ContainsRune(s, pdfSoftHyphen) {
		return s
	}
	return strings.ReplaceAll(s, string(pdfSoftHyphen), "")
}
