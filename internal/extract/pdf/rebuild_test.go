package pdf

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/extract"
)

// Synthetic people only.

const rebuildText = "Jens Ærbø Kragh CPR-nr. 010190-1234 diagnose"

// noFallback fails the test when the native reader gave up.
func noFallback(t *testing.T) pdfFallbackFunc {
	return func(context.Context, []byte, extract.Limits, bool, int) ([]extract.Page, extract.Status, string) {
		t.Error("the fallback was used")
		return nil, "", ""
	}
}

// objStmPDF is a PDF whose catalog, page tree, page and font sit in an (uncompressed) object
// stream, with the content stream as a direct object, and no cross-reference data at all.
func objStmPDF(text string) []byte {
	members := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /extract.Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
	}
	nums := []int{1, 2, 3}
	members = append(members, helveticaObj)
	nums = append(nums, 5)
	var head, body strings.Builder
	for i, m := range members {
		fmt.Fprintf(&head, "%d %d ", nums[i], body.Len())
		body.WriteString(m + "\n")
	}
	stm := head.String() + body.String()
	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n")
	fmt.Fprintf(&b, "6 0 obj\n<< /Type /ObjStm /N %d /First %d /Length %d >>\nstream\n%s\nendstream\nendobj\n", len(members), head.Len(), len(stm), stm)
	fmt.Fprintf(&b, "4 0 obj\n%s\nendobj\n", pdfStreamObj("", "BT /F1 11 Tf 72 700 Td ("+text+") Tj ET"))
	b.WriteString("%%EOF\n")
	return b.Bytes()
}

func TestPDFRebuildXref(t *testing.T) {
	good := onePage("BT /F1 11 Tf 72 700 Td ("+latin1(rebuildText)+") Tj ET", "").bytes()
	xrefAt := bytes.LastIndex(good, []byte("xref\n0 "))
	startxref := regexp.MustCompile(`startxref\n\d+`)
	tests := []struct {
		name string
		data []byte
	}{
		{"offsets shifted", func() []byte {
			// 40 bytes of junk after the header move every object; the table still points at the old places.
			return append(append(append([]byte{}, good[:9]...), bytes.Repeat([]byte("%junk\n"), 7)...), good[9:]...)
		}()},
		{"offsets zeroed", regexp.MustCompile(`\d{10} 00000 n`).ReplaceAll(good, []byte("0000000000 00000 n"))},
		{"no xref at all", append(append([]byte{}, good[:xrefAt]...), "%%EOF\n"...)},
		{"startxref beyond the end", startxref.ReplaceAll(good, []byte("startxref\n999999"))},
		{"no trailer, truncated after the objects", good[:xrefAt]},
		{"object stream, no xref", objStmPDF(latin1(rebuildText))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pages, st, det := extractPDFWith(context.Background(), tc.data, extract.Limits{}, noFallback(t))
			if st != extract.Scanned || len(pages) != 1 {
				t.Fatalf("status %s (%s), %d pages", st, det, len(pages))
			}
			if pages[0].Text != rebuildText {
				t.Errorf("text %q", pages[0].Text)
			}
		})
	}
}

// latin1 spells s in WinAnsi bytes for a literal string.
func latin1(s string) string {
	var b strings.Builder
	for _, r := range s {
		c, _ := pdfToCP1252(r)
		if c == '(' || c == ')' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Hostile inputs for the rebuild: markers everywhere, huge numbers, object streams that lie.
func TestPDFRebuildHostile(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"obj markers only", []byte("%PDF-1.4\n" + strings.Repeat("1 0 obj 2 0 obj\n", 5000))},
		{"huge object numbers", []byte("%PDF-1.4\n99999999999 0 obj << >> endobj 4294967295 65535 obj << /Type /Catalog >> endobj\n")},
		{"object stream with lying N", []byte("%PDF-1.4\n1 0 obj << /Type /ObjStm /N 999999999 /First 4 /Length 8 >>\nstream\n2 0 <<>>\nendstream endobj /Root 2 0 R\n")},
		{"catalog cycle", []byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj trailer << /Root 1 0 R >>\n")},
		{"root is no catalog", []byte("%PDF-1.4\n1 0 obj 5 endobj trailer << /Root 1 0 R /Encrypt 1 0 R /ID [<00> <01>] >>\n")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pages, st, det := runPDF(t, tc.data, extract.Limits{})
			if st == extract.Scanned {
				t.Errorf("scanned: %+v", pages)
			}
			if det == "" {
				t.Errorf("%s without detail", st)
			}
		})
	}
}
