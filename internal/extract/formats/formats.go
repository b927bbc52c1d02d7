// Package formats makes the Extractor with every reader: the formats the extract core reads
// itself, the PDF reader (extract/pdf) with its pdftotext and OCR fallback, and OCR of images
// and pictures in documents, both through the external tools of extract/ocr. It is the one
// place that lists them; the service, the command line and the workers use it.
package formats

import (
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/extract/ocr"
	"github.com/sendevagt/sendevagt/internal/extract/pdf"
)

// Options configure the Extractor beyond its Limits.
type Options struct {
	// Tools are the external programs to use. Nil: ocr.LookupTools() when the Extractor is made.
	// &ocr.Tools{}: none (no pdftotext fallback, images and image-only PDFs "OCR not available").
	Tools *ocr.Tools
	// NoOCR turns OCR off whatever Tools say (the other tools stay): images, pictures in
	// documents and image-only PDFs are then treated as where tesseract is not installed.
	NoOCR bool
}

// New returns an Extractor with every reader and the external tools found in PATH; zero (or
// negative) fields of lim take the value from extract.DefaultLimits.
func New(lim extract.Limits) *extract.Extractor {
	return NewWithOptions(lim, Options{})
}

// NewWithOptions returns an Extractor with every reader, the given limits (zero fields take
// extract.DefaultLimits) and options.
func NewWithOptions(lim extract.Limits, opt Options) *extract.Extractor {
	var t ocr.Tools
	if opt.Tools != nil {
		t = *opt.Tools
	} else {
		t = ocr.LookupTools()
	}
	if opt.NoOCR {
		t.Tesseract = ""
	}
	tools := ocr.New(t)
	return extract.New(lim, extract.WithReaders(pdf.Reader{Tools: tools}), extract.WithOCR(tools))
}
