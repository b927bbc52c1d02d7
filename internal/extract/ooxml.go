package extract

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/net/html/charset"
)

// partError says in which part of a package a parser error happened.
type partError struct {
	part string
	err  error
}

func (e *partError) Error() string { return e.part + ": " + e.err.Error() }
func (e *partError) Unwrap() error { return e.err }

// newXMLDecoder returns a decoder that also reads parts declared in another encoding (UTF-16).
func newXMLDecoder(r io.Reader) *xml.Decoder {
	d := xml.NewDecoder(r)
	d.CharsetReader = charset.NewReaderLabel
	return d
}

// nextXMLToken is the head of every streaming XML walk: the n-th token of d, with ctx checked
// every 4096 tokens. done is true, with the error if any, at the end of the part, when the
// sink is full or when ctx ended.
func nextXMLToken(ctx context.Context, d *xml.Decoder, s *sink, n int) (tok xml.Token, done bool, err error) {
	if n&4095 == 0 {
		if err := ctx.Err(); err != nil {
			return nil, true, err
		}
	}
	if s.full() {
		return nil, true, nil
	}
	tok, err = d.Token()
	if err == io.EOF {
		return nil, true, nil
	}
	if err != nil {
		return nil, true, err
	}
	return tok, false, nil
}

// forXMLTokens calls fn with each token of the part r, under nextXMLToken's checks, until the
// part ends, the sink is full or ctx ends.
func forXMLTokens(ctx context.Context, s *sink, r io.Reader, fn func(xml.Token)) error {
	d := newXMLDecoder(r)
	for n := 0; ; n++ {
		tok, done, err := nextXMLToken(ctx, d, s, n)
		if done {
			return err
		}
		fn(tok)
	}
}

// ooxmlSkip are WordprocessingML/DrawingML elements whose content is not visible text: field
// codes, deleted text, property blocks, and the legacy duplicate of mc:AlternateContent.
var ooxmlSkip = map[string]bool{
	"instrText": true, "delText": true, "delInstrText": true, "Fallback": true,
	"pPr": true, "rPr": true, "tblPr": true, "trPr": true, "tcPr": true, "sectPr": true,
	"tabs": true, "fldData": true, "bodyPr": true, "lstStyle": true, "spPr": true, "nvSpPr": true,
}

// ooxmlText streams one WordprocessingML or DrawingML part into s: a paragraph's runs are joined
// (so a number split across runs stays whole), w:tab is a tab, w:br a line break, a paragraph
// ends a line, a table cell ends with a tab and a row with a newline.
func ooxmlText(ctx context.Context, s *sink, r io.Reader) error {
	return ooxmlFlowText(ctx, s, r, nil)
}

// ooxmlFlowText is ooxmlText that, with f set, also records blocks and page breaks (docx_flow.go).
func ooxmlFlowText(ctx context.Context, s *sink, r io.Reader, f *textFlow) error {
	d := newXMLDecoder(r)
	var stack []string
	skipAt := -1 // depth at which a skipped element started
	inText := 0  // open text elements (w:t, a:t, m:t)
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
			if f != nil {
				if name == "pPr" {
					stack = stack[:len(stack)-1]
					f.paraProps(decodePPr(d, &t))
					continue
				}
				switch name {
				case "p":
					f.paraBegin()
				case "r", "hyperlink", "ins", "smartTag", "sdt", "fldSimple", "AlternateContent":
				default:
					f.paraProps(nil)
				}
				switch name {
				case "tbl":
					f.nestedBegin(BlockTable)
				case "txbxContent":
					f.nestedBegin(BlockTextBox)
				}
			}
			if ooxmlSkip[name] {
				skipAt = len(stack)
				continue
			}
			switch name {
			case "t":
				inText++
			case "tab", "ptab":
				s.writeByte('\t')
			case "br", "cr":
				if f != nil && name == "br" && xmlAttr(t, "type") == "page" {
					f.brPage()
					break
				}
				s.writeByte('\n')
			case "noBreakHyphen":
				s.writeByte('-')
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
			case name == "t":
				inText = max(inText-1, 0)
			case name == "p":
				s.writeByte('\n')
				if f != nil {
					f.paraEnd()
				}
			case name == "tc":
				s.endCell()
			case name == "tr":
				s.endRow()
			case f != nil && (name == "tbl" || name == "txbxContent"):
				f.nestedEnd()
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if skipAt < 0 && inText > 0 {
				s.writeBytes(t)
			}
		}
	}
}

// xmlAttr returns the value of the attribute with the given local name, or "".
func xmlAttr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// rel is one relationship of an OPC part.
type rel struct {
	ID, Type, Target string
}

// rels reads the relationships of a part ("" for the package); targets are resolved to part
// names. External targets are left out.
func (p *pkg) rels(part string) []rel {
	dir, file := path.Split(part)
	relsName := dir + "_rels/" + file + ".rels"
	b, err := p.read(relsName)
	if err != nil {
		return nil
	}
	var doc struct {
		Rels []struct {
			ID         string `xml:"Id,attr"`
			Type       string `xml:"Type,attr"`
			Target     string `xml:"Target,attr"`
			TargetMode string `xml:"TargetMode,attr"`
		} `xml:"Relationship"`
	}
	if newXMLDecoder(bytes.NewReader(b)).Decode(&doc) != nil {
		return nil
	}
	out := make([]rel, 0, len(doc.Rels))
	for _, r := range doc.Rels {
		if strings.EqualFold(r.TargetMode, "External") {
			continue
		}
		t := r.Target
		if strings.HasPrefix(t, "/") {
			t = strings.TrimPrefix(t, "/")
		} else {
			t = path.Join(dir, t)
		}
		out = append(out, rel{ID: r.ID, Type: r.Type, Target: t})
	}
	return out
}

// relOfType returns the first relationship target whose type ends in suffix, or "".
func (p *pkg) relOfType(part, suffix string) string {
	for _, r := range p.rels(part) {
		if strings.HasSuffix(r.Type, suffix) && p.has(r.Target) {
			return r.Target
		}
	}
	return ""
}

// mainPart is the package's main document from _rels/.rels, else def.
func (p *pkg) mainPart(def string) string {
	if t := p.relOfType("", "/officeDocument"); t != "" {
		return t
	}
	return def
}

// partsMatching lists part names (as stored) matching re, in natural order (slide2 before slide10).
func (p *pkg) partsMatching(re *regexp.Regexp) []string {
	var out []string
	for _, f := range p.zr.File {
		if re.MatchString(f.Name) {
			out = append(out, f.Name)
		}
	}
	sort.SliceStable(out, func(i, k int) bool { return naturalLess(out[i], out[k]) })
	return out
}

var trailingNum = regexp.MustCompile(`^(.*?)(\d+)(\.[^.]*)$`)

func naturalLess(a, b string) bool {
	ma, mb := trailingNum.FindStringSubmatch(a), trailingNum.FindStringSubmatch(b)
	if ma != nil && mb != nil && ma[1] == mb[1] {
		na, _ := strconv.Atoi(ma[2])
		nb, _ := strconv.Atoi(mb[2])
		if na != nb {
			return na < nb
		}
	}
	return a < b
}

// streamPart runs fn over one part, naming the part in any error.
func (p *pkg) streamPart(part string, fn func(io.Reader) error) error {
	rc, err := p.open(part)
	if err != nil {
		return wrapPart(part, err)
	}
	defer rc.Close()
	return wrapPart(part, fn(rc))
}

func wrapPart(part string, err error) error {
	if err == nil {
		return nil
	}
	var se *statusError
	var miss errMissing
	if errors.As(err, &se) || errors.As(err, &miss) {
		return err
	}
	return &partError{part: part, err: err}
}
