package detect

import (
	"fmt"
	"math"
	"strings"
)

// Address recognizer (docs/CPR.md §6). Prefilter: a 1–4 digit house number after a word. The
// street is the longest name from da_street_names.txt (53,335 names) ending just before it, or a
// capitalised word with a street ending (-vej, -gade, Allé, Boulevard, ...). Then an optional
// floor/side (st., st. tv., 2. th, 3. sal, mf, ", 2."), and an optional postcode (1000–9990) with
// its city, after ", ", a space or one line break. Street words, endings, confidences and the
// postcode range are data/address.txt:
//
//	street + number + postcode  0.9   (street by shape only: 0.8)
//	street + number             0.6   (street by shape only: 0.45)

type streetIndex struct {
	names    wordTable // wfStreet: lower-case street names; wfStreetLast: their last words (a prefilter)
	suffixes []string  // street endings: vej, gade, ...
	why      [8][]string
	words    map[string]struct{}
	// confidences in hundredths: street from the list or by shape, without and with postcode
	list, shape, listPostcode, shapePostcode uint8
	postcodeMin, postcodeMax                 int
}

const addressFile = "address.txt"

// loadStreets takes the generated word table (the street names) and reads the street words,
// endings and settings of address.txt.
func loadStreets(names wordTable) (*streetIndex, error) {
	idx := &streetIndex{names: names, words: map[string]struct{}{}, why: addrWhy()}
	lines, err := loadSections(addressFile)
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		switch l.section {
		case "street_suffix":
			for _, w := range strings.Fields(l.line) {
				idx.suffixes = append(idx.suffixes, lowerString(w))
			}
		case "street":
			for _, w := range strings.Fields(l.line) {
				idx.words[lowerString(w)] = struct{}{}
			}
		case "settings":
		default:
			return nil, fmt.Errorf("detect: %s: unknown section %q", addressFile, l.section)
		}
	}
	set, err := parseSettings(addressFile, lines, "settings")
	if err != nil {
		return nil, err
	}
	v, err := set.need(addressFile, "list", "shape", "list_postcode", "shape_postcode", "postcode_min", "postcode_max")
	if err != nil {
		return nil, err
	}
	pct := func(f float64) uint8 { return uint8(math.Round(f * 100)) }
	idx.list, idx.shape, idx.listPostcode, idx.shapePostcode = pct(v[0]), pct(v[1]), pct(v[2]), pct(v[3])
	idx.postcodeMin, idx.postcodeMax = int(v[4]), int(v[5])
	return idx, nil
}

const maxStreetTokens = 6

func (idx *streetIndex) Name() string    { return string(KindAddress) }
func (idx *streetIndex) Reads() []string { return nil }

// Find looks at each digit run of 1–4 digits as a house number.
func (idx *streetIndex) Find(in *input, _ *evidence, out []hit) []hit {
	s, next := in.s, 0
	for _, r := range in.digitRuns() {
		if r.j < next || r.k-r.j > 4 || s[r.j] == '0' {
			continue
		}
		if h, ok := idx.match(s, r.j, r.k); ok {
			next = int(h.end)
			out = append(out, hit{start: h.start, end: h.end, x: h.streetEnd, y: h.postcode, conf: h.conf, z: uint16(h.why)})
		}
	}
	return out
}

// Finding makes the finding of an address.
func (idx *streetIndex) Finding(in *input, h hit) Finding {
	return idx.finding(in.s, addrHit{start: h.start, streetEnd: h.x, end: h.end, postcode: h.y, conf: h.conf, why: uint8(h.z)})
}

// Addresses finds postal addresses. Value is the address as written, white space collapsed
// (a two-line address becomes one line); Masked is "Street xx, 8000".
func (e *Engine) Addresses(text string) []Finding { return e.findWith(string(KindAddress), text) }

// addrHit is an address found by the scanner, before it becomes a Finding.
type addrHit struct {
	start, streetEnd, end, postcode int32 // postcode: start of the postcode or -1
	conf                            uint8 // hundredths
	why                             uint8 // addrInList | addrFloor | addrPostcode
}

const (
	addrInList = 1 << iota
	addrFloor
	addrPostcode
)

// addrWhy precomputes the explanations of every combination of addrHit.why.
func addrWhy() [8][]string {
	var t [8][]string
	for k := range t {
		w := []string{"street by its ending, not in the street list"}
		if k&addrInList != 0 {
			w[0] = "street (street list)"
		}
		w = append(w, "house number")
		if k&addrFloor != 0 {
			w = append(w, "floor/side")
		}
		if k&addrPostcode != 0 {
			w = append(w, "postcode and city")
		}
		t[k] = w[:len(w):len(w)]
	}
	return t
}

func (idx *streetIndex) finding(s string, h addrHit) Finding {
	street := s[h.start:h.streetEnd]
	masked := street + " xx"
	if h.postcode >= 0 {
		masked = street + " xx, " + s[h.postcode:h.postcode+4]
	}
	return Finding{
		Kind:       KindAddress,
		Start:      int(h.start),
		End:        int(h.end),
		Value:      collapseSpace(s[h.start:h.end]),
		Masked:     masked,
		Confidence: float64(h.conf) / 100,
		Why:        idx.why[h.why],
	}
}

func (idx *streetIndex) match(s string, j, k int) (addrHit, bool) {
	n := len(s)
	// The number follows a word and one space.
	if j < 2 || s[j-1] != ' ' || !(letterBefore(s, j-1) || s[j-2] == '.') {
		return addrHit{}, false
	}
	// House number [1-9][0-9]{0,3}[A-Za-z]?
	hn := k
	if hn < n && isASCIILetter(s[hn]) && (hn+1 >= n || letterAt(s, hn+1) == 0) {
		hn++
	}
	if hn < n {
		switch c := s[hn]; {
		case isDigit(c) || letterAt(s, hn) > 0:
			return addrHit{}, false
		case (c == ':' || c == '.' || c == '/') && hn+1 < n && isDigit(s[hn+1]):
			return addrHit{}, false
		case c == ',' && hn+1 < n && isDigit(s[hn+1]) && !(hn+2 < n && s[hn+2] == '.'):
			return addrHit{}, false
		case c == '%':
			return addrHit{}, false
		}
	}
	// The word before the number ends a street name: capitalised ("Damagervej", "Søren Frichs
	// Vej") or starting with a digit ("2.Tværvej"). Cheap test before the walk back.
	ls := j - 2
	for ls > 0 && s[ls-1] != ' ' && s[ls-1] != '\n' && s[ls-1] != '\t' && s[ls-1] != '\r' {
		ls--
	}
	if upperAt(s, ls) == 0 && !isDigit(s[ls]) {
		return addrHit{}, false
	}
	// Tokens before the number on the same line.
	var starts [maxStreetTokens]int
	cnt := 0
	p := j - 1 // the space before the number
	for cnt < maxStreetTokens {
		te := p
		ts := te
		sep, field := false, false
		for ts > 0 {
			c := s[ts-1]
			if c == ' ' || c == '\n' || c == '\t' || c == '\r' {
				break
			}
			if fieldSeparator(c) {
				field = true // "Navn;0101901234;Gåsevej 12": the street starts after the separator
				break
			}
			if c == '|' || (c == 0xB7 && ts >= 2 && s[ts-2] == 0xC2) {
				sep = true
			}
			ts--
		}
		if ts == te || sep || stopsStreet(s[te-1]) {
			break
		}
		starts[cnt] = ts
		cnt++
		if field || ts < 2 || s[ts-1] != ' ' || s[ts-2] == ' ' {
			break
		}
		p = ts - 1
	}
	if cnt == 0 {
		return addrHit{}, false
	}
	streetEnd := j - 1
	streetStart, inList := -1, false
	var buf [128]byte
	tries := cnt
	if m := lowerInto(buf[:], s[starts[0]:streetEnd]); m > 0 {
		if idx.names.get(buf[:m])&wfStreetLast == 0 {
			tries = 0 // no street name ends with this word: only the shape rule can apply
		}
	}
	for t := tries - 1; t >= 0; t-- {
		ts := starts[t]
		if streetEnd-ts > len(buf) || !(upperAt(s, ts) > 0 || isDigit(s[ts])) {
			continue
		}
		m := lowerInto(buf[:], s[ts:streetEnd])
		if idx.names.get(buf[:m])&wfStreet != 0 {
			streetStart, inList = ts, true
			break
		}
	}
	if streetStart < 0 {
		if upperAt(s, starts[0]) == 0 {
			return addrHit{}, false
		}
		streetStart = idx.streetShape(s, starts[:cnt], streetEnd)
		if streetStart < 0 {
			return addrHit{}, false
		}
	}
	h := addrHit{start: int32(streetStart), streetEnd: int32(streetEnd), postcode: -1, conf: idx.list}
	if inList {
		h.why |= addrInList
	} else {
		h.conf = idx.shape
	}
	end := hn
	if fe, ok := parseFloor(s, hn); ok {
		h.why |= addrFloor
		end = fe
	}
	if pcs, ce, ok := idx.parsePostcode(s, end); ok {
		h.why |= addrPostcode
		h.postcode = int32(pcs)
		end = ce
		h.conf = idx.listPostcode
		if !inList {
			h.conf = idx.shapePostcode
		}
	}
	h.end = int32(end)
	return h, true
}

// letterBefore reports whether the rune ending at s[i-1] is a letter.
func letterBefore(s string, i int) bool {
	return wordCharBefore(s, i) && !isDigit(s[i-1])
}

// stopsStreet reports a token (by its last byte) that cannot be part of a street name before a
// house number: one ending with punctuation, a label "Adresse:" or a list "Aarhus,".
func stopsStreet(last byte) bool {
	switch last {
	case ',', ':', ';', '(', ')', '"', '|', '>', '=':
		return true
	}
	return false
}

// streetShape finds a street by its form: the last token ends with a street ending ("Møllevej")
// or is a street word ("Boulevard") after capitalised words. Returns the start or -1.
func (idx *streetIndex) streetShape(s string, starts []int, end int) int {
	last := s[starts[0]:end]
	var buf [64]byte
	m := lowerInto(buf[:], last)
	if m <= 0 {
		return -1
	}
	lw := string(buf[:m])
	isWord := false
	if _, ok := idx.words[lw]; ok {
		isWord = true
	}
	hasSuffix := false
	for _, suf := range idx.suffixes {
		if len(lw) >= len(suf)+3 && strings.HasSuffix(lw, suf) {
			hasSuffix = true
			break
		}
	}
	if !isWord && !hasSuffix {
		return -1
	}
	start := -1
	if hasSuffix && upperAt(s, starts[0]) > 0 {
		start = starts[0]
	}
	for t := 1; t < len(starts) && t < 4; t++ {
		ts := starts[t]
		if upperAt(s, ts) == 0 && !(isDigit(s[ts]) && strings.HasSuffix(s[ts:starts[t-1]-1], ".")) {
			break
		}
		start = ts
	}
	return start
}

// hasPrefixFold reports whether s starts with the ASCII lower-case prefix p, any case.
func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if s[i]|0x20 != p[i] {
			return false
		}
	}
	return true
}

// sideAt parses tv / th / mf / t.v. / t.h. at i (any case) and returns its end.
func sideAt(s string, i int) int {
	for _, side := range [...]string{"t.v.", "t.h.", "tv", "th", "mf"} {
		if hasPrefixFold(s[i:], side) {
			e := i + len(side)
			if e < len(s) && letterAt(s, e) > 0 {
				continue
			}
			if e < len(s) && s[e] == '.' && side[len(side)-1] != '.' {
				e++
			}
			return e
		}
	}
	return -1
}

// parseFloor parses ", 2. tv.", " st.", " st. th", " 3. sal", " mf" after a house number.
func parseFloor(s string, p int) (int, bool) {
	n := len(s)
	q := p
	if q < n && s[q] == ',' {
		q++
	}
	q0 := q
	for q < n && q-q0 < 2 && s[q] == ' ' {
		q++
	}
	if q == p || q >= n {
		return p, false
	}
	r := -1
	switch {
	case hasPrefixFold(s[q:], "st") && (q+2 >= n || letterAt(s, q+2) == 0):
		r = q + 2
		if r < n && s[r] == '.' {
			r++
		}
	case isDigit(s[q]):
		d := q
		for d < n && d-q < 2 && isDigit(s[d]) {
			d++
		}
		if d >= n || s[d] != '.' || (d+1 < n && isDigit(s[d+1])) {
			return p, false
		}
		r = d + 1
		if hasPrefixFold(s[r:], " sal") && (r+4 >= n || letterAt(s, r+4) == 0) {
			r += 4
		}
	default:
		if e := sideAt(s, q); e > 0 {
			return e, true
		}
		return p, false
	}
	// optional side after the floor
	t := r
	if t < n && s[t] == ',' {
		t++
	}
	t0 := t
	for t < n && t-t0 < 2 && s[t] == ' ' {
		t++
	}
	if t < n {
		if e := sideAt(s, t); e > 0 {
			return e, true
		}
	}
	return r, true
}

// parsePostcode parses ", 8000 Aarhus C" or a line break then "4180 Sorø" at p. Returns the start
// of the postcode and the end of the city.
func (idx *streetIndex) parsePostcode(s string, p int) (int, int, bool) {
	n := len(s)
	q := p
	if q < n && s[q] == '.' {
		q++
	}
	if q < n && s[q] == ',' {
		q++
	}
	for q < n && (s[q] == ' ' || s[q] == '\t') {
		q++
	}
	if q < n && s[q] == '\r' {
		q++
	}
	if q < n && s[q] == '\n' {
		q++
		for q < n && (s[q] == ' ' || s[q] == '\t') {
			q++
		}
	}
	if q+5 > n || s[q] < '1' || s[q] > '9' || !isDigit(s[q+1]) || !isDigit(s[q+2]) || !isDigit(s[q+3]) {
		return 0, 0, false
	}
	if isDigit(s[q+4]) {
		return 0, 0, false
	}
	pc := int(s[q]-'0')*1000 + int(s[q+1]-'0')*100 + int(s[q+2]-'0')*10 + int(s[q+3]-'0')
	if pc < idx.postcodeMin || pc > idx.postcodeMax {
		return 0, 0, false
	}
	c := q + 4
	if c >= n || s[c] != ' ' {
		return 0, 0, false
	}
	c++
	end := -1
	for tokens := 0; tokens < 4 && c < n && upperAt(s, c) > 0; tokens++ {
		e := c
		for e < n && (letterAt(s, e) > 0 || s[e] == '.' || s[e] == '-') {
			if l := letterAt(s, e); l > 0 {
				e += l
			} else {
				e++
			}
		}
		end = e
		if e+1 >= n || s[e] != ' ' || upperAt(s, e+1) == 0 {
			break
		}
		c = e + 1
	}
	if end < 0 {
		return 0, 0, false
	}
	return q, end, true
}

// fieldSeparator ends a street name when walking back from its house number: the separators of
// CSV rows and other structured text, which never occur inside a street name.
func fieldSeparator(c byte) bool {
	switch c {
	case ';', ',', '"', '(', '[', '=', '<', '>', ':':
		return true
	}
	return false
}
