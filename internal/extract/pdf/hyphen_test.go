package pdf

import (
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/extract"
)

// Synthetic text only.

func TestPDFHyphenation(t *testing.T) {
	// lines are drawn 14 pt apart at one left margin (one block); "|" in a line starts a new block
	// far below.
	page := func(lines ...string) []byte {
		var b strings.Builder
		b.WriteString("BT /F1 11 Tf 72 700 Td 14 TL\n")
		for i, l := range lines {
			if i > 0 {
				if strings.HasPrefix(l, "|") {
					l = l[1:]
					b.WriteString("0 -300 Td\n")
				} else {
					b.WriteString("T*\n")
				}
			}
			b.WriteString("(" + latin1(l) + ") Tj\n")
		}
		b.WriteString("ET")
		return onePage(b.String(), "").bytes()
	}
	tests := []struct {
		name  string
		lines []string
		want  string
	}{
		{"hyphen after lower case", []string{"Borgeren har en infek-", "tion i lungerne."}, "Borgeren har en infektion i lungerne."},
		{"soft hyphen", []string{"Borgeren er til indlæg\u00ad", "gelse i dag."}, "Borgeren er til indlæggelse i dag."},
		{"soft hyphen inside a line", []string{"indlæg\u00adgelse"}, "indlæggelse"},
		{"suspended compound", []string{"Hun er social-", "og sundhedsassistent."}, "Hun er social-\nog sundhedsassistent."},
		{"upper case before the hyphen", []string{"Oplys dit CPR-", "nummer her."}, "Oplys dit CPR-\nnummer her."},
		{"upper case after the hyphen", []string{"Han hedder Jens-", "Peter Kragh."}, "Han hedder Jens-\nPeter Kragh."},
		{"digits", []string{"CPR 010190-", "1234 her"}, "CPR 010190-\n1234 her"},
		{"dash after a space", []string{"Det er slut -", "og godt."}, "Det er slut -\nog godt."},
		{"another block", []string{"Borgeren har en infek-", "|tion i lungerne."}, "Borgeren har en infek-\n\ntion i lungerne."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pages, st, det := runPDF(t, page(tc.lines...), extract.Limits{})
			if st != extract.Scanned || len(pages) != 1 {
				t.Fatalf("status %s (%s)", st, det)
			}
			if pages[0].Text != tc.want {
				t.Errorf("text %q, want %q", pages[0].Text, tc.want)
			}
		})
	}
}
