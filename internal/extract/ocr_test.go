package extract

import (
	"bytes"
	"context"
	"hash/crc32"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/tiff"

	"github.com/sendevagt/sendevagt/internal/testenv"
)

// ocrLetterLines is a synthetic Danish letter (made-up person).
var ocrLetterLines = []string{
	testName,
	"Damagervej 83",
	"4180 Sorø",
	"CPR-nr.: " + testCPR,
	"",
	"Kære " + testName,
	"Kommunen har modtaget din ansøgning om økonomisk hjælp.",
}

var (
	letterOnce sync.Once
	letterPNG  []byte
	letterJPEG []byte
	letterTIFF []byte
	letterErr  error
	// letterDejaVu: the letter is drawn with DejaVu Sans, not the Go font.
	letterDejaVu bool
)

// dejaVuSans (fonts-dejavu-core, which fontconfig and so poppler pull in) is preferred to the
// embedded Go font: tesseract reads the Go font's slashed zero as 9 ("010190" → "919199").
const dejaVuSans = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

// renderLetter draws ocrLetterLines at 40 px with DejaVu Sans or the Go font (both have æøå) on a white
// 2480×1200 canvas (A4 width at 300 dpi) and encodes it as PNG and JPEG.
func renderLetter(tb testing.TB) (pngData, jpegData []byte) {
	tb.Helper()
	letterOnce.Do(func() {
		ttf := goregular.TTF
		if b, err := os.ReadFile(dejaVuSans); err == nil {
			ttf, letterDejaVu = b, true
		}
		f, err := opentype.Parse(ttf)
		if err != nil {
			letterErr = err
			return
		}
		face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: 40, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			letterErr = err
			return
		}
		defer face.Close()
		img := image.NewGray(image.Rect(0, 0, 2480, 1200))
		draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
		d := &font.Drawer{Dst: img, Src: image.Black, Face: face}
		for i, l := range ocrLetterLines {
			d.Dot = fixed.P(200, 200+i*70)
			d.DrawString(l)
		}
		var pb, jb, tb bytes.Buffer
		if letterErr = tiff.Encode(&tb, img, &tiff.Options{Compression: tiff.Deflate}); letterErr != nil {
			return
		}
		letterTIFF = tb.Bytes()
		if letterErr = png.Encode(&pb, img); letterErr != nil {
			return
		}
		if letterErr = jpeg.Encode(&jb, img, &jpeg.Options{Quality: 90}); letterErr != nil {
			return
		}
		letterPNG, letterJPEG = pb.Bytes(), jb.Bytes()
	})
	if letterErr != nil {
		tb.Fatal(letterErr)
	}
	return letterPNG, letterJPEG
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

// ocrExtractor is New(lim) when tesseract with Danish is installed. Without it the test checks
// "OCR not available" and returns ok false, unless SENDEVAGT_REQUIRE_OCR=1 (CI), where it fails.
func ocrExtractor(t testing.TB, lim Limits) (x *Extractor, ok bool) {
	t.Helper()
	x = New(lim)
	if x.tools.ocrAvailable(context.Background()) && x.tools.PDFToPPM != "" {
		return x, true
	}
	if testenv.Required(testenv.OCR) {
		t.Fatalf("OCR required (SENDEVAGT_REQUIRE_OCR) but not available: tools %+v", x.tools.Tools)
	}
	return x, false
}

func TestOCRLetter(t *testing.T) {
	pngData, jpegData := renderLetter(t)
	pdfData := imagePDF(t, pngData, 1)
	x, ok := ocrExtractor(t, Limits{Timeout: 60 * time.Second, OCRPageTimeout: 45 * time.Second})
	for _, c := range []struct {
		name, typ string
		data      []byte
	}{
		{"Brev.png", "image", pngData},
		{"Brev.jpg", "image", jpegData},
		{"Brev.tif", "image", letterTIFF},
		{"Skannet brev.pdf", "pdf", pdfData},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			docs := x.Extract(context.Background(), c.name, "", c.data)
			d := docs[0]
			if d.Type != c.typ {
				t.Fatalf("type %q, want %q", d.Type, c.typ)
			}
			if !ok {
				if d.Status != Unscannable || d.Detail != detailOCRUnavailable {
					t.Fatalf("without OCR: %q %q, want unscannable %q", d.Status, d.Detail, detailOCRUnavailable)
				}
				return
			}
			text := allText(d)
			t.Logf("%s: %s in %.2fs: %q", c.name, d.Status, time.Since(start).Seconds(), text)
			if d.Status != Scanned || d.Detail != detailOCR {
				t.Fatalf("got %q %q, want scanned %q", d.Status, d.Detail, detailOCR)
			}
			wants := []string{testName, "1234"}
			if letterDejaVu {
				wants = append(wants, testCPR, "4180 Sorø", "Damagervej 83")
			} else {
				t.Logf("%s missing: Go font drawn, its zeros are not checked", dejaVuSans)
			}
			for _, want := range wants {
				if !strings.Contains(text, want) {
					t.Errorf("OCR text lacks %q", want)
				}
			}
			if text != NormalizeText(text) {
				t.Errorf("OCR text not normalised")
			}
		})
	}
}

// TestOCRPageLimit: more pages than MaxOCRPages is TooLarge, with the first pages read.
func TestOCRPageLimit(t *testing.T) {
	pngData, _ := renderLetter(t)
	x, ok := ocrExtractor(t, Limits{MaxOCRPages: 1, Timeout: 60 * time.Second, OCRPageTimeout: 45 * time.Second})
	if !ok {
		return
	}
	d := x.Extract(context.Background(), "To sider.pdf", "", imagePDF(t, pngData, 2))[0]
	if d.Status != TooLarge || !strings.HasPrefix(d.Detail, "more than 1 pages to OCR") {
		t.Fatalf("got %q %q", d.Status, d.Detail)
	}
	if len(d.Pages) != 1 || !strings.Contains(d.Pages[0].Text, testName) {
		t.Fatalf("first page not read: %+v", d.Pages)
	}
}

// TestOCRNotAvailable: without tools (configured or found in PATH), images and image-only PDFs
// are Unscannable "OCR not available"; tiny images are Scanned without OCR.
func TestOCRNotAvailable(t *testing.T) {
	pngData, jpegData := renderLetter(t)
	pdfData := imagePDF(t, pngData, 1)
	none := NewWithOptions(Limits{}, Options{Tools: &Tools{}})
	t.Setenv("PATH", "")
	emptyPath := New(Limits{})
	noDan := NewWithOptions(Limits{}, Options{Tools: &Tools{Tesseract: "/bin/true", PDFToPPM: "/bin/true", OCRLanguage: "dan"}})
	for xi, x := range []*Extractor{none, emptyPath, noDan} {
		for _, c := range []struct {
			name string
			data []byte
		}{{"a.png", pngData}, {"a.jpg", jpegData}, {"a.pdf", pdfData}, {"kort.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")}} {
			d := x.Extract(context.Background(), c.name, "", c.data)[0]
			if d.Status != Unscannable || d.Detail != detailOCRUnavailable {
				t.Errorf("extractor %d, %s: %q %q, want unscannable %q", xi, c.name, d.Status, d.Detail, detailOCRUnavailable)
			}
		}
	}
	var tiny bytes.Buffer
	png.Encode(&tiny, image.NewGray(image.Rect(0, 0, 1, 1)))
	if d := none.Extract(context.Background(), "spacer.png", "", tiny.Bytes())[0]; d.Status != Scanned || d.Detail != detailImageTiny {
		t.Errorf("spacer: %q %q", d.Status, d.Detail)
	}
}

// TestImageBomb: a PNG header claiming 100000×100000 pixels is refused before any decoding.
func TestImageBomb(t *testing.T) {
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1)))
	data := b.Bytes()
	// IHDR data starts at byte 16: width, height (big endian); fix its CRC too.
	ihdr := data[12:29]
	copy(ihdr[4:12], []byte{0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0})
	crc := crc32.ChecksumIEEE(ihdr)
	copy(data[29:33], []byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)})
	x := NewWithOptions(Limits{}, Options{Tools: &Tools{Tesseract: "/bin/false"}})
	d := x.Extract(context.Background(), "bombe.png", "", data)[0]
	if d.Status != TooLarge || d.Detail != "image larger than 50 megapixels (MaxImagePixels)" {
		t.Fatalf("got %q %q", d.Status, d.Detail)
	}
}

// TestPDFToTextFallback: a content stream in a filter the Go reader does not support is read by
// pdftotext.
func TestPDFToTextFallback(t *testing.T) {
	content := "BT /F1 14 Tf 72 700 Td (Soeren Aerboe Oestergaard) Tj 0 -20 Td (CPR-nr.: " + testCPR + ") Tj ET"
	p := onePage(content, "")
	p.objs[3] = pdfUnsupportedFilterObj(content) // ASCIIHex is read natively since issue 14
	data := p.bytes()

	if _, st, det := runPDF(t, data, Limits{}); st == Scanned {
		t.Fatalf("native reader read the ASCIIHex stream (%q): the test needs another filter", det)
	}
	x := New(Limits{})
	if x.tools.PDFToText == "" {
		testenv.Missing(t, testenv.OCR, "pdftotext not found (apt-get install poppler-utils)")
	}
	d := x.Extract(context.Background(), "hex.pdf", "", data)[0]
	if d.Status != Scanned || d.Detail != detailPDFToText {
		t.Fatalf("got %q %q", d.Status, d.Detail)
	}
	if text := allText(d); !strings.Contains(text, testCPR) || !strings.Contains(text, "Soeren Aerboe Oestergaard") {
		t.Fatalf("text %q", text)
	}
}

// fakeTesseract is a tesseract stand-in that lists "dan" and then runs body.
func fakeTesseract(t *testing.T, body string) *Extractor {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tesseract")
	script := "#!/bin/sh\nif [ \"$1\" = --list-langs ]; then echo dan; exit 0; fi\n" + body + "\n"
	if err := os.WriteFile(path, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return NewWithOptions(Limits{OCRPageTimeout: 300 * time.Millisecond, MaxTextBytes: 1000}, Options{Tools: &Tools{Tesseract: path}})
}

// TestOCRToolLimits: a hanging tool (and the child holding its stdout) is killed at
// OCRPageTimeout; endless output is cut at MaxTextBytes.
func TestOCRToolLimits(t *testing.T) {
	pngData, _ := renderLetter(t)
	start := time.Now()
	d := fakeTesseract(t, "sleep 30 & sleep 30").Extract(context.Background(), "a.png", "", pngData)[0]
	if d.Status != Unscannable || d.Detail != "OCR took longer than 300ms (OCRPageTimeout)" {
		t.Errorf("hang: %q %q", d.Status, d.Detail)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("hang: returned after %s", el)
	}
	d = fakeTesseract(t, "exec yes "+testName).Extract(context.Background(), "a.png", "", pngData)[0]
	if d.Status != Scanned || !d.Truncated || len(allText(d)) > 1000 || !strings.Contains(allText(d), testName) {
		t.Errorf("endless output: %q %q truncated=%v, %d bytes", d.Status, d.Detail, d.Truncated, len(allText(d)))
	}
	d = fakeTesseract(t, "exit 1").Extract(context.Background(), "a.png", "", pngData)[0]
	if d.Status != Unscannable || d.Detail != "OCR failed" {
		t.Errorf("failing tool: %q %q", d.Status, d.Detail)
	}
}

// BenchmarkOCRPage measures one image-only A4 PDF page through Extract: pdftoppm -r 300 -gray
// and tesseract -l dan.
func BenchmarkOCRPage(b *testing.B) {
	pngData, _ := renderLetter(b)
	pdfData := imagePDF(b, pngData, 1)
	x, ok := ocrExtractor(b, Limits{Timeout: time.Minute, OCRPageTimeout: time.Minute})
	if !ok {
		b.Skip("OCR not available")
	}
	for b.Loop() {
		d := x.Extract(context.Background(), "side.pdf", "", pdfData)[0]
		if d.Status != Scanned {
			b.Fatalf("%q %q", d.Status, d.Detail)
		}
	}
}
