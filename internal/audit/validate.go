package audit

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
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
// digits as Hasher makes them, and (ErrCPR as well) any string field that carries a full CPR
// number: 6 digits forming a day and month, then 4 digits, with nothing, a dash or a space (also
// '/', '.', a tab, a no-break space or a Unicode dash) between them, and no digit directly before
// or after. Masked forms ("010190-xxxx") pass. Random identifiers are not searched, since about
// one in 800 random hex strings holds such a run by chance: the canonical GUIDs Entra uses for
// tenant and object ids, and scan ids that are GUIDs or 32 lower-case hex digits (NewID's ids
// never match). The error names the field, never its value.
func ValidateEvent(e Event) error {
	if e.ID == "" {
		return fmt.Errorf("%w: no id", ErrInvalidEvent)
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

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// digitRun returns the length of the run of ASCII digits starting at s[i].
func digitRun(s string, i int) int {
	n := 0
	for i+n < len(s) && isDigit(s[i+n]) {
		n++
	}
	return n
}

// hasCPR tells whether s carries a CPR-shaped number (see ValidateEvent).
func hasCPR(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || (i > 0 && isDigit(s[i-1])) {
			continue
		}
		n := digitRun(s, i)
		switch {
		case n == 10 && validDayMonth(s[i:i+6]):
			return true
		case n == 6 && validDayMonth(s[i:i+6]):
			if j, ok := skipSeparator(s, i+6); ok && digitRun(s, j) == 4 {
				return true
			}
		}
		i += n - 1
	}
	return false
}

// skipSeparator skips the separator between the two halves of a CPR number at s[i:]: one to
// three separator characters of which at most one is not a space ("-", " ", " - ").
func skipSeparator(s string, i int) (int, bool) {
	j, count, hard := i, 0, 0
	for j < len(s) && count < 3 {
		r, size := utf8.DecodeRuneInString(s[j:])
		switch r {
		case ' ', '\u00a0':
		case '-', '\t', '/', '.', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212':
			hard++
		default:
			return j, count > 0 && hard <= 1
		}
		if hard > 1 {
			return j, false
		}
		j += size
		count++
	}
	return j, count > 0
}

// validDayMonth tells whether the first four of six digits are a day and month (any year, 29
// February allowed).
func validDayMonth(d string) bool {
	day := int(d[0]-'0')*10 + int(d[1]-'0')
	month := int(d[2]-'0')*10 + int(d[3]-'0')
	days := [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	return month >= 1 && month <= 12 && day >= 1 && day <= days[month]
}
