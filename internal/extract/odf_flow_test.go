package extract

import (
	"fmt"
	"testing"
)

// Blocks and pages of OpenDocument texts built in the test. Synthetic people only.
func TestODTBlocksAndPages(t *testing.T) {
	styles := `<office:styles>` +
		`<style:default-style style:family="paragraph"><style:paragraph-properties fo:margin-top="0cm" fo:margin-bottom="0cm"/></style:default-style>` +
		`<style:style style:name="Standard" style:family="paragraph"/>` +
		`<style:style style:name="Text_20_body" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:margin-top="0cm" fo:margin-bottom="0.247cm"/></style:style>` +
		`</office:styles>` +
		`<office:master-styles><style:master-page style:name="Standard"><style:header><text:p>Aarhus Kommune</text:p></style:header>` +
		`<style:footer><text:p>Side <text:page-number>1</text:page-number></text:p></style:footer></style:master-page></office:master-styles>`
	letter := func(name, street, town, cpr, first string) string {
		return `<text:p text:style-name="` + first + `">` + name + `</text:p><text:p text:style-name="Standard">` + street + `</text:p>` +
			`<text:p text:style-name="Standard">` + town + `</text:p>` +
			`<text:p text:style-name="Standard"><draw:frame draw:name="Info"><draw:text-box><text:p>Dato: 3. marts 2026</text:p><text:p>Sagsnr.: 26-001234</text:p></draw:text-box></draw:frame></text:p>` +
			`<text:p text:style-name="Standard"/>` +
			`<text:p text:style-name="Text_20_body">Kære ` + name + `</text:p><text:soft-page-break/>` +
			`<text:p text:style-name="Text_20_body">Vi har behandlet din sag.</text:p>` +
			`<table:table table:name="Børn"><table:table-row><table:table-cell><text:p>Barn</text:p></table:table-cell><table:table-cell><text:p>CPR-nr.</text:p></table:table-cell></table:table-row>` +
			`<table:table-row><table:table-cell><text:p>Ida</text:p></table:table-cell><table:table-cell><text:p>` + cpr + `</text:p></table:table-cell></table:table-row></table:table>`
	}
	body := `<office:automatic-styles>` +
		`<style:style style:name="P1" style:family="paragraph" style:parent-style-name="Standard" style:master-page-name="Standard"/>` +
		`<style:style style:name="P2" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:break-before="page"/></style:style>` +
		`<style:style style:name="P3" style:family="paragraph" style:parent-style-name="Standard"><style:paragraph-properties fo:break-after="page"/></style:style>` +
		`</office:automatic-styles>` +
		`<office:text>` + letter("Hanne Berg", "Søndergade 12", "8000 Aarhus C", "150315-2345", "P1") +
		letter("Peter Olsen", "Bakkevej 7", "8210 Aarhus V", "010118-2347", "P2") +
		`<text:p text:style-name="P3">Bilag</text:p><text:p>Efter bilag</text:p></office:text>`
	// automatic styles live outside office:body in content.xml; buildODF wraps body in office:body,
	// which the walker does not mind.
	data := buildODF(t, "application/vnd.oasis.opendocument.text", body, styles, false)
	docs := New(Limits{}).Extract(t.Context(), "Breve.odt", "", data)
	if len(docs) != 1 || docs[0].Status != Scanned {
		t.Fatalf("%+v", docs)
	}
	type blk = pageBlock
	want := [][]blk{
		letterBlocks("Hanne Berg", "Søndergade 12", "8000 Aarhus C", "150315-2345"),
		append(letterBlocks("Peter Olsen", "Bakkevej 7", "8210 Aarhus V", "010118-2347"), blk{BlockBody, "Bilag"}),
		{{BlockBody, "Efter bilag"}, {BlockHeader, "Aarhus Kommune"}, {BlockFooter, "Side 1"}},
	}
	pages := docs[0].Pages
	if len(pages) != len(want) {
		t.Fatalf("%d pages, want %d: %+v", len(pages), len(want), pages)
	}
	for i, p := range pages {
		got := pageBlocks(t, p)
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want[i]) {
			t.Errorf("page %d blocks\n%q\nwant\n%q", i+1, got, want[i])
		}
	}
}
