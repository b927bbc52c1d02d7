package pdf

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/extract"
)

// Synthetic people only.

// xrefStreamPDF is a valid PDF 1.5 file whose catalog, page tree, page, font and annots
// extra annotations (each with an appearance showing its number) sit in a Flate-compressed
// object stream, indexed by an xref stream. update, when set, appends an incremental update
// that redefines the page's content stream (object 4) with that text.
func xrefStreamPDF(text string, annots int, update string) []byte {
	type obj struct {
		num  int
		body string
	}
	var kids []string
	var members []obj
	next := 10
	var extra []obj // direct objects (appearance streams)
	for i := 0; i < annots; i++ {
		a, ap := next, next+1
		next += 2
		kids = append(kids, fmt.Sprintf("%d 0 R", a))
		members = append(members, obj{a, fmt.Sprintf("<< /Type /Annot /Subtype /FreeText /Rect [10 %d 200 %d] /AP << /N %d 0 R >> >>", 10+i%700, 20+i%700, ap)})
		extra = append(extra, obj{ap, pdfStreamObj("/Type /XObject /Subtype /Form /BBox [0 0 190 10] /Resources << /Font << /F1 5 0 R >> >>", fmt.Sprintf("BT /F1 8 Tf 0 0 Td (n%d) Tj ET", i))})
	}
	members = append([]obj{
		{1, "<< /Type /Catalog /Pages 2 0 R >>"},
		{2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>"},
		{3, "<< /Type /extract.Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> /Annots [" + strings.Join(kids, " ") + "] >>"},
		{5, helveticaObj},
	}, members...)
	var head, body strings.Builder
	for _, m := range members {
		fmt.Fprintf(&head, "%d %d ", m.num, body.Len())
		body.WriteString(m.body + "\n")
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(head.String() + body.String()))
	zw.Close()

	var b bytes.Buffer
	b.WriteString("%PDF-1.5\n")
	type entry struct {
		typ      byte
		off, idx int
	}
	entries := map[int]entry{}
	entries[6] = entry{1, b.Len(), 0}
	fmt.Fprintf(&b, "6 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n", len(members), head.Len(), z.Len())
	b.Write(z.Bytes())
	b.WriteString("\nendstream\nendobj\n")
	entries[4] = entry{1, b.Len(), 0}
	fmt.Fprintf(&b, "4 0 obj\n%s\nendobj\n", pdfStreamObj("", "BT /F1 11 Tf 72 750 Td ("+text+") Tj ET"))
	for _, e := range extra {
		entries[e.num] = entry{1, b.Len(), 0}
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", e.num, e.body)
	}
	for i, m := range members {
		entries[m.num] = entry{2, 6, i}
	}
	xrefStm := func(self int, entries map[int]entry, prev string) {
		size := self + 1
		entries[self] = entry{1, b.Len(), 0}
		var rows bytes.Buffer
		var index []string
		for n := 0; n < size; n++ {
			e, ok := entries[n]
			if !ok {
				continue
			}
			index = append(index, fmt.Sprintf("%d 1", n))
			rows.Write([]byte{e.typ, byte(e.off >> 24), byte(e.off >> 16), byte(e.off >> 8), byte(e.off), byte(e.idx >> 8), byte(e.idx)})
		}
		at := b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n<< /Type /XRef /Size %d /Index [%s] /W [1 4 2] /Root 1 0 R /Length %d%s >>\nstream\n", self, size, strings.Join(index, " "), rows.Len(), prev)
		b.Write(rows.Bytes())
		fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", at)
	}
	self := next
	first := b.Len()
	xrefStm(self, entries, "")
	if update != "" {
		upd := map[int]entry{4: {1, b.Len(), 0}}
		fmt.Fprintf(&b, "4 0 obj\n%s\nendobj\n", pdfStreamObj("", "BT /F1 11 Tf 72 750 Td ("+update+") Tj ET"))
		xrefStm(self+1, upd, fmt.Sprintf(" /Prev %d", first))
	}
	return b.Bytes()
}

func TestPDFObjStmInline(t *testing.T) {
	const text = "Jens Kragh 010190-1234"
	tests := []struct {
		name   string
		data   []byte
		want   string
		annots int
	}{
		{"one revision", xrefStreamPDF(text, 30, ""), text, 30},
		{"incremental update of a direct object", xrefStreamPDF(text, 3, "Opdateret 010190-1234"), "Opdateret 010190-1234", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			images, _ := pdfShim(tc.data)
			r, img, st, det := pdfOpen(images)
			if r == nil {
				t.Fatalf("open: %s %s", st, det)
			}
			if _, r2 := pdfInlineObjStms(img, r); r2 == nil {
				t.Error("object stream not inlined")
			}
			pages, st, det := extractPDFWith(context.Background(), tc.data, extract.Limits{}, noFallback(t))
			if st != extract.Scanned || len(pages) != 1 {
				t.Fatalf("status %s (%s)", st, det)
			}
			if !strings.HasPrefix(pages[0].Text, tc.want) {
				t.Errorf("text %q, want it to start with %q", pages[0].Text, tc.want)
			}
			for _, n := range []string{"n0", fmt.Sprintf("n%d", tc.annots-1)} {
				if !strings.Contains(pages[0].Text, n) {
					t.Errorf("annotation %s missing", n)
				}
			}
		})
	}
}

// 1000 annotations (the most a page draws) in one object stream: the library alone decodes the
// stream once per object.
func TestPDFObjStmCost(t *testing.T) {
	data := xrefStreamPDF("Jens Kragh", pdfMaxAnnots, "")
	start := time.Now()
	pages, st, det := runPDF(t, data, extract.Limits{})
	el := time.Since(start)
	if st != extract.Scanned || !strings.Contains(pdfAllText(pages), fmt.Sprintf("n%d", pdfMaxAnnots-1)) {
		t.Fatalf("status %s (%s)", st, det)
	}
	t.Logf("%d compressed annotations read in %v", pdfMaxAnnots, el)
	if el > 5*time.Second {
		t.Errorf("took %v", el)
	}
}
