package extract

import (
	"context"
	"fmt"
	_ "image/gif" // decoded and passed to OCR as PNG
	_ "image/jpeg"
	_ "image/png"
	"strconv"
	"strings"

	_ "golang.org/x/image/bmp"  // decoded and passed to OCR as PNG
	_ "golang.org/x/image/tiff" // OCR'd as it is
	_ "golang.org/x/image/webp" // decoded and passed to OCR as PNG
)

// Images are read by OCR (the OCR the Extractor was made with, WithOCR): PNG, JPEG and TIFF
// as they are, other formats decoded and passed as PNG (pictures.go decides what to read).

const (
	// DetailOCRUnavailable, DetailOCR and DetailOCRNone are the outcomes of OCR, of images and
	// of PDF pages alike.
	DetailOCRUnavailable = "OCR not available"
	DetailOCR            = "text recognised by OCR"
	DetailOCRNone        = "no text recognised by OCR"
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

// OCRFailure says why an OCR run under ctx failed; page 0 is an image.
func OCRFailure(ctx context.Context, lim Limits, page int) string {
	what := "OCR"
	if page > 0 {
		what = "OCR of page " + strconv.Itoa(page)
	}
	if ctx.Err() != nil {
		return fmt.Sprintf("%s took longer than %s (OCRPageTimeout)", what, lim.OCRPageTimeout)
	}
	return what + " failed"
}

// SplitPages splits tool output at form feeds; the one after the last page ends no page.
func SplitPages(s string) []Page {
	s = strings.TrimSuffix(s, "\f")
	var pages []Page
	for i, t := range strings.Split(s, "\f") {
		pages = append(pages, Page{Number: i + 1, Text: t})
	}
	return pages
}

// AnyText reports whether any page has text other than white space.
func AnyText(pages []Page) bool {
	for _, p := range pages {
		if strings.TrimSpace(p.Text) != "" {
			return true
		}
	}
	return false
}
