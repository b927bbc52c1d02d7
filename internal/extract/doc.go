package extract

import (
	"encoding/binary"
	"errors"
	"unicode"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// Word 97-2003 documents ([MS-DOC]). No maintained pure-Go reader exists (the Go packages that
// read .doc are unmaintained and panic on damaged files), and the text needs only the FIB and
// the piece table, so this is a small reader written for hostile input: every offset is checked
// against the stream it points into, and the text read is bounded by the sink.
//
// The WordDocument stream starts with the FIB; its fcClx/lcbClx locate the CLX in the table
// stream (0Table or 1Table, by fWhichTblStm). The CLX's piece table maps character positions
// to byte offsets in WordDocument, each piece either 8-bit ("compressed", windows-1252) or
// UTF-16LE. The pieces in order hold the main text, then footnotes, headers and footers,
// comments, endnotes and text boxes; a fast-saved (complex) file is read through the same
// table.
//
// Word 6.0/95 files have an older FIB (fixed offsets, no table stream: the CLX is in
// WordDocument) and 8-bit text only, windows-1252 (Mac OS Roman when written on a Mac); a file
// saved without fast save has no piece table, its text runs from fcMin to fcMac.

const (
	docIdent     = 0xA5EC
	docNFib97    = 0x00C1 // Word 97 and later write this nFib in the FibBase
	docFlagCmplx = 0x0004
	docFlagEncr  = 0x0100
	docFlag1Tbl  = 0x0200
	docFcClxIdx  = 33 // index of fcClx/lcbClx in FibRgFcLcb97
)

// docFIB is what the reader needs from the FIB.
type docFIB struct {
	table   string // "0Table" or "1Table"; "WordDocument" for Word 6.0/95
	ccpText uint32 // characters of the main document (the rest are headers, notes ...)
	fcClx   uint32
	lcbClx  uint32
	word6   bool   // Word 6.0/95: 8-bit pieces at byte offsets
	fcMin   uint32 // Word 6.0/95 without a piece table: the text's bytes
	fcMac   uint32
	mac     bool // Word 6.0/95 written on a Macintosh: Mac OS Roman text
	encrypt bool
	old     string // a Word format not read, named
}

// Offsets in the Word 6.0/95 FIB.
const (
	doc6FcMin   = 0x18
	doc6CcpText = 0x34
	doc6FcClx   = 0x160
)

// parseDocFIB reads the FibBase and the parts of the FIB after it that locate the text.
func parseDocFIB(wd []byte) (docFIB, error) {
	le := binary.LittleEndian
	var f docFIB
	if len(wd) < 34 {
		return f, docFormatError("FIB truncated")
	}
	nFib := le.Uint16(wd[2:])
	switch le.Uint16(wd) {
	case docIdent:
		f.word6 = nFib < docNFib97-1
	case 0xA5DC:
		f.word6 = true
	case 0xA59B, 0xA59C, 0xA5DB:
		f.old = "Word for Windows 1.x/2.0 document (.doc) not read"
		return f, nil
	default:
		return f, docFormatError("not a Word document (bad FIB signature)")
	}
	flags := le.Uint16(wd[0x0A:])
	f.encrypt = flags&docFlagEncr != 0
	if f.encrypt {
		return f, nil // the caller reports it before needing the rest
	}
	if f.word6 {
		if len(wd) < doc6FcClx+8 {
			return f, docFormatError("FIB truncated")
		}
		f.table = "WordDocument"
		f.mac = wd[0x12] == 1 || le.Uint16(wd[0x14:]) == 256 // envr, chse
		f.fcMin, f.fcMac = le.Uint32(wd[doc6FcMin:]), le.Uint32(wd[doc6FcMin+4:])
		f.ccpText = le.Uint32(wd[doc6CcpText:])
		if flags&docFlagCmplx != 0 {
			f.fcClx, f.lcbClx = le.Uint32(wd[doc6FcClx:]), le.Uint32(wd[doc6FcClx+4:])
		}
		return f, nil
	}
	f.table = "0Table"
	if flags&docFlag1Tbl != 0 {
		f.table = "1Table"
	}
	pos := 32
	csw := int(le.Uint16(wd[pos:]))
	pos += 2 + 2*csw
	if pos+2 > len(wd) {
		return f, docFormatError("FIB truncated")
	}
	cslw := int(le.Uint16(wd[pos:]))
	lw := pos + 2
	pos = lw + 4*cslw
	if cslw < 4 || pos+2 > len(wd) {
		return f, docFormatError("FIB truncated")
	}
	f.ccpText = le.Uint32(wd[lw+12:])
	cb := int(le.Uint16(wd[pos:]))
	blob := pos + 2
	if cb <= docFcClxIdx || blob+8*(docFcClxIdx+1) > len(wd) {
		return f, docFormatError("FIB truncated")
	}
	f.fcClx = le.Uint32(wd[blob+8*docFcClxIdx:])
	f.lcbClx = le.Uint32(wd[blob+8*docFcClxIdx+4:])
	return f, nil
}

// pieces returns the document's text runs: from the piece table, or for a Word 6.0/95 file
// saved without one, the single run from fcMin to fcMac.
func (f docFIB) pieces(wd, table []byte) ([]docPiece, error) {
	if f.word6 && f.lcbClx == 0 {
		if f.fcMac < f.fcMin || uint64(f.fcMac) > uint64(len(wd)) {
			return nil, docFormatError("text outside the WordDocument stream")
		}
		return []docPiece{{n: f.fcMac - f.fcMin, off: f.fcMin}}, nil
	}
	return parseDocPieces(table, f.fcClx, f.lcbClx, f.word6)
}

// docPiece is one run of text: characters [cp, cp+n) stored at byte offset off of
// WordDocument, 8-bit (windows-1252) or UTF-16LE (wide).
type docPiece struct {
	cp, n uint32
	off   uint32
	wide  bool
}

// parseDocPieces finds the piece table (Pcdt) in the CLX at table[fc:fc+lcb], skipping the
// property modifiers (Prc) that precede it.
// In Word 6.0/95 (word6) every piece is 8-bit at a plain byte offset.
func parseDocPieces(table []byte, fc, lcb uint32, word6 bool) ([]docPiece, error) {
	le := binary.LittleEndian
	if uint64(fc)+uint64(lcb) > uint64(len(table)) || lcb == 0 {
		return nil, docFormatError("piece table outside the table stream")
	}
	clx := table[fc : fc+lcb]
	for len(clx) > 0 {
		switch clx[0] {
		case 0x01: // Prc: cbGrpprl, grpprl
			if len(clx) < 3 {
				return nil, docFormatError("piece table truncated")
			}
			n := int(le.Uint16(clx[1:]))
			if 3+n > len(clx) {
				return nil, docFormatError("piece table truncated")
			}
			clx = clx[3+n:]
		case 0x02: // Pcdt: lcb, PlcPcd
			if len(clx) < 5 {
				return nil, docFormatError("piece table truncated")
			}
			n := le.Uint32(clx[1:])
			plc := clx[5:]
			if uint64(n) > uint64(len(plc)) || n < 16 || (n-4)%12 != 0 {
				return nil, docFormatError("piece table malformed")
			}
			plc = plc[:n]
			count := int((n - 4) / 12)
			pcd := plc[4*(count+1):]
			out := make([]docPiece, 0, count)
			for i := 0; i < count; i++ {
				cp, end := le.Uint32(plc[4*i:]), le.Uint32(plc[4*i+4:])
				if end < cp {
					return nil, docFormatError("piece table malformed")
				}
				fc := le.Uint32(pcd[8*i+2:])
				p := docPiece{cp: cp, n: end - cp, off: fc &^ 0x40000000}
				switch {
				case word6:
				case fc&0x40000000 != 0:
					p.off = (fc & 0x3FFFFFFF) / 2
				default:
					p.wide = true
				}
				out = append(out, p)
			}
			return out, nil
		default:
			return nil, docFormatError("piece table malformed")
		}
	}
	return nil, docFormatError("no piece table")
}

// doc reads a Word 97-2003 document into pages (a page break or section break in the main text
// starts a new page, as for DOCX; headers, notes and comments go on the last page).
func (w *walker) doc(j *job, c *cfb, dir string) error {
	wd, err := c.read(dir, "WordDocument", w.lim.MaxDocumentBytes)
	if err != nil {
		return docError(err)
	}
	fib, err := parseDocFIB(wd)
	if err != nil {
		return docError(err)
	}
	switch {
	case fib.encrypt:
		return &statusError{Encrypted, "password-protected Word document"}
	case fib.old != "":
		return &statusError{Unsupported, fib.old}
	}
	table := wd
	if !fib.word6 {
		if table, err = c.read(dir, fib.table, w.lim.MaxDocumentBytes); err != nil {
			return docError(err)
		}
	}
	pieces, err := fib.pieces(wd, table)
	if err != nil {
		return docError(err)
	}
	t := &docText{s: j.s, mainEnd: fib.ccpText, cs: charmap.Windows1252}
	if fib.mac {
		t.cs = charmap.Macintosh
	}
	for i, p := range pieces {
		if i&63 == 0 {
			if err := w.ctx.Err(); err != nil {
				return err
			}
		}
		if j.s.full() {
			break
		}
		if err := t.piece(wd, p); err != nil {
			return docError(err)
		}
	}
	pool := "ObjectPool"
	if dir != "" {
		pool = dir + "/" + pool
	}
	w.storageObjects(j, c, pool, func(string) bool { return true })
	if t.pictures > 0 && t.letters < minLegacyText {
		return &statusError{Unscannable, detailLegacyPictures}
	}
	return nil
}

// Pictures in Office 97-2003 files are not OCR'd. A file that holds pictures and (next to) no
// text may be a scanned letter pasted into Word: it is not reported as read and clean.
const (
	minLegacyText        = 10 // letters and digits
	detailLegacyPictures = "only pictures, which are not OCR'd in Office 97-2003 files"
)

func docError(err error) error {
	var fe docFormatError
	var miss errMissing
	switch {
	case errors.As(err, new(*statusError)):
		return err
	case errors.As(err, &fe), errors.As(err, &miss), errors.Is(err, errCFBStream):
		return &statusError{Unscannable, "corrupt Word document: " + err.Error()}
	}
	return &statusError{Unscannable, "corrupt Word document: unreadable stream"}
}

// docFormatError is a structural fault the reader found; its text names the structure, never
// content.
type docFormatError string

func (e docFormatError) Error() string { return string(e) }

// docText turns the characters of the pieces into text: special characters become line, cell
// and page breaks, field codes are left out (their results kept).
type docText struct {
	s       *sink
	mainEnd uint32           // cp where the main document ends
	fields  []bool           // open fields: true once past the separator (showing the result)
	hidden  int              // open fields whose code is being read
	lastCh  uint16           // previous character, to tell a row end (two cell marks) from a cell end
	cs      *charmap.Charmap // of 8-bit pieces

	pictures int // inline pictures (0x01) and drawn objects (0x08) outside fields
	letters  int // letters and digits written
}

// maxDocFields bounds the field nesting tracked; deeper fields are treated as visible.
const maxDocFields = 64

func (t *docText) piece(wd []byte, p docPiece) error {
	start := uint64(p.off)
	n := uint64(p.n)
	if p.wide {
		n *= 2
	}
	if start+n > uint64(len(wd)) {
		return docFormatError("text outside the WordDocument stream")
	}
	b := wd[start : start+n]
	cp := p.cp
	dec := t.cs
	for i := 0; i < int(p.n); i++ {
		if t.s.full() {
			return nil
		}
		var ch uint16
		if !p.wide {
			ch = uint16(dec.DecodeByte(b[i]))
		} else {
			ch = binary.LittleEndian.Uint16(b[2*i:])
			if utf16.IsSurrogate(rune(ch)) && ch < 0xDC00 && 2*i+3 < len(b) && i+1 < int(p.n) {
				lo := binary.LittleEndian.Uint16(b[2*i+2:])
				if r := utf16.DecodeRune(rune(ch), rune(lo)); r != 0xFFFD {
					if t.hidden == 0 {
						t.s.writeRune(r)
					}
					t.lastCh = 0
					i++
					cp += 2
					continue
				}
			}
		}
		t.char(ch, cp)
		cp++
	}
	return nil
}

func (t *docText) char(ch uint16, cp uint32) {
	defer func() { t.lastCh = ch }()
	switch ch {
	case 0x01, 0x08:
		if len(t.fields) == 0 {
			t.pictures++
		}
	case 0x13: // field begin: its code follows
		if len(t.fields) < maxDocFields {
			t.fields = append(t.fields, false)
			t.hidden++
		}
		return
	case 0x14: // field separator: the result follows
		if n := len(t.fields); n > 0 && !t.fields[n-1] {
			t.fields[n-1] = true
			t.hidden--
		}
		return
	case 0x15: // field end
		if n := len(t.fields); n > 0 {
			if !t.fields[n-1] {
				t.hidden--
			}
			t.fields = t.fields[:n-1]
		}
		return
	}
	if t.hidden > 0 {
		return
	}
	s := t.s
	if cp == t.mainEnd && cp > 0 {
		// The main text is done: headers, notes and comments go on its last page.
		s.newline()
		s.resumeLastPage()
	}
	switch {
	case ch == 0x0D, ch == 0x0B:
		s.writeByte('\n')
	case ch == 0x0C:
		if cp < t.mainEnd {
			s.writeByte('\n')
			s.endPage()
		} else {
			s.writeByte('\n')
		}
	case ch == 0x07:
		if t.lastCh == 0x07 {
			s.endRow()
		} else {
			s.endCell()
		}
	case ch == 0x09:
		s.writeByte('\t')
	case ch == 0x1E:
		s.writeByte('-')
	case ch == 0xA0:
		s.writeByte(' ')
	case ch < 0x20, ch == 0x1F, ch >= 0xD800 && ch < 0xE000, ch == 0xFFFE, ch == 0xFFFF:
		// Object anchors, footnote marks, optional hyphens, unpaired surrogates: no text.
	default:
		if unicode.IsLetter(rune(ch)) || unicode.IsDigit(rune(ch)) {
			t.letters++
		}
		s.writeRune(rune(ch))
	}
}
