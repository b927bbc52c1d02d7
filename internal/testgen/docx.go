package testgen

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"math/rand/v2"
	"strings"
	"time"
)

// DOCXStyle is how letters are written into a Word document.
type DOCXStyle struct {
	BlockTable    bool // addressee block and info column as a two-cell table (a common Word template)
	SectionBreaks bool // letters separated by section breaks instead of page breaks
	RunSplit      bool // text split into several runs per paragraph, as Word does after edits
}

// renderDOCX writes letters into one DOCX (a mail-merge result when there are several), by
// hand: [Content_Types].xml, _rels/.rels, word/document.xml. Letters are separated by
// <w:br w:type="page"/> or by section breaks.
func renderDOCX(rng *rand.Rand, st DOCXStyle, letters []Letter, text *strings.Builder) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	b.WriteString(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	esc := func(s string) string {
		var e bytes.Buffer
		_ = xml.EscapeText(&e, []byte(s))
		return e.String()
	}
	runs := func(s string, bold bool) string {
		text.WriteString(s + "\n")
		rpr := ""
		if bold {
			rpr = "<w:rPr><w:b/></w:rPr>"
		}
		var parts []string
		if st.RunSplit && len(s) > 12 {
			// split at a space, roughly in the middle, as Word's revision runs do
			rs := []rune(s)
			cut := len(rs)/2 + rng.IntN(len(rs)/4+1)
			if cut < len(rs) {
				parts = []string{string(rs[:cut]), string(rs[cut:])}
			}
		}
		if parts == nil {
			parts = []string{s}
		}
		var r strings.Builder
		for _, p := range parts {
			r.WriteString(`<w:r>` + rpr + `<w:t xml:space="preserve">` + esc(p) + `</w:t></w:r>`)
		}
		return r.String()
	}
	p := func(s string, bold bool) string { return `<w:p>` + runs(s, bold) + `</w:p>` }
	cell := func(lines []string, width int) string {
		var c strings.Builder
		c.WriteString(`<w:tc><w:tcPr><w:tcW w:w="` + itoa(width) + `" w:type="dxa"/></w:tcPr>`)
		if len(lines) == 0 {
			c.WriteString(`<w:p/>`)
		}
		for _, s := range lines {
			c.WriteString(p(s, false))
		}
		c.WriteString(`</w:tc>`)
		return c.String()
	}
	for i, l := range letters {
		if i > 0 {
			if st.SectionBreaks {
				b.WriteString(`<w:p><w:pPr><w:sectPr><w:type w:val="nextPage"/></w:sectPr></w:pPr></w:p>`)
			} else {
				b.WriteString(`<w:p><w:r><w:br w:type="page"/></w:r></w:p>`)
			}
		}
		for j, s := range l.Letterhead {
			b.WriteString(p(s, j == 0))
		}
		if st.BlockTable && (len(l.Addressee) > 0 || len(l.Info) > 0) {
			b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="9000" w:type="dxa"/></w:tblPr><w:tr>`)
			b.WriteString(cell(l.Addressee, 5200) + cell(l.Info, 3800))
			b.WriteString(`</w:tr></w:tbl>`)
		} else {
			for _, s := range l.Addressee {
				b.WriteString(p(s, false))
			}
			b.WriteString(`<w:p/>`)
			for _, s := range l.Info {
				b.WriteString(p(s, false))
			}
		}
		b.WriteString(`<w:p/>`)
		if l.Title != "" {
			b.WriteString(p(l.Title, true))
		}
		if l.Greeting != "" {
			b.WriteString(p(l.Greeting, false))
		}
		table := func() {
			b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="9000" w:type="dxa"/></w:tblPr>`)
			for _, row := range l.Table {
				b.WriteString(`<w:tr>`)
				for _, c := range row {
					b.WriteString(cell([]string{c}, 9000/len(row)))
				}
				b.WriteString(`</w:tr>`)
			}
			b.WriteString(`</w:tbl>`)
		}
		for k, s := range l.Paras {
			if len(l.Table) > 0 && l.TableAt == k {
				table()
			}
			b.WriteString(p(s, false))
		}
		if len(l.Table) > 0 && l.TableAt >= len(l.Paras) {
			table()
		}
		for _, s := range l.Closing {
			if s == "" {
				b.WriteString(`<w:p/>`)
				continue
			}
			b.WriteString(p(s, false))
		}
		for _, s := range l.After {
			b.WriteString(p(s, false))
		}
		if len(l.Appendix) > 0 {
			b.WriteString(`<w:p><w:r><w:br w:type="page"/></w:r></w:p>`)
			for k, s := range l.Appendix {
				b.WriteString(p(s, k == 0))
			}
		}
	}
	b.WriteString(`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>`)
	return zipFiles([]zipEntry{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", b.String()},
	})
}

type zipEntry struct{ name, data string }

// zipFiles makes a zip archive with a fixed time stamp.
func zipFiles(files []zipEntry) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	stamp := time.Date(2026, 3, 12, 9, 0, 0, 0, time.UTC)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			panic(err) // only on an invalid header, which these fixed names are not
		}
		_, _ = w.Write([]byte(f.data))
	}
	_ = zw.Close()
	return buf.Bytes()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for n > 0 {
		d = append([]byte{byte('0' + n%10)}, d...)
		n /= 10
	}
	return string(d)
}
