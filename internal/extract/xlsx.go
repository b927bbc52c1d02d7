package extract

import (
	"context"
	"encoding/xml"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Excel workbooks (.xlsx, SpreadsheetML): one page per sheet in the workbook's order (hidden
// sheets too), a line per row, cells separated by tabs and kept in their columns (an empty cell
// between two values is an empty field), each number shown through its cell's format as in
// .xls and .xlsb (xls_number.go: a CPR number stored as the number 101901234 with format
// 0000000000 reads 0101901234, as Excel shows it).
//
// Read by hand, streaming each part, rather than with a spreadsheet library: the one we used
// (excelize) unzipped the whole package into memory and cost every process 6 ms and 21,000
// allocations at start-up, a fifth of a one-line `sendevagt scan`, for the few parts read here:
// the shared strings, the cell formats, the sheet order and the cells.

var reXLSXSheet = regexp.MustCompile(`(?i)^xl/worksheets/sheet\d+\.xml$`)

func (w *walker) xlsx(j *job) error {
	p, err := w.openPkg(j)
	if err != nil {
		return err
	}
	book := p.mainPart("xl/workbook.xml")
	if !p.has(book) {
		return errMissing("xl/workbook.xml")
	}
	x := &xlsBook{formats: map[uint16]string{}, left: w.lim.MaxTextBytes + 1}
	sheets, err := x.xlsxWorkbook(w.ctx, j.s, p, book)
	if err != nil {
		return err
	}
	if part := p.relOfType(book, "/sharedStrings"); part != "" {
		if err := p.streamPart(part, func(r io.Reader) error { return x.xlsxSharedStrings(w.ctx, j.s, r) }); err != nil {
			return err
		}
	}
	if part := p.relOfType(book, "/styles"); part != "" {
		// Without readable styles numbers are shown in the general format.
		_ = p.streamPart(part, func(r io.Reader) error { return x.xlsxStyles(w.ctx, j.s, r) })
	}
	for _, part := range sheets {
		j.s.startPage()
		if j.s.full() {
			break
		}
		if err := p.streamPart(part, func(r io.Reader) error { return x.xlsxSheet(w.ctx, j.s, r) }); err != nil {
			return err
		}
	}
	w.embeddings(j, p, "xl/embeddings/")
	p.xlsxPictures(j)
	return nil
}

// xlsxWorkbook reads the workbook part: the sheets in their order (through the part's
// relationships, else the sheet parts by name) and the 1904 date system.
func (x *xlsBook) xlsxWorkbook(ctx context.Context, s *sink, p *pkg, book string) ([]string, error) {
	targets := map[string]string{}
	for _, r := range p.rels(book) {
		targets[r.ID] = r.Target
	}
	var sheets []string
	err := p.streamPart(book, func(r io.Reader) error {
		return forXMLTokens(ctx, s, r, func(tok xml.Token) {
			se, ok := tok.(xml.StartElement)
			if !ok {
				return
			}
			switch se.Name.Local {
			case "workbookPr":
				x.date1904 = xmlBool(xmlAttr(se, "date1904"))
			case "sheet":
				if t := targets[xmlAttr(se, "id")]; t != "" && p.has(t) {
					sheets = append(sheets, t)
				}
			}
		})
	})
	if err != nil {
		return nil, err
	}
	if len(sheets) == 0 {
		sheets = p.partsMatching(reXLSXSheet)
	}
	return sheets, nil
}

// xlsxSharedStrings reads sharedStrings.xml: one string per <si>, its runs joined, phonetic
// guides (<rPh>) left out. Strings beyond the document's size budget are kept empty.
func (x *xlsBook) xlsxSharedStrings(ctx context.Context, s *sink, r io.Reader) error {
	var b strings.Builder
	inSI, inT, phonetic := false, false, 0
	return forXMLTokens(ctx, s, r, func(tok xml.Token) {
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "si":
				inSI = true
				b.Reset()
			case "rPh":
				phonetic++
			case "t":
				inT = inSI && phonetic == 0
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "si":
				inSI = false
				if len(x.sst) >= maxXLSXStrings {
					return // cells pointing further read as empty
				}
				str := ""
				if x.left > 0 {
					str = b.String()
					x.left -= len(str)
				}
				x.sst = append(x.sst, str)
			case "rPh":
				phonetic--
			case "t":
				inT = false
			}
		case xml.CharData:
			if inT {
				b.Write(t)
			}
		}
	})
}

// xlsxStyles reads the custom number formats (<numFmts>) and the number format of each cell
// format (<cellXfs>; <cellStyleXfs> are named styles, not what a cell's s attribute counts).
func (x *xlsBook) xlsxStyles(ctx context.Context, s *sink, r io.Reader) error {
	inXFs := false
	return forXMLTokens(ctx, s, r, func(tok xml.Token) {
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "numFmt":
				if id, err := strconv.ParseUint(xmlAttr(t, "numFmtId"), 10, 16); err == nil {
					x.formats[uint16(id)] = xmlAttr(t, "formatCode")
				}
			case "cellXfs":
				inXFs = true
			case "xf":
				if inXFs && len(x.xfs) < maxXFs {
					id, _ := strconv.ParseUint(xmlAttr(t, "numFmtId"), 10, 16)
					x.xfs = append(x.xfs, uint16(id))
				}
			}
		case xml.EndElement:
			if t.Name.Local == "cellXfs" {
				inXFs = false
			}
		}
	})
}

// xlsxCell is the cell being read.
type xlsxCell struct {
	col   int    // 0-based column from the reference, -1 when the cell has none
	typ   string // the t attribute
	style uint16
	value strings.Builder // <v>, or the text of an inline string
}

// maxXLSXStrings bounds the shared strings kept: a few bytes of XML per empty string could
// otherwise make tens of millions of them from a part within the size limit.
const maxXLSXStrings = 1 << 20

// maxXLSXColumn is the last column of a sheet (XFD); a reference beyond it is ignored.
const maxXLSXColumn = 16383

// xlsxSheet writes one worksheet's rows into s.
func (x *xlsBook) xlsxSheet(ctx context.Context, s *sink, r io.Reader) error {
	var c xlsxCell
	inCell, inValue, phonetic := false, false, 0
	col := 0 // columns written in the current row
	return forXMLTokens(ctx, s, r, func(tok xml.Token) {
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "row":
				col = 0
			case "c":
				inCell = true
				c.col = xlsxColumn(xmlAttr(t, "r"))
				c.typ = xmlAttr(t, "t")
				style, _ := strconv.ParseUint(xmlAttr(t, "s"), 10, 16)
				c.style = uint16(style)
				c.value.Reset()
			case "v":
				inValue = inCell && c.typ != "inlineStr"
			case "t":
				inValue = inCell && c.typ == "inlineStr" && phonetic == 0
			case "rPh":
				phonetic++
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "v", "t":
				inValue = false
			case "rPh":
				phonetic--
			case "c":
				inCell = false
				text := x.xlsxValue(&c)
				if text == "" {
					return
				}
				target := col
				if c.col > col {
					target = c.col
				}
				for ; col < target; col++ {
					if col > 0 {
						s.writeByte('\t')
					}
				}
				if col > 0 {
					s.writeByte('\t')
				}
				s.write(cellLine.Replace(text))
				col++
			case "row":
				if col > 0 {
					s.writeByte('\n')
				}
				col = 0
			}
		case xml.CharData:
			if inValue {
				c.value.Write(t)
			}
		}
	})
}

// xlsxValue is the text Excel shows for a cell (without dates' and currencies' decoration).
func (x *xlsBook) xlsxValue(c *xlsxCell) string {
	v := c.value.String()
	switch c.typ {
	case "s":
		if i, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && i >= 0 && i < len(x.sst) {
			return x.sst[i]
		}
		return ""
	case "b":
		switch strings.TrimSpace(v) {
		case "1":
			return "TRUE"
		case "0":
			return "FALSE"
		}
		return v
	case "", "n":
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
			return x.number(f, c.style)
		}
		return v
	default: // str (a formula's text), inlineStr, e (an error such as #N/A), d (an ISO 8601 date)
		return v
	}
}

// xlsxColumn is the 0-based column of a cell reference such as "C7", or -1.
func xlsxColumn(ref string) int {
	col := 0
	i := 0
	for ; i < len(ref); i++ {
		c := ref[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
		if col > maxXLSXColumn+1 {
			return -1
		}
	}
	if i == 0 {
		return -1
	}
	return col - 1
}

// xmlBool reads an xsd:boolean attribute.
func xmlBool(v string) bool { return v == "1" || v == "true" }

var cellLine = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")
