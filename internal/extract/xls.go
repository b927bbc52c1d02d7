package extract

import (
	"encoding/binary"
	"math"
	"sort"
	"strings"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// Excel 97-2003 workbooks ([MS-XLS], BIFF8; Excel 5.0/95's BIFF5 differs only in its strings). Like .doc (doc.go) this is a small reader written
// for hostile input rather than an unmaintained library: the Workbook stream is a flat list of
// records (type, length, data), read in order. The globals substream holds the shared string
// table (SST, continued over CONTINUE records), the number formats and a FILEPASS record when
// the workbook is encrypted; each worksheet substream (BOF ... EOF, charts nested inside) holds
// its cells. One page per worksheet, a line per row, cells separated by tabs.

const (
	biffBOF      = 0x0809
	biffEOF      = 0x000A
	biffFilePass = 0x002F
	biffSST      = 0x00FC
	biffContinue = 0x003C
	biffLabelSST = 0x00FD
	biffLabel    = 0x0204
	biffRString  = 0x00D6
	biffNumber   = 0x0203
	biffRK       = 0x027E
	biffMulRK    = 0x00BD
	biffFormula  = 0x0006
	biffString   = 0x0207
	biffFormat   = 0x041E
	biffXF       = 0x00E0
	biffHeader   = 0x0014
	biffFooter   = 0x0015
	biffTXO      = 0x01B6
	biffCodePage = 0x0042
	biffShrFmla  = 0x04BC
	biffArray    = 0x0221
	biffTable    = 0x0236

	biff8          = 0x0600
	biff5          = 0x0500
	biffWorksheet  = 0x0010
	biffMacroSheet = 0x0040
)

// biffReader walks the records of a BIFF stream.
type biffReader struct {
	b   []byte
	off int
	cut bool // a record ran past the end of the stream
}

func (r *biffReader) next() (typ uint16, data []byte, ok bool) {
	if r.off+4 > len(r.b) {
		r.cut = r.cut || r.off < len(r.b)
		return 0, nil, false
	}
	typ = binary.LittleEndian.Uint16(r.b[r.off:])
	n := int(binary.LittleEndian.Uint16(r.b[r.off+2:]))
	start := r.off + 4
	if start+n > len(r.b) {
		r.cut = true
		r.off = len(r.b)
		return typ, r.b[start:], true
	}
	r.off = start + n
	return typ, r.b[start : start+n], true
}

// peek returns the type of the next record without reading it.
func (r *biffReader) peek() (uint16, bool) {
	if r.off+4 > len(r.b) {
		return 0, false
	}
	return binary.LittleEndian.Uint16(r.b[r.off:]), true
}

// continued returns data followed by the data of the CONTINUE records after it.
func (r *biffReader) continued(data []byte) [][]byte {
	segs := [][]byte{data}
	for {
		t, ok := r.peek()
		if !ok || t != biffContinue {
			return segs
		}
		_, d, _ := r.next()
		segs = append(segs, d)
	}
}

// xlsCell is one cell's text.
type xlsCell struct {
	row, col uint16
	text     string
}

// xlsBook is the state of reading one workbook.
type xlsBook struct {
	sst     []string
	formats map[uint16]string // custom number formats by index
	xfs     []uint16          // number format index per cell format (XF)
	left    int               // bytes of text still worth collecting (MaxTextBytes)

	date1904 bool // dates count days from 1904-01-01 (a workbook made on an old Mac)

	biff5 bool             // Excel 5.0/95: 8-bit strings in the code page, no SST
	cs    *charmap.Charmap // BIFF5 code page (CODEPAGE record)

	cells []xlsCell // of the sheet being read
	extra []string  // headers, footers, text boxes of the sheet
}

// maxXFs bounds the cell formats kept (a workbook has at most 4050; the index is 16 bits).
const maxXFs = 1 << 16

func (w *walker) xls(j *job, c *cfb, dir string) error {
	stream := "Workbook"
	if !c.has(dir, stream) {
		stream = "Book" // Excel 5.0/95
	}
	b, err := c.read(dir, stream, w.lim.MaxDocumentBytes)
	if err != nil {
		return xlsError(err)
	}
	r := &biffReader{b: b}
	typ, data, ok := r.next()
	if !ok || typ != biffBOF || len(data) < 4 {
		return &statusError{Unscannable, "corrupt Excel workbook: no BOF record"}
	}
	x := &xlsBook{formats: map[uint16]string{}, left: w.lim.MaxTextBytes + 1, cs: charmap.Windows1252}
	switch binary.LittleEndian.Uint16(data) &^ 0xFF { // Excel for the Mac writes 0x0580
	case biff8:
	case biff5:
		x.biff5 = true
	default:
		return &statusError{Unsupported, "Excel workbook of an unknown BIFF version (.xls) not read"}
	}
	depth := 1      // open substreams (charts nest inside sheets)
	globals := true // in the workbook globals
	sheet := false  // in a worksheet substream
	lastFormula := false
	var lastRow, lastCol uint16
	for n := 0; ; n++ {
		if n&4095 == 0 && w.ctx.Err() != nil {
			return w.ctx.Err()
		}
		if j.s.full() {
			break
		}
		typ, data, ok := r.next()
		if !ok {
			break
		}
		formula := false
		switch typ {
		case biffBOF:
			depth++
			if depth == 1 && len(data) >= 4 {
				dt := binary.LittleEndian.Uint16(data[2:])
				sheet = dt == biffWorksheet || dt == biffMacroSheet
				x.cells, x.extra = x.cells[:0], x.extra[:0]
			}
		case biffEOF:
			depth = max(depth-1, 0)
			if depth == 0 {
				if sheet {
					x.writeSheet(j.s)
				}
				globals, sheet = false, false
			}
		case biffFilePass:
			if globals {
				return &statusError{Encrypted, "password-protected Excel workbook"}
			}
		case biffSST:
			if globals {
				x.sst = parseSST(r.continued(data), len(b))
			}
		case biffCodePage:
			if globals && len(data) >= 2 {
				x.codePage(binary.LittleEndian.Uint16(data))
			}
		case biffFormat:
			if globals && len(data) > 2 {
				if s, ok := x.str(data[2:], 1); ok {
					x.formats[binary.LittleEndian.Uint16(data)] = s
				}
			}
		case biffXF:
			if globals && len(data) >= 4 && len(x.xfs) < maxXFs {
				x.xfs = append(x.xfs, binary.LittleEndian.Uint16(data[2:]))
			}
		}
		if sheet && depth == 1 {
			formula = x.cell(typ, data, r, lastFormula, lastRow, lastCol)
			if formula && len(data) >= 4 {
				lastRow, lastCol = binary.LittleEndian.Uint16(data), binary.LittleEndian.Uint16(data[2:])
			}
		}
		// A formula's string result may follow after its shared-formula or array record.
		lastFormula = formula || lastFormula && (typ == biffShrFmla || typ == biffArray || typ == biffTable)
	}
	if sheet {
		x.writeSheet(j.s) // the last sheet had no EOF
	}
	w.storageObjects(j, c, dir, func(name string) bool { return strings.HasPrefix(name, "MBD") })
	if r.cut && depth > 0 {
		// Bytes after the last EOF (padding some writers leave) do not matter.
		return &statusError{Unscannable, "corrupt Excel workbook: truncated record"}
	}
	return nil
}

func xlsError(err error) error {
	if se, ok := err.(*statusError); ok {
		return se
	}
	return &statusError{Unscannable, "corrupt Excel workbook: unreadable Workbook stream"}
}

// cell reads one record of a worksheet; it reports whether it was a formula whose string result
// follows in a STRING record.
func (x *xlsBook) cell(typ uint16, data []byte, r *biffReader, afterFormula bool, fRow, fCol uint16) bool {
	le := binary.LittleEndian
	add := func(row, col uint16, s string) {
		if s == "" || x.left <= 0 {
			return
		}
		x.left -= len(s)
		x.cells = append(x.cells, xlsCell{row: row, col: col, text: s})
	}
	if typ == biffHeader || typ == biffFooter {
		if s, ok := x.str(data, 1); ok && s != "" && x.left > 0 {
			x.left -= len(s)
			x.extra = append(x.extra, headerFooterText(s))
		}
		return false
	}
	if typ == biffTXO {
		if s := txoText(data, r); s != "" && x.left > 0 {
			x.left -= len(s)
			x.extra = append(x.extra, s)
		}
		return false
	}
	if typ == biffString {
		if s, ok := x.str(data, 2); ok && afterFormula {
			add(fRow, fCol, s)
		}
		return false
	}
	if len(data) < 6 {
		return false
	}
	row, col, ixfe := le.Uint16(data), le.Uint16(data[2:]), le.Uint16(data[4:])
	switch typ {
	case biffLabelSST:
		if len(data) >= 10 {
			if i := le.Uint32(data[6:]); uint64(i) < uint64(len(x.sst)) {
				add(row, col, x.sst[i])
			}
		}
	case biffLabel, biffRString:
		if s, ok := x.str(data[6:], 2); ok {
			add(row, col, s)
		}
	case biffNumber:
		if len(data) >= 14 {
			add(row, col, x.number(math.Float64frombits(le.Uint64(data[6:])), ixfe))
		}
	case biffRK:
		if len(data) >= 10 {
			add(row, col, x.number(rkValue(le.Uint32(data[6:])), ixfe))
		}
	case biffMulRK:
		for i, p := 0, data[4:]; len(p) >= 8; i, p = i+1, p[6:] {
			add(row, col+uint16(i), x.number(rkValue(le.Uint32(p[2:])), le.Uint16(p)))
		}
	case biffFormula:
		if len(data) >= 14 {
			v := data[6:14]
			if le.Uint16(v[6:]) != 0xFFFF {
				add(row, col, x.number(math.Float64frombits(le.Uint64(v)), ixfe))
			} else if v[0] == 0 {
				return true // the string result is in the STRING record that follows
			}
		}
	}
	return false
}

// writeSheet writes the collected sheet as one page: cells in row and column order.
func (x *xlsBook) writeSheet(s *sink) {
	s.startPage()
	sort.SliceStable(x.cells, func(a, b int) bool {
		if x.cells[a].row != x.cells[b].row {
			return x.cells[a].row < x.cells[b].row
		}
		return x.cells[a].col < x.cells[b].col
	})
	for i, c := range x.cells {
		if i > 0 {
			if x.cells[i-1].row != c.row {
				s.writeByte('\n')
			} else {
				s.writeByte('\t')
			}
		}
		s.write(cellLine.Replace(c.text))
	}
	s.newline()
	for _, e := range x.extra {
		s.write(e)
		s.newline()
	}
	x.cells, x.extra = x.cells[:0], x.extra[:0]
}

// str reads a string record field: in BIFF8 an XLUnicodeString; in BIFF5 a byte string in the
// workbook's code page after a length of lenSize bytes (1 in FORMAT, HEADER and FOOTER; 2 in
// cells).
func (x *xlsBook) str(b []byte, lenSize int) (string, bool) {
	if !x.biff5 {
		return xlUnicodeString(b)
	}
	if len(b) < lenSize {
		return "", false
	}
	n := int(b[0])
	if lenSize == 2 {
		n = int(binary.LittleEndian.Uint16(b))
	}
	p := b[lenSize:]
	p = p[:min(n, len(p))]
	out, err := x.cs.NewDecoder().Bytes(p)
	if err != nil {
		return "", false
	}
	return string(out), true
}

// codePage sets the code page of BIFF5 strings; the Windows code pages of Europe, else 1252.
func (x *xlsBook) codePage(cp uint16) {
	switch cp {
	case 1250:
		x.cs = charmap.Windows1250
	case 1251:
		x.cs = charmap.Windows1251
	case 1257:
		x.cs = charmap.Windows1257
	case 10000, 0x8000:
		x.cs = charmap.Macintosh
	case 850:
		x.cs = charmap.CodePage850
	}
}

// xlUnicodeString reads an XLUnicodeString (uint16 count, flags, 8-bit or UTF-16 characters)
// at the start of b.
func xlUnicodeString(b []byte) (string, bool) {
	if len(b) < 3 {
		return "", false
	}
	n := int(binary.LittleEndian.Uint16(b))
	p := b[3:]
	if b[2]&1 != 0 {
		if 2*n > len(p) {
			n = len(p) / 2
		}
		return decodeUTF16LE(p[:2*n]), true
	}
	if n > len(p) {
		n = len(p)
	}
	return decodeLatin1(p[:n]), true
}

func decodeUTF16LE(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// decodeLatin1 decodes "compressed" BIFF characters: the low bytes of UTF-16 code units.
func decodeLatin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// headerFooterText drops the formatting codes of a sheet header or footer ("&L", "&\"Arial\"",
// "&P") and keeps its text.
func headerFooterText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '&' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch c := s[i]; {
		case c == '&':
			b.WriteByte('&')
		case c == '"':
			if k := strings.IndexByte(s[i+1:], '"'); k >= 0 {
				i += k + 1
			}
		case c == 'L' || c == 'C' || c == 'R':
			b.WriteByte(' ')
		case c >= '0' && c <= '9':
			for i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
				i++
			}
		}
	}
	return strings.TrimSpace(b.String())
}

// txoText reads the text of a text box or comment (TXO): its characters are in the CONTINUE
// records that follow, each starting with a flag byte (8-bit or UTF-16).
func txoText(data []byte, r *biffReader) string {
	if len(data) < 12 {
		return ""
	}
	left := int(binary.LittleEndian.Uint16(data[10:]))
	var b strings.Builder
	for left > 0 {
		t, ok := r.peek()
		if !ok || t != biffContinue {
			break
		}
		_, d, _ := r.next()
		if len(d) < 1 {
			break
		}
		p := d[1:]
		if d[0]&1 != 0 {
			n := min(left, len(p)/2)
			b.WriteString(decodeUTF16LE(p[:2*n]))
			left -= n
		} else {
			n := min(left, len(p))
			b.WriteString(decodeLatin1(p[:n]))
			left -= n
		}
		if len(p) == 0 {
			break
		}
	}
	return b.String()
}
