package pdf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"

	"github.com/sendevagt/sendevagt/internal/extract"
)

// The layout walker: it interprets a page's content stream (and the Form XObjects and annotation
// appearances it draws) far enough to know where each piece of text lands, and turns positions
// into text: a move to another baseline is a newline, a gap on the same baseline wider than
// pdfSpaceGap em (a TJ kerning below -180, a word placed separately with Td or Tm) is a space, and
// glyphs placed one by one right after each other stay one word. The same decisions group the
// placed text into runs (runs.go), which the layout pass (layout.go) arranges in reading
// order; a page whose layout cannot be trusted keeps the text in content order.

const (
	pdfMaxFormDepth     = 6        // nested Form XObjects followed
	pdfMaxFormCalls     = 5000     // Form XObjects drawn per page
	pdfMaxOpsPerPage    = 20 << 20 // operators interpreted per page, forms included
	pdfMaxContentBytes  = 64 << 20 // decoded content bytes per page, forms included
	pdfMaxGStateDepth   = 1024     // q nesting kept
	pdfMaxOperands      = 4096     // operands kept before an operator
	pdfMaxAnnots        = 1000     // annotations per page
	pdfSpaceGap         = 0.18     // same-line gap (in em) that separates words
	pdfLineShift        = 0.5      // baseline shift (in em) that starts a new line
	pdfBackwardGap      = 0.7      // moving back this far (in em) on the same line separates too
	pdfCtxCheckInterval = 1024     // operators between ctx checks
)

var (
	errPDFPageBudget   = errors.New("page too complex")
	errPDFContentLimit = errors.New("page content too large")
)

type pdfMatrix [6]float64 // a b c d e f

var pdfIdentity = pdfMatrix{1, 0, 0, 1, 0, 0}

// mul returns m×n: apply m, then n.
func (m pdfMatrix) mul(n pdfMatrix) pdfMatrix {
	return pdfMatrix{
		m[0]*n[0] + m[1]*n[2],
		m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2],
		m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4],
		m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

func (m pdfMatrix) apply(x, y float64) (float64, float64) {
	return x*m[0] + y*m[2] + m[4], x*m[1] + y*m[3] + m[5]
}

func pdfTranslate(x, y float64) pdfMatrix { return pdfMatrix{1, 0, 0, 1, x, y} }

type pdfGState struct {
	ctm                       pdfMatrix
	tc, tw, th, tl, tfs, rise float64
	font                      *pdfFont
}

// pdfDoc holds what is shared by the pages of one document.
type pdfDoc struct {
	ctx   context.Context
	fonts map[string]*pdfFont
	// raw is the file as the library reads it, for streams in filters the library lacks
	// (filters.go); nil for an encrypted file.
	raw *pdfImage
	// runText, runs and scratch are the layout pass's buffers, reused page after page.
	runText []byte
	runs    []pdfRun
	scratch pdfScratch
}

// pdfFrame is one content stream being interpreted with its resources.
type pdfFrame struct {
	res   pdf.Value
	fonts map[string]*pdfFont
}

type pdfPageWalker struct {
	doc   *pdfDoc
	out   pdfTextBuf
	runs  pdfRuns // the same text as positioned runs, for the layout pass
	gs    pdfGState
	stack []pdfGState
	tm    pdfMatrix
	tlm   pdfMatrix

	hasLast  bool
	lastX    float64
	lastY    float64
	lastDirX float64
	lastDirY float64
	lastSize float64

	glyphs   int // codes shown in composite fonts
	unmapped int // of which no text is known
	otherMap int // of those, in fonts without a standard CJK ordering

	ops        int
	forms      int
	contentBuf int   // decoded content bytes still allowed
	readErr    error // a content stream could be read only in part
	formCache  map[string][]byte
}

func newPDFPageWalker(doc *pdfDoc, maxText int) *pdfPageWalker {
	w := &pdfPageWalker{doc: doc, contentBuf: pdfMaxContentBytes}
	w.out.max = maxText
	w.runs.max = maxText
	w.runs.text, w.runs.runs, w.runs.scratch = doc.runText[:0], doc.runs[:0], doc.scratch
	w.gs = pdfGState{ctm: pdfIdentity, th: 1}
	w.tm, w.tlm = pdfIdentity, pdfIdentity
	return w
}

// pageText walks one page. It returns the text read so far together with any error (a panic
// inside the library becomes an error), and whether the text limit cut it. A page read whole
// comes out in reading order with its blocks (layout.go) unless its layout cannot be
// trusted; a page read in part keeps the stream order.
func (d *pdfDoc) pageText(page pdfPageRef, maxText int) (text string, blocks []extract.Block, truncated bool, stats pdfGlyphStats, err error) {
	w := newPDFPageWalker(d, maxText)
	defer func() { d.runText, d.runs, d.scratch = w.runs.text[:0], w.runs.runs[:0], w.runs.scratch }()
	defer func() {
		stats = pdfGlyphStats{shown: w.glyphs, unmapped: w.unmapped, nonCJK: w.otherMap}
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errPDFLibraryPanic, r)
			text, blocks, truncated = w.out.String(), nil, w.out.truncated
		}
	}()
	err = w.walkPage(page)
	if err == nil && w.readErr != nil && w.out.len() == 0 {
		err = w.readErr
	}
	// A page cut by the text limit is laid out too: its runs are the text read so far.
	if err == nil {
		if parts, ok := w.runs.layoutPage(pdfPageGeom(page.inh)); ok {
			p, cut := extract.AssemblePage(0, parts, maxText, false)
			if len(p.Blocks) > 0 {
				return p.Text, p.Blocks, cut || w.out.truncated || w.runs.overflow, stats, nil
			}
		}
	}
	return w.out.String(), nil, w.out.truncated, stats, err
}

var errPDFLibraryPanic = errors.New("pdf library panic")

func (w *pdfPageWalker) walkPage(page pdfPageRef) error {
	contents := page.v.Key("Contents")
	var data []byte
	switch contents.Kind() {
	case pdf.Stream:
		data = w.readStream(contents)
	case pdf.Array:
		for i := 0; i < contents.Len() && w.contentBuf > 0; i++ {
			if s := contents.Index(i); s.Kind() == pdf.Stream {
				data = append(data, w.readStream(s)...)
				data = append(data, '\n')
			}
		}
	}
	if w.contentBuf <= 0 {
		return errPDFContentLimit
	}
	fr := &pdfFrame{res: page.res, fonts: map[string]*pdfFont{}}
	if err := w.run(data, fr, 0); err != nil {
		return err
	}
	return w.walkAnnots(page)
}

// readStream returns a stream's decoded bytes within the page's content budget. A stream that
// fails part way (bad Length, corrupt Flate data) yields what could be read.
func (w *pdfPageWalker) readStream(v pdf.Value) []byte {
	if w.contentBuf <= 0 {
		return nil
	}
	data, err := w.decodeStream(v)
	if len(data) > w.contentBuf {
		w.contentBuf = 0
		return data[:0]
	}
	w.contentBuf -= len(data)
	if err != nil && w.readErr == nil {
		w.readErr = err
	}
	return data
}

// decodeStream decodes a stream with the library, or, for a filter the library lacks, from the
// file's bytes (filters.go). It reads at most contentBuf+1 bytes.
func (w *pdfPageWalker) decodeStream(v pdf.Value) (data []byte, err error) {
	ok := pdfSafe(func() {
		rc := v.Reader()
		defer rc.Close()
		data, err = io.ReadAll(io.LimitReader(rc, int64(w.contentBuf)+1))
	})
	if ok {
		return data, err
	}
	if w.doc.raw == nil {
		panic(errPDFFilter) // as the library would: the page (or form) is unreadable
	}
	return pdfRawStream(w.doc.raw, w.doc.raw.size(), v, w.contentBuf+1)
}

func (w *pdfPageWalker) walkAnnots(page pdfPageRef) error {
	annots := page.v.Key("Annots")
	n := annots.Len()
	if n > pdfMaxAnnots {
		n = pdfMaxAnnots
	}
	for i := 0; i < n; i++ {
		var err error
		if !pdfSafe(func() { err = w.walkAnnot(annots, i) }) {
			if w.readErr == nil {
				w.readErr = errors.New("unreadable annotation")
			}
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// walkAnnot draws the normal appearance of annotation i, if it has one and is visible.
func (w *pdfPageWalker) walkAnnot(annots pdf.Value, i int) error {
	a := annots.Index(i)
	if a.Kind() != pdf.Dict {
		return nil
	}
	switch a.Key("Subtype").Name() {
	case "Link", "Popup":
		return nil
	}
	if a.Key("F").Int64()&2 != 0 { // hidden
		return nil
	}
	ap := a.Key("AP").Key("N")
	if ap.Kind() == pdf.Dict {
		ap = ap.Key(a.Key("AS").Name())
	}
	if ap.Kind() != pdf.Stream {
		return nil
	}
	// Place the appearance at the annotation's rectangle (translation only: enough for layout).
	at := pdfIdentity
	if rect := a.Key("Rect"); rect.Len() == 4 {
		x0 := math.Min(rect.Index(0).Float64(), rect.Index(2).Float64())
		y0 := math.Min(rect.Index(1).Float64(), rect.Index(3).Float64())
		bx, by := 0.0, 0.0
		if bbox := ap.Key("BBox"); bbox.Len() == 4 {
			bx, by = bbox.Index(0).Float64(), bbox.Index(1).Float64()
		}
		at = pdfTranslate(x0-bx, y0-by)
	}
	w.hasLast = false
	w.out.newline()
	w.runs.breakRun()
	saved := w.gs
	defer func() { w.gs = saved }()
	w.gs = pdfGState{ctm: at, th: 1}
	return w.drawForm(ap, &pdfFrame{res: pdf.Value{}, fonts: map[string]*pdfFont{}}, 0)
}

// formContent returns a form's decoded content, decoding each form once per page (a stream prints
// as its dictionary and file offset, which identifies it). Every use still counts against the
// page's content budget.
func (w *pdfPageWalker) formContent(xo pdf.Value) []byte {
	key := xo.String()
	if data, ok := w.formCache[key]; ok {
		w.contentBuf -= len(data)
		return data
	}
	data := w.readStream(xo)
	if w.formCache == nil {
		w.formCache = map[string][]byte{}
	}
	w.formCache[key] = data
	return data
}

// drawForm interprets a Form XObject with the current graphics state.
func (w *pdfPageWalker) drawForm(xo pdf.Value, parent *pdfFrame, depth int) error {
	if depth > pdfMaxFormDepth || w.forms >= pdfMaxFormCalls {
		return nil
	}
	w.forms++
	var data []byte
	if !pdfSafe(func() { data = w.formContent(xo) }) {
		// An unreadable form (unsupported filter, broken object) costs its own text only.
		if w.readErr == nil {
			w.readErr = errors.New("unreadable form")
		}
		return nil
	}
	if w.contentBuf <= 0 {
		return errPDFContentLimit
	}
	fr := parent
	if res := xo.Key("Resources"); res.Kind() == pdf.Dict {
		fr = &pdfFrame{res: res, fonts: map[string]*pdfFont{}}
	}
	savedGS, savedStack, savedTM, savedTLM := w.gs, len(w.stack), w.tm, w.tlm
	defer func() { w.gs, w.stack, w.tm, w.tlm = savedGS, w.stack[:savedStack], savedTM, savedTLM }()
	if m, ok := pdfMatrixOf(xo.Key("Matrix")); ok {
		w.gs.ctm = m.mul(w.gs.ctm)
	}
	return w.run(data, fr, depth)
}

func pdfMatrixOf(v pdf.Value) (pdfMatrix, bool) {
	if v.Kind() != pdf.Array || v.Len() != 6 {
		return pdfIdentity, false
	}
	var m pdfMatrix
	for i := range m {
		m[i] = v.Index(i).Float64()
	}
	return m, true
}

// run interprets one content stream.
func (w *pdfPageWalker) run(data []byte, fr *pdfFrame, depth int) error {
	lx := pdfLexer{b: data}
	args := make([]pdfObj, 0, 16)
	for {
		o := lx.next()
		switch o.k {
		case pdfEOF:
			return nil
		case pdfOp:
		case pdfArrEnd, pdfDictEnd, pdfBad:
			continue
		default:
			if len(args) >= pdfMaxOperands {
				args = args[:0]
			}
			args = append(args, o)
			continue
		}
		w.ops++
		if w.ops%pdfCtxCheckInterval == 0 {
			if err := w.doc.ctx.Err(); err != nil {
				return err
			}
		}
		if w.ops > pdfMaxOpsPerPage {
			return errPDFPageBudget
		}
		if w.out.truncated {
			return nil
		}
		if o.s == "BI" {
			w.skipInlineImage(&lx)
			args = args[:0]
			continue
		}
		if err := w.op(o.s, args, fr, depth); err != nil {
			return err
		}
		args = args[:0]
	}
}

func (w *pdfPageWalker) skipInlineImage(lx *pdfLexer) {
	length := -1
	var key string
	for {
		o := lx.next()
		switch o.k {
		case pdfEOF:
			return
		case pdfOp:
			if o.s == "ID" {
				lx.skipInlineImage(length)
				return
			}
			if o.s == "EI" {
				return
			}
		case pdfName:
			if key == "" {
				key = o.s
				continue
			}
		case pdfNum:
			if key == "L" || key == "Length" {
				length = int(o.n)
			}
		}
		key = ""
	}
}

// nums returns the last n operands as numbers, or false.
func pdfNums(args []pdfObj, n int) ([]float64, bool) {
	if len(args) < n {
		return nil, false
	}
	out := make([]float64, n)
	for i, a := range args[len(args)-n:] {
		if a.k != pdfNum {
			return nil, false
		}
		out[i] = a.n
	}
	return out, true
}

func pdfNum1(args []pdfObj) (float64, bool) {
	if len(args) == 0 || args[len(args)-1].k != pdfNum {
		return 0, false
	}
	return args[len(args)-1].n, true
}

func (w *pdfPageWalker) op(op string, args []pdfObj, fr *pdfFrame, depth int) error {
	switch op {
	case "q":
		if len(w.stack) < pdfMaxGStateDepth {
			w.stack = append(w.stack, w.gs)
		}
	case "Q":
		if n := len(w.stack); n > 0 {
			w.gs = w.stack[n-1]
			w.stack = w.stack[:n-1]
		}
	case "cm":
		if v, ok := pdfNums(args, 6); ok {
			w.gs.ctm = pdfMatrix{v[0], v[1], v[2], v[3], v[4], v[5]}.mul(w.gs.ctm)
		}
	case "BT":
		w.tm, w.tlm = pdfIdentity, pdfIdentity
	case "Tc":
		if v, ok := pdfNum1(args); ok {
			w.gs.tc = v
		}
	case "Tw":
		if v, ok := pdfNum1(args); ok {
			w.gs.tw = v
		}
	case "Tz":
		if v, ok := pdfNum1(args); ok {
			w.gs.th = v / 100
		}
	case "TL":
		if v, ok := pdfNum1(args); ok {
			w.gs.tl = v
		}
	case "Ts":
		if v, ok := pdfNum1(args); ok {
			w.gs.rise = v
		}
	case "Tf":
		if len(args) >= 2 && args[len(args)-2].k == pdfName {
			w.gs.font = w.font(fr, args[len(args)-2].s)
			w.gs.tfs = args[len(args)-1].n
		}
	case "Td":
		if v, ok := pdfNums(args, 2); ok {
			w.moveLine(v[0], v[1])
		}
	case "TD":
		if v, ok := pdfNums(args, 2); ok {
			w.gs.tl = -v[1]
			w.moveLine(v[0], v[1])
		}
	case "Tm":
		if v, ok := pdfNums(args, 6); ok {
			w.tm = pdfMatrix{v[0], v[1], v[2], v[3], v[4], v[5]}
			w.tlm = w.tm
		}
	case "T*":
		w.moveLine(0, -w.gs.tl)
	case "Tj":
		if len(args) > 0 && args[len(args)-1].k == pdfStr {
			w.show(args[len(args)-1].s)
		}
	case "'":
		w.moveLine(0, -w.gs.tl)
		if len(args) > 0 && args[len(args)-1].k == pdfStr {
			w.show(args[len(args)-1].s)
		}
	case "\"":
		if len(args) >= 3 && args[len(args)-1].k == pdfStr {
			w.gs.tw, w.gs.tc = args[len(args)-3].n, args[len(args)-2].n
			w.moveLine(0, -w.gs.tl)
			w.show(args[len(args)-1].s)
		}
	case "TJ":
		if len(args) > 0 && args[len(args)-1].k == pdfArr {
			for _, e := range args[len(args)-1].a {
				switch e.k {
				case pdfStr:
					w.show(e.s)
				case pdfNum:
					tx := -e.n / 1000 * w.gs.tfs * w.gs.th
					w.tm = pdfTranslate(tx, 0).mul(w.tm)
				}
			}
		}
	case "Do":
		if len(args) == 0 || args[len(args)-1].k != pdfName {
			break
		}
		var xo pdf.Value
		isForm := false
		if !pdfSafe(func() {
			xo = fr.res.Key("XObject").Key(args[len(args)-1].s)
			isForm = xo.Kind() == pdf.Stream && xo.Key("Subtype").Name() == "Form"
		}) {
			if w.readErr == nil {
				w.readErr = errors.New("unreadable XObject")
			}
			break
		}
		if isForm {
			return w.drawForm(xo, fr, depth+1)
		}
	}
	return nil
}

func (w *pdfPageWalker) moveLine(tx, ty float64) {
	w.tlm = pdfTranslate(tx, ty).mul(w.tlm)
	w.tm = w.tlm
}

// font resolves a font resource name through the frame's resources and the document's cache.
func (w *pdfPageWalker) font(fr *pdfFrame, name string) *pdfFont {
	if f, ok := fr.fonts[name]; ok {
		return f
	}
	f := pdfDefaultFont
	func() {
		defer func() {
			if recover() != nil {
				f = pdfDefaultFont
			}
		}()
		v := fr.res.Key("Font").Key(name)
		if v.Kind() != pdf.Dict {
			return
		}
		key := pdfFontKey(v)
		if cached, ok := w.doc.fonts[key]; ok {
			f = cached
			return
		}
		f = pdfLoadFont(v)
		w.doc.fonts[key] = f
	}()
	fr.fonts[name] = f
	return f
}

// pdfDefaultFont stands in when Tf names no usable font: WinAnsi text, Helvetica widths.
var pdfDefaultFont = func() *pdfFont {
	f := &pdfFont{widthScale: 0.001, dw: 1000}
	for c := 0; c < 256; c++ {
		f.simpleText[c] = string(pdfCP1252[c])
		f.simpleWidth[c] = float64(pdfAFMHelvetica[c])
	}
	return f
}()

// show decodes one string operand, advances the text matrix and places the text.
func (w *pdfPageWalker) show(s string) {
	if s == "" {
		return
	}
	f := w.gs.font
	if f == nil {
		f = pdfDefaultFont
	}
	g := &w.gs
	m := w.tm.mul(g.ctm)
	sx, sy := m.apply(0, g.rise)
	dirX, dirY := m[0], m[1]
	if g.th*g.tfs < 0 {
		dirX, dirY = -dirX, -dirY
	}
	if l := math.Hypot(dirX, dirY); l > 1e-9 {
		dirX, dirY = dirX/l, dirY/l
	} else {
		dirX, dirY = 1, 0
	}
	size := math.Abs(g.tfs) * math.Hypot(m[2], m[3])

	var text []byte
	adv := 0.0
	if !f.twoByte {
		for i := 0; i < len(s); i++ {
			c := s[i]
			text = append(text, f.simpleText[c]...)
			a := f.simpleWidth[c]*f.widthScale*g.tfs + g.tc
			if c == ' ' {
				a += g.tw
			}
			adv += a * g.th
		}
	} else {
		for i := 0; i < len(s); {
			n := f.codeLen(s[i:])
			if n <= 0 {
				n = 1
			}
			if i+n > len(s) {
				n = len(s) - i
			}
			raw := s[i : i+n]
			code := pdfCode(raw)
			i += n
			w.glyphs++
			switch t, ok := f.compositeText(n, code); {
			case ok:
				text = append(text, t...)
			case f.ucs2:
				text = utf8.AppendRune(text, rune(code))
			default:
				w.unmapped++
				if !f.cjkOrdering {
					w.otherMap++
				}
			}
			a := f.cidWidth(code)*f.widthScale*g.tfs + g.tc
			if n == 1 && code == ' ' {
				a += g.tw
			}
			adv += a * g.th
		}
	}
	w.tm = pdfTranslate(adv, 0).mul(w.tm)
	ex, ey := w.tm.mul(g.ctm).apply(0, g.rise)
	w.place(text, sx, sy, ex, ey, dirX, dirY, size)
}

// place writes a decoded chunk, separated from the previous one by a newline, a space or nothing
// according to where it starts relative to where the previous one ended.
func (w *pdfPageWalker) place(text []byte, sx, sy, ex, ey, dirX, dirY, size float64) {
	if len(text) == 0 {
		return
	}
	if size < 1e-3 {
		size = 1e-3
	}
	join, along := 2, 0.0
	if w.hasLast {
		dx, dy := sx-w.lastX, sy-w.lastY
		along = dx*w.lastDirX + dy*w.lastDirY
		perp := w.lastDirX*dy - w.lastDirY*dx
		ref := math.Max(w.lastSize, size)
		switch {
		case math.Abs(perp) > pdfLineShift*ref || dirX*w.lastDirX+dirY*w.lastDirY < 0.9:
			w.out.newline()
		case along > pdfSpaceGap*w.lastSize || along < -pdfBackwardGap*w.lastSize:
			w.out.space()
			join = 1
		default:
			join = 0
		}
	}
	w.out.writeText(text)
	w.runs.add(text, join, along, sx, sy, ex, ey, dirX, dirY, size, w.lastSize)
	w.hasLast = true
	w.lastX, w.lastY = ex, ey
	w.lastDirX, w.lastDirY = dirX, dirY
	w.lastSize = size
}

// pdfTextBuf accumulates page text: runs of blanks become one space, no blank lines, nothing
// leading or trailing, control characters mapped, and at most max bytes.
type pdfTextBuf struct {
	b         []byte
	max       int
	pendSpace bool
	pendNL    bool
	truncated bool
}

func (t *pdfTextBuf) len() int { return len(t.b) }

func (t *pdfTextBuf) String() string { return string(t.b) }

func (t *pdfTextBuf) newline() {
	if len(t.b) > 0 {
		t.pendNL = true
		t.pendSpace = false
	}
}

func (t *pdfTextBuf) space() {
	if len(t.b) > 0 && !t.pendNL {
		t.pendSpace = true
	}
}

func (t *pdfTextBuf) writeText(s []byte) {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRune(s[i:])
		i += size
		t.writeRune(r)
	}
}

func (t *pdfTextBuf) writeString(s string) {
	for _, r := range s {
		t.writeRune(r)
	}
}

// pdfRuneAct is what a decoded rune becomes in page text.
type pdfRuneAct int

const (
	pdfRuneKeep pdfRuneAct = iota
	pdfRuneBreak
	pdfRuneSpace
	pdfRuneDrop
	pdfRuneLigature
)

// pdfCleanRune maps a decoded rune for page text (shared by the stream-order text and the runs
// of the layout pass, so both spell the same text).
func pdfCleanRune(r rune) (rune, pdfRuneAct) {
	if r > ' ' && r < 0x7f {
		return r, pdfRuneKeep // the common case
	}
	switch {
	case r == '\n' || r == '\r' || r == '\f' || r == '\v':
		return r, pdfRuneBreak
	case r == 0x13 || r == 0x14:
		// Seen for en dashes in subset fonts whose ToUnicode maps to the glyph's code.
		return '-', pdfRuneKeep
	case r < 0x20 || (r >= 0x7f && r < 0xa0) || r == 0xa0 || r == 0x2028 || r == 0x2029 || r == ' ':
		return r, pdfRuneSpace
	case r == 0xad || r == 0x200b || r == 0x200c || r == 0x200d || r == 0x2060 || r == 0xfeff:
		return r, pdfRuneDrop
	case r >= 0xfb00 && r <= 0xfb06:
		return r, pdfRuneLigature
	}
	return r, pdfRuneKeep
}

func (t *pdfTextBuf) writeRune(r rune) {
	if t.truncated {
		return
	}
	r, act := pdfCleanRune(r)
	switch act {
	case pdfRuneBreak:
		t.newline()
		return
	case pdfRuneSpace:
		t.space()
		return
	case pdfRuneDrop:
		return
	case pdfRuneLigature:
		t.writeString(pdfLigatures[r-0xfb00])
		return
	}
	var sep byte
	if t.pendNL {
		sep = '\n'
	} else if t.pendSpace {
		sep = ' '
	}
	need := utf8.RuneLen(r)
	if need < 0 {
		need = 3
	}
	if sep != 0 {
		need++
	}
	if len(t.b)+need > t.max {
		t.truncated = true
		return
	}
	if sep != 0 {
		t.b = append(t.b, sep)
	}
	t.pendNL, t.pendSpace = false, false
	t.b = utf8.AppendRune(t.b, r)
}

var pdfLigatures = [7]string{"ff", "fi", "fl", "ffi", "ffl", "ft", "st"}
