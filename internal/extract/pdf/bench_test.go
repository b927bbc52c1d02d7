package pdf

import (
	"context"
	"testing"

	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/testgen"
)

// BenchmarkPDFLetterBundle measures extractPDF on a 100-page bundle of Danish letters (one
// letter per page: addressee block, CPR number, body paragraphs), as pages per second.
func BenchmarkPDFLetterBundle(b *testing.B) {
	const pages = 100
	benchBundle(b, genLetterBundlePDF(b, pages), pages)
}

// BenchmarkPDFLetterBundle5MB: the same letters with a ~50 KB scanned-signature image on every
// page, ~4.9 MB for 100 pages (testgen.LetterOptions.ImageBytes): images are not decoded.
func BenchmarkPDFLetterBundle5MB(b *testing.B) {
	const pages = 100
	data, _, err := testgen.LetterBundle(testgen.LetterOptions{Pages: pages, Seed: 1, ImageBytes: 50_000})
	if err != nil {
		b.Fatal(err)
	}
	benchBundle(b, data, pages)
}

// benchBundle measures extractPDF on data, a PDF of pages pages, in bytes and pages per second.
func benchBundle(b *testing.B, data []byte, pages int) {
	b.SetBytes(int64(len(data)))
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		got, st, det := extractPDF(ctx, data, extract.Limits{})
		if st != extract.Scanned || len(got) != pages {
			b.Fatalf("%s %s, %d pages", st, det, len(got))
		}
	}
	b.ReportMetric(float64(pages*b.N)/b.Elapsed().Seconds(), "pages/s")
}
