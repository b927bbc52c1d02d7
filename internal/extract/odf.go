package extract

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"strconv"
)

// odf reads OpenDocument text (one page, with the headers and footers of its master pages),
// spreadsheets (a page per sheet) and presentations (a page per slide, with its notes).
func (w *walker) odf(j *job) error {
	p, err := w.openPkg(j)
	if err != nil {
		return err
	}
	if p.has("META-INF/manifest.xml") {
		m, err := p.read("META-INF/manifest.xml")
		if err != nil {
			return wrapPart("META-INF/manifest.xml", err)
		}
		if bytes.Contains(m, []byte("encryption-data")) {
			return &statusError{Encrypted, "password-protected OpenDocument file"}
		}
	}
	if !p.has("content.xml") {
		return errMissing("content.xml")
	}
	page := ""
	switch j.typ {
	case "ods":
		page = "table"
	case "odp":
		page = "page"
	}
	// A text document gets blocks and pages (odf_flow.go); its styles come first.
	var flow *textFlow
	if j.typ == "odt" {
		flow = &textFlow{s: j.s, breaks: true, odf: odfStyles{}}
		if p.has("styles.xml") {
			if data, err := p.read("styles.xml"); err == nil {
				readODFStyles(data, flow.odf)
			}
		}
	}
	if err := p.streamPart("content.xml", func(r io.Reader) error {
		return odfText(w.ctx, j.s, r, page, false, flow)
	}); err != nil {
		return err
	}
	if j.typ == "odt" && p.has("styles.xml") && !j.s.full() {
		j.s.newline()
		j.s.endBlock()
		j.s.resumeLastPage() // the master pages' headers and footers go on the last page
		masters := &textFlow{s: j.s, odf: flow.odf}
		if err := p.streamPart("styles.xml", func(r io.Reader) error {
			return odfText(w.ctx, j.s, r, "", true, masters)
		}); err != nil {
			return err
		}
	}
	p.odfPictures(j)
	return w.odfObjects(j, p)
}

// odfSkip are elements without visible text: tracked deletions and the like.
var odfSkip = map[string]bool{
	"tracked-changes": true, "sequence-decls": true, "variable-decls": true,
	"user-field-decls": true, "forms": true, "scripts": true, "font-face-decls": true,
}

// odfText streams content.xml (or styles.xml with masterOnly, keeping only the master pages'
// headers and footers). text:p and text:h end a line, text:s is spaces, text:tab a tab,
// text:line-break a newline, a table cell ends with a tab and a row with a newline. pageElem,
// when set, is the top-level element (table:table, draw:page) that starts a new page.
//
// With f set (a text document) it also records blocks and page breaks (odf_flow.go).
func odfText(ctx context.Context, s *sink, r io.Reader, pageElem string, masterOnly bool, f *textFlow) error {
	d := newXMLDecoder(r)
	var stack []string
	skipAt := -1
	inPara := 0   // open text:p / text:h
	inMaster := 0 // open office:master-styles
	pageDepth := -1
	for n := 0; ; n++ {
		tok, done, err := nextXMLToken(ctx, d, s, n)
		if done {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			stack = append(stack, name)
			if skipAt >= 0 {
				continue
			}
			if odfSkip[name] {
				skipAt = len(stack)
				continue
			}
			if f != nil && (name == "style" || name == "default-style") && !masterOnly {
				stack = stack[:len(stack)-1]
				f.odf.add(d, &t)
				continue
			}
			if name == "master-styles" {
				inMaster++
			}
			if masterOnly && inMaster == 0 {
				continue
			}
			if f != nil {
				odfFlowStart(f, t, masterOnly)
			}
			if name == pageElem && pageDepth < 0 {
				pageDepth = len(stack)
				s.startPage()
			}
			switch name {
			case "p", "h":
				inPara++
			case "s":
				c := 1
				for _, a := range t.Attr {
					if a.Name.Local == "c" {
						if v, err := strconv.Atoi(a.Value); err == nil {
							c = min(max(v, 1), 64)
						}
					}
				}
				for range c {
					s.writeByte(' ')
				}
			case "tab":
				s.writeByte('\t')
			case "line-break":
				s.writeByte('\n')
			}
		case xml.EndElement:
			if len(stack) == 0 {
				continue
			}
			name := stack[len(stack)-1]
			switch {
			case skipAt == len(stack):
				skipAt = -1
			case skipAt >= 0:
			case name == "master-styles":
				inMaster = max(inMaster-1, 0)
			case masterOnly && inMaster == 0:
			case name == "p" || name == "h":
				inPara = max(inPara-1, 0)
				s.writeByte('\n')
				if f != nil {
					f.paraEnd()
				}
			case name == "table-cell" || name == "covered-table-cell":
				s.endCell()
			case name == "table-row":
				s.endRow()
			case name == "frame" || name == "custom-shape":
				s.writeByte('\n')
				if f != nil && name == "frame" {
					f.nestedEnd()
				}
			case f != nil && name == "table":
				f.nestedEnd()
			case f != nil && masterOnly && odfHeaderFooter(name) != BlockBody:
				s.newline()
				s.endBlock()
				f.kind, f.joinable = BlockBody, false
			}
			if pageDepth == len(stack) {
				pageDepth = -1
				s.endPage()
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if skipAt < 0 && inPara > 0 && (!masterOnly || inMaster > 0) {
				// In ODF, line breaks in character data are plain white space.
				s.writeBytes(bytes.Map(func(r rune) rune {
					if r == '\n' || r == '\r' || r == '\t' {
						return ' '
					}
					return r
				}, t))
			}
		}
	}
}
