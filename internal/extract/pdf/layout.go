package pdf

import (
	"cmp"
	"math"
	"slices"

	"github.com/sendevagt/sendevagt/internal/extract"
)

// The layout pass: a page's runs (runs.go) arranged in reading order. Runs are grouped into
// lines by baseline; a line is split into segments at gaps too wide to be a word space or a tab
// inside a line (columns: an addressee block beside a "Dato / Sagsnr." column, a logo column
// beside the addressee); segments on following lines that are close (line gap relative to the
// font size) and overlap horizontally form blocks; blocks are ordered top to bottom, a block
// before the one to its right when they are side by side. Why: the order of the content stream
// is the order a program drew things in, not the order a reader reads them, and the addressee
// block of a letter must come out whole, not interleaved with the column beside it.
//
// Where the layout cannot be trusted (text in several directions, rotated text) the page keeps
// its stream-order text without blocks.

const (
	pdfColumnGapEm    = 4.0  // a gap of at least this many em ...
	pdfColumnGapPage  = 0.15 // ... and this fraction of the page width separates columns
	pdfBlockLineGap   = 1.7  // baseline distance (in em) up to which lines belong to one block
	pdfBlockGapGrowth = 1.25 // ... or up to this multiple of the block's own line spacing
	pdfMaxSkewRatio   = 0.05 // share of text not running left to right that makes a page fall back
	pdfFooterZone     = 0.92 // a block wholly below this fraction of the height is a footer
	pdfHeaderZone     = 0.06 // a block wholly above this fraction is a header
	pdfSideBySide     = 2.0  // side-by-side blocks whose tops differ by at most this many em are read left first
	pdfBlockSizeJump  = 1.25 // font sizes further apart than this ratio do not share a block
	pdfCellGapEm      = 2.0  // a gap inside a line this wide (in em) separates table cells
)

// pdfGeom maps user space to the page as displayed: u to the right, v downwards, in points from
// the top-left corner of the crop box, with /Rotate applied.
type pdfGeom struct {
	x0, y0, x1, y1 float64
	rot            int // 0, 90, 180, 270
}

func (g pdfGeom) width() float64 {
	if g.rot == 90 || g.rot == 270 {
		return g.y1 - g.y0
	}
	return g.x1 - g.x0
}

func (g pdfGeom) height() float64 {
	if g.rot == 90 || g.rot == 270 {
		return g.x1 - g.x0
	}
	return g.y1 - g.y0
}

func (g pdfGeom) point(x, y float64) (u, v float64) {
	switch g.rot {
	case 90:
		return y - g.y0, x - g.x0
	case 180:
		return g.x1 - x, y - g.y0
	case 270:
		return g.y1 - y, g.x1 - x
	}
	return x - g.x0, g.y1 - y
}

func (g pdfGeom) dir(dx, dy float64) (du, dv float64) {
	switch g.rot {
	case 90:
		return dy, dx
	case 180:
		return -dx, dy
	case 270:
		return -dy, -dx
	}
	return dx, -dy
}

// pdfPageGeom reads the crop box (else the media box, else US Letter) and /Rotate, as inherited
// down the page tree (pdfPages).
func pdfPageGeom(inh pdfInheritedBoxes) pdfGeom {
	g := pdfGeom{0, 0, 612, 792, 0}
	pdfSafe(func() {
		box := inh.crop
		if box.Len() != 4 {
			box = inh.media
		}
		if box.Len() == 4 {
			a, b, c, d := box.Index(0).Float64(), box.Index(1).Float64(), box.Index(2).Float64(), box.Index(3).Float64()
			if x0, x1 := math.Min(a, c), math.Max(a, c); x1-x0 > 1 {
				g.x0, g.x1 = x0, x1
			}
			if y0, y1 := math.Min(b, d), math.Max(b, d); y1-y0 > 1 {
				g.y0, g.y1 = y0, y1
			}
		}
		r := int(inh.rotate.Int64()) % 360
		if r < 0 {
			r += 360
		}
		if r%90 == 0 {
			g.rot = r
		}
	})
	return g
}

// pdfSeg is a horizontal run (items nil, run its index) or a line segment made of runs (items:
// its runs, left to right), in display coordinates.
type pdfSeg struct {
	u0, u1 float64 // left and right end
	v      float64 // baseline
	size   float64
	run    int
	items  []pdfSeg
	line   int     // index of its line
	below  *pdfSeg // the next line of its block
}

type pdfBlock struct {
	first, last    *pdfSeg // its lines, top to bottom, linked by below
	u0, u1, v0, v1 float64 // box: v0 top of the first line, v1 bottom of the last
	lastV, spacing float64 // baseline of the last line, first line spacing (0 with one line)
	size           float64
	claims         int // segments of the current line that could continue it
}

// layoutPage arranges the runs of a page. ok is false when the layout cannot be trusted.
func (r *pdfRuns) layoutPage(g pdfGeom) (parts []extract.BlockPart, ok bool) {
	if len(r.runs) == 0 {
		return nil, false
	}
	W, H := g.width(), g.height()
	if W <= 1 || H <= 1 {
		return nil, false
	}
	sc := &r.scratch
	runs := scratchSlice(&sc.runs, len(r.runs))
	skewed := scratchSlice(&sc.skewed, 0)
	skewBytes, total := 0, 0
	for i := range r.runs {
		run := &r.runs[i]
		n := run.end - run.start
		if n == 0 {
			continue // a run left open with nothing visible in it
		}
		total += n
		du, dv := g.dir(run.dirX, run.dirY)
		if du < 0.995 || math.Abs(dv) > 0.1 {
			skewBytes += n
			skewed = append(skewed, i)
			continue
		}
		u0, v := g.point(run.sx, run.sy)
		u1, _ := g.point(run.ex, run.ey)
		run.u0, run.u1 = u0, math.Max(u1, u0)
		runs = append(runs, pdfSeg{u0: u0, u1: math.Max(u1, u0), v: v, size: math.Max(run.size, 1), run: i})
	}
	if total == 0 || float64(skewBytes) > pdfMaxSkewRatio*float64(total) {
		return nil, false
	}

	sc.runs, sc.skewed = runs, skewed
	lines := pdfLines(sc, runs, W)
	blocks := pdfBlocks(sc, lines)
	order := pdfReadingOrder(sc, blocks)

	parts = make([]extract.BlockPart, 0, len(order)+1)
	buf := scratchSlice(&sc.buf, len(r.text)+len(r.runs))
	defer func() { sc.buf = buf[:0] }()
	for _, bi := range order {
		b := blocks[bi]
		from := len(buf)
		for s := b.first; s != nil; s = s.below {
			if s != b.first {
				if cut := pdfHyphenCut(buf[from:], r.segStart(s)); cut > 0 {
					buf = buf[:len(buf)-cut]
				} else {
					buf = append(buf, '\n')
				}
			}
			buf = r.appendSeg(buf, s)
		}
		blk := extract.Block{HasBox: true,
			X0: clamp01(b.u0 / W), X1: clamp01(b.u1 / W),
			Y0: clamp01(b.v0 / H), Y1: clamp01(b.v1 / H)}
		switch {
		case blk.Y0 >= pdfFooterZone:
			blk.Kind = extract.BlockFooter
		case blk.Y1 <= pdfHeaderZone:
			blk.Kind = extract.BlockHeader
		case b.isTable(r):
			blk.Kind = extract.BlockTable
		}
		parts = append(parts, extract.BlockPart{Block: blk})
		parts[len(parts)-1].Text = pdfDropSoftHyphens(string(buf[from:]))
	}
	// The few runs in other directions (a vertical margin note) follow as one block, in stream order.
	if len(skewed) > 0 {
		from := len(buf)
		for k, i := range skewed {
			if k > 0 {
				buf = append(buf, '\n')
			}
			buf = append(buf, r.text[r.runs[i].start:r.runs[i].end]...)
		}
		parts = append(parts, extract.BlockPart{Text: pdfDropSoftHyphens(string(buf[from:]))})
	}
	return parts, true
}

// segStart is the text of a segment's first run (where its line starts).
func (r *pdfRuns) segStart(s *pdfSeg) []byte {
	if len(s.items) == 0 {
		return nil
	}
	run := &r.runs[s.items[0].run]
	return r.text[run.start:run.end]
}

func clamp01(x float64) float64 { return math.Min(1, math.Max(0, x)) }

// appendSeg writes a segment's runs, joined as the walker joins chunks: a gap wider than a word
// space is a space, a closer one is nothing (glyphs of one word drawn apart).
func (r *pdfRuns) appendSeg(buf []byte, s *pdfSeg) []byte {
	prevEnd := 0.0
	var prevSize float64
	for k := range s.items {
		run := &r.runs[s.items[k].run]
		if k > 0 {
			gap := run.u0 - prevEnd
			if gap > pdfSpaceGap*prevSize || gap < -pdfBackwardGap*prevSize {
				buf = append(buf, ' ')
			}
		}
		buf = append(buf, r.text[run.start:run.end]...)
		prevEnd, prevSize = run.u1, run.size
	}
	return buf
}

// pdfLines groups runs into lines by baseline and splits each line into segments at column gaps.
// It returns the segments of each line, left to right, lines top to bottom.
//
// A gap is a column gap when it is wide (pdfColumnGapEm, pdfColumnGapPage) and the lines nearby
// agree: text on another line that starts where the right-hand column starts counts for the
// split when a wide gap precedes it there too or nothing stands left of it (a column running on
// above or below the block beside it), and against it when the text there runs on from the left
// with a narrower gap (a table whose header cells are short, a label and its value).
func pdfLines(sc *pdfScratch, runs []pdfSeg, pageW float64) [][]*pdfSeg {
	slices.SortStableFunc(runs, func(a, b pdfSeg) int { return cmp.Compare(a.v, b.v) })
	raw := scratchSlice(&sc.raw, 0)
	defer func() { sc.raw = raw[:0] }()
	for i := 0; i < len(runs); {
		// A line: runs whose baselines lie within half an em of the first one's.
		j := i + 1
		for j < len(runs) && runs[j].v-runs[i].v <= pdfLineShift*math.Max(runs[i].size, runs[j].size) {
			j++
		}
		line := runs[i:j]
		slices.SortStableFunc(line, func(a, b pdfSeg) int { return cmp.Compare(a.u0, b.u0) })
		raw = append(raw, line)
		i = j
	}
	// wide[off[l]+k]: the gap before run k of line l (after the right end of all runs before it)
	// is wide enough for a column.
	wide := scratchSlice(&sc.wide, len(runs))[:len(runs)]
	clear(wide)
	off := scratchSlice(&sc.off, len(raw)+1)[:len(raw)+1]
	for l, line := range raw {
		off[l+1] = off[l] + len(line)
		end := line[0].u1
		for k := 1; k < len(line); k++ {
			gap := line[k].u0 - end
			wide[off[l]+k] = gap >= math.Max(pdfColumnGapEm*math.Max(line[k-1].size, line[k].size), pdfColumnGapPage*pageW)
			end = math.Max(end, line[k].u1)
		}
	}
	pool := scratchSlice(&sc.segs, len(runs)) // never grows: a line has at most as many segments as runs
	ptrs := scratchSlice(&sc.ptrs, len(runs))
	lines := scratchSlice(&sc.lines, len(raw))
	defer func() { sc.lines = lines[:0] }()
	for l, line := range raw {
		first := len(ptrs)
		start := 0
		flush := func(end int) {
			items := line[start:end]
			seg := pdfSeg{u0: items[0].u0, u1: items[0].u1, v: items[0].v, size: items[0].size, items: items, line: l}
			for _, it := range items[1:] {
				seg.u1 = math.Max(seg.u1, it.u1)
				seg.size = math.Max(seg.size, it.size)
				seg.v = math.Min(seg.v, it.v)
			}
			pool = append(pool, seg)
			ptrs = append(ptrs, &pool[len(pool)-1])
			start = end
		}
		for k := 1; k < len(line); k++ {
			if wide[off[l]+k] && pdfColumnVote(raw, wide, off, l, line[k].u0) {
				flush(k)
			}
		}
		flush(len(line))
		lines = append(lines, ptrs[first:len(ptrs):len(ptrs)])
	}
	return lines
}

// pdfColumnVote decides a wide gap of line l before a run starting at u: the lines within a few
// em above and below with text starting there vote (see pdfLines); the gap splits unless more
// of them run on across it than split there.
func pdfColumnVote(raw [][]pdfSeg, wide []bool, off []int, l int, u float64) bool {
	size := raw[l][0].size
	reach := 6 * size
	votes := 1
	for _, step := range []int{-1, 1} {
		for m := l + step; m >= 0 && m < len(raw) && math.Abs(raw[m][0].v-raw[l][0].v) <= reach; m += step {
			for k := 0; k < len(raw[m]); k++ {
				if math.Abs(raw[m][k].u0-u) > 0.25*size {
					continue
				}
				// A line with nothing left of the column, or a wide gap before it, shows the
				// column standing on its own.
				if k == 0 || wide[off[m]+k] {
					votes++
				} else {
					votes--
				}
				break
			}
		}
	}
	return votes > 0
}

// pdfBlocks merges segments of following lines into blocks: a segment continues a block when it
// is close below the block's last line and overlaps it horizontally, and neither has another
// candidate (a full-width line under two columns starts a block of its own).
func pdfBlocks(sc *pdfScratch, lines [][]*pdfSeg) []*pdfBlock {
	nseg := 0
	for _, segs := range lines {
		nseg += len(segs)
	}
	pool := scratchSlice(&sc.blocks, nseg) // never grows: at most one block per segment
	blocks := scratchSlice(&sc.bptrs, nseg)
	open, next := scratchSlice(&sc.open, 0), scratchSlice(&sc.next, 0) // blocks that may still grow
	cand := scratchSlice(&sc.cand, 0)                                  // per segment of the line: its only candidate, or nil
	ncand := scratchSlice(&sc.ncand, 0)
	defer func() { sc.open, sc.next, sc.cand, sc.ncand = open[:0], next[:0], cand[:0], ncand[:0] }()
	for _, segs := range lines {
		cand, ncand = cand[:0], ncand[:0]
		for _, b := range open {
			b.claims = 0
		}
		for _, s := range segs {
			var c *pdfBlock
			n := 0
			for _, b := range open {
				if b.reaches(s) {
					c = b
					n++
					b.claims++
				}
			}
			cand, ncand = append(cand, c), append(ncand, n)
		}
		next = next[:0]
		for si, s := range segs {
			if b := cand[si]; ncand[si] == 1 && b.claims == 1 {
				b.add(s)
				next = append(next, b)
				continue
			}
			pool = append(pool, pdfBlock{u0: s.u0, u1: s.u1, v0: s.v - 0.8*s.size, v1: s.v + 0.25*s.size, lastV: s.v, size: s.size, first: s, last: s})
			b := &pool[len(pool)-1]
			blocks = append(blocks, b)
			next = append(next, b)
		}
		// Blocks not continued stay open while a later line might still be close enough
		// (a short column beside a longer one).
		for _, b := range open {
			if b.last.line != segs[0].line && segs[0].v-b.lastV < 4*b.size+pdfBlockGapGrowth*b.spacing {
				next = append(next, b)
			}
		}
		open, next = next, open
	}
	return blocks
}

// isTable reports whether the block's lines are rows of cells: at least two lines have a gap of
// pdfCellGapEm or more inside them, and such gaps open onto the same column (cells starting at
// the same x) on at least two lines. The text keeps its spaces; only the Kind says "table".
func (b *pdfBlock) isTable(r *pdfRuns) bool {
	if b.first == b.last {
		return false
	}
	var starts [16]float64 // cell starts seen on earlier lines
	n, rows := 0, 0
	shared := false
	for s := b.first; s != nil; s = s.below {
		cells := 0
		for k := 1; k < len(s.items); k++ {
			prev, cur := &r.runs[s.items[k-1].run], &r.runs[s.items[k].run]
			if cur.u0-prev.u1 < pdfCellGapEm*math.Max(prev.size, cur.size) {
				continue
			}
			cells++
			for i := 0; i < n; i++ {
				if math.Abs(starts[i]-cur.u0) <= 0.25*cur.size {
					shared = true
				}
			}
			if n < len(starts) {
				starts[n] = cur.u0
				n++
			}
		}
		if cells > 0 {
			rows++
		}
	}
	return rows >= 2 && shared
}

// reaches reports whether segment s may be the next line of b.
func (b *pdfBlock) reaches(s *pdfSeg) bool {
	dv := s.v - b.lastV
	if dv <= 0 {
		return false
	}
	// A line in a clearly different font size has another role: the return address above a
	// window's addressee, a heading above its text.
	last := b.last.size
	if math.Max(last, s.size) > pdfBlockSizeJump*math.Min(last, s.size) {
		return false
	}
	size := math.Max(b.size, s.size)
	limit := pdfBlockLineGap * size
	if b.spacing > 0 {
		limit = math.Max(limit, pdfBlockGapGrowth*b.spacing)
	}
	if dv > limit {
		return false
	}
	return math.Min(b.u1, s.u1)-math.Max(b.u0, s.u0) > 0
}

func (b *pdfBlock) add(s *pdfSeg) {
	if b.first == b.last {
		b.spacing = s.v - b.lastV
	}
	b.last.below, b.last = s, s
	b.u0, b.u1 = math.Min(b.u0, s.u0), math.Max(b.u1, s.u1)
	b.v1 = math.Max(b.v1, s.v+0.25*s.size)
	b.lastV = s.v
	b.size = math.Max(b.size, s.size)
}

// pdfReadingOrder orders blocks: of two blocks that overlap horizontally the upper one comes
// first; of two side by side (overlapping vertically) that start at about the same height the
// left one, else the one starting higher; blocks apart in both directions are not related.
// The relation is applied as a topological sort, taking the top-most (then left-most) ready
// block each time, so a column is read down before the column to its right when both start at
// about the same height, and a full-width block below both comes after both.
func pdfReadingOrder(sc *pdfScratch, blocks []*pdfBlock) []int {
	n := len(blocks)
	before := func(a, b *pdfBlock) bool {
		hOverlap := math.Min(a.u1, b.u1)-math.Max(a.u0, b.u0) > 0
		vOverlap := math.Min(a.v1, b.v1)-math.Max(a.v0, b.v0) > 0
		switch {
		case hOverlap:
			return a.v0 < b.v0
		case vOverlap && math.Abs(a.v0-b.v0) <= pdfSideBySide*math.Max(a.size, b.size):
			return a.u0 < b.u0
		case vOverlap:
			return a.v0 < b.v0
		}
		return false
	}
	indeg := scratchSlice(&sc.indeg, n)[:n]
	clear(indeg)
	after := scratchSlice(&sc.after, n*n)[:n*n] // after[i*n+j]: i comes before j
	clear(after)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j && before(blocks[i], blocks[j]) {
				after[i*n+j] = true
				indeg[j]++
			}
		}
	}
	done := scratchSlice(&sc.done, n)[:n]
	clear(done)
	order := scratchSlice(&sc.order, n)
	for len(order) < n {
		best := -1
		for i := 0; i < n; i++ {
			if done[i] || indeg[i] > 0 {
				continue
			}
			if best < 0 || pdfTopLeft(blocks[i], blocks[best]) {
				best = i
			}
		}
		if best < 0 {
			// A cycle (overlapping boxes): take the top-most remaining block.
			for i := 0; i < n; i++ {
				if !done[i] && (best < 0 || pdfTopLeft(blocks[i], blocks[best])) {
					best = i
				}
			}
		}
		done[best] = true
		order = append(order, best)
		for j := 0; j < n; j++ {
			if after[best*n+j] {
				indeg[j]--
			}
		}
	}
	return order
}

// pdfTopLeft: a starts higher than b (by more than half a line), else further left.
func pdfTopLeft(a, b *pdfBlock) bool {
	if math.Abs(a.v0-b.v0) > 0.5*math.Max(a.size, b.size) {
		return a.v0 < b.v0
	}
	return a.u0 < b.u0
}

// pdfScratch holds the layout pass's working slices, reused page after page (a document's pages
// are read one at a time). Nothing in it outlives the page: layoutPage copies the text out.
type pdfScratch struct {
	runs, segs   []pdfSeg
	raw          [][]pdfSeg
	ptrs         []*pdfSeg
	lines        [][]*pdfSeg
	blocks       []pdfBlock
	bptrs        []*pdfBlock
	open, next   []*pdfBlock
	cand         []*pdfBlock
	ncand, off   []int
	indeg, order []int
	skewed       []int
	wide, after  []bool
	done         []bool
	buf          []byte
}

// scratchSlice returns *p emptied, with room for n elements.
func scratchSlice[T any](p *[]T, n int) []T {
	if cap(*p) < n {
		*p = make([]T, 0, n+n/4)
	}
	return (*p)[:0]
}
