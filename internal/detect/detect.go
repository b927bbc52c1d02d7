// Package detect finds personal data in extracted text: CPR numbers, names, addresses and statements
// in the sensitive categories of GDPR art. 9.
//
// The recognizers follow the gitleaks / Presidio pattern: each is driven by embedded data files
// (word lists, context words, category terms under data/), runs a cheap byte-level prefilter
// (digits for CPR numbers and house numbers, capital letters for names, one Aho-Corasick pass
// for sensitive terms) before any expensive check, and returns flat Findings carrying a masked
// form and a Why that explains every point of the score.
//
// Confidence scale (all kinds): ≥ 0.5 counts as a finding for the policy's default threshold;
// CPR candidates are emitted down to 0.2 so that the explanation of a rejected number is available.
package detect

import (
	"sync"
	"time"
)

// Kind is what a finding is.
type Kind string

const (
	KindCPR       Kind = "cpr"
	KindName      Kind = "name"
	KindAddress   Kind = "address"
	KindSensitive Kind = "sensitive"
)

// Finding is one detected value: a flat value with a masked form and the explanation of its score.
type Finding struct {
	Kind     Kind
	Document string // set by the caller (scan)
	Page     int    // set by the caller (scan)
	// Start and End are byte offsets of the match in the text given to the detector.
	Start, End int
	// Value is the normalised value: CPR as 10 digits; a name or address as written (whitespace
	// collapsed); for sensitive findings the matched term, lower case. Never log or store it.
	Value      string
	Masked     string  // safe to show, log and store: "010190-xxxx", "J. H.", ...
	Confidence float64 // 0..1
	Category   string  // sensitive: health, social, criminal, ...; cpr: "" ; name: "" ...
	// Why lists the facts behind Confidence: "date 1990-01-01", "mod11", "context cpr-nr (+)", ...
	// It never holds a name, an address or a sensitive term. The slice may be shared between
	// findings: do not modify its elements (appending copies).
	Why []string
}

// Threshold is the confidence from which a finding counts (the policy's default).
const Threshold = 0.5

// Options configure an Engine.
type Options struct {
	// Now is the clock for "birth date after today"; nil means time.Now. Inject it in tests.
	Now func() time.Time
}

// Engine holds the parsed lists and automata. It is immutable after New and safe for concurrent use.
type Engine struct {
	now       func() time.Time
	cpr       cprRules
	names     nameIndex
	streets   streetIndex
	sensitive sensitiveMatcher
	scratch   sync.Pool // *scratch: reusable buffers, the only mutable state (safe for concurrent use)
}

// New loads the generated word table and automaton (checking them) and parses the small lists.
func New(opts Options) (*Engine, error) {
	e := &Engine{now: opts.Now}
	if e.now == nil {
		e.now = time.Now
	}
	var err error
	if e.cpr, err = loadCPRRules(); err != nil {
		return nil, err
	}
	words, err := parseWordTable(wordsTab)
	if err != nil {
		return nil, err
	}
	if e.names, err = loadNames(words); err != nil {
		return nil, err
	}
	if e.streets, err = loadStreets(words); err != nil {
		return nil, err
	}
	if e.sensitive, err = loadSensitive(); err != nil {
		return nil, err
	}
	return e, nil
}

// Detect runs all recognizers and returns their findings sorted by Start. Names that lie inside an
// address (a street named after a person) are dropped in favour of the address.
func (e *Engine) Detect(text string) []Finding {
	sc := e.getScratch()
	defer e.putScratch(sc)
	cprs, addrs := e.digitHits(text, sc)
	names := e.nameHits(text, sc)
	sens := e.sensitiveHits(text, sc)
	// Drop names overlapping an address; both lists are sorted by start and addresses do not
	// overlap each other.
	kept := names[:0]
	a := 0
	for _, n := range names {
		for a < len(addrs) && addrs[a].end <= n.start {
			a++
		}
		if a < len(addrs) && addrs[a].start < n.end {
			continue
		}
		kept = append(kept, n)
	}
	names = kept
	// Four sorted lists: merge them into one slice of the exact size.
	out := make([]Finding, 0, len(cprs)+len(addrs)+len(names)+len(sens))
	var ic, ia, in, is int
	const none = int(^uint(0) >> 1)
	key := func(start, end int) int { return start<<20 | min(end-start, 1<<20-1) }
	for {
		kc, ka, kn, ks := none, none, none, none
		if ic < len(cprs) {
			kc = key(cprs[ic].Start, cprs[ic].End)
		}
		if ia < len(addrs) {
			ka = key(int(addrs[ia].start), int(addrs[ia].end))
		}
		if in < len(names) {
			kn = key(int(names[in].start), int(names[in].end))
		}
		if is < len(sens) {
			ks = key(sens[is].start, sens[is].end)
		}
		switch m := min(kc, ka, kn, ks); {
		case m == none:
			return out
		case m == kc:
			out = append(out, cprs[ic])
			ic++
		case m == ka:
			out = append(out, e.streets.finding(text, addrs[ia]))
			ia++
		case m == kn:
			out = append(out, e.names.finding(text, names[in]))
			in++
		default:
			out = append(out, e.sensitive.finding(text, sens[is]))
			is++
		}
	}
}

// digitHits runs the CPR and the address scanners in one pass over the digit runs of text.
func (e *Engine) digitHits(text string, sc *scratch) ([]Finding, []addrHit) {
	cands, addrs := sc.cands[:0], sc.addrs[:0]
	defer func() { sc.cands, sc.addrs = cands, addrs }()
	n := len(text)
	cprNext, addrNext := 0, 0
	for i := 0; i < n; {
		j := nextDigit(text, i)
		if j < 0 {
			break
		}
		k := j + 1
		for k < n && isDigit(text[k]) {
			k++
		}
		if j >= cprNext {
			cprNext, cands = cprRun(text, j, k, cands)
		}
		if j >= addrNext {
			addrNext, addrs = e.streets.addrRun(text, j, k, addrs)
		}
		i = k
	}
	return e.scoreCands(text, cands), addrs
}

// scratch holds the per-call buffers of the recognizers' raw hits, reused through a pool so that
// a scan allocates little beyond the findings it returns.
type scratch struct {
	lanes [acLanes][]sensHit
	sens  []sensHit
	names []nameHit
	addrs []addrHit
	cands []cprCand
}

func (e *Engine) getScratch() *scratch {
	if sc, ok := e.scratch.Get().(*scratch); ok {
		return sc
	}
	return new(scratch)
}

func (e *Engine) putScratch(sc *scratch) { e.scratch.Put(sc) }

// MaskCPR masks a CPR number for display and logs: "0101901234" → "010190-xxxx". Separators in the
// input are ignored; anything that is not 10 digits is masked whole.
func MaskCPR(digits string) string {
	var d [10]byte
	n := 0
	for i := 0; i < len(digits); i++ {
		if isDigit(digits[i]) {
			if n == len(d) {
				return "xxxxxx-xxxx"
			}
			d[n] = digits[i]
			n++
		}
	}
	if n != len(d) {
		return "xxxxxx-xxxx"
	}
	return string(d[:6]) + "-xxxx"
}
