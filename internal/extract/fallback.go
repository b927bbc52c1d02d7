package extract

import (
	"context"
	"fmt"
	"os"
	"strconv"
)

// PDF fallback (EXTRACT.md §3): a PDF the Go reader could not read (corrupt, unsupported
// encryption) or found no text in goes to pdftotext; still no text on its pages: OCR.

const detailPDFToText = "read with pdftotext"

// pdfFallback returns the Extractor's fallback for PDFs, nil for an Extractor without tools
// (the zero Extractor).
func (x *Extractor) pdfFallback() pdfFallbackFunc {
	if x.tools == nil {
		return nil
	}
	return x.tools.readPDF
}

// readPDF is the fallback: pdftotext, then OCR. noText says the native reader read nPages pages
// and found no text on any. An empty status means it found nothing better than the native reader.
func (t *toolSet) readPDF(ctx context.Context, data []byte, lim Limits, noText bool, nPages int) ([]Page, Status, string) {
	lim = lim.withDefaults()
	path, err := writeTemp("", "sendevagt-*.pdf", data)
	if err != nil {
		return nil, "", ""
	}
	defer os.Remove(path)

	if t.PDFToText != "" {
		out, cut, err := t.run(ctx, lim.MaxTextBytes, t.PDFToText, "-enc", "UTF-8", "-l", strconv.Itoa(lim.MaxPages+1), path, "-")
		if ctx.Err() != nil {
			return nil, "", ""
		}
		if err == nil || cut {
			pages := splitPages(string(out))
			if anyText(pages) {
				switch {
				case cut:
					return pages, TooLarge, fmt.Sprintf("PDF has more than %d bytes of text (%s)", lim.MaxTextBytes, detailPDFToText)
				case len(pages) > lim.MaxPages:
					return pages[:lim.MaxPages], TooLarge, fmt.Sprintf("PDF has more than %d pages (%s)", lim.MaxPages, detailPDFToText)
				}
				return pages, Scanned, detailPDFToText
			}
			// Read, but no text: pages of images.
			noText, nPages = true, len(pages)
		}
	}
	if !noText || nPages == 0 {
		return nil, "", ""
	}
	if t.PDFToPPM == "" || !t.ocrAvailable(ctx) {
		return make([]Page, 0), Unscannable, detailOCRUnavailable
	}
	return t.ocrPDF(ctx, path, nPages, lim)
}
