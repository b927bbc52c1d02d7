package detect

import (
	"strings"
	"testing"
)

func TestAddresses(t *testing.T) {
	addrs := func(e *Engine, s string) []Finding { return e.Addresses(s) }
	runFindCases(t, addrs, []findCase{
		// true positives
		{name: "one line with floor and postcode", text: "Adresse: Søren Frichs Vej 24, 2. tv., 8000 Aarhus C\n",
			want: []string{"Søren Frichs Vej 24, 2. tv., 8000 Aarhus C"}, masked: []string{"Søren Frichs Vej xx, 8000"}},
		{name: "two lines", text: "Mvh\nIngrid Christoffersen\nDamagervej 83\n4180 Sorø\n",
			want: []string{"Damagervej 83 4180 Sorø"}, masked: []string{"Damagervej xx, 4180"}},
		{name: "two lines with floor", text: "Ammendrup Bygade 25C, 1. tv.\r\n9000 Aalborg", want: []string{"Ammendrup Bygade 25C, 1. tv. 9000 Aalborg"}},
		{name: "street starting with a date", text: "Hun bor på 10. Februar Vej 4, st. th.", want: []string{"10. Februar Vej 4, st. th."}},
		{name: "street with digit and dot", text: "2.Tværvej 3", want: []string{"2.Tværvej 3"}},
		{name: "floor st.", text: "Skartved Overgade 17, st. tv.", want: []string{"Skartved Overgade 17, st. tv."}},
		{name: "floor sal", text: "Gåsevej 39 3. sal", want: []string{"Gåsevej 39 3. sal"}},
		{name: "side mf", text: "Gåsevej 39, 3. mf., 8230 Åbyhøj", want: []string{"Gåsevej 39, 3. mf., 8230 Åbyhøj"}},
		{name: "floor only", text: "Gåsevej 39, 2.", want: []string{"Gåsevej 39, 2."}},
		{name: "city with two words", text: "Hannemanns Allé 18, 2100 København Ø", want: []string{"Hannemanns Allé 18, 2100 København Ø"}},
		{name: "street + number without postcode is medium", text: "Vi mødes på Damagervej 83 i morgen.", want: []string{"Damagervej 83"}, min: 0.6},
		{name: "street by shape with postcode", text: "H.C. Andersens Boulevard 27, 1553 København V",
			want: []string{"H.C. Andersens Boulevard 27, 1553 København V"}, min: 0.8},
		{name: "house letter", text: "Strammelse Møllevej 83C, 2. th., 8240 Risskov", want: []string{"Strammelse Møllevej 83C, 2. th., 8240 Risskov"}},
		{name: "in a letterhead", text: "Aarhus Kommune · Rådhuspladsen 2 · 8000 Aarhus C · Tlf. 89 40 20 00", want: []string{"Rådhuspladsen 2"}},
		{name: "after a label", text: "Leveringsadresse: Rådhuspladsen 2, 8000 Aarhus C", want: []string{"Rådhuspladsen 2, 8000 Aarhus C"}},
		// false positives
		{name: "postcode line alone", text: "8000 Aarhus C\n"},
		{name: "time", text: "Mødet er kl. 10.00 i lokale 3."},
		{name: "date", text: "den 15. april 2024"},
		{name: "phone", text: "Tlf. 89 40 20 00"},
		{name: "amount", text: "Beløbet er 12.500,00 kr."},
		{name: "lower-case word before a number", text: "mødelokale 3 og telefon 89"},
		{name: "street shape without number", text: "Vi bor på Damagervej."},
		{name: "street shape without postcode is low", text: "Zyblomvej 3 er fin."},
		{name: "street shape without postcode emitted below threshold", text: "Zyblomvej 3 er fin.", want: []string{"Zyblomvej 3"}, min: 0.4},
	})
}

func TestAddressNameOverlap(t *testing.T) {
	e := testEngine(t)
	text := "Kontoret ligger på H.C. Andersens Boulevard 27, 1553 København V.\nKontakt Jens Hansen."
	var kinds []Kind
	for _, f := range e.Detect(text) {
		kinds = append(kinds, f.Kind)
		if f.Kind == KindName && f.Value != "Jens Hansen" {
			t.Errorf("name inside street: %+v", f)
		}
	}
	if len(kinds) != 2 || kinds[0] != KindAddress || kinds[1] != KindName {
		t.Errorf("kinds %v", kinds)
	}
}

// A street in a CSV row starts after the field separator: the masked form never carries the
// fields before it (a name, a CPR number).
func TestAddressInCSVRow(t *testing.T) {
	e := testEngine(t)
	for _, row := range []string{
		"Jørn Mathiesen;1004034577;Gåsevej 12;8230 Åbyhøj",
		"Ove Schou,121174-3521,Nedersøparken 4\n",
		`"Betina Riis";"010486-2292";"Frøsangvej 7"`,
	} {
		fs := e.Addresses(row)
		if len(fs) != 1 {
			t.Errorf("%q: %d addresses", row, len(fs))
			continue
		}
		for _, bad := range []string{"Mathiesen", "Schou", "Riis", "1004034577", "121174", "010486"} {
			if strings.Contains(fs[0].Masked, bad) || strings.Contains(fs[0].Value, bad) {
				t.Errorf("%q: finding %q / %q carries %q", row, fs[0].Masked, fs[0].Value, bad)
			}
		}
	}
}
