package pdf

import (
	"bytes"
	"compress/lzw"
	"compress/zlib"
	"context"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/extract"
)

// Synthetic people only.

// Content streams in filters the library lacks are decoded from the file's bytes.
func TestPDFStreamFilters(t *testing.T) {
	const text = "Jens Kragh 010190-1234"
	content := "BT /F1 11 Tf 72 700 Td (" + text + ") Tj ET"
	flate := func(b []byte) []byte {
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write(b)
		zw.Close()
		return z.Bytes()
	}
	lzwOf := func(b []byte) []byte {
		var z bytes.Buffer
		zw := lzw.NewWriter(&z, lzw.MSB, 8)
		zw.Write(b)
		zw.Close()
		return z.Bytes()
	}
	// PNG rows of 5 bytes: Sub (1) and Up (2) alternately.
	png := func(b []byte, cols int) []byte {
		var out []byte
		prev := make([]byte, cols)
		for r := 0; r*cols < len(b); r++ {
			row := make([]byte, cols)
			copy(row, b[r*cols:])
			ft := byte(1 + r%2)
			out = append(out, ft)
			for i := range row {
				switch ft {
				case 1:
					var a byte
					if i > 0 {
						a = row[i-1]
					}
					out = append(out, row[i]-a)
				case 2:
					out = append(out, row[i]-prev[i])
				}
			}
			prev = row
		}
		return out
	}
	runLength := func(b []byte) []byte {
		var out []byte
		for len(b) > 0 {
			n := min(len(b), 128)
			out = append(out, byte(n-1))
			out = append(out, b[:n]...)
			b = b[n:]
		}
		return append(out, 128)
	}
	padded := []byte(content + strings.Repeat(" ", 5-len(content)%5))
	tests := []struct {
		name, dict string
		data       []byte
	}{
		{"LZW", "/Filter /LZWDecode", lzwOf([]byte(content))},
		{"ASCIIHex", "/Filter /ASCIIHexDecode", []byte(strings.ToUpper(hex.EncodeToString([]byte(content))) + ">")},
		{"RunLength", "/Filter /RunLengthDecode", runLength([]byte(content))},
		{"Flate, PNG predictor", "/Filter /FlateDecode /DecodeParms << /Predictor 15 /Columns 5 >>", flate(png(padded, 5))},
		{"Flate, predictor 1", "/Filter /FlateDecode /DecodeParms << /Predictor 1 >>", flate([]byte(content))},
		{"ASCIIHex then Flate", "/Filter [/ASCIIHexDecode /FlateDecode]", []byte(hex.EncodeToString(flate([]byte(content))) + ">")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := onePage("", "")
			p.objs[3] = pdfStreamObj(tc.dict, string(tc.data))
			pages, st, det := extractPDFWith(context.Background(), p.bytes(), extract.Limits{}, noFallback(t))
			if st != extract.Scanned || len(pages) != 1 || strings.TrimSpace(pages[0].Text) != text {
				t.Fatalf("status %s (%s), pages %+v", st, det, pages)
			}
		})
	}
}

// Hostile filter data: no panic, no endless output.
func TestPDFStreamFiltersHostile(t *testing.T) {
	for _, tc := range []struct{ name, dict, data string }{
		{"run length repeat at the end", "/Filter /RunLengthDecode", "\xff"},
		{"lzw garbage", "/Filter /LZWDecode", "\xff\xff\xff\xff"},
		{"huge predictor row", "/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 999999999 /Colors 99 >>", "x"},
		{"unknown filter", "/Filter /Crypt", "x"},
		{"hex with junk", "/Filter /ASCIIHexDecode", "4G 2 0z>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := onePage("", "")
			p.objs[3] = pdfStreamObj(tc.dict, tc.data)
			pages, st, det := runPDF(t, p.bytes(), extract.Limits{})
			checkPDFResult(t, pages, st, det, 1, extract.DefaultLimits.MaxTextBytes)
		})
	}
}

// pdfUnsupportedFilterObj is a content stream the native reader cannot decode and pdftotext can:
// LZW with /EarlyChange 0. Short enough that the code width never grows, its bytes are those of
// the early-change encoding compress/lzw writes.
func pdfUnsupportedFilterObj(content string) string {
	var z bytes.Buffer
	zw := lzw.NewWriter(&z, lzw.MSB, 8)
	zw.Write([]byte(content))
	zw.Close()
	if len(content) > 200 {
		panic("content too long for an early-change-neutral LZW stream")
	}
	return pdfStreamObj("/Filter /LZWDecode /DecodeParms << /EarlyChange 0 >>", z.String())
}
