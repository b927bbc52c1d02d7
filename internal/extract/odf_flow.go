package extract

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
)

// Structure of an OpenDocument text as blocks and pages, with the same rules as Word's
// (docx_flow.go): paragraphs without space between them form one block; tables and frames are
// blocks of their own; a paragraph or table whose style breaks the page (fo:break-before or
// fo:break-after "page", or a style:master-page-name, which starts a page in that page style, as
// mail merge does per letter) starts a new Page. text:soft-page-break (where the writing program
// last broke pages) is ignored.

// odfStyle is what the flow needs of a paragraph or table style.
type odfStyle struct {
	parent                  string
	top, bottom             float64 // margins in points, -1 when not set
	breakBefore, breakAfter int     // -1 not set, 0 no, 1 page
}

// odfStyles maps style names (automatic and named, paragraph and table) to their properties;
// "" is the default paragraph style.
type odfStyles map[string]*odfStyle

type odfStyleXML struct {
	Name       string `xml:"name,attr"`
	Parent     string `xml:"parent-style-name,attr"`
	MasterPage string `xml:"master-page-name,attr"`
	Para       struct {
		Top         string `xml:"margin-top,attr"`
		Bottom      string `xml:"margin-bottom,attr"`
		BreakBefore string `xml:"break-before,attr"`
		BreakAfter  string `xml:"break-after,attr"`
	} `xml:"paragraph-properties"`
	Table struct {
		BreakBefore string `xml:"break-before,attr"`
		BreakAfter  string `xml:"break-after,attr"`
	} `xml:"table-properties"`
}

// add decodes a style:style or style:default-style element into the map.
func (m odfStyles) add(d *xml.Decoder, se *xml.StartElement) {
	var x odfStyleXML
	if d.DecodeElement(&x, se) != nil {
		return
	}
	name := x.Name
	if se.Name.Local == "default-style" {
		if xmlAttr(*se, "family") != "paragraph" {
			return
		}
		name = ""
	}
	st := &odfStyle{parent: x.Parent, top: odfLength(x.Para.Top), bottom: odfLength(x.Para.Bottom),
		breakBefore: odfBreak(x.Para.BreakBefore, x.Table.BreakBefore), breakAfter: odfBreak(x.Para.BreakAfter, x.Table.BreakAfter)}
	if x.MasterPage != "" {
		st.breakBefore = 1
	}
	m[name] = st
}

func odfBreak(vals ...string) int {
	out := -1
	for _, v := range vals {
		switch v {
		case "page":
			return 1
		case "auto", "column":
			out = 0
		}
	}
	return out
}

// odfLength converts "0.247cm", "2mm", "0.1in", "6pt" to points; -1 when unreadable.
func odfLength(s string) float64 {
	units := []struct {
		suffix string
		pt     float64
	}{{"cm", 72 / 2.54}, {"mm", 72 / 25.4}, {"in", 72}, {"pt", 1}, {"pc", 12}, {"px", 0.75}}
	for _, u := range units {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 {
				return f * u.pt
			}
			return -1
		}
	}
	return -1
}

// resolve returns a style's margins and page breaks through its parents and, at the end of
// the chain, the default paragraph style.
func (m odfStyles) resolve(name string) (top, bottom float64, breakBefore, breakAfter bool) {
	top, bottom = -1, -1
	bb, ba := -1, -1
	id := name
	for i := 0; i < 16; i++ {
		s := m[id]
		if s != nil {
			if top < 0 {
				top = s.top
			}
			if bottom < 0 {
				bottom = s.bottom
			}
			if bb < 0 {
				bb = s.breakBefore
			}
			if ba < 0 {
				ba = s.breakAfter
			}
		}
		if id == "" {
			break
		}
		id = ""
		if s != nil {
			id = s.parent
		}
	}
	return max(top, 0), max(bottom, 0), bb == 1, ba == 1
}

// readODFStyles collects the styles of a styles.xml part (named and automatic).
func readODFStyles(data []byte, into odfStyles) {
	d := newXMLDecoder(bytes.NewReader(data))
	for n := 0; n < 1<<22; n++ {
		tok, err := d.Token()
		if err == io.EOF || err != nil {
			return
		}
		if se, ok := tok.(xml.StartElement); ok {
			switch se.Name.Local {
			case "style", "default-style":
				into.add(d, &se)
			case "master-styles":
				return // headers and footers are read by odfText
			}
		}
	}
}

// odfFlowStart handles the start of an element for the flow of an OpenDocument text.
func odfFlowStart(f *textFlow, se xml.StartElement, masterOnly bool) {
	switch name := se.Name.Local; name {
	case "p", "h":
		f.paraBegin()
		style := xmlAttr(se, "style-name")
		top, bottom, bb, ba := f.odf.resolve(style)
		f.paraPlace(style, int(top*20), int(bottom*20), bb, false, ba)
	case "table":
		if _, _, bb, _ := f.odf.resolve(xmlAttr(se, "style-name")); bb && f.nested == 0 {
			f.pageBreak()
		}
		f.nestedBegin(BlockTable)
	case "frame":
		f.nestedBegin(BlockTextBox)
	default:
		if k := odfHeaderFooter(name); masterOnly && k != BlockBody {
			f.s.endBlock()
			f.kind, f.joinable = k, false
		}
	}
}

// odfHeaderFooter is the block kind of a master page's header or footer element.
func odfHeaderFooter(name string) BlockKind {
	switch {
	case strings.HasPrefix(name, "header"):
		return BlockHeader
	case strings.HasPrefix(name, "footer"):
		return BlockFooter
	}
	return BlockBody
}
