//go:build linux

package pdf

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/extract"
)

// Files that make the library allocate without bound or loop forever (EXTRACT.md §2). An
// out-of-memory is fatal and an endless loop cannot be interrupted, so these run in a child test
// process with a 4 GiB address-space limit and a deadline: if a guard regresses, the child dies
// or is killed and the test fails, and nothing else in this process is affected.
func TestPDFHostile(t *testing.T) {
	if os.Getenv("SENDEVAGT_PDF_HOSTILE_CHILD") == "1" {
		lim := syscall.Rlimit{Cur: 4 << 30, Max: 4 << 30}
		if err := syscall.Setrlimit(syscall.RLIMIT_AS, &lim); err != nil {
			t.Fatal(err)
		}
		pdfHostileCases(t)
		return
	}
	if testing.Short() {
		t.Skip("child process")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestPDFHostile$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "SENDEVAGT_PDF_HOSTILE_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || ctx.Err() != nil {
		t.Fatalf("child: %v (ctx %v)\n%s", err, ctx.Err(), out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "--- ") {
			t.Log(strings.TrimSpace(line))
		}
	}
}

func pdfHostileCases(t *testing.T) {
	page := "<< /Type /extract.Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
	content := pdfStreamObj("", "BT /F1 11 Tf 72 700 Td (Side 1) Tj ET")
	// An xref stream whose dictionary declares a table of 2^31 entries. The stream data is never
	// read: the library allocates the table from /Size first.
	xrefStream := func(dict string) []byte {
		var b strings.Builder
		b.WriteString("%PDF-1.5\n")
		off := b.Len()
		fmt.Fprintf(&b, "1 0 obj\n<< /Type /XRef %s /W [1 2 1] /Root 2 0 R /Length 4 >>\nstream\n\x01\x00\x09\x00\nendstream\nendobj\n", dict)
		fmt.Fprintf(&b, "startxref\n%d\n%%%%EOF\n", off)
		return []byte(b.String())
	}
	classic := func(header string) []byte {
		return []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\nxref\n" + header +
			"\n0000000009 00000 n \ntrailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n44\n%%EOF\n")
	}
	tests := []struct {
		name       string
		data       []byte
		wantStatus extract.Status
		wantDetail string
	}{
		{
			name: "page tree containing itself",
			data: rawPDF{objs: []string{
				"<< /Type /Catalog /Pages 2 0 R >>",
				"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>",
				page, content, helveticaObj,
			}}.bytes(),
			wantStatus: extract.Unscannable,
			wantDetail: "corrupt PDF: 1 of 2 pages could not be read",
		},
		{
			name: "page tree cycle through a child node",
			data: rawPDF{objs: []string{
				"<< /Type /Catalog /Pages 2 0 R >>",
				"<< /Type /Pages /Kids [6 0 R] /Count 1 >>",
				page, content, helveticaObj,
				"<< /Type /Pages /Parent 2 0 R /Kids [3 0 R 2 0 R] /Count 1 >>",
			}}.bytes(),
			wantStatus: extract.Unscannable,
			wantDetail: "corrupt PDF: 1 of 2 pages could not be read",
		},
		{
			name: "page whose parent is itself, without resources",
			data: rawPDF{objs: []string{
				"<< /Type /Catalog /Pages 2 0 R >>",
				"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
				"<< /Type /extract.Page /Parent 3 0 R /Contents 4 0 R >>",
				pdfStreamObj("", "BT /F1 11 Tf 72 700 Td (Side 1) Tj ET"),
			}}.bytes(),
			wantStatus: extract.Scanned,
		},
		{name: "xref stream with /Size 2^31", data: xrefStream("/Size 2147483647"), wantStatus: extract.Unscannable, wantDetail: "corrupt PDF: implausible object count"},
		{name: "xref stream with huge /Index", data: xrefStream("/Size 3 /Index [0 1 2000000000 2]"), wantStatus: extract.Unscannable, wantDetail: "corrupt PDF: implausible object count"},
		{name: "xref stream with huge /W", data: xrefStream("/Size 3 /W [1 2000000000 1]"), wantStatus: extract.Unscannable, wantDetail: "corrupt PDF: implausible cross-reference field width"},
		{name: "classic xref subsection starting at 2^31", data: classic("2147483000 1"), wantStatus: extract.Unscannable, wantDetail: "corrupt PDF: implausible object count"},
		{name: "object stream with /N 10^15", data: rawPDF{objs: []string{
			"<< /Type /Catalog /Pages 2 0 R >>",
			"<< /Type /Pages /Kids [] /Count 0 >>",
			pdfStreamObj("/Type /ObjStm /N 1000000000000000 /First 4", "9 0 << >>"),
		}}.bytes(), wantStatus: extract.Unscannable, wantDetail: "corrupt PDF: implausible object count"},
		{
			name: "form XObjects drawing themselves three times each",
			data: onePage("/Fm1 Do", "/XObject << /Fm1 6 0 R >>",
				pdfStreamObj("/Type /XObject /Subtype /Form /BBox [0 0 300 50] /Resources << /Font << /F1 7 0 R >> /XObject << /Fm1 6 0 R >> >>",
					"BT /F1 11 Tf 72 700 Td (x) Tj ET /Fm1 Do /Fm1 Do /Fm1 Do"),
				helveticaObj).bytes(),
			wantStatus: extract.Scanned,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, st, det := runPDF(t, tc.data, extract.Limits{})
			if st != tc.wantStatus || (tc.wantDetail != "" && det != tc.wantDetail) {
				t.Errorf("got %s (%q), want %s (%q)", st, det, tc.wantStatus, tc.wantDetail)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}
