package extract

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"
)

// tidyText against the rule said another way: lines split and right-trimmed, blank lines at the
// ends dropped, runs of blank lines made one; and a text already tidy is not copied.
func TestTidyText(t *testing.T) {
	rule := func(s string) string {
		var lines []string
		for _, l := range strings.Split(s, "\n") {
			l = strings.TrimRight(l, " \t\f\v")
			if strings.TrimLeft(l, " \t") == "" {
				l = ""
			}
			if l == "" && (len(lines) == 0 || lines[len(lines)-1] == "") {
				continue
			}
			lines = append(lines, l)
		}
		return strings.TrimRight(strings.Join(lines, "\n"), "\n")
	}
	pieces := []string{"Navn", "CPR 010190-1234", " ", "\t", "\n", "\n", "\n\n", "  \n", "\f", "æøå"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(10) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		if got, want := tidyText(s), rule(s); got != want {
			t.Fatalf("tidyText(%q) = %q, want %q", s, got, want)
		}
	}
	for _, s := range []string{"Navn\tCPR\nAnne\t010190-1234\n", "a\n\nb", "a\nb\n\n\n"} {
		if got := tidyText(s); got == "" || unsafe.StringData(got) != unsafe.StringData(s) {
			t.Errorf("tidyText(%q) copied a text that is already tidy", s)
		}
	}
}

// With WithStableInput a text file becomes its page without a copy; the input is never changed,
// and a sink that must change adopted bytes copies them first.
func TestStableInputText(t *testing.T) {
	data := []byte(strings.Repeat("Borgerens CPR-nr. 010190-1234 og adresse.\n", 2000))
	orig := string(data)
	docs := New(Limits{}, WithStableInput()).Extract(t.Context(), "liste.txt", "text/plain", data)
	if len(docs) != 1 || docs[0].Status != Scanned || len(docs[0].Pages) != 1 {
		t.Fatalf("%+v", docs)
	}
	text := docs[0].Pages[0].Text
	if text != strings.TrimRight(orig, "\n") {
		t.Fatal("the page is not the text")
	}
	if unsafe.StringData(text) != &data[0] {
		t.Error("the page is a copy of a stable input")
	}
	s := &sink{maxText: 1 << 20, maxPages: 10, blockAt: -1}
	b := []byte("a\tb\t")
	s.adopt(b)
	s.endRow()
	s.endPage()
	if string(b) != "a\tb\t" {
		t.Errorf("adopted bytes changed: %q", b)
	}
}

// isNormal's shortcuts agree with the rune-by-rune rule.
func TestIsNormal(t *testing.T) {
	slow := func(s string) bool {
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == '\r' || r == utf8.RuneError && size == 1 || strings.ContainsRune("\u00a0\u2007\u202f\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d\u00ad\u200b\u200c\u200d\u2060\ufeff", r) {
				return false
			}
			i += size
		}
		return true
	}
	pieces := []string{"Søren Ærø", "abcdefgh", "\r", "\u00a0", "\u00ad", "–", "\xc3", "\xc3\x28", "é", "\u2060", " ", "12345678901", "日本"}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		if s := b.String(); isNormal(s) != slow(s) {
			t.Fatalf("isNormal(%q) = %v", s, isNormal(s))
		}
	}
}

func BenchmarkIsNormal(b *testing.B) {
	var sb strings.Builder
	for sb.Len() < 1<<20 {
		sb.WriteString("Vi har behandlet din ansøgning om hjælp til særlig støtte, og vi har lagt vægt på lægens erklæring.\n")
	}
	s := sb.String()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		if !isNormal(s) {
			b.Fatal("not normal")
		}
	}
}

// TestNormalPage: a page known to be in normal form skips NormalizeText, and any later write to
// it (a carriage return, a no-break space, a resumed page) makes it normalised again; plain
// text files are marked only when they are normal.
func TestNormalPage(t *testing.T) {
	tests := []struct {
		name  string
		write func(s *sink)
		want  string
	}{
		{"normal text alone", func(s *sink) { s.writeText([]byte("a b"), false, true) }, "a b"},
		{"normal text after other text", func(s *sink) { s.write("\u00a0"); s.writeText([]byte("a"), false, true) }, " a"},
		{"a carriage return after it", func(s *sink) {
			s.writeText([]byte("a"), false, true)
			s.writeByte('\r')
			s.writeBytes([]byte("b"))
		}, "a\nb"},
		{"a no-break space after it", func(s *sink) { s.writeText([]byte("a"), false, true); s.write("\u00a0b") }, "a b"},
		{"the page resumed", func(s *sink) {
			s.writeText([]byte("a"), false, true)
			s.endPage()
			s.resumeLastPage()
			s.writeBytes([]byte("\u2013b"))
		}, "a-b"},
		// (marked normal though it is not, to see that ending a cell clears the mark)
		{"a cell ended", func(s *sink) { s.writeText([]byte("a\u00ad"), true, true); s.endCell() }, "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &sink{maxText: 1 << 20, maxPages: 10, blockAt: -1}
			tt.write(s)
			pages, _, _ := s.result()
			if len(pages) != 1 || pages[0].Text != tt.want {
				t.Errorf("pages %+v, want one page %q", pages, tt.want)
			}
		})
	}
	for _, c := range []struct{ text, want string }{
		{"Søren Ærø\nbor her", "Søren Ærø\nbor her"},
		{"linje 1\r\nlinje 2", "linje 1\nlinje 2"},
		{"ikke\u00a0brudt", "ikke brudt"},
		{"ugyldig \xff byte", "ugyldig ÿ byte"}, // not UTF-8: read as Windows-1252
	} {
		docs := New(Limits{}).Extract(t.Context(), "tekst.txt", "text/plain", []byte(c.text))
		if len(docs) != 1 || len(docs[0].Pages) != 1 || docs[0].Pages[0].Text != c.want {
			t.Errorf("%q: %+v, want one page %q", c.text, docs, c.want)
		}
	}
}
