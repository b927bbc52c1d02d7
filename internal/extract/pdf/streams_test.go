package pdf

import (
	"bytes"
	"testing"

	"github.com/sendevagt/sendevagt/internal/testgen"
)

// The bodies found through /Length are the bodies found by searching for "endstream": each
// ends at the first "endstream" after its start (and /Length was what found them).
func TestStreamBodiesByLength(t *testing.T) {
	for seed := range int64(4) {
		data, _, err := testgen.LetterBundle(testgen.LetterOptions{Pages: 3, Seed: seed, ImageBytes: 30_000})
		if err != nil {
			t.Fatal(err)
		}
		bodies, byLength := pdfStreamBodies(data), 0
		for _, b := range bodies {
			if i := bytes.Index(data[b[0]:], []byte("endstream")); i != b[1]-b[0] {
				t.Errorf("seed %d: body %v ends at %d, the next endstream is at %d", seed, b, b[1], b[0]+i)
			}
			kw := bytes.LastIndex(data[:b[0]], []byte("stream"))
			if end, ok := pdfEndByLength(data, kw, b[0]); ok && end == b[1] {
				byLength++
			}
		}
		if len(bodies) == 0 || byLength == 0 {
			t.Errorf("seed %d: %d bodies, %d of them by /Length", seed, len(bodies), byLength)
		}
	}
}

func TestEndByLength(t *testing.T) {
	tests := []struct {
		name, pdf string
		ok        bool
	}{
		{"direct length", "1 0 obj\n<< /Length 5 >>\nstream\nabcde\nendstream\nendobj\n", true},
		{"CRLF before endstream", "1 0 obj\n<< /Length 5 /Filter /X >>\nstream\r\nabcde\r\nendstream\nendobj\n", true},
		{"indirect length", "1 0 obj\n<< /Length 2 0 R >>\nstream\nabcde\nendstream\nendobj\n", false},
		{"wrong length", "1 0 obj\n<< /Length 3 >>\nstream\nabcde\nendstream\nendobj\n", false},
		{"length beyond the file", "1 0 obj\n<< /Length 99999 >>\nstream\nabcde\nendstream\n", false},
		{"only a font's /Length1", "1 0 obj\n<< /Length1 5 >>\nstream\nabcde\nendstream\nendobj\n", false},
		{"no length", "1 0 obj\n<< >>\nstream\nabcde\nendstream\nendobj\n", false},
	}
	for _, tc := range tests {
		data := []byte(tc.pdf)
		kw := bytes.Index(data, []byte(">>\nstream")) + len(">>\n")
		start := kw + len("stream\n")
		if data[kw+len("stream")] == '\r' {
			start++
		}
		end, ok := pdfEndByLength(data, kw, start)
		if ok != tc.ok {
			t.Errorf("%s: ok %v, want %v", tc.name, ok, tc.ok)
			continue
		}
		if ok && !bytes.HasPrefix(data[end:], []byte("endstream")) {
			t.Errorf("%s: end %d is not at endstream", tc.name, end)
		}
	}
}
