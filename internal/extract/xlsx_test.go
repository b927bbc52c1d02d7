package extract

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestXLSXAgainstExcelize reads generated workbooks (excelize writes them: shared and inline
// strings, rich text, numbers with and without formats, gaps between cells and rows, hidden and
// renamed sheets) and compares every sheet's text with what excelize itself reads from them.
func TestXLSXAgainstExcelize(t *testing.T) {
	words := []string{"Ærø", "Søren", "Åse", "bevilling", "jobcenter", "Hjemmepleje", "§ 85", "a&b <c>", "  indrykket", "tab\there"}
	for seed := range uint64(25) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			f := excelize.NewFile()
			defer f.Close()
			zeros := "000000-0000"
			padded, err := f.NewStyle(&excelize.Style{CustomNumFmt: &zeros})
			if err != nil {
				t.Fatal(err)
			}
			sheets := []string{"Sheet1"}
			for i := range rng.IntN(3) {
				name := fmt.Sprintf("Ark %d", i+2)
				if _, err := f.NewSheet(name); err != nil {
					t.Fatal(err)
				}
				sheets = append(sheets, name)
			}
			for _, sh := range sheets {
				for range 1 + rng.IntN(40) {
					cell, _ := excelize.CoordinatesToCellName(1+rng.IntN(12), 1+rng.IntN(60))
					switch rng.IntN(6) {
					case 0:
						f.SetCellValue(sh, cell, rng.IntN(2_000_000_000)-1000)
					case 1:
						f.SetCellValue(sh, cell, float64(rng.IntN(100000))/100)
					case 2:
						f.SetCellValue(sh, cell, 100_000_000+rng.IntN(3_000_000_000))
						f.SetCellStyle(sh, cell, cell, padded)
					case 3:
						f.SetCellRichText(sh, cell, []excelize.RichTextRun{{Text: words[rng.IntN(len(words))]}, {Text: " " + words[rng.IntN(len(words))], Font: &excelize.Font{Bold: true}}})
					case 4:
						f.SetCellBool(sh, cell, rng.IntN(2) == 0)
					default:
						f.SetCellStr(sh, cell, words[rng.IntN(len(words))]+" "+words[rng.IntN(len(words))])
					}
				}
			}
			if len(sheets) > 1 {
				if err := f.SetSheetVisible(sheets[1], false); err != nil {
					t.Fatal(err)
				}
			}
			var buf bytes.Buffer
			if err := f.Write(&buf); err != nil {
				t.Fatal(err)
			}

			var want []string
			for _, sh := range f.GetSheetList() {
				rows, err := f.GetRows(sh)
				if err != nil {
					t.Fatal(err)
				}
				var page strings.Builder
				for _, cols := range rows {
					for len(cols) > 0 && strings.TrimSpace(cols[len(cols)-1]) == "" {
						cols = cols[:len(cols)-1]
					}
					if len(cols) == 0 {
						continue
					}
					for i, c := range cols {
						if i > 0 {
							page.WriteByte('\t')
						}
						page.WriteString(cellLine.Replace(c))
					}
					page.WriteByte('\n')
				}
				want = append(want, page.String())
			}
			docs := New(Limits{}).Extract(context.Background(), "ark.xlsx", "", buf.Bytes())
			if len(docs) != 1 || docs[0].Status != Scanned {
				t.Fatalf("%+v", docs)
			}
			got := docs[0].Pages
			if len(got) != len(want) {
				t.Fatalf("%d pages, want %d", len(got), len(want))
			}
			for i := range want {
				if norm(got[i].Text) != norm(want[i]) {
					t.Errorf("sheet %d:\n got %q\nwant %q", i+1, got[i].Text, want[i])
				}
			}
		})
	}
}

// norm drops trailing white space per line (the sink trims lines; excelize's rows keep it).
func norm(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(lines, "\n")
}

func TestXLSXValues(t *testing.T) {
	book := func(sheet, styles string) []byte {
		return buildZip(t,
			zent{name: "[Content_Types].xml", data: []byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`)},
			zent{name: "_rels/.rels", data: []byte(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)},
			zent{name: "xl/workbook.xml", data: []byte(`<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="A" sheetId="1" r:id="rId1"/></sheets></workbook>`)},
			zent{name: "xl/_rels/workbook.xml.rels", data: []byte(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`)},
			zent{name: "xl/styles.xml", data: []byte(`<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + styles + `</styleSheet>`)},
			zent{name: "xl/worksheets/sheet1.xml", data: []byte(`<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>` + sheet + `</x:sheetData></x:worksheet>`)},
		)
	}
	styles := `<numFmts count="3"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="0000000000"/><numFmt numFmtId="166" formatCode="&quot;dag &quot;0"/></numFmts>` +
		`<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>` +
		`<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="22"/><xf numFmtId="166"/></cellXfs>`
	tests := []struct {
		name, sheet, want string
	}{
		{"general number", `<x:row><x:c r="A1"><x:v>42</x:v></x:c></x:row>`, "42"},
		{"built-in date", `<x:row><x:c r="A1" s="1"><x:v>32874</x:v></x:c></x:row>`, "01-01-1990"},
		{"custom date", `<x:row><x:c r="A1" s="2"><x:v>45267</x:v></x:c></x:row>`, "07-12-2023"},
		{"date and time", `<x:row><x:c r="A1" s="4"><x:v>45267.75</x:v></x:c></x:row>`, "07-12-2023 18:00:00"},
		{"CPR as number", `<x:row><x:c r="A1" s="3"><x:v>101901234</x:v></x:c></x:row>`, "0101901234"},
		{"quoted d is not a date", `<x:row><x:c r="A1" s="5"><x:v>3</x:v></x:c></x:row>`, "3"},
		{"inline string and gap", `<x:row><x:c r="A1" t="inlineStr"><x:is><x:t>Navn</x:t></x:is></x:c><x:c r="C1" t="str"><x:v>Ja</x:v></x:c></x:row>`, "Navn\t\tJa"},
		{"phonetic guide left out", `<x:row><x:c r="B1" t="inlineStr"><x:is><x:r><x:t>Hans</x:t></x:r><x:rPh sb="0" eb="1"><x:t>ハ</x:t></x:rPh></x:is></x:c></x:row>`, "\tHans"},
		{"error and boolean", `<x:row><x:c t="e"><x:v>#N/A</x:v></x:c><x:c t="b"><x:v>1</x:v></x:c></x:row>`, "#N/A\tTRUE"},
		{"line break in a cell", `<x:row><x:c t="inlineStr"><x:is><x:t>a&#10;b</x:t></x:is></x:c></x:row><x:row/><x:row><x:c><x:v>7</x:v></x:c></x:row>`, "a b\n7"},
		{"shared string out of range", `<x:row><x:c t="s"><x:v>9</x:v></x:c><x:c><x:v>1</x:v></x:c></x:row>`, "1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			docs := New(Limits{}).Extract(context.Background(), "ark.xlsx", "", book(tc.sheet, styles))
			if len(docs) != 1 || docs[0].Status != Scanned || len(docs[0].Pages) != 1 {
				t.Fatalf("%+v", docs)
			}
			if got := norm(docs[0].Pages[0].Text); got != norm(tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestExcelDate(t *testing.T) {
	tests := []struct {
		v                     float64
		date, clock, date1904 bool
		want                  string
	}{
		{1, true, false, false, "01-01-1900"},
		{59, true, false, false, "28-02-1900"},
		{60, true, false, false, "29-02-1900"},
		{61, true, false, false, "01-03-1900"},
		{36526, true, false, false, "01-01-2000"},
		{0.5, false, true, false, "12:00:00"},
		{0, true, false, true, "01-01-1904"},
		{-1, true, false, false, ""},
	}
	for _, tc := range tests {
		got, _ := excelDate(tc.v, tc.date, tc.clock, tc.date1904)
		if got != tc.want {
			t.Errorf("excelDate(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestDateFormat(t *testing.T) {
	tests := []struct {
		format      string
		date, clock bool
	}{
		{"dd-mm-yyyy", true, false},
		{"[$-406]d. mmmm yyyy;@", true, false},
		{"h:mm:ss", false, true},
		{"yyyy-mm-dd hh:mm", true, true},
		{"General", false, false},
		{"Standard", false, false},
		{"0000000000", false, false},
		{`"dag "0`, false, false},
		{`#,##0.00 "kr."`, false, false},
		{"mmm", false, false},
	}
	for _, tc := range tests {
		if d, c := dateFormat(164, tc.format, true); d != tc.date || c != tc.clock {
			t.Errorf("dateFormat(%q) = %v, %v; want %v, %v", tc.format, d, c, tc.date, tc.clock)
		}
	}
}

// A workbook whose sheet decompresses to far more than the limits is too_large, read as a
// stream and stopped at the limit (excelize, before, unzipped every part into memory first).
func TestXLSXBomb(t *testing.T) {
	var sheet bytes.Buffer
	sheet.WriteString(`<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row><c t="inlineStr"><is><t>`)
	sheet.Write(bytes.Repeat([]byte("0"), 40<<20))
	sheet.WriteString(`</t></is></c></row></sheetData></worksheet>`)
	data := buildZip(t,
		zent{name: "_rels/.rels", data: []byte(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)},
		zent{name: "xl/workbook.xml", data: []byte(`<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="A" sheetId="1" r:id="rId1"/></sheets></workbook>`)},
		zent{name: "xl/_rels/workbook.xml.rels", data: []byte(`<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)},
		zent{name: "xl/worksheets/sheet1.xml", data: sheet.Bytes()},
	)
	for _, lim := range []Limits{{MaxDocumentBytes: 8 << 20, MaxRatio: 1 << 20}, {MaxRatio: 100}} {
		docs := New(lim).Extract(context.Background(), "bombe.xlsx", "", data)
		if len(docs) != 1 || docs[0].Status != TooLarge {
			t.Errorf("limits %+v: %+v", lim, docs[0].Status)
		}
	}
}
