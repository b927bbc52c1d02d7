// Package cprshape finds numbers shaped like a Danish CPR number in short free text, the one
// definition that masking (logs, audit, directory) and checking (the audit's last guard) share.
//
// A CPR shape is ten digits whose first six are a day, month and year (any year, 29 February
// allowed), written in one piece or in groups that break only after the second, fourth or sixth
// digit ("0101901234", "010190-1234", "01-01-90-1234", "01.01.90-1234", "010190--1234",
// "0101 90 1234"), with no digit directly before or after. Between groups stand one to three
// separator characters: spaces (also no-break and other Unicode spaces), tabs, hyphens and
// dashes, '/', '.', '_' and ','. Digits and separators are read after compatibility
// normalisation (NFKC: full-width "０１０１９０" and mathematical digits count), and any other
// Unicode decimal digit counts as its value. The test is deliberately wider than the CPR
// scanner's: what it finds is masked, never trusted.
package cprshape

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Masks written in place of a CPR shape.
const (
	// Hidden replaces the whole number: what storage keeps next to keyed hashes.
	Hidden = "xxxxxx-xxxx"
	// maskedTail follows the birth date in the masked form shown to people ("010190-xxxx").
	maskedTail = "-xxxx"
)

// maxSep is the longest run of separators between two groups of digits.
const maxSep = 3

// Span is one CPR shape in a string: s[Start:End] in bytes, and its ten ASCII digits.
type Span struct {
	Start, End int
	Digits     string
}

// class of one rune after normalisation.
type class uint8

const (
	other class = iota
	digit
	separator
)

// token is one rune of the input, classified.
type token struct {
	start, end int
	class      class
	digit      byte // '0'..'9' when class == digit
}

// Find returns the CPR shapes in s, left to right, not overlapping.
func Find(s string) []Span {
	if !mayHold(s) {
		return nil
	}
	toks := tokens(s)
	var out []Span
	for i := 0; i < len(toks); i++ {
		if toks[i].class != digit || (i > 0 && toks[i-1].class == digit) {
			continue
		}
		if end, digits, ok := match(toks, i); ok {
			out = append(out, Span{Start: toks[i].start, End: toks[end-1].end, Digits: digits})
			i = end - 1
		}
	}
	return out
}

// Contains tells whether s holds a CPR shape.
func Contains(s string) bool { return len(Find(s)) > 0 }

// Mask replaces every CPR shape in s with its birth date and "-xxxx" ("010190-xxxx"): the form
// shown in pop-ups and logs.
func Mask(s string) string {
	return replace(s, func(sp Span) string { return sp.Digits[:6] + maskedTail })
}

// Hide replaces every CPR shape in s, and every birth date already masked as "ddmmyy-xxxx",
// with "xxxxxx-xxxx": the form storage keeps, so that no stored record holds a birth date next
// to a keyed hash of the full number (which would leave only 10,000 numbers to try).
func Hide(s string) string {
	return hideMasked(replace(s, func(Span) string { return Hidden }))
}

func replace(s string, with func(Span) string) string {
	spans := Find(s)
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	at := 0
	for _, sp := range spans {
		b.WriteString(s[at:sp.Start])
		b.WriteString(with(sp))
		at = sp.End
	}
	b.WriteString(s[at:])
	return b.String()
}

// hideMasked turns "ddmmyy-xxxx" (any case of x) into Hidden.
func hideMasked(s string) string {
	lower := strings.ToLower(s)
	if !strings.Contains(lower, maskedTail) || len(lower) != len(s) {
		return s
	}
	var b strings.Builder
	at := 0
	for i := 0; i+len(maskedTail) <= len(s); i++ {
		if lower[i:i+len(maskedTail)] != maskedTail || i < 6 {
			continue
		}
		j := i - 6
		if !allASCIIDigits(s[j:i]) || (j > 0 && isASCIIDigit(s[j-1])) || j < at {
			continue
		}
		b.WriteString(s[at:j])
		b.WriteString(Hidden)
		at = i + len(maskedTail)
		i = at - 1
	}
	if at == 0 {
		return s
	}
	b.WriteString(s[at:])
	return b.String()
}

// mayHold is a quick test: a CPR shape needs ten digits, and non-ASCII text may hide some.
func mayHold(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return true
		}
		if isASCIIDigit(c) {
			if n++; n >= 10 {
				return true
			}
		}
	}
	return false
}

// match tries a CPR shape starting at toks[i] (a digit not preceded by one). It returns the
// index after its last digit and the ten digits.
func match(toks []token, i int) (int, string, bool) {
	var d [10]byte
	n := 0
	j := i
	for {
		// a group of digits
		for j < len(toks) && toks[j].class == digit {
			if n == len(d) {
				return 0, "", false // more than ten digits in a row
			}
			d[n] = toks[j].digit
			n++
			j++
		}
		if n == len(d) {
			break
		}
		if n != 2 && n != 4 && n != 6 {
			return 0, "", false // groups break only after the 2nd, 4th or 6th digit
		}
		// separators, then the next group
		k := j
		for k < len(toks) && toks[k].class == separator && k-j < maxSep {
			k++
		}
		if k == j || k >= len(toks) || toks[k].class != digit {
			return 0, "", false
		}
		j = k
	}
	if !validDate(d[:6]) {
		return 0, "", false
	}
	return j, string(d[:]), true
}

// validDate tells whether six digits start with a day and month (29 February allowed).
func validDate(d []byte) bool {
	day := int(d[0]-'0')*10 + int(d[1]-'0')
	month := int(d[2]-'0')*10 + int(d[3]-'0')
	days := [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	return month >= 1 && month <= 12 && day >= 1 && day <= days[month]
}

// tokens classifies every rune of s.
func tokens(s string) []token {
	toks := make([]token, 0, len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		t := token{start: i, end: i + size}
		t.class, t.digit = classify(r)
		toks = append(toks, t)
		i += size
	}
	return toks
}

// classify says what r counts as, after NFKC and with every decimal digit read as its value.
func classify(r rune) (class, byte) {
	if r < utf8.RuneSelf {
		return classifyASCII(byte(r))
	}
	if unicode.Is(unicode.Nd, r) {
		return digit, digitValue(r)
	}
	switch {
	case unicode.Is(unicode.Pd, r), r == '\u2212', unicode.IsSpace(r), unicode.Is(unicode.Zs, r):
		return separator, 0
	}
	if k := norm.NFKC.String(string(r)); len(k) == 1 {
		return classifyASCII(k[0])
	}
	return other, 0
}

func classifyASCII(c byte) (class, byte) {
	switch {
	case isASCIIDigit(c):
		return digit, c
	case c == ' ', c == '\t', c == '-', c == '/', c == '.', c == '_', c == ',':
		return separator, 0
	}
	return other, 0
}

// digitValue is the value of a Unicode decimal digit: Nd digits come in runs of ten from zero,
// and adjacent runs are whole, so the distance from the start of the run, modulo ten, is it.
func digitValue(r rune) byte {
	start := r
	for unicode.Is(unicode.Nd, start-1) {
		start--
	}
	return byte('0' + (r-start)%10)
}

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

func allASCIIDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isASCIIDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
