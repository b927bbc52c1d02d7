package pdf

import (
	"math"
	"unicode/utf8"
)

// Runs: the positioned text the layout pass (layout.go) works on. While the walker places
// decoded chunks, consecutive chunks that it joins on one line (nothing or a space between them,
// by the same rules that build the stream-order text) are collected into one run; a newline, a
// wide gap, a move backwards or a change of direction starts a new run. So Word-style text placed
// glyph by glyph becomes words and lines exactly as in stream order, and the layout pass only has
// to arrange runs, not glyphs.

const pdfRunGap = 1.5 // same-line gap (in em) that ends a run: the layout pass decides what it is

type pdfRun struct {
	start, end int // text in pdfRuns.text
	// Start and end points of the run's baseline and its direction, in user space.
	sx, sy, ex, ey float64
	dirX, dirY     float64
	size           float64 // largest font size in the run
	u0, u1         float64 // left and right end as displayed (set by the layout pass)
}

// pdfRuns collects a page's runs within a byte budget (the page's share of MaxTextBytes).
type pdfRuns struct {
	runs      []pdfRun
	text      []byte
	max       int
	overflow  bool // the budget ran out: the page keeps its stream-order text
	open      bool // the last run takes more text
	pendSpace bool
	scratch   pdfScratch // the layout pass's working memory
}

// breakRun ends the open run: the next chunk starts a new one.
func (r *pdfRuns) breakRun() {
	r.close()
}

func (r *pdfRuns) close() {
	if !r.open {
		return
	}
	r.open, r.pendSpace = false, false
	if last := &r.runs[len(r.runs)-1]; last.end == last.start {
		r.runs = r.runs[:len(r.runs)-1] // nothing visible in it
	}
}

// add places a chunk. join is the walker's decision relative to the previous chunk: 0 nothing,
// 1 a space, 2 a new line. along is the gap along the line, in user-space units.
func (r *pdfRuns) add(text []byte, join int, along, sx, sy, ex, ey, dirX, dirY, size, lastSize float64) {
	if r.overflow {
		return
	}
	if join == 2 || along > pdfRunGap*lastSize || along < -pdfBackwardGap*lastSize {
		r.close()
	}
	if !r.open {
		r.runs = append(r.runs, pdfRun{start: len(r.text), end: len(r.text), sx: sx, sy: sy, dirX: dirX, dirY: dirY})
		r.open, r.pendSpace = true, false
	} else if join == 1 {
		r.pendSpace = true
	}
	run := &r.runs[len(r.runs)-1]
	for i := 0; i < len(text); {
		c, n := utf8.DecodeRune(text[i:])
		i += n
		r.writeRune(run, c)
	}
	run.ex, run.ey = ex, ey
	run.size = math.Max(run.size, size)
}

func (r *pdfRuns) writeRune(run *pdfRun, c rune) {
	out, act := pdfCleanRune(c)
	if c == pdfSoftHyphen {
		act = pdfRuneKeep // the layout pass joins words at it, then drops it (hyphen.go)
	}
	switch act {
	case pdfRuneDrop:
		return
	case pdfRuneBreak, pdfRuneSpace: // a line break inside a chunk is only a space here
		if run.end > run.start {
			r.pendSpace = true
		}
		return
	case pdfRuneLigature:
		for _, l := range pdfLigatures[c-0xfb00] {
			r.writeRune(run, l)
		}
		return
	}
	need := utf8.RuneLen(out) + 1
	if len(r.text)+need > r.max {
		r.overflow = true
		return
	}
	if r.pendSpace && run.end > run.start {
		r.text = append(r.text, ' ')
	}
	r.pendSpace = false
	if out < utf8.RuneSelf {
		r.text = append(r.text, byte(out))
	} else {
		r.text = utf8.AppendRune(r.text, out)
	}
	run.end = len(r.text)
}
