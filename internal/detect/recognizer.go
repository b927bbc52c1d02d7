package detect

import "fmt"

// recognizer finds one kind of data in text. Each recognizer is driven by its data file under
// data/ and ships its examples in testdata/<name>/{tp,fp}, which TestRecognizerExamples runs.
//
// A recognizer may weigh the findings of others as evidence (the CPR recognizer reads the phone
// and bank account numbers: a CPR-shaped number inside one is not a CPR number). Reads names
// them; the engine runs them first and passes their findings to Find, sorted by Start.
type recognizer interface {
	// Name names the recognizer (its examples are testdata/<name>/).
	Name() string
	// Reads names the recognizers whose findings Find weighs; nil for none.
	Reads() []string
	// Find appends the findings in in.s to out, sorted by Start. prior holds the findings of
	// Reads, sorted by Start (nil when run alone).
	Find(in *input, prior, out []Finding) []Finding
}

// registration is a recognizer in the engine's registry.
type registration struct {
	rec recognizer
	// reported: its findings are Detect's. The others are evidence for the recognizers that
	// read them (phone and account numbers) and never leave the package.
	reported bool
	reads    []int // indexes of Reads in the registry, all before this one
}

// registry is the recognizers in the order they run: every recognizer after those it reads.
// Findings with the same span are reported in registry order.
type registry []registration

// register adds a recognizer after the ones it reads.
func (r *registry) register(rec recognizer, reported bool) error {
	reg := registration{rec: rec, reported: reported}
	for _, name := range rec.Reads() {
		i := r.index(name)
		if i < 0 {
			return fmt.Errorf("detect: recognizer %s reads %s, which is not registered before it", rec.Name(), name)
		}
		reg.reads = append(reg.reads, i)
	}
	if r.index(rec.Name()) >= 0 {
		return fmt.Errorf("detect: recognizer %s registered twice", rec.Name())
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

// mergeFindings appends the sorted lists to out as one list sorted by Start, then by length;
// ties keep the order of the lists.
func mergeFindings(out []Finding, lists ...[]Finding) []Finding {
	var at [maxRecognizers]int
	for {
		best := -1
		var bs, bl int
		for i, l := range lists {
			if at[i] >= len(l) {
				continue
			}
			f := &l[at[i]]
			if best < 0 || f.Start < bs || (f.Start == bs && f.End-f.Start < bl) {
				best, bs, bl = i, f.Start, f.End-f.Start
			}
		}
		if best < 0 {
			return out
		}
		out = append(out, lists[best][at[best]])
		at[best]++
	}
}

// run holds the per-call buffers of one Detect: the input and each recognizer's findings,
// reused through the engine's pool.
type run struct {
	in    input
	found [maxRecognizers][]Finding
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
	}
	clear(r.prior)
	r.prior = r.prior[:0]
	r.in.reset("")
	e.runs.Put(r)
}

// runAll runs the registry into r.found, each recognizer after the ones it reads: all of it, or
// (last >= 0) only recognizer last and what it reads.
func (e *Engine) runAll(r *run, last int) {
	var need [maxRecognizers]bool
	if last < 0 {
		last = len(e.reg) - 1
		for i := range need {
			need[i] = true
		}
	}
	need[last] = true
	for i := last; i >= 0; i-- {
		if need[i] {
			for _, j := range e.reg[i].reads {
				need[j] = true
			}
		}
	}
	for i := 0; i <= last; i++ {
		if !need[i] {
			continue
		}
		reg := &e.reg[i]
		var prior []Finding
		switch len(reg.reads) {
		case 0:
		case 1:
			prior = r.found[reg.reads[0]]
		default:
			var lists [maxRecognizers][]Finding
			for k, j := range reg.reads {
				lists[k] = r.found[j]
			}
			r.prior = mergeFindings(r.prior[:0], lists[:len(reg.reads)]...)
			prior = r.prior
		}
		r.found[i] = reg.rec.Find(&r.in, prior, r.found[i][:0])
	}
}

// Detect runs all recognizers and returns the findings of the reported ones sorted by Start.
func (e *Engine) Detect(text string) []Finding {
	r := e.getRun(text)
	defer e.putRun(r)
	e.runAll(r, -1)
	var lists [maxRecognizers][]Finding
	k, n := 0, 0
	for i := range e.reg {
		if e.reg[i].reported {
			lists[k] = r.found[i]
			n += len(r.found[i])
			k++
		}
	}
	return mergeFindings(make([]Finding, 0, n), lists[:k]...)
}

// findWith runs one recognizer (after the ones it reads) and returns a copy of its findings.
func (e *Engine) findWith(name, text string) []Finding {
	i := e.reg.index(name)
	r := e.getRun(text)
	defer e.putRun(r)
	e.runAll(r, i)
	if len(r.found[i]) == 0 {
		return nil
	}
	return append([]Finding(nil), r.found[i]...)
}

// findAlone runs one recognizer without the findings it reads.
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
