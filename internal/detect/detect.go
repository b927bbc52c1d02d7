// Package detect finds personal data in extracted text: CPR numbers, names, addresses and statements
// in the sensitive categories of GDPR art. 9.
//
// The recognizers follow the gitleaks / Presidio pattern: each is a registered recognizer
// (recognizer.go: Name, Reads, Find, Finding) driven by its embedded data file under data/ (word lists,
// context words with weights, guards, score and windows), ships its true- and false-positive
// examples in testdata/<name>/, runs a cheap byte-level prefilter (the digit runs of the text,
// found once for all that start at a digit; capital letters for names; one Aho-Corasick pass for
// sensitive terms) before any expensive check, and returns flat Findings carrying a masked form
// and a Why that explains every point of the score. A recognizer may read others' findings as
// evidence: the CPR recognizer reads the phone and bank account recognizers (never reported).
//
// Confidence scale (all kinds): ≥ 0.5 counts as a finding for the policy's default threshold;
// CPR candidates are emitted down to 0.2 so that the explanation of a rejected number is available.
package detect

import (
	"sync"
	"time"
)

// Kind is what a finding is.
type Kind string

const (
	KindCPR       Kind = "cpr"
	KindName      Kind = "name"
	KindAddress   Kind = "address"
	KindSensitive Kind = "sensitive"
)

// Finding is one detected value: a flat value with a masked form and the explanation of its score.
type Finding struct {
	Kind     Kind
	Document string // set by the caller (scan)
	Page     int    // set by the caller (scan)
	// Start and End are byte offsets of the match in the text given to the detector.
	Start, End int
	// Value is the normalised value: CPR as 10 digits; a name or address as written (whitespace
	// collapsed); for sensitive findings the matched term, lower case. Never log or store it.
	Value      string
	Masked     string  // safe to show, log and store: "010190-xxxx", "J. H.", ...
	Confidence float64 // 0..1
	Category   string  // sensitive: health, social, criminal, ...; cpr: "" ; name: "" ...
	// Why lists the facts behind Confidence: "date 1990-01-01", "mod11", "context cpr-nr (+)", ...
	// It never holds a name, an address or a sensitive term. The slice may be shared between
	// findings: do not modify its elements (appending copies).
	Why []string
}

// Threshold is the confidence from which a finding counts (the policy's default).
const Threshold = 0.5

// Options configure an Engine.
type Options struct {
	// Now is the clock for "birth date after today"; nil means time.Now. Inject it in tests.
	Now func() time.Time
}

// Engine holds the registry of recognizers with their parsed lists and automata. It is
// immutable after New and safe for concurrent use.
type Engine struct {
	reg       registry
	names     *nameIndex        // IsFirstName, IsSurname
	sensitive *sensitiveMatcher // the automaton, for its tests
	runs      sync.Pool         // *run: reusable buffers, the only mutable state (safe for concurrent use)
}

// New loads the generated word table and automaton (checking them), parses the small lists and
// registers the recognizers.
func New(opts Options) (*Engine, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	e := &Engine{}
	cpr, err := newCPRRecognizer(now)
	if err != nil {
		return nil, err
	}
	words, err := parseWordTable(wordsTab)
	if err != nil {
		return nil, err
	}
	if e.names, err = loadNames(words); err != nil {
		return nil, err
	}
	streets, err := loadStreets(words)
	if err != nil {
		return nil, err
	}
	if e.sensitive, err = loadSensitive(); err != nil {
		return nil, err
	}
	phone, err := newPhoneRecognizer()
	if err != nil {
		return nil, err
	}
	account, err := newAccountRecognizer()
	if err != nil {
		return nil, err
	}
	// Every recognizer after the ones it reads; the reported ones in the order of their
	// findings on equal spans.
	for _, r := range []struct {
		rec      recognizer
		reported bool
	}{
		{phone, false},
		{account, false},
		{cpr, true},
		{streets, true},
		{e.names, true},
		{e.sensitive, true},
	} {
		if err := e.reg.register(r.rec, r.reported); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// MaskCPR masks a CPR number for display and logs: "0101901234" → "010190-xxxx". Separators in the
// input are ignored; anything that is not 10 digits is masked whole.
func MaskCPR(digits string) string {
	var d [10]byte
	n := 0
	for i := 0; i < len(digits); i++ {
		if isDigit(digits[i]) {
			if n == len(d) {
				return "xxxxxx-xxxx"
			}
			d[n] = digits[i]
			n++
		}
	}
	if n != len(d) {
		return "xxxxxx-xxxx"
	}
	return string(d[:6]) + "-xxxx"
}
