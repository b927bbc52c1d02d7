package pdf

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"

	"github.com/sendevagt/sendevagt/internal/testgen"
)

// Test-PDF builders: hand-written minimal PDFs (for the constructs fpdf does not write) and
// go-pdf/fpdf documents. Only synthetic people.

// genLetterBundlePDF returns a bundle of pages Danish letters (one per page) to synthetic citizens;
// testgen.LetterBundlePDF is the same generator for packages that cannot import test files.
func genLetterBundlePDF(tb testing.TB, pages int) []byte {
	tb.Helper()
	data, err := testgen.LetterBundlePDF(pages, 1)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// rawPDF assembles objects 1..n (object 1 is the catalog) with a correct xref table.
type rawPDF struct {
	header  string   // default "%PDF-1.4\n"
	objs    []string // object bodies, numbered from 1
	trailer string   // extra trailer entries
}

func (p rawPDF) bytes() []byte {
	var b bytes.Buffer
	h := p.header
	if h == "" {
		h = "%PDF-1.4\n"
	}
	b.WriteString(h)
	offs := make([]int, len(p.objs))
	for i, o := range p.objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(p.objs)+1)
	for _, off := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n", len(p.objs)+1, p.trailer, xref)
	return b.Bytes()
}

func pdfStreamObj(dict, content string) string {
	return fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(content), content)
}

// helvetica is a core font object with WinAnsi encoding, as fpdf writes it.
const helveticaObj = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"

// onePage is a one-page PDF: catalog 1, pages 2, page 3, content 4, font /F1 5, then extra objects
// from 6 on. resources are extra entries of the page's resource dictionary.
func onePage(content, resources string, extra ...string) rawPDF {
	return onePageFonts(content, "", resources, extra...)
}

// onePageFonts is onePage with extra entries in the font resource dictionary.
func onePageFonts(content, fonts, resources string, extra ...string) rawPDF {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /extract.Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R " + fonts + ">> " + resources + " >> >>",
		pdfStreamObj("", content),
		helveticaObj,
	}
	return rawPDF{objs: append(objs, extra...)}
}

// pages builds a PDF with one page per content stream, all using /F1 Helvetica.
func multiPage(contents ...string) rawPDF {
	n := len(contents)
	objs := []string{"<< /Type /Catalog /Pages 2 0 R >>", ""}
	var kids []string
	for i, c := range contents {
		pageNum := 4 + 2*i
		kids = append(kids, fmt.Sprintf("%d 0 R", pageNum))
		_ = c
	}
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n)
	objs = append(objs, helveticaObj) // 3
	for i, c := range contents {
		objs = append(objs,
			fmt.Sprintf("<< /Type /extract.Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /Resources << /Font << /F1 3 0 R >> >> >>", 5+2*i),
			pdfStreamObj("", c))
	}
	return rawPDF{objs: objs}
}

// pdfLiteral writes s (UTF-8) as a WinAnsi PDF literal string.
func pdfLiteral(s string) string {
	var b strings.Builder
	b.WriteByte('(')
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x80:
			b.WriteRune(r)
		default:
			c, ok := pdfToCP1252(r)
			if !ok {
				c = '?'
			}
			fmt.Fprintf(&b, "\\%03o", c)
		}
	}
	b.WriteByte(')')
	return b.String()
}

// helvWidth is the width of s in Helvetica at size, in points, computed by fpdf (independent of
// the extractor's own metrics table).
func helvWidth(tb testing.TB, s string, size float64) float64 {
	tb.Helper()
	f := fpdf.New("P", "pt", "A4", "")
	f.SetFont("Helvetica", "", size)
	tr := f.UnicodeTranslatorFromDescriptor("")
	return f.GetStringWidth(tr(s))
}

// glyphByGlyph places every character of each line separately with Td (or Tm when useTm),
// advancing by the true glyph width; words are separated by the width of a space.
func glyphByGlyph(tb testing.TB, lines []string, useTm bool) string {
	var b strings.Builder
	b.WriteString("BT /F1 11 Tf\n")
	y := 700.0
	prevX, prevY := 0.0, 0.0 // Td is relative to the start of the previous line
	for _, line := range lines {
		x := 72.0
		for _, r := range line {
			ch := string(r)
			if r != ' ' {
				if useTm {
					fmt.Fprintf(&b, "1 0 0 1 %.3f %.3f Tm %s Tj\n", x, y, pdfLiteral(ch))
				} else {
					fmt.Fprintf(&b, "%.3f %.3f Td %s Tj\n", x-prevX, y-prevY, pdfLiteral(ch))
					prevX, prevY = x, y
				}
			}
			x += helvWidth(tb, ch, 11)
		}
		y -= 13
	}
	b.WriteString("ET\n")
	return b.String()
}

// fpdfDoc returns a new A4 fpdf document with fixed dates (deterministic output).
func fpdfDoc() *fpdf.Fpdf {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCatalogSort(true)
	f.SetCompression(true)
	return f
}

func fpdfBytes(tb testing.TB, f *fpdf.Fpdf) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}
