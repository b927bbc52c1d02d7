package ocr

import (
	"bytes"
	"strconv"
	"strings"
)

// parseTesseract builds the text from tesseract's output. TSV (a header line starting "level",
// then one line per page, block, paragraph, line and word: level page block par line word left
// top width height conf text) gives the words with their confidence: words below ocrWordFloor
// are dropped, lines are joined with "\n", paragraphs and blocks separated by a blank line and
// pages by a form feed, as tesseract's plain output is. Anything else is taken as plain text
// (a tesseract without TSV), every word counting as confident. cut means the output was cut
// off: its last, perhaps partial, line is dropped.
func parseTesseract(out []byte, cut bool) ocrText {
	if !bytes.HasPrefix(out, []byte("level\t")) {
		text := ocrDashes(string(out))
		n := len(strings.Fields(text))
		return ocrText{text: text, cut: cut, words: n, confident: n}
	}
	if cut {
		if i := bytes.LastIndexByte(out, '\n'); i >= 0 {
			out = out[:i]
		}
	}
	var b strings.Builder
	r := ocrText{cut: cut}
	var page, block, par, line int
	first := true
	for len(out) > 0 {
		var ln []byte
		if i := bytes.IndexByte(out, '\n'); i >= 0 {
			ln, out = out[:i], out[i+1:]
		} else {
			ln, out = out, nil
		}
		f := bytes.SplitN(bytes.TrimRight(ln, "\r"), []byte{'\t'}, 12)
		if len(f) != 12 || string(f[0]) != "5" {
			continue
		}
		word := strings.TrimSpace(string(f[11]))
		conf, err := strconv.ParseFloat(string(f[10]), 64)
		if word == "" || err != nil || conf < ocrWordFloor {
			continue
		}
		pg, _ := strconv.Atoi(string(f[1]))
		bl, _ := strconv.Atoi(string(f[2]))
		pa, _ := strconv.Atoi(string(f[3]))
		li, _ := strconv.Atoi(string(f[4]))
		switch {
		case first:
			// Pages before the first word are empty pages.
			for range min(max(pg-1, 0), 10000) {
				b.WriteByte('\f')
			}
		case pg != page:
			for range min(max(pg-page, 1), 10000) {
				b.WriteByte('\f')
			}
		case bl != block || pa != par:
			b.WriteString("\n\n")
		case li != line:
			b.WriteByte('\n')
		default:
			b.WriteByte(' ')
		}
		first = false
		page, block, par, line = pg, bl, pa, li
		b.WriteString(ocrDashes(word))
		r.words++
		if conf >= ocrConfident {
			r.confident++
		}
	}
	r.text = b.String()
	return r
}

// ocrDashes turns a dash between digits into a hyphen: tesseract reads the hyphen of
// "010190-1234" in some fonts as an en or em dash, which no reader of CPR numbers expects.
func ocrDashes(s string) string {
	if !strings.ContainsAny(s, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212") {
		return s
	}
	r := []rune(s)
	for i := 1; i+1 < len(r); i++ {
		switch r[i] {
		case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212':
			if isDigit(r[i-1]) && isDigit(r[i+1]) {
				r[i] = '-'
			}
		}
	}
	return string(r)
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }
