package testgen

import (
	"bytes"
	"encoding/json"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestMessagesDeterministic(t *testing.T) {
	a := Messages(2, 11)
	b := Messages(2, 11)
	if len(a) != len(b) || len(a) != 2*len(Classes()) {
		t.Fatalf("%d and %d messages, want %d", len(a), len(b), 2*len(Classes()))
	}
	for i := range a {
		if !bytes.Equal(a[i].EML, b[i].EML) {
			t.Fatalf("message %s differs between runs with the same seed", a[i].Name)
		}
	}
	c := Messages(2, 12)
	if bytes.Equal(a[0].EML, c[0].EML) {
		t.Error("another seed gives the same first message")
	}
}

var cprLike = regexp.MustCompile(`\b(\d{6})[- ]?(\d{4})\b`)

// Every class is produced, every message parses, and its label agrees with the text written:
// each labelled CPR number occurs, and every other number that looks like one is a known
// look-alike.
func TestMessagesLabels(t *testing.T) {
	msgs := Messages(3, 5)
	perClass := map[string]int{}
	actions := map[string]string{}
	for _, m := range msgs {
		perClass[m.Label.Class]++
		if prev, ok := actions[m.Label.Class]; ok && prev != m.Label.Action {
			t.Errorf("class %s has actions %s and %s", m.Label.Class, prev, m.Label.Action)
		}
		actions[m.Label.Class] = m.Label.Action
		if strings.Contains(m.Text, "%!") {
			t.Errorf("%s: a formatting error in the text", m.Name)
		}
		if m.Label.Why == "" {
			t.Errorf("%s: no why", m.Name)
		}
		parsed, err := mail.ReadMessage(bytes.NewReader(m.EML))
		if err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		if !strings.HasSuffix(parsed.Header.Get("From"), "@"+SenderDomain+">") {
			t.Errorf("%s: sender %q", m.Name, parsed.Header.Get("From"))
		}
		if !slices.IsSorted(m.Label.CPRs) {
			t.Errorf("%s: CPRs not sorted", m.Name)
		}
		for _, c := range m.Label.CPRs {
			if !strings.Contains(m.Text, c[:6]+"-"+c[6:]) && !strings.Contains(m.Text, c) && !strings.Contains(m.Text, c[:6]+" "+c[6:]) {
				t.Errorf("%s: labelled CPR %s-xxxx not in the text", m.Name, c[:6])
			}
		}
		for _, sm := range cprLike.FindAllStringSubmatch(m.Text, -1) {
			d := sm[1] + sm[2]
			if !slices.Contains(m.Label.CPRs, d) && !slices.Contains(m.Lookalikes, d) {
				t.Errorf("%s: number %q is neither a labelled CPR nor a known look-alike", m.Name, sm[0])
			}
		}
		for _, l := range m.Lookalikes {
			if slices.Contains(m.Label.CPRs, l) {
				t.Errorf("%s: look-alike %s labelled as a CPR", m.Name, l)
			}
		}
	}
	for _, c := range Classes() {
		if perClass[c] != 3 {
			t.Errorf("class %s: %d messages, want 3", c, perClass[c])
		}
	}
	want := map[string]string{ClassOwnSecure: "allow", ClassLookalike: "allow", ClassWrongCitizen: "block",
		ClassOwnPlain: "secure", ClassParentChildRow: "secure", ClassCitizenList: "block"}
	for c, a := range want {
		if actions[c] != a {
			t.Errorf("class %s: action %s, want %s", c, actions[c], a)
		}
	}
}

// The parent-and-child row carries both CPR numbers in the label.
func TestParentChildRowLabelsBoth(t *testing.T) {
	for _, m := range Messages(4, 9) {
		if m.Label.Class == ClassParentChildRow && len(m.Label.CPRs) != 2 {
			t.Errorf("%s: %d CPRs labelled, want 2", m.Name, len(m.Label.CPRs))
		}
		if (m.Label.Class == ClassCitizenList || m.Label.Class == ClassLookalike) && len(m.Label.CPRs) != 0 {
			t.Errorf("%s: CPRs labelled in a message without any", m.Name)
		}
	}
}

// The name source reaches beyond Danish names and folds them to mail-address form.
func TestPeopleNames(t *testing.T) {
	if got := ascii("Łęcki-Ågård"); got != "lecki-aagaard" {
		t.Errorf("ascii = %q", got)
	}
	g := newPeople(newRand(3))
	vn := g.adult("vn")
	if !vn.FamilyFirst || !strings.HasPrefix(vn.FullName(), vn.Family+" ") || !strings.HasPrefix(vn.DisplayName(), vn.Given+" ") {
		t.Errorf("family-name-first person: %q / %q", vn.FullName(), vn.DisplayName())
	}
	seen := map[string]bool{}
	for i := 0; i < 400; i++ {
		p := g.adult("")
		seen[p.Origin] = true
		d := p.CPRDigits()
		if len(d) != 10 || p.Birth.Format("020106") != d[:6] {
			t.Fatalf("CPR %s for birth %v", p.CPR, p.Birth)
		}
		c := g.child(p, i%2 == 0)
		if (c.Family == p.Family) != (i%2 == 0) {
			t.Errorf("child %q of %q", c.FullName(), p.FullName())
		}
		if d := c.CPRDigits(); d[6] < '4' {
			t.Errorf("child born %d with 7th digit %c", c.Birth.Year(), d[6])
		}
	}
	for _, o := range []string{"dk", "pl", "tr", "vn", "ar", "de", "fr", "fo", "gl"} {
		if !seen[o] {
			t.Errorf("no person of origin %s", o)
		}
	}
}

func TestWriteSet(t *testing.T) {
	dir := t.TempDir()
	msgs := Messages(1, 4)
	if err := WriteSet(dir, msgs); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "cases.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != len(msgs) {
		t.Fatalf("%d label lines for %d messages", len(lines), len(msgs))
	}
	var first struct {
		File, Action, Scenario string
		CPRs                   []string
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	eml, err := os.ReadFile(filepath.Join(dir, first.File))
	if err != nil || !bytes.Equal(eml, msgs[0].EML) || first.Scenario != msgs[0].Label.Class {
		t.Errorf("first case %+v does not match the first message (%v)", first, err)
	}
}

func TestRenderers(t *testing.T) {
	p := newPeople(newRand(1)).adult("pl")
	l := Letter{Letterhead: []string{"Eksempel Kommune", "Jobcenter"}, Addressee: p.AddressLines(),
		Info: []string{"Dato: 1. marts 2026"}, Title: "Brev", Greeting: "Kære " + p.Given,
		Paras: []string{"Vedr.: " + p.FullName() + ", CPR-nr. " + p.CPR}, Closing: []string{"Med venlig hilsen", "", "A. B."}}
	for _, lay := range []Layout{{}, {BlockRight: true, BlockAfterBody: true, Glyphs: 1, InfoBeside: true, Footer: true}, RandomLayout(7)} {
		a, text, err := RenderPDF([]Letter{l, l}, lay, 3)
		if err != nil {
			t.Fatal(err)
		}
		b, _, _ := RenderPDF([]Letter{l, l}, lay, 3)
		if !bytes.Equal(a, b) || !bytes.HasPrefix(a, []byte("%PDF-")) {
			t.Errorf("layout %+v: not a deterministic PDF", lay)
		}
		if !strings.Contains(text, p.CPR) || !strings.Contains(text, p.FullName()) {
			t.Errorf("layout %+v: text lacks the name or CPR", lay)
		}
	}
	doc, text := RenderDOCX([]Letter{l, l}, DOCXStyle{BlockTable: true}, 3)
	if !bytes.HasPrefix(doc, []byte("PK")) || strings.Count(text, p.CPR) != 2 {
		t.Errorf("DOCX: %d bytes, %d CPR numbers in the text", len(doc), strings.Count(text, p.CPR))
	}
}
