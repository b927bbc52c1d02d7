package detect

import (
	"fmt"
	"sort"
)

// recognizer finds one kind of data in text. Each recognizer is driven by its data file under
// data/ and ships its examples in testdata/<name>/{tp,fp}, which TestRecognizerExamples runs.
//
// A recognizer may weigh the findings of others as evidence (the CPR recognizer reads the phone
// and bank account numbers: a CPR-shaped number inside one is no CPR number; the name recognizer
// reads the addresses: a name inside one is a street's). Reads names them; Find asks ev for
// their findings around a span of its own.
type recognizer interface {
	// Name names the recognizer (its examples are testdata/<name>/).
	Name() string
	// Reads names the recognizers whose findings Find weighs; nil for none.
	Reads() []string
	// Find appends the findings in in.s to out, sorted by Start. ev answers for the
	// recognizers of Reads (nil when run alone: no evidence).
	Find(in *input, ev *evidence, out []Finding) []Finding
}

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
}

// digitRun is a maximal run of ASCII digits s[j:k].
type digitRun struct{ j, k int }

func (in *input) reset(s string) {
	in.s, in.runs, in.runsSet = s, in.runs[:0], false
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

// evidenceWindow is how far around a span (on its lines) a recognizer read as evidence looks:
// far enough for a phone or account number with its label, which is all such a recognizer needs.
const evidenceWindow = 96

// maxFindingLen bounds the length of a finding that evidence looks back for.
const maxFindingLen = 1 << 10

// evidence gives a recognizer the findings of the recognizers it reads.
type evidence struct {
	e     *Engine
	r     *run
	reads []int
	// cur[k]: the first finding of reads[k] starting at or after the end of the last span
	// asked about (spans are mostly asked about in order).
	cur [maxRecognizers]int
}

// around returns the findings of the read recognizers that overlap s[start:end], in no
// particular order, valid until the next call. A read recognizer that ran over the whole text
// is looked up; the others run on the lines around the span only.
func (ev *evidence) around(start, end int) []Finding {
	if ev == nil {
		return nil
	}
	r := ev.r
	out := r.prior[:0]
	s := r.in.s
	for k, j := range ev.reads {
		if r.ran[j] {
			found := r.found[j]
			i := ev.cur[k]
			if i > len(found) || (i > 0 && found[i-1].Start >= end) {
				i = sort.Search(len(found), func(i int) bool { return found[i].Start >= end })
			}
			for i < len(found) && found[i].Start < end {
				i++
			}
			ev.cur[k] = i
			for i--; i >= 0 && found[i].Start > start-maxFindingLen; i-- {
				if found[i].End > start {
					out = append(out, found[i])
				}
			}
			continue
		}
		ws := lineStart(s, start, evidenceWindow)
		we := lineEnd(s, end, evidenceWindow)
		r.win.reset(s[ws:we])
		n := len(out)
		out = ev.e.reg[j].rec.Find(&r.win, nil, out)
		kept := out[:n]
		for _, f := range out[n:] {
			f.Start += ws
			f.End += ws
			if f.Start < end && f.End > start {
				kept = append(kept, f)
			}
		}
		out = kept
	}
	r.prior = out
	return out
}

// mergeFindings appends the sorted lists to out as one list sorted by Start, then by length;
// ties keep the order of the lists. Runs of one list that come before the others' heads are
// copied at once.
func mergeFindings(out []Finding, lists ...[]Finding) []Finding {
	var at [maxRecognizers]int
	// before orders finding f of list i before finding g of list j.
	before := func(f *Finding, i int, g *Finding, j int) bool {
		if f.Start != g.Start {
			return f.Start < g.Start
		}
		if lf, lg := f.End-f.Start, g.End-g.Start; lf != lg {
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
	in    input
	win   input // a window of in, for a recognizer read as evidence
	found [maxRecognizers][]Finding
	ran   [maxRecognizers]bool // found holds the recognizer's findings over the whole text
	prior []Finding
}

func (e *Engine) getRun(text string) *run {
	r, ok := e.runs.Get().(*run)
	if !ok {
		r = new(run)
	}
	r.in.reset(text)
	return r
}

// putRun clears the findings (they hold values of the text) and returns the buffers to the pool.
func (e *Engine) putRun(r *run) {
	for i := range r.found {
		clear(r.found[i])
		r.found[i] = r.found[i][:0]
		r.ran[i] = false
	}
	clear(r.prior)
	r.prior = r.prior[:0]
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
	r.found[i] = reg.rec.Find(&r.in, ev, r.found[i][:0])
	r.ran[i] = true
}

// Detect runs the reported recognizers and returns their findings sorted by Start.
func (e *Engine) Detect(text string) []Finding {
	r := e.getRun(text)
	defer e.putRun(r)
	var lists [maxRecognizers][]Finding
	k, n := 0, 0
	for i := range e.reg {
		if e.reg[i].reported {
			e.find(r, i)
			lists[k] = r.found[i]
			n += len(r.found[i])
			k++
		}
	}
	return mergeFindings(make([]Finding, 0, n), lists[:k]...)
}

// findWith runs one recognizer, with the evidence it reads, and returns a copy of its findings.
func (e *Engine) findWith(name, text string) []Finding {
	i := e.reg.index(name)
	r := e.getRun(text)
	defer e.putRun(r)
	e.find(r, i)
	if len(r.found[i]) == 0 {
		return nil
	}
	return append([]Finding(nil), r.found[i]...)
}

// findAlone runs one recognizer without the evidence it reads.
func (e *Engine) findAlone(name, text string) []Finding {
	i := e.reg.index(name)
	r := e.getRun(text)
	defer e.putRun(r)
	found := e.reg[i].rec.Find(&r.in, nil, r.found[i][:0])
	r.found[i] = found
	if len(found) == 0 {
		return nil
	}
	return append([]Finding(nil), found...)
}
