package testgen

import (
	"bytes"
	"fmt"
	"strings"
)

// Type0PDF is a one-page PDF with a heading in Helvetica (ASCII) and text in a Type0 font with
// the Identity-H encoding and no ToUnicode CMap, as signature tools and some CJK writers produce:
// the codes are glyph ids, and only the embedded font's own character map (a minimal TrueType
// font: cmap and maxp) tells what they say. With embedded false the font program is left out,
// so nobody can read that text.
func Type0PDF(heading, text string, embedded bool) []byte {
	ids := map[rune]uint16{}
	var codes strings.Builder
	for _, r := range text {
		if _, ok := ids[r]; !ok {
			ids[r] = uint16(len(ids) + 1)
		}
		fmt.Fprintf(&codes, "%04X", ids[r])
	}
	content := "BT /F2 14 Tf 72 740 Td (" + heading + ") Tj ET BT /F1 11 Tf 72 700 Td <" + codes.String() + "> Tj ET"
	desc := "<< /Type /FontDescriptor /FontName /ABCDEF+Synth /Flags 4 /FontBBox [0 0 1000 1000] /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80"
	font := "null"
	if embedded {
		desc += " /FontFile2 8 0 R"
		ttf := trueTypeCmap(ids)
		font = fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(ttf), ttf)
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R /F2 9 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+Synth /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
		"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+Synth /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R /DW 600 /CIDToGIDMap /Identity >>",
		desc + " >>",
		font,
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// trueTypeCmap is an sfnt with a (3,1) format-4 cmap mapping each rune to its glyph, and maxp.
func trueTypeCmap(glyphs map[rune]uint16) []byte {
	return SFNT(map[string][]byte{"cmap": Cmap4(glyphs), "maxp": Maxp(len(glyphs) + 1)})
}
