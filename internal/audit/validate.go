package audit

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/sendevagt/sendevagt/internal/cprshape"
)

// Sentinel errors of ValidateEvent. An event that fails validation wraps ErrInvalidEvent;
// one refused because a string in it looks like a full CPR number also wraps ErrCPR.
var (
	ErrInvalidEvent = errors.New("audit: invalid event")
	ErrCPR          = errors.New("audit: event carries a CPR-shaped number")
)

// maxIDLen bounds Event.ID.
const maxIDLen = 128

// ValidateEvent checks an event before it is stored: defence in depth so that content never
// reaches storage, whatever a caller got wrong. It refuses (ErrInvalidEvent) an event without ID
// or time, an ID with characters outside [A-Za-z0-9._:-], a hash that is not 64 lower-case hex
// digits as Hasher makes them, and (ErrCPR as well) any string field that carries a CPR shape
// as internal/cprshape defines it (the same definition Mask masks by, so a masked event always
// passes). Masked forms ("010190-xxxx") pass. Random identifiers are not searched, since about
// one in 800 random hex strings holds such a run by chance: the canonical GUIDs Entra uses for
// tenant and object ids, and scan ids that are GUIDs or 32 lower-case hex digits (NewID's ids
// never match). The error names the field, never its value.
func ValidateEvent(e Event) error {
	if e.ID == "" {
		return fmt.Errorf("%w: no id", ErrInvalidEvent)
	}
	if utf8.RuneCountInString(e.Justification) > MaxJustification {
		return fmt.Errorf("%w: justification longer than %d characters", ErrInvalidEvent, MaxJustification)
	}
	if len(e.ID) > maxIDLen || !idChars(e.ID) {
		return fmt.Errorf("%w: id has more than %d characters or characters outside [A-Za-z0-9._:-]", ErrInvalidEvent, maxIDLen)
	}
	if e.Time.IsZero() {
		return fmt.Errorf("%w: no time", ErrInvalidEvent)
	}
	for i, h := range e.IdentifierHashes {
		if !isHash(h) {
			return fmt.Errorf("%w: identifierHashes[%d] is not a keyed hash", ErrInvalidEvent, i)
		}
	}
	for i, d := range e.Documents {
		if d.FindingsOmitted < 0 || d.PersonsOmitted < 0 {
			return fmt.Errorf("%w: documents[%d] omits a negative number of findings or persons", ErrInvalidEvent, i)
		}
		for j, f := range d.Findings {
			if f.Hash != "" && !isHash(f.Hash) {
				return fmt.Errorf("%w: documents[%d].findings[%d].hash is not a keyed hash", ErrInvalidEvent, i, j)
			}
		}
	}
	var bad string
	check := func(field, s string) {
		if bad == "" && hasCPR(s) {
			bad = field
		}
	}
	checkID := func(field, s string) {
		if !isGUID(s) {
			check(field, s)
		}
	}
	if !isHex128(e.ID) {
		checkID("id", e.ID)
	}
	check("source", e.Source)
	checkID("tenantId", e.TenantID)
	checkID("objectId", e.ObjectID)
	check("upn", e.UPN)
	for i, d := range e.RecipientDomains {
		check("recipientDomains["+strconv.Itoa(i)+"]", d)
	}
	check("action", e.Action)
	for i, r := range e.Reasons {
		check("reasons["+strconv.Itoa(i)+"]", r)
	}
	for i, d := range e.Documents {
		p := "documents[" + strconv.Itoa(i) + "]."
		check(p+"name", d.Name)
		check(p+"type", d.Type)
		check(p+"status", d.Status)
		check(p+"detail", d.Detail)
		for j, f := range d.Findings {
			q := p + "findings[" + strconv.Itoa(j) + "]."
			check(q+"kind", f.Kind)
			check(q+"masked", f.Masked)
			check(q+"category", f.Category)
		}
	}
	check("error", e.Error)
	check("justification", e.Justification)
	if bad != "" {
		return fmt.Errorf("%w: %w in %s", ErrInvalidEvent, ErrCPR, bad)
	}
	return nil
}

func idChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

// isGUID tells whether s is a canonical GUID, 8-4-4-4-12 hex digits.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// isHex128 tells whether s is 128 bits in lower-case hex, as a random scan id.
func isHex128(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// hasCPR tells whether s carries a CPR shape (internal/cprshape: the definition Mask masks by).
func hasCPR(s string) bool { return cprshape.Contains(s) }
