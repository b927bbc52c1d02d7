package pdf

import (
	"testing"

	"github.com/sendevagt/sendevagt/internal/testgen"
)

// FuzzPDFFontProgram feeds arbitrary bytes to the embedded-font readers (sfnt table directory,
// cmap inversion, post names, CFF charset): they must return without panicking, within their caps.
//
//	go test -run=^$ -fuzz=FuzzPDFFontProgram -fuzztime=60s ./internal/extract/pdf/
func FuzzPDFFontProgram(f *testing.F) {
	_, byGID := glyphPlan(cidText)
	cids := make([]int, len(byGID)-1)
	names := make([]string, len(byGID)-1)
	for g := 1; g < len(byGID); g++ {
		cids[g-1] = 100 + g
		names[g-1] = glyphNameOf(byGID[g])
	}
	for _, seed := range [][]byte{
		ttfWithCmap(byGID), ttfWithPost(byGID), otfCIDKeyed(byGID, cids), testgen.CFF(names, nil), testgen.CFF(nil, cids),
		[]byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x10"), {1, 0, 4, 1, 0, 1, 1, 1, 2},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if sf := pdfParseSFNT(data); sf != nil {
			if txt := sf.glyphText(); len(txt) > pdfMaxGlyphs {
				t.Fatalf("%d glyph names", len(txt))
			}
			data = sf.tables["CFF "]
		}
		if cff := pdfParseCFF(data); cff != nil {
			if txt := cff.glyphText(); len(txt) > pdfMaxGlyphs {
				t.Fatalf("%d glyph names", len(txt))
			}
			if m := cff.cidToGID(); len(m) > pdfMaxGlyphs {
				t.Fatalf("CID map of %d", len(m))
			}
		}
	})
}
