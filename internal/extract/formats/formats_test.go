package formats

import (
	"context"
	"testing"

	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/extract/ocr"
	"github.com/sendevagt/sendevagt/internal/testgen"
)

// TestReaders: the core alone does not read PDFs; the Extractor made here does, nested too.
func TestReaders(t *testing.T) {
	bundle, err := testgen.LetterBundlePDF(2, 7)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if d := extract.New(extract.Limits{}).Extract(ctx, "Breve.pdf", "", bundle)[0]; d.Status != extract.Unsupported {
		t.Errorf("core alone: %s %q, want unsupported", d.Status, d.Detail)
	}
	for name, x := range map[string]*extract.Extractor{
		"New":              New(extract.Limits{}),
		"no tools":         NewWithOptions(extract.Limits{}, Options{Tools: &ocr.Tools{}}),
		"tools but no OCR": NewWithOptions(extract.Limits{}, Options{NoOCR: true}),
	} {
		d := x.Extract(ctx, "Breve.pdf", "", bundle)[0]
		if d.Type != "pdf" || d.Status != extract.Scanned || len(d.Pages) != 2 {
			t.Errorf("%s: %s %s %q, %d pages", name, d.Type, d.Status, d.Detail, len(d.Pages))
		}
	}
}

// TestNoOCR: without tesseract (no tools, or NoOCR) a picture of text is "OCR not available".
func TestNoOCR(t *testing.T) {
	img, err := testgen.TextImage([]string{"Journalnotat", "Borgeren er indlagt"}, 28, 900, 0)
	if err != nil {
		t.Fatal(err)
	}
	for name, opt := range map[string]Options{"no tools": {Tools: &ocr.Tools{}}, "NoOCR": {NoOCR: true}} {
		d := NewWithOptions(extract.Limits{}, opt).Extract(context.Background(), "notat.png", "", img)[0]
		if d.Status != extract.Unscannable || d.Detail != extract.DetailOCRUnavailable {
			t.Errorf("%s: %s %q", name, d.Status, d.Detail)
		}
	}
}
