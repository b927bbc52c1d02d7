package extract

import (
	"bytes"
	"context"
	"hash/crc32"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/extract/ocr"
	"github.com/sendevagt/sendevagt/internal/testenv"
	"github.com/sendevagt/sendevagt/internal/testgen"
)

var (
	letterOnce sync.Once
	letter     testgen.ScannedLetter
	letterErr  error
)

// renderLetter is a scanned letter to testName (testgen.ScanLetter), made once: PNG and JPEG
// (letter.TIFF too).
func renderLetter(tb testing.TB) (pngData, jpegData []byte) {
	tb.Helper()
	letterOnce.Do(func() { letter, letterErr = testgen.ScanLetter(testName, testCPR) })
	if letterErr != nil {
		tb.Fatal(letterErr)
	}
	return letter.PNG, letter.JPEG
}

// ocrExtractor is New(lim) with OCR by the tools in PATH, ok when tesseract with Danish is
// installed. Without it the test checks "OCR not available" and returns ok false, unless
// SENDEVAGT_REQUIRE_OCR=1 (CI), where it fails.
func ocrExtractor(t testing.TB, lim Limits) (x *Extractor, ok bool) {
	t.Helper()
	tools := ocr.New(ocr.LookupTools())
	x = New(lim, WithOCR(tools))
	if tools.Available(context.Background()) {
		return x, true
	}
	if testenv.Required(testenv.OCR) {
		t.Fatalf("OCR required (SENDEVAGT_REQUIRE_OCR) but not available: tools %+v", tools.Tools())
	}
	return x, false
}

func TestOCRLetter(t *testing.T) {
	pngData, jpegData := renderLetter(t)
	x, ok := ocrExtractor(t, Limits{Timeout: 60 * time.Second, OCRPageTimeout: 45 * time.Second})
	for _, c := range []struct {
		name, typ string
		data      []byte
	}{
		{"Brev.png", "image", pngData},
		{"Brev.jpg", "image", jpegData},
		{"Brev.tif", "image", letter.TIFF},
	} {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			docs := x.Extract(context.Background(), c.name, "", c.data)
			d := docs[0]
			if d.Type != c.typ {
				t.Fatalf("type %q, want %q", d.Type, c.typ)
			}
			if !ok {
				if d.Status != Unscannable || d.Detail != DetailOCRUnavailable {
					t.Fatalf("without OCR: %q %q, want unscannable %q", d.Status, d.Detail, DetailOCRUnavailable)
				}
				return
			}
			text := allText(d)
			t.Logf("%s: %s in %.2fs: %q", c.name, d.Status, time.Since(start).Seconds(), text)
			if d.Status != Scanned || d.Detail != DetailOCR {
				t.Fatalf("got %q %q, want scanned %q", d.Status, d.Detail, DetailOCR)
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
			if text != NormalizeText(text) {
				t.Errorf("OCR text not normalised")
			}
		})
	}
}

// TestOCRNotAvailable: without OCR (none, tools not found in PATH, no Danish), images are
// Unscannable "OCR not available"; tiny images are Scanned without OCR. (Image-only PDFs: the
// same test in extract/pdf.)
func TestOCRNotAvailable(t *testing.T) {
	pngData, jpegData := renderLetter(t)
	none := New(Limits{})
	t.Setenv("PATH", "")
	emptyPath := New(Limits{}, WithOCR(ocr.New(ocr.LookupTools())))
	noDan := New(Limits{}, WithOCR(ocr.New(ocr.Tools{Tesseract: "/bin/true", PDFToPPM: "/bin/true", OCRLanguage: "dan"})))
	for xi, x := range []*Extractor{none, emptyPath, noDan} {
		for _, c := range []struct {
			name string
			data []byte
		}{{"a.png", pngData}, {"a.jpg", jpegData}, {"kort.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")}} {
			d := x.Extract(context.Background(), c.name, "", c.data)[0]
			if d.Status != Unscannable || d.Detail != DetailOCRUnavailable {
				t.Errorf("extractor %d, %s: %q %q, want unscannable %q", xi, c.name, d.Status, d.Detail, DetailOCRUnavailable)
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
	x := New(Limits{}, WithOCR(ocr.New(ocr.Tools{Tesseract: "/bin/false"})))
	d := x.Extract(context.Background(), "bombe.png", "", data)[0]
	if d.Status != TooLarge || d.Detail != "image larger than 50 megapixels (MaxImagePixels)" {
		t.Fatalf("got %q %q", d.Status, d.Detail)
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
	return New(Limits{OCRPageTimeout: 300 * time.Millisecond, MaxTextBytes: 1000}, WithOCR(ocr.New(ocr.Tools{Tesseract: path})))
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
