package pdf

import (
	"bytes"
	"slices"
	"testing"

	"github.com/sendevagt/sendevagt/internal/testgen"
)

// bodiesByScanning is pdfStreamBodies without /Length: every body ends at the next "endstream".
func bodiesByScanning(data []byte) [][2]int {
	var out [][2]int
	for off := 0; off < len(data); {
		i := bytes.Index(data[off:], []byte("stream"))
		if i < 0 {
			break
		}
		p := off + i
		off = p + len("stream")
		if p >= 3 && string(data[p-3:p]) == "end" {
			continue
		}
		start := off
		switch {
		case start+1 < len(data) && data[start] == '\r' && data[start+1] == '\n':
			start += 2
		case start < len(data) && (data[start] == '\n' || data[start] == '\r'):
			start++
		default:
			continue
		}
		end := len(data)
		if j := bytes.Index(data[start:], []byte("endstream")); j >= 0 {
			end = start + j
		}
		out = append(out, [2]int{start, end})
		off = end + len("endstream")
	}
	return out
}

// The bodies found through /Length are the bodies found by searching for "endstream", in
// generated letters with pictures.
func TestStreamBodiesByLength(t *testing.T) {
	for seed := range int64(4) {
		data, _, err := testgen.LetterBundle(testgen.LetterOptions{Pages: 3, Seed: seed, ImageBytes: 30_000})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := pdfStreamBodies(data), bodiesByScanning(data); !slices.Equal(got, want) {
			t.Errorf("seed %d: bodies %v, want %v", seed, got, want)
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
