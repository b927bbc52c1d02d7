package scan

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/audit"
	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/extract/formats"
	"github.com/sendevagt/sendevagt/internal/identity"
	"github.com/sendevagt/sendevagt/internal/message"
	"github.com/sendevagt/sendevagt/internal/policy"
)

// fakeDirectory is a citizen directory keyed by address (all synthetic).
type fakeDirectory struct {
	entries map[string][]DirectoryEntry
	err     error
	asked   []string
}

func (d *fakeDirectory) Lookup(_ context.Context, addrs []string) (map[string][]DirectoryEntry, error) {
	d.asked = append(d.asked, addrs...)
	if d.err != nil {
		return nil, d.err
	}
	out := map[string][]DirectoryEntry{}
	for _, a := range addrs {
		if e, ok := d.entries[a]; ok {
			out[a] = e
		}
	}
	return out, nil
}

func testHasher(t *testing.T) *audit.Hasher {
	t.Helper()
	h, err := audit.NewHasher([]byte(strings.Repeat("d", 32)))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func directoryScanner(t *testing.T, dir Directory, h *audit.Hasher) *Scanner {
	t.Helper()
	det, err := detect.New(detect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return New(formats.New(extract.Limits{}), det, identity.New(det, identity.Options{}), Options{Directory: dir, Hasher: h})
}

func mailTo(to message.Address, body string) *message.Message {
	return &message.Message{
		From:    message.Address{Name: "Jonas Fisker", Address: "jonas.fisker@aarhus.dk"},
		To:      []message.Address{to},
		Subject: "Oplysninger",
		Bodies:  []message.Body{{ContentType: "text/plain", Content: body}},
	}
}

func hasReason(v policy.Verdict, code string) bool {
	for _, r := range v.Reasons {
		if r.Code == code {
			return true
		}
	}
	return false
}

func TestDirectoryIdentity(t *testing.T) {
	h := testHasher(t)
	// A mother writes about her child: the child's CPR number is not hers (the directory knows
	// only the mother's), so the data is about a different citizen, with or without directory.
	child := "Hej\n\nHer er oplysningerne om Emil Jensen, CPR-nr. 120315-4321, som du bad om.\n\nMed venlig hilsen\nJonas Fisker\n"
	mother := message.Address{Name: "Anne Jensen", Address: "anne.jensen@gmail.com"}
	// A citizen whose display name differs from the name in the letter (a new surname) but whose
	// address the directory ties to the CPR number in the letter.
	own := "Hej\n\nVedr. Bente Sørensen, CPR-nr. 010190-1234: din sag er afsluttet.\n\nMed venlig hilsen\nJonas Fisker\n"
	bente := message.Address{Name: "Bente Holm", Address: "sol.og.hav77@hotmail.com"}
	// A letter to an address whose display name says nothing, naming its addressee without a
	// CPR number: the directory's name decides.
	letter := "Bente Sørensen\nVestergade 12\n8000 Aarhus C\n\nKære Bente Sørensen\n\nDin ansøgning om hjælp til medicin er modtaget. Vi har registreret din diagnose.\n\nMed venlig hilsen\nJonas Fisker\n"
	anon := message.Address{Address: "sol.og.hav77@hotmail.com"}

	tests := []struct {
		name      string
		dir       *fakeDirectory
		msg       *message.Message
		wantRel   identity.Relation
		wantBlock bool
	}{
		{"parent about child, no directory", nil, mailTo(mother, child), identity.Different, true},
		{"parent about child, parent in directory", &fakeDirectory{entries: map[string][]DirectoryEntry{
			"anne.jensen@gmail.com": {{CPRHash: HashCPR(h, "2208854321"), NameHash: HashName(h, "Anne Jensen")}},
		}}, mailTo(mother, child), identity.Different, true},
		{"new surname, no directory", nil, mailTo(bente, own), identity.Different, true},
		{"new surname, in directory", &fakeDirectory{entries: map[string][]DirectoryEntry{
			"sol.og.hav77@hotmail.com": {{CPRHash: HashCPR(h, "010190-1234"), NameHash: HashName(h, "Bente Holm")}},
		}}, mailTo(bente, own), identity.Same, false},
		{"directory failing is no directory", &fakeDirectory{err: errors.New("database down")}, mailTo(bente, own), identity.Different, true},
		{"name only, in directory", &fakeDirectory{entries: map[string][]DirectoryEntry{
			"sol.og.hav77@hotmail.com": {{CPRHash: HashCPR(h, "0101901234"), NameHash: HashName(h, "SØRENSEN, bente")}},
		}}, mailTo(anon, letter), identity.Same, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var dir Directory
			if tc.dir != nil {
				dir = tc.dir
			}
			res, err := directoryScanner(t, dir, h).Scan(context.Background(), tc.msg, policy.Default())
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Persons) == 0 {
				t.Fatal("no person found")
			}
			for _, p := range res.Persons {
				if p.Relations[0] != tc.wantRel {
					t.Errorf("person %s (%s): relation %s, want %s", p.NameMasked, p.Evidence, p.Relations[0], tc.wantRel)
				}
			}
			if got := hasReason(res.Verdict, policy.CodeDifferentCitizen); got != tc.wantBlock {
				t.Errorf("different_citizen = %v, want %v (verdict %+v)", got, tc.wantBlock, res.Verdict)
			}
			if tc.dir != nil && (len(tc.dir.asked) != 1 || tc.dir.asked[0] != strings.ToLower(tc.msg.To[0].Address)) {
				t.Errorf("directory asked for %v", tc.dir.asked)
			}
		})
	}
}

func TestNameKey(t *testing.T) {
	for in, want := range map[string]string{
		"Søren Ærbø Østergård":   "soeren aerboe oestergaard",
		"Østergård, Søren":       "soeren oestergaard",
		"  JENS  hansen-Møller ": "jens hansen moeller",
		"123":                    "",
	} {
		if got := NameKey(in); got != want {
			t.Errorf("NameKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// Recipients count as citizens for several_external_citizens when they write from a private mail
// provider or the citizen directory knows their address; a law firm does not count.
func TestSeveralCitizens(t *testing.T) {
	h := testHasher(t)
	body := "Kære begge\n\nSagen om jeres søn Emil, CPR-nr. 120315-4321, er nu afsluttet.\n\nMed venlig hilsen\nJonas Fisker\n"
	anne := message.Address{Name: "Anne Jensen", Address: "anne.jensen@gmail.com"}
	firm := message.Address{Name: "Advokat Mette Ravn", Address: "mr@ravn-advokater.dk"}
	peter := message.Address{Name: "Peter Jensen", Address: "pj@arbejdsplads-eksempel.dk"}
	tests := []struct {
		name string
		cc   message.Address
		dir  *fakeDirectory
		want bool
	}{
		{"a law firm in Cc", firm, nil, false},
		{"an address at a workplace, unknown", peter, nil, false},
		{"an address at a workplace, in the citizen directory", peter, &fakeDirectory{entries: map[string][]DirectoryEntry{
			"pj@arbejdsplads-eksempel.dk": {{CPRHash: HashCPR(h, "0101801234"), NameHash: HashName(h, "Peter Jensen")}},
		}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var dir Directory
			if tc.dir != nil {
				dir = tc.dir
			}
			msg := mailTo(anne, body)
			msg.Cc = []message.Address{tc.cc}
			res, err := directoryScanner(t, dir, h).Scan(context.Background(), msg, policy.Default())
			if err != nil {
				t.Fatal(err)
			}
			if got := hasReason(res.Verdict, policy.CodeSeveralCitizens); got != tc.want {
				t.Errorf("several_external_citizens = %v, want %v (citizens %v, verdict %+v)", got, tc.want, res.Citizens, res.Verdict)
			}
		})
	}
}
