package detect

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// CPR recognizer (docs/CPR.md). A hand-written byte scanner finds 6+4 digit windows; each candidate
// must be a real birth date by the 7th-digit century rule and not after today (hard checks); modulus
// 11, the context words and the findings of the phone and account recognizers only move the
// confidence. The words, their weights, the score and the distance windows are data/cpr.txt.
//
// Scale (data/cpr.txt [settings]): date-valid number without context 0.5 (fails mod-11) / 0.6
// (passes); positive context adds up to 0.4; negative context near the number subtracts up to 0.4;
// findings below 0.2 are dropped.

type ctxKind uint8

const (
	ctxNone ctxKind = iota
	ctxPos
	ctxNeg
	ctxJournal
	ctxTime
	ctxLog
)

type ctxWord struct {
	kind   ctxKind
	weight float64
}

type cprRules struct {
	words map[string]ctxWord
	// filter has the bit of ctxFilterBit set for every word: a prefilter before lowering a token
	// and looking it up (see maybe).
	filter [ctxFilterBits / 64]uint64
	// labels and labelSuffixes tell a label of another kind of number (see otherLabelBefore).
	labels        []string
	labelSuffixes []string
	// evidence: findings of other recognizers (phone and account numbers) that tell a
	// CPR-shaped number inside them is none, from the [evidence] section.
	evidence []cprEvidence
	score    cprScore
}

// cprScore is the [settings] section of data/cpr.txt: the score and the distance windows (bytes).
type cprScore struct {
	minConfidence, baseMod11OK, baseMod11Fails, contextWeight float64
	posBefore, posBeforeFull, posAfter, posAfterFull          int
	posBeforeFar, posAfterNear, posAfterFar                   float64
	negBefore, negBeforeFull, negAfter, negAfterFull          int
}

func parseCPRScore(lines []sectionLine) (cprScore, error) {
	set, err := parseSettings(cprFile, lines, "settings")
	if err != nil {
		return cprScore{}, err
	}
	v, err := set.need(cprFile, "min_confidence", "base_mod11_ok", "base_mod11_fails", "context_weight",
		"pos_before", "pos_before_full", "pos_before_far", "pos_after", "pos_after_full", "pos_after_near", "pos_after_far",
		"neg_before", "neg_before_full", "neg_after", "neg_after_full")
	if err != nil {
		return cprScore{}, err
	}
	return cprScore{minConfidence: v[0], baseMod11OK: v[1], baseMod11Fails: v[2], contextWeight: v[3],
		posBefore: int(v[4]), posBeforeFull: int(v[5]), posBeforeFar: v[6],
		posAfter: int(v[7]), posAfterFull: int(v[8]), posAfterNear: v[9], posAfterFar: v[10],
		negBefore: int(v[11]), negBeforeFull: int(v[12]), negAfter: int(v[13]), negAfterFull: int(v[14])}, nil
}

const cprFile = "cpr.txt"

// cprEvidence is how a CPR-shaped number inside another recognizer's finding is weighed.
type cprEvidence struct {
	kind   Kind
	weight float64 // negative evidence
	drop   bool    // the number is part of the other one: no candidate at all
	why    string
}

// maxTokenLen bounds a context word.
const maxTokenLen = 48

func loadCPRRules() (cprRules, error) {
	lines, err := loadSections(cprFile)
	if err != nil {
		return cprRules{}, err
	}
	kinds := map[string]ctxKind{"positive": ctxPos, "negative": ctxNeg, "journal": ctxJournal, "time": ctxTime, "log": ctxLog}
	r := cprRules{words: make(map[string]ctxWord, len(lines))}
	if r.score, err = parseCPRScore(lines); err != nil {
		return r, err
	}
	for _, l := range lines {
		switch l.section {
		case "settings":
			continue
		case "label":
			r.labels = append(r.labels, normToken(l.line))
			continue
		case "label_suffix":
			r.labelSuffixes = append(r.labelSuffixes, lowerString(strings.TrimSpace(l.line)))
			continue
		case "evidence":
			ev, err := parseEvidence(l)
			if err != nil {
				return r, err
			}
			r.evidence = append(r.evidence, ev)
			continue
		}
		k, ok := kinds[l.section]
		if !ok {
			return r, fmt.Errorf("detect: cpr.txt: unknown section %q", l.section)
		}
		f := strings.Fields(l.line)
		if len(f) != 2 {
			return r, fmt.Errorf("detect: cpr.txt: line %d: want WORD WEIGHT", l.lineNo)
		}
		w, err := strconv.ParseFloat(f[1], 64)
		if err != nil || w < 0 || w > 1 {
			return r, fmt.Errorf("detect: cpr.txt: line %d: bad weight", l.lineNo)
		}
		word := normToken(f[0])
		r.words[word] = ctxWord{kind: k, weight: w}
		if len(word) <= maxTokenLen {
			k := ctxFilterBit(word)
			r.filter[k/64] |= 1 << (k % 64)
		}
	}
	return r, nil
}

// parseEvidence reads "KIND WEIGHT [drop] WHY..." of the [evidence] section.
func parseEvidence(l sectionLine) (cprEvidence, error) {
	f := strings.Fields(l.line)
	if len(f) < 3 {
		return cprEvidence{}, fmt.Errorf("detect: cpr.txt: line %d: want KIND WEIGHT [drop] WHY", l.lineNo)
	}
	w, err := strconv.ParseFloat(f[1], 64)
	if err != nil || w < 0 || w > 1 {
		return cprEvidence{}, fmt.Errorf("detect: cpr.txt: line %d: bad weight", l.lineNo)
	}
	ev := cprEvidence{kind: Kind(f[0]), weight: w}
	rest := f[2:]
	if rest[0] == "drop" {
		ev.drop, rest = true, rest[1:]
	}
	ev.why = strings.Join(rest, " ")
	return ev, nil
}

// normToken normalises a context word the way tokens are normalised: lower case, leading and
// trailing "-._:#" stripped.
func normToken(w string) string {
	w = strings.Trim(lowerString(w), "-._:#")
	return w
}

// ctxFilterBits is the size of cprRules.filter: a few hundred words set about one bit in a hundred.
const ctxFilterBits = 1 << 14

// ctxFilterBit is the filter bit of a token of n > 0 bytes: a hash of its length and its first
// two and last bytes, each with bit 5 set. Setting bit 5 maps an upper-case ASCII letter and the
// second byte of an upper-case Latin-1 letter to its lower-case form and keeps that form, so a
// token and its lowerInto form share their bit.
func ctxFilterBit(tok string) uint32 {
	n := len(tok)
	h := uint32(n)<<24 | uint32(tok[0]|0x20)<<16 | uint32(tok[min(1, n-1)]|0x20)<<8 | uint32(tok[n-1]|0x20)
	return h * 0x9E3779B1 >> (32 - 14)
}

// maybe reports whether a token (any case) can be a context word, lookup's "cpr…" words
// included. Nine in ten tokens of running text that share a word's first letter and length do
// not share its second and last letters: the filter spares lowering and looking them up.
func (r *cprRules) maybe(tok string) bool {
	n := len(tok)
	if n == 0 || n > maxTokenLen {
		return false
	}
	if n > 3 && tok[0]|0x20 == 'c' && tok[1]|0x20 == 'p' && tok[2]|0x20 == 'r' {
		return true
	}
	k := ctxFilterBit(tok)
	return r.filter[k/64]&(1<<(k%64)) != 0
}

// lookup classifies a lower-case token.
func (r *cprRules) lookup(tok []byte) (ctxWord, bool) {
	if w, ok := r.words[string(tok)]; ok {
		return w, true
	}
	// cpr-nummeret, cpr.nr.:, cprnr ... : any token starting with "cpr" followed by -, . or n.
	if len(tok) > 3 && tok[0] == 'c' && tok[1] == 'p' && tok[2] == 'r' && (tok[3] == '-' || tok[3] == '.' || tok[3] == 'n') {
		return ctxWord{kind: ctxPos, weight: 1}, true
	}
	return ctxWord{}, false
}

// cprCand is one CPR-shaped window found by the scanner.
type cprCand struct {
	start, end  int
	d           [10]byte
	sep         rune // 0 none; ' ', '-', '\t', 0xA0, 0x2013, ...; -1 for " - "
	needKeyword bool // spaces inside the date or a double separator
	padded      bool // 9-digit number, leading zero restored (CPR columns only)
	numBefore   bool
	numAfter    bool
	glued       bool
	valid       bool
	table       tableRef
	evidence    *cprEvidence // the strongest finding of another recognizer holding the number
}

// cprRecognizer is the CPR recognizer of the registry.
type cprRecognizer struct {
	rules cprRules
	now   func() time.Time
	cands sync.Pool // *[]cprCand: the candidates of one Find
}

func newCPRRecognizer(now func() time.Time) (*cprRecognizer, error) {
	rules, err := loadCPRRules()
	if err != nil {
		return nil, err
	}
	return &cprRecognizer{rules: rules, now: now}, nil
}

func (cr *cprRecognizer) Name() string { return string(KindCPR) }

// Reads the recognizers named in the [evidence] section.
func (cr *cprRecognizer) Reads() []string {
	var names []string
	for _, ev := range cr.rules.evidence {
		names = append(names, string(ev.kind))
	}
	return names
}

// Find scans the digit runs for CPR shapes and scores the candidates.
func (cr *cprRecognizer) Find(in *input, ev *evidence, out []hit) []hit {
	bp, ok := cr.cands.Get().(*[]cprCand)
	if !ok {
		bp = new([]cprCand)
	}
	cands := (*bp)[:0]
	next := 0
	for _, r := range in.digitRuns() {
		if r.j >= next {
			next, cands = cprRun(in.s, r.j, r.k, cands)
		}
	}
	cands = cr.weighEvidence(cands, ev)
	n := len(in.made)
	in.made = cr.scoreCands(in.s, cands, in.made)
	for k := n; k < len(in.made); k++ {
		f := &in.made[k]
		out = append(out, hit{start: int32(f.Start), end: int32(f.End), x: int32(k), conf: hundredths(f.Confidence)})
	}
	*bp = cands
	cr.cands.Put(bp)
	return out
}

// Finding returns the finding made while scoring.
func (cr *cprRecognizer) Finding(in *input, h hit) Finding { return in.made[h.x] }

// weighEvidence drops the candidates inside a finding of a [evidence] kind marked drop and
// records the strongest other one on each candidate.
func (cr *cprRecognizer) weighEvidence(cands []cprCand, ev *evidence) []cprCand {
	if ev == nil {
		return cands
	}
	kept := cands[:0]
	for _, c := range cands {
		drop := false
		for _, h := range ev.around(c.start, c.end) {
			if h.confidence() < Threshold {
				continue
			}
			kind := Kind(ev.kind(h))
			for i := range cr.rules.evidence {
				ev := &cr.rules.evidence[i]
				if ev.kind != kind {
					continue
				}
				drop = drop || ev.drop
				if c.evidence == nil || ev.weight > c.evidence.weight {
					c.evidence = ev
				}
			}
		}
		if !drop {
			kept = append(kept, c)
		}
	}
	return kept
}

// CPR finds CPR numbers. Findings are sorted by Start and carry the 10 digits as Value.
func (e *Engine) CPR(text string) []Finding { return e.findWith(string(KindCPR), text) }

// scoreCands applies the hard checks, the table context and the scores to the raw candidates
// and appends the findings to out.
func (cr *cprRecognizer) scoreCands(text string, cands []cprCand, out []Finding) []Finding {
	if len(cands) == 0 {
		return out
	}
	today := cr.now()
	ty, tm, td := today.Date()
	// Tables: column headers and per-column density. Only when a candidate line has a delimiter.
	tab := tableScanner{s: text, rules: &cr.rules}
	type colKey struct{ hdr, col int }
	var cols map[colKey][2]int
	for i := range cands {
		c := &cands[i]
		c.valid = validBirth(c.d, ty, int(tm), td)
		c.table = tab.lookup(c.start)
		if c.table.ok {
			if cols == nil {
				cols = make(map[colKey][2]int)
			}
			k := colKey{c.table.hdrStart, c.table.col}
			v := cols[k]
			v[0]++
			if c.valid {
				v[1]++
			}
			cols[k] = v
		}
	}
	// Two or more CPR numbers in a row ("010190-1234 020215-4321": a parent's and a child's in one
	// table row) are each a number of their own, not one number continuing into the next.
	for i := 1; i < len(cands); i++ {
		a, b := &cands[i-1], &cands[i]
		if a.valid && b.valid && onlyBlanks(text, a.end, b.start) {
			a.numAfter = false
			b.numBefore = false
		}
	}
	nvalid := 0
	for i := range cands {
		if cands[i].valid {
			nvalid++
		}
	}
	if nvalid == 0 {
		return out
	}
	var sc cprScratch
	for i := range cands {
		c := &cands[i]
		if !c.valid {
			continue
		}
		density := [2]int{}
		if c.table.ok {
			density = cols[colKey{c.table.hdrStart, c.table.col}]
		}
		if f, ok := cr.scoreCPR(text, c, density, &sc); ok {
			out = append(out, f)
		}
	}
	return out
}

// cprRun looks at the digit run s[j:k] and appends a candidate if it starts a CPR shape. It
// returns where scanning continues.
func cprRun(s string, j, k int, out []cprCand) (int, []cprCand) {
	next := k
	switch k - j {
	case 10:
		c := cprCand{start: j, end: k}
		copy(c.d[:], s[j:k])
		if cprBoundaries(s, &c) {
			out = append(out, c)
		}
	case 6:
		if q, sep, double, ok := parseSerialSep(s, k); ok {
			c := cprCand{start: j, end: q + 4, sep: sep, needKeyword: double}
			copy(c.d[:6], s[j:k])
			copy(c.d[6:], s[q:q+4])
			if cprBoundaries(s, &c) {
				out = append(out, c)
			}
			next = c.end
		}
	case 2:
		if end, d, ok := parseSpacedDate(s, j); ok {
			c := cprCand{start: j, end: end, d: d, needKeyword: true, sep: ' '}
			if cprBoundaries(s, &c) {
				out = append(out, c)
			}
			next = end
		}
	case 9:
		c := cprCand{start: j, end: k, padded: true}
		c.d[0] = '0'
		copy(c.d[1:], s[j:k])
		if cprBoundaries(s, &c) {
			out = append(out, c)
		}
	}
	return next, out
}

// sepAt returns the length and rune of a single CPR separator at s[i] (0 if none): space, tab,
// hyphen, slash, dot, NBSP, U+2010–U+2015, U+2212 and the U+0013 extraction artefact.
func sepAt(s string, i int) (int, rune) {
	if i >= len(s) {
		return 0, 0
	}
	switch b := s[i]; b {
	case ' ', '\t', '-', '/', '.', 0x13:
		return 1, rune(b)
	case 0xC2:
		if i+1 < len(s) && s[i+1] == 0xA0 {
			return 2, '\u00a0'
		}
	case 0xE2:
		if i+2 < len(s) {
			if s[i+1] == 0x80 && s[i+2] >= 0x90 && s[i+2] <= 0x95 {
				return 3, rune(0x2010 + int(s[i+2]-0x90))
			}
			if s[i+1] == 0x88 && s[i+2] == 0x92 {
				return 3, '\u2212'
			}
		}
	}
	return 0, 0
}

// sepBefore is sepAt for the separator ending just before s[i].
func sepBefore(s string, i int) (int, rune) {
	if i >= 1 {
		if l, r := sepAt(s, i-1); l == 1 {
			return 1, r
		}
	}
	if i >= 2 {
		if l, r := sepAt(s, i-2); l == 2 {
			return 2, r
		}
	}
	if i >= 3 {
		if l, r := sepAt(s, i-3); l == 3 {
			return 3, r
		}
	}
	return 0, 0
}

func spaceLike(r rune) bool { return r == ' ' || r == '\u00a0' }

func dashLike(r rune) bool {
	return r == '-' || (r >= 0x2010 && r <= 0x2015) || r == 0x2212 || r == 0x13
}

// fourDigits reports whether s[q:q+4] are digits with no digit after.
func fourDigits(s string, q int) bool {
	if q+4 > len(s) {
		return false
	}
	for i := q; i < q+4; i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return q+4 == len(s) || !isDigit(s[q+4])
}

// parseSerialSep parses the separator after the six date digits (ending at p) and returns where
// the four serial digits start. double is set for two separators ("--", "  ", " -"), which count
// only with a CPR keyword near.
func parseSerialSep(s string, p int) (q int, sep rune, double, ok bool) {
	l1, r1 := sepAt(s, p)
	if l1 == 0 {
		return 0, 0, false, false
	}
	q = p + l1
	if fourDigits(s, q) {
		return q, r1, false, true
	}
	l2, r2 := sepAt(s, q)
	if l2 == 0 {
		return 0, 0, false, false
	}
	q2 := q + l2
	if spaceLike(r1) && dashLike(r2) {
		if l3, r3 := sepAt(s, q2); l3 > 0 && spaceLike(r3) && fourDigits(s, q2+l3) {
			return q2 + l3, -1, false, true // " - "
		}
	}
	if fourDigits(s, q2) && r1 != '\t' && r2 != '\t' {
		return q2, r1, true, true
	}
	return 0, 0, false, false
}

// parseSpacedDate parses "01 01 90-1234", "01.01.90 1234" or "01 01 901234" starting at j.
func parseSpacedDate(s string, j int) (end int, d [10]byte, ok bool) {
	n := len(s)
	p := j + 2
	l1, r1 := sepAt(s, p)
	if l1 == 0 || !(spaceLike(r1) || r1 == '.' || r1 == '-' || r1 == '/') {
		return
	}
	p += l1
	if p+3 > n || !isDigit(s[p]) || !isDigit(s[p+1]) || isDigit(s[p+2]) {
		return
	}
	mm := p
	p += 2
	l2, r2 := sepAt(s, p)
	if l2 == 0 || r2 != r1 {
		return
	}
	p += l2
	k := p
	for k < n && isDigit(s[k]) {
		k++
	}
	var yy, ser int
	switch k - p {
	case 6:
		yy, ser, end = p, p+2, p+6
	case 2:
		yy = p
		l3, r3 := sepAt(s, k)
		if l3 == 0 || r3 == '\t' || !fourDigits(s, k+l3) {
			return
		}
		ser, end = k+l3, k+l3+4
	default:
		return
	}
	d[0], d[1] = s[j], s[j+1]
	d[2], d[3] = s[mm], s[mm+1]
	d[4], d[5] = s[yy], s[yy+1]
	copy(d[6:], s[ser:ser+4])
	return end, d, true
}

// cprBoundaries applies the shape rules around a window: no number that continues with '-',
// '.', '/' (structured numbers, decimals, dates), and records a number continuing with a space
// and letters glued to it. (Phone and bank account numbers are recognizers of their own whose
// findings the CPR recognizer reads as evidence.)
func cprBoundaries(s string, c *cprCand) bool {
	j, e := c.start, c.end
	if j > 0 {
		if l, r := sepBefore(s, j); l > 0 {
			p := j - l
			if p > 0 && isDigit(s[p-1]) {
				switch {
				case r == '\t':
				case spaceLike(r):
					c.numBefore = true
				default:
					return false
				}
			}
		}
		if wordCharBefore(s, j) {
			c.glued = true
		}
	}
	if e < len(s) {
		if l, r := sepAt(s, e); l > 0 && e+l < len(s) && isDigit(s[e+l]) {
			switch {
			case r == '\t':
			case spaceLike(r):
				c.numAfter = true
			default:
				return false
			}
		}
		if s[e] == ':' && e+1 < len(s) && isDigit(s[e+1]) {
			return false
		}
		if letterAt(s, e) > 0 {
			c.glued = true
		}
	}
	return true
}

// birthYear applies the 7th-digit century rule of CPR.md §1.
func birthYear(yy, c int) int {
	switch {
	case (c == 4 || c == 9) && yy <= 36:
		return 2000 + yy
	case c >= 5 && c <= 8 && yy <= 57:
		return 2000 + yy
	case c >= 5 && c <= 8:
		return 1800 + yy
	}
	return 1900 + yy
}

func daysIn(year, month int) int {
	switch month {
	case 4, 6, 9, 11:
		return 30
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return 31
}

// cprDate decodes the birth date of 10 ASCII digits; ok is false if it does not exist.
func cprDate(d [10]byte) (year, month, day int, ok bool) {
	two := func(i int) int { return int(d[i]-'0')*10 + int(d[i+1]-'0') }
	day, month = two(0), two(2)
	year = birthYear(two(4), int(d[6]-'0'))
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return 0, 0, 0, false
	}
	return year, month, day, true
}

// validBirth is the hard check: a real date, not after today.
func validBirth(d [10]byte, ty, tm, td int) bool {
	y, m, dd, ok := cprDate(d)
	if !ok {
		return false
	}
	if y != ty {
		return y < ty
	}
	if m != tm {
		return m < tm
	}
	return dd <= td
}

var mod11Weights = [10]int{4, 3, 2, 7, 6, 5, 4, 3, 2, 1}

func mod11(d [10]byte) bool {
	s := 0
	for i, w := range mod11Weights {
		s += int(d[i]-'0') * w
	}
	return s%11 == 0
}

// weighed is the strongest piece of evidence so far: its value after distance decay and how far
// from the number it is.
// Its explanation is appended into buf (a scratch buffer reused across candidates) only when the
// evidence is the strongest so far, so weighing evidence allocates nothing.
type weighed struct {
	val   float64
	dist  int // effective distance: a word after the number counts as twice as far, plus 5
	after bool
	buf   []byte // the explanation; empty until some evidence was taken
}

func (h *weighed) take(val float64, dist int, why func(b []byte) []byte) {
	h.takeSide(val, dist, false, why)
}

func (h *weighed) takeSide(val float64, dist int, after bool, why func(b []byte) []byte) {
	if after {
		dist = 2*dist + 5
	}
	if val > h.val || (val == h.val && val > 0 && dist < h.dist) {
		h.val, h.dist, h.after, h.buf = val, dist, after, why(h.buf[:0])
	}
}

// columnWhy appends `column header "Word" (label)`.
func columnWhy(b []byte, word, label string) []byte {
	b = strconv.AppendQuote(append(b, "column header "...), word)
	return append(append(b, ' '), label...)
}

// constWhy appends a fixed explanation.
func constWhy(s string) func(b []byte) []byte {
	return func(b []byte) []byte { return append(b, s...) }
}

func linear(d, full, zero int, hi, lo float64) float64 {
	if d <= full {
		return hi
	}
	if d >= zero {
		return lo
	}
	return hi - (hi-lo)*float64(d-full)/float64(zero-full)
}

func (sc *cprScore) posDecay(dist int, after bool) float64 {
	if after {
		if dist > sc.posAfter {
			return 0
		}
		return linear(dist, sc.posAfterFull, sc.posAfter, sc.posAfterNear, sc.posAfterFar)
	}
	if dist > sc.posBefore {
		return 0
	}
	return linear(dist, sc.posBeforeFull, sc.posBefore, 1, sc.posBeforeFar)
}

func (sc *cprScore) negDecay(dist int, after bool) float64 {
	if after {
		return linear(dist, sc.negAfterFull, sc.negAfter, 1, 0)
	}
	return linear(dist, sc.negBeforeFull, sc.negBefore, 1, 0)
}

// appendWhere appends "12 chars before" / "12 chars after".
func appendWhere(b []byte, dist int, after bool) []byte {
	b = strconv.AppendInt(b, int64(dist), 10)
	if after {
		return append(b, " chars after"...)
	}
	return append(b, " chars before"...)
}

// appendLower appends strings.ToLower(tok) without allocating when tok is ASCII or Latin-1 (then
// lowerInto is the same mapping).
func appendLower(b []byte, tok string) []byte {
	for i := 0; i < len(tok); i++ {
		if c := tok[i]; c >= 0x80 {
			if c != 0xC3 || i+1 >= len(tok) || tok[i+1] < 0x80 || tok[i+1] > 0xBF {
				return append(b, strings.ToLower(tok)...)
			}
			i++
		}
	}
	n := len(b)
	b = append(b, tok...)
	lowerInto(b[n:], tok)
	return b
}

// appendISODate appends a date as YYYY-MM-DD.
func appendISODate(b []byte, y, m, d int) []byte {
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
}

// recentDate reports whether the first six digits, read as DDMMYY in this century, are a date
// within about a year of today.
func (cr *cprRecognizer) recentDate(d [10]byte) bool {
	day := int(d[0]-'0')*10 + int(d[1]-'0')
	month := int(d[2]-'0')*10 + int(d[3]-'0')
	year := 2000 + int(d[4]-'0')*10 + int(d[5]-'0')
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return false
	}
	diff := cr.now().Sub(time.Date(year, time.Month(month), day, 12, 0, 0, 0, time.UTC))
	return diff > -400*24*time.Hour && diff < 400*24*time.Hour
}

// serialIsTime reports whether the serial reads as a clock time HHMM.
func serialIsTime(d [10]byte) bool {
	hh := int(d[6]-'0')*10 + int(d[7]-'0')
	mm := int(d[8]-'0')*10 + int(d[9]-'0')
	return hh <= 23 && mm <= 59
}

// scoreCPR turns a date-valid candidate into a finding (or drops it).
func (cr *cprRecognizer) scoreCPR(s string, c *cprCand, density [2]int, sc *cprScratch) (Finding, bool) {
	pos, neg := weighed{buf: sc.pos[:0]}, weighed{buf: sc.neg[:0]}
	defer func() { sc.pos, sc.neg = pos.buf, neg.buf }()
	// The explanation holds constant strings and, marked by "", the dynamic parts that are built
	// into one string when the finding is made.
	var why [8]string
	nw := 0
	add := func(w string) { why[nw] = w; nw++ }
	y, m, d, _ := cprDate(c.d)
	add("") // date
	mod := mod11(c.d)
	base := cr.rules.score.baseMod11Fails
	if mod {
		base = cr.rules.score.baseMod11OK
		add("mod11 ok")
	} else {
		add("mod11 fails (issued since 2007)")
	}
	unusualSep := false
	switch {
	case c.sep == -1:
		add(`separator " - "`)
	case c.sep == '\t':
		add("separator tab")
	case c.sep >= 0x80 || c.sep == 0x13:
		add("") // separator U+XXXX
		unusualSep = true
	}
	if c.needKeyword {
		add("spaced date or double separator: needs a CPR keyword")
	}
	if c.padded {
		add("9 digits: leading zero restored")
	}

	// Table column header and density.
	skipFrom, skipTo := -1, -1
	if c.table.ok {
		skipFrom, skipTo = c.table.hdrStart, c.table.hdrEnd
		switch c.table.hdr.kind {
		case ctxPos:
			pos.take(c.table.hdr.weight, 0, func(b []byte) []byte { return columnWhy(b, c.table.hdrWord, "(+)") })
		case ctxNeg, ctxLog:
			neg.take(c.table.hdr.weight, 0, func(b []byte) []byte { return columnWhy(b, c.table.hdrWord, "(-)") })
		case ctxJournal:
			neg.take(c.table.hdr.weight, 0, func(b []byte) []byte { return columnWhy(b, c.table.hdrWord, "(journal, -)") })
		}
		if density[0] >= 4 && density[1]*2 < density[0] && c.table.hdr.kind != ctxPos {
			neg.take(0.8, 0, func(b []byte) []byte {
				return fmt.Appendf(b, "column: only %d of %d numbers are dates", density[1], density[0])
			})
		}
	}
	if c.padded && !(c.table.ok && c.table.hdr.kind == ctxPos) {
		return Finding{}, false
	}

	// Other recognizers' findings holding the number, then shape evidence.
	if ev := c.evidence; ev != nil {
		neg.take(ev.weight, 0, constWhy(ev.why))
	}
	if c.numBefore {
		neg.take(0.8, 0, constWhy("number continues before"))
	}
	if c.numAfter {
		neg.take(0.8, 0, constWhy("number continues after"))
	}
	if c.glued {
		neg.take(0.5, 0, constWhy("glued to letters"))
	}
	if p := c.start; p > 0 {
		q := p - 1
		for q > 0 && (s[q] == ' ' || s[q] == '"' || s[q] == '\'') {
			q--
		}
		if s[q] == '=' {
			neg.take(0.3, 0, constWhy("key=value"))
		}
	}

	// Context words.
	timeShape := (c.sep == ' ' || c.sep == '.' || c.sep == '\u00a0') && serialIsTime(c.d)
	if timeShape && cr.recentDate(c.d) {
		// "010124 1030": a date of this or last year and a clock time, far likelier than the
		// CPR number of a centenarian written with a space.
		neg.take(0.5, 0, constWhy("recent date followed by a clock time"))
	}
	cr.cprContext(s, c, skipFrom, skipTo, timeShape, &pos, &neg)
	if c.sep == 0 && neg.val < 1 && !(c.table.ok && c.table.hdr.kind == ctxPos) {
		// A bare number labelled as a number of another kind ("Bookingnr. 1503921187",
		// "ISBN 1402894627", "Kontonummer: ..."): by the shape of the label, not by a list.
		if lbl, ok := cr.otherLabelBefore(s, c.start); ok {
			neg.take(1, 0, func(b []byte) []byte {
				return append(appendLower(append(b, "labelled as another kind of number "...), lbl), " (-)"...)
			})
		}
	}
	if isoDateOnLine(s, c.start, c.end) {
		neg.take(0.8, 0, constWhy("ISO date on the line (log/timestamp)"))
	}

	p, ng := pos.val, neg.val
	if c.needKeyword && p < 0.6 {
		return Finding{}, false
	}
	// The nearest label wins: "Tlf. 89 40 20 00\nCPR: 0101901234" is a CPR, "CPR-nr. og
	// fakturanr. 0101901234" is not.
	if p > 0 && ng > 0 {
		switch {
		case neg.dist < pos.dist:
			p *= 0.5
		case !pos.after && !neg.after && neg.dist > 0 && pos.val >= 0.8:
			ng = 0 // the positive label stands between the negative one and the number
		default:
			ng *= 0.5
		}
	}
	if len(pos.buf) > 0 {
		add("")
	}
	if len(neg.buf) > 0 {
		add("")
	}
	w := cr.rules.score.contextWeight
	score := base + w*p - w*ng
	score = math.Round(math.Min(score, 0.99)*100) / 100
	if score < cr.rules.score.minConfidence {
		return Finding{}, false
	}
	// One string holds the value, the masked form and the dynamic explanations: a finding costs
	// this string and its share of a block of Why slices.
	b := append(sc.text[:0], c.d[:]...)
	b = append(append(b, c.d[:6]...), "-xxxx"...)
	b = appendISODate(append(b, "date "...), y, m, d)
	var ends [4]int // ends of the dynamic parts after the masked form, in order
	ne := 0
	ends[ne] = len(b)
	ne++
	if unusualSep {
		b = fmt.Appendf(b, "separator U+%04X", c.sep)
		ends[ne] = len(b)
		ne++
	}
	if len(pos.buf) > 0 {
		b = append(b, pos.buf...)
		ends[ne] = len(b)
		ne++
	}
	if len(neg.buf) > 0 {
		b = append(b, neg.buf...)
		ends[ne] = len(b)
		ne++
	}
	sc.text = b
	str := string(b)
	from, k := 21, 0
	for i := range nw {
		if why[i] == "" {
			why[i] = str[from:ends[k]]
			from = ends[k]
			k++
		}
	}
	return Finding{
		Kind:       KindCPR,
		Start:      c.start,
		End:        c.end,
		Value:      str[:10],
		Masked:     str[10:21],
		Confidence: score,
		Why:        sc.whySlice(why[:nw]),
	}, true
}

// cprScratch holds the buffers of one scoreCands call, reused across its candidates.
type cprScratch struct {
	pos, neg, text []byte
	block          []string // Why slices are cut from this block (cap limited: appending copies)
}

func (sc *cprScratch) whySlice(w []string) []string {
	if cap(sc.block)-len(sc.block) < len(w) {
		sc.block = make([]string, 0, 64*len(w))
	}
	n := len(sc.block)
	sc.block = append(sc.block, w...)
	return sc.block[n:len(sc.block):len(sc.block)]
}

// tokenByte reports whether b may be part of a context token (ASCII letters, '-', '.', '_', and
// the bytes of non-ASCII runes; digits end a token).
func tokenByte(b byte) bool {
	return isASCIILetter(b) || b == '-' || b == '.' || b == '_' || b >= 0x80
}

// tokenizer walks the context tokens of s[from:to]: runs of letters with inner '-', '.', '_'
// (trimmed at both ends), as byte offsets into s. Non-letter runes end a token; a token's last
// letter may run past to. An iterator rather than a callback: the CPR context reads a few hundred
// bytes around every candidate, and a call through a closure per token was a good part of it.
type tokenizer struct {
	s     string
	i, to int
}

func newTokenizer(s string, from, to int) tokenizer {
	from, to = max(from, 0), min(to, len(s))
	i := from
	// Do not start in the middle of a token.
	for i > 0 && i < to && tokenByte(s[i-1]) && tokenByte(s[i]) {
		i++
	}
	return tokenizer{s: s, i: i, to: to}
}

// next returns the next token s[ts:te]; ok is false when there is none.
func (t *tokenizer) next() (ts, te int, ok bool) {
	s, i := t.s, t.i
	w := s[:max(t.to, i)] // the ASCII bytes are read from w: no bounds check per byte
	for i < len(w) {
		b := w[i]
		if b < 0x80 {
			if !asciiTokenByte(b) {
				i++
				continue
			}
		} else if letterAt(s, i) == 0 {
			i++
			continue
		}
		ts = i
		for i < len(w) {
			if i = skipLetters(w, i); i == len(w) {
				break
			}
			b := w[i]
			if b < 0x80 {
				if !asciiTokenByte(b) {
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
		te = i
		for ts < te && trimByte(s[ts]) {
			ts++
		}
		for te > ts && trimByte(s[te-1]) {
			te--
		}
		if te > ts {
			t.i = i
			return ts, te, true
		}
	}
	t.i = i
	return 0, 0, false
}

// asciiTokenByte is tokenByte for a byte below 0x80.
func asciiTokenByte(b byte) bool { return isASCIILetter(b) || trimByte(b) }

// trimByte reports the inner token bytes trimmed at a token's ends.
func trimByte(b byte) bool { return b == '-' || b == '.' || b == '_' }

// camelCase reports a lower-case ASCII letter followed by an upper-case one (createdAt, uSNChanged).
func camelCase(t string) bool {
	for i := 1; i < len(t); i++ {
		if isASCIIUpper(t[i]) && isASCIILower(t[i-1]) {
			return true
		}
	}
	return false
}

// cprContext scans the words around a candidate once and records the strongest positive and
// negative evidence, each weighted by distance.
func (cr *cprRecognizer) cprContext(s string, c *cprCand, skipFrom, skipTo int, timeShape bool, pos, neg *weighed) {
	sco := &cr.rules.score
	curLS := lineStart(s, c.start, sco.posBefore)
	prevLS := curLS
	if curLS > 0 {
		prevLS = lineStart(s, curLS-1, sco.posBefore)
	}
	curLE := lineEnd(s, c.end, sco.posAfter)
	var buf [maxTokenLen]byte
	for tk := newTokenizer(s, c.start-sco.posBefore, c.end+sco.posAfter); ; {
		ts, te, ok := tk.next()
		if !ok {
			return
		}
		if ts >= skipFrom && te <= skipTo {
			continue
		}
		after := ts >= c.end
		var dist int
		if after {
			dist = ts - c.end
		} else {
			dist = c.start - te
			if dist < 0 {
				continue
			}
		}
		sameLine := ts >= curLS && te <= curLE
		nearLines := ts >= prevLS && te <= curLE
		tok := s[ts:te]
		if sameLine && dist <= 40 && camelCase(tok) {
			neg.takeSide(0.8, dist, after, func(b []byte) []byte {
				return append(appendWhere(append(strconv.AppendQuote(append(b, "mixed-case neighbour "...), tok), " (-, "...), dist, after), ')')
			})
		}
		if !cr.rules.maybe(tok) {
			continue
		}
		n := lowerInto(buf[:], tok)
		if n <= 0 {
			continue
		}
		w, ok := cr.rules.lookup(buf[:n])
		if !ok {
			continue
		}
		switch w.kind {
		case ctxPos:
			if v := w.weight * sco.posDecay(dist, after); v > 0 {
				pos.takeSide(v, dist, after, func(b []byte) []byte {
					return append(appendWhere(append(appendLower(append(b, "context "...), tok), " (+, "...), dist, after), ')')
				})
			}
		case ctxNeg, ctxJournal:
			if !nearLines || (after && !sameLine) {
				continue
			}
			if v := w.weight * sco.negDecay(dist, after); v > 0 {
				label := "-"
				if w.kind == ctxJournal {
					label = "journal, barely -"
				}
				neg.takeSide(v, dist, after, func(b []byte) []byte {
					b = append(appendLower(append(b, "context "...), tok), " ("...)
					return append(appendWhere(append(append(b, label...), ", "...), dist, after), ')')
				})
			}
		case ctxTime:
			if !timeShape || !nearLines || (after && !sameLine) {
				continue
			}
			if v := sco.negDecay(dist, after); v > 0 {
				neg.takeSide(v, dist, after, func(b []byte) []byte {
					return append(appendWhere(append(appendLower(append(b, "date and time: "...), tok), " (-, "...), dist, after), ')')
				})
			}
		case ctxLog:
			if !sameLine || dist > 60 {
				continue
			}
			neg.takeSide(w.weight, dist, after, func(b []byte) []byte {
				return append(appendWhere(append(appendLower(append(b, "log/timestamp context "...), tok), " (-, "...), dist, after), ')')
			})
		}
	}
}

// isoDateOnLine reports an ISO date (2023-12-07) within 60 bytes of the window on the same line.
func isoDateOnLine(s string, start, end int) bool {
	from := lineStart(s, start, 60)
	to := lineEnd(s, end, 60)
	// Every date has its first '-' four bytes in: only the hyphens are tried (IndexByte skips the
	// rest of the line), each as s[i+4] of a date at i.
	for p := from + 4; p+6 <= to; p++ {
		k := strings.IndexByte(s[p:to-5], '-')
		if k < 0 {
			return false
		}
		p += k
		i := p - 4
		if isDigit(s[i]) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) && s[i+4] == '-' &&
			isDigit(s[i+5]) && isDigit(s[i+6]) && s[i+7] == '-' && isDigit(s[i+8]) && isDigit(s[i+9]) &&
			(i == 0 || !isDigit(s[i-1])) {
			return true
		}
	}
	return false
}

// onlyBlanks reports whether s[from:to] holds only spaces, tabs and NBSPs (at most 4 bytes).
func onlyBlanks(s string, from, to int) bool {
	if to <= from || to-from > 4 {
		return false
	}
	for i := from; i < to; i++ {
		if c := s[i]; c != ' ' && c != '\t' && c != 0xC2 && c != 0xA0 {
			return false
		}
	}
	return true
}

// otherLabelBefore returns the label right before a number (same line, only ":", "#", ".",
// "-" and blanks between) when it names a number of another kind: a word ending in a number
// suffix ("bookingnr", "kontonummer", "order-no", "kunde-id") or a label stem of the [label]
// section (ISBN, EAN, ...), and the word is no CPR context word of any kind (positive,
// journal: authorities do use the CPR number as journal number).
func (cr *cprRecognizer) otherLabelBefore(s string, start int) (string, bool) {
	// A number at the start of its line in a column of numbers: the label is the column's
	// header, the first word of the first line above that does not start with a digit
	// ("Varenr.  Tekst  Beløb" over "1111928284  Kursusmateriale  450,00").
	ls := start
	for ls > 0 && (s[ls-1] == ' ' || s[ls-1] == '\t') {
		ls--
	}
	if ls == 0 || s[ls-1] == '\n' {
		for up, q := 0, ls; up < 8 && q > 0; up++ {
			ps := q - 1
			for ps > 0 && s[ps-1] != '\n' {
				ps--
			}
			l := strings.TrimLeft(s[ps:q-1], " \t")
			if l != "" && !isDigit(l[0]) {
				end := strings.IndexAny(l, " \t")
				if end < 0 {
					end = len(l)
				}
				tok := strings.Trim(l[:end], ".:#-_")
				if cr.isOtherLabel(tok) {
					return tok, true
				}
				return "", false
			}
			q = ps
		}
		return "", false
	}
	i := start
	for i > 0 && start-i <= 6 {
		c := s[i-1]
		if c == ' ' || c == ':' || c == '#' || c == '.' || c == '-' || c == '\t' || c == 0xA0 || c == 0xC2 {
			i--
			continue
		}
		break
	}
	te := i
	for i > 0 && tokenByte(s[i-1]) && s[i-1] != '\n' {
		i--
	}
	ts := i
	for ts < te && (s[ts] == '-' || s[ts] == '.' || s[ts] == '_') {
		ts++
	}
	for te > ts && (s[te-1] == '-' || s[te-1] == '.' || s[te-1] == '_') {
		te--
	}
	if cr.isOtherLabel(s[ts:te]) {
		return s[ts:te], true
	}
	return "", false
}

// isOtherLabel judges one label word (see otherLabelBefore).
func (cr *cprRecognizer) isOtherLabel(tok string) bool {
	if len(tok) < 2 || len(tok) > maxTokenLen {
		return false
	}
	var buf [maxTokenLen]byte
	n := lowerInto(buf[:], tok)
	if n <= 0 {
		return false
	}
	low := string(buf[:n])
	if w, ok := cr.rules.lookup(buf[:n]); ok && (w.kind == ctxPos || w.kind == ctxJournal) {
		return false
	}
	if strings.HasPrefix(low, "cpr") || strings.HasPrefix(low, "person") {
		return false
	}
	for _, stem := range cr.rules.labels {
		if low == stem {
			return true
		}
	}
	for _, suf := range cr.rules.labelSuffixes {
		if len(low) > len(suf) && strings.HasSuffix(low, suf) {
			return true
		}
	}
	return false
}

// BirthDate is the birth date a CPR number (10 digits) states, by the 7th-digit century rule;
// ok is false for a number that is no valid date.
func BirthDate(cpr string) (born time.Time, ok bool) {
	d, ok := cprDigits(cpr)
	if !ok {
		return time.Time{}, false
	}
	y, m, day, ok := cprDate(d)
	if !ok {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC), true
}

// Mod11 reports whether a CPR number (10 digits) passes the modulus-11 check. Numbers issued
// since 2007 need not pass it, so a failure is a weak sign, never a reason to refuse a number.
func Mod11(cpr string) bool {
	d, ok := cprDigits(cpr)
	return ok && mod11(d)
}

// cprDigits is the 10 ASCII digits of cpr; ok is false unless cpr is exactly 10 digits.
func cprDigits(cpr string) (d [10]byte, ok bool) {
	if len(cpr) != 10 {
		return d, false
	}
	for i := 0; i < 10; i++ {
		if !isDigit(cpr[i]) {
			return d, false
		}
		d[i] = cpr[i]
	}
	return d, true
}
