package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // sizes only: tiny GIF spacers are Scanned, larger GIFs are not OCR'd
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	_ "golang.org/x/image/bmp"  // sizes only
	_ "golang.org/x/image/tiff" // OCR'd
	_ "golang.org/x/image/webp" // sizes only
)

// OCR with tesseract (EXTRACT.md §3): images (PNG, JPEG, TIFF) directly, PDF pages without a
// text layer after rendering with pdftoppm -r 300 -gray. Always with OMP_THREAD_LIMIT=1 and
// -l dan (with eng, "Søren Ærbø Østergård" came out "Sgren Arbg Ostergard").

const (
	detailOCRUnavailable = "OCR not available"
	detailOCR            = "text recognised by OCR"
	detailOCRNone        = "no text recognised by OCR"
	detailImageTiny      = "image too small to hold text"
	// minOCRSide: images narrower or lower than this (logos, spacers, tracking pixels) are not OCR'd.
	minOCRSide = 64
)

// ocrFormats are the image formats (image.DecodeConfig names) passed to tesseract.
var ocrFormats = map[string]string{"png": ".png", "jpeg": ".jpg", "tiff": ".tif"}

// image reads an image attachment: size check first (decompression bombs, spacers), then OCR.
func (w *walker) image(j *job, doc *Document) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(j.data))
	switch {
	case errors.Is(err, image.ErrFormat):
		doc.Status, doc.Detail = Unscannable, "image format not read by OCR"
		return
	case err != nil:
		if !w.x.tools.ocrAvailable(w.ctx) {
			doc.Status, doc.Detail = Unscannable, detailOCRUnavailable
			return
		}
		doc.Status, doc.Detail = Unscannable, "corrupt image: unreadable header"
		return
	case cfg.Width <= 0 || cfg.Height <= 0:
		doc.Status, doc.Detail = Unscannable, "corrupt image: no pixels"
		return
	case cfg.Width < minOCRSide || cfg.Height < minOCRSide:
		doc.Status, doc.Detail, doc.Pages = Scanned, detailImageTiny, []Page{{Number: 1}}
		return
	case int64(cfg.Width)*int64(cfg.Height) > w.lim.MaxImagePixels:
		doc.Status, doc.Detail = TooLarge, fmt.Sprintf("image larger than %d megapixels (MaxImagePixels)", w.lim.MaxImagePixels/1_000_000)
		return
	}
	ext, ok := ocrFormats[format]
	if !ok {
		doc.Status, doc.Detail = Unscannable, "image format not read by OCR ("+strings.ToUpper(format)+")"
		return
	}
	t := w.x.tools
	if !t.ocrAvailable(w.ctx) {
		doc.Status, doc.Detail = Unscannable, detailOCRUnavailable
		return
	}
	dir, err := os.MkdirTemp("", "sendevagt-ocr-")
	if err != nil {
		doc.Status, doc.Detail = Unscannable, "OCR failed: no temporary directory"
		return
	}
	defer os.RemoveAll(dir)
	in, err := writeTemp(dir, "image-*"+ext, j.data)
	if err != nil {
		doc.Status, doc.Detail = Unscannable, "OCR failed: no temporary file"
		return
	}
	// A multi-page TIFF is one tesseract run: it gets the per-page limit once.
	ctx, cancel := context.WithTimeout(w.ctx, w.lim.OCRPageTimeout)
	defer cancel()
	text, cut, err := t.tesseract(ctx, in, w.lim.MaxTextBytes)
	if w.ctx.Err() != nil {
		doc.Status, doc.Detail = Unscannable, ctxDetail(w.ctx, w.lim)
		return
	}
	if err != nil {
		doc.Status, doc.Detail = Unscannable, t.ocrFailure(ctx, w.lim, 0)
		return
	}
	pages := splitPages(text)
	out, truncated, note := finishPages(pages, cut, false, w.lim.MaxTextBytes, w.lim.MaxPages)
	doc.Pages = out
	if !anyText(out) {
		doc.Status, doc.Detail = Unscannable, detailOCRNone
		return
	}
	doc.Status, doc.Detail, doc.Truncated = Scanned, detailOCR, truncated
	if truncated {
		doc.Detail += "; " + note
	}
}

// tesseract recognises the text of an image file; cut reports output beyond max bytes.
func (t *toolSet) tesseract(ctx context.Context, path string, max int) (text string, cut bool, err error) {
	out, cut, err := t.run(ctx, max, t.Tesseract, path, "stdout", "-l", t.OCRLanguage)
	if cut {
		err = nil
	}
	return string(out), cut, err
}

// ocrFailure says why an OCR run failed; page 0 is an image.
func (t *toolSet) ocrFailure(ctx context.Context, lim Limits, page int) string {
	what := "OCR"
	if page > 0 {
		what = "OCR of page " + strconv.Itoa(page)
	}
	if ctx.Err() != nil {
		return fmt.Sprintf("%s took longer than %s (OCRPageTimeout)", what, lim.OCRPageTimeout)
	}
	return what + " failed"
}

// ocrPDF renders pages 1..min(nPages, MaxOCRPages) of the PDF at path and OCRs them one by one,
// each page (render and recognition) within OCRPageTimeout and all within ctx.
func (t *toolSet) ocrPDF(ctx context.Context, path string, nPages int, lim Limits) ([]Page, Status, string) {
	dir, err := os.MkdirTemp("", "sendevagt-ocr-")
	if err != nil {
		return nil, Unscannable, "OCR failed: no temporary directory"
	}
	defer os.RemoveAll(dir)
	n := min(nPages, lim.MaxOCRPages)
	var pages []Page
	used := 0
	for i := 1; i <= n; i++ {
		text, err := t.ocrPDFPage(ctx, path, dir, i, lim, lim.MaxTextBytes-used)
		if ctx.Err() != nil {
			return pages, Unscannable, pdfDetailTimeout
		}
		if err != nil {
			return pages, Unscannable, err.Error()
		}
		pages = append(pages, Page{Number: i, Text: text})
		used += len(text)
		if used >= lim.MaxTextBytes {
			break // finishPages marks the document truncated
		}
	}
	switch {
	case !anyText(pages):
		return pages, Unscannable, detailOCRNone
	case nPages > n:
		return pages, TooLarge, fmt.Sprintf("more than %d pages to OCR (MaxOCRPages); the first %d were read", n, n)
	}
	return pages, Scanned, detailOCR
}

// ocrPDFPage renders one page to dir and recognises it.
func (t *toolSet) ocrPDFPage(ctx context.Context, path, dir string, page int, lim Limits, maxText int) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, lim.OCRPageTimeout)
	defer cancel()
	p := strconv.Itoa(page)
	prefix := filepath.Join(dir, "page")
	img := prefix + ".png"
	defer os.Remove(img)
	if _, _, err := t.run(ctx, 1<<10, t.PDFToPPM, "-r", "300", "-gray", "-png", "-f", p, "-l", p, "-singlefile", path, prefix); err != nil {
		if ctx.Err() != nil {
			return "", errors.New(t.ocrFailure(ctx, lim, page))
		}
		return "", fmt.Errorf("page %d could not be rendered for OCR", page)
	}
	text, _, err := t.tesseract(ctx, img, max(maxText, 1))
	if err != nil {
		return "", errors.New(t.ocrFailure(ctx, lim, page))
	}
	return strings.TrimRight(text, "\f"), nil
}

// splitPages splits tool output at form feeds; the one after the last page ends no page.
func splitPages(s string) []Page {
	s = strings.TrimSuffix(s, "\f")
	var pages []Page
	for i, t := range strings.Split(s, "\f") {
		pages = append(pages, Page{Number: i + 1, Text: t})
	}
	return pages
}

func anyText(pages []Page) bool {
	for _, p := range pages {
		if strings.TrimSpace(p.Text) != "" {
			return true
		}
	}
	return false
}
