package extract

import (
	"bytes"
	"encoding/xml"
	"strconv"
)

// Structure of a Word document as blocks and pages. Paragraphs that follow each other without
// space between them (an address block in a "No Spacing" style, lines of a letterhead) form one
// block; space before or after a paragraph, an empty paragraph, a table or a text box ends it.
// A table is one block (rows on lines, cells separated by tabs), a text box is one block, and
// the paragraphs of a header or footer part are blocks of that kind. An explicit page break
// (w:br w:type="page", w:pageBreakBefore) or a section break that starts a new page (w:sectPr
// in a paragraph, as mail merge writes one per letter) starts a new Page. Word's own record of
// where it last broke pages (w:lastRenderedPageBreak) is ignored: it depends on the printer.

// docxStyles holds what the block and page logic needs from styles.xml.
type docxStyles struct {
	defBefore, defAfter int // docDefaults, twentieths of a point
	defStyle            string
	styles              map[string]*docxStyle
}

type docxStyle struct {
	basedOn       string
	before, after int // -1 when not set
	breakBefore   int // -1 not set, 0 off, 1 on
	contextual    int // -1 not set, 0 off, 1 on
}

// docxPPr is the part of a paragraph's w:pPr the flow uses.
type docxPPr struct {
	Style   docxVal `xml:"pStyle"`
	Spacing struct {
		Before string `xml:"before,attr"`
		After  string `xml:"after,attr"`
	} `xml:"spacing"`
	PageBreakBefore *docxVal `xml:"pageBreakBefore"`
	Contextual      *docxVal `xml:"contextualSpacing"`
	SectPr          *struct {
		Type docxVal `xml:"type"`
	} `xml:"sectPr"`
}

type docxVal struct {
	Val string `xml:"val,attr"`
}

// on reads an OOXML on/off property: present without w:val, or with a true value.
func (v *docxVal) on() int {
	if v == nil {
		return -1
	}
	switch v.Val {
	case "0", "false", "off":
		return 0
	}
	return 1
}

func twips(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return max(n, 0)
}

// parseDocxStyles reads styles.xml; a missing or broken part gives Word's built-in defaults
// (no paragraph spacing).
func parseDocxStyles(data []byte) *docxStyles {
	st := &docxStyles{styles: map[string]*docxStyle{}}
	if len(data) == 0 {
		return st
	}
	var doc struct {
		Defaults struct {
			PPr docxPPr `xml:"pPrDefault>pPr"`
		} `xml:"docDefaults"`
		Styles []struct {
			Type    string  `xml:"type,attr"`
			ID      string  `xml:"styleId,attr"`
			Default string  `xml:"default,attr"`
			BasedOn docxVal `xml:"basedOn"`
			PPr     docxPPr `xml:"pPr"`
		} `xml:"style"`
	}
	if newXMLDecoder(bytes.NewReader(data)).Decode(&doc) != nil {
		return st
	}
	st.defBefore = max(twips(doc.Defaults.PPr.Spacing.Before), 0)
	st.defAfter = max(twips(doc.Defaults.PPr.Spacing.After), 0)
	for _, s := range doc.Styles {
		if s.Type != "paragraph" || s.ID == "" {
			continue
		}
		st.styles[s.ID] = &docxStyle{basedOn: s.BasedOn.Val,
			before: twips(s.PPr.Spacing.Before), after: twips(s.PPr.Spacing.After),
			breakBefore: s.PPr.PageBreakBefore.on(), contextual: s.PPr.Contextual.on()}
		if s.Default == "1" || s.Default == "true" {
			st.defStyle = s.ID
		}
	}
	return st
}

// resolve returns a paragraph's spacing, page-break-before and contextual spacing from its own
// properties, its style chain and the defaults.
func (st *docxStyles) resolve(p *docxPPr) (style string, before, after int, breakBefore, contextual bool) {
	style = p.Style.Val
	if style == "" {
		style = st.defStyle
	}
	before, after = twips(p.Spacing.Before), twips(p.Spacing.After)
	bb, ctx := p.PageBreakBefore.on(), p.Contextual.on()
	seen := 0
	for id := style; id != "" && seen < 16; seen++ {
		s := st.styles[id]
		if s == nil {
			break
		}
		if before < 0 {
			before = s.before
		}
		if after < 0 {
			after = s.after
		}
		if bb < 0 {
			bb = s.breakBefore
		}
		if ctx < 0 {
			ctx = s.contextual
		}
		id = s.basedOn
	}
	if before < 0 {
		before = st.defBefore
	}
	if after < 0 {
		after = st.defAfter
	}
	return style, before, after, bb == 1, ctx == 1
}

// docxGapTwips is the paragraph spacing (3 pt) from which paragraphs are separate blocks.
const docxGapTwips = 60

// textFlow is the block and page state of one part being streamed: a Word part (ooxmlFlowText)
// or an OpenDocument text (odfText, odf_flow.go).
type textFlow struct {
	s      *sink
	styles *docxStyles // Word only
	odf    odfStyles   // OpenDocument only
	kind   BlockKind   // of body paragraphs in this part
	breaks bool        // page breaks start pages (the main document only)

	nested     int  // open tables and text boxes: their paragraphs are not blocks of their own
	paraOpen   bool // a top-level paragraph whose properties are not decided yet
	paraStart  int  // len(cur) at its start
	joinable   bool // the previous top-level item was a non-empty paragraph the next may join
	prevStyle  string
	prevAfter  int
	prevCtx    bool
	breakAfter bool // the paragraph ends a section that starts a new page
}

func (f *textFlow) paraBegin() {
	if f.nested > 0 {
		return
	}
	f.paraOpen = true
	f.paraStart = len(f.s.cur)
	f.breakAfter = false
}

// paraProps decides where a Word paragraph goes once its properties are known (p nil: none).
func (f *textFlow) paraProps(p *docxPPr) {
	if !f.paraOpen {
		return
	}
	if p == nil {
		p = &docxPPr{}
	}
	if f.styles == nil {
		f.styles = parseDocxStyles(nil)
	}
	style, before, after, breakBefore, ctx := f.styles.resolve(p)
	f.paraPlace(style, before, after, breakBefore, ctx, p.SectPr != nil && p.SectPr.Type.Val != "continuous")
}

// paraPlace decides where the open paragraph goes: spacing in twentieths of a point; breakAfter
// says that a new page follows it.
func (f *textFlow) paraPlace(style string, before, after int, breakBefore, ctx, breakAfter bool) {
	if !f.paraOpen {
		return
	}
	f.paraOpen = false
	f.breakAfter = f.breaks && breakAfter
	gap := f.prevAfter + before
	if ctx && f.prevCtx && style == f.prevStyle {
		gap = 0
	}
	if f.breaks && breakBefore {
		f.pageBreak()
	}
	if !f.joinable || gap >= docxGapTwips || f.s.blockAt < 0 {
		f.s.beginBlock(f.kind)
		f.paraStart = len(f.s.cur)
	}
	f.prevStyle, f.prevAfter, f.prevCtx = style, after, ctx
}

func (f *textFlow) paraEnd() {
	if f.nested > 0 {
		return
	}
	f.paraProps(nil)
	// An empty paragraph is a visible gap: the next paragraph starts a block.
	f.joinable = len(bytes.TrimSpace(f.s.cur[min(f.paraStart, len(f.s.cur)):])) > 0
	if f.breakAfter {
		f.pageBreak()
	}
}

// pageBreak ends the page; what follows opens the next one in a new block.
func (f *textFlow) pageBreak() {
	if !f.breaks || f.nested > 0 {
		return
	}
	f.s.endPage()
	f.joinable = false
	f.paraStart = 0
}

// brPage is a w:br w:type="page" inside a run: the rest of the paragraph is on the next page.
func (f *textFlow) brPage() {
	if !f.breaks || f.nested > 0 {
		return
	}
	f.paraProps(nil)
	f.s.newline()
	f.pageBreak()
	f.s.beginBlock(f.kind)
	f.paraStart = len(f.s.cur)
}

// nestedBegin opens a table or text box: one block of its own.
func (f *textFlow) nestedBegin(kind BlockKind) {
	if f.nested == 0 {
		f.paraProps(nil)
		if f.kind != BlockBody {
			kind = f.kind
		}
		f.s.beginBlock(kind)
	}
	f.nested++
}

func (f *textFlow) nestedEnd() {
	if f.nested == 0 {
		return
	}
	f.nested--
	if f.nested == 0 {
		f.s.newline()
		f.s.endBlock()
		f.joinable = false
		// The rest of an anchoring paragraph continues in a block of its own.
		f.s.beginBlock(f.kind)
		f.paraStart = len(f.s.cur)
	}
}

// decodePPr reads a w:pPr element whole.
func decodePPr(d *xml.Decoder, se *xml.StartElement) *docxPPr {
	var p docxPPr
	if d.DecodeElement(&p, se) != nil {
		return nil
	}
	return &p
}
