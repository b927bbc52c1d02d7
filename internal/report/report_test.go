package report

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"

	"github.com/sendevagt/sendevagt/internal/detect"
	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/identity"
	"github.com/sendevagt/sendevagt/internal/policy"
	"github.com/sendevagt/sendevagt/internal/scan"
)

// A synthetic citizen: Maja Lund, 0708814318 (no real person).
func result() *scan.Result {
	return &scan.Result{
		Verdict: policy.Verdict{Action: policy.Secure, Reasons: []policy.Reason{
			{Code: policy.CodePersonalPlain, Action: policy.Secure, Message: "Personoplysninger", Documents: []string{"brev.pdf"}},
			{Code: policy.CodeScanFailed, Action: policy.Warn, Message: "x"}, // no documents
		}},
		Documents: []extract.Document{
			{Name: "brev.pdf", Type: "pdf", Status: extract.Scanned, Pages: []extract.Page{
				{Number: 1, Text: "Kære Maja Lund\n\nCPR 070881-4318, side 1."}, {Number: 2, Text: "Med venlig hilsen"}}},
			{Name: "bilag.zip", Type: "zip", Status: extract.Encrypted, Detail: "encrypted entry"},
		},
		Findings: []detect.Finding{
			{Kind: detect.KindCPR, Document: "brev.pdf", Page: 1, Value: "0708814318", Masked: "070881-xxxx", Confidence: 0.876, Why: []string{"mod11"}},
			{Kind: detect.KindName, Document: "brev.pdf", Page: 1, Value: "Maja Lund", Masked: "M. L.", Confidence: 0.9},
		},
		Persons: []identity.Person{{Document: "brev.pdf", Page: 1, Name: "Maja Lund", NameMasked: "M. L.", CPR: "0708814318",
			CPRMasked: "070881-xxxx", Evidence: identity.EvidenceCPRName, HasCPR: true,
			Relations: []identity.Relation{identity.Same, identity.Unknown}, RelationWhy: []string{"name of recipient"}}},
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name       string
		showValues bool
		want       []string // in the JSON
		never      []string // never in the JSON
	}{
		{"masked", false,
			[]string{`"action":"secure"`, `"masked":"070881-xxxx"`, `"identifier":"M. L., 070881-xxxx"`, `"confidence":0.88`,
				`"documents":[]`, `"pages":2`, `"words":11`, `"status":"encrypted"`, `"detail":"encrypted entry"`,
				`"relation":"same"`, `"recipient":1`, `"why":""`},
			[]string{"0708814318", "4318", "Maja", "Lund", `"value"`}},
		{"with values", true,
			[]string{`"value":"0708814318"`, `"value":"Maja Lund"`, `"masked":"070881-xxxx"`},
			nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(New(result(), tc.showValues))
			if err != nil {
				t.Fatal(err)
			}
			s := string(b)
			for _, w := range tc.want {
				if !strings.Contains(s, w) {
					t.Errorf("report lacks %s:\n%s", w, s)
				}
			}
			for _, n := range tc.never {
				if strings.Contains(s, n) {
					t.Errorf("report holds %q:\n%s", n, s)
				}
			}
		})
	}
}

// An empty scan is a report with empty lists, never null.
func TestNewEmpty(t *testing.T) {
	b, err := json.Marshal(New(&scan.Result{Verdict: policy.Verdict{Action: policy.Allow}}, false))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"action":"allow","reasons":[],"documents":[],"findings":[],"persons":[]}`; string(b) != want {
		t.Errorf("empty report %s, want %s", b, want)
	}
}

// countWords agrees with a count by unicode.IsLetter/IsDigit on every rune.
func TestCountWords(t *testing.T) {
	for _, s := range []string{"", "Søren Ærbø bor på Åvej 3", "a×b÷c", "naïve café 12,5 kr.", "日本語 テキスト", "\xc3", "a\xc3(b", "ªº µ"} {
		want, in := 0, false
		for _, r := range s {
			w := unicode.IsLetter(r) || unicode.IsDigit(r)
			if w && !in {
				want++
			}
			in = w
		}
		if got := countWords([]extract.Page{{Text: s}}); got != want {
			t.Errorf("countWords(%q) = %d, want %d", s, got, want)
		}
	}
}

func BenchmarkCountWords(b *testing.B) {
	text := strings.Repeat("Borgeren Søren Ærbø, Åvej 3, 8000 Aarhus C, CPR-nr. 010190-1234, har fået bevilget hjælp.\n", 20000)
	pages := []extract.Page{{Text: text}}
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		countWords(pages)
	}
}
