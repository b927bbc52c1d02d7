package identity

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold is fold for other packages (the citizen directory keys names the way identity compares
// them).
func Fold(s string) string { return fold(s) }

// fold lower-cases a name and spells it the way mail addresses do: Danish and German letters as
// their two-letter spellings (æ→ae, ø→oe, å→aa, ä→ae, ö→oe, ü→ue, ß→ss), letters that Unicode
// does not decompose by their base letter (ł→l, đ→d, ı→i, œ→oe, þ→th), and every other accent
// removed through Unicode decomposition (NFKD, marks dropped: ş→s, ğ→g, ç→c, ő→o, é→e).
// Everything that is not a letter becomes a space.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'æ', 'ä':
			b.WriteString("ae")
		case 'ø', 'ö':
			b.WriteString("oe")
		case 'å':
			b.WriteString("aa")
		case 'ü':
			b.WriteString("ue")
		case 'ß':
			b.WriteString("ss")
		case 'ł':
			b.WriteByte('l')
		case 'đ', 'ð':
			b.WriteByte('d')
		case 'ı':
			b.WriteByte('i')
		case 'œ':
			b.WriteString("oe")
		case 'þ':
			b.WriteString("th")
		default:
			if r < 0x80 {
				if r >= 'a' && r <= 'z' {
					b.WriteRune(r)
				} else {
					b.WriteByte(' ')
				}
				continue
			}
			if !unicode.IsLetter(r) {
				b.WriteByte(' ')
				continue
			}
			// Decompose and keep the base letters (golang.org/x/text does the Unicode tables).
			for _, d := range norm.NFKD.String(string(r)) {
				if unicode.Is(unicode.Mn, d) {
					continue
				}
				if unicode.IsLetter(d) {
					b.WriteRune(unicode.ToLower(d))
				}
			}
		}
	}
	return b.String()
}

// variants gives the spellings of one folded token that mail addresses use: "mueller" is also
// written "muller", "aarhus" also "arhus", "soeren" also "soren".
func variants(tok string) []string {
	out := []string{tok}
	for _, p := range [][2]string{{"ue", "u"}, {"oe", "o"}, {"ae", "a"}, {"aa", "a"}} {
		for _, v := range out {
			if strings.Contains(v, p[0]) {
				out = append(out, strings.ReplaceAll(v, p[0], p[1]))
			}
		}
	}
	return out
}

// tokenEq: two folded tokens are the same name in the spellings mail addresses use. Both are
// reduced to their plainest spelling (every two-letter spelling to one letter), which is the
// variant two spellings of one name share; no allocation unless a token holds such a pair.
func tokenEq(a, b string) bool {
	return a == b || canon(a) == canon(b)
}

func canon(t string) string {
	for _, p := range [][2]string{{"ue", "u"}, {"oe", "o"}, {"ae", "a"}, {"aa", "a"}} {
		t = strings.ReplaceAll(t, p[0], p[1])
	}
	return t
}

func containsVariant(s, tok string) bool {
	for _, v := range variants(tok) {
		if len(v) > 2 && strings.Contains(s, v) {
			return true
		}
	}
	return false
}

// unfold gives the Danish spellings a folded token may stand for ("laerke" → "lærke").
func unfold(tok string) []string {
	out := []string{tok}
	for _, p := range [][2]string{{"ae", "æ"}, {"oe", "ø"}, {"aa", "å"}} {
		for _, v := range out {
			if strings.Contains(v, p[0]) {
				out = append(out, strings.ReplaceAll(v, p[0], p[1]))
			}
		}
	}
	return out
}

func isLetter(r rune) bool { return unicode.IsLetter(r) }
