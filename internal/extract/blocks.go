package extract

import (
	"strings"
	"unicode/utf8"
)

// Block bookkeeping shared by every format that produces blocks. Parsers hand over a page whose
// Blocks point at raw, untidied text; finishPages rebuilds Text from the blocks, so the offsets
// hold for the final, normalised text and the separators are always exactly one blank line.

// BlockPart is one block's text and metadata before the page text is assembled.
type BlockPart struct {
	Text  string
	Block Block // Start/End ignored
}

// AssemblePage joins parts (tidied, normalised when normalize is set, empty ones dropped) into a
// page whose text holds at most max bytes: the block that crosses the limit is cut on a rune
// boundary and the rest dropped. cut reports that text was lost.
func AssemblePage(number int, parts []BlockPart, max int, normalize bool) (p Page, cut bool) {
	var b strings.Builder
	blocks := make([]Block, 0, len(parts))
	for _, part := range parts {
		t := part.Text
		if normalize {
			t = NormalizeText(t)
		}
		t = tidyBlock(t)
		if t == "" {
			continue
		}
		sep := 0
		if b.Len() > 0 {
			sep = 2
		}
		if b.Len()+sep+len(t) > max {
			cut = true
			n := max - b.Len() - sep
			if n <= 0 {
				break
			}
			for n > 0 && !utf8.RuneStart(t[n]) {
				n--
			}
			t = strings.TrimRight(t[:n], " \t\n")
			if t == "" {
				break
			}
		}
		if sep > 0 {
			b.WriteString("\n\n")
		}
		blk := part.Block
		blk.Start = b.Len()
		b.WriteString(t)
		blk.End = b.Len()
		blocks = append(blocks, blk)
		if cut {
			break
		}
	}
	return Page{Number: number, Text: b.String(), Blocks: blocks}, cut
}

// tidyBlock is tidyText without blank lines: inside a block lines follow each other.
func tidyBlock(s string) string {
	if isTidyBlock(s) {
		return s
	}
	t := tidyText(s)
	if !strings.Contains(t, "\n\n") {
		return t
	}
	return strings.ReplaceAll(t, "\n\n", "\n")
}

// blockParts splits a page with blocks back into parts (for re-assembly after normalisation).
// Blocks that do not fit the text are dropped.
func (p Page) blockParts() []BlockPart {
	parts := make([]BlockPart, 0, len(p.Blocks))
	prev := 0
	for _, b := range p.Blocks {
		if b.Start < prev || b.End < b.Start || b.End > len(p.Text) {
			continue
		}
		parts = append(parts, BlockPart{Text: p.Text[b.Start:b.End], Block: b})
		prev = b.End
	}
	return parts
}

// Clip shortens the page's text to at most n bytes, cut on a rune boundary, and keeps the
// Blocks consistent with it: a block that crosses the cut ends at it, later blocks are dropped.
// (The worker's output cap uses it.)
func (p *Page) Clip(n int) {
	if n >= len(p.Text) {
		return
	}
	if n < 0 {
		n = 0
	}
	for n > 0 && !utf8.RuneStart(p.Text[n]) {
		n--
	}
	p.Text = p.Text[:n]
	if p.Blocks == nil {
		return
	}
	keep := p.Blocks[:0:0]
	for _, b := range p.Blocks {
		if b.Start >= n {
			break
		}
		if b.End > n {
			b.End = n
			for b.End > b.Start && (p.Text[b.End-1] == '\n' || p.Text[b.End-1] == ' ') {
				b.End--
			}
			if b.End == b.Start {
				break
			}
		}
		keep = append(keep, b)
	}
	p.Blocks = keep
}

// CheckBlocks reports the first way p.Blocks break the Page contract ("" when they hold): in
// order, inside Text, no blank line inside, and exactly "\n\n" between consecutive blocks with
// nothing before the first or after the last. A page without Blocks holds trivially.
func (p Page) CheckBlocks() string {
	if len(p.Blocks) == 0 {
		return ""
	}
	if p.Blocks[0].Start != 0 {
		return "text before the first block"
	}
	for i, b := range p.Blocks {
		switch {
		case b.Start > b.End || b.End > len(p.Text):
			return "block outside the text"
		case b.Start == b.End:
			return "empty block"
		case strings.Contains(p.Text[b.Start:b.End], "\n\n"):
			return "blank line inside a block"
		case p.Text[b.Start] == '\n' || p.Text[b.End-1] == '\n':
			return "block starts or ends with a newline"
		}
		if i > 0 && p.Text[p.Blocks[i-1].End:b.Start] != "\n\n" {
			return "blocks not separated by one blank line"
		}
		if b.HasBox && !(0 <= b.X0 && b.X0 <= b.X1 && b.X1 <= 1 && 0 <= b.Y0 && b.Y0 <= b.Y1 && b.Y1 <= 1) {
			return "box outside the page"
		}
	}
	if p.Blocks[len(p.Blocks)-1].End != len(p.Text) {
		return "text after the last block"
	}
	return ""
}

// isTidyBlock reports whether tidyBlock would return s unchanged (the layout pass's blocks are
// built tidy): no blank or blank-ended lines, nothing blank at either end.
func isTidyBlock(s string) bool {
	if s == "" {
		return true
	}
	if isBlank(s[0]) || isBlank(s[len(s)-1]) || s[0] == '\n' || s[len(s)-1] == '\n' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] == '\n' && (s[i-1] == '\n' || isBlank(s[i-1]) || (i+1 < len(s) && isBlank(s[i+1]))) {
			return false
		}
	}
	return true
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\f' || c == '\v' }
