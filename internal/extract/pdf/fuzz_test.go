package pdf

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"

	"github.com/sendevagt/sendevagt/internal/extract"
)

// FuzzPDF feeds arbitrary bytes to extractPDF: it must return (no panic, no hang beyond its
// context) with a known status, a short content-free detail, and pages within the limits.
//
//	go test -run=^$ -fuzz=FuzzPDF -fuzztime=60s ./internal/extract/pdf/
//
// Inputs the library itself cannot survive in-process (a fatal out-of-memory, an endless loop
// inside a library call that no context can stop) are what worker isolation is for; see the
// report in testdata/fuzz/FuzzPDF and pdf.go.
func FuzzPDF(f *testing.F) {
	for _, seed := range pdfFuzzSeeds(f) {
		f.Add(seed)
	}
	const maxPages, maxText = 50, 1 << 20
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			t.Skip("large inputs are slow to mutate; the limits are tested elsewhere")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		pages, st, det := extractPDF(ctx, data, extract.Limits{MaxPages: maxPages, MaxTextBytes: maxText})
		checkPDFResult(t, pages, st, det, maxPages, maxText)
	})
}

// FuzzPDFContent fuzzes the layout walker and its lexer: the input is the content stream of
// an otherwise valid page with a WinAnsi font, an Identity-H font with a ToUnicode CMap and a
// Form XObject.
func FuzzPDFContent(f *testing.F) {
	for _, seed := range []string{
		"BT /F1 11 Tf 72 700 Td (S\\370ren \\330sterg\\345rd) Tj 0 -14 Td [(0101)-50(90-1234)-300(Jens)] TJ T* (x) ' 1 2 (y) \" ET",
		"BT /F3 11 Tf 1 0 0 1 72 700 Tm <00010002> Tj 0 1 -1 0 300 100 Tm <0010> Tj ET q 2 0 0 2 0 0 cm /Fm1 Do Q",
		"q BI /W 2 /H 1 /BPC 8 /CS /G /L 2 ID \x00\xff EI Q BT 12 TL /F1 9 Tf 3 Ts 120 Tz 1 Tc 2 Tw (a b) Tj T* <41> Tj ET",
		"<< /A [1 [2 [3 (x) <4>] /N] >> BDC /P <</MCID 0>> BDC EMC ] ) } { % comment\n (unterminated",
	} {
		f.Add([]byte(seed))
	}
	type0 := "<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /DescendantFonts [7 0 R] /ToUnicode 8 0 R >>"
	cid := "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X /DW 600 /W [1 [500 600] 3 9 700] >>"
	cmap := pdfStreamObj("", "1 begincodespacerange <0000> <FFFF> endcodespacerange 2 beginbfchar <0001> <00F8> <0002> <0013> endbfchar 1 beginbfrange <0010> <0020> <0041> endbfrange endcmap")
	form := pdfStreamObj("/Type /XObject /Subtype /Form /BBox [0 0 9 9] /Resources << /Font << /F1 5 0 R >> /XObject << /Fm1 9 0 R >> >>",
		"BT /F1 11 Tf (form) Tj ET /Fm1 Do")
	const maxText = 1 << 16
	f.Fuzz(func(t *testing.T, content []byte) {
		if len(content) > 1<<16 {
			t.Skip()
		}
		data := onePageFonts(string(content), "/F3 6 0 R", "/XObject << /Fm1 9 0 R >>", type0, cid, cmap, form).bytes()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		pages, st, det := extractPDF(ctx, data, extract.Limits{MaxTextBytes: maxText})
		// Codes the F3 ToUnicode does not map are glyphs without text: Unscannable too.
		if st == extract.Encrypted || (st == extract.Unscannable && det != pdfDetailNoText && !strings.HasSuffix(det, "without a character map")) {
			t.Fatalf("a valid page with any content stream: %s (%s)", st, det)
		}
		if len(pages) != 1 {
			t.Fatalf("%d pages", len(pages))
		}
		checkPDFResult(t, pages, st, det, 1, maxText)
	})
}

func checkPDFResult(t *testing.T, pages []extract.Page, st extract.Status, det string, maxPages, maxText int) {
	t.Helper()
	{
		switch st {
		case extract.Scanned:
			if det != "" {
				t.Errorf("scanned with detail %q", det)
			}
			if pdfAllText(pages) == "" {
				t.Error("scanned without text")
			}
		case extract.Unscannable, extract.Encrypted, extract.TooLarge:
			if det == "" {
				t.Errorf("%s without detail", st)
			}
		default:
			t.Fatalf("status %q", st)
		}
		if len(det) > 100 || strings.ContainsFunc(det, func(r rune) bool { return r < ' ' || r > '~' }) {
			t.Errorf("detail %q: not short ASCII", det)
		}
		if len(pages) > maxPages {
			t.Errorf("%d pages", len(pages))
		}
		total := 0
		for i, p := range pages {
			if p.Number != i+1 {
				t.Errorf("page %d numbered %d", i+1, p.Number)
			}
			if !utf8.ValidString(p.Text) {
				t.Errorf("page %d: invalid UTF-8", p.Number)
			}
			if why := p.CheckBlocks(); why != "" {
				t.Errorf("page %d blocks: %s", p.Number, why)
			}
			total += len(p.Text)
		}
		if total > maxText {
			t.Errorf("%d bytes of text", total)
		}
	}
}

func pdfFuzzSeeds(tb testing.TB) [][]byte {
	type0 := "<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /DescendantFonts [7 0 R] /ToUnicode 8 0 R >>"
	cid := "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X /DW 600 /W [1 [500 600] 3 9 700] >>"
	cmap := pdfStreamObj("", "1 begincodespacerange <0000> <FFFF> endcodespacerange 2 beginbfchar <0001> <00F8> <0002> <0013> endbfchar 1 beginbfrange <0010> <0020> <0041> endbfrange endcmap")
	seeds := [][]byte{
		onePage("BT /F1 11 Tf 72 700 Td (S\\370ren \\330sterg\\345rd) Tj 0 -14 Td [(0101)-50(90-1234)-300(Jens)] TJ T* (x) ' 1 2 (y) \" ET", "").bytes(),
		onePage("BT /F1 11 Tf 1 0 0 1 72 700 Tm (J) Tj 1 0 0 1 78 700 Tm (e) Tj ET q 2 0 0 2 0 0 cm BI /W 2 /H 1 /BPC 8 /CS /G ID \x00\xff EI Q", "").bytes(),
		onePageFonts("BT /F3 11 Tf 72 700 Td <000100020010> Tj ET", "/F3 6 0 R", "", type0, cid, cmap).bytes(),
		onePage("/Fm1 Do", "/XObject << /Fm1 6 0 R >>",
			pdfStreamObj("/Type /XObject /Subtype /Form /BBox [0 0 9 9] /Matrix [1 0 0 1 0 -14] /Resources << /Font << /F1 7 0 R >> /XObject << /Fm1 6 0 R >> >>",
				"BT /F1 11 Tf 72 700 Td (x) Tj ET /Fm1 Do"), helveticaObj).bytes(),
		multiPage("BT /F1 11 Tf 72 700 Td (Side 1) Tj ET", "0 g 1 1 5 5 re f", "BT /F1 11 Tf 72 700 Td (Side 3) Tj ET").bytes(),
		rawPDF{header: "%PDF-2.0\n", objs: []string{
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 1 >>",
			"<< /Type /extract.Page /Parent 2 0 R /Contents 4 0 R /Annots [<< /Subtype /Widget /Rect [0 0 9 9] /AP << /N 5 0 R >> >>] >>",
			pdfStreamObj("", "BT 12 TL T* (a) Tj ET"),
			pdfStreamObj("/Subtype /Form /BBox [0 0 9 9]", "BT (b) Tj ET"),
		}}.bytes(),
		rawPDF{objs: []string{"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [] /Count 0 >>",
			"<< /Filter /Standard /V 2 /R 3 /Length 128 /P -4 /O <" + strings.Repeat("11", 32) + "> /U <" + strings.Repeat("22", 32) + "> >>"},
			trailer: "/Encrypt 3 0 R /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>] "}.bytes(),
	}
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCompression(false)
	tr := f.UnicodeTranslatorFromDescriptor("")
	f.AddPage()
	f.SetFont("Helvetica", "", 11)
	f.Text(25, 50, tr("Søren Ærbø Østergård"))
	f.MultiCell(100, 5, tr("Damagervej 83\n8000 Aarhus C\nCPR-nr.: 010190-1234"), "", "L", false)
	seeds = append(seeds, fpdfBytes(tb, f), genLetterBundlePDF(tb, 1))
	// Issue 14: no xref (rebuilt), object streams (inlined), a Type0 font read through its
	// embedded cmap, a content stream in a filter the library lacks.
	gids, byGID := glyphPlan(cidText)
	lzwPage := onePage("", "")
	lzwPage.objs[3] = pdfUnsupportedFilterObj("BT /F1 11 Tf 72 700 Td (Jens) Tj ET")
	seeds = append(seeds, objStmPDF("Jens 010190-1234"), xrefStreamPDF("Jens", 3, "Opdateret"),
		genType0PDF(gids, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X /FontDescriptor 8 0 R >>", "FontFile2",
			pdfStreamObj("", string(ttfWithCmap(byGID)))),
		lzwPage.bytes())
	return seeds
}
