package directory

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/sendevagt/sendevagt/internal/store/storetest"
)

// Synthetic citizens only.

func TestParse(t *testing.T) {
	tests := []struct {
		name                            string
		data                            []byte
		wantErr                         string // part of the file-level error; "" none
		imported, rejected, mod11, dups int
		separator, encoding             string
		hasNames                        bool
		reasons                         []string // parts of the rejected rows' reasons, in order
	}{
		{name: "semicolons, names", data: []byte("e-mail;cpr;navn\nanna@example.dk;0708814318;Anna Berg\n"),
			imported: 1, separator: "semikolon", encoding: "UTF-8", hasNames: true},
		{name: "commas, English headers, no names", data: []byte("Email,CPR-nummer\nanna@example.dk,070881-4318\n"),
			imported: 1, separator: "komma", encoding: "UTF-8"},
		{name: "tabs and a BOM", data: []byte("\xef\xbb\xbfmail\tpersonnummer\nanna@example.dk\t0708814318\n"),
			imported: 1, separator: "tabulator", encoding: "UTF-8 med BOM"},
		{name: "modulus 11 failure is only noted", data: []byte("e-mail;cpr\nbo@example.dk;010190-1234\n"),
			imported: 1, mod11: 1, separator: "semikolon", encoding: "UTF-8"},
		{name: "rejected rows by reason", data: []byte("e-mail;cpr\nikke-en-adresse;0708814318\nbo@example.dk;310290-1234\nbo@example.dk;12345\n;0708814318\nbo@example;0708814318\n\n"),
			rejected: 5, separator: "semikolon", encoding: "UTF-8",
			reasons: []string{"ikke gyldig", "fødselsdato", "10 cifre", "mangler", "domæne"}},
		{name: "missing column", data: []byte("navn;e-mail\nAnna Berg;anna@example.dk\n"), wantErr: "Kolonnen cpr mangler"},
		{name: "empty file", data: []byte(" \n"), wantErr: "tom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			imp, err := Parse(tc.data)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Parse error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r := imp.Report
			if len(imp.rows) != tc.imported || r.Rejected != tc.rejected || r.Mod11 != tc.mod11 ||
				r.Separator != tc.separator || r.Encoding != tc.encoding || r.HasNames != tc.hasNames {
				t.Errorf("rows %d, report %+v; want %d rows, %d rejected, %d mod11, %s, %s, names %v",
					len(imp.rows), r, tc.imported, tc.rejected, tc.mod11, tc.separator, tc.encoding, tc.hasNames)
			}
			for i, want := range tc.reasons {
				if i >= len(r.Rows) || !strings.Contains(r.Rows[i].Reason, want) {
					t.Errorf("rejected rows %+v: want reason %d to mention %q", r.Rows, i, want)
				}
			}
		})
	}
}

func TestParseWindows1252(t *testing.T) {
	data, err := charmap.Windows1252.NewEncoder().Bytes([]byte("e-mail;cpr;navn\nsoeren@example.dk;0708814318;Søren Ærbø\n"))
	if err != nil {
		t.Fatal(err)
	}
	imp, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if imp.Report.Encoding != "Windows-1252" || len(imp.rows) != 1 || imp.rows[0].name != "Søren Ærbø" {
		t.Errorf("encoding %q, rows %+v", imp.Report.Encoding, imp.rows)
	}
}

// Entries keep hashes and masks only, and merge repeated rows.
func TestEntries(t *testing.T) {
	imp, err := Parse([]byte("e-mail;cpr;navn\nAnna.Berg@Example.dk;070881-4318;Anna Berg\nanna.berg@example.dk;0708814318;Anna Berg\nbo@example.dk;0101901234;Bo Ø\n"))
	if err != nil {
		t.Fatal(err)
	}
	k := NewKeys(storetest.Hasher(t))
	now := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	entries := k.Entries(imp, now, now.Add(time.Hour))
	if len(entries) != 2 || imp.Report.Duplicates != 1 {
		t.Fatalf("%d entries, %d duplicates; want 2 and 1", len(entries), imp.Report.Duplicates)
	}
	e := entries[0]
	if e.EmailHash != k.Email("anna.berg@example.dk") || e.CPRHash != k.CPR("0708814318") ||
		e.EmailMasked != "a…g@example.dk" || e.NameMasked != "A. B." || e.CPRMasked != "xxxxxx-xxxx" {
		t.Errorf("entry %+v", e)
	}
	for _, v := range []string{"anna", "Berg", "0708814318", "070881"} {
		for _, f := range []string{e.EmailMasked, e.NameMasked, e.CPRMasked, e.Source} {
			if strings.Contains(f, v) {
				t.Errorf("a stored field holds %q: %q", v, f)
			}
		}
	}
}

func TestCheckCPR(t *testing.T) {
	for in, want := range map[string]string{
		"0101901234": "", "010190-1234": "", "010190 1234": "", "0101001234": "",
		"3102901234": "fødselsdato", "2902004000": "", "2902014000": "fødselsdato", "2902014000x": "10 cifre", "010190--1234": "10 cifre",
		"0113901234": "fødselsdato", "": "mangler", "29026x4000": "10 cifre",
	} {
		_, _, reason := checkCPR(in)
		if (want == "") != (reason == "") || !strings.Contains(reason, want) {
			t.Errorf("checkCPR(%q) = %q, want %q", in, reason, want)
		}
	}
	if _, ok, _ := checkCPR("0708814318"); !ok {
		t.Error("0708814318 should pass modulus 11")
	}
	if got := maskEmail("Jens.Hansen@Gmail.com"); got != "J…n@gmail.com" {
		t.Errorf("maskEmail = %q", got)
	}
	if got := CleanSource(`C:\Eksport\borger 010190-1234.csv`); strings.Contains(got, "1234") || !strings.HasPrefix(got, "borger ") {
		t.Errorf("cleanSource = %q", got)
	}
}
