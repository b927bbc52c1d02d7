package extract

import (
	"strings"
	"testing"
)

// The Blocks contract holds for the final text: after normalisation, tidying and the text limit.
func TestFinishPagesKeepsBlocks(t *testing.T) {
	raw := "  Hanne\u00a0Berg \r\nSøndergade\u00ad 12\n\n\n8000 Aarhus C\n" + // block 1, with a blank line inside
		"\n\n" + // between blocks: dropped
		"Dato: 3. marts\u20132026\n" // block 2
	b1 := strings.Index(raw, "\n\n\n8000") + len("\n\n\n8000 Aarhus C")
	b2 := strings.Index(raw, "Dato")
	page := Page{Number: 1, Text: raw, Blocks: []Block{
		{Start: 0, End: b1, HasBox: true, X1: 0.5, Y1: 0.2},
		{Start: b1, End: b2}, // only blanks: dropped
		{Start: b2, End: len(raw), Kind: BlockHeader},
	}}
	out, cut, _ := finishPages([]Page{page}, false, false, 1<<20, 10)
	p := out[0]
	if cut || p.CheckBlocks() != "" {
		t.Fatalf("%q %+v: %s", p.Text, p.Blocks, p.CheckBlocks())
	}
	want := "  Hanne Berg\nSøndergade 12\n8000 Aarhus C\n\nDato: 3. marts-2026"
	if p.Text != want || len(p.Blocks) != 2 || p.Blocks[1].Kind != BlockHeader || !p.Blocks[0].HasBox {
		t.Errorf("got %q %+v, want %q", p.Text, p.Blocks, want)
	}

	// The text limit cuts inside the second block of the second page and drops the rest.
	pages := []Page{
		{Number: 1, Text: "aaaa\n\nbbbb", Blocks: []Block{{Start: 0, End: 4}, {Start: 6, End: 10}}},
		{Number: 2, Text: "cccc\n\nddd ddd\n\neeee", Blocks: []Block{{Start: 0, End: 4}, {Start: 6, End: 13}, {Start: 15, End: 19}}},
	}
	out, cut, note := finishPages(pages, false, false, 10+4+2+4, 10)
	if !cut || note == "" || len(out) != 2 {
		t.Fatalf("cut %v %q %+v", cut, note, out)
	}
	if p := out[1]; p.Text != "cccc\n\nddd" || len(p.Blocks) != 2 || p.CheckBlocks() != "" {
		t.Errorf("cut page %q %+v", p.Text, p.Blocks)
	}
}

func TestPageClip(t *testing.T) {
	text := "Hanne Berg\n8000 Aarhus C\n\nKære Hanne"
	p := Page{Text: text, Blocks: []Block{{Start: 0, End: 24}, {Start: 26, End: len(text)}}}
	for n, want := range map[int]string{100: p.Text, 31: "Hanne Berg\n8000 Aarhus C\n\nKære", 29: "Hanne Berg\n8000 Aarhus C\n\nKæ", 28: "Hanne Berg\n8000 Aarhus C\n\nK", 25: "Hanne Berg\n8000 Aarhus C", 11: "Hanne Berg", 0: ""} {
		c := p
		c.Blocks = append([]Block(nil), p.Blocks...)
		c.Clip(n)
		got := ""
		if len(c.Blocks) > 0 {
			got = c.Text[c.Blocks[0].Start:c.Blocks[len(c.Blocks)-1].End]
		}
		if got != want || !strings.HasPrefix(p.Text, c.Text) || len(c.Text) > n {
			t.Errorf("Clip(%d): text %q blocks %+v, want blocks covering %q", n, c.Text, c.Blocks, want)
		}
	}
}

// isTidyBlock agrees with the slow path.
func TestTidyBlockFastPath(t *testing.T) {
	for _, s := range []string{"", "a", "a\nb", " a", "a ", "a\n\nb", "a \nb", "a\n b", "\na", "a\n", "a\tb\nc", "a\n\t\nb", "æ\nø"} {
		slow := tidyText(s)
		for strings.Contains(slow, "\n\n") {
			slow = strings.ReplaceAll(slow, "\n\n", "\n")
		}
		if got := tidyBlock(s); got != slow {
			t.Errorf("tidyBlock(%q) = %q, want %q", s, got, slow)
		}
	}
}
