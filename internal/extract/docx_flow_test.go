package extract

import (
	"strings"
	"testing"
)

// Blocks and pages of Word documents built in the test. Synthetic people only.

const docxStylesXML = `<w:styles ` + wNS + `>` +
	`<w:docDefaults><w:pPrDefault><w:pPr><w:spacing w:after="160" w:line="259" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>` +
	`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Ingenafstand"><w:name w:val="No Spacing"/><w:pPr><w:spacing w:after="0" w:line="240"/></w:pPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Adresse"><w:basedOn w:val="Ingenafstand"/></w:style>` +
	`</w:styles>`

// wStyled is a paragraph in the given style with the given text ("" for an empty paragraph);
// ppr is extra paragraph properties.
func wStyled(style, ppr, text string) string {
	var b strings.Builder
	b.WriteString("<w:p><w:pPr>")
	if style != "" {
		b.WriteString(`<w:pStyle w:val="` + style + `"/>`)
	}
	b.WriteString(ppr + "</w:pPr>")
	if text != "" {
		b.WriteString(`<w:r><w:t xml:space="preserve">` + text + `</w:t></w:r>`)
	}
	b.WriteString("</w:p>")
	return b.String()
}

// docxLetter is one merged letter: addressee block in a no-spacing style, a text box with the
// case details, body paragraphs with the default spacing, a table of children.
func docxLetter(name, street, town, cpr string, last string) string {
	return wStyled("Adresse", "", name) + wStyled("Adresse", "", street) + wStyled("Adresse", "", town) +
		`<w:p><w:r><w:lastRenderedPageBreak/><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx><w:txbxContent>` +
		wStyled("Ingenafstand", "", "Dato: 3. marts 2026") + wStyled("Ingenafstand", "", "Sagsnr.: 26-001234") +
		`</w:txbxContent></wps:txbx></wps:wsp></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox><w:txbxContent>` +
		wStyled("", "", "Dato: 3. marts 2026") + `</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>` +
		wStyled("", "", "") +
		wStyled("", "", "Kære "+name) +
		wStyled("", "", "Vi har behandlet din sag.") +
		`<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Barn</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>CPR-nr.</w:t></w:r></w:p></w:tc></w:tr>` +
		`<w:tr><w:tc><w:p><w:r><w:t>Ida</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>` + cpr + `</w:t></w:r></w:p></w:tc></w:tr></w:tbl>` +
		wStyled("", last, "Med venlig hilsen")
}

func TestDOCXBlocksAndPages(t *testing.T) {
	sect := `<w:sectPr><w:type w:val="nextPage"/><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>`
	body := docxLetter("Hanne Berg", "Søndergade 12", "8000 Aarhus C", "150315-2345", sect) +
		docxLetter("Peter Olsen", "Bakkevej 7", "8210 Aarhus V", "010118-2347", "") +
		// An explicit page break inside a paragraph, then a paragraph that asks for a new page.
		`<w:p><w:r><w:t>Bilag 1</w:t><w:br w:type="page"/><w:t>Bilag 2</w:t></w:r></w:p>` +
		wStyled("", `<w:pageBreakBefore/>`, "Bilag 3") +
		wStyled("", `<w:pageBreakBefore w:val="0"/>`, "stadig bilag 3") +
		// A continuous section break does not start a page.
		wStyled("", `<w:sectPr><w:type w:val="continuous"/></w:sectPr>`, "slut") +
		`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>`
	data := buildDOCX(t, body, map[string]string{
		"styles.xml":  docxStylesXML,
		"header1.xml": `<w:hdr ` + wNS + `>` + wStyled("Ingenafstand", "", "Aarhus Kommune") + wStyled("Ingenafstand", "", "Socialforvaltningen") + `</w:hdr>`,
		"footer1.xml": `<w:ftr ` + wNS + `>` + wPara("Side 1") + `</w:ftr>`,
	})
	docs := New(Limits{}).Extract(t.Context(), "Breve.docx", "", data)
	if len(docs) != 1 || docs[0].Status != Scanned {
		t.Fatalf("%+v", docs)
	}
	type blk = pageBlock
	letter := func(name, street, town, cpr string) []blk {
		return append(letterBlocks(name, street, town, cpr), blk{BlockBody, "Med venlig hilsen"})
	}
	want := [][]blk{
		append([]blk{{BlockHeader, "Aarhus Kommune\nSocialforvaltningen"}}, letter("Hanne Berg", "Søndergade 12", "8000 Aarhus C", "150315-2345")...),
		append(letter("Peter Olsen", "Bakkevej 7", "8210 Aarhus V", "010118-2347"), blk{BlockBody, "Bilag 1"}),
		{{BlockBody, "Bilag 2"}},
		{{BlockBody, "Bilag 3"}, {BlockBody, "stadig bilag 3"}, {BlockBody, "slut"}, {BlockFooter, "Side 1"}},
	}
	pages := docs[0].Pages
	if len(pages) != len(want) {
		t.Fatalf("%d pages, want %d: %+v", len(pages), len(want), pages)
	}
	for i, p := range pages {
		got := pageBlocks(t, p)
		for _, b := range p.Blocks {
			if b.HasBox {
				t.Errorf("page %d: a DOCX block has a box", i+1)
			}
		}
		if p.Number != i+1 || len(got) != len(want[i]) {
			t.Errorf("page %d (%d): blocks\n%q\nwant\n%q", i+1, p.Number, got, want[i])
			continue
		}
		for k := range got {
			if got[k] != want[i][k] {
				t.Errorf("page %d block %d: %q, want %q", i+1, k, got[k], want[i][k])
			}
		}
	}
}

// Without styles.xml Word's defaults apply (no paragraph spacing): following paragraphs are
// one block until an empty paragraph.
func TestDOCXNoStyles(t *testing.T) {
	data := buildDOCX(t, wStyled("", "", "Hanne Berg")+wStyled("", "", "8000 Aarhus C")+wStyled("", "", "")+
		wStyled("", `<w:spacing w:before="240"/>`, "Kære Hanne")+wStyled("", "", "Tak for dit brev."), nil)
	docs := New(Limits{}).Extract(t.Context(), "a.docx", "", data)
	var got []string
	for _, b := range pageBlocks(t, docs[0].Pages[0]) {
		got = append(got, b.text)
	}
	if strings.Join(got, "|") != "Hanne Berg\n8000 Aarhus C|Kære Hanne\nTak for dit brev." {
		t.Errorf("blocks %q", got)
	}
}
