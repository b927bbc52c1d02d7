package detect

import (
	"strings"
	"testing"
)

type findCase struct {
	name   string
	text   string
	want   []string // Values found at ≥ min (default Threshold), in order
	min    float64
	masked []string // expected Masked of the wanted findings (optional)
}

func runFindCases(t *testing.T, detect func(*Engine, string) []Finding, cases []findCase) {
	t.Helper()
	e := testEngine(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			min := tc.min
			if min == 0 {
				min = Threshold
			}
			var got, masked []string
			fs := detect(e, tc.text)
			for _, f := range fs {
				if f.Start < 0 || f.End > len(tc.text) || f.Start >= f.End {
					t.Fatalf("bad span %d..%d", f.Start, f.End)
				}
				if len(f.Why) == 0 {
					t.Errorf("%q: no Why", f.Value)
				}
				if f.Confidence >= min {
					got = append(got, f.Value)
					masked = append(masked, f.Masked)
				}
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("got %q, want %q; all: %+v", got, tc.want, fs)
			}
			if tc.masked != nil && strings.Join(masked, "|") != strings.Join(tc.masked, "|") {
				t.Errorf("masked %q, want %q", masked, tc.masked)
			}
		})
	}
}

func TestNames(t *testing.T) {
	names := func(e *Engine, s string) []Finding { return e.Names(s) }
	runFindCases(t, names, []findCase{
		// true positives
		{name: "greeting and full name with Danish letters", text: "Kære Søren Ærbø Østergård\n\nTak for mødet.",
			want: []string{"Søren Ærbø Østergård"}, masked: []string{"S. Æ. Ø."}},
		{name: "hyphenated first name and surname", text: "Anne-Mette Møller-Ærenlund bor her.",
			want: []string{"Anne-Mette Møller-Ærenlund"}, masked: []string{"A.-M. M.-Æ."}},
		{name: "initial and surname", text: "Vi har talt med K. Jensen i dag.", want: []string{"K. Jensen"}, masked: []string{"K. J."}},
		{name: "address block", text: "Johan Müller\nPræsteparken 113, 1. th.\n8600 Silkeborg", want: []string{"Johan Müller"}},
		{name: "label then name", text: "Borger: Silje Ibrahim, CPR-nr. 290778 3130", want: []string{"Silje Ibrahim"}},
		{name: "genitive stripped", text: "Vi talte om Lauge Paulsen Ottesens anbringelse.", want: []string{"Lauge Paulsen Ottesen"}},
		{name: "surname by its ending", text: "Mødet med Karen Ibsgaard blev aflyst.", want: []string{"Karen Ibsgaard"}},
		{name: "common word as first name with strong surname", text: "Line Jensen kommer.", want: []string{"Line Jensen"}},
		{name: "common surname with strong first name", text: "Jens Holm kommer.", want: []string{"Jens Holm"}},
		{name: "title trimmed", text: "Hr. Jens Hansen", want: []string{"Jens Hansen"}},
		{name: "greeting single is weak", text: "Hej Lærke\n\nHer er papirerne.", want: []string{"Lærke"}, min: 0.4},
		{name: "greeting single below threshold", text: "Hej Lærke\n\nHer er papirerne."},
		{name: "greeting chain", text: "Kære Annika og Lise\n", want: []string{"Annika", "Lise"}, min: 0.4},
		{name: "several names on a line", text: "Deltagere: Jonathan Lorenzen, Flemming Greve", want: []string{"Jonathan Lorenzen", "Flemming Greve"}},
		{name: "CSV row", text: "Mikkel Axelsen;190670-3897;Strammelse Møllevej 83C", want: []string{"Mikkel Axelsen"}},
		// false positives
		{name: "closing", text: "Med Venlig Hilsen"},
		{name: "authority", text: "Aarhus Kommune\nJobcenter Aarhus\nSundhed og Omsorg"},
		{name: "street named after a person", text: "H.C. Andersens Boulevard 27"},
		{name: "street with Vej", text: "Søren Frichs Vej 24"},
		{name: "title case heading of common words", text: "Sol Over Gudhjem"},
		{name: "all-caps heading", text: "JENS HANSEN\nKVITTERING\nLÆGEERKLÆRING"},
		{name: "sentence-initial common words", text: "Tak. Line og Sol kommer. Maj Frost er forbi."},
		{name: "weekday and month", text: "Mandag Marts Februar"},
		{name: "two common words", text: "Vi har Sol Bang på programmet."},
		{name: "lone capitalised words", text: "Hvis du er uenig, kan du klage. Kommunen svarer."},
		{name: "codes are not names", text: "Papir A4 Kopi B12"},
	})
}

func TestIsFirstNameSurname(t *testing.T) {
	e := testEngine(t)
	for _, w := range []string{"Søren", "SØREN", "søren", "Anne", "Lærke"} {
		if !e.IsFirstName(w) {
			t.Errorf("IsFirstName(%q) = false", w)
		}
	}
	for _, w := range []string{"Jensen", "JENSEN", "østergård", "Møller"} {
		if !e.IsSurname(w) {
			t.Errorf("IsSurname(%q) = false", w)
		}
	}
	for _, w := range []string{"", "Xqzzy", "kommune"} {
		if e.IsFirstName(w) || e.IsSurname(w) {
			t.Errorf("%q should be neither", w)
		}
	}
}

func TestInitials(t *testing.T) {
	for in, want := range map[string]string{
		"Søren Ærbø Østergård":       "S. Æ. Ø.",
		"Anne-Mette Møller-Ærenlund": "A.-M. M.-Æ.",
		"K. Jensen":                  "K. J.",
		"H.C. Jensen":                "H.C. J.",
		"Jens\u00a0Hansen":           "J. H.",
	} {
		if got := initials(in); got != want {
			t.Errorf("initials(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNameValueIsSpan(t *testing.T) {
	e := testEngine(t)
	text := "Kære  Søren   Østergård\nJens\u00a0Hansen"
	fs := e.Names(text)
	if len(fs) != 2 {
		t.Fatalf("want both names, got %+v", fs)
	}
	for _, f := range fs {
		if f.Value != collapseSpace(text[f.Start:f.End]) {
			t.Errorf("value %q vs span %q", f.Value, text[f.Start:f.End])
		}
	}
}
