package extract

import (
	"fmt"
	"strings"
	"unicode"
)

// Pages whose glyphs have no known text. A composite font without a ToUnicode CMap whose
// embedded program names no characters (or is not embedded, or uses a CJK ordering whose tables
// are not built in) shows glyphs the reader cannot spell: such a page was not read, whatever
// else on it was. The fallback (pdftotext, OCR) gets a chance; failing that the document is
// Unscannable with the pages named, never clean.

// pdfGlyphStats counts a page's codes shown in composite fonts and those without text.
type pdfGlyphStats struct {
	shown, unmapped int
}

// pdfUnmappedPage is a page (index into pages) whose glyphs could not be mapped.
type pdfUnmappedPage struct {
	index    int
	unmapped int
}

// unreadable reports whether a substantial share of the page's glyphs have no text: enough
// of them to hold a CPR number and a name, or a fifth of what the page shows in such fonts. A
// stray symbol or two (a bullet from a dingbat font) does not count.
func (s pdfGlyphStats) unreadable() bool {
	return s.unmapped >= 16 || s.unmapped >= 3 && s.unmapped*5 >= s.shown
}

// pdfUnmappedDetail names the pages (at most three, then a count) for the status detail.
func pdfUnmappedDetail(pages []pdfUnmappedPage) string {
	if len(pages) == 1 {
		return fmt.Sprintf("page %d: text in a font without a character map", pages[0].index+1)
	}
	var nums []string
	for i, p := range pages {
		if i == 3 {
			nums = append(nums, fmt.Sprintf("%d more", len(pages)-3))
			break
		}
		nums = append(nums, fmt.Sprint(p.index+1))
	}
	return "pages " + strings.Join(nums, ", ") + ": text in a font without a character map"
}

// pdfFallbackCovers reports whether the fallback's pages hold, on every page the native reader
// could not map, at least the text the native reader found there plus half the glyphs it could
// not spell (pdftotext maps fonts the same way and may fail on the same glyphs).
func pdfFallbackCovers(native, fb []Page, unmapped []pdfUnmappedPage) bool {
	for _, u := range unmapped {
		if u.index >= len(fb) {
			return false
		}
		have := 0
		if u.index < len(native) {
			have = pdfVisibleRunes(native[u.index].Text)
		}
		if pdfVisibleRunes(fb[u.index].Text) < have+u.unmapped/2 {
			return false
		}
	}
	return true
}

func pdfVisibleRunes(s string) int {
	n := 0
	for _, r := range s {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}
