package detect

import (
	"bytes"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Name recognizer (docs/CPR.md §6). Prefilter: capital letters not inside a word. A run of 2–5
// capitalised tokens on one line (words, hyphenated words, initials) is split at stop words; the
// first token is checked against the first-name lists, the last against the surname list (or a
// common surname ending), middles against either. Both ends → high, one end plus a strong shape
// → medium, none → dropped. Guards: stop words and greetings are trimmed, ordinary words among
// the names ([common]) need a strong other end, ALL-CAPS tokens are headings, a sentence-initial
// token needs names at both ends, and a name followed by a street word is a street.

type nameFlags uint16

const (
	nfFemale nameFlags = 1 << iota
	nfMale
	nfSurname
	nfStop
	nfGreeting
	nfTitle
	nfCommon
	nfStreet
)

const (
	nfFirst = nfFemale | nfMale
	maxRun  = 12 // tokens in one capitalised run
)

type nameIndex struct {
	words       wordTable     // lower-case keys → nameFlags (low byte), generated (wordtable.go)
	surSuffix   [256][]string // surname endings by their last byte
	chain       []string      // what joins two addressees after a greeting
	cases       [len(nameCaseNames)]nameCase
	adjust      nameAdjust
	why         [][]string // precomputed explanations, see scoreSpan
	whyGreeting []string
	hits        sync.Pool // *[]nameHit: the hits of one Find
}

// nameCaseNames are the cases of scoreSpan in the order of their index, as data/name.txt names
// them in its [score] section.
var nameCaseNames = [...]string{"both_lists", "first_common", "surname_common", "surname_shape",
	"initial_surname", "initial_weak", "first_first", "surname_unknown", "first_unknown"}

// nameCase is one line of [score]: the confidence and the explanation of each end.
type nameCase struct {
	conf       float64
	first, sur string
}

// nameAdjust is the [settings] section of data/name.txt.
type nameAdjust struct {
	middleUnknown, middleKnown, greeting, max float64
	greetingSingle                            uint8 // hundredths
}

const nameFile = "name.txt"

// nameSectionFlag maps a section of name.txt (and [street] of address.txt) to its flag in the
// generated word table; the other sections are not words of the table.
func nameSectionFlag(section string) (nameFlags, bool) {
	switch section {
	case "greeting":
		return nfGreeting, true
	case "title":
		return nfTitle, true
	case "stop":
		return nfStop, true
	case "common":
		return nfCommon, true
	case "street":
		return nfStreet, true
	}
	return 0, false
}

// loadNames takes the generated word table (the name lists and the flagged words of name.txt)
// and reads the rest of name.txt: surname endings, greeting chain, score cases and settings.
func loadNames(words wordTable) (*nameIndex, error) {
	idx := &nameIndex{words: words}
	lines, err := loadSections(nameFile)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, l := range lines {
		switch l.section {
		case "settings":
		case "surname_suffix":
			for _, w := range strings.Fields(l.line) {
				w = strings.TrimRight(lowerString(w), ".")
				idx.surSuffix[w[len(w)-1]] = append(idx.surSuffix[w[len(w)-1]], w)
			}
		case "greeting_chain":
			idx.chain = append(idx.chain, strings.Fields(l.line)...)
		case "score":
			name, c, err := parseNameCase(l)
			if err != nil {
				return nil, err
			}
			k := slices.Index(nameCaseNames[:], name)
			if k < 0 {
				return nil, fmt.Errorf("detect: %s: line %d: unknown case %q", nameFile, l.lineNo, name)
			}
			idx.cases[k], seen[name] = c, true
		default:
			if _, ok := nameSectionFlag(l.section); !ok {
				return nil, fmt.Errorf("detect: %s: unknown section %q", nameFile, l.section)
			}
		}
	}
	for _, name := range nameCaseNames {
		if !seen[name] {
			return nil, fmt.Errorf("detect: %s: [score] lacks case %s", nameFile, name)
		}
	}
	set, err := parseSettings(nameFile, lines, "settings")
	if err != nil {
		return nil, err
	}
	v, err := set.need(nameFile, "middle_unknown", "middle_known", "greeting", "max", "greeting_single")
	if err != nil {
		return nil, err
	}
	idx.adjust = nameAdjust{middleUnknown: v[0], middleKnown: v[1], greeting: v[2], max: v[3],
		greetingSingle: uint8(math.Round(v[4] * 100))}
	idx.why = buildNameWhy(&idx.cases)
	idx.whyGreeting = []string{"after greeting", idx.cases[0].first, "single first name: weak"}
	return idx, nil
}

// parseNameCase reads "CASE CONFIDENCE first end | last end".
func parseNameCase(l sectionLine) (string, nameCase, error) {
	f := strings.Fields(l.line)
	first, sur, ok := strings.Cut(strings.Join(f[min(2, len(f)):], " "), " | ")
	if len(f) < 3 || !ok {
		return "", nameCase{}, fmt.Errorf("detect: %s: line %d: want CASE CONFIDENCE FIRST | LAST", nameFile, l.lineNo)
	}
	conf, err := strconv.ParseFloat(f[1], 64)
	if err != nil {
		return "", nameCase{}, fmt.Errorf("detect: %s: line %d: %w", nameFile, l.lineNo, err)
	}
	return f[0], nameCase{conf: conf, first: first, sur: sur}, nil
}

// flags returns the name flags of a lower-case word.
func (idx *nameIndex) flags(lw []byte) nameFlags {
	return nameFlags(idx.words.get(lw) & 0xFF)
}

// IsFirstName reports whether w (any case) is in the first-name lists.
func (e *Engine) IsFirstName(w string) bool {
	var buf [64]byte
	n := lowerInto(buf[:], strings.TrimSpace(w))
	return n > 0 && e.names.flags(buf[:n])&nfFirst != 0
}

// IsSurname reports whether w (any case) is in the surname list.
func (e *Engine) IsSurname(w string) bool {
	var buf [64]byte
	n := lowerInto(buf[:], strings.TrimSpace(w))
	return n > 0 && e.names.flags(buf[:n])&nfSurname != 0
}

// ntok is one capitalised token.
type ntok struct {
	start, end int // as used in a name (end excludes a genitive s)
	fullEnd    int // end as written
	initial    bool
	hyph       bool
	genitive   bool
	sentEnd    bool // followed by . ! ?
	caps       bool // ALL CAPS (two letters or more)
	letters    int
	flags      nameFlags
	shape      bool // common surname ending
}

func (t *ntok) first() bool  { return t.flags&nfFirst != 0 }
func (t *ntok) sur() bool    { return t.flags&nfSurname != 0 }
func (t *ntok) common() bool { return t.flags&nfCommon != 0 }
func (t *ntok) breaks() bool { return t.caps || t.flags&(nfStop|nfGreeting|nfTitle) != 0 }
func (t *ntok) known() bool  { return t.first() || t.sur() || t.shape || t.initial }
func (t *ntok) unknown() bool {
	return !t.initial && t.letters >= 3 && t.flags&(nfFirst|nfSurname|nfCommon|nfStreet) == 0 && !t.shape
}

// hasCapCandidate8 reports whether any byte of x may belong to an upper-case letter: an ASCII
// capital, the second byte of an upper-case Latin-1 letter (0x80–0x9E after 0xC3: Æ Ø Å É ...),
// or the lead byte of another two-byte letter (0xC4–0xDF). Lower-case æøå (0xC3 0xA0–0xBF) do
// not trigger it, so Danish running text is mostly skipped eight bytes at a time.
func capMask8(x uint64) uint64 {
	t := x & swarLow7
	upper := (swarOnes*(127+'Z'+1) - t) &^ x & (t + swarOnes*(127-('A'-1)))
	cont := (swarOnes*0x9E - t) & x
	lead := (swarOnes*(127+0x60) - t) & x & (t + swarOnes*(127-0x43))
	return (upper | cont | lead) & swarHigh
}

// nextCap returns the index of the next upper-case letter at or after i that starts a word, or -1.
// Eight bytes at a time, jumping straight to each candidate byte of the SWAR mask.
func nextCap(s string, i int) int {
	n := len(s)
	from := i
	for ; i+8 <= n; i += 8 {
		for m := capMask8(load8(s, i)); m != 0; m &= m - 1 {
			c := i + bits.TrailingZeros64(m)/8
			b := s[c]
			if b < 0x80 { // ASCII capital: the common case, decided without decoding
				if c >= from {
					if c == 0 {
						return c
					}
					if p := s[c-1]; p < 0x80 && !isASCIILetter(p) && !isDigit(p) {
						return c
					}
					if s[c-1] >= 0x80 && !wordCharBefore(s, c) {
						return c
					}
				}
				continue
			}
			if b < 0xC0 {
				// second byte of Æ Ø Å ...: the letter starts at the 0xC3 before it
				if c == 0 || s[c-1] != 0xC3 {
					continue
				}
				c--
			}
			if c >= from && upperAt(s, c) > 0 && !wordCharBefore(s, c) {
				return c
			}
		}
	}
	for ; i < n; i++ {
		b := s[i]
		c := i
		if b >= 0x80 && b < 0xC0 && i > 0 && s[i-1] == 0xC3 && i-1 >= from {
			c = i - 1
		} else if !isASCIIUpper(b) && !(b >= 0xC4 && b < 0xE0) {
			continue
		}
		if upperAt(s, c) > 0 && !wordCharBefore(s, c) {
			return c
		}
	}
	return -1
}

func (idx *nameIndex) Name() string { return string(KindName) }

// Reads: a name inside an address is part of a street name ("H.C. Andersens Boulevard 27").
func (idx *nameIndex) Reads() []string { return []string{string(KindAddress)} }

// Find appends the names of in.s that do not overlap an address.
func (idx *nameIndex) Find(in *input, ev *evidence, out []hit) []hit {
	bp, ok := idx.hits.Get().(*[]nameHit)
	if !ok {
		bp = new([]nameHit)
	}
	hits := idx.nameHits(in.s, (*bp)[:0])
	for _, h := range hits {
		if len(ev.around(int(h.start), int(h.end))) > 0 {
			continue
		}
		out = append(out, hit{start: h.start, end: h.end, conf: h.conf, z: uint16(h.why + 1)})
	}
	*bp = hits
	idx.hits.Put(bp)
	return out
}

// Finding makes the finding of a name.
func (idx *nameIndex) Finding(in *input, h hit) Finding {
	return idx.finding(in.s, nameHit{start: h.start, end: h.end, conf: h.conf, why: int16(h.z) - 1})
}

// Names finds personal names (the recognizer alone: names inside an address, which Detect drops,
// are kept). Value is the name as written (whitespace collapsed) and equals text[Start:End] up to
// white space; Masked holds the initials. Why never contains the name.
func (e *Engine) Names(text string) []Finding { return e.findAlone(string(KindName), text) }

// nameHit is a name found by the scanner; it becomes a Finding only when returned (compact, so
// that collecting thousands costs little).
type nameHit struct {
	start, end int32
	conf       uint8 // hundredths
	why        int16 // index of nameIndex.why; -1: a lone first name after a greeting
}

func (idx *nameIndex) finding(s string, h nameHit) Finding {
	span := s[h.start:h.end]
	f := Finding{
		Kind:       KindName,
		Start:      int(h.start),
		End:        int(h.end),
		Value:      collapseSpace(span),
		Masked:     initials(span),
		Confidence: float64(h.conf) / 100,
	}
	if h.why < 0 {
		f.Why = idx.whyGreeting
	} else {
		f.Why = idx.why[h.why]
	}
	return f
}

// nameHits appends the names of text to out.
func (idx *nameIndex) nameHits(text string, out []nameHit) []nameHit {
	var toks [maxRun]ntok
	n := len(text)
	greetEnd := -1 // end of a greeting single emitted last ("Kære Annika og Lise")
	i := 0
	for i < n {
		p := nextCap(text, i)
		if p < 0 {
			break
		}
		cnt := 0
		q := p
		for cnt < maxRun {
			t := &toks[cnt]
			if !parseToken(text, q, t) {
				break
			}
			cnt++
			if t.sentEnd {
				break
			}
			sp := skipInlineSpace(text, t.fullEnd)
			if sp == t.fullEnd || sp >= n || upperAt(text, sp) == 0 {
				break
			}
			q = sp
		}
		if cnt == 0 {
			i = p + max(1, upperAt(text, p))
			continue
		}
		i = toks[cnt-1].fullEnd
		carry := greetEnd >= 0 && idx.greetChain(text[greetEnd:toks[0].start])
		greetEnd = -1
		if cnt == 1 && !carry {
			// A lone capitalised word (most are sentence starts) is a name only after a greeting,
			// and then it is the second token of the run: skip the lookups.
			continue
		}
		for k := 0; k < cnt; k++ {
			idx.classify(text, &toks[k])
		}
		out = idx.evalRun(text, toks[:cnt], carry, out, &greetEnd)
	}
	return out
}

// greetChain reports the text between two addressees: " og ", ", ", " & ".
func (idx *nameIndex) greetChain(between string) bool {
	return slices.Contains(idx.chain, strings.TrimSpace(between))
}

// skipInlineSpace skips up to three spaces or NBSPs (never a line break).
func skipInlineSpace(s string, i int) int {
	for k := 0; k < 3 && i < len(s); k++ {
		switch {
		case s[i] == ' ':
			i++
		case s[i] == 0xC2 && i+1 < len(s) && s[i+1] == 0xA0:
			i += 2
		default:
			return i
		}
	}
	return i
}

// parseToken parses the capitalised token at p: an initial ("K.", "H.C."), or a word with inner
// hyphens or apostrophes.
func parseToken(s string, p int, t *ntok) bool {
	n := len(s)
	sz := upperAt(s, p)
	if sz == 0 {
		return false
	}
	q := p + sz
	*t = ntok{start: p}
	if q < n && s[q] == '.' && (q+1 >= n || letterAt(s, q+1) == 0 || upperAt(s, q+1) > 0) {
		end := q + 1
		for end < n {
			u := upperAt(s, end)
			if u == 0 || end+u >= n || s[end+u] != '.' {
				break
			}
			end += u + 1
		}
		t.end, t.fullEnd, t.initial, t.letters = end, end, true, 1
		return true
	}
	letters, upper := 1, 1
	for q < n {
		k := skipLower(s, q)
		letters += k - q
		if q = k; q == n {
			break
		}
		b := s[q]
		if b < 0x80 {
			if isASCIILetter(b) {
				if b < 'a' {
					upper++
				}
				letters++
				q++
				continue
			}
		} else if b == 0xC3 && q+1 < n && latin1Letter(s[q+1]) {
			if s[q+1] < 0x9F {
				upper++
			}
			letters++
			q += 2
			continue
		} else if l := letterAt(s, q); l > 0 {
			if upperAt(s, q) > 0 {
				upper++
			}
			letters++
			q += l
			continue
		}
		if (b == '-' || b == '\'' || (b == 0xE2 && q+2 < n && s[q+1] == 0x80 && s[q+2] == 0x99)) && q+1 < n {
			w := 1
			if b == 0xE2 {
				w = 3
			}
			if q+w < n && letterAt(s, q+w) > 0 {
				if b == '-' {
					t.hyph = true
				}
				q += w
				continue
			}
		}
		break
	}
	if q < n && isDigit(s[q]) {
		return false // "A4", "B12": codes, not names
	}
	t.end, t.fullEnd, t.letters = q, q, letters
	t.caps = letters >= 2 && upper == letters
	if q < n && (s[q] == '.' || s[q] == '!' || s[q] == '?') {
		t.sentEnd = true
	}
	return true
}

// classify looks the token up (whole, by hyphen parts, without a genitive s).
func (idx *nameIndex) classify(s string, t *ntok) {
	var buf [64]byte
	w := s[t.start:t.end]
	n := lowerInto(buf[:], w)
	if n <= 0 {
		return
	}
	lw := buf[:n]
	t.flags = idx.flags(lw)
	if t.flags&(nfFirst|nfSurname) == 0 && t.hyph {
		// Anne-Mette: first name when every part is; Møller-Ærenlund: surname when any part is.
		allFirst, anySur := true, false
		rest := lw
		for len(rest) > 0 {
			k := bytes.IndexByte(rest, '-')
			part := rest
			if k >= 0 {
				part, rest = rest[:k], rest[k+1:]
			} else {
				rest = nil
			}
			f := idx.flags(part)
			if f&nfFirst == 0 {
				allFirst = false
			}
			if f&nfSurname != 0 || idx.surShape(part) {
				anySur = true
			}
		}
		if allFirst {
			t.flags |= nfFirst
		}
		if anySur {
			t.flags |= nfSurname
		}
		return
	}
	if t.flags&(nfFirst|nfSurname|nfStop|nfStreet|nfGreeting|nfTitle) == 0 && n > 3 && lw[n-1] == 's' {
		if f := idx.flags(lw[:n-1]); f&(nfFirst|nfSurname) != 0 {
			t.flags = f
			t.genitive = true
			t.end--
			t.shape = idx.surShape(lw[:n-1])
			return
		}
		if idx.surShape(lw[:n-1]) {
			t.genitive = true
			t.end--
			t.shape = true
			return
		}
	}
	t.shape = t.flags&(nfStop|nfStreet) == 0 && idx.surShape(lw)
}

// surShape reports a common Danish surname ending (-sen, -gaard, -strup, -holm, ...).
func (idx *nameIndex) surShape(lw []byte) bool {
	if len(lw) == 0 {
		return false
	}
	for _, suf := range idx.surSuffix[lw[len(lw)-1]] {
		if len(lw) >= len(suf)+3 && string(lw[len(lw)-len(suf):]) == suf {
			return true
		}
	}
	return false
}

// sentenceInitial reports whether the token at p follows ". ", "! " or "? " on the same line,
// where the dot does not end a title ("Hr.") or an initial.
func (idx *nameIndex) sentenceInitial(s string, p int) bool {
	i := p - 1
	for i >= 0 && (s[i] == ' ' || s[i] == 0xA0 || s[i] == 0xC2) {
		i--
	}
	if i < 0 || i >= p-1 || (s[i] != '.' && s[i] != '!' && s[i] != '?') {
		return false
	}
	if s[i] == '.' {
		j := i
		for j > 0 && letterBefore(s, j) {
			j--
			for j > 0 && s[j]&0xC0 == 0x80 {
				j--
			}
		}
		w := s[j:i]
		if len(w) == 1 && isASCIIUpper(w[0]) {
			return false
		}
		var buf [16]byte
		if n := lowerInto(buf[:], w); n > 0 && idx.flags(buf[:n])&nfTitle != 0 {
			return false
		}
	}
	return true
}

// evalRun turns one capitalised run into name findings.
func (idx *nameIndex) evalRun(s string, toks []ntok, carry bool, out []nameHit, greetEnd *int) []nameHit {
	sentInit := idx.sentenceInitial(s, toks[0].start)
	greeting := carry
	a := 0
	for a < len(toks) {
		if toks[a].breaks() {
			if toks[a].flags&nfGreeting != 0 && !toks[a].caps {
				greeting = true
			} else if toks[a].flags&nfTitle == 0 {
				greeting = false
			}
			sentInit = false
			a++
			continue
		}
		b := a
		for b < len(toks) && !toks[b].breaks() {
			b++
		}
		out = idx.evalSegment(s, toks, a, b, sentInit, greeting, out, greetEnd)
		greeting, sentInit = false, false
		a = b
	}
	return out
}

func (idx *nameIndex) evalSegment(s string, toks []ntok, a, b int, sentInit, greeting bool, out []nameHit, greetEnd *int) []nameHit {
	if b-a == 1 {
		t := &toks[a]
		if greeting && t.first() && !t.initial {
			out = append(out, nameHit{start: int32(t.start), end: int32(t.end), conf: idx.adjust.greetingSingle, why: -1})
			*greetEnd = t.fullEnd
		}
		return out
	}
	i := a
	for i < b-1 {
		found := false
		for j := min(i+4, b-1); j > i; j-- {
			conf, why, ok := idx.scoreSpan(toks, i, j, sentInit && i == a, greeting && i == a)
			if !ok {
				continue
			}
			if streetAfter(s, toks, j) {
				break
			}
			out = append(out, nameHit{start: int32(toks[i].start), end: int32(toks[j].end), conf: uint8(math.Round(conf * 100)), why: int16(why)})
			i = j + 1
			found = true
			break
		}
		if !found {
			if i == a && greeting && toks[i].first() && !toks[i].initial {
				out = idx.evalSegment(s, toks, i, i+1, false, true, out, greetEnd)
			}
			i++
		}
	}
	return out
}

// streetAfter reports a name that is part of a street or place name: followed by a street word
// ("Søren Frichs Vej"), or a genitive followed by another capitalised word ("H.C. Andersens
// Boulevard").
func streetAfter(s string, toks []ntok, j int) bool {
	if j+1 < len(toks) {
		if toks[j+1].flags&nfStreet != 0 || toks[j].genitive {
			return true
		}
	}
	return false
}

// Flags of a name score, combined with the case into an index of nameWhy.
const (
	nwMiddleUnknown = 1 << (4 + iota)
	nwMiddleKnown
	nwGreeting
	nwSentInit
	nwSize = 1 << 8
)

// buildNameWhy precomputes the explanation of every case and flag combination, so that a name
// finding costs no allocation for its Why.
func buildNameWhy(cases *[len(nameCaseNames)]nameCase) [][]string {
	t := make([][]string, nwSize)
	for k := range t {
		c := k & 0xF
		if c >= len(cases) {
			continue
		}
		w := []string{cases[c].first, cases[c].sur}
		if k&nwMiddleUnknown != 0 {
			w = append(w, "a middle name is not in the lists")
		}
		if k&nwMiddleKnown != 0 {
			w = append(w, "middle names known")
		}
		if k&nwGreeting != 0 {
			w = append(w, "after greeting")
		}
		if k&nwSentInit != 0 {
			w = append(w, "sentence-initial: both ends are names")
		}
		t[k] = w[:len(w):len(w)]
	}
	return t
}

// scoreSpan scores tokens i..j as one name; why indexes nameWhy.
func (idx *nameIndex) scoreSpan(toks []ntok, i, j int, sentInit, greeting bool) (float64, int, bool) {
	f, l := &toks[i], &toks[j]
	if l.initial {
		return 0, 0, false
	}
	fFirst, fCommon := f.first(), f.common()
	lSur, lCommon := l.sur(), l.common()
	firstStrong := fFirst && !fCommon
	firstSoft := fFirst && fCommon
	lastStrong := lSur && !lCommon
	lastSoftSur := lSur && lCommon
	lastShape := l.shape && !lCommon
	lastFirst := l.first() && !lCommon
	var c int
	switch {
	case firstStrong && lastStrong:
		c = 0
	case firstSoft && lastStrong:
		c = 1
	case firstStrong && lastSoftSur:
		c = 2
	case firstStrong && lastShape:
		c = 3
	case f.initial && lastStrong:
		c = 4
	case f.initial && (lastSoftSur || lastShape):
		c = 5
	case firstStrong && lastFirst:
		c = 6
	case firstStrong && l.unknown():
		c = 7
	case f.unknown() && lastStrong && !sentInit:
		c = 8
	default:
		return 0, 0, false
	}
	if sentInit && !(fFirst && (lSur || l.shape)) {
		return 0, 0, false
	}
	conf := idx.cases[c].conf
	why := c
	known := 0
	for k := i + 1; k < j; k++ {
		m := &toks[k]
		switch {
		case m.flags&nfStreet != 0 && !m.known():
			return 0, 0, false
		case m.known() || m.common():
			known++
		default:
			conf -= idx.adjust.middleUnknown
			why |= nwMiddleUnknown
		}
	}
	if known > 0 && known == j-i-1 {
		conf += idx.adjust.middleKnown
		why |= nwMiddleKnown
	}
	if greeting {
		conf += idx.adjust.greeting
		why |= nwGreeting
	}
	if sentInit {
		why |= nwSentInit
	}
	if conf > idx.adjust.max {
		conf = idx.adjust.max
	}
	return float64(int(conf*100+0.5)) / 100, why, true
}

// initials masks a name: "Søren Ærbø Østergård" → "S. Æ. Ø.", "Anne-Mette" → "A.-M.", "K. Jensen"
// → "K. J.".
func initials(name string) string {
	var stack [64]byte
	buf := stack[:0]
	for i := 0; i < len(name); {
		if c := name[i]; c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xC2 || c == 0xA0 {
			i++ // NBSP is 0xC2 0xA0; neither byte starts a letter
			continue
		}
		j := i
		for j < len(name) && name[j] != ' ' && name[j] != '\t' && name[j] != '\n' && name[j] != '\r' &&
			!(name[j] == 0xC2 && j+1 < len(name) && name[j+1] == 0xA0) {
			j++
		}
		w := name[i:j]
		i = j
		if len(buf) > 0 {
			buf = append(buf, ' ')
		}
		if strings.HasSuffix(w, ".") {
			buf = append(buf, w...) // an initial: "K.", "H.C."
			continue
		}
		part := true
		for _, r := range w {
			if r == '-' {
				buf = append(buf, '.', '-')
				part = true
				continue
			}
			if part && unicode.IsLetter(r) {
				buf = utf8.AppendRune(buf, unicode.ToUpper(r))
				part = false
			}
		}
		buf = append(buf, '.')
	}
	return string(buf)
}
