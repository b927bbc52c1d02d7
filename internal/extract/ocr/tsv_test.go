package ocr

import (
	"fmt"
	"strings"
	"testing"
)

// Synthetic people only.
const testCPR = "010190-1234"

func TestParseTesseract(t *testing.T) {
	const head = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
	word := func(page, block, par, line, n int, conf float64, text string) string {
		return fmt.Sprintf("5\t%d\t%d\t%d\t%d\t%d\t0\t0\t10\t10\t%g\t%s\n", page, block, par, line, n, conf, text)
	}
	for _, c := range []struct {
		name             string
		out              string
		cut              bool
		text             string
		words, confident int
	}{
		{"lines and paragraphs", head + "1\t1\t0\t0\t0\t0\t0\t0\t9\t9\t-1\t\n" +
			word(1, 1, 1, 1, 1, 95, "CPR-nr.") + word(1, 1, 1, 1, 2, 91, testCPR) + word(1, 1, 1, 2, 1, 88, "Sorø") +
			word(1, 2, 1, 1, 1, 45, "Brev"), false, "CPR-nr. " + testCPR + "\nSorø\n\nBrev", 4, 3},
		{"noise dropped", head + word(1, 1, 1, 1, 1, 12, "~") + word(1, 1, 1, 1, 2, 0, "|"), false, "", 0, 0},
		{"pages", head + word(1, 1, 1, 1, 1, 90, "a") + word(3, 1, 1, 1, 1, 90, "b"), false, "a\f\fb", 2, 2},
		{"cut line dropped", head + word(1, 1, 1, 1, 1, 90, "hel") + "5\t1\t1\t1\t1\t2\t0\t0\t10\t10\t90\tpar", true, "hel", 1, 1},
		{"plain output", "Søren\nSorø\n", false, "Søren\nSorø\n", 2, 2},
		{"dash in a number", head + word(1, 1, 1, 1, 1, 93, "080443\u20142434") + word(1, 1, 1, 1, 2, 93, "Ærø\u2013Als"), false, "080443-2434 Ærø\u2013Als", 2, 2},
		{"garbage", head + "5\tx\t\t\n5\t1\t1\t1\t1\t1\t0\t0\t1\t1\tNaN\t\n", false, "", 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := parseTesseract([]byte(c.out), c.cut)
			if r.text != c.text || r.words != c.words || r.confident != c.confident {
				t.Errorf("got %q %d/%d, want %q %d/%d", r.text, r.words, r.confident, c.text, c.words, c.confident)
			}
		})
	}
}

// FuzzParseTesseract: any tool output gives text no longer than it.
func FuzzParseTesseract(f *testing.F) {
	f.Add([]byte("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t96\tSøren\n"), false)
	f.Add([]byte("level\t\n5\t99999\t1\t1\t1\t1\t0\t0\t1\t1\t96\ta\n"), true)
	f.Add([]byte("plain text"), false)
	f.Fuzz(func(t *testing.T, out []byte, cut bool) {
		r := parseTesseract(out, cut)
		if r.confident > r.words || strings.Count(r.text, "\f") > 10001*max(1, strings.Count(string(out), "\n")) {
			t.Fatalf("%d/%d words, %d bytes", r.confident, r.words, len(r.text))
		}
	})
}
