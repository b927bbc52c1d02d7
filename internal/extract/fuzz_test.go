package extract

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sendevagt/sendevagt/internal/testgen"
)

// Fuzz targets. Parser panics are not recovered here (noRecover), so the fuzzer sees them; a
// document that times out fails too, since it means a parser loops. Seed corpora live in
// testdata/fuzz/<target>/ (regenerate the generated ones with SENDEVAGT_WRITE_FUZZ_SEEDS=1).

var fuzzLimits = Limits{
	MaxDocumentBytes: 1 << 20,
	MaxTotalBytes:    4 << 20,
	MaxEntries:       200,
	MaxRatio:         100,
	MaxDepth:         4,
	MaxPages:         50,
	MaxTextBytes:     256 << 10,
	Timeout:          3 * time.Second,
}

func fuzzExtractor() *Extractor {
	x := FullExtractor(fuzzLimits)
	x.noRecover = true
	return x
}

// checkDocs asserts the invariants every Extract result holds.
func checkDocs(t *testing.T, name string, docs []Document) {
	t.Helper()
	if len(docs) == 0 {
		t.Fatal("no documents")
	}
	if docs[0].Name != name || docs[0].Depth != 0 {
		t.Fatalf("first document %q depth %d", docs[0].Name, docs[0].Depth)
	}
	for _, d := range docs {
		switch d.Status {
		case Scanned:
			if d.Truncated && d.Detail == "" {
				t.Fatalf("%s: truncated without detail", d.Name)
			}
		case Encrypted, Unscannable, Unsupported, TooLarge:
			if d.Detail == "" {
				t.Fatalf("%s: %s without detail", d.Name, d.Status)
			}
		default:
			t.Fatalf("%s: bad status %q", d.Name, d.Status)
		}
		if strings.HasPrefix(d.Detail, "timed out") {
			t.Fatalf("%s: %s (a parser loops or is very slow)", d.Name, d.Detail)
		}
		if d.Type == "" {
			t.Fatalf("%s: no type", d.Name)
		}
		if d.Depth > fuzzLimits.MaxDepth {
			t.Fatalf("%s: depth %d", d.Name, d.Depth)
		}
		if len(d.Pages) > fuzzLimits.MaxPages {
			t.Fatalf("%s: %d pages", d.Name, len(d.Pages))
		}
		total := 0
		for _, p := range d.Pages {
			total += len(p.Text)
			if !utf8.ValidString(p.Text) {
				t.Fatalf("%s: invalid UTF-8", d.Name)
			}
			if NormalizeText(p.Text) != p.Text {
				t.Fatalf("%s: text not normalised", d.Name)
			}
		}
		if total > fuzzLimits.MaxTextBytes {
			t.Fatalf("%s: %d bytes of text", d.Name, total)
		}
	}
}

// fuzzSeeds are files of every format, built by the test helpers.
func fuzzSeeds(tb testing.TB) map[string][]byte {
	inner := buildZip(tb, zent{name: "brev.txt", data: []byte("Kære " + testName + " " + testCPR)})
	eml := "From: A <a@example.dk>\r\nTo: b@example.dk\r\nSubject: Hej\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n" +
		"--x\r\nContent-Type: text/html\r\n\r\n<p>Kære Søren</p>\r\n--x\r\nContent-Type: application/zip; name=a.zip\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		b64lines(inner) + "\r\n--x--\r\n"
	return map[string][]byte{
		"brev.docx": buildDOCX(tb, wPara("CPR ", "0101", "90-1234")+`<w:tbl><w:tr><w:tc><w:p><w:r><w:t>a</w:t><w:tab/></w:r></w:p></w:tc></w:tr></w:tbl>`,
			map[string]string{"header1.xml": `<w:hdr ` + wNS + `>` + wPara("hoved") + `</w:hdr>`}),
		"dias.pptx":   buildPPTX(tb, []string{"en", "to " + testCPR}, map[int]string{0: "note"}),
		"ark.xlsx":    buildXLSXWithCPRNumber(tb),
		"brev.odt":    buildODF(tb, "application/vnd.oasis.opendocument.text", `<office:text><text:p>a<text:s text:c="2"/>b<text:tab/><text:line-break/></text:p></office:text>`, "", false),
		"ark.ods":     buildODF(tb, "application/vnd.oasis.opendocument.spreadsheet", `<office:spreadsheet><table:table><table:table-row><table:table-cell><text:p>x</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>`, "", false),
		"breve.zip":   buildZip(tb, zent{name: "indre.zip", data: inner}, zent{name: "hemmelig.pdf", data: []byte("x"), flags: 1, raw: true, method: 8}, zent{name: "a/b.txt", data: []byte("tekst")}),
		"brev.rtf":    []byte(`{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}}K\u230\'e6re S\'f8ren\par{\*\x y}\tab x\cell\row{\uc2\u248 ab}}`),
		"side.html":   []byte(`<html><head><meta charset="iso-8859-1"><script>x</script></head><body><table><tr><td>a<td>b</table><p>S` + "\xf8" + `ren<br>&amp;</p></body></html>`),
		"mail.eml":    []byte(eml),
		"kode.docx":   buildCFB(tb, "EncryptionInfo", "EncryptedPackage"),
		"brev.txt":    []byte("Kære Søren\r\n010190\u20131234"),
		"Brev.pdf":    buildPDF(tb, "Kære "+testName, "CPR "+testCPR),
		"skannet.png": []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
		"winmail.dat": testgen.TNEF(testgen.TNEFSpec{Subject: "Hej", Body: "Kære Søren", Attachments: []testgen.TNEFAttachment{
			{LongName: "brev.txt", Data: []byte("CPR " + testCPR)}, {LongName: "Fw", Message: &testgen.TNEFSpec{Plain: "x"}}}}),
		"smime.p7m":  testgen.SignedData([]byte("Content-Type: text/plain\r\n\r\nCPR "+testCPR), testgen.SignedDataOptions{BER: true, ChunkSize: 8}),
		"smime.p7s":  testgen.SignedData(nil, testgen.SignedDataOptions{Detached: true}),
		"invite.ics": []byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDESCRIPTION:CPR 0101\r\n 90-1234\\nx\r\nATTACH;VALUE=BINARY;ENCODING=BASE64;X-FILENAME=a.txt:aGVq\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"),
		"kort.vcf":   []byte("BEGIN:VCARD\r\nVERSION:2.1\r\nNOTE;QUOTED-PRINTABLE:S=C3=B8ren=\r\n x\r\nEND:VCARD\r\n"),
		"brev.doc":   letterDOC(tb),
		"ark.xls":    buildXLS(tb, xlsSpec{}),
		"dias.ppt":   buildPPT(tb),
		"ark.xlsb":   buildXLSB(tb),
	}
}

func FuzzExtract(f *testing.F) {
	for name, data := range fuzzSeeds(f) {
		f.Add(name, "", data)
	}
	f.Add("x", "message/rfc822", []byte("From: a@b\r\n\r\nhej"))
	x := fuzzExtractor()
	f.Fuzz(func(t *testing.T, name, ctype string, data []byte) {
		checkDocs(t, name, x.Extract(context.Background(), name, ctype, data))
	})
}

func FuzzZIP(f *testing.F) {
	seeds := fuzzSeeds(f)
	for _, n := range []string{"brev.docx", "dias.pptx", "ark.xlsx", "brev.odt", "ark.ods", "breve.zip"} {
		f.Add(seeds[n])
	}
	x := fuzzExtractor()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"arkiv.zip", "brev.docx"} {
			checkDocs(t, name, x.Extract(context.Background(), name, "", data))
		}
	})
}

// fuzzText runs a streaming text parser into a sink and checks its output.
func fuzzText(t *testing.T, run func(*sink) error) {
	// A hang crashes the worker, so that the fuzzer keeps the input.
	watchdog := time.AfterFunc(5*time.Second, func() { panic("fuzz: parser still running after 5s") })
	defer watchdog.Stop()
	s := newSink(fuzzLimits)
	_ = run(s) // errors are fine; panics and hangs are not
	pages, _, _ := s.result()
	total := 0
	for _, p := range pages {
		total += len(p.Text)
		if !utf8.ValidString(p.Text) {
			t.Fatal("invalid UTF-8")
		}
		if why := p.CheckBlocks(); why != "" {
			t.Fatalf("page %d blocks: %s", p.Number, why)
		}
	}
	if total > fuzzLimits.MaxTextBytes || len(pages) > fuzzLimits.MaxPages {
		t.Fatalf("%d bytes, %d pages", total, len(pages))
	}
}

func FuzzRTF(f *testing.F) {
	f.Add(fuzzSeeds(f)["brev.rtf"])
	f.Add([]byte(`{\rtf1\ansi\ansicpg1250 \'8a\'e8 {\uc0\u-10179\u-8704} \u8364?\bin3 abc\'}`))
	f.Add([]byte(`{\rtf1{\pict\bin5 {}{}}x\u-1\uc99999999999\u65600??}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzText(t, func(s *sink) error { return rtfText(context.Background(), s, data) })
	})
}

func FuzzHTML(f *testing.F) {
	f.Add(fuzzSeeds(f)["side.html"])
	f.Add([]byte(`<pre><textarea></pre><td><tr><script>x</style></script><br/><p>&#0;&#xD800;&nbsp`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzText(t, func(s *sink) error { return htmlText(context.Background(), s, data, "") })
	})
}

// FuzzOOXML feeds XML to the WordprocessingML/DrawingML and ODF walkers, directly and as the
// main part of a DOCX.
func FuzzOOXML(f *testing.F) {
	f.Add([]byte(`<w:document ` + wNS + `><w:body>` + wPara("a", "b") + `<w:tbl><w:tr><w:tc><w:p><w:r><w:t>x</w:t><w:tab/><w:br/></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>`))
	f.Add([]byte(`<office:document-content ` + odfNS + `><office:body><office:spreadsheet><table:table><table:table-row><table:table-cell><text:p>a<text:s text:c="5"/></text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>`))
	f.Add([]byte(`<?xml version="1.0" encoding="UTF-16"?><a/>`))
	x := fuzzExtractor()
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzText(t, func(s *sink) error { return ooxmlText(context.Background(), s, bytes.NewReader(data)) })
		fuzzText(t, func(s *sink) error {
			return ooxmlFlowText(context.Background(), s, bytes.NewReader(data), &textFlow{s: s, breaks: true, styles: parseDocxStyles(data)})
		})
		fuzzText(t, func(s *sink) error {
			return odfText(context.Background(), s, bytes.NewReader(data), "table", false, nil)
		})
		fuzzText(t, func(s *sink) error {
			return odfText(context.Background(), s, bytes.NewReader(data), "", false, &textFlow{s: s, breaks: true, odf: odfStyles{}})
		})
		fuzzText(t, func(s *sink) error {
			return odfText(context.Background(), s, bytes.NewReader(data), "", true, &textFlow{s: s, odf: odfStyles{}})
		})
		docx := buildZip(t,
			zent{name: "[Content_Types].xml", data: []byte(`wordprocessingml.document.main+xml`)},
			zent{name: "_rels/.rels", data: data},
			zent{name: "word/document.xml", data: data},
		)
		checkDocs(t, "f.docx", x.Extract(context.Background(), "f.docx", "", docx))
		pptx := buildZip(t,
			zent{name: "[Content_Types].xml", data: []byte(`presentationml.presentation.main+xml`)},
			zent{name: "ppt/presentation.xml", data: data},
			zent{name: "ppt/_rels/presentation.xml.rels", data: data},
			zent{name: "ppt/slides/slide1.xml", data: data},
		)
		checkDocs(t, "f.pptx", x.Extract(context.Background(), "f.pptx", "", pptx))
	})
}

// TestWriteFuzzSeeds writes the generated seeds as files under testdata/fuzz, so that the corpora
// are kept with the code. Run with SENDEVAGT_WRITE_FUZZ_SEEDS=1.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("SENDEVAGT_WRITE_FUZZ_SEEDS") == "" {
		t.Skip("set SENDEVAGT_WRITE_FUZZ_SEEDS=1 to regenerate testdata/fuzz seeds")
	}
	write := func(target, file string, args ...any) {
		var b strings.Builder
		b.WriteString("go test fuzz v1\n")
		for _, a := range args {
			switch v := a.(type) {
			case string:
				fmt.Fprintf(&b, "string(%q)\n", v)
			case []byte:
				fmt.Fprintf(&b, "[]byte(%q)\n", v)
			}
		}
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "seed-"+file), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	seeds := fuzzSeeds(t)
	for name, data := range seeds {
		write("FuzzExtract", name, name, "", data)
		if bytes.HasPrefix(data, []byte("PK")) {
			write("FuzzZIP", name, data)
		}
	}
	write("FuzzRTF", "brev.rtf", seeds["brev.rtf"])
	write("FuzzHTML", "side.html", seeds["side.html"])
}
