package cprshape

import (
	"testing"
)

func TestFind(t *testing.T) {
	tests := []struct {
		in   string
		want []string // the digits of each shape found
	}{
		{"0101901234", []string{"0101901234"}},
		{"Afgørelse 010190-1234.pdf", []string{"0101901234"}},
		{"010190 1234", []string{"0101901234"}},
		{"010190  1234 (two spaces)", []string{"0101901234"}},
		{"010190--1234", []string{"0101901234"}},
		{"010190 - 1234", []string{"0101901234"}},
		{"01-01-90-1234", []string{"0101901234"}},
		{"01.01.90-1234", []string{"0101901234"}},
		{"01 01 90 1234", []string{"0101901234"}},
		{"0101 90 1234", []string{"0101901234"}},
		{"290200/1234", []string{"2902001234"}},
		{"Brev_010190_1234.docx", []string{"0101901234"}},
		{"010190\u00a01234", []string{"0101901234"}},
		{"010190\u20131234", []string{"0101901234"}},
		{"010190\u22121234", []string{"0101901234"}},
		{"\uff10\uff11\uff10\uff11\uff19\uff10\uff0d\uff11\uff12\uff13\uff14", []string{"0101901234"}}, // full-width
		{"\u0660\u0661\u0660\u0661\u0669\u0660-\u0661\u0662\u0663\u0664", []string{"0101901234"}},      // Arabic-Indic
		{"\U0001d7ce\U0001d7cf\U0001d7ce\U0001d7cf\U0001d7d7\U0001d7ce1234", []string{"0101901234"}},   // mathematical
		{"x@010190-1234.dk", []string{"0101901234"}},
		{"content not sent by the add-in (1503991234 bytes)", []string{"1503991234"}},
		{"a 010190-1234 and 020291 4321", []string{"0101901234", "0202914321"}},
		{"1 010190-1234", []string{"0101901234"}},
		// not CPR shapes
		{"01019012345", nil},
		{"010190123", nil},
		{"1234567890", nil},
		{"310490-1234", nil},
		{"+45 12 34 56 78", nil},
		{"01.02.2024 10:30", nil},
		{"010190-xxxx", nil},
		{"010190----1234", nil},
		{"010190 12 34", nil},
		{"", nil},
	}
	for _, tc := range tests {
		got := Find(tc.in)
		if len(got) != len(tc.want) {
			t.Errorf("Find(%q) = %v, want %v", tc.in, got, tc.want)
			continue
		}
		for i := range got {
			if got[i].Digits != tc.want[i] {
				t.Errorf("Find(%q)[%d] = %q, want %q", tc.in, i, got[i].Digits, tc.want[i])
			}
		}
		if Contains(tc.in) != (len(tc.want) > 0) {
			t.Errorf("Contains(%q) = %v", tc.in, !(len(tc.want) > 0))
		}
	}
}

func TestMaskAndHide(t *testing.T) {
	tests := []struct{ in, mask, hide string }{
		{"Afgørelse 010190-1234.pdf", "Afgørelse 010190-xxxx.pdf", "Afgørelse xxxxxx-xxxx.pdf"},
		{"01.01.90-1234", "010190-xxxx", "xxxxxx-xxxx"},
		{"\uff10\uff11\uff10\uff11\uff19\uff10\uff11\uff12\uff13\uff14 æøå", "010190-xxxx æøå", "xxxxxx-xxxx æøå"},
		{"Brev 010190-xxxx.pdf", "Brev 010190-xxxx.pdf", "Brev xxxxxx-xxxx.pdf"},
		{"Brev 010190-XXXX og 1010190-xxxx", "Brev 010190-XXXX og 1010190-xxxx", "Brev xxxxxx-xxxx og 1010190-xxxx"},
		{"nothing here", "nothing here", "nothing here"},
	}
	for _, tc := range tests {
		if got := Mask(tc.in); got != tc.mask {
			t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.mask)
		}
		if got := Hide(tc.in); got != tc.hide {
			t.Errorf("Hide(%q) = %q, want %q", tc.in, got, tc.hide)
		}
		if Contains(Mask(tc.in)) || Contains(Hide(tc.in)) {
			t.Errorf("masked %q still holds a CPR shape", tc.in)
		}
	}
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{"010190-1234", "01.01.90-1234", "０１０１９０１２３４", "x@010190--1234.dk"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if m := Mask(s); Contains(m) {
			t.Errorf("Mask(%q) = %q still holds a CPR shape", s, m)
		}
		if h := Hide(s); Contains(h) {
			t.Errorf("Hide(%q) = %q still holds a CPR shape", s, h)
		}
	})
}
