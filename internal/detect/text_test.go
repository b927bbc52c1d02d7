package detect

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// The word-at-a-time scanners must agree with the byte loops they replace. The texts mix the
// bytes next to each range's ends ('@' 'A' 'Z' '[' '`' 'a' 'z' '{'), the same bytes with the high
// bit set (0xC1 is 'A'|0x80), '\n' and its neighbours, the token punctuation and Danish letters.
var swarAlphabet = []string{"@", "A", "Z", "[", "`", "a", "z", "{", "\xc1", "\xda", "\xe1", "\xfa", "\x8a",
	"\n", "\t", "\x0b", "\x00", "\xff", " ", "-", ".", "_", "0", "9", "æ", "Ø", "å", "é", "\u00a0", "–"}

func randomText(r *rand.Rand, alphabet []string, n int) string {
	var sb strings.Builder
	for range n {
		sb.WriteString(alphabet[r.IntN(len(alphabet))])
	}
	return sb.String()
}

func TestLastNewline(t *testing.T) {
	for _, s := range []string{"", "\n", "a", "abcdefgh", "abcdefg\n", "\nabcdefgh", "\x8a\x8a\x8a\x8a\x8a\x8a\x8a\x8a",
		"a\nb\nc", "0123456789\n0123456789", "\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b\x0b"} {
		if got, want := lastNewline(s), strings.LastIndexByte(s, '\n'); got != want {
			t.Errorf("lastNewline(%q) = %d, want %d", s, got, want)
		}
	}
	r := rand.New(rand.NewPCG(1, 1))
	for range 20000 {
		s := randomText(r, swarAlphabet, r.IntN(40))
		if got, want := lastNewline(s), strings.LastIndexByte(s, '\n'); got != want {
			t.Fatalf("lastNewline(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestSkipLettersLower(t *testing.T) {
	slow := func(s string, i int, ok func(byte) bool) int {
		for i < len(s) && ok(s[i]) {
			i++
		}
		return i
	}
	r := rand.New(rand.NewPCG(2, 2))
	for range 20000 {
		s := randomText(r, swarAlphabet, r.IntN(40))
		i := r.IntN(len(s) + 1)
		if got, want := skipLetters(s, i), slow(s, i, isASCIILetter); got != want {
			t.Fatalf("skipLetters(%q, %d) = %d, want %d", s, i, got, want)
		}
		if got, want := skipLower(s, i), slow(s, i, isASCIILower); got != want {
			t.Fatalf("skipLower(%q, %d) = %d, want %d", s, i, got, want)
		}
	}
}

// forTokensRef is the callback tokenizer the iterator replaced.
func forTokensRef(s string, from, to int, fn func(ts, te int)) {
	from, to = max(from, 0), min(to, len(s))
	i := from
	for i > 0 && i < to && tokenByte(s[i-1]) && tokenByte(s[i]) {
		i++
	}
	for i < to {
		b := s[i]
		if !tokenByte(b) || (b >= 0x80 && letterAt(s, i) == 0) {
			i++
			continue
		}
		ts := i
		for i < to {
			if s[i] < 0x80 {
				if !tokenByte(s[i]) {
					break
				}
				i++
				continue
			}
			n := letterAt(s, i)
			if n == 0 {
				break
			}
			i += n
		}
		te := i
		for ts < te && trimByte(s[ts]) {
			ts++
		}
		for te > ts && trimByte(s[te-1]) {
			te--
		}
		if te > ts {
			fn(ts, te)
		}
	}
}

func TestTokenizer(t *testing.T) {
	words := append([]string{"cpr-nr.", "Tlf", "kontonummer", "_x_", "a.b", "--", "\xc3", "\xc3\x28"}, swarAlphabet...)
	r := rand.New(rand.NewPCG(3, 3))
	for range 20000 {
		s := randomText(r, words, r.IntN(30))
		from, to := r.IntN(len(s)+3)-2, r.IntN(len(s)+3)
		var want, got [][2]int
		forTokensRef(s, from, to, func(ts, te int) { want = append(want, [2]int{ts, te}) })
		for tk := newTokenizer(s, from, to); ; {
			ts, te, ok := tk.next()
			if !ok {
				break
			}
			got = append(got, [2]int{ts, te})
		}
		if len(got) != len(want) {
			t.Fatalf("%q [%d:%d]: tokens %v, want %v", s, from, to, got, want)
		}
		for k := range got {
			if got[k] != want[k] {
				t.Fatalf("%q [%d:%d]: tokens %v, want %v", s, from, to, got, want)
			}
		}
	}
}

// TestISODateOnLine checks the hyphen-driven search against a try at every position.
func TestISODateOnLine(t *testing.T) {
	slow := func(s string, start, end int) bool {
		from, to := lineStart(s, start, 60), lineEnd(s, end, 60)
		for i := from; i+10 <= to; i++ {
			if isDigit(s[i]) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) && s[i+4] == '-' &&
				isDigit(s[i+5]) && isDigit(s[i+6]) && s[i+7] == '-' && isDigit(s[i+8]) && isDigit(s[i+9]) &&
				(i == 0 || !isDigit(s[i-1])) {
				return true
			}
		}
		return false
	}
	parts := []string{"2023-12-07", "12023-12-07", "2023-12-0", "2023--12-07", "-", "--", "0", "12", "2023", " ", "\n", "x"}
	r := rand.New(rand.NewPCG(4, 4))
	for range 20000 {
		s := randomText(r, parts, r.IntN(20))
		start := r.IntN(len(s) + 1)
		end := start + r.IntN(len(s)-start+1)
		if got, want := isoDateOnLine(s, start, end), slow(s, start, end); got != want {
			t.Fatalf("isoDateOnLine(%q, %d, %d) = %v, want %v", s, start, end, got, want)
		}
	}
}

// TestCPRContextFilter checks that the prefilter passes every context word in any case and the
// "cpr…" tokens lookup accepts.
func TestCPRContextFilter(t *testing.T) {
	cr, err := newCPRRecognizer(nil)
	if err != nil {
		t.Fatal(err)
	}
	words := []string{"cpr-nummeret", "CPR.NR", "Cprnr", "cpr-"}
	for w := range cr.rules.words {
		words = append(words, w, strings.ToUpper(w), strings.ToUpper(w[:1])+w[1:])
	}
	var buf [maxTokenLen]byte
	for _, w := range words {
		n := lowerInto(buf[:], w)
		if _, ok := cr.rules.lookup(buf[:max(n, 0)]); n > 0 && ok && !cr.rules.maybe(w) {
			t.Errorf("maybe(%q) = false for a context word", w)
		}
	}
}
