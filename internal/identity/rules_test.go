package identity

import (
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sendevagt/sendevagt/internal/message"
)

// TestRuleExamples checks every structural rule against its own true and false examples in
// testdata/rules/<rule>/{tp,fp}.txt (one example a line, "#" comments): a rule carries its
// examples, and a new example is a new test.
func TestRuleExamples(t *testing.T) {
	a := New(engine(t), Options{})
	r := a.rules
	rules := map[string]func(string) bool{
		"greeting": func(s string) bool { _, ok := r.greetingNames(s); return ok },
		"closing":  r.isClosing,
		"name_like": func(s string) bool {
			return r.nameLike(s) && !r.isOrganisation(s)
		},
		"organisation":  r.isOrganisation,
		"postcode_line": r.postcodeLine,
		"quote_start": func(s string) bool {
			// "|" separates lines of one example; the rule is asked about the first.
			var lines []line
			for _, l := range strings.Split(s, "|") {
				q := strings.HasPrefix(l, "> ")
				lines = append(lines, line{text: strings.TrimPrefix(l, "> "), quoted: q})
			}
			return r.quoteStart(lines, 0)
		},
		"name_field": func(s string) bool { _, _, ok := a.fieldName(s); return ok },
		"private_mail": func(s string) bool {
			m, err := mail.ParseAddress(s)
			if err != nil {
				t.Fatalf("bad example %q: %v", s, err)
			}
			return a.IsCitizen(message.Address{Name: m.Name, Address: m.Address})
		},
		"page_marker": pageMarkerFirst,
	}
	dirs, err := os.ReadDir("testdata/rules")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != len(rules) {
		t.Errorf("%d example folders for %d rules", len(dirs), len(rules))
	}
	for _, d := range dirs {
		rule, ok := rules[d.Name()]
		if !ok {
			t.Errorf("examples for an unknown rule %q", d.Name())
			continue
		}
		for file, want := range map[string]bool{"tp.txt": true, "fp.txt": false} {
			data, err := os.ReadFile(filepath.Join("testdata/rules", d.Name(), file))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, ex := range strings.Split(string(data), "\n") {
				if ex = strings.TrimSpace(ex); ex == "" || strings.HasPrefix(ex, "#") {
					continue
				}
				n++
				if got := rule(ex); got != want {
					t.Errorf("%s: %q = %v, want %v", d.Name(), ex, got, want)
				}
			}
			if n == 0 {
				t.Errorf("%s/%s has no examples", d.Name(), file)
			}
		}
	}
}
