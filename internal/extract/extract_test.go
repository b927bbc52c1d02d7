package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

func TestNormalizeText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"010190\u20101234", "010190-1234"},
		{"010190\u20131234 og 010190\u22121234", "010190-1234 og 010190-1234"},
		{"010190\u00a01234", "010190 1234"},
		{"010190\u202f1234", "010190 1234"},
		{"Øster\u00adgård", "Østergård"},
		{"a\r\nb\rc\n", "a\nb\nc\n"},
		{"\ufeffKære", "Kære"},
		{"0101\u200b90-1234", "010190-1234"},
		{"bad \xff byte", "bad \uFFFD byte"},
		{"ren tekst", "ren tekst"},
	}
	for _, c := range cases {
		if got := NormalizeText(c.in); got != c.want {
			t.Errorf("NormalizeText(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := NormalizeText(NormalizeText(c.in)); got != c.want {
			t.Errorf("NormalizeText not idempotent on %q", c.in)
		}
	}
}

// TestFormats extracts one small file of every readable format built in the test.
func TestFormats(t *testing.T) {
	docxSplit := buildDOCX(t,
		// The CPR number is split over three runs, with field code and deleted text in between.
		`<w:p><w:r><w:t xml:space="preserve">CPR-nr.: </w:t></w:r><w:r><w:t>0101</w:t></w:r>`+
			`<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE 999 </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>`+
			`<w:del w:id="1"><w:r><w:delText>SLETTET</w:delText></w:r></w:del>`+
			`<w:r><w:t>90-</w:t></w:r><w:r><w:t>1234</w:t></w:r></w:p>`+
			wPara("Kære ", "Søren Ærbø ", "Østergård")+
			`<w:p><w:r><w:t>Linje 1</w:t><w:br/><w:t>Linje 2</w:t><w:tab/><w:t>efter tab</w:t></w:r></w:p>`+
			`<w:tbl><w:tr><w:tc><w:tcPr/><w:p><w:r><w:t>Navn</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>CPR</w:t></w:r></w:p></w:tc></w:tr>`+
			`<w:tr><w:tc><w:p><w:r><w:t>`+testName+`</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>010190</w:t></w:r><w:r><w:t>-1234</w:t></w:r></w:p></w:tc></w:tr></w:tbl>`+
			`<w:p><mc:AlternateContent><mc:Choice Requires="wps"><w:r><w:t>Tekstboks</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>Tekstboks</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>`,
		map[string]string{
			"header1.xml":   `<w:hdr ` + wNS + `>` + wPara("Aarhus Kommune, Sidehoved") + `</w:hdr>`,
			"footer1.xml":   `<w:ftr ` + wNS + `>` + wPara("Sidefod") + `</w:ftr>`,
			"footnotes.xml": `<w:footnotes ` + wNS + `><w:footnote w:id="1">` + wPara("Fodnote om ", "lægeerklæring") + `</w:footnote></w:footnotes>`,
			"comments.xml":  `<w:comments ` + wNS + `><w:comment w:id="0">` + wPara("Kommentar: ring til borgeren") + `</w:comment></w:comments>`,
		})

	odt := buildODF(t, "application/vnd.oasis.opendocument.text",
		`<office:text><text:h text:outline-level="1">Afgørelse</text:h>`+
			`<text:p>Kære <text:span>Søren</text:span> Ærbø Østergård,<text:line-break/>CPR: 0101<text:span>90-1234</text:span></text:p>`+
			`<text:p>a<text:s text:c="3"/>b<text:tab/>c</text:p>`+
			`<text:tracked-changes><text:changed-region><text:deletion><text:p>SLETTET</text:p></text:deletion></text:changed-region></text:tracked-changes>`+
			`<table:table><table:table-row><table:table-cell><text:p>Navn</text:p></table:table-cell><table:table-cell><text:p>CPR</text:p></table:table-cell></table:table-row></table:table>`+
			`</office:text>`,
		`<office:master-styles><style:master-page style:name="Standard"><style:header><text:p>Sidehoved Socialforvaltningen</text:p></style:header></style:master-page></office:master-styles>`, false)

	ods := buildODF(t, "application/vnd.oasis.opendocument.spreadsheet",
		`<office:spreadsheet><table:table table:name="Ark1"><table:table-row><table:table-cell><text:p>Navn</text:p></table:table-cell><table:table-cell><text:p>CPR</text:p></table:table-cell></table:table-row>`+
			`<table:table-row><table:table-cell><text:p>`+testName+`</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="101901234"><text:p>0101901234</text:p></table:table-cell></table:table-row></table:table>`+
			`<table:table table:name="Ark2"><table:table-row><table:table-cell><text:p>Side to</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>`, "", false)

	odp := buildODF(t, "application/vnd.oasis.opendocument.presentation",
		`<office:presentation><draw:page draw:name="s1"><draw:frame><draw:text-box><text:p>Dias et</text:p></draw:text-box></draw:frame></draw:page>`+
			`<draw:page draw:name="s2"><draw:frame><draw:text-box><text:p>Dias to: `+testCPR+`</text:p></draw:text-box></draw:frame></draw:page></office:presentation>`, "", false)

	cases := []struct {
		name, ctype string
		data        []byte
		typ         string
		pages       int
		want        []string // substrings of all text
		notWant     []string
		page        map[int]string // page number → exact text
	}{
		{name: "brev.txt", data: []byte("Kære Søren\r\nCPR 010190\u20131234\u00a0ok\r\n"), typ: "text", pages: 1,
			page: map[int]string{1: "Kære Søren\nCPR 010190-1234 ok"}},
		{name: "brev.txt", data: []byte("K\xe6re S\xf8ren \xd8stergaard"), typ: "text", want: []string{"Kære Søren Østergaard"}},
		{name: "latin1", ctype: "text/plain; charset=iso-8859-1", data: []byte("S\xf8ren"), typ: "text", want: []string{"Søren"}},
		{name: "utf16.txt", data: append([]byte{0xFF, 0xFE}, utf16le("Søren "+testCPR)...), typ: "text", want: []string{"Søren " + testCPR}},
		{name: "liste.csv", data: []byte("navn;cpr\r\n" + testName + ";010190-1234\r\n"), typ: "csv",
			page: map[int]string{1: "navn;cpr\n" + testName + ";010190-1234"}},
		{name: "noext", data: []byte("bare tekst uden filtype " + testCPR), typ: "text", want: []string{testCPR}},
		{name: "journal.html", data: []byte(`<!DOCTYPE html><html><head><title>Journal</title><style>p{color:red}</style>` +
			`<script>var cpr="999999-9999";</script></head><body><p>Kære&nbsp;S&oslash;ren &amp; co</p>` +
			`<table><tr><td>Navn</td><td>CPR</td></tr><tr><td>` + testName + `<td>010190&#8209;1234</tr></table>` +
			`<div>linje<br>ny linje</div><!-- kommentar 888888-8888 --><pre>  a   b</pre></body></html>`), typ: "html",
			want:    []string{"Kære Søren & co", "Navn\tCPR\n" + testName + "\t010190-1234", "linje\nny linje", "  a   b", "Journal"},
			notWant: []string{"999999", "color", "888888"}},
		{name: "latin1.html", data: []byte(`<html><head><meta charset="iso-8859-1"></head><body>S` + "\xf8" + `ren</body></html>`), typ: "html", want: []string{"Søren"}},
		{name: "mail.htm", ctype: "text/html; charset=windows-1252", data: []byte("<p>\x96 \xc6rb\xf8</p>"), typ: "html", want: []string{"- Ærbø"}},
		{name: "brev.rtf", data: []byte(`{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Arial;}}{\colortbl;\red0\green0\blue0;}` +
			`{\stylesheet{\s0 Normal;}}{\info{\author Hemmelig Forfatter}}{\*\generator Writer}` +
			`\pard K\u230\'e6re S\'f8ren \'c6rb\'f8 \u216?sterg\'e5rd\par CPR: 010190\endash 1234\tab slut\line ny\par` +
			`{\*\bkmkstart b1}{\field{\*\fldinst HYPERLINK "x"}{\fldrslt link}}` +
			`{\pict\pngblip 89504e470d0a}{\uc2 \u248\'f8\'f8 x}\par` +
			`\trowd\cellx1000\cellx2000 Navn\cell CPR\cell\row}`), typ: "rtf",
			want:    []string{"Kære Søren Ærbø Østergård", "CPR: 010190-1234\tslut\nny", "link", "ø x", "Navn\tCPR"},
			notWant: []string{"Arial", "Hemmelig", "HYPERLINK", "89504e", "Writer", "Normal"}},
		{name: "u.rtf", data: []byte(`{\rtf1\ansi\ansicpg1250 \'8a\'e8 {\uc0\u-10179\u-8704} \u8364?}`), typ: "rtf", want: []string{"Šč 😀 €"}},
		{name: "split.docx", data: docxSplit, typ: "docx", pages: 1,
			want: []string{"CPR-nr.: 010190-1234", "Kære Søren Ærbø Østergård", "Linje 1\nLinje 2\tefter tab",
				"Navn\tCPR\n" + testName + "\t010190-1234", "Aarhus Kommune, Sidehoved", "Sidefod", "Fodnote om lægeerklæring",
				"Kommentar: ring til borgeren"},
			notWant: []string{"PAGE", "999", "SLETTET", "Tekstboks\nTekstboks"}},
		{name: "slides.pptx", data: buildPPTX(t, []string{"Første dias\n" + testName, "Andet dias " + testCPR, ""}, map[int]string{1: "Noter til dias to"}),
			typ: "pptx", pages: 3, page: map[int]string{1: "Første dias\n" + testName, 2: "Andet dias " + testCPR + "\nNoter til dias to", 3: ""}},
		{name: "liste.xlsx", data: buildXLSXWithCPRNumber(t), typ: "xlsx", pages: 2,
			page: map[int]string{1: "Navn\tCPR\n" + testName + "\t0101901234", 2: "\t\tBevilling af el-kørestol"}},
		{name: "brev.odt", data: odt, typ: "odt", pages: 1,
			want:    []string{"Afgørelse", "Kære Søren Ærbø Østergård,\nCPR: 010190-1234", "a   b\tc", "Navn\tCPR", "Sidehoved Socialforvaltningen"},
			notWant: []string{"SLETTET"}},
		{name: "liste.ods", data: ods, typ: "ods", pages: 2, page: map[int]string{1: "Navn\tCPR\n" + testName + "\t0101901234", 2: "Side to"}},
		{name: "dias.odp", data: odp, typ: "odp", pages: 2, page: map[int]string{1: "Dias et", 2: "Dias to: " + testCPR}},
		// Sniffing by content beats a wrong name and content type.
		{name: "vedhæftning.bin", ctype: "application/octet-stream", data: docxSplit, typ: "docx", want: []string{"010190-1234"}},
		{name: "noname", data: odt, typ: "odt"},
	}
	x := New(Limits{})
	for _, c := range cases {
		t.Run(c.name+"/"+c.typ, func(t *testing.T) {
			docs := x.Extract(context.Background(), c.name, c.ctype, c.data)
			if len(docs) != 1 {
				t.Fatalf("got %d documents, want 1: %+v", len(docs), docs)
			}
			d := docs[0]
			if d.Type != c.typ || d.Status != Scanned || d.Name != c.name || d.Depth != 0 {
				t.Fatalf("got type %q status %q detail %q name %q, want %q scanned", d.Type, d.Status, d.Detail, d.Name, c.typ)
			}
			if c.pages > 0 && len(d.Pages) != c.pages {
				t.Errorf("got %d pages, want %d: %+v", len(d.Pages), c.pages, d.Pages)
			}
			text := allText(d)
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q:\n%s", w, text)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(text, w) {
					t.Errorf("text has %q:\n%s", w, text)
				}
			}
			for n, want := range c.page {
				if n > len(d.Pages) {
					t.Errorf("no page %d", n)
					continue
				}
				if p := d.Pages[n-1]; p.Number != n || p.Text != want {
					t.Errorf("page %d = %d %q, want %q", n, p.Number, p.Text, want)
				}
			}
		})
	}
}

func utf16le(s string) []byte {
	var b []byte
	for _, r := range s {
		if r >= 0x10000 {
			panic("test helper: BMP only")
		}
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

// TestXLSXNumberFormatCPR is the case EXTRACT.md §4 names: raw XML would give 101901234.
func TestXLSXNumberFormatCPR(t *testing.T) {
	docs := New(Limits{}).Extract(context.Background(), "Borgerliste.xlsx", "", buildXLSXWithCPRNumber(t))
	d := docs[0]
	if d.Status != Scanned {
		t.Fatalf("status %s %s", d.Status, d.Detail)
	}
	if !strings.Contains(d.Pages[0].Text, "\t0101901234") {
		t.Fatalf("number format not applied: %q", d.Pages[0].Text)
	}
	if strings.Contains(d.Pages[0].Text, "\t101901234") {
		t.Fatalf("raw number leaked: %q", d.Pages[0].Text)
	}
}

// TestUnreadable covers every way a document ends up not Scanned.
func TestUnreadable(t *testing.T) {
	corruptDocx := buildDOCX(t, wPara("tekst"), nil)
	// Damage the deflate stream of word/document.xml (the third entry) as in corpus case p026.
	zr, _ := zip.NewReader(bytes.NewReader(corruptDocx), int64(len(corruptDocx)))
	off, _ := zr.File[2].DataOffset()
	corruptDocx = bytes.Clone(corruptDocx)
	corruptDocx[off] = 0xFF
	corruptDocx[off+1] = 0xFF

	noDocumentXML := buildZip(t, zent{name: "[Content_Types].xml", data: []byte(`<Types/>`)}, zent{name: "word/styles.xml", data: []byte(`<x/>`)})
	badXML := buildDOCX(t, `<w:p><w:r><w:t>åben</w:r></w:p>`, nil)

	cases := []struct {
		name, ctype string
		data        []byte
		typ         string
		status      Status
		detail      string // prefix
	}{
		{"Afgørelse.docx", "", corruptDocx, "docx", Unscannable, "corrupt DOCX: corrupt compressed data in word/document.xml"},
		{"Afgørelse.docx", "", noDocumentXML, "docx", Unscannable, "corrupt DOCX: missing word/document.xml"},
		{"Afgørelse.docx", "", []byte("PK\x03\x04 not really a zip"), "docx", Unscannable, "corrupt DOCX: not a valid ZIP archive"},
		{"Afgørelse.docx", "", badXML, "docx", Unscannable, "corrupt DOCX: malformed XML (line 1) in word/document.xml"},
		{"Dokumenter.zip", "", []byte("PK\x03\x04garbage"), "zip", Unscannable, "corrupt ZIP: not a valid ZIP archive"},
		{"Afgørelse.docx", "", buildCFB(t, "EncryptionInfo", "EncryptedPackage"), "ole", Encrypted, "password-protected Office document"},
		{"Brev.doc", "", buildCFB(t, "WordDocument", "1Table"), "doc", Unscannable, "corrupt Word document: FIB truncated"},
		{"Besked.msg", "", buildCFB(t, "__substg1.0_0037001F", "__properties_version1.0"), "msg", Scanned, ""},
		{"Skannet.png", "image/png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "image", Unscannable, "OCR not available"},
		{"scan.jpg", "", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'}, "image", Unscannable, "OCR not available"},
		{"data.bin", "application/octet-stream", []byte{0, 1, 2, 3, 0, 0, 0xFE, 0x80, 0}, "binary", Unsupported, "unsupported file type"},
		{"arkiv.7z", "", []byte("7z\xBC\xAF\x27\x1C\x00\x04"), "7z", Unsupported, "unsupported file type: 7-Zip archive"},
		{"smime.p7m", "application/pkcs7-mime", []byte{0x30, 0x80, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x03}, "smime", Encrypted, "S/MIME-encrypted content"},
		{"brev.odt", "", buildODF(t, "application/vnd.oasis.opendocument.text", `<office:text><text:p>x</text:p></office:text>`, "", true), "odt", Encrypted, "password-protected OpenDocument file"},
		{"stor.txt", "", bytes.Repeat([]byte("a"), 2<<20), "text", TooLarge, "document larger than 1 MB (MaxDocumentBytes)"},
	}
	x := New(Limits{MaxDocumentBytes: 1 << 20}) // images: no OCR
	for _, c := range cases {
		t.Run(c.name+"/"+string(c.status), func(t *testing.T) {
			docs := x.Extract(context.Background(), c.name, c.ctype, c.data)
			d := docs[0]
			if d.Type != c.typ || d.Status != c.status || !strings.HasPrefix(d.Detail, c.detail) {
				t.Fatalf("got %q %q %q, want %q %q %q", d.Type, d.Status, d.Detail, c.typ, c.status, c.detail)
			}
		})
	}
}

// TestOLERawFallback: a compound file whose FAT is damaged still shows its EncryptedPackage entry.
func TestOLERawFallback(t *testing.T) {
	b := buildCFB(t, "EncryptionInfo", "EncryptedPackage")
	copy(b[512:516], []byte{1, 0, 0, 0}) // FAT[0] points to itself: mscfb refuses the file
	if d := New(Limits{}).Extract(context.Background(), "a.docx", "", b)[0]; d.Status != Encrypted {
		t.Fatalf("EncryptedPackage not found by the raw directory scan: %+v", d)
	}
	b2 := buildCFB(t, "WordDocument")
	copy(b2[512:516], []byte{1, 0, 0, 0})
	if d := New(Limits{}).Extract(context.Background(), "a.doc", "", b2)[0]; d.Status == Encrypted {
		t.Fatalf("false positive: %+v", d)
	}
}

func TestZipNestedAndEncrypted(t *testing.T) {
	inner := buildZip(t,
		zent{name: "Brev 2.txt", data: []byte("Kære " + testName + ", CPR " + testCPR)},
		zent{name: "Afgørelse.docx", data: buildDOCX(t, wPara("Afgørelse om ", "hjælp"), nil)},
	)
	outer := buildZip(t,
		zent{name: "mappe/", data: nil},
		zent{name: "mappe/Brev 1.txt", data: []byte("Brev et")},
		zent{name: "__MACOSX/mappe/._Brev 1.txt", data: []byte{0, 5, 22, 7}},
		zent{name: "Hemmelig.pdf", data: []byte("%PDF-1.7 zipcrypto bytes"), flags: 1, raw: true, method: zip.Deflate},
		zent{name: "AES.docx", data: []byte("aes bytes"), method: 99, raw: true},
		zent{name: "../../etc/passwd", data: []byte("bare et navn")},
		zent{name: "indre.zip", data: inner},
		zent{name: "Brev til 010190-1234.txt", data: []byte("tekst")},
	)
	docs := New(Limits{}).Extract(context.Background(), "Breve.zip", "application/zip", outer)
	want := []struct {
		name   string
		typ    string
		status Status
		depth  int
		text   string
	}{
		{"Breve.zip", "zip", Scanned, 0, "Brev til 010190-1234.txt"},
		{"Breve.zip/mappe/Brev 1.txt", "text", Scanned, 1, "Brev et"},
		{"Breve.zip/Hemmelig.pdf", "pdf", Encrypted, 1, ""},
		{"Breve.zip/AES.docx", "docx", Encrypted, 1, ""},
		{"Breve.zip/../../etc/passwd", "text", Scanned, 1, "bare et navn"},
		{"Breve.zip/indre.zip", "zip", Scanned, 1, "Brev 2.txt"},
		{"Breve.zip/indre.zip/Brev 2.txt", "text", Scanned, 2, testCPR},
		{"Breve.zip/indre.zip/Afgørelse.docx", "docx", Scanned, 2, "Afgørelse om hjælp"},
		{"Breve.zip/Brev til 010190-1234.txt", "text", Scanned, 1, "tekst"},
	}
	if len(docs) != len(want) {
		for _, d := range docs {
			t.Logf("%s %s %s %s", d.Name, d.Type, d.Status, d.Detail)
		}
		t.Fatalf("got %d documents, want %d", len(docs), len(want))
	}
	for i, w := range want {
		d := docs[i]
		if d.Name != w.name || d.Type != w.typ || d.Status != w.status || d.Depth != w.depth || !strings.Contains(allText(d), w.text) {
			t.Errorf("doc %d = %q %q %q %q depth %d text %q, want %+v", i, d.Name, d.Type, d.Status, d.Detail, d.Depth, allText(d), w)
		}
		if d.Status == Encrypted && d.Detail != "password-protected ZIP entry" {
			t.Errorf("detail %q", d.Detail)
		}
	}
}

func TestZipBombRatio(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("nuller.txt")
	if _, err := io.CopyN(w, zeros{}, 50<<20); err != nil {
		t.Fatal(err)
	}
	w2, _ := zw.Create("ok.txt")
	w2.Write([]byte("efter bomben " + testCPR))
	zw.Close()
	if buf.Len() > 1<<20 {
		t.Fatalf("test archive too big: %d", buf.Len())
	}
	x := New(Limits{MaxDocumentBytes: 64 << 20, MaxRatio: 100})
	start := time.Now()
	docs := x.Extract(context.Background(), "bombe.zip", "", buf.Bytes())
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("took %s", el)
	}
	bomb := find(t, docs, "bombe.zip/nuller.txt")
	if bomb.Status != TooLarge || !strings.Contains(bomb.Detail, "compression ratio above 100:1") {
		t.Errorf("bomb: %s %s", bomb.Status, bomb.Detail)
	}
	if ok := find(t, docs, "bombe.zip/ok.txt"); ok.Status != Scanned || !strings.Contains(allText(ok), testCPR) {
		t.Errorf("entry after bomb: %s %s", ok.Status, ok.Detail)
	}

	// With a low document limit the same entry trips MaxDocumentBytes; a high ratio is allowed.
	x = New(Limits{MaxDocumentBytes: 8 << 20, MaxRatio: 100000})
	bomb = find(t, x.Extract(context.Background(), "bombe.zip", "", buf.Bytes()), "bombe.zip/nuller.txt")
	if bomb.Status != TooLarge || bomb.Detail != "document larger than 8 MB (MaxDocumentBytes)" {
		t.Errorf("bomb: %s %s", bomb.Status, bomb.Detail)
	}

	// The total budget is shared by all entries and nesting levels.
	x = New(Limits{MaxTotalBytes: 60 << 20, MaxRatio: 100000})
	docs = x.Extract(context.Background(), "bombe.zip", "", buf.Bytes())
	if d := find(t, docs, "bombe.zip/nuller.txt"); d.Status != Scanned {
		t.Errorf("first entry: %s %s", d.Status, d.Detail)
	}
	x = New(Limits{MaxTotalBytes: 40 << 20, MaxRatio: 100000})
	docs = x.Extract(context.Background(), "bombe.zip", "", buf.Bytes())
	if d := find(t, docs, "bombe.zip/nuller.txt"); d.Status != TooLarge || !strings.Contains(d.Detail, "MaxTotalBytes") {
		t.Errorf("budget: %s %s", d.Status, d.Detail)
	}
}

// TestCapReaderIgnoresDeclaredSize drives the streaming limit directly: the declared size is
// not trusted, reading stops one byte past the cap.
func TestCapReaderIgnoresDeclaredSize(t *testing.T) {
	x := New(Limits{MaxDocumentBytes: 1000})
	w := &walker{x: x, ctx: context.Background(), lim: x.lim, budget: 1 << 30}
	left := int64(1000)
	r := &capReader{r: io.LimitReader(zeros{}, 10<<20), w: w, docLeft: &left, ratioCap: 1 << 30}
	n, err := io.Copy(io.Discard, r)
	if n != 1001 || err == nil || !strings.Contains(err.Error(), "MaxDocumentBytes") {
		t.Fatalf("read %d, err %v", n, err)
	}
}

func TestZipEntryLimit(t *testing.T) {
	var ents []zent
	for i := range 30 {
		ents = append(ents, zent{name: fmt.Sprintf("brev%02d.txt", i), data: []byte("brev")})
	}
	docs := New(Limits{MaxEntries: 10}).Extract(context.Background(), "mange.zip", "", buildZip(t, ents...))
	if docs[0].Status != TooLarge || !strings.Contains(docs[0].Detail, "more than 10 entries (MaxEntries)") {
		t.Fatalf("archive: %s %s", docs[0].Status, docs[0].Detail)
	}
	if len(docs) != 11 {
		t.Fatalf("got %d documents, want the archive and its first 10 entries", len(docs))
	}
}

func TestZipNestingDepth(t *testing.T) {
	data := buildZip(t, zent{name: "bund.txt", data: []byte("bunden " + testCPR)})
	for i := 11; i >= 1; i-- {
		data = buildZip(t, zent{name: fmt.Sprintf("niveau%d.zip", i), data: data})
	}
	docs := New(Limits{}).Extract(context.Background(), "niveau0.zip", "", data) // 12 archives deep
	maxDepth := DefaultLimits.MaxDepth
	if len(docs) != maxDepth+1 {
		t.Fatalf("got %d documents, want %d", len(docs), maxDepth+1)
	}
	last := docs[len(docs)-1]
	if last.Depth != maxDepth || last.Status != TooLarge || last.Detail != fmt.Sprintf("nested deeper than %d levels (MaxDepth)", maxDepth) {
		t.Fatalf("deepest: %+v", last)
	}
	for _, d := range docs[:len(docs)-1] {
		if d.Status != Scanned {
			t.Errorf("%s: %s", d.Name, d.Status)
		}
	}
}

func TestAttachedEmail(t *testing.T) {
	pdfData := buildPDF(t, "Lægeerklæring", "Patient: "+testName, "CPR-nr.: "+testCPR)
	eml := "From: =?utf-8?q?S=C3=B8ren_=C3=86rb=C3=B8_=C3=98sterg=C3=A5rd?= <soeren@example.dk>\r\n" +
		"To: Sagsbehandler <sagsbehandler@aarhus.dk>, anden@aarhus.dk\r\n" +
		"Cc: Kopi Person <kopi@example.dk>\r\n" +
		"Subject: =?utf-8?q?Henvendelse_om_l=C3=A6geerkl=C3=A6ring?=\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hej,</p><p>her er erkl&aelig;ringen.</p><script>skjult()</script>\r\n" +
		"--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename*=utf-8''L%C3%A6geerkl%C3%A6ring.pdf\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + b64lines(pdfData) + "\r\n" +
		"--b1--\r\n"
	outer := "From: a@aarhus.dk\r\nTo: b@example.dk\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n--b0\r\nContent-Type: text/plain\r\n\r\nSe vedhæftede\r\n" +
		"--b0\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"Henvendelse.eml\"\r\n\r\n" + eml + "\r\n--b0--\r\n"

	x := FullExtractor(Limits{})
	docs := x.Extract(context.Background(), "Henvendelse.eml", "message/rfc822", []byte(eml))
	if len(docs) != 2 {
		t.Fatalf("got %d docs: %+v", len(docs), docs)
	}
	e := docs[0]
	wantHead := "Fra: Søren Ærbø Østergård <soeren@example.dk>\nTil: Sagsbehandler <sagsbehandler@aarhus.dk>, anden@aarhus.dk\nCc: Kopi Person <kopi@example.dk>\nEmne: Henvendelse om lægeerklæring\n\nHej,\n\nher er erklæringen."
	if e.Type != "eml" || e.Status != Scanned || len(e.Pages) != 1 || !strings.HasPrefix(e.Pages[0].Text, wantHead) || strings.Contains(e.Pages[0].Text, "skjult") {
		t.Fatalf("email doc: %s %s %+v", e.Type, e.Status, e.Pages)
	}
	p := docs[1]
	if p.Name != "Henvendelse.eml/Lægeerklæring.pdf" || p.Type != "pdf" || p.Depth != 1 {
		t.Fatalf("attachment: %+v", p)
	}
	if p.Status != Scanned || !strings.Contains(allText(p), testCPR) {
		t.Errorf("pdf inside email: %s %s %q", p.Status, p.Detail, allText(p))
	}

	// The same email attached to another one.
	docs = x.Extract(context.Background(), "Fwd.eml", "", []byte(outer))
	names := []string{"Fwd.eml", "Fwd.eml/Henvendelse.eml", "Fwd.eml/Henvendelse.eml/Lægeerklæring.pdf"}
	if len(docs) != len(names) {
		t.Fatalf("got %d docs", len(docs))
	}
	for i, n := range names {
		if docs[i].Name != n || docs[i].Depth != i {
			t.Errorf("doc %d: %q depth %d", i, docs[i].Name, docs[i].Depth)
		}
	}

	// An S/MIME-encrypted attached email.
	enc := "From: a@example.dk\r\nTo: b@example.dk\r\nSubject: krypteret\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		b64lines([]byte{0x30, 0x80, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x03, 0xA0, 0x80}) + "\r\n"
	docs = x.Extract(context.Background(), "Krypteret.eml", "message/rfc822", []byte(enc))
	if docs[0].Status != Encrypted || docs[0].Detail != "S/MIME-encrypted email" {
		t.Fatalf("encrypted email: %+v", docs[0])
	}
}

func b64lines(b []byte) string {
	const enc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var out strings.Builder
	n := 0
	for i := 0; i < len(b); i += 3 {
		var v uint32
		k := min(3, len(b)-i)
		for j := 0; j < 3; j++ {
			v <<= 8
			if j < k {
				v |= uint32(b[i+j])
			}
		}
		for j := 0; j < 4; j++ {
			if j <= k {
				out.WriteByte(enc[(v>>(18-6*j))&63])
			} else {
				out.WriteByte('=')
			}
		}
		if n += 4; n >= 76 {
			out.WriteString("\r\n")
			n = 0
		}
	}
	return out.String()
}

func TestTimeout(t *testing.T) {
	// A parser that never returns: Extract still returns at the time limit.
	block := make(chan struct{})
	defer close(block)
	x := New(Limits{Timeout: 50 * time.Millisecond})
	x.testHook = func(string) { <-block }
	start := time.Now()
	docs := x.Extract(context.Background(), "hænger.rtf", "", []byte(`{\rtf1 x}`))
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("took %s", el)
	}
	if len(docs) != 1 || docs[0].Status != Unscannable || docs[0].Detail != "timed out after 50ms (Timeout)" || docs[0].Type != "rtf" {
		t.Fatalf("got %+v", docs)
	}

	// A long but cooperative extraction stops at the deadline too.
	big := bytes.Repeat([]byte(`{\b fed}{\i kursiv} tekst \par `), 2<<20)
	x = New(Limits{Timeout: 5 * time.Millisecond, MaxDocumentBytes: 1 << 30, MaxTotalBytes: 1 << 30})
	docs = x.Extract(context.Background(), "stor.rtf", "", append([]byte(`{\rtf1 `), big...))
	if docs[0].Status != Unscannable || !strings.HasPrefix(docs[0].Detail, "timed out after") {
		t.Fatalf("got %s %s", docs[0].Status, docs[0].Detail)
	}

	// The caller's context counts as well.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	docs = New(Limits{}).Extract(ctx, "brev.txt", "", []byte("tekst"))
	if docs[0].Status != Unscannable || docs[0].Detail != "extraction cancelled" {
		t.Fatalf("got %+v", docs[0])
	}
}

func TestPanicIsParserFailed(t *testing.T) {
	x := New(Limits{})
	x.testHook = func(typ string) {
		if typ == "docx" {
			panic("boom with content 010190-1234")
		}
	}
	data := buildZip(t, zent{name: "a.txt", data: []byte("fint")}, zent{name: "b.docx", data: buildDOCX(t, wPara("x"), nil)}, zent{name: "c.txt", data: []byte("også fint")})
	docs := x.Extract(context.Background(), "p.zip", "", data)
	if len(docs) != 4 {
		t.Fatalf("got %d docs", len(docs))
	}
	if d := docs[2]; d.Status != Unscannable || d.Detail != "parser failed" {
		t.Fatalf("panicking doc: %+v", d)
	}
	if docs[1].Status != Scanned || docs[3].Status != Scanned || docs[0].Status != Scanned {
		t.Fatalf("siblings affected: %+v", docs)
	}
}

func TestTextAndPageLimits(t *testing.T) {
	x := New(Limits{MaxTextBytes: 1 << 10})
	docs := x.Extract(context.Background(), "lang.txt", "", bytes.Repeat([]byte("æøå "), 1000))
	d := docs[0]
	if d.Status != Scanned || !d.Truncated || d.Detail != "text truncated at 1 KB (MaxTextBytes)" || len(d.Pages[0].Text) > 1<<10 {
		t.Fatalf("got %s %v %q %d", d.Status, d.Truncated, d.Detail, len(d.Pages[0].Text))
	}
	if !strings.HasSuffix(d.Pages[0].Text, "å") && !strings.HasSuffix(d.Pages[0].Text, "ø") && !strings.HasSuffix(d.Pages[0].Text, "æ") {
		t.Fatalf("cut inside a rune: %q", d.Pages[0].Text[len(d.Pages[0].Text)-8:])
	}

	x = New(Limits{MaxPages: 2})
	docs = x.Extract(context.Background(), "mange.pptx", "", buildPPTX(t, []string{"en", "to", "tre", "fire"}, nil))
	d = docs[0]
	if d.Status != Scanned || !d.Truncated || len(d.Pages) != 2 || d.Detail != "only the first 2 pages read (MaxPages)" {
		t.Fatalf("got %s %v %q %d", d.Status, d.Truncated, d.Detail, len(d.Pages))
	}
}

func TestSniffOrder(t *testing.T) {
	cases := []struct {
		name, ctype string
		data        []byte
		want        string
	}{
		{"brev.pdf", "application/pdf", []byte("%PDF-1.7\n"), "pdf"},
		{"brev.txt", "text/plain", []byte("junk\n%PDF-1.4\n"), "pdf"},                     // magic beats extension
		{"x", "application/vnd.ms-excel", []byte("{\\rtf1 hej}"), "rtf"},                  // magic beats content type
		{"brev.csv", "application/octet-stream", []byte("a;b"), "csv"},                    // extension beats content type
		{"x", "text/csv", []byte("a;b"), "csv"},                                           // content type
		{"x", "application/octet-stream", []byte("<!DOCTYPE html><p>hej"), "html"},        // html by content
		{"x.eml", "", []byte("From: a@b\r\n\r\nhej"), "eml"},                              // eml by extension
		{"x", "message/rfc822", []byte("From: a@b\r\n\r\nhej"), "eml"},                    // eml by content type
		{"x", "", []byte{0x1F, 0x8B, 8, 0}, "gzip"},                                       // other magic
		{"x", "", []byte("K\xe6re S\xf8ren"), "text"},                                     // 8-bit text
		{"x", "", []byte{0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c'}, "image"}, // HEIC
	}
	for _, c := range cases {
		j := &job{name: c.name, ctype: c.ctype, data: c.data}
		if got := sniff(j); got != c.want {
			t.Errorf("sniff(%q, %q, %q) = %q, want %q", c.name, c.ctype, c.data, got, c.want)
		}
	}
}

func TestEmbeddedDocuments(t *testing.T) {
	xlsx := buildXLSXWithCPRNumber(t)
	docx := buildZip(t,
		zent{name: "[Content_Types].xml", data: []byte(`wordprocessingml.document.main+xml`)},
		zent{name: "word/document.xml", data: []byte(`<w:document ` + wNS + `><w:body>` + wPara("Se tabellen") + `</w:body></w:document>`)},
		zent{name: "word/embeddings/Microsoft_Excel_Worksheet.xlsx", data: xlsx},
		zent{name: "word/embeddings/oleObject1.bin", data: buildCFB(t, "Ole")},
		zent{name: "word/media/image1.png", data: []byte("\x89PNG\r\n\x1a\n")},
	)
	docs := New(Limits{}).Extract(context.Background(), "Brev.docx", "", docx)
	if len(docs) != 3 {
		t.Fatalf("got %d documents", len(docs))
	}
	// An OLE object holding nothing we read is reported, never left out (ole_test.go has more).
	if o := docs[2]; o.Name != "Brev.docx/word/embeddings/oleObject1.bin" || o.Status != Unsupported {
		t.Fatalf("OLE object: %+v", o)
	}
	e := docs[1]
	if e.Name != "Brev.docx/word/embeddings/Microsoft_Excel_Worksheet.xlsx" || e.Type != "xlsx" || e.Depth != 1 || !strings.Contains(allText(e), "0101901234") {
		t.Fatalf("embedded: %+v", e)
	}
	if docs[0].Truncated || docs[0].Status != Scanned {
		t.Fatalf("docx: %+v", docs[0])
	}

	// At the nesting limit the embedded workbook is not read, and the letter says so.
	docs = New(Limits{MaxDepth: 1}).Extract(context.Background(), "Breve.zip", "", buildZip(t, zent{name: "Brev.docx", data: docx}))
	if len(docs) != 2 {
		t.Fatalf("got %d documents", len(docs))
	}
	if d := docs[1]; d.Status != Scanned || !d.Truncated || d.Detail != "embedded documents not read: nested deeper than 1 level (MaxDepth)" {
		t.Fatalf("docx at limit: %+v", d)
	}
}

func TestZipEntryNameCodePage(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "Afg\x9brelse.txt", NonUTF8: true, Method: zip.Deflate})
	w.Write([]byte("tekst"))
	zw.Close()
	docs := New(Limits{}).Extract(context.Background(), "a.zip", "", buf.Bytes())
	if len(docs) != 2 || docs[1].Name != "a.zip/Afgørelse.txt" || docs[0].Pages[0].Text != "Afgørelse.txt" {
		t.Fatalf("got %+v", docs)
	}
}

func TestZeroExtractorUsesDefaults(t *testing.T) {
	if New(Limits{}).Limits() != DefaultLimits {
		t.Fatal("New(Limits{}) does not use DefaultLimits")
	}
	var x Extractor
	if x.Limits() != DefaultLimits {
		t.Fatal("zero Extractor does not use DefaultLimits")
	}
	docs := x.Extract(context.Background(), "brev.txt", "", []byte(testCPR))
	if docs[0].Status != Scanned || docs[0].Pages[0].Text != testCPR {
		t.Fatalf("got %+v", docs)
	}
}
