package detect

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Sensitive-category recognizer. Terms come from data/sensitive.txt (curated, per category,
// with compound and inflection marks) and data/da_health_terms.txt (Lægehåndbogen's index, as
// health terms matching whole words plus an inflection ending, minus the [guard] list). One
// Aho-Corasick pass finds every occurrence of every term in the text; boundary checks then keep
// whole words, allowed inflections and — for the marked core stems — compounds:
//
//	tier a, core stems (*psykiatri*): "ungdomspsykiatrien", "psykiatrisk", "indlæggelsen"
//	tier b, the health list (epilepsi): "epilepsi", "epilepsien", not "epilepsipatient"

// Categories of sensitive terms.
const (
	CatHealth    = "health"
	CatSocial    = "social"
	CatCriminal  = "criminal"
	CatEthnicity = "ethnicity"
	CatPolitical = "political"
	CatReligion  = "religion"
	CatUnion     = "union"
	CatSexual    = "sexual"
	CatGenetic   = "genetic"
	CatBiometric = "biometric"
)

var sensitiveCategories = []string{CatHealth, CatSocial, CatCriminal, CatEthnicity, CatPolitical,
	CatReligion, CatUnion, CatSexual, CatGenetic, CatBiometric}

type sensTerm struct {
	term      string // canonical lower case
	category  string
	weight    float64
	prefixOK  bool // letters may precede: head of a compound
	suffixOK  bool // letters may follow: modifier of a compound
	exact     bool // no inflection ending
	caps      bool // must be written in capitals
	lowerOnly bool // must not be capitalised (a first name then)
	source    string
	why       []string // precomputed explanation (never the term itself: it is sensitive)
}

const sensitiveFile = "sensitive.txt"

type sensitiveMatcher struct {
	terms    []sensTerm
	ac       *acMatcher
	endings  map[string]struct{}
	exclude  map[string]struct{}
	excludeT []string  // exclusions by ending (*kræfter)
	bufs     sync.Pool // *sensBufs: the hits of one Find
}

// sensBufs are the per-call buffers of the automaton's lanes and of the merged hits.
type sensBufs struct {
	lanes [acLanes][]sensHit
	sens  []sensHit
}

func loadSensitive() (*sensitiveMatcher, error) {
	sm := &sensitiveMatcher{endings: map[string]struct{}{}, exclude: map[string]struct{}{}}
	lines, err := loadSections(sensitiveFile)
	if err != nil {
		return sm, err
	}
	set, err := parseSettings(sensitiveFile, lines, "settings")
	if err != nil {
		return sm, err
	}
	v, err := set.need(sensitiveFile, "section_weight", "list_weight")
	if err != nil {
		return sm, err
	}
	sectionWeight, listWeight := v[0], v[1]
	cats := map[string]bool{}
	for _, c := range sensitiveCategories {
		cats[c] = true
	}
	byTerm := map[string]int{}
	add := func(t sensTerm) {
		key := t.term
		if t.caps {
			key = "CAPS:" + key
		}
		if i, ok := byTerm[key]; ok {
			if sm.terms[i].source == "core" {
				return // a curated entry wins over the long list
			}
			sm.terms[i] = t
			return
		}
		byTerm[key] = len(sm.terms)
		sm.terms = append(sm.terms, t)
	}
	guard := map[string]struct{}{}
	capsOnly := map[string]struct{}{}
	for _, l := range lines {
		switch {
		case l.section == "exclude":
			w := lowerString(l.line)
			if strings.HasPrefix(w, "*") {
				sm.excludeT = append(sm.excludeT, w[1:])
			} else {
				sm.exclude[w] = struct{}{}
			}
		case l.section == "guard":
			guard[lowerString(l.line)] = struct{}{}
		case l.section == "caps":
			capsOnly[lowerString(l.line)] = struct{}{}
		case l.section == "endings":
			for _, e := range strings.Fields(l.line) {
				sm.endings[lowerString(e)] = struct{}{}
			}
		case l.section == "settings":
		case cats[l.section]:
			weight := sectionWeight
			if l.arg != "" {
				if weight, err = strconv.ParseFloat(l.arg, 64); err != nil {
					return sm, fmt.Errorf("detect: sensitive.txt: section weight %q", l.arg)
				}
			}
			t, err := parseSensTerm(l.line, l.section, weight)
			if err != nil {
				return sm, fmt.Errorf("detect: sensitive.txt: line %d: %w", l.lineNo, err)
			}
			t.source = "core"
			add(t)
		default:
			return sm, fmt.Errorf("detect: sensitive.txt: unknown section %q", l.section)
		}
	}
	data, err := readData("da_health_terms.txt")
	if err != nil {
		return sm, err
	}
	forEachLine(data, func(line string) {
		w := lowerString(line)
		if _, ok := guard[w]; ok {
			return
		}
		_, caps := capsOnly[w]
		add(sensTerm{term: w, category: CatHealth, weight: listWeight, caps: caps, source: "list"})
	})
	pats := make([]string, len(sm.terms))
	// Terms with the same marks share one explanation (a few dozen for thousands of terms).
	type whyKey struct {
		category, source                string
		weight                          float64
		prefixOK, suffixOK, exact, caps bool
	}
	whys := map[whyKey][]string{}
	for i := range sm.terms {
		t := &sm.terms[i]
		pats[i] = t.term
		k := whyKey{t.category, t.source, t.weight, t.prefixOK, t.suffixOK, t.exact, t.caps}
		if t.why = whys[k]; t.why == nil {
			t.why = termWhy(t)
			whys[k] = t.why
		}
	}
	// The automaton is generated with the lists (data/sensitive.ac, see actable.go); a table that
	// does not fit these patterns (a list edited without go generate, which a test reports) is
	// rebuilt here, which costs start-up time only.
	if sm.ac, err = loadACTable(sensitiveAC, pats); err != nil {
		sm.ac, err = newACMatcher(pats)
	}
	return sm, err
}

// sensitivePatterns are the automaton's patterns in the order of their ids (for the generator).
func (sm *sensitiveMatcher) patterns() []string {
	pats := make([]string, len(sm.terms))
	for i := range sm.terms {
		pats[i] = sm.terms[i].term
	}
	return pats
}

// parseSensTerm reads one term line with its marks (see the header of sensitive.txt).
func parseSensTerm(line, category string, weight float64) (sensTerm, error) {
	t := sensTerm{category: category, weight: weight}
	if i := strings.Index(line, " @"); i >= 0 {
		w, err := strconv.ParseFloat(strings.TrimSpace(line[i+2:]), 64)
		if err != nil {
			return t, fmt.Errorf("bad weight in %q", line)
		}
		t.weight = w
		line = strings.TrimSpace(line[:i])
	}
	if strings.HasPrefix(line, "^") {
		t.lowerOnly = true
		line = line[1:]
	}
	if strings.HasPrefix(line, "*") {
		t.prefixOK = true
		line = line[1:]
	}
	switch {
	case strings.HasSuffix(line, "*"):
		t.suffixOK = true
		line = line[:len(line)-1]
	case strings.HasSuffix(line, "!"):
		t.exact = true
		line = line[:len(line)-1]
	}
	if line == "" {
		return t, fmt.Errorf("empty term")
	}
	if strings.ToUpper(line) == line && strings.ToLower(line) != line {
		t.caps = true
	}
	t.term = lowerString(line)
	return t, nil
}

// maxWordLen bounds how far a match is extended to its word's ends (Danish compounds included).
const maxWordLen = 64

// sensHit is a term's match, 12 bytes: a text holds thousands (hits of the engine are int32 too).
type sensHit struct {
	start, end int32 // the word (or phrase) as matched, extended to word boundaries
	id         int32
}

func (sm *sensitiveMatcher) Name() string    { return string(KindSensitive) }
func (sm *sensitiveMatcher) Reads() []string { return nil }

// Find runs the automaton once over in.s and keeps one term per word or phrase.
func (sm *sensitiveMatcher) Find(in *input, _ *evidence, out []hit) []hit {
	b, ok := sm.bufs.Get().(*sensBufs)
	if !ok {
		b = new(sensBufs)
	}
	for _, h := range sm.sensitiveHits(in.s, b) {
		out = append(out, hit{start: h.start, end: h.end, x: h.id, conf: hundredths(sm.terms[h.id].weight)})
	}
	sm.bufs.Put(b)
	return out
}

// Finding makes the finding of a sensitive term.
func (sm *sensitiveMatcher) Finding(in *input, h hit) Finding {
	return sm.finding(in.s, sensHit{start: h.start, end: h.end, id: h.x})
}

// Sensitive finds statements in the sensitive categories. Value is the matched word in lower
// case, Category the category, Masked the category name.
func (e *Engine) Sensitive(text string) []Finding { return e.findWith(string(KindSensitive), text) }

// sensitiveHits returns one hit per word or phrase, sorted by start: of overlapping matches the
// strongest, then the longest term.
func (sm *sensitiveMatcher) sensitiveHits(text string, sc *sensBufs) []sensHit {
	lanes := &sc.lanes
	for k := range lanes {
		lanes[k] = lanes[k][:0]
	}
	sm.ac.scan(text, func(lane, end int, id int32) {
		start := end - int(sm.ac.plen[id])
		if h, ok := sm.check(text, start, end, id); ok {
			lanes[lane] = append(lanes[lane], h)
		}
	})
	hits := sc.sens[:0]
	for k := range lanes {
		hits = append(hits, lanes[k]...)
	}
	sc.sens = hits
	if len(hits) == 0 {
		return nil
	}
	// In order of end, so nearly in order of start: insertion sort by start, longer first.
	for i := 1; i < len(hits); i++ {
		h := hits[i]
		j := i
		for j > 0 && (hits[j-1].start > h.start || (hits[j-1].start == h.start && hits[j-1].end < h.end)) {
			hits[j] = hits[j-1]
			j--
		}
		hits[j] = h
	}
	out := hits[:0]
	for i := 0; i < len(hits); {
		best := hits[i]
		end := best.end
		k := i + 1
		for ; k < len(hits) && hits[k].start < end; k++ {
			h := hits[k]
			if better(sm, h, best) {
				best = h
			}
			end = max(end, h.end)
		}
		out = append(out, best) // in place: len(out) <= i < k
		i = k
	}
	return out
}

func better(sm *sensitiveMatcher, a, b sensHit) bool {
	ta, tb := &sm.terms[a.id], &sm.terms[b.id]
	if ta.weight != tb.weight {
		return ta.weight > tb.weight
	}
	return len(ta.term) > len(tb.term)
}

func termWhy(t *sensTerm) []string {
	src := "curated list"
	if t.source == "list" {
		src = "Lægehåndbogen index"
	}
	why := []string{fmt.Sprintf("%s term (%s, weight %.2f)", t.category, src, t.weight)}
	switch {
	case t.prefixOK && t.suffixOK:
		why = append(why, "stem: compounds and inflections")
	case t.prefixOK:
		why = append(why, "stem: compound head with inflection")
	case t.suffixOK:
		why = append(why, "stem: compound modifier")
	case t.exact:
		why = append(why, "exact word")
	default:
		why = append(why, "whole word with inflection")
	}
	if t.caps {
		why = append(why, "written in capitals")
	}
	return why[:len(why):len(why)] // shared: appending copies
}

func (sm *sensitiveMatcher) finding(s string, h sensHit) Finding {
	t := &sm.terms[h.id]
	var value string
	if w := s[h.start:h.end]; len(w) == len(t.term) && equalFoldASCIILatin(w, t.term) {
		value = t.term
	} else {
		value = lowerString(collapseSpace(w))
	}
	return Finding{
		Kind:       KindSensitive,
		Start:      int(h.start),
		End:        int(h.end),
		Value:      value,
		Masked:     t.category,
		Confidence: t.weight,
		Category:   t.category,
		Why:        t.why,
	}
}

// equalFoldASCIILatin reports whether w lower-cased (ASCII, Latin-1) equals the lower-case lw.
func equalFoldASCIILatin(w, lw string) bool {
	for i := 0; i < len(w); i++ {
		b := w[i]
		switch {
		case isASCIIUpper(b):
			b += 'a' - 'A'
		case b >= 0x80 && b <= 0x9E && b != 0x97 && i > 0 && w[i-1] == 0xC3:
			b += 0x20
		}
		if b != lw[i] {
			return false
		}
	}
	return true
}

// check applies the word-boundary, inflection, case and exclusion rules to one raw match.
func (sm *sensitiveMatcher) check(s string, start, end int, id int32) (sensHit, bool) {
	t := &sm.terms[id]
	// Left: a word boundary unless the term may head a compound.
	ws := start
	if wordCharBefore(s, start) {
		if !t.prefixOK {
			return sensHit{}, false
		}
		for ws > 0 && wordCharBefore(s, ws) {
			if start-ws > maxWordLen {
				return sensHit{}, false // not a word: keeps pathological input linear
			}
			ws--
			for ws > 0 && s[ws]&0xC0 == 0x80 {
				ws--
			}
		}
	}
	// Right: the rest of the word must be an inflection ending (or anything for compounds).
	we := end
	for we < len(s) {
		if l := letterAt(s, we); l > 0 {
			if we-end > maxWordLen {
				return sensHit{}, false
			}
			we += l
			continue
		}
		if isDigit(s[we]) {
			return sensHit{}, false
		}
		break
	}
	if we > end {
		switch {
		case t.suffixOK:
		case t.exact:
			return sensHit{}, false
		default:
			var buf [16]byte
			n := lowerInto(buf[:], s[end:we])
			if n < 0 {
				return sensHit{}, false
			}
			if _, ok := sm.endings[string(buf[:n])]; !ok {
				return sensHit{}, false
			}
		}
	}
	if t.caps {
		for i := start; i < end; i++ {
			if isASCIILower(s[i]) || (s[i] >= 0xA0 && s[i] <= 0xBE && i > 0 && s[i-1] == 0xC3) {
				return sensHit{}, false
			}
		}
	}
	if t.lowerOnly && ws == start && !lowerAt(s, start) {
		return sensHit{}, false
	}
	if (ws != start || we != end) && (len(sm.exclude) > 0 || len(sm.excludeT) > 0) {
		var buf [64]byte
		if n := lowerInto(buf[:], s[ws:we]); n > 0 {
			w := buf[:n]
			if _, ok := sm.exclude[string(w)]; ok {
				return sensHit{}, false
			}
			for _, x := range sm.excludeT {
				if len(w) >= len(x) && string(w[len(w)-len(x):]) == x {
					return sensHit{}, false
				}
			}
		}
	}
	return sensHit{start: int32(ws), end: int32(we), id: id}, true
}
