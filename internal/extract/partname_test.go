package extract

import "testing"

func TestPartLabel(t *testing.T) {
	tests := []struct{ in, want string }{
		{"word/document.xml", "word/document.xml"},
		{"xl/worksheets/sheet3.xml", "xl/worksheets/sheet3.xml"},
		{"ppt/slides/slide12.xml", "ppt/slides/slide12.xml"},
		{"content.xml", "content.xml"},
		{"word/_rels/document.xml.rels", "word/_rels/document.xml.rels"},
		{"[Content_Types].xml", "[Content_Types].xml"},
		{"word/Birthe Kjær Andersen.xml", "a part"},
		{"word/BirtheAndersen.xml", "a part"},
		{"word/birthe.xml", "a part"},
		{"word/010190-1234.xml", "a part"},
		{"word/sheet0101901234.xml", "a part"},
		{"word/document.Andersen", "a part"},
		{"word/../../etc.xml", "a part"},
		{"", "a part"},
	}
	for _, tc := range tests {
		if got := partLabel(tc.in); got != tc.want {
			t.Errorf("partLabel(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
