package extract

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/go-pdf/fpdf"
	"github.com/xuri/excelize/v2"
)

// Synthetic people only.
const (
	testName = "Søren Ærbø Østergård"
	testCPR  = "010190-1234"
)

// zent is one entry for buildZip.
type zent struct {
	name   string
	data   []byte
	method uint16 // zip.Store or zip.Deflate (default)
	flags  uint16 // extra general-purpose flags (1 = encrypted)
	raw    bool   // data is already "compressed" (written with CreateRaw)
}

func buildZip(t testing.TB, entries ...zent) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		m := e.method
		if m == 0 && !e.raw {
			m = zip.Deflate
		}
		if e.raw {
			h := &zip.FileHeader{Name: e.name, Method: m, Flags: e.flags,
				CompressedSize64: uint64(len(e.data)), UncompressedSize64: uint64(len(e.data))}
			w, err := zw.CreateRaw(h)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(e.data)
			continue
		}
		h := &zip.FileHeader{Name: e.name, Method: m}
		h.Flags |= e.flags
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const wNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"`

// buildDOCX makes a minimal Word document around body XML (the content of w:body), with optional
// extra parts (header1.xml, footnotes.xml, comments.xml ...) given by name → full XML.
func buildDOCX(t testing.TB, body string, extra map[string]string) []byte {
	t.Helper()
	ents := []zent{
		{name: "[Content_Types].xml", data: []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)},
		{name: "_rels/.rels", data: []byte(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`)},
		{name: "word/document.xml", data: []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document ` + wNS + `><w:body>` + body + `</w:body></w:document>`)},
	}
	for _, n := range sortedKeys(extra) {
		ents = append(ents, zent{name: "word/" + n, data: []byte(extra[n])})
	}
	return buildZip(t, ents...)
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	for i := range ks {
		for j := i + 1; j < len(ks); j++ {
			if ks[j] < ks[i] {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	return ks
}

func wPara(runs ...string) string {
	var b strings.Builder
	b.WriteString("<w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"720\"/></w:tabs></w:pPr>")
	for _, r := range runs {
		b.WriteString(`<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">` + r + `</w:t></w:r>`)
	}
	b.WriteString("</w:p>")
	return b.String()
}

const aNS = `xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`

// buildPPTX makes a presentation whose slides have the given texts. Slide files are numbered in
// reverse of the presentation order, to check that the order comes from presentation.xml.
func buildPPTX(t testing.TB, slides []string, notes map[int]string) []byte {
	t.Helper()
	n := len(slides)
	var ids, rels strings.Builder
	ents := []zent{
		{name: "[Content_Types].xml", data: []byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>`)},
		{name: "_rels/.rels", data: []byte(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="ppt/presentation.xml"/></Relationships>`)},
	}
	for i, text := range slides {
		file := n - i // reverse numbering
		ids.WriteString(fmt.Sprintf(`<p:sldId id="%d" r:id="rId%d"/>`, 256+i, 10+i))
		rels.WriteString(fmt.Sprintf(`<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/slide" Target="slides/slide%d.xml"/>`, 10+i, file))
		var paras strings.Builder
		for _, line := range strings.Split(text, "\n") {
			paras.WriteString(`<a:p><a:pPr><a:tabLst><a:tab pos="0"/></a:tabLst></a:pPr><a:r><a:rPr lang="da-DK"/><a:t>` + line + `</a:t></a:r></a:p>`)
		}
		ents = append(ents, zent{name: fmt.Sprintf("ppt/slides/slide%d.xml", file), data: []byte(`<?xml version="1.0"?><p:sld ` + aNS + `><p:cSld><p:spTree><p:sp><p:txBody><a:bodyPr/>` + paras.String() + `</p:txBody></p:sp></p:spTree></p:cSld></p:sld>`)})
		if note, ok := notes[i]; ok {
			ents = append(ents,
				zent{name: fmt.Sprintf("ppt/slides/_rels/slide%d.xml.rels", file), data: []byte(fmt.Sprintf(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/notesSlide" Target="../notesSlides/notesSlide%d.xml"/></Relationships>`, file))},
				zent{name: fmt.Sprintf("ppt/notesSlides/notesSlide%d.xml", file), data: []byte(`<?xml version="1.0"?><p:notes ` + aNS + `><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>` + note + `</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:notes>`)})
		}
	}
	ents = append(ents,
		zent{name: "ppt/presentation.xml", data: []byte(`<?xml version="1.0"?><p:presentation ` + aNS + `><p:sldMasterIdLst><p:sldMasterId id="2147483648" r:id="rId1"/></p:sldMasterIdLst><p:sldIdLst>` + ids.String() + `</p:sldIdLst></p:presentation>`)},
		zent{name: "ppt/_rels/presentation.xml.rels", data: []byte(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels.String() + `</Relationships>`)},
	)
	return buildZip(t, ents...)
}

const odfNS = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" office:version="1.3"`

// buildODF makes an OpenDocument package: mimetype stored first, manifest, content.xml and an
// optional styles.xml.
func buildODF(t testing.TB, mimetype, body, styles string, encrypted bool) []byte {
	t.Helper()
	manifest := `<?xml version="1.0" encoding="UTF-8"?><manifest:manifest ` + odfNS + `><manifest:file-entry manifest:full-path="/" manifest:media-type="` + mimetype + `"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">`
	if encrypted {
		manifest += `<manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" manifest:checksum="AAAA"><manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" manifest:initialisation-vector="AAAA"/></manifest:encryption-data>`
	}
	manifest += `</manifest:file-entry></manifest:manifest>`
	ents := []zent{
		{name: "mimetype", data: []byte(mimetype), method: zip.Store},
		{name: "META-INF/manifest.xml", data: []byte(manifest)},
		{name: "content.xml", data: []byte(`<?xml version="1.0" encoding="UTF-8"?><office:document-content ` + odfNS + `><office:body>` + body + `</office:body></office:document-content>`)},
	}
	if styles != "" {
		ents = append(ents, zent{name: "styles.xml", data: []byte(`<?xml version="1.0" encoding="UTF-8"?><office:document-styles ` + odfNS + `>` + styles + `</office:document-styles>`)})
	}
	return buildZip(t, ents...)
}

// buildXLSXWithCPRNumber makes a workbook with the CPR number 0101901234 stored as the number
// 101901234 and shown through the custom number format "0000000000", plus a text sheet.
func buildXLSXWithCPRNumber(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sh := "Borgere"
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		t.Fatal(err)
	}
	f.SetCellValue(sh, "A1", "Navn")
	f.SetCellValue(sh, "B1", "CPR")
	f.SetCellValue(sh, "A2", testName)
	f.SetCellValue(sh, "B2", 101901234)
	format := "0000000000"
	style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &format})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStyle(sh, "B2", "B2", style); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("Noter"); err != nil {
		t.Fatal(err)
	}
	f.SetCellValue("Noter", "C3", "Bevilling af el-kørestol")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// buildPDF makes a one-page PDF with the given lines (core font, cp1252).
func buildPDF(t testing.TB, lines ...string) []byte {
	t.Helper()
	p := fpdf.New("P", "mm", "A4", "")
	p.AddPage()
	p.SetFont("Helvetica", "", 12)
	tr := p.UnicodeTranslatorFromDescriptor("cp1252")
	for _, l := range lines {
		p.Cell(0, 8, tr(l))
		p.Ln(8)
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// buildCFB writes a minimal Compound File (version 3, 512-byte sectors): sector 0 is the FAT,
// sector 1 the directory, holding a root entry and empty streams with the given names.
func buildCFB(t testing.TB, streams ...string) []byte {
	t.Helper()
	if len(streams) > 3 {
		t.Fatal("buildCFB: at most 3 streams")
	}
	const (
		endOfChain = 0xFFFFFFFE
		freeSect   = 0xFFFFFFFF
		fatSect    = 0xFFFFFFFD
		noStream   = 0xFFFFFFFF
	)
	out := make([]byte, 512*3)
	le := binary.LittleEndian
	h := out[:512]
	copy(h, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	le.PutUint16(h[24:], 0x003E) // minor version
	le.PutUint16(h[26:], 3)      // major version
	le.PutUint16(h[28:], 0xFFFE) // byte order
	le.PutUint16(h[30:], 9)      // sector shift
	le.PutUint16(h[32:], 6)      // mini sector shift
	le.PutUint32(h[44:], 1)      // FAT sectors
	le.PutUint32(h[48:], 1)      // first directory sector
	le.PutUint32(h[56:], 4096)   // mini stream cutoff
	le.PutUint32(h[60:], endOfChain)
	le.PutUint32(h[68:], endOfChain)
	le.PutUint32(h[76:], 0) // DIFAT[0]: the FAT is sector 0
	for i := 80; i < 512; i += 4 {
		le.PutUint32(h[i:], freeSect)
	}
	fat := out[512:1024]
	for i := 0; i < 512; i += 4 {
		le.PutUint32(fat[i:], freeSect)
	}
	le.PutUint32(fat[0:], fatSect)
	le.PutUint32(fat[4:], endOfChain)
	dir := out[1024:1536]
	entry := func(i int, name string, typ byte, left, right, child uint32) {
		e := dir[i*128 : (i+1)*128]
		u := utf16.Encode([]rune(name))
		for k, c := range u {
			le.PutUint16(e[2*k:], c)
		}
		le.PutUint16(e[64:], uint16(2*len(u)+2))
		e[66] = typ
		e[67] = 1 // black
		le.PutUint32(e[68:], left)
		le.PutUint32(e[72:], right)
		le.PutUint32(e[76:], child)
		le.PutUint32(e[116:], endOfChain)
	}
	entry(0, "Root Entry", 5, noStream, noStream, 1)
	for i, name := range streams {
		right := uint32(noStream)
		if i+1 < len(streams) {
			right = uint32(i + 2)
		}
		entry(i+1, name, 2, noStream, right, noStream)
	}
	return out
}

// find returns the document with the given name.
func find(t testing.TB, docs []Document, name string) Document {
	t.Helper()
	for _, d := range docs {
		if d.Name == name {
			return d
		}
	}
	var names []string
	for _, d := range docs {
		names = append(names, d.Name)
	}
	t.Fatalf("no document %q in %q", name, names)
	return Document{}
}

func allText(d Document) string {
	var b strings.Builder
	for _, p := range d.Pages {
		b.WriteString(p.Text)
		b.WriteString("\n")
	}
	return b.String()
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

var _ io.Reader = zeros{}

// pageBlock is a block of a page as its kind and text.
type pageBlock struct {
	kind BlockKind
	text string
}

// pageBlocks is p's blocks as kinds and texts, after checking they are consistent.
func pageBlocks(t *testing.T, p Page) []pageBlock {
	t.Helper()
	if why := p.CheckBlocks(); why != "" {
		t.Fatalf("page %d: %s: %q %+v", p.Number, why, p.Text, p.Blocks)
	}
	out := make([]pageBlock, 0, len(p.Blocks))
	for _, b := range p.Blocks {
		out = append(out, pageBlock{b.Kind, p.Text[b.Start:b.End]})
	}
	return out
}

// letterBlocks are the blocks of the synthetic letter the DOCX and ODT flow tests write: the
// addressee, a text box with date and case number, greeting, body and a table with a child.
func letterBlocks(name, street, town, cpr string) []pageBlock {
	return []pageBlock{
		{BlockBody, name + "\n" + street + "\n" + town},
		{BlockTextBox, "Dato: 3. marts 2026\nSagsnr.: 26-001234"},
		{BlockBody, "Kære " + name},
		{BlockBody, "Vi har behandlet din sag."},
		{BlockTable, "Barn\tCPR-nr.\nIda\t" + cpr},
	}
}
