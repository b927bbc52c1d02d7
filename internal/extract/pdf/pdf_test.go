package pdf

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/testgen"
)

// Synthetic people only.

func runPDF(t *testing.T, data []byte, lim extract.Limits) ([]extract.Page, extract.Status, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return extractPDF(ctx, data, lim)
}

func pdfAllText(pages []extract.Page) string {
	var parts []string
	for _, p := range pages {
		parts = append(parts, p.Text)
	}
	return strings.Join(parts, "\f")
}

// Hand-written content streams: the layout rules, fonts, forms, annotations.
func TestPDFLayout(t *testing.T) {
	address := []string{"Søren Ærbø Østergård", "Damagervej 83", "8000 Aarhus C"}

	// A Type0 (Identity-H) font whose ToUnicode maps codes 1.. to the characters of alphabet.
	alphabet := []rune("SørenÆbØstgådamvj 83-0AhuC\x13")
	var bf strings.Builder
	for i, r := range alphabet {
		fmt.Fprintf(&bf, "<%04X> <%04X>\n", i+1, r)
	}
	toUnicode := pdfStreamObj("", "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"+
		"1 begincodespacerange <0000> <FFFF> endcodespacerange\n"+
		fmt.Sprintf("%d beginbfchar\n%sendbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end", len(alphabet), bf.String()))
	type0 := "<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+DejaVuSans /Encoding /Identity-H /DescendantFonts [7 0 R] /ToUnicode 8 0 R >>"
	cidFont := "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+DejaVuSans /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 600 >>"
	hexOf := func(s string) string {
		var b strings.Builder
		b.WriteByte('<')
		for _, r := range s {
			for i, a := range alphabet {
				if a == r {
					fmt.Fprintf(&b, "%04X", i+1)
				}
			}
		}
		b.WriteByte('>')
		return b.String()
	}
	// Codes placed one by one at 600/1000 em each (the DW), so no gaps inside words.
	type0Glyphs := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			if r == ' ' {
				b.WriteString("3.6 0 Td\n")
				continue
			}
			fmt.Fprintf(&b, "%s Tj 6.6 0 Td\n", hexOf(string(r)))
		}
		return b.String()
	}

	tests := []struct {
		name string
		pdf  rawPDF
		want string
	}{
		{
			name: "address block with Td",
			pdf: onePage(fmt.Sprintf("BT /F1 11 Tf 72 700 Td %s Tj 0 -14 Td %s Tj 0 -14 Td %s Tj ET",
				pdfLiteral(address[0]), pdfLiteral(address[1]), pdfLiteral(address[2])), ""),
			want: strings.Join(address, "\n"),
		},
		{
			name: "TL T* ' and \"",
			// T* and ' both move down: an empty line between the first two, so two blocks.
			pdf: onePage(fmt.Sprintf("BT /F1 11 Tf 14 TL 72 700 Td %s Tj T* %s ' 0 0 %s \" ET",
				pdfLiteral(address[0]), pdfLiteral(address[1]), pdfLiteral(address[2])), ""),
			want: address[0] + "\n\n" + address[1] + "\n" + address[2],
		},
		{
			name: "TD sets leading",
			pdf:  onePage("BT /F1 11 Tf 72 700 Td (Jens Hansen) Tj 0 -14 TD (Kirkevej 4) Tj T* (4180 Sor\\370) Tj ET", ""),
			want: "Jens Hansen\nKirkevej 4\n4180 Sorø",
		},
		{
			name: "TJ kerning: word gaps below -180 are spaces, kerning is not",
			pdf:  onePage("BT /F1 11 Tf 72 700 Td [(Je)20(ns)-250(Han)-30(sen)] TJ 0 -14 Td [(Lo)15(rem)-333(ip)-90(sum)-181(dolor)] TJ 0 -14 Td [(0101)-50(90-)10(1234)] TJ ET", ""),
			want: "Jens Hansen\nLorem ipsum dolor\n010190-1234",
		},
		{
			name: "glyph by glyph with Td",
			pdf:  onePage(glyphByGlyph(t, []string{"Søren Ærbø Østergård", "CPR-nr.: 010190-1234", "Wulff Mømmé"}, false), ""),
			want: "Søren Ærbø Østergård\nCPR-nr.: 010190-1234\nWulff Mømmé",
		},
		{
			name: "glyph by glyph with Tm",
			pdf:  onePage(glyphByGlyph(t, address, true), ""),
			want: strings.Join(address, "\n"),
		},
		{
			name: "word by word with Td",
			pdf: onePage(fmt.Sprintf("BT /F1 11 Tf 72 700 Td (Jens) Tj %.3f 0 Td (Hansen) Tj %.3f 0 Td (010190-1234) Tj ET",
				helvWidth(t, "Jens ", 11), helvWidth(t, "Hansen ", 11)), ""),
			want: "Jens Hansen 010190-1234",
		},
		{
			name: "ET BT on the same baseline continues the line",
			pdf: onePage(fmt.Sprintf("BT /F1 11 Tf 72 700 Td (0101) Tj ET BT /F1 11 Tf %.3f 700 Td (90-1234) Tj ET BT /F1 11 Tf %.3f 700 Td (Jens) Tj ET",
				72+helvWidth(t, "0101", 11), 72+helvWidth(t, "010190-1234 ", 11)), ""),
			want: "010190-1234 Jens",
		},
		{
			name: "cm scaling and q/Q",
			pdf:  onePage("q 2 0 0 2 0 0 cm BT /F1 5.5 Tf 36 350 Td (Jens) Tj 0 -7 Td (Hansen) Tj ET Q BT /F1 11 Tf 72 650 Td (Kirkevej 4) Tj ET", ""),
			want: "Jens\nHansen\n\nKirkevej 4", // 36 pt below: a block of its own
		},
		{
			name: "superscript stays on the line",
			pdf:  onePage("BT /F1 11 Tf 72 700 Td (Note) Tj /F1 7 Tf 3 Ts (1) Tj 0 Ts /F1 11 Tf ( her) Tj ET", ""),
			want: "Note1 her",
		},
		{
			name: "Differences encoding",
			pdf: rawPDF{objs: []string{
				"<< /Type /Catalog /Pages 2 0 R >>",
				"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
				"<< /Type /extract.Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F2 5 0 R >> >> >>",
				pdfStreamObj("", "BT /F2 11 Tf 72 700 Td (S\\001ren \\002rb\\001) Tj ET"),
				"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [1 /oslash /AE] >> >>",
			}},
			want: "Søren Ærbø",
		},
		{
			name: "Identity-H with ToUnicode",
			pdf: onePageFonts("BT /F3 11 Tf 72 700 Td "+hexOf("Søren Ærbø Østergård")+" Tj 0 -14 Td "+hexOf("8000 Aarhus C")+" Tj ET", "/F3 6 0 R", "",
				type0, cidFont, toUnicode),
			want: "Søren Ærbø Østergård\n8000 Aarhus C",
		},
		{
			name: "Identity-H glyph by glyph, en dash decoded as U+0013",
			pdf: onePageFonts("BT /F3 11 Tf 72 700 Td "+type0Glyphs("Søren Østergård")+" ET BT /F3 11 Tf 72 686 Td "+hexOf("0")+" Tj "+hexOf("\x13")+" Tj "+hexOf("0")+" Tj ET", "/F3 6 0 R", "",
				type0, cidFont, toUnicode),
			want: "Søren Østergård\n0-0",
		},
		{
			name: "form XObject with own resources, nested, and drawn twice",
			pdf: onePage("BT /F1 11 Tf 72 750 Td (Brev) Tj ET q 1 0 0 1 72 700 cm /Fm1 Do Q q 1 0 0 1 72 600 cm /Fm1 Do Q", "/XObject << /Fm1 6 0 R >>",
				pdfStreamObj("/Type /XObject /Subtype /Form /BBox [0 0 300 50] /Resources << /Font << /F9 7 0 R >> /XObject << /Fm2 8 0 R >> >>",
					"BT /F9 11 Tf 0 20 Td (CPR-nr.: 010190-1234) Tj ET /Fm2 Do"),
				helveticaObj,
				pdfStreamObj("/Type /XObject /Subtype /Form /BBox [0 0 300 50] /Matrix [1 0 0 1 0 -14] /Resources << /Font << /F7 7 0 R >> >>",
					"BT /F7 11 Tf 0 20 Td (S\\370ren \\330stergaard) Tj ET")),
			want: "Brev\n\nCPR-nr.: 010190-1234\nSøren Østergaard\n\nCPR-nr.: 010190-1234\nSøren Østergaard",
		},
		{
			name: "form XObject drawing itself stops at depth 6",
			pdf: onePage("/Fm1 Do", "/XObject << /Fm1 6 0 R >>",
				pdfStreamObj("/Type /XObject /Subtype /Form /BBox [0 0 300 50] /Matrix [1 0 0 1 0 -14] /Resources << /Font << /F1 7 0 R >> /XObject << /Fm1 6 0 R >> >>",
					"BT /F1 11 Tf 72 700 Td (x) Tj ET /Fm1 Do"),
				helveticaObj),
			want: "x\nx\nx\nx\nx\nx",
		},
		{
			name: "inline image data with delimiters and a fake EI",
			pdf:  onePage("BT /F1 11 Tf 72 700 Td (F\\370r) Tj ET q BI /W 4 /H 2 /CS /G /BPC 8 ID \x00)(<<]EIx\xff/%\n EI Q BT /F1 11 Tf 72 686 Td (Efter) Tj ET", ""),
			want: "Før\nEfter",
		},
		{
			name: "filled form field appearance",
			pdf: rawPDF{objs: []string{
				"<< /Type /Catalog /Pages 2 0 R >>",
				"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
				"<< /Type /extract.Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> /Annots [6 0 R 8 0 R] >>",
				pdfStreamObj("", "BT /F1 11 Tf 72 700 Td (Navn:) Tj ET"),
				helveticaObj,
				"<< /Type /Annot /Subtype /Widget /FT /Tx /T (navn) /Rect [120 695 400 712] /AP << /N 7 0 R >> >>",
				pdfStreamObj("/Type /XObject /Subtype /Form /BBox [0 0 280 17] /Resources << /Font << /Helv 5 0 R >> >>",
					"/Tx BMC q BT /Helv 11 Tf 2 5 Td (Kirsten Bach S\\370rensen) Tj ET Q EMC"),
				"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] >>",
			}},
			want: "Navn: Kirsten Bach Sørensen", // the field's value is on the label's line
		},
		{
			name: "unterminated strings at the end of the stream",
			pdf:  onePage("BT /F1 11 Tf 72 700 Td (Hej) Tj [(a) <4142", ""),
			want: "Hej",
		},
		{
			name: "garbage operators and operands are skipped",
			pdf:  onePage("BT ) } { /F1 11 Tf 1 2 3 4 5 72 700 Td >> (Hej) Tj 7 Tj ] 0 -14 Td (med) Tj ET", ""),
			want: "Hej\nmed",
		},
		{
			name: "control characters from a font map to spaces",
			pdf:  onePage("BT /F1 11 Tf 72 700 Td (Jens\\001\\002Hansen\\t) Tj ET", ""),
			want: "Jens Hansen",
		},
		{
			name: "rotated text by glyph",
			pdf:  onePage("BT /F1 11 Tf 0 1 -1 0 300 100 Tm (Ol) Tj 0 1 -1 0 300 111 Tm (e) Tj ET", ""),
			want: "Ole",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pages, st, det := runPDF(t, tc.pdf.bytes(), extract.Limits{})
			if st != extract.Scanned {
				t.Fatalf("status %s (%s), want scanned", st, det)
			}
			if len(pages) != 1 || pages[0].Number != 1 {
				t.Fatalf("pages %+v", pages)
			}
			if pages[0].Text != tc.want {
				t.Errorf("text\n%q\nwant\n%q", pages[0].Text, tc.want)
			}
			if why := pages[0].CheckBlocks(); why != "" {
				t.Errorf("blocks: %s", why)
			}
		})
	}
}

// The header/trailer shim and other structural repairs.
func TestPDFShim(t *testing.T) {
	base := onePage("BT /F1 11 Tf 72 700 Td (Jens Hansen 010190-1234) Tj ET", "")
	good := base.bytes()
	withHeader := func(h string) []byte {
		p := base
		p.header = h
		return p.bytes()
	}
	// Offsets counted from the first byte of the file (junk included).
	absolute := func(junk string) []byte {
		p := base
		p.header = junk + "%PDF-1.4\n"
		return p.bytes()
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"plain", good},
		{"PDF 2.0 header", withHeader("%PDF-2.0\n")},
		{"header with trailing blank", withHeader("%PDF-1.7 \n")},
		{"header with binary comment on the same line", withHeader("%PDF-1.4%\xe2\xe3\xcf\xd3\n")},
		{"CRLF header", withHeader("%PDF-1.5\r\n")},
		{"junk before the header, offsets from the header", append([]byte("Content-Type: application/pdf\r\n\r\n"), good...)},
		{"junk before the header, offsets from the file start", absolute("garbage from a mail gateway\n")},
		{"trailing junk after %%EOF", append(append([]byte{}, good...), bytes.Repeat([]byte("\x00junk "), 100)...)},
		{"trailing NULs after %%EOF", append(append([]byte{}, good...), make([]byte, 4096)...)},
		{"missing %%EOF", bytes.TrimSuffix(good, []byte("%%EOF\n"))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pages, st, det := runPDF(t, tc.data, extract.Limits{})
			if st != extract.Scanned || len(pages) != 1 || pages[0].Text != "Jens Hansen 010190-1234" {
				t.Fatalf("got %s (%s) %+v", st, det, pages)
			}
		})
	}
}

func TestPDFStatus(t *testing.T) {
	letter := "BT /F1 11 Tf 72 700 Td (Kirsten Bach S\\370rensen) Tj 0 -14 Td (CPR-nr. 010190-1234) Tj ET"
	blank := "0.9 g 72 72 451 698 re f"
	hugeXrefStream := rawPDF{objs: []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [] /Count 0 >>",
	}}.bytes()
	tests := []struct {
		name       string
		data       []byte
		lim        extract.Limits
		wantStatus extract.Status
		wantDetail string
		wantPages  []string
	}{
		{
			name:       "pages with and without text",
			data:       multiPage(letter, blank, "BT /F1 11 Tf 72 700 Td (Side 3) Tj ET").bytes(),
			wantStatus: extract.Scanned,
			wantPages:  []string{"Kirsten Bach Sørensen\nCPR-nr. 010190-1234", "", "Side 3"},
		},
		{
			name:       "no text layer",
			data:       multiPage(blank, blank).bytes(),
			wantStatus: extract.Unscannable,
			wantDetail: "PDF has no text layer (scanned image; OCR not available)",
			wantPages:  []string{"", ""},
		},
		{
			name:       "page limit",
			data:       multiPage(letter, "BT /F1 11 Tf 72 700 Td (Side 2) Tj ET", letter, letter).bytes(),
			lim:        extract.Limits{MaxPages: 2},
			wantStatus: extract.TooLarge,
			wantDetail: "PDF has more than 2 pages",
			wantPages:  []string{"Kirsten Bach Sørensen\nCPR-nr. 010190-1234", "Side 2"},
		},
		{
			name:       "exactly at the page limit",
			data:       multiPage(letter, letter).bytes(),
			lim:        extract.Limits{MaxPages: 2},
			wantStatus: extract.Scanned,
			wantPages:  []string{"Kirsten Bach Sørensen\nCPR-nr. 010190-1234", "Kirsten Bach Sørensen\nCPR-nr. 010190-1234"},
		},
		{
			name:       "text limit",
			data:       multiPage(letter, letter).bytes(),
			lim:        extract.Limits{MaxTextBytes: 50},
			wantStatus: extract.TooLarge,
			wantDetail: "PDF has more than 50 bytes of text",
			wantPages:  []string{"Kirsten Bach Sørensen\nCPR-nr. 010190-1234", "Kirsten"},
		},
		{
			name:       "not a PDF",
			data:       []byte("Kære Søren, her er dine papirer."),
			wantStatus: extract.Unscannable,
			wantDetail: "corrupt PDF: no %PDF header",
		},
		{
			name:       "no pages",
			data:       hugeXrefStream,
			wantStatus: extract.Unscannable,
			wantDetail: "corrupt PDF: no pages",
		},
		{
			name: "256-bit encryption",
			data: rawPDF{
				objs: []string{
					"<< /Type /Catalog /Pages 2 0 R >>",
					"<< /Type /Pages /Kids [] /Count 0 >>",
					"<< /Filter /Standard /V 5 /R 6 /Length 256 /P -1028 /O <" + strings.Repeat("00", 48) + "> /U <" + strings.Repeat("00", 48) + "> >>",
				},
				trailer: "/Encrypt 3 0 R /ID [<0102030405060708090a0b0c0d0e0f10> <0102030405060708090a0b0c0d0e0f10>] ",
			}.bytes(),
			wantStatus: extract.Encrypted,
			wantDetail: "PDF uses 256-bit encryption",
		},
		{
			name: "unknown security handler",
			data: rawPDF{
				objs: []string{
					"<< /Type /Catalog /Pages 2 0 R >>",
					"<< /Type /Pages /Kids [] /Count 0 >>",
					"<< /Filter /Adobe.PubSec /V 4 /R 4 /Length 128 >>",
				},
				trailer: "/Encrypt 3 0 R ",
			}.bytes(),
			wantStatus: extract.Encrypted,
			wantDetail: "PDF uses encryption the reader does not support",
		},
		{
			name: "broken page reference",
			data: rawPDF{objs: []string{
				"<< /Type /Catalog /Pages 2 0 R >>",
				"<< /Type /Pages /Kids [3 0 R 9 0 R] /Count 2 >>",
				"<< /Type /extract.Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
				pdfStreamObj("", "BT /F1 11 Tf 72 700 Td (Side 1) Tj ET"),
				helveticaObj,
			}}.bytes(),
			wantStatus: extract.Unscannable,
			wantDetail: "corrupt PDF: 1 of 2 pages could not be read",
			wantPages:  []string{"Side 1"},
		},
		{
			name: "annotation object at a wrong offset: the library panics, the page text stays",
			data: bytes.Replace(rawPDF{objs: []string{
				"<< /Type /Catalog /Pages 2 0 R >>",
				"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
				"<< /Type /extract.Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> /Annots [6 0 R] >>",
				pdfStreamObj("", "BT /F1 11 Tf 72 700 Td (Side 1) Tj ET"),
				helveticaObj,
				"<< /Type /Annot /Subtype /FreeText /Rect [0 0 9 9] >>",
			}}.bytes(), []byte("6 0 obj"), []byte("7 0 obj"), 1),
			wantStatus: extract.Scanned,
			wantPages:  []string{"Side 1"},
		},
		{
			name: "a form XObject with an unsupported filter costs only its own text",
			data: onePage("BT /F1 11 Tf 72 700 Td (F\\370r) Tj ET /Fm1 Do BT /F1 11 Tf 72 600 Td (Efter) Tj ET", "/XObject << /Fm1 6 0 R >>",
				pdfStreamObj("/Type /XObject /Subtype /Form /BBox [0 0 9 9] /Filter /LZWDecode", "\x80\x0b\x60\x50\x22\x0c\x0c\x85\x01")).bytes(),
			wantStatus: extract.Scanned,
			wantPages:  []string{"Før\n\nEfter"},
		},
		{
			name: "unsupported filter on the only page",
			data: onePage("", "").bytesWith(func(objs []string) {
				objs[3] = pdfStreamObj("/Filter /JBIG2Decode", "\x80\x0b\x60\x50\x22\x0c\x0c\x85\x01")
			}),
			wantStatus: extract.Unscannable,
			wantDetail: "corrupt PDF: no page could be read",
			wantPages:  []string{""},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pages, st, det := runPDF(t, tc.data, tc.lim)
			if st != tc.wantStatus || det != tc.wantDetail {
				t.Fatalf("status %s (%q), want %s (%q)", st, det, tc.wantStatus, tc.wantDetail)
			}
			var got []string
			for i, p := range pages {
				if p.Number != i+1 {
					t.Errorf("page %d numbered %d", i+1, p.Number)
				}
				got = append(got, p.Text)
			}
			if strings.Join(got, "\f") != strings.Join(tc.wantPages, "\f") {
				t.Errorf("pages %q, want %q", got, tc.wantPages)
			}
		})
	}
}

func (p rawPDF) bytesWith(edit func(objs []string)) []byte {
	objs := append([]string{}, p.objs...)
	edit(objs)
	p.objs = objs
	return p.bytes()
}

func TestPDFContextCancelled(t *testing.T) {
	data := genLetterBundlePDF(t, 3)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, st, det := extractPDF(ctx, data, extract.Limits{})
	if st != extract.Unscannable || det != "timed out" {
		t.Fatalf("got %s (%s)", st, det)
	}
}

// fpdf documents: core Helvetica through the cp1252 translator, text placed with Cell,
// MultiCell and word by word with Text, password protection, a UTF-8 (Identity-H) font.
func TestPDFFpdf(t *testing.T) {
	t.Run("letter with core font", func(t *testing.T) {
		f := fpdfDoc()
		tr := f.UnicodeTranslatorFromDescriptor("")
		f.AddPage()
		f.SetFont("Helvetica", "", 11)
		f.SetXY(25, 50)
		for _, line := range []string{"Søren Ærbø Østergård", "Damagervej 83, 2. th.", "8000 Aarhus C"} {
			f.CellFormat(90, 5.5, tr(line), "", 2, "L", false, 0, "")
		}
		f.Text(125, 55, tr("CPR-nr.: 010190-1234"))
		f.SetXY(25, 90)
		f.MultiCell(160, 5.5, tr("Kære Søren Ærbø Østergård. Vi har behandlet din ansøgning om hjælp til medicin og har bevilget tilskud efter aktivlovens § 82. Beløbet udbetales til din NemKonto."), "", "L", false)
		pages, st, det := runPDF(t, fpdfBytes(t, f), extract.Limits{})
		if st != extract.Scanned {
			t.Fatalf("%s %s", st, det)
		}
		// The CPR number stands in a column to the right of the address: its own block after it.
		want := "Søren Ærbø Østergård\nDamagervej 83, 2. th.\n8000 Aarhus C\n\nCPR-nr.: 010190-1234\n\n" +
			"Kære Søren Ærbø Østergård. Vi har behandlet din ansøgning om hjælp til medicin og har\n" +
			"bevilget tilskud efter aktivlovens § 82. Beløbet udbetales til din NemKonto."
		if pages[0].Text != want {
			t.Errorf("text\n%s\nwant\n%s", pages[0].Text, want)
		}
	})
	t.Run("word by word and glyph by glyph with Text", func(t *testing.T) {
		f := fpdfDoc()
		tr := f.UnicodeTranslatorFromDescriptor("")
		f.AddPage()
		f.SetFont("Helvetica", "", 11)
		place := func(y float64, text string, byGlyph bool) {
			x := 25.0
			units := strings.Split(text, " ")
			for i, word := range units {
				if byGlyph {
					for _, r := range word {
						f.Text(x, y, tr(string(r)))
						x += f.GetStringWidth(tr(string(r)))
					}
				} else {
					f.Text(x, y, tr(word))
					x += f.GetStringWidth(tr(word))
				}
				if i < len(units)-1 {
					x += f.GetStringWidth(" ")
				}
			}
		}
		place(50, "Søren Ærbø Østergård", false)
		place(56, "Damagervej 83", true)
		place(62, "CPR-nr. 010190-1234", true)
		f.SetFont("Helvetica", "B", 11)
		place(68, "Mømmé Wulff Åkjær", true)
		pages, st, det := runPDF(t, fpdfBytes(t, f), extract.Limits{})
		if st != extract.Scanned {
			t.Fatalf("%s %s", st, det)
		}
		want := "Søren Ærbø Østergård\nDamagervej 83\nCPR-nr. 010190-1234\nMømmé Wulff Åkjær"
		if pages[0].Text != want {
			t.Errorf("text\n%q\nwant\n%q", pages[0].Text, want)
		}
	})
	t.Run("UTF-8 TrueType font (Identity-H)", func(t *testing.T) {
		const ttf = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
		font, err := os.ReadFile(ttf)
		if err != nil {
			t.Skip("no DejaVu font on this machine")
		}
		f := fpdfDoc()
		f.AddUTF8FontFromBytes("dejavu", "", font)
		f.AddPage()
		f.SetFont("dejavu", "", 11)
		f.Text(25, 50, "Søren Ærbø Østergård")
		f.Text(25, 56, "CPR-nr. 010190–1234")
		x := 25.0
		for _, r := range "Åse Frølund" {
			f.Text(x, 62, string(r))
			x += f.GetStringWidth(string(r))
		}
		pages, st, det := runPDF(t, fpdfBytes(t, f), extract.Limits{})
		if st != extract.Scanned {
			t.Fatalf("%s %s", st, det)
		}
		want := "Søren Ærbø Østergård\nCPR-nr. 010190–1234\nÅse Frølund"
		if pages[0].Text != want {
			t.Errorf("text\n%q\nwant\n%q", pages[0].Text, want)
		}
	})
	protected := func(user string) []byte {
		f := fpdfDoc()
		f.SetProtection(fpdf.CnProtectPrint, user, "ejer-hemmelig")
		f.AddPage()
		f.SetFont("Helvetica", "", 11)
		f.Text(25, 50, "Jens Hansen 010190-1234")
		return fpdfBytes(t, f)
	}
	t.Run("user password", func(t *testing.T) {
		_, st, det := runPDF(t, protected("bruger"), extract.Limits{})
		if st != extract.Encrypted || det != "PDF is password-protected" {
			t.Fatalf("%s %s", st, det)
		}
	})
	t.Run("owner password only, RC4 40-bit", func(t *testing.T) {
		// The library opens it but derives a wrong RC4-40 key: never report it as read.
		pages, st, det := runPDF(t, protected(""), extract.Limits{})
		if st == extract.Scanned {
			if !strings.Contains(pdfAllText(pages), "010190-1234") {
				t.Fatalf("scanned but text lost: %q", pdfAllText(pages))
			}
			return
		}
		if st != extract.Encrypted || det != "PDF uses encryption the reader does not support" {
			t.Fatalf("%s %s", st, det)
		}
	})
}

// The letter bundle generator: every page names its citizen, with CPR and address lines intact.
func TestPDFLetterBundle(t *testing.T) {
	data, people, err := testgen.LetterBundle(testgen.LetterOptions{Pages: 12, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	pages, st, det := runPDF(t, data, extract.Limits{})
	if st != extract.Scanned || len(pages) != 12 {
		t.Fatalf("%s %s, %d pages", st, det, len(pages))
	}
	for i, c := range people {
		text := pages[i].Text
		block := c.Name() + "\n" + c.Street + "\n" + c.Postcode + " " + c.City
		for _, want := range []string{block, "CPR-nr.: " + c.CPR, "Kære " + c.Name()} {
			if !strings.Contains(text, want) {
				t.Errorf("page %d lacks %q:\n%s", i+1, want, text)
			}
		}
	}
}

// Damaged copies must never panic or hang, and never come out Scanned without text.
func TestPDFDamaged(t *testing.T) {
	orig := genLetterBundlePDF(t, 2)
	check := func(t *testing.T, name string, data []byte) extract.Status {
		t.Helper()
		pages, st, det := runPDF(t, data, extract.Limits{})
		switch st {
		case extract.Scanned:
			if pdfAllText(pages) == "" {
				t.Errorf("%s: scanned without text", name)
			}
		case extract.Unscannable, extract.Encrypted, extract.TooLarge:
			if det == "" {
				t.Errorf("%s: %s without detail", name, st)
			}
		default:
			t.Errorf("%s: status %q", name, st)
		}
		return st
	}
	// A truncated copy is read by scanning for its objects: it is Unscannable, or Scanned only
	// when every page came out whole (the cut fell after the last page's content).
	whole, _, _ := runPDF(t, orig, extract.Limits{})
	for _, frac := range []float64{0.1, 0.3, 0.5, 0.7, 0.9, 0.99} {
		n := int(float64(len(orig)) * frac)
		st := check(t, fmt.Sprintf("truncated at %d", n), orig[:n])
		if st == extract.Unscannable {
			continue
		}
		if pages, _, _ := runPDF(t, orig[:n], extract.Limits{}); st != extract.Scanned || pdfAllText(pages) != pdfAllText(whole) {
			t.Errorf("truncated at %.0f%%: %s with text lost, want unscannable", frac*100, st)
		}
	}
	flipped := 0
	for i := 0; i < 400; i++ {
		data := append([]byte{}, orig...)
		pos := (i*7919 + 13) % len(data)
		data[pos] ^= 1 << (i % 8)
		if check(t, fmt.Sprintf("bit flip at %d", pos), data) != extract.Scanned {
			flipped++
		}
	}
	t.Logf("%d of 400 bit-flipped copies not scanned", flipped)
}

// The standard-14 width tables must agree with fpdf's metrics for every WinAnsi character.
func TestPDFStandardMetrics(t *testing.T) {
	for _, tc := range []struct {
		family, style, base string
	}{
		{"Helvetica", "", "Helvetica"}, {"Helvetica", "B", "Helvetica-Bold"}, {"Times", "", "Times-Roman"},
		{"Times", "B", "Times-Bold"}, {"Times", "I", "Times-Italic"}, {"Times", "BI", "Times-BoldItalic"},
		{"Arial", "", "ArialMT"},
	} {
		f := fpdf.New("P", "pt", "A4", "")
		f.SetFont(tc.family, tc.style, 1000)
		table, _ := pdfStandardMetrics(tc.base)
		for c := 32; c < 256; c++ {
			want := f.GetStringWidth(string([]byte{byte(c)}))
			if float64(table[c]) != want {
				t.Errorf("%s %q: %d, fpdf %v", tc.base, rune(pdfCP1252[c]), table[c], want)
			}
		}
	}
}

// extractPDF keeps no shared mutable state: concurrent calls (run with -race) agree.
func TestPDFConcurrent(t *testing.T) {
	data := genLetterBundlePDF(t, 5)
	want, _, _ := runPDF(t, data, extract.Limits{})
	errs := make(chan string, 8)
	for i := 0; i < 8; i++ {
		go func() {
			got, st, _ := extractPDF(context.Background(), data, extract.Limits{})
			if st != extract.Scanned || pdfAllText(got) != pdfAllText(want) {
				errs <- fmt.Sprintf("status %s, text differs: %v", st, pdfAllText(got) != pdfAllText(want))
				return
			}
			errs <- ""
		}()
	}
	for i := 0; i < 8; i++ {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
}
