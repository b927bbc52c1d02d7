package pdf

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"golang.org/x/image/font/sfnt"

	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/testgen"
)

// Synthetic people only.

const cidText = "CPR-nr. 010190-1234 Søren Ærbø indlagt"

// glyphPlan gives each distinct rune of s a glyph id from 1 (in order of first use) and returns
// the glyph ids of s, and the runes by glyph id.
func glyphPlan(s string) (gids []uint16, byGID []rune) {
	ids := map[rune]uint16{}
	byGID = []rune{0}
	for _, r := range s {
		if _, ok := ids[r]; !ok {
			ids[r] = uint16(len(byGID))
			byGID = append(byGID, r)
		}
		gids = append(gids, ids[r])
	}
	return gids, byGID
}

func ttfWithCmap(byGID []rune) []byte {
	m := map[rune]uint16{}
	for g, r := range byGID[1:] {
		m[r] = uint16(g + 1)
	}
	return testgen.SFNT(map[string][]byte{"cmap": testgen.Cmap4(m), "maxp": testgen.Maxp(len(byGID))})
}

func ttfWithPost(byGID []rune) []byte {
	names := make([]string, 0, len(byGID))
	for _, r := range byGID[1:] {
		names = append(names, glyphNameOf(r))
	}
	return testgen.SFNT(map[string][]byte{"post": testgen.Post2(names), "maxp": testgen.Maxp(len(byGID))})
}

// glyphNameOf names a rune as fonts do: the standard name where there is one, else uniXXXX.
func glyphNameOf(r rune) string {
	for name, t := range pdfMacGlyphText {
		if t == string(r) && !strings.Contains(name, "nonbreaking") {
			return name
		}
	}
	if r > ' ' && r < 0x7f {
		return string(r)
	}
	return fmt.Sprintf("uni%04X", r)
}

func TestPDFType0EmbeddedFont(t *testing.T) {
	gids, byGID := glyphPlan(cidText)
	names := make([]string, 0, len(byGID))
	for _, r := range byGID[1:] {
		names = append(names, glyphNameOf(r))
	}
	// A CIDToGIDMap that reverses the glyph ids: the content shows CIDs.
	n := len(byGID)
	rev := make([]byte, 2*n)
	cidOf := make([]uint16, n)
	for g := 1; g < n; g++ {
		cid := n - g
		cidOf[g] = uint16(cid)
		rev[2*cid], rev[2*cid+1] = byte(g>>8), byte(g)
	}
	cids := make([]uint16, len(gids))
	for i, g := range gids {
		cids[i] = cidOf[g]
	}
	cffCIDs := make([]int, n-1) // CID-keyed CFF: glyph g has CID 100+g
	codesCFF := make([]uint16, len(gids))
	for g := 1; g < n; g++ {
		cffCIDs[g-1] = 100 + g
	}
	for i, g := range gids {
		codesCFF[i] = uint16(100 + g)
	}
	cid2 := "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+Synth /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 8 0 R /DW 600 %s>>"
	cid0 := "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /ABCDEF+Synth /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 8 0 R /DW 600 >>"
	tests := []struct {
		name string
		pdf  []byte
	}{
		{"truetype cmap, identity CIDToGIDMap", genType0PDF(gids, fmt.Sprintf(cid2, "/CIDToGIDMap /Identity "), "FontFile2",
			pdfStreamObj("", string(ttfWithCmap(byGID))))},
		{"truetype cmap, no CIDToGIDMap", genType0PDF(gids, fmt.Sprintf(cid2, ""), "FontFile2",
			pdfStreamObj("", string(ttfWithCmap(byGID))))},
		{"truetype cmap, CIDToGIDMap stream", genType0PDF(cids, fmt.Sprintf(cid2, "/CIDToGIDMap 10 0 R "), "FontFile2",
			pdfStreamObj("", string(ttfWithCmap(byGID))), pdfStreamObj("", string(rev)))},
		{"truetype post names only", genType0PDF(gids, fmt.Sprintf(cid2, ""), "FontFile2",
			pdfStreamObj("", string(ttfWithPost(byGID))))},
		{"cff glyph names", genType0PDF(gids, cid0, "FontFile3",
			pdfStreamObj("/Subtype /CIDFontType0C", string(testgen.CFF(names, nil))))},
		{"opentype cid-keyed cff with cmap", genType0PDF(codesCFF, cid0, "FontFile3",
			pdfStreamObj("/Subtype /OpenType", string(otfCIDKeyed(byGID, cffCIDs))))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pages, st, det := runPDF(t, tc.pdf, extract.Limits{})
			if st != extract.Scanned || len(pages) != 1 {
				t.Fatalf("status %s (%s), %d pages", st, det, len(pages))
			}
			if got := pages[0].Text; got != cidText {
				t.Errorf("text %q, want %q", got, cidText)
			}
		})
	}
}

// otfCIDKeyed is an OpenType font whose CID-keyed CFF gives glyph g the CID cids[g-1] and whose
// cmap maps the characters to glyphs.
func otfCIDKeyed(byGID []rune, cids []int) []byte {
	m := map[rune]uint16{}
	for g, r := range byGID[1:] {
		m[r] = uint16(g + 1)
	}
	return testgen.SFNT(map[string][]byte{"cmap": testgen.Cmap4(m), "maxp": testgen.Maxp(len(byGID)), "CFF ": testgen.CFF(nil, cids)})
}

// Glyphs nobody can spell: never Scanned-clean.
func TestPDFType0Unmapped(t *testing.T) {
	gids, byGID := glyphPlan(cidText)
	n := len(byGID)
	cffCIDs := make([]int, n-1)
	codes := make([]uint16, len(gids))
	for g := 1; g < n; g++ {
		cffCIDs[g-1] = 100 + g
	}
	for i, g := range gids {
		codes[i] = uint16(100 + g)
	}
	cid2 := "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+Synth /FontDescriptor 8 0 R /DW 600 >>"
	cid0 := "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /ABCDEF+Synth /FontDescriptor 8 0 R /DW 600 >>"
	noNames := testgen.SFNT(map[string][]byte{"maxp": testgen.Maxp(n), "glyf": {0}})
	tests := []struct {
		name string
		pdf  []byte
	}{
		{"font not embedded", genType0PDF(gids, cid2, "", "")},
		{"truetype without cmap or names", genType0PDF(gids, cid2, "FontFile2", pdfStreamObj("", string(noNames)))},
		{"cid-keyed cff, Adobe-Identity", genType0PDF(codes, cid0, "FontFile3",
			pdfStreamObj("/Subtype /CIDFontType0C", string(testgen.CFF(nil, cffCIDs))))},
		{"garbage font file", genType0PDF(gids, cid2, "FontFile2", pdfStreamObj("", "\x00\x01\x00\x00\xff\xff"))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pages, st, det := runPDF(t, tc.pdf, extract.Limits{})
			if st != extract.Unscannable || det != "page 1: text in a font without a character map" {
				t.Fatalf("status %s (%s), want unscannable for the unmapped glyphs", st, det)
			}
			if len(pages) != 1 {
				t.Fatalf("%d pages", len(pages))
			}
		})
	}
}

// The fallback replaces the native text of an unmapped page only when it spelled the glyphs, and
// only for fonts of a standard CJK ordering: for others pdftotext shows the CIDs as characters.
func TestPDFUnmappedFallback(t *testing.T) {
	gids, _ := glyphPlan(cidText)
	font := func(ordering string) []byte {
		return genType0PDF(gids, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X /FontDescriptor 8 0 R "+
			"/CIDSystemInfo << /Registry (Adobe) /Ordering ("+ordering+") /Supplement 6 >> >>", "", "")
	}
	tests := []struct {
		name   string
		data   []byte
		fbText string
		want   extract.Status
	}{
		{"cjk ordering, pdftotext spelled it", font("Japan1"), cidText, extract.Scanned},
		{"cjk ordering, pdftotext lost it too", font("Japan1"), "C", extract.Unscannable},
		{"identity ordering, pdftotext shows CIDs", font("Identity"), cidText, extract.Unscannable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fb := func(ctx context.Context, data []byte, lim extract.Limits, noText bool, n int) ([]extract.Page, extract.Status, string) {
				if !noText {
					t.Error("no text at all was read: the fallback should be told (OCR)")
				}
				return []extract.Page{{Number: 1, Text: tc.fbText}}, extract.Scanned, detailPDFToText
			}
			pages, st, det := extractPDFWith(context.Background(), tc.data, extract.Limits{}, fb)
			if st != tc.want {
				t.Fatalf("status %s (%s), want %s", st, det, tc.want)
			}
			if st == extract.Scanned && pages[0].Text != cidText {
				t.Errorf("text %q", pages[0].Text)
			}
		})
	}
}

// A real font embedded whole (DejaVu Sans, when installed): glyph ids from its own cmap.
func TestPDFType0DejaVu(t *testing.T) {
	const path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
	font, err := os.ReadFile(path)
	if err != nil {
		t.Skip("DejaVu Sans not installed")
	}
	f, err := sfnt.Parse(font)
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	var gids []uint16
	for _, r := range cidText {
		g, err := f.GlyphIndex(&buf, r)
		if err != nil || g == 0 {
			t.Fatalf("no glyph for %q", r)
		}
		gids = append(gids, uint16(g))
	}
	data := genType0PDF(gids, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /DejaVuSans /FontDescriptor 8 0 R /CIDToGIDMap /Identity >>",
		"FontFile2", pdfStreamObj("", string(font)))
	pages, st, det := runPDF(t, data, extract.Limits{})
	if st != extract.Scanned || len(pages) != 1 || pages[0].Text != cidText {
		t.Fatalf("status %s (%s), pages %+v", st, det, pages)
	}
}
