package identity

import (
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/message"
)

// fakeLists knows a handful of synthetic names.
type fakeLists struct{}

var (
	firstNames = set("anne", "marie", "magnus", "sofie", "johan", "marcus", "lise", "lotte", "jonathan",
		"patrick", "silje", "ingrid", "aksel", "søren", "tine", "alberte", "jonas", "lærke", "felix", "victor", "bodil")
	surnames = set("bech", "olesen", "thøgersen", "møller", "markussen", "smith", "hansen", "koch", "fisker", "lauridsen", "danielsen", "juhl")
)

func set(xs ...string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

func (fakeLists) IsFirstName(w string) bool { return firstNames[strings.ToLower(w)] }
func (fakeLists) IsSurname(w string) bool   { return surnames[strings.ToLower(w)] }

func TestCompareName(t *testing.T) {
	tests := []struct {
		person string
		rcpt   message.Address
		want   Relation
	}{
		{"Magnus Bech", message.Address{Name: "Magnus Bech", Address: "m.bech@live.dk"}, Same},
		{"Magnus Bech", message.Address{Address: "m.bech@live.dk"}, Same},
		{"Sofie Olesen", message.Address{Address: "s.olesen92@gmail.com"}, Same},
		{"Anne Marie Thøgersen", message.Address{Address: "annemariethoegersen@hotmail.com"}, Same},
		{"Anne Thøgersen", message.Address{Name: "Anne Marie Thøgersen", Address: "x@y.dk"}, Same},
		{"Johan Müller", message.Address{Address: "johanmuller94@yahoo.dk"}, Same},
		{"Johan Møller", message.Address{Name: "Johan Møller", Address: "johan_moeller@gmail.com"}, Same},
		{"Marcus Dahl-Danielsen", message.Address{Address: "marcusdahldanielsen53@yahoo.dk"}, Same},
		{"Lise Lotte Lauridsen-Juhl", message.Address{Address: "lise.lotte_lauridsen-juhl@hotmail.com"}, Same},
		{"Søren Hansen", message.Address{Name: "Hansen, Søren", Address: "sh@x.dk"}, Same},
		{"Jonathan Markussen", message.Address{Address: "anne.kofoed@outlook.dk"}, Different},
		{"Silje Ibrahim", message.Address{Name: "Patrick Smith", Address: "p.smith@yahoo.dk"}, Different},
		{"Ingrid Christoffersen", message.Address{Name: "Aksel Bjerregaard", Address: "aksel.b@outlook.dk"}, Different},
		{"Felix", message.Address{Name: "Lærke Thorsen", Address: "laerke@live.dk"}, Unknown},
		{"Silje Ibrahim", message.Address{Name: "Frivilligcenter Aarhus", Address: "kontakt@frivillig.dk"}, Unknown},
		{"Silje Ibrahim", message.Address{Address: "info@firma.dk"}, Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.person+"/"+tt.rcpt.Address, func(t *testing.T) {
			rn := describeRecipient(tt.rcpt, fakeLists{})
			got := compareName(nameTokens(tt.person), rn)
			if got != tt.want {
				t.Errorf("compareName(%q, %+v) = %s, want %s", tt.person, tt.rcpt, got, tt.want)
			}
		})
	}
}

// doc builds a one-page document and findings for the given (kind, value) pairs, located in text.
func doc(t *testing.T, name, text string, finds ...detect.Finding) Document {
	t.Helper()
	d := Document{Name: name, Pages: []Page{{Number: 1, Text: text}}}
	from := map[string]int{}
	for _, f := range finds {
		i := strings.Index(text[from[f.Value]:], f.Value)
		if i < 0 {
			t.Fatalf("%q not in text", f.Value)
		}
		f.Start = from[f.Value] + i
		f.End = f.Start + len(f.Value)
		from[f.Value] = f.End
		f.Page, f.Document = 1, name
		if f.Masked == "" {
			f.Masked = maskName(f.Value)
		}
		f.Confidence = 0.9
		d.Findings = append(d.Findings, f)
	}
	return d
}

func cpr(v string) detect.Finding {
	return detect.Finding{Kind: detect.KindCPR, Value: v, Masked: v[:6] + "-xxxx"}
}
func name(v string) detect.Finding { return detect.Finding{Kind: detect.KindName, Value: v} }
func addr(v string) detect.Finding { return detect.Finding{Kind: detect.KindAddress, Value: v} }
func sens(v, cat string) detect.Finding {
	return detect.Finding{Kind: detect.KindSensitive, Value: v, Category: cat}
}

func TestAnalyze(t *testing.T) {
	staff := []message.Address{{Name: "Jonas Fisker", Address: "jonas.fisker@aarhus.dk"}}
	tests := []struct {
		name  string
		doc   func(t *testing.T) Document
		rcpt  message.Address
		want  map[Evidence]Relation // evidence → relation of the person built from it
		count int
	}{
		{
			name: "letter to the parent about the child: the addressee decides",
			doc: func(t *testing.T) Document {
				text := "Victor Jæger\nFællesvej 113\n8000 Aarhus C\n\nBarn: Victor Johannsen\nVictor Johannsen 140710-7433\n\nKære Victor Jæger\n\nUnderretning om Victor.\n\nJonas Fisker"
				return doc(t, "Brev.pdf", text, name("Victor Jæger"), addr("Fællesvej 113\n8000 Aarhus C"),
					name("Victor Johannsen"), name("Victor Johannsen"), cpr("140710-7433"), sens("Underretning", "social"), name("Jonas Fisker"))
			},
			rcpt:  message.Address{Name: "Victor Jæger", Address: "victor_jaeger@outlook.dk"},
			want:  map[Evidence]Relation{EvidenceAddressee: Same, EvidenceCPRName: Addressed},
			count: 2,
		},
		{
			name: "letter addressed to another citizen",
			doc: func(t *testing.T) Document {
				text := "Jonathan Markussen\nSkovsbyvej 77, st. th.\n8700 Horsens\n\nJonathan Markussen, født 150576-3323\n\nKære Jonathan Markussen\nDin sygdom."
				return doc(t, "Afgørelse.pdf", text, name("Jonathan Markussen"), addr("Skovsbyvej 77, st. th.\n8700 Horsens"),
					name("Jonathan Markussen"), cpr("150576-3323"), name("Jonathan Markussen"), sens("sygdom", "health"))
			},
			rcpt:  message.Address{Address: "anne.kofoed@outlook.dk"},
			want:  map[Evidence]Relation{EvidenceAddressee: Different, EvidenceCPRName: Different},
			count: 2,
		},
		{
			name: "first-name greeting does not make the mail about the recipient",
			doc: func(t *testing.T) Document {
				text := "Kære Patrick\n\nBorger: Silje Ibrahim, CPR-nr. 290778 3130\n\nHilsen\nJonas Fisker"
				return doc(t, "(mailtekst)", text, name("Silje Ibrahim"), cpr("290778 3130"), name("Jonas Fisker"))
			},
			rcpt:  message.Address{Name: "Patrick Smith", Address: "p.smith@yahoo.dk"},
			want:  map[Evidence]Relation{EvidenceCPRName: Different},
			count: 1,
		},
		{
			name: "full-name greeting: the child's CPR is the addressee's business",
			doc: func(t *testing.T) Document {
				text := "Kære Tine Koch\n\nAnsøgning om aflastning til Alberte Riis Koch (cpr: 220809-8260).\n"
				return doc(t, "(mailtekst)", text, name("Tine Koch"), name("Alberte Riis Koch"), cpr("220809-8260"))
			},
			rcpt:  message.Address{Name: "Tine Koch", Address: "tine.koch@gmail.com"},
			want:  map[Evidence]Relation{EvidenceCPRName: Addressed},
			count: 1,
		},
		{
			name: "a name beside a sensitive word is never clearly someone else",
			doc: func(t *testing.T) Document {
				text := "Hej Lærke\n\nBørne- og ungdomspsykiatrien har svaret på henvisningen af Felix Lassen.\n\nJonas Fisker\nSocialforvaltningen"
				return doc(t, "(mailtekst)", text, sens("ungdomspsykiatrien", "health"), name("Felix Lassen"), name("Jonas Fisker"), sens("Socialforvaltningen", "social"))
			},
			rcpt:  message.Address{Name: "Lærke Thorsen", Address: "laerke.thorsen@live.dk"},
			want:  map[Evidence]Relation{EvidenceNameSensitive: Unknown},
			count: 1,
		},
		{
			name: "CPR owner named in the signature below (a forwarded mail)",
			doc: func(t *testing.T) Document {
				text := "Fra: ingrid.c@live.dk\nTil: Jonas Fisker <jonas.fisker@aarhus.dk>\n\nHej\n\nMit cpr-nummer er 0807700200.\n\nLægeerklæringen er vedhæftet.\n\nMvh\nIngrid Christoffersen\nDamagervej 83\n4180 Sorø"
				return doc(t, "Henvendelse.eml", text, name("Jonas Fisker"), cpr("0807700200"), name("Ingrid Christoffersen"), addr("Damagervej 83\n4180 Sorø"))
			},
			rcpt:  message.Address{Name: "Aksel Bjerregaard", Address: "aksel.bjerregaard89@outlook.dk"},
			want:  map[Evidence]Relation{EvidenceCPRName: Different},
			count: 1,
		},
		{
			name: "CPR with no name near it is unknown",
			doc: func(t *testing.T) Document {
				return doc(t, "liste.txt", "0101901234\n", cpr("0101901234"))
			},
			rcpt:  message.Address{Name: "Patrick Smith", Address: "p.smith@yahoo.dk"},
			want:  map[Evidence]Relation{EvidenceCPR: Unknown},
			count: 1,
		},
	}
	a := New(fakeLists{}, Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			persons := a.Analyze([]Document{tt.doc(t)}, []message.Address{tt.rcpt}, staff)
			if len(persons) != tt.count {
				t.Fatalf("got %d persons, want %d: %+v", len(persons), tt.count, persons)
			}
			for _, p := range persons {
				want, ok := tt.want[p.Evidence]
				if !ok {
					t.Errorf("unexpected person from %s: %+v", p.Evidence, p)
					continue
				}
				if p.Relations[0] != want {
					t.Errorf("person from %s (%s): relation %s, want %s", p.Evidence, p.NameMasked, p.Relations[0], want)
				}
				if strings.Contains(p.NameMasked, "isk") {
					t.Errorf("staff name became a person: %+v", p)
				}
			}
		})
	}
}

func TestGreetingName(t *testing.T) {
	tests := map[string]string{
		"Kære Tine Koch":       "Tine Koch",
		"Kære Annika og Lise":  "",
		"Hej Lærke,":           "Lærke",
		"Kære borger":          "",
		"Til dig som forælder": "",
		"Vi har modtaget":      "",
	}
	for in, want := range tests {
		if got := greetingName(in); got != want {
			t.Errorf("greetingName(%q) = %q, want %q", in, got, want)
		}
	}
}
