// Package report is the one masked form of a scan's outcome: the verdict with its reasons, the
// documents and their statuses, every finding with its masked form and the explanation of its
// score, and every person the data is about with the evidence and the relation to each
// recipient. The command line's JSON and the test console serialise it; it never holds a full
// CPR number or a name unless the caller asks for values (the CLI's --show-values).
package report

import (
	"unicode"
	"unicode/utf8"

	"github.com/sendevagt/sendevagt/internal/extract"
	"github.com/sendevagt/sendevagt/internal/policy"
	"github.com/sendevagt/sendevagt/internal/scan"
)

// Report is the masked outcome of one scan.
type Report struct {
	Action    policy.Action `json:"action"`
	Reasons   []Reason      `json:"reasons"`
	Documents []Document    `json:"documents"`
	Findings  []Finding     `json:"findings"`
	Persons   []Person      `json:"persons"`
}

// Reason is one reason of the verdict.
type Reason struct {
	Code      string   `json:"code"`
	Message   string   `json:"message"`
	Documents []string `json:"documents"`
}

// Document is one document and what could be read of it.
type Document struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Status string `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Pages and Words count what was read (pages with text, words in them): how much of the
	// document the scan saw, never what it said.
	Pages int `json:"pages"`
	Words int `json:"words"`
}

// Finding is one detected value; Value only with values shown.
type Finding struct {
	Kind       string   `json:"kind"`
	Document   string   `json:"document"`
	Page       int      `json:"page"`
	Masked     string   `json:"masked"`
	Value      string   `json:"value,omitempty"`
	Confidence float64  `json:"confidence"`
	Category   string   `json:"category,omitempty"`
	Why        []string `json:"why,omitempty"`
}

// Person is someone the data is about: masked identifier, the evidence, and per recipient the
// relation with its reason.
type Person struct {
	Document   string     `json:"document"`
	Page       int        `json:"page"`
	Identifier string     `json:"identifier"`
	Evidence   string     `json:"evidence"`
	Link       string     `json:"link,omitempty"`
	HasCPR     bool       `json:"hasCpr"`
	Sensitive  bool       `json:"sensitive"`
	Categories []string   `json:"categories,omitempty"`
	Why        []string   `json:"why"`
	Relations  []Relation `json:"relations"`
}

// Relation is a person's relation to one recipient (the recipient named by position in
// To, Cc, Bcc order).
type Relation struct {
	Recipient int    `json:"recipient"`
	Relation  string `json:"relation"`
	Why       string `json:"why"`
}

// New builds the report of a scan. With showValues, findings carry their values (the CLI's
// --show-values, for the person who owns the message on their own machine).
func New(res *scan.Result, showValues bool) Report {
	out := Report{Action: res.Verdict.Action, Reasons: []Reason{}, Documents: []Document{},
		Findings: make([]Finding, 0, len(res.Findings)), Persons: []Person{}}
	for _, r := range res.Verdict.Reasons {
		docs := r.Documents
		if docs == nil {
			docs = []string{}
		}
		out.Reasons = append(out.Reasons, Reason{Code: r.Code, Message: r.Message, Documents: docs})
	}
	for _, d := range res.Documents {
		out.Documents = append(out.Documents, Document{Name: d.Name, Type: d.Type, Status: string(d.Status), Detail: d.Detail,
			Pages: len(d.Pages), Words: countWords(d.Pages)})
	}
	for _, f := range res.Findings {
		jf := Finding{Kind: string(f.Kind), Document: f.Document, Page: f.Page, Masked: f.Masked,
			Confidence: Confidence(f.Confidence), Category: f.Category, Why: f.Why}
		if showValues {
			jf.Value = f.Value
		}
		out.Findings = append(out.Findings, jf)
	}
	out.Persons = Persons(res)
	return out
}

// Confidence is a finding's confidence as reported: rounded to two decimals.
func Confidence(c float64) float64 { return float64(int(c*100+0.5)) / 100 }

// Persons is the masked form of the scan's persons.
func Persons(res *scan.Result) []Person {
	out := make([]Person, 0, len(res.Persons))
	for _, p := range res.Persons {
		jp := Person{Document: p.Document, Page: p.Page, Identifier: scan.PersonIdentifier(p), Evidence: string(p.Evidence),
			Link: p.Link, HasCPR: p.HasCPR, Sensitive: p.Sensitive, Categories: p.Categories, Why: p.Why, Relations: []Relation{}}
		if jp.Why == nil {
			jp.Why = []string{}
		}
		for i, r := range p.Relations {
			why := ""
			if i < len(p.RelationWhy) {
				why = p.RelationWhy[i]
			}
			jp.Relations = append(jp.Relations, Relation{Recipient: i, Relation: string(r), Why: why})
		}
		out = append(out, jp)
	}
	return out
}

// countWords counts the runs of letters or digits in the pages' text.
// ASCII bytes are looked up in a table; only other characters are decoded (a report of a large
// list spent half its time here).
func countWords(pages []extract.Page) int {
	n := 0
	for _, p := range pages {
		var in uint8 // 1 inside a word
		t := p.Text
		for i := 0; i < len(t); {
			// ASCII without a branch on the letter: a word starts where a word byte follows a
			// non-word one (the count of 30 MB of text was a twentieth of a scan).
			if c := t[i]; c < utf8.RuneSelf {
				w := asciiWord[c]
				n += int(w &^ in)
				in = w
				i++
				continue
			}
			var w bool
			if t[i] == 0xC3 && i+1 < len(t) && t[i+1]&0xC0 == 0x80 {
				// U+00C0–U+00FF (æ, ø, å, é, ü …): letters but for × and ÷.
				w = t[i+1] != 0x97 && t[i+1] != 0xB7
				i += 2
			} else {
				r, size := utf8.DecodeRuneInString(t[i:])
				w = unicode.IsLetter(r) || unicode.IsDigit(r)
				i += size
			}
			if w && in == 0 {
				n++
			}
			in = 0
			if w {
				in = 1
			}
		}
	}
	return n
}

// asciiWord marks the ASCII letters and digits.
var asciiWord = func() (t [utf8.RuneSelf]uint8) {
	for c := range utf8.RuneSelf {
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			t[c] = 1
		}
	}
	return t
}()
