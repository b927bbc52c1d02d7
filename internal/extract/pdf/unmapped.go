package pdf

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/sendevagt/sendevagt/internal/extract"
)

// Pages whose glyphs have no known text. A composite font without a ToUnicode CMap whose
// embedded program names no characters (or is not embedded, or uses a CJK ordering whose tables
// are not built in) shows glyphs the reader cannot spell: such a page was not read, whatever
// else on it was. The fallback (pdftotext, OCR) gets a chance; failing that the document is
// Unscannable with the pages named, never clean.

// pdfGlyphStats counts a page's codes shown in composite fonts and those without text.
type pdfGlyphStats struct {
	shown, unmapped int
	nonCJK          int // unmapped glyphs in fonts without a standard CJK ordering
}

// pdfUnmappedPage is a page (index into pages) whose glyphs could not be mapped.
type pdfUnmappedPage struct {
	index    int
	unmapped int
	cjk      bool // all of them in fonts with a standard CJK ordering
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

// pdfFallbackCovers reports whether pdftotext's pages can stand for the native ones on every
// page the native reader could not map. pdftotext reads the same fonts the same way, except that
// poppler's tables map the standard CJK orderings; for any other font it shows the CIDs as if
// they were characters, which is garbage that must not pass for read text. So every such page
// must be CJK only, and pdftotext must have found at least the native text plus half the glyphs
// the native reader could not spell.
func pdfFallbackCovers(native, fb []extract.Page, unmapped []pdfUnmappedPage) bool {
	for _, u := range unmapped {
		if !u.cjk || u.index >= len(fb) {
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
