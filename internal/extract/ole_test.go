package extract

import (
	"bytes"
	"compress/zlib"
	"context"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/testgen"
)

func TestLegacyWord(t *testing.T) {
	x := New(Limits{})
	docs := x.Extract(context.Background(), "Brev.doc", "", letterDOC(t))
	d := docs[0]
	if d.Type != "doc" || d.Status != Scanned || len(docs) != 1 {
		t.Fatalf("got %d docs, %s %s %q", len(docs), d.Type, d.Status, d.Detail)
	}
	if len(d.Pages) != 2 {
		t.Fatalf("want 2 pages (a page break in the main text), got %d: %q", len(d.Pages), allText(d))
	}
	p1, p2 := d.Pages[0].Text, d.Pages[1].Text
	for _, want := range []string{"Kære " + testName, "CPR-nr. " + testCPR, "Diagnose: type 2-diabetes", "Flettet slut", "a\tb"} {
		if !strings.Contains(p1, want) {
			t.Errorf("page 1 lacks %q: %q", want, p1)
		}
	}
	if strings.Contains(allText(d), "MERGEFIELD") {
		t.Errorf("field code read as text: %q", allText(d))
	}
	if !strings.Contains(p2, "Side to") || !strings.Contains(p2, "Sagsbehandler i hovedet") {
		t.Errorf("page 2: %q", p2)
	}

	cases := []struct {
		name   string
		data   []byte
		status Status
		detail string
	}{
		{"encrypted", buildDOC(t, docSpec{pieces: []docPieceSpec{{text: "x"}}, flags: 0x0100}), Encrypted, "password-protected Word document"},
		{"word95 truncated FIB", writeCFB([]*testgen.CFBEntry{cfbStream("WordDocument", append([]byte{0xDC, 0xA5, 0x65, 0}, make([]byte, 96)...))}), Unscannable, "corrupt Word document: FIB truncated"},
		{"word95 text outside", writeCFB([]*testgen.CFBEntry{cfbStream("WordDocument", func() []byte {
			b := append([]byte{0xDC, 0xA5, 0x65, 0}, make([]byte, 0x200)...)
			oleLE.PutUint32(b[doc6FcMin+4:], 1<<30)
			return b
		}())}), Unscannable, "corrupt Word document: text outside"},
		{"word2", buildDOC(t, docSpec{pieces: []docPieceSpec{{text: "x"}}, ident: 0xA59B}), Unsupported, "Word for Windows 1.x/2.0"},
		{"bad ident", buildDOC(t, docSpec{pieces: []docPieceSpec{{text: "x"}}, ident: 0x1234}), Unscannable, "corrupt Word document: not a Word document"},
		{"no table stream", writeCFB([]*testgen.CFBEntry{cfbStream("WordDocument", mustWD(t))}), Unscannable, "corrupt Word document: missing 1Table"},
		{"piece outside", docWithPiece(t, 0x7FFFFFF0), Unscannable, "corrupt Word document: text outside the WordDocument stream"},
		{"clx outside", docWithCLX(t, 1<<30, 100), Unscannable, "corrupt Word document: piece table outside the table stream"},
		{"clx malformed", docWithCLX(t, 0, 3), Unscannable, "corrupt Word document: piece table"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := x.Extract(context.Background(), "Brev.doc", "", c.data)[0]
			if d.Type != "doc" || d.Status != c.status || !strings.HasPrefix(d.Detail, c.detail) {
				t.Fatalf("got %s %s %q, want %s %q", d.Type, d.Status, d.Detail, c.status, c.detail)
			}
		})
	}
}

func TestWord6(t *testing.T) {
	text := "Kære " + testName + "\rCPR-nr. " + testCPR + "\rDiagnose: gigt\r"
	for _, complex := range []bool{false, true} {
		d := New(Limits{}).Extract(context.Background(), "Gammel.doc", "", buildDOC6(t, text, complex))[0]
		want := "Kære " + testName + "\nCPR-nr. " + testCPR + "\nDiagnose: gigt"
		if d.Type != "doc" || d.Status != Scanned || allText(d) != want+"\n" {
			t.Errorf("complex=%v: got %s %s %q %q", complex, d.Type, d.Status, d.Detail, allText(d))
		}
	}
}

func mustWD(t *testing.T) []byte {
	wd, _ := buildDOCStreams(t, docSpec{pieces: []docPieceSpec{{text: "x"}}})
	return wd
}

// docWithPiece is a document whose one piece points at fc (8-bit).
func docWithPiece(t *testing.T, fc uint32) []byte {
	wd, table := buildDOCStreams(t, docSpec{pieces: []docPieceSpec{{text: "hej"}}})
	oleLE.PutUint32(table[len(table)-6:], fc|0x40000000)
	return writeCFB([]*testgen.CFBEntry{cfbStream("WordDocument", wd), cfbStream("1Table", table)})
}

// docWithCLX is a document whose FIB places the CLX at fc with length lcb.
func docWithCLX(t *testing.T, fc, lcb uint32) []byte {
	wd, table := buildDOCStreams(t, docSpec{pieces: []docPieceSpec{{text: "hej"}}})
	oleLE.PutUint32(wd[154+33*8:], fc)
	oleLE.PutUint32(wd[154+33*8+4:], lcb)
	return writeCFB([]*testgen.CFBEntry{cfbStream("WordDocument", wd), cfbStream("1Table", table)})
}

func TestLegacyExcel(t *testing.T) {
	x := New(Limits{})
	d := x.Extract(context.Background(), "Borgere.xls", "", buildXLS(t, xlsSpec{}))[0]
	if d.Type != "xls" || d.Status != Scanned {
		t.Fatalf("got %s %s %q", d.Type, d.Status, d.Detail)
	}
	if len(d.Pages) != 2 {
		t.Fatalf("want a page per sheet, got %d: %q", len(d.Pages), allText(d))
	}
	want1 := "Navn\tCPR\n" + testName + "\t" + testCPR + "\n42\n7\t12.5\nBopæl: Åvej 3\nformelresultat\nSagsbehandler"
	if got := d.Pages[0].Text; got != want1 {
		t.Errorf("sheet 1:\n got %q\nwant %q", got, want1)
	}
	if got := d.Pages[1].Text; got != "Diagnose: sukkersyge" {
		t.Errorf("sheet 2 (a string split over CONTINUE): %q", got)
	}

	cases := []struct {
		name   string
		data   []byte
		status Status
		detail string
	}{
		{"encrypted", buildXLS(t, xlsSpec{encrypted: true}), Encrypted, "password-protected Excel workbook"},
		{"biff7", buildXLS(t, xlsSpec{version: 0x0700}), Unsupported, "Excel workbook of an unknown BIFF version"},
		{"biff4", append([]byte{0x09, 0x04, 6, 0, 0, 0, 0x10, 0}, make([]byte, 40)...), Unsupported, "Excel 2.x-4.0 worksheet (.xls) not read"},
		{"truncated", buildXLS(t, xlsSpec{truncate: 3}), Unscannable, "corrupt Excel workbook: truncated record"},
		{"no BOF", writeCFB([]*testgen.CFBEntry{cfbStream("Workbook", []byte{1, 2, 3, 4, 5, 6})}), Unscannable, "corrupt Excel workbook: no BOF record"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := x.Extract(context.Background(), "Borgere.xls", "", c.data)[0]
			if d.Type != "xls" || d.Status != c.status || !strings.HasPrefix(d.Detail, c.detail) {
				t.Fatalf("got %s %s %q, want %s %q", d.Type, d.Status, d.Detail, c.status, c.detail)
			}
		})
	}
}

func TestExcel5(t *testing.T) {
	d := New(Limits{}).Extract(context.Background(), "Gammel.xls", "", buildXLS5(t))[0]
	want := "Kære " + testName + "\t" + testCPR + "\nSagsbehandler Åse\n"
	if d.Type != "xls" || d.Status != Scanned || allText(d) != want {
		t.Fatalf("got %s %s %q %q", d.Type, d.Status, d.Detail, allText(d))
	}
	// A table exported as text under an .xls name is read as text.
	d = New(Limits{}).Extract(context.Background(), "Udtræk.xls", "", []byte("Navn\tCPR\n"+testName+"\t"+testCPR+"\n"))[0]
	if d.Type != "text" || d.Status != Scanned || !strings.Contains(allText(d), testCPR) {
		t.Fatalf("text as .xls: %+v", d)
	}
}

func TestZeroPadFormat(t *testing.T) {
	cases := []struct {
		v      float64
		format string
		want   string
		ok     bool
	}{
		{101901234, "0000000000", "0101901234", true},
		{101901234, `000000\-0000`, "010190-1234", true},
		{101901234, `000000"-"0000`, "010190-1234", true},
		{101901234, `000000-0000;@`, "010190-1234", true},
		{12, "0.00", "", false},
		{12, "000", "", false}, // too few digits to be an identifier format
		{1.5, "0000000000", "", false},
		{-5, "0000000000", "", false},
		{12345678901, "0000000000", "", false}, // does not fit
	}
	for _, c := range cases {
		got, ok := zeroPadFormat(c.v, c.format)
		if got != c.want || ok != c.ok {
			t.Errorf("zeroPadFormat(%v, %q) = %q %v, want %q %v", c.v, c.format, got, ok, c.want, c.ok)
		}
	}
}

func TestLegacyPowerPoint(t *testing.T) {
	x := New(Limits{})
	d := x.Extract(context.Background(), "Dias.ppt", "", buildPPT(t))[0]
	if d.Type != "ppt" || d.Status != Scanned {
		t.Fatalf("got %s %s %q", d.Type, d.Status, d.Detail)
	}
	want := []string{"Kære " + testName + "\nCPR-nr. " + testCPR, "Diagnose: astma\nbehandles\nTekstboks på dias\nNoter til mødet"}
	if len(d.Pages) != 2 || d.Pages[0].Text != want[0] || d.Pages[1].Text != want[1] {
		t.Fatalf("got %q, want a page per slide %q", allText(d), want)
	}
	// Without a slide list the slides' own containers give the pages, in stream order.
	s := buildPPTStream(t)
	for i := range len(s) - 4 {
		if oleLE.Uint16(s[i+2:]) == pptSLWT && oleLE.Uint16(s[i:]) == 0x000F {
			oleLE.PutUint16(s[i+2:], 0x0FFF) // no longer a slide list
			break
		}
	}
	d = x.Extract(context.Background(), "Dias.ppt", "", writeCFB([]*testgen.CFBEntry{cfbStream("PowerPoint Document", s)}))[0]
	if len(d.Pages) != 2 || !strings.Contains(d.Pages[1].Text, "Tekstboks") || !strings.Contains(d.Pages[1].Text, testCPR) {
		t.Fatalf("without a slide list: %q", allText(d))
	}
	dual := writeCFB([]*testgen.CFBEntry{cfbStream("PowerPoint Document", []byte("PowerPoint 95")), cfbStorage("PP97_DUALSTORAGE", cfbStream("PowerPoint Document", buildPPTStream(t)))})
	if d := x.Extract(context.Background(), "Dias.ppt", "", dual)[0]; d.Status != Scanned || !strings.Contains(allText(d), testCPR) {
		t.Fatalf("dual storage: %+v", d)
	}
	pp4 := writeCFB([]*testgen.CFBEntry{cfbStream("PP40", []byte{1, 2, 3})})
	if d := x.Extract(context.Background(), "Dias.ppt", "", pp4)[0]; d.Type != "ppt" || d.Status != Unsupported || d.Detail != "PowerPoint 4.0 presentation (.ppt) not read" {
		t.Fatalf("PowerPoint 4: %+v", d)
	}
	enc := writeCFB([]*testgen.CFBEntry{cfbStream("PowerPoint Document", buildPPTStream(t)), cfbStream("EncryptedSummary", []byte{1})})
	if d := x.Extract(context.Background(), "Dias.ppt", "", enc)[0]; d.Status != Encrypted {
		t.Fatalf("encrypted: %+v", d)
	}
	bad := writeCFB([]*testgen.CFBEntry{cfbStream("PowerPoint Document", []byte{1, 2, 3})})
	if d := x.Extract(context.Background(), "Dias.ppt", "", bad)[0]; d.Status != Unscannable {
		t.Fatalf("corrupt: %+v", d)
	}
}

// journal is a packaged text file with a synthetic citizen's CPR number and a diagnosis.
var journal = []byte("Journal\r\nCPR " + testCPR + "\r\nDiagnose: depression\r\n")

func TestOLEObjectsInOOXML(t *testing.T) {
	packaged := oleObjectFile("Package", cfbStream("\x01Ole10Native", buildOle10Native("journal.txt", `C:\Users\sb\Documents\journal.txt`, journal)))
	acrobat := oleObjectFile("AcroExch.Document.DC", cfbStream("CONTENTS", buildPDF(t, "Udskrift", "CPR "+testCPR)))
	inner := buildDOCX(t, wPara("Indlejret: CPR "+testCPR), nil)
	ooxml := oleObjectFile("Word.Document.12", cfbStream("Package", inner))
	wb := buildXLSStream(t, xlsSpec{})
	excel := writeCFB([]*testgen.CFBEntry{cfbStream("\x01Ole", make([]byte, 20)), cfbStream("\x01CompObj", compObj("Regneark", "Excel.Sheet.8")), cfbStream("Workbook", wb)})
	equation := oleObjectFile("Equation.3", cfbStream("Equation Native", []byte{1, 2, 3}))
	docx := buildZip(t,
		zent{name: "[Content_Types].xml", data: []byte(`wordprocessingml.document.main+xml`)},
		zent{name: "word/document.xml", data: []byte(`<w:document ` + wNS + `><w:body>` + wPara("Se bilag") + `</w:body></w:document>`)},
		zent{name: "word/embeddings/oleObject1.bin", data: packaged},
		zent{name: "word/embeddings/oleObject2.bin", data: acrobat},
		zent{name: "word/embeddings/oleObject3.bin", data: ooxml},
		zent{name: "word/embeddings/oleObject4.bin", data: excel},
		zent{name: "word/embeddings/oleObject5.bin", data: equation},
		zent{name: "word/embeddings/Dokument.pdf", data: buildPDF(t, "Direkte indlejret")},
	)
	docs := FullExtractor(Limits{}).Extract(context.Background(), "Brev.docx", "", docx)
	type want struct {
		name, typ string
		status    Status
		text      string // contained in the text, or the Detail when not scanned
	}
	const e = "Brev.docx/word/embeddings/"
	wants := []want{
		{"Brev.docx", "docx", Scanned, "Se bilag"},
		{e + "oleObject1.bin", "ole", Scanned, "journal.txt"},
		{e + "oleObject1.bin/journal.txt", "text", Scanned, "Diagnose: depression"},
		{e + "oleObject2.bin", "ole", Scanned, ""},
		{e + "oleObject2.bin/CONTENTS", "pdf", Scanned, "CPR " + testCPR},
		{e + "oleObject3.bin", "ole", Scanned, ""},
		{e + "oleObject3.bin/Package", "docx", Scanned, "Indlejret: CPR " + testCPR},
		{e + "oleObject4.bin", "xls", Scanned, testCPR},
		{e + "oleObject5.bin", "ole", Unsupported, "unsupported file type: embedded OLE object (Equation Editor equation, Equation.3)"},
		{e + "Dokument.pdf", "pdf", Scanned, "Direkte indlejret"},
	}
	if len(docs) != len(wants) {
		var names []string
		for _, d := range docs {
			names = append(names, d.Name+" "+string(d.Status)+" "+d.Detail)
		}
		t.Fatalf("got %d documents, want %d: %q", len(docs), len(wants), names)
	}
	for i, w := range wants {
		d := docs[i]
		ok := d.Name == w.name && d.Type == w.typ && d.Status == w.status
		if w.status == Scanned {
			ok = ok && strings.Contains(allText(d), w.text)
		} else {
			ok = ok && d.Detail == w.text
		}
		if !ok {
			t.Errorf("document %d: got %q %s %s %q %q, want %+v", i, d.Name, d.Type, d.Status, d.Detail, allText(d), w)
		}
	}

	// At the nesting limit the object is listed, its content is not read, and that is said.
	docs = New(Limits{MaxDepth: 2}).Extract(context.Background(), "Breve.zip", "", buildZip(t, zent{name: "Brev.docx", data: docx}))
	obj := find(t, docs, "Breve.zip/Brev.docx/word/embeddings/oleObject1.bin")
	if obj.Status != TooLarge || !strings.Contains(obj.Detail, "MaxDepth") {
		t.Fatalf("object at the depth limit: %+v", obj)
	}
}

// TestOLEObjectsInOtherPackages: objects under ppt/ and xl/ embeddings are read the same way.
func TestOLEObjectsInOtherPackages(t *testing.T) {
	packaged := oleObjectFile("Package", cfbStream("\x01Ole10Native", buildOle10Native("journal.txt", `C:\journal.txt`, journal)))
	pptx := buildPPTX(t, []string{"Dias"}, nil)
	pptx = addZipEntry(t, pptx, "ppt/embeddings/oleObject1.bin", packaged)
	docs := New(Limits{}).Extract(context.Background(), "Dias.pptx", "", pptx)
	if d := find(t, docs, "Dias.pptx/ppt/embeddings/oleObject1.bin/journal.txt"); d.Status != Scanned || !strings.Contains(allText(d), testCPR) {
		t.Fatalf("pptx: %+v", d)
	}
	xlsx := addZipEntry(t, buildXLSXWithCPRNumber(t), "xl/embeddings/oleObject1.bin", packaged)
	docs = New(Limits{}).Extract(context.Background(), "Ark.xlsx", "", xlsx)
	if d := find(t, docs, "Ark.xlsx/xl/embeddings/oleObject1.bin/journal.txt"); d.Status != Scanned || !strings.Contains(allText(d), testCPR) {
		t.Fatalf("xlsx: %+v", d)
	}
}

func TestOle10Native(t *testing.T) {
	full := buildOle10Native("Bilag", `C:\Dokumenter\Afgørelse 2.pdf`, []byte("%PDF-1.4"))
	cases := []struct {
		name     string
		data     []byte
		wantName string
		wantData string
	}{
		{"parsed", full, "Afgørelse 2.pdf", "%PDF-1.4"},
		{"no path", buildOle10Native("Bilag.txt", "", []byte("x")), "Bilag.txt", "x"},
		{"compact", append(oleLE.AppendUint32(nil, 6), 2, 0, 0x01, 'a', 'b', 'c'), "pakke", "\x01abc"},
		{"unparsed", append(oleLE.AppendUint32(nil, 3), 'a', 'b', 'c'), "pakke", "abc"},
		{"size lies", append(oleLE.AppendUint32(nil, 1<<31), 'a', 'b'), "pakke", "ab"},
		{"truncated", full[:len(full)-3], "pakke", string(full[4 : len(full)-3])},
		{"empty", nil, "pakke", ""},
	}
	for _, c := range cases {
		p := parseOle10Native(c.data)
		if p.name() != c.wantName || string(p.data) != c.wantData {
			t.Errorf("%s: got %q %q, want %q %q", c.name, p.name(), p.data, c.wantName, c.wantData)
		}
	}
}

// TestHostileOLE cuts and corrupts every generated binary: each must give a status, never a
// panic or a hang (panics are not recovered here).
func TestHostileOLE(t *testing.T) {
	x := fuzzExtractor()
	for name, data := range oleSeeds(t) {
		step := max(len(data)/97, 1)
		for cut := 0; cut < len(data); cut += step {
			checkDocs(t, name, x.Extract(context.Background(), name, "", data[:cut]))
		}
		for i := 0; i < 200; i++ {
			b := append([]byte(nil), data...)
			k := (i*7919 + 13) % len(b)
			b[k] ^= byte(0x55 + i)
			b[(k*31+i)%len(b)] = 0xFF
			checkDocs(t, name, x.Extract(context.Background(), name, "", b))
		}
	}
}

// oleSeeds are the generated OLE binaries, for TestHostileOLE and FuzzOLE.
func oleSeeds(t testing.TB) map[string][]byte {
	return map[string][]byte{
		"brev.doc":   letterDOC(t),
		"bilag.doc":  buildDOCWithObjects(t),
		"gammel.doc": buildDOC6(t, "Kære "+testName+"\r"+testCPR, true),
		"ark.xlsb":   buildXLSB(t),
		"ark.xls":    buildXLS(t, xlsSpec{}),
		"gammel.xls": buildXLS5(t),
		"dias.ppt":   buildPPT(t),
		"objekt.ppt": writeCFB([]*testgen.CFBEntry{cfbStream("PowerPoint Document", append(buildPPTStream(t), pptRec(0, pptExOleObjStg, oleObjectFile("Package", cfbStream("\x01Ole10Native", buildOle10Native("a.txt", "a.txt", journal))))...))}),
		"objekt.bin": oleObjectFile("Package", cfbStream("\x01Ole10Native", buildOle10Native("journal.txt", `C:\journal.txt`, journal))),
		// A CONTENTS stream that is text, not a PDF: a broken PDF would spend the time in the
		// pdftotext fallback rather than in the object reader.
		"contents.bin": oleObjectFile("AcroExch.Document.DC", cfbStream("CONTENTS", []byte("Udskrift "+testCPR))),
	}
}

func FuzzOLE(f *testing.F) {
	for name, data := range oleSeeds(f) {
		f.Add(name, data)
	}
	x := fuzzExtractor()
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		checkDocs(t, name, x.Extract(context.Background(), name, "", data))
	})
}

// FuzzBIFF feeds raw record streams to the legacy readers directly (no compound file around).
func FuzzBIFF(f *testing.F) {
	f.Add(buildXLSStream(f, xlsSpec{}))
	f.Add(buildPPTStream(f))
	wd, table := buildDOCStreams(f, docSpec{pieces: []docPieceSpec{{text: "a\x13b\x14c\x15"}, {text: "d\x07\x07", wide: true}}})
	f.Add(append(wd, table...))
	x := fuzzExtractor()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range []*testgen.CFBEntry{cfbStream("Workbook", data), cfbStream("PowerPoint Document", data)} {
			checkDocs(t, "f", x.Extract(context.Background(), "f", "", writeCFB([]*testgen.CFBEntry{c})))
		}
		if len(data) > 1024 {
			checkDocs(t, "f", x.Extract(context.Background(), "f", "", writeCFB([]*testgen.CFBEntry{cfbStream("WordDocument", data[:1024]), cfbStream("1Table", data[1024:]), cfbStream("0Table", data[1024:])})))
		}
		fuzzText(t, func(s *sink) error {
			parseSST([][]byte{data, data[len(data)/2:]}, len(data))
			return nil
		})
	})
}

func TestXLSB(t *testing.T) {
	data := buildXLSB(t)
	docs := New(Limits{}).Extract(context.Background(), "Borgere.xlsb", "", data)
	d := docs[0]
	if len(docs) != 1 || d.Type != "xlsb" || d.Status != Scanned || len(d.Pages) != 2 {
		t.Fatalf("got %d docs: %+v", len(docs), d)
	}
	if got, want := d.Pages[1].Text, testName+"\t0101901234\nBopæl: Åvej 3\t42"; got != want {
		t.Errorf("sheet Borgere: got %q, want %q", got, want)
	}
	if got := d.Pages[0].Text; got != "Diagnose: KOL" {
		t.Errorf("sheet Noter: %q", got)
	}
	// Recognised by its parts without the name, and a damaged sheet is reported.
	if d := New(Limits{}).Extract(context.Background(), "bilag", "", data)[0]; d.Type != "xlsb" || d.Status != Scanned {
		t.Fatalf("unnamed: %+v", d)
	}
	bad := addZipEntry(t, buildZip(t, zent{name: "xl/workbook.bin", data: xlsbRec(xlsbBundleSh, nil)}), "xl/worksheets/sheet1.bin", []byte{0x07, 0xFF})
	if d := New(Limits{}).Extract(context.Background(), "a.xlsb", "", bad)[0]; d.Status != Unscannable || d.Detail != "corrupt XLSB: unreadable in xl/worksheets/sheet1.bin" {
		t.Fatalf("damaged: %+v", d)
	}
	checkDocs(t, "a.xlsb", fuzzExtractor().Extract(context.Background(), "a.xlsb", "", bad))
}

// TestObjectsInLegacyFiles: objects embedded in a .doc (ObjectPool) and a .xls (MBD storages)
// are read in place as nested documents.
func TestObjectsInLegacyFiles(t *testing.T) {
	doc := buildDOCWithObjects(t)
	wd, table := buildDOCStreams(t, docSpec{pieces: []docPieceSpec{{text: "Se bilag\r"}}})
	docs := New(Limits{}).Extract(context.Background(), "Brev.doc", "", doc)
	var got []string
	for _, d := range docs {
		got = append(got, d.Name+" "+d.Type+" "+string(d.Status))
	}
	want := []string{
		"Brev.doc doc scanned",
		"Brev.doc/ObjectPool/_1001 ole scanned",
		"Brev.doc/ObjectPool/_1001/journal.txt text scanned",
		"Brev.doc/ObjectPool/_1002 xls scanned",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(allText(docs[2]), testCPR) || !strings.Contains(allText(docs[3]), testCPR) {
		t.Fatalf("object text: %q %q", allText(docs[2]), allText(docs[3]))
	}

	xls := writeCFB([]*testgen.CFBEntry{
		cfbStream("Workbook", buildXLSStream(t, xlsSpec{})),
		cfbStorage("MBD00A1B2C3", cfbStream("WordDocument", wd), cfbStream("1Table", table)),
	})
	docs = New(Limits{}).Extract(context.Background(), "Ark.xls", "", xls)
	if len(docs) != 2 || docs[1].Name != "Ark.xls/MBD00A1B2C3" || docs[1].Type != "doc" || !strings.Contains(allText(docs[1]), "Se bilag") {
		t.Fatalf("xls object: %+v", docs)
	}

	// At the depth limit the objects are not read and the document says so.
	docs = New(Limits{MaxDepth: 1}).Extract(context.Background(), "a.zip", "", buildZip(t, zent{name: "Brev.doc", data: doc}))
	if d := docs[1]; len(docs) != 2 || d.Status != Scanned || !d.Truncated || !strings.Contains(d.Detail, "embedded objects not read") {
		t.Fatalf("depth limit: %+v", docs)
	}
}

// TestODFObjects: an OpenDocument object's text is read with the document; a foreign (OLE)
// object becomes a nested document.
func TestODFObjects(t *testing.T) {
	odt := buildODF(t, "application/vnd.oasis.opendocument.text", `<office:text><text:p>Se bilag</text:p></office:text>`, "", false)
	odt = addZipEntry(t, odt, "Object 1/content.xml", []byte(`<?xml version="1.0"?><office:document-content `+odfNS+`><office:body><office:spreadsheet><table:table><table:table-row><table:table-cell><text:p>CPR `+testCPR+`</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>`))
	odt = addZipEntry(t, odt, "ObjectReplacements/Object 1", []byte("\x89PNG\r\n\x1a\n"))
	odt = addZipEntry(t, odt, "Object 2", oleObjectFile("Package", cfbStream("\x01Ole10Native", buildOle10Native("journal.txt", `C:\journal.txt`, journal))))
	docs := New(Limits{}).Extract(context.Background(), "Brev.odt", "", odt)
	if len(docs) != 3 {
		t.Fatalf("got %d documents: %+v", len(docs), docs)
	}
	if txt := allText(docs[0]); !strings.Contains(txt, "Se bilag") || !strings.Contains(txt, "CPR "+testCPR) {
		t.Fatalf("odt text: %q", txt)
	}
	if d := docs[2]; d.Name != "Brev.odt/Object 2/journal.txt" || !strings.Contains(allText(d), "Diagnose: depression") {
		t.Fatalf("foreign object: %+v", d)
	}
}

// TestOLEObjectKinds: an object whose data is no file we know is reported with its class, not
// passed on as an unknown file; a packaged file always is.
func TestOLEObjectKinds(t *testing.T) {
	cases := []struct {
		name   string
		data   []byte
		status Status
		detail string
		nested int
	}{
		{"photo editor", oleObjectFile("MSPhotoEd.3", cfbStream("CONTENTS", []byte{2, 0, 0x44, 1, 0x85})), Unsupported, "unsupported file type: embedded OLE object (Photo Editor picture, MSPhotoEd.3)", 0},
		{"ms draw", oleObjectFile("MSDraw", cfbStream("\x01Ole10Native", append(oleLE.AppendUint32(nil, 8), 8, 0, 0x55, 0x0F, 0x29, 0x0C, 1, 0))), Unsupported, "unsupported file type: embedded OLE object (MSDraw)", 0},
		{"ms draw holding a pdf", oleObjectFile("MSDraw", cfbStream("\x01Ole10Native", append(oleLE.AppendUint32(nil, 10), "%PDF-1.4\n%"...))), Scanned, "", 1},
		{"packaged unknown file", oleObjectFile("Package", cfbStream("\x01Ole10Native", buildOle10Native("tegning.cdr", `C:\tegning.cdr`, []byte{0, 1, 2, 3}))), Scanned, "", 1},
		{"link only", oleObjectFile("Excel.Sheet.12"), Unsupported, "unsupported file type: embedded OLE object (Excel workbook, Excel.Sheet.12)", 0},
		{"progid with a number", oleObjectFile("X.0101901234"), Unsupported, "unsupported file type: embedded OLE object", 0},
	}
	x := New(Limits{})
	for _, c := range cases {
		docs := x.Extract(context.Background(), "oleObject1.bin", "", c.data)
		if d := docs[0]; d.Type != "ole" || d.Status != c.status || d.Detail != c.detail || len(docs) != 1+c.nested {
			t.Errorf("%s: got %s %s %q and %d nested", c.name, d.Type, d.Status, d.Detail, len(docs)-1)
		}
	}
}

// TestNamedOfficeNotOLE: files named like Office 97-2003 files that are something else.
func TestNamedOfficeNotOLE(t *testing.T) {
	cases := []struct {
		name   string
		data   []byte
		typ    string
		status Status
		detail string
	}{
		{"brev.doc", append([]byte("\xFFWPC"), make([]byte, 20)...), "ole", Unsupported, "unsupported file type: WordPerfect document"},
		{"brev.doc", append([]byte{0x31, 0xBE, 0, 0}, make([]byte, 20)...), "ole", Unsupported, "unsupported file type: Word for DOS or Windows Write document"},
		{"brev.doc", append([]byte{0xDB, 0xA5, 0x2D, 0}, make([]byte, 20)...), "doc", Unsupported, "Word for Windows 1.x/2.0 document (.doc) not read"},
		{"ark.xls", []byte("Navn;CPR\n" + testName + ";" + testCPR + "\n"), "text", Scanned, ""},
		{"ark.xls", []byte{0, 1, 2, 3, 4, 5, 6, 7, 0xFE}, "ole", Unsupported, "unsupported file type"},
		{"ark.xls", append(append([]byte{}, magicOLE...), make([]byte, 100)...), "ole", Unscannable, "corrupt OLE compound file"},
	}
	for _, c := range cases {
		d := New(Limits{}).Extract(context.Background(), c.name, "", c.data)[0]
		if d.Type != c.typ || d.Status != c.status || d.Detail != c.detail {
			t.Errorf("%q: got %s %s %q, want %s %s %q", c.data[:4], d.Type, d.Status, d.Detail, c.typ, c.status, c.detail)
		}
	}
}

// TestPPTObjects: OLE objects embedded in a presentation (ExOleObjStg, zlib-compressed or not)
// are read as nested documents; a compression bomb or damaged data is reported.
func TestPPTObjects(t *testing.T) {
	obj := oleObjectFile("Package", cfbStream("\x01Ole10Native", buildOle10Native("journal.txt", `C:\journal.txt`, journal)))
	zipped := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := zlib.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		return append(oleLE.AppendUint32(nil, uint32(len(b))), buf.Bytes()...)
	}
	s := buildPPTStream(t)
	s = append(s, pptRec(0x0010, pptExOleObjStg, zipped(obj))...)
	s = append(s, pptRec(0x0000, pptExOleObjStg, obj)...)
	s = append(s, pptRec(0x0010, pptExOleObjStg, zipped(make([]byte, 8<<20)))...)
	s = append(s, pptRec(0x0010, pptExOleObjStg, []byte{0, 1, 0, 0, 'x', 'y'})...)
	docs := New(Limits{MaxRatio: 100}).Extract(context.Background(), "Dias.ppt", "", writeCFB([]*testgen.CFBEntry{cfbStream("PowerPoint Document", s)}))
	var got []string
	for _, d := range docs {
		got = append(got, d.Name+" "+d.Type+" "+string(d.Status)+" "+d.Detail)
	}
	want := []string{
		"Dias.ppt ppt scanned ",
		"Dias.ppt/ExOleObjStg 1 ole scanned ",
		"Dias.ppt/ExOleObjStg 1/journal.txt text scanned ",
		"Dias.ppt/ExOleObjStg 2 ole scanned ",
		"Dias.ppt/ExOleObjStg 2/journal.txt text scanned ",
		"Dias.ppt/ExOleObjStg 3 ole too_large compression ratio above 100:1 (MaxRatio, possible zip bomb)",
		"Dias.ppt/ExOleObjStg 4 ole unscannable corrupt embedded object: compressed data unreadable",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(allText(docs[2]), testCPR) {
		t.Fatalf("object text: %q", allText(docs[2]))
	}
}

// TestEmptyCompoundFile: a compound file without any stream holds nothing: read, no text.
func TestEmptyCompoundFile(t *testing.T) {
	d := New(Limits{}).Extract(context.Background(), "oleObject1.bin", "", writeCFB([]*testgen.CFBEntry{cfbStorage("tom")}))[0]
	if d.Status != Scanned || len(d.Pages) != 0 {
		t.Fatalf("got %+v", d)
	}
}

// TestLegacyPictureOnly: a Word or PowerPoint 97-2003 file holding pictures and no text (a
// scanned letter pasted in) is not reported as read and clean; pictures beside text are.
func TestLegacyPictureOnly(t *testing.T) {
	x := New(Limits{})
	cases := []struct {
		name   string
		data   []byte
		status Status
	}{
		{"Scannet.doc", buildDOC(t, docSpec{pieces: []docPieceSpec{{text: "\x01\r\r"}}}), Unscannable},
		{"Brev med logo.doc", buildDOC(t, docSpec{pieces: []docPieceSpec{{text: "\x01\rKære " + testName + "\r"}}}), Scanned},
		{"Henvisning.doc", buildDOC(t, docSpec{pieces: []docPieceSpec{{text: "\x13 INCLUDEPICTURE x \x14\x01\x15\r"}}}), Scanned},
		{"Fotos.ppt", writeCFB([]*testgen.CFBEntry{cfbStream("PowerPoint Document", pptRec(0x000F, pptSlide, nil)), cfbStream("Pictures", []byte{0, 0, 0x1E, 0xF0, 0, 0, 0, 0})}), Unscannable},
		{"Dias.ppt", writeCFB([]*testgen.CFBEntry{cfbStream("PowerPoint Document", buildPPTStream(t)), cfbStream("Pictures", []byte{0, 0, 0x1E, 0xF0, 0, 0, 0, 0})}), Scanned},
	}
	for _, c := range cases {
		d := x.Extract(context.Background(), c.name, "", c.data)[0]
		if d.Status != c.status || c.status == Unscannable && d.Detail != detailLegacyPictures {
			t.Errorf("%s: got %s %q", c.name, d.Status, d.Detail)
		}
	}
}
