package identity

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/message"
)

// The people, addresses and numbers below are invented for these tests.

var (
	engOnce sync.Once
	eng     *detect.Engine
	engErr  error
)

func engine(t *testing.T) *detect.Engine {
	t.Helper()
	engOnce.Do(func() {
		eng, engErr = detect.New(detect.Options{Now: func() time.Time { return testNow }})
	})
	if engErr != nil {
		t.Fatal(engErr)
	}
	return eng
}

var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// analyze runs the real detectors over the pages of one document and the analysis.
func analyze(t *testing.T, name string, pages []string, rcpt message.Address) []Person {
	t.Helper()
	e := engine(t)
	d := Document{Name: name}
	for i, text := range pages {
		d.Pages = append(d.Pages, Page{Number: i + 1, Text: text})
		for _, f := range e.Detect(text) {
			if f.Confidence < detect.Threshold {
				continue
			}
			f.Document, f.Page = name, i+1
			d.Findings = append(d.Findings, f)
		}
	}
	a := New(e, Options{Now: func() time.Time { return testNow }})
	staff := []message.Address{{Name: "Bodil Kragh", Address: "bokr@kommune-eksempel.dk"}}
	return a.Analyze([]Document{d}, []message.Address{rcpt}, staff)
}

// verdict sums the persons up the way the policy does for one external recipient: "different"
// when any person with personal data is clearly someone else, "personal" when there is personal
// data otherwise, "none" without personal data.
func verdict(ps []Person) string {
	out := "none"
	for _, p := range ps {
		if !p.HasCPR && !p.Sensitive {
			continue
		}
		if p.Relations[0] == Different {
			return "different"
		}
		out = "personal"
	}
	return out
}

func dump(ps []Person) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("\n  " + string(p.Evidence) + " " + p.NameMasked + " " + p.CPRMasked + " link=" + p.Link)
		b.WriteString(" rel=" + string(p.Relations[0]) + " (" + p.RelationWhy[0] + ") why=" + strings.Join(p.Why, "; "))
	}
	return b.String()
}

func TestLetters(t *testing.T) {
	const sig = "\n\nMed venlig hilsen\n\nBodil Kragh\nSocialrådgiver\nTlf. 33 12 45 67"
	tests := []struct {
		class string
		pages []string
		rcpt  message.Address
		want  string
	}{
		{"own letter, window envelope",
			[]string{"Familieafdelingen\nTorvet 2\n6000 Kolding\n\nGülşen Aydın\nHavnegade 14, 2. tv.\n6000 Kolding\n\nAfgørelse om aflastning\n\nKære Gülşen Aydın\n\nDu får bevilget aflastning. Dit CPR-nr. 120388-4321 er registreret." + sig},
			message.Address{Name: "Gülşen Aydın", Address: "gulsen.aydin@gmail.com"}, "personal"},
		{"wrong citizen, name outside the lists",
			[]string{"Wiesław Kowalczyk\nStrandvejen 101\n8000 Aarhus C\n\nKære Wiesław Kowalczyk\n\nVi har modtaget lægeerklæringen om din sygdom. CPR-nr. 010278-1235" + sig},
			message.Address{Name: "Hanne Berg", Address: "hanne.berg@outlook.dk"}, "different"},
		{"wrong citizen, particle name",
			[]string{"Frederik von Schalburg\nKongevejen 3\n2800 Kongens Lyngby\n\nAfgørelse\n\nDu er bevilget hjemmehjælp efter din indlæggelse. CPR 150350-1117" + sig},
			message.Address{Name: "Ida Marie Holm", Address: "idaholm@hotmail.com"}, "different"},
		{"ALL CAPS addressee to the same person",
			[]string{"IDA DE LA COUR\nBirkevej 9\n4000 Roskilde\n\nKære Ida\n\nDin ansøgning om hjælp til medicin er bevilget. CPR-nr.: 030491-2228" + sig},
			message.Address{Name: "Ida de la Cour", Address: "ida.cour@live.dk"}, "personal"},
		{"Last, First display name",
			[]string{"Lars Vinther\nSøndergade 4\n7100 Vejle\n\nKære Lars Vinther\n\nDin diagnose er modtaget. CPR 220766-1539" + sig},
			message.Address{Name: "Vinther, Lars", Address: "lv@mail.dk"}, "personal"},
		{"title in the addressee line",
			[]string{"Dr. Lars Vinther\nSøndergade 4\n7100 Vejle\n\nDin diagnose er modtaget. CPR 220766-1539" + sig},
			message.Address{Name: "Lars Vinther", Address: "lars.vinther@gmail.com"}, "personal"},
		{"family name first",
			[]string{"Nguyen Van Minh\nVestergade 7\n5000 Odense C\n\nDin sag om sygedagpenge er afgjort. CPR: 110982-3347" + sig},
			message.Address{Name: "Minh Nguyen", Address: "minh.nguyen@yahoo.dk"}, "personal"},
		{"initials local part",
			[]string{"Mette Kjær Jensen\nNørregade 12\n9000 Aalborg\n\nDin diagnose. CPR 050575-2224" + sig},
			message.Address{Address: "mkj@mail.dk"}, "personal"},
		{"parent's letter about the child, first-name greeting",
			[]string{"Kære Lone\n\nHermed referat fra mødet om din søn. Oskar Bak, CPR 140715-4421, har fået diagnosen ADHD." + sig},
			message.Address{Name: "Lone Bak", Address: "lonebak@gmail.com"}, "personal"},
		{"parent's letter, child with another surname",
			[]string{"Lone Bak\nEgevej 3\n8600 Silkeborg\n\nKære Lone Bak\n\nDin datter Alma Friis, CPR 030316-4322, er visiteret til aflastning." + sig},
			message.Address{Name: "Lone Bak", Address: "lone.bak@live.dk"}, "personal"},
		{"colleague in the signature is not the owner",
			[]string{"Kære Lone\n\nDit barn har fået en plads i aflastning. CPR 140715-4421\n\nMed venlig hilsen\n\nJesper Mølgaard\nPædagog"},
			message.Address{Name: "Lone Bak", Address: "lonebak@gmail.com"}, "personal"},
		{"neighbour's CPR and depression in the recipient's letter",
			[]string{"Lone Bak\nEgevej 3\n8600 Silkeborg\n\nKære Lone Bak\n\nVi har modtaget en klage fra naboen Kurt Holm, CPR 120358-1231, der lider af depression." + sig},
			message.Address{Name: "Lone Bak", Address: "lone.bak@live.dk"}, "different"},
		{"bundle: misfiled letter about another citizen on page 2",
			[]string{"Lone Bak\nEgevej 3\n8600 Silkeborg\n\nKære Lone Bak\n\nHermed aktindsigt i din sag. CPR 030382-1234" + sig,
				"Side 1 af 1\n\nKurt Holm\nTorvegade 5\n8600 Silkeborg\n\nKære Kurt Holm\n\nDin sag om sygedagpenge. CPR 120358-1231" + sig},
			message.Address{Name: "Lone Bak", Address: "lone.bak@live.dk"}, "different"},
		{"addressee block after the body in the text",
			[]string{"Afgørelse\n\nDu er bevilget støtte efter din indlæggelse. CPR-nr. 010278-1235" + sig + "\n\nGülşen Aydın\nHavnegade 14\n6000 Kolding"},
			message.Address{Name: "Gülşen Aydın", Address: "gulsen.aydin@gmail.com"}, "personal"},
		{"quoted internal mail about another family's child",
			[]string{"Hej Lone\n\nSe nedenfor.\n\n-----Oprindelig meddelelse-----\nFra: Bodil Kragh\nSendt: 3. marts 2026\nTil: Jens Ravn\nEmne: Akut\n\nEmil Sørensen er anbragt akut efter underretningen."},
			message.Address{Name: "Lone Bak", Address: "lonebak@gmail.com"}, "different"},
		{"a name after \"med\" (with) is no professional",
			[]string{"Kære Palle\n\nJeg har talt med Søren Bentsen, og han starter i behandling for sit misbrug på mandag." + sig},
			message.Address{Name: "Palle Bentsen", Address: "palle.bentsen@gmail.com"}, "personal"},
		{"look-alike numbers only",
			[]string{"Hej Lone\n\nDin bookingnr. 1503921187 og ISBN 1402894627 er noteret. Ring på 86 12 34 56."},
			message.Address{Name: "Lone Bak", Address: "lonebak@gmail.com"}, "none"},
		{"name field outside the lists",
			[]string{"Journalnotat\n\nNavn: Wiesław Kowalczyk\nCPR: 010278-1235\n\nBorgeren er indlagt."},
			message.Address{Name: "Hanne Berg", Address: "hanne.berg@outlook.dk"}, "different"},
		{"table row, two numbers side by side",
			[]string{"Anna Friis\nEgevej 3\n8600 Silkeborg\n\nKære Anna Friis\n\nForælder og barn:\t030382-1234 030316-4322\n\nBarnet er visiteret til aflastning." + sig},
			message.Address{Name: "Anna Friis", Address: "anna.friis@live.dk"}, "personal"},
	}
	for _, tt := range tests {
		t.Run(tt.class, func(t *testing.T) {
			ps := analyze(t, "Brev.pdf", tt.pages, tt.rcpt)
			if got := verdict(ps); got != tt.want {
				t.Errorf("got %s, want %s; persons:%s", got, tt.want, dump(ps))
			}
			for _, p := range ps {
				for _, w := range append(append([]string{}, p.Why...), p.RelationWhy...) {
					if p.CPR != "" && strings.Contains(w, p.CPR[6:]) || p.Name != "" && strings.Contains(w, p.Name) {
						t.Errorf("explanation %q holds a value", w)
					}
				}
			}
		})
	}
}

func TestCompareName(t *testing.T) {
	r, err := loadRules()
	if err != nil {
		t.Fatal(err)
	}
	e := engine(t)
	tests := []struct {
		person string
		rcpt   message.Address
		want   Relation
	}{
		{"Wiesław Kowalczyk", message.Address{Name: "Wieslaw Kowalczyk", Address: "w.k@gmail.com"}, Same},
		{"Gülşen Aydın", message.Address{Address: "gulsen.aydin@hotmail.com"}, Same},
		{"Frederik von Schalburg", message.Address{Name: "Frederik Schalburg", Address: "x@y.dk"}, Same},
		{"Nguyen Van Minh", message.Address{Name: "Minh Nguyen", Address: "x@y.dk"}, Same},
		{"Vinther, Lars", message.Address{Name: "Lars Vinther", Address: "x@y.dk"}, Same},
		{"Dr. Lars Vinther", message.Address{Name: "Vinther, Lars", Address: "x@y.dk"}, Same},
		{"Mette Kjær Jensen", message.Address{Address: "mkj@mail.dk"}, Same},
		{"Søren Ødegård", message.Address{Address: "soeren.oedegaard@live.dk"}, Same},
		{"Søren Ødegård", message.Address{Address: "soren.odegard@live.dk"}, Same},
		{"Jürgen Groß", message.Address{Address: "juergen.gross@gmail.com"}, Same},
		{"Omar al-Hassan", message.Address{Name: "Omar Hassan", Address: "x@y.dk"}, Same},
		{"Kurt Holm", message.Address{Name: "Lone Bak", Address: "x@y.dk"}, Different},
		{"Kurt Holm", message.Address{Address: "lone.bak@gmail.com"}, Different},
		{"Kurt Holm", message.Address{Address: "mkj@mail.dk"}, Different},
		{"Kurt", message.Address{Name: "Lone Bak", Address: "x@y.dk"}, Unknown},
		{"Kurt Holm", message.Address{Name: "Advokatfirmaet Ret ApS", Address: "post@ret.dk"}, Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.person+"/"+tt.rcpt.Address, func(t *testing.T) {
			got, why := compareName(r.parseName(tt.person), describeRecipient(tt.rcpt, e, r))
			if got != tt.want {
				t.Errorf("compareName(%q, %+v) = %s (%s), want %s", tt.person, tt.rcpt, got, why, tt.want)
			}
		})
	}
}

func TestIsCitizen(t *testing.T) {
	a := New(engine(t), Options{})
	tests := []struct {
		addr message.Address
		want bool
	}{
		{message.Address{Name: "Lone Bak", Address: "lone.bak@gmail.com"}, true},
		{message.Address{Address: "kurt1958@hotmail.dk"}, true},
		{message.Address{Address: "anna@friis-familien.dk", Name: "Anna Friis"}, true},
		{message.Address{Name: "Jens Ravn", Address: "jr@advokathuset-ravn.dk"}, false},
		{message.Address{Name: "Kontakt", Address: "post@randers.dk"}, false},
		{message.Address{Name: "Mette Holm", Address: "mette.holm@firma.dk"}, false},
	}
	for _, tt := range tests {
		if got := a.IsCitizen(tt.addr); got != tt.want {
			t.Errorf("IsCitizen(%v) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Wiesław": "wieslaw", "Gülşen Aydın": "guelsen aydin", "Groß": "gross", "Ødegård": "oedegaard",
		"Çelik": "celik", "Erdoğan": "erdogan", "Kőrösi": "koroesi", "Ærø": "aeroe", "Đorđević": "dordevic",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

// The CPR number in a letter's head is the addressee's: one person, not two (bulk_persons counts
// persons).
func TestHeadCPRIsTheAddressee(t *testing.T) {
	text := "Gülşen Aydın\nHavnegade 14, 2. tv.\n6000 Kolding\n\nCPR-nr.: 120388-4321\n\nKære Gülşen Aydın\n\nDu får bevilget aflastning på grund af din sygdom.\n\nMed venlig hilsen\n\nBodil Kragh"
	ps := analyze(t, "Brev.pdf", []string{text}, message.Address{Name: "Hanne Berg", Address: "hanne.berg@outlook.dk"})
	if len(ps) != 1 || ps[0].CPR == "" || ps[0].Evidence != EvidenceAddressee || ps[0].Relations[0] != Different {
		t.Fatalf("want one person, the addressee with the CPR number, someone else than the recipient:%s", dump(ps))
	}
}

// lastFields and firstFields agree with strings.Fields on the words they return.
func TestBoundedFields(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"Anne", "Skou", "Bech", " ", "  ", "\t", "\u00a0", "CPR-nr.:", "født", "Ærø", "010190-1234", "\u2003", "\v", "\f", "\r", "\n", "\u0085", "\x1c", "\xff"}
	for range 2000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := b.String()
		all := strings.Fields(s)
		for n := range 5 {
			want := all[max(0, len(all)-n):]
			if got := lastFields(nil, s, n); !slices.Equal(got, want) {
				t.Fatalf("lastFields(%q, %d) = %q, want %q", s, n, got, want)
			}
			// appended after what the slice holds, which stays in place
			if got := lastFields([]string{"før"}, s, n); !slices.Equal(got, append([]string{"før"}, want...)) {
				t.Fatalf("lastFields(før, %q, %d) = %q", s, n, got)
			}
			want = all[:min(n, len(all))]
			if got := firstFields(nil, s, n); !slices.Equal(got, want) {
				t.Fatalf("firstFields(%q, %d) = %q, want %q", s, n, got, want)
			}
		}
	}
}

func TestFindingsByPage(t *testing.T) {
	f := func(page, start int) detect.Finding { return detect.Finding{Page: page, Start: start} }
	pageIdx := map[int]int{1: 0, 2: 1, 3: 2}
	tests := []struct {
		name    string
		in      []detect.Finding
		want    [][]int // starts per page
		inPlace bool    // page lists read from the input, not copied
	}{
		{"page by page", []detect.Finding{f(1, 0), f(1, 5), f(2, 1), f(3, 2), f(3, 9)}, [][]int{{0, 5}, {1}, {2, 9}}, true},
		{"a page without findings", []detect.Finding{f(1, 0), f(3, 4)}, [][]int{{0}, nil, {4}}, true},
		{"pages interleaved", []detect.Finding{f(2, 1), f(1, 0), f(2, 3), f(1, 7)}, [][]int{{0, 7}, {1, 3}, nil}, false},
		{"a page the document lacks", []detect.Finding{f(1, 0), f(9, 1), f(1, 2)}, [][]int{{0, 2}, nil, nil}, false},
		{"a page out of text order", []detect.Finding{f(1, 5), f(1, 0)}, [][]int{{0, 5}, nil, nil}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := slices.Clone(tt.in)
			got := findingsByPage(tt.in, pageIdx, 3)
			if !reflect.DeepEqual(tt.in, before) {
				t.Errorf("the caller's findings changed: %v, were %v", tt.in, before)
			}
			for pi, list := range got {
				var starts []int
				for _, x := range list {
					starts = append(starts, x.Start)
				}
				if !slices.Equal(starts, tt.want[pi]) {
					t.Errorf("page %d: starts %v, want %v", pi, starts, tt.want[pi])
				}
				if len(list) > 0 && tt.inPlace != (&list[0] == &tt.in[slices.IndexFunc(tt.in, func(x detect.Finding) bool { return x.Start == list[0].Start })]) {
					t.Errorf("page %d: read in place = %v, want %v", pi, !tt.inPlace, tt.inPlace)
				}
				if cap(list) != len(list) {
					t.Errorf("page %d: cap %d beyond len %d (an append would write into the next page)", pi, cap(list), len(list))
				}
			}
		})
	}
}

// TestLinesOf: the line of each finding found by walking the lines is lineOf's, for findings in
// text order and out of it, at line ends, in a quoted line's "> " prefix and past the text.
func TestLinesOf(t *testing.T) {
	pl := newPageLayout(Page{Number: 1, Text: "første linje\n> citeret linje\n\nsidste linje uden ny linje"})
	tests := []struct {
		name   string
		starts []int
	}{
		{"in order", []int{0, 5, 12, 13, 14, 15, 28, 29, 30, 35, 60}},
		{"out of order", []int{35, 2, 14, 14, 60, 0, 29}},
		{"none", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := make([]detect.Finding, len(tt.starts))
			want := make([]int, len(tt.starts))
			for i, s := range tt.starts {
				fs[i].Start = s
				want[i] = pl.lineOf(s)
			}
			if got := pl.linesOf(fs); !slices.Equal(got, want) {
				t.Errorf("linesOf(%v) = %v, lineOf gives %v", tt.starts, got, want)
			}
		})
	}
}

// TestCellStart: the last cell separator found in one backward pass is where the per-separator
// search finds it, on table rows, labels and random strings of separator bytes.
func TestCellStart(t *testing.T) {
	bySeparator := func(t string) int {
		start := 0
		for _, sep := range []string{"\t", " | ", "|", ";", "  "} {
			if i := strings.LastIndex(t, sep); i >= 0 && i+len(sep) > start {
				start = i + len(sep)
			}
		}
		return start
	}
	cases := []string{"", "Navn", "a | b", "a |b", "a| b", "x;y", "a  b", "a\tb | c", "a |  b", " | ", "|", "a | b;c  d\te"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = " |;\tab"[r.IntN(6)]
		}
		cases = append(cases, string(b))
	}
	for _, c := range cases {
		if got, want := cellStart(c), bySeparator(c); got != want {
			t.Errorf("cellStart(%q) = %d, want %d", c, got, want)
		}
	}
}

// TestWordLikeASCII: the ASCII path answers as the rune-by-rune rule does, or leaves the word to it.
func TestWordLikeASCII(t *testing.T) {
	cases := []string{"Hansen", "Hans-Erik", "Hans--Erik", "Hans-", "O'Brien", "Søren", "ÅSE", "Abc1", "A", "Ab.c", "Ab'-c", "Ab-Ø"}
	r := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		b := make([]byte, 1+r.IntN(8))
		for i := range b {
			const alphabet = "AZaz-'.1 \xc3\xb8"
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		cases = append(cases, string(b))
	}
	for _, w := range cases {
		like, ok := wordLikeASCII(w)
		if ok && like != wordLikeRunes(w) {
			t.Errorf("wordLikeASCII(%q) = %v, the rune rule says %v", w, like, wordLikeRunes(w))
		}
		if ok && (w[0] < 'A' || w[0] > 'Z') {
			t.Errorf("wordLikeASCII(%q) answered for a word that does not start with an ASCII capital", w)
		}
	}
}

// TestAllCaps: words without a lower-case letter, ASCII or not.
func TestAllCaps(t *testing.T) {
	for w, want := range map[string]bool{"": true, "CPR": true, "CPR-NR.": true, "ÆBLE": true, "ÆBLe": false, "Æble": false,
		"Hansen": false, "HANSEN": true, "SØREN": true, "SØREn": false, "ßA": false, "123": true, "A1b": false} {
		if got := allCaps(w); got != want {
			t.Errorf("allCaps(%q) = %v, want %v", w, got, want)
		}
	}
}

// TestLineRuns: a document's repeated lines give the runs nameRuns gives them, and a document
// whose lines do not repeat stops looking them up after its trial.
func TestLineRuns(t *testing.T) {
	a := New(engine(t), Options{Now: func() time.Time { return testNow }})
	template := []string{
		"Vi har i dag talt med Karen Marie Holm om sagen, og hun er enig i planen for forløbet.",
		"Sagen er behandlet efter reglerne i forvaltningsloven, og du kan klage over afgørelsen.",
	}
	repeating := lineRuns{a: a}
	for i := range 5000 {
		line := template[i%2]
		if i%3 == 0 {
			line = fmt.Sprintf("%d. Modtager: Per Nielsen, Skovvej %d, der har fået brev nr. %d om sagen.", i, i, i)
		}
		if got, want := repeating.of(line), a.nameRuns(line); !reflect.DeepEqual(got, want) {
			t.Fatalf("runs of %q = %v, nameRuns gives %v", line, got, want)
		}
	}
	if repeating.off || repeating.hits == 0 {
		t.Errorf("a document of repeated lines: off %v after %d hits", repeating.off, repeating.hits)
	}
	unique := lineRuns{a: a}
	for i := range 5000 {
		line := fmt.Sprintf("%d. %s", i, template[i%2])
		if got, want := unique.of(line), a.nameRuns(line); !reflect.DeepEqual(got, want) {
			t.Fatalf("runs of %q = %v, nameRuns gives %v", line, got, want)
		}
	}
	if !unique.off || unique.seen != nil {
		t.Errorf("a document without repeated lines still looks them up (%d lookups)", unique.looked)
	}
}

// TestNameLikeWithoutAllocating: what nameLike now does without a string per word is what it did
// with one: appendLower writes strings.ToLower's lower case (invalid bytes included), and
// particlePrefixed answers as hasParticlePrefix; the rule's own examples (TestRuleExamples)
// cover the rest.
func TestNameLikeWithoutAllocating(t *testing.T) {
	r := New(engine(t), Options{}).rules
	pieces := []string{"Karen", "HOLM", "Bech-Olsen", "de", "von", "al-Hassan", "d'Almeida", "el-", "K.", "Dr.", "Ærø", "ÅSE",
		"İpek", "Straße", "Ⱥ", "K", "\xff", "’", "-", "'", "x"}
	rng := rand.New(rand.NewPCG(9, 10))
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(4) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		w := b.String()
		lw := appendLower(nil, w)
		if string(lw) != strings.ToLower(w) {
			t.Fatalf("appendLower(%q) = %q, strings.ToLower gives %q", w, lw, strings.ToLower(w))
		}
		if got, want := r.particlePrefixed(lw), hasParticlePrefix(string(lw), r); got != want {
			t.Fatalf("particlePrefixed(%q) = %v, hasParticlePrefix gives %v", lw, got, want)
		}
	}
}
