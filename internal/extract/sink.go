package extract

import (
	"fmt"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// sink collects the text of one document page by page, within the document's text and page
// limits. Parsers write into it and stop early once full() reports true.
type sink struct {
	maxText  int // bytes of text for the whole document
	maxPages int

	pages   []Page
	cur     []byte
	adopted bool // cur is (or was grown from) bytes the sink does not own (adopt)
	// curNormal: the open page is one piece of text already in NormalizeText's form (a
	// plain-text file checked as it was read); any other write clears it. normal holds it
	// for each finished page.
	curNormal bool
	normal    []bool
	started   bool // a page is open
	used      int  // bytes in finished pages

	textCut bool // MaxTextBytes reached
	pageCut bool // MaxPages reached

	// Blocks of the open page (offsets into cur), for parsers that know the document's
	// structure (DOCX, ODT). Text written outside any block becomes a body block of its own.
	usesBlocks bool
	blocks     []Block
	blockAt    int // start of the open block in cur, -1 when none is open
	blockKind  BlockKind
}

func newSink(lim Limits) *sink {
	return &sink{maxText: lim.MaxTextBytes, maxPages: lim.MaxPages, blockAt: -1}
}

// beginBlock ends the open block, if any, and opens one of the given kind at the current position.
func (s *sink) beginBlock(kind BlockKind) {
	s.endBlock()
	if s.full() || !s.open() {
		return
	}
	s.usesBlocks = true
	s.blockAt, s.blockKind = len(s.cur), kind
}

// endBlock closes the open block; an empty one is forgotten.
func (s *sink) endBlock() {
	if s.blockAt < 0 {
		return
	}
	if len(s.cur) > s.blockAt {
		s.blocks = append(s.blocks, Block{Start: s.blockAt, End: len(s.cur), Kind: s.blockKind})
	}
	s.blockAt = -1
}

// pageBlocks returns the open page's blocks, with text written between them as body blocks.
// Offsets are clamped to cur: endCell and endRow may have trimmed a closed block's last newline.
func (s *sink) pageBlocks() []Block {
	s.endBlock()
	if !s.usesBlocks {
		return nil
	}
	out := make([]Block, 0, len(s.blocks)+2)
	gap := func(from, to int) {
		if to > from && strings.TrimSpace(string(s.cur[from:to])) != "" {
			out = append(out, Block{Start: from, End: to})
		}
	}
	pos := 0
	for _, b := range s.blocks {
		b.Start, b.End = max(b.Start, pos), min(b.End, len(s.cur))
		if b.End <= b.Start {
			continue
		}
		gap(pos, b.Start)
		out = append(out, b)
		pos = b.End
	}
	gap(pos, len(s.cur))
	s.blocks = s.blocks[:0]
	return out
}

// full reports whether nothing more will be stored.
func (s *sink) full() bool { return s.textCut || s.pageCut }

// room is how many more bytes of text fit.
func (s *sink) room() int { return s.maxText - s.used - len(s.cur) }

func (s *sink) open() bool {
	if s.started {
		return true
	}
	if s.pageCut {
		return false
	}
	if len(s.pages) >= s.maxPages {
		s.pageCut = true
		return false
	}
	s.started = true
	return true
}

// write appends text to the open page (opening one if needed).
func (s *sink) write(str string) {
	s.curNormal = false
	if s.full() || str == "" || !s.open() {
		return
	}
	if r := s.room(); len(str) > r {
		// Cut on a rune boundary.
		n := r
		for n > 0 && !utf8.RuneStart(str[n]) {
			n--
		}
		s.cur = append(s.cur, str[:n]...)
		s.textCut = true
		return
	}
	s.cur = append(s.cur, str...)
}

func (s *sink) writeBytes(b []byte) {
	s.curNormal = false
	if s.full() || len(b) == 0 || !s.open() {
		return
	}
	if r := s.room(); len(b) > r {
		n := r
		for n > 0 && !utf8.RuneStart(b[n]) {
			n--
		}
		s.cur = append(s.cur, b[:n]...)
		s.textCut = true
		return
	}
	s.cur = append(s.cur, b...)
}

// adopt writes b as writeBytes does, but an empty page takes b itself as its text: b must never
// change afterwards (Extractor.stableInput). Its capacity is cut to its length, so a later
// write copies it instead of writing into it, and the page's buffer is not reused.
func (s *sink) adopt(b []byte) {
	s.curNormal = false
	if len(b) == 0 || len(s.cur) > 0 || len(b) > s.room() || !s.open() || s.full() {
		s.writeBytes(b)
		return
	}
	s.cur = b[:len(b):len(b)]
	s.adopted = true
}

// writeText writes a text file's UTF-8 bytes: adopted when they are stable (see adopt), and
// the page marked as already normal when it holds just these bytes and they are (normal).
func (s *sink) writeText(b []byte, stable, normal bool) {
	fresh := len(s.cur) == 0
	if stable {
		s.adopt(b)
	} else {
		s.writeBytes(b)
	}
	s.curNormal = normal && fresh
}

// own gives the sink its own copy of adopted bytes before it changes them in place.
func (s *sink) own() {
	s.curNormal = false
	if s.adopted {
		s.cur = append([]byte(nil), s.cur...)
		s.adopted = false
	}
}

func (s *sink) writeByte(c byte) {
	s.curNormal = false
	if s.full() || !s.open() {
		return
	}
	if s.room() < 1 {
		s.textCut = true
		return
	}
	s.cur = append(s.cur, c)
}

func (s *sink) writeRune(r rune) {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	s.writeBytes(buf[:n])
}

// newline ends the current line unless it is already ended (or the page is empty).
func (s *sink) newline() {
	if len(s.cur) > 0 && s.cur[len(s.cur)-1] != '\n' {
		s.writeByte('\n')
	}
}

// endCell ends a table cell: the cell's last paragraph break becomes a tab.
func (s *sink) endCell() {
	if !s.started {
		return
	}
	s.own()
	for len(s.cur) > 0 && s.cur[len(s.cur)-1] == '\n' {
		s.cur = s.cur[:len(s.cur)-1]
	}
	s.writeByte('\t')
}

// endRow ends a table row: the tab after its last cell becomes a newline.
func (s *sink) endRow() {
	if !s.started {
		return
	}
	s.own()
	for len(s.cur) > 0 && (s.cur[len(s.cur)-1] == '\t' || s.cur[len(s.cur)-1] == '\n') {
		s.cur = s.cur[:len(s.cur)-1]
	}
	s.writeByte('\n')
}

// endPage closes the open page, if any. The next write opens a new one.
func (s *sink) endPage() {
	if !s.started {
		return
	}
	// A long page that fills its buffer (a text file written in one piece) becomes its text
	// without a copy, as strings.Builder does: s.cur then starts anew, so nothing writes to those
	// bytes again. Other pages are copied and the buffer is reused for the next page.
	handOver := s.adopted || len(s.cur) >= 64<<10 && cap(s.cur)-len(s.cur) <= len(s.cur)/8
	var text string
	if handOver {
		text = unsafe.String(unsafe.SliceData(s.cur), len(s.cur))
	} else {
		text = string(s.cur)
	}
	s.pages = append(s.pages, Page{Number: len(s.pages) + 1, Text: text, Blocks: s.pageBlocks()})
	s.normal = append(s.normal, s.curNormal)
	s.curNormal = false
	s.used += len(s.cur)
	s.cur = s.cur[:0]
	if handOver {
		s.cur, s.adopted = nil, false
	}
	s.started = false
}

// resumeLastPage reopens the last finished page when no page is open, so that what is written
// next (a document's footers after its last page break) lands on it rather than on a new page.
func (s *sink) resumeLastPage() {
	if s.started || len(s.pages) == 0 {
		return
	}
	last := s.pages[len(s.pages)-1]
	s.pages = s.pages[:len(s.pages)-1]
	s.normal = s.normal[:len(s.normal)-1]
	s.curNormal = false
	s.used -= len(last.Text)
	s.cur = append(s.cur[:0], last.Text...)
	s.blocks = append(s.blocks[:0], last.Blocks...)
	s.usesBlocks = s.usesBlocks || last.Blocks != nil
	s.started = true
}

// startPage ends the open page and opens a new, possibly empty one (a slide without text is
// still a page, so that page numbers match what the user sees).
func (s *sink) startPage() {
	s.endPage()
	s.open()
}

// result returns the finished pages, normalised and tidied, and a truncation note.
func (s *sink) result() (pages []Page, truncated bool, note string) {
	s.endPage()
	return finishNormalPages(s.pages, s.normal, s.textCut, s.pageCut, s.maxText, s.maxPages)
}

// finishPages normalises page text and applies the page and text limits to pages produced
// elsewhere (the PDF extractor) as well as to the sink's.
func finishPages(in []Page, textCut, pageCut bool, maxText, maxPages int) ([]Page, bool, string) {
	return finishNormalPages(in, nil, textCut, pageCut, maxText, maxPages)
}

// finishNormalPages is finishPages for pages of which those marked in normal are already in
// NormalizeText's form.
func finishNormalPages(in []Page, normal []bool, textCut, pageCut bool, maxText, maxPages int) ([]Page, bool, string) {
	if len(in) > maxPages {
		in = in[:maxPages]
		pageCut = true
	}
	out := make([]Page, 0, len(in))
	used := 0
	for i, p := range in {
		if len(p.Blocks) > 0 {
			// Rebuilt from its blocks so that the offsets hold for the final text.
			np, cut := AssemblePage(p.Number, p.blockParts(), maxText-used, true)
			if cut {
				textCut = true
			}
			used += len(np.Text)
			out = append(out, np)
			if textCut {
				break
			}
			continue
		}
		t := p.Text
		if i >= len(normal) || !normal[i] {
			t = NormalizeText(t)
		}
		t = tidyText(t)
		if used+len(t) > maxText {
			n := maxText - used
			for n > 0 && !utf8.RuneStart(t[n]) {
				n--
			}
			t = t[:n]
			textCut = true
		}
		used += len(t)
		out = append(out, Page{Number: p.Number, Text: t})
		if textCut {
			break
		}
	}
	switch {
	case pageCut && textCut:
		return out, true, fmt.Sprintf("only the first %d pages read (MaxPages) and text truncated at %s (MaxTextBytes)", maxPages, sizeString(int64(maxText)))
	case pageCut:
		return out, true, fmt.Sprintf("only the first %d pages read (MaxPages)", maxPages)
	case textCut:
		return out, true, fmt.Sprintf("text truncated at %s (MaxTextBytes)", sizeString(int64(maxText)))
	}
	return out, false, ""
}

// sizeString renders a byte count for a Detail: "100 MB", "64 KB", "300 bytes" (binary units).
func sizeString(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}
