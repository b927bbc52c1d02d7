package detect

import "fmt"

// A small Aho-Corasick automaton over bytes, compiled to a dense DFA on a compressed alphabet.
//
// Case folding is built into the alphabet: 'A' and 'a' share a class, and so do the second bytes
// of the upper- and lower-case Latin-1 letters (Æ 0xC3 0x86 and æ 0xC3 0xA6). Bytes that occur in
// no pattern share class 0. Line breaks and tabs fold into the class of ' ' so that two-word terms
// match across a line break. Matching is one table load per input byte and reports every
// (overlapping) match, so no match can hide another: the recognizers filter matches afterwards by
// word boundaries.
//
// States are renumbered so that every state with an output comes last, and a transition into
// such a state carries the flag acOut above the table index: the hot loop tests one bit per byte,
// and for all lanes at once one OR of their states (a max of eight states cost twice the
// instructions).

type acMatcher struct {
	class    [256]uint8
	nclass   uint32
	trans    *[acMaxTrans]uint32 // state*nclass + class → next state*nclass (premultiplied) | acOut if it has output
	outFrom  uint32              // premultiplied index of the first state with output
	outStart []uint32            // per output state: start index into outs (len = #output states + 1)
	outs     []int32             // pattern ids
	plen     []int32             // pattern lengths in bytes
	maxLen   int32
}

// foldByte maps a pattern byte to its canonical (lower-case) form.
func foldByte(b byte, prevC3 bool) byte {
	if isASCIIUpper(b) {
		return b + 'a' - 'A'
	}
	if prevC3 && b >= 0x80 && b <= 0x9E && b != 0x97 {
		return b + 0x20
	}
	return b
}

func newACMatcher(patterns []string) (*acMatcher, error) {
	m := &acMatcher{}
	// Alphabet: canonical bytes of all patterns.
	var used [256]bool
	canon := make([][]byte, len(patterns))
	for i, p := range patterns {
		c := make([]byte, len(p))
		for k := 0; k < len(p); k++ {
			c[k] = foldByte(p[k], k > 0 && p[k-1] == 0xC3)
			used[c[k]] = true
		}
		canon[i] = c
	}
	next := 1
	for b := 0; b < 256; b++ {
		if used[b] {
			m.class[b] = uint8(next)
			next++
		}
	}
	m.nclass = uint32(next)
	for b := 0; b < 256; b++ {
		bb := byte(b)
		switch {
		case isASCIIUpper(bb):
			m.class[b] = m.class[bb+'a'-'A']
		case bb >= 0x80 && bb <= 0x9E && bb != 0x97:
			// Upper-case Latin-1 second byte. A continuation byte only follows 0xC3 in the
			// patterns, so folding it everywhere cannot create a match that needs another lead.
			if m.class[b] == 0 {
				m.class[b] = m.class[bb+0x20]
			}
		case bb == '\n' || bb == '\r' || bb == '\t':
			m.class[b] = m.class[' ']
		}
	}
	// Trie.
	nc := int(m.nclass)
	goTo := make([]int32, nc) // state 0 = root
	for i := range goTo {
		goTo[i] = -1
	}
	// A new state's row is appended whole (one copy of a row of -1), not entry by entry: this
	// loop dominated New.
	emptyRow := make([]int32, nc)
	for i := range emptyRow {
		emptyRow[i] = -1
	}
	var out [][]int32
	out = append(out, nil)
	m.plen = make([]int32, len(patterns))
	for id, p := range canon {
		m.plen[id] = int32(len(p))
		m.maxLen = max(m.maxLen, int32(len(p)))
		s := 0
		for _, b := range p {
			c := int(m.class[b])
			if goTo[s*nc+c] < 0 {
				goTo[s*nc+c] = int32(len(out))
				out = append(out, nil)
				goTo = append(goTo, emptyRow...)
			}
			s = int(goTo[s*nc+c])
		}
		out[s] = append(out[s], int32(id))
	}
	nstates := len(out)
	if nstates*nc > acMaxTrans {
		return nil, fmt.Errorf("detect: automaton too large: %d states × %d classes", nstates, nc)
	}
	// Failure links by BFS; complete the DFA.
	fail := make([]int32, nstates)
	queue := make([]int32, 0, nstates)
	for c := 0; c < nc; c++ {
		if t := goTo[c]; t >= 0 {
			fail[t] = 0
			queue = append(queue, t)
		} else {
			goTo[c] = 0
		}
	}
	for qi := 0; qi < len(queue); qi++ {
		s := int(queue[qi])
		out[s] = append(out[s], out[fail[s]]...)
		for c := 0; c < nc; c++ {
			t := goTo[s*nc+c]
			if t >= 0 {
				fail[t] = goTo[int(fail[s])*nc+c]
				queue = append(queue, t)
			} else {
				goTo[s*nc+c] = goTo[int(fail[s])*nc+c]
			}
		}
	}
	// Renumber: states without output first, in BFS order (shallow states, which the matcher
	// visits most, share cache lines), root first; then the states with output.
	order := make([]int32, 0, nstates)
	order = append(order, 0)
	order = append(order, queue...)
	newID := make([]uint32, nstates)
	var id uint32
	for _, s := range order {
		if len(out[s]) == 0 {
			newID[s] = id
			id++
		}
	}
	firstOut := id
	m.outStart = make([]uint32, 0, nstates-int(firstOut)+1)
	for _, s := range order {
		if len(out[s]) > 0 {
			newID[s] = id
			id++
			m.outStart = append(m.outStart, uint32(len(m.outs)))
			m.outs = append(m.outs, out[s]...)
		}
	}
	m.outStart = append(m.outStart, uint32(len(m.outs)))
	m.trans = new([acMaxTrans]uint32)
	m.outFrom = firstOut * m.nclass
	for s := 0; s < nstates; s++ {
		row := int(newID[s]) * nc
		for c := 0; c < nc; c++ {
			m.trans[row+c] = m.entry(newID[goTo[s*nc+c]])
		}
	}
	return m, nil
}

// scan calls fn(lane, end, patternID) for every occurrence of every pattern in s; end is the byte
// offset just past the match, which starts at end-len(pattern). The calls of one lane come in
// order of end, and lane k's matches all end before lane k+1's.
//
// A DFA step is a dependent load, so one stream runs at the cache's latency. Long texts are cut
// into acLanes chunks scanned in the same loop (independent loads overlap); each chunk after the
// first starts maxLen-1 bytes early in the root state, which is enough for every match ending in
// it, and reports only matches ending in its own chunk.
func (m *acMatcher) scan(s string, fn func(lane, end int, id int32)) {
	n := len(s)
	if n < acLanes*acMinLane {
		m.scanRange(s, 0, 0, n, 0, 0, fn)
		return
	}
	trans, class := m.trans, &m.class
	overlap := int(m.maxLen) - 1
	chunk := n / acLanes
	// Lane k processes s[k*chunk-overlap : (k+1)*chunk] (lane 0 from 0) and reports matches
	// ending in its own chunk.
	var from [acLanes]int
	for k := 1; k < acLanes; k++ {
		from[k] = k*chunk - overlap
	}
	var s0, s1, s2, s3, s4, s5, s6, s7 uint32
	// The common length: lane 0 has no warm-up and is the shortest. Reslicing every lane to the
	// same length and masking the table index lets the compiler drop the bounds checks.
	l0 := s[:chunk]
	l1, l2, l3 := s[from[1]:][:len(l0)], s[from[2]:][:len(l0)], s[from[3]:][:len(l0)]
	l4, l5, l6 := s[from[4]:][:len(l0)], s[from[5]:][:len(l0)], s[from[6]:][:len(l0)]
	l7 := s[from[7]:][:len(l0)]
	for i := range len(l0) {
		s0 = trans[(s0+uint32(class[l0[i]]))&acTransMask]
		s1 = trans[(s1+uint32(class[l1[i]]))&acTransMask]
		s2 = trans[(s2+uint32(class[l2[i]]))&acTransMask]
		s3 = trans[(s3+uint32(class[l3[i]]))&acTransMask]
		s4 = trans[(s4+uint32(class[l4[i]]))&acTransMask]
		s5 = trans[(s5+uint32(class[l5[i]]))&acTransMask]
		s6 = trans[(s6+uint32(class[l6[i]]))&acTransMask]
		s7 = trans[(s7+uint32(class[l7[i]]))&acTransMask]
		if (s0|s1|s2|s3|s4|s5|s6|s7)&acOut != 0 {
			m.report(s0, i, 0, 0, fn)
			m.report(s1, from[1]+i, chunk, 1, fn)
			m.report(s2, from[2]+i, 2*chunk, 2, fn)
			m.report(s3, from[3]+i, 3*chunk, 3, fn)
			m.report(s4, from[4]+i, 4*chunk, 4, fn)
			m.report(s5, from[5]+i, 5*chunk, 5, fn)
			m.report(s6, from[6]+i, 6*chunk, 6, fn)
			m.report(s7, from[7]+i, 7*chunk, 7, fn)
		}
	}
	last := [acLanes]uint32{s0, s1, s2, s3, s4, s5, s6, s7}
	for k := 1; k < acLanes; k++ {
		to := (k + 1) * chunk
		if k == acLanes-1 {
			to = n
		}
		m.scanRange(s, from[k]+chunk, k*chunk, to, last[k], k, fn)
	}
}

const (
	// acMaxTrans bounds the transition table (states × classes); a fixed-size array lets the
	// matcher index it without bounds checks. The embedded lists need about 585,000 entries
	// (14,300 states × 41 classes).
	acMaxTrans  = 1 << 20
	acTransMask = acMaxTrans - 1
	acLanes     = 8
	acMinLane   = 4096
	// acOut flags a transition into a state with output; it lies above every table index, so the
	// index mask drops it.
	acOut = 1 << 31
)

// entry is the table entry of a transition into state st: premultiplied, flagged if st has output.
func (m *acMatcher) entry(st uint32) uint32 {
	v := st * m.nclass
	if v >= m.outFrom {
		v |= acOut
	}
	return v
}

// report emits the outputs of state st at byte i if the match ends in the lane (i >= from).
func (m *acMatcher) report(st uint32, i, from, lane int, fn func(int, int, int32)) {
	if st&acOut == 0 || i < from {
		return
	}
	o := (st&acTransMask - m.outFrom) / m.nclass
	for _, id := range m.outs[m.outStart[o]:m.outStart[o+1]] {
		fn(lane, i+1, id)
	}
}

// scanRange runs the DFA from state st over s[i:to], reporting matches ending at or after from.
func (m *acMatcher) scanRange(s string, i, from, to int, st uint32, lane int, fn func(int, int, int32)) {
	trans, class := m.trans, &m.class
	for ; i < to; i++ {
		st = trans[(st+uint32(class[s[i]]))&acTransMask]
		if st&acOut != 0 {
			m.report(st, i, from, lane, fn)
		}
	}
}
