package extract

import (
	"context"
	"errors"
	"fmt"
	_ "image/gif" // decoded and passed to OCR as PNG
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	_ "golang.org/x/image/bmp"  // decoded and passed to OCR as PNG
	_ "golang.org/x/image/tiff" // OCR'd as it is
	_ "golang.org/x/image/webp" // decoded and passed to OCR as PNG
)

// OCR with tesseract (EXTRACT.md §3): images (PNG, JPEG, TIFF) directly, PDF pages without a
// text layer after rendering with pdftoppm -r 300 -gray. Always with OMP_THREAD_LIMIT=1 and
// -l dan (with eng, "Søren Ærbø Østergård" came out "Sgren Arbg Ostergard").

const (
	detailOCRUnavailable = "OCR not available"
	detailOCR            = "text recognised by OCR"
	detailOCRNone        = "no text recognised by OCR"
	detailImageTiny      = "image too small to hold text"
	// detailDecorative: OCR is not available, and the image is not one that may hold a document
	// (a logo, an icon, a photograph, a picture of the mail's layout, a small strip).
	detailDecorative = "not read by OCR (not available): a small or decorative image, not a page or document"
	detailPageUnread = "looks like a scanned page but OCR found no readable text"
)

// ocrFormats are the image formats (image.DecodeConfig names) passed to tesseract as they are;
// other formats (GIF, BMP, WebP) are decoded and passed as PNG.
var ocrFormats = map[string]string{"png": ".png", "jpeg": ".jpg", "tiff": ".tif"}

// image reads an image attachment (pictures.go decides what to do with it).
func (w *walker) image(j *job, doc *Document) {
	mode := picAttachment
	if j.inline {
		mode = picInline
	}
	r := w.readPicture(j.data, mode, w.lim.MaxTextBytes)
	if r.outcome == picRead || r.outcome == picPageUnread {
		out, truncated, note := finishPages(r.pages, r.cut, false, w.lim.MaxTextBytes, w.lim.MaxPages)
		doc.Pages, doc.Truncated = out, truncated
		if truncated {
			r.detail += "; " + note
		}
	} else if r.status == Scanned {
		doc.Pages = []Page{{Number: 1}}
	}
	doc.Status, doc.Detail = r.status, r.detail
}

// ocrText is what tesseract recognised: the text (pages split at form feeds) and how sure it was.
type ocrText struct {
	text string
	cut  bool // output beyond the cap
	// words counts the words kept; confident those with a confidence of at least
	// ocrConfident. Without confidences (plain output) every word counts as confident.
	words, confident int
}

const (
	// ocrWordFloor: words recognised with a lower confidence (0-100) are noise (a photograph's
	// texture, speckles of a scan) and left out of the text.
	ocrWordFloor = 30
	// ocrConfident: a word recognised at least this surely counts as readable text.
	ocrConfident = 60
)

// tesseract recognises the text of an image file in one run with word confidences (TSV output),
// building the text from the words; max caps the text.
func (t *toolSet) tesseract(ctx context.Context, path string, maxText int) (ocrText, error) {
	// TSV is ~6 times the text (positions and confidences per word).
	capOut := min(max(maxText, 1<<16)*8, 512<<20)
	out, cut, err := t.run(ctx, capOut, t.Tesseract, path, "stdout", "-l", t.OCRLanguage, "tsv")
	if cut {
		err = nil
	}
	if err != nil {
		return ocrText{}, err
	}
	r := parseTesseract(out, cut)
	if len(r.text) > maxText {
		r.text, r.cut = cutRunes(r.text, maxText), true
	}
	return r, nil
}

// cutRunes cuts s to at most n bytes on a rune boundary.
func cutRunes(s string, n int) string {
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:min(n, len(s))]
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
	r, err := t.tesseract(ctx, img, max(maxText, 1))
	if err != nil {
		return "", errors.New(t.ocrFailure(ctx, lim, page))
	}
	return strings.TrimRight(r.text, "\f"), nil
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
