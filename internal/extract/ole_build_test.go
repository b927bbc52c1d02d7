package extract

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"math"
	"testing"
	"unicode/utf16"

	"github.com/sendevagt/sendevagt/internal/testgen"
	"golang.org/x/text/encoding/charmap"
)

// Builders for legacy Office binaries and OLE objects, written byte by byte from [MS-DOC],
// [MS-XLS], [MS-PPT] and [MS-OLEDS]. Synthetic people only.

var oleLE = binary.LittleEndian // for the builders

func utf16LE(s string) []byte {
	var b []byte
	for _, c := range utf16.Encode([]rune(s)) {
		b = oleLE.AppendUint16(b, c)
	}
	return b
}

func cp1252(t testing.TB, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// docPieceSpec is one piece of a generated Word document: its text, 8-bit or UTF-16.
type docPieceSpec struct {
	text string
	wide bool
}

// docSpec describes a generated Word 97-2003 document.
type docSpec struct {
	pieces  []docPieceSpec
	ccpText int    // characters of the main text (the rest is header/notes); 0: all
	flags   uint16 // FibBase flags besides fWhichTblStm (0x0100 encrypted)
	nFib    uint16 // 0: Word 97 (0x00C1)
	ident   uint16 // 0: 0xA5EC
}

// buildDOCStreams returns the WordDocument and 1Table streams of a document.
func buildDOCStreams(t testing.TB, spec docSpec) (wd, table []byte) {
	t.Helper()
	wd = make([]byte, 1024)
	ident, nFib := spec.ident, spec.nFib
	if ident == 0 {
		ident = 0xA5EC
	}
	if nFib == 0 {
		nFib = 0x00C1
	}
	oleLE.PutUint16(wd[0:], ident)
	oleLE.PutUint16(wd[2:], nFib)
	oleLE.PutUint16(wd[0x0A:], spec.flags|0x0200)
	oleLE.PutUint16(wd[32:], 14) // csw
	oleLE.PutUint16(wd[62:], 22) // cslw
	oleLE.PutUint16(wd[152:], 0x5D)
	// Text from 0x400 on; the pieces' CPs and file offsets.
	var cps []uint32
	var fcs []uint32
	cp := uint32(0)
	for _, p := range spec.pieces {
		cps = append(cps, cp)
		if p.wide {
			if len(wd)%2 == 1 {
				wd = append(wd, 0)
			}
			fcs = append(fcs, uint32(len(wd)))
			u := utf16.Encode([]rune(p.text))
			for _, c := range u {
				wd = oleLE.AppendUint16(wd, c)
			}
			cp += uint32(len(u))
		} else {
			fcs = append(fcs, uint32(len(wd))*2|0x40000000)
			b := cp1252(t, p.text)
			wd = append(wd, b...)
			cp += uint32(len(b))
		}
	}
	cps = append(cps, cp)
	ccp := uint32(spec.ccpText)
	if ccp == 0 {
		ccp = cp
	}
	oleLE.PutUint32(wd[64+12:], ccp)
	// CLX: one Prc (to be skipped), then the Pcdt.
	table = []byte{0x01, 2, 0, 0xAA, 0xBB, 0x02}
	n := len(spec.pieces)
	table = oleLE.AppendUint32(table, uint32(4*(n+1)+8*n))
	for _, c := range cps {
		table = oleLE.AppendUint32(table, c)
	}
	for _, fc := range fcs {
		table = append(table, 0, 0)
		table = oleLE.AppendUint32(table, fc)
		table = append(table, 0, 0)
	}
	oleLE.PutUint32(wd[154+33*8:], 0)
	oleLE.PutUint32(wd[154+33*8+4:], uint32(len(table)))
	return wd, table
}

func buildDOC(t testing.TB, spec docSpec) []byte {
	t.Helper()
	wd, table := buildDOCStreams(t, spec)
	return writeCFB([]*testgen.CFBEntry{cfbStream("WordDocument", wd), cfbStream("1Table", table), cfbStream("\x05SummaryInformation", make([]byte, 48))})
}

// letterDOC is a Word document with a letter to a synthetic citizen: an 8-bit piece, a UTF-16
// piece with a field, a table and a page break, and a header story after the main text.
func letterDOC(t testing.TB) []byte {
	main := []docPieceSpec{
		{text: "Kære " + testName + "\r"},
		{text: "CPR-nr. " + testCPR + "\rDiagnose: type 2-diabetes\x13 MERGEFIELD Feltkode \x14Flettet\x15 slut\ra\x07b\x07\x07\x0CSide to\r", wide: true},
	}
	n := 0
	for _, p := range main {
		n += len([]rune(p.text))
	}
	return buildDOC(t, docSpec{pieces: append(main, docPieceSpec{text: "Sagsbehandler i hovedet\r"}), ccpText: n})
}

// biffRec encodes one BIFF record.
func biffRec(typ uint16, data []byte) []byte {
	b := oleLE.AppendUint16(nil, typ)
	b = oleLE.AppendUint16(b, uint16(len(data)))
	return append(b, data...)
}

func biffBOFRec(version, dt uint16) []byte {
	d := oleLE.AppendUint16(nil, version)
	d = oleLE.AppendUint16(d, dt)
	return biffRec(biffBOF, append(d, make([]byte, 12)...))
}

// xlUStr encodes an XLUnicodeString, 8-bit when every character fits.
func xlUStr(s string) []byte {
	r := []rune(s)
	b := oleLE.AppendUint16(nil, uint16(len(r)))
	narrow := true
	for _, c := range r {
		narrow = narrow && c < 256
	}
	if narrow {
		b = append(b, 0)
		for _, c := range r {
			b = append(b, byte(c))
		}
		return b
	}
	return append(append(b, 1), utf16LE(s)...)
}

func cellHead(row, col, xf uint16) []byte {
	b := oleLE.AppendUint16(nil, row)
	b = oleLE.AppendUint16(b, col)
	return oleLE.AppendUint16(b, xf)
}

// xlsSpec describes a generated workbook.
type xlsSpec struct {
	encrypted bool
	version   uint16 // 0: BIFF8
	truncate  int    // cut this many bytes off the stream's end
}

// buildXLSStream writes a Workbook stream: a shared string table split over a CONTINUE record
// in the middle of a string (8-bit before, UTF-16 after), a number shown as "000000-0000",
// RK, MULRK, LABEL and formula string cells, an embedded chart, a header and two sheets.
func buildXLSStream(t testing.TB, spec xlsSpec) []byte {
	t.Helper()
	version := spec.version
	if version == 0 {
		version = biff8
	}
	var g []byte
	g = append(g, biffBOFRec(version, 0x0005)...)
	if spec.encrypted {
		g = append(g, biffRec(biffFilePass, []byte{1, 0, 1, 0})...)
	}
	g = append(g, biffRec(biffFormat, append(oleLE.AppendUint16(nil, 164), xlUStr(`000000\-0000`)...))...)
	g = append(g, biffRec(biffXF, make([]byte, 20))...)
	xf1 := make([]byte, 20)
	oleLE.PutUint16(xf1[2:], 164)
	g = append(g, biffRec(biffXF, xf1)...)
	// SST: "Navn", "CPR", testName, then "Diagnose: sukkersyge" split after "Diagnose: " with
	// the rest in UTF-16 in the CONTINUE record.
	sst := oleLE.AppendUint32(nil, 4)
	sst = oleLE.AppendUint32(sst, 4)
	for _, s := range []string{"Navn", "CPR"} {
		sst = append(sst, xlUStr(s)...)
	}
	rich := oleLE.AppendUint16(nil, uint16(len([]rune(testName))))
	rich = append(rich, 0x08|0x01) // rich text, UTF-16
	rich = oleLE.AppendUint16(rich, 1)
	rich = append(rich, utf16LE(testName)...)
	rich = append(rich, 0, 0, 0, 0) // one formatting run
	sst = append(sst, rich...)
	last := "Diagnose: sukkersyge"
	sst = oleLE.AppendUint16(sst, uint16(len(last)))
	sst = append(sst, 0)
	sst = append(sst, last[:10]...)
	cont := append([]byte{1}, utf16LE(last[10:])...)
	g = append(g, biffRec(biffSST, sst)...)
	g = append(g, biffRec(biffContinue, cont)...)
	g = append(g, biffRec(0x0085, append([]byte{0, 0, 0, 0, 0, 0}, 2, 0, 'A', 'B'))...) // BOUNDSHEET (offsets not used)
	g = append(g, biffRec(biffEOF, nil)...)

	var s1 []byte
	s1 = append(s1, biffBOFRec(biff8, biffWorksheet)...)
	s1 = append(s1, biffRec(biffHeader, xlUStr("&LSagsbehandler &P"))...)
	lsst := func(row, col uint16, i uint32) []byte {
		return biffRec(biffLabelSST, oleLE.AppendUint32(cellHead(row, col, 0), i))
	}
	s1 = append(s1, lsst(0, 0, 0)...)
	s1 = append(s1, lsst(0, 1, 1)...)
	s1 = append(s1, lsst(1, 0, 2)...)
	s1 = append(s1, biffRec(biffNumber, oleLE.AppendUint64(cellHead(1, 1, 1), math.Float64bits(101901234)))...)
	s1 = append(s1, biffRec(biffRK, oleLE.AppendUint32(cellHead(2, 0, 0), 42<<2|2))...)
	mul := cellHead(3, 0, 0)[:4]
	mul = oleLE.AppendUint16(mul, 0)
	mul = oleLE.AppendUint32(mul, 7<<2|2)
	mul = oleLE.AppendUint16(mul, 0)
	mul = oleLE.AppendUint32(mul, 1250<<2|3) // 12.5
	mul = oleLE.AppendUint16(mul, 1)
	s1 = append(s1, biffRec(biffMulRK, mul)...)
	s1 = append(s1, biffRec(biffLabel, append(cellHead(4, 0, 0), xlUStr("Bopæl: Åvej 3")...))...)
	fv := append(cellHead(5, 0, 0), 0, 0, 0, 0, 0, 0, 0xFF, 0xFF)
	s1 = append(s1, biffRec(biffFormula, append(fv, make([]byte, 6)...))...)
	s1 = append(s1, biffRec(biffString, xlUStr("formelresultat"))...)
	s1 = append(s1, biffBOFRec(biff8, 0x0020)...) // an embedded chart
	s1 = append(s1, lsst(9, 9, 0)...)
	s1 = append(s1, biffRec(biffEOF, nil)...)
	s1 = append(s1, biffRec(biffEOF, nil)...)

	var s2 []byte
	s2 = append(s2, biffBOFRec(biff8, biffWorksheet)...)
	s2 = append(s2, lsst(0, 0, 3)...)
	s2 = append(s2, biffRec(biffEOF, nil)...)

	out := append(append(g, s1...), s2...)
	return out[:len(out)-spec.truncate]
}

func buildXLS(t testing.TB, spec xlsSpec) []byte {
	t.Helper()
	return writeCFB([]*testgen.CFBEntry{cfbStream("Workbook", buildXLSStream(t, spec))})
}

// pptRec encodes one PowerPoint record; a container when kids are given as data with ver 0xF.
func pptRec(verInst, typ uint16, data []byte) []byte {
	b := oleLE.AppendUint16(nil, verInst)
	b = oleLE.AppendUint16(b, typ)
	b = oleLE.AppendUint32(b, uint32(len(data)))
	return append(b, data...)
}

// buildPPTStream writes a PowerPoint Document stream: a document container whose
// SlideListWithText holds two slides' placeholder text (UTF-16 and 8-bit atoms), the slides'
// own containers (the second with a text box), a notes container and the persist directory
// that maps the slides' persist ids to their containers.
func buildPPTStream(t testing.TB) []byte {
	t.Helper()
	persistAtom := func(id uint32) []byte {
		return pptRec(0, pptSlidePersist, append(oleLE.AppendUint32(nil, id), make([]byte, 16)...))
	}
	slwt := pptRec(0x000F, pptSLWT, bytes.Join([][]byte{
		persistAtom(1),
		pptRec(0, 0x0F9F, []byte{0, 0, 0, 0}), // TextHeaderAtom
		pptRec(0, pptTextChars, utf16LE("Kære "+testName+"\rCPR-nr. "+testCPR)),
		persistAtom(2),
		pptRec(0, 0x0F9F, []byte{1, 0, 0, 0}),
		pptRec(0, pptTextBytes, []byte("Diagnose: astma\vbehandles")),
	}, nil))
	out := pptRec(0x000F, pptDocument, bytes.Join([][]byte{pptRec(1, 0x03E9, make([]byte, 40)), slwt}, nil))
	slide1 := len(out)
	out = append(out, pptRec(0x000F, pptSlide, pptRec(0x000F, 0xF002, nil))...)
	slide2 := len(out)
	box := pptRec(0x000F, 0xF00D, pptRec(0, pptTextChars, utf16LE("Tekstboks på dias")))
	out = append(out, pptRec(0x000F, pptSlide, pptRec(0x000F, 0xF002, box))...)
	out = append(out, pptRec(0x000F, 0x03F0, pptRec(0, pptCString, utf16LE("Noter til mødet")))...)
	dir := oleLE.AppendUint32(nil, 1|2<<20) // ids 1 and 2
	dir = oleLE.AppendUint32(dir, uint32(slide1))
	dir = oleLE.AppendUint32(dir, uint32(slide2))
	return append(out, pptRec(0, pptPersistDir, dir)...)
}

func buildPPT(t testing.TB) []byte {
	return writeCFB([]*testgen.CFBEntry{cfbStream("PowerPoint Document", buildPPTStream(t)), cfbStream("Current User", make([]byte, 20))})
}

// ole10Native writes a packager stream carrying a file.
func buildOle10Native(label, path string, data []byte) []byte {
	var b []byte
	b = oleLE.AppendUint16(b, 2)
	ansi := func(s string) []byte {
		b, _ := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
		return b
	}
	b = append(append(b, ansi(label)...), 0)
	b = append(append(b, ansi(path)...), 0)
	b = append(b, 0, 0, 3, 0)
	tmp := []byte(`C:\Temp\` + label + "\x00")
	b = oleLE.AppendUint32(b, uint32(len(tmp)))
	b = append(b, tmp...)
	b = oleLE.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	return append(oleLE.AppendUint32(nil, uint32(len(b))), b...)
}

// compObj writes a \x01CompObj stream naming the object's user type and ProgID.
func compObj(userType, progID string) []byte {
	b := make([]byte, 28)
	oleLE.PutUint32(b[0:], 0xFFFE0001)
	str := func(s string) {
		b = oleLE.AppendUint32(b, uint32(len(s)+1))
		b = append(append(b, s...), 0)
	}
	str(userType)
	b = oleLE.AppendUint32(b, 0) // no clipboard format
	str(progID)
	return b
}

// oleObjectFile writes an embedded object (oleObjectN.bin) with the given payload streams.
func oleObjectFile(progID string, streams ...*testgen.CFBEntry) []byte {
	kids := []*testgen.CFBEntry{cfbStream("\x01Ole", make([]byte, 20)), cfbStream("\x01CompObj", compObj("Objekt", progID))}
	return writeCFB(append(kids, streams...))
}

// addZipEntry returns the archive with one more entry.
func addZipEntry(t testing.TB, data []byte, name string, content []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(content)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// xlsbRec encodes one XLSB record (type and size as 7-bit varints).
func xlsbRec(typ int, data []byte) []byte {
	var b []byte
	for {
		c := byte(typ & 0x7F)
		typ >>= 7
		if typ == 0 {
			b = append(b, c)
			break
		}
		b = append(b, c|0x80)
	}
	n := len(data)
	for {
		c := byte(n & 0x7F)
		n >>= 7
		if n == 0 {
			b = append(b, c)
			break
		}
		b = append(b, c|0x80)
	}
	return append(b, data...)
}

func xlWStr(s string) []byte {
	u := utf16LE(s)
	return append(oleLE.AppendUint32(nil, uint32(len(u)/2)), u...)
}

func xlsbCell(col, style uint32, v []byte) []byte {
	b := oleLE.AppendUint32(nil, col)
	b = oleLE.AppendUint32(b, style)
	return append(b, v...)
}

// buildXLSB writes an Excel binary workbook with two sheets (listed in reverse of their part
// names, to check the order comes from the workbook): shared strings, an inline string, a
// number shown through the format 0000000000 and an RK number.
func buildXLSB(t testing.TB) []byte {
	t.Helper()
	rels := func(body string) []byte {
		return []byte(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + body + `</Relationships>`)
	}
	rel := func(id, typ, target string) string {
		return `<Relationship Id="` + id + `" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/` + typ + `" Target="` + target + `"/>`
	}
	sheet := func(id, name string) []byte {
		d := make([]byte, 8)
		return xlsbRec(xlsbBundleSh, append(append(d, xlWStr(id)...), xlWStr(name)...))
	}
	book := bytes.Join([][]byte{xlsbRec(131, nil), xlsbRec(143, nil), sheet("rId2", "Noter"), sheet("rId1", "Borgere"), xlsbRec(144, nil), xlsbRec(132, nil)}, nil)
	sst := bytes.Join([][]byte{xlsbRec(159, make([]byte, 8)), xlsbRec(xlsbSSTItem, append([]byte{0}, xlWStr(testName)...)), xlsbRec(xlsbSSTItem, append([]byte{0}, xlWStr("Diagnose: KOL")...)), xlsbRec(160, nil)}, nil)
	styles := bytes.Join([][]byte{
		xlsbRec(xlsbFmt, append(oleLE.AppendUint16(nil, 164), xlWStr("0000000000")...)),
		xlsbRec(xlsbBeginXFs, make([]byte, 4)),
		xlsbRec(xlsbXF, make([]byte, 16)),
		xlsbRec(xlsbXF, append([]byte{0, 0, 164, 0}, make([]byte, 12)...)),
		xlsbRec(xlsbEndXFs, nil),
	}, nil)
	row := func(r uint32) []byte {
		return xlsbRec(xlsbRowHdr, append(oleLE.AppendUint32(nil, r), make([]byte, 13)...))
	}
	s1 := bytes.Join([][]byte{
		xlsbRec(129, nil),
		row(0), xlsbRec(xlsbCellIsst, xlsbCell(0, 0, oleLE.AppendUint32(nil, 0))), xlsbRec(xlsbCellReal, xlsbCell(1, 1, oleLE.AppendUint64(nil, math.Float64bits(101901234)))),
		row(1), xlsbRec(xlsbCellSt, xlsbCell(0, 0, xlWStr("Bopæl: Åvej 3"))), xlsbRec(xlsbCellRk, xlsbCell(1, 0, oleLE.AppendUint32(nil, 42<<2|2))),
		xlsbRec(130, nil),
	}, nil)
	s2 := bytes.Join([][]byte{row(0), xlsbRec(xlsbCellIsst, xlsbCell(2, 0, oleLE.AppendUint32(nil, 1)))}, nil)
	return buildZip(t,
		zent{name: "[Content_Types].xml", data: []byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>`)},
		zent{name: "_rels/.rels", data: rels(rel("rId1", "officeDocument", "xl/workbook.bin"))},
		zent{name: "xl/workbook.bin", data: book},
		zent{name: "xl/_rels/workbook.bin.rels", data: rels(rel("rId1", "worksheet", "worksheets/sheet2.bin") + rel("rId2", "worksheet", "worksheets/sheet1.bin") + rel("rId3", "sharedStrings", "sharedStrings.bin") + rel("rId4", "styles", "styles.bin"))},
		zent{name: "xl/sharedStrings.bin", data: sst},
		zent{name: "xl/styles.bin", data: styles},
		zent{name: "xl/worksheets/sheet1.bin", data: s2},
		zent{name: "xl/worksheets/sheet2.bin", data: s1},
	)
}

// buildDOCWithObjects is a Word document with two embedded objects in its ObjectPool: a
// packaged text file and an Excel 97-2003 workbook.
func buildDOCWithObjects(t testing.TB) []byte {
	wd, table := buildDOCStreams(t, docSpec{pieces: []docPieceSpec{{text: "Se bilag\r"}}})
	pkg := buildOle10Native("journal.txt", `C:\journal.txt`, journal)
	return writeCFB([]*testgen.CFBEntry{
		cfbStream("WordDocument", wd), cfbStream("1Table", table),
		cfbStorage("ObjectPool",
			cfbStorage("_1001", cfbStream("\x01Ole", make([]byte, 20)), cfbStream("\x01Ole10Native", pkg)),
			cfbStorage("_1002", cfbStream("\x01CompObj", compObj("Regneark", "Excel.Sheet.8")), cfbStream("Workbook", buildXLSStream(t, xlsSpec{}))),
		),
	})
}

// buildDOC6 writes a Word 6.0/95 document: an older FIB, 8-bit text at 0x200 and, when
// complex (fast-saved), a piece table inside WordDocument splitting the text into two pieces
// stored in reverse order.
func buildDOC6(t testing.TB, text string, complex bool) []byte {
	t.Helper()
	b := cp1252(t, text)
	wd := make([]byte, 0x200)
	oleLE.PutUint16(wd[0:], 0xA5DC)
	oleLE.PutUint16(wd[2:], 0x0065)
	oleLE.PutUint32(wd[doc6CcpText:], uint32(len(b)))
	if !complex {
		wd = append(wd, b...)
		oleLE.PutUint32(wd[doc6FcMin:], 0x200)
		oleLE.PutUint32(wd[doc6FcMin+4:], uint32(len(wd)))
		return writeCFB([]*testgen.CFBEntry{cfbStream("WordDocument", wd)})
	}
	oleLE.PutUint16(wd[0x0A:], docFlagCmplx)
	half := len(b) / 2
	second := uint32(len(wd))
	wd = append(wd, b[half:]...)
	first := uint32(len(wd))
	wd = append(wd, b[:half]...)
	clx := []byte{0x02}
	clx = oleLE.AppendUint32(clx, 4*3+8*2)
	for _, cp := range []int{0, half, len(b)} {
		clx = oleLE.AppendUint32(clx, uint32(cp))
	}
	for _, fc := range []uint32{first, second} {
		clx = append(clx, 0, 0)
		clx = oleLE.AppendUint32(clx, fc)
		clx = append(clx, 0, 0)
	}
	oleLE.PutUint32(wd[doc6FcClx:], uint32(len(wd)))
	oleLE.PutUint32(wd[doc6FcClx+4:], uint32(len(clx)))
	wd = append(wd, clx...)
	return writeCFB([]*testgen.CFBEntry{cfbStream("WordDocument", wd)})
}

// buildXLS5 writes an Excel 5.0/95 workbook (a "Book" stream, BIFF5): 8-bit strings in the
// code page with 1- or 2-byte lengths, a number shown as "000000-0000".
func buildXLS5(t testing.TB) []byte {
	t.Helper()
	bstr := func(s string, lenSize int) []byte {
		b := cp1252(t, s)
		if lenSize == 1 {
			return append([]byte{byte(len(b))}, b...)
		}
		return append(oleLE.AppendUint16(nil, uint16(len(b))), b...)
	}
	bof := func(dt uint16) []byte {
		return biffRec(biffBOF, append(oleLE.AppendUint16(oleLE.AppendUint16(nil, biff5), dt), 0, 0, 0, 0))
	}
	xf1 := make([]byte, 16)
	oleLE.PutUint16(xf1[2:], 164)
	s := bytes.Join([][]byte{
		bof(0x0005),
		biffRec(biffCodePage, oleLE.AppendUint16(nil, 1252)),
		biffRec(biffFormat, append(oleLE.AppendUint16(nil, 164), bstr(`000000\-0000`, 1)...)),
		biffRec(biffXF, make([]byte, 16)),
		biffRec(biffXF, xf1),
		biffRec(biffEOF, nil),
		bof(biffWorksheet),
		biffRec(biffHeader, bstr("Sagsbehandler Åse", 1)),
		biffRec(biffLabel, append(cellHead(0, 0, 0), bstr("Kære "+testName, 2)...)),
		biffRec(biffNumber, oleLE.AppendUint64(cellHead(0, 1, 1), math.Float64bits(101901234))),
		biffRec(biffEOF, nil),
	}, nil)
	return writeCFB([]*testgen.CFBEntry{cfbStream("Book", s)})
}
