package pdf

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/extract/ocr"
	"github.com/sendevagt/sendevagt/internal/testenv"
	"github.com/sendevagt/sendevagt/internal/testgen"
)

// The fallback of image-only PDFs: pdftoppm renders each page, tesseract reads it (OCR of
// image attachments is tested in package extract).

// Synthetic people only.
const (
	testName = "Søren Ærbø Østergård"
	testCPR  = "010190-1234"
)

// scannedLetter is a scanned letter to testName (testgen.ScanLetter).
func scannedLetter(tb testing.TB) testgen.ScannedLetter {
	tb.Helper()
	l, err := testgen.ScanLetter(testName, testCPR)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// imagePDF places the PNG on each of n A4 pages: a PDF without a text layer.
func imagePDF(tb testing.TB, pngData []byte, n int) []byte {
	tb.Helper()
	f := fpdfDoc()
	opt := fpdf.ImageOptions{ImageType: "PNG"}
	f.RegisterImageOptionsReader("letter", opt, bytes.NewReader(pngData))
	for i := 0; i < n; i++ {
		f.AddPage()
		f.ImageOptions("letter", 0, 0, 210, 0, false, opt, 0, "")
	}
	return fpdfBytes(tb, f)
}

// newExtractor is the Extractor with this reader and its fallback by the tools found in PATH.
func newExtractor(lim extract.Limits) *extract.Extractor {
	return newExtractorWith(lim, ocr.LookupTools())
}

// newExtractorWith is the Extractor with this reader and its fallback by tools.
func newExtractorWith(lim extract.Limits, tools ocr.Tools) *extract.Extractor {
	return extract.New(lim, extract.WithReaders(Reader{Tools: ocr.New(tools)}))
}

// ocrExtractor is newExtractor(lim) when pdftoppm and tesseract with Danish are installed.
// Without them the test checks "OCR not available" and returns ok false, unless
// SENDEVAGT_REQUIRE_OCR=1 (CI), where it fails.
func ocrExtractor(t testing.TB, lim extract.Limits) (x *extract.Extractor, ok bool) {
	t.Helper()
	tools := ocr.New(ocr.LookupTools())
	x = extract.New(lim, extract.WithReaders(Reader{Tools: tools}))
	if tools.CanRender(context.Background()) {
		return x, true
	}
	if testenv.Required(testenv.OCR) {
		t.Fatalf("OCR required (SENDEVAGT_REQUIRE_OCR) but not available: tools %+v", tools.Tools())
	}
	return x, false
}

func TestOCRLetter(t *testing.T) {
	letter := scannedLetter(t)
	pdfData := imagePDF(t, letter.PNG, 1)
	x, ok := ocrExtractor(t, extract.Limits{Timeout: 60 * time.Second, OCRPageTimeout: 45 * time.Second})
	start := time.Now()
	d := x.Extract(context.Background(), "Skannet brev.pdf", "", pdfData)[0]
	if d.Type != "pdf" {
		t.Fatalf("type %q, want pdf", d.Type)
	}
	if !ok {
		if d.Status != extract.Unscannable || d.Detail != extract.DetailOCRUnavailable {
			t.Fatalf("without OCR: %q %q, want unscannable %q", d.Status, d.Detail, extract.DetailOCRUnavailable)
		}
		return
	}
	text := pdfAllText(d.Pages)
	t.Logf("%s in %.2fs: %q", d.Status, time.Since(start).Seconds(), text)
	if d.Status != extract.Scanned || d.Detail != extract.DetailOCR {
		t.Fatalf("got %q %q, want scanned %q", d.Status, d.Detail, extract.DetailOCR)
	}
	wants := []string{testName, "1234"}
	if letter.DejaVu {
		wants = append(wants, testCPR, "4180 Sorø", "Damagervej 83")
	} else {
		t.Log("DejaVu Sans missing: Go font drawn, its zeros are not checked")
	}
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("OCR text lacks %q", want)
		}
	}
	if text != extract.NormalizeText(text) {
		t.Errorf("OCR text not normalised")
	}
}

// TestOCRPageLimit: more pages than MaxOCRPages is TooLarge, with the first pages read.
func TestOCRPageLimit(t *testing.T) {
	pngData := scannedLetter(t).PNG
	x, ok := ocrExtractor(t, extract.Limits{MaxOCRPages: 1, Timeout: 60 * time.Second, OCRPageTimeout: 45 * time.Second})
	if !ok {
		return
	}
	d := x.Extract(context.Background(), "To sider.pdf", "", imagePDF(t, pngData, 2))[0]
	if d.Status != extract.TooLarge || !strings.HasPrefix(d.Detail, "more than 1 pages to OCR") {
		t.Fatalf("got %q %q", d.Status, d.Detail)
	}
	if len(d.Pages) != 1 || !strings.Contains(d.Pages[0].Text, testName) {
		t.Fatalf("first page not read: %+v", d.Pages)
	}
}

// TestOCRNotAvailable: without tools (configured or found in PATH), image-only PDFs are
// Unscannable "OCR not available".
func TestOCRNotAvailable(t *testing.T) {
	pdfData := imagePDF(t, scannedLetter(t).PNG, 1)
	none := newExtractorWith(extract.Limits{}, ocr.Tools{})
	t.Setenv("PATH", "")
	emptyPath := newExtractor(extract.Limits{})
	noDan := newExtractorWith(extract.Limits{}, ocr.Tools{Tesseract: "/bin/true", PDFToPPM: "/bin/true", OCRLanguage: "dan"})
	for xi, x := range []*extract.Extractor{none, emptyPath, noDan} {
		d := x.Extract(context.Background(), "a.pdf", "", pdfData)[0]
		if d.Status != extract.Unscannable || d.Detail != extract.DetailOCRUnavailable {
			t.Errorf("extractor %d: %q %q, want unscannable %q", xi, d.Status, d.Detail, extract.DetailOCRUnavailable)
		}
	}
}

// TestPDFToTextFallback: a content stream in a filter the Go reader does not support is read by
// pdftotext.
func TestPDFToTextFallback(t *testing.T) {
	content := "BT /F1 14 Tf 72 700 Td (Soeren Aerboe Oestergaard) Tj 0 -20 Td (CPR-nr.: " + testCPR + ") Tj ET"
	p := onePage(content, "")
	p.objs[3] = pdfUnsupportedFilterObj(content) // ASCIIHex is read natively since issue 14
	data := p.bytes()

	if _, st, det := runPDF(t, data, extract.Limits{}); st == extract.Scanned {
		t.Fatalf("native reader read the ASCIIHex stream (%q): the test needs another filter", det)
	}
	if ocr.LookupTools().PDFToText == "" {
		testenv.Missing(t, testenv.OCR, "pdftotext not found (apt-get install poppler-utils)")
	}
	d := newExtractor(extract.Limits{}).Extract(context.Background(), "hex.pdf", "", data)[0]
	if d.Status != extract.Scanned || d.Detail != detailPDFToText {
		t.Fatalf("got %q %q", d.Status, d.Detail)
	}
	if text := pdfAllText(d.Pages); !strings.Contains(text, testCPR) || !strings.Contains(text, "Soeren Aerboe Oestergaard") {
		t.Fatalf("text %q", text)
	}
}

// BenchmarkOCRPage measures one image-only A4 PDF page through Extract: pdftoppm -r 300 -gray
// and tesseract -l dan.
func BenchmarkOCRPage(b *testing.B) {
	pdfData := imagePDF(b, scannedLetter(b).PNG, 1)
	x, ok := ocrExtractor(b, extract.Limits{Timeout: time.Minute, OCRPageTimeout: time.Minute})
	if !ok {
		b.Skip("OCR not available")
	}
	for b.Loop() {
		d := x.Extract(context.Background(), "side.pdf", "", pdfData)[0]
		if d.Status != extract.Scanned {
			b.Fatalf("%q %q", d.Status, d.Detail)
		}
	}
}
