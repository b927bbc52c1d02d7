package extract

import (
	"encoding/binary"
	"errors"
	"math"
	"regexp"
)

// Excel binary workbooks (.xlsb, [MS-XLSB]): an OPC package like XLSX whose parts are record
// streams instead of XML. Each record is a type and a size, both variable-length (7 bits a
// byte, the high bit saying another byte follows), then the data. Read here: the shared strings
// (BrtSSTItem), the cell formats (so a CPR number stored as a number with format 0000000000
// reads as Excel shows it), the sheet order (BrtBundleSh and the workbook's relationships) and
// each sheet's cells, one page per sheet, a line per row, cells separated by tabs.

const (
	xlsbRowHdr     = 0
	xlsbCellRk     = 2
	xlsbCellReal   = 5
	xlsbCellSt     = 6
	xlsbCellIsst   = 7
	xlsbFmlaString = 8
	xlsbFmlaNum    = 9
	xlsbSSTItem    = 19
	xlsbFmt        = 44
	xlsbXF         = 47
	xlsbBundleSh   = 156
	xlsbBeginXFs   = 617
	xlsbEndXFs     = 618
)

var reXLSBSheet = regexp.MustCompile(`(?i)^xl/worksheets/sheet\d+\.bin$`)

// xlsbRecords calls fn for each record of a part; it stops early when fn returns false and
// reports whether the part ended cleanly.
func xlsbRecords(b []byte, fn func(typ int, data []byte) bool) bool {
	for len(b) > 0 {
		typ, n, ok := xlsbVarint(b, 2)
		if !ok {
			return false
		}
		b = b[n:]
		size, n, ok := xlsbVarint(b, 4)
		if !ok || uint64(size) > uint64(len(b)-n) {
			return false
		}
		data := b[n : n+size]
		b = b[n+size:]
		if !fn(typ, data) {
			return true
		}
	}
	return true
}

// xlsbVarint reads a record type (at most 2 bytes) or size (at most 4 bytes).
func xlsbVarint(b []byte, maxBytes int) (v, n int, ok bool) {
	for n < maxBytes {
		if n >= len(b) {
			return 0, 0, false
		}
		c := b[n]
		v |= int(c&0x7F) << (7 * n)
		n++
		if c&0x80 == 0 {
			return v, n, true
		}
	}
	return v, n, true
}

// xlWideString reads an XLWideString (uint32 count, UTF-16 characters) at the start of b and
// returns it with the bytes it took.
func xlWideString(b []byte) (string, int, bool) {
	if len(b) < 4 {
		return "", 0, false
	}
	n := binary.LittleEndian.Uint32(b)
	if uint64(n)*2 > uint64(len(b)-4) {
		return "", 0, false
	}
	return decodeUTF16LE(b[4 : 4+2*n]), 4 + 2*int(n), true
}

func (w *walker) xlsb(j *job) error {
	p, err := w.openPkg(j)
	if err != nil {
		return err
	}
	book := p.mainPart("xl/workbook.bin")
	if !p.has(book) {
		return errMissing("xl/workbook.bin")
	}
	x := &xlsBook{formats: map[uint16]string{}}
	if part := p.relOfType(book, "/sharedStrings"); part != "" {
		b, err := p.read(part)
		if err != nil {
			return wrapPart(part, err)
		}
		xlsbRecords(b, func(typ int, d []byte) bool {
			if typ == xlsbSSTItem && len(d) >= 1 {
				s, _, _ := xlWideString(d[1:])
				x.sst = append(x.sst, s)
			}
			return true
		})
	}
	if part := p.relOfType(book, "/styles"); part != "" {
		if b, err := p.read(part); err == nil { // without styles: numbers in general format
			x.xlsbStyles(b)
		}
	}
	sheets, err := xlsbSheetOrder(p, book)
	if err != nil {
		return err
	}
	for _, part := range sheets {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		j.s.startPage()
		if j.s.full() {
			break
		}
		b, err := p.read(part)
		if err != nil {
			return wrapPart(part, err)
		}
		if !x.xlsbSheet(j.s, b) {
			return &partError{part: part, err: errXLSBRecord}
		}
	}
	w.embeddings(j, p, "xl/embeddings/")
	return nil
}

var errXLSBRecord = errors.New("malformed record")

// xlsbSheetOrder lists the sheet parts in the workbook's order (BrtBundleSh records and their
// relationship ids), else the sheet parts by name.
func xlsbSheetOrder(p *pkg, book string) ([]string, error) {
	b, err := p.read(book)
	if err != nil {
		return nil, wrapPart(book, err)
	}
	targets := map[string]string{}
	for _, r := range p.rels(book) {
		targets[r.ID] = r.Target
	}
	var out []string
	xlsbRecords(b, func(typ int, d []byte) bool {
		if typ != xlsbBundleSh || len(d) < 12 {
			return true
		}
		id, _, ok := xlWideString(d[8:])
		if t := targets[id]; ok && t != "" && p.has(t) {
			out = append(out, t)
		}
		return true
	})
	if len(out) == 0 {
		out = p.partsMatching(reXLSBSheet)
	}
	return out, nil
}

// xlsbStyles reads the number formats (BrtFmt) and the cell formats (BrtXF inside
// BrtBeginCellXFs) of styles.bin.
func (x *xlsBook) xlsbStyles(b []byte) {
	inXFs := false
	xlsbRecords(b, func(typ int, d []byte) bool {
		switch typ {
		case xlsbFmt:
			if len(d) >= 2 {
				if s, _, ok := xlWideString(d[2:]); ok {
					x.formats[binary.LittleEndian.Uint16(d)] = s
				}
			}
		case xlsbBeginXFs:
			inXFs = true
		case xlsbEndXFs:
			inXFs = false
		case xlsbXF:
			if inXFs && len(d) >= 4 && len(x.xfs) < maxXFs {
				x.xfs = append(x.xfs, binary.LittleEndian.Uint16(d[2:]))
			}
		}
		return true
	})
}

// xlsbSheet writes one sheet's cells; false when a record is malformed.
func (x *xlsBook) xlsbSheet(s *sink, b []byte) bool {
	le := binary.LittleEndian
	cells := 0 // in the current row
	return xlsbRecords(b, func(typ int, d []byte) bool {
		if s.full() {
			return false
		}
		if typ == xlsbRowHdr {
			if cells > 0 {
				s.writeByte('\n')
			}
			cells = 0
			return true
		}
		if typ < xlsbCellRk || typ > xlsbFmlaNum || len(d) < 8 {
			return true
		}
		style := uint16(min(le.Uint32(d[4:])&0xFFFFFF, math.MaxUint16))
		v := d[8:]
		text := ""
		switch typ {
		case xlsbCellRk:
			if len(v) >= 4 {
				text = x.number(rkValue(le.Uint32(v)), style)
			}
		case xlsbCellReal, xlsbFmlaNum:
			if len(v) >= 8 {
				text = x.number(math.Float64frombits(le.Uint64(v)), style)
			}
		case xlsbCellSt, xlsbFmlaString:
			text, _, _ = xlWideString(v)
		case xlsbCellIsst:
			if len(v) >= 4 {
				if i := le.Uint32(v); uint64(i) < uint64(len(x.sst)) {
					text = x.sst[i]
				}
			}
		}
		if text == "" {
			return true
		}
		if cells > 0 {
			s.writeByte('\t')
		}
		s.write(cellLine.Replace(text))
		cells++
		return true
	})
}
