package pdf

import (
	"testing"
)

func TestPDFGlyphNameText(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"A", "A"}, {"oslash", "ø"}, {"Aring", "Å"}, {"ae", "æ"}, {"hyphen", "-"}, {"space", " "},
		{"uni00F8", "ø"}, {"uni00E600F8", "æø"}, {"u1F600", "\U0001F600"}, {"f_i", "fi"},
		{"a.sc", "a"}, {"one.oldstyle", "1"}, {"quoteright", "\u2019"},
		{".notdef", ""}, {"g123", ""}, {"uniD800", ""}, {"uni12", ""}, {"u110000", ""}, {"", ""},
	} {
		if got := pdfGlyphNameText(tc.name); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.name, got, tc.want)
		}
	}
}
