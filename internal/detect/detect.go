// Package detect finds personal data in extracted text: CPR numbers, names, addresses and statements
// in the sensitive categories of GDPR art. 9.
package detect

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
	Why []string
}
