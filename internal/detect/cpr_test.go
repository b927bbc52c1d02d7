package detect

import (
	"strings"
	"testing"
	"time"
)

// All numbers below are synthetic. Useful facts (clock: 1 June 2024):
//   0101900002 passes mod-11, 0101900000 fails; 0101650000 (1 Jan 1965) fails mod-11;
//   2206840008, 1002841009, 1412720004 pass mod-11; 1701962105 is a timestamp that passes mod-11.

type cprCase struct {
	name string
	text string
	want []string // values found at ≥ 0.5
	min  float64  // minimum confidence of the first wanted finding (0: not checked)
	max  float64  // maximum confidence of any finding (0: not checked)
	why  string   // substring expected in the first finding's Why (wanted or not)
}

func runCPRCases(t *testing.T, cases []cprCase) {
	t.Helper()
	e := testEngine(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := e.CPR(tc.text)
			var got []string
			for _, f := range fs {
				if f.Start < 0 || f.End > len(tc.text) || f.Start >= f.End {
					t.Fatalf("bad span %d..%d", f.Start, f.End)
				}
				if f.Masked != MaskCPR(f.Value) || len(f.Value) != 10 {
					t.Errorf("value/mask %q %q", f.Value, f.Masked)
				}
				if f.Confidence >= Threshold {
					got = append(got, f.Value)
				}
				if tc.max > 0 && f.Confidence > tc.max {
					t.Errorf("confidence %.2f > %.2f (why %v)", f.Confidence, tc.max, f.Why)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("got %v, want %v; findings %+v", got, tc.want, fs)
			}
			if tc.min > 0 && fs[0].Confidence < tc.min {
				t.Errorf("confidence %.2f < %.2f (why %v)", fs[0].Confidence, tc.min, fs[0].Why)
			}
			if tc.why != "" {
				if len(fs) == 0 {
					t.Fatalf("no finding to explain %q", tc.why)
				}
				if !strings.Contains(strings.Join(fs[0].Why, "; "), tc.why) {
					t.Errorf("why %v lacks %q", fs[0].Why, tc.why)
				}
			}
		})
	}
}

func TestCPRTruePositives(t *testing.T) {
	runCPRCases(t, []cprCase{
		{name: "keyword hyphen", text: "CPR-nr.: 010190-0002", want: []string{"0101900002"}, min: 0.9, why: "context cpr-nr"},
		{name: "bare compact mod11", text: "Borgeren 0101900002 er flyttet.", want: []string{"0101900002"}, min: 0.6},
		{name: "bare no context", text: "Se 0101900002 her.", want: []string{"0101900002"}, min: 0.6, max: 0.6, why: "mod11 ok"},
		{name: "bare fails mod11 still counts", text: "Se 0101900000 her.", want: []string{"0101900000"}, min: 0.5, max: 0.5, why: "mod11 fails"},
		{name: "1 Jan 1965 fails mod11", text: "Født 010165-0000.", want: []string{"0101650000"}, min: 0.85, why: "date 1965-01-01"},
		{name: "space", text: "cpr 010190 0002", want: []string{"0101900002"}},
		{name: "slash", text: "cpr 010190/0002", want: []string{"0101900002"}},
		{name: "dot", text: "cpr 010190.0002", want: []string{"0101900002"}},
		{name: "tab", text: "cpr\t010190\t0002", want: []string{"0101900002"}, why: "separator tab"},
		{name: "spaced dash", text: "cpr 010190 - 0002", want: []string{"0101900002"}},
		{name: "en dash", text: "cpr 010190\u20130002", want: []string{"0101900002"}, why: "U+2013"},
		{name: "non-breaking hyphen", text: "cpr 010190\u20110002", want: []string{"0101900002"}, why: "U+2011"},
		{name: "hyphen U+2010", text: "cpr 010190\u20100002", want: []string{"0101900002"}},
		{name: "em dash U+2014", text: "cpr 010190\u20140002", want: []string{"0101900002"}},
		{name: "horizontal bar U+2015", text: "cpr 010190\u20150002", want: []string{"0101900002"}},
		{name: "minus sign", text: "cpr 010190\u22120002", want: []string{"0101900002"}},
		{name: "NBSP", text: "CPR\u00a0010190\u00a00002", want: []string{"0101900002"}, why: "U+00A0"},
		{name: "U+0013 artefact", text: "cpr 010190\x130002", want: []string{"0101900002"}},
		{name: "spaced en dash", text: "cpr 010190 \u2013 0002", want: []string{"0101900002"}},
		{name: "century digit 9 YY 37 is 1937", text: "0101379000", want: []string{"0101379000"}, why: "date 1937-01-01"},
		{name: "1858 by digit 5", text: "cpr 0101585000", want: []string{"0101585000"}, why: "date 1858-01-01"},
		{name: "29 Feb 1996 leap", text: "cpr 290296-1006", want: []string{"2902961006"}},
		{name: "29 Feb 2000 leap by digit 4", text: "cpr 290200-4001", want: []string{"2902004001"}, why: "date 2000-02-29"},
		{name: "spaced date with keyword", text: "CPR: 01 01 90-0002", want: []string{"0101900002"}},
		{name: "spaced date and serial with keyword", text: "personnummer 01 01 90 0002", want: []string{"0101900002"}},
		{name: "double separator with keyword", text: "CPR-nr. 010190--0002", want: []string{"0101900002"}},
		{name: "glued keyword from HTML", text: "CPR-nr.010190-0002", want: []string{"0101900002"}, min: 0.9},
		{name: "journal number with date and mod11", text: "J.nr. 150324-1001", want: []string{"1503241001"}, min: 0.5, why: "journal"},
		{name: "keyword far before", text: "CPR-nummer:" + strings.Repeat(" x", 100) + " 0101900000", want: []string{"0101900000"}, min: 0.7},
		{name: "positive after", text: "0101900000 (cpr)", want: []string{"0101900000"}, min: 0.75},
		{name: "keyword beats phone nearby", text: "Tlf. 89 40 20 00\nCPR: 0101900000", want: []string{"0101900000"}, min: 0.85},
		{name: "two numbers", text: "cpr 0101900002 og 0101900000", want: []string{"0101900002", "0101900000"}},
		{name: "CSV CPR column", text: "Navn;CPR;Ydelse\nA B;0101900000;x\nC D;2206840008;y\n",
			want: []string{"0101900000", "2206840008"}, min: 0.9, why: "column header"},
		{name: "TSV leading zero lost", text: "Navn\tCPR-nr.\tAdresse\nJens Hansen\t101900002\tVej 1\n",
			want: []string{"0101900002"}, why: "leading zero restored"},
		{name: "JSON cpr key", text: `{"cpr": "0101900002"}`, want: []string{"0101900002"}, min: 0.9},
		{name: "table cell after label cell", text: "CPR\t0101900000\nNavn\tJens", want: []string{"0101900000"}},
	})
}

func TestCPRFalsePositives(t *testing.T) {
	runCPRCases(t, []cprCase{
		{name: "timestamp log line", text: "1701962105 INFO  bruger=sys383 handling=opslag\n", max: 0.3, why: "log/timestamp context info"},
		{name: "timestamp JSON ts", text: `{"ts": 1701962105, "event": "login"}`, max: 0.3},
		{name: "timestamp createdAt", text: `{"createdAt":1701962105,"user":"x"}`, max: 0.3, why: "mixed-case"},
		{name: "timestamp key=value", text: "timestamp=1701962105 user=x", max: 0.3},
		{name: "timestamp ISO nearby", text: "2023-12-07T15:15:05Z 1701962105 login", max: 0.3, why: "ISO date"},
		{name: "phone +45 spaces", text: "Ring på +45 12 34 56 78 eller 20 37 49 74"},
		{name: "phone +45 ten digits", text: "Ring på +45 2206840008"},
		{name: "plus glued", text: "+452206840008 / +2206840008"},
		{name: "invoice number", text: "Fakturanr. 2206840008", max: 0.3, why: "context fakturanr"},
		{name: "invoice words", text: "vedhæftede faktura nr. 2206840008, men", max: 0.3},
		{name: "order number", text: "Ordrenr.: 1412720004", max: 0.3},
		{name: "customer number", text: "Kundenr. 1412720004", max: 0.3},
		{name: "account with reg.nr.", text: "Reg.nr. 5470 Kontonr. 2206840008", max: 0.3},
		{name: "4-digit reg group before", text: "Konto 5470 2206840008", max: 0.3},
		{name: "reg group alone", text: "Beløbet går til 5470 2206840008.", max: 0.3, why: "bank account"},
		{name: "P-nr", text: "P-nr. 1002841009", max: 0.3},
		{name: "P-nummer", text: "P-nummer: 1002841009", max: 0.3},
		{name: "letterhead P-nr does not kill citizen CPR", text: "Vejstrand Kommune. P-nr. 2205995008\n\nBorger: 0101900002\n", want: []string{"0101900002"}},
		{name: "CVR", text: "CVR-nr. 1412720004", max: 0.3},
		{name: "CVR 8 digits then more", text: "CVR 12345678 1412720004", max: 0.3},
		{name: "EAN-13", text: "EAN: 5798005794785 og GLN 5790000000005"},
		{name: "EAN word", text: "EAN-nr. 2206840008", max: 0.3},
		{name: "longer digit run", text: "22068400081 22068400"},
		{name: "journal fails mod11", text: "J.nr. 150324-0012"},
		{name: "structured case number", text: "Journalnr.: 27.24.00-A00-1234-22 Sagsnr.: 2023-0456789"},
		{name: "continues with dash", text: "2206840008-12 and 12-2206840008"},
		{name: "date with time", text: "Dato: 150324 1400", max: 0.3, why: "date and time"},
		{name: "date with kl after", text: "Mødet 150324 1400 kl. i lokale 3", max: 0.3},
		{name: "recent date and time without context", text: "010124 1030 og 010124 0010", max: 0.4, why: "recent date followed by a clock time"},
		{name: "old date with time-like serial stays a CPR", text: "Se 150390 1230 her.", want: []string{"1503901230"}},
		{name: "spaced date needs keyword", text: "01 01 90-0002"},
		{name: "double separator needs keyword", text: "010190--0002"},
		{name: "31 April", text: "CPR 310490-1009"},
		{name: "29 Feb 1997 not leap", text: "CPR 290297-1001"},
		{name: "29 Feb 1900 not leap", text: "CPR 290200-0006"},
		{name: "2036 in the future", text: "CPR 010136-4003 og 010136-9005"},
		{name: "2057 in the future", text: "CPR 0101575004"},
		{name: "month 00", text: "CPR 1700101617"},
		{name: "CSV order column", text: "Ordrenr;Dato;Vare\n2206840008;27.03.2024;Toner\n1412720004;25.03.2024;Mus\n", max: 0.3},
		{name: "number column of non-dates", text: "Ref\tBeløb\n9949000501\t1\n8412300987\t2\n7394487243\t3\n1412720004\t4\n6368302661\t5\n", max: 0.4},
		{name: "context whole words only: cpr inside a word", text: "ecpr 0101900000 republic", want: []string{"0101900000"}, max: 0.5},
		{name: "decimal", text: "1.2206840008 og 2206840008.5"},
		{name: "time colon after", text: "2206840008:30"},
	})
}

func TestCPRContextWholeWords(t *testing.T) {
	e := testEngine(t)
	// "ordrebekræftelse" contains "ordre" and "kvartalsfakturaen" contains "faktura": substrings are
	// not context, so these stay plain numbers (0.6).
	for _, text := range []string{"ordrebekræftelse 2206840008", "kvartalsfakturaen 2206840008", "tlfx 2206840008"} {
		fs := e.CPR(text)
		if len(fs) != 1 || fs[0].Confidence != 0.6 {
			t.Errorf("%q: %+v", text, fs)
		}
	}
	// Trailing .:# are stripped: "Fakturanr.:#" is still fakturanr.
	if fs := e.CPR("Fakturanr.:# 2206840008"); len(fs) != 1 || fs[0].Confidence >= 0.3 {
		t.Errorf("fakturanr.:#: %+v", fs)
	}
}

func TestCPRFutureByClock(t *testing.T) {
	// Born 1 June 2024: valid on that day, not the day before.
	d := "0106244008"
	for _, c := range []struct {
		now  time.Time
		want int
	}{
		{time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC), 1},
		{time.Date(2024, 5, 31, 23, 0, 0, 0, time.UTC), 0},
	} {
		e, err := New(Options{Now: func() time.Time { return c.now }})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(e.CPR("cpr " + d)); got != c.want {
			t.Errorf("now %v: %d findings, want %d", c.now, got, c.want)
		}
	}
}

func TestMaskCPR(t *testing.T) {
	for in, want := range map[string]string{
		"0101901234":  "010190-xxxx",
		"010190-1234": "010190-xxxx",
		"123":         "xxxxxx-xxxx",
		"01019012345": "xxxxxx-xxxx",
	} {
		if got := MaskCPR(in); got != want {
			t.Errorf("MaskCPR(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCPROffsets(t *testing.T) {
	e := testEngine(t)
	text := "Æøå cpr: 010190\u20130002 og 0101900000."
	fs := e.CPR(text)
	if len(fs) != 2 {
		t.Fatalf("%+v", fs)
	}
	if got := text[fs[0].Start:fs[0].End]; got != "010190\u20130002" {
		t.Errorf("span %q", got)
	}
	if got := text[fs[1].Start:fs[1].End]; got != "0101900000" {
		t.Errorf("span %q", got)
	}
}

func TestCPROtherLabels(t *testing.T) {
	e := testEngine(t)
	tests := []struct {
		text string
		want bool // found as a CPR number at the default threshold
	}{
		{"Bookingnr. 1503921187", false},
		{"ISBN 1402894627", false},
		{"Kontonummer: 2207901234", false},
		{"Order No. 0304851234", false},
		{"Kunde-ID 1109881234", false},
		{"Policenummeret 0304851234", false},
		{"Varenr. Tekst Beløb\n1111928284 Kursus 450,00\n1503921187 Forplejning 125,00\n", false},
		{"Barnets CPR\n1503921187\n", true},
		{"CPR-nr. 1503921187", true},
		{"J.nr. 1503921187 vedrørende borgeren", true},
		{"Ingrid 1503921187", true},
		{"Bruno 1503921187", true},
		{"Forælder og barn: 150392-1187 020215-4321", true},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := false
			for _, f := range e.CPR(tt.text) {
				if f.Confidence >= Threshold {
					got = true
				}
			}
			if got != tt.want {
				t.Errorf("CPR(%q) found = %v, want %v: %+v", tt.text, got, tt.want, e.CPR(tt.text))
			}
		})
	}
}

func TestCPRInARow(t *testing.T) {
	e := testEngine(t)
	for _, text := range []string{
		"Forælder og barn: 150392-1187 020215-4321",
		"Mor / barn\n1503921187 0202154321\n",
		"CPR 150392-1187  020215-4321",
	} {
		var n int
		for _, f := range e.CPR(text) {
			if f.Confidence >= Threshold {
				n++
			}
		}
		if n != 2 {
			t.Errorf("CPR(%q): %d numbers at the threshold, want 2: %+v", text, n, e.CPR(text))
		}
	}
}
