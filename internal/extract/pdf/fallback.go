package pdf

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sendevagt/sendevagt/internal/extract"
)

// PDF fallback (EXTRACT.md §3): a PDF the Go reader could not read (corrupt, unsupported
// encryption) or found no text in goes to pdftotext; still no text on its pages: OCR.

const detailPDFToText = "read with pdftotext"

// Tools are the external programs of the fallback (implemented by extract/ocr).
type Tools interface {
	// PDFToText runs pdftotext on the PDF at path for pages 1..lastPage, capped at maxText
	// bytes (cut: there was more); an error when it failed or is not installed.
	PDFToText(ctx context.Context, path string, maxText, lastPage int) (out []byte, cut bool, err error)
	// CanRender reports whether pages can be rendered (pdftoppm) and recognised (OCR).
	CanRender(ctx context.Context) bool
	// RenderPage renders one page of the PDF at path as a PNG at prefix+".png".
	RenderPage(ctx context.Context, path, prefix string, page int) error
	// Recognize reads the text of the image file at path, at most maxText bytes.
	Recognize(ctx context.Context, path string, maxText int) (text string, cut bool, confident int, err error)
}

// toolFallback is the fallback of a Reader with Tools.
type toolFallback struct{ t Tools }

// readPDF is the fallback: pdftotext, then OCR. noText says the native reader read nPages pages
// and found no text on any. An empty status means it found nothing better than the native reader.
func (f toolFallback) readPDF(ctx context.Context, data []byte, lim extract.Limits, noText bool, nPages int) ([]extract.Page, extract.Status, string) {
	t := f.t
	path, err := extract.WriteTemp("", "sendevagt-*.pdf", data)
	if err != nil {
		return nil, "", ""
	}
	defer os.Remove(path)

	out, cut, err := t.PDFToText(ctx, path, lim.MaxTextBytes, lim.MaxPages+1)
	if ctx.Err() != nil {
		return nil, "", ""
	}
	if err == nil || cut {
		pages := extract.SplitPages(string(out))
		if extract.AnyText(pages) {
			switch {
			case cut:
				return pages, extract.TooLarge, fmt.Sprintf("PDF has more than %d bytes of text (%s)", lim.MaxTextBytes, detailPDFToText)
			case len(pages) > lim.MaxPages:
				return pages[:lim.MaxPages], extract.TooLarge, fmt.Sprintf("PDF has more than %d pages (%s)", lim.MaxPages, detailPDFToText)
			}
			return pages, extract.Scanned, detailPDFToText
		}
		// Read, but no text: pages of images.
		noText, nPages = true, len(pages)
	}
	if !noText || nPages == 0 {
		return nil, "", ""
	}
	if !t.CanRender(ctx) {
		return make([]extract.Page, 0), extract.Unscannable, extract.DetailOCRUnavailable
	}
	return f.ocrPDF(ctx, path, nPages, lim)
}

// ocrPDF renders pages 1..min(nPages, MaxOCRPages) of the PDF at path and OCRs them one by one,
// each page (render and recognition) within OCRPageTimeout and all within ctx.
func (f toolFallback) ocrPDF(ctx context.Context, path string, nPages int, lim extract.Limits) ([]extract.Page, extract.Status, string) {
	dir, err := os.MkdirTemp("", "sendevagt-ocr-")
	if err != nil {
		return nil, extract.Unscannable, "OCR failed: no temporary directory"
	}
	defer os.RemoveAll(dir)
	n := min(nPages, lim.MaxOCRPages)
	var pages []extract.Page
	used := 0
	for i := 1; i <= n; i++ {
		text, err := f.ocrPDFPage(ctx, path, dir, i, lim, lim.MaxTextBytes-used)
		if ctx.Err() != nil {
			return pages, extract.Unscannable, pdfDetailTimeout
		}
		if err != nil {
			return pages, extract.Unscannable, err.Error()
		}
		pages = append(pages, extract.Page{Number: i, Text: text})
		used += len(text)
		if used >= lim.MaxTextBytes {
			break // the walker marks the document truncated
		}
	}
	switch {
	case !extract.AnyText(pages):
		return pages, extract.Unscannable, extract.DetailOCRNone
	case nPages > n:
		return pages, extract.TooLarge, fmt.Sprintf("more than %d pages to OCR (MaxOCRPages); the first %d were read", n, n)
	}
	return pages, extract.Scanned, extract.DetailOCR
}

// ocrPDFPage renders one page to dir and recognises it.
func (f toolFallback) ocrPDFPage(ctx context.Context, path, dir string, page int, lim extract.Limits, maxText int) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, lim.OCRPageTimeout)
	defer cancel()
	prefix := filepath.Join(dir, "page")
	img := prefix + ".png"
	defer os.Remove(img)
	if err := f.t.RenderPage(ctx, path, prefix, page); err != nil {
		if ctx.Err() != nil {
			return "", errors.New(extract.OCRFailure(ctx, lim, page))
		}
		return "", fmt.Errorf("page %d could not be rendered for OCR", page)
	}
	text, _, _, err := f.t.Recognize(ctx, img, max(maxText, 1))
	if err != nil {
		return "", errors.New(extract.OCRFailure(ctx, lim, page))
	}
	return strings.TrimRight(text, "\f"), nil
}
