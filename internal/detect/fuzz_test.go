package detect

import (
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	"CPR-nr.: 010190-0002",
	"cpr 010190\u20130002 og 0101900000.",
	"CPR\u00a0010190\u00a00002",
	"CPR: 01 01 90-0002",
	"1701962105 INFO bruger=sys383",
	"Reg.nr. 5470 Kontonr. 2206840008",
	"Ring på +45 2206840008 eller 20 37 49 74, IBAN DK50 0040 0440 1162 43",
	"Navn;CPR;Ydelse\nA B;0101900000;x\nC D;2206840008;y\n",
	"Navn\tCPR-nr.\nJens Hansen\t101900002\n",
	"Kære Søren Ærbø Østergård\nDamagervej 83\n4180 Sorø",
	"Anne-Mette Møller-Ærenlund, K. Jensen, H.C. Andersens Boulevard 27, 1553 København V",
	"Kære Annika og Lise\nBørne- og ungdomspsykiatrien har stillet diagnosen ADHD.",
	"Han fik en betinget\ndom. Jeg har KOL. § 50-undersøgelse",
	"10. Februar Vej 4, st. th.\r\n8000 Aarhus C",
	"\xc3\x86\xc3\x98\xc3\x85 \xff\xfe 0101900002 \xe2\x80",
	"Æ",
	"0",
}

func checkFindings(t *testing.T, text string, fs []Finding, sorted bool) {
	t.Helper()
	starts := make(map[int]bool, len(text)+1)
	for i := range text {
		starts[i] = true // rune starts as range decodes them (an invalid byte is one rune)
	}
	starts[len(text)] = true
	boundary := func(_ string, i int) bool { return starts[i] }
	prev := -1
	for _, f := range fs {
		if f.Start < 0 || f.End > len(text) || f.Start >= f.End {
			t.Fatalf("%s: span %d..%d of %d", f.Kind, f.Start, f.End, len(text))
		}
		if !boundary(text, f.Start) || !boundary(text, f.End) {
			t.Fatalf("%s: span %d..%d not on UTF-8 boundaries", f.Kind, f.Start, f.End)
		}
		if f.Confidence < 0 || f.Confidence > 1 {
			t.Fatalf("%s: confidence %v", f.Kind, f.Confidence)
		}
		if f.Masked == "" || len(f.Why) == 0 {
			t.Fatalf("%s: empty Masked or Why: %+v", f.Kind, f)
		}
		switch f.Kind {
		case KindCPR:
			if len(f.Value) != 10 || strings.Trim(f.Value, "0123456789") != "" || f.Masked != MaskCPR(f.Value) {
				t.Fatalf("cpr value %q masked %q", f.Value, f.Masked)
			}
		case KindName, KindAddress:
			if f.Value != collapseSpace(text[f.Start:f.End]) {
				t.Fatalf("%s: value %q, span %q", f.Kind, f.Value, text[f.Start:f.End])
			}
		case KindSensitive:
			if f.Category == "" || f.Masked != f.Category {
				t.Fatalf("sensitive: %+v", f)
			}
		}
		if sorted && f.Start < prev {
			t.Fatalf("not sorted: %d after %d", f.Start, prev)
		}
		prev = f.Start
	}
}

func FuzzCPR(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	e := testEngine(f)
	f.Fuzz(func(t *testing.T, text string) {
		checkFindings(t, text, e.CPR(text), true)
	})
}

func FuzzDetect(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	e := testEngine(f)
	f.Fuzz(func(t *testing.T, text string) {
		all := e.Detect(text)
		checkFindings(t, text, all, true)
		checkFindings(t, text, e.Names(text), true)
		checkFindings(t, text, e.Addresses(text), true)
		checkFindings(t, text, e.Sensitive(text), true)
		// Detect is the union of the recognizers (minus names inside addresses).
		if n := len(e.CPR(text)) + len(e.Addresses(text)) + len(e.Sensitive(text)); len(all) < n {
			t.Fatalf("Detect found %d, the recognizers %d without names", len(all), n)
		}
	})
}
