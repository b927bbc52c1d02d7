package scan_test

import (
	"context"
	"testing"

	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/extract/formats"
	"github.com/sendevagt/sendevagt/internal/identity"
	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/testgen"
)

// BenchmarkBundle100 measures the parts of a scan of a 100-letter PDF bundle: extraction (with
// the layout pass), detection, and the identity analysis, so the identity's share can be read
// off: go test ./internal/scan -run '^$' -bench Bundle100 -benchmem
func BenchmarkBundle100(b *testing.B) {
	pdf, err := testgen.LetterBundlePDF(100, 7)
	if err != nil {
		b.Fatal(err)
	}
	det, err := detect.New(detect.Options{})
	if err != nil {
		b.Fatal(err)
	}
	x := formats.New(extract.Limits{})
	an := identity.New(det, identity.Options{})
	ctx := context.Background()
	docs := x.Extract(ctx, "Breve.pdf", "application/pdf", pdf)
	var idDocs []identity.Document
	for _, d := range docs {
		idd := identity.Document{Name: d.Name}
		for _, p := range d.Pages {
			ip := identity.Page{Number: p.Number, Text: p.Text}
			for _, bl := range p.Blocks {
				ip.Blocks = append(ip.Blocks, identity.Block{Start: bl.Start, End: bl.End, HasBox: bl.HasBox, Y0: bl.Y0})
			}
			idd.Pages = append(idd.Pages, ip)
			for _, f := range det.Detect(p.Text) {
				if f.Confidence >= detect.Threshold {
					f.Document, f.Page = d.Name, p.Number
					idd.Findings = append(idd.Findings, f)
				}
			}
		}
		idDocs = append(idDocs, idd)
	}
	rcpt := []message.Address{{Name: "Hanne Berg", Address: "hanne.berg@gmail.com"}}
	b.Run("extract", func(b *testing.B) {
		b.SetBytes(int64(len(pdf)))
		for b.Loop() {
			x.Extract(ctx, "Breve.pdf", "application/pdf", pdf)
		}
	})
	b.Run("detect", func(b *testing.B) {
		for b.Loop() {
			for _, d := range docs {
				for _, p := range d.Pages {
					det.Detect(p.Text)
				}
			}
		}
	})
	b.Run("identity", func(b *testing.B) {
		for b.Loop() {
			an.Analyze(idDocs, rcpt, nil)
		}
	})
}
