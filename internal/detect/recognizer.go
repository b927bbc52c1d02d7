package detect

import (
	"fmt"
	"math"
	"sort"
)

// recognizer finds one kind of data in text. Each recognizer is driven by its data file under
// data/ and ships its examples in testdata/<name>/{tp,fp}, which TestRecognizerExamples runs.
//
// A recognizer may weigh the findings of others as evidence (the CPR recognizer reads the phone
// and bank account numbers: a CPR-shaped number inside one is no CPR number; the name recognizer
// reads the addresses: a name inside one is a street's). Reads names them; Find asks ev for
// their hits around a span of its own.
//
// Find returns hits, not Findings: compact and free of pointers, so that collecting thousands
// costs little and the buffers the engine keeps do not weigh on the garbage collector; the
// engine makes the Finding of each hit it reports, once, with Finding.
type recognizer interface {
	// Name names the recognizer (its examples are testdata/<name>/).
	Name() string
	// Reads names the recognizers whose hits Find weighs; nil for none.
	Reads() []string
	// Find appends the hits in in.s to out, sorted by start. ev answers for the recognizers
	// of Reads (nil when run alone: no evidence).
	Find(in *input, ev *evidence, out []hit) []hit
	// Finding makes the finding of one of its hits in in.
	Finding(in *input, h hit) Finding
}

// hit is a finding in the making: its span and confidence and what its recognizer needs to make
// the Finding.
type hit struct {
	start, end int32
	x, y       int32  // the recognizer's own
	z          uint16 // the recognizer's own
	conf       uint8  // hundredths
	rec        uint8  // the registry index of its recognizer (set by the engine)
}

// confidence is the hit's confidence as a Finding has it.
func (h hit) confidence() float64 { return float64(h.conf) / 100 }

// hundredths converts a confidence for a hit.
func hundredths(c float64) uint8 { return uint8(math.Round(c * 100)) }

// registration is a recognizer in the engine's registry.
type registration struct {
	rec recognizer
	// reported: its findings are Detect's. The others are evidence for the recognizers that
	// read them (phone and account numbers), never leave the package and run only where a
	// reader asks.
	reported bool
	reads    []int // indexes of Reads in the registry, all before this one
}

// registry is the recognizers in the order they run: every recognizer after those it reads.
// Findings with the same span are reported in registry order.
type registry []registration

// register adds a recognizer after the ones it reads. A recognizer that is evidence only runs
// on the neighbourhood of a reader's span, so it may read nothing itself.
func (r *registry) register(rec recognizer, reported bool) error {
	if r.index(rec.Name()) >= 0 {
		return fmt.Errorf("detect: recognizer %s registered twice", rec.Name())
	}
	if len(*r) == maxRecognizers {
		return fmt.Errorf("detect: more than %d recognizers", maxRecognizers)
	}
	reg := registration{rec: rec, reported: reported}
	for _, name := range rec.Reads() {
		i := r.index(name)
		if i < 0 {
			return fmt.Errorf("detect: recognizer %s reads %s, which is not registered before it", rec.Name(), name)
		}
		reg.reads = append(reg.reads, i)
	}
	if !reported && len(reg.reads) > 0 {
		return fmt.Errorf("detect: recognizer %s is evidence only and cannot read others", rec.Name())
	}
	*r = append(*r, reg)
	return nil
}

func (r registry) index(name string) int {
	for i, reg := range r {
		if reg.rec.Name() == name {
			return i
		}
	}
	return -1
}

// maxRecognizers bounds the registry (fixed-size arrays on the hot path).
const maxRecognizers = 16

// input is a text as the recognizers see it, with what several of them need and is found once:
// its digit runs (CPR, address, phone and account numbers all start at a digit).
type input struct {
	s       string
	runs    []digitRun
	runsSet bool
	// made holds Findings a recognizer makes while finding (the CPR recognizer builds each
	// explanation while scoring); its hits refer to them by index.
	made []Finding
}

// digitRun is a maximal run of ASCII digits s[j:k].
type digitRun struct{ j, k int }

func (in *input) reset(s string) {
	clear(in.made)
	in.s, in.runs, in.runsSet, in.made = s, in.runs[:0], false, in.made[:0]
}

// digitRuns returns the digit runs of the text in order, found on the first call.
func (in *input) digitRuns() []digitRun {
	if in.runsSet {
		return in.runs
	}
	s, runs := in.s, in.runs[:0]
	n := len(s)
	for i := 0; i < n; {
		j := nextDigit(s, i)
		if j < 0 {
			break
		}
		k := j + 1
		for k < n && isDigit(s[k]) {
			k++
		}
		runs = append(runs, digitRun{j, k})
		i = k
	}
	in.runs, in.runsSet = runs, true
	return runs
}

// evidenceBefore and evidenceAfter are how far around a span (on its lines) a recognizer read
// as evidence looks: far enough for a phone or account number with its label and groups, which
// is all such a recognizer needs.
const (
	evidenceBefore = 64
	evidenceAfter  = 32
)

// maxFindingLen bounds the length of a finding that evidence looks back for.
const maxFindingLen = 1 << 10

// evidence gives a recognizer the hits of the recognizers it reads.
type evidence struct {
	e     *Engine
	r     *run
	reads []int
	// cur[k]: the first hit of reads[k] starting at or after the end of the last span asked
	// about (spans are mostly asked about in order).
	cur [maxRecognizers]int
}

// around returns the hits of the read recognizers that overlap s[start:end], in no particular
// order, valid until the next call. A read recognizer that ran over the whole text is looked up;
// the others run on the lines around the span only.
func (ev *evidence) around(start, end int) []hit {
	if ev == nil {
		return nil
	}
	r := ev.r
	out := r.prior[:0]
	s := r.in.s
	st, en := int32(start), int32(end)
	for k, j := range ev.reads {
		if r.ran[j] {
			found := r.found[j]
			i := ev.cur[k]
			if i > len(found) || (i > 0 && found[i-1].start >= en) {
				i = sort.Search(len(found), func(i int) bool { return found[i].start >= en })
			}
			for i < len(found) && found[i].start < en {
				i++
			}
			ev.cur[k] = i
			for i--; i >= 0 && found[i].start > st-maxFindingLen; i-- {
				if found[i].end > st {
					out = append(out, found[i])
				}
			}
			continue
		}
		ws, we := r.in.window(start, end)
		r.win.reset(s[ws:we])
		r.win.runs, r.win.runsSet = r.in.runsIn(ws, we, r.win.runs), true
		n := len(out)
		out = ev.e.reg[j].rec.Find(&r.win, nil, out)
		kept := out[:n]
		for _, h := range out[n:] {
			h.start += int32(ws)
			h.end += int32(ws)
			h.rec = uint8(j)
			if h.start < en && h.end > st {
				kept = append(kept, h)
			}
		}
		out = kept
	}
	r.prior = out
	return out
}

// kind is the name of the recognizer of h.
func (ev *evidence) kind(h hit) string { return ev.e.reg[h.rec].rec.Name() }

// window returns the lines around s[start:end] that a recognizer read as evidence sees, at
// most evidenceBefore and evidenceAfter bytes away and never cutting a digit run.
func (in *input) window(start, end int) (int, int) {
	s := in.s
	ws, we := lineStart(s, start, evidenceBefore), lineEnd(s, end, evidenceAfter)
	for ws > 0 && isDigit(s[ws-1]) && isDigit(s[ws]) {
		ws++
	}
	for we < len(s) && we > 0 && isDigit(s[we-1]) && isDigit(s[we]) {
		we--
	}
	return ws, we
}

// runsIn appends the digit runs of s[ws:we], as offsets into it, to out: the text's runs found
// once, not found again.
func (in *input) runsIn(ws, we int, out []digitRun) []digitRun {
	runs := in.digitRuns()
	i := sort.Search(len(runs), func(i int) bool { return runs[i].j >= ws })
	out = out[:0]
	for ; i < len(runs) && runs[i].k <= we; i++ {
		out = append(out, digitRun{runs[i].j - ws, runs[i].k - ws})
	}
	return out
}

// mergeHits appends the sorted lists to out as one list sorted by start, then by length; ties
// keep the order of the lists. Runs of one list that come before the others' heads are copied
// at once.
func mergeHits(out []hit, lists ...[]hit) []hit {
	var at [maxRecognizers]int
	// before orders hit f of list i before hit g of list j.
	before := func(f *hit, i int, g *hit, j int) bool {
		if f.start != g.start {
			return f.start < g.start
		}
		if lf, lg := f.end-f.start, g.end-g.start; lf != lg {
			return lf < lg
		}
		return i < j
	}
	for {
		best, next := -1, -1
		for i, l := range lists {
			if at[i] >= len(l) {
				continue
			}
			switch {
			case best < 0 || before(&l[at[i]], i, &lists[best][at[best]], best):
				best, next = i, best
			case next < 0 || before(&l[at[i]], i, &lists[next][at[next]], next):
				next = i
			}
		}
		if best < 0 {
			return out
		}
		l, a := lists[best], at[best]
		b := a + 1
		if next < 0 {
			b = len(l)
		} else {
			for h := &lists[next][at[next]]; b < len(l) && before(&l[b], best, h, next); b++ {
			}
		}
		out = append(out, l[a:b]...)
		at[best] = b
	}
}

// run holds the per-call buffers of one Detect: the input and each recognizer's findings,
// reused through the engine's pool.
type run struct {
	in     input
	win    input // a window of in, for a recognizer read as evidence
	found  [maxRecognizers][]hit
	ran    [maxRecognizers]bool // found holds the recognizer's hits over the whole text
	prior  []hit
	merged []hit
}

func (e *Engine) getRun(text string) *run {
	r, ok := e.runs.Get().(*run)
	if !ok {
		r = new(run)
	}
	r.in.reset(text)
	return r
}

// putRun returns the buffers to the pool (the findings made on the way are cleared: they hold
// values of the text).
func (e *Engine) putRun(r *run) {
	for i := range r.found {
		r.found[i] = r.found[i][:0]
		r.ran[i] = false
	}
	r.prior, r.merged = r.prior[:0], r.merged[:0]
	r.in.reset("")
	r.win.reset("")
	e.runs.Put(r)
}

// find runs recognizer i over the whole text, with the evidence of what it reads.
func (e *Engine) find(r *run, i int) {
	reg := &e.reg[i]
	var ev *evidence
	if len(reg.reads) > 0 {
		ev = &evidence{e: e, r: r, reads: reg.reads}
	}
	hits := reg.rec.Find(&r.in, ev, r.found[i][:0])
	for k := range hits {
		hits[k].rec = uint8(i)
	}
	r.found[i], r.ran[i] = hits, true
}

// findings makes the Findings of hits.
func (e *Engine) findings(r *run, hits []hit) []Finding {
	if len(hits) == 0 {
		return nil
	}
	out := make([]Finding, len(hits))
	for k, h := range hits {
		out[k] = e.reg[h.rec].rec.Finding(&r.in, h)
	}
	return out
}

// Detect runs the reported recognizers and returns their findings sorted by Start.
func (e *Engine) Detect(text string) []Finding {
	r := e.getRun(text)
	defer e.putRun(r)
	var lists [maxRecognizers][]hit
	k := 0
	for i := range e.reg {
		if e.reg[i].reported {
			e.find(r, i)
			lists[k] = r.found[i]
			k++
		}
	}
	r.merged = mergeHits(r.merged[:0], lists[:k]...)
	return e.findings(r, r.merged)
}

// findWith runs one recognizer, with the evidence it reads, and returns a copy of its findings.
func (e *Engine) findWith(name, text string) []Finding {
	i := e.reg.index(name)
	r := e.getRun(text)
	defer e.putRun(r)
	e.find(r, i)
	return e.findings(r, r.found[i])
}

// findAlone runs one recognizer without the evidence it reads.
func (e *Engine) findAlone(name, text string) []Finding {
	i := e.reg.index(name)
	r := e.getRun(text)
	defer e.putRun(r)
	found := e.reg[i].rec.Find(&r.in, nil, r.found[i][:0])
	for k := range found {
		found[k].rec = uint8(i)
	}
	r.found[i] = found
	return e.findings(r, found)
}
