// Package audit is the record of every verdict: the event (who, when, to which domains, what
// was decided and why, per document the masked findings and keyed hashes of the persons
// involved, never content), the keyed Hasher for identifiers, ValidateEvent as the last guard
// against a CPR number reaching storage, and the Recorder that never loses an event: what the
// database does not take in time is spooled on disk and written when the database is back.
package audit

import (
	"slices"
	"strings"
	"time"
)

// Event is one audited verdict. It holds no message content: document names are the redacted
// names the scan produced, findings are masked, persons appear only as keyed hashes.
type Event struct {
	ID        string    `json:"id"`        // the scan id (unique; the API returns it as scanId); see NewID
	Time      time.Time `json:"time"`      // UTC; stores keep millisecond precision
	Source    string    `json:"source"`    // "graph", "inline", "console" (admin test console), "cli"
	Test      bool      `json:"test"`      // a test-console scan
	Simulated bool      `json:"simulated"` // policy in simulation mode: Action is what would have happened; the mail was allowed

	TenantID string `json:"tenantId"` // Entra tid
	ObjectID string `json:"objectId"` // Entra oid
	UPN      string `json:"upn"`

	RecipientDomains []string `json:"recipientDomains,omitempty"` // sorted, unique, lower-case (see Domains); never full addresses

	Action  string   `json:"action"`            // allow|warn|secure|block
	Reasons []string `json:"reasons,omitempty"` // reason codes, e.g. different_citizen, bulk_cpr, scan_failed

	Documents []Document `json:"documents,omitempty"`

	// IdentifierHashes are keyed hashes (Hasher) of the CPR numbers / persons involved, for the
	// DPO's "was this citizen's data sent?" search.
	IdentifierHashes []string `json:"identifierHashes,omitempty"`

	PolicyVersion int   `json:"policyVersion"`
	FetchMillis   int64 `json:"fetchMillis"`
	ScanMillis    int64 `json:"scanMillis"`
	TotalMillis   int64 `json:"totalMillis"`

	Error string `json:"error,omitempty"` // short, content-free (e.g. "graph unavailable")

	// Justification is the employee's reason for sending despite a warning (an event with reason
	// ReasonOverride), masked like the audit's findings (no CPR number, no name) and at most
	// MaxJustification characters.
	Justification string `json:"justification,omitempty"`
}

// ReasonOverride is the reason code of an employee's decision to send despite a warning, and of
// the Send that followed it.
const ReasonOverride = "override"

// MaxJustification bounds Event.Justification, in characters.
const MaxJustification = 300

// Document is one scanned document (body, attachment, archive entry) of an audited message.
type Document struct {
	Name     string    `json:"name"` // redacted name (no CPR number, no person's name)
	Type     string    `json:"type"`
	Status   string    `json:"status"` // scanned, encrypted, unscannable, unsupported, too_large, ...
	Detail   string    `json:"detail,omitempty"`
	Findings []Finding `json:"findings,omitempty"`
	// Persons are whom the document's data is about, masked, with the evidence and the relation
	// to each recipient (same, addressed, different, unknown; in the order To, Cc, Bcc).
	Persons []Person `json:"persons,omitempty"`
	// FindingsOmitted and PersonsOmitted count what the event does not list beyond
	// MaxDocumentFindings and MaxDocumentPersons. Every CPR number's keyed hash is still in
	// Event.IdentifierHashes, so a citizen in a list of thousands is found by the audit search.
	FindingsOmitted int `json:"findings_omitted,omitempty"`
	PersonsOmitted  int `json:"persons_omitted,omitempty"`
}

// An event lists at most this many findings and persons per document. A mail-merge list has
// tens of thousands; listing them all made its audit event megabytes of masked rows that no
// one reads, and writing it cost more than scanning the list.
const (
	MaxDocumentFindings = 200
	MaxDocumentPersons  = 200
)

// Person is one person a document's data is about, in masked form: initials and a masked CPR
// number, never a name or a full number.
type Person struct {
	Identifier string   `json:"identifier"`
	Page       int      `json:"page,omitempty"`
	Evidence   string   `json:"evidence"`
	Link       string   `json:"link,omitempty"`
	Relations  []string `json:"relations,omitempty"`
	Why        []string `json:"why,omitempty"`
}

// Finding is one masked finding in a document.
type Finding struct {
	Kind       string  `json:"kind"` // cpr, name, address, sensitive
	Page       int     `json:"page"`
	Masked     string  `json:"masked"` // "010190-xxxx", "J. H.", ...
	Category   string  `json:"category,omitempty"`
	Confidence float64 `json:"confidence"`
	Hash       string  `json:"hash,omitempty"` // keyed hash of the value (Hasher), or empty
}

// Domains returns the domains of addresses, lower-case, sorted and unique: the form
// Event.RecipientDomains takes. Entries without '@' and empty domains are skipped.
func Domains(addresses ...string) []string {
	var out []string
	for _, a := range addresses {
		a = strings.Trim(strings.TrimSpace(a), "<>")
		at := strings.LastIndexByte(a, '@')
		if at < 0 {
			continue
		}
		d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(a[at+1:])), ".")
		if d != "" {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
